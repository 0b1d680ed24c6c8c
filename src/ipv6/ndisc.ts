// IPv6 Neighbour Discovery over the generic neighbour table (net/ipv6/ndisc.c): nd_tbl,
// ndisc_constructor, ndisc_solicit, ndisc_error_report, ndisc_send_ns/na/rs/unsol_na,
// ndisc_rcv, ndisc_recv_ns/na/rs, ndisc_router_discovery, pndisc_constructor/destructor.
import { EINVAL } from '../core/errno.js';
import { IFF_LOOPBACK, IFF_NOARP, IFF_POINTOPOINT, type NetDevice, devHardHeader } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, PACKET_HOST as importedPacketHost, PACKET_LOOPBACK, type SkBuff, allocSkb } from '../core/skbuff.js';
import { ETH_P_IPV6 as importedEthPIpv6 } from '../ethernet/ethhdr.js';
import { formatMac } from '../ethernet/mac.js';
import {
  type Neighbour,
  neighAppNs,
  neighOutput as importedNeighOutput,
  neighRelease as importedNeighRelease,
  neighUpdate as importedNeighUpdate,
} from '../neighbour/neighbour.js';
import {
  NEIGH_UPDATE_F_ISROUTER,
  NEIGH_UPDATE_F_OVERRIDE as importedNeighUpdateFOverride,
  NEIGH_UPDATE_F_OVERRIDE_ISROUTER,
  NEIGH_UPDATE_F_WEAK_OVERRIDE as importedNeighUpdateFWeakOverride,
  NTF_ROUTER,
  NUD_FAILED,
  NUD_NOARP,
  NUD_REACHABLE,
  NUD_STALE as importedNudStale,
  NUD_VALID as importedNudValid,
} from '../neighbour/nud.js';
import type { NeighParmsValues } from '../neighbour/parms.js';
import { LOCALLY_ENQUEUED, type PneighEntry } from '../neighbour/pneigh.js';
import { type NeighOpsSet, neighConstructDirect, neighConstructOps, neighOpsSet } from '../neighbour/ops.js';
import { type NeighOps, NeighTable } from '../neighbour/table.js';
import type { Inet6 } from './af_inet6.js';
import { CNF_FORWARDING as importedCnfForwarding, IPV6_KNOBS } from './devconf.js';
import { IPPROTO_ICMPV6, icmp6FillChecksum } from './icmp6hdr.js';
import {
  IFA_F_OPTIMISTIC as importedIfaFOptimistic,
  IFA_F_TENTATIVE as importedIfaFTentative,
  INET6_IFADDR_STATE_DEAD as importedInet6IfaddrStateDead,
  type Inet6Dev,
  type Inet6Ifaddr,
  in6DevGet as importedIn6DevGet,
} from './if_inet6.js';
import {
  IN6ADDR_ANY,
  IN6ADDR_LINKLOCAL_ALLNODES,
  IN6ADDR_LINKLOCAL_ALLROUTERS,
  formatIn6,
  in6Word,
  in6Write,
  ipv6AddrAny as importedIpv6AddrAny,
  ipv6AddrEqual,
  ipv6AddrIsLinkLocal,
  ipv6AddrIsMulticast as importedIpv6AddrIsMulticast,
  ipv6AddrIsSolictMult as importedIpv6AddrIsSolictMult,
  ipv6EthMcMap,
  ipv6PrefixEqual,
  solicitedNode,
} from './in6_addr.js';
import { ip6FinishOutput2 } from './ip6_output.js';
import { viewFor as importedViewFor, writeNaOverNs as importedWriteNaOverNs } from './ndisc_answer.js';
import { IP6H_DADDR_OFF as importedIp6hDaddrOff, IP6H_SADDR_OFF as importedIp6hSaddrOff, IPV6_HDR_LEN as importedIpv6HdrLen, writeIpv6Header } from './ipv6hdr.js';
import {
  ND_NA_FLAG_OVERRIDE as importedNdNaFlagOverride,
  ND_NA_FLAG_ROUTER as importedNdNaFlagRouter,
  ND_NA_FLAG_SOLICITED as importedNdNaFlagSolicited,
  ND_NA_LEN,
  ND_NS_LEN as importedNdNsLen,
  ND_OPT_SOURCE_LL_ADDR as importedNdOptSourceLlAddr,
  ND_RA_LEN,
  ND_REDIRECT_LEN,
  ND_RS_LEN,
  NDISC_NEIGHBOUR_ADVERTISEMENT as importedNdiscNeighbourAdvertisement,
  NDISC_NEIGHBOUR_SOLICITATION as importedNdiscNeighbourSolicitation,
  NDISC_REDIRECT,
  NDISC_ROUTER_ADVERTISEMENT,
  NDISC_ROUTER_SOLICITATION,
  NdOpts,
  naFlags,
  ndOptLlAddr as importedNdOptLlAddr,
  ndOptLlAddrOff as importedNdOptLlAddrOff,
  ndOptMtu,
  ndOptNonceEqual,
  ndOptNonceUsable,
  naLen as importedNaLen,
  ndiscParseOptions,
  raCurHopLimit,
  rdDestOff,
  rdTargetOff,
  raFlags,
  raReachableTime,
  raRetransTimer,
  raRouterLifetime,
  raRouterPref,
  writeNa,
  writeNs,
  writeRs,
} from './ndisc_wire.js';

// Module-local copies of the imported constants and functions the NS → NA path uses per packet:
// V8 folds a module's own const into the compiled code, but reads an imported binding from its
// module cell, with a TDZ check (and, for a function, a check that it is still the one inlined),
// at every use.
const PACKET_HOST = importedPacketHost;
const ETH_P_IPV6 = importedEthPIpv6;
const NEIGH_UPDATE_F_OVERRIDE = importedNeighUpdateFOverride;
const NEIGH_UPDATE_F_WEAK_OVERRIDE = importedNeighUpdateFWeakOverride;
const NUD_STALE = importedNudStale;
const NUD_VALID = importedNudValid;
const CNF_FORWARDING = importedCnfForwarding;
const IFA_F_OPTIMISTIC = importedIfaFOptimistic;
const IFA_F_TENTATIVE = importedIfaFTentative;
const INET6_IFADDR_STATE_DEAD = importedInet6IfaddrStateDead;
const IP6H_DADDR_OFF = importedIp6hDaddrOff;
const IP6H_SADDR_OFF = importedIp6hSaddrOff;
const IPV6_HDR_LEN = importedIpv6HdrLen;
const ND_NA_FLAG_OVERRIDE = importedNdNaFlagOverride;
const ND_NA_FLAG_ROUTER = importedNdNaFlagRouter;
const ND_NA_FLAG_SOLICITED = importedNdNaFlagSolicited;
const ND_NS_LEN = importedNdNsLen;
const ND_OPT_SOURCE_LL_ADDR = importedNdOptSourceLlAddr;
const NDISC_NEIGHBOUR_ADVERTISEMENT = importedNdiscNeighbourAdvertisement;
const NDISC_NEIGHBOUR_SOLICITATION = importedNdiscNeighbourSolicitation;
const ipv6AddrIsMulticast = importedIpv6AddrIsMulticast;
const in6DevGet = importedIn6DevGet;
const ipv6AddrAny = importedIpv6AddrAny;
const ipv6AddrIsSolictMult = importedIpv6AddrIsSolictMult;
const neighUpdate = importedNeighUpdate;
const neighRelease = importedNeighRelease;
const neighOutput = importedNeighOutput;
const writeNaOverNs = importedWriteNaOverNs;
const viewFor = importedViewFor;
const ndOptLlAddr = importedNdOptLlAddr;
const ndOptLlAddrOff = importedNdOptLlAddrOff;
const naLen = importedNaLen;


