// UDP sockets for embedders in the style of node:dgram (lib/dgram.js): the same methods, argument
// forms, events and error objects, over the stack's UDP (src/ipv4/udp.ts, src/ipv6/udp.ts)
// instead of the host's — 'udp4' and 'udp6' sockets, the latter dual-stack unless ipv6Only, as
// libuv sets them up on Linux. Binding, connecting and sending happen at once (there is no DNS
// and no libuv request); events are still emitted asynchronously, as Node emits them.
import { TypedEventEmitter } from '../core/typed_emitter.js';
import { EBADF, EINVAL, EOPNOTSUPP, errnoName } from '../core/errno.js';
import type { Net } from '../core/net.js';
import { formatIPv4, parseIPv4 } from '../ipv4/inet_addr.js';
import type { Udp } from '../ipv4/udp.js';
import { formatIn6, parseIn6Scoped } from '../ipv6/in6_addr.js';
import { type Udpv6, ipv6AddrNeedsScopeId } from '../ipv6/udp.js';
import { UDP_SEGMENT_MAX } from '../udp/udp_offload.js';
import {
  AF_INET,
  AF_INET6,
  EDESTADDRREQ,
  ENONET,
  ENOPROTOOPT,
  EPROTO,
  UDP_RMEM_MAX,
  UDP_RMEM_MIN,
  type UdpDatagram,
  UdpSock,
  type UdpSockError,
} from '../udp/udp_table.js';

