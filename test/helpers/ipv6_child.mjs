// Runs a tapstack Stack with IPv6 inside a test's network namespace and serves JSON-line requests
// on stdin ({id, op, ...}); 'log', 'addr' and 'neigh' events are streamed as {event: ...} lines.
// The IPv6 counterpart of stack_child.mjs: what ipv6_*_kernel tests need to see of nd_tbl,
// addrconf and the IPv6 routing table, through the public library and its printers.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(join(root, 'dist', p));
const lib = await dist('index.js');
const { Stack, TapDevice, ControlServer, ControlHandler, controlSocketPath, parseMac, formatMac, formatNeighLine, formatNeighEvent } = lib;
const { rt6Snapshot } = await dist('ipv6/route.js');
const { formatRoute6Show } = await dist('cli/fmt_route6.js');
const { formatNtable } = await dist('cli/fmt_ntable.js');
const { NUD_FILTER_DEFAULT } = await dist('cli/fmt_neigh.js');
const { nudFilterMatches } = await dist('neighbour/nud.js');

const stack = new Stack({ ipv6: true });
let control = null;
const emit = (o) => process.stdout.write(JSON.stringify({ ...o, t: performance.now() }) + '\n');
stack.on('log', (line) => emit({ event: 'log', line }));
stack.on('addr', (ev) => emit({ event: 'addr', type: ev.type, addr: ev.addr }));
// `line` is what `ip -6 monitor neigh` prints for the event.
stack.on('neigh', (ev) => emit({ event: 'neigh', type: ev.type, neigh: ev.neigh, line: formatNeighEvent(ev) }));

/** Every IPv6 route (both tables, table order) as `ip -6 route` snapshots. */
function routes() {
  const now = stack.clock.now();
  return stack.inet6.fib.all.map((r) => rt6Snapshot(r, now));
}

const ops = {
  /**
   * Opens the TAP `dev` (MAC `mac`) with the device down, applies `sysctl` (keys may name the
   * device), brings it up, then adds `addrs` (strings or {cidr, nodad, ...}).
   */
  start({ dev, mac, sysctl, addrs }) {
    const t = TapDevice.open(dev, { mac: mac ? parseMac(mac) : undefined });
    stack.addDevice(t, { up: false });
    for (const [k, v] of Object.entries(sysctl ?? {})) stack.sysctl.set(k, String(v));
    stack.net.devOpen(t);
    for (const a of addrs ?? []) {
      const o = typeof a === 'string' ? { cidr: a } : a;
      stack.addAddress(dev, o.cidr, o);
    }
    return { name: t.name, mac: formatMac(t.devAddr), created: t.created };
  },
  /** A control socket for `tapstack --name NAME ...` (the CLI against this stack). */
  async listen({ name }) {
    control = await ControlServer.listen(new ControlHandler(stack), controlSocketPath(name));
    return true;
  },
  sysctl({ key, value }) {
    return value === undefined ? stack.sysctl.get(key) : stack.sysctl.set(key, String(value));
  },
  addAddress({ dev, cidr, opts }) {
    stack.addAddress(dev, cidr, opts ?? {});
    return true;
  },
  delAddress({ dev, cidr }) {
    stack.delAddress(dev, cidr);
    return true;
  },
  addresses() {
    return stack.addresses('inet6');
  },
  /**
   * Every neighbour, the `ip -6 neigh show` lines (iproute2's default filter: no NOARP, no NONE)
   * and the `ip -6 neigh show nud all` lines, in table order.
   */
  neigh() {
    const list = stack.neighbours('inet6');
    const shown = list.filter((n) => nudFilterMatches(n.state, n.flags, NUD_FILTER_DEFAULT));
    return { list, lines: shown.map((n) => formatNeighLine(n)), all: list.map((n) => formatNeighLine(n)) };
  },
  /** `ip -6 neigh flush dev DEV [nud ...]`: by default all but PERMANENT and NOARP; `states` a NUD_* mask. */
  neighFlush({ states } = {}) {
    return stack.neighFlush({ family: 'inet6', states });
  },
  routes({ table } = {}) {
    const all = routes();
    const shown = table === 'all' ? all : all.filter((r) => r.table === (table ?? 'main'));
    return { list: all, text: formatRoute6Show(shown, { hideTable: table !== 'all' }) };
  },
  /** nd_tbl's view and `ip ntable show name ndisc_cache [dev DEV]` text. */
  ntables({ dev } = {}) {
    const views = stack.ntables('inet6');
    return { views, text: formatNtable(views, { name: 'ndisc_cache', dev }) };
  },
  async ping({ dst, ...opts }) {
    return stack.ping(dst, opts);
  },
  stats() {
    const s = stack.stats();
    return { nd: s.nd, ndisc: s.ndisc, ip6: s.ip6, icmp6: s.icmp6, mld: s.mld };
  },
  async close() {
    await control?.close();
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
