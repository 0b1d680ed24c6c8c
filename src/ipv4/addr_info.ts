// RTM_NEWADDR for an IPv4 address (net/ipv4/devinet.c inet_fill_ifaddr): the snapshot `ip addr`
// prints, and the order of the device's ifa_list that inet_insert_ifa keeps.
import { type AddrSnapshot } from '../core/addr_info.js';
import type { NetDevice } from '../core/netdevice.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_SITE, type InDevice, type InIfaddr, ifaIsSecondary } from './devinet.js';
import { formatIPv4 } from './inet_addr.js';

/** IFA_F_SECONDARY: printed `secondary` for IPv4 (the same bit is `temporary` for IPv6). */
export const IFA_F_SECONDARY = 0x01;
/** IFA_F_PERMANENT: every tapstack IPv4 address (no lifetimes), so `dynamic` is never printed. */
export const IFA_F_PERMANENT = 0x80;

/**
 * inet_insert_ifa()'s list order: a new primary goes after the last primary, a secondary at the
 * end — so primaries in the order they came, then secondaries in theirs.
 */
export function inetIfaOrder(inDev: InDevice): InIfaddr[] {
  const prim: InIfaddr[] = [];
  const sec: InIfaddr[] = [];
  for (const ifa of inDev.ifaList) (ifaIsSecondary(inDev, ifa) ? sec : prim).push(ifa);
  return prim.concat(sec);
}

/**
 * A snapshot of `ifa`. `broadcast` is IFA_BROADCAST as it was given (`ip addr add ... brd +`),
 * null when it was not: `ip addr add A/N dev X` sends none, and `ip addr` then prints no `brd`.
 */
export function addrSnapshot4(dev: NetDevice, inDev: InDevice, ifa: InIfaddr, broadcast: number | null): AddrSnapshot {
  const secondary = ifaIsSecondary(inDev, ifa);
  const s = ifa.scope;
  return {
    family: 'inet',
    ifindex: dev.ifindex,
    dev: dev.name,
    local: formatIPv4(ifa.local),
    prefixLen: ifa.prefixLen,
    broadcast: broadcast === null ? null : formatIPv4(broadcast),
    scope: s === RT_SCOPE_LINK ? 'link' : s === RT_SCOPE_HOST ? 'host' : s === RT_SCOPE_SITE ? 'site' : 'global',
    label: ifa.label,
    flags: IFA_F_PERMANENT | (secondary ? IFA_F_SECONDARY : 0),
    flagWords: secondary ? ['secondary'] : [],
    validLft: 0xffffffff,
    preferredLft: 0xffffffff,
  };
}
