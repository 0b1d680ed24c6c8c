// IPv6 address configuration (net/ipv6/addrconf.c): ipv6_add_addr/ipv6_del_addr, addrconf_addr_gen
// (EUI-64 link-local), addrconf_dad_begin/work/completed/failure, addrconf_rs_timer,
// addrconf_prefix_rcv (SLAAC), addrconf_verify, ipv6_dev_get_saddr, ipv6_chk_addr, ipv6_get_lladdr.
import { EACCES, EEXIST, EINVAL, StackError } from '../core/errno.js';
import { IFF_LOOPBACK, IFF_NOARP, type NetDevice } from '../core/netdevice.js';
import type { Inet6 } from './af_inet6.js';
import {
  IFA_F_DADFAILED,
  IFA_F_DEPRECATED,
  IFA_F_MANAGETEMPADDR,
  IFA_F_NODAD,
  IFA_F_NOPREFIXROUTE,
  IFA_F_OPTIMISTIC,
  IFA_F_PERMANENT,
  IFA_F_TENTATIVE,
  IFA_GLOBAL,
  IFA_HOST,
  IFA_LINK,
  IFA_SITE,
  IF_RA_MANAGED,
  IF_RA_OTHERCONF,
  IF_RA_RCVD,
  IF_READY,
  IF_RS_SENT,
  INET6_IFADDR_STATE_DAD,
  INET6_IFADDR_STATE_DEAD,
  INET6_IFADDR_STATE_ERRDAD,
  INET6_IFADDR_STATE_POSTDAD,
  INET6_IFADDR_STATE_PREDAD,
  INFINITY_LIFE_TIME,
  type AddrOrigin,
  Inet6Dev,
  Inet6Ifaddr,
  in6DevGet,
} from './if_inet6.js';
import {
  IN6ADDR_LINKLOCAL_ALLNODES,
  formatIn6,
  in6Word,
  ipv6AddrEqual,
  ipv6AddrIsLinkLocal,
  ipv6AddrIsMulticast,
  ipv6AddrScope,
  ipv6AddrEui64,
  ipv6LinkLocalFromMac,
  ipv6Prefix,
  ipv6PrefixEqual,
  solicitedNode,
} from './in6_addr.js';
import { ND_PIO_AUTOCONF, ND_PIO_ONLINK, ND_PIO_PREFERPD, pioFlags, pioLenOk, pioPreferredLft, pioPrefixLen, pioPrefixOff, pioValidLft } from './ndisc_wire.js';

/** MIN_VALID_LIFETIME: RFC 4862 5.5.3 e) "two hours". */
const MIN_VALID_LIFETIME = 2 * 3600;
/** HZ/100 (two jiffies at this kernel's HZ=250): the shortest DAD retransmission interval (ms). */
const HZ_100_MS = 8;
/** ADDR_CHECK_FREQUENCY: addrconf_verify runs at least this often while addresses expire (ms). */
const ADDR_CHECK_FREQUENCY = 120_000;

/** Options of {@link Addrconf.addAddr}. */
export interface AddAddrOptions {
  /** IFA_F_* given by the user: NODAD, NOPREFIXROUTE, OPTIMISTIC, MANAGETEMPADDR. */
  flags?: number;
  /** Seconds, INFINITY_LIFE_TIME for forever (default). */
  validLft?: number;
  preferLft?: number;
  origin?: AddrOrigin;
}

/** The scope of an address as ifp->scope (IFA_* = IPV6_ADDR_* scope bits): ipv6_addr_scope. */
export function ifaScope(addr: Uint8Array): number {
  return ipv6AddrScope(addr, 0);
}

export class Addrconf {
  /** Timer for addrconf_verify: lifetimes of dynamic addresses. */
  private readonly verifyTimer;

  constructor(private readonly inet6: Inet6) {
    this.verifyTimer = inet6.net.clock.timer<Addrconf>((a) => a.verify(), this);
  }

