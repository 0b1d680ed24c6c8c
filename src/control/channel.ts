// Client side of the control channel: requests matched to replies by sequence number (as
// libnetlink's rtnl_talk/rtnl_dump_filter do), over the Unix socket or in-process.
import { connect, Socket } from 'node:net';
import { errnoName, strerror } from '../core/errno.js';
import { CONTROL_VERSION, MAX_REQUEST_BYTES, MessageType, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, Reply, encode } from './protocol.js';
import type { ControlHandler, ControlPeer } from './handler.js';

/**
 * An error reply, or a channel that failed: `errno` is negative as in Node's system errors and
 * in the reply itself (EEXIST: -17), `code` its name, `message` the stack's text.
 */
export class ControlError extends Error {
  /** The negative errno (EEXIST: -17). */
  readonly errno: number;
  /** Its symbolic name (`'EEXIST'`), like Node's `err.code`. */
  readonly code: string;

  /**
   * @param errno the errno, either sign
   * @param message the stack's text
   */
  constructor(errno: number, message: string) {
    super(message);
    this.errno = -Math.abs(errno);
    this.code = errnoName(errno);
    this.name = 'ControlError';
  }
}

type Pending = { onMessage?: (r: Reply) => void; resolve: (r: Reply) => void; reject: (e: Error) => void };

/**
 * The client side of the control protocol: requests matched to replies by sequence number, dumps,
 * event subscriptions. {@link SocketChannel} talks to a running `tapstack up`; {@link LocalChannel}
 * to a {@link ControlHandler} in the same process.
 */
export abstract class ControlChannel {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners: ((r: Reply) => void)[] = [];
  protected closedWith: Error | null = null;
  private closedResolve!: (e: Error) => void;
  /** Settles with the reason once the channel can no longer be used (peer gone, close()). */
  readonly closed: Promise<Error> = new Promise((resolve) => {
    this.closedResolve = resolve;
  });

  /** The sequence number of the most recent call(), e.g. to TS_CANCEL a running ping. */
  get lastSeq(): number {
    return this.seq;
  }

  protected abstract sendRaw(line: string): void;
  /** Ends the channel: pending requests reject and {@link ControlChannel.closed} settles. */
  abstract close(): void;

