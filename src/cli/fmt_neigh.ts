// `ip neigh show`, `ip -s neigh`, `ip -j neigh` and `ip monitor neigh` lines, as iproute2 6.1
// prints them (ip/ipneigh.c print_neigh, print_cacheinfo, print_neigh_state; lib/rt_names.c
// rtnl_rtprot_n2a; the show filter of do_show_or_flush). Pure functions: the caller supplies the
// snapshots in table (hash) order, and ages in milliseconds as the snapshots carry them.
//
// Text layout (iproute2 6.1): every token is followed by one space, except the cache info, which
// iproute2 6.1 prints with a leading space and no trailing one — hence its "lladdr X  used
// 0/60/0probes 0 STALE " (two spaces before "used"/"ref", none before "probes"). Kept on purpose.
import type { NeighSnapshot, PneighSnapshot } from '../neighbour/table.js';
import {
  NTF_EXT_LEARNED,
  NTF_EXT_MANAGED,
  NTF_OFFLOADED,
  NTF_PROXY,
  NTF_ROUTER,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_FILTER_FLUSH_DEFAULT,
  NUD_FILTER_NONE,
  NUD_NONE,
  nudFilterMatches,
  nudStateNames,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
} from '../neighbour/nud.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

/** iproute2 family_name(). */
export function familyName(family: number): string {
  switch (family) {
    case AF_INET: return 'inet';
    case AF_INET6: return 'inet6';
    case 12: return 'dnet';
    case 17: return 'link';
    case 4: return 'ipx';
    case 28: return 'mpls';
    case 7: return 'bridge';
    default: return '???';
  }
}

/** The state names iproute2 prints, in its order; empty for NUD_NONE (nothing is printed). */
export function nudStateList(state: number): string[] {
  return state === NUD_NONE ? [] : nudStateNames(state);
}

/** The state as one word group ("REACHABLE", "STALE PERMANENT"); "" for NUD_NONE. */
export function nudStateName(state: number): string {
  return nudStateList(state).join(' ');
}

/**
 * The flag words of print_neigh, in its order: router, proxy, managed (NDA_FLAGS_EXT),
 * extern_learn, offload. `extFlags` are the NDA_FLAGS_EXT bits (NTF_EXT_MANAGED).
 */
export function neighFlagWords(flags: number, extFlags = 0): string[] {
  const out: string[] = [];
  if (flags & NTF_ROUTER) out.push('router');
  if (flags & NTF_PROXY) out.push('proxy');
  if (extFlags & NTF_EXT_MANAGED) out.push('managed');
  if (flags & NTF_EXT_LEARNED) out.push('extern_learn');
  if (flags & NTF_OFFLOADED) out.push('offload');
  return out;
}

/** /etc/iproute2/rt_protos as shipped with iproute2 6.1. */
const RTPROT_NAMES: Readonly<Record<number, string>> = {
  0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 8: 'gated', 9: 'ra', 10: 'mrt',
  11: 'zebra', 12: 'bird', 13: 'dnrouted', 14: 'xorp', 15: 'ntk', 16: 'dhcp', 18: 'keepalived',
  42: 'babel', 99: 'openr', 186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp',
};

/** rtnl_rtprot_n2a(): a known name, else the number. */
export function rtprotName(protocol: number): string {
  return RTPROT_NAMES[protocol] ?? String(protocol);
}

/** Cache-info ages as iproute2 shows them: clock_t (USER_HZ 100) divided by hz, i.e. whole seconds. */
export function ageSeconds(ms: number): number {
  return ms > 0 ? Math.floor(ms / 1000) : 0;
}

/** How {@link formatNeighLine} and {@link formatNeighEvent} print an entry. */
export interface NeighShowOptions {
  /** `-s`: ref/used/confirmed/updated and probes. */
  stats?: boolean;
  /** `show dev DEV` was given: iproute2 then leaves out "dev NAME". */
  hideDev?: boolean;
}