  private get now(): number {
    return this.inet6.net.clock.now();
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** ipv6_get_ifaddr(): our address at buf[off..] on `dev` (any device when null), in any state. */
  getIfaddr(buf: Uint8Array, off: number, dev: NetDevice | null): Inet6Ifaddr | null {
    const list = this.inet6.allAddrs;
    for (let i = 0; i < list.length; i++) {
      const ifa = list[i];
      if ((dev === null || ifa.idev.dev === dev) && ipv6AddrEqual(ifa.addr, 0, buf, off)) return ifa;
    }
    return null;
  }

  /**
   * ipv6_chk_addr(): is buf[off..] one of our usable addresses (not tentative unless optimistic,
   * not dadfailed)? Link-local addresses count only on their own device; other scopes on any
   * (`dev` null: any device). The per-packet "is it ours?" — no allocation.
   */
  chkAddr(buf: Uint8Array, off: number, dev: NetDevice | null): Inet6Ifaddr | null {
    const o = off | 0;
    return this.chkAddrWords(
      (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3],
      (buf[o + 4] << 24) | (buf[o + 5] << 16) | (buf[o + 6] << 8) | buf[o + 7],
      (buf[o + 8] << 24) | (buf[o + 9] << 16) | (buf[o + 10] << 8) | buf[o + 11],
      (buf[o + 12] << 24) | (buf[o + 13] << 16) | (buf[o + 14] << 8) | buf[o + 15],
      dev,
    );
  }

  /**
   * chkAddr() of an address the caller has read as its four big-endian words (signed: `| 0`),
   * compared with each address's own words ({@link Inet6Ifaddr.w0}): ipv6_rcv reads the
   * destination once for this and for what follows. The same answer as chkAddr.
   */
  chkAddrWords(w0: number, w1: number, w2: number, w3: number, dev: NetDevice | null): Inet6Ifaddr | null {
    const list = this.inet6.allAddrs;
    // fe80::/10: the top ten bits 1111 1110 10.
    const ll = w0 >>> 22 === 0x3fa;
    for (let i = 0; i < list.length; i++) {
      const ifa = list[i];
      if (ll && dev !== null && ifa.idev.dev !== dev) continue;
      if (ifa.w3 === w3 && ifa.w0 === w0 && ifa.w1 === w1 && ifa.w2 === w2) return ifa.usable ? ifa : null;
    }
    return null;
  }

  /** ipv6_get_lladdr(): the oldest link-local address of the device without any of `banned` flags. */
  getLladdr(idev: Inet6Dev, banned: number): Inet6Ifaddr | null {
    const list = idev.addrList;
    for (let i = list.length - 1; i >= 0; i--) {
      const ifa = list[i];
      if (ifa.scope === IFA_LINK && (ifa.flags & (banned | IFA_F_DADFAILED)) === 0) return ifa;
    }
    return null;
  }

  /**
   * ipv6_chk_acast_addr(): is buf[off..] an anycast address of the device (ac_list: the
   * subnet-router anycast of each address joined while forwarding)?
   */
  chkAcast(dev: NetDevice, buf: Uint8Array, off: number): boolean {
    const idev = in6DevGet(dev);
    if (idev === null) return false;
    const l = idev.acList;
    for (let i = 0; i < l.length; i++) if (ipv6AddrEqual(l[i].addr, 0, buf, off)) return true;
    return false;
  }

  /**
   * addrconf_join_anycast() → __ipv6_dev_ac_inc(): the address's PREFIX:: becomes an anycast
   * address of the device — its solicited-node group joined and an anycast route in table local —
   * except for /127 and /128 (RFC 6164) and the all-zero prefix.
   */
  joinAnycast(ifa: Inet6Ifaddr): void {
    if (ifa.anycastJoined || ifa.prefixLen >= 127) return;
    const addr = ipv6Prefix(ifa.addr, 0, ifa.prefixLen);
    if (in6Word(addr, 0, 0) === 0 && in6Word(addr, 0, 1) === 0 && in6Word(addr, 0, 2) === 0 && in6Word(addr, 0, 3) === 0) return;
    ifa.anycastJoined = true;
    const idev = ifa.idev;
    const ac = idev.acList.find((a) => a.addr.equals(addr));
    if (ac) {
      ac.users++;
      return;
    }
    idev.acList.push({ addr, users: 1 });
    this.inet6.mcInc(idev, solicitedNode(addr, 0));
    this.inet6.fib.addLocal(idev.dev, addr, true);
  }

  /** addrconf_leave_anycast() → __ipv6_dev_ac_dec(): the last user takes group and route with it. */
  leaveAnycast(ifa: Inet6Ifaddr): void {
    if (!ifa.anycastJoined) return;
    ifa.anycastJoined = false;
    const idev = ifa.idev;
    const addr = ipv6Prefix(ifa.addr, 0, ifa.prefixLen);
    const i = idev.acList.findIndex((a) => a.addr.equals(addr));
    if (i < 0 || --idev.acList[i].users > 0) return;
    idev.acList.splice(i, 1);
    this.inet6.mcDec(idev, solicitedNode(addr, 0));
    this.inet6.fib.delLocal(idev.dev, addr, true);
  }

  /**
   * ipv6_dev_get_saddr(), RFC 6724 §5 as Linux orders its rules: same address (1), appropriate
   * scope (2), avoid deprecated (3), prefer the outgoing interface (5), longest matching prefix
   * (8). Tentative and dadfailed addresses are never candidates; optimistic ones only with
   * use_optimistic. Candidates come from the outgoing device, and for non-link-local
   * destinations from every device. Returns the address (owned by the ifaddr: do not mutate).
   */
  devGetSaddr(dev: NetDevice, daddr: Uint8Array, off: number): Buffer | null {
    const dstScope = ipv6AddrIsMulticast(daddr, off) ? mcScopeToIfa(daddr[off + 1] & 0x0f) : ifaScope(daddr.subarray(off, off + 16));
    let best: Inet6Ifaddr | null = null;
    let bestScore = -1;
    const consider = (idev: Inet6Dev, sameDev: boolean): void => {
      for (const ifa of idev.addrList) {
        if (ifa.flags & IFA_F_DADFAILED) continue;
        if (ifa.flags & IFA_F_TENTATIVE && !(ifa.flags & IFA_F_OPTIMISTIC && idev.cnf.get('use_optimistic'))) continue;
        const s = this.score(ifa, daddr, off, dstScope, sameDev);
        if (s > bestScore) {
          best = ifa;
          bestScore = s;
        }
      }
    };
    const idev = in6DevGet(dev);
    if (idev) consider(idev, true);
    if (dstScope !== IFA_LINK) {
      for (const other of this.inet6.devices()) if (other.dev !== dev) consider(other, false);
    }
    return best === null ? null : (best as Inet6Ifaddr).addr;
  }

  private score(ifa: Inet6Ifaddr, daddr: Uint8Array, off: number, dstScope: number, sameDev: boolean): number {
    if (ipv6AddrEqual(ifa.addr, 0, daddr, off)) return 1 << 30;
    // Rule 2: scope. ifa_scope values order host(254) > link(253) > site(200) > global(0), the
    // reverse of RFC scope numbers: map to RFC order (bigger = wider).
    const rank = (s: number): number => (s === IFA_HOST ? 1 : s === IFA_LINK ? 2 : s === IFA_SITE ? 5 : 14);
    const a = rank(ifa.scope);
    const d = rank(dstScope);
    // Prefer the smallest scope >= destination's; below that, the largest.
    const scopeScore = a >= d ? 64 - a : a;
    let s = scopeScore << 20;
    if (!(ifa.flags & IFA_F_DEPRECATED)) s |= 1 << 19;
    if (sameDev) s |= 1 << 18;
    s |= commonPrefix(ifa.addr, daddr, off) << 8;
    return s;
  }

  // ---- adding and deleting -------------------------------------------------------------------

  /**
   * ipv6_add_addr() + addrconf_prefix_route() + addrconf_dad_start(): `ip -6 addr add`. The
   * address is tentative until DAD completes (or at once with nodad / accept_dad 0 / NOARP).
   */
  addAddr(idev: Inet6Dev, addr: Buffer, prefixLen: number, o: AddAddrOptions = {}): Inet6Ifaddr {
    const inet6 = this.inet6;
    if (idev.cnf.get('disable_ipv6') !== 0) throw new StackError(EACCES, 'IPv6 is disabled on this device');
    if (ipv6AddrIsMulticast(addr, 0) || in6Word(addr, 0, 0) === 0 && in6Word(addr, 0, 1) === 0 && in6Word(addr, 0, 2) === 0 && in6Word(addr, 0, 3) === 0) {
      throw new StackError(EINVAL, `${formatIn6(addr)} is not a valid host address`);
    }
    if (prefixLen < 0 || prefixLen > 128) throw new StackError(EINVAL, 'Invalid prefix length');
    for (const ifa of idev.addrList) if (ipv6AddrEqual(ifa.addr, 0, addr, 0)) throw new StackError(EEXIST, 'File exists');
    const origin = o.origin ?? 'manual';
    let flags = (o.flags ?? 0) & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_OPTIMISTIC | IFA_F_MANAGETEMPADDR);
    const validLft = o.validLft ?? INFINITY_LIFE_TIME;
    const preferLft = o.preferLft ?? INFINITY_LIFE_TIME;
    if (preferLft > validLft) throw new StackError(EINVAL, 'preferred_lft is greater than valid_lft');
    // inet6_addr_add / addrconf_add_linklocal: manual and link-local addresses with an infinite
    // valid lifetime are permanent; SLAAC addresses never are ("dynamic" even when forever).
    if (validLft === INFINITY_LIFE_TIME && origin !== 'kernel_ra') flags |= IFA_F_PERMANENT;
    if (preferLft === 0) flags |= IFA_F_DEPRECATED;
    flags |= IFA_F_TENTATIVE;
    const ifa = new Inet6Ifaddr(idev, Buffer.from(addr), prefixLen, ifaScope(addr), flags, origin, this.now, solicitedNode(addr, 0));
    ifa.validLft = validLft;
    ifa.preferLft = preferLft;
    // ipv6_link_dev_addr(): "Add to inet6_dev unicast addr list" — by scope, newest first within it.
    const list = idev.addrList;
    let i = 0;
    while (i < list.length && scopeOrder(list[i].scope) < scopeOrder(ifa.scope)) i++;
    list.splice(i, 0, ifa);
    inet6.rebuildAddrs();
    // The link-local's fe80::/64 came with addrLinkLocalRoute; SLAAC addresses use the RA's routes.
    // Any prefix length: a /128 brings `ADDR dev X proto kernel metric 256` too (inet6_addr_add).
    if (!(flags & IFA_F_NOPREFIXROUTE) && origin === 'manual') {
      ifa.prefixRoute = true;
      inet6.addPrefixRoute(idev, addr, prefixLen, validLft);
    }
    if (validLft !== INFINITY_LIFE_TIME || preferLft !== INFINITY_LIFE_TIME) this.scheduleVerify(0);
    inet6.addrEvent('newaddr', ifa);
    this.dadStart(ifa);
    return ifa;
  }

