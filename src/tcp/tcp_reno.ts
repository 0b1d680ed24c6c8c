// TCP Reno (RFC 5681) as net/ipv4/tcp_cong.c's tcp_reno_cong_avoid / tcp_reno_ssthresh /
// tcp_reno_undo_cwnd, registered as "reno".
import {
  type TcpAckSample,
  type TcpCong,
  type TcpCongOps,
  type TcpCongSock,
  tcpCongAvoidAi,
  tcpRegisterCongestionControl,
  tcpRenoSsthresh,
  tcpSlowStart,
} from './tcp_cong.js';

class Reno implements TcpCong {
  /** cwnd before the last reduction (tp->prior_cwnd), for undo. */
  private priorCwnd = 0;

  constructor(private readonly sk: TcpCongSock) {}

  ssthresh(): number {
    this.priorCwnd = this.sk.sndCwnd;
    return tcpRenoSsthresh(this.sk);
  }

  /** tcp_reno_cong_avoid(): nothing when the application, not cwnd, limited the sender. */
  congAvoid(_ack: number, acked: number): void {
    const sk = this.sk;
    if (!sk.isCwndLimited) return;
    if (sk.sndCwnd < sk.sndSsthresh) {
      acked = tcpSlowStart(sk, acked);
      if (!acked) return;
    }
    tcpCongAvoidAi(sk, sk.sndCwnd, acked);
  }

  setState(_s: number): void {}
  cwndEvent(_ev: number): void {}
  pktsAcked(_s: TcpAckSample): void {}

  undoCwnd(): number {
    return Math.max(this.sk.sndCwnd, this.priorCwnd);
  }
}

export const tcpReno: TcpCongOps = { name: 'reno', create: (sk) => new Reno(sk) };
tcpRegisterCongestionControl(tcpReno);
