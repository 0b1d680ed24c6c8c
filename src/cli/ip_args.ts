// Argument parsing for `tapstack ip`, as iproute2 6.1 does it (lib/utils.c: matches, get_u32,
// get_u64, get_unsigned, get_integer, get_addr_1, get_addr, get_prefix, get_netmask, invarg,
// duparg, duparg2, missarg, incomplete_command, nodev; lib/ll_addr.c: ll_addr_a2n; lib/rt_names.c:
// rtnl_rtprot_a2n; lib/json_writer.c for `-j -p`). The C functions print and exit(); here they
// throw IpExit carrying the text and the exit status the `ip` process would end with.
import { isIPv6 } from 'node:net';
import { rtprotName } from './fmt_neigh.js';

/**
 * A command's end: what it writes to stderr (and stdout) and its exit status. iproute2's exit(-1)
 * is status 255, and a subcommand's `return -N` becomes status N (do_cmd returns -func()).
 */
export class IpExit extends Error {
  constructor(
    readonly status: number,
    readonly stderr = '',
    readonly stdout = '',
  ) {
    super(stderr.trimEnd() || `exit ${status}`);
    this.name = 'IpExit';
  }
}

/** exit(-1) */
export const EXIT_USAGE = 255;

/** matches(arg, word) == 0 in iproute2: `arg` is a non-empty prefix of `word`. */
export function matches(arg: string, word: string): boolean {
  return arg.length > 0 && arg.length <= word.length && word.startsWith(arg);
}

/** invarg(): `Error: argument "ARG" is wrong: MSG` (MSG keeps any "\n" of its own), exit(-1). */
export function invarg(msg: string, arg: string): never {
  throw new IpExit(EXIT_USAGE, `Error: argument "${arg}" is wrong: ${msg}\n`);
}

/** duparg(): exit(-1). */
export function duparg(key: string, arg: string): never {
  throw new IpExit(EXIT_USAGE, `Error: duplicate "${key}": "${arg}" is the second value.\n`);
}

