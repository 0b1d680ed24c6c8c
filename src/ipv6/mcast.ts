// IPv6 multicast membership (net/ipv6/mcast.c): ipv6_dev_mc_inc/ipv6_dev_mc_dec, ipv6_chk_mcast_addr
// and the unsolicited MLDv2 reports of mld_ifc_event/mld_ifc_work for newly joined groups.
import type { TimerEntry } from '../core/clock.js';
import { ipv6AddrEqual, ipv6AddrMcScope, IPV6_ADDR_SCOPE_LINKLOCAL, IPV6_ADDR_SCOPE_NODELOCAL } from './in6_addr.js';

/** struct ifmcaddr6: one joined group, with the number of users that joined it. */
export interface Ifmcaddr6 {
  /** The group (owned 16 bytes). */
  readonly addr: Buffer;
  /** mca_users: address, proxy entry and device joins share one membership. */
  users: number;
}

/** The groups one device has joined: the receive filter for multicast frames (a TAP delivers everything). */
export class McList {
  readonly groups: Ifmcaddr6[] = [];
  /** Groups joined since the last report went out (mc_tomb / mca_flags MAF_* in spirit). */
  readonly pendingReport: Buffer[] = [];
  /** Reports still to send for the pending groups (robustness variable, 2). */
  reportsLeft = 0;
  reportTimer: TimerEntry | null = null;

  find(addr: Uint8Array, off: number): Ifmcaddr6 | null {
    for (const g of this.groups) if (ipv6AddrEqual(g.addr, 0, addr, off)) return g;
    return null;
  }

  /** ipv6_chk_mcast_addr(): has the device joined the group at buf[off..off+16)? No allocation. */
  has(buf: Uint8Array, off: number): boolean {
    const gs = this.groups;
    for (let i = 0; i < gs.length; i++) if (ipv6AddrEqual(gs[i].addr, 0, buf, off)) return true;
    return false;
  }

  /** ipv6_dev_mc_inc(): returns true when the group is new (an MLD report is due). */
  inc(addr: Uint8Array): boolean {
    const g = this.find(addr, 0);
    if (g) {
      g.users++;
      return false;
    }
    this.groups.push({ addr: Buffer.from(addr), users: 1 });
    return true;
  }

  /** ipv6_dev_mc_dec(): the last user leaves the group. Returns true when it was left. */
  dec(addr: Uint8Array): boolean {
    const i = this.groups.findIndex((g) => ipv6AddrEqual(g.addr, 0, addr, 0));
    if (i < 0) return false;
    if (--this.groups[i].users > 0) return false;
    this.groups.splice(i, 1);
    return true;
  }

  clear(): void {
    this.groups.length = 0;
    this.pendingReport.length = 0;
    this.reportsLeft = 0;
    this.reportTimer?.del();
  }
}

/**
 * "ff02::1 and interface-local groups are never reported" (mld_in_v1_mode aside, igmp6_join_group
 * skips MAF_NOREPORT groups: the all-nodes group and scopes below link-local).
 */
export function mldReportable(group: Uint8Array): boolean {
  const scope = ipv6AddrMcScope(group, 0);
  if (scope < IPV6_ADDR_SCOPE_LINKLOCAL || scope === IPV6_ADDR_SCOPE_NODELOCAL) return false;
  // ff02::1
  if (group[0] === 0xff && group[1] === 0x02 && group[15] === 1) {
    for (let i = 2; i < 15; i++) if (group[i] !== 0) return true;
    return false;
  }
  return true;
}
