// What a developer following the README gets: the packed tarball installed into an empty project
// (compiling the addon there), the README's hello.mjs run as printed, and a strict TypeScript
// consumer type-checked against the shipped .d.ts, by the TypeScript tapstack pins and by the newest
// major (7, whose `types` defaults to [] so the declarations must load @types/node themselves).
// Needs no root: the program uses the pair.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../helpers/child.js';
import { ROOT } from '../helpers/netns.js';

const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
/** The newest TypeScript major, installed into the consumer from the npm registry. */
const TS_NEWEST = 'typescript@7';
/** The consumer's @types/node: the version tapstack builds with (so it comes from the npm cache). */
const TYPES_NODE = `@types/node@${(JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string }).version}`;

/** The fenced block of the README that starts with `// NAME`, without that line. */
function readmeProgram(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp('```js\\n// ' + name.replace('.', '\\.') + '\\n([\\s\\S]*?)```').exec(readme);
  if (!m) throw new Error(`README has no program ${name}`);
  return m[1]!;
}

const TS_CONSUMER = `
import { Stack, createPair, NUD_STALE, StackError, type NeighSnapshot, type StackStats, type UdpRemoteInfo } from 'tapstack';

const a = new Stack();
const [ethA] = createPair('eth-a', 'eth-b');
a.addDevice(ethA);
a.addAddress(ethA, '192.168.7.1/24');
a.neighAdd({ dst: '192.168.7.9', dev: 'eth-a', lladdr: '02:00:00:00:00:09', state: NUD_STALE });
a.neighAdd({ dst: '192.168.7.10', dev: 'eth-a', lladdr: '02:00:00:00:00:0a', state: 'permanent' });
const n: NeighSnapshot[] = a.neighbours();
const s: StackStats = a.stats();
const count: number = s.udp.noPorts + s.arp.drops.badOpcode + s.devices[0]!.stats.rxPackets;
const sock = a.createSocket('udp4', (msg: Buffer, rinfo: UdpRemoteInfo) => console.log(msg.length, rinfo.port));
sock.bind(5000);
try {
  a.delRoute('10.9.9.0/24');
} catch (e) {
  if (e instanceof StackError) console.log(e.code, e.errno);
}
a.on('neigh', (ev) => console.log(ev.neigh.dst.length, ev.type));
a.once('link', (ev) => console.log(ev.link.name, ev.change));
sock.on('message', (msg, rinfo) => console.log(msg.byteLength, rinfo.address));
sock.on('error', (err) => console.log(err.code, err.errno));
for await (const ev of a.events(['newneigh'], { signal: AbortSignal.timeout(1) })) console.log(ev.type);
console.log(n.length, count);
await a.close();

// The types are real, not any: each of these must be an error.
// @ts-expect-error a counter is a number
const wrong: string = a.stats().udp.noPorts;
// @ts-expect-error lladdr is a string
a.neighAdd({ dst: '192.168.7.11', dev: 'eth-a', lladdr: 5 });
// @ts-expect-error there is no udp5
a.createSocket('udp5');
// @ts-expect-error a 'neigh' listener gets a NeighEvent
a.on('neigh', (ev: string) => console.log(ev));
void wrong;
`;

