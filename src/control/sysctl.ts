// The stack's settings under the kernel's sysctl names, scopes and units:
// net.ipv4.conf.{all,default,DEV}.*, net.ipv4.ip_forward and net.ipv4.neigh.{default,DEV}.*.
// Mirrors net/ipv4/devinet.c (devinet_sysctl, devinet_conf_proc, devinet_copy_dflt_conf,
// devinet_sysctl_forward, inet_forward_change, ctl_forward_entry, sysctl_dev_name_is_allowed),
// net/core/neighbour.c (neigh_sysctl_template, neigh_sysctl_register, neigh_proc_update,
// neigh_copy_dflt_parms, proc_unres_qlen, neigh_proc_base_reachable_time), kernel/sysctl.c
// (proc_get_long, __do_proc_dointvec and the jiffies/userhz/ms_jiffies conversions) and, for key
// syntax, output and error texts, procps-ng sysctl (ReadSetting, WriteSetting, slashdot and its
// DEPRECATED list).
//
// Times are kept in milliseconds, so the model behaves like a kernel with HZ=1000: seconds are
// value·1000 ms, USER_HZ (100) ticks are value·10 ms, *_ms entries are exact.
import { EINVAL, ENOENT, StackError, strerror } from '../core/errno.js';
import { DEVCONF_KNOBS, devconfKnob } from '../ipv4/devconf.js';
import { type InDevice, inDevGet } from '../ipv4/devinet.js';
import { type NeighParmName, type NeighParms, setUnresQlen, unresQlen } from '../neighbour/parms.js';
import type { Stack } from '../stack.js';

/** One `key = value` pair as `sysctl` prints it. */
export interface SysctlEntry {
  /** Dotted key, dots in device names written as '/' (`net.ipv4.neigh.tap0.locktime`). */
  key: string;
  /** The current value as the kernel prints it (`sysctl -n`), e.g. `1000`. */
  value: string;
}

/** Options of {@link Sysctl.list} and {@link Sysctl.keys}. */
export interface SysctlListOptions {
  /**
   * Include the entries procps hides from listings (`sysctl -a --deprecated`):
   * neigh.*.base_reachable_time and neigh.*.retrans_time. They can always be read and written by name.
   */
  deprecated?: boolean;
}

const INT_MAX = 0x7fffffff;
/** The model's jiffies are milliseconds. */
const HZ = 1000;
const USER_HZ = 100;
const MS_PER_USER_HZ = HZ / USER_HZ;
/** EISDIR (not in core/errno's table). */
const EISDIR = 21;
/** procps-ng sysctl.c DEPRECATED[]: skipped when listing a directory or `-a`. */
const DEPRECATED = new Set(['base_reachable_time', 'retrans_time']);

/** How a neighbour knob's sysctl value maps onto the stored one (ms for times). */
type NeighUnit =
  /** neigh_proc_dointvec_zero_intmax: plain count, 0..INT_MAX. */
  | 'int'
  /** neigh_proc_dointvec_jiffies: seconds. */
  | 'sec'
  /** neigh_proc_dointvec_userhz_jiffies: USER_HZ ticks (1/100 s). */
  | 'userhz'
  /** neigh_proc_dointvec_ms_jiffies: milliseconds, 0..INT_MAX. */
  | 'ms'
  /** neigh_proc_dointvec_ms_jiffies_positive: milliseconds, at least one jiffy. */
  | 'ms_positive'
  /** proc_unres_qlen: packets of SKB_TRUESIZE(ETH_FRAME_LEN) bytes, stored in queue_len_bytes. */
  | 'qlen';

interface NeighVar {
  name: string;
  parm: NeighParmName;
  unit: NeighUnit;
}

