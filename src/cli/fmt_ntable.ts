// `ip ntable show` and `ip -s ntable show` (text and -j), as iproute2 6.1 prints them
// (ip/ipntable.c print_ntable, print_ndtconfig, print_ndtparams, print_ndtstats,
// ntable_strtime_delta), from the data the kernel's neightbl_dump_info / neightbl_fill_info /
// neightbl_fill_parms put in RTM_NEWNEIGHTBL messages.
//
// NtableView is plain data (JSON-safe) so a control channel can ship it; ntableView() builds it
// from a NeighTable. One view yields one message for the table (thresholds, config, stats and the
// default parms) and one per device parms — the kernel's dump order.
import type { NtableConfigView, NtableParmsView, NtableStatsView, NtableView } from '../neighbour/tbl_info.js';
import { familyName } from './fmt_neigh.js';

// ---- formatting -----------------------------------------------------------------------------------

export interface NtableShowOptions {
  /** `-s`: the config block and the statistics of the table message. */
  stats?: boolean;
  /** `name NAME`. */
  name?: string;
  /** `dev DEV` (only that device's parms message) or `dev none` (only the table message). */
  dev?: string;
  /** Wall clock (ms since the epoch) for last_flush/last_rand; needed with `stats`. */
  nowEpochMs?: number;
  /** Print the dates at this fixed UTC offset instead of the process's local time zone. */
  tzOffsetMinutes?: number;
  /** Also print "mcast_reprobes N" (newer iproute2); iproute2 6.1 does not. */
  mcastReprobes?: boolean;
}

/** One RTM_NEWNEIGHTBL message: the table one (with `table`) or a device parms one. */
interface NtableMsg {
  family: number;
  name: string;
  table: NtableView | null;
  parms: NtableParmsView;
}

