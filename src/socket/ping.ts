// ICMP echo from the stack itself for both families (net/ipv4/ping.c ping_v4_*, net/ipv6/ping.c
// ping_v6_*), with iputils 20221126 ping's main loop (ping_common.c: main_loop, pinger,
// __schedule_exit, finish) and output (ping.c for IPv4, ping6_common.c for IPv6): one identifier
// per session, replies matched by id and sequence, errors from queued packets reported as
// iputils prints them.
import type { Clock } from '../core/clock.js';
import { EHOSTUNREACH, ENETUNREACH, EPERM, StackError, strerror } from '../core/errno.js';
import { LL_RESERVED_SPACE, SkBuff, SkbOwner, allocSkb } from '../core/skbuff.js';
import type { Inet } from '../ipv4/af_inet.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED, finishIcmpChecksum, writeIcmpEcho } from '../ipv4/icmphdr.js';
import { formatIPv4 } from '../ipv4/inet_addr.js';
import { IPPROTO_ICMP, ipIhlBytes, ipSaddr, ipTotLen, ipTtl } from '../ipv4/iphdr.js';
import { ipSend } from '../ipv4/ip_output.js';
import type { Inet6 } from '../ipv6/af_inet6.js';
import {
  ICMPV6_DEST_UNREACH,
  ICMPV6_ECHO_REQUEST,
  ICMPV6_PARAMPROB,
  ICMPV6_PKT_TOOBIG,
  ICMPV6_TIME_EXCEED,
  IPPROTO_ICMPV6,
  icmp6FillChecksum,
  writeIcmp6Echo,
} from '../ipv6/icmp6hdr.js';
import { formatIn6 } from '../ipv6/in6_addr.js';
import { IP6H_SADDR_OFF, IPV6_HDR_LEN } from '../ipv6/ipv6hdr.js';

/** Options of {@link Stack.ping}, named after iputils ping's flags. */
export interface PingOptions {
  /**
   * Number of requests (iputils -c); default 4, or no limit when a `deadline` is given. With a
   * deadline, requests go on until it (as iputils -c -w does) unless `count` replies and errors
   * came back first.
   */
  count?: number;
  /**
   * Seconds between requests (-i), truncated to whole milliseconds as iputils does; default 1.
   * Below 10 ms, the next request waits for the answer to the previous one, or 10 ms (iputils'
   * pacing: at most 100 requests per second to a host that does not answer); 0 sends as fast as
   * the answers come (and the summary adds iputils' `ipg/ewma`).
   */
  interval?: number;
  /** Payload bytes (-s); default 56. Below 16, iputils has no room for its timestamp and prints no times. */
  size?: number;
  /**
   * Seconds to wait once the last request is sent if no reply has come back by then (-W);
   * default 10 (iputils' MAXWAIT); 0: no limit. When replies have come, the wait is
   * max(2 × the longest round trip, interval), as iputils. Not used with a `deadline`.
   */
  timeout?: number;
  /** Seconds (-w): the session ends then at the latest, or at the first error. Default: none. */
  deadline?: number;
  /**
   * Seconds: an `interval` below it is refused with iputils' own message (`ping: cannot flood;
   * minimal interval allowed for user is 2ms`, after the header line), as iputils refuses users
   * other than root below 2 ms. Default: no lower bound (as for root).
   */
  minInterval?: number;
  /** Source address (-I ADDR): one of the stack's own; default: chosen by the route. */
  source?: string;
  /** Time to live (hop limit for IPv6) of the requests (-t); default 64 (IPv6: the route's or device's hop_limit). */
  ttl?: number;
  /** Receives each output line as iputils prints it. */
  onLine?: (line: string) => void;
  /** Stops early, like SIGINT to iputils ping: no more requests, the summary at once. */
  signal?: AbortSignal;
}

/** One echo reply. */
export interface PingReply {
  /** icmp_seq, from 1 (16 bits on the wire: it wraps to 0 after 65535, as iputils prints it). */
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
  /** Lost requests in percent, rounded (the summary line prints it as iputils does, e.g. 33.3333). */
  lossPercent: number;
  /** Milliseconds from the first request to the last one sent. */
  timeMs: number;
  /**
   * Round-trip statistics in milliseconds, from whole microseconds as iputils computes them;
   * null without replies.
   */
  rtt: { min: number; avg: number; max: number; mdev: number } | null;
  /** Every reply, in arrival order. */
  replies: PingReply[];
  /** Every line iputils would have printed, in order (header, replies, errors, summary). */
  lines: string[];
}