export const AF_INET6 = 10;

/** The nd_tbl defaults (net/ipv6/ndisc.c): as arp_tbl's, but locktime 0 (NDISC never uses it). */
export const ND_TBL_DEFAULTS: Readonly<NeighParmsValues> = Object.freeze({
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
  locktime: 0,
});

/** Every ND message the stack does not act on lands in exactly one of these counters (`ndisc.drops.*`). */
export interface NdiscDrops {
  /** Fragmented ND message with suppress_frag_ndisc (RFC 6980). */
  fragmented: number;
  /** IPv6 hop limit not 255, or ICMPv6 code not 0. */
  badHopLimitOrCode: number;
  /** Shorter than the message's fixed part (24 for NS/NA, 8 RS, 16 RA, 40 redirect). */
  tooShort: number;
  /** Malformed option area (zero length, overlong, a byte left over). */
  badOptions: number;
  /** A link-layer address option whose length does not fit the device. */
  badLladdr: number;
  /** NS/NA target is multicast. */
  targetMulticast: number;
  /** DAD NS (source ::) not sent to a solicited-node group, or carrying a source lladdr option. */
  badDad: number;
  /** NS for a target that is not ours, not anycast and not proxied: no cache update at all. */
  nsNotForUs: number;
  /** NS for an address of ours that is still tentative (not a DAD probe): ignored. */
  nsTentative: number;
  /** Our own DAD probe looped back (the nonce matched). */
  dadLooped: number;
  /** Multicast NS without SLLAO from a node we have no entry for: nothing to answer through. */
  nsNoEntry: number;
  /** NA to a multicast destination with the solicited flag. */
  naSolicitedMulticast: number;
  /** NA with S=0 dropped by drop_unsolicited_na. */
  naUnsolicitedDropped: number;
  /** NA for an address of ours that is not tentative (the kernel warns). */
  naOwnAddress: number;
  /** NA for a target we have no entry for (and may not create one: hosts never do). */
  naUntracked: number;
  /** NA for a FAILED entry: a late answer never revives it. */
  naFailedEntry: number;
  /** NA we proxied ourselves, looped back. */
  naOwnProxy: number;
  /** RS on a device that is not forwarding (hosts ignore RS), or from ::. */
  rsIgnored: number;
  /** RA whose source is not link-local. */
  raNotLinkLocal: number;
  /**
   * Redirects not acted on (rt6_do_redirect's refusals): source not link-local, shorter than 40
   * bytes, multicast destination, target neither the destination nor link-local unicast, the
   * device forwarding or accept_redirects off, or not sent by the current first-hop router for
   * the destination. Malformed options and link-layer options count in badOptions/badLladdr.
   */
  redirect: number;
  /** ND message on a device without IPv6 state. */
  noInet6Dev: number;
  /** DAD NS or NA for an address whose DAD has already failed (addrconf_dad_end): nothing left to do. */
  dadEnded: number;
}

/** NDISC messages in and out (`ndisc.*`), and every drop by reason. */
export interface NdiscStats {
  /** Neighbour Solicitations that reached ndisc_recv_ns (passed hop limit, code and fragment checks). */
  rxNs: number;
  /** Neighbour Advertisements that reached ndisc_recv_na. */
  rxNa: number;
  /** Router Solicitations that reached ndisc_recv_rs. */
  rxRs: number;
  /** Router Advertisements that reached ndisc_router_discovery. */
  rxRa: number;
  /** Neighbour Solicitations sent (resolution, probes, DAD). */
  txNs: number;
  /** Neighbour Advertisements sent (answers, DAD defence, unsolicited). */
  txNa: number;
  /** Router Solicitations sent. */
  txRs: number;
  /** DAD failures detected (NA or foreign DAD NS for a tentative address). */
  dadFailures: number;
  /** RAs whose contents were applied (accept_ra allowed them). */
  raAccepted: number;
  /** Redirects that reached ndisc_redirect_rcv. */
  rxRedirect: number;
  /** Redirects acted on: the target's entry updated and a cached route installed. */
  redirectAccepted: number;
  /** ND messages not acted on, by reason (`ndisc.drops.*`). */
  drops: NdiscDrops;
}

/**
 * ndisc_hashfn(): the four 32-bit words of the key, the device folded into the first, each word
 * weighted by its own random (derived here from the table's one hash_rnd).
 */
function ndiscHash(key: Buffer, dev: NetDevice, rnd: number): number {
  const r0 = rnd | 1;
  const r1 = Math.imul(rnd ^ 0x85ebca6b, 0xc2b2ae35) | 1;
  const r2 = Math.imul(rnd ^ 0x27d4eb2f, 0x165667b1) | 1;
  const r3 = Math.imul(rnd ^ 0x9e3779b1, 0x85ebca77) | 1;
  const k0 = (key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3];
  const k1 = (key[4] << 24) | (key[5] << 16) | (key[6] << 8) | key[7];
  const k2 = (key[8] << 24) | (key[9] << 16) | (key[10] << 8) | key[11];
  const k3 = (key[12] << 24) | (key[13] << 16) | (key[14] << 8) | key[15];
  const h = Math.imul(k0 ^ Math.imul(dev.ifindex, 0x9e3779b1), r0) + Math.imul(k1, r1) + Math.imul(k2, r2) + Math.imul(k3, r3);
  // The table takes the top bits: mix the low words' products into them.
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}

function keyEq(a: Buffer, b: Buffer): boolean {
  return (
    a[15] === b[15] && a[14] === b[14] && a[13] === b[13] && a[12] === b[12] &&
    in6Word(a, 0, 0) === in6Word(b, 0, 0) && in6Word(a, 0, 1) === in6Word(b, 0, 1) && in6Word(a, 0, 2) === in6Word(b, 0, 2)
  );
}

/** Indices of the knobs an NS answer reads (cnf.values[i]: cnf.get(name) without the name lookup). */
const CNF_FORCE_TLLAO = IPV6_KNOBS.require('force_tllao');
const CNF_NDISC_TCLASS = IPV6_KNOBS.require('ndisc_tclass');

/** Room for the largest ND message tapstack sends: NS with SLLAO and nonce. */
const ND_MAX_BODY = ND_NS_LEN + 8 + 8;

