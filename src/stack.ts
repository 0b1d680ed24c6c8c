// The Stack: one namespace's devices, clock, IPv4 family and neighbour table behind one object —
// the library API that the CLI and the control channel are thin layers on.
import { EventEmitter } from 'node:events';
import { Clock, RealClock } from './core/clock.js';
import { EINVAL, ENODEV, ENOENT, StackError, strerror } from './core/errno.js';
import { Net } from './core/net.js';
import { IFF_NOARP, IFF_UP, NetDevice } from './core/netdevice.js';
import { Inet } from './ipv4/af_inet.js';
import { formatIPv4, parseCidr, parseIPv4 } from './ipv4/inet_addr.js';
import { ping, PingOptions, PingResult } from './ipv4/ping.js';
import { FibRoute } from './ipv4/fib.js';
import { ACD_RFC5227, Acd, AcdResult, AcdTiming } from './ipv4/acd.js';
import type { NeighSnapshot, PneighSnapshot } from './neighbour/table.js';
import { NTF_EXT_LEARNED, NTF_MANAGED, NTF_PROXY, NTF_ROUTER, NTF_USE, NUD_PERMANENT, NUD_VALID } from './neighbour/nud.js';
import { NeighParms, NeighParmName, setUnresQlen } from './neighbour/parms.js';
import { ntableView, NtableView } from './neighbour/tbl_info.js';
import { formatMac, parseMac } from './ethernet/mac.js';

export interface StackOptions {
  /** Time source; a RealClock by default. Tests pass a ManualClock. */
  clock?: Clock;
  /** Randomness for reachable_time, hash seeds and proxy delays (tests make it deterministic). */
  random?: () => number;
}

export interface NeighEvent {
  type: 'newneigh' | 'delneigh' | 'miss';
  neigh: NeighSnapshot;
}

/** One `ip neigh add|change|replace|del` request, in the terms iproute2 uses. */
export interface NeighRequest {
  dst: string;
  /** Required except for a proxy entry that applies to every device. */
  dev?: string | null;
  lladdr?: string | null;
  /** NUD_* bits; `ip neigh add` defaults to NUD_PERMANENT. */
  state?: number;
  router?: boolean;
  proxy?: boolean;
  externLearn?: boolean;
  managed?: boolean;
  /** NTF_USE: as if traffic used the entry (starts resolution). */
  use?: boolean;
  protocol?: number;
}

/** NLM_F_CREATE / NLM_F_EXCL / NLM_F_REPLACE, as `ip neigh add` (create+excl), `change` (replace), `replace` (create+replace). */
export interface NeighWriteMode {
  create?: boolean;
  excl?: boolean;
  replace?: boolean;
}

/** `ip ntable change` (RTM_SETNEIGHTBL): thresholds for the table, parms (ms) for the default or a device. */
export interface NtableChange {
  name?: string;
  dev?: string | null;
  thresh1?: number;
  thresh2?: number;
  thresh3?: number;
  gcIntervalMs?: number;
  /** NeighParms names in milliseconds/counts; `queueLen` is the packet form of queueLenBytes. */
  parms?: Partial<Record<NeighParmName | 'queueLen', number>>;
}

export interface LinkInfo {
  ifindex: number;
  name: string;
  address: string;
  mtu: number;
  up: boolean;
  noarp: boolean;
  carrier: boolean;
  addrs: string[];
}

export interface LinkChange {
  address?: string;
  arp?: boolean;
  up?: boolean;
  mtu?: number;
}

const errnoError = (rc: number, what?: string): StackError => new StackError(-rc, what ?? strerror(-rc));

/** The extended-ack texts neigh_add()/__neigh_update() attach to their EINVALs. */
function neighAddExtack(rc: number, state: number, flags: number, lladdr: Buffer | null, oldState: number): string | undefined {
  if (rc !== -EINVAL) return undefined;
  if (flags & NTF_MANAGED && state & NUD_PERMANENT) return 'Invalid NTF_* flag for permanent entry';
  if (!lladdr && state & NUD_VALID && !(oldState & NUD_VALID)) return 'No link layer address given';
  return undefined;
}