/** iputils MAXWAIT: the default -W, in seconds. */
const MAXWAIT = 10;
/** iputils MIN_INTERVAL_MS: the shortest wait for an answer when the interval is smaller (SCHINT). */
const MIN_INTERVAL_MS = 10;
/** iputils needs this many payload bytes for its timestamp (sizeof(struct timeval)); less: no times. */
const TIMING_MIN_SIZE = 16;

let nextIdent = (process.pid & 0xffff) ^ 0x5a5a;

/** One family's echo identifiers; handed out round-robin. */
function allocIdent(used: { has(k: number): boolean }): number {
  for (let i = 0; i < 0x10000; i++) {
    nextIdent = (nextIdent + 1) & 0xffff;
    if (!used.has(nextIdent)) return nextIdent;
  }
  throw new Error('no free ICMP identifier');
}

/** The header line iputils prints before the first request (IPv4). */
export function pingHeader(dst: string, size: number): string {
  return `PING ${dst} (${dst}) ${size}(${size + 28}) bytes of data.`;
}

/** ping6's header line: `PING fd00:1::b(fd00:1::b) 56 data bytes`. */
export function ping6Header(dst: string, size: number): string {
  return `PING ${dst}(${dst}) ${size} data bytes`;
}

/** What a session's replies and errors are handed to. */
interface PingHandler {
  reply(skb: SkBuff): void;
  error(type: number, code: number, info: number, from: string, seq: number): void;
}

/** The family-specific half of a ping session (ping_v4_* / ping_v6_* and iputils' printers). */
interface PingFamily {
  readonly clock: Clock;
  readonly dstStr: string;
  header(size: number): string;
  hasRoute(): boolean;
  /** Takes a free identifier and installs the handler under it. */
  open(h: PingHandler): number;
  close(ident: number): void;
  /** Builds and sends one request; 0 or a negative errno. */
  send(ident: number, seq: number, size: number, owner: SkbOwner, ttl: number | undefined): number;
  /** seq, ttl/hop limit, ICMP bytes and sender of a reply. */
  replyInfo(skb: SkBuff): PingReply;
  /** A queued request whose neighbour failed: its seq and the line iputils prints for it. */
  linkFailure(errno: number, skb: SkBuff): { seq: number; line: string };
  /** The text after `From ADDR icmp_seq=N ` for an ICMP error. */
  errorText(type: number, code: number, info: number): string;
}

function ipv4Family(inet: Inet, dst: number, source: number): PingFamily {
  return {
    clock: inet.net.clock,
    dstStr: formatIPv4(dst),
    header: (size) => pingHeader(formatIPv4(dst), size),
    hasRoute: () => inet.fib.lookup(dst) !== null,
    open(h) {
      const ident = allocIdent(inet.icmp.echoHandlers);
      inet.icmp.echoHandlers.set(ident, { reply: (skb) => h.reply(skb), error: (type, code, from, seq) => h.error(type, code, 0, formatIPv4(from), seq) });
      return ident;
    },
    close: (ident) => inet.icmp.echoHandlers.delete(ident),
    send(ident, seq, size, owner, ttl) {
      const skb = allocSkb(8 + size, LL_RESERVED_SPACE + 20);
      const o = skb.put(8 + size);
      writeIcmpEcho(skb.buf, o, ICMP_ECHO, ident, seq);
      for (let i = 0; i < size; i++) skb.buf[o + 8 + i] = (i + 8) & 0xff;
      finishIcmpChecksum(skb.buf, o, 8 + size);
      skb.sk = owner;
      const rc = ipSend(inet, skb, source, dst, IPPROTO_ICMP, ttl ?? 64);
      if (rc >= 0) {
        // icmp_out_count() in ping_v4_push_pending_frames(): counted once routed, answered or not.
        inet.icmp.stats.outMsgs++;
        inet.icmp.stats.outEchos++;
      }
      return rc;
    },
    replyInfo(skb) {
      const b = skb.buf;
      const nh = skb.networkHeader;
      return { seq: b.readUInt16BE(skb.data + 6), ttl: ipTtl(b, nh), bytes: ipTotLen(b, nh) - ipIhlBytes(b, nh), from: formatIPv4(ipSaddr(b, nh)), rttMs: 0 };
    },
    linkFailure(errno, skb) {
      const seq = skb.buf.readUInt16BE(skb.networkHeader + ipIhlBytes(skb.buf, skb.networkHeader) + 6);
      const src = formatIPv4(ipSaddr(skb.buf, skb.networkHeader));
      return {
        seq,
        line: errno === EHOSTUNREACH ? `From ${src} icmp_seq=${seq} Destination Host Unreachable` : `From ${src} icmp_seq=${seq} ${strerror(errno)}`,
      };
    },
    errorText: (type, code) => (type === ICMP_DEST_UNREACH ? unreachText(code) : type === ICMP_TIME_EXCEEDED ? 'Time to live exceeded' : `ICMP type ${type} code ${code}`),
  };
}

