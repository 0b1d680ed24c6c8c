// What the TCP kernel tests share: the byte pattern both ends send and its hash, the JSON-line
// request loop their child programs end with (answered by LineChild), starting the stack child
// and the kernel-side child in a namespace, and the kernel's /proc/net/snmp and /proc/net/netstat
// groups read inside the namespace.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineChild } from './line_child.js';
import { Netns, ROOT } from './netns.js';

/** Source of the pattern function for child programs: byte i of stream k is (i * 31 + 7 + k) & 0xff. */
export const PATTERN = `(n, k = 0) => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + 7 + k) & 0xff; return b; }`;

/** The SHA-256 of `n` bytes of pattern stream `k`, as the children hash what they receive. */
export function patternHash(n: number, k = 0): string {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7 + k) & 0xff;
  return createHash('sha256').update(b).digest('hex');
}

/**
 * The end of a child program: answers each request line `{id, op, ...}` with `{id, result}` or
 * `{id, error}` from its `ops` table, then says it is ready with `ready` (a JSON object's source).
 * The child must import createInterface from node:readline and define `out`.
 */
export function lineLoop(ready: string): string {
  return `createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try { out({ id: req.id, result: await ops[req.op](req) }); } catch (e) { out({ id: req.id, error: String(e && e.stack ? e.stack : e) }); }
});
out(${ready});
`;
}

/** One group of the namespace's /proc/net/snmp (Tcp, Udp, ...) or /proc/net/netstat (TcpExt, ...), by Linux's names. */
export function kernelSnmp(ns: Netns, file: 'snmp' | 'netstat', group: string): Record<string, number> {
  const lines = ns.sh(`cat /proc/net/${file}`).split('\n').filter((l) => l.startsWith(`${group}:`));
  if (lines.length < 2) throw new Error(`no ${group} group in /proc/net/${file}`);
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/** A stack child and a kernel-side child in a namespace of their own (see {@link startChildPair}). */
export interface ChildPair {
  ns: Netns;
  /** The temporary directory the children's files live in. */
  dir: string;
  stack: LineChild;
  kernel: LineChild;
  /** Kills both children, removes the namespace and the directory (safe to call on a partial start). */
  close(): void;
}

/**
 * Writes the children's programs (stack.mjs, kernel.mjs and any `files`) into a temporary
 * directory, creates namespace `prefix-…`, starts the stack child (it makes tap0 and prints
 * `{ready: true}`) with the dist build's URL as its argument, runs `kernelSide(ns)` (addresses,
 * sysctls) and then starts the kernel-side child (which prints `{event: 'ready'}`). On failure
 * everything made so far is removed before the error is thrown.
 */
export async function startChildPair(o: {
  prefix: string;
  stackChild: string;
  kernelChild: string;
  files?: Record<string, string>;
  nodeFlags?: string[];
  kernelSide: (ns: Netns) => void;
}): Promise<ChildPair> {
  const p: Partial<ChildPair> = {};
  const close = (): void => {
    p.stack?.proc.kill('SIGKILL');
    p.kernel?.proc.kill('SIGKILL');
    p.ns?.destroy();
    if (p.dir) rmSync(p.dir, { recursive: true, force: true });
  };
  try {
    p.dir = mkdtempSync(join(tmpdir(), `tapstack-${o.prefix}-`));
    writeFileSync(join(p.dir, 'stack.mjs'), o.stackChild);
    writeFileSync(join(p.dir, 'kernel.mjs'), o.kernelChild);
    for (const [name, text] of Object.entries(o.files ?? {})) writeFileSync(join(p.dir, name), text);
    p.ns = Netns.create(o.prefix);
    p.stack = new LineChild(p.ns.spawn(process.execPath, [...(o.nodeFlags ?? []), join(p.dir, 'stack.mjs'), pathToFileURL(join(ROOT, 'dist', 'index.js')).href]));
    await p.stack.event('the stack', (e) => e.ready === true);
    o.kernelSide(p.ns);
    p.kernel = new LineChild(p.ns.spawn(process.execPath, [join(p.dir, 'kernel.mjs')]));
    await p.kernel.event('the kernel-side sockets', (e) => e.event === 'ready');
  } catch (e) {
    close();
    throw e;
  }
  return { ...(p as Omit<ChildPair, 'close'>), close };
}