/** duparg2(): exit(-1). */
export function duparg2(key: string, arg: string): never {
  throw new IpExit(EXIT_USAGE, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`);
}

/** missarg(): exit(-1). */
export function missarg(key: string): never {
  throw new IpExit(EXIT_USAGE, `Error: argument "${key}" is required\n`);
}

/** nodev(): returns -1, so the command exits with status 1. */
export function nodev(dev: string): never {
  throw new IpExit(1, `Cannot find device "${dev}"\n`);
}

/** The argv cursor of iproute2's `while (argc > 0) { ...; argc--; argv++; }` loops. */
export class Argv {
  private i = 0;
  constructor(private readonly a: readonly string[]) {}

  get more(): boolean {
    return this.i < this.a.length;
  }

  /** *argv */
  get cur(): string {
    return this.a[this.i]!;
  }

  get rest(): string[] {
    return this.a.slice(this.i);
  }

  /** argc--; argv++ */
  shift(): void {
    this.i++;
  }

  /** NEXT_ARG(): the following word, or "Command line is not complete" (exit -1). */
  next(): string {
    this.i++;
    if (this.i >= this.a.length) throw new IpExit(EXIT_USAGE, 'Command line is not complete. Try option "help"\n');
    return this.a[this.i]!;
  }
}

// ---- C number parsing ----------------------------------------------------------------------------

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

function digitValue(c: string): number {
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 122) return x - 87;
  if (x >= 65 && x <= 90) return x - 55;
  return 99;
}

interface CParse {
  /** The magnitude read (before the sign is applied). */
  magnitude: bigint;
  negative: boolean;
  /** Index just past the number; 0 when nothing was converted (endptr == nptr). */
  end: number;
}

/** The scanning part of strtoul/strtol/strtoull: whitespace, sign, base prefix, digits. */
function cScan(s: string, base: number): CParse {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  if ((base === 0 || base === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && i + 2 < s.length && digitValue(s[i + 2]!) < 16) {
    i += 2;
    base = 16;
  } else if (base === 0) {
    base = s[i] === '0' ? 8 : 10;
  }
  const start = i;
  let v = 0n;
  while (i < s.length && digitValue(s[i]!) < base) {
    v = v * BigInt(base) + BigInt(digitValue(s[i]!));
    i++;
  }
  if (i === start) return { magnitude: 0n, negative: false, end: 0 };
  return { magnitude: v, negative, end: i };
}

const U64_MAX = (1n << 64n) - 1n;

/** strtoul/strtoull on an LP64 host: the value (wrapped for a '-' sign), ERANGE, end. */
export function cStrtoul(s: string, base = 0): { value: bigint; erange: boolean; end: number } {
  const p = cScan(s, base);
  if (p.magnitude > U64_MAX) return { value: U64_MAX, erange: true, end: p.end };
  const value = p.negative && p.magnitude !== 0n ? (1n << 64n) - p.magnitude : p.magnitude;
  return { value, erange: false, end: p.end };
}

/** get_unsigned() / get_u32(): a whole-string unsigned number of at most 32 bits, else null. */
export function getU32(arg: string, base = 0): number | null {
  if (arg.length === 0) return null;
  const r = cStrtoul(arg, base);
  if (r.end === 0 || r.end !== arg.length) return null;
  if (r.erange || r.value > 0xffffffffn) return null;
  return Number(r.value);
}

/** get_u64(): whole-string, and never ULLONG_MAX. */
export function getU64(arg: string, base = 0): bigint | null {
  if (arg.length === 0) return null;
  const r = cStrtoul(arg, base);
  if (r.end === 0 || r.end !== arg.length) return null;
  if (r.erange || r.value === U64_MAX) return null;
  return r.value;
}

/** get_integer(): strtol, whole string, within int. */
export function getInteger(arg: string, base = 0): number | null {
  if (arg.length === 0) return null;
  const p = cScan(arg, base);
  if (p.end === 0 || p.end !== arg.length) return null;
  const v = p.negative ? -p.magnitude : p.magnitude;
  if (v > 2147483647n || v < -2147483648n) return null;
  return Number(v);
}

// ---- addresses -------------------------------------------------------------------------------------

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const AF_MPLS = 28;

/** family_name_verbose(). */
export function familyNameVerbose(family: number): string {
  switch (family) {
    case AF_UNSPEC: return 'any valid';
    case AF_INET: return 'inet';
    case AF_INET6: return 'inet6';
    case AF_PACKET: return 'link';
    case AF_MPLS: return 'mpls';
    case AF_BRIDGE: return 'bridge';
    default: return '???';
  }
}

/** read_family() of `-f FAMILY`; AF_UNSPEC when unknown. */
export function readFamily(name: string): number {
  switch (name) {
    case 'inet': return AF_INET;
    case 'inet6': return AF_INET6;
    case 'link': return AF_PACKET;
    case 'mpls': return AF_MPLS;
    case 'bridge': return AF_BRIDGE;
    default: return AF_UNSPEC;
  }
}

/** inet_prefix: an address (bitlen -1), a prefix, or "default"/"all"/"any" (bitlen -2). */
export interface InetPrefix {
  family: number;
  /** The address bytes (4 for inet, 16 for inet6, the link-layer bytes for AF_PACKET). */
  bytes: number[];
  bitlen: number;
}

/** get_addr_ipv4(): 1–4 dot-separated strtoul parts, each ≤ 255 (missing parts are 0). */
function getAddrIpv4(name: string): number[] | null {
  const out = [0, 0, 0, 0];
  let cp = name;
  for (let i = 0; i < 4; i++) {
    const r = cStrtoul(cp, 0);
    if (r.erange || r.value > 255n) return null;
    if (r.end === 0) return null;
    out[i] = Number(r.value);
    if (r.end === cp.length) break;
    if (i === 3 || cp[r.end] !== '.') return null;
    cp = cp.slice(r.end + 1);
  }
  return out;
}

function ipv6Bytes(s: string): number[] | null {
  if (!isIPv6(s) || s.includes('%')) return null;
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const words = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = getAddrIpv4(g) ?? [0, 0, 0, 0];
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = words(head);
  const t = words(tail);
  const all = dbl >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** get_addr_1(); null on failure. */
export function getAddr1(name: string, family: number): InetPrefix | null {
  if (name === 'default') {
    if (family === AF_MPLS) return null;
    return { family, bytes: family === AF_INET ? [0, 0, 0, 0] : family === AF_INET6 ? new Array<number>(16).fill(0) : [], bitlen: -2 };
  }
  if (name === 'all' || name === 'any') {
    if (family === AF_MPLS) return null;
    return { family, bytes: [], bitlen: -2 };
  }
  if (family === AF_PACKET) {
    const ll = llAddrA2n(name, 32);
    if (typeof ll === 'string') return null;
    return { family: AF_PACKET, bytes: ll, bitlen: ll.length * 8 };
  }
  if (name.includes(':')) {
    if (family !== AF_UNSPEC && family !== AF_INET6) return null;
    const b = ipv6Bytes(name);
    return b ? { family: AF_INET6, bytes: b, bitlen: -1 } : null;
  }
  if (family === AF_MPLS) return null;
  if (family !== AF_UNSPEC && family !== AF_INET) return null;
  const b = getAddrIpv4(name);
  return b ? { family: AF_INET, bytes: b, bitlen: -1 } : null;
}

/** get_addr(): the address or `Error: FAMILY address is expected rather than "ARG".`, exit(1). */
export function getAddr(arg: string, family: number): InetPrefix {
  const a = getAddr1(arg, family);
  if (!a) throw new IpExit(1, `Error: ${familyNameVerbose(family)} address is expected rather than "${arg}".\n`);
  return a;
}

function afBitLen(family: number): number {
  switch (family) {
    case AF_INET: return 32;
    case AF_INET6: return 128;
    case AF_PACKET: return 0;
    default: return 0;
  }
}

/** mask2bits(): a contiguous netmask's length, else -1. */
function mask2bits(b: number[]): number {
  const m = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const inv = ~m >>> 0;
  if ((inv & (inv + 1)) !== 0) return -1;
  let n = 0;
  for (let x = m; x & 0x80000000; x = (x << 1) >>> 0) n++;
  return n;
}

/** get_netmask(): a number, or a dotted-quad mask. */
function getNetmask(arg: string): number | null {
  const v = getU32(arg, 0);
  if (v !== null) return v;
  const a = getAddr1(arg, AF_INET);
  if (a && a.family === AF_INET) {
    const b = mask2bits(a.bytes);
    if (b >= 0) return b;
  }
  return null;
}

/** get_prefix_1(); null on failure. */
export function getPrefix1(arg: string, family: number): InetPrefix | null {
  const slash = arg.indexOf('/');
  const a = getAddr1(slash >= 0 ? arg.slice(0, slash) : arg, family);
  if (!a) return null;
  let bitlen = afBitLen(a.family);
  if (slash >= 0) {
    if (a.bitlen === -2) return null;
    const plen = getNetmask(arg.slice(slash + 1));
    if (plen === null || plen > bitlen) return null;
    bitlen = plen;
  } else if (a.bitlen === -2) {
    bitlen = 0;
  }
  return { ...a, bitlen };
}

/** get_prefix(): the prefix or `Error: FAMILY prefix is expected rather than "ARG".`, exit(1). */
export function getPrefix(arg: string, family: number): InetPrefix {
  const p = getPrefix1(arg, family);
  if (!p) throw new IpExit(1, `Error: ${familyNameVerbose(family)} prefix is expected rather than "${arg}".\n`);
  return p;
}

/** inet_addr_match(): the first `bits` bits of a and b agree. */
export function inetAddrMatch(a: readonly number[], b: readonly number[], bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false;
  if (bits > 0) {
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The dotted quad of four bytes. */
export const dottedQuad = (b: readonly number[]): string => b.slice(0, 4).join('.');

/** Parses a dotted quad the stack reported (always canonical). */
export function quadBytes(s: string): number[] {
  return s.split('.').map((x) => Number(x));
}

/**
 * sscanf("%x") into an int: whitespace, sign, optional 0x, hex digits; the unsigned long result
 * truncated to 32 bits (so "020000000013" reads as 0x13, as glibc does). null if no digits.
 */
function scanHexInt(s: string): number | null {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && i + 2 < s.length && digitValue(s[i + 2]!) < 16) i += 2;
  const start = i;
  let v = 0n;
  while (i < s.length && digitValue(s[i]!) < 16) {
    v = v * 16n + BigInt(digitValue(s[i]!));
    i++;
  }
  if (i === start) return null;
  if (v > U64_MAX) v = U64_MAX;
  if (neg) v = ((1n << 64n) - v) & U64_MAX;
  return Number(BigInt.asIntN(32, v));
}

/**
 * ll_addr_a2n(): "aa:bb:..." (each part %x, 0–255) or a dotted quad (4 bytes). Returns the bytes,
 * or the error line iproute2 prints (`"PART" is invalid lladdr.`; it names the failing part).
 */
export function llAddrA2n(arg: string, maxLen: number): number[] | string {
  if (arg.includes('.')) {
    const a = getAddr1(arg, AF_INET);
    if (!a) return `"${arg}" is invalid lladdr.\n`;
    return a.bytes.slice(0, 4);
  }
  const out: number[] = [];
  let rest: string | null = arg;
  for (let i = 0; i < maxLen && rest !== null; i++) {
    const colon = rest.indexOf(':');
    const part = colon >= 0 ? rest.slice(0, colon) : rest;
    rest = colon >= 0 ? rest.slice(colon + 1) : null;
    const v = scanHexInt(part);
    if (v === null || v < 0 || v > 255) return `"${part}" is invalid lladdr.\n`;
    out.push(v);
  }
  return out;
}

/** Lower-case colon hex, as the stack takes and prints MACs. */
export const macString = (b: readonly number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join(':');

// ---- names -----------------------------------------------------------------------------------------

let rtprotByName: Map<string, number> | null = null;

/** rtnl_rtprot_a2n(): a name from rt_protos, or a number 0–255; null when invalid. */
export function rtprotFromArg(arg: string): number | null {
  if (!rtprotByName) {
    rtprotByName = new Map();
    for (let i = 0; i < 256; i++) {
      const n = rtprotName(i);
      if (n !== String(i)) rtprotByName.set(n, i);
    }
  }
  const byName = rtprotByName.get(arg);
  if (byName !== undefined) return byName;
  const r = cStrtoul(arg, 0);
  if (r.end === 0 || r.end !== arg.length || r.value > 255n) return null;
  return Number(r.value);
}

/** check_ifname()/check_altifname(): non-empty, no '/' or whitespace, shorter than `size`. */
export function validIfname(name: string, size = 128): boolean {
  if (name.length === 0 || name.length >= size) return false;
  for (const c of name) if (c === '/' || isSpace(c)) return false;
  return true;
}

// ---- JSON --------------------------------------------------------------------------------------------

/**
 * iproute2's json_writer in pretty mode (`-j -p`): four-space indents, `[ {` ... `} ]`, `},{`
 * between objects, arrays of scalars on one line as `[ "A","B" ]`. No trailing newline.
 */
export function jsonPretty(v: unknown): string {
  let out = '';
  let depth = 0;
  let sep = '';
  const eor = (): void => {
    if (sep) out += sep;
    sep = ',';
  };
  const eol = (): void => {
    out += `\n${'    '.repeat(depth)}`;
  };
  const value = (x: unknown): void => {
    if (Array.isArray(x)) {
      eor();
      out += '[';
      depth++;
      sep = '';
      out += ' ';
      for (const el of x) value(el);
      if (sep) out += ' ';
      sep = '';
      depth--;
      out += ']';
      sep = ',';
    } else if (x !== null && typeof x === 'object') {
      eor();
      out += '{';
      depth++;
      sep = '';
      for (const [k, val] of Object.entries(x as Record<string, unknown>)) {
        eor();
        eol();
        sep = '';
        out += `${JSON.stringify(k)}: `;
        value(val);
      }
      depth--;
      if (sep) eol();
      out += '}';
      sep = ',';
    } else {
      eor();
      out += JSON.stringify(x) ?? 'null';
    }
  };
  value(v);
  return out;
}