export class Ndisc {
  /** nd_tbl. */
  readonly tbl: NeighTable<Buffer>;
  readonly stats: NdiscStats = {
    rxNs: 0, rxNa: 0, rxRs: 0, rxRa: 0, txNs: 0, txNa: 0, txRs: 0, dadFailures: 0, raAccepted: 0, rxRedirect: 0, redirectAccepted: 0,
    drops: {
      fragmented: 0, badHopLimitOrCode: 0, tooShort: 0, badOptions: 0, badLladdr: 0, targetMulticast: 0, badDad: 0,
      nsNotForUs: 0, nsTentative: 0, dadLooped: 0, nsNoEntry: 0, naSolicitedMulticast: 0, naUnsolicitedDropped: 0,
      naOwnAddress: 0, naUntracked: 0, naFailedEntry: 0, naOwnProxy: 0, rsIgnored: 0, raNotLinkLocal: 0, redirect: 0,
      noInet6Dev: 0, dadEnded: 0,
    },
  };
  /** ndisc_hh_ops: Ethernet and other header-caching links. */
  readonly hhOps: NeighOps<Buffer>;
  /** ndisc_generic_ops. */
  readonly genericOps: NeighOps<Buffer>;
  /** ndisc_direct_ops: links without a link-layer header. */
  readonly directOps: NeighOps<Buffer>;
  private readonly opsSet: NeighOpsSet<Buffer>;
  private readonly opts = new NdOpts();
  /** recvNs's copies of the target and the solicitor's address: the answer is built from them, not the frame. */
  private readonly nsTarget = Buffer.alloc(16);
  private readonly nsSaddr = Buffer.alloc(16);
  /** recvNs's copy of the source link-layer address option (resized if a device's addrLen differs). */
  private nsLladdr = Buffer.alloc(6);
  /** ownTarget's last answer: the address list it came from, the device, the address's words. */
  private lastIfa: Inet6Ifaddr | null = null;
  private lastIfaList: readonly Inet6Ifaddr[] | null = null;
  private lastIfaDev: NetDevice | null = null;
  private lastIfaW0 = 0;
  private lastIfaW1 = 0;
  private lastIfaW2 = 0;
  private lastIfaW3 = 0;

  constructor(private readonly inet6: Inet6, random?: () => number) {
    const solicit = (n: Neighbour<Buffer>, skb: SkBuff | null): void => this.solicit(n, skb);
    const errorReport = (n: Neighbour<Buffer>, skb: SkBuff): void => this.errorReport(n, skb);
    this.opsSet = neighOpsSet<Buffer>(AF_INET6, solicit, errorReport);
    this.hhOps = this.opsSet.hh;
    this.genericOps = this.opsSet.generic;
    this.directOps = this.opsSet.direct;
    this.tbl = new NeighTable<Buffer>(
      {
        id: 'ndisc_cache',
        family: AF_INET6,
        keyLen: 16,
        protocol: ETH_P_IPV6,
        hash: ndiscHash,
        keyEq,
        formatKey: (k: Buffer) => formatIn6(k),
        constructor: (n: Neighbour<Buffer>) => this.constructNeigh(n),
        pconstructor: (pn: PneighEntry<Buffer>) => this.pconstructor(pn),
        pdestructor: (pn: PneighEntry<Buffer>) => this.pdestructor(pn),
        proxyRedo: (skb: SkBuff) => this.recvNs(skb),
        isMulticast: (k: Buffer) => ipv6AddrIsMulticast(k, 0),
        allowAdd: (dev: NetDevice) => {
          const idev = in6DevGet(dev);
          return idev !== null && idev.cnf.get('disable_ipv6') === 0;
        },
        intKeys: false,
        defaults: ND_TBL_DEFAULTS,
        // sizeof(struct neighbour) + the 16-byte key on the measured kernel (`ip -s ntable`).
        entrySize: 344,
        gcInterval: 30000,
        gcThresh1: 128,
        gcThresh2: 512,
        gcThresh3: 1024,
      },
      inet6.net.clock,
      random ? { random } : undefined,
    );
  }

  // ---- the neighbour hooks -------------------------------------------------------------------

  /**
   * ndisc_constructor(): multicast keys map to 33:33:…, NOARP and loopback links use their own
   * address, point-to-point links their broadcast address; everything else resolves.
   */
  private constructNeigh(n: Neighbour<Buffer>): number {
    const dev = n.dev;
    const key = n.primaryKey;
    const idev = in6DevGet(dev);
    if (idev === null) return -EINVAL;
    n.parms = idev.ndParms;
    const mcast = ipv6AddrIsMulticast(key, 0);
    n.type = mcast ? 5 /* RTN_MULTICAST */ : 1 /* RTN_UNICAST */;
    if (neighConstructDirect(n, this.opsSet)) return 0;
    if (mcast) {
      n.nudState = NUD_NOARP;
      ipv6EthMcMap(key, 0, n.ha, 0);
    } else if (dev.flags & (IFF_NOARP | IFF_LOOPBACK)) {
      n.nudState = NUD_NOARP;
      dev.devAddr.copy(n.ha, 0, 0, dev.addrLen);
      if (dev.flags & IFF_LOOPBACK) n.type = 2; /* RTN_LOCAL */
    } else if (dev.flags & IFF_POINTOPOINT) {
      n.nudState = NUD_NOARP;
      dev.broadcast.copy(n.ha, 0, 0, dev.addrLen);
    }
    neighConstructOps(n, this.opsSet);
    return 0;
  }

  /** pndisc_constructor(): a proxied address joins its solicited-node group on its device. */
  private pconstructor(pn: PneighEntry<Buffer>): number {
    // "if (!dev || !__in6_dev_get(dev)) return -EINVAL": an IPv6 proxy entry needs a device
    // (`ip -6 neigh add proxy X` without one: RTNETLINK answers: No buffer space available).
    if (pn.dev === null) return -EINVAL;
    const idev = in6DevGet(pn.dev);
    if (idev === null) return -EINVAL;
    this.inet6.mcInc(idev, solicitedNode(pn.key, 0));
    return 0;
  }

  private pdestructor(pn: PneighEntry<Buffer>): void {
    if (pn.dev === null) return;
    const idev = in6DevGet(pn.dev);
    if (idev) this.inet6.mcDec(idev, solicitedNode(pn.key, 0));
  }

  /**
   * ndisc_solicit(): the source is the queued packet's if it is ours and usable on this device,
   * else the device's link-local; unicast to the cached address while probes < ucast_probes,
   * then app probes, then the solicited-node group.
   */
  solicit(n: Neighbour<Buffer>, skb: SkBuff | null): void {
    const dev = n.dev;
    const target = n.primaryKey;
    const idev = in6DevGet(dev);
    if (idev === null) return;
    let saddr: Uint8Array | null = null;
    if (skb !== null && skb.networkHeader >= 0) {
      const ifa = this.inet6.addrconf.getIfaddr(skb.buf, skb.networkHeader + IP6H_SADDR_OFF, dev);
      if (ifa !== null && (ifa.flags & (IFA_F_TENTATIVE | IFA_F_OPTIMISTIC)) === 0) saddr = ifa.addr;
    }
    let probes = n.probes - n.parms.ucastProbes;
    if (probes < 0) {
      // Unicast probes only happen in PROBE, where the cached address is valid.
      this.sendNs(dev, target, target, saddr, null, n.ha);
      return;
    }
    probes -= n.parms.appProbes;
    if (probes < 0) {
      neighAppNs(n);
      return;
    }
    this.sendNs(dev, target, solicitedNode(target, 0), saddr, null, null);
  }