/** What a line stands for: a dump/new-neighbour message, a deletion, or an app-probe request. */
export type NeighLineKind = 'new' | 'deleted' | 'miss';

/** The fields of one RTM_*NEIGH message that print_neigh reads; built from either snapshot. */
interface NeighMsg {
  dst: string;
  /** Device name, or null for a proxy entry valid on every device (ndm_ifindex 0). */
  dev: string | null;
  lladdr: string | null;
  state: number;
  flags: number;
  extFlags: number;
  protocol: number;
  /** NDA_CACHEINFO and NDA_PROBES: present for neighbours, absent for proxy entries. */
  cache: { refcnt: number; used: number; confirmed: number; updated: number; probes: number } | null;
}

function isPneigh(e: NeighSnapshot | PneighSnapshot): e is PneighSnapshot {
  return !('state' in e);
}

function toMsg(e: NeighSnapshot | PneighSnapshot): NeighMsg {
  if (isPneigh(e)) {
    // pneigh_fill_info(): state NONE, flags | NTF_PROXY, no lladdr, cache info or probes.
    return {
      dst: e.dst, dev: e.ifindex ? e.dev : null, lladdr: null, state: NUD_NONE,
      flags: e.flags | NTF_PROXY, extFlags: 0, protocol: e.protocol, cache: null,
    };
  }
  return {
    dst: e.dst,
    dev: e.ifindex ? e.dev : null,
    lladdr: e.lladdr,
    state: e.state,
    flags: e.flags,
    extFlags: e.extFlags,
    protocol: e.protocol,
    cache: {
      refcnt: e.refcnt,
      used: ageSeconds(e.usedMs),
      confirmed: ageSeconds(e.confirmedMs),
      updated: ageSeconds(e.updatedMs),
      probes: e.probes,
    },
  };
}

/** One line of `ip neigh show` / `ip monitor neigh`, newline included. */
export function formatNeighLine(
  e: NeighSnapshot | PneighSnapshot,
  opts: NeighShowOptions = {},
  kind: NeighLineKind = 'new',
): string {
  const m = toMsg(e);
  let s = kind === 'deleted' ? 'Deleted ' : kind === 'miss' ? 'miss ' : '';
  s += `${m.dst} `;
  if (m.dev !== null && !opts.hideDev) s += `dev ${m.dev} `;
  if (m.lladdr !== null) s += `lladdr ${m.lladdr} `;
  for (const w of neighFlagWords(m.flags, m.extFlags)) s += `${w} `;
  if (opts.stats && m.cache) {
    const c = m.cache;
    if (c.refcnt) s += ` ref ${c.refcnt}`;
    s += ` used ${c.used}/${c.confirmed}/${c.updated}`;
    s += `probes ${c.probes} `;
  }
  for (const n of nudStateList(m.state)) s += `${n} `;
  if (m.protocol) s += `proto ${rtprotName(m.protocol)} `;
  return `${s}\n`;
}

/** One `ip -j neigh` object, keys in print_neigh's order (JSON.stringify keeps insertion order). */
export function neighJsonObject(
  e: NeighSnapshot | PneighSnapshot,
  opts: NeighShowOptions = {},
  kind: NeighLineKind = 'new',
): Record<string, unknown> {
  const m = toMsg(e);
  const o: Record<string, unknown> = {};
  if (kind === 'deleted') o.deleted = true;
  else if (kind === 'miss') o.miss = null;
  o.dst = m.dst;
  if (m.dev !== null && !opts.hideDev) o.dev = m.dev;
  if (m.lladdr !== null) o.lladdr = m.lladdr;
  for (const w of neighFlagWords(m.flags, m.extFlags)) o[w] = null;
  if (opts.stats && m.cache) {
    const c = m.cache;
    if (c.refcnt) o.refcnt = c.refcnt;
    o.used = c.used;
    o.confirmed = c.confirmed;
    o.updated = c.updated;
    o.probes = c.probes;
  }
  if (m.state) o.state = nudStateList(m.state);
  if (m.protocol) o.protocol = rtprotName(m.protocol);
  return o;
}

