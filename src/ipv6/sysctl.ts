// IPv6's keys in the namespace's sysctl tree: net.ipv6.conf.{all,default,DEV}.* and
// net.ipv6.neigh.{default,DEV}.* (net/ipv6/addrconf.c: addrconf_sysctl_register, addrconf_sysctl[],
// addrconf_sysctl_forward/addrconf_fixup_forwarding, addrconf_sysctl_disable/addrconf_disable_ipv6,
// addrconf_sysctl_mtu, addrconf_sysctl_addr_gen_mode, addrconf_sysctl_stable_secret;
// net/core/utils.c in6_pton; net/ipv6/ndisc.c ndisc_ifinfo_sysctl_change for the neigh keys).
import type { DevConf } from '../core/devconf.js';
import { EINVAL, EIO, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import {
  type ProcLong,
  type SysctlLeaf,
  type SysctlTree,
  intConv,
  msConv,
  procLong,
  readMs,
  secondsConv,
  sysctlDevNameIsAllowed,
  uintConv,
} from '../core/sysctl_tree.js';
import type { NeighParms } from '../neighbour/parms.js';
import { registerNeighSysctl } from '../neighbour/sysctl.js';
import type { NeighTable } from '../neighbour/table.js';
import { IN6_ADDR_GEN_MODE_STABLE_PRIVACY, IPV6_KNOBS, type Ipv6ConfTree } from './devconf.js';

/** What the IPv6 family gives its sysctl keys to work on. */
export interface Ipv6SysctlHost {
  readonly conf: Ipv6ConfTree;
  /** nd_tbl */
  readonly tbl: NeighTable<Buffer>;
  devices(): Iterable<{ dev: NetDevice; cnf: DevConf; ndParms: NeighParms }>;
  /** After a conf write changed a value, for the side effects (forwarding, disable_ipv6, mtu, addr_gen_mode...). scope 'all' | 'default' | the device. */
  confChanged(scope: 'all' | 'default' | NetDevice, name: string, oldValue: number, newValue: number): void;
}

type Scope = 'all' | 'default' | NetDevice;

/** The knobs whose `all` write also sets default and every device (always, changed or not). */
const ALL_REACHES_DEVICES = new Set(['forwarding', 'disable_ipv6', 'addr_gen_mode']);

/**
 * addrconf_sysctl_register() for `all`, `default` and every device the host lists (whose names
 * sysctl_dev_name_is_allowed), and nd_tbl's neigh_sysctl_register() with the ndisc handler.
 * Returns the unregister function.
 */
export function registerIpv6Sysctl(tree: SysctlTree, host: Ipv6SysctlHost): () => void {
  const named = () => [...host.devices()].filter((d) => sysctlDevNameIsAllowed(d.dev.name));
  const offConf = tree.register(() => {
    const out: SysctlLeaf[] = [];
    const devs = named();
    for (const k of IPV6_KNOBS.list) {
      out.push(confLeaf(host, 'all', host.conf.all, k.name));
      out.push(confLeaf(host, 'default', host.conf.dflt, k.name));
      for (const d of devs) out.push(confLeaf(host, d.dev, d.cnf, k.name));
    }
    out.push(secretLeaf(host, 'all', host.conf.all));
    out.push(secretLeaf(host, 'default', host.conf.dflt));
    for (const d of devs) out.push(secretLeaf(host, d.dev, d.cnf));
    return out;
  });
  const offNeigh = registerNeighSysctl(
    tree,
    'ipv6',
    host.tbl,
    () => named().map((d) => ({ dev: d.dev, parms: d.ndParms })),
    // ndisc_ifinfo_sysctl_change: retrans_time in raw jiffies; reachable_time re-drawn for a
    // device's parms only.
    { retransTimeUnit: 'jiffies', redrawDefault: false },
  );
  return () => {
    offConf();
    offNeigh();
  };
}

const scopeName = (s: Scope): string => (typeof s === 'string' ? s : s.name);

/** The proc handler's conversion for one knob. */
function convert(name: string, v: ProcLong): number {
  const k = IPV6_KNOBS.knob(name)!;
  switch (k.unit) {
    case 'uint':
      return uintConv(v);
    case 'sec':
      return secondsConv(v);
    case 'ms':
      return msConv(v);
    default:
      return intConv(v);
  }
}

function confLeaf(host: Ipv6SysctlHost, scope: Scope, cnf: DevConf, name: string): SysctlLeaf {
  const unit = IPV6_KNOBS.knob(name)!.unit;
  return {
    path: ['net', 'ipv6', 'conf', scopeName(scope), name],
    read: () => (unit === 'ms' ? readMs(cnf.get(name)) : String(cnf.get(name))),
    write: (t) => {
      const v = convert(name, procLong(t));
      if (scope === 'all' && ALL_REACHES_DEVICES.has(name)) return writeAllReaching(host, name, v);
      if (name === 'addr_gen_mode' && scope !== 'all' && scope !== 'default') checkStablePrivacy(host, cnf, v);
      // The range check (proc_dointvec_minmax / addrconf_sysctl_mtu / check_addr_gen_mode) is the
      // DevConf's. No `default` write reaches existing devices in IPv6.
      assign(host, scope, cnf, name, v);
    },
  };
}

/** Sets one scope's value; tells the host when it changed. */
function assign(host: Ipv6SysctlHost, scope: Scope, cnf: DevConf, name: string, v: number): void {
  const old = cnf.get(name);
  cnf.set(name, v);
  if (old !== v) host.confChanged(scope, name, old, v);
}

/**
 * forwarding (addrconf_fixup_forwarding), disable_ipv6 (addrconf_disable_ipv6) and addr_gen_mode
 * written on `all`: default and every device take the value too, even when `all` already had it
 * (measured: all.disable_ipv6=0 while all is 0 clears a device's 1). Forwarding and disable_ipv6
 * set `all` first; addr_gen_mode sets default and the devices first and `all` last. The range is
 * checked (on `all`) before anything is written.
 */
function writeAllReaching(host: Ipv6SysctlHost, name: string, v: number): void {
  const [min, max] = host.conf.all.range(name);
  if (v < min || v > max) throw new StackError(EINVAL, `${name}: ${v} is not in ${min}..${max}`);
  const allFirst = name !== 'addr_gen_mode';
  if (allFirst) assign(host, 'all', host.conf.all, name, v);
  assign(host, 'default', host.conf.dflt, name, v);
  for (const d of host.devices()) assign(host, d.dev, d.cnf, name, v);
  if (!allFirst) assign(host, 'all', host.conf.all, name, v);
}

/**
 * check_stable_privacy(): a device may switch to stable-privacy only with a secret of its own or
 * on `default`.
 */
function checkStablePrivacy(host: Ipv6SysctlHost, cnf: DevConf, mode: number): void {
  if (mode !== IN6_ADDR_GEN_MODE_STABLE_PRIVACY) return;
  if (host.conf.stableSecret(cnf) === null && host.conf.stableSecret(host.conf.dflt) === null) {
    throw new StackError(EINVAL, 'stable_privacy needs a stable_secret');
  }
}

/** proc_dostring with maxlen IPV6_MAX_STRLEN (46): the text up to a newline, at most 45 characters. */
const IPV6_MAX_STRLEN = 46;

/**
 * addrconf_sysctl_stable_secret(): `all` can be neither read nor written (EIO); an unset secret
 * reads EIO; a write that in6_pton does not take is EIO. A written secret switches the device —
 * or, written on `default`, every device (default's own mode stays) — to stable-privacy
 * addressing; the kernel runs no side effect for that mode change, so the host hears only
 * confChanged(scope, 'stable_secret', wasSet ? 1 : 0, 1).
 */
function secretLeaf(host: Ipv6SysctlHost, scope: Scope, cnf: DevConf): SysctlLeaf {
  const conf = host.conf;
  return {
    path: ['net', 'ipv6', 'conf', scopeName(scope), 'stable_secret'],
    read: () => {
      const s = scope === 'all' ? null : conf.stableSecret(cnf);
      if (s === null) throw new StackError(EIO);
      return formatIn6Full(s);
    },
    write: (t) => {
      if (scope === 'all') throw new StackError(EIO);
      const cut = t.split(/[\n\0]/, 1)[0].slice(0, IPV6_MAX_STRLEN - 1);
      const addr = in6Pton(cut);
      if (addr === null) throw new StackError(EIO);
      const was = conf.stableSecret(cnf) !== null ? 1 : 0;
      conf.setStableSecret(cnf, addr);
      const gen = IPV6_KNOBS.require('addr_gen_mode');
      if (scope === 'default') {
        for (const d of host.devices()) d.cnf.values[gen] = IN6_ADDR_GEN_MODE_STABLE_PRIVACY;
      } else {
        cnf.values[gen] = IN6_ADDR_GEN_MODE_STABLE_PRIVACY;
      }
      host.confChanged(scope, 'stable_secret', was, 1);
    },
  };
}

/** %pI6: eight groups of four lower-case hex digits (`2001:0db8:0000:...:0001`). */
export function formatIn6Full(a: Buffer): string {
  const out: string[] = [];
  for (let i = 0; i < 16; i += 2) out.push(a.readUInt16BE(i).toString(16).padStart(4, '0'));
  return out.join(':');
}

const hexValue = (c: string | undefined): number => {
  if (c === undefined) return -1;
  const x = c.charCodeAt(0);
  if (x >= 0x30 && x <= 0x39) return x - 0x30;
  if (x >= 0x61 && x <= 0x66) return x - 0x61 + 10;
  if (x >= 0x41 && x <= 0x46) return x - 0x41 + 10;
  return -1;
};
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
/** in6_pton with delim -1: anything that is no hex digit, ':' or '.' ends the text. */
const endsText = (c: string | undefined): boolean => c === undefined || (hexValue(c) < 0 && c !== ':' && c !== '.');

/**
 * in6_pton(text, -1, dst, -1, NULL), the way addrconf_sysctl_stable_secret parses a secret: the
 * RFC 4291 text forms (at most one '::', which stands for at least one zero group; a dotted IPv4
 * tail in place of the last two groups), with the kernel's leniencies — a group may have any number
 * of leading zeros (`01234::`), and the address ends at the first character that is no hex digit,
 * ':' or '.' (`fe80::1%eth0` and `::1 x` are taken) where an address may end; a dotted tail ends at
 * anything but a digit, '.' or hex letter (`::1.2.3.4:5` is taken). Null when it is refused.
 * (Checked against Linux 6.18, test/unit/sysctl_ipv6.test.ts.)
 */
export function in6Pton(text: string): Buffer | null {
  const head: number[] = [];
  const tail: number[] = [];
  let gap = false;
  let i = 0;
  const count = (): number => head.length + tail.length;
  const build = (v4: Buffer | null): Buffer => {
    const out = Buffer.alloc(16);
    const words = [...head, ...(gap ? new Array<number>(8 - count() - (v4 ? 2 : 0)).fill(0) : []), ...tail];
    words.forEach((w, k) => out.writeUInt16BE(w, 2 * k));
    if (v4) v4.copy(out, 12);
    return out;
  };
  if (text[0] === ':') {
    if (text[1] !== ':') return null;
    gap = true;
    i = 2;
    if (endsText(text[i])) return build(null);
  }
  for (;;) {
    const start = i;
    let w = 0;
    while (hexValue(text[i]) >= 0) {
      if (i > start && w >= 0x1000) return null;
      w = w * 16 + hexValue(text[i]);
      i++;
    }
    if (text[i] === '.') {
      // Room for four bytes: exactly the last two groups, or within a '::' that keeps one zero group.
      const room = gap ? count() <= 5 : count() === 6;
      const v4 = room ? in4Tail(text, start) : null;
      return v4 === null ? null : build(v4);
    }
    if (i === start) return null; // ':' followed by no group
    (gap ? tail : head).push(w);
    if (count() + (gap ? 1 : 0) > 8) return null;
    if (text[i] === ':') {
      if (count() === 8 || (gap && count() === 7)) return null; // nothing may follow the last group
      if (text[i + 1] === ':') {
        if (gap) return null;
        gap = true;
        i += 2;
        if (endsText(text[i])) return build(null);
      } else {
        i += 1;
      }
      continue;
    }
    // Any other character ends the address, which must be complete by then.
    return gap || count() === 8 ? build(null) : null;
  }
}

/** in4_pton for the dotted tail: four decimal parts ≤ 255, ended by ':' or a delimiter. */
function in4Tail(text: string, from: number): Buffer | null {
  const out = Buffer.alloc(4);
  let i = from;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text[i] !== '.') return null;
      i++;
    }
    if (!isDigit(text[i])) return null;
    let v = 0;
    while (isDigit(text[i])) {
      v = v * 10 + (text.charCodeAt(i) - 0x30);
      if (v > 255) return null;
      i++;
    }
    out[part] = v;
  }
  const c = text[i];
  return c === ':' || (c !== '.' && endsText(c)) ? out : null;
}
