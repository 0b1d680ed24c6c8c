// One namespace's /proc/sys/net as a protocol-neutral tree (fs/proc/proc_sysctl.c: register_net_sysctl,
// the ctl_dir name order, sysctl_dev_name_is_allowed; kernel/sysctl.c: proc_get_long, proc_dointvec,
// proc_douintvec_minmax and the jiffies/userhz/ms_jiffies conversions; procps-ng slashdot for keys).
//
// Each family registers a provider of its own leaves (devinet_sysctl_register,
// addrconf_sysctl_register, neigh_sysctl_register do this in the kernel); a provider is asked
// again on every walk, since devices come and go. The control layer only serves the tree.
//
// Times are kept in milliseconds, so the model behaves like a kernel with HZ=1000: seconds are
// value·1000 ms, USER_HZ (100) ticks are value·10 ms, *_ms entries are exact. The kernel this
// project is measured on runs HZ=250, so wherever a key shows raw jiffies (IPv6's deprecated
// neigh retrans_time) Linux prints 250 where tapstack prints 1000, and the jiffies range limits
// (INT_MAX / HZ) differ by the same factor.
import { EINVAL, StackError } from './errno.js';

/** One file under /proc/sys. */
export interface SysctlLeaf {
  /** Path components below /proc/sys, device names as they are (dots included). */
  readonly path: readonly string[];
  /** The value as the kernel prints it; throws a StackError (EIO for an unset stable_secret). */
  read(): string;
  /**
   * Takes what `sysctl -w` writes (surrounding white space already removed). Throws a StackError
   * when the handler refuses it (EINVAL from a conversion or range check, EIO...).
   */
  write(text: string): void;
  /**
   * What the handler does after a write it refused: devinet_conf_proc() and neigh_proc_update()
   * mark the setting as written all the same (set_bit(data_state)), so `default` no longer
   * reaches it. Absent where the handler does not.
   */
  touch?(): void;
  /** procps hides it from listings (`sysctl -a` without --deprecated); it can still be named. */
  readonly deprecated?: boolean;
}

/** Gives the current leaves of one registration. */
export type SysctlProvider = () => Iterable<SysctlLeaf>;

