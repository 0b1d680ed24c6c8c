// ICMP (net/ipv4/icmp.c): icmp_rcv, icmp_echo/icmp_reply and icmp_send with its "never answer an
// error with an error" rules and rate limiting (icmp_global_allow, icmp_ratelimit).
import { PACKET_HOST, PACKET_OTHERHOST, SkBuff, allocSkb, LL_RESERVED_SPACE } from '../core/skbuff.js';
import type { Inet } from './af_inet.js';
import { csumReplace2 } from '../core/checksum.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_TIME_EXCEEDED,
  ICMP_DROP_BAD_CSUM,
  finishIcmpChecksum,
  icmpCheck,
  icmpChecksum,
  icmpType,
  writeIcmpHeader,
} from './icmphdr.js';
import { isLocalBroadcast, isMulticast, isZeronet } from './inet_addr.js';
import { IPDEFTTL, IPPROTO_ICMP, IP_OFFMASK, ipDaddr, ipFragOff, ipIhlBytes, ipProtocol, ipSaddr, ipTos, ipTotLen, writeIpHeader } from './iphdr.js';
import { RTN_LOCAL, fibPrefsrc, rtNexthop } from './fib.js';
import { ipFinishOutput2, ipSend } from './ip_output.js';

/** ICMP counters, named as in /proc/net/snmp's Icmp line where one exists. */
export interface IcmpStats {
  /** Icmp: InMsgs: every ICMP message delivered to us, bad ones included. */
  inMsgs: number;
  /** Icmp: InErrors: bad checksum or length, or an error quoting too little or no socket of ours. */
  inErrors: number;
  /** Icmp: InCsumErrors: messages with a bad checksum (also in inErrors). */
  inCsumErrors: number;
  /** Icmp: InEchos: echo requests received (answered unless ignored, unroutable or too big). */
  inEchos: number;
  /** Icmp: InEchoReps: echo replies received (handed to the ping session of their id, if any). */
  inEchoReps: number;
  /** Icmp: InDestUnreachs: destination unreachable errors received. */
  inDestUnreachs: number;
  /** Icmp: InTimeExcds: time exceeded errors received. */
  inTimeExcds: number;
  /** Icmp: InParmProbs: parameter problem errors received. */
  inParmProbs: number;
  /** Icmp: InSrcQuenchs: source quench errors received. */
  inSrcQuenchs: number;
  /** Icmp: InRedirects: redirects received; counted, never acted on. */
  inRedirects: number;
  /** Icmp: OutMsgs: echo replies and errors built and handed to IPv4 output. */
  outMsgs: number;
  /** Icmp: OutEchoReps: echo replies sent. */
  outEchoReps: number;
  /** Icmp: OutEchos: echo requests the stack's ping sent (once routed, as icmp_out_count() counts them). */
  outEchos: number;
  /** Icmp: OutDestUnreachs: destination unreachable errors sent. */
  outDestUnreachs: number;
  /** Icmp: OutTimeExcds: time exceeded errors sent. */
  outTimeExcds: number;
  /** Errors icmp_send() must not send: about an ICMP error, a later fragment, bcast/mcast, otherhost. */
  outSuppressed: number;
  /** Icmp: OutRateLimitGlobal: errors not sent, the icmp_msgs_per_sec/burst token bucket was empty. */
  outRateLimited: number;
  /** Echo requests to a broadcast or multicast address, ignored per icmp_echo_ignore_broadcasts. */
  echoIgnoredBroadcast: number;
  /** Messages of a type icmp_rcv does not handle (timestamp, address mask, ...), dropped. */
  unhandledType: number;
}

/** Is this ICMP type an error (as opposed to a query)? icmp_pointers[].error. */
function icmpIsError(type: number): boolean {
  return (
    type === ICMP_DEST_UNREACH || type === ICMP_SOURCE_QUENCH || type === ICMP_REDIRECT ||
    type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETERPROB
  );
}

/** Receivers of ICMP errors quoting packets of another protocol (UDP sockets). */
export interface IcmpErrorSink {
  /** An error quoting one of our packets: `inner` points at the quoted IP header. */
  icmpError(type: number, code: number, info: number, from: number, buf: Buffer, inner: number, innerLen: number): void;
}

/** A ping socket: its echo replies and the ICMP errors quoting its requests. */
export interface EchoHandler {
  reply(skb: SkBuff): void;
  error(type: number, code: number, from: number, seq: number): void;
}

