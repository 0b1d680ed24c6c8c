// procps-facing view of a Stack's sysctl tree (net.ipv4.*, net.ipv6.* and whatever else the families
// registered in stack.net.sysctl): procps-ng sysctl's key syntax, listing order, hidden deprecated
// entries and error texts (ReadSetting, WriteSetting, DisplayAll, slashdot and its DEPRECATED
// list). The leaves, their units and their propagation rules belong to the families
// (src/ipv4/sysctl.ts, src/ipv6/sysctl.ts, src/neighbour/sysctl.ts); the conversions live in
// src/core/sysctl_tree.ts.
import { EINVAL, ENOENT, StackError, strerror } from '../core/errno.js';
import {
  type SysctlLeaf,
  type SysctlTree,
  parseSysctlKey,
  sysctlKeyOf,
} from '../core/sysctl_tree.js';
import type { Stack } from '../stack.js';

export { type ProcLong, parseProcInt, parseProcLong } from '../core/sysctl_tree.js';

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

/** EISDIR (not in core/errno's table). */
const EISDIR = 21;

/** `sysctl` prints `key = value`. */
export function formatSysctlLine(key: string, value: string): string {
  return `${key} = ${value}`;
}

/**
 * sysctl for one Stack: every key its families registered (`net.ipv4.conf.*`, `net.ipv4.ip_forward`,
 * `net.ipv4.neigh.*`, and `net.ipv6.*` once IPv6 is there) with the kernel's names, units, scopes
 * and propagation rules, and procps `sysctl`'s key syntax and errors.
 */
export class Sysctl {
  /** The settings of `stack`; reads and writes act on it at once. */
  constructor(
    /** The stack whose settings this reads and writes. */
    readonly stack: Stack,
  ) {}

  /**
   * Every key in the order `sysctl -a` prints them (deprecated ones only on request), including
   * those that cannot be read at the moment (an unset stable_secret), as `sysctl -a -N` lists them.
   */
  keys(opts: SysctlListOptions = {}): string[] {
    return this.shown(this.tree.leaves(), opts.deprecated === true).map((l) => sysctlKeyOf(l.path));
  }

  /**
   * `sysctl -a [--deprecated] [--pattern REGEX]`: every entry in listing order, optionally only the
   * keys a regular expression matches (a string is compiled as one, as procps does). An entry
   * whose read fails (an unset stable_secret: EIO) is left out, as procps leaves it out silently.
   */
  list(pattern?: string | RegExp, opts: SysctlListOptions = {}): SysctlEntry[] {
    const re = pattern === undefined ? null : typeof pattern === 'string' ? new RegExp(pattern) : pattern;
    const out: SysctlEntry[] = [];
    for (const l of this.shown(this.tree.leaves(), opts.deprecated === true)) {
      const key = sysctlKeyOf(l.path);
      if (re) {
        re.lastIndex = 0;
        if (!re.test(key)) continue;
      }
      const e = readable(l);
      if (e) out.push(e);
    }
    return out;
  }

  /**
   * `sysctl KEY`: one entry for a setting, or every entry below a directory
   * (`net.ipv4.neigh.eth0`), deprecated and unreadable ones left out as procps does.
   */
  show(key: string): SysctlEntry[] {
    const { outname, components } = parseSysctlKey(key);
    const leaf = this.tree.find(components);
    if (leaf) return [{ key: sysctlKeyOf(leaf.path), value: readLeaf(leaf, outname) }];
    const below = this.tree.below(components);
    if (below === null) throw notFound(outname);
    const out: SysctlEntry[] = [];
    for (const l of this.shown(below, false)) {
      const e = readable(l);
      if (e) out.push(e);
    }
    return out;
  }

  /** `sysctl -n KEY`: the value as the kernel prints it. */
  get(key: string): string {
    const { outname, components } = parseSysctlKey(key);
    const leaf = this.tree.find(components);
    if (leaf) return readLeaf(leaf, outname);
    if (this.tree.below(components) !== null) {
      throw new StackError(EISDIR, `sysctl: reading key "${outname}": Is a directory`);
    }
    throw notFound(outname);
  }

  /**
   * `sysctl -w KEY=VALUE`. Returns what `sysctl -w` prints after the `=`: the value as given, with
   * surrounding white space removed (so `0x10` stays `0x10`; {@link Sysctl.get} reads back `16`).
   */
  set(key: string, value: string): string {
    const { outname, components } = parseSysctlKey(key);
    const leaf = this.tree.find(components);
    const shown = value.trim();
    if (!leaf) {
      if (this.tree.below(components) !== null) throw settingFailed(outname, EINVAL);
      throw notFound(outname);
    }
    try {
      leaf.write(shown);
    } catch (e) {
      leaf.touch?.();
      if (e instanceof StackError) throw settingFailed(outname, e.errno);
      throw e;
    }
    return shown;
  }

  private get tree(): SysctlTree {
    return this.stack.net.sysctl;
  }

  /** procps DisplayAll: deprecated entries only with --deprecated. */
  private shown(leaves: SysctlLeaf[], deprecated: boolean): SysctlLeaf[] {
    return deprecated ? leaves : leaves.filter((l) => l.deprecated !== true);
  }
}

/** The entry, or null when the read fails (procps ReadSetting says nothing for EIO). */
function readable(l: SysctlLeaf): SysctlEntry | null {
  try {
    return { key: sysctlKeyOf(l.path), value: l.read() };
  } catch (e) {
    if (e instanceof StackError) return null;
    throw e;
  }
}

/** One read by name; a refused read in procps's "reading key" words. */
function readLeaf(l: SysctlLeaf, outname: string): string {
  try {
    return l.read();
  } catch (e) {
    if (e instanceof StackError) {
      throw new StackError(e.errno, `sysctl: reading key "${outname}": ${strerror(e.errno)}`);
    }
    throw e;
  }
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