  /** ndisc_error_report() → ip6_link_failure(): ICMPv6 address unreachable to the sender. */
  private errorReport(_n: Neighbour<Buffer>, skb: SkBuff): void {
    this.inet6.linkFailure(skb);
  }

  // ---- transmit -------------------------------------------------------------------------------

  /**
   * ndisc_send_skb(): IPv6 header with hop limit 255, flow label 0 and the device's ndisc_tclass,
   * the ICMPv6 checksum, then out through the neighbour of `daddr` on `dev` (icmp6_dst_alloc:
   * ND messages are always on-link), so a unicast answer goes through the solicitor's entry.
   */
  private sendSkb(skb: SkBuff, dev: NetDevice, saddr: Uint8Array, daddr: Uint8Array, type: number, dstHa: Buffer | null): number {
    const inet6 = this.inet6;
    const idev = in6DevGet(dev);
    if (idev === null) return -EINVAL;
    const b = skb.buf;
    const icmpOff = skb.data;
    const icmpLen = skb.len;
    icmp6FillChecksum(b, icmpOff, icmpLen, saddr, 0, daddr, 0);
    const off = skb.push(IPV6_HDR_LEN);
    skb.networkHeader = off;
    writeIpv6Header(b, off, idev.cnf.values[CNF_NDISC_TCLASS] & 0xff, 0, icmpLen, IPPROTO_ICMPV6, 255, saddr, 0, daddr, 0);
    inet6.icmp.countOut(type);
    inet6.stats.outRequests++;
    if (ipv6AddrIsMulticast(daddr, 0)) inet6.stats.outMcastPkts++;
    if (dstHa !== null) {
      // A unicast probe goes to the address already cached, whatever state the entry is in.
      skb.dev = dev;
      skb.protocol = ETH_P_IPV6;
      if (devHardHeader(skb, dev, ETH_P_IPV6, dstHa, dev.devAddr, skb.len) < 0) return -EINVAL;
      return inet6.net.devQueueXmit(skb);
    }
    return ip6FinishOutput2(inet6, skb, dev, daddr, 0);
  }

  private allocNd(len: number): SkBuff {
    const skb = allocSkb(len, LL_RESERVED_SPACE + IPV6_HDR_LEN);
    skb.put(len);
    return skb;
  }

  /**
   * ndisc_send_ns(): `saddr` null picks the device's link-local (not tentative); a DAD probe has
   * source :: and no SLLAO, and a nonce with enhanced DAD. `dstHa` sends a unicast probe to the
   * cached MAC. Nothing goes out when no usable source exists.
   */
  sendNs(dev: NetDevice, target: Uint8Array, daddr: Uint8Array, saddr: Uint8Array | null, nonce: Uint8Array | null, dstHa: Buffer | null, dad = false): void {
    const idev = in6DevGet(dev);
    if (idev === null) return;
    let src: Uint8Array;
    if (dad) src = IN6ADDR_ANY;
    else if (saddr !== null) src = saddr;
    else {
      const ll = this.inet6.addrconf.getLladdr(idev, IFA_F_TENTATIVE | IFA_F_OPTIMISTIC);
      if (ll === null) return;
      src = ll.addr;
    }
    const sll = dad || dev.addrLen === 0 ? null : dev.devAddr;
    const skb = this.allocNd(ND_MAX_BODY);
    const n = writeNs(skb.buf, skb.data, target, sll, nonce);
    skb.trim(n);
    this.stats.txNs++;
    this.sendSkb(skb, dev, src, daddr, NDISC_NEIGHBOUR_SOLICITATION, dstHa);
  }

  /**
   * ndisc_send_na(): the source is the target when it is ours (an optimistic one never sets O),
   * else source selection toward `daddr`; TLLAO when `incOpt` (or force_tllao).
   */
  sendNa(dev: NetDevice, daddr: Uint8Array, target: Uint8Array, router: boolean, solicited: boolean, override: boolean, incOpt: boolean): void {
    const addrconf = this.inet6.addrconf;
    const ifa = addrconf.getIfaddr(target, 0, dev);
    let src: Uint8Array | null;
    if (ifa !== null) {
      src = ifa.addr;
      if (ifa.flags & IFA_F_OPTIMISTIC) override = false;
      if (ifa.idev.cnf.values[CNF_FORCE_TLLAO]) incOpt = true;
    } else {
      src = addrconf.devGetSaddr(dev, daddr, 0);
      if (src === null) return;
    }
    const flags = (router ? ND_NA_FLAG_ROUTER : 0) | (solicited ? ND_NA_FLAG_SOLICITED : 0) | (override ? ND_NA_FLAG_OVERRIDE : 0);
    const skb = this.allocNd(ND_NA_LEN + 8);
    const n = writeNa(skb.buf, skb.data, flags, target, incOpt && dev.addrLen ? dev.devAddr : null);
    skb.trim(n);
    this.stats.txNa++;
    // sendSkb only reads the addresses (ip6_finish_output2 copies the next hop if it must keep it).
    this.sendSkb(skb, dev, src, daddr, NDISC_NEIGHBOUR_ADVERTISEMENT, null);
  }

  /**
   * sendNa(dev, solicitor, target, router, true, override, incOpt) for an NS asking for `ifa`,
   * written over the NS itself instead of a packet of its own: the same bytes, counters and way
   * out (the solicitor's entry `n`, which ip6_finish_output2 would look up again). writeNaOverNs
   * turns the NS into the NA, its checksum summed while the addresses move.
   * Returns false, having touched nothing, when the NS cannot hold the answer (extension headers
   * before it, shorter than the NA, no room for the link-layer header in front) or when the answer
   * would not leave at once: `n` not valid (it would wait in the entry's queue, where the kernel
   * has its own skb with its own truesize), or the address deleted meanwhile (sendNa picks
   * another source then).
   */
  private sendNaInPlace(skb: SkBuff, ifa: Inet6Ifaddr, router: boolean, override: boolean, incOpt: boolean, n: Neighbour<Buffer>): boolean {
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const t = skb.data;
    if (ifa.state === INET6_IFADDR_STATE_DEAD || (n.nudState & NUD_VALID) === 0 || n.dead || t !== nh + IPV6_HDR_LEN || nh < dev.hardHeaderLen) {
      return false;
    }
    const idev = in6DevGet(dev);
    if (idev === null) return false;
    if (ifa.flags & IFA_F_OPTIMISTIC) override = false;
    if (ifa.idev.cnf.values[CNF_FORCE_TLLAO]) incOpt = true;
    const tll = incOpt && dev.addrLen ? dev.devAddr : null;
    const len = naLen(tll !== null);
    if (len > skb.len) return false;
    const flags = (router ? ND_NA_FLAG_ROUTER : 0) | ND_NA_FLAG_SOLICITED | (override ? ND_NA_FLAG_OVERRIDE : 0);
    writeNaOverNs(b, nh, idev.cnf.values[CNF_NDISC_TCLASS] & 0xff, flags, tll);
    skb.tail = t + len;
    this.stats.txNa++;
    // As a packet of its own would be: no link-layer or transport header yet, no control flags.
    skb.data = nh;
    skb.macHeader = -1;
    skb.transportHeader = -1;
    skb.pktType = PACKET_HOST;
    skb.cb = 0;
    const inet6 = this.inet6;
    inet6.icmp.countOut(NDISC_NEIGHBOUR_ADVERTISEMENT);
    inet6.stats.outRequests++;
    if (ipv6AddrIsMulticast(b, nh + IP6H_DADDR_OFF)) inet6.stats.outMcastPkts++;
    // ip6_finish_output2 would look the destination just written up and find `n` (live, valid):
    // the packet goes to it directly.
    skb.dev = dev;
    skb.protocol = ETH_P_IPV6;
    neighOutput(n, skb, false);
    return true;
  }

