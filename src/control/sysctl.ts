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
// value·1000 ms, USER_HZ (100) ticks are value·10 ms, *_ms entries are exact. Every value is
// stored as the kernel's int is, with the kernel's conversions and their wrap-arounds: Linux
// accepts any int for net.ipv4.conf.* (the policies treat what they do not know as their
// default case) and negative times where the conversion lets them through (checked against
// Linux 6.18 with procps sysctl in a namespace, test/golden/sysctl-odd-values.tsv).
import { EINVAL, ENOENT, StackError, strerror } from '../core/errno.js';
import { DEVCONF_KNOBS } from '../ipv4/devconf.js';
import { type InDevice, inDevGet } from '../ipv4/devinet.js';
import { type NeighParmName, type NeighParms, UNRES_QLEN_MAX, setUnresQlen, unresQlen } from '../neighbour/parms.js';
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

/** One number as proc_get_long() hands it to a conversion: a sign and an unsigned long. */
export interface ProcLong {
  neg: boolean;
  /** The magnitude, 0 ≤ lval < 2^64. */
  lval: bigint;
}

/** One file under /proc/sys. */
interface Leaf {
  /** Path components, device names as they are (dots included). */
  path: readonly string[];
  read(): string;
  /** Takes the number proc_get_long parsed; throws Inval or StackError when refused. */
  write(v: ProcLong): void;
  /**
   * What the handler does after a write it refused: devinet_conf_proc() and neigh_proc_update()
   * mark the setting as written all the same (set_bit(data_state)), so `default` no longer
   * reaches it. Absent where the handler does not (forwarding, the table-wide gc_* values).
   */
  touch?(): void;
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

const U64 = 1n << 64n;
const U32 = 1n << 32n;
const BIG_INT_MAX = BigInt(INT_MAX);

/**
 * What one write hands its conversion (__do_proc_dointvec + proc_get_long): leading white space
 * skipped, an optional '-', then strtoul base 0 (0x hex, 0 octal, decimal) into an unsigned
 * long; the number must end the text or be followed by a space, tab or newline (anything after
 * is ignored) and be shorter than TMPBUFLEN. Null for -EINVAL (no digits, overflow, garbage).
 */
export function parseProcLong(text: string): ProcLong | null {
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
  let v = 0n;
  const b = BigInt(base);
  while (i < text.length && digitValue(text[i]) < base) {
    v = v * b + BigInt(digitValue(text[i]));
    i++;
  }
  if (v >= U64) return null; // strtoul_lenient: -ERANGE
  if (i - start >= TMPBUFLEN - 1) return null;
  if (i < text.length && !isSep(text[i])) return null;
  return { neg, lval: v };
}

/** do_proc_dointvec_conv(): the number must fit an int. Null for -EINVAL. */
function intConv(v: ProcLong): number | null {
  if (v.neg ? v.lval > BIG_INT_MAX + 1n : v.lval > BIG_INT_MAX) return null;
  return v.neg ? -Number(v.lval) || 0 : Number(v.lval);
}

/**
 * What one write does to an int entry (proc_dointvec): {@link parseProcLong} and an int's range.
 * Returns null for -EINVAL.
 */
export function parseProcInt(text: string): number | null {
  const v = parseProcLong(text);
  return v === null ? null : intConv(v);
}

/** The low 32 bits of an unsigned long as the kernel's int keeps them. */
const toInt = (x: bigint): number => Number(BigInt.asIntN(32, x));

/** -lval as an unsigned long. */
const negU64 = (lval: bigint): bigint => (U64 - lval) % U64;

/** An int printed the kernel's way: the sign, then the converted magnitude ("-0" included). */
function signed(val: number, conv: (mag: number) => number): string {
  return val < 0 ? `-${conv(-val)}` : String(conv(val));
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
    const { outname, components } = parseKey(key);
    const leaf = this.find(components);
    if (leaf) return [{ key: keyOf(leaf.path), value: leaf.read() }];
    const below = this.below(components, false);
    if (below === null) throw notFound(outname);
    return below.map((l) => ({ key: keyOf(l.path), value: l.read() }));
  }

  /** `sysctl -n KEY`: the value as the kernel prints it. */
  get(key: string): string {
    const { outname, components } = parseKey(key);
    const leaf = this.find(components);
    if (leaf) return leaf.read();
    if (this.below(components, true) !== null) {
      throw new StackError(EISDIR, `sysctl: reading key "${outname}": Is a directory`);
    }
    throw notFound(outname);
  }