  /** ipv6_del_addr(): leaves the group, removes the local and (if last user) prefix routes. */
  delAddr(ifa: Inet6Ifaddr, notify = true): void {
    const inet6 = this.inet6;
    const idev = ifa.idev;
    const i = idev.addrList.indexOf(ifa);
    if (i < 0) return;
    idev.addrList.splice(i, 1);
    ifa.state = INET6_IFADDR_STATE_DEAD;
    ifa.dadTimer?.del();
    inet6.rebuildAddrs();
    this.leaveAnycast(ifa);
    inet6.mcDec(idev, ifa.solictGroup);
    inet6.delLocalRoute(ifa);
    // ipv6_del_addr(): only a permanent address cleans up its prefix route (check_cleanup_prefix_route);
    // a dynamic one leaves it to expire with the lifetime it was given.
    if (ifa.prefixRoute && ifa.flags & IFA_F_PERMANENT) {
      // "If the prefix route is still in use by another address on the device, keep it."
      const shared = idev.addrList.some((o) => o.prefixRoute && o.prefixLen === ifa.prefixLen && ipv6PrefixEqual(o.addr, 0, ifa.addr, 0, ifa.prefixLen));
      if (!shared) inet6.delPrefixRoute(idev, ifa.addr, ifa.prefixLen);
    }
    if (notify) inet6.addrEvent('deladdr', ifa);
  }

