// Listening sockets and connections being born: struct request_sock in the SYN queue with its
// SYN-ACK retransmissions (reqsk_timer_handler), tcp_check_req turning the final ACK into a child
// socket (tcp_create_openreq_child), the accept queue and its backlog (net/ipv4/tcp_minisocks.c,
// inet_connection_sock.c, request_sock.c).
import type { Timer } from '../core/clock.js';
import type { TcpAddr, TcpAfOps, TcpSock } from './tcp_sock.js';
import type { Tcp } from './tcp.js';

/** What the socket layer hears from a listener. */
export interface TcpListenUser {
  /** A child is on the accept queue. */
  onAcceptable(): void;
}

/** A connection in SYN_RECV (TCP_NEW_SYN_RECV): only what the final ACK needs. */
export class TcpRequestSock {
  /** SYN-ACK transmissions after the first (num_retrans). */
  numRetrans = 0;
  /** When the first SYN-ACK left (snt_synack, ms); -1 for none yet or a cookie's. */
  sntSynackMs = -1;
  /** When an out-of-window segment or retransmitted SYN was last answered (last_oow_ack_time); -1 never. */
  lastOowAckMs = -1;
  readonly timer: Timer<TcpRequestSock>;

  constructor(
    readonly listener: TcpListenSock,
    readonly af: TcpAfOps,
    readonly local: TcpAddr,
    readonly remote: TcpAddr,
    readonly remotePort: number,
    readonly iss: number,
    readonly irs: number,
    /** The peer's MSS option (0: none). */
    readonly mss: number,
    readonly wscale: number,
    readonly sackOk: boolean,
    readonly tsOk: boolean,
    readonly tsRecent: number,
    /** The peer's window in its SYN (unscaled). */
    readonly window: number,
    readonly key: number,
  ) {
    this.timer = listener.tcp.clock.timer<TcpRequestSock>((r) => r.listener.tcp.reqTimer(r), this);
  }
}

/** A listening socket (TCP_LISTEN) with its SYN queue and accept queue. */
export class TcpListenSock {
  /** Request socks by their 4-tuple hash (several may share one). */
  readonly synQueue = new Map<number, TcpRequestSock[]>();
  synQueueLen = 0;
  readonly acceptQueue: TcpSock[] = [];
  closed = false;
  readonly inode: number;
  /** When the SYN queue last overflowed into cookies (tcp_synq_overflow), ms. */
  lastOverflowMs = -Infinity;
  /** The SYN-flood warning was logged (request_sock_queue's synflood_warned). */
  synfloodWarned = false;

  constructor(
    readonly tcp: Tcp,
    readonly family: 4 | 6,
    /** Bound address; null: any (0.0.0.0 or ::). */
    readonly local: TcpAddr | null,
    readonly port: number,
    /** listen()'s backlog, capped by net.core.somaxconn. */
    readonly backlog: number,
    readonly ipv6Only: boolean,
    public user: TcpListenUser,
    inode: number,
  ) {
    this.inode = inode;
  }

  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  /** sk_acceptq_is_full(): Linux lets the queue hold backlog + 1. */
  get acceptQueueFull(): boolean {
    return this.acceptQueue.length > this.backlog;
  }

  /** inet_csk_accept(): the oldest established child, or null. */
  accept(): TcpSock | null {
    const sk = this.acceptQueue.shift() ?? null;
    if (sk !== null) sk.parent = null;
    return sk;
  }

  acceptQueueRemove(sk: TcpSock): void {
    const i = this.acceptQueue.indexOf(sk);
    if (i >= 0) this.acceptQueue.splice(i, 1);
  }

  findRequest(key: number, remote: TcpAddr, remotePort: number): TcpRequestSock | null {
    const list = this.synQueue.get(key);
    if (!list) return null;
    for (const r of list) if (r.remotePort === remotePort && addrEqual(r.remote, remote)) return r;
    return null;
  }

  addRequest(r: TcpRequestSock): void {
    const list = this.synQueue.get(r.key);
    if (list) list.push(r);
    else this.synQueue.set(r.key, [r]);
    this.synQueueLen++;
  }

  removeRequest(r: TcpRequestSock): void {
    const list = this.synQueue.get(r.key);
    if (!list) return;
    const i = list.indexOf(r);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.synQueue.delete(r.key);
    this.synQueueLen--;
    r.timer.del();
  }

  /** close() of the listener: pending connections are reset (inet_csk_listen_stop). */
  close(): void {
    this.tcp.closeListener(this);
  }
}

/** Same address (family and value; IPv6 zones do not take part, as in the kernel's ehash). */
export function addrEqual(a: TcpAddr, b: TcpAddr): boolean {
  if (a.family !== b.family) return false;
  if (a.family === 4) return a.addr === b.addr;
  const x = a.addr;
  const y = b.addr as Uint8Array;
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return false;
  return true;
}
