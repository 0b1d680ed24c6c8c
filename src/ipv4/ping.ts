// ICMP echo from the stack itself (net/ipv4/ping.c's role, with iputils ping's behaviour and
// output): one identifier per session, replies matched by id and sequence, errors from queued
// packets reported like "Destination Host Unreachable".
import { EHOSTUNREACH, ENETUNREACH, strerror } from '../core/errno.js';
import { LL_RESERVED_SPACE, SkBuff, SkbOwner, allocSkb } from '../core/skbuff.js';
import type { Inet } from './af_inet.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED, finishIcmpChecksum, writeIcmpEcho } from './icmphdr.js';
import { formatIPv4 } from './inet_addr.js';
import { IPPROTO_ICMP, ipIhlBytes, ipSaddr, ipTotLen, ipTtl } from './iphdr.js';
import { ipSend } from './ip_output.js';

/** Options of {@link Stack.ping}, named after iputils ping's flags. */
export interface PingOptions {
  /** Number of requests (iputils -c); default 4 in the library, infinite is not offered. */
  count?: number;
  /** Seconds between requests (-i); default 1. */
  interval?: number;
  /** Payload bytes (-s); default 56. */
  size?: number;
  /** Seconds to wait for replies after the last request; default max(1, 2·interval). */
  timeout?: number;
  /** Source address, dotted quad (-I ADDR): one of the stack's own; default: chosen by the route. */
  source?: string;
  /** Time to live of the requests (-t); default 64. */
  ttl?: number;
  /** Receives each output line as iputils prints it. */
  onLine?: (line: string) => void;
  /** Stops early, like SIGINT to iputils ping: no more requests, the summary at once. */
  signal?: AbortSignal;
}

/** One echo reply. */
export interface PingReply {
  /** icmp_seq, from 1. */
  seq: number;
  /** TTL of the reply as received. */
  ttl: number;
  /** ICMP bytes (header and payload: size + 8). */
  bytes: number;
  /** Who answered, dotted quad. */
  from: string;
  /** Round-trip time in milliseconds (sub-millisecond precision). */
  rttMs: number;
}

/** The summary of a ping session, as iputils prints it at the end. */
export interface PingResult {
  /** The destination, dotted quad. */
  destination: string;
  /** Requests sent. */
  transmitted: number;
  /** Replies received. */
  received: number;
  /** Requests that failed: ICMP errors, an unresolved neighbour, a refused send. */
  errors: number;
  /** Lost requests in percent, rounded. */
  lossPercent: number;
  /** Milliseconds from the first request to the last one sent. */
  timeMs: number;
  /** Round-trip statistics in milliseconds; null without replies. */
  rtt: { min: number; avg: number; max: number; mdev: number } | null;
  /** Every reply, in arrival order. */
  replies: PingReply[];
  /** Every line iputils would have printed, in order (header, replies, errors, summary). */
  lines: string[];
}

let nextIdent = (process.pid & 0xffff) ^ 0x5a5a;

/** The icmp id namespace of one stack; identifiers are handed out round-robin. */
function allocIdent(inet: Inet): number {
  for (let i = 0; i < 0x10000; i++) {
    nextIdent = (nextIdent + 1) & 0xffff;
    if (!inet.icmp.echoHandlers.has(nextIdent)) return nextIdent;
  }
  throw new Error('no free ICMP identifier');
}