/**
 * getnameinfo(NI_NUMERICHOST) of a sockaddr_in6 as iputils prints it: link-scoped addresses
 * (fe80::/10, ff02::/16) carry `%ifname`, others none.
 */
function scoped6(b: Uint8Array, off: number, dev: string | undefined): string {
  const text = formatIn6(b, off);
  const linkScope = (b[off] === 0xfe && (b[off + 1] & 0xc0) === 0x80) || (b[off] === 0xff && (b[off + 1] & 0x0f) === 2);
  return linkScope && dev !== undefined ? `${text}%${dev}` : text;
}

function ipv6Family(inet6: Inet6, dst: Buffer, source: Buffer | null, oif: import('../core/netdevice.js').NetDevice | null): PingFamily {
  const dstStr = scoped6(dst, 0, oif?.name);
  return {
    clock: inet6.net.clock,
    dstStr,
    header: (size) => ping6Header(dstStr, size),
    hasRoute: () => inet6.fib.lookup(dst, 0, oif) !== null,
    open(h) {
      const ident = allocIdent(inet6.icmp.echoHandlers);
      inet6.icmp.echoHandlers.set(ident, { reply: (skb) => h.reply(skb), error: (type, code, from, seq, info) => h.error(type, code, info ?? 0, scoped6(from, 0, oif?.name), seq) });
      return ident;
    },
    close: (ident) => inet6.icmp.echoHandlers.delete(ident),
    send(ident, seq, size, owner, ttl) {
      const skb = allocSkb(8 + size, LL_RESERVED_SPACE + IPV6_HDR_LEN);
      const o = skb.put(8 + size);
      writeIcmp6Echo(skb.buf, o, ICMPV6_ECHO_REQUEST, ident, seq);
      for (let i = 0; i < size; i++) skb.buf[o + 8 + i] = (i + 8) & 0xff;
      skb.sk = owner;
      // The checksum needs the source: pick it as ip6_xmit will (rawv6/ping_v6_sendmsg do the same).
      const rt = inet6.fib.lookup(dst, 0, oif);
      const src = source ?? (rt ? rt.prefsrc ?? inet6.addrconf.devGetSaddr(rt.dev, dst, 0) : null);
      if (rt !== null && src !== null) icmp6FillChecksum(skb.buf, o, 8 + size, src, 0, dst, 0);
      const rc = inet6.send(skb, src, dst, 0, IPPROTO_ICMPV6, ttl ?? -1, 0, oif);
      if (rc >= 0) inet6.icmp.countOut(ICMPV6_ECHO_REQUEST);
      return rc;
    },
    replyInfo(skb) {
      const b = skb.buf;
      const nh = skb.networkHeader;
      return { seq: b.readUInt16BE(skb.data + 6), ttl: b[nh + 7], bytes: skb.len, from: scoped6(b, nh + IP6H_SADDR_OFF, skb.dev?.name), rttMs: 0 };
    },
    linkFailure(_errno, skb) {
      // ip6_link_failure(): an ICMPv6 address unreachable from our own address reaches the socket.
      const t = skb.networkHeader + IPV6_HDR_LEN;
      const seq = skb.buf.readUInt16BE(t + 6);
      return { seq, line: `From ${scoped6(skb.buf, skb.networkHeader + IP6H_SADDR_OFF, skb.dev?.name)} icmp_seq=${seq} Destination unreachable: Address unreachable` };
    },
    errorText: icmp6ErrorText,
  };
}