export class Icmp {
  readonly stats: IcmpStats = {
    inMsgs: 0, inErrors: 0, inCsumErrors: 0, inEchos: 0, inEchoReps: 0, inDestUnreachs: 0, inTimeExcds: 0, inParmProbs: 0, inSrcQuenchs: 0, inRedirects: 0,
    outMsgs: 0, outEchoReps: 0, outEchos: 0, outDestUnreachs: 0, outTimeExcds: 0, outSuppressed: 0,
    outRateLimited: 0, echoIgnoredBroadcast: 0, unhandledType: 0,
  };
  /** net.ipv4.icmp_echo_ignore_broadcasts (default 1). */
  echoIgnoreBroadcasts = 1;
  /** net.ipv4.icmp_msgs_per_sec / icmp_msgs_burst: the global token bucket for errors. */
  msgsPerSec = 1000;
  msgsBurst = 50;
  private tokens = 50;
  private tokensAt = 0;
  /** Ping sockets by echo identifier: replies and errors quoting their requests. */
  readonly echoHandlers = new Map<number, EchoHandler>();
  /** Error sinks by inner protocol other than ICMP echo (UDP: src/ipv4/udp.ts, __udp4_lib_err). */
  readonly errorSinks = new Map<number, IcmpErrorSink>();

  constructor(private readonly inet: Inet) {}

  /** icmp_rcv(): skb.data at the ICMP header. */
  rcv(skb: SkBuff): void {
    const st = this.stats;
    const b = skb.buf;
    const off = skb.data;
    st.inMsgs++;
    const reason = icmpCheck(b, off, skb.len);
    if (reason !== 0) {
      st.inErrors++;
      if (reason === ICMP_DROP_BAD_CSUM) st.inCsumErrors++;
      return;
    }
    switch (icmpType(b, off)) {
      case ICMP_ECHO:
        st.inEchos++;
        this.echo(skb);
        return;
      case ICMP_ECHOREPLY: {
        st.inEchoReps++;
        const h = this.echoHandlers.get(b.readUInt16BE(off + 4));
        if (h) h.reply(skb);
        return;
      }
      case ICMP_DEST_UNREACH:
        st.inDestUnreachs++;
        this.deliverError(skb);
        return;
      case ICMP_TIME_EXCEEDED:
        st.inTimeExcds++;
        this.deliverError(skb);
        return;
      case ICMP_PARAMETERPROB:
        st.inParmProbs++;
        this.deliverError(skb);
        return;
      case ICMP_SOURCE_QUENCH:
        st.inSrcQuenchs++;
        this.deliverError(skb);
        return;
      case ICMP_REDIRECT:
        // Counted, never acted on: tapstack's routes do not take redirects.
        st.inRedirects++;
        this.deliverError(skb);
        return;
      default:
        st.unhandledType++;
    }
  }

  /**
   * icmp_echo(): answer in place — the request's buffer becomes the reply, so replying allocates
   * nothing. "Ignore broadcast pings" is the kernel default.
   */
  private echo(skb: SkBuff): void {
    const inet = this.inet;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const th = skb.data;
    const saddr = ipSaddr(b, nh);
    const daddr = ipDaddr(b, nh);
    if (skb.pktType !== PACKET_HOST || !inet.isLocalAddr(daddr)) {
      if (this.echoIgnoreBroadcasts) {
        this.stats.echoIgnoredBroadcast++;
        return;
      }
    }
    const rt = inet.fib.lookup(saddr);
    if (rt === null) {
      inet.stats.outNoRoutes++;
      return;
    }
    const replySrc = inet.isLocalAddr(daddr) ? daddr : fibPrefsrc(rt, saddr);
    const icmpLen = skb.len;
    if (rt.type !== RTN_LOCAL && 20 + icmpLen > rt.dev.mtu) {
      // Linux would fragment the reply; tapstack cannot, and never sends beyond the MTU.
      inet.stats.fragFails++;
      inet.stats.drops.fragNeeded++;
      return;
    }
    // type 8 → 0 changes one 16-bit word of the checksummed data.
    const oldWord = (b[th] << 8) | b[th + 1];
    b[th] = ICMP_ECHOREPLY;
    const check = csumReplace2(icmpChecksum(b, th), oldWord, (ICMP_ECHOREPLY << 8) | b[th + 1]);
    b[th + 2] = check >>> 8;
    b[th + 3] = check & 0xff;
    // A fresh 20-byte header right before the ICMP data: options of the request are not echoed.
    const off = th - 20;
    skb.data = off;
    skb.networkHeader = off;
    writeIpHeader(b, off, ipTos(b, nh), 20 + icmpLen, inet.nextIpId(), 0, IPDEFTTL, IPPROTO_ICMP, replySrc | 0, saddr | 0);
    this.stats.outMsgs++;
    this.stats.outEchoReps++;
    inet.stats.outRequests++;
    if (rt.type === RTN_LOCAL) {
      inet.loopbackDeliver(skb, rt.dev);
      return;
    }
    ipFinishOutput2(inet, skb, rt.dev, rtNexthop(rt, saddr) | 0);
  }

