// Per-device IPv6 state and addresses (include/net/if_inet6.h: struct inet6_dev, struct inet6_ifaddr;
// include/uapi/linux/if_addr.h IFA_F_*; ipv6_addr_scope → IFA_* scope values).
import type { Timer } from '../core/clock.js';
import type { NetDevice } from '../core/netdevice.js';
import type { NeighParms } from '../neighbour/parms.js';
import type { DevConf } from '../core/devconf.js';
import { McList } from './mcast.js';

export const IFA_F_TEMPORARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;

/**
 * ifp->scope: the IPV6_ADDR_* scope bits of ipv6_addr_scope (include/net/addrconf.h IFA_*), as
 * /proc/net/if_inet6 prints them (00 global, 20 link, 10 host); rtnetlink maps them to
 * RT_SCOPE_* with rt_scope().
 */
export const IFA_GLOBAL = 0x00;
export const IFA_HOST = 0x10;
export const IFA_LINK = 0x20;
export const IFA_SITE = 0x40;

/** Infinite lifetime (INFINITY_LIFE_TIME). */
export const INFINITY_LIFE_TIME = 0xffffffff;

/** ifp->state: where DAD is (INET6_IFADDR_STATE_*). */
export const INET6_IFADDR_STATE_PREDAD = 0;
export const INET6_IFADDR_STATE_DAD = 1;
export const INET6_IFADDR_STATE_POSTDAD = 2;
export const INET6_IFADDR_STATE_ERRDAD = 3;
export const INET6_IFADDR_STATE_DEAD = 4;

/** idev->if_flags. */
export const IF_RA_OTHERCONF = 0x80;
export const IF_RA_MANAGED = 0x40;
export const IF_RA_RCVD = 0x20;
export const IF_RS_SENT = 0x10;
export const IF_READY = 0x80000000;

/** How an address came to be (ifa_proto: IFAPROT_*). */
export type AddrOrigin = 'manual' | 'kernel_ll' | 'kernel_ra';

/** struct inet6_ifaddr. */
export class Inet6Ifaddr {
  /** IFA_F_* flags. */
  flags: number;
  /** Seconds; INFINITY_LIFE_TIME for forever. Counted from `tstamp`. */
  validLft = INFINITY_LIFE_TIME;
  preferLft = INFINITY_LIFE_TIME;
  /** When the lifetimes were last set (clock ms): ifp->tstamp. */
  tstamp: number;
  /** Creation time (ifp->cstamp). */
  readonly cstamp: number;
  state = INET6_IFADDR_STATE_PREDAD;
  /** NS still to send in this DAD run. */
  dadProbes = 0;
  /** The nonce of this DAD run (enhanced DAD), 6 bytes; all zero when none. */
  readonly dadNonce = Buffer.alloc(6);
  dadTimer: Timer<Inet6Ifaddr> | null = null;
  /** Has joined its solicited-node group (ipv6_dev_mc_inc at DAD start). */
  joined = false;
  /** The address brought a prefix route (not noprefixroute, not /128). */
  prefixRoute = false;
  /** Its subnet-router anycast address is joined (addrconf_join_anycast, while forwarding). */
  anycastJoined = false;
  /** The solicited-node group this address joined. */
  readonly solictGroup: Buffer;
  /**
   * The address as four big-endian words (s6_addr32, signed 32-bit numbers: `| 0`), made once:
   * the per-packet "is it ours?" compares a destination read as words against them.
   */
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;

  constructor(
    readonly idev: Inet6Dev,
    /** The address (owned 16 bytes). */
    readonly addr: Buffer,
    readonly prefixLen: number,
    readonly scope: number,
    flags: number,
    readonly origin: AddrOrigin,
    now: number,
    solictGroup: Buffer,
  ) {
    this.flags = flags;
    this.tstamp = now;
    this.cstamp = now;
    this.solictGroup = solictGroup;
    this.w0 = (addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3];
    this.w1 = (addr[4] << 24) | (addr[5] << 16) | (addr[6] << 8) | addr[7];
    this.w2 = (addr[8] << 24) | (addr[9] << 16) | (addr[10] << 8) | addr[11];
    this.w3 = (addr[12] << 24) | (addr[13] << 16) | (addr[14] << 8) | addr[15];
  }

  get tentative(): boolean {
    return (this.flags & IFA_F_TENTATIVE) !== 0;
  }

  /** Usable as a source or a local destination: not tentative (optimistic ones are), not dadfailed. */
  get usable(): boolean {
    const f = this.flags;
    return (f & IFA_F_DADFAILED) === 0 && ((f & IFA_F_TENTATIVE) === 0 || (f & IFA_F_OPTIMISTIC) !== 0);
  }
}

/** struct ifacaddr6: an anycast address of the device, shared by the addresses that joined it. */
export interface Ifacaddr6 {
  /** The address (owned 16 bytes). */
  readonly addr: Buffer;
  users: number;
}

/** struct inet6_dev: hangs off dev.ip6Ptr. */
export class Inet6Dev {
  /** Newest first within a scope, global scopes before link (ipv6_link_dev_addr's order). */
  readonly addrList: Inet6Ifaddr[] = [];
  readonly mc = new McList();
  /** ac_list: anycast addresses (the subnet-router anycast of each address while forwarding). */
  readonly acList: Ifacaddr6[] = [];
  ifFlags = 0;
  /** Router solicitations sent in this run and the current backoff interval (ms). */
  rsProbes = 0;
  rsInterval = 0;
  rsTimer: Timer<Inet6Dev> | null = null;
  /** ra_mtu: the last MTU option an RA carried (0 none). */
  raMtu = 0;
  /** Set once unregistered: nothing may use it. */
  dead = false;

  constructor(
    readonly dev: NetDevice,
    /** net.ipv6.conf.DEV.* */
    readonly cnf: DevConf,
    /** net.ipv6.neigh.DEV.*: the ND parms of nd_tbl for this device. */
    readonly ndParms: NeighParms,
  ) {}
}

/** __in6_dev_get(). */
export function in6DevGet(dev: NetDevice): Inet6Dev | null {
  return dev.ip6Ptr as Inet6Dev | null;
}
