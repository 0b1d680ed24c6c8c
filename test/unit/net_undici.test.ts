// undici over tapstack TCP sockets between two in-memory stacks: an Agent whose connect callback
// returns a TcpSocket (what issue #15 asks of the net-compatible API) — request() and fetch() with
// bodies both ways, keep-alive reuse of one connection, and ECONNREFUSED through undici's errors.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { Agent, fetch, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(() => closeStacks());

type Env = ReturnType<typeof twoStacks>;

/** Runs the wire and the manual clock in 1 ms steps, letting Node's ticks run, until `done()`. */
async function drive(env: Env, done: () => boolean, maxMs = 20000): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t++) {
    for (let i = 0; i < 20; i++) {
      while (env.ea.deliverPending() + env.eb.deliverPending() > 0);
      await new Promise((r) => setImmediate(r));
    }
    env.clock.advance(1);
  }
}

/** Awaits `p` while driving the wire. */
async function settle<T>(env: Env, p: Promise<T>, maxMs = 20000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then((v) => ((value = v), (done = true)), (e) => ((error = e), (done = true)));
  await drive(env, () => done, maxMs);
  if (!done) throw new Error('timed out');
  if (error !== undefined) throw error;
  return value as T;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Node's http.Server on B (10.0.0.2:80) over tapstack; counts connections; /echo hashes the body. */
async function server(env: Env): Promise<{ conns: () => number; ports: number[] }> {
  const big = Buffer.alloc(300000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  let conns = 0;
  const ports: number[] = [];
  const hs = http.createServer((req, res) => {
    ports.push(req.socket.remotePort!);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // /close: the server ends the connection after this response (Connection: close, then FIN).
      if (req.url === '/close') res.setHeader('connection', 'close');
      if (req.url === '/big') res.end(big);
      else res.end(JSON.stringify({ method: req.method, bytes: body.length, sha: sha(body), type: req.headers['content-type'] ?? null }));
    });
  });
  const srv = env.B.createServer((s) => {
    conns++;
    hs.emit('connection', s);
  });
  let listening = false;
  srv.listen(80, () => (listening = true));
  await drive(env, () => listening);
  return { conns: () => conns, ports };
}

/** An undici Agent that connects through stack A. */
function agent(env: Env, opened: string[] = []): Agent {
  return new Agent({
    connect: (opts, cb) => {
      // As undici's own buildConnector: an empty port is the scheme's default.
      const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
      opened.push(`${opts.hostname}:${port}`);
      const s = env.A.connect(port, opts.hostname);
      let done = false;
      s.once('connect', () => {
        if (!done) (done = true), cb(null, s as never);
      });
      s.once('error', (e) => {
        if (!done) (done = true), cb(e, null);
      });
    },
  });
}

describe('undici over tapstack', () => {
  it('request(): a 200 KiB upload hashed by the server, a 300 000-byte download intact, over one kept-alive connection', async () => {
    const env = twoStacks({ deferred: true });
    const srv = await server(env);
    const opened: string[] = [];
    const dispatcher = agent(env, opened);
    const up = Buffer.alloc(200 << 10, 0x5a);
    const r1 = await settle(env, request('http://10.0.0.2/echo', { dispatcher, method: 'POST', body: up, headers: { 'content-type': 'application/octet-stream' } }));
    expect(r1.statusCode).toBe(200);
    expect(JSON.parse(await settle(env, r1.body.text()))).toEqual({ method: 'POST', bytes: up.length, sha: sha(up), type: 'application/octet-stream' });
    const r2 = await settle(env, request('http://10.0.0.2/big', { dispatcher }));
    const down = Buffer.from(await settle(env, r2.body.arrayBuffer()));
    expect(down.length).toBe(300000);
    const want = Buffer.alloc(300000);
    for (let i = 0; i < want.length; i++) want[i] = (i * 31 + 7) & 0xff;
    expect(sha(down)).toBe(sha(want));
    const r3 = await settle(env, request('http://10.0.0.2/echo', { dispatcher, method: 'PUT', body: 'small' }));
    expect(JSON.parse(await settle(env, r3.body.text()))).toMatchObject({ method: 'PUT', bytes: 5, sha: sha(Buffer.from('small')) });
    // Keep-alive: three requests, one connection (one connect callback, one accept, one port).
    expect(opened).toEqual(['10.0.0.2:80']);
    expect(srv.conns()).toBe(1);
    expect(new Set(srv.ports).size).toBe(1);
    expect(env.A.stats().tcp.activeOpens).toBe(1);
    await settle(env, dispatcher.close());
  }, 60000);

  it('fetch(): a JSON POST and a streamed response, with the Agent as dispatcher', async () => {
    const env = twoStacks({ deferred: true });
    const srv = await server(env);
    const dispatcher = agent(env);
    const body = JSON.stringify({ hello: 'tapstack', n: [1, 2, 3] });
    const res = await settle(env, fetch('http://10.0.0.2/echo', { dispatcher, method: 'POST', body, headers: { 'content-type': 'application/json' } } as never));
    expect(res.status).toBe(200);
    expect(await settle(env, res.json())).toEqual({ method: 'POST', bytes: Buffer.byteLength(body), sha: sha(Buffer.from(body)), type: 'application/json' });
    const big = await settle(env, fetch('http://10.0.0.2/big', { dispatcher } as never));
    expect((await settle(env, big.arrayBuffer())).byteLength).toBe(300000);
    expect(srv.conns()).toBe(1);
    await settle(env, dispatcher.close());
  }, 60000);

  it('the server ends the connection after a response (Connection: close, FIN): the next request connects anew', async () => {
    const env = twoStacks({ deferred: true });
    const srv = await server(env);
    const opened: string[] = [];
    const dispatcher = agent(env, opened);
    const r1 = await settle(env, request('http://10.0.0.2/close', { dispatcher, method: 'POST', body: 'one' }));
    expect(r1.headers.connection).toBe('close');
    expect(JSON.parse(await settle(env, r1.body.text()))).toMatchObject({ bytes: 3 });
    // Let the FIN and the client's answer cross the wire.
    await drive(env, () => false, 50);
    const r2 = await settle(env, request('http://10.0.0.2/echo', { dispatcher, method: 'POST', body: 'two!' }));
    expect(JSON.parse(await settle(env, r2.body.text()))).toMatchObject({ bytes: 4 });
    expect(opened).toEqual(['10.0.0.2:80', '10.0.0.2:80']);
    expect(srv.conns()).toBe(2);
    expect(env.B.stats().tcp.passiveOpens).toBe(2);
    // (With the pair's fixed random source A picks the same ephemeral port again; B, which closed
    // first, takes the new SYN from its TIME-WAIT, as tcp_timewait_state_process does.)
    expect(env.A.stats().tcp.currEstab).toBe(1);
    await settle(env, dispatcher.close());
  }, 60000);

  it('a closed port: undici rejects with the socket\'s ECONNREFUSED', async () => {
    const env = twoStacks({ deferred: true });
    const dispatcher = agent(env);
    const err: any = await settle(env, request('http://10.0.0.2:81/', { dispatcher }).then(() => null, (e) => e));
    expect(err).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '10.0.0.2', port: 81 });
    expect(err.message).toBe('connect ECONNREFUSED 10.0.0.2:81');
    const ferr: any = await settle(env, fetch('http://10.0.0.2:81/', { dispatcher } as never).then(() => null, (e) => e));
    expect(ferr).toBeInstanceOf(TypeError);
    expect(ferr.message).toBe('fetch failed');
    expect(ferr.cause).toMatchObject({ code: 'ECONNREFUSED' });
    await settle(env, dispatcher.close());
  });
});