function messages(views: readonly NtableView[], opts: NtableShowOptions): NtableMsg[] {
  const out: NtableMsg[] = [];
  for (const v of views) {
    if (opts.name !== undefined && opts.name !== v.name) continue;
    v.parms.forEach((p, i) => {
      if (opts.dev !== undefined) {
        if (opts.dev === 'none' ? p.ifindex !== 0 : p.dev !== opts.dev) return;
      }
      out.push({ family: v.family, name: v.name, table: i === 0 ? v : null, parms: p });
    });
  }
  return out;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** ntable_strtime_delta(): "%Y-%m-%d %T" of (now in whole seconds − msec/1000), in local time. */
export function ntableStrtimeDelta(agoMs: number, nowEpochMs: number, tzOffsetMinutes?: number): string {
  const t = Math.floor(nowEpochMs / 1000) - Math.floor((agoMs >>> 0) / 1000);
  if (tzOffsetMinutes === undefined) {
    const d = new Date(t * 1000);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
      `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }
  const d = new Date((t + tzOffsetMinutes * 60) * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** The key/value pairs of a message in print order, each tagged with its text line. */
type Field = readonly [line: number, key: string, text: string, json: unknown];

function parmsFields(p: NtableParmsView, opts: NtableShowOptions): Field[] {
  const f: Field[] = [
    [10, 'refcnt', `refcnt ${p.refcnt} `, p.refcnt],
    [10, 'reachable', `reachable ${p.reachableTime} `, p.reachableTime],
    [10, 'base_reachable', `base_reachable ${p.baseReachableTime} `, p.baseReachableTime],
    [10, 'retrans', `retrans ${p.retransTime} `, p.retransTime],
    [11, 'gc_stale', `gc_stale ${p.gcStaletime} `, p.gcStaletime],
    [11, 'delay_probe', `delay_probe ${p.delayProbeTime} `, p.delayProbeTime],
    [11, 'queue', `queue ${p.queueLen} `, p.queueLen],
    [12, 'app_probes', `app_probes ${p.appProbes} `, p.appProbes],
    [12, 'ucast_probes', `ucast_probes ${p.ucastProbes} `, p.ucastProbes],
    [12, 'mcast_probes', `mcast_probes ${p.mcastProbes} `, p.mcastProbes],
  ];
  if (opts.mcastReprobes) f.push([12, 'mcast_reprobes', `mcast_reprobes ${p.mcastReprobes} `, p.mcastReprobes]);
  f.push(
    [13, 'anycast_delay', `anycast_delay ${p.anycastDelay} `, p.anycastDelay],
    [13, 'proxy_delay', `proxy_delay ${p.proxyDelay} `, p.proxyDelay],
    [13, 'proxy_queue', `proxy_queue ${p.proxyQlen} `, p.proxyQlen],
    [13, 'locktime', `locktime ${p.locktime} `, p.locktime],
  );
  return f;
}

/** print_0xhex() in JSON: printf("%#llx"). */
function hexJson(v: number): string {
  return v === 0 ? '0' : `0x${v.toString(16)}`;
}

function configFields(c: NtableConfigView, opts: NtableShowOptions): Field[] {
  const now = opts.nowEpochMs ?? Date.now();
  const flush = ntableStrtimeDelta(c.lastFlushAgoMs, now, opts.tzOffsetMinutes);
  const rand = ntableStrtimeDelta(c.lastRandAgoMs, now, opts.tzOffsetMinutes);
  return [
    [2, 'key_length', `key_len ${c.keyLen} `, c.keyLen],
    [2, 'entry_size', `entry_size ${c.entrySize} `, c.entrySize],
    [2, 'entries', `entries ${c.entries} `, c.entries],
    [3, 'last_flush', `last_flush ${flush} `, flush],
    [3, 'last_rand', `last_rand ${rand} `, rand],
    [4, 'hash_rnd', `hash_rnd ${c.hashRnd} `, c.hashRnd],
    [4, 'hash_mask', `hash_mask ${c.hashMask.toString(16).padStart(8, '0')} `, hexJson(c.hashMask)],
    [4, 'hash_chain_gc', `hash_chain_gc ${c.hashChainGc} `, c.hashChainGc],
    [4, 'proxy_qlen', `proxy_qlen ${c.proxyQlen} `, c.proxyQlen],
  ];
}

function statsFields(s: NtableStatsView): Field[] {
  return [
    [20, 'allocs', `allocs ${s.allocs} `, s.allocs],
    [20, 'destroys', `destroys ${s.destroys} `, s.destroys],
    [20, 'hash_grows', `hash_grows ${s.hashGrows} `, s.hashGrows],
    [21, 'res_failed', `res_failed ${s.resFailed} `, s.resFailed],
    [21, 'lookups', `lookups ${s.lookups} `, s.lookups],
    [21, 'hits', `hits ${s.hits} `, s.hits],
    [22, 'rcv_probes_mcast', `rcv_probes_mcast ${s.rcvProbesMcast} `, s.rcvProbesMcast],
    [22, 'rcv_probes_ucast', `rcv_probes_ucast ${s.rcvProbesUcast} `, s.rcvProbesUcast],
    [23, 'periodic_gc_runs', `periodic_gc_runs ${s.periodicGcRuns} `, s.periodicGcRuns],
    [23, 'forced_gc_runs', `forced_gc_runs ${s.forcedGcRuns} `, s.forcedGcRuns],
    [24, 'table_fulls', `table_fulls ${s.tableFulls} `, s.tableFulls],
  ];
}

/** Text indent of each line group: "    " lines, the config's continuation lines use eight spaces. */
const LINE_PREFIX: Readonly<Record<number, string>> = {
  1: '    ', 2: '    config ', 3: '        ', 4: '        ', 5: '    dev ',
  10: '    ', 11: '    ', 12: '    ', 13: '    ', 20: '    stats ', 21: '    ', 22: '    ', 23: '    ', 24: '    ',
};

function msgFields(m: NtableMsg, opts: NtableShowOptions): Field[] {
  const f: Field[] = [];
  const t = m.table;
  if (t) {
    f.push(
      [1, 'thresh1', `thresh1 ${t.thresh1} `, t.thresh1],
      [1, 'thresh2', `thresh2 ${t.thresh2} `, t.thresh2],
      [1, 'thresh3', `thresh3 ${t.thresh3} `, t.thresh3],
      [1, 'gc_interval', `gc_int ${t.gcIntervalMs} `, t.gcIntervalMs],
    );
    if (opts.stats) f.push(...configFields(t.config, opts));
  }
  if (m.parms.ifindex !== 0 && m.parms.dev !== null) f.push([5, 'dev', `${m.parms.dev} `, m.parms.dev]);
  f.push(...parmsFields(m.parms, opts));
  if (t && opts.stats) f.push(...statsFields(t.stats));
  return f;
}

function formatMsg(m: NtableMsg, opts: NtableShowOptions): string {
  let s = `${familyName(m.family)} ${m.name} \n`;
  let line = -1;
  for (const [l, , text] of msgFields(m, opts)) {
    if (l !== line) {
      if (line !== -1) s += '\n';
      s += LINE_PREFIX[l];
      line = l;
    }
    s += text;
  }
  if (line !== -1) s += '\n';
  return `${s}\n`;
}

/** `ip [-s] ntable show [name NAME] [dev DEV]`. */
export function formatNtable(views: readonly NtableView[], opts: NtableShowOptions = {}): string {
  return messages(views, opts).map((m) => formatMsg(m, opts)).join('');
}

/** One `ip -j ntable` object, keys in print order. */
function msgJson(m: NtableMsg, opts: NtableShowOptions): Record<string, unknown> {
  const o: Record<string, unknown> = { family: familyName(m.family), name: m.name };
  for (const [, key, , value] of msgFields(m, opts)) o[key] = value;
  return o;
}

/** `ip -j [-s] ntable show ...`: one JSON array on one line. */
export function formatNtableJson(views: readonly NtableView[], opts: NtableShowOptions = {}): string {
  return `${JSON.stringify(messages(views, opts).map((m) => msgJson(m, opts)))}\n`;
}