  /** ndisc_send_unsol_na(): one NA to ff02::1 per address that is not (merely) tentative. */
  sendUnsolNa(dev: NetDevice): void {
    const idev = in6DevGet(dev);
    if (idev === null || !dev.isUp) return;
    const router = idev.cnf.get('forwarding') !== 0;
    for (const ifa of [...idev.addrList]) {
      if ((ifa.flags & IFA_F_TENTATIVE) && !(ifa.flags & IFA_F_OPTIMISTIC)) continue;
      this.sendNa(dev, IN6ADDR_LINKLOCAL_ALLNODES, ifa.addr, router, false, true, true);
    }
  }

  /** ndisc_send_rs(): to ff02::2, SLLAO unless the source is optimistic (or ::). */
  sendRs(dev: NetDevice, saddr: Uint8Array, optimistic: boolean): void {
    const skb = this.allocNd(ND_RS_LEN + 8);
    const sll = ipv6AddrAny(saddr, 0) || optimistic || dev.addrLen === 0 ? null : dev.devAddr;
    const n = writeRs(skb.buf, skb.data, sll);
    skb.trim(n);
    this.stats.txRs++;
    this.sendSkb(skb, dev, saddr, IN6ADDR_LINKLOCAL_ALLROUTERS, NDISC_ROUTER_SOLICITATION, null);
  }

  // ---- receive ---------------------------------------------------------------------------------

  /**
   * ndisc_rcv(): the checks every ND message passes before its handler — fragments
   * (suppress_frag_ndisc), hop limit 255, code 0. The ICMPv6 layer has counted it already.
   */
  rcv(skb: SkBuff, type: number): void {
    const d = this.stats.drops;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const idev = skb.dev ? in6DevGet(skb.dev) : null;
    if (idev === null) {
      d.noInet6Dev++;
      return;
    }
    if (skb.transportHeader !== nh + IPV6_HDR_LEN && this.fragmented(skb) && idev.cnf.get('suppress_frag_ndisc')) {
      d.fragmented++;
      this.inet6.log('ICMPv6: Received fragmented ndisc packet. Carefully consider disabling suppress_frag_ndisc.');
      return;
    }
    if (b[nh + 7] !== 255 || b[skb.data + 1] !== 0) {
      d.badHopLimitOrCode++;
      return;
    }
    switch (type) {
      case NDISC_NEIGHBOUR_SOLICITATION:
        this.stats.rxNs++;
        skb.cb = 0;
        this.recvNs(skb);
        return;
      case NDISC_NEIGHBOUR_ADVERTISEMENT:
        this.stats.rxNa++;
        this.recvNa(skb);
        return;
      case NDISC_ROUTER_SOLICITATION:
        this.stats.rxRs++;
        this.recvRs(skb);
        return;
      case NDISC_ROUTER_ADVERTISEMENT:
        this.stats.rxRa++;
        this.routerDiscovery(skb);
        return;
      case NDISC_REDIRECT:
        this.stats.rxRedirect++;
        this.redirectRcv(skb);
        return;
    }
  }

  /**
   * ndisc_parse_options() over the option area after the message's fixed part: null (counted in
   * drops.badOptions) when it is malformed and the whole message must be dropped.
   */
  private parseOpts(skb: SkBuff, fixedLen: number): NdOpts | null {
    if (ndiscParseOptions(skb.buf, skb.data + fixedLen, skb.len - fixedLen, this.opts)) return this.opts;
    this.stats.drops.badOptions++;
    return null;
  }

  /** Was there a fragment header on the way to the ICMPv6 header? (ipv6_ext_hdr walk, cheap). */
  private fragmented(skb: SkBuff): boolean {
    const b = skb.buf;
    let nexthdr = b[skb.networkHeader + 6];
    let pos = skb.networkHeader + IPV6_HDR_LEN;
    while (pos < skb.transportHeader) {
      if (nexthdr === 44) return true;
      const len = nexthdr === 44 ? 8 : (b[pos + 1] + 1) * 8;
      nexthdr = b[pos];
      pos += len;
    }
    return false;
  }

  /**
   * As {@link lladdr}, but into recvNs's own buffer (valid until the next NS; neighUpdate copies
   * it into the entry): the solicitation path allocates nothing for it.
   */
  private lladdrInto(buf: Buffer, optOff: number, dev: NetDevice): Buffer | null | 'bad' {
    if (optOff < 0) return null;
    if (!ndOptLlAddr(buf, optOff, dev.addrLen)) return 'bad';
    if (this.nsLladdr.length !== dev.addrLen) this.nsLladdr = Buffer.alloc(dev.addrLen);
    const o = ndOptLlAddrOff(optOff);
    const ll = this.nsLladdr;
    for (let i = 0; i < ll.length; i++) ll[i] = buf[o + i];
    return ll;
  }

  /** The link-layer address option's bytes as a MAC Buffer, or null (absent). `bad` when the length is wrong. */
  private lladdr(buf: Buffer, optOff: number, dev: NetDevice): Buffer | null | 'bad' {
    if (optOff < 0) return null;
    if (!ndOptLlAddr(buf, optOff, dev.addrLen)) return 'bad';
    const o = ndOptLlAddrOff(optOff);
    return Buffer.from(buf.subarray(o, o + dev.addrLen));
  }

