// Runs a tapstack Stack inside a test's network namespace and serves JSON-line requests on stdin
// (one object per line: {id, op, ...}); neighbour events are streamed as {event: ...} lines.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lib = await import(join(root, 'dist', 'index.js'));
const { Stack, TapDevice, Sysctl, parseMac, parseIPv4, formatMac, IFF_NOARP } = lib;

// The IPv4 kernel tests' stack: IPv6 off, so tables and captures hold only what IPv4 does
// (test/helpers/ipv6_child.mjs is the IPv6 one).
const stack = new Stack({ ipv6: false });
let tap = null;
const ctl = new Sysctl(stack);
stack.on('neigh', (ev) => process.stdout.write(JSON.stringify({ event: ev.type, neigh: ev.neigh, t: performance.now() }) + '\n'));

const ops = {
  /** One device ({dev, addrs, mac}) or several ({devs: [...]}); the first is `tap` for setParm. */
  start({ dev, addrs, mac, via, parms, devs, sysctl }) {
    const list = devs ?? [{ dev, addrs, mac }];
    const out = [];
    for (const d of list) {
      const t = TapDevice.open(d.dev, { mac: d.mac ? parseMac(d.mac) : undefined });
      stack.addDevice(t);
      tap ??= t;
      out.push({ name: t.name, mac: formatMac(t.devAddr), created: t.created });
    }
    if (sysctl) for (const [k, v] of Object.entries(sysctl)) ctl.set(k, String(v));
    for (const d of list) for (const a of d.addrs ?? []) stack.addAddress(d.dev, a);
    if (via) stack.addRoute('default', via);
    if (parms) for (const [k, v] of Object.entries(parms)) tap.ipPtr.arpParms.set(k, v);
    return devs ? out : out[0];
  },
  sysctl({ key, value }) {
    return value === undefined ? ctl.get(key) : ctl.set(key, String(value));
  },
  /** `ip link set dev DEV address MAC | arp on|off | up | down`. */
  linkSet({ dev, address, arp, up }) {
    const d = stack.device(dev);
    if (address) stack.net.devSetMacAddress(d, parseMac(address));
    if (arp !== undefined) stack.net.devChangeFlags(d, arp ? d.flags & ~IFF_NOARP : d.flags | IFF_NOARP);
    if (up === true) stack.net.devOpen(d);
    if (up === false) stack.net.devClose(d);
    return { flags: d.flags, mac: formatMac(d.devAddr) };
  },
  /** `ip neigh add ADDR lladdr MAC nud permanent dev DEV` or `ip neigh add proxy ADDR dev DEV`. */
  neighAdd({ dst, dev, lladdr, proxy }) {
    const tbl = stack.inet.arp.tbl;
    const d = dev ? stack.device(dev) : null;
    const key = parseIPv4(dst);
    const rc = proxy
      ? tbl.pneighCreate(key, d)
      : tbl.neighAdd(key, d, { state: 0x80, lladdr: parseMac(lladdr), create: true, replace: true });
    if (rc < 0) throw new Error(`neighAdd: errno ${-rc}`);
    return true;
  },
  async claim({ dev, cidr, timing }) {
    try {
      return await stack.claimAddress(dev, cidr, timing);
    } catch (e) {
      return { error: e.message, errno: e.errno };
    }
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
  /** The table's invariant violations ([] when sound) and what bounds it, plus the drop counters 'stats' lacks. */
  invariants() {
    const t = stack.inet.arp.tbl;
    return {
      violations: t.checkInvariants(), size: t.size, gcThresh3: t.gcThresh3, proxyQueue: t.proxyQueueLength,
      core: stack.net.stats, tap: tap?.tapStats ?? null, handleRxTruncated: tap?.handle.rxTruncated ?? null,
    };
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
