// Fixtures for the neighbour-table unit tests: an Ethernet-like fake device that records what it
// transmits, and a fake protocol (numeric keys) that records solicitations and error reports.
import { ManualClock } from '../../src/core/clock.js';
import { Net } from '../../src/core/net.js';
import { type HeaderOps, type HhCache, NetDevice } from '../../src/core/netdevice.js';
import { SkBuff, allocSkb } from '../../src/core/skbuff.js';
import {
  Neighbour,
  neighConnectedOutput,
  neighDirectOutput,
  neighResolveOutput,
} from '../../src/neighbour/neighbour.js';
import { NUD_NOARP, NUD_VALID } from '../../src/neighbour/nud.js';
import type { NeighParmsValues } from '../../src/neighbour/parms.js';
// The fake protocol runs with arp_tbl's kernel defaults, so timings in the tests are the real ones.
import { ARP_TBL_DEFAULTS as NEIGH_ARP_DEFAULTS } from '../../src/ipv4/arp.js';
import type { PneighEntry } from '../../src/neighbour/pneigh.js';
import { type NeighEvent, type NeighOps, NeighTable, type NeighTableConfig } from '../../src/neighbour/table.js';

export const ETH_HLEN = 14;
export const ETH_P_IP = 0x0800;
export const AF_FAKE = 2;

export function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