/** ping6_common.c pr_icmph(): the texts of ICMPv6 errors. */
export function icmp6ErrorText(type: number, code: number, info: number): string {
  switch (type) {
    case ICMPV6_DEST_UNREACH: {
      const what = ['No route', 'Administratively prohibited', 'Beyond scope of source address', 'Address unreachable', 'Port unreachable'][code];
      return `Destination unreachable: ${what ?? `Unknown code ${code}`}`;
    }
    case ICMPV6_PKT_TOOBIG:
      return `Packet too big: mtu=${info >>> 0}`;
    case ICMPV6_TIME_EXCEED:
      return `Time exceeded: ${code === 0 ? 'Hop limit' : code === 1 ? 'Defragmentation failure' : `code ${code}`}`;
    case ICMPV6_PARAMPROB: {
      const what = ['Wrong header field ', 'Unknown header ', 'Unknown option '][code] ?? `code ${code} `;
      return `Parameter problem: ${what}at ${info >>> 0}`;
    }
    default:
      return `Unknown icmp type: ${type}`;
  }
}

/**
 * Runs one ping session to completion; timing comes from the stack's clock. The session follows
 * iputils' main_loop: before every request it checks the exit conditions (every request answered
 * or failed; with a deadline, any error), requests stop at `count` (not with a deadline), and the
 * last request arms __schedule_exit's wait.
 */
export function ping(inet: Inet, dst: number, opts: PingOptions = {}, source = 0): Promise<PingResult> {
  return runPing(ipv4Family(inet, dst, source), opts);
}

/** ping -6: the same session over ICMPv6 (`oif` for a link-local destination's zone). */
export function ping6(inet6: Inet6, dst: Buffer, opts: PingOptions = {}, source: Buffer | null = null, oif: import('../core/netdevice.js').NetDevice | null = null): Promise<PingResult> {
  return runPing(ipv6Family(inet6, dst, source, oif), opts);
}

