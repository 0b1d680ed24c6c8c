// Runs a tapstack Stack inside a test's network namespace and serves JSON-line requests on stdin
// (one object per line: {id, op, ...}); neighbour events are streamed as {event: ...} lines.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lib = await import(join(root, 'dist', 'index.js'));
const { Stack, TapDevice, parseMac, formatMac } = lib;

const stack = new Stack();
let tap = null;
stack.on('neigh', (ev) => process.stdout.write(JSON.stringify({ event: ev.type, neigh: ev.neigh, t: performance.now() }) + '\n'));

const ops = {
  start({ dev, addrs, mac, via, parms }) {
    tap = TapDevice.open(dev, { mac: mac ? parseMac(mac) : undefined });
    stack.addDevice(tap);
    for (const a of addrs) stack.addAddress(tap, a);
    if (via) stack.addRoute('default', via);
    if (parms) for (const [k, v] of Object.entries(parms)) tap.ipPtr.arpParms.set(k, v);
    return { name: tap.name, mac: formatMac(tap.devAddr), created: tap.created };
  },
  setParm({ name, value }) {
    tap.ipPtr.arpParms.set(name, value);
    return true;
  },
  async ping({ dst, count, interval, size, timeout }) {
    return stack.ping(dst, { count, interval, size, timeout });
  },
  neigh() {
    return stack.neighbours();
  },
  stats() {
    const t = stack.inet.arp.tbl;
    return { neigh: t.stats, arp: stack.inet.arp.stats, ip: stack.inet.stats, icmp: stack.inet.icmp.stats, dev: tap?.stats };
  },
  async close() {
    await stack.close();
    setTimeout(() => process.exit(0), 10);
    return true;
  },
};

createInterface({ input: process.stdin }).on('line', async (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  try {
    const fn = ops[req.op];
    if (!fn) throw new Error(`unknown op ${req.op}`);
    const result = await fn(req);
    process.stdout.write(JSON.stringify({ id: req.id, result }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: req.id, error: String(e && e.stack ? e.stack : e) }) + '\n');
  }
});
process.stdin.on('end', () => stack.close().then(() => process.exit(0)));
