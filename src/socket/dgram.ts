// UDP sockets for embedders in the style of node:dgram (lib/dgram.js): the same methods, argument
// forms, events and error objects, over the stack's UDP (src/ipv4/udp.ts) instead of the host's.
// Binding, connecting and sending happen at once (there is no DNS and no libuv request); events
// are still emitted asynchronously, as Node emits them.
import { TypedEventEmitter } from '../core/typed_emitter.js';
import { EBADF, EINVAL, errnoName } from '../core/errno.js';
import type { Inet } from '../ipv4/af_inet.js';
import { formatIPv4, parseIPv4 } from '../ipv4/inet_addr.js';
import { EDESTADDRREQ, ENONET, ENOPROTOOPT, EPROTO, UDP_RMEM_MAX, UDP_RMEM_MIN, UdpDatagram, UdpSock } from '../ipv4/udp.js';

/** Options of {@link Stack.createSocket}, as `dgram.createSocket(options)` takes them. */
export interface UdpSocketOptions {
  /** Only `'udp4'`: the stack has no IPv6. */
  type: 'udp4';
  /** SO_REUSEADDR: several sockets that all set it may bind the same port (unicast goes to the most recently bound). */
  reuseAddr?: boolean;
  /** SO_RCVBUF in bytes (the stack stores twice the value, as Linux does; default 212992 stored). */
  recvBufferSize?: number;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** Where a received datagram came from: the `'message'` event's second argument. */
export interface UdpRemoteInfo {
  /** The sender's address, dotted quad. */
  address: string;
  /** Always `'IPv4'`. */
  family: 'IPv4';
  /** The sender's port. */
  port: number;
  /** Payload bytes. */
  size: number;
}

/** A socket's own or its peer's address, as `socket.address()` and `socket.remoteAddress()` return it. */
export interface UdpAddressInfo {
  /** Dotted quad (`'0.0.0.0'` for a socket bound to every address). */
  address: string;
  /** Always `'IPv4'`. */
  family: 'IPv4';
  /** The port. */
  port: number;
}

/** The object form of {@link UdpSocket.bind}. */
export interface UdpBindOptions {
  /** Port to bind; 0 or absent picks one from 32768–60999. */
  port?: number;
  /** A local address, a broadcast address, or absent for every address (`'0.0.0.0'`). */
  address?: string;
  /** Accepted for Node compatibility; without cluster it changes nothing. */
  exclusive?: boolean;
}

/**
 * An error of a UDP socket, shaped like Node's: a system error has the negative errno, its
 * `code` (`'EADDRINUSE'`), the `syscall` (`'bind'`, `'send'`, `'connect'`, `'recvmsg'`, ...)
 * and, where one is involved, the `address` and `port`, with the message
 * `"send EMSGSIZE 10.0.0.2:9"`; Node's own argument and state errors carry only a `code` such
 * as `'ERR_SOCKET_DGRAM_NOT_RUNNING'` (a `RangeError` for `ERR_SOCKET_BAD_PORT`, a `TypeError`
 * for `ERR_INVALID_ARG_TYPE`).
 */
export interface UdpSocketError extends Error {
  /** `'ECONNREFUSED'`, `'EADDRINUSE'`, ... or a Node code such as `'ERR_SOCKET_BAD_PORT'`. */
  code: string;
  /** The negative errno, as Node reports it (−111 for ECONNREFUSED); absent for `ERR_*` codes. */
  errno?: number;
  /** The system call Node would have made: `bind`, `send`, `connect`, `recvmsg`, `getsockname`, `setTTL`, `setBroadcast`. */
  syscall?: string;
  /** The address involved (the datagram's destination for send and ICMP errors). */
  address?: string;
  /** The port involved. */
  port?: number;
}

/** errno names beyond src/core/errno.ts that ICMP errors and udp_sendmsg can produce. */
const EXTRA_NAMES: Record<number, string> = {
  [ENONET]: 'ENONET',
  [EPROTO]: 'EPROTO',
  [EDESTADDRREQ]: 'EDESTADDRREQ',
  [ENOPROTOOPT]: 'ENOPROTOOPT',
};

/** Node's ExceptionWithHostPort / ErrnoException. */
function sysError(errno: number, syscall: string, address?: string, port?: number): UdpSocketError {
  const e = Math.abs(errno);
  const code = EXTRA_NAMES[e] ?? errnoName(e);
  let details = '';
  if (address !== undefined && address !== '') details = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const err = new Error(`${syscall} ${code}${details}`) as UdpSocketError;
  err.errno = -e;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined && address !== '') err.address = address;
  if (port !== undefined && port > 0) err.port = port;
  return err;
}

