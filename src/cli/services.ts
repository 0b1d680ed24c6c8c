// `tapstack up --serve`: inetd's internal services (inetd.c's echo_stream/echo_dg, discard_*,
// chargen_*, daytime_*: RFC 862, 863, 864, 867) and a small HTTP server, on the stack's own sockets.
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { Stack } from '../stack.js';
import type { TcpServer, TcpSocket } from '../socket/net.js';
import type { UdpRemoteInfo, UdpSocket } from '../socket/dgram.js';
import { TCP_CLOSE, TCP_FIN_WAIT2, TCP_TIME_WAIT } from '../tcp/tcp_states.js';
import { UsageError } from './args.js';

/** The services `--serve` knows. */
export type ServiceName = 'echo' | 'discard' | 'chargen' | 'daytime' | 'http';

/** One service on one port of one protocol. */
export interface ServeEntry {
  service: ServiceName;
  proto: 'tcp' | 'udp';
  port: number;
}

/** Their ports in /etc/services. */
export const SERVICE_PORTS: Readonly<Record<ServiceName, number>> = { echo: 7, discard: 9, daytime: 13, chargen: 19, http: 80 };
const NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];
/** The protocols each service runs on (inetd's biltins table; http is TCP only). */
const PROTOS: Readonly<Record<ServiceName, readonly ('tcp' | 'udp')[]>> = { echo: ['tcp', 'udp'], discard: ['tcp', 'udp'], daytime: ['tcp', 'udp'], chargen: ['tcp', 'udp'], http: ['tcp'] };

/** The largest N of `GET /bytes/N` (1 GiB). */
export const HTTP_BYTES_MAX = 1 << 30;

/**
 * Parses `--serve` values: comma-separated `SERVICE[/tcp|/udp][:PORT]` (or `SERVICE:PORT/PROTO`,
 * the /etc/services order), `all` for every service on its own port. Throws a UsageError for an
 * unknown service, a bad port or protocol, or a port/protocol given twice.
 */
export function parseServe(values: string[]): ServeEntry[] {
  const out: ServeEntry[] = [];
  for (const given of values) {
    const items = given.split(',');
    for (const raw of items) {
      const bad = (why: string): never => {
        throw new UsageError(`invalid --serve '${items.length > 1 && raw.trim() !== '' ? raw : given}': ${why}`);
      };
      const item = raw.trim();
      if (item === '') bad(items.length > 1 ? 'an empty item' : 'expected SERVICE[/tcp|/udp][:PORT]');
      const m = /^([^/:]*)(?:\/([^/:]*))?(?::([^/:]*))?(?:\/([^/:]*))?$/.exec(item);
      if (!m) bad('expected SERVICE[/tcp|/udp][:PORT]');
      const [, name, proto1, portText, proto2] = m!;
      if (proto1 !== undefined && proto2 !== undefined) bad('the protocol is given twice');
      const protoText = proto1 ?? proto2;
      if (protoText !== undefined && protoText !== 'tcp' && protoText !== 'udp') bad(`unknown protocol '${protoText}' (expected tcp or udp)`);
      const proto = protoText as 'tcp' | 'udp' | undefined;
      const names: ServiceName[] = name === 'all' ? NAMES : (NAMES as string[]).includes(name) ? [name as ServiceName] : [];
      if (names.length === 0) bad(`unknown service '${name}' (known: ${NAMES.join(', ')}, all)`);
      let port: number | undefined;
      if (portText !== undefined) {
        if (name === 'all') bad('all serves each service on its own port; give SERVICE:PORT for another port');
        port = Number(portText);
        if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) bad(`invalid port '${portText}' (expected 1-65535)`);
      }
      for (const svc of names) {
        if (proto !== undefined && !PROTOS[svc].includes(proto)) {
          if (name === 'all') continue;
          bad(`${svc} runs over ${PROTOS[svc].map((x) => x.toUpperCase()).join(' and ')} only`);
        }
        for (const p of proto !== undefined ? [proto] : PROTOS[svc]) {
          const e: ServeEntry = { service: svc, proto: p, port: port ?? SERVICE_PORTS[svc] };
          const clash = out.find((o) => o.proto === e.proto && o.port === e.port);
          if (clash) bad(clash.service === svc ? `${svc} on ${e.port}/${e.proto} is given twice` : `port ${e.port}/${e.proto} is already served by ${clash.service}`);
          out.push(e);
        }
      }
    }
  }
  return out;
}