/** Options of {@link Stack.createSocket}, as `dgram.createSocket(options)` takes them. */
export interface UdpSocketOptions {
  /** `'udp4'` or `'udp6'` (IPv6; also IPv4 through v4-mapped addresses unless `ipv6Only`). */
  type: 'udp4' | 'udp6';
  /** SO_REUSEADDR: several sockets that all set it may bind the same port (unicast goes to the most recently bound). */
  reuseAddr?: boolean;
  /**
   * IPV6_V6ONLY for a `'udp6'` socket: binding `::` then leaves IPv4 (`0.0.0.0`) to others, and
   * v4-mapped addresses are refused. A `'udp4'` socket with it fails to bind (EINVAL), as in Node.
   */
  ipv6Only?: boolean;
  /** SO_RCVBUF in bytes (the stack stores twice the value, as Linux does; default 212992 stored). */
  recvBufferSize?: number;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** Where a received datagram came from: the `'message'` event's second argument. */
export interface UdpRemoteInfo {
  /**
   * The sender's address: a dotted quad on a `'udp4'` socket; on a `'udp6'` socket IPv6 text,
   * `'::ffff:a.b.c.d'` for an IPv4 sender, and a link-local sender with its zone, the receiving
   * device (`'fe80::1%tap0'`), as Node prints it.
   */
  address: string;
  /** `'IPv4'` on a `'udp4'` socket, `'IPv6'` on a `'udp6'` one (IPv4 senders included). */
  family: 'IPv4' | 'IPv6';
  /** The sender's port. */
  port: number;
  /** Payload bytes. */
  size: number;
}

/** A socket's own or its peer's address, as `socket.address()` and `socket.remoteAddress()` return it. */
export interface UdpAddressInfo {
  /** Dotted quad (`'0.0.0.0'`: every address) or IPv6 text (`'::'`; link-local with its zone). */
  address: string;
  /** `'IPv4'` or `'IPv6'`, the socket's type. */
  family: 'IPv4' | 'IPv6';
  /** The port. */
  port: number;
}

/** The object form of {@link UdpSocket.bind}. */
export interface UdpBindOptions {
  /** Port to bind; 0 or absent picks one from 32768–60999. */
  port?: number;
  /** A local address, a broadcast or multicast address, or absent for every address (`'0.0.0.0'` or `'::'`). */
  address?: string;
  /** Accepted for Node compatibility; without cluster it changes nothing. */
  exclusive?: boolean;
}

/**
 * An error of a UDP socket, shaped like Node's: a system error has the negative errno, its
 * `code` (`'EADDRINUSE'`), the `syscall` (`'bind'`, `'send'`, `'connect'`, `'recvmsg'`, ...)
 * and, where one is involved, the `address` and `port`, with the message
 * `"send EMSGSIZE 10.0.0.2:9"` or `"bind EADDRINUSE :::53"`; Node's own argument and state
 * errors carry only a `code` such as `'ERR_SOCKET_DGRAM_NOT_RUNNING'` (a `RangeError` for
 * `ERR_SOCKET_BAD_PORT`, a `TypeError` for `ERR_INVALID_ARG_TYPE`).
 */
export interface UdpSocketError extends Error {
  /** `'ECONNREFUSED'`, `'EADDRINUSE'`, ... or a Node code such as `'ERR_SOCKET_BAD_PORT'`. */
  code: string;
  /** The negative errno, as Node reports it (−111 for ECONNREFUSED); absent for `ERR_*` codes. */
  errno?: number;
  /** The system call Node would have made: `bind`, `send`, `connect`, `recvmsg`, `getsockname`, `setTTL`, `setBroadcast`, `addMembership`, ... */
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

/**
 * Node's ExceptionWithHostPort / ErrnoException. `inMessage` false: the address and port are
 * properties only, the message stays Node's ErrnoException text (`"recvmsg ECONNREFUSED"`).
 */
function sysError(errno: number, syscall: string, address?: string, port?: number, inMessage = true): UdpSocketError {
  const e = Math.abs(errno);
  const code = EXTRA_NAMES[e] ?? errnoName(e);
  let details = '';
  if (inMessage && address !== undefined && address !== '') details = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
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

/** An address argument resolved for one family (Node's lookup of a literal, then uv_ip4_addr/uv_ip6_addr). */
interface Resolved {
  /** The text as given (or the default), for error messages. */
  text: string;
  /** AF_INET: the address, or null when the text is not a dotted quad. */
  v4: number | null;
  /** AF_INET6: the address, or null when the text is not IPv6 (with an optional zone). */
  v6: Buffer | null;
  /** The zone's ifindex: if_nametoindex of the name after '%' (0 when none or unknown, as libuv ignores it). */
  scope: number;
  /** The zone as written, or null. */
  zone: string | null;
}

type SendCallback = (err: UdpSocketError | null, bytes?: number) => void;

const UNBOUND = 0;
const BOUND = 2;
const DISCONNECTED = 0;
const CONNECTED = 2;

/** @internal What a {@link UdpSocket} needs of its stack: both UDPs and the device registry (zones). */
export interface UdpSocketHost {
  udp: Udp;
  udp6: Udpv6 | null;
  net: Net;
}

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
 * {@link Stack.createSocket}): `'udp4'`, or `'udp6'` — IPv6, and unless `ipv6Only` also IPv4 on
 * the same port (bound to `::` it receives IPv4 datagrams from `'::ffff:a.b.c.d'` and sends to
 * such addresses over IPv4), sharing one port table with `'udp4'` sockets as Linux does, so
 * `udp4` `0.0.0.0:53` and `udp6` `:::53` conflict (EADDRINUSE) unless the latter is `ipv6Only`.
 * IPv6 addresses may carry a zone naming a device (`'fe80::1%tap0'`); link-local peers are
 * shown with theirs.
 *
 * Events: `'listening'` after a successful bind (explicit, or the implicit one of the first
 * send or connect); `'message'` `(msg: Buffer, rinfo: UdpRemoteInfo)` for each datagram;
 * `'connect'` after connect(); `'error'` `(err: UdpSocketError)` for a failed bind, a failed
 * connect or send without a callback where Node would emit one, and for ICMP errors about this
 * socket's datagrams (see below); `'close'` after close().
 *
 * Errors about datagrams already sent — an ICMP or ICMPv6 destination unreachable from the peer
 * or a router (port unreachable: `ECONNREFUSED`; host or address: `EHOSTUNREACH`; net/no route:
 * `ENETUNREACH`; administratively prohibited: `EACCES`; fragmentation needed or packet too big:
 * `EMSGSIZE`), time exceeded (`EHOSTUNREACH`), parameter problem (`EPROTO`), or the next hop
 * never answering ARP or neighbour solicitations (`EHOSTUNREACH`) — are emitted as `'error'`
 * with Node's `syscall: 'recvmsg'` and message (`'recvmsg ECONNREFUSED'`), the datagram's
 * destination in `address` and `port`, connected or not, but only while the socket has an
 * `'error'` listener: without one they are dropped (Linux tells only connected sockets, or those
 * with IP_RECVERR, and Node then emits a `recvmsg` error; attaching a listener is tapstack's
 * IP_RECVERR).
 */
export class UdpSocket extends TypedEventEmitter<UdpSocketEventMap> {
  /** `'udp4'` or `'udp6'`. */
  readonly type: 'udp4' | 'udp6';
  private sk: UdpSock | null;
  private bindState = UNBOUND;
  private connectState = DISCONNECTED;
  /** The kernel socket has a port (bind, or the implicit bind of addMembership): getsockname works. */
  private hasPort = false;
  private drainScheduled = false;
  private readonly onClosed: () => void;
  private readonly udp: Udp;
  private readonly udp6: Udpv6 | null;
  private readonly net: Net;
  private readonly v6: boolean;
  private readonly v6onlyOpt: boolean;
  /** The last address argument resolved: a socket mostly talks to one peer, so its sends parse nothing. */
  private lastResolved: Resolved | null = null;