/** One of Node's internal errors (`ERR_*`). */
function nodeError(code: string, message: string, ctor: ErrorConstructor = Error): UdpSocketError {
  const err = new ctor(message) as UdpSocketError;
  err.code = code;
  return err;
}

const notRunning = (): UdpSocketError => nodeError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
const notConnected = (): UdpSocketError => nodeError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
const isConnected = (): UdpSocketError => nodeError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');

/** determineSpecificType() of Node's error messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  const shown = typeof v === 'string' ? `'${v.length > 28 ? v.slice(0, 25) + '...' : v}'` : String(v);
  return `type ${typeof v} (${shown})`;
}

/** validatePort(): a number or numeric string in 0–65535 (1–65535 unless `allowZero`). */
function validatePort(port: unknown, name: string, allowZero: boolean): number {
  if (
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== +port >>> 0 ||
    +port > 0xffff ||
    (+port === 0 && !allowZero)
  ) {
    throw nodeError('ERR_SOCKET_BAD_PORT', `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${describe(port)}.`, RangeError);
  }
  return +port | 0;
}

function badBuffer(v: unknown): UdpSocketError {
  return nodeError(
    'ERR_INVALID_ARG_TYPE',
    `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${describe(v)}`,
    TypeError,
  );
}

/** One message (string, Buffer, TypedArray, DataView, or an array of them) as one Buffer. */
function toBuffer(msg: unknown): Buffer {
  if (typeof msg === 'string') return Buffer.from(msg);
  if (Buffer.isBuffer(msg)) return msg;
  if (ArrayBuffer.isView(msg)) return Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  if (Array.isArray(msg)) {
    const parts = msg.map((m) => {
      if (typeof m === 'string') return Buffer.from(m);
      if (ArrayBuffer.isView(m)) return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
      throw badBuffer(m);
    });
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
  throw badBuffer(msg);
}

/** sliceBuffer(): the (offset, length) form of send. */
function sliceBuffer(msg: unknown, offset: unknown, length: unknown): Buffer {
  let b: Buffer;
  if (typeof msg === 'string') b = Buffer.from(msg);
  else if (ArrayBuffer.isView(msg)) b = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  else throw badBuffer(msg);
  const off = Number(offset) >>> 0;
  const len = Number(length) >>> 0;
  if (off > b.length) throw nodeError('ERR_BUFFER_OUT_OF_BOUNDS', '"offset" is outside of buffer bounds', RangeError);
  if (off + len > b.length) throw nodeError('ERR_BUFFER_OUT_OF_BOUNDS', '"length" is outside of buffer bounds', RangeError);
  return b.subarray(off, off + len);
}

/** An address argument: a dotted quad; absent means `dflt`. Null when it is not one. */
function resolve(address: unknown, dflt: string): { text: string; addr: number | null } {
  const text = address === undefined || address === null || address === '' ? dflt : String(address);
  return { text, addr: parseIPv4(text === 'localhost' ? '127.0.0.1' : text) };
}

type SendCallback = (err: UdpSocketError | null, bytes?: number) => void;

const UNBOUND = 0;
const BOUND = 2;
const DISCONNECTED = 0;
const CONNECTED = 2;

/** The events of a {@link UdpSocket} and their listener arguments, as `dgram.Socket`'s. */
export interface UdpSocketEventMap {
  /** A datagram arrived. */
  message: [msg: Buffer, rinfo: UdpRemoteInfo];
  /** The socket is bound. */
  listening: [];
  /** `connect()` completed. */
  connect: [];
  /** A failed bind or connect without a callback, or an error about a datagram already sent. */
  error: [err: UdpSocketError];
  /** The socket is closed. */
  close: [];
}

/**
 * A UDP socket on the stack, with the API of Node's `dgram.Socket` (create it with
 * {@link Stack.createSocket}).
 *
 * Events: `'listening'` after a successful bind (explicit, or the implicit one of the first
 * send or connect); `'message'` `(msg: Buffer, rinfo: UdpRemoteInfo)` for each datagram;
 * `'connect'` after connect(); `'error'` `(err: UdpSocketError)` for a failed bind, a failed
 * connect or send without a callback where Node would emit one, and for ICMP errors about this
 * socket's datagrams (see below); `'close'` after close().
 *
 * Errors about datagrams already sent — an ICMP destination unreachable from the peer or a
 * router (port unreachable: `ECONNREFUSED`; host: `EHOSTUNREACH`; net: `ENETUNREACH`;
 * fragmentation needed: `EMSGSIZE`), time exceeded (`EHOSTUNREACH`), parameter problem
 * (`EPROTO`), or the next hop never answering ARP (`EHOSTUNREACH`) — are emitted as `'error'`
 * with `syscall: 'recvmsg'` and the datagram's destination in `address` and `port`, connected
 * or not, but only while the socket has an `'error'` listener: without one they are dropped
 * (Linux tells only connected sockets, or those with IP_RECVERR, and Node then emits a
 * `recvmsg` error; attaching a listener is tapstack's IP_RECVERR).
 */
export class UdpSocket extends TypedEventEmitter<UdpSocketEventMap> {
  /** Always `'udp4'`. */
  readonly type = 'udp4' as const;
  private sk: UdpSock | null;
  private bindState = UNBOUND;
  private connectState = DISCONNECTED;
  private drainScheduled = false;
  private readonly onClosed: () => void;

  /** @internal Use {@link Stack.createSocket}. */
  constructor(
    private readonly inet: Inet,
    opts: UdpSocketOptions | 'udp4',
    onMessage?: (msg: Buffer, rinfo: UdpRemoteInfo) => void,
    onClosed: () => void = () => {},
  ) {
    super();
    const o: UdpSocketOptions = typeof opts === 'string' ? { type: opts } : opts;
    if (o === null || typeof o !== 'object' || o.type !== 'udp4') {
      throw nodeError('ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4', TypeError);
    }
    this.onClosed = onClosed;
    const self = this;
    this.sk = new UdpSock(inet.udp, {
      dataReady(): void {
        self.scheduleDrain();
      },
      error(errno: number, daddr: number, dport: number): void {
        process.nextTick(() => {
          if (self.sk === null || self.listenerCount('error') === 0) return;
          self.emit('error', sysError(errno, 'recvmsg', formatIPv4(daddr), dport));
        });
      },
    });
    this.sk.reuse = o.reuseAddr === true;
    if (o.recvBufferSize !== undefined) this.setRecvBufferSize(o.recvBufferSize);
    if (onMessage !== undefined) this.on('message', onMessage);
    const signal = o.signal;
    if (signal) {
      if (signal.aborted) process.nextTick(() => this.closeQuietly());
      else signal.addEventListener('abort', () => this.closeQuietly(), { once: true });
    }
  }

  private healthCheck(): UdpSock {
    if (this.sk === null) throw notRunning();
    return this.sk;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // setImmediate, not nextTick: two sockets answering each other yield to the event loop
    // between rounds, as datagrams arriving through the kernel would.
    setImmediate(() => {
      this.drainScheduled = false;
      let d: UdpDatagram | undefined;
      while (this.sk !== null && (d = this.sk.dequeue()) !== undefined) {
        const rinfo: UdpRemoteInfo = { address: formatIPv4(d.saddr), family: 'IPv4', port: d.sport, size: d.data.length };
        this.emit('message', d.data, rinfo);
      }
    });
  }

  /**
   * Binds the socket: `bind(port?, address?, callback?)` or `bind({ port, address }, callback?)`.
   * Port 0 or none picks a free one from 32768–60999; no address means every address. The
   * callback runs on `'listening'`. A failure is emitted as `'error'`: `EADDRINUSE` (the port is
   * taken — unless both sockets set `reuseAddr`), `EADDRNOTAVAIL` (not an address of the stack),
   * `EINVAL` (not a dotted quad).
   *
   * @throws UdpSocketError `ERR_SOCKET_ALREADY_BOUND`; `ERR_SOCKET_BAD_PORT` (RangeError) for a port outside 0–65535; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  bind(port?: number | UdpBindOptions | (() => void), address?: string | (() => void), callback?: () => void): this {
    const sk = this.healthCheck();
    if (this.bindState !== UNBOUND) throw nodeError('ERR_SOCKET_ALREADY_BOUND', 'Socket is already bound');
    let cb: (() => void) | undefined;
    let addrArg: unknown;
    let portArg: unknown;
    if (typeof port === 'function') {
      cb = port;
    } else if (port !== null && typeof port === 'object') {
      portArg = port.port;
      addrArg = port.address;
      cb = typeof address === 'function' ? address : callback;
    } else {
      portArg = port;
      if (typeof address === 'function') cb = address;
      else {
        addrArg = address;
        cb = callback;
      }
    }
    const p = portArg === undefined || portArg === null ? 0 : validatePort(portArg, 'Port', true);
    const { text, addr } = resolve(addrArg, '0.0.0.0');
    if (cb) {
      const onListening = cb;
      const removeListeners = (): void => {
        this.removeListener('error', removeListeners);
        this.removeListener('listening', onListening);
      };
      this.on('error', removeListeners);
      this.once('listening', () => {
        this.removeListener('error', removeListeners);
        onListening.call(this);
      });
    }
    this.bindState = BOUND;
    const rc = addr === null ? -EINVAL : this.inet.udp.bind(sk, addr, p);
    if (rc < 0) {
      this.bindState = UNBOUND;
      const ex = sysError(-rc, 'bind', text, p);
      process.nextTick(() => this.emit('error', ex));
      return this;
    }
    process.nextTick(() => {
      if (this.sk !== null) this.emit('listening');
    });
    return this;
  }

  /** The implicit bind of send and connect (Node's bind({ port: 0, exclusive: true })). */
  private autobind(): void {
    if (this.bindState !== UNBOUND) return;
    this.bind(0);
  }

  /**
   * Sends one datagram: `send(msg, port, address?, callback?)`, `send(msg, offset, length,
   * port, address?, callback?)`, or without port and address on a connected socket. `msg` is a
   * string, Buffer, TypedArray, DataView or an array of them (sent as one datagram). An unbound
   * socket is bound first. `callback(err, bytes)` runs asynchronously; a failure without a
   * callback is dropped, as Node drops it. Failures: `EMSGSIZE` above the route's MTU (nothing
   * is fragmented) or 65507 bytes, `EACCES` for a broadcast without `setBroadcast(true)`,
   * `ENETUNREACH` without a route (127.0.0.1, Node's default address, has none: the stack has
   * no loopback device), `EINVAL` for an address that is not a dotted quad.
   *
   * @throws UdpSocketError `ERR_SOCKET_BAD_PORT` (RangeError) for a port outside 1–65535; `ERR_SOCKET_DGRAM_IS_CONNECTED` with a destination on a connected socket; `ERR_INVALID_ARG_TYPE` (TypeError) for a bad message; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  send(
    msg: string | Uint8Array | DataView | readonly (string | Uint8Array)[],
    offset?: number | string | SendCallback,
    length?: number | string | SendCallback,
    port?: number | string | SendCallback,
    address?: string | SendCallback,
    callback?: SendCallback,
  ): void {
    const sk = this.healthCheck();
    const connected = this.connectState === CONNECTED;
    let buffer: Buffer;
    let p: unknown = port;
    let a: unknown = address;
    let cb: unknown = callback;
    if (!connected) {
      if (a || (p && typeof p !== 'function')) {
        buffer = sliceBuffer(msg, offset, length);
      } else {
        cb = p;
        p = offset;
        a = length;
        buffer = toBuffer(msg);
      }
    } else {
      if (typeof length === 'number') {
        buffer = sliceBuffer(msg, offset, length);
        if (typeof p === 'function') {
          cb = p;
          p = null;
        }
      } else {
        cb = offset;
        buffer = toBuffer(msg);
      }
      if (p || a) throw isConnected();
    }
    let portNum = 0;
    if (!connected) portNum = validatePort(p, 'Port', false);
    if (typeof a === 'function') {
      cb = a;
      a = undefined;
    } else if (a !== undefined && a !== null && typeof a !== 'string') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "address" argument must be of type string. Received ${describe(a)}`, TypeError);
    }
    const callbackFn = typeof cb === 'function' ? (cb as SendCallback) : undefined;
    this.autobind();
    let dst: string;
    let rc: number;
    if (connected) {
      dst = formatIPv4(sk.daddr);
      portNum = sk.dport;
      rc = this.inet.udp.sendmsg(sk, buffer, null, 0);
    } else {
      const r = resolve(a, '127.0.0.1');
      dst = r.text;
      rc = r.addr === null ? -EINVAL : this.inet.udp.sendmsg(sk, buffer, r.addr, portNum);
    }
    if (!callbackFn) return;
    if (rc < 0) process.nextTick(callbackFn, sysError(-rc, 'send', dst, portNum));
    else process.nextTick(callbackFn, null, rc);
  }

  /**
   * Associates the socket with one peer: sends without a destination go there, and only its
   * datagrams are received. An unbound socket is bound first, and a socket bound to every address
   * takes the route's source address (as Linux does). `callback` runs on `'connect'`; a failure
   * goes to it, or is emitted as `'error'` without one: `ENETUNREACH` (no route), `EACCES`
   * (a broadcast address without `setBroadcast(true)`), `EINVAL` (not a dotted quad).
   *
   * @throws UdpSocketError `ERR_SOCKET_BAD_PORT` (RangeError) for a port outside 1–65535; `ERR_SOCKET_DGRAM_IS_CONNECTED` when already connected; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  connect(port: number, address?: string | ((err?: UdpSocketError) => void), callback?: (err?: UdpSocketError) => void): void {
    const p = validatePort(port, 'Port', false);
    let cb = callback;
    let a: unknown = address;
    if (typeof address === 'function') {
      cb = address;
      a = undefined;
    }
    const sk = this.healthCheck();
    if (this.connectState !== DISCONNECTED) throw isConnected();
    this.autobind();
    const { text, addr } = resolve(a, '127.0.0.1');
    const rc = addr === null ? -EINVAL : this.inet.udp.connect(sk, addr, p);
    if (rc < 0) {
      const ex = sysError(-rc, 'connect', text, p);
      process.nextTick(() => {
        if (cb) cb.call(this, ex);
        else this.emit('error', ex);
      });
      return;
    }
    this.connectState = CONNECTED;
    if (cb) this.once('connect', cb);
    process.nextTick(() => {
      if (this.sk !== null) this.emit('connect');
    });
  }

  /**
   * Dissolves the association of {@link UdpSocket.connect}: datagrams from anyone are received
   * again, and a source address connect() chose is forgotten (the port is kept).
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_CONNECTED`; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  disconnect(): void {
    const sk = this.healthCheck();
    if (this.connectState !== CONNECTED) throw notConnected();
    this.inet.udp.disconnect(sk);
    this.connectState = DISCONNECTED;
  }

  /**
   * The socket's own address and port (getsockname): after connect() the source address chosen.
   *
   * @throws UdpSocketError `EBADF` (syscall `getsockname`) before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  address(): UdpAddressInfo {
    const sk = this.healthCheck();
    if (this.bindState !== BOUND) throw sysError(EBADF, 'getsockname');
    return { address: formatIPv4(sk.rcvSaddr), family: 'IPv4', port: sk.num };
  }

  /**
   * The connected peer (getpeername).
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_CONNECTED`; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  remoteAddress(): UdpAddressInfo {
    const sk = this.healthCheck();
    if (this.connectState !== CONNECTED) throw notConnected();
    return { address: formatIPv4(sk.daddr), family: 'IPv4', port: sk.dport };
  }

  /**
   * SO_BROADCAST: allows sending to (and connecting to) broadcast addresses.
   *
   * @throws UdpSocketError `EBADF` (syscall `setBroadcast`) before bind, as Node; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setBroadcast(flag: boolean): void {
    const sk = this.healthCheck();
    if (this.bindState !== BOUND) throw sysError(EBADF, 'setBroadcast');
    sk.broadcast = !!flag;
  }

  /**
   * IP_TTL of the datagrams sent (default 64); returns it.
   *
   * @throws UdpSocketError `ERR_INVALID_ARG_TYPE` (TypeError) for a non-number; `EINVAL` (syscall `setTTL`) outside 1–255; `EBADF` before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setTTL(ttl: number): number {
    if (typeof ttl !== 'number') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "ttl" argument must be of type number. Received ${describe(ttl)}`, TypeError);
    }
    const sk = this.healthCheck();
    if (this.bindState !== BOUND) throw sysError(EBADF, 'setTTL');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw sysError(EINVAL, 'setTTL');
    sk.ttl = ttl;
    return ttl;
  }

  /**
   * SO_RCVBUF: datagrams waiting to be emitted may use this many bytes (each charged its size
   * plus 576 bytes of overhead); beyond, arrivals are dropped and counted in UDP's
   * `rcvbufErrors`. Stored doubled (and capped at 212992 before doubling), as Linux does.
   *
   * @throws UdpSocketError `ERR_INVALID_ARG_TYPE` (TypeError) for a size that is not a non-negative integer; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setRecvBufferSize(size: number): void {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "size" argument must be a non-negative integer. Received ${describe(size)}`, TypeError);
    }
    const sk = this.healthCheck();
    sk.rcvbuf = Math.max(Math.min(size, UDP_RMEM_MAX) * 2, UDP_RMEM_MIN);
  }

  /**
   * SO_RCVBUF as getsockopt returns it (twice what was set).
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  getRecvBufferSize(): number {
    return this.healthCheck().rcvbuf;
  }

  /**
   * Closes the socket: its port is free at once, datagrams not yet emitted are discarded (counted
   * in UDP's `drops.closedQueue`), and `'close'` follows (`callback` runs on it).
   * {@link Stack.close} closes every socket of the stack.
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_RUNNING` when already closed.
   */
  close(callback?: () => void): this {
    const sk = this.healthCheck();
    if (typeof callback === 'function') this.on('close', callback);
    this.inet.udp.close(sk);
    this.sk = null;
    this.onClosed();
    process.nextTick(() => this.emit('close'));
    return this;
  }

  /** @internal close() unless already closed (Stack.close, abort signals). */
  closeQuietly(): void {
    if (this.sk !== null) this.close();
  }

  /** Does nothing (the stack holds no handle that keeps the process alive); for Node compatibility. */
  ref(): this {
    return this;
  }

  /** Does nothing (see {@link UdpSocket.ref}); for Node compatibility. */
  unref(): this {
    return this;
  }
}

