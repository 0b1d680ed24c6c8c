// The control socket of a running stack (the role of the kernel's NETLINK_ROUTE socket):
// a Unix stream socket at /run/tapstack/NAME.sock (socket 0600, or 0660 for a read-only group)
// speaking the NDJSON messages of protocol.ts. A bad request gets an error reply; it never reaches the stack.
import { type Stats, chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { EACCES, EADDRINUSE, EBUSY, EEXIST, EMSGSIZE, EPERM, StackError } from '../core/errno.js';
import { peerCred } from '../drivers/tap_addon.js';
import type { ControlHandler, ControlPeer } from './handler.js';
import { CONTROL_VERSION, MAX_REQUEST_BYTES, NLM_F_DUMP, Reply, Request, encode, isBadRequest, parseRequest } from './protocol.js';

/** How {@link ControlServer.listen} guards the socket. */
export interface ControlServerOptions {
  /** Members of this group may connect and read (dumps, gets, events, stats), not change; default none. */
  readonlyGroup?: number | null;
  /** Connections served at once; more are refused with EBUSY; default 64. */
  maxConnections?: number;
  /** Requests per second per connection (a token bucket of one second's worth); default 2000. */
  maxRequestsPerSecond?: number;
}

/** What a peer may do: root and the stack's own user everything, the read-only group reads. */
type Access = 'admin' | 'read';

/** Requests that only read (RTM_GET*, statistics, events, sysctl reads). */
function isReadOnly(req: Request): boolean {
  switch (req.type) {
    case 'RTM_GETNEIGH':
    case 'RTM_GETNEIGHTBL':
    case 'RTM_GETLINK':
    case 'RTM_GETADDR':
    case 'RTM_GETROUTE':
    case 'TS_SUBSCRIBE':
    case 'TS_STAT':
    case 'ETHTOOL_MSG_FEATURES_GET':
      return true;
    case 'TS_SYSCTL':
      return ((req.flags ?? 0) & NLM_F_DUMP) === NLM_F_DUMP || req.body?.value === undefined;
    default:
      return false;
  }
}

/** Supplementary groups of a process (SO_PEERCRED only carries the primary one). */
function processGroups(pid: number): number[] {
  try {
    const m = /^Groups:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? m[1].trim().split(/\s+/).filter(Boolean).map(Number) : [];
  } catch {
    return [];
  }
}

/** The control socket's counters (`control.*`). */
export interface ControlServerStats {
  /** Connections accepted on the socket, counted before the access and limit checks. */
  connections: number;
  /** Requests passed to the handler (well-formed, allowed and within the rate limit). */
  requests: number;
  /** Lines refused before the stack: not JSON, other version, unknown type or malformed body. */
  badRequests: number;
  /** Connections closed for a request line over 64 KiB (-EMSGSIZE). */
  oversized: number;
  /** Connections dropped because they left over 4 MiB of replies/events unread. */
  slowConsumers: number;
  /** Connections refused: a peer not allowed (EACCES), or past maxConnections (EBUSY). */
  refused: number;
  /** Change requests refused to read-only peers (-EPERM). */
  denied: number;
  /** Requests over maxRequestsPerSecond, answered -EBUSY and not run. */
  rateLimited: number;
}

/** Unread output a client may leave behind before it is disconnected. */
const MAX_PENDING_OUTPUT = 4 * 1024 * 1024;

/**
 * Serves a {@link ControlHandler} on a Unix socket (what `tapstack up` runs): socket 0600 (0660
 * with a read-only group), peer credentials checked per connection, bounded requests.
 * Closed by its own close() or by the stack's. Create it with {@link ControlServer.listen}.
 */
export class ControlServer {
  /** Problems found while setting up that do not stop the server (`tapstack up` prints them). */
  readonly warnings: string[] = [];
  /** Connection and request counters (also in `tapstack stat 'control.*'`). */
  readonly stats: ControlServerStats = {
    connections: 0, requests: 0, badRequests: 0, oversized: 0, slowConsumers: 0, refused: 0, denied: 0, rateLimited: 0,
  };
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | null = null;
  private unhook: () => void = () => {};

  private readonly readonlyGroup: number | null;
  private readonly maxConnections: number;
  private readonly ratePerSec: number;

  private constructor(
    private readonly server: Server,
    /** The socket's path. */
    readonly path: string,
    private readonly handler: ControlHandler,
    opts: ControlServerOptions,
  ) {
    this.readonlyGroup = opts.readonlyGroup ?? null;
    this.maxConnections = opts.maxConnections ?? 64;
    this.ratePerSec = opts.maxRequestsPerSecond ?? 2000;
  }

  /**
   * Creates the socket (and its directory, 0755, only if missing: an existing directory keeps
   * its mode) and starts serving; the socket does not keep the process alive, and closing the
   * handler's stack closes it.
   *
   * @throws StackError `EADDRINUSE` when another live stack holds the path (a stale socket is replaced); `EEXIST` when a file that is not a socket is at the path; file system errors as thrown by Node.
   */
  static async listen(handler: ControlHandler, path: string, opts: ControlServerOptions = {}): Promise<ControlServer> {
    const dir = dirname(path);
    const group = opts.readonlyGroup ?? null;
    ensureRunDir(dir);
    const st = lstatOrNull(path);
    if (st) {
      if (!st.isSocket()) throw new StackError(EEXIST, `control socket ${path}: a file that is not a socket is in the way`);
      if (await isLive(path)) throw new StackError(EADDRINUSE, `control socket ${path} is in use by another running stack (choose another --name)`);
      unlinkSync(path); // left behind by a stack that died
    }
    const server = createServer();
    const cs = new ControlServer(server, path, handler, opts);
    handler.extraStats.control = cs.stats;
    server.on('connection', (s) => cs.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // bind() creates the socket file with 0777 & ~umask: with umask 0177 it is 0600 from the
      // first instant, so no other user can connect before the chmod below.
      const umask = process.umask(0o177);
      try {
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
    });
    // Access is decided per socket (its mode, then the peer's credentials), never by the
    // directory, which other instances share.
    if (group !== null) chownSync(path, process.getuid!(), group);
    chmodSync(path, group !== null ? 0o660 : 0o600);
    if (group !== null && !searchableBy(dir, group)) {
      cs.warnings.push(`the read-only group cannot reach ${path}: ${dir} (mode ${(statSync(dir).mode & 0o7777).toString(8).padStart(4, '0')}) does not let it in; tapstack leaves the mode of a directory it did not create alone`);
    }
    // The socket must not keep a stack alive that has nothing else to do.
    server.unref();
    // Closing the stack closes its control socket.
    cs.unhook = handler.stack.addCloseHook(() => cs.close());
    return cs;
  }

  /**
   * The peer's rights from SO_PEERCRED: root and our own user administer; members of the
   * read-only group read; anyone else (only possible if the file modes were loosened) is refused.
   * Without credentials (no native addon) the file mode is all there is: the owner, or the group.
   */
  private accessOf(sock: Socket): Access | null {
    const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
    let cred: { pid: number; uid: number; gid: number } | null = null;
    try {
      if (typeof fd === 'number' && fd >= 0) cred = peerCred(fd);
    } catch {
      cred = null;
    }
    if (cred === null) return this.readonlyGroup === null ? 'admin' : 'read';
    if (cred.uid === 0 || cred.uid === process.getuid!()) return 'admin';
    const g = this.readonlyGroup;
    if (g !== null && (cred.gid === g || processGroups(cred.pid).includes(g))) return 'read';
    return null;
  }

  private accept(sock: Socket): void {
    this.stats.connections++;
    const access = this.accessOf(sock);
    const refuse = (error: number, msg: string): void => {
      this.stats.refused++;
      sock.end(encode({ v: CONTROL_VERSION, seq: 0, error: -error, msg }));
      sock.destroySoon();
    };
    if (access === null) return refuse(EACCES, 'permission denied: only root, the stack\'s user or its read-only group may connect');
    if (this.sockets.size >= this.maxConnections) return refuse(EBUSY, `too many control connections (limit ${this.maxConnections})`);
    this.sockets.add(sock);
    let tokens = this.ratePerSec;
    let last = Date.now();
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
      get backlog() {
        return sock.writableLength;
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
        const now = Date.now();
        tokens = Math.min(this.ratePerSec, tokens + ((now - last) * this.ratePerSec) / 1000);
        last = now;
        if (tokens < 1) {
          this.stats.rateLimited++;
          peer.send({ v: CONTROL_VERSION, seq: seqOf(line), error: -EBUSY, msg: `request rate limit exceeded (${this.ratePerSec}/s)` });
          continue;
        }
        tokens--;
        this.dispatch(line, peer, access);
      }
      if (buf.length > MAX_REQUEST_BYTES) this.refuseOversized(sock);
    });
  }

  private dispatch(line: string, peer: ControlPeer, access: Access): void {
    if (line.trim() === '') return;
    const req = parseRequest(line);
    if (isBadRequest(req)) {
      this.stats.badRequests++;
      peer.send({ v: CONTROL_VERSION, seq: req.seq, error: req.error, msg: req.msg });
      return;
    }
    if (access === 'read' && !isReadOnly(req)) {
      this.stats.denied++;
      peer.send({ v: CONTROL_VERSION, seq: req.seq, error: -EPERM, msg: `${req.type}: read-only access (root or the stack's user may change it)` });
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

  /**
   * Disconnects every client, stops listening and removes the socket file. Idempotent; also
   * run by the stack's close().
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unhook();
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    })();
    return this.closing;
  }
}

/** The seq of a request line, for a reply to one that is refused before parsing. */
function seqOf(line: string): number {
  const m = /"seq"\s*:\s*(\d{1,15})/.exec(line);
  return m ? Number(m[1]) : 0;
}

/**
 * Creates the run directory when it is missing, 0755 like the other directories under /run, so
 * that every instance's socket can be reached and each socket's own mode decides who gets in.
 * A directory that exists is left exactly as it is: tapstack never changes the mode of a
 * directory it did not create (a 1777 TAPSTACK_RUN_DIR stays 1777).
 */
function ensureRunDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  // What mkdir made (from `first` down to `dir`) gets 0755 whatever the umask.
  for (let d = dir; ; d = dirname(d)) {
    chmodSync(d, 0o755);
    if (d === first || dirname(d) === d) break;
  }
}

/** Whether members of `gid` (not the owner) may traverse `dir`. */
function searchableBy(dir: string, gid: number): boolean {
  const st = statSync(dir);
  return (st.mode & 0o001) !== 0 || (st.gid === gid && (st.mode & 0o010) !== 0);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
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
