// Test hosts for integration tests: a private network namespace per test file, always removed,
// and a check that fails (rather than skips) under CI when root or /dev/net/tun is missing.
import { execFileSync, spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CI = process.env.CI === 'true';

/**
 * Stacks started by tests put their control sockets here, not in /run/tapstack, so tests never
 * meet a stack the machine's user is running (children inherit the environment).
 */
export const RUN_DIR = process.env.TAPSTACK_RUN_DIR ?? makeRunDir();

function makeRunDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tapstack-test-run-'));
  process.env.TAPSTACK_RUN_DIR = d;
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Why kernel-backed tests cannot run here, or null when they can. */
export function kernelTestBlocker(tools: string[] = ['ip']): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `${t} is not installed`;
  }
  if (!existsSync(join(ROOT, 'build', 'Release', 'tapstack_native.node'))) return 'native addon not built (npm install)';
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) return 'TypeScript not compiled (npm run build:ts)';
  return null;
}

/**
 * Whether to run a kernel-backed suite: true when possible; false (skip) when not, except under
 * CI=true where a missing capability must fail loudly.
 */
export function canRunKernelTests(tools?: string[]): boolean {
  const why = kernelTestBlocker(tools);
  if (why === null) return true;
  if (CI) throw new Error(`CI=true but kernel-backed tests cannot run: ${why}`);
  return false;
}

export class Netns {
  private constructor(readonly name: string) {}

  static create(prefix: string): Netns {
    const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new Netns(name);
    ns.sh('ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    return ns;
  }

  /** Runs a shell command inside the namespace; throws with its stderr on failure. */
  sh(cmd: string, timeoutMs = 20000): string {
    const r = spawnSync('ip', ['netns', 'exec', this.name, 'sh', '-c', cmd], { encoding: 'utf8', timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`[${this.name}] ${cmd}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** As sh(), but returns the status and output instead of throwing. */
  try(cmd: string, timeoutMs = 20000): { status: number | null; out: string; err: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, 'sh', '-c', cmd], { encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }

  /** Starts a long-running process in the namespace. */
  spawn(cmd: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  destroy(): void {
    // Killing what still runs inside first lets `ip netns del` free the namespace at once.
    spawnSync('sh', ['-c', `ip netns pids ${this.name} | xargs -r kill -9`]);
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

type Maybe<T> = T | null | undefined | false;

/** Waits until `pred` (sync or async) holds, polling every 50 ms; throws with `what` after timeoutMs. */
export async function waitFor<T>(what: string, pred: () => Maybe<T> | Promise<Maybe<T>>, timeoutMs = 10000): Promise<NonNullable<Exclude<T, false>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v as NonNullable<Exclude<T, false>>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A tapstack instance in a namespace, driven by JSON lines (test/helpers/stack_child.mjs). */
export class StackChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  readonly events: any[] = [];
  readonly stderr: string[] = [];
  /** `label` names the child in error messages; subclasses drive other scripts (ipv6_child.mjs). */
  protected constructor(readonly proc: ChildProcess, private readonly label = 'stack child') {
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      let msg: any;
      try {
        msg = JSON.parse(line);
      } catch {
        this.stderr.push(line);
        return;
      }
      if (msg.event) {
        this.events.push(msg);
        return;
      }
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(msg.error));
      else w.resolve(msg.result);
    });
    proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    proc.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error(`${this.label} exited: ${this.stderr.join('')}`));
      this.waiting.clear();
    });
  }

  static start(ns: Netns): StackChild {
    return new StackChild(ns.spawn(process.execPath, [join(ROOT, 'test', 'helpers', 'stack_child.mjs')]));
  }

  call(op: string, args: Record<string, unknown> = {}, timeoutMs = 20000): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.label}: ${op} timed out; stderr: ${this.stderr.join('')}`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}