export function macStr(b: Buffer, off = 0): string {
  return [...b.subarray(off, off + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Counts calls so tests can prove the header cache is filled once and updated on change. */
export const hhCounters = { cache: 0, cacheUpdate: 0 };

/** Ethernet-like header ops written for the tests (not src/ethernet). */
export const fakeEthHeaderOps: HeaderOps = {
  create(skb, dev, type, daddr, saddr) {
    const off = skb.push(ETH_HLEN);
    (daddr ?? dev.broadcast).copy(skb.buf, off, 0, 6);
    (saddr ?? dev.devAddr).copy(skb.buf, off + 6, 0, 6);
    skb.buf.writeUInt16BE(type, off + 12);
    return ETH_HLEN;
  },
  parse(skb, haddr) {
    skb.buf.copy(haddr, 0, skb.macHeader + 6, skb.macHeader + 12);
    return 6;
  },
  cache(ha: Buffer, hh: HhCache, dev: NetDevice, type: number) {
    hhCounters.cache++;
    ha.copy(hh.hhData, 0, 0, 6);
    dev.devAddr.copy(hh.hhData, 6, 0, 6);
    hh.hhData.writeUInt16BE(type, 12);
    hh.hhLen = ETH_HLEN;
    return 0;
  },
  cacheUpdate(hh: HhCache, _dev: NetDevice, ha: Buffer) {
    hhCounters.cacheUpdate++;
    ha.copy(hh.hhData, 0, 0, 6);
  },
};

/** Header ops that cannot cache (generic ops in ARP's terms). */
export const fakeNoCacheHeaderOps: HeaderOps = { ...fakeEthHeaderOps, cache: null, cacheUpdate: null };

export interface Frame {
  bytes: Buffer;
  skb: SkBuff;
}

export class FakeEthDevice extends NetDevice {
  readonly frames: Frame[] = [];
  /** Set to make xmit drop (returns the value). */
  xmitResult = 0;

  constructor(name: string, addr: string, ops: HeaderOps | null = fakeEthHeaderOps) {
    super(name);
    this.devAddr = mac(addr);
    this.headerOps = ops;
    if (!ops) {
      this.addrLen = 0;
      this.devAddr = Buffer.alloc(0);
      this.broadcast = Buffer.alloc(0);
      this.hardHeaderLen = 0;
    }
  }

  xmit(skb: SkBuff): number {
    this.frames.push({ bytes: Buffer.from(skb.bytes()), skb });
    return this.xmitResult;
  }
}

/** IPv4-style dotted quad of a numeric key. */
export function fmtKey(k: number): string {
  return [k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255].join('.');
}

export function ip(s: string): number {
  return s.split('.').reduce((a, x) => ((a << 8) | parseInt(x, 10)) >>> 0, 0);
}

/** Packet tags: which test packet is which, wherever it ends up. */
const tags = new WeakMap<SkBuff, string>();

export function tagOf(skb: SkBuff | null): string | null {
  if (skb === null) return null;
  return tags.get(skb) ?? '?';
}

export const PAYLOAD = 100;

/** A locally built IPv4-like packet of PAYLOAD bytes on dev, network header at data. */
export function pkt(dev: NetDevice, tag: string, payload = PAYLOAD): SkBuff {
  const skb = allocSkb(payload);
  const off = skb.put(payload);
  skb.buf.write(tag, off, 'latin1');
  skb.resetNetworkHeader();
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  tags.set(skb, tag);
  return skb;
}

/** Truesize of a pkt() with the default payload. */
export const PKT_TRUESIZE = pkt(new FakeEthDevice('x', '02:00:00:00:00:00'), 'x').truesize;

export interface Solicit {
  key: number;
  skb: SkBuff | null;
  tag: string | null;
  probes: number;
  at: number;
}

export interface ErrorReport {
  key: number;
  tag: string | null;
}

/** Deterministic random source: a fixed value, or a small LCG when seeded. */
export function fixedRandom(v: number): () => number {
  return () => v;
}

export function lcgRandom(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

export interface FakeOptions {
  defaults?: Partial<NeighParmsValues>;
  gcThresh1?: number;
  gcThresh2?: number;
  gcThresh3?: number;
  random?: () => number;
  /** Keys the constructor makes NOARP (ha = key's low byte repeated), like ARP's multicast mapping. */
  noarpKeys?: Set<number>;
  /** Keys reported as multicast to forced GC. */
  isMulticast?: (k: number) => boolean;
  /** The constructor fails with this errno for key 0.0.0.0. */
  failKeyZero?: number;
  /** Called for every solicitation. */
  onSolicit?: (n: Neighbour<number>, skb: SkBuff | null) => void;
  pconstructor?: (pn: PneighEntry<number>) => number;
  proxyRedo?: (skb: SkBuff) => void;
  allowAdd?: (dev: NetDevice) => boolean;
  intKeys?: boolean;
}

/** One manual clock, one Net, two up Ethernet-like devices and a fake-protocol neighbour table. */
export class NeighHarness {
  readonly clock = new ManualClock(1_000_000);
  readonly net = new Net(this.clock);
  readonly dev: FakeEthDevice;
  readonly dev2: FakeEthDevice;
  /** A device whose header ops cannot cache (ARP's generic ops). */
  readonly devGen: FakeEthDevice;
  /** A device without link-layer headers or addresses (direct ops). */
  readonly devRaw: FakeEthDevice;
  readonly tbl: NeighTable<number>;
  readonly solicits: Solicit[] = [];
  readonly errorReports: ErrorReport[] = [];
  readonly events: NeighEvent[] = [];
  readonly hhOps: NeighOps<number>;
  readonly genericOps: NeighOps<number>;
  readonly directOps: NeighOps<number>;
  /** Called inside errorReport (lets a test re-enter the entry). */
  onErrorReport: ((n: Neighbour<number>, skb: SkBuff) => void) | null = null;
  hashCalls = 0;
  /** Removes the harness's own event listener. */
  readonly unsubscribe: () => void;

  constructor(opts: FakeOptions = {}) {
    this.dev = new FakeEthDevice('eth0', '02:00:00:00:01:00');
    this.dev2 = new FakeEthDevice('eth1', '02:00:00:00:02:00');
    this.devGen = new FakeEthDevice('gen0', '02:00:00:00:03:00', fakeNoCacheHeaderOps);
    this.devRaw = new FakeEthDevice('raw0', '00:00:00:00:00:00', null);
    for (const d of [this.dev, this.dev2, this.devGen, this.devRaw]) {
      this.net.registerNetdevice(d);
      this.net.devOpen(d);
    }
    const solicit = (n: Neighbour<number>, skb: SkBuff | null): void => {
      this.solicits.push({ key: n.primaryKey, skb, tag: tagOf(skb), probes: n.probes, at: this.clock.now() });
      opts.onSolicit?.(n, skb);
    };
    const errorReport = (n: Neighbour<number>, skb: SkBuff): void => {
      this.errorReports.push({ key: n.primaryKey, tag: tagOf(skb) });
      this.onErrorReport?.(n, skb);
    };
    this.hhOps = { family: AF_FAKE, solicit, errorReport, output: neighResolveOutput, connectedOutput: neighResolveOutput };
    this.genericOps = { family: AF_FAKE, solicit, errorReport, output: neighResolveOutput, connectedOutput: neighConnectedOutput };
    this.directOps = { family: AF_FAKE, solicit, errorReport, output: neighDirectOutput, connectedOutput: neighDirectOutput };
    const cfg: NeighTableConfig<number> = {
      id: 'fake_cache',
      family: AF_FAKE,
      keyLen: 4,
      protocol: ETH_P_IP,
      hash: (key: number, dev: NetDevice, rnd: number) => {
        this.hashCalls++;
        return Math.imul((key ^ Math.imul(dev.ifindex, 0x9e3779b1)) | 0, rnd | 1) >>> 0;
      },
      keyEq: (a: number, b: number) => a === b,
      formatKey: fmtKey,
      constructor: (n: Neighbour<number>) => this.construct(n, opts),
      isMulticast: opts.isMulticast,
      pconstructor: opts.pconstructor,
      proxyRedo: opts.proxyRedo,
      allowAdd: opts.allowAdd,
      intKeys: opts.intKeys,
      hhCheck: (n: Neighbour<number>) => n.hh.hhData.compare(n.ha, 0, n.dev.addrLen, 0, n.dev.addrLen) === 0,
      defaults: { ...NEIGH_ARP_DEFAULTS, ...opts.defaults },
      gcInterval: 30000,
      gcThresh1: opts.gcThresh1 ?? 128,
      gcThresh2: opts.gcThresh2 ?? 512,
      gcThresh3: opts.gcThresh3 ?? 1024,
    };
    this.tbl = new NeighTable<number>(cfg, this.clock, { random: opts.random ?? fixedRandom(0.5) });
    this.unsubscribe = this.tbl.subscribe((ev) => this.events.push(ev));
  }

  private construct(n: Neighbour<number>, opts: FakeOptions): number {
    if (opts.failKeyZero && n.primaryKey === 0) return -opts.failKeyZero;
    const dev = n.dev;
    if (!dev.headerOps) {
      n.ops = this.directOps;
      n.output = neighDirectOutput;
      return 0;
    }
    if (opts.noarpKeys?.has(n.primaryKey)) {
      n.nudState = NUD_NOARP;
      n.ha.fill(n.primaryKey & 0xff);
    }
    n.ops = dev.headerOps.cache ? this.hhOps : this.genericOps;
    n.output = n.nudState & NUD_VALID ? n.ops.connectedOutput : n.ops.output;
    return 0;
  }

  /** Frames sent on dev: payload tag (after the 14-byte header) and destination MAC. */
  sent(dev: FakeEthDevice = this.dev): { tag: string; dst: string }[] {
    return dev.frames.map((f) => ({ tag: tagOf(f.skb) ?? '?', dst: macStr(f.bytes) }));
  }

  /** Forgets everything recorded so far. */
  reset(): void {
    this.solicits.length = 0;
    this.errorReports.length = 0;
    this.events.length = 0;
    for (const d of [this.dev, this.dev2, this.devGen, this.devRaw]) d.frames.length = 0;
  }

  /** Creates and holds an entry (as a route would). */
  neigh(key: number, dev: NetDevice = this.dev): Neighbour<number> {
    const n = this.tbl.create(key, dev);
    if (typeof n === 'number') throw new Error(`create failed: ${n}`);
    return n;
  }
}