/** neigh_sysctl_template: the per-parms entries (every scope), kernel order. */
const NEIGH_VARS: readonly NeighVar[] = [
  { name: 'mcast_solicit', parm: 'mcastProbes', unit: 'int' },
  { name: 'ucast_solicit', parm: 'ucastProbes', unit: 'int' },
  { name: 'app_solicit', parm: 'appProbes', unit: 'int' },
  { name: 'mcast_resolicit', parm: 'mcastReprobes', unit: 'int' },
  { name: 'retrans_time', parm: 'retransTime', unit: 'userhz' },
  { name: 'base_reachable_time', parm: 'baseReachableTime', unit: 'sec' },
  { name: 'delay_first_probe_time', parm: 'delayProbeTime', unit: 'sec' },
  { name: 'interval_probe_time_ms', parm: 'intervalProbeTimeMs', unit: 'ms_positive' },
  { name: 'gc_stale_time', parm: 'gcStaletime', unit: 'sec' },
  { name: 'unres_qlen_bytes', parm: 'queueLenBytes', unit: 'int' },
  { name: 'proxy_qlen', parm: 'proxyQlen', unit: 'int' },
  { name: 'anycast_delay', parm: 'anycastDelay', unit: 'userhz' },
  { name: 'proxy_delay', parm: 'proxyDelay', unit: 'userhz' },
  { name: 'locktime', parm: 'locktime', unit: 'userhz' },
  { name: 'unres_qlen', parm: 'queueLenBytes', unit: 'qlen' },
  { name: 'retrans_time_ms', parm: 'retransTime', unit: 'ms' },
  { name: 'base_reachable_time_ms', parm: 'baseReachableTime', unit: 'ms' },
];

/** A failed conversion or range check (the kernel's -EINVAL from a proc handler). */
class Inval extends Error {}

function inval(): never {
  throw new Inval();
}

/** One file under /proc/sys. */
interface Leaf {
  /** Path components, device names as they are (dots included). */
  path: readonly string[];
  read(): string;
  /** Takes the integer proc_dointvec parsed; throws Inval or StackError when refused. */
  write(v: number): void;
}

/** `sysctl` prints `key = value`. */
export function formatSysctlLine(key: string, value: string): string {
  return `${key} = ${value}`;
}

/**
 * procps slashdot(): the first separator decides the notation; if it is already `nw`, nothing
 * changes, otherwise every '.' and '/' are swapped (so device dots show as '/' in dotted keys).
 */
function slashdot(s: string, old: string, nw: string): string {
  const first = s.search(/[./]/);
  if (first < 0 || s[first] === nw) return s;
  let out = s.slice(0, first);
  for (let i = first; i < s.length; i++) {
    const c = s[i];
    out += c === old ? nw : c === nw ? old : c;
  }
  return out;
}

/** The dotted key procps prints for a /proc/sys path. */
function keyOf(path: readonly string[]): string {
  return path.map((c) => c.replace(/\./g, '/')).join('.');
}