  /** @internal Use {@link Stack.createSocket}. */
  constructor(
    host: UdpSocketHost,
    opts: UdpSocketOptions | 'udp4' | 'udp6',
    onMessage?: (msg: Buffer, rinfo: UdpRemoteInfo) => void,
    onClosed: () => void = () => {},
  ) {
    super();
    const o: UdpSocketOptions = typeof opts === 'string' ? { type: opts } : opts;
    if (o === null || typeof o !== 'object' || (o.type !== 'udp4' && o.type !== 'udp6') || (o.type === 'udp6' && host.udp6 === null)) {
      throw nodeError('ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4, udp6', TypeError);
    }
    this.type = o.type;
    this.v6 = o.type === 'udp6';
    this.udp = host.udp;
    this.udp6 = host.udp6;
    this.net = host.net;
    this.onClosed = onClosed;
    this.v6onlyOpt = o.ipv6Only === true;
    const self = this;
    this.sk = new UdpSock(this.udp.table, this.v6 ? AF_INET6 : AF_INET, {
      dataReady(): void {
        self.scheduleDrain();
      },
      error(e: UdpSockError): void {
        process.nextTick(() => {
          if (self.sk === null || self.listenerCount('error') === 0) return;
          self.emit('error', sysError(e.errno, 'recvmsg', self.errAddress(e), e.dport, false));
        });
      },
    });
    this.sk.reuse = o.reuseAddr === true;
    // uv_udp_bind's UV_UDP_IPV6ONLY: set before every bind, the implicit ones included.
    if (this.v6) this.sk.ipv6Only = this.v6onlyOpt;
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

  /** uv_ip6_name plus Node's zone: an address that needs one gets `%` and the device's name. */
  private fmt6(a: Uint8Array, ifindex: number): string {
    const s = formatIn6(a);
    if (ifindex === 0 || !ipv6AddrNeedsScopeId(a, 0)) return s;
    return `${s}%${this.net.devGetByIndex(ifindex)?.name ?? ifindex}`;
  }

  /** An IPv4 address as this socket's family shows it (v4-mapped on a 'udp6' socket). */
  private fmt4(a: number): string {
    return this.v6 ? `::ffff:${formatIPv4(a)}` : formatIPv4(a);
  }

  private errAddress(e: UdpSockError): string {
    return e.family === AF_INET6 ? this.fmt6(e.daddr6!, this.sk?.boundDevIf ?? 0) : this.fmt4(e.daddr);
  }

  /**
   * An address argument: absent means `dflt`; 'localhost' is the loopback address of the family.
   * The last result is reused while its zone still names the same device.
   */
  private resolve(address: unknown, dflt: string): Resolved {
    const text = address === undefined || address === null || address === '' ? dflt : String(address);
    const c = this.lastResolved;
    if (c !== null && c.text === text && (c.zone === null || this.net.devGetByIndex(c.scope)?.name === c.zone)) return c;
    let r: Resolved;
    if (!this.v6) r = { text, v4: parseIPv4(text === 'localhost' ? '127.0.0.1' : text), v6: null, scope: 0, zone: null };
    else {
      const p = parseIn6Scoped(text === 'localhost' ? '::1' : text);
      if (p === null) r = { text, v4: null, v6: null, scope: 0, zone: null };
      else r = { text, v4: null, v6: p.addr, scope: p.zone === null ? 0 : (this.net.devGetByName(p.zone)?.ifindex ?? 0), zone: p.zone };
    }
    this.lastResolved = r;
    return r;
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
        const rinfo: UdpRemoteInfo = {
          address: d.family === AF_INET6 ? this.fmt6(d.saddr6!, d.ifindex) : this.fmt4(d.saddr),
          family: this.v6 ? 'IPv6' : 'IPv4',
          port: d.sport,
          size: d.data.length,
        };
        this.emit('message', d.data, rinfo);
      }
    });
  }

