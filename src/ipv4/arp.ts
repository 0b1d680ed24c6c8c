// ARP for IPv4 over the generic neighbour table (net/ipv4/arp.c): arp_tbl, arp_constructor,
// arp_solicit, arp_error_report, arp_create/arp_send, arp_rcv, arp_process and their policies.
import { ENOBUFS, EINVAL } from '../core/errno.js';
import { IFF_LOOPBACK, IFF_NOARP, IFF_POINTOPOINT, NetDevice } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, LL_RESERVED_SPACE_ETH, PACKET_HOST, PACKET_LOOPBACK, PACKET_OTHERHOST, SkBuff, allocSkb } from '../core/skbuff.js';
import { ETH_P_ARP, ETH_P_IP } from '../ethernet/ethhdr.js';
import { devHardHeader } from '../core/netdevice.js';
import {
  NEIGH_UPDATE_F_OVERRIDE,
  NUD_NOARP,
  NUD_REACHABLE,
  NUD_STALE,
} from '../neighbour/nud.js';
import {
  Neighbour,
  neighAppNs,
  neighEventNs,
  neighRelease,
  neighUpdate,
} from '../neighbour/neighbour.js';
import { NeighOps, NeighTable } from '../neighbour/table.js';
import { LOCALLY_ENQUEUED } from '../neighbour/pneigh.js';
import { type NeighOpsSet, neighConstructDirect, neighConstructOps, neighOpsSet } from '../neighbour/ops.js';
import type { NeighParmsValues } from '../neighbour/parms.js';
import {
  ARPHRD_ETHER,
  ARPHRD_IEEE802,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ARP_DROP_BAD_HLN,
  ARP_DROP_BAD_PLN,
  arpHdrLen,
  arpHeaderCheck,
  arpHln,
  arpHrd,
  arpOp,
  arpPro,
  arpSip,
  arpTip,
  writeArp,
} from './arphdr.js';
import { InDevice, RT_SCOPE_HOST, RT_SCOPE_LINK, inDevGet, inetSelectAddr } from './devinet.js';
import { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST } from './fib.js';
import { ipv4MulticastToMac, isLoopback, isMulticast } from './inet_addr.js';
import { ipSaddr } from './iphdr.js';
import type { Inet } from './af_inet.js';

export const AF_INET = 2;

export { LOCALLY_ENQUEUED };

/** Every ARP frame the stack does not act on lands in exactly one of these counters. */
export interface ArpDrops {
  /** Frames received on an IFF_NOARP device (arp_rcv drops them). */
  noarpDevice: number;
  /** Frames addressed to another host's MAC (PACKET_OTHERHOST). */
  otherhost: number;
  /** Our own frames looped back to us (PACKET_LOOPBACK). */
  looped: number;
  /** Frames shorter than the ARP header plus both address pairs for this device. */
  truncated: number;
  /** ar_hln differs from the device's address length. */
  badHln: number;
  /** ar_pln is not 4. */
  badPln: number;
  /** The device has no IPv4 state (in_device), e.g. while it is being unregistered. */
  noInDevice: number;
  /** ar_hrd is neither Ethernet nor IEEE 802, or ar_pro is not IPv4. */
  badHrdOrPro: number;
  /** ar_op is neither REQUEST nor REPLY (RARP, InARP, ...). */
  badOpcode: number;
  /** Target IP is multicast. */
  tipMulticast: number;
  /** Target IP is in 127/8. */
  tipLoopback: number;
  /** Gratuitous ARP (sender IP = target IP) dropped by drop_gratuitous_arp. */
  gratuitousDropped: number;
  /** Requests not answered: arp_ignore said no, or a DAD probe (sender 0.0.0.0) not for our address. */
  ignored: number;
  /** Requests for our address not answered: arp_filter (no route back through the input device). */
  filtered: number;
  /** Neither for us nor proxied, and no entry to refresh or create (arp_accept); DAD replies too. */
  unsolicited: number;
}