/** The kernel's sysctl directory order: names compared bytewise, a prefix first (namecmp). */
function namecmp(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function pathcmp(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = namecmp(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
/** proc_wspace_sep: what may follow a number. */
const isSep = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n';
const digitValue = (c: string | undefined): number => {
  if (c === undefined) return 99;
  const x = c.charCodeAt(0);
  if (x >= 0x30 && x <= 0x39) return x - 0x30;
  if (x >= 0x61 && x <= 0x66) return x - 0x61 + 10;
  if (x >= 0x41 && x <= 0x46) return x - 0x41 + 10;
  return 99;
};
/** proc_get_long's TMPBUFLEN: a number of 21 characters or more is refused. */
const TMPBUFLEN = 22;

/**
 * What one write does to an int entry (__do_proc_dointvec + proc_get_long + do_proc_dointvec_conv):
 * leading white space skipped, an optional '-', then strtoul base 0 (0x hex, 0 octal, decimal);
 * the number must end the text or be followed by a space, tab or newline (anything after is
 * ignored); the result must fit an int. Returns null for -EINVAL.
 */
export function parseProcInt(text: string): number | null {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  if (i === text.length) return null;
  const start = i;
  let neg = false;
  if (text[i] === '-' && text.length - i > 1) {
    neg = true;
    i++;
  }
  if (digitValue(text[i]) > 9) return null;
  let base = 10;
  if (text[i] === '0') {
    if ((text[i + 1] === 'x' || text[i + 1] === 'X') && digitValue(text[i + 2]) < 16) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  let v = 0;
  while (i < text.length && digitValue(text[i]) < base) {
    // Past 2^53 the value is far out of int range, which is all that matters below.
    v = v * base + digitValue(text[i]);
    i++;
  }
  if (i - start >= TMPBUFLEN - 1) return null;
  if (i < text.length && !isSep(text[i])) return null;
  if (neg ? v > INT_MAX + 1 : v > INT_MAX) return null;
  return neg ? (v === 0 ? 0 : -v) : v;
}

/**
 * sysctl for one Stack: `net.ipv4.conf.*`, `net.ipv4.ip_forward` and `net.ipv4.neigh.*` with the
 * kernel's names, units, scopes and propagation rules, and procps `sysctl`'s key syntax and errors.
 */
export class Sysctl {
  /** The settings of `stack`; reads and writes act on it at once. */
  constructor(
    /** The stack whose settings this reads and writes. */
    readonly stack: Stack,
  ) {}

  /** Every key in the order `sysctl -a` prints them (deprecated ones only on request). */
  keys(opts: SysctlListOptions = {}): string[] {
    return this.leaves(opts.deprecated === true).map((l) => keyOf(l.path));
  }

  /**
   * `sysctl -a [--deprecated] [--pattern REGEX]`: every entry in listing order, optionally only the
   * keys a regular expression matches (a string is compiled as one, as procps does).
   */
  list(pattern?: string | RegExp, opts: SysctlListOptions = {}): SysctlEntry[] {
    const re = pattern === undefined ? null : typeof pattern === 'string' ? new RegExp(pattern) : pattern;
    const out: SysctlEntry[] = [];
    for (const l of this.leaves(opts.deprecated === true)) {
      const key = keyOf(l.path);
      if (re) {
        re.lastIndex = 0;
        if (!re.test(key)) continue;
      }
      out.push({ key, value: l.read() });
    }
    return out;
  }

  /**
   * `sysctl KEY`: one entry for a setting, or every entry below a directory
   * (`net.ipv4.neigh.eth0`), deprecated ones left out as procps does.
   */
  show(key: string): SysctlEntry[] {
    const { path, components } = parseKey(key);
    const leaf = this.find(components);
    if (leaf) return [{ key: keyOf(leaf.path), value: leaf.read() }];
    const below = this.below(components, false);
    if (below === null) throw notFound(path);
    return below.map((l) => ({ key: keyOf(l.path), value: l.read() }));
  }

  /** `sysctl -n KEY`: the value as the kernel prints it. */
  get(key: string): string {
    const { path, outname, components } = parseKey(key);
    const leaf = this.find(components);
    if (leaf) return leaf.read();
    if (this.below(components, true) !== null) {
      throw new StackError(EISDIR, `sysctl: reading key "${outname}": Is a directory`);
    }
    throw notFound(path);
  }

  /**
   * `sysctl -w KEY=VALUE`. Returns what `sysctl -w` prints after the `=`: the value as given, with
   * surrounding white space removed (so `0x10` stays `0x10`; {@link Sysctl.get} reads back `16`).
   */
  set(key: string, value: string): string {
    const { path, outname, components } = parseKey(key);
    const leaf = this.find(components);
    const shown = value.trim();
    if (!leaf) {
      if (this.below(components, true) !== null) throw settingFailed(outname, EINVAL);
      throw notFound(path);
    }
    const v = parseProcInt(shown);
    if (v === null) throw settingFailed(outname, EINVAL);
    try {
      leaf.write(v);
    } catch (e) {
      if (e instanceof Inval) throw settingFailed(outname, EINVAL);
      if (e instanceof StackError) throw settingFailed(outname, e.errno);
      throw e;
    }
    return shown;
  }

  // ---- the tree ------------------------------------------------------------------------------

  private find(components: readonly string[]): Leaf | undefined {
    // Only paths of our three shapes can name a leaf; build just that part of the tree.
    if (components.length < 3 || components[0] !== 'net' || components[1] !== 'ipv4') return undefined;
    return this.leaves(true).find((l) => pathcmp(l.path, components) === 0);
  }

  /** Leaves strictly below a directory, or null when it is not one of ours. */
  private below(components: readonly string[], deprecated: boolean): Leaf[] | null {
    const all = this.leaves(true);
    const isDir = all.some(
      (l) => l.path.length > components.length && components.every((c, i) => l.path[i] === c),
    );
    if (!isDir) return null;
    return all.filter(
      (l) =>
        l.path.length > components.length &&
        components.every((c, i) => l.path[i] === c) &&
        (deprecated || !DEPRECATED.has(l.path[l.path.length - 1])),
    );
  }

  /** The current tree, sorted as the kernel's directory walk returns it. */
  private leaves(deprecated: boolean): Leaf[] {
    const inet = this.stack.inet;
    const out: Leaf[] = [];
    const devs = this.devices();

    // net.ipv4.conf.{all,default,DEV}.*
    for (const k of DEVCONF_KNOBS) {
      out.push(this.confLeaf('all', k.name));
      out.push(this.confLeaf('default', k.name));
      for (const d of devs) out.push(this.confLeaf(d, k.name));
    }
    // net.ipv4.ip_forward: the same int as conf.all.forwarding, the same handler.
    out.push({ ...this.confLeaf('all', 'forwarding'), path: ['net', 'ipv4', 'ip_forward'] });
    // net.ipv4.neigh.{default,DEV}.*
    const tbl = inet.arp.tbl;
    for (const v of NEIGH_VARS) {
      out.push(neighLeaf(['net', 'ipv4', 'neigh', 'default', v.name], tbl.parms, v));
      for (const d of devs) out.push(neighLeaf(['net', 'ipv4', 'neigh', d.dev.name, v.name], d.arpParms, v));
    }
    // Table-wide, under default only (neigh_sysctl_register with dev == NULL).
    const dflt = (name: string): string[] => ['net', 'ipv4', 'neigh', 'default', name];
    out.push({
      path: dflt('gc_interval'),
      // proc_dointvec_jiffies: seconds, negative allowed, |v| <= INT_MAX / HZ.
      read: () => String(Math.trunc(tbl.gcInterval / HZ)),
      write: (v) => {
        if (Math.abs(v) > Math.floor(INT_MAX / HZ)) inval();
        tbl.gcInterval = v * HZ;
      },
    });
    for (const n of [1, 2, 3] as const) {
      const field = `gcThresh${n}` as const;
      out.push({
        path: dflt(`gc_thresh${n}`),
        // proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_INT_MAX.
        read: () => String(tbl[field]),
        write: (v) => {
          if (v < 0) inval();
          tbl[field] = v;
        },
      });
    }

    const shown = deprecated ? out : out.filter((l) => !DEPRECATED.has(l.path[l.path.length - 1]));
    return shown.sort((a, b) => pathcmp(a.path, b.path));
  }

  /** Devices with IPv4 state whose names the kernel allows as sysctl directories. */
  private devices(): InDevice[] {
    const out: InDevice[] = [];
    for (const dev of this.stack.net.deviceList) {
      // sysctl_dev_name_is_allowed(): "all" and "default" would shadow the special scopes.
      if (dev.name === 'all' || dev.name === 'default') continue;
      const inDev = inDevGet(dev);
      if (inDev) out.push(inDev);
    }
    return out;
  }

  private confLeaf(scope: 'all' | 'default' | InDevice, knob: string): Leaf {
    const conf = this.stack.inet.conf;
    const cnf = scope === 'all' ? conf.all : scope === 'default' ? conf.dflt : scope.cnf;
    const name = typeof scope === 'string' ? scope : scope.dev.name;
    return {
      path: ['net', 'ipv4', 'conf', name, knob],
      read: () => String(cnf.get(knob)),
      write: (v) => {
        checkDevconf(knob, v);
        if (knob === 'forwarding') return this.writeForwarding(scope, v);
        // devinet_conf_proc: the scope's value is marked as set; a write on default is copied to
        // every device that has not set it (devinet_copy_dflt_conf).
        if (scope === 'default') conf.setDefault(knob, v, this.stack.inet.inDevices().map((d) => d.cnf));
        else cnf.set(knob, v);
      },
    };
  }

  /**
   * devinet_sysctl_forward(): a change on `all` (or ip_forward) runs inet_forward_change(), which
   * sets default and every device to the new value; `default` and a device are written alone
   * (default's value is not copied to existing devices: it only seeds new ones).
   */
  private writeForwarding(scope: 'all' | 'default' | InDevice, v: number): void {
    const conf = this.stack.inet.conf;
    if (scope === 'default') {
      conf.dflt.set('forwarding', v);
      return;
    }
    if (scope !== 'all') {
      scope.cnf.set('forwarding', v);
      return;
    }
    const old = conf.all.get('forwarding');
    conf.all.set('forwarding', v);
    if (v === old) return;
    conf.dflt.set('forwarding', v);
    for (const d of this.stack.inet.inDevices()) d.cnf.set('forwarding', v);
  }
}

/** tapstack's DevConf ranges (devconf.ts); the kernel itself takes any int for these. */
function checkDevconf(knob: string, v: number): void {
  const k = devconfKnob(knob);
  if (!k || v < k.min || v > k.max) inval();
}

function neighLeaf(path: string[], p: NeighParms, v: NeighVar): Leaf {
  return {
    path,
    read: () => String(readNeigh(p, v)),
    // neigh_proc_update(): the write marks the knob as set on these parms; on the default parms
    // it is copied to every device that has not set it (NeighParms.set / neigh_copy_dflt_parms).
    write: (x) => writeNeigh(p, v, x),
  };
}

function readNeigh(p: NeighParms, v: NeighVar): number {
  const stored = p.get(v.parm);
  switch (v.unit) {
    case 'sec':
      return Math.trunc(stored / HZ); // jiffies / HZ
    case 'userhz':
      return Math.trunc(stored / MS_PER_USER_HZ); // jiffies_to_clock_t
    case 'qlen':
      return unresQlen(p);
    default:
      return stored;
  }
}

function writeNeigh(p: NeighParms, v: NeighVar, x: number): void {
  switch (v.unit) {
    case 'int':
      if (x < 0) inval(); // SYSCTL_ZERO..SYSCTL_INT_MAX
      return p.set(v.parm, x);
    case 'sec':
      if (Math.abs(x) > Math.floor(INT_MAX / HZ)) inval(); // do_proc_dointvec_jiffies_conv
      return p.set(v.parm, x * HZ);
    case 'userhz':
      if (Math.abs(x) > Math.floor(INT_MAX / MS_PER_USER_HZ)) inval();
      return p.set(v.parm, x * MS_PER_USER_HZ);
    case 'ms':
      if (x < 0) inval(); // msecs_to_jiffies(negative) > INT_MAX
      return p.set(v.parm, x);
    case 'ms_positive':
      if (x < 1) inval(); // extra1 = msecs_to_jiffies(1)
      return p.set(v.parm, x);
    case 'qlen':
      return setUnresQlen(p, x);
  }
}

interface ParsedKey {
  /** Path below /proc/sys as procps opens it (used in "cannot stat"). */
  path: string;
  /** The dotted name procps prints (used in "setting key"). */
  outname: string;
  /** Path components with empty ones dropped, as the kernel's path walk does. */
  components: string[];
}

/** procps: `net.ipv4.conf.eth0/100.forwarding` and `net/ipv4/conf/eth0.100/forwarding` alike. */
function parseKey(key: string): ParsedKey {
  const name = key.trim();
  const path = slashdot(name, '.', '/');
  const outname = slashdot(name, '/', '.');
  return { path, outname, components: path.split('/').filter((c) => c !== '') };
}

function notFound(path: string): StackError {
  return new StackError(ENOENT, `sysctl: cannot stat /proc/sys/${path}: ${strerror(ENOENT)}`);
}

function settingFailed(outname: string, errno: number): StackError {
  return new StackError(errno, `sysctl: setting key "${outname}": ${strerror(errno)}`);
}
