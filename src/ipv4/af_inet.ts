// The IPv4 family for one namespace (net/ipv4/af_inet.c inet_init, devinet.c inetdev_event,
// arp.c arp_netdev_event): per-device state, addresses, routes, ARP, ICMP and the glue between them.
import { EHOSTUNREACH, EINVAL, StackError } from '../core/errno.js';
import type { Net, NetdevChangeInfo } from '../core/net.js';
import {
  NETDEV_CHANGE,
  NETDEV_CHANGEADDR,
  NETDEV_DOWN,
  NETDEV_NOTIFY_PEERS,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_UP,
} from '../core/net.js';
import { IFF_NOARP, NetDevice } from '../core/netdevice.js';
import { SkBuff } from '../core/skbuff.js';
import { ETH_P_ARP, ETH_P_IP } from '../ethernet/ethhdr.js';
import { ARPOP_REQUEST } from './arphdr.js';
import { Acd } from './acd.js';
import { Arp } from './arp.js';
import { Ipv4ConfTree } from './devconf.js';
import {
  InDevice,
  InIfaddr,
  inDevGet,
  inetDelIfa,
  inetInsertIfa,
  makeIfa,
} from './devinet.js';
import { Fib, FibRoute, RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST, RTN_UNREACHABLE } from './fib.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from './icmphdr.js';
import { Icmp } from './icmp.js';
import { formatIPv4, isLocalBroadcast, isLoopback, isMulticast, isZeronet } from './inet_addr.js';
import { ipLocalDeliver, ipRcv } from './ip_input.js';
import { IPPROTO_UDP, ipIhlBytes } from './iphdr.js';
import { registerIpv4Sysctl } from './sysctl.js';
import { inetGroReceive, inetGsoSegment } from './ip_offload.js';
import type { GsoTransportFn } from '../core/gso.js';
import type { GroTransportFn } from '../core/gro.js';
import { Udp } from './udp.js';

/** IPv4 counters, named after /proc/net/snmp's Ip line, plus the reasons behind each drop. */
export interface IpStats {
  /** Ip: InReceives: every IPv4 packet from a device, counted before any check. */
  inReceives: number;
  /** Ip: InHdrErrors: short or malformed header (version, IHL, total length, checksum), or TTL expired forwarding. */
  inHdrErrors: number;
  /** Ip: InCsumErrors: bad header checksum (also counted in inHdrErrors, as Linux does). */
  inCsumErrors: number;
  /** Ip: InTruncatedPkts: total length beyond the bytes received. */
  inTruncatedPkts: number;
  /** Ip: InAddrErrors: martian source or destination, or not ours with forwarding off. */
  inAddrErrors: number;
  /** Ip: InUnknownProtos: local packets for a protocol nothing handles (ICMP prot unreachable sent). */
  inUnknownProtos: number;
  /** Ip: InDelivers: local packets handed to ICMP or another protocol handler (UDP). */
  inDelivers: number;
  /** Ip: InDiscards: forwarding candidates dropped (see drops.fwdNotHost). */
  inDiscards: number;
  /** Ip: ForwDatagrams: packets forwarded, counted when handed to the output path. */
  forwDatagrams: number;
  /** Ip: InNoRoutes: packets to forward with no unicast route (ICMP net unreachable sent). */
  inNoRoutes: number;
  /** Ip: OutRequests: locally generated packets handed to output (forwarded ones not included). */
  outRequests: number;
  /** Ip: OutNoRoutes: local packets (sends, echo replies, ICMP errors) without a route. */
  outNoRoutes: number;
  /** Ip: OutDiscards: outgoing packets dropped: over the MTU, or no neighbour entry could be made. */
  outDiscards: number;
  /** Ip: ReasmFails: fragments for us, dropped because reassembly is not implemented. */
  reasmFails: number;
  /** Ip: FragFails: forwarded packets or echo replies over the MTU, which are never fragmented. */
  fragFails: number;
  /** Drops by reason (`ip.drops.*`); each also counts in one Ip counter above, unless noted. */
  drops: {
    /** Frames to another host's MAC (PACKET_OTHERHOST); in inReceives only. */
    otherhost: number;
    /** Multicast, broadcast, 0/8, 127/8 or our own (without accept_local) sources; inAddrErrors. */
    martianSource: number;
    /** Destinations in 0/8 or 127/8; inAddrErrors. */
    martianDestination: number;
    /** Multicast destinations or link-layer multicast frames (no group membership); no Ip counter. */
    multicast: number;
    /** Not ours, not broadcast, and forwarding off on the input device; inAddrErrors. */
    notForUs: number;
    /** Fragments for us (no reassembly); reasmFails. */
    fragment: number;
    /** Too big, no frag-needed sent: local sends (outDiscards); non-DF forwards, echo replies (fragFails). */
    fragNeeded: number;
    /** No neighbour entry for the next hop could be created (table full, ENOBUFS); outDiscards. */
    neighCreateFailed: number;
    /** Forwarding candidates that came as link-layer broadcast/multicast; inDiscards. */
    fwdNotHost: number;
    /** Forwarding candidates with TTL ≤ 1 (ICMP time exceeded sent); inHdrErrors. */
    ttlExceeded: number;
  };
}

