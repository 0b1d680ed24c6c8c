// The IPv6 family for one namespace (net/ipv6/af_inet6.c inet6_init, addrconf.c addrconf_notify,
// ndisc.c ndisc_netdev_event, route.c's address/RA routes, ip6_output.c ip6_forward): per-device
// state, addresses, routes, NDISC, ICMPv6 and the glue between them.
import { EADDRNOTAVAIL, EHOSTUNREACH, EINVAL, StackError } from '../core/errno.js';
import type { GsoTransportFn } from '../core/gso.js';
import type { GroTransportFn } from '../core/gro.js';
import { ipv6GroReceive, ipv6GsoSegment } from './ip6_offload.js';
import type { Timer } from '../core/clock.js';
import type { Net, NetdevChangeInfo } from '../core/net.js';
import {
  NETDEV_CHANGE,
  NETDEV_CHANGEADDR,
  NETDEV_CHANGEMTU,
  NETDEV_DOWN,
  NETDEV_NOTIFY_PEERS,
  NETDEV_REGISTER,
  NETDEV_UNREGISTER,
  NETDEV_UP,
} from '../core/net.js';
import { IFF_NOARP, type NetDevice } from '../core/netdevice.js';
import { type SkBuff, allocSkb, LL_RESERVED_SPACE, skbGsoNetworkSeglen } from '../core/skbuff.js';
import { ETH_P_IPV6 } from '../ethernet/ethhdr.js';
import { Addrconf } from './addrconf.js';
import { CNF_FORWARDING, Ipv6ConfTree } from './devconf.js';
import { ICMPV6_ADDR_UNREACH, ICMPV6_DEST_UNREACH, ICMPV6_EXC_HOPLIMIT, ICMPV6_MLD2_REPORT, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED } from './icmp6hdr.js';
import { Icmpv6 } from './icmp.js';
import { INET6_IFADDR_STATE_DEAD, IFA_F_TENTATIVE, type Inet6Ifaddr, Inet6Dev, in6DevGet } from './if_inet6.js';
import {
  IN6ADDR_ANY,
  IN6ADDR_INTERFACELOCAL_ALLNODES,
  IN6ADDR_LINKLOCAL_ALLNODES,
  IN6ADDR_LINKLOCAL_ALLROUTERS,
  formatIn6,
  in6FromWords,
  in6Word,
  ipv6AddrAny,
  ipv6AddrIsMulticast,
} from './in6_addr.js';
import { ip6DevHoplimit, ip6FinishOutput2, ip6PathMtu, ip6Send } from './ip6_output.js';
import { ipv6Rcv, ip6InputFinish } from './ip6_input.js';
import { IP6H_DADDR_OFF, IP6H_SADDR_OFF, IPV6_HDR_LEN, IPV6_MIN_MTU } from './ipv6hdr.js';
import { mldReportable } from './mcast.js';
import { MLD2_CHANGE_TO_EXCLUDE, MLD_HBH_LEN, mld2MaxRecords, writeMld2ReportPacket } from './mld_wire.js';
import { Ndisc } from './ndisc.js';
import { Fib6, RTN_LOCAL, type Rt6Info } from './route.js';
import { registerIpv6Sysctl } from './sysctl.js';