  // ---- link-local and device events ---------------------------------------------------------

  /**
   * addrconf_dev_config() → addrconf_addr_gen(): the EUI-64 link-local (addr_gen_mode 0), none
   * for mode 1. Modes 2/3 (stable-privacy, random) are not implemented: no link-local is made
   * and the reason is logged.
   */
  addrGen(idev: Inet6Dev): void {
    const dev = idev.dev;
    if (dev.addrLen !== 6) return;
    const mode = idev.cnf.get('addr_gen_mode');
    if (mode === 1) return;
    if (mode !== 0) {
      this.inet6.log(`tapstack: ${dev.name}: addr_gen_mode ${mode} (stable-privacy/random) is not implemented; no link-local address generated`);
      return;
    }
    const ll = ipv6LinkLocalFromMac(dev.devAddr, 0);
    if (idev.addrList.some((a) => ipv6AddrEqual(a.addr, 0, ll, 0))) return;
    this.inet6.addLinkLocalRoute(idev);
    this.addAddr(idev, ll, 64, { origin: 'kernel_ll' });
  }

  /**
   * addrconf_notify(NETDEV_UP / CHANGE to ready): mark the device ready, run DAD for addresses
   * that waited (added while down or without carrier), generate the link-local.
   */
  devUp(idev: Inet6Dev): void {
    if (idev.cnf.get('disable_ipv6') !== 0) return;
    const dev = idev.dev;
    if (!dev.isUp || !dev.carrier) return;
    if (idev.ifFlags & IF_READY) return;
    idev.ifFlags |= IF_READY;
    this.inet6.devJoinGroups(idev);
    for (const ifa of [...idev.addrList]) {
      if (ifa.prefixRoute) this.inet6.addPrefixRoute(idev, ifa.addr, ifa.prefixLen, ifa.validLft);
      // fixup_permanent_addr(): addresses kept over a down (keep_addr_on_down) start afresh;
      // addrconf_dad_run(): those whose DAD waited for the link (state DAD, tentative) are kicked.
      if (ifa.state === INET6_IFADDR_STATE_PREDAD) this.dadStart(ifa);
      else if (ifa.state === INET6_IFADDR_STATE_DAD && ifa.flags & IFA_F_TENTATIVE) this.dadKick(ifa);
    }
    this.addrGen(idev);
  }