  /**
   * ndisc_recv_ns(). Rule by rule as §2.2 of the reference: validation, own/tentative target
   * (DAD failure or loop), anycast and proxy (with proxy_delay), DAD defence to ff02::1, the
   * solicitor's entry (created only for unicast NS or with SLLAO) updated STALE with
   * OVERRIDE|WEAK_OVERRIDE, and the answer through that entry.
   */
  recvNs(skb: SkBuff): void {
    const inet6 = this.inet6;
    const addrconf = inet6.addrconf;
    const d = this.stats.drops;
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const off = skb.data;
    const len = skb.len;
    if (len < ND_NS_LEN) {
      d.tooShort++;
      return;
    }
    const saddrOff = nh + IP6H_SADDR_OFF;
    const daddrOff = nh + IP6H_DADDR_OFF;
    const targetOff = off + 8;
    // (ipv6AddrAny reads all 16 bytes; a solicitor's address fails at its first.)
    const dad = b[saddrOff] === 0 && ipv6AddrAny(b, saddrOff);
    if (ipv6AddrIsMulticast(b, targetOff)) {
      d.targetMulticast++;
      return;
    }
    // RFC 4862 5.4.3: "the destination address must be the solicited-node multicast address".
    if (dad && !ipv6AddrIsSolictMult(b, daddrOff)) {
      d.badDad++;
      return;
    }
    // The usual NS carries one option, its SLLAO, filling the rest of the message: that is what
    // the option walk would find, and all it would find.
    let sllao = off + ND_NS_LEN;
    let nonce = -1;
    if (len !== ND_NS_LEN + 8 || b[sllao] !== ND_OPT_SOURCE_LL_ADDR || b[sllao + 1] !== 1) {
      const opts = this.parseOpts(skb, ND_NS_LEN);
      if (opts === null) return;
      sllao = opts.sllao;
      nonce = opts.nonce;
    }
    const ll = this.lladdrInto(b, sllao, dev);
    if (ll === 'bad') {
      d.badLladdr++;
      return;
    }
    if (ll !== null && dad) {
      // RFC 2461 7.1.1: "IP source address is the unspecified address, there is no source
      // link-layer address option in the message".
      d.badDad++;
      return;
    }
    const nonceOpt = nonce >= 0 && ndOptNonceUsable(b, nonce) ? nonce : -1;
    const inc = ipv6AddrIsMulticast(b, daddrOff);
    // The target is copied out only where a fresh answer is built from it (the in-place answer
    // keeps it where it lies).
    const target = this.nsTarget;
    const ifa = this.ownTarget(b, targetOff, dev);
    let idev: Inet6Dev | null;
    let isRouter = -1;
    if (ifa !== null) {
      if (ifa.flags & (IFA_F_TENTATIVE | IFA_F_OPTIMISTIC)) {
        if (dad) {
          if (nonceOpt >= 0 && ndOptNonceEqual(b, nonceOpt, ifa.dadNonce)) {
            // "matches ours": our own probe came back (a looping link).
            d.dadLooped++;
            return;
          }
          // "We are colliding with another node who is doing DAD so fail our DAD process".
          this.dadFailure(ifa, skb);
          return;
        }
        // "This is not a dad solicitation. If we are an optimistic node, we should respond.
        // Otherwise, we should ignore it."
        if (!(ifa.flags & IFA_F_OPTIMISTIC)) {
          d.nsTentative++;
          return;
        }
      }
      idev = ifa.idev;
    } else {
      idev = in6DevGet(dev);
      if (idev === null) {
        d.noInet6Dev++;
        return;
      }
      const anycast = addrconf.chkAcast(dev, b, targetOff);
      in6Write(target, 0, b, targetOff);
      let proxied = false;
      if (!anycast && idev.cnf.get('forwarding') !== 0 && (inet6.conf.all.get('proxy_ndp') !== 0 || idev.cnf.get('proxy_ndp') !== 0)) {
        const pn = this.tbl.pneighLookup(target, dev, false);
        if (pn !== null) {
          proxied = true;
          isRouter = pn.flags & NTF_ROUTER ? 1 : 0;
        }
      }
      if (!anycast && !proxied) {
        d.nsNotForUs++;
        return;
      }
      if (!(skb.cb & LOCALLY_ENQUEUED) && skb.pktType !== PACKET_HOST && inc && idev.ndParms.proxyDelay !== 0) {
        // "Do not answer at once; the proxy delay gives the real owner the first word."
        skb.cb |= LOCALLY_ENQUEUED;
        this.tbl.pneighEnqueue(skb.own(), idev.ndParms);
        return;
      }
    }
    if (isRouter < 0) isRouter = idev.cnf.values[CNF_FORWARDING] !== 0 ? 1 : 0;
    if (dad) {
      in6Write(target, 0, b, targetOff);
      this.sendNa(dev, IN6ADDR_LINKLOCAL_ALLNODES, target, isRouter !== 0, false, ifa !== null, true);
      return;
    }
    if (inc) this.tbl.stats.rcvProbesMcast++;
    else this.tbl.stats.rcvProbesUcast++;
    const n = this.tbl.lookupCreateAt(b, saddrOff, dev, !inc || ll !== null || dev.addrLen === 0);
    if (n !== null) {
      neighUpdate(n, ll, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE, 0);
      // The usual case: the solicitation becomes the answer (this returns false having touched nothing otherwise).
      if (ifa !== null && this.sendNaInPlace(skb, ifa, isRouter !== 0, inc, inc, n)) {
        neighRelease(n);
        return;
      }
    }
    if (n !== null || !dev.headerOps) {
      const saddr = this.nsSaddr;
      in6Write(saddr, 0, b, saddrOff);
      in6Write(target, 0, b, targetOff);
      this.sendNa(dev, saddr, target, isRouter !== 0, true, ifa !== null && inc, inc);
    } else {
      d.nsNoEntry++;
    }
    if (n !== null) neighRelease(n);
  }

  /**
   * addrconf.getIfaddr(b, off, dev) (ipv6_get_ifaddr), remembering its last answer: getIfaddr
   * walks inet6.allAddrs, which is replaced, never changed in place, whenever an address comes
   * or goes, so while it is the same array the same device and address give the same ifa. The
   * usual NS, for the address asked about last time, costs four word compares.
   */
  private ownTarget(b: Uint8Array, off: number, dev: NetDevice): Inet6Ifaddr | null {
    const v = viewFor(b);
    const w0 = v.getUint32(off);
    const w1 = v.getUint32(off + 4);
    const w2 = v.getUint32(off + 8);
    const w3 = v.getUint32(off + 12);
    const list = this.inet6.allAddrs;
    if (w3 === this.lastIfaW3 && w0 === this.lastIfaW0 && w1 === this.lastIfaW1 && w2 === this.lastIfaW2 &&
        list === this.lastIfaList && dev === this.lastIfaDev) {
      return this.lastIfa;
    }
    const ifa = this.inet6.addrconf.getIfaddr(b, off, dev);
    this.lastIfa = ifa;
    this.lastIfaList = list;
    this.lastIfaDev = dev;
    this.lastIfaW0 = w0;
    this.lastIfaW1 = w1;
    this.lastIfaW2 = w2;
    this.lastIfaW3 = w3;
    return ifa;
  }

  /** addrconf_dad_failure(), which does nothing once the address's DAD has ended: that is counted. */
  private dadFailure(ifa: Inet6Ifaddr, skb: SkBuff): void {
    const before = this.stats.dadFailures;
    this.inet6.addrconf.dadFailure(ifa, this.srcMac(skb));
    if (this.stats.dadFailures === before) this.stats.drops.dadEnded++;
  }

  /** The offending frame's Ethernet source, for the DAD log line. */
  private srcMac(skb: SkBuff): Buffer | null {
    if (skb.macHeader < 0) return null;
    return Buffer.from(skb.buf.subarray(skb.macHeader + 6, skb.macHeader + 12));
  }