export class Stack extends EventEmitter {
  readonly clock: Clock;
  readonly net: Net;
  readonly inet: Inet;
  private closed = false;
  /** Only a clock the stack created is stopped on close; a caller's may drive other stacks. */
  private readonly ownsClock: boolean;
  /** Set while someone listens for 'neigh': the table builds event snapshots only then. */
  private unsubscribe: (() => void) | null = null;

  constructor(opts: StackOptions = {}) {
    super();
    this.ownsClock = opts.clock === undefined;
    this.clock = opts.clock ?? new RealClock();
    this.net = new Net(this.clock);
    this.inet = new Inet(this.net, { random: opts.random });
    this.on('newListener', (ev: string | symbol) => {
      if (ev === 'neigh' && this.unsubscribe === null) {
        this.unsubscribe = this.inet.arp.tbl.subscribe((e) => this.emit('neigh', e as NeighEvent));
      }
    });
    this.on('removeListener', (ev: string | symbol) => {
      if (ev === 'neigh' && this.listenerCount('neigh') === 0 && this.unsubscribe !== null) {
        this.unsubscribe?.();
    this.unsubscribe = null;
        this.unsubscribe = null;
      }
    });
  }

  /** Registers a device and brings it up unless `up: false`. */
  addDevice<D extends NetDevice>(dev: D, opts: { up?: boolean } = {}): D {
    this.net.registerNetdevice(dev);
    if (opts.up !== false) this.net.devOpen(dev);
    return dev;
  }

  device(name: string): NetDevice {
    const d = this.net.devGetByName(name);
    if (!d) throw new StackError(ENODEV, `Cannot find device "${name}"`);
    return d;
  }

  /** `ip addr add A/N dev DEV`. */
  addAddress(dev: NetDevice | string, cidr: string): void {
    const d = typeof dev === 'string' ? this.device(dev) : dev;
    const p = parseCidr(cidr);
    if (!p) throw new StackError(EINVAL, `invalid address "${cidr}": expected A.B.C.D/N`);
    this.inet.addAddress(d, p.addr, p.prefixLen);
  }

  /**
   * Claims an address the RFC 5227 way: probe the link (as `arping -D` would), and only when
   * nobody answers configure it and announce it twice. Rejects with EADDRINUSE naming the MAC
   * that holds the address. `timing` shortens the RFC's 1-2 s intervals.
   */
  async claimAddress(dev: NetDevice | string, cidr: string, timing?: Partial<AcdTiming>): Promise<AcdResult> {
    const d = typeof dev === 'string' ? this.device(dev) : dev;
    const p = parseCidr(cidr);
    if (!p) throw new StackError(EINVAL, `invalid address "${cidr}": expected A.B.C.D/N`);
    const t = { ...ACD_RFC5227, ...timing };
    const r = await this.inet.acd.probe(d, p.addr, t);
    if (r.conflict) throw Acd.conflictError(r);
    this.inet.addAddress(d, p.addr, p.prefixLen);
    this.inet.acd.announce(d, p.addr, t);
    return r;
  }

  /** `ip route add {default|A/N} via GW [dev DEV]`; the device defaults to the one reaching GW. */
  addRoute(dst: string, via: string | null, dev?: NetDevice | string): FibRoute {
    const p = dst === 'default' ? { addr: 0, prefixLen: 0 } : parseCidr(dst);
    if (!p) throw new StackError(EINVAL, `invalid prefix "${dst}"`);
    const gw = via === null ? 0 : parseIPv4(via);
    if (gw === null) throw new StackError(EINVAL, `invalid gateway "${via}"`);
    let d = typeof dev === 'string' ? this.device(dev) : dev;
    if (!d) {
      if (!gw) throw new StackError(EINVAL, 'a route without a gateway needs a device');
      const r = this.inet.fib.lookup(gw);
      if (!r || r.gw !== 0) throw new StackError(EINVAL, `Nexthop has invalid gateway: ${formatIPv4(gw)} is not on a connected network`);
      d = r.dev;
    }
    return this.inet.fib.addRoute({ dst: p.addr, prefixLen: p.prefixLen, gw, dev: d });
  }

