// The control socket: permissions, stale and live sockets, requests over the wire, and a fuzz
// run of garbage, truncated and oversized messages after which the stack still serves.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPair } from '../../src/drivers/pair.js';
import { ControlError, SocketChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { MAX_REQUEST_BYTES, NLM_F_CREATE, NLM_F_EXCL } from '../../src/control/protocol.js';
import { ControlServer, ControlServerOptions } from '../../src/control/server.js';
import { Stack } from '../../src/stack.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(opts: ControlServerOptions = {}, at?: { dir: string; name?: string }): Promise<{ stack: Stack; server: ControlServer; path: string; dir: string }> {
  const base = mkdtempSync(join(tmpdir(), 'tsctl-'));
  chmodSync(base, 0o755); // other users' clients must be able to reach run/ (which keeps its own mode)
  const dir = at?.dir ?? join(base, 'run');
  const path = join(dir, at?.name ?? 'test.sock');
  const stack = new Stack();
  const [a] = createPair('tap0', 'peer0');
  stack.addDevice(a);
  stack.addAddress(a, '10.0.0.1/24');
  const server = await ControlServer.listen(new ControlHandler(stack), path, opts);
  cleanup.push(() => rmSync(base, { recursive: true, force: true }), () => stack.close(), () => server.close());
  return { stack, server, path, dir };
}

async function open(path: string): Promise<SocketChannel> {
  const ch = await SocketChannel.open(path);
  cleanup.push(() => ch.close());
  return ch;
}

/** Writes raw bytes on a fresh connection and collects every reply line until the server hangs up or `ms` pass. */
function raw(path: string, data: Buffer | string, ms = 200): Promise<{ lines: string[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const s = connect(path);
    let buf = '';
    let closed = false;
    s.on('data', (d) => (buf += d));
    s.on('close', () => {
      closed = true;
    });
    s.on('error', () => {});
    s.on('connect', () => s.write(data));
    setTimeout(() => {
      s.destroy();
      resolve({ lines: buf.split('\n').filter(Boolean), closedByServer: closed });
    }, ms);
  });
}