/** The kernel's sysctl directory order: names compared bytewise, a prefix first (namecmp). */
function namecmp(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Orders two paths as the kernel's directory walk lists them (each level sorted by name). */
export function sysctlPathCmp(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = namecmp(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

function isBelow(leaf: readonly string[], dir: readonly string[]): boolean {
  return leaf.length > dir.length && dir.every((c, i) => leaf[i] === c);
}

/**
 * sysctl_dev_name_is_allowed(): a device called "all" or "default" would shadow the scopes of the
 * same name, so the families register no directory for it.
 */
export function sysctlDevNameIsAllowed(name: string): boolean {
  return name !== 'all' && name !== 'default';
}

/** The registered leaves of one namespace. */
export class SysctlTree {
  /** One record per registration, so the same function may be registered twice. */
  private readonly providers: { readonly provide: SysctlProvider }[] = [];

  /** Adds a provider; the returned function removes it again (unregister_net_sysctl_table). */
  register(provide: SysctlProvider): () => void {
    const rec = { provide };
    this.providers.push(rec);
    return () => {
      const i = this.providers.indexOf(rec);
      if (i >= 0) this.providers.splice(i, 1);
    };
  }

  /** Every leaf, in the order the kernel's directory walk returns them. */
  leaves(): SysctlLeaf[] {
    const out: SysctlLeaf[] = [];
    for (const p of this.providers) for (const l of p.provide()) out.push(l);
    return out.sort((a, b) => sysctlPathCmp(a.path, b.path));
  }

  /** The leaf at exactly this path (the first registered one, should two claim it). */
  find(components: readonly string[]): SysctlLeaf | undefined {
    for (const p of this.providers) for (const l of p.provide()) if (samePath(l.path, components)) return l;
    return undefined;
  }

  /** Leaves strictly below a directory, in walk order; null when no leaf lives below it. */
  below(components: readonly string[]): SysctlLeaf[] | null {
    const out = this.leaves().filter((l) => isBelow(l.path, components));
    return out.length === 0 ? null : out;
  }
}

// ---- keys as procps writes them ------------------------------------------------------------

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

/** The dotted key procps prints for a /proc/sys path (`net.ipv4.conf.eth0/100.forwarding`). */
export function sysctlKeyOf(path: readonly string[]): string {
  return path.map((c) => c.replace(/\./g, '/')).join('.');
}

/** A key as procps reads it. */
export interface SysctlKey {
  /** The dotted name procps prints (used in "setting key"). */
  outname: string;
  /** Path components with empty ones dropped, as the kernel's path walk does. */
  components: string[];
}

/** procps: `net.ipv4.conf.eth0/100.forwarding` and `net/ipv4/conf/eth0.100/forwarding` alike. */
export function parseSysctlKey(key: string): SysctlKey {
  const name = key.trim();
  const path = slashdot(name, '.', '/');
  const outname = slashdot(name, '/', '.');
  return { outname, components: path.split('/').filter((c) => c !== '') };
}

// ---- numbers as the proc handlers parse and print them -------------------------------------

export const INT_MAX = 0x7fffffff;
export const INT_MIN = -0x80000000;
export const UINT_MAX = 0xffffffff;
/** The model's jiffies are milliseconds (Linux here: HZ=250). */
export const HZ = 1000;
export const USER_HZ = 100;
const MS_PER_USER_HZ = HZ / USER_HZ;

/** A refused write: the handler's -EINVAL. */
export function procInval(): never {
  throw new StackError(EINVAL);
}

/** One number as proc_get_long() hands it to a conversion: a sign and an unsigned long. */
export interface ProcLong {
  neg: boolean;
  /** The magnitude, 0 ≤ lval < 2^64. */
  lval: bigint;
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

/** {@link parseProcLong} for a write: throws EINVAL where it gives null. */
export function procLong(text: string): ProcLong {
  return parseProcLong(text) ?? procInval();
}

/** do_proc_dointvec_conv(): the number must fit an int. Null for -EINVAL. */
function intOrNull(v: ProcLong): number | null {
  if (v.neg ? v.lval > BIG_INT_MAX + 1n : v.lval > BIG_INT_MAX) return null;
  return v.neg ? -Number(v.lval) || 0 : Number(v.lval);
}

/**
 * What one write does to an int entry (proc_dointvec): {@link parseProcLong} and an int's range.
 * Returns null for -EINVAL.
 */
export function parseProcInt(text: string): number | null {
  const v = parseProcLong(text);
  return v === null ? null : intOrNull(v);
}

/** proc_dointvec: any int. */
export function intConv(v: ProcLong): number {
  return intOrNull(v) ?? procInval();
}

/** proc_dointvec_minmax: an int in min..max. */
export function intMinmaxConv(v: ProcLong, min: number, max: number): number {
  const x = intConv(v);
  if (x < min || x > max) procInval();
  return x;
}

/**
 * proc_douintvec_minmax (and proc_dou8vec_minmax): no sign at all — even "-0" is refused —
 * and an unsigned int in min..max.
 */
export function uintConv(v: ProcLong, min = 0, max = UINT_MAX): number {
  if (v.neg || v.lval > BigInt(UINT_MAX)) procInval();
  const x = Number(v.lval);
  if (x < min || x > max) procInval();
  return x;
}

/** The low 32 bits of an unsigned long as the kernel's int keeps them. */
const toInt = (x: bigint): number => Number(BigInt.asIntN(32, x));

/** -lval as an unsigned long. */
const negU64 = (lval: bigint): bigint => (U64 - lval) % U64;

/** An int printed the kernel's way: the sign, then the converted magnitude ("-0" included). */
function signed(val: number, conv: (mag: number) => number): string {
  return val < 0 ? `-${conv(-val)}` : String(conv(val));
}

/** do_proc_dointvec_jiffies_conv(): seconds, |v| ≤ INT_MAX / HZ, either sign; returns seconds. */
export function secondsConv(v: ProcLong): number {
  if (v.lval > BigInt(Math.floor(INT_MAX / HZ))) procInval();
  const s = Number(v.lval);
  return v.neg ? -s || 0 : s;
}

/** do_proc_dointvec_jiffies_conv() into jiffies (ms): seconds · HZ. */
export function jiffiesConv(v: ProcLong): number {
  return secondsConv(v) * HZ || 0;
}

/**
 * do_proc_dointvec_userhz_jiffies_conv(): USER_HZ ticks through clock_t_to_jiffies() on the
 * unsigned long (a negative value is huge and saturates to ~0UL, which the int keeps as -1) and
 * into the int without a range check (larger values wrap, as on Linux).
 */
export function userhzConv(v: ProcLong): number {
  const LONG_MAX = (1n << 63n) - 1n;
  if (v.lval > (LONG_MAX / BigInt(HZ)) * BigInt(USER_HZ)) procInval();
  const x = v.neg ? negU64(v.lval) : v.lval;
  const factor = BigInt(MS_PER_USER_HZ);
  const j = x >= (U64 - 1n) / factor ? U64 - 1n : x * factor;
  return toInt(j);
}

/**
 * do_proc_dointvec_ms_jiffies_conv(): msecs_to_jiffies() takes an unsigned int (so the value is
 * cut to 32 bits first) and answers MAX_JIFFY_OFFSET for one that is negative as an int, which
 * is over INT_MAX and refused; what is left are the milliseconds (HZ=1000).
 */
export function msConv(v: ProcLong): number {
  const m = (v.neg ? negU64(v.lval) : v.lval) % U32;
  if (m > BIG_INT_MAX) procInval();
  return Number(m);
}

/** jiffies (ms) / HZ with the sign printed apart (do_proc_dointvec_jiffies_conv's read side). */
export const readJiffies = (val: number): string => signed(val, (m) => Math.floor(m / HZ));

/** jiffies_to_clock_t with the sign printed apart (the userhz read side). */
export const readUserhz = (val: number): string => signed(val, (m) => Math.floor(m / MS_PER_USER_HZ));

/** jiffies_to_msecs with the sign printed apart (the ms_jiffies read side). */
export const readMs = (val: number): string => signed(val, (m) => m);
