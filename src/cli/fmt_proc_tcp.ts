// /proc/net/tcp and /proc/net/tcp6 as the kernel prints them (net/ipv4/tcp_ipv4.c tcp4_seq_show,
// get_tcp4_sock, get_openreq4, get_timewait4_sock; net/ipv6/tcp_ipv6.c tcp6_seq_show,
// get_tcp6_sock, get_openreq6, get_timewait6_sock), from SOCK_DIAG_BY_FAMILY items.
import type { SockDiagMsg } from '../control/protocol.js';
import { parseIPv4 } from '../ipv4/inet_addr.js';
import { parseIn6 } from '../ipv6/in6_addr.js';
import { idiagTimer } from './fmt_ss.js';

/** TMPSZ - 1: tcp4_seq_show pads every line (header included) to 149 columns. */
const TCP4_WIDTH = 149;

export const PROC_NET_TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'.padEnd(TCP4_WIDTH) + '\n';
export const PROC_NET_TCP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

/** TCP_INFINITE_SSTHRESH: tcp_in_initial_slowstart() is printed as -1. */
const TCP_INFINITE_SSTHRESH = 0x7fffffff;
const TCP_TIME_WAIT = 6;
const TCP_SYN_RECV = 3;
const TCP_LISTEN = 10;

const hex = (v: number, w: number): string => (Math.max(0, Math.floor(v)) >>> 0).toString(16).toUpperCase().padStart(w, '0');

/** %08X of a __be32 read as a little-endian host word: 127.0.0.1 is 0100007F. */
function addr4Hex(a: string | null): string {
  const v = a === null ? 0 : parseIPv4(a);
  if (v === null) throw new Error(`not an IPv4 address: ${a}`);
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return b.reverse().map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** %08X%08X%08X%08X of s6_addr32[0..3], each word little-endian. */
function addr6Hex(a: string | null): string {
  const b = parseIn6(a ?? '::');
  if (b === null) throw new Error(`not an IPv6 address: ${a}`);
  let s = '';
  for (let i = 0; i < 16; i += 4) {
    for (let j = 3; j >= 0; j--) s += b[i + j].toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

/** jiffies_to_clock_t() of a span in ms: USER_HZ (100) ticks, rounded down. */
const clockT = (ms: number): number => Math.max(0, Math.floor(ms / 10));

/**
 * %pK: the kernel prints a hashed pointer (00000000 and 8 hex digits); tapstack prints the
 * socket's cookie through a multiplicative hash in the same shape.
 */
export function procSockPtr(cookie: number): string {
  return '00000000' + (Math.imul(cookie >>> 0 || 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
}

type Info = Record<string, unknown>;
const num = (i: Info | null, k: string, dflt = 0): number => {
  const v = i?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
};

/** The fields after "sl: local rem" of one line, as get_tcp4_sock / get_timewait4_sock / get_openreq4 print them. */
function lineTail(s: SockDiagMsg, requests = 0): string {
  const ptr = procSockPtr(s.cookie ?? s.inode);
  // A timewait minisock (TIME-WAIT, or an orphan's FIN-WAIT-2 as tw_substate): get_timewait4_sock.
  if (s.state === TCP_TIME_WAIT || s.timer === 'timewait') {
    return `${hex(s.state, 2)} ${hex(0, 8)}:${hex(0, 8)} ${hex(3, 2)}:${hex(clockT(s.timerExpiresMs), 8)} ${hex(0, 8)} ` +
      `${'0'.padStart(5)} ${'0'.padStart(8)} 0 3 ${ptr}`;
  }
  if (s.state === TCP_SYN_RECV) {
    return `${hex(s.state, 2)} ${hex(0, 8)}:${hex(0, 8)} ${hex(1, 2)}:${hex(clockT(s.timerExpiresMs), 8)} ${hex(s.retransmits, 8)} ` +
      `${'0'.padStart(5)} ${'0'.padStart(8)} 0 0 ${ptr}`;
  }
  const listen = s.state === TCP_LISTEN;
  const i = s.tcpInfo;
  const timer = idiagTimer(s) === 3 ? 0 : idiagTimer(s);
  const tx = listen ? 0 : s.sendQ;
  const when = timer ? clockT(s.timerExpiresMs) : 0;
  // sk_refcnt: a listener's is held by each request sock and queued child, a connection's by its pending timer.
  const refcnt = 1 + (listen ? s.recvQ + requests : timer ? 1 : 0);
  // A listener keeps TCP_TIMEOUT_INIT as icsk_rto and prints fastopenq.max_qlen (0) last.
  const rto = listen ? 100 : clockT(num(i, 'rtoMs'));
  const ato = listen ? 0 : clockT(num(i, 'atoMs'));
  const qack = listen ? 0 : (num(i, 'quickAcks') << 1) | (i?.pingpong === true ? 1 : 0);
  const ssthresh = num(i, 'sndSsthresh', TCP_INFINITE_SSTHRESH);
  const last = listen ? 0 : ssthresh >= TCP_INFINITE_SSTHRESH ? -1 : ssthresh;
  return `${hex(s.state, 2)} ${hex(tx, 8)}:${hex(s.recvQ, 8)} ${hex(timer, 2)}:${hex(when, 8)} ${hex(s.retransmits, 8)} ` +
    `${'0'.padStart(5)} ${String(s.probes ?? 0).padStart(8)} ${s.inode >>> 0} ${refcnt} ${ptr} ${rto} ${ato} ${qack} ${num(i, 'sndCwnd')} ${last}`;
}

/** The request socks (SYN-RECV) of a listener among `socks`: same port, its address or any. */
function requestsOf(l: SockDiagMsg, socks: readonly SockDiagMsg[]): number {
  if (l.state !== TCP_LISTEN) return 0;
  const any = l.local === '0.0.0.0' || l.local === '::';
  return socks.filter((r) => r.state === TCP_SYN_RECV && r.localPort === l.localPort && (any || r.local === l.local)).length;
}

/**
 * /proc/net/tcp: the header and one line per IPv4 socket (family 4; v4-mapped sockets are
 * tcp6's), each padded to 149 columns, numbered from 0 in the order given (the kernel walks the
 * listening hash, then the established hash with its request and TIME-WAIT socks).
 */
export function formatProcNetTcp(socks: readonly SockDiagMsg[]): string {
  let out = PROC_NET_TCP_HEADER;
  let sl = 0;
  for (const s of socks) {
    if (s.family !== 4) continue;
    const line = `${String(sl++).padStart(4)}: ${addr4Hex(s.local)}:${hex(s.localPort, 4)} ${addr4Hex(s.remote)}:${hex(s.remotePort, 4)} ${lineTail(s, requestsOf(s, socks))}`;
    out += line.padEnd(TCP4_WIDTH) + '\n';
  }
  return out;
}

/** /proc/net/tcp6: every IPv6 socket (v4-mapped ones as ::ffff:a.b.c.d), no padding. */
export function formatProcNetTcp6(socks: readonly SockDiagMsg[]): string {
  let out = PROC_NET_TCP6_HEADER;
  let sl = 0;
  for (const s of socks) {
    if (s.family !== 6) continue;
    out += `${String(sl++).padStart(4)}: ${addr6Hex(s.local)}:${hex(s.localPort, 4)} ${addr6Hex(s.remote)}:${hex(s.remotePort, 4)} ${lineTail(s, requestsOf(s, socks))}\n`;
  }
  return out;
}