/** `echo 7/tcp 7/udp, http 80/tcp`: what is served, by service in the order given. */
export function formatServe(entries: ServeEntry[]): string {
  const by = new Map<ServiceName, string[]>();
  for (const e of entries) {
    const l = by.get(e.service) ?? [];
    l.push(`${e.port}/${e.proto}`);
    by.set(e.service, l);
  }
  return [...by].map(([s, ports]) => `${s} ${ports.join(' ')}`).join(', ');
}

// ---- the data --------------------------------------------------------------------------------

/** inetd's ring: the printable ASCII characters, ' ' to '~' (95). */
const RING = Buffer.from(Array.from({ length: 95 }, (_, i) => 0x20 + i));
const LINESIZ = 72;

/** chargen's line number `i` (from 0): 72 characters of the ring from position i, then CR LF. */
export function chargenLine(i: number): Buffer {
  const b = Buffer.alloc(LINESIZ + 2);
  for (let j = 0; j < LINESIZ; j++) b[j] = RING[(i + j) % RING.length];
  b[LINESIZ] = 0x0d;
  b[LINESIZ + 1] = 0x0a;
  return b;
}

/** One period of chargen's stream: 95 lines, 7030 bytes; the stream repeats it. */
export const CHARGEN_CYCLE: Buffer = Buffer.concat(Array.from({ length: RING.length }, (_, i) => chargenLine(i)));
/** Whole cycles, so consecutive writes continue the pattern (63270 bytes). */
const CHARGEN_CHUNK = Buffer.concat(Array(9).fill(CHARGEN_CYCLE));

/** The first `n` bytes of the chargen stream (what `GET /bytes/N` sends). */
export function chargenBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let off = 0; off < n; off += CHARGEN_CYCLE.length) CHARGEN_CYCLE.copy(b, off, 0, Math.min(CHARGEN_CYCLE.length, n - off));
  return b;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** inetd's daytime: `sprintf("%.24s\r\n", ctime(&now))`, local time (`Thu Dec  3 06:20:00 2026`). */
