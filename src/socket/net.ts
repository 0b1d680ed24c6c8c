// The node:net face of tapstack's TCP: TcpSocket (a stream.Duplex with net.Socket's members,
// events and errors) and TcpServer (net.Server's), over the engine's TcpSock / TcpListenSock —
// what lib/net.js does over a libuv TCP handle, with the kernel's socket calls being the engine's.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import type { Clock, Timer } from '../core/clock.js';
import { EADDRINUSE, EINVAL, EPIPE, StackError, errnoName } from '../core/errno.js';
import type { Net } from '../core/net.js';
import { formatIPv4, parseIPv4 } from '../ipv4/inet_addr.js';
import { formatIn6, ipv6AddrAny, parseIn6Scoped } from '../ipv6/in6_addr.js';
import type { Tcp, TcpAddr, TcpListenSock, TcpSock, TcpSockUser } from '../tcp/tcp.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_SYN_SENT } from '../tcp/tcp_states.js';

/** An error as Node's net module makes them: code, negative errno, syscall, address, port. */
export interface TcpSocketError extends Error {
  /** `'ECONNREFUSED'`, `'ECONNRESET'`, ... or a Node code such as `'ERR_SOCKET_BAD_PORT'`. */
  code: string;
  /** The negative errno (−111 for ECONNREFUSED). */
  errno?: number;
  /** `connect`, `read`, `write` or `listen`. */
  syscall?: string;
  /** The address involved. */
  address?: string;
  /** The port involved. */
  port?: number;
}

/** Node's ExceptionWithHostPort (`connect ECONNREFUSED 10.0.0.1:80`) / ErrnoException (`read ECONNRESET`). */
function sysError(errno: number, syscall: string, address?: string, port?: number): TcpSocketError {
  const e = Math.abs(errno);
  const code = errnoName(e);
  let details = '';
  if (address !== undefined) details = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const err = new Error(`${syscall} ${code}${details}`) as TcpSocketError;
  err.errno = -e;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined && port > 0) err.port = port;
  return err;
}

function nodeError(code: string, message: string, ctor: ErrorConstructor = Error): TcpSocketError {
  const err = new ctor(message) as TcpSocketError;
  err.code = code;
  return err;
}

/** What a socket or server needs from the stack. */
export interface TcpHost {
  tcp: Tcp;
  net: Net;
  /** IPv6 is on: `::` is the default listening address. */
  ipv6: boolean;
}

/** A parsed host: the engine's address and the text Node shows for it. */
function parseHost(host: string, net: Net): TcpAddr | null {
  if (host === 'localhost') host = '127.0.0.1';
  const v4 = parseIPv4(host);
  if (v4 !== null) return { family: 4, addr: v4 >>> 0 };
  const v6 = parseIn6Scoped(host);
  if (v6 === null) return null;
  let scopeId = 0;
  if (v6.zone !== null) {
    const dev = net.devGetByName(v6.zone) ?? (/^\d+$/.test(v6.zone) ? net.devGetByIndex(Number(v6.zone)) : undefined);
    if (dev === undefined) return null;
    scopeId = dev.ifindex;
  }
  // A v4-mapped destination is an IPv4 connection (as the kernel's dual-stack sockets make it).
  const a = v6.addr;
  if (a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) {
    return { family: 4, addr: a.readUInt32BE(12) };
  }
  return { family: 6, addr: a, scopeId };
}

/** The address as Node prints it. */
function addrText(a: TcpAddr, v4mapped = false): string {
  if (a.family === 4) return v4mapped ? `::ffff:${formatIPv4(a.addr)}` : formatIPv4(a.addr);
  return formatIn6(a.addr);
}

function validatePort(p: unknown, allowZero: boolean): number {
  const n = typeof p === 'string' && p.trim() !== '' ? Number(p) : p;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw nodeError('ERR_SOCKET_BAD_PORT', `Port should be >= 0 and < 65536. Received ${typeof p === 'string' ? `type string ('${p}')` : `${typeof p} (${String(p)})`}.`, RangeError as unknown as ErrorConstructor);
  }
  return n;
}

