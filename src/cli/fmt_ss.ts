// `ss` output as iproute2 6.1's misc/ss.c prints it for TCP sockets: the buffered columns of
// out()/field_next()/render() with render_calc_width()'s compact layout when stdout is not a tty,
// sock_state_print, inet_addr_print, tcp_timer_print/print_ms_timer, sock_details_print and
// tcp_show_info/tcp_stats_print (with sprint_bw), from SOCK_DIAG_BY_FAMILY items.
import type { SockDiagMsg } from '../control/protocol.js';

/** TCP_* states as ss numbers them (SS_ESTABLISHED 1 ... SS_CLOSING 11). */
export const SS_STATE_NAMES: readonly string[] = [
  'UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT',
  'LAST-ACK', 'LISTEN', 'CLOSING',
];

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;
/** All states (SS_ALL) and ss's default set SS_CONN: every state but LISTEN, CLOSE, TIME-WAIT and SYN-RECV. */
export const SS_ALL = (1 << 12) - 1;
export const SS_CONN = SS_ALL & ~((1 << TCP_LISTEN) | (1 << TCP_CLOSE) | (1 << TCP_TIME_WAIT) | (1 << TCP_SYN_RECV));

/** What ss was asked to show. */
export interface SsFormatOptions {
  /** -n: ports as numbers (and rates with %.0f). */
  numeric?: boolean;
  /** -o: timers (and the ts/sack/ecn flags of -i). */
  options?: boolean;
  /** -e: uid, ino, sk cookie, v6only, shutdown. */
  extended?: boolean;
  /** -i: the tcp_info line. */
  info?: boolean;
  /** Print the header line (no -H). */
  header?: boolean;
  /** The Netid column (ss shows it when more than one socket table is asked for). */
  netid?: boolean;
  /** The State column (ss hides it when the state filter names exactly one state). */
  state?: boolean;
  /** A port's service name (getservbyport) when not numeric; null: print the number. */
  service?: (port: number) => string | null;
}

/** C printf %g (or %.Ng): `prec` significant digits, trailing zeros dropped, exponent form outside 1e-4..1e(prec). */
export function fmtG(x: number, prec = 6): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  if (x === 0) return '0';
  const p = Math.max(prec, 1);
  const [mant, expStr] = x.toExponential(p - 1).split('e');
  const e = parseInt(expStr, 10);
  if (e < -4 || e >= p) {
    let m = mant;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  let f = x.toFixed(p - 1 - e);
  if (f.includes('.')) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}

