// The pluggable congestion-control interface: struct tcp_congestion_ops (include/net/tcp.h) and
// the registry of net/ipv4/tcp_cong.c (tcp_register_congestion_control, tcp_ca_find).

/**
 * The connection state a congestion module reads and writes (the tcp_sock fields Linux's
 * tcp_cubic.c / tcp_cong.c touch). Units as in Linux: windows in segments, times in µs.
 */
export interface TcpCongSock {
  /** Congestion window, segments (snd_cwnd). */
  sndCwnd: number;
  /** Slow-start threshold, segments (snd_ssthresh; TCP_INFINITE_SSTHRESH before the first loss). */
  sndSsthresh: number;
  /** Linear-increase counter (snd_cwnd_cnt). */
  sndCwndCnt: number;
  /** Upper bound for sndCwnd (snd_cwnd_clamp). */
  sndCwndClamp: number;
  /** Current MSS in bytes (mss_cache). */
  readonly mssCache: number;
  /** Smoothed RTT in µs, 0 before the first sample (srtt_us >> 3 in Linux). */
  readonly srttUs: number;
  /** Windowed minimum RTT in µs, 0 before the first sample (tcp_min_rtt). */
  readonly minRttUs: number;
  /** Segments in flight (tcp_packets_in_flight). */
  readonly packetsInFlight: number;
  /** Was the last transmission limited by cwnd rather than by the application (tcp_is_cwnd_limited)? */
  readonly isCwndLimited: boolean;
  /** Loss-recovery state (TCP_CA_*). */
  readonly caState: number;
  /** snd_una, for modules that track round ends (HyStart). */
  readonly sndUna: number;
  /** snd_nxt, for modules that track round ends (HyStart). */
  readonly sndNxt: number;
  /** The connection's clock in µs (tcp_mstamp): the time of the segment being processed. */
  readonly tcpMstamp: number;
}

/** What ack processing tells a module about newly acknowledged data (struct ack_sample). */
export interface TcpAckSample {
  /** Segments newly acknowledged (cumulatively or by SACK). */
  pktsAcked: number;
  /** RTT sample in µs, or -1 when none (Karn: retransmitted data gives none). */
  rttUs: number;
  /** Segments in flight when the acknowledged data was sent (for rate-based modules). */
  inFlight: number;
}

// cwnd events (enum tcp_ca_event).
export const CA_EVENT_TX_START = 0;
export const CA_EVENT_CWND_RESTART = 1;
export const CA_EVENT_COMPLETE_CWR = 2;
export const CA_EVENT_LOSS = 3;
export const CA_EVENT_ECN_NO_CE = 4;
export const CA_EVENT_ECN_IS_CE = 5;

/** One connection's instance of a congestion module (the module's private icsk_ca_priv). */
export interface TcpCong {
  /** The ssthresh to enter on loss (ssthresh()). */
  ssthresh(): number;
  /** Grow cwnd for `acked` newly acknowledged segments (cong_avoid()). */
  congAvoid(ack: number, acked: number): void;
  /** The CA state is about to change to `newState` (set_state()). */
  setState(newState: number): void;
  /** A cwnd event happened (cwnd_event()). */
  cwndEvent(ev: number): void;
  /** Per-ACK hook with the RTT sample (pkts_acked()). */
  pktsAcked(sample: TcpAckSample): void;
  /** The cwnd to restore when a reduction is undone (undo_cwnd()). */
  undoCwnd(): number;
}

/** A congestion module (struct tcp_congestion_ops): `create` makes its per-connection state. */
export interface TcpCongOps {
  /** The name sysctl net.ipv4.tcp_congestion_control and ss print ("cubic", "reno"). */
  readonly name: string;
  create(sk: TcpCongSock): TcpCong;
}

// ---- the registry and the shared Reno pieces (net/ipv4/tcp_cong.c) ------------------------------

const registry = new Map<string, TcpCongOps>();

/** tcp_register_congestion_control(). */
export function tcpRegisterCongestionControl(ops: TcpCongOps): void {
  registry.set(ops.name, ops);
}

/** tcp_ca_find(): the module of that name, or undefined. */
export function tcpCaFind(name: string): TcpCongOps | undefined {
  return registry.get(name);
}

/** net.ipv4.tcp_available_congestion_control, in registration order. */
export function tcpCaNames(): string[] {
  return [...registry.keys()];
}

/**
 * tcp_slow_start(): cwnd grows by one per acknowledged segment up to ssthresh; returns the
 * acknowledged segments left over for congestion avoidance.
 */
export function tcpSlowStart(sk: TcpCongSock, acked: number): number {
  const cwnd = Math.min(sk.sndCwnd + acked, sk.sndSsthresh);
  const left = acked - (cwnd - sk.sndCwnd);
  sk.sndCwnd = Math.min(cwnd, sk.sndCwndClamp);
  return left;
}

/** tcp_cong_avoid_ai(): one more segment per `w` acknowledged segments (a window's worth). */
export function tcpCongAvoidAi(sk: TcpCongSock, w: number, acked: number): void {
  if (sk.sndCwndCnt >= w) {
    sk.sndCwndCnt = 0;
    sk.sndCwnd++;
  }
  sk.sndCwndCnt += acked;
  if (sk.sndCwndCnt >= w) {
    const delta = Math.floor(sk.sndCwndCnt / w);
    sk.sndCwndCnt -= delta * w;
    sk.sndCwnd += delta;
  }
  sk.sndCwnd = Math.min(sk.sndCwnd, sk.sndCwndClamp);
}

/** tcp_reno_ssthresh(): half the window, at least 2. */
export function tcpRenoSsthresh(sk: TcpCongSock): number {
  return Math.max(sk.sndCwnd >>> 1, 2);
}
