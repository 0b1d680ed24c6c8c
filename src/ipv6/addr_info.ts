// RTM_NEWADDR for an IPv6 address (net/ipv6/addrconf.c inet6_fill_ifaddr): the snapshot `ip -6 addr`
// prints and the Stack's 'addr' events carry.
import { type AddrSnapshot, ifaFlagWords } from '../core/addr_info.js';
import { IFA_HOST, IFA_LINK, IFA_SITE, type Inet6Ifaddr } from './if_inet6.js';
import { formatIn6 } from './in6_addr.js';

export function ifaScopeName(scope: number): string {
  return scope === IFA_LINK ? 'link' : scope === IFA_HOST ? 'host' : scope === IFA_SITE ? 'site' : 'global';
}

/** A snapshot of `ifa` with the remaining lifetimes given (Addrconf.remaining). */
export function addrSnapshot6(ifa: Inet6Ifaddr, rem: { valid: number; preferred: number }): AddrSnapshot {
  const dev = ifa.idev.dev;
  return {
    family: 'inet6',
    ifindex: dev.ifindex,
    dev: dev.name,
    local: formatIn6(ifa.addr),
    prefixLen: ifa.prefixLen,
    broadcast: null,
    scope: ifaScopeName(ifa.scope),
    label: null,
    flags: ifa.flags,
    flagWords: ifaFlagWords(ifa.flags),
    validLft: rem.valid,
    preferredLft: rem.preferred,
  };
}