/** `ip neigh show` text for entries already filtered and in dump order. */
export function formatNeighShow(
  entries: ReadonlyArray<NeighSnapshot | PneighSnapshot>,
  opts: NeighShowOptions = {},
): string {
  let s = '';
  for (const e of entries) s += formatNeighLine(e, opts);
  return s;
}

/** `ip -j neigh show`: one JSON array on one line. */
export function formatNeighShowJson(
  entries: ReadonlyArray<NeighSnapshot | PneighSnapshot>,
  opts: NeighShowOptions = {},
): string {
  return `${JSON.stringify(entries.map((e) => neighJsonObject(e, opts)))}\n`;
}

/** A table notification as `ip monitor neigh` prints it (the monitor shows every state). */
export function formatNeighEvent(
  ev: { type: 'newneigh' | 'delneigh' | 'miss'; neigh: NeighSnapshot },
  opts: NeighShowOptions = {},
): string {
  const kind: NeighLineKind = ev.type === 'delneigh' ? 'deleted' : ev.type === 'miss' ? 'miss' : 'new';
  return formatNeighLine(ev.neigh, opts, kind);
}

// ---- the show filter -----------------------------------------------------------------------------

export { NUD_FILTER_NONE, NUD_FILTER_FLUSH_DEFAULT };
/** `ip neigh show` without `nud`: everything but NOARP (NONE is not shown either). */
export const NUD_FILTER_DEFAULT = 0xff & ~NUD_NOARP;

function isPrefixOf(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/**
 * nud_state_a2n(): permanent/reachable/failed may be abbreviated; the others are exact; a number
 * (decimal, 0x hex or 0 octal) must be 0 or one bit below 0x100. Returns null when invalid.
 */
export function nudStateFromArg(arg: string): number | null {
  if (isPrefixOf(arg, 'permanent')) return NUD_PERMANENT;
  if (isPrefixOf(arg, 'reachable')) return NUD_REACHABLE;
  const exact: Record<string, number> = {
    noarp: NUD_NOARP, none: NUD_NONE, stale: NUD_STALE, incomplete: NUD_INCOMPLETE,
    delay: NUD_DELAY, probe: NUD_PROBE,
  };
  if (Object.prototype.hasOwnProperty.call(exact, arg)) return exact[arg]!;
  if (isPrefixOf(arg, 'failed')) return NUD_FAILED;
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(arg)) v = parseInt(arg.slice(2), 16);
  else if (/^0[0-7]*$/.test(arg)) v = parseInt(arg, 8);
  else if (/^[1-9][0-9]*$/.test(arg)) v = parseInt(arg, 10);
  else return null;
  if (v >= 0x100 || (v & (v - 1)) !== 0) return null;
  return v;
}

/**
 * The state mask of `ip neigh show|flush [nud STATE]...`: the default without `nud`; otherwise the
 * union of the states given ("all" = every state, minus NOARP for flush; "none" = NUD_FILTER_NONE).
 * Throws on an unknown state, as iproute2 does ("nud state is bad").
 */
export function neighStateFilter(nudArgs: readonly string[], flush = false): number {
  if (nudArgs.length === 0) return flush ? NUD_FILTER_FLUSH_DEFAULT : NUD_FILTER_DEFAULT;
  let mask = 0;
  for (const a of nudArgs) {
    let st = nudStateFromArg(a);
    if (st === null) {
      if (a !== 'all') throw new Error(`nud state is bad: "${a}"`);
      st = flush ? ~NUD_NOARP : ~0;
    }
    mask |= st === 0 ? NUD_FILTER_NONE : st;
  }
  return mask;
}

/** print_neigh's state test: proxy and externally learned entries always pass. */
export function neighPassesStateFilter(e: NeighSnapshot | PneighSnapshot, mask: number): boolean {
  return isPneigh(e) || nudFilterMatches(e.state, e.flags, mask);
}