  /**
   * Binds the socket: `bind(port?, address?, callback?)` or `bind({ port, address }, callback?)`.
   * Port 0 or none picks a free one from 32768–60999; no address means every address (`'::'` for
   * `'udp6'`, which then takes IPv4 too unless `ipv6Only`). The callback runs on `'listening'`. A
   * failure is emitted as `'error'`: `EADDRINUSE` (the port is taken, by either family — unless
   * both sockets set `reuseAddr`), `EADDRNOTAVAIL` (not an address of the stack), `EINVAL` (not
   * an address of the socket's family, a link-local address without a zone, a v4-mapped address
   * on an `ipv6Only` socket).
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
    const r = this.resolve(addrArg, this.v6 ? '::' : '0.0.0.0');
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
    let rc: number;
    if (this.v6) rc = r.v6 === null ? -EINVAL : this.udp6!.bind(sk, r.v6, p, r.scope);
    else rc = r.v4 === null || this.v6onlyOpt ? -EINVAL : this.udp.bind(sk, r.v4, p);
    if (rc < 0) {
      this.bindState = UNBOUND;
      const ex = sysError(-rc, 'bind', r.text, p);
      process.nextTick(() => this.emit('error', ex));
      return this;
    }
    this.hasPort = true;
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
   * socket is bound first. No address means the loopback address (`'127.0.0.1'`, `'::1'`), as in
   * Node — which has no route here: the stack has no loopback device. `callback(err, bytes)`
   * runs asynchronously; a failure without a callback is dropped, as Node drops it. Failures:
   * `EMSGSIZE` above the path MTU (nothing is fragmented; but see {@link UdpSocket.setUdpSegment})
   * or 65507 (IPv4) / 65527 (IPv6) bytes, `EINVAL` for more than 128 UDP_SEGMENT datagrams,
   * `EACCES` for a broadcast without `setBroadcast(true)`, `ENETUNREACH` without a route (or a
   * v4-mapped address on an `ipv6Only` socket), `EINVAL` for an address not of the socket's
   * family, `EAFNOSUPPORT` for IPv6 from a socket bound to a v4-mapped address.
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
    // Node names the destination in a send error only when one was given (not when connected).
    let dst: string | undefined;
    let rc: number;
    if (connected) {
      rc = this.v6 ? this.udp6!.sendmsg(sk, buffer, null, 0) : this.udp.sendmsg(sk, buffer, null, 0);
    } else {
      const r = this.resolve(a, this.v6 ? '::1' : '127.0.0.1');
      dst = r.text;
      if (this.v6) rc = r.v6 === null ? -EINVAL : this.udp6!.sendmsg(sk, buffer, r.v6, portNum, r.scope);
      else rc = r.v4 === null ? -EINVAL : this.udp.sendmsg(sk, buffer, r.v4, portNum);
    }
    if (!callbackFn) return;
    if (rc < 0) process.nextTick(callbackFn, sysError(-rc, 'send', dst, dst === undefined ? undefined : portNum));
    else process.nextTick(callbackFn, null, rc);
  }

  /**
   * Associates the socket with one peer: sends without a destination go there, and only its
   * datagrams are received. An unbound socket is bound first, and a socket bound to every address
   * takes the route's source address (as Linux does); connecting to a link-local address binds
   * the socket to the zone's device. `callback` runs on `'connect'`; a failure goes to it, or is
   * emitted as `'error'` without one: `ENETUNREACH` (no route; a v4-mapped address on an
   * `ipv6Only` socket), `EACCES` (a broadcast address without `setBroadcast(true)`), `EINVAL`
   * (not an address of the socket's family; a link-local address without a zone, or with another
   * device than the socket is bound to).
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
    const r = this.resolve(a, this.v6 ? '::1' : '127.0.0.1');
    let rc: number;
    if (this.v6) rc = r.v6 === null ? -EINVAL : this.udp6!.connect(sk, r.v6, p, r.scope);
    else rc = r.v4 === null ? -EINVAL : this.udp.connect(sk, r.v4, p);
    if (rc < 0) {
      const ex = sysError(-rc, 'connect', r.text, p);
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
   * again, a source address connect() chose is forgotten, and so is a port the socket did not
   * bind explicitly (address() shows port 0 until the next send binds another), as Linux's
   * __udp_disconnect does.
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_CONNECTED`; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  disconnect(): void {
    const sk = this.healthCheck();
    if (this.connectState !== CONNECTED) throw notConnected();
    this.udp.table.disconnect(sk);
    this.connectState = DISCONNECTED;
  }

  /**
   * The socket's own address and port (getsockname): after connect() the source address chosen.
   *
   * @throws UdpSocketError `EBADF` (syscall `getsockname`) before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  address(): UdpAddressInfo {
    const sk = this.healthCheck();
    if (this.bindState !== BOUND && !this.hasPort) throw sysError(EBADF, 'getsockname');
    if (this.v6) return { address: this.fmt6(sk.v6RcvSaddr, sk.boundDevIf), family: 'IPv6', port: sk.num };
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
    if (this.v6) return { address: this.fmt6(sk.v6Daddr, sk.boundDevIf), family: 'IPv6', port: sk.dport };
    return { address: formatIPv4(sk.daddr), family: 'IPv4', port: sk.dport };
  }

  /** The socket, or EBADF (syscall `syscall`) while it has no port, as Node's handle calls fail. */
  private boundSock(syscall: string): UdpSock {
    const sk = this.healthCheck();
    if (this.bindState !== BOUND && !this.hasPort) throw sysError(EBADF, syscall);
    return sk;
  }