/** IPv6 counters, named after /proc/net/snmp6's Ip6 lines (camelCase), plus the reasons behind each drop. */
export interface Ip6Stats {
  /** Ip6InReceives: every IPv6 packet from a device, counted before any check. */
  inReceives: number;
  /** Ip6InHdrErrors: malformed header or extension header, or hop limit exceeded while forwarding. */
  inHdrErrors: number;
  /** Ip6InTooBigErrors: packets to forward beyond the outgoing MTU (packet too big sent). */
  inTooBigErrors: number;
  /** Ip6InNoRoutes: packets to forward without a route. */
  inNoRoutes: number;
  /** Ip6InAddrErrors: not ours, forwarding off. */
  inAddrErrors: number;
  /** Ip6InUnknownProtos: local packets for an upper protocol nothing handles (parameter problem sent). */
  inUnknownProtos: number;
  /** Ip6InTruncatedPkts: payload length beyond the bytes received. */
  inTruncatedPkts: number;
  /** Ip6InDiscards: IPv6 disabled on the device. */
  inDiscards: number;
  /** Ip6InDelivers: handed to ICMPv6 or another protocol. */
  inDelivers: number;
  /** Ip6OutForwDatagrams. */
  outForwDatagrams: number;
  /** Ip6OutRequests: locally generated packets handed to output (ND, ICMPv6, UDP). */
  outRequests: number;
  /** Ip6OutDiscards: no neighbour entry could be made, or over the MTU. */
  outDiscards: number;
  /** Ip6OutNoRoutes: no route, or no usable source address. */
  outNoRoutes: number;
  /** Ip6ReasmReqds: fragments received (reassembly is not implemented). */
  reasmReqds: number;
  /** Ip6ReasmFails: every such fragment. */
  reasmFails: number;
  /** Ip6FragFails: echo replies or forwards over the MTU, never fragmented. */
  fragFails: number;
  /** Ip6InMcastPkts. */
  inMcastPkts: number;
  /** Ip6OutMcastPkts. */
  outMcastPkts: number;
  /** Drops by reason (`ip6.drops.*`); each also counts in one Ip6 counter above, unless noted. */
  drops: {
    /** Frames to another host's MAC; inReceives only. */
    otherhost: number;
    /** Device without IPv6 state or with disable_ipv6; inDiscards. */
    disabled: number;
    /** Loopback, interface-local multicast, scope-0 multicast or multicast source addresses; inHdrErrors. */
    badAddr: number;
    /** Malformed or truncated extension headers, bad TLV options; inHdrErrors (or inTruncatedPkts). */
    exthdr: number;
    /** Unknown TLV option whose type says discard; in inHdrErrors. */
    unknownOption: number;
    /** Routing header with segments left (type 0 deprecated; no source routing); inHdrErrors. */
    routingHeader: number;
    /** Fragments (no reassembly); reasmFails. */
    fragment: number;
    /** Multicast to a group the device has not joined; inMcastPkts only. */
    mcastNotJoined: number;
    /** Unicast not for us, forwarding off; inAddrErrors. */
    notForUs: number;
    /** No neighbour entry could be created; outDiscards. */
    neighCreateFailed: number;
    /** Over the MTU: local sends (outDiscards), echo replies (fragFails), forwards (inTooBigErrors). */
    fragNeeded: number;
    /** Forwarding: hop limit ≤ 1 (time exceeded sent); inHdrErrors. */
    hopLimitExceeded: number;
    /** Forwarding: link-local source or destination may not leave the link; inAddrErrors. */
    fwdLinkLocal: number;
    /** Forwarding: link-layer multicast/broadcast frames; inDiscards. */
    fwdNotHost: number;
    /** No next header (59): delivered to nothing, then discarded; inDelivers only. */
    nodata: number;
    /** Forwarding to another interface: source :: (ip6_forward's "security critical" check); inAddrErrors. */
    fwdUnspecSource: number;
  };
}

/** MLD messages received and sent (`mld.*`): tapstack reports its groups, never acts on queries. */
export interface MldStats {
  /** Queries and reports from other nodes, counted and ignored. */
  rxIgnored: number;
  /** Unsolicited MLDv2 reports sent. */
  txReports: number;
}

export type Ip6ProtocolHandler = (skb: SkBuff) => void;
export type RawTap6 = (skb: SkBuff, protocol: number) => void;

/** What {@link Inet6} tells its owner (the Stack) about addresses and kernel-log lines. */
export interface Inet6Listener {
  addr?(type: 'newaddr' | 'deladdr', ifa: Inet6Ifaddr): void;
  log?(line: string): void;
}

