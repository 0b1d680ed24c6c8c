// Node's own http server and client over tapstack TCP sockets between two in-memory stacks
// (Stack.createServer / Stack.connect with net's API), and net's error shapes.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(() => closeStacks());

/** Runs the wire and the manual clock in 1 ms steps, letting Node's ticks run between them, until `done()`. */
async function drive(env: ReturnType<typeof twoStacks>, done: () => boolean, maxMs = 20000): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t++) {
    for (let i = 0; i < 20; i++) {
      while (env.ea.deliverPending() + env.eb.deliverPending() > 0);
      await new Promise((r) => setImmediate(r));
    }
    env.clock.advance(1);
  }
}

describe('net over tapstack', () => {
  it("Node's http.Server on B answers http.request({createConnection}) from A, 1 MiB body intact", async () => {
    const env = twoStacks({ deferred: true });
    const body = Buffer.alloc(1 << 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
    const hs = http.createServer((req, res) => res.end(req.url === '/big' ? body : 'hello'));
    const srv = env.B.createServer((s) => hs.emit('connection', s));
    let listening = false;
    srv.listen(80, () => (listening = true));
    await drive(env, () => listening);
    let result: { status?: number; sha?: string; len?: number; err?: string } | null = null;
    const req = http.request({ host: '10.0.0.2', port: 80, path: '/big', createConnection: () => env.A.connect(80, '10.0.0.2') as never }, (res) => {
      const h = createHash('sha256');
      let len = 0;
      res.on('data', (d: Buffer) => {
        h.update(d);
        len += d.length;
      });
      res.on('end', () => (result = { status: res.statusCode, sha: h.digest('hex'), len }));
    });
    req.on('error', (e) => (result = { err: String(e) }));
    req.end();
    await drive(env, () => result !== null);
    expect(result).toEqual({ status: 200, len: body.length, sha: createHash('sha256').update(body).digest('hex') });
    expect(env.A.stats().tcp.activeOpens).toBe(1);
    expect(env.B.stats().tcp.passiveOpens).toBe(1);
  }, 60000);

  it('connect to a closed port: ECONNREFUSED as Node shapes it, then close(hadError=true)', async () => {
    const env = twoStacks({ deferred: true });
    const events: string[] = [];
    let err: any = null;
    const s = env.A.connect(81, '10.0.0.2');
    s.on('connect', () => events.push('connect'));
    s.on('error', (e) => {
      err = e;
      events.push('error');
    });
    s.on('close', (h: boolean) => events.push(`close ${h}`));
    await drive(env, () => events.includes('close true'), 2000);
    expect(events).toEqual(['error', 'close true']);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '10.0.0.2', port: 81 });
    expect(err.message).toBe('connect ECONNREFUSED 10.0.0.2:81');
  });

  it('peer ends after 3 bytes: connect, ready, data, end, finish, close(false); EADDRINUSE on a second listen', async () => {
    const env = twoStacks({ deferred: true });
    const srv = env.B.createServer((s) => s.end('abc'));
    srv.listen(7000);
    const events: string[] = [];
    const s = env.A.connect(7000, '10.0.0.2');
    for (const ev of ['connect', 'ready', 'end', 'finish']) s.on(ev, () => events.push(ev));
    s.on('data', (d) => events.push(`data ${d}`));
    s.on('close', (h: boolean) => events.push(`close ${h}`));
    await drive(env, () => events.some((e) => e.startsWith('close')), 3000);
    expect(events).toEqual(['connect', 'ready', 'data abc', 'end', 'finish', 'close false']);
    const srv2 = env.B.createServer();
    let lerr: any = null;
    srv2.on('error', (e) => (lerr = e));
    srv2.listen(7000);
    await drive(env, () => lerr !== null, 10);
    expect(lerr).toMatchObject({ code: 'EADDRINUSE', errno: -98, syscall: 'listen', port: 7000 });
    expect(lerr.message).toBe('listen EADDRINUSE: address already in use 0.0.0.0:7000');
  });
});

describe('TLS over tapstack', () => {
  it('tls.connect({ socket }) over a TcpSocket completes a handshake with a tls.Server fed TcpSockets, and data flows both ways', async () => {
    const { readFileSync } = await import('node:fs');
    const tls = await import('node:tls');
    const { join, dirname } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
    const key = readFileSync(join(dir, 'tls-key.pem'));
    const cert = readFileSync(join(dir, 'tls-cert.pem'));
    const env = twoStacks({ deferred: true });
    const ts = tls.createServer({ key, cert }, (c) => c.on('data', (d) => c.end(`echo:${d}`)));
    env.B.createServer((s) => ts.emit('connection', s)).listen(443);
    let got = '';
    let done = false;
    const raw = env.A.connect(443, '10.0.0.2');
    const c = tls.connect({ socket: raw as never, ca: cert, servername: 'tapstack.test' }, () => c.write('secret'));
    c.on('data', (d) => (got += d));
    c.on('end', () => (done = true));
    c.on('error', (e) => {
      got = `error ${e}`;
      done = true;
    });
    await drive(env, () => done, 20000);
    expect(got).toBe('echo:secret');
    expect(c.authorized).toBe(true);
  }, 60000);
});
