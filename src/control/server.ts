// The control socket of a running stack (the role of the kernel's NETLINK_ROUTE socket):
// a Unix stream socket at /run/tapstack/NAME.sock (directory 0700, socket 0600) speaking the
// NDJSON messages of protocol.ts. A bad request gets an error reply; it never reaches the stack.
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { EADDRINUSE, EMSGSIZE, StackError } from '../core/errno.js';
import type { ControlHandler, ControlPeer } from './handler.js';
import { CONTROL_VERSION, MAX_REQUEST_BYTES, Reply, encode, isBadRequest, parseRequest } from './protocol.js';

export interface ControlServerStats {
  connections: number;
  requests: number;
  badRequests: number;
  oversized: number;
  /** Connections dropped because they did not read their replies/events. */
  slowConsumers: number;
}

/** Unread output a client may leave behind before it is disconnected. */
const MAX_PENDING_OUTPUT = 4 * 1024 * 1024;

export class ControlServer {
  readonly stats: ControlServerStats = { connections: 0, requests: 0, badRequests: 0, oversized: 0, slowConsumers: 0 };
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly path: string,
    private readonly handler: ControlHandler,
  ) {}

  /** Creates the directory and socket; refuses when another live stack holds the path. */
  static async listen(handler: ControlHandler, path: string): Promise<ControlServer> {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    if (existsSync(path)) {
      if (await isLive(path)) throw new StackError(EADDRINUSE, `control socket ${path} is in use by another running stack (choose another --name)`);
      unlinkSync(path); // left behind by a stack that died
    }
    const server = createServer();
    const cs = new ControlServer(server, path, handler);
    server.on('connection', (s) => cs.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    // The socket must not keep a stack alive that has nothing else to do.
    server.unref();
    return cs;
  }

  private accept(sock: Socket): void {
    this.stats.connections++;
    this.sockets.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    let closed = false;
    const cleanups: (() => void)[] = [];
    const peer: ControlPeer = {
      send: (r: Reply) => {
        if (closed) return;
        if (sock.writableLength > MAX_PENDING_OUTPUT) {
          this.stats.slowConsumers++;
          sock.destroy();
          return;
        }
        sock.write(encode(r));
      },
      get closed() {
        return closed;
      },
      onClose: (fn) => cleanups.push(fn),
    };
    const finish = (): void => {
      if (closed) return;
      closed = true;
      this.sockets.delete(sock);
      for (const f of cleanups.splice(0)) f();
    };
    sock.on('close', finish);
    sock.on('error', finish);
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.length > MAX_REQUEST_BYTES) {
          this.refuseOversized(sock);
          return;
        }
        this.dispatch(line, peer);
      }
      if (buf.length > MAX_REQUEST_BYTES) this.refuseOversized(sock);
    });
  }

  private dispatch(line: string, peer: ControlPeer): void {
    if (line.trim() === '') return;
    const req = parseRequest(line);
    if (isBadRequest(req)) {
      this.stats.badRequests++;
      peer.send({ v: CONTROL_VERSION, seq: req.seq, error: req.error, msg: req.msg });
      return;
    }
    this.stats.requests++;
    void this.handler.handle(req, peer);
  }

  /** A line over the limit: say why, then hang up (the rest of it cannot be resynchronised). */
  private refuseOversized(sock: Socket): void {
    this.stats.oversized++;
    sock.end(encode({ v: CONTROL_VERSION, seq: 0, error: -EMSGSIZE, msg: `request too long (limit ${MAX_REQUEST_BYTES} bytes)` }));
    sock.destroySoon();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** Whether something answers on a Unix socket path. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