/** Options of {@link TcpSocket} (net.Socket's). */
export interface TcpSocketOptions {
  /** Keep the writable side open after the peer's FIN (default false: end() follows 'end'). */
  allowHalfOpen?: boolean;
  /** TCP_NODELAY from the start. */
  noDelay?: boolean;
  /** SO_KEEPALIVE from the start (see setKeepAlive). */
  keepAlive?: boolean;
  /** The keepalive idle time in ms (0: the system's 7200 s). */
  keepAliveInitialDelay?: number;
  /** The stream's highWaterMark (default 16 KiB). */
  highWaterMark?: number;
}

/** Options of a connect (net.connect's, TCP part). */
export interface TcpConnectOptions extends TcpSocketOptions {
  /** The peer's port. */
  port: number | string;
  /** An IPv4 or IPv6 literal (zone as `fe80::1%tap0`); default 'localhost' (127.0.0.1). */
  host?: string;
  /** Source address (one of the stack's). */
  localAddress?: string;
  /** Source port (default: an ephemeral one). */
  localPort?: number;
  /** setTimeout() on the new socket, ms. */
  timeout?: number;
}

/**
 * A TCP connection with net.Socket's surface: a Duplex whose writes complete when copied into
 * the engine's send buffer (so `write()` returns false at `writableHighWaterMark` and `'drain'`
 * follows), whose reads stop opening the window when `push()` says stop, with `'connect'`,
 * `'ready'`, `'end'`, `'timeout'`, `'error'` and `'close'` in Node's order and Node's error shapes.
 */
export class TcpSocket extends Duplex {
  /** The engine's socket; null before connect(). */
  private sk: TcpSock | null = null;
  private host: TcpHost | null = null;
  /** connect() is under way (net.Socket#connecting). */
  connecting = false;
  private pendingWrite: { chunk: Buffer; cb: (err?: Error | null) => void } | null = null;
  private readPaused = false;
  private pushedEof = false;
  private finalCb: ((err?: Error | null) => void) | null = null;
  private idleMs = 0;
  private idleTimer: Timer<TcpSocket> | null = null;
  private clock: Clock | null = null;
  private _bytesRead = 0;
  private _bytesWritten = 0;
  private opts: TcpSocketOptions;
  /** The host text and port of connect(), for error messages. */
  private peerText = '';
  private peerPort = 0;
  /** @internal The listening server whose connection count this socket holds (http sets `server` itself). */
  ownerServer: TcpServer | null = null;

  /** A socket not yet connected; {@link Stack.connect} makes connected ones. */
  constructor(opts: TcpSocketOptions = {}) {
    super({ allowHalfOpen: opts.allowHalfOpen ?? false, highWaterMark: opts.highWaterMark, emitClose: false, autoDestroy: true });
    this.opts = opts;
  }

  // ---- attach ---------------------------------------------------------------------------------

  /** @internal Binds an accepted (or connecting) engine socket. */
  attach(host: TcpHost, sk: TcpSock): void {
    this.host = host;
    this.sk = sk;
    this.clock = host.net.clock;
    sk.user = this.makeUser();
    if (this.opts.noDelay) sk.setNoDelay(true);
    if (this.opts.keepAlive) this.setKeepAlive(true, this.opts.keepAliveInitialDelay ?? 0);
  }

  private makeUser(): TcpSockUser {
    return {
      onConnect: () => {
        this.connecting = false;
        this.refreshIdle();
        this.emit('connect');
        this.emit('ready');
        this.flushPending();
        if (this.finalCb !== null && this.pendingWrite === null) this.doFinal();
        this.pull();
      },
      onReadable: () => this.pull(),
      onWritable: () => this.flushPending(),
      onError: (errno) => this.onEngineError(errno),
      onClose: () => {
        // Everything the peer sent is read; the engine is done with the connection.
        this.pull();
        if (!this.destroyed && this.sk !== null && this.sk.state === TCP_CLOSE && this.writableFinished && this.pushedEof) this.destroy();
      },
    };
  }