/** Runs one ping session to completion; timing comes from the stack's clock. */
export function ping(inet: Inet, dst: number, opts: PingOptions = {}, source = 0): Promise<PingResult> {
  const clock = inet.net.clock;
  const count = opts.count ?? 4;
  const intervalMs = (opts.interval ?? 1) * 1000;
  const size = opts.size ?? 56;
  const timeoutMs = (opts.timeout ?? Math.max(1, 2 * (opts.interval ?? 1))) * 1000;
  const ident = allocIdent(inet);
  const dstStr = formatIPv4(dst);
  const lines: string[] = [];
  const out = (l: string): void => {
    lines.push(l);
    opts.onLine?.(l);
  };
  const sentAt = new Map<number, number>();
  const replies: PingReply[] = [];
  let transmitted = 0;
  let errors = 0;
  const start = clock.preciseNow();
  let lastSend = start;

  out(`PING ${dstStr} (${dstStr}) ${size}(${size + 28}) bytes of data.`);

  return new Promise<PingResult>((resolve) => {
    const owner: SkbOwner = {
      // A queued request whose neighbour failed: iputils shows the local stack's own error.
      errorReport(errno: number, skb: SkBuff): void {
        const seq = skb.buf.readUInt16BE(skb.networkHeader + ipIhlBytes(skb.buf, skb.networkHeader) + 6);
        errors++;
        sentAt.delete(seq);
        const src = ipSaddr(skb.buf, skb.networkHeader);
        out(errno === EHOSTUNREACH
          ? `From ${formatIPv4(src)} icmp_seq=${seq} Destination Host Unreachable`
          : `From ${formatIPv4(src)} icmp_seq=${seq} ${strerror(errno)}`);
      },
    };
    inet.icmp.echoHandlers.set(ident, {
      reply(skb: SkBuff): void {
        const b = skb.buf;
        const seq = b.readUInt16BE(skb.data + 6);
        const t0 = sentAt.get(seq);
        if (t0 === undefined) return;
        sentAt.delete(seq);
        const rtt = clock.preciseNow() - t0;
        const nh = skb.networkHeader;
        const r: PingReply = {
          seq, ttl: ipTtl(b, nh), bytes: ipTotLen(b, nh) - ipIhlBytes(b, nh), from: formatIPv4(ipSaddr(b, nh)), rttMs: rtt,
        };
        replies.push(r);
        out(`${r.bytes} bytes from ${r.from}: icmp_seq=${seq} ttl=${r.ttl} time=${formatRtt(rtt)} ms`);
        if (transmitted === count && sentAt.size === 0) finish();
      },
      error(type: number, code: number, from: number, seq: number): void {
        errors++;
        sentAt.delete(seq);
        const what = type === ICMP_DEST_UNREACH ? unreachText(code) : type === ICMP_TIME_EXCEEDED ? 'Time to live exceeded' : `ICMP type ${type} code ${code}`;
        out(`From ${formatIPv4(from)} icmp_seq=${seq} ${what}`);
      },
    });

    const sendOne = (): void => {
      const seq = transmitted + 1;
      transmitted++;
      const skb = allocSkb(8 + size, LL_RESERVED_SPACE + 20);
      const o = skb.put(8 + size);
      writeIcmpEcho(skb.buf, o, ICMP_ECHO, ident, seq);
      for (let i = 0; i < size; i++) skb.buf[o + 8 + i] = (i + 8) & 0xff;
      finishIcmpChecksum(skb.buf, o, 8 + size);
      skb.sk = owner;
      lastSend = clock.preciseNow();
      sentAt.set(seq, lastSend);
      const rc = ipSend(inet, skb, source, dst, IPPROTO_ICMP, opts.ttl ?? 64);
      if (rc >= 0) {
        // icmp_out_count() in ping_v4_push_pending_frames(): counted once routed, answered or not.
        inet.icmp.stats.outMsgs++;
        inet.icmp.stats.outEchos++;
      } else {
        errors++;
        sentAt.delete(seq);
        out(rc === -ENETUNREACH ? `ping: connect: Network is unreachable` : `ping: sendmsg: ${strerror(rc)}`);
      }
      // The reply may already have come back inside ipSend (a synchronous link) and finished the
      // session: arming a timer now would leave it behind on the clock.
      if (finished) return;
      if (transmitted < count) sendTimer.mod(clock.now() + intervalMs);
      else doneTimer.mod(clock.now() + timeoutMs);
    };
    const sendTimer = clock.timer(sendOne, null);
    const doneTimer = clock.timer(() => finish(), null);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      sendTimer.del();
      doneTimer.del();
      inet.icmp.echoHandlers.delete(ident);
      const received = replies.length;
      const timeMs = Math.round(lastSend - start);
      const loss = transmitted ? Math.round(((transmitted - received) * 100) / transmitted) : 0;
      out('');
      out(`--- ${dstStr} ping statistics ---`);
      out(`${transmitted} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ''}${loss}% packet loss, time ${timeMs}ms`);
      let rtt: PingResult['rtt'] = null;
      if (received) {
        const v = replies.map((r) => r.rttMs);
        const min = Math.min(...v);
        const max = Math.max(...v);
        const avg = v.reduce((a, x) => a + x, 0) / v.length;
        const mdev = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length - avg * avg);
        rtt = { min, avg, max, mdev: Number.isFinite(mdev) ? mdev : 0 };
        out(`rtt min/avg/max/mdev = ${rtt.min.toFixed(3)}/${rtt.avg.toFixed(3)}/${rtt.max.toFixed(3)}/${rtt.mdev.toFixed(3)} ms`);
      }
      resolve({ destination: dstStr, transmitted, received, errors, lossPercent: loss, timeMs, rtt, replies, lines });
    };
    if (opts.signal?.aborted) {
      finish();
      return;
    }
    opts.signal?.addEventListener('abort', () => finish(), { once: true });
    sendOne();
  });
}

/** iputils prints three significant digits below 100 ms. */
function formatRtt(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function unreachText(code: number): string {
  switch (code) {
    case 0: return 'Destination Net Unreachable';
    case 1: return 'Destination Host Unreachable';
    case 2: return 'Destination Protocol Unreachable';
    case 3: return 'Destination Port Unreachable';
    case 4: return 'Frag needed and DF set';
    default: return `Dest Unreachable, Bad Code: ${code}`;
  }
}
