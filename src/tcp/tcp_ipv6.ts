// TCP's IPv6 half: the pseudo header (tcp_v6_check), ip6_dst_lookup_flow's route and source
// address (scoped destinations keep their interface), and inet6_csk_xmit (net/ipv6/tcp_ipv6.c).
import { EADDRNOTAVAIL, ENETUNREACH } from '../core/errno.js';
import { SKB_GSO_TCPV6, type SkBuff } from '../core/skbuff.js';
import type { Inet6 } from '../ipv6/af_inet6.js';
import { ipv6PseudoSum } from '../ipv6/ip6_checksum.js';
import { ipv6AddrAny, ipv6AddrIsMulticast } from '../ipv6/in6_addr.js';
import { IP6H_DADDR_OFF, IP6H_SADDR_OFF, NEXTHDR_TCP } from '../ipv6/ipv6hdr.js';
import { tcpGroComplete, tcpGroReceive, tcpGsoSegment } from './tcp_offload.js';
import { ip6Send } from '../ipv6/ip6_output.js';
import type { TcpAddr, TcpAfOps, TcpRoute } from './tcp_sock.js';
import { RTN_LOCAL } from '../ipv6/route.js';

export class TcpV6Ops implements TcpAfOps {
  readonly family = 6 as const;
  readonly netHdrLen = 40;

  constructor(readonly inet6: Inet6) {
    // tcp6_gso_segment: inet6_add_offload(&tcpv6_offload, IPPROTO_TCP).
    inet6.offloads.set(NEXTHDR_TCP, (skb, nh, th) =>
      tcpGsoSegment(skb, th, (seg, len) => {
        const n = seg.networkHeader;
        return ipv6PseudoSum(seg.buf, n + IP6H_SADDR_OFF, seg.buf, n + IP6H_DADDR_OFF, len, NEXTHDR_TCP);
      }),
    );
    // tcp6_gro_receive / tcp6_gro_complete.
    const pseudo = (s: SkBuff, len: number): number =>
      ipv6PseudoSum(s.buf, s.networkHeader + IP6H_SADDR_OFF, s.buf, s.networkHeader + IP6H_DADDR_OFF, len, NEXTHDR_TCP);
    const groComplete = (s: SkBuff, th: number): void => tcpGroComplete(s, th, pseudo);
    inet6.groOffloads.set(NEXTHDR_TCP, (cell, skb, th, same, complete) =>
      tcpGroReceive(cell, skb, th, same, complete, SKB_GSO_TCPV6, pseudo, groComplete),
    );
  }

  pseudo(src: TcpAddr, dst: TcpAddr, len: number): number {
    return ipv6PseudoSum(src.addr as Uint8Array, 0, dst.addr as Uint8Array, 0, len, NEXTHDR_TCP);
  }

  private oif(dst: TcpAddr) {
    const scope = dst.family === 6 ? dst.scopeId : 0;
    return scope ? (this.inet6.net.devGetByIndex(scope) ?? null) : null;
  }

  xmit(skb: SkBuff, src: TcpAddr, dst: TcpAddr, tos: number, _ipId: number): number {
    return ip6Send(this.inet6, skb, src.addr as Uint8Array, dst.addr as Uint8Array, 0, NEXTHDR_TCP, -1, tos, this.oif(dst));
  }

  route(dst: TcpAddr, src: TcpAddr | null): TcpRoute | number {
    const d = dst.addr as Uint8Array;
    if (ipv6AddrAny(d) || ipv6AddrIsMulticast(d)) return -ENETUNREACH;
    const oif = this.oif(dst);
    const rt = this.inet6.fib.lookup(d, 0, oif);
    if (rt === null) return -ENETUNREACH;
    let s: Uint8Array | null = src !== null && !ipv6AddrAny(src.addr as Uint8Array) ? (src.addr as Uint8Array) : null;
    if (s !== null && !this.inet6.fib.isLocalAddr(s, 0)) return -EADDRNOTAVAIL;
    if (s === null) s = rt.prefsrc ?? this.inet6.addrconf.devGetSaddr(rt.dev, d, 0);
    if (s === null) return -EADDRNOTAVAIL;
    const scopeId = dst.family === 6 ? dst.scopeId : 0;
    const dev = rt.type === RTN_LOCAL ? null : rt.dev;
    return { saddr: { family: 6, addr: Buffer.from(s), scopeId }, mtu: this.inet6.mtu(rt.dev, rt.mtu), dev };
  }

  bytes(a: TcpAddr): Uint8Array {
    return a.addr as Uint8Array;
  }
}
