// TCP's IPv4 half: the pseudo header (tcp_v4_check), the route and source address a connection
// takes (ip_route_connect), ip_queue_xmit, and the MSS the route allows (tcp_v4_connect).
import { EADDRNOTAVAIL, ENETUNREACH } from '../core/errno.js';
import { SKB_GSO_TCPV4, type SkBuff } from '../core/skbuff.js';
import type { Inet } from '../ipv4/af_inet.js';
import { udpPseudoSum } from '../ipv4/checksum.js';
import { RTN_LOCAL, fibPrefsrc } from '../ipv4/fib.js';
import { isLoopback, isMulticast, isLocalBroadcast, isZeronet } from '../ipv4/inet_addr.js';
import { IPPROTO_TCP, ipDaddr, ipSaddr } from '../ipv4/iphdr.js';
import { tcpGroComplete, tcpGroReceive, tcpGsoSegment } from './tcp_offload.js';
import { ipSend } from '../ipv4/ip_output.js';
import type { TcpAddr, TcpAfOps, TcpRoute } from './tcp_sock.js';

export class TcpV4Ops implements TcpAfOps {
  readonly family = 4 as const;
  readonly netHdrLen = 20;

  constructor(readonly inet: Inet) {
    // tcp4_gso_segment: inet_add_offload(&tcpv4_offload, IPPROTO_TCP).
    inet.offloads.set(IPPROTO_TCP, (skb, _nh, th) =>
      tcpGsoSegment(skb, th, (seg, len) => {
        const n = seg.networkHeader;
        return udpPseudoSum(ipSaddr(seg.buf, n), ipDaddr(seg.buf, n), IPPROTO_TCP, len);
      }),
    );
    // tcp4_gro_receive / tcp4_gro_complete.
    const pseudo = (s: SkBuff, len: number): number =>
      udpPseudoSum(ipSaddr(s.buf, s.networkHeader), ipDaddr(s.buf, s.networkHeader), IPPROTO_TCP, len);
    const groComplete = (s: SkBuff, th: number): void => tcpGroComplete(s, th, pseudo);
    inet.groOffloads.set(IPPROTO_TCP, (cell, skb, th, same, complete) =>
      tcpGroReceive(cell, skb, th, same, complete, SKB_GSO_TCPV4, pseudo, groComplete),
    );
  }

  pseudo(src: TcpAddr, dst: TcpAddr, len: number): number {
    return udpPseudoSum(src.addr as number, dst.addr as number, IPPROTO_TCP, len);
  }

  xmit(skb: SkBuff, src: TcpAddr, dst: TcpAddr, tos: number, ipId: number): number {
    return ipSend(this.inet, skb, src.addr as number, dst.addr as number, IPPROTO_TCP, 64, tos, null, ipId < 0 ? 0 : ipId);
  }

  route(dst: TcpAddr, src: TcpAddr | null): TcpRoute | number {
    const d = dst.addr as number;
    if (isLoopback(d) || isZeronet(d) || isMulticast(d) || isLocalBroadcast(d)) return -ENETUNREACH;
    const rt = this.inet.fib.lookup(d);
    if (rt === null) return -ENETUNREACH;
    let s = src !== null ? (src.addr as number) : 0;
    if (s !== 0 && !this.inet.isLocalAddr(s)) return -EADDRNOTAVAIL;
    if (s === 0) s = fibPrefsrc(rt, d);
    if (s === 0) return -EADDRNOTAVAIL;
    const local = rt.type === RTN_LOCAL;
    return { saddr: { family: 4, addr: s >>> 0 }, mtu: local ? 65535 : rt.dev.mtu, dev: local ? null : rt.dev };
  }

  bytes(a: TcpAddr): Uint8Array {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE((a.addr as number) >>> 0, 0);
    return b;
  }
}