  /** Hands an ICMP error to whoever sent the quoted packet. */
  private deliverError(skb: SkBuff): void {
    const b = skb.buf;
    const off = skb.data;
    if (skb.len < 8 + 20) {
      this.stats.inErrors++;
      return;
    }
    const inner = off + 8;
    const innerLen = skb.len - 8;
    const from = ipSaddr(b, skb.networkHeader);
    if (ipProtocol(b, inner) === IPPROTO_ICMP) {
      const t = inner + ipIhlBytes(b, inner);
      if (t + 8 <= skb.tail && b[t] === ICMP_ECHO) this.echoHandlers.get(b.readUInt16BE(t + 4))?.error(b[off], b[off + 1], from, b.readUInt16BE(t + 6));
      return;
    }
    const sink = this.errorSinks.get(ipProtocol(b, inner));
    if (sink) {
      sink.icmpError(b[off], b[off + 1], b.readUInt32BE(off + 4), from, b, inner, innerLen);
    }
  }

  /** icmp_global_allow(): a token bucket shared by all outgoing errors. */
  private allow(): boolean {
    const now = this.inet.net.clock.now();
    this.tokens = Math.min(this.msgsBurst, this.tokens + ((now - this.tokensAt) * this.msgsPerSec) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * icmp_send(): report a problem with skbIn (network header set) to its sender. Never about an
   * ICMP error, a non-first fragment, a packet to or from a broadcast/multicast address, or a
   * frame that was not for this host.
   */
  send(skbIn: SkBuff, type: number, code: number, info: number): void {
    const inet = this.inet;
    const b = skbIn.buf;
    const nh = skbIn.networkHeader;
    const st = this.stats;
    if (nh < 0 || skbIn.pktType === PACKET_OTHERHOST) {
      st.outSuppressed++;
      return;
    }
    const saddr = ipSaddr(b, nh);
    const daddr = ipDaddr(b, nh);
    if (isZeronet(saddr) || isMulticast(saddr) || isLocalBroadcast(saddr) || inet.isLocalBroadcast(saddr) ||
        isMulticast(daddr) || isLocalBroadcast(daddr) || inet.isLocalBroadcast(daddr)) {
      st.outSuppressed++;
      return;
    }
    if ((ipFragOff(b, nh) & IP_OFFMASK) !== 0) {
      st.outSuppressed++;
      return;
    }
    const ihl = ipIhlBytes(b, nh);
    if (ipProtocol(b, nh) === IPPROTO_ICMP) {
      const t = nh + ihl;
      if (t >= skbIn.tail || icmpIsError(b[t])) {
        st.outSuppressed++;
        return;
      }
    }
    if (!this.allow()) {
      st.outRateLimited++;
      return;
    }
    // Quote as much of the offending packet as fits in a 576-byte datagram (RFC 1812 4.3.2.3).
    const avail = Math.min(ipTotLen(b, nh), skbIn.tail - nh);
    const quote = Math.max(0, Math.min(avail, 576 - 20 - 8));
    const skb = allocSkb(8 + quote, LL_RESERVED_SPACE + 20);
    const o = skb.put(8 + quote);
    writeIcmpHeader(skb.buf, o, type, code, info >>> 0);
    b.copy(skb.buf, o + 8, nh, nh + quote);
    finishIcmpChecksum(skb.buf, o, 8 + quote);
    st.outMsgs++;
    if (type === ICMP_DEST_UNREACH) st.outDestUnreachs++;
    else if (type === ICMP_TIME_EXCEEDED) st.outTimeExcds++;
    // The source is the address the packet was sent to when that is ours; else the route's choice.
    ipSend(inet, skb, inet.isLocalAddr(daddr) ? daddr : 0, saddr, IPPROTO_ICMP, IPDEFTTL, 0xc0);
  }
}

