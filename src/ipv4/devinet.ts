// IPv4 per-device state and addresses (net/ipv4/devinet.c: struct in_device, inet_insert_ifa,
// inet_del_ifa, inet_select_addr, inet_confirm_addr's role for arp_announce).
import { EADDRNOTAVAIL, EEXIST, EINVAL, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import type { NeighParms } from '../neighbour/parms.js';
import { DevConf } from './devconf.js';
import { formatIPv4, prefixMask } from './inet_addr.js';

/** Route scopes (include/uapi/linux/rtnetlink.h, enum rt_scope_t). */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

/** struct in_ifaddr. */
export interface InIfaddr {
  local: number;
  prefixLen: number;
  mask: number;
  /** Directed broadcast (0 for /31 and /32). */
  broadcast: number;
  scope: number;
  label: string;
}

/** struct in_device: hangs off dev.ipPtr. */
export class InDevice {
  /** Primary address first, like the kernel's ifa_list order. */
  readonly ifaList: InIfaddr[] = [];
  arpParms!: NeighParms;

  constructor(
    readonly dev: NetDevice,
    readonly cnf: DevConf,
  ) {}

  /** The address whose subnet contains `addr`, if any (inet_ifa_match over the list). */
  ifaForSubnet(addr: number): InIfaddr | undefined {
    for (const ifa of this.ifaList) if (((ifa.local ^ addr) & ifa.mask) === 0) return ifa;
    return undefined;
  }

  hasLocal(addr: number): boolean {
    for (const ifa of this.ifaList) if (ifa.local === addr) return true;
    return false;
  }
}

export function inDevGet(dev: NetDevice): InDevice | null {
  return dev.ipPtr as InDevice | null;
}

/** Builds an in_ifaddr the way `ip addr add A/N` does (broadcast computed for prefixes < 31). */
export function makeIfa(local: number, prefixLen: number, label: string, scope = RT_SCOPE_UNIVERSE): InIfaddr {
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
    throw new StackError(EINVAL, `bad prefix length ${prefixLen}`);
  }
  const mask = prefixMask(prefixLen);
  const broadcast = prefixLen < 31 ? ((local & mask) | ~mask) >>> 0 : 0;
  return { local: local >>> 0, prefixLen, mask, broadcast, scope, label };
}

/** inet_insert_ifa(): a duplicate local/prefix is EEXIST like `ip addr add` twice. */
export function inetInsertIfa(inDev: InDevice, ifa: InIfaddr): void {
  for (const o of inDev.ifaList) {
    if (o.local === ifa.local && o.prefixLen === ifa.prefixLen) {
      throw new StackError(EEXIST, `address ${formatIPv4(ifa.local)}/${ifa.prefixLen} already on ${inDev.dev.name}`);
    }
  }
  inDev.ifaList.push(ifa);
}

/**
 * IFA_F_SECONDARY as inet_insert_ifa() sets it: an address is secondary when one before it on the
 * device has the same mask and subnet (the first of such a group is its primary).
 */
export function ifaIsSecondary(inDev: InDevice, ifa: InIfaddr): boolean {
  for (const o of inDev.ifaList) {
    if (o === ifa) return false;
    if (o.mask === ifa.mask && ((o.local ^ ifa.local) & ifa.mask) === 0) return true;
  }
  return false;
}

/**
 * __inet_del_ifa() with promote_secondaries off (Linux's default; tapstack has no such knob):
 * deleting a primary address deletes its secondaries with it — measured on 6.18: with
 * 10.9.0.1/24, 10.9.0.2/24 and 10.9.0.3/25, deleting 10.9.0.1/24 leaves only 10.9.0.3/25.
 * Returns what went, the named address first.
 */
export function inetDelIfa(inDev: InDevice, local: number, prefixLen: number): InIfaddr[] {
  const list = inDev.ifaList;
  const i = list.findIndex((o) => o.local === local && o.prefixLen === prefixLen);
  if (i < 0) throw new StackError(EADDRNOTAVAIL, `address ${formatIPv4(local)}/${prefixLen} not on ${inDev.dev.name}`);
  const ifa = list[i];
  const gone = [ifa];
  if (!ifaIsSecondary(inDev, ifa)) {
    for (const o of list) {
      if (o !== ifa && o.mask === ifa.mask && ((o.local ^ ifa.local) & ifa.mask) === 0) gone.push(o);
    }
  }
  for (const g of gone) list.splice(list.indexOf(g), 1);
  return gone;
}

/**
 * inet_select_addr(): a source address on dev for talking to dst within `scope`: prefer one whose
 * subnet holds dst, else the first address of sufficient scope. 0 when the device has none.
 */
export function inetSelectAddr(inDev: InDevice, dst: number, scope: number): number {
  let fallback = 0;
  for (const ifa of inDev.ifaList) {
    if (ifa.scope > scope) continue;
    if (dst !== 0 && ((ifa.local ^ dst) & ifa.mask) === 0) return ifa.local;
    if (fallback === 0) fallback = ifa.local;
  }
  return fallback;
}