export class Inet6 {
  readonly conf = new Ipv6ConfTree();
  /**
   * The routing table; rt6_check_neigh asks nd_tbl for a gateway's state, so a FAILED router
   * loses to a reachable one (RFC 4191 router reachability).
   */
  readonly fib = new Fib6({
    neighState: (dev, gw) => this.ndisc.tbl.lookupNoref(gw, dev)?.nudState ?? 0,
    neighIsRouter: (dev, gw) => ((this.ndisc.tbl.lookupNoref(gw, dev)?.flags ?? 0) & 0x80) !== 0,
    forwarding: () => this.conf.all.values[CNF_FORWARDING] !== 0,
  });
  readonly ndisc: Ndisc;
  readonly icmp: Icmpv6;
  readonly addrconf: Addrconf;
  readonly random: () => number;
  readonly stats: Ip6Stats = {
    inReceives: 0, inHdrErrors: 0, inTooBigErrors: 0, inNoRoutes: 0, inAddrErrors: 0, inUnknownProtos: 0,
    inTruncatedPkts: 0, inDiscards: 0, inDelivers: 0, outForwDatagrams: 0, outRequests: 0, outDiscards: 0,
    outNoRoutes: 0, reasmReqds: 0, reasmFails: 0, fragFails: 0, inMcastPkts: 0, outMcastPkts: 0,
    drops: {
      otherhost: 0, disabled: 0, badAddr: 0, exthdr: 0, unknownOption: 0, routingHeader: 0, fragment: 0,
      mcastNotJoined: 0, notForUs: 0, neighCreateFailed: 0, fragNeeded: 0, hopLimitExceeded: 0, fwdLinkLocal: 0, fwdNotHost: 0,
      nodata: 0, fwdUnspecSource: 0,
    },
  };
  readonly mldStats: MldStats = { rxIgnored: 0, txReports: 0 };
  /** Upper-layer protocols beyond ICMPv6 (inet6_protos[]). */
  readonly protocols = new Map<number, Ip6ProtocolHandler>();
  /** Software segmenters of upper-layer protocols (inet6_offloads[]), for ipv6_gso_segment. */
  readonly offloads = new Map<number, GsoTransportFn>();
  /** Receive offload of upper-layer protocols (inet6_offloads[]' gro_receive), for ipv6_gro_receive. */
  readonly groOffloads = new Map<number, GroTransportFn>();
  readonly rawTaps: RawTap6[] = [];
  /** Every address of every device, for the per-packet "is it ours?" without allocation. */
  allAddrs: Inet6Ifaddr[] = [];
  /** The receive buffer with a DataView of its own (see wordView), and the last one without. */
  private viewBuf: Uint8Array | null = null;
  private view: DataView | null = null;
  private viewSeen: Uint8Array | null = null;
  /** ip6_finish_output2's key scratch: next hops are copied here for the lookup, never allocated. */
  readonly nhKey = Buffer.alloc(16);
  private readonly listeners = new Set<Inet6Listener>();
  /** ip6_fib_timer: the next route expiry. */
  private routeGcTimer: Timer<Inet6> | null = null;
  private readonly flowSeed: number;

  constructor(
    readonly net: Net,
    opts: { random?: () => number; disabled?: boolean } = {},
  ) {
    this.random = opts.random ?? Math.random;
    if (opts.disabled) {
      this.conf.all.set('disable_ipv6', 1);
      this.conf.dflt.set('disable_ipv6', 1);
    }
    this.flowSeed = (this.random() * 0x100000000) >>> 0;
    this.ndisc = new Ndisc(this, opts.random);
    this.icmp = new Icmpv6(this);
    this.addrconf = new Addrconf(this);
    net.devAddPack(ETH_P_IPV6, (skb, dev) => ipv6Rcv(this, skb, dev));
    net.devAddOffload(ETH_P_IPV6, (skb) => ipv6GsoSegment(this.offloads, skb));
    net.devAddGro(ETH_P_IPV6, (cell, skb) => ipv6GroReceive(this.groOffloads, cell, skb));
    net.netdevChain.register((ev, dev, info) => this.netdevEvent(ev, dev, info));
    registerIpv6Sysctl(net.sysctl, this);
    for (const dev of net.deviceList) {
      this.inet6devInit(dev);
      if (dev.isUp) this.netdevEvent(NETDEV_UP, dev, null);
    }
    this.ndisc.tbl.start();
  }