  /**
   * SO_BROADCAST: allows sending to (and connecting to) broadcast addresses (IPv4, including a
   * `'udp6'` socket's v4-mapped ones).
   *
   * @throws UdpSocketError `EBADF` (syscall `setBroadcast`) before bind, as Node; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setBroadcast(flag: boolean): void {
    const sk = this.boundSock('setBroadcast');
    sk.broadcast = !!flag;
  }

  /**
   * The unicast TTL (IP_TTL, default 64) or, on a `'udp6'` socket, hop limit (IPV6_UNICAST_HOPS;
   * default the device's `hop_limit`) of the datagrams sent; returns it. (IPv4 datagrams of a
   * `'udp6'` socket keep TTL 64: libuv sets only the IPv6 option there.)
   *
   * @throws UdpSocketError `ERR_INVALID_ARG_TYPE` (TypeError) for a non-number; `EINVAL` (syscall `setTTL`) outside 1–255; `EBADF` before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setTTL(ttl: number): number {
    if (typeof ttl !== 'number') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "ttl" argument must be of type number. Received ${describe(ttl)}`, TypeError);
    }
    const sk = this.boundSock('setTTL');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw sysError(EINVAL, 'setTTL');
    if (this.v6) sk.hopLimit = ttl;
    else sk.ttl = ttl;
    return ttl;
  }

  /**
   * IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS of multicast datagrams (default 1); returns it.
   *
   * @throws UdpSocketError `ERR_INVALID_ARG_TYPE` (TypeError) for a non-number; `EINVAL` (syscall `setMulticastTTL`) outside 0–255; `EBADF` before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setMulticastTTL(ttl: number): number {
    if (typeof ttl !== 'number') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "ttl" argument must be of type number. Received ${describe(ttl)}`, TypeError);
    }
    const sk = this.boundSock('setMulticastTTL');
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) throw sysError(EINVAL, 'setMulticastTTL');
    if (this.v6) sk.mcastHops = ttl;
    else sk.mcTtl = ttl;
    return ttl;
  }

  /**
   * IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. The stack never loops its own multicasts back to
   * its sockets, so only `false` is accepted (and returned).
   *
   * @throws UdpSocketError `EOPNOTSUPP` (syscall `setMulticastLoopback`) for `true`; `EBADF` before bind; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setMulticastLoopback(flag: boolean): boolean {
    this.boundSock('setMulticastLoopback');
    if (flag) throw sysError(EOPNOTSUPP, 'setMulticastLoopback');
    return flag;
  }

  /**
   * IPV6_MULTICAST_IF of a `'udp6'` socket: multicasts without a zone leave by the device named
   * in `interfaceAddress`'s zone (`'::%tap0'`; `'::'` resets it). IPv4 multicast interfaces are
   * not supported.
   *
   * @throws UdpSocketError `EINVAL` (syscall `setMulticastInterface`) for text that is not IPv6, or a device other than the one the socket is bound to; `EOPNOTSUPP` on a `'udp4'` socket; `EBADF` before bind; `ERR_INVALID_ARG_TYPE` for a non-string; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setMulticastInterface(interfaceAddress: string): void {
    if (typeof interfaceAddress !== 'string') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "interfaceAddress" argument must be of type string. Received ${describe(interfaceAddress)}`, TypeError);
    }
    const sk = this.boundSock('setMulticastInterface');
    if (!this.v6) throw sysError(EOPNOTSUPP, 'setMulticastInterface');
    const r = this.resolve(interfaceAddress, '::');
    if (r.v6 === null) throw sysError(EINVAL, 'setMulticastInterface');
    if (r.scope !== 0 && sk.boundDevIf !== 0 && sk.boundDevIf !== r.scope) throw sysError(EINVAL, 'setMulticastInterface');
    sk.mcastOif = r.scope;
  }

  /**
   * IPV6_ADD_MEMBERSHIP: the device of `multicastInterface`'s zone (`'::%tap0'`; none: the one
   * the route to the group leaves by) joins the group for this socket — MLD reports go out, and
   * datagrams to the group reach the sockets on their port. An unbound socket gets a port first
   * (libuv's deferred bind, without `'listening'`; bind() then fails with EINVAL, as in Node).
   * IPv4 groups are not supported.
   *
   * @throws UdpSocketError `EINVAL` (syscall `addMembership`) for a group or interface that is not IPv6 or not multicast; `EADDRINUSE` when already joined there; `ENODEV` without a device; `EOPNOTSUPP` for IPv4; `ERR_MISSING_ARGS` without a group; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  addMembership(multicastAddress: string, multicastInterface?: string): void {
    this.membership('addMembership', multicastAddress, multicastInterface);
  }

  /**
   * IPV6_DROP_MEMBERSHIP: leaves a group joined with {@link UdpSocket.addMembership} (close()
   * leaves them all).
   *
   * @throws UdpSocketError `EADDRNOTAVAIL` (syscall `dropMembership`) when not joined; otherwise as addMembership.
   */
  dropMembership(multicastAddress: string, multicastInterface?: string): void {
    this.membership('dropMembership', multicastAddress, multicastInterface);
  }

