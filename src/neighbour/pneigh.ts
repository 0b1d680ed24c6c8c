// Proxy neighbours and the proxy queue (net/core/neighbour.c): pneigh_lookup, pneigh_create,
// pneigh_delete, pneigh_ifdown, pneigh_enqueue, neigh_proxy_process, pneigh_queue_purge.
import type { Clock, Timer } from '../core/clock.js';
import { ENOBUFS, ENOENT } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import type { SkBuff } from '../core/skbuff.js';
import type { NeighParms } from './parms.js';

/** struct pneigh_entry: "answer for this address" (`ip neigh add proxy ADDR dev DEV`). */
export interface PneighEntry<K> {
  readonly key: K;
  /** null: valid on every device. */
  readonly dev: NetDevice | null;
  /** NTF_* as given by the administrator (NTF_ROUTER, ...). */
  flags: number;
  /** NDA_PROTOCOL; 0 = unspecified. */
  protocol: number;
  /** Created with nud permanent: survives carrier loss. */
  permanent: boolean;
}

/** NEIGH_CB(skb)->flags: a proxied solicitation replayed from the proxy queue (every protocol's). */
export const LOCALLY_ENQUEUED = 0x1;

/** What the proxy table needs from its owner. */
export interface PneighHooks<K> {
  keyEq(a: K, b: K): boolean;
  pconstructor?(pn: PneighEntry<K>): number;
  pdestructor?(pn: PneighEntry<K>): void;
  proxyRedo?(skb: SkBuff): void;
  readonly random: () => number;
  /** Counters for packets the proxy queue drops. */
  readonly counters: { proxyQueueDrops: number; proxyPurged: number };
}

interface ProxyQueued {
  skb: SkBuff;
  /** NEIGH_CB(skb)->sched_next. */
  schedNext: number;
  parms: NeighParms;
}

export class PneighTable<K> {
  private entries: PneighEntry<K>[] = [];
  private queue: ProxyQueued[] = [];
  readonly proxyTimer: Timer<PneighTable<K>>;

  constructor(private readonly clock: Clock, private readonly hooks: PneighHooks<K>) {
    this.proxyTimer = clock.timer<PneighTable<K>>((t) => t.proxyProcess(), this);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Packets waiting in the proxy queue (ndtc_proxy_qlen). */
  get queueLength(): number {
    return this.queue.length;
  }

  /** An entry without a device matches every device. */
  private find(key: K, dev: NetDevice | null): PneighEntry<K> | null {
    const eq = this.hooks.keyEq;
    for (const e of this.entries) if (eq(e.key, key) && (e.dev === dev || e.dev === null)) return e;
    return null;
  }

  /** pneigh_lookup(): optionally create an entry with no flags. */
  lookup(key: K, dev: NetDevice | null, create: boolean): PneighEntry<K> | null {
    const e = this.find(key, dev);
    if (e || !create) return e;
    return this.insert(key, dev, 0, 0, false);
  }

  /** pneigh_create(): create or update (no EEXIST), as `ip neigh add proxy` does. 0 or -errno. */
  create(key: K, dev: NetDevice | null, flags: number, protocol: number, permanent: boolean): number {
    let e = this.find(key, dev);
    if (!e) e = this.insert(key, dev, flags, protocol, permanent);
    if (!e) return -ENOBUFS; // the constructor refused
    e.flags = flags;
    e.permanent = permanent;
    if (protocol) e.protocol = protocol;
    return 0;
  }

  private insert(key: K, dev: NetDevice | null, flags: number, protocol: number, permanent: boolean): PneighEntry<K> | null {
    const e: PneighEntry<K> = { key, dev, flags, protocol, permanent };
    if (this.hooks.pconstructor && this.hooks.pconstructor(e)) return null;
    this.entries.push(e);
    return e;
  }

  /** pneigh_delete(): the device must match exactly. */
  delete(key: K, dev: NetDevice | null): number {
    const eq = this.hooks.keyEq;
    const i = this.entries.findIndex((e) => eq(e.key, key) && e.dev === dev);
    if (i < 0) return -ENOENT;
    const [e] = this.entries.splice(i, 1);
    this.hooks.pdestructor?.(e);
    return 0;
  }

  forEach(fn: (pn: PneighEntry<K>) => void): void {
    for (const e of this.entries.slice()) fn(e);
  }

  /** pneigh_ifdown(): drop the device's entries (all of them for dev null), sparing permanent ones on carrier loss. */
  ifdown(dev: NetDevice | null, skipPerm: boolean): void {
    const keep: PneighEntry<K>[] = [];
    const gone: PneighEntry<K>[] = [];
    for (const e of this.entries) {
      if (skipPerm && e.permanent) keep.push(e);
      else if (dev === null || e.dev === dev) gone.push(e);
      else keep.push(e);
    }
    this.entries = keep;
    for (const e of gone) this.hooks.pdestructor?.(e);
  }

  /**
   * pneigh_enqueue(): answer later, after a random delay in [0, proxy_delay), so a real owner of
   * the address can answer first. Past proxy_qlen the packet is dropped.
   */
  enqueue(skb: SkBuff, parms: NeighParms): void {
    const now = this.clock.now();
    const delay = parms.proxyDelay;
    const schedNext = delay > 0 ? now + Math.floor(this.hooks.random() * delay) : now;
    // The kernel compares before counting this packet: proxy_qlen + 1 may wait.
    if (parms.qlen > parms.proxyQlen) {
      this.hooks.counters.proxyQueueDrops++;
      return;
    }
    let when = schedNext;
    if (this.proxyTimer.pending && this.proxyTimer.expires < when) when = this.proxyTimer.expires;
    this.queue.push({ skb: skb.own(), schedNext, parms });
    parms.qlen++;
    this.proxyTimer.mod(when);
  }

  /** neigh_proxy_process(): replay what is due, re-arm for the earliest of the rest. */
  proxyProcess(): void {
    const now = this.clock.now();
    const due: ProxyQueued[] = [];
    const rest: ProxyQueued[] = [];
    let next = Infinity;
    for (const q of this.queue) {
      if (q.schedNext <= now) {
        due.push(q);
        q.parms.qlen--;
      } else {
        rest.push(q);
        if (q.schedNext < next) next = q.schedNext;
      }
    }
    this.queue = rest;
    this.proxyTimer.del();
    if (next !== Infinity) this.proxyTimer.mod(next);
    const hooks = this.hooks;
    for (const q of due) {
      const dev = q.skb.dev;
      // Replayed only while the device still runs (netif_running).
      if (hooks.proxyRedo && dev !== null && dev.isUp) hooks.proxyRedo(q.skb);
      else hooks.counters.proxyPurged++;
    }
  }

  /**
   * pneigh_queue_purge(): it is given the namespace, not the device, so any device going down
   * drops every queued proxy request, whichever device it came from.
   */
  purge(): void {
    for (const q of this.queue) {
      q.parms.qlen--;
      this.hooks.counters.proxyPurged++;
    }
    this.queue = [];
    this.proxyTimer.del();
  }

  /** For invariant checks: queued packets per parms. */
  queuedPerParms(): Map<NeighParms, number> {
    const m = new Map<NeighParms, number>();
    for (const q of this.queue) m.set(q.parms, (m.get(q.parms) ?? 0) + 1);
    return m;
  }
}
