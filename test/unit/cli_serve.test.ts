// `tapstack up --serve`: the argument syntax and its usage errors, the services' data (inetd's
// chargen ring, ctime's daytime), and the services themselves between two in-memory stacks: B
// runs them (src/cli/services.ts), A is the client, both on the manual clock.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';
import { UsageError } from '../../src/cli/args.js';
import { UP_HELP, parseUpArgs } from '../../src/cli/up.js';
import { CHARGEN_CYCLE, HTTP_BYTES_MAX, Services, chargenBytes, chargenLine, daytimeText, formatServe, parseServe } from '../../src/cli/services.js';
import type { TcpSocket } from '../../src/socket/net.js';

afterEach(() => closeStacks());

type Env = ReturnType<typeof twoStacks>;

/**
 * Runs the wire and the manual clock in 1 ms steps, letting Node's ticks run between them, until
 * `done()`. The wire's rounds per turn are bounded: chargen refills its send buffer from inside the
 * ACK that empties it (a write callback completing synchronously), so an unbounded delivery loop
 * would never end.
 */
async function drive(env: Env, done: () => boolean, maxMs = 20000): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t++) {
    for (let i = 0; i < 20; i++) {
      for (let k = 0; k < 50 && env.ea.deliverPending() + env.eb.deliverPending() > 0; k++);
      await new Promise((r) => setImmediate(r));
    }
    env.clock.advance(1);
  }
}