  private membership(syscall: 'addMembership' | 'dropMembership', group: unknown, iface: unknown): void {
    if (!group) throw nodeError('ERR_MISSING_ARGS', 'The "multicastAddress" argument must be specified', TypeError);
    const sk = this.healthCheck();
    if (typeof group !== 'string') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "multicastAddress" argument must be of type string. Received ${describe(group)}`, TypeError);
    }
    // uv_udp_set_membership tries IPv4 first: an IPv4 group takes IP_ADD_MEMBERSHIP, unsupported here.
    if (!this.v6 || parseIPv4(group) !== null) throw sysError(EOPNOTSUPP, syscall);
    const g = this.resolve(group, '::');
    if (g.v6 === null) throw sysError(EINVAL, syscall);
    let ifindex = 0;
    if (iface !== undefined && iface !== null) {
      const i = this.resolve(iface, '::');
      if (i.v6 === null) throw sysError(EINVAL, syscall);
      ifindex = i.scope;
    }
    const udp6 = this.udp6!;
    if (!this.hasPort) {
      if (udp6.autobind(sk) < 0) throw sysError(EINVAL, syscall);
      this.hasPort = true;
    }
    const rc = syscall === 'addMembership' ? udp6.mcJoin(sk, g.v6, ifindex) : udp6.mcLeave(sk, g.v6, ifindex);
    if (rc < 0) throw sysError(-rc, syscall);
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
   * UDP_SEGMENT (setsockopt SOL_UDP), which `node:dgram` does not have: a send longer than
   * `size` payload bytes leaves as one super-datagram that the device (USO, `tx-udp-segmentation`)
   * or the stack's software GSO cuts into datagrams of `size` bytes, the last one shorter — at
   * most 128 of them (`EINVAL` beyond), each within the path MTU (`EMSGSIZE` otherwise), in all
   * 65507 (IPv4) / 65527 (IPv6) bytes. The receiver sees ordinary datagrams; UDP's `outDatagrams`
   * counts the send once, as Linux does. 0 (the default) turns it off. Returns `size`.
   *
   * @throws UdpSocketError `ERR_INVALID_ARG_TYPE` (TypeError) for a non-number; `EINVAL` (syscall `setUdpSegment`) outside 0–65535; `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  setUdpSegment(size: number): number {
    if (typeof size !== 'number') {
      throw nodeError('ERR_INVALID_ARG_TYPE', `The "size" argument must be of type number. Received ${describe(size)}`, TypeError);
    }
    const sk = this.healthCheck();
    if (!Number.isInteger(size) || size < 0 || size > UDP_SEGMENT_MAX) throw sysError(EINVAL, 'setUdpSegment');
    sk.gsoSize = size;
    return size;
  }

  /**
   * UDP_SEGMENT as getsockopt returns it: the size set with {@link UdpSocket.setUdpSegment}, 0 when off.
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_RUNNING` after close.
   */
  getUdpSegment(): number {
    return this.healthCheck().gsoSize;
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
   * in UDP's `drops.closedQueue`), groups joined are left, and `'close'` follows (`callback` runs
   * on it). {@link Stack.close} closes every socket of the stack.
   *
   * @throws UdpSocketError `ERR_SOCKET_DGRAM_NOT_RUNNING` when already closed.
   */
  close(callback?: () => void): this {
    const sk = this.healthCheck();
    if (typeof callback === 'function') this.on('close', callback);
    if (this.v6) this.udp6!.close(sk);
    else this.udp.close(sk);
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