describe('control socket', () => {
  it('a run directory it creates is 0755 and the socket 0600, whatever the umask', async () => {
    const umask = process.umask(0o077);
    try {
      const { path, dir } = await setup();
      expect(statSync(dir).mode & 0o7777).toBe(0o755);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(path).isSocket()).toBe(true);
    } finally {
      process.umask(umask);
    }
  });

  it('bind() never exposes the socket: it is 0600 from the start even under umask 0', async () => {
    const umask = process.umask(0);
    try {
      const base = mkdtempSync(join(tmpdir(), 'tsctl-'));
      cleanup.push(() => rmSync(base, { recursive: true, force: true }));
      const stack = new Stack();
      cleanup.push(() => stack.close());
      const path = join(base, 'x.sock');
      const listening = ControlServer.listen(new ControlHandler(stack), path);
      // listen() binds synchronously: the file exists now, before any await.
      const early = statSync(path).mode & 0o777;
      cleanup.push(async () => (await listening).close());
      await listening;
      expect(early).toBe(0o600);
      expect(process.umask()).toBe(0); // restored
    } finally {
      process.umask(umask);
    }
  });

  it('an existing directory keeps its mode, while serving and after close (a 1777 TAPSTACK_RUN_DIR stays 1777)', async () => {
    for (const mode of [0o1777, 0o700, 0o755]) {
      const dir = mkdtempSync(join(tmpdir(), 'tsctl-dir-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      chmodSync(dir, mode);
      const { path, server, stack } = await setup({}, { dir });
      expect(statSync(dir).mode & 0o7777).toBe(mode);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      await server.close();
      await stack.close();
      expect(statSync(dir).mode & 0o7777).toBe(mode);
    }
  });

  it('a file that is not a socket at the path is refused, not deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsctl-dir-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'test.sock'), 'precious');
    const err = await setup({}, { dir }).catch((e) => e);
    expect([err.code, err.message]).toEqual(['EEXIST', `control socket ${join(dir, 'test.sock')}: a file that is not a socket is in the way`]);
    expect(statSync(join(dir, 'test.sock')).isFile()).toBe(true);
  });

  it('serves requests over the socket, errors included', async () => {
    const { path } = await setup();
    const ch = await open(path);
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    const err = await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL).catch((e) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect([err.errno, err.message]).toEqual([-17, 'File exists']);
    // IPv4's table only: on the real clock, IPv6's DAD may have made a solicited-node entry by now.
    expect((await ch.dump<{ dst: string }>('RTM_GETNEIGH', { family: 'inet' })).map((n) => n.dst)).toEqual(['10.0.0.9']);
  });

  it('a stale socket file is replaced; a live one is refused with EADDRINUSE', async () => {
    const { path, stack } = await setup();
    await expect(ControlServer.listen(new ControlHandler(stack), path)).rejects.toMatchObject({ errno: -98 });
    const stale = join(mkdtempSync(join(tmpdir(), 'tsctl-')), 'x.sock');
    // A stack that died: its socket file stays behind with nobody listening.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(statSync(stale).isSocket()).toBe(true);
    const s2 = await ControlServer.listen(new ControlHandler(stack), stale);
    cleanup.push(() => s2.close());
    expect(statSync(stale).isSocket()).toBe(true);
  });

  it('connecting to a missing stack names the socket and the likely cause', async () => {
    const e = await SocketChannel.open('/nonexistent-tapstack/x.sock').catch((x) => x);
    expect(e.message).toBe('cannot connect to /nonexistent-tapstack/x.sock: No such file or directory (is the stack running?)');
  });

  it('events reach a subscriber and stop when it disconnects', async () => {
    const { path, stack } = await setup();
    const ch = await SocketChannel.open(path);
    const got: string[] = [];
    await ch.subscribe(['neigh'], (r) => got.push(`${r.event} ${(r.body as { dst: string }).dst}`));
    stack.neighAdd({ dst: '10.0.0.7', dev: 'tap0', lladdr: '02:00:00:00:00:07' });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['newneigh 10.0.0.7']);
    ch.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(stack.listenerCount('neigh')).toBe(0);
  });

  it('garbage lines get error replies and the connection keeps working', async () => {
    const { path, server } = await setup();
    const r = await raw(path, 'hello\n{"v":1}\n[1,2]\n{"v":9,"seq":4,"type":"RTM_GETNEIGH"}\n{"v":1,"seq":5,"type":"RTM_GETLINK","flags":768}\n');
    const replies = r.lines.map((l) => JSON.parse(l));
    expect(replies.map((x) => x.error ?? 0)).toEqual([-22, -95, -22, -71, 0]);
    expect(replies[4].items.map((l: { name: string }) => l.name)).toEqual(['tap0']);
    expect(r.closedByServer).toBe(false);
    expect(server.stats.badRequests).toBe(4);
  });

  it('an oversized request is refused with EMSGSIZE and the connection closed', async () => {
    const { path, server } = await setup();
    const r = await raw(path, 'x'.repeat(MAX_REQUEST_BYTES + 10), 500);
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([{ v: 1, seq: 0, error: -90, msg: `request too long (limit ${MAX_REQUEST_BYTES} bytes)` }]);
    expect(r.closedByServer).toBe(true);
    expect(server.stats.oversized).toBe(1);
  });

  it('fuzz: 2000 random and mutated messages, truncated writes and hang-ups; the stack still serves and its table is intact', async () => {
    const { path, stack } = await setup();
    stack.neighAdd({ dst: '10.0.0.5', dev: 'tap0', lladdr: '02:00:00:00:00:05' });
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const valid = [
      '{"v":1,"seq":1,"type":"RTM_GETNEIGH","flags":768}',
      '{"v":1,"seq":2,"type":"RTM_NEWNEIGH","flags":1536,"body":{"dst":"10.0.0.5","dev":"tap0"}}',
      '{"v":1,"seq":3,"type":"RTM_SETNEIGHTBL","body":{"parms":{"queueLen":3}}}',
      '{"v":1,"seq":4,"type":"TS_SYSCTL","body":{"key":"net.ipv4.conf.all.arp_ignore"}}',
    ];
    const mutate = (s: string): string => {
      const b = Buffer.from(s);
      const n = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return b.toString('latin1').replace(/\n/g, ' ');
    };
    for (let batch = 0; batch < 20; batch++) {
      const parts: string[] = [];
      for (let i = 0; i < 100; i++) {
        const k = rnd();
        if (k < 0.4) parts.push(mutate(valid[Math.floor(rnd() * valid.length)]));
        else if (k < 0.6) parts.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))).toString('latin1').replace(/\n/g, ''));
        else if (k < 0.8) parts.push(valid[Math.floor(rnd() * valid.length)].slice(0, Math.floor(rnd() * 40)));
        else parts.push(JSON.stringify({ v: 1, seq: i, type: 'RTM_DELNEIGH', body: { dst: rnd() < 0.5 ? 12 : '10.0.0.99', dev: rnd() < 0.5 ? 'tap0' : null } }));
      }
      // The last part is left without its newline: a truncated message when we hang up.
      await raw(path, parts.join('\n'), 30);
    }
    const ch = await open(path);
    const n = await ch.call('RTM_GETNEIGH', { dst: '10.0.0.5', dev: 'tap0' });
    expect((n.body as { stateNames: string[] }).stateNames).toEqual(['PERMANENT']);
    expect(stack.inet.arp.tbl.checkInvariants()).toEqual([]);
  });

  it('a flood of requests on one connection is answered with EBUSY past the rate limit, then served again', async () => {
    const { path, server } = await setup({ maxRequestsPerSecond: 50 });
    const line = '{"v":1,"seq":9,"type":"RTM_GETLINK","flags":768}\n';
    const r = await raw(path, line.repeat(80), 300);
    const errs = r.lines.map((l) => JSON.parse(l).error ?? 0);
    expect(errs.filter((e) => e === 0).length).toBeGreaterThanOrEqual(50);
    expect(errs.filter((e) => e === -16).length).toBeGreaterThanOrEqual(20);
    expect(JSON.parse(r.lines.find((l) => l.includes('-16'))!)).toMatchObject({ seq: 9, msg: 'request rate limit exceeded (50/s)' });
    expect(server.stats.rateLimited).toBeGreaterThanOrEqual(20);
    const ch = await open(path);
    expect((await ch.dump('RTM_GETLINK')).length).toBe(1);
  });

  it('too many connections: the next one is refused with EBUSY', async () => {
    const { path } = await setup({ maxConnections: 1 });
    await open(path);
    const r = await raw(path, '', 200);
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([{ v: 1, seq: 0, error: -16, msg: 'too many control connections (limit 1)' }]);
    expect(r.closedByServer).toBe(true);
  });

  describe.runIf(process.getuid?.() === 0)('peer credentials (SO_PEERCRED)', () => {
    /** Runs a one-request client as another user (async: the server lives in this process); returns its reply or connection error. */
    const asUser = (path: string, uid: number, gid: number, req: object): Promise<string> => {
      const code = `const s=require('net').connect(${JSON.stringify(path)});let b='';s.on('error',e=>{console.log('ERR '+e.code);process.exit(0)});` +
        `s.on('connect',()=>s.write(${JSON.stringify(JSON.stringify(req) + '\n')}));s.on('data',d=>{b+=d;if(b.includes('\\n')){console.log(b.trim());process.exit(0)}});setTimeout(()=>{console.log('TIMEOUT '+b);process.exit(0)},2000)`;
      return new Promise((resolve) => {
        const c = spawn(process.execPath, ['-e', code], { uid, gid });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('close', () => resolve(out.trim()));
      });
    };
    const NOBODY = 65534;

    it('the read-only group may read but not change; other users cannot even connect', async () => {
      const { path, dir, server } = await setup({ readonlyGroup: NOBODY });
      expect(statSync(dir).mode & 0o777).toBe(0o755);
      expect(statSync(path).mode & 0o777).toBe(0o660);
      expect(server.warnings).toEqual([]);
      expect(statSync(path).gid).toBe(NOBODY);
      const read = JSON.parse(await asUser(path, NOBODY, NOBODY, { v: 1, seq: 3, type: 'RTM_GETLINK', flags: 768 }));
      expect(read.error ?? 0).toBe(0);
      expect(read.items.map((l: { name: string }) => l.name)).toEqual(['tap0']);
      const write = JSON.parse(await asUser(path, NOBODY, NOBODY, { v: 1, seq: 4, type: 'RTM_DELNEIGH', body: { dst: '10.0.0.1', dev: 'tap0' } }));
      expect(write).toEqual({ v: 1, seq: 4, error: -1, msg: "RTM_DELNEIGH: read-only access (root or the stack's user may change it)" });
      const sysctlSet = JSON.parse(await asUser(path, NOBODY, NOBODY, { v: 1, seq: 5, type: 'TS_SYSCTL', body: { key: 'net.ipv4.conf.all.arp_ignore', value: '8' } }));
      expect(sysctlSet.error).toBe(-1);
      expect(server.stats.denied).toBe(2);
      expect(await asUser(path, 4242, 4242, { v: 1, seq: 6, type: 'RTM_GETLINK', flags: 768 })).toBe('ERR EACCES');
    });

    it('instances sharing a directory cannot interfere: a second stack without a read-only group leaves the first one\'s group in', async () => {
      const first = await setup({ readonlyGroup: NOBODY });
      const second = await setup({}, { dir: first.dir, name: 'second.sock' });
      expect(statSync(first.dir).mode & 0o777).toBe(0o755);
      const read = JSON.parse(await asUser(first.path, NOBODY, NOBODY, { v: 1, seq: 3, type: 'RTM_GETLINK', flags: 768 }));
      expect(read.items.map((l: { name: string }) => l.name)).toEqual(['tap0']);
      expect(await asUser(second.path, NOBODY, NOBODY, { v: 1, seq: 1, type: 'RTM_GETLINK', flags: 768 })).toBe('ERR EACCES');
    });

    it('a directory that shuts the read-only group out is left alone, with a warning saying so', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tsctl-dir-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      chmodSync(dir, 0o700);
      const { path, server } = await setup({ readonlyGroup: NOBODY }, { dir });
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(server.warnings).toEqual([
        `the read-only group cannot reach ${path}: ${dir} (mode 0700) does not let it in; tapstack leaves the mode of a directory it did not create alone`,
      ]);
      expect(await asUser(path, NOBODY, NOBODY, { v: 1, seq: 1, type: 'RTM_GETLINK', flags: 768 })).toBe('ERR EACCES');
    });

    it('without a read-only group only root and the owner get in (mode 0600 is the first gate)', async () => {
      const { path } = await setup();
      expect(await asUser(path, NOBODY, NOBODY, { v: 1, seq: 1, type: 'RTM_GETLINK', flags: 768 })).toBe('ERR EACCES');
    });
  });
});