/** Drives until `p` settles; its value (or throws its error). */
async function settle<T>(env: Env, p: Promise<T>, maxMs = 20000): Promise<T> {
  let state: { ok: true; v: T } | { ok: false; e: unknown } | null = null;
  p.then((v) => (state = { ok: true, v }), (e) => (state = { ok: false, e }));
  await drive(env, () => state !== null, maxMs);
  const s = state as { ok: true; v: T } | { ok: false; e: unknown } | null;
  if (s === null) throw new Error('did not settle');
  if (!s.ok) throw s.e;
  return s.v;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const E = (service: string, proto: string, port: number) => ({ service, proto, port });

describe('--serve syntax', () => {
  it('SERVICE, SERVICE/PROTO, SERVICE:PORT, SERVICE/PROTO:PORT and SERVICE:PORT/PROTO; lists and repeats', () => {
    expect(parseServe(['echo'])).toEqual([E('echo', 'tcp', 7), E('echo', 'udp', 7)]);
    expect(parseServe(['echo/udp'])).toEqual([E('echo', 'udp', 7)]);
    expect(parseServe(['chargen:1900'])).toEqual([E('chargen', 'tcp', 1900), E('chargen', 'udp', 1900)]);
    expect(parseServe(['daytime/tcp:1300', 'discard:900/udp'])).toEqual([E('daytime', 'tcp', 1300), E('discard', 'udp', 900)]);
    expect(parseServe(['http,http:8080', 'echo/tcp'])).toEqual([E('http', 'tcp', 80), E('http', 'tcp', 8080), E('echo', 'tcp', 7)]);
    // The same port over the other protocol is another socket.
    expect(parseServe(['echo/tcp:5000,discard/udp:5000'])).toEqual([E('echo', 'tcp', 5000), E('discard', 'udp', 5000)]);
  });

  it('all: every service on its own port; all/udp leaves out http', () => {
    expect(formatServe(parseServe(['all']))).toBe('echo 7/tcp 7/udp, discard 9/tcp 9/udp, daytime 13/tcp 13/udp, chargen 19/tcp 19/udp, http 80/tcp');
    expect(formatServe(parseServe(['all/udp']))).toBe('echo 7/udp, discard 9/udp, daytime 13/udp, chargen 19/udp');
    expect(formatServe(parseServe(['all/tcp', 'echo/tcp:7007']))).toBe('echo 7/tcp 7007/tcp, discard 9/tcp, daytime 13/tcp, chargen 19/tcp, http 80/tcp');
  });

  const up = (...serve: string[]) => parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', ...serve.flatMap((s) => ['--serve', s])]);

  it('parseUpArgs: --serve is stack-wide (also after a second --dev) and absent without it', () => {
    const c = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--dev', 'tap1', '--serve', 'echo/tcp', '--addr', '10.1.0.2/24']);
    expect(c !== 'help' && c.serve).toEqual([E('echo', 'tcp', 7)]);
    expect(c !== 'help' && c.devices.map((d) => d.addrs.map((a) => a.text))).toEqual([['10.0.0.2/24'], ['10.1.0.2/24']]);
    const none = up();
    expect(none !== 'help' && 'serve' in none).toBe(false);
    const eq = parseUpArgs(['--serve=discard', '--dev', 'tap0', '--addr', '10.0.0.2/24']);
    expect(eq !== 'help' && eq.serve).toEqual([E('discard', 'tcp', 9), E('discard', 'udp', 9)]);
  });

  for (const [args, msg] of [
    [['foo'], `invalid --serve 'foo': unknown service 'foo' (known: echo, discard, daytime, chargen, http, all)`],
    [['ECHO'], `invalid --serve 'ECHO': unknown service 'ECHO' (known: echo, discard, daytime, chargen, http, all)`],
    [['echo,foo:7'], `invalid --serve 'foo:7': unknown service 'foo' (known: echo, discard, daytime, chargen, http, all)`],
    [['echo:0'], `invalid --serve 'echo:0': invalid port '0' (expected 1-65535)`],
    [['echo:65536'], `invalid --serve 'echo:65536': invalid port '65536' (expected 1-65535)`],
    [['echo:x'], `invalid --serve 'echo:x': invalid port 'x' (expected 1-65535)`],
    [['echo:'], `invalid --serve 'echo:': invalid port '' (expected 1-65535)`],
    [['echo/icmp'], `invalid --serve 'echo/icmp': unknown protocol 'icmp' (expected tcp or udp)`],
    [['echo/tcp:7/udp'], `invalid --serve 'echo/tcp:7/udp': the protocol is given twice`],
    [['echo:7:8'], `invalid --serve 'echo:7:8': expected SERVICE[/tcp|/udp][:PORT]`],
    [['http/udp'], `invalid --serve 'http/udp': http runs over TCP only`],
    [['all:80'], `invalid --serve 'all:80': all serves each service on its own port; give SERVICE:PORT for another port`],
    [[''], `invalid --serve '': expected SERVICE[/tcp|/udp][:PORT]`],
    [['echo,'], `invalid --serve 'echo,': an empty item`],
    [['echo,discard:7'], `invalid --serve 'discard:7': port 7/tcp is already served by echo`],
    [['http:8080', 'echo/tcp:8080'], `invalid --serve 'echo/tcp:8080': port 8080/tcp is already served by http`],
    [['echo', 'echo/udp'], `invalid --serve 'echo/udp': echo on 7/udp is given twice`],
    [['all', 'http'], `invalid --serve 'http': http on 80/tcp is given twice`],
  ] as const) {
    it(`${args.map((a) => `--serve '${a}'`).join(' ')}: usage error`, () => {
      expect(() => up(...args)).toThrow(UsageError);
      expect(() => up(...args)).toThrow(msg);
    });
  }

  it('--serve without a value is a usage error', () => {
    expect(() => parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--serve'])).toThrow("option '--serve' needs a value");
  });

  it('up --help documents the services and their ports', () => {
    expect(UP_HELP).toContain('--serve SERVICE[/tcp|/udp][:PORT][,...]');
    for (const s of ['echo     7   RFC 862', 'discard  9   RFC 863', 'daytime  13  RFC 867', 'chargen  19  RFC 864', 'http     80', "tapstack stat 'serve.*'"]) expect(UP_HELP).toContain(s);
  });
});

describe("the services' data", () => {
  it("chargen: inetd's ring of the 95 printable characters, 72 columns and CR LF, one position further each line", () => {
    expect(chargenLine(0).toString()).toBe(' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n');
    expect(chargenLine(1).toString()).toBe('!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n');
    // Wrapping around the ring's end.
    expect(chargenLine(90).toString()).toBe('z{|}~ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`ab\r\n');
    expect(chargenLine(95).equals(chargenLine(0))).toBe(true);
    expect(CHARGEN_CYCLE.length).toBe(95 * 74);
    const b = chargenBytes(300 * 74 + 10);
    for (let i = 0; i < 300; i++) expect(b.subarray(i * 74, i * 74 + 74).equals(chargenLine(i))).toBe(true);
  });

  it("daytime: ctime()'s 24 characters (day of month space-padded), local time, CR LF", () => {
    expect(daytimeText(new Date(2026, 11, 3, 6, 20, 0))).toBe('Thu Dec  3 06:20:00 2026\r\n');
    expect(daytimeText(new Date(2027, 0, 31, 23, 5, 9))).toBe('Sun Jan 31 23:05:09 2027\r\n');
  });
});

describe('the services between two stacks', () => {
  const NOW = new Date(2026, 11, 3, 6, 20, 0);

  async function serving(entries: string[], ipv6 = false): Promise<{ env: Env; svc: Services }> {
    const env = twoStacks({ deferred: true, ipv6 });
    if (ipv6) {
      env.A.addAddress('ea', 'fd00::1/64', { nodad: true });
      env.B.addAddress('eb', 'fd00::2/64', { nodad: true });
    }
    const svc = await settle(env, Services.start(env.B, parseServe(entries), { about: 'tapstack: the test stack B', now: () => NOW }));
    return { env, svc };
  }

  /** A TCP exchange from A: sends `data`, half-closes (unless `end` is false), collects what comes back. */
  async function tcp(env: Env, port: number, data: Buffer | string, o: { host?: string; end?: boolean; untilLen?: number } = {}): Promise<{ got: Buffer; ended: boolean; sock: TcpSocket }> {
    const sock = env.A.connect(port, o.host ?? '10.0.0.2');
    const chunks: Buffer[] = [];
    let len = 0;
    let ended = false;
    let err: Error | null = null;
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      len += d.length;
      // Enough: the reader stops (in memory chargen is as fast as the CPU).
      if (o.untilLen !== undefined && len >= o.untilLen) sock.pause();
    });
    sock.on('end', () => (ended = true));
    sock.on('error', (e) => (err = e));
    if (data.length) sock.write(data);
    if (o.end !== false) sock.end();
    await drive(env, () => ended || err !== null || (o.untilLen !== undefined && len >= o.untilLen));
    if (err) throw err;
    return { got: Buffer.concat(chunks, len), ended, sock };
  }

  it('echo over TCP: 200 KiB come back intact, then the FIN', async () => {
    const { env, svc } = await serving(['echo']);
    expect(svc.host).toBe('0.0.0.0');
    expect(svc.describe()).toBe('echo 7/tcp 7/udp on 0.0.0.0');
    const data = Buffer.from(chargenBytes(200 * 1024).map((x, i) => (x + i) & 0xff));
    const r = await tcp(env, 7, data);
    expect(r.ended).toBe(true);
    expect(sha(r.got)).toBe(sha(data));
    expect(svc.stats.echo.tcp).toEqual({ accepted: 1, open: 0 });
  }, 60000);

  it('discard over TCP: 1 MiB read and dropped, nothing back, FIN after ours', async () => {
    const { env } = await serving(['discard/tcp']);
    const r = await tcp(env, 9, Buffer.alloc(1 << 20, 0x55));
    expect(r.ended).toBe(true);
    expect(r.got.length).toBe(0);
    expect(env.B.stats().tcp.inSegs).toBeGreaterThan(700);
  }, 60000);

  it('daytime over TCP: the line, then the FIN without waiting for the client', async () => {
    const { env } = await serving(['daytime']);
    const r = await tcp(env, 13, '', { end: false });
    expect(r.got.toString()).toBe('Thu Dec  3 06:20:00 2026\r\n');
    expect(r.ended).toBe(true);
  });

  it("chargen over TCP: the rotating pattern without a seam across writes; a reader that stops leaves one chunk waiting, no more; after the client's FIN it goes on (as inetd)", async () => {
    const { env, svc } = await serving(['chargen/tcp']);
    const sock = env.A.connect(19, '10.0.0.2');
    const chunks: Buffer[] = [];
    let len = 0;
    let want = 300000;
    // The reader stops as soon as it has what it wants (in memory the stream is as fast as the CPU).
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      len += d.length;
      if (len >= want) sock.pause();
    });
    await drive(env, () => len >= want);
    expect(Buffer.concat(chunks).subarray(0, want).equals(chargenBytes(want))).toBe(true);
    await drive(env, () => false, 3000);
    const conns = [...(svc as unknown as { conns: Set<{ sock: TcpSocket }> }).conns];
    expect(conns.length).toBe(1);
    // The stream holds at most the chunk that did not fit into the send buffer...
    expect(conns[0].sock.writableLength).toBeLessThanOrEqual(9 * 7030);
    // ...and the closed window keeps the rest where it is.
    const unread = sock.readableLength;
    await drive(env, () => false, 2000);
    expect(sock.readableLength).toBe(unread);
    expect(len).toBe(Buffer.concat(chunks).length);
    sock.end();
    want = len + 500000;
    sock.resume();
    await drive(env, () => len >= want);
    expect(len).toBeGreaterThanOrEqual(want);
    expect(Buffer.concat(chunks).equals(chargenBytes(len))).toBe(true);
    sock.destroy();
    await drive(env, () => svc.stats.chargen.tcp!.open === 0);
    expect(svc.stats.chargen.tcp).toEqual({ accepted: 1, open: 0 });
  }, 60000);

  /** A UDP exchange from A (from `srcPort`, default an ephemeral port): the answers within 50 ms. */
  async function udp(env: Env, port: number, msgs: string[], o: { srcPort?: number; host?: string } = {}): Promise<string[]> {
    const s = env.A.createSocket(o.host?.includes(':') ? 'udp6' : 'udp4');
    const got: string[] = [];
    s.on('message', (m) => got.push(m.toString()));
    if (o.srcPort) s.bind(o.srcPort);
    for (const m of msgs) s.send(m, port, o.host ?? '10.0.0.2');
    await drive(env, () => false, 50);
    s.close();
    return got;
  }

  it('UDP: echo sends back, discard does not answer, daytime answers the line, chargen one 74-byte line per datagram from where the last left off', async () => {
    const { env, svc } = await serving(['all/udp']);
    expect(await udp(env, 7, ['hello', 'again'])).toEqual(['hello', 'again']);
    expect(await udp(env, 9, ['drop me'])).toEqual([]);
    expect(await udp(env, 13, [''])).toEqual(['Thu Dec  3 06:20:00 2026\r\n']);
    expect(await udp(env, 19, ['x', 'y'])).toEqual([chargenLine(0).toString(), chargenLine(1).toString()]);
    expect(await udp(env, 19, ['z'])).toEqual([chargenLine(2).toString()]);
    expect(svc.stats.echo.udp).toEqual({ received: 2, sent: 2, ignored: 0, sendErrors: 0 });
    expect(svc.stats.discard.udp).toEqual({ received: 1, sent: 0, ignored: 0, sendErrors: 0 });
    expect(svc.stats.chargen.udp!.sent).toBe(3);
  });

  it("UDP from a port below 1024 (another service: a loop) or 2049 is not answered, and counted (inetd's dg_badinput)", async () => {
    const { env, svc } = await serving(['echo/udp', 'chargen/udp']);
    expect(await udp(env, 7, ['loop?'], { srcPort: 19 })).toEqual([]);
    expect(await udp(env, 19, ['loop?'], { srcPort: 2049 })).toEqual([]);
    expect(await udp(env, 7, ['ok'], { srcPort: 1024 })).toEqual(['ok']);
    expect(svc.stats.echo.udp).toEqual({ received: 2, sent: 1, ignored: 1, sendErrors: 0 });
    expect(svc.stats.chargen.udp).toEqual({ received: 1, sent: 0, ignored: 1, sendErrors: 0 });
  });

  it('IPv6 on: everything listens on :: and takes both families', async () => {
    const { env, svc } = await serving(['echo', 'daytime/tcp'], true);
    expect(svc.host).toBe('::');
    expect(svc.describe()).toBe('echo 7/tcp 7/udp, daytime 13/tcp on :: (IPv6 and IPv4)');
    expect((await tcp(env, 7, 'six', { host: 'fd00::2' })).got.toString()).toBe('six');
    expect((await tcp(env, 7, 'four')).got.toString()).toBe('four');
    expect((await tcp(env, 13, '', { host: 'fd00::2', end: false })).got.toString()).toBe('Thu Dec  3 06:20:00 2026\r\n');
    expect(await udp(env, 7, ['u6'], { host: 'fd00::2' })).toEqual(['u6']);
    expect(await udp(env, 7, ['u4'])).toEqual(['u4']);
  }, 60000);

  /** An HTTP request from A; the status, headers and body. */
  async function request(env: Env, method: string, path: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    let result: { status: number; headers: http.IncomingHttpHeaders; body: Buffer } | null = null;
    let err: Error | null = null;
    const req = http.request({ method, host: '10.0.0.2', port: 80, path, createConnection: () => env.A.connect(80, '10.0.0.2') as never }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => (result = { status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', (e) => (err = e));
    req.end(body);
    await drive(env, () => result !== null || err !== null);
    if (err) throw err;
    return result!;
  }

  it('http: GET / names the stack and the client; GET /bytes/N streams the pattern; POST and PUT answer length and SHA-256; 400, 404, 405', async () => {
    const { env, svc } = await serving(['http', 'echo/tcp']);
    const root = await request(env, 'GET', '/');
    expect(root.status).toBe(200);
    expect(root.headers.server).toBe('tapstack');
    const page = root.body.toString();
    expect(page).toMatch(/^tapstack: the test stack B\nYou are 10\.0\.0\.1 port \d+, talking to 10\.0\.0\.2 port 80\.\n/);
    expect(page).toContain("curl -o /dev/null -w '%{speed_download}\\n' http://10.0.0.2/bytes/100000000");
    expect(page).toContain('Served: http 80/tcp, echo 7/tcp\n');
    const head = await request(env, 'HEAD', '/bytes/1000');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '1000', 0]);
    const n = 1 << 20;
    const big = await request(env, 'GET', '/bytes/' + n);
    expect(big.status).toBe(200);
    expect(big.headers['content-length']).toBe(String(n));
    expect(sha(big.body)).toBe(sha(chargenBytes(n)));
    expect((await request(env, 'GET', '/bytes/0')).body.length).toBe(0);
    const body = chargenBytes(300000).reverse();
    const post = await request(env, 'POST', '/anything', body);
    expect([post.status, post.body.toString()]).toEqual([200, `length 300000\nsha256 ${sha(body)}\n`]);
    const put = await request(env, 'PUT', '/', Buffer.from(''));
    expect(put.body.toString()).toBe(`length 0\nsha256 ${sha(Buffer.alloc(0))}\n`);
    const tooBig = await request(env, 'GET', `/bytes/${HTTP_BYTES_MAX + 1}`);
    expect([tooBig.status, tooBig.body.toString()]).toEqual([400, 'bad /bytes/N: N is a number of bytes from 0 to 1073741824\n']);
    expect((await request(env, 'GET', '/bytes/ten')).status).toBe(400);
    const missing = await request(env, 'GET', '/nope');
    expect([missing.status, missing.body.toString()]).toEqual([404, 'not found: /nope\n']);
    const del = await request(env, 'DELETE', '/');
    expect([del.status, del.headers.allow]).toEqual([405, 'GET, HEAD, POST, PUT']);
    expect(svc.stats.http.tcp!.requests).toBe(10);
  }, 60000);

  it('a port in use: start() fails naming the service, and leaves nothing listening', async () => {
    const env = twoStacks({ deferred: true });
    env.B.createServer().listen(13);
    await drive(env, () => false, 5);
    await expect(settle(env, Services.start(env.B, parseServe(['echo', 'daytime'])))).rejects.toThrow('daytime 13/tcp: listen EADDRINUSE: address already in use 0.0.0.0:13');
    // echo, started before, was closed again: its port is free.
    const again = await settle(env, Services.start(env.B, parseServe(['echo'])));
    expect(again.entries.length).toBe(2);
  });

  it("close(): listeners and UDP sockets go, open connections get a FIN after what is queued (chargen mid-stream too), and it waits only for the FINs' ACKs", async () => {
    const { env, svc } = await serving(['echo/tcp', 'chargen/tcp', 'discard/udp']);
    const echo = await tcp(env, 7, 'x', { end: false, untilLen: 1 });
    let echoEnd = false;
    echo.sock.on('end', () => (echoEnd = true));
    echo.sock.resume();
    const gen = env.A.connect(19, '10.0.0.2');
    let genBytes = 0;
    let genEnd = false;
    gen.on('data', (d: Buffer) => (genBytes += d.length));
    gen.on('end', () => (genEnd = true));
    await drive(env, () => genBytes > 100000);
    const t0 = env.clock.now();
    await settle(env, svc.close());
    // The peers acknowledged the FINs within a few ms of the manual clock: no waiting out the grace.
    expect(env.clock.now() - t0).toBeLessThan(50);
    await drive(env, () => echoEnd && genEnd, 1000);
    expect([echoEnd, genEnd]).toEqual([true, true]);
    let refused: any = null;
    env.A.connect(7, '10.0.0.2').on('error', (e) => (refused = e));
    await drive(env, () => refused !== null, 1000);
    expect(refused.code).toBe('ECONNREFUSED');
    expect(await udp(env, 9, ['gone?'])).toEqual([]);
    expect(env.B.stats().udp.noPorts).toBe(1);
    // The stack's own close then resets what is left (the connections still half-open).
    await env.B.close();
  }, 60000);

  it('close() gives up after graceMs when a FIN cannot be acknowledged (the peer is gone)', async () => {
    const env = twoStacks({ deferred: true });
    const svc = await settle(env, Services.start(env.B, parseServe(['echo/tcp']), { graceMs: 100 }));
    await tcp(env, 7, 'x', { end: false, untilLen: 1 });
    // The cable is cut: nothing B sends arrives.
    env.eb.peer = null;
    const t0 = env.clock.now();
    let done = false;
    void svc.close().then(() => (done = true));
    await drive(env, () => done, 500);
    expect(done).toBe(true);
    expect(env.clock.now() - t0).toBeGreaterThanOrEqual(100);
    expect(env.clock.now() - t0).toBeLessThan(120);
  });
});
