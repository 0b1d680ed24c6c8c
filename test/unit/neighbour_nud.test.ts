// The NUD state machine as a table of transitions (gVisor style): every rule of neigh_event_send,
// neigh_timer_handler, __neigh_update (steps 1–11), neigh_invalidate and neigh_event_ns is one row.
import { describe, expect, it } from 'vitest';
import { EINVAL, ENETDOWN, EPERM } from '../../src/core/errno.js';
import type { SkBuff } from '../../src/core/skbuff.js';
import {
  Neighbour,
  neighConfirm,
  neighConnectedOutput,
  neighEventNs,
  neighEventSend,
  neighOutput,
  neighResolveOutput,
  neighSetProbeOnce,
  neighUpdate,
} from '../../src/neighbour/neighbour.js';
import {
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_EXT_LEARNED,
  NEIGH_UPDATE_F_ISROUTER,
  NEIGH_UPDATE_F_MANAGED,
  NEIGH_UPDATE_F_OVERRIDE,
  NEIGH_UPDATE_F_OVERRIDE_ISROUTER,
  NEIGH_UPDATE_F_USE,
  NEIGH_UPDATE_F_WEAK_OVERRIDE,
  NTF_EXT_LEARNED,
  NTF_MANAGED,
  NTF_ROUTER,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  nudStateNames,
} from '../../src/neighbour/nud.js';
import type { NeighEventType } from '../../src/neighbour/table.js';
import {
  type FakeEthDevice,
  type FakeOptions,
  NeighHarness,
  PKT_TRUESIZE,
  hhCounters,
  ip,
  mac,
  macStr,
  pkt,
  tagOf,
} from '../helpers/neigh_fake.js';

const K = ip('10.0.0.2');
const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
/** reachable_time with random() = 0.5: floor(0.5 · 30000) + 15000. */
const REACH = 30000;
const ADMIN_OVR = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE;

type From =
  | 'ABSENT' | 'NONE' | 'INCOMPLETE' | 'REACHABLE' | 'REACHABLE_HH' | 'STALE' | 'DELAY' | 'PROBE'
  | 'FAILED' | 'PERMANENT' | 'NOARP' | 'DEAD' | 'DEAD_VALID';

interface Ctx {
  h: NeighHarness;
  n: Neighbour<number> | null;
  dev: FakeEthDevice;
  t0: number;
  hh0: { cache: number; cacheUpdate: number };
  /** A tagged packet on the row's device. */
  p(tag: string): SkBuff;
  /** The entry (asserting it exists). */
  e(): Neighbour<number>;
  advance(ms: number): void;
}

interface Row {
  name: string;
  from: From;
  on?: 'generic' | 'raw';
  opts?: FakeOptions;
  event(c: Ctx): unknown;
  /** Final state; -1: no entry. */
  to: number;
  rc?: unknown;
  /** Timer expiry as an offset from the event's start; null: not pending. */
  timer: number | null;
  probes?: number;
  /** Tags of the packets solicit() got (null: none), in order. */
  solicits?: (string | null)[];
  notify?: NeighEventType[];
  /** Tags of transmitted frames, in order. */
  xmit?: string[];
  /** Destination MAC of every transmitted frame. */
  dst?: string;
  queue?: string[];
  errors?: string[];
  ha?: string;
  flags?: number;
  check?(c: Ctx): void;
}

function deviceFor(h: NeighHarness, on: Row['on']): FakeEthDevice {
  return on === 'generic' ? h.devGen : on === 'raw' ? h.devRaw : h.dev;
}