/** ARP packets in and out (`arp.*`), and every ARP drop by reason. */
export interface ArpStats {
  /** ARP requests that passed the header checks, whatever arp_process then did with them. */
  rxRequests: number;
  /** ARP replies that passed the header checks, whatever arp_process then did with them. */
  rxReplies: number;
  /** Requests handed to the device (arp_send): solicitations, announcements, ACD probes. */
  txRequests: number;
  /** Replies handed to the device: for our addresses, DAD probes and proxied requests. */
  txReplies: number;
  /** Requests answered for another host (proxy_arp, proxy_arp_pvlan or a pneigh entry). */
  proxied: number;
  /** Frames not acted on, by reason (`arp.drops.*`). */
  drops: ArpDrops;
}

/** The arp_tbl defaults (net/ipv4/arp.c), the values `ip ntable show` prints. */
export const ARP_TBL_DEFAULTS: Readonly<NeighParmsValues> = Object.freeze({
  mcastProbes: 3,
  ucastProbes: 3,
  appProbes: 0,
  mcastReprobes: 0,
  retransTime: 1000,
  baseReachableTime: 30000,
  delayProbeTime: 5000,
  intervalProbeTimeMs: 5000,
  gcStaletime: 60000,
  queueLenBytes: 212992,
  proxyQlen: 64,
  anycastDelay: 1000,
  proxyDelay: 800,
  locktime: 1000,
});

function hashU32(key: number, dev: NetDevice, rnd: number): number {
  // arp_hashfn: mix the device in, then a multiplicative hash keyed by the table's random.
  return Math.imul((key ^ Math.imul(dev.ifindex, 0x9e3779b1)) | 0, rnd | 1) >>> 0;
}

const keyEq = (a: number, b: number): boolean => a === b;

export class Arp {
  readonly tbl: NeighTable<number>;
  readonly stats: ArpStats = {
    rxRequests: 0, rxReplies: 0, txRequests: 0, txReplies: 0, proxied: 0,
    drops: {
      noarpDevice: 0, otherhost: 0, looped: 0, truncated: 0, badHln: 0, badPln: 0, noInDevice: 0,
      badHrdOrPro: 0, badOpcode: 0, tipMulticast: 0, tipLoopback: 0, gratuitousDropped: 0,
      ignored: 0, filtered: 0, unsolicited: 0,
    },
  };

  /** arp_hh_ops: header-caching links; both outputs resolve, the fast path skips them when CONNECTED. */
  readonly hhOps: NeighOps<number>;
  /** arp_generic_ops: links that cannot cache headers. */
  readonly genericOps: NeighOps<number>;
  /** arp_direct_ops: links without headers at all. */
  readonly directOps: NeighOps<number>;
  private readonly opsSet: NeighOpsSet<number>;

  constructor(private readonly inet: Inet, random?: () => number) {
    const solicit = (n: Neighbour<number>, skb: SkBuff | null): void => this.solicit(n, skb);
    const errorReport = (n: Neighbour<number>, skb: SkBuff): void => this.errorReport(n, skb);
    this.opsSet = neighOpsSet<number>(AF_INET, solicit, errorReport);
    this.hhOps = this.opsSet.hh;
    this.genericOps = this.opsSet.generic;
    this.directOps = this.opsSet.direct;
    this.tbl = new NeighTable<number>(
      {
        id: 'arp_cache',
        family: AF_INET,
        keyLen: 4,
        protocol: ETH_P_IP,
        hash: hashU32,
        keyEq,
        formatKey: (k: number) => inet.formatAddr(k),
        constructor: (n: Neighbour<number>) => this.constructNeigh(n),
        proxyRedo: (skb: SkBuff) => this.process(skb),
        isMulticast: (k: number) => isMulticast(k),
        defaults: ARP_TBL_DEFAULTS,
        gcInterval: 30000,
        gcThresh1: 128,
        gcThresh2: 512,
        gcThresh3: 1024,
      },
      inet.net.clock,
      random ? { random } : undefined,
    );
  }

