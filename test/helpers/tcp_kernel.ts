// What the TCP kernel tests share: the byte pattern both ends send and its hash, the JSON-line
// request loop their child programs end with (answered by LineChild), and the kernel's
// /proc/net/snmp and /proc/net/netstat groups read inside the namespace.
import { createHash } from 'node:crypto';
import type { Netns } from './netns.js';

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