/** Drives a fresh entry into the row's starting state the way traffic would. */
function bring(h: NeighHarness, dev: FakeEthDevice, from: From): Neighbour<number> | null {
  if (from === 'ABSENT') return null;
  const n = h.neigh(K, dev);
  const a = mac(A);
  const p = n.parms;
  switch (from) {
    case 'NONE':
      break;
    case 'INCOMPLETE':
      neighEventSend(n, pkt(dev, 'q1'));
      break;
    case 'REACHABLE':
      neighUpdate(n, a, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
      break;
    case 'REACHABLE_HH':
      neighUpdate(n, a, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
      neighOutput(n, pkt(dev, 'warm'));
      break;
    case 'STALE':
      neighUpdate(n, a, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
      break;
    case 'DELAY':
      neighUpdate(n, a, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
      neighEventSend(n, null);
      break;
    case 'PROBE':
      neighUpdate(n, a, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
      neighEventSend(n, null);
      h.clock.advance(p.delayProbeTime);
      break;
    case 'FAILED':
      neighEventSend(n, pkt(dev, 'q1'));
      for (let i = 0; i < 50 && n.nudState !== NUD_FAILED; i++) h.clock.advance(Math.max(p.retransTime, 10));
      break;
    case 'PERMANENT':
      neighUpdate(n, a, NUD_PERMANENT, ADMIN_OVR);
      break;
    case 'NOARP':
      neighUpdate(n, a, NUD_NOARP, ADMIN_OVR);
      break;
    case 'DEAD':
      neighEventSend(n, pkt(dev, 'q1'));
      h.tbl.ifdown(dev);
      break;
    case 'DEAD_VALID':
      neighUpdate(n, a, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
      h.tbl.ifdown(dev);
      break;
  }
  expect(nudStateNames(n.nudState)).toEqual(
    nudStateNames(({ REACHABLE_HH: NUD_REACHABLE, DEAD: NUD_NONE, DEAD_VALID: NUD_NOARP } as Record<string, number>)[from] ??
      ({ NONE: NUD_NONE, INCOMPLETE: NUD_INCOMPLETE, REACHABLE: NUD_REACHABLE, STALE: NUD_STALE, DELAY: NUD_DELAY,
        PROBE: NUD_PROBE, FAILED: NUD_FAILED, PERMANENT: NUD_PERMANENT, NOARP: NUD_NOARP } as Record<string, number>)[from]),
  );
  return n;
}

const upd = (c: Ctx, addr: string | null, state: number, flags: number): number =>
  neighUpdate(c.e(), addr === null ? null : mac(addr), state, flags);

const ROWS: Row[] = [
  // ---- neigh_event_send ------------------------------------------------------------------------
  {
    name: 'event_send: REACHABLE (CONNECTED) sends now and only records the use',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: false, timer: REACH,
    event: (c) => { c.advance(100); return neighEventSend(c.e(), c.p('p')); },
    check: (c) => expect(c.e().used).toBe(c.t0 + 100),
  },
  { name: 'event_send: PERMANENT sends now', from: 'PERMANENT', to: NUD_PERMANENT, rc: false, timer: null, event: (c) => neighEventSend(c.e(), c.p('p')) },
  { name: 'event_send: NOARP sends now', from: 'NOARP', to: NUD_NOARP, rc: false, timer: null, event: (c) => neighEventSend(c.e(), c.p('p')) },
  { name: 'event_send: DELAY sends now, timer untouched', from: 'DELAY', to: NUD_DELAY, rc: false, timer: 5000, event: (c) => neighEventSend(c.e(), c.p('p')) },
  { name: 'event_send: PROBE sends now, probing goes on', from: 'PROBE', to: NUD_PROBE, rc: false, timer: 1000, probes: 1, event: (c) => neighEventSend(c.e(), c.p('p')) },
  {
    name: 'event_send: NONE with a packet → INCOMPLETE, probes = ucast_probes, immediate solicit, timer at retrans_time, packet queued',
    from: 'NONE', to: NUD_INCOMPLETE, rc: true, timer: 1000, probes: 4, solicits: ['p'], queue: ['p'],
    event: (c) => neighEventSend(c.e(), c.p('p')),
    check: (c) => expect(c.e().updated).toBe(c.t0),
  },
  {
    name: 'event_send: FAILED with a packet restarts resolution like NONE',
    from: 'FAILED', to: NUD_INCOMPLETE, rc: true, timer: 1000, probes: 4, solicits: ['p'], queue: ['p'],
    event: (c) => neighEventSend(c.e(), c.p('p')),
  },
  {
    name: 'event_send: NONE with mcast_probes + app_probes = 0 → FAILED, packet dropped',
    from: 'NONE', opts: { defaults: { mcastProbes: 0, appProbes: 0 } }, to: NUD_FAILED, rc: true, timer: null,
    event: (c) => neighEventSend(c.e(), c.p('p')),
    check: (c) => { expect(c.h.tbl.stats.extra.eventSendDrops).toBe(1); expect(c.e().updated).toBe(c.t0); },
  },
  {
    name: 'event_send: app_probes alone are enough to start resolution',
    from: 'NONE', opts: { defaults: { mcastProbes: 0, appProbes: 1 } }, to: NUD_INCOMPLETE, rc: true, timer: 1000, probes: 4,
    solicits: ['p'], queue: ['p'], event: (c) => neighEventSend(c.e(), c.p('p')),
  },
  {
    name: 'event_send: NONE without a packet → INCOMPLETE, solicit with no packet, nothing queued',
    from: 'NONE', to: NUD_INCOMPLETE, rc: true, timer: 1000, probes: 4, solicits: [null],
    event: (c) => neighEventSend(c.e(), null),
  },
  {
    name: 'event_send: STALE → DELAY, timer at delay_probe_time, packet sent with the current lladdr',
    from: 'STALE', to: NUD_DELAY, rc: false, timer: 5000,
    event: (c) => neighEventSend(c.e(), c.p('p')),
    check: (c) => expect(c.e().updated).toBe(c.t0),
  },
  {
    name: 'event_send: STALE through resolve_output transmits to the known lladdr',
    from: 'STALE', to: NUD_DELAY, rc: 0, timer: 5000, xmit: ['p'], dst: A,
    event: (c) => neighResolveOutput(c.e(), c.p('p')),
  },
  {
    name: 'event_send: INCOMPLETE with a packet appends it; no new probe, timer unchanged',
    from: 'INCOMPLETE', to: NUD_INCOMPLETE, rc: true, timer: 1000, probes: 4, queue: ['q1', 'p'],
    event: (c) => neighEventSend(c.e(), c.p('p')),
  },
  {
    name: 'event_send: INCOMPLETE without a packet changes nothing',
    from: 'INCOMPLETE', to: NUD_INCOMPLETE, rc: true, timer: 1000, queue: ['q1'],
    event: (c) => neighEventSend(c.e(), null),
  },
  {
    name: 'event_send: INCOMPLETE over queue_len_bytes drops the OLDEST and counts unres_discards',
    from: 'INCOMPLETE', opts: { defaults: { queueLenBytes: 2 * PKT_TRUESIZE } }, to: NUD_INCOMPLETE, rc: true, timer: 1000,
    queue: ['p2', 'p3'],
    event: (c) => { neighEventSend(c.e(), c.p('p2')); return neighEventSend(c.e(), c.p('p3')); },
    check: (c) => { expect(c.h.tbl.stats.unresDiscards).toBe(1); expect(c.e().arpQueueLenBytes).toBe(2 * PKT_TRUESIZE); },
  },
  {
    name: 'event_send: a packet larger than queue_len_bytes is still queued (alone)',
    from: 'INCOMPLETE', opts: { defaults: { queueLenBytes: 100 } }, to: NUD_INCOMPLETE, rc: true, timer: 1000, queue: ['p2'],
    event: (c) => neighEventSend(c.e(), c.p('p2')),
    check: (c) => expect(c.h.tbl.stats.unresDiscards).toBe(1),
  },
  {
    name: 'event_send: the first timer is never closer than 10 ms (retrans_time 0)',
    from: 'NONE', opts: { defaults: { retransTime: 0 } }, to: NUD_INCOMPLETE, rc: true, timer: 10, probes: 4, solicits: ['p'],
    queue: ['p'], event: (c) => neighEventSend(c.e(), c.p('p')),
  },
  {
    name: 'event_send: a dead (flushed, still referenced) entry drops the packet',
    from: 'DEAD', to: NUD_NONE, rc: true, timer: null,
    event: (c) => neighEventSend(c.e(), c.p('p')),
    check: (c) => { expect(c.e().dead).toBe(true); expect(c.h.tbl.stats.extra.eventSendDrops).toBe(1); },
  },
  {
    name: 'event_send: a dead entry that was valid is NOARP; its output is the blackhole',
    from: 'DEAD_VALID', to: NUD_NOARP, rc: -ENETDOWN, timer: null,
    event: (c) => neighOutput(c.e(), c.p('p')),
    check: (c) => expect(c.h.tbl.stats.extra.blackholeDrops).toBe(1),
  },

  // ---- neigh_timer_handler ---------------------------------------------------------------------
  {
    name: 'timer: REACHABLE confirmed within reachable_time stays, re-armed at confirmed + reachable_time',
    from: 'REACHABLE', to: NUD_REACHABLE, timer: 10000 + REACH,
    event: (c) => { c.advance(10000); neighConfirm(c.e()); c.advance(20000); },
  },
  {
    name: 'timer: REACHABLE exactly at confirmed + reachable_time is still alive (next ≥ now + 10 ms)',
    from: 'REACHABLE', to: NUD_REACHABLE, timer: REACH + 10,
    event: (c) => c.advance(REACH),
  },
  {
    name: 'timer: REACHABLE expired but used within delay_probe_time → DELAY (suspect, no notify)',
    from: 'REACHABLE', on: 'generic', to: NUD_DELAY, timer: REACH + 10 + 5000,
    event: (c) => { c.advance(28000); neighEventSend(c.e(), null); c.advance(2010); },
    check: (c) => { expect(c.e().updated).toBe(c.t0 + REACH + 10); expect(c.e().output).toBe(neighResolveOutput); },
  },
  {
    name: 'timer: REACHABLE expired and idle → STALE (suspect, notify, no timer)',
    from: 'REACHABLE', on: 'generic', to: NUD_STALE, timer: null, notify: ['newneigh'],
    event: (c) => c.advance(REACH + 10),
    check: (c) => { expect(c.e().updated).toBe(c.t0 + REACH + 10); expect(c.e().output).toBe(neighResolveOutput); },
  },
  {
    name: 'timer: DELAY confirmed within delay_probe_time → REACHABLE (connect, notify), timer at confirmed + reachable_time',
    from: 'DELAY', on: 'generic', to: NUD_REACHABLE, timer: 2000 + REACH, notify: ['newneigh'],
    event: (c) => { c.advance(2000); neighConfirm(c.e()); c.advance(3000); },
    check: (c) => expect(c.e().output).toBe(neighConnectedOutput),
  },
  {
    name: 'timer: DELAY unconfirmed → PROBE, probes reset, unicast probe, timer at retrans_time, notify',
    from: 'DELAY', to: NUD_PROBE, timer: 6000, probes: 1, solicits: [null], notify: ['newneigh'],
    event: (c) => c.advance(5000),
    check: (c) => { expect(c.h.solicits[0].probes).toBe(0); expect(c.e().updated).toBe(c.t0 + 5000); },
  },
  {
    name: 'timer: PROBE with probes left re-solicits every retrans_time',
    from: 'PROBE', to: NUD_PROBE, timer: 2000, probes: 2, solicits: [null],
    event: (c) => c.advance(1000),
  },
  {
    name: 'timer: PROBE with probes ≥ ucast + app + mcast_reprobes → FAILED, notify, no further probe',
    from: 'PROBE', to: NUD_FAILED, timer: null, probes: 3, solicits: [null, null], notify: ['newneigh'],
    event: (c) => c.advance(3000),
    check: (c) => { expect(c.h.tbl.stats.resFailed).toBe(1); expect(c.e().updated).toBe(c.t0 + 3000); },
  },
  {
    name: 'timer: PROBE counts mcast_reprobes in max_probes',
    from: 'PROBE', opts: { defaults: { mcastReprobes: 2 } }, to: NUD_PROBE, timer: 4000, probes: 4, solicits: [null, null, null],
    event: (c) => c.advance(3000),
  },
  {
    name: 'timer: INCOMPLETE with probes left re-solicits with the queued packet',
    from: 'INCOMPLETE', to: NUD_INCOMPLETE, timer: 2000, probes: 5, solicits: ['q1'], queue: ['q1'],
    event: (c) => c.advance(1000),
  },
  {
    name: 'timer: INCOMPLETE solicits with the NEWEST queued packet',
    from: 'INCOMPLETE', to: NUD_INCOMPLETE, timer: 2000, probes: 5, solicits: ['p2'], queue: ['q1', 'p2'],
    event: (c) => { neighEventSend(c.e(), c.p('p2')); c.advance(1000); },
  },
  {
    name: 'timer: INCOMPLETE exhausted (3 broadcasts 1 s apart) → FAILED, queued packets reported, notify',
    from: 'INCOMPLETE', to: NUD_FAILED, timer: null, probes: 6, solicits: ['q1', 'q1'], errors: ['q1'], notify: ['newneigh'],
    event: (c) => c.advance(3000),
    check: (c) => { expect(c.h.tbl.stats.resFailed).toBe(1); expect(c.e().arpQueueLenBytes).toBe(0); },
  },
  {
    name: 'timer: app_probes raise max_probes for INCOMPLETE',
    from: 'INCOMPLETE', opts: { defaults: { appProbes: 1 } }, to: NUD_INCOMPLETE, timer: 4000, probes: 7,
    solicits: ['q1', 'q1', 'q1'], queue: ['q1'], event: (c) => c.advance(3000),
  },
  {
    name: 'timer: next expiry is never earlier than now + 10 ms (retrans_time 0)',
    from: 'INCOMPLETE', opts: { defaults: { retransTime: 0 } }, to: NUD_INCOMPLETE, timer: 20, probes: 5, solicits: ['q1'],
    queue: ['q1'], event: (c) => c.advance(10),
  },
  {
    name: 'probe_once: FAILED → INCOMPLETE with probes = max, timer at retrans_time, no probe yet',
    from: 'FAILED', to: NUD_INCOMPLETE, timer: 1000, probes: 6,
    event: (c) => neighSetProbeOnce(c.e()),
  },
  {
    name: 'probe_once: the extra window expires straight into FAILED without soliciting',
    from: 'FAILED', to: NUD_FAILED, timer: null, probes: 6, notify: ['newneigh'],
    event: (c) => { neighSetProbeOnce(c.e()); c.advance(1000); },
  },

  // ---- __neigh_update --------------------------------------------------------------------------
  {
    name: 'update step 1: a dead entry refuses with EPERM',
    from: 'DEAD_VALID', to: NUD_NOARP, rc: -EPERM, timer: null, ha: A,
    event: (c) => upd(c, B, NUD_REACHABLE, ADMIN_OVR),
  },
  {
    name: 'update step 2: PERMANENT without ADMIN → EPERM, nothing changes',
    from: 'PERMANENT', to: NUD_PERMANENT, rc: -EPERM, timer: null, ha: A,
    event: (c) => upd(c, B, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE),
  },
  {
    name: 'update step 2: NOARP without ADMIN → EPERM',
    from: 'NOARP', to: NUD_NOARP, rc: -EPERM, timer: null, ha: A,
    event: (c) => upd(c, B, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE),
  },
  {
    name: 'update step 2: ADMIN may change a PERMANENT entry (and it rejoins the gc list)',
    from: 'PERMANENT', to: NUD_REACHABLE, rc: 0, timer: REACH, ha: B, notify: ['newneigh'],
    event: (c) => upd(c, B, NUD_REACHABLE, ADMIN_OVR),
    check: (c) => { expect(c.e().onGcList).toBe(true); expect(c.h.tbl.gcEntries).toBe(1); },
  },
  {
    name: 'update step 3: USE (ADMIN) strips PERMANENT and returns; no notify',
    from: 'PERMANENT', to: NUD_NONE, rc: 0, timer: null,
    event: (c) => upd(c, null, NUD_NONE, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_USE),
    check: (c) => expect(c.e().onGcList).toBe(true),
  },
  {
    name: 'update step 3: USE leaves a dynamic state alone',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH,
    event: (c) => upd(c, null, NUD_STALE, NEIGH_UPDATE_F_USE),
  },
  {
    name: 'update flags: MANAGED (ADMIN) sets NTF_MANAGED, joins the managed list, notifies',
    from: 'STALE', to: NUD_STALE, rc: 0, timer: null, flags: NTF_MANAGED, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_STALE, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_MANAGED),
    check: (c) => expect(c.e().onManagedList).toBe(true),
  },
  {
    name: 'update step 4: INCOMPLETE → FAILED invalidates (queued packets reported) and notifies',
    from: 'INCOMPLETE', to: NUD_FAILED, rc: 0, timer: null, errors: ['q1'], notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_FAILED, ADMIN_OVR),
    check: (c) => expect(c.h.tbl.stats.resFailed).toBe(1),
  },
  {
    name: 'update step 4: PROBE → FAILED invalidates',
    from: 'PROBE', to: NUD_FAILED, rc: 0, timer: null, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_FAILED, ADMIN_OVR),
    check: (c) => expect(c.h.tbl.stats.resFailed).toBe(1),
  },
  {
    name: 'update step 4: REACHABLE → NONE stops the timer, suspects, notifies (old valid)',
    from: 'REACHABLE', on: 'generic', to: NUD_NONE, rc: 0, timer: null, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_NONE, ADMIN_OVR),
    check: (c) => expect(c.e().output).toBe(neighResolveOutput),
  },
  {
    name: 'update step 4: STALE → FAILED notifies but does not invalidate',
    from: 'STALE', to: NUD_FAILED, rc: 0, timer: null, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_FAILED, ADMIN_OVR),
    check: (c) => expect(c.h.tbl.stats.resFailed).toBe(0),
  },
  {
    name: 'update step 4: NONE → FAILED is silent (old not valid)',
    from: 'NONE', to: NUD_FAILED, rc: 0, timer: null,
    event: (c) => upd(c, null, NUD_FAILED, ADMIN_OVR),
  },
  {
    name: 'update step 5: no lladdr on an invalid entry → EINVAL',
    from: 'NONE', to: NUD_NONE, rc: -EINVAL, timer: null,
    event: (c) => upd(c, null, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE),
  },
  {
    name: 'update step 5: no lladdr on a valid entry keeps the known address',
    from: 'STALE', to: NUD_REACHABLE, rc: 0, timer: 500 + REACH, ha: A, notify: ['newneigh'],
    event: (c) => { c.advance(500); return upd(c, null, NUD_REACHABLE, 0); },
    check: (c) => {
      expect(c.e().confirmed).toBe(c.t0 + 500);
      // Arming the timer raises "used" to the confirmation (neigh_add_timer).
      expect(c.e().used).toBe(c.t0 + 500);
    },
  },
  {
    name: 'update step 5: a device without addresses needs no lladdr',
    from: 'NONE', on: 'raw', to: NUD_REACHABLE, rc: 0, timer: REACH, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_REACHABLE, 0),
  },
  {
    name: 'update step 6: a CONNECTED update confirms even when step 7 rejects the new lladdr',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, ha: A,
    event: (c) => { c.advance(10000); return upd(c, B, NUD_REACHABLE, 0); },
    check: (c) => { expect(c.e().confirmed).toBe(c.t0 + 10000); expect(c.e().updated).toBe(c.t0); },
  },
  {
    name: 'update step 7: a different lladdr without OVERRIDE is ignored',
    from: 'STALE', to: NUD_STALE, rc: 0, timer: null, ha: A,
    event: (c) => { c.advance(100); return upd(c, B, NUD_STALE, 0); },
    check: (c) => expect(c.e().updated).toBe(c.t0),
  },
  {
    name: 'update step 7: WEAK_OVERRIDE on a CONNECTED entry keeps the lladdr and goes STALE',
    from: 'REACHABLE', on: 'generic', to: NUD_STALE, rc: 0, timer: null, ha: A, notify: ['newneigh'],
    event: (c) => upd(c, B, NUD_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE),
    check: (c) => { expect(c.e().output).toBe(neighResolveOutput); expect(c.e().confirmed).toBe(c.t0); },
  },
  {
    name: 'update step 7: WEAK_OVERRIDE on a non-connected entry (DELAY) is ignored',
    from: 'DELAY', to: NUD_DELAY, rc: 0, timer: 5000, ha: A,
    event: (c) => upd(c, B, NUD_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE),
  },
  {
    name: 'update step 7: same lladdr + STALE without ADMIN never demotes REACHABLE (no change, no notify)',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, ha: A,
    event: (c) => { c.advance(100); return upd(c, A, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE); },
    check: (c) => expect(c.e().updated).toBe(c.t0),
  },
  {
    name: 'update step 7: same lladdr + STALE with ADMIN does demote',
    from: 'REACHABLE', to: NUD_STALE, rc: 0, timer: null, ha: A, notify: ['newneigh'],
    event: (c) => upd(c, A, NUD_STALE, ADMIN_OVR),
  },
  {
    name: 'update steps 8-11: INCOMPLETE → REACHABLE arms reachable_time, notifies once, connects, sends the queue',
    from: 'INCOMPLETE', to: NUD_REACHABLE, rc: 0, timer: 500 + REACH, ha: A, notify: ['newneigh'], xmit: ['q1'], dst: A,
    solicits: [],
    event: (c) => { c.advance(500); return upd(c, A, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE); },
    check: (c) => {
      const e = c.e();
      expect([e.confirmed, e.updated].map((t) => t - c.t0)).toEqual([500, 500]);
      expect(e.hh.hhLen).toBe(14);
    },
  },
  {
    name: 'update step 9: → PROBE resets probes and arms the timer at now',
    from: 'STALE', to: NUD_PROBE, rc: 0, timer: 0, probes: 0, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_PROBE, 0),
  },
  {
    name: 'update step 9: → DELAY arms the timer at now',
    from: 'REACHABLE', to: NUD_DELAY, rc: 0, timer: 0, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_DELAY, 0),
  },
  {
    name: 'update step 10: a new lladdr (OVERRIDE) rewrites ha and the cached header; the next frame carries it',
    from: 'REACHABLE_HH', to: NUD_DELAY, timer: 5000, ha: B, notify: ['newneigh'], xmit: ['p'], dst: B,
    event: (c) => {
      expect(upd(c, B, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE)).toBe(0);
      expect(c.e().confirmed).toBe(c.t0 - 2 * 30000);
      expect(macStr(c.e().hh.hhData)).toBe(B);
      return neighOutput(c.e(), c.p('p'));
    },
    check: (c) => {
      expect(hhCounters.cacheUpdate - c.hh0.cacheUpdate).toBe(1);
      expect(hhCounters.cache - c.hh0.cache).toBe(0);
    },
  },
  {
    name: 'update step 10: a new lladdr with a CONNECTED state is confirmed now',
    from: 'STALE', to: NUD_REACHABLE, rc: 0, timer: REACH, ha: B, notify: ['newneigh'],
    event: (c) => upd(c, B, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE),
    check: (c) => expect(c.e().confirmed).toBe(c.t0),
  },
  {
    name: 'update step 11: INCOMPLETE → STALE suspects and sends the queue in order (first send moves it to DELAY)',
    from: 'INCOMPLETE', to: NUD_DELAY, timer: 5000, ha: A, notify: ['newneigh'], xmit: ['q1', 'p2'], dst: A,
    event: (c) => { neighEventSend(c.e(), c.p('p2')); return upd(c, A, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE); },
  },
  {
    name: 'update: OVERRIDE_ISROUTER + ISROUTER sets NTF_ROUTER and notifies',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, flags: NTF_ROUTER, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER),
  },
  {
    name: 'update: ISROUTER without OVERRIDE_ISROUTER leaves the router flag alone',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, flags: 0,
    event: (c) => upd(c, null, NUD_REACHABLE, NEIGH_UPDATE_F_ISROUTER),
  },
  {
    name: 'update: OVERRIDE_ISROUTER without ISROUTER clears NTF_ROUTER',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, flags: 0, notify: ['newneigh'],
    event: (c) => {
      upd(c, null, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER);
      expect(c.e().flags).toBe(NTF_ROUTER);
      c.h.events.length = 0;
      return upd(c, null, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE_ISROUTER);
    },
  },
  {
    name: 'update: the router flag is not touched when the lladdr change is rejected',
    from: 'REACHABLE', to: NUD_REACHABLE, rc: 0, timer: REACH, flags: 0, ha: A,
    event: (c) => upd(c, B, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER),
  },
  {
    name: 'update: EXT_LEARNED (ADMIN) sets NTF_EXT_LEARNED and takes the entry off the gc list',
    from: 'STALE', to: NUD_STALE, rc: 0, timer: null, flags: NTF_EXT_LEARNED, notify: ['newneigh'],
    event: (c) => upd(c, null, NUD_STALE, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_EXT_LEARNED),
    check: (c) => { expect(c.e().onGcList).toBe(false); expect(c.h.tbl.gcEntries).toBe(0); },
  },
  {
    name: 'update: EXT_LEARNED without ADMIN is ignored',
    from: 'STALE', to: NUD_STALE, rc: 0, timer: null, flags: 0,
    event: (c) => upd(c, null, NUD_STALE, NEIGH_UPDATE_F_EXT_LEARNED),
  },
  {
    name: 'update: ADMIN → PERMANENT stops the timer, connects, leaves the gc list',
    from: 'DELAY', on: 'generic', to: NUD_PERMANENT, rc: 0, timer: null, notify: ['newneigh'],
    event: (c) => upd(c, A, NUD_PERMANENT, ADMIN_OVR),
    check: (c) => { expect(c.e().output).toBe(neighConnectedOutput); expect(c.e().onGcList).toBe(false); },
  },
  {
    name: 'update: ADMIN → NOARP with an lladdr (stays on the gc list)',
    from: 'NONE', to: NUD_NOARP, rc: 0, timer: null, ha: A, notify: ['newneigh'],
    event: (c) => upd(c, A, NUD_NOARP, ADMIN_OVR),
    check: (c) => expect(c.e().onGcList).toBe(true),
  },
  {
    name: 'update: INCOMPLETE → PERMANENT sends the queue and stops the timer',
    from: 'INCOMPLETE', to: NUD_PERMANENT, rc: 0, timer: null, ha: A, notify: ['newneigh'], xmit: ['q1'], dst: A,
    event: (c) => upd(c, A, NUD_PERMANENT, ADMIN_OVR),
  },

  // ---- neigh_invalidate ------------------------------------------------------------------------
  {
    name: 'invalidate: every queued packet goes to error_report, oldest first; the queue ends empty',
    from: 'INCOMPLETE', to: NUD_FAILED, timer: null, probes: 6, solicits: ['p3', 'p3'], errors: ['q1', 'p2', 'p3'],
    notify: ['newneigh'],
    event: (c) => { neighEventSend(c.e(), c.p('p2')); neighEventSend(c.e(), c.p('p3')); c.advance(3000); },
  },
  {
    name: 'invalidate: stops reporting once a report revives the entry; the rest is sent',
    from: 'INCOMPLETE', to: NUD_REACHABLE, timer: 3000 + REACH, solicits: ['p3', 'p3'], errors: ['q1'], xmit: ['p2', 'p3'],
    dst: A, notify: ['newneigh', 'newneigh'], ha: A,
    event: (c) => {
      neighEventSend(c.e(), c.p('p2'));
      neighEventSend(c.e(), c.p('p3'));
      c.h.onErrorReport = (n) => { c.h.onErrorReport = null; neighUpdate(n, mac(A), NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE); };
      c.advance(3000);
    },
    check: (c) => expect(c.h.tbl.stats.extra.queuePurged).toBe(0),
  },
  {
    name: 'invalidate: a report that restarts resolution ends the reports; the whole queue is purged',
    from: 'INCOMPLETE', to: NUD_INCOMPLETE, timer: 3000 + 1000, probes: 4, solicits: ['p3', 'p3', 'icmp'], errors: ['q1'],
    notify: ['newneigh'],
    event: (c) => {
      neighEventSend(c.e(), c.p('p2'));
      neighEventSend(c.e(), c.p('p3'));
      c.h.onErrorReport = (n) => { c.h.onErrorReport = null; neighEventSend(n, c.p('icmp')); };
      c.advance(3000);
    },
    check: (c) => expect(c.h.tbl.stats.extra.queuePurged).toBe(3),
  },

  // ---- neigh_event_ns --------------------------------------------------------------------------
  {
    name: 'event_ns: unknown sender with an lladdr → created STALE (held by the caller)',
    from: 'ABSENT', to: NUD_STALE, timer: null, ha: A, notify: ['newneigh'],
    event: (c) => { c.n = neighEventNs(c.h.tbl, mac(A), K, c.dev); },
    check: (c) => {
      expect(c.e().refcnt).toBe(2);
      expect(c.h.tbl.stats).toMatchObject({ allocs: 1, lookups: 1, hits: 0 });
    },
  },
  {
    name: 'event_ns: REACHABLE with the same lladdr stays REACHABLE',
    from: 'REACHABLE', to: NUD_REACHABLE, timer: REACH, ha: A,
    event: (c) => { neighEventNs(c.h.tbl, mac(A), K, c.dev); },
    check: (c) => expect(c.h.tbl.stats).toMatchObject({ lookups: 1, hits: 1 }),
  },
  {
    name: 'event_ns: REACHABLE with a new lladdr → STALE with it (OVERRIDE)',
    from: 'REACHABLE', to: NUD_STALE, timer: null, ha: B, notify: ['newneigh'],
    event: (c) => { neighEventNs(c.h.tbl, mac(B), K, c.dev); },
  },
  {
    name: 'event_ns: INCOMPLETE learns the address from a request and sends its queue',
    from: 'INCOMPLETE', to: NUD_DELAY, timer: 5000, ha: A, notify: ['newneigh'], xmit: ['q1'], dst: A,
    event: (c) => { neighEventNs(c.h.tbl, mac(A), K, c.dev); },
  },
  {
    name: 'event_ns: no lladdr and no entry → nothing is created',
    from: 'ABSENT', to: -1, rc: null, timer: null,
    event: (c) => neighEventNs(c.h.tbl, null, K, c.dev),
    check: (c) => expect(c.h.tbl.size).toBe(0),
  },
];