export function daytimeText(d: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}\r\n`;
}

/** A peer's address as people write it: v4-mapped ones as the IPv4 address. */
function plainAddr(a: string | undefined): string {
  if (a === undefined) return '?';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

// ---- running them ----------------------------------------------------------------------------

/** Counters of one TCP service (`tapstack stat 'serve.*'`). */
export interface ServeTcpStats {
  /** Connections accepted. */
  accepted: number;
  /** Connections open now. */
  open: number;
  /** http: requests answered. */
  requests?: number;
}

/** Counters of one UDP service. */
export interface ServeUdpStats {
  /** Datagrams received. */
  received: number;
  /** Datagrams sent in answer. */
  sent: number;
  /** Datagrams ignored for their source port (below 1024 or 2049: inetd's loop protection). */
  ignored: number;
  /** Answers the stack refused to send (EMSGSIZE, no route, ...). */
  sendErrors: number;
}

/** Options of {@link Services.start}. */
export interface ServicesOptions {
  /** The first line of the HTTP front page, naming the stack. */
  about?: string;
  /** The time for daytime (default: now). */
  now?: () => Date;
  /** How long close() waits for connections to finish their close handshakes, ms (default 250). */
  graceMs?: number;
}

interface Conn {
  sock: TcpSocket;
  stop(): void;
}

/**
 * The running services of one stack: a TcpServer per TCP entry, a UdpSocket per UDP entry, on
 * `::` (IPv6 and IPv4) or `0.0.0.0` when IPv6 is off. close() (also run by stack.close()) stops
 * listening, ends every connection with a FIN and waits up to `graceMs` for the handshakes.
 */
export class Services {
  /** Counters by service and protocol: `stats.echo.tcp.accepted`. */
  readonly stats: Record<string, { tcp?: ServeTcpStats; udp?: ServeUdpStats }> = {};
  private readonly servers: TcpServer[] = [];
  private readonly udps: UdpSocket[] = [];
  private readonly conns = new Set<Conn>();
  private readonly httpServer: http.Server;
  private chargenPos = 0;
  private closing: Promise<void> | null = null;
  private stopping = false;

  private constructor(
    private readonly stack: Stack,
    readonly entries: ServeEntry[],
    /** The address everything listens on: `::` or `0.0.0.0`. */
    readonly host: '::' | '0.0.0.0',
    private readonly opts: ServicesOptions,
  ) {
    this.httpServer = http.createServer((req, res) => this.onRequest(req, res));
    // A socket the HTTP parser gives up on (bad request, or a write after close() ended it).
    this.httpServer.on('clientError', (_err, sock) => sock.destroy());
  }

  /**
   * Listens for every entry; resolves once all are listening, rejects with the first failure
   * (`echo 7/tcp: listen EADDRINUSE: address already in use :::7`) after closing the others.
   */
  static async start(stack: Stack, entries: ServeEntry[], opts: ServicesOptions = {}): Promise<Services> {
    const host = stack.inet6.conf.all.get('disable_ipv6') === 0 ? '::' : '0.0.0.0';
    const svc = new Services(stack, entries, host, opts);
    stack.addCloseHook(() => svc.close());
    try {
      for (const e of entries) await svc.listen(e);
    } catch (err) {
      await svc.close();
      throw err;
    }
    return svc;
  }

  /** The status line's text: `echo 7/tcp 7/udp, http 80/tcp on :: (IPv6 and IPv4)`. */
  describe(): string {
    return `${formatServe(this.entries)} on ${this.host}${this.host === '::' ? ' (IPv6 and IPv4)' : ''}`;
  }

  private listen(e: ServeEntry): Promise<void> {
    const st = (this.stats[e.service] ??= {});
    const fail = (err: Error): Error => new Error(`${e.service} ${e.port}/${e.proto}: ${err.message}`);
    if (e.proto === 'tcp') {
      const s: ServeTcpStats = e.service === 'http' ? { accepted: 0, open: 0, requests: 0 } : { accepted: 0, open: 0 };
      if (!st.tcp) st.tcp = s;
      // echo, discard and chargen go on after the peer's FIN (inetd's loop until read/write fails).
      const srv = this.stack.createServer({ allowHalfOpen: e.service !== 'http' && e.service !== 'daytime' }, (sock) => {
        st.tcp!.accepted++;
        st.tcp!.open++;
        sock.on('close', () => st.tcp!.open--);
        this.accept(e.service, sock);
      });
      this.servers.push(srv);
      return new Promise((resolve, reject) => {
        srv.once('error', (err) => reject(fail(err)));
        srv.listen({ port: e.port, host: this.host }, () => resolve());
      });
    }
    const u: ServeUdpStats = { received: 0, sent: 0, ignored: 0, sendErrors: 0 };
    if (!st.udp) st.udp = u;
    const sock = this.stack.createSocket(this.host === '::' ? 'udp6' : 'udp4');
    this.udps.push(sock);
    sock.on('message', (msg, rinfo) => this.onDatagram(e.service, sock, st.udp!, msg, rinfo));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(fail(err));
      sock.once('error', onError);
      sock.bind(e.port, this.host, () => {
        sock.off('error', onError);
        // Errors about answers already sent (ICMP port unreachable from the peer): nothing to do.
        sock.on('error', () => {});
        resolve();
      });
    });
  }

  private accept(service: ServiceName, sock: TcpSocket): void {
    // A reset or a failed write ends the connection; that is all it means here.
    sock.on('error', () => {});
    const conn: Conn = { sock, stop: () => sock.end() };
    this.conns.add(conn);
    sock.on('close', () => this.conns.delete(conn));
    if (this.stopping) {
      sock.destroy();
      return;
    }
    switch (service) {
      case 'echo':
        // RFC 862: what arrives goes back; pipe() stops reading while the writes wait (the window closes).
        conn.stop = () => {
          sock.unpipe(sock);
          sock.end();
        };
        sock.pipe(sock);
        break;
      case 'discard':
        sock.on('data', () => {});
        sock.on('end', () => sock.end());
        break;
      case 'chargen': {
        // RFC 864: the 72-column rotating pattern until a write fails; one chunk waits at most.
        let stopped = false;
        const pump = (): void => {
          while (!stopped && sock.writable) {
            if (!sock.write(CHARGEN_CHUNK)) {
              sock.once('drain', pump);
              return;
            }
          }
        };
        conn.stop = () => {
          stopped = true;
          sock.end();
        };
        sock.on('data', () => {});
        pump();
        break;
      }
      case 'daytime':
        sock.on('data', () => {});
        sock.end(daytimeText(this.now()));
        break;
      case 'http':
        this.httpServer.emit('connection', sock);
        break;
    }
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  private onDatagram(service: ServiceName, sock: UdpSocket, st: ServeUdpStats, msg: Buffer, rinfo: UdpRemoteInfo): void {
    st.received++;
    // inetd's dg_badinput: never answer a privileged port (another service: an endless loop) or NFS.
    if (rinfo.port < 1024 || rinfo.port === 2049) {
      st.ignored++;
      return;
    }
    let reply: Buffer | string;
    switch (service) {
      case 'echo':
        reply = msg;
        break;
      case 'discard':
        return;
      case 'chargen':
        // inetd's chargen_dg: one line per datagram (74 bytes), the ring going on from the last one.
        reply = chargenLine(this.chargenPos);
        this.chargenPos = (this.chargenPos + 1) % RING.length;
        break;
      case 'daytime':
        reply = daytimeText(this.now());
        break;
      default:
        return;
    }
    sock.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) st.sendErrors++;
      else st.sent++;
    });
  }

  // ---- http ------------------------------------------------------------------------------------

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const st = this.stats.http?.tcp;
    if (st?.requests !== undefined) st.requests++;
    res.setHeader('Server', 'tapstack');
    const text = (code: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (method === 'POST' || method === 'PUT') {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => {
        h.update(d);
        n += d.length;
      });
      req.on('end', () => text(200, `length ${n}\nsha256 ${h.digest('hex')}\n`));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      text(405, `method ${method} not allowed: GET, HEAD, POST or PUT\n`, { Allow: 'GET, HEAD, POST, PUT' });
      return;
    }
    if (path === '/') {
      text(200, this.frontPage(req));
      return;
    }
    const m = /^\/bytes\/([^/]*)$/.exec(path);
    if (!m) {
      text(404, `not found: ${path}\n`);
      return;
    }
    const n = Number(m[1]);
    if (!/^\d{1,10}$/.test(m[1]) || n > HTTP_BYTES_MAX) {
      text(400, `bad /bytes/N: N is a number of bytes from 0 to ${HTTP_BYTES_MAX}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=us-ascii', 'Content-Length': n });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    // The chargen stream's first N bytes, written as fast as the connection takes them.
    let left = n;
    const pump = (): void => {
      while (left > 0) {
        if (this.stopping || res.destroyed) return;
        const c = left >= CHARGEN_CHUNK.length ? CHARGEN_CHUNK : CHARGEN_CHUNK.subarray(0, left);
        left -= c.length;
        if (!res.write(c)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  }

  private frontPage(req: http.IncomingMessage): string {
    const s = req.socket;
    const local = plainAddr(s.localAddress);
    const url = `http://${local.includes(':') ? `[${local}]` : local}${s.localPort === 80 ? '' : `:${s.localPort}`}`;
    return [
      this.opts.about ?? 'tapstack: a userspace TCP/IP stack',
      `You are ${plainAddr(s.remoteAddress)} port ${s.remotePort}, talking to ${local} port ${s.localPort}.`,
      '',
      `GET /bytes/N    N bytes (0 to ${HTTP_BYTES_MAX}) of the chargen pattern, to measure throughput:`,
      `                curl -o /dev/null -w '%{speed_download}\\n' ${url}/bytes/100000000`,
      `POST or PUT     answers the body's length and SHA-256: curl --data-binary @FILE ${url}/`,
      '',
      `Served: ${formatServe(this.entries)}`,
      '',
    ].join('\n');
  }

  // ---- stopping --------------------------------------------------------------------------------

  /**
   * Stops listening and closes the UDP sockets, ends every connection (FIN after what is queued)
   * and waits until each FIN is acknowledged or `graceMs` has passed; idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.stopping = true;
    for (const srv of this.servers) if (srv.listening) srv.close();
    for (const u of this.udps) {
      try {
        u.close();
      } catch {
        // closed already (stack.close() got to it first)
      }
    }
    for (const c of this.conns) c.stop();
    const clock = this.stack.clock;
    const end = clock.now() + (this.opts.graceMs ?? 250);
    const done = (): boolean => [...this.conns].every((c) => [TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE].includes(c.sock.tcpState));
    await new Promise<void>((resolve) => {
      const t = clock.timer<null>(() => check(), null);
      const check = (): void => {
        if (done() || clock.now() >= end) {
          t.del();
          resolve();
        } else t.mod(Math.min(end, clock.now() + 5));
      };
      check();
    });
  }
}
