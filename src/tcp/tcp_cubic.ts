// CUBIC (RFC 9438) as net/ipv4/tcp_cubic.c behaves: bictcp_update's cubic window with
// fast convergence and TCP friendliness, bictcp_recalc_ssthresh (beta 717/1024), the epoch
// reset on idle (bictcp_cwnd_event), and HyStart's ack-train and delay exits from slow start.
import { CA_EVENT_TX_START, type TcpAckSample, type TcpCong, type TcpCongOps, type TcpCongSock, tcpCongAvoidAi, tcpRegisterCongestionControl, tcpSlowStart } from './tcp_cong.js';
import { TCP_CA_Loss } from './tcp_states.js';
import { after } from './seq.js';

/** BICTCP_BETA_SCALE and Linux's beta: the window after a loss is 717/1024 ≈ 0.7 of W_max. */
const BETA_SCALE = 1024;
const BETA = 717;
/** bic_scale 41 → C = 41·10/1024 ≈ 0.4 (cube_rtt_scale = bic_scale · 10). */
const CUBE_RTT_SCALE = 41 * 10;
/** BICTCP_HZ: time in 2^-10 s units. */
const BICTCP_HZ = 10;
/** cube_factor = 2^(10+3·10) / (bic_scale·10): K = cbrt(cube_factor · (W_max − cwnd)). */
const CUBE_FACTOR = 2 ** (10 + 3 * BICTCP_HZ) / CUBE_RTT_SCALE;
/** beta_scale of tcp_friendliness: 8·(1024 + 717) / 3 / (1024 − 717). */
const FRIENDLY_BETA_SCALE = Math.floor(Math.floor((8 * (BETA_SCALE + BETA)) / 3) / (BETA_SCALE - BETA));

// HyStart (hystart_detect = both, hystart_low_window 16, hystart_ack_delta_us 2000).
const HYSTART_ACK_TRAIN = 1;
const HYSTART_DELAY = 2;
const HYSTART_LOW_WINDOW = 16;
const HYSTART_ACK_DELTA_US = 2000;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN_US = 4000;
const HYSTART_DELAY_MAX_US = 16000;

/** One connection's CUBIC state (struct bictcp). */
export class Cubic implements TcpCong {
  /** Increase cwnd by one after this many ACKed segments. */
  cnt = 0;
  /** W_max: cwnd before the last reduction. */
  lastMaxCwnd = 0;
  lastCwnd = 0;
  /** Time (µs) lastCwnd was set. */
  lastTime = 0;
  /** The cubic's origin point. */
  bicOriginPoint = 0;
  /** K in 2^-10 s units. */
  bicK = 0;
  /** The minimum delay seen (µs). */
  delayMin = 0;
  /** Start of the current epoch (µs); 0: none. */
  epochStart = 0;
  /** ACKed segments in this epoch, for friendliness. */
  ackCnt = 0;
  /** The Reno-equivalent window (tcp_friendliness). */
  tcpCwnd = 0;
  // HyStart.
  found = 0;
  roundStart = 0;
  endSeq = 0;
  lastAck = 0;
  currRtt = 0;
  sampleCnt = 0;
  private priorCwnd = 0;

  constructor(private readonly sk: TcpCongSock) {
    this.reset();
    if (sk.sndSsthresh >= 0x7fffffff) this.hystartReset();
  }

  private reset(): void {
    this.cnt = 0;
    this.lastMaxCwnd = 0;
    this.lastCwnd = 0;
    this.lastTime = 0;
    this.bicOriginPoint = 0;
    this.bicK = 0;
    this.delayMin = 0;
    this.epochStart = 0;
    this.ackCnt = 0;
    this.tcpCwnd = 0;
    this.found = 0;
  }

  private hystartReset(): void {
    const now = this.sk.tcpMstamp;
    this.roundStart = now;
    this.lastAck = now;
    this.endSeq = this.sk.sndNxt;
    this.currRtt = 0x7fffffff;
    this.sampleCnt = 0;
  }