  // ---- neighbour construction and solicitation ----------------------------------------------

  /**
   * arp_constructor(): pick ops by what the link can do and settle addresses that need no
   * resolution — multicast maps arithmetically, NOARP/loopback links use their own address,
   * broadcast and point-to-point use the broadcast address.
   */
  private constructNeigh(n: Neighbour<number>): number {
    const dev = n.dev;
    const addr = n.primaryKey;
    const inDev = inDevGet(dev);
    if (!inDev) return -EINVAL;
    n.type = this.inet.fib.addrType(addr);
    n.parms = inDev.arpParms;
    if (neighConstructDirect(n, this.opsSet)) return 0;
    if (n.type === RTN_MULTICAST) {
      n.nudState = NUD_NOARP;
      ipv4MulticastToMac(addr, n.ha, 0);
    } else if (dev.flags & (IFF_NOARP | IFF_LOOPBACK)) {
      n.nudState = NUD_NOARP;
      dev.devAddr.copy(n.ha, 0, 0, dev.addrLen);
    } else if (n.type === RTN_BROADCAST || dev.flags & IFF_POINTOPOINT) {
      n.nudState = NUD_NOARP;
      dev.broadcast.copy(n.ha, 0, 0, dev.addrLen);
    }
    neighConstructOps(n, this.opsSet);
    return 0;
  }

  /**
   * arp_solicit(): "unicast probes first, to the address we already know; then app probes
   * (a miss for userspace); then broadcast". The source address follows arp_announce.
   */
  solicit(n: Neighbour<number>, skb: SkBuff | null): void {
    const dev = n.dev;
    const target = n.primaryKey;
    const inDev = inDevGet(dev);
    if (!inDev) return;
    let saddr = this.announceSource(inDev, target, skb);
    if (saddr === 0) saddr = inetSelectAddr(inDev, target, RT_SCOPE_LINK);
    let probes = n.probes - n.parms.ucastProbes;
    let dstHw: Buffer | null = null;
    if (probes < 0) {
      dstHw = n.ha;
    } else {
      probes -= n.parms.appProbes;
      if (probes < 0) {
        neighAppNs(n);
        return;
      }
    }
    this.send(ARPOP_REQUEST, target, dev, saddr, dstHw, null, null);
  }

  /** arp_announce: which source IP our requests may reveal. */
  private announceSource(inDev: InDevice, target: number, skb: SkBuff | null): number {
    const fib = this.inet.fib;
    const dev = inDev.dev;
    switch (this.inet.conf.effective(inDev.cnf, 'arp_announce')) {
      case 1: {
        // "Restrict announcements of saddr in same subnet": only a local source the target can reach on-link.
        if (!skb) return 0;
        const saddr = ipSaddr(skb.buf, skb.networkHeader);
        if (fib.addrType(saddr) === RTN_LOCAL && inetAddrOnlink(inDev, target, saddr)) return saddr;
        return 0;
      }
      case 2:
        // "Avoid secondary IPs, get a primary/preferred one".
        return 0;
      default: {
        // "By default announce any local IP".
        if (!skb) return 0;
        const saddr = ipSaddr(skb.buf, skb.networkHeader);
        return fib.addrType(saddr) === RTN_LOCAL ? saddr : 0;
      }
    }
  }

  /** arp_error_report() → ipv4_link_failure(): tell the sender the host is unreachable. */
  private errorReport(_n: Neighbour<number>, skb: SkBuff): void {
    this.inet.linkFailure(skb);
  }

  // ---- transmit -----------------------------------------------------------------------------