  /** Sends ICMP echo requests from the stack itself, like iputils ping. */
  ping(dst: string, opts: PingOptions = {}): Promise<PingResult> {
    const a = parseIPv4(dst);
    if (a === null) return Promise.reject(new StackError(EINVAL, `ping: ${dst}: Name or service not known`));
    return ping(this.inet, a, opts);
  }

  /** The neighbour table as `ip neigh show` sees it (every entry, NONE included). */
  neighbours(): NeighSnapshot[] {
    const tbl = this.inet.arp.tbl;
    const out: NeighSnapshot[] = [];
    tbl.forEach((n) => out.push(tbl.snapshot(n)));
    return out;
  }

  // ---- neighbour management (rtnetlink RTM_*NEIGH, RTM_*NEIGHTBL) ----------------------------

  private devOrNull(name: string | null | undefined): NetDevice | null {
    return name === undefined || name === null ? null : this.device(name);
  }

  private neighKey(dst: string): number {
    const k = parseIPv4(dst);
    if (k === null) throw new StackError(EINVAL, `Invalid address "${dst}"`);
    return k;
  }

  /** RTM_NEWNEIGH with explicit NLM_F_* semantics; throws a StackError carrying the errno. */
  neighWrite(r: NeighRequest, mode: NeighWriteMode): void {
    const key = this.neighKey(r.dst);
    const dev = this.devOrNull(r.dev);
    let lladdr: Buffer | null = null;
    if (r.lladdr !== undefined && r.lladdr !== null) {
      lladdr = parseMac(r.lladdr);
      if (!lladdr) throw new StackError(EINVAL, `"${r.lladdr}" is invalid lladdr.`);
    }
    const flags = (r.router ? NTF_ROUTER : 0) | (r.proxy ? NTF_PROXY : 0) | (r.externLearn ? NTF_EXT_LEARNED : 0) |
      (r.managed ? NTF_MANAGED : 0) | (r.use ? NTF_USE : 0);
    const state = r.state ?? NUD_PERMANENT;
    const tbl = this.inet.arp.tbl;
    const before = dev && !r.proxy ? tbl.lookupNoref(key, dev) : null;
    const rc = tbl.neighAdd(key, dev, { state, lladdr, flags, protocol: r.protocol, ...mode });
    if (rc < 0) throw errnoError(rc, neighAddExtack(rc, state, flags, lladdr, before?.nudState ?? 0));
  }

  /** `ip neigh add`: fails with EEXIST when the entry exists. */
  neighAdd(r: NeighRequest): void {
    this.neighWrite(r, { create: true, excl: true });
  }

  /** `ip neigh change`: the entry must exist (ENOENT otherwise). */
  neighChange(r: NeighRequest): void {
    this.neighWrite(r, { replace: true });
  }

  /** `ip neigh replace`: create or overwrite. */
  neighReplace(r: NeighRequest): void {
    this.neighWrite(r, { create: true, replace: true });
  }

  /** `ip neigh del` (RTM_DELNEIGH). */
  neighDel(r: Pick<NeighRequest, 'dst' | 'dev' | 'proxy'>): void {
    const rc = this.inet.arp.tbl.neighDelete(this.neighKey(r.dst), this.devOrNull(r.dev), r.proxy === true);
    if (rc < 0) throw errnoError(rc);
  }

  /** `ip neigh get ADDR dev DEV` (RTM_GETNEIGH for one entry). */
  neighGet(dst: string, dev: string | null, proxy = false): NeighSnapshot | PneighSnapshot {
    const tbl = this.inet.arp.tbl;
    const key = this.neighKey(dst);
    const d = this.devOrNull(dev);
    if (proxy) {
      const pn = tbl.pneighLookup(key, d, false);
      if (!pn) throw new StackError(ENOENT, strerror(ENOENT));
      return tbl.pneighSnapshot(pn);
    }
    if (d === null) throw new StackError(EINVAL, 'No device specified');
    const n = tbl.lookupNoref(key, d);
    if (!n) throw new StackError(ENOENT, strerror(ENOENT));
    return tbl.snapshot(n);
  }