  /**
   * addrconf_ifdown(): admin down (or unregister, or disable_ipv6) removes every address with
   * its routes — unless keep_addr_on_down keeps the permanent non-link-local ones, which become
   * tentative again; RS stops and the RA/RS flags are forgotten. Carrier loss only marks the
   * device not ready (addresses stay).
   */
  devDown(idev: Inet6Dev, how: 'down' | 'unregister' | 'carrier'): void {
    const inet6 = this.inet6;
    idev.ifFlags &= ~IF_READY;
    idev.rsTimer?.del();
    idev.rsProbes = 0;
    if (how === 'carrier') return;
    idev.ifFlags &= ~(IF_RS_SENT | IF_RA_RCVD | IF_RA_MANAGED | IF_RA_OTHERCONF);
    // "if (!unregister && !idev->cnf.disable_ipv6)": all's value when non-zero, else the device's.
    const allKeep = inet6.conf.all.get('keep_addr_on_down');
    const keepV = allKeep !== 0 ? allKeep : idev.cnf.get('keep_addr_on_down');
    const keep = how === 'down' && idev.cnf.get('disable_ipv6') === 0 && keepV > 0;
    for (const ifa of [...idev.addrList]) {
      ifa.dadTimer?.del();
      if (keep && ifa.flags & IFA_F_PERMANENT && ifa.scope !== IFA_LINK) {
        inet6.delLocalRoute(ifa);
        this.leaveAnycast(ifa);
        if (!(ifa.flags & IFA_F_NODAD)) ifa.flags |= IFA_F_TENTATIVE;
        ifa.flags &= ~(IFA_F_OPTIMISTIC | IFA_F_DADFAILED);
        ifa.state = INET6_IFADDR_STATE_PREDAD;
        continue;
      }
      this.delAddr(ifa);
    }
    inet6.devFlushRoutes(idev, keep);
    idev.mc.clear();
  }

  // ---- DAD -----------------------------------------------------------------------------------

  /**
   * addrconf_dad_start()/addrconf_dad_begin(): join the solicited-node group; skip DAD (address
   * valid at once) on NOARP/loopback links, with accept_dad < 1 on both all and the device, for
   * nodad or non-tentative addresses — checked before the link's readiness, so a nodad address
   * added while down is valid at once. Otherwise, on a link that is not ready, a permanent address
   * waits tentative (its DAD runs at up) and any other is deleted (addrconf_dad_stop).
   */
  dadStart(ifa: Inet6Ifaddr): void {
    const inet6 = this.inet6;
    const idev = ifa.idev;
    const dev = idev.dev;
    if (ifa.state === INET6_IFADDR_STATE_DEAD) return;
    if (!ifa.joined) {
      inet6.mcInc(idev, ifa.solictGroup);
      ifa.joined = true;
    }
    ifa.state = INET6_IFADDR_STATE_DAD;
    const acceptDad = Math.max(inet6.conf.all.get('accept_dad'), idev.cnf.get('accept_dad'));
    if (dev.flags & (IFF_NOARP | IFF_LOOPBACK) || acceptDad < 1 || !(ifa.flags & IFA_F_TENTATIVE) || ifa.flags & IFA_F_NODAD) {
      const sendNa = (ifa.flags & (IFA_F_TENTATIVE | IFA_F_OPTIMISTIC)) === IFA_F_TENTATIVE;
      ifa.flags &= ~(IFA_F_TENTATIVE | IFA_F_OPTIMISTIC | IFA_F_DADFAILED);
      ifa.state = INET6_IFADDR_STATE_POSTDAD;
      this.dadCompleted(ifa, sendNa);
      return;
    }
    if (!(idev.ifFlags & IF_READY)) {
      // "If the device is not ready: keep it tentative if it is a permanent address, otherwise kill it."
      if (!(ifa.flags & IFA_F_PERMANENT)) this.delAddr(ifa);
      return;
    }
    this.dadKick(ifa);
  }

  /**
   * addrconf_dad_kick(): a fresh run — dad_transmits probes, a new nonce with enhanced DAD, and
   * the first NS after a random [0, router_solicitation_delay) (at once for optimistic addresses).
   */
  private dadKick(ifa: Inet6Ifaddr): void {
    const inet6 = this.inet6;
    const idev = ifa.idev;
    ifa.state = INET6_IFADDR_STATE_DAD;
    ifa.dadProbes = idev.cnf.get('dad_transmits');
    if (inet6.conf.all.get('enhanced_dad') !== 0 || idev.cnf.get('enhanced_dad') !== 0) {
      do for (let i = 0; i < 6; i++) ifa.dadNonce[i] = Math.floor(inet6.random() * 256);
      while (ifa.dadNonce.every((x) => x === 0));
    } else ifa.dadNonce.fill(0);
    const delay = ifa.flags & IFA_F_OPTIMISTIC ? 0 : Math.floor(inet6.random() * idev.cnf.get('router_solicitation_delay') * 1000);
    ifa.dadTimer ??= inet6.net.clock.timer<Inet6Ifaddr>((a) => this.dadWork(a), ifa);
    ifa.dadTimer.mod(this.now + delay);
  }