function runPing(fam: PingFamily, opts: PingOptions): Promise<PingResult> {
  const clock = fam.clock;
  const deadlineMs = opts.deadline !== undefined && opts.deadline > 0 ? opts.deadline * 1000 : 0;
  const npackets = opts.count ?? (deadlineMs > 0 ? Infinity : 4);
  // (int)(optval * 1000) in iputils: whole milliseconds, truncated.
  const intervalMs = Math.max(0, Math.trunc((opts.interval ?? 1) * 1000));
  const lingerMs = opts.timeout === undefined ? MAXWAIT * 1000 : Math.max(0, Math.trunc(opts.timeout * 1000));
  const size = opts.size ?? 56;
  const timing = size >= TIMING_MIN_SIZE;
  const dstStr = fam.dstStr;
  const lines: string[] = [];
  const out = (l: string): void => {
    lines.push(l);
    opts.onLine?.(l);
  };

  out(fam.header(size));
  // iputils' setup() refuses a small interval after the header, but only once connect() found a
  // route (without one, the first request reports "connect: Network is unreachable" instead).
  if (opts.minInterval !== undefined && intervalMs < Math.trunc(opts.minInterval * 1000) && fam.hasRoute()) {
    return Promise.reject(new StackError(EPERM, `ping: cannot flood; minimal interval allowed for user is ${Math.trunc(opts.minInterval * 1000)}ms`));
  }

  /** Requests in flight by their 16-bit icmp_seq: when sent and which request (1-based) it was. */
  const sentAt = new Map<number, { t0: number; n: number }>();
  const replies: PingReply[] = [];
  let ntransmitted = 0;
  let nerrors = 0;
  /** The highest request acknowledged by a reply or an error, and the most ever in flight (iputils acked, pipesize). */
  let acked = 0;
  let pipesize = 0;
  // Round trips in whole microseconds, and the moving average ×8 (iputils tmin, tmax, tsum, tsum2, rtt).
  let tmin = Infinity;
  let tmax = 0;
  let tsum = 0;
  let tsum2 = 0;
  let ewma8 = 0;
  const start = clock.preciseNow();
  let lastSend = start;
  let lastSendMs = clock.now();
  let exitArmed = false;
  let finished = false;

  const inFlight = (): number => ntransmitted - acked;
  /** The request a 16-bit icmp_seq names: the latest one sent with those bits. */
  const requestOf = (seq: number): number => ntransmitted - ((ntransmitted - seq) & 0xffff);
  /** iputils acknowledge(): the reply or error for request n. */
  const acknowledge = (n: number): void => {
    if (ntransmitted - n + 1 > pipesize) pipesize = ntransmitted - n + 1;
    if (n > acked) acked = n;
  };

  return new Promise<PingResult>((resolve) => {
    /** main_loop's exit conditions; true when the session is over. */
    const check = (): boolean => {
      if (finished) return true;
      if (replies.length + nerrors >= npackets || (deadlineMs > 0 && nerrors > 0)) {
        finish();
        return true;
      }
      return false;
    };
    /**
     * After a reply or an error: iputils reads every answer already queued before it checks the
     * exit conditions again, so the check waits for whatever arrives in the same turn (the
     * neighbour layer reports all its queued requests at once).
     */
    const answered = (): void => {
      queueMicrotask(check);
      // Below 10 ms, iputils waits for the answer (or 10 ms) before the next request.
      if (intervalMs < MIN_INTERVAL_MS && inFlight() === 0 && sendTimer.pending) sendTimer.mod(Math.max(lastSendMs + intervalMs, clock.now()));
      scheduleExit();
    };

    const owner: SkbOwner = {
      // A queued request whose neighbour failed: iputils shows the local stack's own error.
      errorReport(errno: number, skb: SkBuff): void {
        if (finished) return;
        const { seq, line } = fam.linkFailure(errno, skb);
        nerrors++;
        acknowledge(requestOf(seq));
        sentAt.delete(seq);
        out(line);
        answered();
      },
    };
    const ident = fam.open({
      reply(skb: SkBuff): void {
        if (finished) return;
        const b = skb.buf;
        const seq = b.readUInt16BE(skb.data + 6);
        const sent = sentAt.get(seq);
        if (sent === undefined) return;
        sentAt.delete(seq);
        const rtt = clock.preciseNow() - sent.t0;
        const r: PingReply = fam.replyInfo(skb);
        r.rttMs = rtt;
        replies.push(r);
        acknowledge(sent.n);
        let line = `${r.bytes} bytes from ${r.from}: icmp_seq=${seq} ttl=${r.ttl}`;
        if (timing) {
          const us = Math.max(0, Math.round(rtt * 1000));
          tsum += us;
          tsum2 += us * us;
          if (us < tmin) tmin = us;
          if (us > tmax) tmax = us;
          ewma8 = ewma8 === 0 ? us * 8 : ewma8 + us - Math.floor(ewma8 / 8);
          line += ` time=${formatTriptime(us)} ms`;
        }
        out(line);
        answered();
      },
      error(type: number, code: number, info: number, from: string, seq: number): void {
        if (finished) return;
        nerrors++;
        acknowledge(requestOf(seq));
        sentAt.delete(seq);
        out(`From ${from} icmp_seq=${seq} ${fam.errorText(type, code, info)}`);
        answered();
      },
    });

    /** __schedule_exit(): once the last request is out (no deadline), wait for the answers, once. */
    const scheduleExit = (): void => {
      if (finished || exitArmed || deadlineMs > 0 || ntransmitted < npackets) return;
      const waitMs = replies.length > 0 ? Math.max((2 * tmax) / 1000, intervalMs) : lingerMs;
      // A zero wait arms nothing; iputils computes it again on the next turn (a late reply).
      if (waitMs === 0) return;
      exitArmed = true;
      exitTimer.mod(clock.now() + waitMs);
    };

    /** pinger(): one request, then the next one's time. */
    const sendOne = (): void => {
      if (check()) return;
      if (ntransmitted >= npackets && deadlineMs === 0) return;
      ntransmitted++;
      const seq = ntransmitted & 0xffff;
      lastSend = clock.preciseNow();
      lastSendMs = clock.now();
      sentAt.set(seq, { t0: lastSend, n: ntransmitted });
      const rc = fam.send(ident, seq, size, owner, opts.ttl);
      if (rc < 0) {
        nerrors++;
        sentAt.delete(seq);
        out(rc === -ENETUNREACH ? `ping: connect: Network is unreachable` : `ping: sendmsg: ${strerror(rc)}`);
        queueMicrotask(check);
      }
      // The reply may already have come back inside ipSend (a synchronous link) and finished the
      // session: arming a timer now would leave it behind on the clock.
      if (finished) return;
      if (ntransmitted >= npackets && deadlineMs === 0) {
        scheduleExit();
        return;
      }
      const wait = intervalMs >= MIN_INTERVAL_MS || inFlight() === 0 ? intervalMs : MIN_INTERVAL_MS;
      sendTimer.mod(lastSendMs + wait);
    };
    const sendTimer = clock.timer(sendOne, null);
    const exitTimer = clock.timer(() => finish(), null);
    const deadlineTimer = clock.timer(() => finish(), null);

    const finish = (): void => {
      if (finished) return;
      finished = true;
      sendTimer.del();
      exitTimer.del();
      deadlineTimer.del();
      fam.close(ident);
      const received = replies.length;
      const timeMs = Math.round(lastSend - start);
      const loss = ntransmitted ? ((ntransmitted - received) * 100) / ntransmitted : 0;
      out('');
      out(`--- ${dstStr} ping statistics ---`);
      let line = `${ntransmitted} packets transmitted, ${received} received`;
      if (nerrors) line += `, +${nerrors} errors`;
      if (ntransmitted) line += `, ${formatG(Math.fround(loss))}% packet loss, time ${timeMs}ms`;
      out(line);
      // The last line: rtt, pipe and ipg/ewma joined by ", ", or an empty line without any.
      const tail: string[] = [];
      let rtt: PingResult['rtt'] = null;
      if (received && timing) {
        const avg = Math.trunc(tsum / received);
        const variance = tsum < 2147483647 ? Math.trunc((tsum2 - (tsum * tsum) / received) / received) : Math.trunc(tsum2 / received) - avg * avg;
        const mdev = isqrt(variance);
        rtt = { min: tmin / 1000, avg: avg / 1000, max: tmax / 1000, mdev: mdev / 1000 };
        tail.push(`rtt min/avg/max/mdev = ${formatUs(tmin)}/${formatUs(avg)}/${formatUs(tmax)}/${formatUs(mdev)} ms`);
      } else if (received) {
        const v = replies.map((r) => r.rttMs);
        const avg = v.reduce((a, x) => a + x, 0) / v.length;
        const mdev = Math.sqrt(Math.max(0, v.reduce((a, x) => a + x * x, 0) / v.length - avg * avg));
        rtt = { min: Math.min(...v), avg, max: Math.max(...v), mdev };
      }
      if (pipesize > 1) tail.push(`pipe ${pipesize}`);
      if (received && intervalMs === 0 && ntransmitted > 1) {
        const ipg = Math.trunc(((lastSend - start) * 1000) / (ntransmitted - 1));
        tail.push(`ipg/ewma ${formatUs(ipg)}/${formatUs(Math.floor(ewma8 / 8))} ms`);
      }
      out(tail.join(', '));
      resolve({
        destination: dstStr, transmitted: ntransmitted, received, errors: nerrors, lossPercent: Math.round(loss), timeMs, rtt, replies, lines,
      });
    };

    // setup(): the deadline runs from the start, before the first request.
    if (deadlineMs > 0) deadlineTimer.mod(clock.now() + deadlineMs);
    if (opts.signal?.aborted) {
      finish();
      return;
    }
    opts.signal?.addEventListener('abort', () => finish(), { once: true });
    sendOne();
  });
}

/** gather_statistics(): three significant digits below 100 ms, from whole microseconds. */
function formatTriptime(us: number): string {
  if (us >= 100000 - 50) return String(Math.floor((us + 500) / 1000));
  if (us >= 10000 - 5) return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1000) return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')}`;
  return formatUs(us);
}

/** "%ld.%03ld" of microseconds as milliseconds (truncated, as iputils prints rtt statistics). */
function formatUs(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** llsqrt(): the integer square root (0 for a non-positive argument). */
function isqrt(a: number): number {
  if (a <= 0) return 0;
  let x = Math.floor(Math.sqrt(a));
  while (x * x > a) x--;
  while ((x + 1) * (x + 1) <= a) x++;
  return x;
}

/** printf("%g"): six significant digits, trailing zeros dropped, C's exponent form when tiny. */
export function formatG(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const strip = (t: string): string => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  // The exponent after rounding to six digits decides the form, as in C (9.999995 is "10").
  const [m, x] = v.toExponential(5).split('e');
  const e = Number(x);
  if (e < -4 || e >= 6) return `${strip(m)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return strip(v.toFixed(5 - e));
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