  /** One request; resolves with its final reply, rejects with ControlError on error < 0. */
  call(type: MessageType, body: Record<string, unknown> = {}, flags = 0, onMessage?: (r: Reply) => void): Promise<Reply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const seq = ++this.seq;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(seq, { onMessage, resolve, reject });
      this.sendRaw(encode({ v: CONTROL_VERSION, seq, type, flags: flags | NLM_F_REQUEST | NLM_F_ACK, body }));
    });
  }

  /** A dump (NLM_F_DUMP): the items. */
  async dump<T = unknown>(type: MessageType, body: Record<string, unknown> = {}): Promise<T[]> {
    const r = await this.call(type, body, NLM_F_DUMP);
    return (r.items ?? []) as T[];
  }

  /**
   * Subscribes to event groups; `onEvent` receives every event message until the returned
   * function is called or the channel closes.
   */
  async subscribe(groups: string[], onEvent: (r: Reply) => void): Promise<() => void> {
    this.eventListeners.push(onEvent);
    const off = (): void => {
      const i = this.eventListeners.indexOf(onEvent);
      if (i >= 0) this.eventListeners.splice(i, 1);
    };
    try {
      await this.call('TS_SUBSCRIBE', { groups });
    } catch (e) {
      off();
      throw e;
    }
    return off;
  }

  /** Feeds one received line; unparsable lines fail every pending request (the peer is broken). */
  protected receiveLine(line: string): void {
    let r: Reply;
    try {
      r = JSON.parse(line) as Reply;
    } catch {
      this.fail(new ControlError(71, 'malformed reply from the stack'));
      return;
    }
    if (r.seq === 0 && r.event !== undefined) {
      for (const l of this.eventListeners) l(r);
      return;
    }
    const p = this.pending.get(r.seq);
    if (!p) return;
    if (r.line !== undefined && r.done === undefined && r.error === undefined) {
      p.onMessage?.(r);
      return;
    }
    this.pending.delete(r.seq);
    if (r.error !== undefined && r.error < 0) p.reject(new ControlError(r.error, r.msg ?? `error ${-r.error}`));
    else p.resolve(r);
  }

  protected fail(e: Error): void {
    if (this.closedWith === null) this.closedResolve(e);
    this.closedWith ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** In-process channel: the same handler and JSON round trip as the socket, without a socket. */
export class LocalChannel extends ControlChannel {
  private isClosed = false;
  private readonly cleanups: (() => void)[] = [];
  /** One peer for the channel's lifetime, as one socket connection is one peer. */
  private readonly peer: ControlPeer;

  /** A channel to `handler` in this process (each LocalChannel is one peer, like one connection). */
  constructor(private readonly handler: ControlHandler) {
    super();
    const self = this;
    this.peer = {
      send: (r) => {
        if (!self.isClosed) queueMicrotask(() => self.receiveLine(JSON.stringify(r)));
      },
      get closed() {
        return self.isClosed;
      },
      onClose: (fn) => self.cleanups.push(fn),
    };
  }

  protected sendRaw(line: string): void {
    void this.handler.handle(JSON.parse(line), this.peer);
  }

  close(): void {
    this.isClosed = true;
    for (const f of this.cleanups.splice(0)) f();
    this.fail(new ControlError(32, 'channel closed'));
  }
}

/** The error for a failed connect(): names the socket and the likely cause. */
function connectError(path: string, e: NodeJS.ErrnoException): ControlError {
  const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is the stack running?)' : '';
  const errno = e.errno ? -e.errno : 111;
  return new ControlError(errno, `cannot connect to ${path}: ${strerror(errno)}${why}`);
}

/** The Unix socket channel to a running `tapstack up`. */
export class SocketChannel extends ControlChannel {
  private buf = '';
  private sock: Socket | null = null;
  /** Told first when connecting fails (before the pending requests reject), e.g. to report it once. */
  onConnectError: ((e: ControlError) => void) | null = null;

  private constructor(private readonly path: string) {
    super();
  }

  /** Wires a (possibly still connecting) socket to the channel. */
  private attach(sock: Socket): Socket {
    this.sock = sock;
    let connected = false;
    sock.once('connect', () => {
      connected = true;
    });
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      if (this.buf.length > 64 * MAX_REQUEST_BYTES && this.buf.indexOf('\n') < 0) {
        this.fail(new ControlError(90, 'reply too long'));
        sock.destroy();
        return;
      }
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.receiveLine(line);
      }
    });
    sock.on('close', () => this.fail(new ControlError(104, 'the stack closed the control connection')));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) return this.fail(e);
      const err = connectError(this.path, e);
      this.onConnectError?.(err);
      this.fail(err);
    });
    return sock;
  }

  /** Connects now; rejects with the `cannot connect to PATH: ...` ControlError. */
  static open(path: string): Promise<SocketChannel> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      const onErr = (e: NodeJS.ErrnoException): void => reject(connectError(path, e));
      s.once('error', onErr);
      s.once('connect', () => {
        s.off('error', onErr);
        const ch = new SocketChannel(path);
        ch.attach(s);
        resolve(ch);
      });
    });
  }

  /**
   * A channel that connects on its first request, so that a command's `--help` and usage
   * errors never need a running stack; a failed connect rejects that request (and every later
   * one) with the same error as {@link SocketChannel.open}.
   */
  static lazy(path: string): SocketChannel {
    return new SocketChannel(path);
  }

  protected sendRaw(line: string): void {
    (this.sock ?? this.attach(connect(this.path))).write(line);
  }

  close(): void {
    if (this.sock) {
      this.sock.end();
      this.sock.destroy();
    } else {
      this.fail(new ControlError(32, 'channel closed'));
    }
  }
}