  private onEngineError(errno: number): void {
    const e = Math.abs(errno);
    let err: TcpSocketError;
    if (this.connecting) err = sysError(e, 'connect', this.peerText, this.peerPort);
    else if (e === EPIPE) err = sysError(e, 'write');
    else err = sysError(e, 'read');
    this.connecting = false;
    this.destroy(err);
  }

  /** Moves received data into the stream while it wants more (tcp_recvmsg on readiness). */
  private pull(): void {
    const sk = this.sk;
    if (sk === null || this.destroyed) return;
    while (!this.readPaused) {
      const b = sk.read();
      if (b === null) break;
      this._bytesRead += b.length;
      this.refreshIdle();
      if (!this.push(b)) this.readPaused = true;
    }
    if (!this.readPaused && sk.eof && !this.pushedEof) {
      this.pushedEof = true;
      this.push(null);
    }
  }

  /** stream.Readable's: more data is wanted, so the window may open again. */
  override _read(): void {
    this.readPaused = false;
    this.pull();
  }

  /** stream.Writable's: copies into the send buffer; the callback runs once all of it is in. */
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.pendingWrite = { chunk, cb };
    if (!this.connecting) this.flushPending();
  }

  /** Copies what fits into the send buffer; the callback runs once all of the chunk is in. */
  private flushPending(): void {
    const p = this.pendingWrite;
    const sk = this.sk;
    if (p === null || sk === null || this.connecting) return;
    const n = sk.send(p.chunk);
    if (n < 0) {
      this.pendingWrite = null;
      p.cb(sysError(-n, 'write'));
      return;
    }
    this._bytesWritten += n;
    if (n > 0) this.refreshIdle();
    if (n < p.chunk.length) {
      p.chunk = p.chunk.subarray(n);
      return;
    }
    this.pendingWrite = null;
    p.cb();
    if (this.finalCb !== null && this.pendingWrite === null) this.doFinal();
  }

  /** stream.Writable's: end() sends the FIN after the queued data. */
  override _final(cb: (err?: Error | null) => void): void {
    this.finalCb = cb;
    if (!this.connecting && this.pendingWrite === null) this.doFinal();
  }

  private doFinal(): void {
    const cb = this.finalCb;
    this.finalCb = null;
    this.sk?.shutdownWrite();
    cb?.();
    // Both directions done: the connection may already be over.
    if (this.pushedEof && this.sk !== null && (this.sk.state === TCP_CLOSE || this.readableEnded)) queueMicrotask(() => this.maybeDestroy());
  }

  private maybeDestroy(): void {
    if (!this.destroyed && this.writableFinished && this.readableEnded) this.destroy();
  }

  /** stream's: close() of the connection (FIN, or RST when unread data is discarded). */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.idleTimer?.del();
    const sk = this.sk;
    // close(): FIN, or RST when unread data is discarded (the engine decides, as tcp_close does).
    if (sk !== null && sk.state !== TCP_CLOSE) sk.close();
    this.connecting = false;
    cb(err);
    const hadError = err !== null && err !== undefined;
    process.nextTick(() => {
      this.emit('close', hadError);
      this.ownerServer?.connectionClosed();
    });
  }

  // ---- net.Socket's calls ---------------------------------------------------------------------

  /** @internal connect() after the options are parsed (Stack.connect calls it). */
  connectTo(host: TcpHost, o: TcpConnectOptions, cb?: () => void): this {
    const port = validatePort(o.port, false);
    const hostText = o.host ?? 'localhost';
    this.host = host;
    this.clock = host.net.clock;
    this.peerText = hostText === 'localhost' ? '127.0.0.1' : hostText;
    this.peerPort = port;
    if (cb) this.once('connect', cb);
    if (o.timeout) this.setTimeout(o.timeout);
    this.connecting = true;
    const remote = parseHost(hostText, host.net);
    if (remote === null) {
      // No resolver: names other than localhost are not looked up.
      const err = nodeError('ENOTFOUND', `getaddrinfo ENOTFOUND ${hostText}`);
      err.syscall = 'getaddrinfo';
      (err as TcpSocketError & { hostname: string }).hostname = hostText;
      err.errno = -3008;
      process.nextTick(() => {
        this.connecting = false;
        this.destroy(err);
      });
      return this;
    }
    let local: TcpAddr | undefined;
    if (o.localAddress !== undefined) {
      const l = parseHost(o.localAddress, host.net);
      if (l === null) throw nodeError('ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${o.localAddress}`, TypeError as unknown as ErrorConstructor);
      local = l;
    }
    try {
      const sk = host.tcp.connect({ remote, port, local, localPort: o.localPort, noDelay: o.noDelay ?? this.opts.noDelay }, { onConnect() {}, onReadable() {}, onWritable() {}, onError() {}, onClose() {} });
      this.attach(host, sk);
    } catch (e) {
      const errno = e instanceof StackError ? e.errno : -EINVAL;
      const err = sysError(errno, 'connect', this.peerText, port);
      process.nextTick(() => {
        this.connecting = false;
        this.destroy(err);
      });
    }
    return this;
  }

  /** TCP_NODELAY: Nagle off (default true, as Node). */
  setNoDelay(noDelay = true): this {
    this.opts.noDelay = noDelay;
    this.sk?.setNoDelay(noDelay);
    return this;
  }

  /**
   * Node's setKeepAlive(): SO_KEEPALIVE with TCP_KEEPIDLE = initialDelay (ms, in whole seconds;
   * 0 keeps the system's idle time), TCP_KEEPINTVL = 1 s and TCP_KEEPCNT = 10.
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    const sk = this.sk;
    if (sk === null) {
      this.opts.keepAlive = enable;
      this.opts.keepAliveInitialDelay = initialDelay;
      return this;
    }
    const idle = Math.floor(initialDelay / 1000);
    sk.setKeepAlive(enable, idle > 0 ? idle * 1000 : undefined, enable ? 1000 : undefined, enable ? 10 : undefined);
    return this;
  }

  /** Idle timeout: `'timeout'` after `ms` without activity; the socket stays open (Node's semantics). */
  setTimeout(ms: number, cb?: () => void): this {
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    this.idleMs = ms;
    if (ms === 0) this.idleTimer?.del();
    else this.refreshIdle();
    return this;
  }

  /** The idle timeout set by setTimeout(), or undefined. */
  get timeout(): number | undefined {
    return this.idleMs || undefined;
  }

  private refreshIdle(): void {
    if (this.idleMs <= 0 || this.clock === null) return;
    this.idleTimer ??= this.clock.timer<TcpSocket>((s) => s.emit('timeout'), this);
    this.idleTimer.mod(this.clock.now() + this.idleMs);
  }

  /** RST now (SO_LINGER 0), then destroy. */
  resetAndDestroy(): this {
    if (this.sk !== null && this.sk.state !== TCP_CLOSE) this.sk.abort();
    this.destroy();
    return this;
  }

  /** end(), and destroy once the writes are flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** A no-op (the stack, not the socket, keeps the process alive). */
  ref(): this {
    return this;
  }

  /** A no-op. */
  unref(): this {
    return this;
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this._bytesRead;
  }

  /** Bytes written, including those still buffered. */
  get bytesWritten(): number {
    return this._bytesWritten + (this.pendingWrite?.chunk.length ?? 0) + this.writableLength;
  }

  /** Not connected yet. */
  get pending(): boolean {
    return this.sk === null || this.connecting;
  }

  /** `opening`, `open`, `readOnly`, `writeOnly` or `closed`, as net.Socket. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  private get established(): boolean {
    const st = this.sk?.state ?? TCP_CLOSE;
    return this.sk !== null && st !== TCP_SYN_SENT && (st !== TCP_CLOSE || this._bytesRead > 0 || this.sk.err === 0);
  }

  /** The peer's address once connected (`::ffff:a.b.c.d` for IPv4 peers of a dual-stack server). */
  get remoteAddress(): string | undefined {
    return this.sk !== null && this.established && !this.connecting ? addrText(this.sk.remote, this.sk.v4mapped) : undefined;
  }

  /** The peer's port once connected. */
  get remotePort(): number | undefined {
    return this.sk !== null && this.established && !this.connecting ? this.sk.remotePort : undefined;
  }

  /** `IPv4` or `IPv6`. */
  get remoteFamily(): 'IPv4' | 'IPv6' | undefined {
    if (this.sk === null || !this.established || this.connecting) return undefined;
    return this.sk.v4mapped || this.sk.remote.family === 6 ? 'IPv6' : 'IPv4';
  }

  /** Our address. */
  get localAddress(): string | undefined {
    return this.sk !== null ? addrText(this.sk.local, this.sk.v4mapped) : undefined;
  }

  /** Our port. */
  get localPort(): number | undefined {
    return this.sk?.localPort;
  }

  /** `IPv4` or `IPv6`. */
  get localFamily(): 'IPv4' | 'IPv6' | undefined {
    if (this.sk === null) return undefined;
    return this.sk.v4mapped || this.sk.local.family === 6 ? 'IPv6' : 'IPv4';
  }

  /** socket.address(): the local end. */
  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.sk === null) return {};
    return { address: this.localAddress!, family: this.localFamily!, port: this.sk.localPort };
  }

  /** The engine's state (TCP_* of src/tcp/tcp_states.ts), for inspection. */
  get tcpState(): number {
    return this.sk?.state ?? TCP_CLOSE;
  }

  /** Is the connection established (for tests and tools). */
  get isEstablished(): boolean {
    return this.sk?.state === TCP_ESTABLISHED;
  }
}

