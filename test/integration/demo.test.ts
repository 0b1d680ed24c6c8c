// `npm run demo` (scripts/demo.sh) as a user runs it, and Ctrl-C at any moment: the terminal sends
// SIGINT to the whole foreground process group (bash, npm, ping, ip, the stack), so each run here
// gets a process group of its own and the signal goes to all of it. Whatever the moment, nothing
// may be left (its $TMPDIR files, the stack's control socket, the namespace), nothing may be
// printed but the demo's own lines, the stack stops once and says so, and the exit status is 130.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, canRunKernelTests } from '../helpers/netns.js';

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  ns: string;
  /** What the demo left in its TMPDIR and the stack in its run directory. */
  leftovers: string[];
  /** Whether the SIGINT was sent. */
  interrupted: boolean;
}

/** Namespaces and directories of runs, removed after each test even when a run went wrong. */
const made: { ns: string[]; dirs: string[] } = { ns: [], dirs: [] };

function namespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!);
}

/**
 * Runs the demo (`bash scripts/demo.sh`, or `npm run demo`) in a process group of its own with a
 * private TMPDIR and TAPSTACK_RUN_DIR; `interruptWhen` says, for each output line (and every
 * 10 ms with line null), whether now is the moment to SIGINT the whole group.
 */
function runDemo(cmd: string[], interruptWhen: ((line: string | null, ns: string) => boolean) | null): Promise<DemoRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'tapstack-demo-test-'));
  const tmpDir = join(tmp, 'tmp');
  const runDir = join(tmp, 'run');
  spawnSync('mkdir', [tmpDir, runDir]);
  made.dirs.push(tmp);
  return new Promise((resolve) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpDir, TAPSTACK_RUN_DIR: runDir } });
    // bash's pid (the demo names its namespace after it); under npm, the name it prints.
    let ns = `tapdemo-${p.pid}`;
    let out = '';
    let err = '';
    let pending = '';
    let interrupted = false;
    const check = (line: string | null): void => {
      if (interrupted || !interruptWhen || !interruptWhen(line, ns)) return;
      interrupted = true;
      process.kill(-p.pid!, 'SIGINT');
    };
    p.stdout.on('data', (d) => {
      out += String(d);
      pending += String(d);
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        ns = /^demo: creating network namespace (tapdemo-\d+)$/.exec(pending.slice(0, i))?.[1] ?? ns;
        check(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    });
    p.stderr.on('data', (d) => (err += String(d)));
    const poll = setInterval(() => check(null), 10);
    const deadline = setTimeout(() => process.kill(-p.pid!, 'SIGKILL'), 40000);
    p.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(deadline);
      // The demo removes its namespace before it exits; a later look must not find it.
      made.ns.push(ns);
      // Wait for the whole group, not just its leader, to be gone before looking for leftovers.
      const gone = (): boolean => spawnSync('sh', ['-c', `kill -0 -- -${p.pid}`]).status !== 0;
      const end = Date.now() + 5000;
      const finish = (): void => {
        if (!gone() && Date.now() < end) return void setTimeout(finish, 20);
        const leftovers = [...readdirSync(tmpDir).map((f) => `TMPDIR/${f}`), ...readdirSync(runDir).map((f) => `run/${f}`)];
        resolve({ code, signal, out, err, ns, leftovers, interrupted });
      };
      finish();
    });
  });
}

/** Every interrupted run: exit 130, quiet, nothing left behind. */
function expectCleanInterrupt(r: DemoRun): void {
  expect(r.interrupted).toBe(true);
  expect(r.err).toBe('');
  expect(r.out).not.toMatch(/Cannot find device/);
  expect(r.leftovers).toEqual([]);
  expect(namespaces()).not.toContain(r.ns);
  expect(r.out).toContain(`demo: namespace ${r.ns} removed\n`);
  expect([r.code, r.signal]).toEqual([130, null]);
}

/** Whether a process in the namespace runs tapstack's CLI. */
function stackStarted(ns: string): boolean {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return pids.some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/cli/main.js');
    } catch {
      return false;
    }
  });
}

const STOPPED = /^ {2}stack\| tapstack: stopped \(SIGINT\), tap0 removed$/m;
const DEMO = ['bash', join('scripts', 'demo.sh')];

describe.runIf(canRunKernelTests(['ip', 'ping', 'setsid']))('npm run demo, and Ctrl-C during it', () => {
  afterEach(() => {
    for (const ns of made.ns.splice(0)) {
      if (!namespaces().includes(ns)) continue;
      spawnSync('sh', ['-c', `ip netns pids ${ns} | xargs -r kill -9`]);
      spawnSync('ip', ['netns', 'del', ns]);
    }
    for (const d of made.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('runs to its OK line, then removes everything', async () => {
    const r = await runDemo(DEMO, null);
    expect(r.err).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
    expect(r.out).toMatch(/^demo: OK — 5\/5 replies, and the kernel learned the stack's MAC (?:[0-9a-f]{2}:){5}[0-9a-f]{2} by ARP$/m);
    expect(r.out).toMatch(STOPPED);
    expect(r.leftovers).toEqual([]);
    expect(namespaces()).not.toContain(r.ns);
  }, 60000);

  it('Ctrl-C before the stack is started: exit 130, namespace and files removed', async () => {
    const r = await runDemo(DEMO, (line) => line?.startsWith('demo: creating network namespace') ?? false);
    expectCleanInterrupt(r);
  }, 60000);

  it('Ctrl-C while the stack is starting: it still comes up, then stops once and says so', async () => {
    // Node runs the stack's CLI in the namespace (not the script's own ip and sysctl there), and
    // the stack has not printed yet.
    const r = await runDemo(DEMO, (line, ns) => line === null && stackStarted(ns));
    expect(r.out).not.toContain('demo: tapstack is up');
    expectCleanInterrupt(r);
    expect(r.out).toMatch(STOPPED);
  }, 60000);

  it('Ctrl-C once the stack is up: it stops once and says so', async () => {
    const r = await runDemo(DEMO, (line) => line?.startsWith('demo: tapstack is up') ?? false);
    expectCleanInterrupt(r);
    expect(r.out).toMatch(STOPPED);
  }, 60000);

  it("Ctrl-C during the pings: ping's statistics, then the stack stops once and says so", async () => {
    const r = await runDemo(DEMO, (line) => line?.includes('icmp_seq=2') ?? false);
    expectCleanInterrupt(r);
    expect(r.out).toMatch(/^--- 10\.0\.0\.2 ping statistics ---$/m);
    expect(r.out).not.toContain('demo: OK');
    expect(r.out).toMatch(STOPPED);
  }, 60000);

  it('npm run demo and Ctrl-C during the pings: npm ends by SIGINT (status 130 in the shell), silently', async () => {
    // npm passes the SIGINT on to its script as well and then re-raises it on itself.
    const r = await runDemo(['npm', 'run', 'demo'], (line) => line?.includes('icmp_seq=2') ?? false);
    expect([r.code, r.signal]).toEqual([null, 'SIGINT']);
    expect(r.err).toBe('');
    expect(r.out).not.toMatch(/Cannot find device|npm error/);
    expect(r.leftovers).toEqual([]);
    expect(r.out).toContain(`demo: namespace ${r.ns} removed\n`);
    expect(namespaces()).not.toContain(r.ns);
    expect(r.out).toMatch(STOPPED);
  }, 60000);
});
