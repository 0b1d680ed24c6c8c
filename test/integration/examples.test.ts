// The programs in examples/ run as written (importing 'tapstack' by its package name, from
// dist/): two-stacks without root; neigh-watch against a `tapstack up` and udp-echo on a TAP,
// each in a private namespace with the kernel as the peer.
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../helpers/child.js';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const example = (name: string): string => join(ROOT, 'examples', name);

describe('examples/two-stacks.mjs (no root)', () => {
  it('pings across the in-memory pair, prints both tables, closes and ends by itself', async () => {
    const r = await runChild([example('two-stacks.mjs')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 packets transmitted, 3 received, 0% packet loss');
    expect(r.out).toMatch(/neighbour table of A:\n192\.168\.50\.2 dev eth-a lladdr (?:[0-9a-f]{2}:){5}[0-9a-f]{2} REACHABLE \n/);
    expect(r.out).toMatch(/neighbour table of B:\n192\.168\.50\.1 dev eth-b lladdr (?:[0-9a-f]{2}:){5}[0-9a-f]{2} \w+ \n/);
    expect(r.out).toMatch(/3\/3 replies; both stacks closed\n$/);
  });
});

describe('examples: --help and bad options (no root, no TAP opened)', () => {
  it.each([
    ['udp-echo.mjs', 'Usage: node examples/udp-echo.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--port N] [--count N]\n'],
    ['neigh-watch.mjs', 'Usage: node examples/neigh-watch.mjs [--name NAME] [--count N] [--dump]\n'],
  ])('%s: --help prints the usage (status 0); an unknown option or a bad value is status 2, no stack trace', async (file, usage) => {
    expect(await runChild([example(file), '--help'])).toMatchObject({ code: 0, out: usage, err: '' });
    const bad = await runChild([example(file), '--bogus']);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err.startsWith(`${file.replace('.mjs', '')}: Unknown option '--bogus'`)).toBe(true);
    expect(bad.err.endsWith(`\n${usage}`)).toBe(true);
    expect(bad.err.split('\n')).toHaveLength(3);
    const count = await runChild([example(file), '--count', 'x']);
    expect(count).toMatchObject({ code: 2, out: '', err: `${file.replace('.mjs', '')}: invalid --count 'x': expected a positive integer\n${usage}` });
  });
});

/** A process in the namespace with its stdout/stderr lines collected. */
class Proc {
  readonly lines: string[] = [];
  readonly errLines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  constructor(readonly p: ChildProcess) {
    createInterface({ input: p.stdout! }).on('line', (l) => this.lines.push(l));
    createInterface({ input: p.stderr! }).on('line', (l) => this.errLines.push(l));
    this.exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  }
}

const kernel = canRunKernelTests(['ip', 'ping']);

describe.skipIf(!kernel)('examples/neigh-watch.mjs (root, in a namespace)', () => {
  let ns: Netns;
  let up: Proc;
  const name = `exw-${process.pid}`;
  beforeAll(async () => {
    ns = Netns.create('tsexw');
    up = new Proc(ns.spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'up', '--dev', 'exw0', '--addr', '10.61.0.2/24', '--name', name]));
    await waitFor('tapstack up', () => up.lines.some((l) => l.includes('exw0 created')));
    ns.sh('ip addr add 10.61.0.1/24 dev exw0');
  });
  afterAll(async () => {
    up?.p.kill('SIGINT');
    await Promise.race([up?.exited, new Promise((r) => setTimeout(r, 3000))]);
    ns?.destroy();
  });

  it('prints the event the kernel causes as `ip monitor neigh` does, and ends after --count', async () => {
    const w = new Proc(ns.spawn(process.execPath, [example('neigh-watch.mjs'), '--name', name, '--count', '1']));
    await waitFor('neigh-watch to subscribe', () => w.errLines.some((l) => l.startsWith('neigh-watch: watching')));
    ns.sh('ping -c 1 -W 2 10.61.0.2');
    const end = await Promise.race([w.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(end).toEqual({ code: 0, signal: null });
    // The stack learnt the kernel from its ARP request: STALE, as Linux's arp_process does.
    expect(w.lines).toHaveLength(1);
    expect(w.lines[0]).toMatch(/^10\.61\.0\.1 dev exw0 lladdr (?:[0-9a-f]{2}:){5}[0-9a-f]{2} STALE $/);
  });

  it('--dump prints the table first; Ctrl-C ends it with status 0', async () => {
    const w = new Proc(ns.spawn(process.execPath, [example('neigh-watch.mjs'), '--name', name, '--dump']));
    await waitFor('neigh-watch to subscribe', () => w.errLines.some((l) => l.startsWith('neigh-watch: watching')));
    expect(w.lines.some((l) => l.startsWith('10.61.0.1 dev exw0 lladdr '))).toBe(true);
    w.p.kill('SIGINT');
    const end = await Promise.race([w.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(end).toEqual({ code: 0, signal: null });
  });

  it('a stack that is not running: status 1 and the reason', async () => {
    const r = await runChild([example('neigh-watch.mjs'), '--name', `${name}-none`], { wrap: ['ip', 'netns', 'exec', ns.name] });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot connect to .*-none\.sock: No such file or directory \(is the stack running\?\)/);
  });
});

describe.skipIf(!kernel)('examples/udp-echo.mjs (root, in a namespace)', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('tsexu');
  });
  afterAll(() => ns?.destroy());

  it('echoes datagrams from the kernel, then stops after --count and ends by itself', async () => {
    const e = new Proc(ns.spawn(process.execPath, [example('udp-echo.mjs'), '--dev', 'exu0', '--addr', '10.62.0.2/24', '--port', '7', '--count', '2']));
    await waitFor('udp-echo to listen', () => e.lines.some((l) => l.startsWith('udp-echo: listening on 10.62.0.2:7')), 10000);
    ns.sh('ip addr add 10.62.0.1/24 dev exu0');
    const client = `
      const s = require('node:dgram').createSocket('udp4');
      const got = [];
      s.on('message', (m, r) => { got.push(m.toString() + ' from ' + r.address + ':' + r.port); if (got.length === 2) { console.log(got.join('\\n')); s.close(); } });
      s.bind(0, '10.62.0.1', () => { s.send('hello', 7, '10.62.0.2'); setTimeout(() => s.send('again', 7, '10.62.0.2'), 100); });
      setTimeout(() => { console.log(got.join('\\n')); process.exit(1); }, 5000).unref();
    `;
    const out = ns.sh(`${process.execPath} -e "${client.replace(/"/g, '\\"')}"`);
    expect(out.trim().split('\n')).toEqual(['hello from 10.62.0.2:7', 'again from 10.62.0.2:7']);
    const end = await Promise.race([e.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(end).toEqual({ code: 0, signal: null });
    expect(e.lines.at(-1)).toBe('udp-echo: stopped after 2 datagrams');
    expect(ns.try('ip link show exu0').status).not.toBe(0);
  });
});