/** Options of {@link TcpServer} (net.Server's). */
export interface TcpServerOptions {
  /** The accepted sockets' allowHalfOpen. */
  allowHalfOpen?: boolean;
  /** Accepted sockets start paused. */
  pauseOnConnect?: boolean;
  /** TCP_NODELAY on accepted sockets. */
  noDelay?: boolean;
  /** SO_KEEPALIVE on accepted sockets. */
  keepAlive?: boolean;
  /** Their keepalive idle time, ms. */
  keepAliveInitialDelay?: number;
  /** Their highWaterMark. */
  highWaterMark?: number;
}

/** Options of {@link TcpServer.listen}. */
export interface TcpListenOptions {
  /** 0 or absent: an ephemeral port. */
  port?: number | string;
  /** Default `::` (both families) or `0.0.0.0` when IPv6 is off. */
  host?: string;
  /** The accept-queue length (default 511, capped by net.core.somaxconn). */
  backlog?: number;
  /** `::` takes IPv6 only. */
  ipv6Only?: boolean;
  /** Accepted and ignored (there is no cluster). */
  exclusive?: boolean;
}

/**
 * net.Server over a tapstack listener: `listen()` overloads, `'listening'`, `'connection'`,
 * `'error'` (EADDRINUSE as Node words it), `'close'` once the last connection is gone,
 * `maxConnections` with `'drop'`, `getConnections()`, `address()`.
 */
