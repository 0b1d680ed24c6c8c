// Runs a Node script as a child process and reports how it ended: for programs that must exit on
// their own (lifecycle and example tests).
import { spawn } from 'node:child_process';
import { ROOT } from './netns.js';

export interface ChildResult {
  code: number | null;
  signal: string | null;
  out: string;
  err: string;
  /** Milliseconds from the child's first output line to its exit (null: it printed nothing). */
  exitAfterFirstLineMs: number | null;
}

/**
 * `node ARGS` from the repository root (or `WRAP... node ARGS`, e.g. `ip netns exec NS`); killed
 * with SIGKILL after timeoutMs. `onLine` sees each stdout line as it arrives (with the process,
 * e.g. to signal it).
 */
export function runChild(
  args: string[],
  opts: { timeoutMs?: number; wrap?: string[]; env?: NodeJS.ProcessEnv; onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void } = {},
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const cmd = opts.wrap ? opts.wrap[0] : process.execPath;
    const argv = opts.wrap ? [...opts.wrap.slice(1), process.execPath, ...args] : args;
    const p = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let out = '';
    let err = '';
    let pending = '';
    let firstLineAt: number | null = null;
    p.stdout.on('data', (d) => {
      out += String(d);
      pending += String(d);
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        firstLineAt ??= Date.now();
        opts.onLine?.(line, (sig) => p.kill(sig));
      }
    });
    p.stderr.on('data', (d) => (err += String(d)));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 15000);
    p.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, out, err, exitAfterFirstLineMs: firstLineAt === null ? null : Date.now() - firstLineAt });
    });
  });
}