export type IpProtocolHandler = (skb: SkBuff) => void;
export type RawTap = (skb: SkBuff, protocol: number) => void;

export class Inet {
  readonly fib = new Fib();
  readonly conf = new Ipv4ConfTree();
  readonly arp: Arp;
  readonly icmp: Icmp;
  readonly acd: Acd;
  /** UDP: the IPPROTO_UDP handler, its sockets' ports and counters. */
  readonly udp: Udp;
  readonly stats: IpStats = {
    inReceives: 0, inHdrErrors: 0, inCsumErrors: 0, inTruncatedPkts: 0, inAddrErrors: 0, inUnknownProtos: 0,
    inDelivers: 0, inDiscards: 0, forwDatagrams: 0, inNoRoutes: 0, outRequests: 0, outNoRoutes: 0, outDiscards: 0, reasmFails: 0, fragFails: 0,
    drops: { otherhost: 0, martianSource: 0, martianDestination: 0, multicast: 0, notForUs: 0, fragment: 0, fragNeeded: 0, neighCreateFailed: 0, fwdNotHost: 0, ttlExceeded: 0 },
  };
  /** Upper-layer protocols beyond ICMP (inet_protos[]). */
  readonly protocols = new Map<number, IpProtocolHandler>();
  /** Software segmenters of upper-layer protocols (inet_offloads[]), for inet_gso_segment. */
  readonly offloads = new Map<number, GsoTransportFn>();
  /** Receive offload of upper-layer protocols (inet_offloads[]' gro_receive), for inet_gro_receive. */
  readonly groOffloads = new Map<number, GroTransportFn>();
  /** Raw IP observers (every locally delivered packet). */
  readonly rawTaps: RawTap[] = [];
  /**
   * Addresses of this host and directed broadcasts of its subnets: the per-packet "is it ours?".
   * Kept as signed 32-bit values (`| 0`): an address at or above 128.0.0.0 (192.168/16, 172.16/12)
   * is no small integer for V8 as an unsigned number, and handing one to Set.has would box it —
   * 16 B per packet on a 192.168 network.
   */
  private readonly localAddrs = new Set<number>();
  private readonly localBcasts = new Set<number>();
  private ipId = 1;

  constructor(
    readonly net: Net,
    opts: { random?: () => number } = {},
  ) {
    this.arp = new Arp(this, opts.random);
    this.icmp = new Icmp(this);
    this.acd = new Acd(this);
    this.udp = new Udp(this, opts.random);
    this.protocols.set(IPPROTO_UDP, (skb) => this.udp.rcv(skb));
    this.icmp.errorSinks.set(IPPROTO_UDP, this.udp);
    net.devAddPack(ETH_P_IP, (skb, dev) => ipRcv(this, skb, dev));
    net.devAddOffload(ETH_P_IP, (skb) => inetGsoSegment(this.offloads, skb));
    net.devAddGro(ETH_P_IP, (cell, skb) => inetGroReceive(this.groOffloads, cell, skb));
    net.devAddPack(ETH_P_ARP, (skb, dev) => this.arp.rcv(skb, dev));
    net.netdevChain.register((ev, dev, info) => this.netdevEvent(ev, dev, info));
    for (const dev of net.deviceList) this.inetdevInit(dev);
    registerIpv4Sysctl(net.sysctl, this);
    this.arp.tbl.start();
  }

  formatAddr(a: number): string {
    return formatIPv4(a);
  }

  nextIpId(): number {
    const id = this.ipId;
    this.ipId = (id + 1) & 0xffff;
    return id;
  }

  isLocalAddr(a: number): boolean {
    return this.localAddrs.has(a | 0);
  }

  isLocalBroadcast(a: number): boolean {
    return this.localBcasts.has(a | 0);
  }

  inDevices(): InDevice[] {
    const out: InDevice[] = [];
    for (const d of this.net.deviceList) {
      const i = inDevGet(d);
      if (i) out.push(i);
    }
    return out;
  }