  /** bictcp_update(): the segments to ACK per cwnd increment, from the cubic and Reno windows. */
  private update(cwnd: number, acked: number): void {
    const now = this.sk.tcpMstamp;
    this.ackCnt += acked;
    if (this.lastCwnd === cwnd && now - this.lastTime <= 1000000 / 32) return;
    this.lastCwnd = cwnd;
    this.lastTime = now;
    if (this.epochStart === 0) {
      this.epochStart = now;
      this.ackCnt = acked;
      this.tcpCwnd = cwnd;
      if (this.lastMaxCwnd <= cwnd) {
        this.bicK = 0;
        this.bicOriginPoint = cwnd;
      } else {
        this.bicK = Math.cbrt(CUBE_FACTOR * (this.lastMaxCwnd - cwnd)) /* Linux: cubic_root's table + Newton step; here exact */;
        this.bicOriginPoint = this.lastMaxCwnd;
      }
    }
    // t: time since the epoch plus the minimum delay, in 2^-10 s (bictcp_update's t).
    const t = ((now + this.delayMin - this.epochStart) * (1 << BICTCP_HZ)) / 1e6;
    const offs = Math.abs(t - this.bicK);
    const delta = (CUBE_RTT_SCALE * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ);
    const target = t < this.bicK ? this.bicOriginPoint - delta : this.bicOriginPoint + delta;
    if (target > cwnd) this.cnt = Math.floor(cwnd / (target - cwnd));
    else this.cnt = 100 * cwnd;
    // At the start (no W_max yet) grow at least 5% per RTT.
    if (this.lastMaxCwnd === 0 && this.cnt > 20) this.cnt = 20;
    // tcp_friendliness: never slower than Reno would be with the same beta.
    const deltaF = (cwnd * FRIENDLY_BETA_SCALE) >>> 3;
    while (this.ackCnt > deltaF && deltaF > 0) {
      this.ackCnt -= deltaF;
      this.tcpCwnd++;
    }
    if (this.tcpCwnd > cwnd) {
      const d = this.tcpCwnd - cwnd;
      const maxCnt = Math.floor(cwnd / d);
      if (this.cnt > maxCnt) this.cnt = maxCnt;
    }
    // At most 1.5× per RTT: cnt ≥ 2.
    this.cnt = Math.max(this.cnt, 2);
  }

  congAvoid(ack: number, acked: number): void {
    const sk = this.sk;
    if (!sk.isCwndLimited) return;
    if (sk.sndCwnd < sk.sndSsthresh) {
      if (this.found === 0 && after(ack, this.endSeq)) this.hystartReset();
      acked = tcpSlowStart(sk, acked);
      if (!acked) return;
    }
    this.update(sk.sndCwnd, acked);
    tcpCongAvoidAi(sk, this.cnt, acked);
  }

  /** bictcp_recalc_ssthresh(): fast convergence lowers W_max when losses come below the last one. */
  ssthresh(): number {
    const cwnd = this.sk.sndCwnd;
    this.priorCwnd = cwnd;
    this.epochStart = 0;
    if (cwnd < this.lastMaxCwnd) this.lastMaxCwnd = Math.floor((cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE));
    else this.lastMaxCwnd = cwnd;
    return Math.max(Math.floor((cwnd * BETA) / BETA_SCALE), 2);
  }

  setState(newState: number): void {
    if (newState === TCP_CA_Loss) {
      this.reset();
      this.hystartReset();
    }
  }

  /** bictcp_cwnd_event(): after an idle period the epoch moves forward by the idle time. */
  cwndEvent(ev: number): void {
    if (ev !== CA_EVENT_TX_START) return;
    const now = this.sk.tcpMstamp;
    if (this.epochStart !== 0 && this.lastTime !== 0) {
      const delta = now - this.lastTime;
      if (delta > 0) {
        this.epochStart += delta;
        if (this.epochStart > now) this.epochStart = now;
      }
    }
  }

  /** bictcp_acked(): delay_min and HyStart. */
  pktsAcked(s: TcpAckSample): void {
    if (s.rttUs < 0) return;
    const sk = this.sk;
    const delay = Math.max(s.rttUs, 1);
    // Delay samples within 1 s of a new epoch (right after recovery) are not believed.
    if (this.epochStart !== 0 && sk.tcpMstamp - this.epochStart < 1000000) return;
    if (this.delayMin === 0 || this.delayMin > delay) this.delayMin = delay;
    if (this.found === 0 && sk.sndCwnd <= sk.sndSsthresh && sk.sndCwnd >= HYSTART_LOW_WINDOW) this.hystartUpdate(delay);
  }

  /** hystart_update(): leave slow start at the ack train's end or when the delay grows. */
  private hystartUpdate(delay: number): void {
    const sk = this.sk;
    const now = sk.tcpMstamp;
    if (now - this.lastAck <= HYSTART_ACK_DELTA_US) {
      this.lastAck = now;
      const threshold = this.delayMin / 2;
      if (now - this.roundStart > threshold && this.delayMin > 0) {
        this.found |= HYSTART_ACK_TRAIN;
        this.sk.sndSsthresh = sk.sndCwnd;
      }
    }
    if (this.currRtt > delay) this.currRtt = delay;
    if (this.sampleCnt < HYSTART_MIN_SAMPLES) {
      this.sampleCnt++;
    } else if (this.delayMin > 0) {
      const thresh = Math.min(Math.max(this.delayMin >>> 3, HYSTART_DELAY_MIN_US), HYSTART_DELAY_MAX_US);
      if (this.currRtt > this.delayMin + thresh) {
        this.found |= HYSTART_DELAY;
        this.sk.sndSsthresh = sk.sndCwnd;
      }
    }
  }

  undoCwnd(): number {
    return Math.max(this.sk.sndCwnd, this.priorCwnd);
  }
}

export const tcpCubic: TcpCongOps = { name: 'cubic', create: (sk) => new Cubic(sk) };
tcpRegisterCongestionControl(tcpCubic);