  /**
   * ndisc_recv_na(): validation (drop_unsolicited_na before the options), our own tentative
   * address (DAD failure), the target's entry (never created on a host; accept_untracked_na on a
   * router), FAILED ignored, then neigh_update with S/O/R mapped to REACHABLE/STALE, OVERRIDE,
   * ISROUTER; a router turning host loses its RA default route.
   */
  recvNa(skb: SkBuff): void {
    const inet6 = this.inet6;
    const d = this.stats.drops;
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const off = skb.data;
    const len = skb.len;
    if (len < ND_NA_LEN) {
      d.tooShort++;
      return;
    }
    const targetOff = off + 8;
    const daddrOff = nh + IP6H_DADDR_OFF;
    const flags = naFlags(b, off);
    const solicited = (flags & ND_NA_FLAG_SOLICITED) !== 0;
    if (ipv6AddrIsMulticast(b, targetOff)) {
      d.targetMulticast++;
      return;
    }
    if (ipv6AddrIsMulticast(b, daddrOff) && solicited) {
      d.naSolicitedMulticast++;
      return;
    }
    const idev = in6DevGet(dev);
    // "For some 802.11 wireless deployments (and possibly other networks), there will be a NA
    // proxy and unsolicitd packets are attacks and thus should not be accepted."
    if (!solicited && idev !== null && idev.cnf.get('drop_unsolicited_na')) {
      d.naUnsolicitedDropped++;
      return;
    }
    const opts = this.parseOpts(skb, ND_NA_LEN);
    if (opts === null) return;
    const ll = this.lladdr(b, opts.tllao, dev);
    if (ll === 'bad') {
      d.badLladdr++;
      return;
    }
    const ifa = inet6.addrconf.getIfaddr(b, targetOff, dev);
    if (ifa !== null) {
      if (skb.pktType !== PACKET_LOOPBACK && ifa.flags & IFA_F_TENTATIVE) {
        this.dadFailure(ifa, skb);
        return;
      }
      // "What should we make now? The advertisement is invalid, but ndisc specs say nothing
      // about it. It could be misconfiguration, or an smart proxy agent tries to help us :-)"
      if (skb.pktType !== PACKET_LOOPBACK) {
        // "%pM" of eth_hdr(skb)->h_source: the frame's sender, whatever the TLLAO says.
        const mac = this.srcMac(skb);
        inet6.log(`ICMPv6: NA: ${mac ? formatMac(mac) : '00:00:00:00:00:00'} advertised our address ${formatIn6(ifa.addr)} on ${dev.name}!`);
      }
      d.naOwnAddress++;
      return;
    }
    const target = Buffer.from(b.subarray(targetOff, targetOff + 16));
    let newState = solicited ? NUD_REACHABLE : NUD_STALE;
    let n = this.tbl.lookup(target, dev);
    if (n === null && ll !== null && idev !== null && idev.cnf.get('forwarding') !== 0 && this.acceptUntrackedNa(idev, b, nh + IP6H_SADDR_OFF)) {
      // RFC 9131: a router may learn from an unsolicited NA.
      n = this.tbl.lookupCreate(target, dev, true);
      newState = NUD_STALE;
    }
    if (n === null) {
      d.naUntracked++;
      return;
    }
    try {
      if (n.nudState & NUD_FAILED) {
        d.naFailedEntry++;
        return;
      }
      if (ll !== null && ll.equals(dev.devAddr.subarray(0, dev.addrLen)) && inet6.conf.all.get('forwarding') !== 0 &&
          inet6.conf.all.get('proxy_ndp') !== 0 && this.tbl.pneighLookup(target, dev, false) !== null) {
        // "Don't update the neighbour cache entry on a proxy NA from ourselves".
        d.naOwnProxy++;
        return;
      }
      const wasRouter = (n.flags & NTF_ROUTER) !== 0;
      neighUpdate(
        n,
        ll,
        newState,
        NEIGH_UPDATE_F_WEAK_OVERRIDE | (flags & ND_NA_FLAG_OVERRIDE ? NEIGH_UPDATE_F_OVERRIDE : 0) | NEIGH_UPDATE_F_OVERRIDE_ISROUTER |
          (flags & ND_NA_FLAG_ROUTER ? NEIGH_UPDATE_F_ISROUTER : 0),
        0,
      );
      if (wasRouter && !(n.flags & NTF_ROUTER)) {
        // "Change: router to host": its RA default route goes (looked up by the NA's source).
        inet6.routerGone(Buffer.from(b.subarray(nh + IP6H_SADDR_OFF, nh + IP6H_SADDR_OFF + 16)), dev);
      }
    } finally {
      neighRelease(n);
    }
  }

  /** accept_untracked_na: 1 always, 2 only when the NA's source is inside one of the device's prefixes. */
  private acceptUntrackedNa(idev: Inet6Dev, b: Buffer, saddrOff: number): boolean {
    const v = idev.cnf.get('accept_untracked_na');
    if (v === 1) return true;
    if (v !== 2) return false;
    for (const ifa of idev.addrList) if (ipv6PrefixEqual(ifa.addr, 0, b, saddrOff, ifa.prefixLen)) return true;
    return false;
  }

  /** ndisc_recv_rs(): hosts ignore RS; a router learns the soliciting host (router flag cleared). */
  private recvRs(skb: SkBuff): void {
    const d = this.stats.drops;
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    if (skb.len < ND_RS_LEN) {
      d.tooShort++;
      return;
    }
    const idev = in6DevGet(dev);
    if (idev === null || idev.cnf.get('forwarding') === 0 || ipv6AddrAny(b, nh + IP6H_SADDR_OFF)) {
      d.rsIgnored++;
      return;
    }
    const opts = this.parseOpts(skb, ND_RS_LEN);
    if (opts === null) return;
    const ll = this.lladdr(b, opts.sllao, dev);
    if (ll === 'bad') {
      d.badLladdr++;
      return;
    }
    const saddr = Buffer.from(b.subarray(nh + IP6H_SADDR_OFF, nh + IP6H_SADDR_OFF + 16));
    const n = this.tbl.lookupCreate(saddr, dev, true);
    if (n !== null) {
      neighUpdate(n, ll, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER, 0);
      neighRelease(n);
    }
  }