  /** arp_create(): null destHw means broadcast, null srcHw our address, null targetHw zeros. */
  create(
    op: number,
    destIp: number,
    dev: NetDevice,
    srcIp: number,
    destHw: Buffer | null,
    srcHw: Buffer | null,
    targetHw: Buffer | null,
  ): SkBuff | null {
    const len = arpHdrLen(dev.addrLen);
    // Charged as arp_create()'s alloc_skb(arp_hdr_len(dev) + LL_RESERVED_SPACE(dev) + tailroom).
    const skb = allocSkb(len, LL_RESERVED_SPACE, len + LL_RESERVED_SPACE_ETH);
    skb.resetNetworkHeader();
    const off = skb.put(len);
    skb.dev = dev;
    skb.protocol = ETH_P_ARP;
    const sha = srcHw ?? dev.devAddr;
    if (devHardHeader(skb, dev, ETH_P_ARP, destHw ?? dev.broadcast, sha, len) < 0) return null;
    writeArp(skb.buf, off, op, sha, 0, srcIp, targetHw, 0, destIp);
    // writeArp fills Ethernet's hardware type; other link types carry their own (dev->type).
    if (dev.type !== ARPHRD_ETHER) skb.buf.writeUInt16BE(dev.type, off);
    return skb;
  }

  /** arp_send(): nothing goes out on a NOARP link. */
  send(
    op: number,
    destIp: number,
    dev: NetDevice,
    srcIp: number,
    destHw: Buffer | null,
    srcHw: Buffer | null,
    targetHw: Buffer | null,
  ): number {
    if (dev.flags & IFF_NOARP) return 0;
    const skb = this.create(op, destIp, dev, srcIp, destHw, srcHw, targetHw);
    if (!skb) return -ENOBUFS;
    if (op === ARPOP_REQUEST) this.stats.txRequests++;
    else if (op === ARPOP_REPLY) this.stats.txReplies++;
    return this.inet.net.devQueueXmit(skb);
  }

  // ---- receive ------------------------------------------------------------------------------

  /** arp_rcv(): cheap sanity checks before the real work. */
  rcv(skb: SkBuff, dev: NetDevice): void {
    const d = this.stats.drops;
    if (dev.flags & IFF_NOARP) {
      d.noarpDevice++;
      return;
    }
    if (skb.pktType === PACKET_OTHERHOST) {
      d.otherhost++;
      return;
    }
    if (skb.pktType === PACKET_LOOPBACK) {
      d.looped++;
      return;
    }
    const reason = arpHeaderCheck(skb.buf, skb.data, skb.len, dev.addrLen);
    if (reason !== 0) {
      if (reason === ARP_DROP_BAD_HLN) d.badHln++;
      else if (reason === ARP_DROP_BAD_PLN) d.badPln++;
      else d.truncated++;
      return;
    }
    skb.cb = 0;
    this.process(skb);
  }