describe('NUD transitions (reference §1)', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const h = new NeighHarness(row.opts);
      const dev = deviceFor(h, row.on);
      const n = bring(h, dev, row.from);
      h.reset();
      const c: Ctx = {
        h,
        n,
        dev,
        t0: h.clock.now(),
        hh0: { ...hhCounters },
        p: (tag) => pkt(dev, tag),
        e: () => {
          expect(c.n).not.toBeNull();
          return c.n!;
        },
        advance: (ms) => h.clock.advance(ms),
      };
      const rc = row.event(c);
      if ('rc' in row) expect(rc).toBe(row.rc);

      if (row.to === -1) {
        expect(c.n).toBeNull();
      } else {
        const e = c.e();
        expect(nudStateNames(e.nudState)).toEqual(nudStateNames(row.to));
        if (row.timer === null) expect(e.timer.pending).toBe(false);
        else {
          expect(e.timer.pending).toBe(true);
          expect(e.timer.expires - c.t0).toBe(row.timer);
        }
        if (row.probes !== undefined) expect(e.probes).toBe(row.probes);
        expect(e.arpQueue.map(tagOf)).toEqual(row.queue ?? []);
        if (row.ha !== undefined) expect(macStr(e.ha)).toBe(row.ha);
        if (row.flags !== undefined) expect(e.flags).toBe(row.flags);
      }
      expect(h.solicits.map((s) => s.tag)).toEqual(row.solicits ?? []);
      expect(h.solicits.every((s) => s.key === K)).toBe(true);
      expect(h.events.map((ev) => ev.type)).toEqual(row.notify ?? []);
      const sent = h.sent(dev);
      expect(sent.map((f) => f.tag)).toEqual(row.xmit ?? []);
      if (row.dst !== undefined) for (const f of sent) expect(f.dst).toBe(row.dst);
      expect(h.errorReports.map((r) => r.tag)).toEqual(row.errors ?? []);
      row.check?.(c);
      expect(h.tbl.checkInvariants()).toEqual([]);
    });
  }

  it('covers every starting state and every rule family', () => {
    const froms = new Set(ROWS.map((r) => r.from));
    for (const f of ['NONE', 'INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'PERMANENT', 'NOARP']) {
      expect(froms.has(f as From)).toBe(true);
    }
    const families = ['event_send', 'timer', 'update step 1', 'update step 2', 'update step 3', 'update step 4',
      'update step 5', 'update step 6', 'update step 7', 'update step 9', 'update step 10', 'update step 11',
      'invalidate', 'event_ns'];
    for (const f of families) expect(ROWS.some((r) => r.name.startsWith(f) || r.name.includes(f))).toBe(true);
    expect(ROWS.length).toBeGreaterThanOrEqual(70);
  });
});