describe('the package as a consumer installs it', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-consumer-'));
    // dist/ is current: npm test compiled it first; --ignore-scripts keeps prepare from rebuilding it under other tests.
    const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const app = join(dir, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    // One install for everything: the tarball, @types/node as the README says, and the newest tsc.
    execFileSync('npm', ['install', ...NPM_QUIET, join(dir, tgz), TYPES_NODE, TS_NEWEST], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  }, 180000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs the tarball and compiles the addon in the consumer', () => {
    const pkg = join(dir, 'app', 'node_modules', 'tapstack');
    expect(existsSync(join(pkg, 'build', 'Release', 'tapstack_native.node'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it("runs the README's hello.mjs as printed, and it ends by itself", async () => {
    const file = join(dir, 'app', 'hello.mjs');
    writeFileSync(file, readmeProgram('hello.mjs'));
    const r = await runChild([file], { timeoutMs: 20000 });
    expect(r.err).toBe('');
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    const mac = '(?:[0-9a-f]{2}:){5}[0-9a-f]{2}';
    expect(r.out).toMatch(
      new RegExp(
        `^192\\.168\\.7\\.2 dev eth-a lladdr ${mac} REACHABLE \\nHELLO from 192\\.168\\.7\\.2:7\\nping: 2/2 replies\\n` +
          `1 datagram sent; 192\\.168\\.7\\.2 REACHABLE\\nDeleted 192\\.168\\.7\\.2 dev eth-a lladdr ${mac} REACHABLE \\n$`,
      ),
    );
  });

  it('a CommonJS program can require() it (Node >= 20.19 loads ES modules through require)', async () => {
    const file = join(dir, 'app', 'req.cjs');
    writeFileSync(
      file,
      `const { Stack, createPair } = require('tapstack');
const a = new Stack(), b = new Stack();
const [x, y] = createPair('x0', 'y0');
a.addDevice(x); b.addDevice(y);
a.addAddress(x, '10.1.0.1/24'); b.addAddress(y, '10.1.0.2/24');
a.ping('10.1.0.2', { count: 1 }).then(async (r) => { console.log(r.received); await a.close(); await b.close(); });
`,
    );
    const r = await runChild([file], { timeoutMs: 20000 });
    expect(r.err).not.toMatch(/ERR_/);
    expect([r.code, r.out]).toEqual([0, '1\n']);
  });

  /** The consumer's tsc (pinned: tapstack's own; newest: the one installed into the consumer), exit status and output. */
  function tsc(which: 'pinned' | 'newest', project: string): { code: number; out: string } {
    const bin = which === 'pinned' ? join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc') : join(dir, 'app', 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      return { code: 0, out: execFileSync(process.execPath, [bin, '-p', project], { cwd: join(dir, 'app'), encoding: 'utf8', stdio: 'pipe' }) };
    } catch (e) {
      const { status, stdout, stderr } = e as { status?: number; stdout?: string; stderr?: string };
      return { code: status ?? -1, out: `${stdout ?? ''}${stderr ?? ''}` };
    }
  }

  it('the pinned and the newest TypeScript are the ones under test', () => {
    const pinned = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version;
    const newest = (JSON.parse(readFileSync(join(dir, 'app', 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version;
    expect(pinned).toMatch(/^5\./);
    expect(newest).toMatch(/^7\./);
  });

  // What the README advises and nothing more: strict, NodeNext, @types/node installed; no `types`,
  // no `typeRoots`, no skipLibCheck, so every shipped declaration it reaches is checked too.
  const CONSUMER_OPTIONS = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true };

  for (const which of ['pinned', 'newest'] as const) {
    it(`${which} tsc: a strict NodeNext TypeScript consumer type-checks, and its deliberate type errors are errors`, () => {
      const app = join(dir, 'app');
      writeFileSync(join(app, `consumer-${which}.ts`), TS_CONSUMER);
      writeFileSync(join(app, `tsconfig.${which}.json`), JSON.stringify({ compilerOptions: CONSUMER_OPTIONS, files: [`consumer-${which}.ts`] }));
      expect(tsc(which, `tsconfig.${which}.json`)).toEqual({ code: 0, out: '' });
      // An unused @ts-expect-error is itself an error: dropping the type checks would fail here.
      writeFileSync(join(app, `consumer-${which}.ts`), TS_CONSUMER.replace("a.createSocket('udp5');", "a.createSocket('udp4');"));
      const r = tsc(which, `tsconfig.${which}.json`);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/consumer-\w+\.ts\(\d+,\d+\): error TS2578: Unused '@ts-expect-error' directive/);
      expect(r.out.trim().split('\n')).toHaveLength(1);
    }, 60000);

    it(`${which} tsc: every shipped .d.ts compiles in a strict NodeNext program`, () => {
      const app = join(dir, 'app');
      writeFileSync(join(app, `tsconfig.dist-${which}.json`), JSON.stringify({ compilerOptions: CONSUMER_OPTIONS, include: ['node_modules/tapstack/dist/**/*.d.ts'] }));
      expect(tsc(which, `tsconfig.dist-${which}.json`)).toEqual({ code: 0, out: '' });
    }, 60000);
  }
});