  /**
   * arp_process(): "send a reply if it is a request for us or for someone we proxy; add an entry
   * to the cache if it is a reply to us or a request for our address".
   */
  process(skb: SkBuff): void {
    const dev = skb.dev!;
    const d = this.stats.drops;
    const inDev = inDevGet(dev);
    if (!inDev) {
      d.noInDevice++;
      return;
    }
    const b = skb.buf;
    const a = skb.data;
    const hrd = arpHrd(b, a);
    if ((hrd !== ARPHRD_ETHER && hrd !== ARPHRD_IEEE802) || arpPro(b, a) !== ETH_P_IP) {
      d.badHrdOrPro++;
      return;
    }
    const op = arpOp(b, a);
    if (op !== ARPOP_REPLY && op !== ARPOP_REQUEST) {
      d.badOpcode++;
      return;
    }
    if (op === ARPOP_REQUEST) this.stats.rxRequests++;
    else this.stats.rxReplies++;
    const hln = arpHln(b, a);
    const shaOff = a + 8;
    const thaOff = a + 8 + hln + 4;
    const sip = arpSip(b, a, hln);
    const tip = arpTip(b, a, hln);
    const conf = this.inet.conf;
    const fib = this.inet.fib;
    // An address being probed (RFC 5227) hears every ARP packet, whatever happens to it below.
    if (this.inet.acd.active) this.inet.acd.observe(dev, op, sip, tip, b.subarray(shaOff, shaOff + hln));

    if (isMulticast(tip)) {
      d.tipMulticast++;
      return;
    }
    if (isLoopback(tip)) {
      d.tipLoopback++;
      return;
    }
    // "gratuitous ARP frames are attacks" on some wireless deployments.
    if (sip === tip && conf.effective(inDev.cnf, 'drop_gratuitous_arp')) {
      d.gratuitousDropped++;
      return;
    }
    const sha = b.subarray(shaOff, shaOff + hln);

    // RFC 2131/5227 duplicate address detection: answer for our address, never touch the cache.
    if (sip === 0) {
      if (op === ARPOP_REQUEST && fib.addrType(tip) === RTN_LOCAL && !this.ignore(inDev, sip, tip)) {
        this.send(ARPOP_REPLY, sip, dev, tip, sha, dev.devAddr, sha);
      } else if (op === ARPOP_REQUEST) {
        d.ignored++;
      } else {
        d.unsolicited++;
      }
      return;
    }

    if (op === ARPOP_REQUEST) {
      const rt = this.inet.routeInputForArp(tip, sip, dev);
      if (rt.type === RTN_LOCAL) {
        let dontSend = this.ignore(inDev, sip, tip);
        if (dontSend) d.ignored++;
        else if (conf.effective(inDev.cnf, 'arp_filter') && this.filter(sip, tip, dev)) {
          dontSend = true;
          d.filtered++;
        }
        if (!dontSend) {
          const n = neighEventNs(this.tbl, sha, sip, dev);
          if (n) {
            this.send(ARPOP_REPLY, sip, dev, tip, sha, dev.devAddr, sha);
            neighRelease(n);
          }
        }
        return;
      }
      if (conf.effective(inDev.cnf, 'forwarding') && rt.type === RTN_UNICAST && rt.dev) {
        if (this.fwdProxy(inDev, dev, rt.dev) || this.fwdPvlan(inDev, dev, rt.dev, sip, tip) ||
            (rt.dev !== dev && this.tbl.pneighLookup(tip, dev, false))) {
          const n = neighEventNs(this.tbl, sha, sip, dev);
          if (n) neighRelease(n);
          if (skb.cb & LOCALLY_ENQUEUED || skb.pktType === PACKET_HOST || inDev.arpParms.proxyDelay === 0) {
            this.stats.proxied++;
            this.send(ARPOP_REPLY, sip, dev, tip, sha, dev.devAddr, sha);
          } else {
            skb.cb |= LOCALLY_ENQUEUED;
            this.tbl.pneighEnqueue(skb.own(), inDev.arpParms);
          }
          return;
        }
      }
    }

    // Update our ARP tables.
    let n = this.tbl.lookup(sip, dev);
    let addrType = -1;
    let isGarp = false;
    const accept = this.accept(inDev, sip);
    if (n || accept) {
      // Gratuitous: sender == target; a gratuitous reply also repeats its MAC as target.
      isGarp = tip === sip;
      if (isGarp && op === ARPOP_REPLY) isGarp = b.compare(b, shaOff, shaOff + hln, thaOff, thaOff + hln) === 0;
      if (isGarp) {
        addrType = fib.addrType(sip);
        if (addrType !== RTN_UNICAST) isGarp = false;
      }
    }
    // "Unsolicited ARP is not accepted by default."
    if (accept && !n) {
      if (isGarp || (op === ARPOP_REPLY && (addrType === RTN_UNICAST || (addrType < 0 && fib.addrType(sip) === RTN_UNICAST)))) {
        // __neigh_lookup(..., creat = 1): a second counted lookup before the entry is created.
        n = this.tbl.lookupCreate(sip, dev, true);
      }
    }
    if (!n) {
      d.unsolicited++;
      return;
    }
    // "If several different ARP replies follow back-to-back, use the FIRST one": only override
    // after locktime, unless gratuitous. Broadcast replies and requests do not prove reachability.
    const now = this.inet.net.clock.now();
    const override = now > n.updated + n.parms.locktime || isGarp;
    const state = op !== ARPOP_REPLY || skb.pktType !== PACKET_HOST ? NUD_STALE : NUD_REACHABLE;
    neighUpdate(n, sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0, 0);
    // lookup/create handed us a reference; holding it would keep the entry from GC and deletion.
    neighRelease(n);
  }