  /**
   * `sysctl -w KEY=VALUE`. Returns what `sysctl -w` prints after the `=`: the value as given, with
   * surrounding white space removed (so `0x10` stays `0x10`; {@link Sysctl.get} reads back `16`).
   */
  set(key: string, value: string): string {
    const { outname, components } = parseKey(key);
    const leaf = this.find(components);
    const shown = value.trim();
    if (!leaf) {
      if (this.below(components, true) !== null) throw settingFailed(outname, EINVAL);
      throw notFound(outname);
    }
    const v = parseProcLong(shown);
    try {
      if (v === null) inval();
      leaf.write(v);
    } catch (e) {
      leaf.touch?.();
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
      read: () => readJiffies(tbl.gcInterval),
      write: (v) => {
        tbl.gcInterval = jiffiesConv(v);
      },
    });
    for (const n of [1, 2, 3] as const) {
      const field = `gcThresh${n}` as const;
      out.push({
        path: dflt(`gc_thresh${n}`),
        // proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_INT_MAX.
        read: () => String(tbl[field]),
        write: (v) => {
          tbl[field] = zeroIntmaxConv(v, INT_MAX);
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
      // proc_dointvec: any int; the policies read what they do not know as their default case.
      write: (x) => {
        const v = intConv(x) ?? inval();
        if (knob === 'forwarding') return this.writeForwarding(scope, v);
        // devinet_conf_proc: the scope's value is marked as set; a write on default is copied to
        // every device that has not set it (devinet_copy_dflt_conf).
        if (scope === 'default') conf.setDefault(knob, v, this.stack.inet.inDevices().map((d) => d.cnf));
        else cnf.set(knob, v);
      },
      // devinet_sysctl_forward() marks nothing; devinet_conf_proc() marks even a refused write.
      ...(knob === 'forwarding' ? {} : { touch: () => cnf.markSet(knob) }),
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

function neighLeaf(path: string[], p: NeighParms, v: NeighVar): Leaf {
  return {
    path,
    read: () => readNeigh(p, v),
    // neigh_proc_update(): the write marks the knob as set on these parms; on the default parms
    // it is copied to every device that has not set it (NeighParms.set / neigh_copy_dflt_parms).
    write: (x) => writeNeigh(p, v, x),
    // neigh_proc_update() runs whatever the conversion said: a refused write marks it too.
    touch: () => p.markWritten(v.parm),
  };
}

/** proc_dointvec_minmax(0, max): an int in 0..max. */
function zeroIntmaxConv(v: ProcLong, max: number): number {
  const x = intConv(v);
  if (x === null || x < 0 || x > max) inval();
  return x;
}

/** do_proc_dointvec_jiffies_conv(): seconds, |v| ≤ INT_MAX / HZ, either sign. */
function jiffiesConv(v: ProcLong): number {
  if (v.lval > BigInt(Math.floor(INT_MAX / HZ))) inval();
  const j = Number(v.lval) * HZ;
  return v.neg ? -j || 0 : j;
}

/**
 * do_proc_dointvec_userhz_jiffies_conv(): USER_HZ ticks through clock_t_to_jiffies() on the
 * unsigned long (a negative value is huge and saturates to ~0UL, which the int keeps as -1) and
 * into the int without a range check (larger values wrap, as on Linux).
 */
function userhzConv(v: ProcLong): number {
  const LONG_MAX = (1n << 63n) - 1n;
  if (v.lval > (LONG_MAX / BigInt(HZ)) * BigInt(USER_HZ)) inval();
  const x = v.neg ? negU64(v.lval) : v.lval;
  const factor = BigInt(HZ / USER_HZ);
  const j = x >= (U64 - 1n) / factor ? U64 - 1n : x * factor;
  return toInt(j);
}

/**
 * do_proc_dointvec_ms_jiffies_conv(): msecs_to_jiffies() takes an unsigned int (so the value is
 * cut to 32 bits first) and answers MAX_JIFFY_OFFSET for one that is negative as an int, which
 * is over INT_MAX and refused; what is left are the milliseconds (HZ=1000).
 */
function msConv(v: ProcLong): number {
  const m = (v.neg ? negU64(v.lval) : v.lval) % U32;
  if (m > BIG_INT_MAX) inval();
  return Number(m);
}

/** jiffies / HZ with the sign printed apart (do_proc_dointvec_jiffies_conv's read side). */
const readJiffies = (val: number): string => signed(val, (m) => Math.floor(m / HZ));

function readNeigh(p: NeighParms, v: NeighVar): string {
  const stored = p.get(v.parm);
  switch (v.unit) {
    case 'sec':
      return readJiffies(stored);
    case 'userhz':
      return signed(stored, (m) => Math.floor(m / MS_PER_USER_HZ)); // jiffies_to_clock_t
    case 'ms':
    case 'ms_positive':
      return signed(stored, (m) => m); // jiffies_to_msecs
    case 'qlen':
      return String(unresQlen(p));
    default:
      return String(stored);
  }
}

function writeNeigh(p: NeighParms, v: NeighVar, x: ProcLong): void {
  switch (v.unit) {
    case 'int':
      return p.set(v.parm, zeroIntmaxConv(x, INT_MAX)); // SYSCTL_ZERO..SYSCTL_INT_MAX
    case 'sec':
      return p.set(v.parm, jiffiesConv(x));
    case 'userhz':
      return p.set(v.parm, userhzConv(x));
    case 'ms':
      return p.set(v.parm, msConv(x));
    case 'ms_positive': {
      const ms = msConv(x);
      if (ms < 1) inval(); // extra1 = msecs_to_jiffies(1)
      return p.set(v.parm, ms);
    }
    case 'qlen':
      return setUnresQlen(p, zeroIntmaxConv(x, UNRES_QLEN_MAX));
  }
}

interface ParsedKey {
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
  return { outname, components: path.split('/').filter((c) => c !== '') };
}

/**
 * A key the stack has no setting for. The stack is no /proc/sys: the message says so plainly
 * (`tapstack sysctl` prints procps's "cannot stat /proc/sys/..." text from the errno itself).
 */
function notFound(key: string): StackError {
  return new StackError(ENOENT, `unknown sysctl key '${key}'`);
}

function settingFailed(outname: string, errno: number): StackError {
  return new StackError(errno, `sysctl: setting key "${outname}": ${strerror(errno)}`);
}