/** print_ms_timer(): 119min, 59sec, 5.123ms (sic), 200ms. */
export function printMsTimer(timeout: number): string {
  const t = Math.max(0, Math.floor(timeout)) >>> 0;
  let secs = Math.floor(t / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = t % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += String(msecs).padStart(3, '0') + 'ms';
  return buf;
}

/** sprint_bw(): a rate in bits per second. */
export function sprintBw(bw: number, numeric: boolean): string {
  if (numeric) return bw.toFixed(0);
  if (bw >= 1e12) return `${fmtG(bw / 1e12, 3)}T`;
  if (bw >= 1e9) return `${fmtG(bw / 1e9, 3)}G`;
  if (bw >= 1e6) return `${fmtG(bw / 1e6, 3)}M`;
  if (bw >= 1e3) return `${fmtG(bw / 1e3, 3)}k`;
  return fmtG(bw);
}

/** tcp_timer_print()'s names, by idiag_timer. */
const TIMER_NAMES = ['off', 'on', 'keepalive', 'timewait', 'persist', 'unknown'];

/** idiag_timer of a socket: 1 retransmit/SYN-ACK, 2 keepalive, 3 TIME-WAIT, 4 zero-window probe; the delayed-ACK timer is not reported. */
export function idiagTimer(s: Pick<SockDiagMsg, 'timer'>): number {
  switch (s.timer) {
    case 'on':
      return 1;
    case 'keepalive':
      return 2;
    case 'timewait':
      return 3;
    case 'persist':
      return 4;
    default:
      return 0;
  }
}

/** idiag_retrans as inet_sk_diag_fill sets it: retransmits for the retransmit timer, probes for keepalive and zero-window probes. */
function idiagRetrans(s: SockDiagMsg, timer: number): number {
  if (timer === 1 || timer === 3) return timer === 3 ? 0 : s.retransmits;
  if (timer === 2 || timer === 4) return s.probes ?? 0;
  return 0;
}

const isAny6 = (a: string): boolean => a === '::';

/** inet_addr_print(): `a.b.c.d`, `[v6]`, or `*` for the IPv6 wildcard of a socket that is not v6only. */
function addrText(s: SockDiagMsg, addr: string | null): string {
  if (s.family === 4) return addr ?? '0.0.0.0';
  const a = addr ?? '::';
  if (!s.v6only && isAny6(a)) return '*';
  return a.includes(':') ? `[${a}]` : a;
}

type Info = Record<string, unknown>;
const n = (i: Info, k: string): number => {
  const v = i[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

/** tcp_show_info() + tcp_stats_print(): the -i text (after "\n\t"). */
export function tcpInfoText(s: SockDiagMsg, o: SsFormatOptions): string {
  const i = s.tcpInfo;
  if (!i) return '';
  const numeric = o.numeric === true;
  const listen = s.state === TCP_LISTEN;
  let t = '';
  if (o.options && !listen) {
    if (i.timestamps) t += ' ts';
    if (i.sack) t += ' sack';
  }
  if (typeof i.congestion === 'string' && i.congestion) t += ` ${i.congestion}`;
  if (listen) {
    // tcp_get_info() stops after cwnd and reordering for a listener; unacked is its accept queue.
    if (n(i, 'sndCwnd')) t += ` cwnd:${n(i, 'sndCwnd')}`;
    if (n(i, 'unacked')) t += ` unacked:${n(i, 'unacked')}`;
    const reord = typeof i.reordering === 'number' ? i.reordering : 3;
    if (reord !== 3) t += ` reordering:${reord}`;
    return t;
  }
  if (n(i, 'sndWscale') >= 0 && typeof i.sndWscale === 'number' && n(i, 'rcvWscale') >= 0) t += ` wscale:${n(i, 'sndWscale')},${n(i, 'rcvWscale')}`;
  const rtoUs = Math.round(n(i, 'rtoMs') * 1000);
  if (rtoUs && rtoUs !== 3000000) t += ` rto:${fmtG(rtoUs / 1000)}`;
  if (n(i, 'backoff')) t += ` backoff:${n(i, 'backoff')}`;
  const rttUs = Math.floor(n(i, 'rttUs'));
  if (rttUs) t += ` rtt:${fmtG(rttUs / 1000)}/${fmtG(Math.floor(n(i, 'rttVarUs')) / 1000)}`;
  if (n(i, 'atoMs')) t += ` ato:${fmtG(n(i, 'atoMs'))}`;
  const mss = n(i, 'sndMss');
  const cwnd = n(i, 'sndCwnd');
  if (mss) t += ` mss:${mss}`;
  if (n(i, 'pmtu')) t += ` pmtu:${n(i, 'pmtu')}`;
  if (n(i, 'rcvMss')) t += ` rcvmss:${n(i, 'rcvMss')}`;
  if (n(i, 'advMss')) t += ` advmss:${n(i, 'advMss')}`;
  if (cwnd) t += ` cwnd:${cwnd}`;
  const ssthresh = n(i, 'sndSsthresh');
  if (ssthresh && ssthresh < 0xffff) t += ` ssthresh:${ssthresh}`;
  for (const [k, name] of [
    ['bytesSent', 'bytes_sent'], ['bytesRetrans', 'bytes_retrans'], ['bytesAcked', 'bytes_acked'],
    ['bytesReceived', 'bytes_received'], ['segsOut', 'segs_out'], ['segsIn', 'segs_in'],
    ['dataSegsOut', 'data_segs_out'], ['dataSegsIn', 'data_segs_in'],
  ] as const) {
    if (n(i, k)) t += ` ${name}:${n(i, k)}`;
  }
  if (rttUs > 0 && mss && cwnd) t += ` send ${sprintBw((cwnd * mss * 8000000) / rttUs, numeric)}bps`;
  if (n(i, 'lastSendMs')) t += ` lastsnd:${Math.floor(n(i, 'lastSendMs')) >>> 0}`;
  if (n(i, 'lastRecvMs')) t += ` lastrcv:${Math.floor(n(i, 'lastRecvMs')) >>> 0}`;
  if (n(i, 'lastAckMs')) t += ` lastack:${Math.floor(n(i, 'lastAckMs')) >>> 0}`;
  if (n(i, 'pacingRate')) t += ` pacing_rate ${sprintBw(n(i, 'pacingRate') * 8, numeric)}bps`;
  if (n(i, 'deliveryRate')) t += ` delivery_rate ${sprintBw(n(i, 'deliveryRate') * 8, numeric)}bps`;
  if (n(i, 'delivered')) t += ` delivered:${n(i, 'delivered')}`;
  if (i.appLimited === true) t += ' app_limited';
  if (n(i, 'busyUs')) t += ` busy:${Math.floor(n(i, 'busyUs') / 1000)}ms`;
  if (n(i, 'unacked')) t += ` unacked:${n(i, 'unacked')}`;
  if (n(i, 'retrans') || n(i, 'totalRetrans')) t += ` retrans:${n(i, 'retrans')}/${n(i, 'totalRetrans')}`;
  if (n(i, 'lost')) t += ` lost:${n(i, 'lost')}`;
  if (n(i, 'sacked')) t += ` sacked:${n(i, 'sacked')}`;
  if (n(i, 'dsackDups')) t += ` dsack_dups:${n(i, 'dsackDups')}`;
  const reordering = typeof i.reordering === 'number' ? i.reordering : 3;
  if (reordering !== 3) t += ` reordering:${reordering}`;
  if (n(i, 'reordSeen')) t += ` reord_seen:${n(i, 'reordSeen')}`;
  if (n(i, 'rcvRttUs')) t += ` rcv_rtt:${fmtG(n(i, 'rcvRttUs') / 1000)}`;
  if (n(i, 'rcvSpace')) t += ` rcv_space:${n(i, 'rcvSpace')}`;
  if (n(i, 'rcvSsthresh')) t += ` rcv_ssthresh:${n(i, 'rcvSsthresh')}`;
  if (n(i, 'notsent')) t += ` notsent:${n(i, 'notsent')}`;
  const minRtt = n(i, 'minRttUs');
  if (minRtt && minRtt !== 0xffffffff && minRtt < 0xffffffff) t += ` minrtt:${fmtG(Math.floor(minRtt) / 1000)}`;
  if (n(i, 'sndWnd')) t += ` snd_wnd:${n(i, 'sndWnd')}`;
  return t;
}

/** The text of the last column (COL_EXT): timer, details and tcp_info of one socket. */
function extText(s: SockDiagMsg, o: SsFormatOptions): string {
  let t = '';
  if (o.options) {
    const timer = idiagTimer(s);
    if (timer) t += ` timer:(${TIMER_NAMES[Math.min(timer, 5)]},${printMsTimer(s.timerExpiresMs)},${idiagRetrans(s, timer)})`;
  }
  if (o.extended) {
    t += ` ino:${s.inode >>> 0} sk:${(s.cookie ?? 0).toString(16)}`;
    if (s.cgroup) t += ` cgroup:${s.cgroup}`;
    if (s.family === 6 && s.v6only !== undefined) t += ` v6only:${s.v6only ? 1 : 0}`;
    if (s.shutdown !== undefined) t += ` ${s.shutdown & 1 ? '-' : '<'}-${s.shutdown & 2 ? '-' : '>'}`;
  }
  if (o.info) t += '\n\t' + tcpInfoText(s, o);
  return t;
}

/** The columns of ss.c: alignment, header, left delimiter. */
interface Column {
  align: 'left' | 'right';
  header: string;
  ldelim: string;
}
const COLUMNS: readonly Column[] = [
  { align: 'left', header: 'Netid', ldelim: '' },
  { align: 'left', header: 'State', ldelim: ' ' },
  { align: 'left', header: 'Recv-Q', ldelim: ' ' },
  { align: 'left', header: 'Send-Q', ldelim: ' ' },
  { align: 'right', header: 'Local Address:', ldelim: ' ' },
  { align: 'left', header: 'Port', ldelim: '' },
  { align: 'right', header: 'Peer Address:', ldelim: ' ' },
  { align: 'left', header: 'Port', ldelim: '' },
  { align: 'left', header: 'Process', ldelim: '' },
  { align: 'left', header: '', ldelim: '' },
];
const COL_MAX = COLUMNS.length;

/**
 * The fields of one socket line (COL_NETID ... COL_EXT), as sock_state_print, inet_stats_print and
 * inet_show_sock write them.
 */
export function ssFields(s: SockDiagMsg, o: SsFormatOptions): string[] {
  const svc = (port: number): string => {
    if (port === 0) return '*';
    if (!o.numeric && o.service) return o.service(port) ?? String(port);
    return String(port);
  };
  // Timewait and request minisocks report no queues.
  const mini = s.state === TCP_TIME_WAIT || s.state === TCP_SYN_RECV || s.timer === 'timewait';
  return [
    'tcp',
    SS_STATE_NAMES[s.state] ?? 'UNKNOWN',
    String(mini ? 0 : s.recvQ).padEnd(6),
    String(mini ? 0 : s.sendQ).padEnd(6),
    s.ifname ? `${addrText(s, s.local)}%${s.ifname}:` : `${addrText(s, s.local)}:`,
    svc(s.localPort),
    `${addrText(s, s.remote)}:`,
    svc(s.remotePort),
    extText(s, o),
  ];
}

/**
 * The whole ss output for these sockets (in the order given; ss lists IPv4 then IPv6, each table
 * listeners first). Widths follow render_calc_width() without a terminal: each column as wide as
 * its longest field plus its delimiter — where the last line's last field, never flushed, does
 * not count.
 */
export function formatSs(socks: readonly SockDiagMsg[], o: SsFormatOptions = {}): string {
  const enabled = COLUMNS.map((_, i) => (i === 0 ? o.netid === true : i === 1 ? o.state !== false : true));
  // Rows of COL_MAX tokens (null for disabled columns); the header has no COL_PROC content.
  const rows: (string | null)[][] = [];
  if (o.header !== false) rows.push(COLUMNS.map((c, i) => (enabled[i] ? c.header : null)));
  for (const s of socks) {
    const f = ssFields(s, o);
    rows.push(COLUMNS.map((_, i) => (enabled[i] ? (f[i] ?? '') : null)));
  }
  if (rows.length === 0) return '';
  const maxLen = new Array<number>(COL_MAX).fill(0);
  rows.forEach((r, ri) => {
    r.forEach((tok, ci) => {
      if (tok === null) return;
      // The buffer's final token (the last socket's COL_EXT) is never flushed into max_len.
      const last = ri === rows.length - 1 && socks.length > 0 && ci === COL_MAX - 2;
      if (!last && tok.length > maxLen[ci]) maxLen[ci] = tok.length;
    });
  });
  const width = new Array<number>(COL_MAX).fill(0);
  let first = true;
  for (let c = 0; c < COL_MAX; c++) {
    if (!enabled[c]) continue;
    width[c] = !first && maxLen[c] ? maxLen[c] + COLUMNS[c].ldelim.length : maxLen[c];
    if (width[c]) first = false;
  }
  let out = '';
  rows.forEach((r, ri) => {
    let started = false;
    const lastRow = ri === rows.length - 1 && socks.length > 0;
    for (let c = 0; c < COL_MAX; c++) {
      const tok = r[c];
      if (tok === null) continue;
      if (lastRow && c === COL_MAX - 1) break; // the last line has no COL_PROC token
      const col = COLUMNS[c];
      let printed = 0;
      if (started) {
        out += col.ldelim;
        printed = col.ldelim.length;
      }
      started = true;
      if (width[c] && col.align === 'right') {
        const sp = width[c] - tok.length - printed;
        if (sp > 0) {
          out += ' '.repeat(sp);
          printed += sp;
        }
      }
      out += tok;
      printed += tok.length;
      if (width[c] && col.align === 'left') {
        const sp = width[c] - printed;
        if (sp > 0) out += ' '.repeat(sp);
      }
    }
    out += '\n';
  });
  return out;
}