  /** Proxy entries (`ip neigh show proxy`), optionally of one device. */
  proxyNeighbours(dev?: string): PneighSnapshot[] {
    const tbl = this.inet.arp.tbl;
    const d = this.devOrNull(dev);
    const out: PneighSnapshot[] = [];
    tbl.pneighForEach((pn) => {
      if (d === null || pn.dev === d) out.push(tbl.pneighSnapshot(pn));
    });
    return out;
  }

  /** The neighbour tables as `ip ntable show` sees them (tapstack has one: arp_cache). */
  ntables(): NtableView[] {
    return [ntableView(this.inet.arp.tbl, this.clock.now())];
  }

  /** `ip ntable change` (RTM_SETNEIGHTBL). Parms written here do not flow to devices, as in the kernel. */
  ntableChange(c: NtableChange): void {
    const tbl = this.inet.arp.tbl;
    if (c.name !== undefined && c.name !== tbl.id) throw new StackError(ENOENT, strerror(ENOENT));
    const parms: NeighParms = c.dev === undefined || c.dev === null ? tbl.parms : tbl.parmsFor(this.device(c.dev));
    if (c.dev && parms === tbl.parms) throw new StackError(ENOENT, strerror(ENOENT));
    for (const [k, v] of [['thresh1', c.thresh1], ['thresh2', c.thresh2], ['thresh3', c.thresh3], ['gcIntervalMs', c.gcIntervalMs]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)) throw new StackError(EINVAL, `${k} must be a non-negative integer`);
    }
    for (const [k, v] of Object.entries(c.parms ?? {})) {
      if (k !== 'queueLen' && !(NeighParms.NAMES as readonly string[]).includes(k)) throw new StackError(EINVAL, `unknown neighbour parameter "${k}"`);
      if (!Number.isInteger(v) || (v as number) < 0) throw new StackError(EINVAL, `${k} must be a non-negative integer`);
    }
    if (c.thresh1 !== undefined) tbl.gcThresh1 = c.thresh1;
    if (c.thresh2 !== undefined) tbl.gcThresh2 = c.thresh2;
    if (c.thresh3 !== undefined) tbl.gcThresh3 = c.thresh3;
    if (c.gcIntervalMs !== undefined) tbl.gcInterval = c.gcIntervalMs;
    for (const [k, v] of Object.entries(c.parms ?? {})) {
      if (k === 'queueLen') setUnresQlen(parms, v as number, false);
      else parms.set(k as NeighParmName, v as number, false);
    }
  }

  // ---- links (RTM_GETLINK / RTM_SETLINK) -------------------------------------------------------

  links(): LinkInfo[] {
    return this.net.deviceList.map((d) => ({
      ifindex: d.ifindex,
      name: d.name,
      address: formatMac(d.devAddr),
      mtu: d.mtu,
      up: d.isUp,
      noarp: (d.flags & IFF_NOARP) !== 0,
      carrier: d.carrier,
      addrs: (this.inet.inDevices().find((i) => i.dev === d)?.ifaList ?? []).map((a) => `${formatIPv4(a.local)}/${a.prefixLen}`),
    }));
  }

  /** `ip link set dev DEV [address MAC] [arp on|off] [mtu N] [up|down]`, each through its device event. */
  linkSet(dev: string, c: LinkChange): void {
    const d = this.device(dev);
    let mac: Buffer | null = null;
    if (c.address !== undefined) {
      mac = parseMac(c.address);
      if (!mac || mac[0] & 1) throw new StackError(EINVAL, `"${c.address}" is invalid lladdr.`);
    }
    if (mac) this.net.devSetMacAddress(d, mac);
    if (c.mtu !== undefined) this.net.devSetMtu(d, c.mtu);
    if (c.arp !== undefined) this.net.devChangeFlags(d, c.arp ? d.flags & ~IFF_NOARP : d.flags | IFF_NOARP);
    if (c.up === true && !(d.flags & IFF_UP)) this.net.devOpen(d);
    if (c.up === false && d.flags & IFF_UP) this.net.devClose(d);
  }

  /** Stops timers and releases every device. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const dev of this.net.deviceList) {
      this.net.unregisterNetdevice(dev);
      dev.destroy();
    }
    this.inet.close();
    if (this.ownsClock && this.clock instanceof RealClock) this.clock.stop();
  }
}