  /** arp_ifdown(): neigh_ifdown(&arp_tbl, dev) — every entry and proxy entry of the device goes. */
  ifdown(dev: NetDevice): void {
    this.tbl.ifdown(dev);
  }

  // ---- policies -----------------------------------------------------------------------------

  /** arp_ignore: 1 = tip on the input device, 2 = and sip in its subnet, 3 = not host scope, 8 = never. */
  ignore(inDev: InDevice, sip: number, tip: number): boolean {
    let scope: number;
    let dev: InDevice | null = inDev;
    switch (this.inet.conf.effective(inDev.cnf, 'arp_ignore')) {
      case 1:
        sip = 0;
        scope = RT_SCOPE_HOST;
        break;
      case 2:
        scope = RT_SCOPE_HOST;
        break;
      case 3:
        sip = 0;
        scope = RT_SCOPE_LINK;
        dev = null;
        break;
      case 8:
        return true;
      default:
        return false;
    }
    return this.inet.confirmAddr(dev, sip, tip, scope) === 0;
  }

  /** arp_accept: 0 never create from unsolicited ARP, 1 yes, 2 only for senders in our subnets. */
  accept(inDev: InDevice, sip: number): boolean {
    switch (this.inet.conf.effective(inDev.cnf, 'arp_accept')) {
      case 1:
        return true;
      case 2:
        return this.inet.confirmAddr(inDev, sip, 0, RT_SCOPE_LINK) !== 0;
      default:
        return false;
    }
  }

  /** arp_filter: reply only if our route back to the sender leaves through the input device. */
  filter(sip: number, _tip: number, dev: NetDevice): boolean {
    const rt = this.inet.fib.lookup(sip);
    return !rt || rt.dev !== dev;
  }

  /** arp_fwd_proxy: proxy_arp towards another device, restricted by medium_id. */
  private fwdProxy(inDev: InDevice, dev: NetDevice, outDev: NetDevice): boolean {
    if (outDev === dev) return false;
    const conf = this.inet.conf;
    if (!conf.effective(inDev.cnf, 'proxy_arp')) return false;
    const imi = inDev.cnf.get('medium_id');
    if (imi === 0) return true;
    if (imi === -1) return false;
    const out = inDevGet(outDev);
    const omi = out ? out.cnf.get('medium_id') : -1;
    return omi !== imi && omi !== -1;
  }

  /** arp_fwd_pvlan: RFC 3069 private VLAN — proxy back onto the same device, but not self-probes. */
  private fwdPvlan(inDev: InDevice, dev: NetDevice, outDev: NetDevice, sip: number, tip: number): boolean {
    if (outDev !== dev || sip === tip) return false;
    return this.inet.conf.effective(inDev.cnf, 'proxy_arp_pvlan') !== 0;
  }
}

/** inet_addr_onlink(): both addresses inside one subnet of the device. */
export function inetAddrOnlink(inDev: InDevice, a: number, b: number): boolean {
  for (const ifa of inDev.ifaList) {
    if (((a ^ ifa.local) & ifa.mask) === 0 && ((b ^ ifa.local) & ifa.mask) === 0) return true;
  }
  return false;
}

