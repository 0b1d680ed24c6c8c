// A child process speaking JSON lines: requests with ids answered by {id, result|error}, and
// events (every other line). Shared by the kernel tests that drive a stack and kernel-side programs.
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { waitFor } from './netns.js';

/** A child speaking JSON lines: requests with ids, and events. */
export class LineChild {
  readonly events: any[] = [];
  readonly stderr: string[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (m: any) => void>();

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let m: any;
      try {
        m = JSON.parse(line);
      } catch {
        this.stderr.push(line);
        return;
      }
      if (m.id !== undefined && this.waiting.has(m.id)) {
        this.waiting.get(m.id)!(m);
        this.waiting.delete(m.id);
      } else {
        this.events.push(m);
      }
    });
    proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
  }

  async call(op: string, args: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    const m = await new Promise<any>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${op} timed out; stderr: ${this.stderr.join('')}`)), 15000);
      this.waiting.set(id, (v) => {
        clearTimeout(t);
        resolve(v);
      });
      this.proc.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
    if (m.error) throw new Error(m.error);
    return m.result;
  }

  write(cmd: Record<string, unknown>): void {
    this.proc.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  /** The first event (from `since`) matching `pred`. */
  async event(what: string, pred: (e: any) => boolean, since = 0, timeoutMs = 10000): Promise<any> {
    return waitFor(what, () => this.events.slice(since).find(pred), timeoutMs).catch((e: Error) => {
      throw new Error(`${e.message}; events: ${JSON.stringify(this.events)}; stderr: ${this.stderr.join('')}`);
    });
  }
}