  forwardingOn(dev: NetDevice): boolean {
    const inDev = inDevGet(dev);
    return inDev !== null && inDev.cnf.get('forwarding') !== 0;
  }


  // ---- devices and addresses ----------------------------------------------------------------

  /** inetdev_init(): conf copied from `default`, ARP parms cloned from the table's. */
  private inetdevInit(dev: NetDevice): InDevice {
    const existing = inDevGet(dev);
    if (existing) return existing;
    const inDev = new InDevice(dev, this.conf.newDevice());
    inDev.arpParms = this.arp.tbl.parmsAlloc(dev);
    dev.ipPtr = inDev;
    return inDev;
  }

  private netdevEvent(event: number, dev: NetDevice, info: NetdevChangeInfo | null): void {
    const tbl = this.arp.tbl;
    switch (event) {
      case NETDEV_REGISTER:
        this.inetdevInit(dev);
        break;
      case NETDEV_UNREGISTER: {
        this.acd.cancel(dev);
        tbl.ifdown(dev);
        const inDev = inDevGet(dev);
        // inetdev_destroy(): delete the first address until none is left (a primary takes its
        // secondaries with it).
        while (inDev && inDev.ifaList.length > 0) this.delAddress(dev, inDev.ifaList[0].local, inDev.ifaList[0].prefixLen);
        this.fib.flushDev(dev);
        tbl.parmsRelease(dev);
        dev.ipPtr = null;
        break;
      }
      case NETDEV_DOWN:
        this.acd.cancel(dev);
        // arp_ifdown(): everything on the device goes, PERMANENT and proxy entries included.
        tbl.ifdown(dev);
        break;
      case NETDEV_UP:
        if (this.arpNotify(dev)) this.sendGratuitous(dev);
        break;
      case NETDEV_CHANGEADDR:
        tbl.changeaddr(dev);
        if (this.arpNotify(dev)) this.sendGratuitous(dev);
        break;
      case NETDEV_CHANGE: {
        if (info && info.flagsChanged & IFF_NOARP) tbl.changeaddr(dev);
        const inDev = inDevGet(dev);
        const evict = inDev ? this.conf.effective(inDev.cnf, 'arp_evict_nocarrier') !== 0 : true;
        if (evict && !dev.carrier) tbl.carrierDown(dev);
        break;
      }
      case NETDEV_NOTIFY_PEERS:
        this.sendGratuitous(dev);
        break;
    }
  }

  private arpNotify(dev: NetDevice): boolean {
    const inDev = inDevGet(dev);
    return inDev !== null && this.conf.effective(inDev.cnf, 'arp_notify') !== 0;
  }

  /** One gratuitous request per address: sip = tip = our address, tha = 0, broadcast. */
  sendGratuitous(dev: NetDevice, only?: number): void {
    const inDev = inDevGet(dev);
    if (!inDev || !dev.isUp) return;
    for (const ifa of inDev.ifaList) {
      if (only === undefined || ifa.local === only) this.arp.send(ARPOP_REQUEST, ifa.local, dev, ifa.local, null, dev.devAddr, null);
    }
  }

  addAddress(dev: NetDevice, local: number, prefixLen: number): InIfaddr {
    const inDev = inDevGet(dev);
    if (!inDev) throw new StackError(EINVAL, `device ${dev.name} has no IPv4 state`);
    if (isMulticast(local) || isLocalBroadcast(local) || isZeronet(local)) {
      throw new StackError(EINVAL, `${formatIPv4(local)} is not a valid host address`);
    }
    const ifa = makeIfa(local, prefixLen, dev.name);
    inetInsertIfa(inDev, ifa);
    this.fib.addIfaddr(dev, local, prefixLen);
    this.rebuildLocal();
    // No gratuitous ARP here even with arp_notify: Linux announces on link up and MAC change only
    // (inetdev_event). Stack.claimAddress announces the RFC 5227 way.
    return ifa;
  }

  delAddress(dev: NetDevice, local: number, prefixLen: number): void {
    const inDev = inDevGet(dev);
    if (!inDev) throw new StackError(EINVAL, `device ${dev.name} has no IPv4 state`);
    // A primary address takes its secondaries with it (__inet_del_ifa without promote_secondaries).
    // Each address owns its routes (prefsrc), so another address on the subnet keeps its own.
    for (const ifa of inetDelIfa(inDev, local, prefixLen)) this.fib.delIfaddr(dev, ifa.local);
    this.rebuildLocal();
    // fib_inetaddr_event(NETDEV_DOWN) for the device's last address: fib_disable_ip() drops every
    // route through the device and arp_ifdown() flushes its neighbours, PERMANENT and proxy
    // entries included (measured on 6.18; deleting any other address leaves them alone).
    if (inDev.ifaList.length === 0) {
      this.fib.flushDev(dev);
      this.arp.ifdown(dev);
    }
  }