  /** addrconf_dad_work(): one NS per retrans_time, then one more retrans_time to listen. */
  private dadWork(ifa: Inet6Ifaddr): void {
    if (ifa.state !== INET6_IFADDR_STATE_DAD) return;
    const idev = ifa.idev;
    if (!(idev.ifFlags & IF_READY)) return;
    if (ifa.dadProbes <= 0) {
      const sendNa = (ifa.flags & (IFA_F_TENTATIVE | IFA_F_OPTIMISTIC)) === IFA_F_TENTATIVE;
      ifa.flags &= ~(IFA_F_TENTATIVE | IFA_F_OPTIMISTIC | IFA_F_DADFAILED);
      ifa.state = INET6_IFADDR_STATE_POSTDAD;
      this.dadCompleted(ifa, sendNa);
      return;
    }
    ifa.dadProbes--;
    ifa.dadTimer!.mod(this.now + Math.max(idev.ndParms.retransTime, HZ_100_MS));
    const nonce = ifa.dadNonce.some((x) => x !== 0) ? ifa.dadNonce : null;
    this.inet6.ndisc.sendNs(idev.dev, ifa.addr, ifa.solictGroup, null, nonce, null, true);
  }

  /**
   * addrconf_dad_completed(): the local route appears; the first usable link-local starts
   * router solicitation and repeats the MLD reports; ndisc_notify announces the address.
   */
  private dadCompleted(ifa: Inet6Ifaddr, wasTentative: boolean): void {
    const inet6 = this.inet6;
    const idev = ifa.idev;
    inet6.addLocalRoute(ifa);
    // __ipv6_ifa_notify(RTM_NEWADDR): "if (ifp->idev->cnf.forwarding) addrconf_join_anycast(ifp)".
    if (idev.cnf.get('forwarding') !== 0) this.joinAnycast(ifa);
    inet6.addrEvent('newaddr', ifa);
    const notify = inet6.conf.all.get('ndisc_notify') !== 0 || idev.cnf.get('ndisc_notify') !== 0;
    if (ifa.scope === IFA_LINK) {
      const others = idev.addrList.filter((a) => a !== ifa && a.scope === IFA_LINK && !(a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)));
      if (others.length === 0) {
        inet6.mldLinkLocalReady(idev);
        this.rsStart(idev, ifa);
      }
    }
    // "send an unsolicited NA if the address was tentative" (optimistic ones announced already).
    if (notify && wasTentative && idev.dev.isUp) {
      inet6.ndisc.sendNa(idev.dev, IN6ADDR_LINKLOCAL_ALLNODES, ifa.addr, idev.cnf.get('forwarding') !== 0, false, true, true);
    }
  }

  /**
   * addrconf_dad_failure(): log; permanent (manual, link-local) addresses stay as `tentative
   * dadfailed`, dynamic ones are deleted; with accept_dad ≥ 2 a conflict on the EUI-64
   * link-local disables IPv6 on the device.
   */
  dadFailure(ifa: Inet6Ifaddr, mac: Buffer | null): void {
    const inet6 = this.inet6;
    const idev = ifa.idev;
    const dev = idev.dev;
    if (ifa.state === INET6_IFADDR_STATE_ERRDAD || ifa.flags & IFA_F_DADFAILED) return;
    inet6.ndisc.stats.dadFailures++;
    const by = mac ? ` used by ${[...mac].map((x) => x.toString(16).padStart(2, '0')).join(':')}` : '';
    inet6.log(`IPv6: ${dev.name}: IPv6 duplicate address ${formatIn6(ifa.addr)}${by} detected!`);
    ifa.dadTimer?.del();
    ifa.state = INET6_IFADDR_STATE_ERRDAD;
    const acceptDad = Math.max(inet6.conf.all.get('accept_dad'), idev.cnf.get('accept_dad'));
    if (acceptDad > 1 && ifa.scope === IFA_LINK && ipv6AddrEqual(ifa.addr, 0, ipv6LinkLocalFromMac(dev.devAddr, 0), 0)) {
      inet6.log(`IPv6: ${dev.name}: IPv6 being disabled!`);
      inet6.setDisableIpv6(idev, 1);
      return;
    }
    if (ifa.flags & IFA_F_PERMANENT) {
      ifa.flags |= IFA_F_DADFAILED | IFA_F_TENTATIVE;
      ifa.flags &= ~IFA_F_OPTIMISTIC;
      inet6.addrEvent('newaddr', ifa);
      return;
    }
    this.delAddr(ifa);
  }

  // ---- router solicitation -------------------------------------------------------------------

  /** Is accept_ra on for this device (forwarding ? accept_ra == 2 : accept_ra != 0)? */
  acceptRa(idev: Inet6Dev): boolean {
    const ra = idev.cnf.get('accept_ra');
    return idev.cnf.get('forwarding') !== 0 ? ra === 2 : ra !== 0;
  }

  /** The first RS, at once (the DAD delay was the RFC's random delay). */
  private rsStart(idev: Inet6Dev, ll: Inet6Ifaddr): void {
    const dev = idev.dev;
    // An RA that arrived meanwhile does not prevent the first RS (the timer then stops).
    if (!this.acceptRa(idev) || idev.cnf.get('router_solicitations') === 0 || dev.flags & IFF_LOOPBACK) return;
    idev.rsProbes = 1;
    idev.ifFlags |= IF_RS_SENT;
    this.inet6.ndisc.sendRs(dev, ll.addr, (ll.flags & IFA_F_OPTIMISTIC) !== 0);
    idev.rsInterval = rfc3315RtAdjust(idev.cnf.get('router_solicitation_interval') * 1000, this.inet6.random, 0.9, 1.1);
    idev.rsTimer ??= this.inet6.net.clock.timer<Inet6Dev>((d) => this.rsTimer(d), idev);
    idev.rsTimer.mod(this.now + idev.rsInterval);
  }

  /**
   * addrconf_rs_timer(): the next RS with RFC 7559 backoff (×U[1.9, 2.1], capped at
   * router_solicitation_max_interval); after the last of a finite count, silence.
   */
  private rsTimer(idev: Inet6Dev): void {
    const dev = idev.dev;
    if (!dev.isUp || !(idev.ifFlags & IF_READY) || idev.ifFlags & IF_RA_RCVD || !this.acceptRa(idev)) return;
    const ll = this.getLladdr(idev, IFA_F_TENTATIVE | IFA_F_OPTIMISTIC);
    if (ll === null) return;
    const max = idev.cnf.get('router_solicitations');
    if (max >= 0 && idev.rsProbes >= max) return;
    idev.rsProbes++;
    this.inet6.ndisc.sendRs(dev, ll.addr, false);
    if (max >= 0 && idev.rsProbes >= max) {
      // "wait router_solicitation_delay after the last one" (no message left to send).
      return;
    }
    const maxMs = idev.cnf.get('router_solicitation_max_interval') * 1000;
    let next = rfc3315RtAdjust(idev.rsInterval, this.inet6.random, 1.9, 2.1);
    if (next > maxMs) next = rfc3315RtAdjust(maxMs, this.inet6.random, 0.9, 1.1);
    idev.rsInterval = next;
    idev.rsTimer!.mod(this.now + next);
  }

  /** An accepted RA: after an RS it stops the soliciting ("if (IF_RS_SENT) IF_RA_RCVD"); M and O remembered. */
  raReceived(idev: Inet6Dev, raFlags: number): void {
    if (idev.ifFlags & IF_RS_SENT) idev.ifFlags |= IF_RA_RCVD;
    idev.ifFlags = (idev.ifFlags & ~(IF_RA_MANAGED | IF_RA_OTHERCONF)) | (raFlags & 0x80 ? IF_RA_MANAGED : 0) | (raFlags & 0x40 ? IF_RA_OTHERCONF : 0);
    idev.rsTimer?.del();
  }

  // ---- SLAAC ---------------------------------------------------------------------------------

  /**
   * addrconf_prefix_rcv(), §4.4: validity checks, the on-link prefix route (expires with the
   * valid lifetime, removed at 0), and with A and autoconf a /64 EUI-64 address, created or its
   * lifetimes refreshed with the two-hour rule.
   */
  prefixRcv(idev: Inet6Dev, b: Buffer, optOff: number, sllao: boolean): void {
    const inet6 = this.inet6;
    const cnf = idev.cnf;
    if (!pioLenOk(b, optOff)) return;
    const plen = pioPrefixLen(b, optOff);
    const flags = pioFlags(b, optOff);
    const valid = pioValidLft(b, optOff);
    const prefered = pioPreferredLft(b, optOff);
    const poff = pioPrefixOff(optOff);
    if (ipv6AddrIsMulticast(b, poff) || ipv6AddrIsLinkLocal(b, poff)) return;
    if (prefered > valid) {
      inet6.log('IPv6: addrconf: prefix option has invalid lifetime');
      return;
    }
    const minLft = cnf.get('accept_ra_min_lft');
    if (valid !== 0 && valid < minLft) return;
    const prefix = ipv6Prefix(b, poff, plen > 128 ? 128 : plen);
    if (flags & ND_PIO_ONLINK) inet6.raPrefixRoute(idev, prefix, plen, valid);
    if (!(flags & ND_PIO_AUTOCONF) || cnf.get('autoconf') === 0) return;
    if (cnf.get('ra_honor_pio_pflag') !== 0 && flags & ND_PIO_PREFERPD) return;
    if (plen !== 64) return;
    const addr = ipv6AddrEui64(prefix, 0, idev.dev.devAddr, 0);
    const existing = idev.addrList.find((a) => ipv6AddrEqual(a.addr, 0, addr, 0));
    if (existing === undefined) {
      if (valid === 0) return;
      const max = cnf.get('max_addresses');
      if (max > 0 && idev.addrList.length >= max) return;
      const optimistic = sllao && cnf.get('optimistic_dad') !== 0 && cnf.get('forwarding') === 0 ? IFA_F_OPTIMISTIC : 0;
      try {
        // The on-link route is the PIO's business (L flag): addAddr adds prefix routes only for manual addresses.
        this.addAddr(idev, addr, 64, { flags: IFA_F_MANAGETEMPADDR | optimistic, validLft: valid, preferLft: prefered, origin: 'kernel_ra' });
      } catch {
        // Refused (disable_ipv6 meanwhile): nothing to configure.
      }
      return;
    }
    if (existing.origin !== 'kernel_ra') return;
    // Update lifetimes: "two hour rule" unless ra_honor_pio_life.
    const now = this.now;
    const stored = existing.validLft === INFINITY_LIFE_TIME ? INFINITY_LIFE_TIME : existing.validLft - Math.floor((now - existing.tstamp) / 1000);
    let newValid: number;
    if (cnf.get('ra_honor_pio_life') !== 0 || valid > MIN_VALID_LIFETIME || valid > stored) newValid = valid;
    else if (stored <= MIN_VALID_LIFETIME) newValid = stored;
    else newValid = MIN_VALID_LIFETIME;
    existing.validLft = newValid;
    existing.preferLft = Math.min(prefered, newValid);
    existing.tstamp = now;
    if (existing.preferLft !== 0) existing.flags &= ~IFA_F_DEPRECATED;
    inet6.addrEvent('newaddr', existing);
    this.scheduleVerify(0);
  }

  // ---- lifetimes -----------------------------------------------------------------------------

  private scheduleVerify(delay: number): void {
    const t = this.now + delay;
    if (!this.verifyTimer.pending || this.verifyTimer.expires > t) this.verifyTimer.mod(t);
  }

  /**
   * addrconf_verify_rtnl(): addresses past their preferred lifetime become deprecated, past the
   * valid lifetime they go; the timer is re-armed for the next event (at most 120 s away).
   */
  verify(): void {
    const now = this.now;
    let next = now + ADDR_CHECK_FREQUENCY;
    let any = false;
    for (const idev of this.inet6.devices()) {
      for (const ifa of [...idev.addrList]) {
        if (ifa.validLft === INFINITY_LIFE_TIME && ifa.preferLft === INFINITY_LIFE_TIME) continue;
        any = true;
        const age = Math.floor((now - ifa.tstamp) / 1000);
        if (ifa.validLft !== INFINITY_LIFE_TIME && age >= ifa.validLft) {
          this.delAddr(ifa);
          continue;
        }
        if (ifa.preferLft !== INFINITY_LIFE_TIME && age >= ifa.preferLft) {
          if (!(ifa.flags & IFA_F_DEPRECATED)) {
            ifa.flags |= IFA_F_DEPRECATED;
            this.inet6.addrEvent('newaddr', ifa);
          }
        } else if (ifa.preferLft !== INFINITY_LIFE_TIME) {
          next = Math.min(next, ifa.tstamp + ifa.preferLft * 1000);
        }
        if (ifa.validLft !== INFINITY_LIFE_TIME) next = Math.min(next, ifa.tstamp + ifa.validLft * 1000);
      }
    }
    this.inet6.routeGc(now);
    if (any) this.verifyTimer.mod(Math.max(next, now + 1));
  }

  /** Remaining lifetimes in seconds, as `ip -6 addr` prints them (INFINITY_LIFE_TIME = forever). */
  remaining(ifa: Inet6Ifaddr): { valid: number; preferred: number } {
    const age = Math.floor((this.now - ifa.tstamp) / 1000);
    const rem = (l: number): number => (l === INFINITY_LIFE_TIME ? INFINITY_LIFE_TIME : Math.max(0, l - age));
    return { valid: rem(ifa.validLft), preferred: rem(ifa.preferLft) };
  }

  close(): void {
    this.verifyTimer.del();
  }
}

/** Address-list order: global before site before link before host (ipv6_addr_scope ordering). */
function scopeOrder(scope: number): number {
  return scope === IFA_GLOBAL ? 0 : scope === IFA_SITE ? 1 : scope === IFA_LINK ? 2 : 3;
}

function mcScopeToIfa(s: number): number {
  if (s <= 1) return IFA_HOST;
  if (s === 2) return IFA_LINK;
  if (s <= 5) return IFA_SITE;
  return IFA_GLOBAL;
}

/** Number of leading bits two addresses share (ipv6_addr_diff). */
function commonPrefix(a: Uint8Array, b: Uint8Array, off: number): number {
  for (let i = 0; i < 16; i++) {
    const x = a[i] ^ b[off + i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 128;
}

/** rfc3315_s14_backoff_update / _init: multiply by U[lo, hi]. */
function rfc3315RtAdjust(ms: number, random: () => number, lo: number, hi: number): number {
  return Math.floor(ms * (lo + (hi - lo) * random()));
}

