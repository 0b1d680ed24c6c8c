// The Stack: one namespace's devices, clock, IPv4 family and neighbour table behind one object —
// the library API that the CLI and the control channel are thin layers on.
import { EventEmitter } from 'node:events';
import { Clock, RealClock } from './core/clock.js';
import { EINVAL, ENODEV, StackError } from './core/errno.js';
import { Net } from './core/net.js';
import { NetDevice } from './core/netdevice.js';
import { Inet } from './ipv4/af_inet.js';
import { formatIPv4, parseCidr, parseIPv4 } from './ipv4/inet_addr.js';
import { ping, PingOptions, PingResult } from './ipv4/ping.js';
import { FibRoute } from './ipv4/fib.js';
import { ACD_RFC5227, Acd, AcdResult, AcdTiming } from './ipv4/acd.js';
import type { NeighSnapshot } from './neighbour/table.js';

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

export class Stack extends EventEmitter {
  readonly clock: Clock;
  readonly net: Net;
  readonly inet: Inet;
  private closed = false;
  /** Only a clock the stack created is stopped on close; a caller's may drive other stacks. */
  private readonly ownsClock: boolean;
  private readonly unsubscribe: () => void;

  constructor(opts: StackOptions = {}) {
    super();
    this.ownsClock = opts.clock === undefined;
    this.clock = opts.clock ?? new RealClock();
    this.net = new Net(this.clock);
    this.inet = new Inet(this.net, { random: opts.random });
    this.unsubscribe = this.inet.arp.tbl.subscribe((ev) => this.emit('neigh', ev as NeighEvent));
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

  /** Stops timers and releases every device. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const dev of this.net.deviceList) {
      this.net.unregisterNetdevice(dev);
      dev.destroy();
    }
    this.inet.close();
    if (this.ownsClock && this.clock instanceof RealClock) this.clock.stop();
  }
}