  private rebuildLocal(): void {
    this.localAddrs.clear();
    this.localBcasts.clear();
    for (const inDev of this.inDevices()) {
      for (const ifa of inDev.ifaList) {
        this.localAddrs.add(ifa.local | 0);
        if (ifa.broadcast) this.localBcasts.add(ifa.broadcast | 0);
      }
    }
  }

  // ---- helpers for ARP ----------------------------------------------------------------------

  /**
   * inet_confirm_addr()/confirm_addr_indev(): is there a local address of at most `scope` that
   * fits `local` and whose subnet holds `dst`? Searches one device, or all when inDev is null.
   * Returns that address or 0.
   */
  confirmAddr(inDev: InDevice | null, dst: number, local: number, scope: number): number {
    const devs = inDev ? [inDev] : this.inDevices();
    for (const d of devs) {
      const a = confirmAddrIndev(d, dst, local, scope);
      if (a !== 0) return a;
    }
    return 0;
  }

  /**
   * ip_route_input_noref() as arp_process uses it for a request's target: local, or a unicast
   * route (only when forwarding on the input device), or unreachable.
   */
  routeInputForArp(tip: number, sip: number, dev: NetDevice): { type: number; dev: NetDevice | null; rt: FibRoute | null } {
    const inDev = inDevGet(dev);
    if (!inDev || this.martianSource(sip, inDev)) return { type: RTN_UNREACHABLE, dev: null, rt: null };
    if (this.isLocalAddr(tip)) return { type: RTN_LOCAL, dev, rt: null };
    if (isLocalBroadcast(tip) || this.isLocalBroadcast(tip) || isZeronet(tip)) return { type: RTN_BROADCAST, dev: null, rt: null };
    if (!this.forwardingOn(dev)) return { type: RTN_UNREACHABLE, dev: null, rt: null };
    const rt = this.fib.lookup(tip);
    if (!rt) return { type: RTN_UNREACHABLE, dev: null, rt: null };
    return { type: rt.type === RTN_LOCAL ? RTN_LOCAL : RTN_UNICAST, dev: rt.dev, rt };
  }

  /**
   * The source checks of ip_route_input_slow() and fib_validate_source(): multicast, broadcast,
   * zeronet and loopback senders are martians, and so is one of our own addresses unless
   * accept_local allows it ("within the same container it is regarded as a martian source").
   */
  martianSource(saddr: number, inDev: InDevice): boolean {
    if (isMulticast(saddr) || isLocalBroadcast(saddr) || isZeronet(saddr) || isLoopback(saddr)) return true;
    return this.localAddrs.has(saddr | 0) && !this.conf.effective(inDev.cnf, 'accept_local');
  }

  /** ipv4_link_failure(): the neighbour failed; tell the packet's sender. */
  linkFailure(skb: SkBuff): void {
    if (skb.sk) skb.sk.errorReport(EHOSTUNREACH, skb);
    else this.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
  }

  /** Packets to our own addresses never touch a link: deliver on the next microtask. */
  loopbackDeliver(skb: SkBuff, dev: NetDevice): number {
    const copy = skb.copy();
    copy.dev = dev;
    copy.pktType = 0;
    queueMicrotask(() => {
      copy.transportHeader = copy.networkHeader + ipIhlBytes(copy.buf, copy.networkHeader);
      ipLocalDeliver(this, copy);
    });
    return 0;
  }

  close(): void {
    this.acd.cancel(null);
    this.arp.tbl.stop();
  }
}

/** confirm_addr_indev(). */
function confirmAddrIndev(inDev: InDevice, dst: number, local: number, scope: number): number {
  let addr = 0;
  let same = false;
  for (const ifa of inDev.ifaList) {
    const minScope = ifa.scope;
    if (addr === 0 && (local === ifa.local || local === 0) && minScope <= scope) {
      addr = ifa.local;
      if (same) break;
    }
    if (!same) {
      same = (local === 0 || ((local ^ ifa.local) & ifa.mask) === 0) && (dst === 0 || ((dst ^ ifa.local) & ifa.mask) === 0);
      if (same && addr !== 0) {
        if (local !== 0 || dst === 0) break;
        // Is the selected address inside dst's subnet?
        if (((addr ^ ifa.local) & ifa.mask) === 0) break;
        // No: can this address be used instead?
        if (minScope <= scope) {
          addr = ifa.local;
          break;
        }
        same = false;
      }
    }
  }
  return same ? addr : 0;
}