  /**
   * ndisc_redirect_rcv() → rt6_do_redirect() (§2.6, hosts): a link-local source, a unicast
   * destination, a target that is the destination (on-link) or link-local unicast, a device that
   * does not forward and accepts redirects, and a sender that is the current first-hop router
   * for the destination. Then the target's entry is looked up or created and updated STALE with
   * OVERRIDE|WEAK_OVERRIDE (plus ISROUTER when target ≠ destination), and a cached route to the
   * destination via the target (or on-link) is installed.
   */
  private redirectRcv(skb: SkBuff): void {
    const inet6 = this.inet6;
    const d = this.stats.drops;
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const off = skb.data;
    const len = skb.len;
    if (len < ND_REDIRECT_LEN) {
      d.tooShort++;
      return;
    }
    const saddrOff = nh + IP6H_SADDR_OFF;
    // "Redirect: source address is not link-local"
    if (!ipv6AddrIsLinkLocal(b, saddrOff)) {
      d.redirect++;
      return;
    }
    const opts = this.parseOpts(skb, ND_REDIRECT_LEN);
    if (opts === null) return;
    const targetOff = rdTargetOff(off);
    const destOff = rdDestOff(off);
    // "Redirect: destination address is multicast"
    if (ipv6AddrIsMulticast(b, destOff)) {
      d.redirect++;
      return;
    }
    const onLink = ipv6AddrEqual(b, targetOff, b, destOff);
    // "Redirect: target address is not link-local unicast"
    if (!onLink && !(ipv6AddrIsLinkLocal(b, targetOff) && !ipv6AddrIsMulticast(b, targetOff))) {
      d.redirect++;
      return;
    }
    const idev = in6DevGet(dev);
    if (idev === null || idev.cnf.get('forwarding') !== 0 || idev.cnf.get('accept_redirects') === 0) {
      d.redirect++;
      return;
    }
    const ll = this.lladdr(b, opts.tllao, dev);
    if (ll === 'bad') {
      d.badLladdr++;
      return;
    }
    // __ip6_route_redirect(): only the router we use for that destination may redirect it.
    const dest = Buffer.from(b.subarray(destOff, destOff + 16));
    const rt = inet6.fib.lookup(dest, 0, dev);
    if (rt === null || rt.gw === null || rt.dev !== dev || !ipv6AddrEqual(rt.gw, 0, b, saddrOff)) {
      d.redirect++;
      return;
    }
    const target = Buffer.from(b.subarray(targetOff, targetOff + 16));
    const n = this.tbl.lookupCreate(target, dev, true);
    if (n === null) {
      d.redirect++;
      return;
    }
    neighUpdate(
      n,
      ll,
      NUD_STALE,
      NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE | (onLink ? 0 : NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER),
      0,
    );
    neighRelease(n);
    inet6.fib.rt6Redirect(rt.from ?? rt, dest, onLink ? null : target, inet6.net.clock.now());
    this.stats.redirectAccepted++;
  }

  /**
   * ndisc_router_discovery(), §2.5: link-local source only; with accept_ra: default router
   * (lifetime, preference, hop limit), the timers rewriting the device's ND parms, then the
   * router's entry (looked up or created, router flag set — even without accept_ra), prefixes
   * (on-link routes, SLAAC) and the MTU option.
   */
  private routerDiscovery(skb: SkBuff): void {
    const inet6 = this.inet6;
    const d = this.stats.drops;
    const dev = skb.dev!;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const off = skb.data;
    const len = skb.len;
    const saddrOff = nh + IP6H_SADDR_OFF;
    if (!ipv6AddrIsLinkLocal(b, saddrOff)) {
      d.raNotLinkLocal++;
      return;
    }
    if (len < ND_RA_LEN) {
      d.tooShort++;
      return;
    }
    const idev = in6DevGet(dev);
    if (idev === null) {
      d.noInet6Dev++;
      return;
    }
    const opts = this.parseOpts(skb, ND_RA_LEN);
    if (opts === null) return;
    const saddr = Buffer.from(b.subarray(saddrOff, saddrOff + 16));
    const cnf = idev.cnf;
    const forwarding = cnf.get('forwarding') !== 0;
    const acceptRa = forwarding ? cnf.get('accept_ra') === 2 : cnf.get('accept_ra') !== 0;
    if (acceptRa) {
      this.stats.raAccepted++;
      inet6.addrconf.raReceived(idev, raFlags(b, off));
      const lifetime = raRouterLifetime(b, off);
      const minLft = cnf.get('accept_ra_min_lft');
      const fromLocal = inet6.addrconf.chkAddr(b, saddrOff, null) !== null;
      if (cnf.get('accept_ra_defrtr') !== 0 && !(lifetime !== 0 && lifetime < minLft) && !(fromLocal && cnf.get('accept_ra_from_local') === 0)) {
        const pref = cnf.get('accept_ra_rtr_pref') !== 0 ? raRouterPref(b, off) : 0;
        const hop = raCurHopLimit(b, off);
        const hopOk = hop !== 0 && hop >= cnf.get('accept_ra_min_hop_limit');
        const before = inet6.fib.getDfltRouter(saddr, dev);
        inet6.raDefaultRouter(idev, saddr, lifetime, pref, hopOk ? hop : 0);
        const after = inet6.fib.getDfltRouter(saddr, dev);
        if (after !== null && after !== before) {
          // rt6_add_dflt_router, then ip6_neigh_lookup (creating the entry) and "neigh->flags |=
          // NTF_ROUTER": a router without SLLAO gets the flag on its NONE entry this way.
          const rn = this.tbl.lookupCreate(saddr, dev, true);
          if (rn !== null) {
            rn.flags |= NTF_ROUTER;
            neighRelease(rn);
          }
        }
        if (hopOk) cnf.set('hop_limit', hop);
      }
      const parms = idev.ndParms;
      // The fields are ms; the kernel keeps jiffies ("rtime = (rtime*HZ)/1000"): whole 4 ms at
      // HZ=250, at least HZ/100 (8 ms) for retrans and HZ/10 (100 ms) for reachable; 0 = unchanged.
      // (The kernel keeps jiffies in an int, the parms here keep ms up to INT_MAX: a value beyond
      // that is taken as INT_MAX instead of throwing.)
      const retrans = raRetransTimer(b, off);
      if (retrans !== 0) parms.set('retransTime', Math.min(Math.max(jiffiesMs(retrans), 8), 0x7fffffff), false);
      const reachMs = raReachableTime(b, off);
      const reach = Math.min(Math.max(jiffiesMs(reachMs), 100), 0x7fffffff);
      if (reachMs !== 0 && reach !== parms.baseReachableTime) {
        parms.set('baseReachableTime', reach, false);
        parms.set('gcStaletime', Math.min(3 * reach, 0x7fffffff), false);
      }
    }
    // The router's entry: looked up or created (even without SLLAO: it then stays NONE).
    const ll = this.lladdr(b, opts.sllao, dev);
    const n = this.tbl.lookupCreate(saddr, dev, true);
    if (n !== null) {
      if (ll !== 'bad') {
        neighUpdate(n, ll, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER, 0);
      }
      neighRelease(n);
    }
    if (ll === 'bad') {
      d.badLladdr++;
      return;
    }
    if (!acceptRa) return;
    if (cnf.get('accept_ra_pinfo') !== 0) {
      for (let i = 0; i < opts.piCount; i++) inet6.addrconf.prefixRcv(idev, b, opts.pi[i], opts.sllao >= 0);
    }
    if (opts.mtu >= 0 && cnf.get('accept_ra_mtu') !== 0) {
      const mtu = ndOptMtu(b, opts.mtu);
      idev.raMtu = mtu;
      if (mtu >= 1280 && mtu <= dev.mtu && mtu !== cnf.get('mtu')) {
        cnf.set('mtu', mtu);
        inet6.raMtuChanged(idev, saddr, mtu);
      }
    }
  }
}

/** ms → whole jiffies at HZ=250 → ms ("(rtime * HZ) / 1000"), as the kernel stores RA timers. */
function jiffiesMs(ms: number): number {
  return Math.floor(ms / 4) * 4;
}