export class TcpServer extends EventEmitter {
  private l: TcpListenSock | null = null;
  private connections = 0;
  private closing = false;
  private closeCbs: ((err?: Error) => void)[] = [];
  /** Refuse connections beyond this many (net.Server#maxConnections). */
  maxConnections: number | undefined = undefined;
  private addr: { address: string; family: string; port: number } | null = null;

  /** Made by {@link Stack.createServer}. */
  constructor(
    private readonly host: TcpHost,
    private readonly opts: TcpServerOptions = {},
    listener?: (socket: TcpSocket) => void,
  ) {
    super();
    if (listener) this.on('connection', listener);
  }

  /** listen() succeeded and close() was not called. */
  get listening(): boolean {
    return this.l !== null;
  }

  /** listen(port?, host?, backlog?, cb?) or listen(options, cb?). */
  listen(...args: unknown[]): this {
    let o: TcpListenOptions = {};
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
    if (typeof args[0] === 'object' && args[0] !== null) o = args[0] as TcpListenOptions;
    else {
      o.port = args[0] as number | undefined;
      if (typeof args[1] === 'string') {
        o.host = args[1];
        if (typeof args[2] === 'number') o.backlog = args[2];
      } else if (typeof args[1] === 'number') o.backlog = args[1];
    }
    if (this.l !== null) throw nodeError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    const port = o.port === undefined || o.port === null ? 0 : validatePort(o.port, true);
    if (cb) this.once('listening', cb);
    const hostText = o.host ?? (this.host.ipv6 ? '::' : '0.0.0.0');
    const local = parseHost(hostText, this.host.net);
    if (local === null) {
      process.nextTick(() => this.emit('error', sysError(-EINVAL, 'listen', hostText, port)));
      return this;
    }
    const any = local.family === 4 ? local.addr === 0 : ipv6AddrAny(local.addr);
    try {
      this.l = this.host.tcp.listen(
        { local: any ? null : local, family: local.family, port, backlog: o.backlog ?? 511, ipv6Only: o.ipv6Only ?? false },
        { onAcceptable: () => this.acceptAll() },
      );
    } catch (e) {
      const errno = e instanceof StackError ? e.errno : -EINVAL;
      const err = sysError(errno, 'listen', hostText, port);
      // Node: "listen EADDRINUSE: address already in use :::80".
      if (Math.abs(errno) === EADDRINUSE) err.message = `listen EADDRINUSE: address already in use ${hostText}:${port}`;
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    this.addr = { address: addrText(local), family: local.family === 4 ? 'IPv4' : 'IPv6', port: this.l.port };
    process.nextTick(() => this.emit('listening'));
    return this;
  }

  /** inet_csk_accept() as long as children wait, each a TcpSocket on 'connection'. */
  private acceptAll(): void {
    const l = this.l;
    if (l === null) return;
    for (let sk = l.accept(); sk !== null; sk = l.accept()) {
      if (this.maxConnections !== undefined && this.connections >= this.maxConnections) {
        const info = {
          localAddress: addrText(sk.local, sk.v4mapped), localPort: sk.localPort, localFamily: sk.v4mapped || sk.local.family === 6 ? 'IPv6' : 'IPv4',
          remoteAddress: addrText(sk.remote, sk.v4mapped), remotePort: sk.remotePort, remoteFamily: sk.v4mapped || sk.remote.family === 6 ? 'IPv6' : 'IPv4',
        };
        sk.close();
        this.emit('drop', info);
        continue;
      }
      const s = new TcpSocket({ allowHalfOpen: this.opts.allowHalfOpen, noDelay: this.opts.noDelay, keepAlive: this.opts.keepAlive, keepAliveInitialDelay: this.opts.keepAliveInitialDelay, highWaterMark: this.opts.highWaterMark });
      s.attach(this.host, sk);
      s.ownerServer = this;
      this.connections++;
      if (this.opts.pauseOnConnect) s.pause();
      this.emit('connection', s);
      // Data that came with the handshake's ACK.
      (s as unknown as { pull(): void }).pull();
    }
  }

  /** @internal A connection of this server closed. */
  connectionClosed(): void {
    this.connections--;
    this.maybeClosed();
  }

  private maybeClosed(): void {
    if (this.closing && this.connections <= 0) {
      this.closing = false;
      const cbs = this.closeCbs.splice(0);
      this.emit('close');
      for (const cb of cbs) cb();
    }
  }

  /** Stops listening; `'close'` once every connection has closed. */
  close(cb?: (err?: Error) => void): this {
    if (this.l === null) {
      if (cb) process.nextTick(() => cb(nodeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.')));
      return this;
    }
    this.l.close();
    this.l = null;
    this.closing = true;
    if (cb) this.closeCbs.push(cb);
    process.nextTick(() => this.maybeClosed());
    return this;
  }

  /** `{ address, family, port }` while listening, else null. */
  address(): { address: string; family: string; port: number } | null {
    return this.l !== null ? this.addr : null;
  }

  /** The number of open connections, to `cb`. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(() => cb(null, this.connections));
    return this;
  }

  /** A no-op. */
  ref(): this {
    return this;
  }

  /** A no-op. */
  unref(): this {
    return this;
  }
}