  subscribe(l: Inet6Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** A kernel-log line (`dmesg`): DAD conflicts, ignored NAs, ... */
  log(line: string): void {
    for (const l of this.listeners) l.log?.(line);
  }

  addrEvent(type: 'newaddr' | 'deladdr', ifa: Inet6Ifaddr): void {
    for (const l of this.listeners) l.addr?.(type, ifa);
  }

  // ---- Ipv6SysctlHost ------------------------------------------------------------------------

  get tbl() {
    return this.ndisc.tbl;
  }

  devices(): Inet6Dev[] {
    const out: Inet6Dev[] = [];
    for (const d of this.net.deviceList) {
      const i = in6DevGet(d);
      if (i) out.push(i);
    }
    return out;
  }

  /** A conf write changed a value: the side effects the kernel's handlers run. */
  confChanged(scope: 'all' | 'default' | NetDevice, name: string, oldValue: number, newValue: number): void {
    if (typeof scope === 'string') return;
    const idev = in6DevGet(scope);
    if (idev === null) return;
    switch (name) {
      case 'disable_ipv6':
        if ((oldValue !== 0) !== (newValue !== 0)) this.disableChanged(idev, newValue !== 0);
        break;
      case 'forwarding':
        if ((oldValue !== 0) !== (newValue !== 0)) this.forwardingChanged(idev, newValue !== 0);
        break;
    }
  }

  // ---- per-device state ----------------------------------------------------------------------

  /** ipv6_add_dev(): conf from `default`, ND parms cloned, the all-nodes groups joined. */
  private inet6devInit(dev: NetDevice): Inet6Dev | null {
    const existing = in6DevGet(dev);
    if (existing) return existing;
    if (dev.mtu < IPV6_MIN_MTU) return null;
    const idev = new Inet6Dev(dev, this.conf.newDevice(dev), this.ndisc.tbl.parmsAlloc(dev));
    dev.ip6Ptr = idev;
    if (idev.cnf.get('disable_ipv6') === 0) this.devJoinGroups(idev);
    return idev;
  }

  /** ff02::1 and ff01::1 always; all-routers groups while forwarding (ipv6_add_dev, dev_forward_change). */
  devJoinGroups(idev: Inet6Dev): void {
    const join = (g: Buffer): void => {
      if (!idev.mc.find(g, 0)) this.mcInc(idev, g);
    };
    join(IN6ADDR_LINKLOCAL_ALLNODES as Buffer);
    join(IN6ADDR_INTERFACELOCAL_ALLNODES as Buffer);
    if (idev.cnf.get('forwarding') !== 0) {
      join(IN6ADDR_LINKLOCAL_ALLROUTERS as Buffer);
      join(in6FromWords(0xff010000, 0, 0, 2));
      join(in6FromWords(0xff050000, 0, 0, 2));
    }
    for (const ifa of idev.addrList) if (ifa.joined && !idev.mc.find(ifa.solictGroup, 0)) this.mcInc(idev, ifa.solictGroup);
  }

  private netdevEvent(event: number, dev: NetDevice, info: NetdevChangeInfo | null): void {
    const tbl = this.ndisc.tbl;
    switch (event) {
      case NETDEV_REGISTER:
        this.inet6devInit(dev);
        break;
      case NETDEV_UNREGISTER:
        this.inet6devDestroy(dev);
        break;
      case NETDEV_UP: {
        const idev = in6DevGet(dev) ?? this.inet6devInit(dev);
        if (!idev) break;
        // ndisc_netdev_event runs before addrconf_notify: addresses still tentative are skipped.
        if (this.ndiscNotify(idev)) this.ndisc.sendUnsolNa(dev);
        this.addrconf.devUp(idev);
        break;
      }
      case NETDEV_DOWN: {
        // ndisc_netdev_event(NETDEV_DOWN): everything goes, PERMANENT and proxy entries too.
        tbl.ifdown(dev);
        const idev = in6DevGet(dev);
        if (idev) this.addrconf.devDown(idev, 'down');
        break;
      }
      case NETDEV_CHANGEADDR: {
        tbl.changeaddr(dev);
        const idev = in6DevGet(dev);
        if (idev && this.ndiscNotify(idev)) this.ndisc.sendUnsolNa(dev);
        break;
      }
      case NETDEV_CHANGE: {
        const idev = in6DevGet(dev);
        if (info && info.flagsChanged & IFF_NOARP) tbl.changeaddr(dev);
        if (!dev.carrier) {
          const evict = idev === null || (idev.cnf.get('ndisc_evict_nocarrier') !== 0 && this.conf.all.get('ndisc_evict_nocarrier') !== 0);
          if (evict) tbl.carrierDown(dev);
          if (idev) this.addrconf.devDown(idev, 'carrier');
        } else if (idev && dev.isUp) {
          this.addrconf.devUp(idev);
        }
        break;
      }
      case NETDEV_CHANGEMTU: {
        const idev = in6DevGet(dev);
        // "if MTU under IPV6_MIN_MTU stop IPv6 on this interface": addrconf_ifdown(dev, unregister)
        // — rt6_disable_ip flushes nd_tbl, the inet6_dev goes (keep_addr_on_down does not apply).
        if (dev.mtu < IPV6_MIN_MTU) this.inet6devDestroy(dev);
        else if (idev) idev.cnf.set('mtu', dev.mtu);
        // A fresh inet6_dev is not ready: the link-local waits for the next UP or CHANGE.
        else this.inet6devInit(dev);
        break;
      }
      case NETDEV_NOTIFY_PEERS:
        this.ndisc.sendUnsolNa(dev);
        break;
    }
  }

  /** addrconf_ifdown(dev, unregister=true): nd_tbl flushed (proxies too), addresses and routes gone, the inet6_dev released. */
  private inet6devDestroy(dev: NetDevice): void {
    const tbl = this.ndisc.tbl;
    const idev = in6DevGet(dev);
    tbl.ifdown(dev);
    if (idev) {
      this.addrconf.devDown(idev, 'unregister');
      idev.dead = true;
      tbl.parmsRelease(dev);
    }
    this.fib.flushDev(dev);
    dev.ip6Ptr = null;
    this.rebuildAddrs();
  }

  private ndiscNotify(idev: Inet6Dev): boolean {
    return this.conf.all.get('ndisc_notify') !== 0 || idev.cnf.get('ndisc_notify') !== 0;
  }

  /** addrconf_disable_ipv6 → as NETDEV_DOWN (1) or NETDEV_UP (0). */
  private disableChanged(idev: Inet6Dev, disabled: boolean): void {
    if (disabled) {
      this.ndisc.tbl.ifdown(idev.dev);
      this.addrconf.devDown(idev, 'unregister');
    } else if (idev.dev.isUp) {
      this.devJoinGroups(idev);
      this.addrconf.devUp(idev);
    }
  }

  /** DAD failure with accept_dad ≥ 2 on the EUI-64 link-local. */
  setDisableIpv6(idev: Inet6Dev, v: number): void {
    const old = idev.cnf.get('disable_ipv6');
    idev.cnf.set('disable_ipv6', v);
    if ((old !== 0) !== (v !== 0)) this.disableChanged(idev, v !== 0);
  }

  /** dev_forward_change(): routers join the all-routers groups; RA default routes go. */
  private forwardingChanged(idev: Inet6Dev, on: boolean): void {
    const groups = [IN6ADDR_LINKLOCAL_ALLROUTERS as Buffer, in6FromWords(0xff010000, 0, 0, 2), in6FromWords(0xff050000, 0, 0, 2)];
    for (const g of groups) {
      if (on) this.mcInc(idev, g);
      else this.mcDec(idev, g);
    }
    // "list_for_each_entry(ifa, &idev->addr_list): join/leave anycast", tentative ones skipped.
    for (const ifa of idev.addrList) {
      if (ifa.flags & IFA_F_TENTATIVE) continue;
      if (on) this.addrconf.joinAnycast(ifa);
      else this.addrconf.leaveAnycast(ifa);
    }
    // addrconf_fixup_forwarding → rt6_purge_dflt_routers(): every device's RA default routes,
    // except on devices that take RAs while forwarding (accept_ra = 2).
    if (on) this.fib.purgeDfltRouters(null, (d) => in6DevGet(d)?.cnf.get('accept_ra') === 2);
  }

  rebuildAddrs(): void {
    const out: Inet6Ifaddr[] = [];
    for (const idev of this.devices()) for (const ifa of idev.addrList) out.push(ifa);
    this.allAddrs = out;
  }

  // ---- multicast membership and MLD ---------------------------------------------------------

  /** ipv6_dev_mc_inc(): a new reportable group triggers an unsolicited MLDv2 report (twice). */
  mcInc(idev: Inet6Dev, group: Uint8Array): void {
    if (idev.mc.inc(group) && mldReportable(group)) {
      idev.mc.pendingReport.push(Buffer.from(group));
      this.mldSchedule(idev, 2);
    }
  }

  mcDec(idev: Inet6Dev, group: Uint8Array): void {
    if (idev.mc.dec(group)) {
      const p = idev.mc.pendingReport;
      const i = p.findIndex((g) => g.equals(group));
      if (i >= 0) p.splice(i, 1);
    }
  }

  /** mld_ifc_event(): reports at random within mldv2_unsolicited_report_interval, robustness 2. */
  private mldSchedule(idev: Inet6Dev, count: number): void {
    const mc = idev.mc;
    mc.reportsLeft = Math.max(mc.reportsLeft, count);
    const t = (mc.reportTimer ??= this.net.clock.timer<Inet6Dev>((d) => this.mldReport(d), idev));
    if (!t.pending) {
      const ivl = idev.cnf.get('mldv2_unsolicited_report_interval');
      t.mod(this.net.clock.now() + Math.floor(this.random() * Math.max(ivl, 1)));
    }
  }

  /**
   * mld_ifc_work(): one report with a CHANGE_TO_EXCLUDE record per pending group, from the
   * link-local address once one is valid, else from ::.
   */
  private mldReport(idev: Inet6Dev): void {
    const dev = idev.dev;
    const mc = idev.mc;
    if (!dev.isUp || idev.dead || mc.pendingReport.length === 0 || idev.cnf.get('disable_ipv6') !== 0) {
      mc.reportsLeft = 0;
      return;
    }
    const ll = this.addrconf.getLladdr(idev, IFA_F_TENTATIVE);
    const src = ll ? ll.addr : (IN6ADDR_ANY as Buffer);
    const groups = mc.pendingReport.slice(0, mld2MaxRecords(dev.mtu));
    const skb = allocSkb(IPV6_HDR_LEN + MLD_HBH_LEN + 8 + 20 * groups.length, LL_RESERVED_SPACE);
    const off = skb.data;
    skb.put(IPV6_HDR_LEN + MLD_HBH_LEN + 8 + 20 * groups.length);
    writeMld2ReportPacket(skb.buf, off, src, 0, groups, MLD2_CHANGE_TO_EXCLUDE);
    skb.networkHeader = off;
    this.icmp.countOut(ICMPV6_MLD2_REPORT);
    this.stats.outRequests++;
    this.stats.outMcastPkts++;
    this.mldStats.txReports++;
    ip6FinishOutput2(this, skb, dev, skb.buf, off + IP6H_DADDR_OFF);
    if (--mc.reportsLeft > 0) {
      const ivl = idev.cnf.get('mldv2_unsolicited_report_interval');
      mc.reportTimer!.mod(this.net.clock.now() + Math.floor(this.random() * Math.max(ivl, 1)));
    } else {
      mc.pendingReport.length = 0;
    }
  }

  /** The first link-local became valid: "the reports are repeated (twice) with the link-local source". */
  mldLinkLocalReady(idev: Inet6Dev): void {
    const mc = idev.mc;
    mc.pendingReport.length = 0;
    for (const g of mc.groups) if (mldReportable(g.addr)) mc.pendingReport.push(g.addr);
    if (mc.pendingReport.length) {
      mc.reportTimer?.del();
      this.mldSchedule(idev, 2);
    }
  }

  /** Queries and other nodes' reports: a host on a TAP link has nothing to do with them. */
  mldRcv(_skb: SkBuff, _type: number): void {
    this.mldStats.rxIgnored++;
  }

  // ---- routes the addresses and RAs bring ---------------------------------------------------

  addPrefixRoute(idev: Inet6Dev, addr: Uint8Array, plen: number, validLft: number): void {
    this.fib.addPrefixRoute(idev.dev, addr, plen, validLft, this.net.clock.now(), 'kernel');
  }

  delPrefixRoute(idev: Inet6Dev, addr: Uint8Array, plen: number): void {
    this.fib.delPrefixRoute(idev.dev, addr, plen);
  }

  addLocalRoute(ifa: Inet6Ifaddr): void {
    if (ifa.state === INET6_IFADDR_STATE_DEAD) return;
    this.fib.addLocal(ifa.idev.dev, ifa.addr);
  }

  delLocalRoute(ifa: Inet6Ifaddr): void {
    this.fib.delLocal(ifa.idev.dev, ifa.addr);
  }

  /** addrconf_add_linklocal routes: fe80::/64 and the multicast route ff00::/8 (table local). */
  addLinkLocalRoute(idev: Inet6Dev): void {
    this.fib.addLinkLocal(idev.dev);
  }

  devFlushRoutes(idev: Inet6Dev, keepAddrRoutes: boolean): void {
    this.fib.flushDev(idev.dev, keepAddrRoutes);
  }

  /** The on-link part of a Prefix Information option. */
  raPrefixRoute(idev: Inet6Dev, prefix: Buffer, plen: number, valid: number): void {
    this.fib.raPrefixRoute(idev.dev, prefix, plen, valid, this.net.clock.now());
    this.addrconf.verify();
  }

  /** The default-router part of an RA (rt6_add_dflt_router / rt6_get_dflt_router). */
  raDefaultRouter(idev: Inet6Dev, gw: Buffer, lifetime: number, pref: number, hoplimit: number): void {
    const metric = idev.cnf.get('ra_defrtr_metric');
    this.fib.raDefaultRouter(idev.dev, gw, lifetime, pref, metric, hoplimit, this.net.clock.now());
    this.addrconf.verify();
  }

  /** A router became a host: its RA default route goes. */
  routerGone(gw: Buffer, dev: NetDevice): void {
    this.fib.delDfltRouter(gw, dev);
  }

  raMtuChanged(idev: Inet6Dev, gw: Buffer, mtu: number): void {
    this.fib.setDfltRouterMtu(gw, idev.dev, mtu);
  }

  /**
   * fib6_run_gc for expiring routes (RA default and prefix routes): removes what is due and
   * re-arms for the next expiry, so a route goes when its lifetime ends.
   */
  routeGc(now: number): void {
    const next = this.fib.gc(now);
    const t = (this.routeGcTimer ??= this.net.clock.timer<Inet6>((i) => i.routeGc(i.net.clock.now()), this));
    if (next === null) t.del();
    else t.mod(next);
  }

  // ---- output helpers ------------------------------------------------------------------------

  /** The device's hop_limit (net.ipv6.conf.DEV.hop_limit; an RA may change it). */
  hopLimit(dev: NetDevice): number {
    return ip6DevHoplimit(in6DevGet(dev));
  }

  /** The path MTU: the route's mtu metric, else the device's IPv6 mtu. */
  mtu(dev: NetDevice, rtMtu: number): number {
    return ip6PathMtu(in6DevGet(dev), dev, rtMtu);
  }

  /**
   * A DataView over `b` when it is the buffer the last packets came in (a driver's receive ring,
   * a reused frame), else null: ipv6_rcv and icmpv6_rcv read the addresses through it as four
   * words, a quarter of what assembling them from bytes costs. The view is made once, when a
   * buffer comes twice in a row; a packet's own buffer gets none, so nothing is allocated per
   * packet.
   */
  wordView(b: Uint8Array): DataView | null {
    if (b === this.viewBuf) return this.view;
    if (b === this.viewSeen) {
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.viewBuf = b;
      this.viewSeen = null;
      return this.view;
    }
    this.viewSeen = b;
    return null;
  }

  /**
   * ip6_make_flowlabel() with auto_flowlabels: a 20-bit hash of the flow, so that one flow keeps
   * one label (never 0).
   */
  autoFlowLabel(s: Uint8Array, sOff: number, d: Uint8Array, dOff: number, proto: number): number {
    return this.autoFlowLabelWords(
      in6Word(s, sOff, 0) | 0, in6Word(s, sOff, 1) | 0, in6Word(s, sOff, 2) | 0, in6Word(s, sOff, 3) | 0,
      in6Word(d, dOff, 0) | 0, in6Word(d, dOff, 1) | 0, in6Word(d, dOff, 2) | 0, in6Word(d, dOff, 3) | 0, proto,
    );
  }

  /**
   * autoFlowLabel of addresses already read as big-endian words (s0..s3: source, d0..d3:
   * destination; signed, `| 0`, so that passing them boxes nothing), for a caller that needs the
   * words anyway — the echo reply writes them back swapped. The same label as autoFlowLabel.
   */
  autoFlowLabelWords(s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, d3: number, proto: number): number {
    let h = this.flowSeed ^ proto;
    h = Math.imul(Math.imul(h ^ s0, 0x9e3779b1) ^ d0, 0x85ebca6b);
    h = Math.imul(Math.imul(h ^ s1, 0x9e3779b1) ^ d1, 0x85ebca6b);
    h = Math.imul(Math.imul(h ^ s2, 0x9e3779b1) ^ d2, 0x85ebca6b);
    h = Math.imul(Math.imul(h ^ s3, 0x9e3779b1) ^ d3, 0x85ebca6b);
    h ^= h >>> 13;
    return (h & 0xfffff) || 1;
  }

  /** ip6_xmit for locally generated packets (see ip6Send). */
  send(skb: SkBuff, saddr: Uint8Array | null, daddr: Uint8Array, daddrOff: number, proto: number, hopLimit = -1, tclass = 0, oif: NetDevice | null = null): number {
    return ip6Send(this, skb, saddr, daddr, daddrOff, proto, hopLimit, tclass, oif);
  }

  /** The route lookup as `ip -6 route get` does it. */
  routeGet(daddr: Uint8Array, oif: NetDevice | null = null): Rt6Info | null {
    return this.fib.lookup(daddr, 0, oif);
  }

  deliverRaw(skb: SkBuff, proto: number): void {
    if (this.rawTaps.length) for (const t of this.rawTaps) t(skb, proto);
  }

  /** ip6_link_failure(): the neighbour failed; tell the packet's sender (address unreachable). */
  linkFailure(skb: SkBuff): void {
    if (skb.sk) skb.sk.errorReport(EHOSTUNREACH, skb);
    else this.icmp.send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
  }

  /** Packets to our own addresses never touch a link: deliver on the next microtask. */
  loopbackDeliver(skb: SkBuff, dev: NetDevice): number {
    const copy = skb.copy();
    copy.dev = dev;
    copy.pktType = 0;
    queueMicrotask(() => {
      const nh = copy.networkHeader;
      ip6InputFinish(this, copy, copy.buf[nh + 6], nh + 6, nh + IPV6_HDR_LEN);
    });
    return 0;
  }

  /**
   * ip6_forward(): hop limit, link-local scope, MTU (packet too big), then out by the route. The
   * proxy-NDP special case (a unicast NS to a proxied address with all.proxy_ndp) is delivered
   * locally instead.
   */
  forward(skb: SkBuff, dev: NetDevice): void {
    const st = this.stats;
    const b = skb.buf;
    const nh = skb.networkHeader;
    if (skb.pktType !== 0) {
      st.inDiscards++;
      st.drops.fwdNotHost++;
      return;
    }
    if (this.conf.all.get('proxy_ndp') !== 0 && b[nh + 6] === 58 && this.ndisc.tbl.pneighLookup(Buffer.from(b.subarray(nh + IP6H_DADDR_OFF, nh + IP6H_DADDR_OFF + 16)), dev, false) !== null) {
      const t = nh + IPV6_HDR_LEN;
      if (t < skb.tail && b[t] >= 133 && b[t] <= 137) {
        ip6InputFinish(this, skb, 58, nh + 6, t);
        return;
      }
    }
    if (b[nh + 7] <= 1) {
      st.inHdrErrors++;
      st.drops.hopLimitExceeded++;
      this.icmp.send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
      return;
    }
    const s0 = b[nh + IP6H_SADDR_OFF];
    const s1 = b[nh + IP6H_SADDR_OFF + 1];
    const d0 = b[nh + IP6H_DADDR_OFF];
    const d1 = b[nh + IP6H_DADDR_OFF + 1];
    if ((s0 === 0xfe && (s1 & 0xc0) === 0x80) || (d0 === 0xfe && (d1 & 0xc0) === 0x80)) {
      // "This check is security critical": link-local addresses never leave their link.
      st.inAddrErrors++;
      st.drops.fwdLinkLocal++;
      return;
    }
    const rt = this.fib.lookup(b, nh + IP6H_DADDR_OFF, null);
    if (rt === null || rt.type !== 1 /* RTN_UNICAST */) {
      st.inNoRoutes++;
      this.icmp.send(skb, ICMPV6_DEST_UNREACH, 0 /* ICMPV6_NOROUTE */, 0);
      return;
    }
    const out = rt.dev;
    const oidev = in6DevGet(out);
    if (oidev === null || oidev.cnf.get('forwarding') === 0 && this.conf.all.get('forwarding') === 0) {
      st.inAddrErrors++;
      st.drops.notForUs++;
      return;
    }
    if (out !== dev && ipv6AddrAny(b, nh + IP6H_SADDR_OFF)) {
      // "This check is security critical": a packet from :: never leaves for another link
      // (measured: Ip6InAddrErrors; multicast and loopback sources never got this far).
      st.inAddrErrors++;
      st.drops.fwdUnspecSource++;
      return;
    }
    const mtu = this.mtu(out, rt.mtu);
    // ip6_pkt_too_big(): a super-packet is judged by the segments it becomes.
    if (skbGsoNetworkSeglen(skb) > mtu) {
      st.inTooBigErrors++;
      st.drops.fragNeeded++;
      this.icmp.send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
      return;
    }
    b[nh + 7]--;
    st.outForwDatagrams++;
    skb.data = nh;
    skb.sk = null;
    if (rt.gw !== null) ip6FinishOutput2(this, skb, out, rt.gw, 0);
    else ip6FinishOutput2(this, skb, out, b, nh + IP6H_DADDR_OFF);
  }

  // ---- addresses (the library's `ip -6 addr`) ------------------------------------------------

  addAddress(dev: NetDevice, addr: Buffer, plen: number, opts: { flags?: number; validLft?: number; preferLft?: number } = {}): Inet6Ifaddr {
    const idev = in6DevGet(dev);
    if (!idev) throw new StackError(EINVAL, `device ${dev.name} has no IPv6 state`);
    return this.addrconf.addAddr(idev, addr, plen, { ...opts, origin: 'manual' });
  }

  delAddress(dev: NetDevice, addr: Buffer, plen: number | null): void {
    const idev = in6DevGet(dev);
    if (!idev) throw new StackError(EINVAL, `device ${dev.name} has no IPv6 state`);
    const ifa = idev.addrList.find((a) => a.addr.equals(addr) && (plen === null || a.prefixLen === plen));
    if (!ifa) throw new StackError(EADDRNOTAVAIL, 'Cannot assign requested address');
    this.addrconf.delAddr(ifa);
  }

  formatAddr(a: Uint8Array): string {
    return formatIn6(a);
  }

  isMulticast(a: Uint8Array): boolean {
    return ipv6AddrIsMulticast(a, 0);
  }

  close(): void {
    this.addrconf.close();
    this.routeGcTimer?.del();
    for (const idev of this.devices()) {
      idev.rsTimer?.del();
      idev.mc.reportTimer?.del();
      for (const ifa of idev.addrList) ifa.dadTimer?.del();
    }
    this.ndisc.tbl.stop();
  }
}

