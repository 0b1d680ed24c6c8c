// TCP through a TAP against the physical-limit proxy of the same run (reference/tcp.md §6b):
//   relay:  kernel ns A ↔ TAP ↔ C relay ↔ TAP ↔ kernel ns B   (plain 1514-byte frames)
//   relay TSO: the same relay with the virtio-net header and TUNSETOFFLOAD(CSUM|TSO4|TSO6) on both
//           TAPs (super-frames up to 64 KiB pass through whole)
//   veth:   kernel ns A ↔ veth ↔ kernel ns B (offloads on: the kernel's own best): bulk beside
//           T1/T2, and the request/response anchors of T5/T6
//   T1:     kernel → tapstack's sink            T2: tapstack's sender → kernel sink
//           each twice: tapstack with offloads (virtio-net header, TSO both ways; tap0) and
//           without (plain frames; a second tapstack on tap1)
//   T5:     1-byte request/response, kernel client (tcp_rr.c) ↔ tapstack echo; anchor relay echo
//   T6:     connect + 1-byte request + reply + close, kernel → tapstack; anchors veth and relay
//   T7:     kernel sender → veth → router (tapstack's kernel) → tc tbf 200 Mbit/s, small limit
//           (congestion loss) → tap0 → tapstack's sink; anchor: the same sender and router, the
//           same tbf on a veth (offloads off: MTU frames) to a kernel receiver
//   T8:     heap of tapstack per idle ESTABLISHED connection at --conns (10,000) kernel
//           connections, and after they all closed (gc() heapUsed deltas)
// One load generator per kind on the kernel side of every path (bench/tap/tcpgen.py for bulk,
// bench/tap/tcp_rr.c for transactions; CUBIC pinned per socket); receivers/clients measure.
// Rounds alternate (anchor, tapstack, tapstack, anchor, ...); medians with the lowest and highest
// round. Namespaces are private and removed at the end, also on failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
if (args.includes('--help')) {
  console.log(`usage: node bench/tap/tcp.mjs [--rounds N] [--secs S] [--rr-secs S] [--conns N] [--composition] [--profile] [--only t1,t2,t5,t6,t7,t8] [--tbf 'TBF ARGS'] [--smoke] [--json FILE]
TCP through a TAP against anchors in the same run: throughput kernel → tapstack (T1) and
tapstack → kernel (T2) against a C relay between two TAPs; 1-byte request/response (T5) and
connections/s (T6) against kernel echo servers behind the relay and a veth; goodput through a
tbf on the sending kernel's TAP, tapstack receiving against the relay (T7); heap per idle
connection at --conns connections and after they closed (T8).`);
  process.exit(0);
}
const smoke = args.includes('--smoke');
const ROUNDS = Number(opt('--rounds', smoke ? 1 : 4));
const SECS = Number(opt('--secs', smoke ? 1 : 5));
/** T5/T6 seconds per measurement, and the JIT warm-up before them. */
const RR_SECS = Number(opt('--rr-secs', smoke ? 0.5 : SECS));
const RR_WARM = smoke ? 0.2 : 1;
let CONNS = Number(opt('--conns', smoke ? 200 : 10000));
const COMPOSITION = args.includes('--composition');
/** --profile: tapstack's process under node --cpu-prof; its top functions by self time at the end. */
const PROFILE = args.includes('--profile');
const PROF_DIR = join(HERE, 'build', `tcp-prof-${process.pid}`);
const ONLY = new Set(opt('--only', 't1,t2,t5,t6,t7,t8').split(','));
/** T7's token bucket on the sending kernel's device (tc-tbf(8)); the limit is small on purpose. */
const TBF = opt('--tbf', 'rate 200mbit burst 32kb limit 32kb');
const PY = '/usr/bin/python3';
const GEN = join(HERE, 'tcpgen.py');
const id = `${process.pid}-${randomBytes(2).toString('hex')}`;
// a, b: the relay's kernels; s: tapstack's kernel (and T7's router); t: T7's sender; u: T7's anchor receiver.
const NS = [`tcpb-a-${id}`, `tcpb-b-${id}`, `tcpb-s-${id}`, `tcpb-t-${id}`, `tcpb-u-${id}`];
const sh = (ns, cmd) => execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', cmd], { encoding: 'utf8' });
const children = [];
function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of NS) {
    spawnSync('sh', ['-c', `ip netns pids ${ns} 2>/dev/null | xargs -r kill -9`]);
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function build() {
  const out = join(HERE, 'build');
  mkdirSync(out, { recursive: true });
  const bin = (name) => {
    const b = join(out, name);
    execFileSync(process.env.CC || 'cc', ['-O2', '-o', b, join(HERE, `${name}.c`)]);
    return b;
  };
  return { relay: bin('relay'), rr: bin('tcp_rr') };
}
let RR = '';

/** Spawns and resolves with the child once it prints a line matching `ready`. */
function start(cmd, argv, ready, env) {
  const c = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
  children.push(c);
  const lines = [];
  const rl = createInterface({ input: c.stdout });
  const waiters = [];
  rl.on('line', (l) => {
    lines.push(l);
    for (const w of waiters.splice(0)) w();
  });
  let err = '';
  c.stderr.on('data', (d) => (err += d));
  const until = (pred, what, ms = 60000) =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}; stderr: ${err}`)), ms);
      const check = () => {
        const l = lines.find(pred);
        if (l !== undefined) {
          clearTimeout(t);
          res(l);
        } else waiters.push(check);
      };
      check();
    });
  return { c, lines, until, ready: until((l) => ready.test(l), `${cmd} ready`) };
}

const gbps = (r) => (r.bytes * 8) / r.secs / 1e9;

/** One transfer through a relay: the plain one (10.199.2.2) or the one with offloads (10.199.4.2). */
async function relayRound(host = '10.199.2.2') {
  const sink = start('ip', ['netns', 'exec', NS[1], PY, GEN, 'sink', '9000', host], /ready/);
  await sink.ready;
  const send = start('ip', ['netns', 'exec', NS[0], PY, GEN, 'send', '9000', host, String(SECS)], /bytes/);
  const line = await sink.until((l) => l.startsWith('{'), 'relay sink result', (SECS + 30) * 1000);
  await send.ready;
  return gbps(JSON.parse(line));
}

async function tapstackRound(stack, dir) {
  if (dir === 'in') {
    // T1: the kernel sends to tapstack's sink.
    const since = stack.lines.length;
    const send = start('ip', ['netns', 'exec', NS[2], PY, GEN, 'send', '9000', stack.addr, String(SECS)], /bytes/);
    const line = await stack.until((l, i) => l.includes('"sunk"') && i >= since, 'tapstack sink', (SECS + 30) * 1000);
    await send.ready;
    return gbps(JSON.parse(line));
  }
  // T2: tapstack sends to the kernel's sink.
  const sink = start('ip', ['netns', 'exec', NS[2], PY, GEN, 'sink', '9001', stack.peer], /ready/);
  await sink.ready;
  stack.c.stdin.write(`send 9001 ${stack.peer} ${SECS}\n`);
  const line = await sink.until((l) => l.startsWith('{'), 'kernel sink result', (SECS + 30) * 1000);
  return gbps(JSON.parse(line));
}

/** T5/T6: the C client in `ns` against HOST:9002; resolves with its JSON result. */
async function rrRound(ns, host, mode, secs = RR_SECS) {
  const c = start('ip', ['netns', 'exec', ns, RR, mode, host, '9002', String(secs)], /^\{/);
  const line = await c.until((l) => l.startsWith('{'), `${mode} result`, (secs + 30) * 1000);
  return JSON.parse(line);
}

/** T8: heap of the tapstack process (gc() first), as its JSON line. */
async function stackHeap(stack) {
  const since = stack.lines.length;
  stack.c.stdin.write('heap\n');
  return JSON.parse(await stack.until((l, i) => l.includes('"heap"') && i >= since, 'heap'));
}

/** Sends a command to tapstack's process and resolves with its JSON answer (event `ev`). */
async function stackCmd(stack, cmd, ev, ms = 300000) {
  const since = stack.lines.length;
  stack.c.stdin.write(`${cmd}\n`);
  return JSON.parse(await stack.until((l, i) => l.includes(`"${ev}"`) && i >= since, ev, ms));
}
let lastLive = null;
function printComposition(what, d) {
  console.error(`  t8 heap snapshot diff, ${what} (bytes, count; kinds ≥ 8 B):`);
  for (const r of d.rows) console.error(`    ${r.bytesPer.toFixed(0).padStart(7)} B  ${r.countPer.toFixed(2).padStart(7)}×  ${r.kind}`);
}

/** T8: CONNS idle connections from the kernel to tapstack's echo server, then all closed. */
async function connsRound(stack) {
  const before = await stackHeap(stack);
  const active0 = (await stackCmd(stack, 'live', 'live')).active;
  if (COMPOSITION) await stackCmd(stack, 'snap', 'snap');
  const hold = start('ip', ['netns', 'exec', NS[2], RR, 'hold', '10.0.0.2', '9002', String(CONNS)], /"open"/);
  const opened = JSON.parse(await hold.ready);
  console.error(`  t8: ${opened.open} open in ${opened.secs} s`);
  const open = await stackHeap(stack);
  if (COMPOSITION) printComposition('open, per connection', await stackCmd(stack, `snapdiff ${CONNS}`, 'snapdiff'));
  if (open.live < CONNS) throw new Error(`tapstack holds ${open.live} connections, expected ${CONNS}`);
  hold.c.stdin.write('close\n');
  await hold.until((l) => l.includes('"closed"'), 'hold closed');
  // Wait (cheaply, no gc) until tapstack has seen every connection close.
  const t0 = Date.now();
  let live = -1;
  while (Date.now() - t0 < 120000) {
    const since = stack.lines.length;
    stack.c.stdin.write('live\n');
    lastLive = JSON.parse(await stack.until((l, i) => l.includes('"live"') && i >= since, 'live'));
    live = lastLive.live;
    // Until tapstack's user saw every close and its TCP forgot every socket (LAST_ACK done).
    if (live === before.live && lastLive.active === active0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (live !== before.live || lastLive.active !== active0) throw new Error(`${live - before.live} connections still open, ${lastLive.active - active0} TCP sockets left in tapstack 120 s after the kernel closed them: ${JSON.stringify(lastLive.states)}`);
  const closeSecs = (Date.now() - t0) / 1000;
  const after = await stackHeap(stack);
  if (COMPOSITION) printComposition('all closed, per connection opened', await stackCmd(stack, `snapdiff ${CONNS}`, 'snapdiff'));
  console.error(`  t8: tapstack's TCP sockets by state after close: ${JSON.stringify(lastLive.states)}`);
  hold.c.stdin.end();
  return { before, open, after, openSecs: opened.secs, closeSecs, perConn: (open.heapUsed - before.heapUsed) / CONNS, perConnExt: (open.external - before.external) / CONNS, afterDelta: after.heapUsed - before.heapUsed };
}

/** The sending kernel's RetransSegs (/proc/net/snmp), for T7's loss. */
function retransSegs(ns) {
  const lines = sh(ns, 'cat /proc/net/snmp').split('\n').filter((l) => l.startsWith('Tcp:'));
  const k = lines[0].split(/\s+/);
  const v = lines[1].split(/\s+/);
  return Number(v[k.indexOf('RetransSegs')]);
}

/**
 * T7: a transfer from the sender namespace (behind a veth, routed by tapstack's kernel) through
 * the token bucket on the router's egress device `dev` (tap0 towards tapstack, or the anchor's
 * veth towards a kernel receiver, offloads off so it carries MTU-sized frames as a TAP does):
 * drops there are real losses for the sender, which runs the same generator on both paths.
 */
async function tbfRound(dev, fn) {
  sh(NS[2], `tc qdisc replace dev ${dev} root tbf ${TBF}`);
  try {
    const r0 = retransSegs(NS[3]);
    const g = await fn();
    const drops = /dropped (\d+)/.exec(sh(NS[2], `tc -s qdisc show dev ${dev}`));
    return { gbps: g, retrans: retransSegs(NS[3]) - r0, tbfDrops: drops ? Number(drops[1]) : 0 };
  } finally {
    sh(NS[2], `tc qdisc del dev ${dev} root`);
  }
}

/** T7: the sender in NS[3] → HOST:PORT, where a receiver counts (tapstack's sink or tcpgen's). */
async function routedRound(stack, toTapstack) {
  if (toTapstack) {
    const since = stack.lines.length;
    const send = start('ip', ['netns', 'exec', NS[3], PY, GEN, 'send', '9000', '10.0.0.2', String(SECS)], /bytes/);
    const line = await stack.until((l, i) => l.includes('"sunk"') && i >= since, 'tapstack sink (T7)', (SECS + 30) * 1000);
    await send.ready;
    return gbps(JSON.parse(line));
  }
  const sink = start('ip', ['netns', 'exec', NS[4], PY, GEN, 'sink', '9000', '10.0.6.2'], /ready/);
  await sink.ready;
  const send = start('ip', ['netns', 'exec', NS[3], PY, GEN, 'send', '9000', '10.0.6.2', String(SECS)], /bytes/);
  const line = await sink.until((l) => l.startsWith('{'), 'anchor sink (T7)', (SECS + 30) * 1000);
  await send.ready;
  return gbps(JSON.parse(line));
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, TAP)');
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('build tapstack first (npm run build)');
  const bins = build();
  const relayBin = bins.relay;
  RR = bins.rr;
  for (const ns of NS) {
    execFileSync('ip', ['netns', 'add', ns]);
    sh(ns, 'ip link set lo up');
  }
  // The relay's two kernels.
  const relay = start(relayBin, [NS[0], NS[1], 'tcpr0', 'tcpr1'], /ready/);
  await relay.ready;
  sh(NS[0], 'ip addr add 10.199.2.1/24 dev tcpr0 && ip link set tcpr0 up');
  sh(NS[1], 'ip addr add 10.199.2.2/24 dev tcpr1 && ip link set tcpr1 up');
  // The same relay with offloads, between the same two kernels.
  const relayTso = start(relayBin, ['--vnet', NS[0], NS[1], 'tcpr2', 'tcpr3'], /ready/);
  await relayTso.ready;
  sh(NS[0], 'ip addr add 10.199.4.1/24 dev tcpr2 && ip link set tcpr2 up');
  sh(NS[1], 'ip addr add 10.199.4.2/24 dev tcpr3 && ip link set tcpr3 up');
  // The kernel ↔ kernel veth of the T6 anchor (offloads as the kernel sets them).
  execFileSync('ip', ['link', 'add', 'tcpv0', 'netns', NS[0], 'type', 'veth', 'peer', 'name', 'tcpv1', 'netns', NS[1]]);
  sh(NS[0], 'ip addr add 10.199.3.1/24 dev tcpv0 && ip link set tcpv0 up');
  sh(NS[1], 'ip addr add 10.199.3.2/24 dev tcpv1 && ip link set tcpv1 up');
  // T7: sender (10.0.5.1) ⇄ veth ⇄ router = tapstack's kernel ⇄ tap0 → tapstack (10.0.0.2), and
  // router ⇄ veth (offloads off) ⇄ anchor receiver (10.0.6.2).
  execFileSync('ip', ['link', 'add', 'tcpt0', 'netns', NS[3], 'type', 'veth', 'peer', 'name', 'tcpt1', 'netns', NS[2]]);
  execFileSync('ip', ['link', 'add', 'tcpu0', 'netns', NS[2], 'type', 'veth', 'peer', 'name', 'tcpu1', 'netns', NS[4]]);
  sh(NS[3], 'ip addr add 10.0.5.1/24 dev tcpt0 && ip link set tcpt0 up && ip route add default via 10.0.5.2');
  sh(NS[2], 'ip addr add 10.0.5.2/24 dev tcpt1 && ip link set tcpt1 up && ip addr add 10.0.6.1/24 dev tcpu0 && ip link set tcpu0 up && sysctl -qw net.ipv4.ip_forward=1');
  sh(NS[4], 'ip addr add 10.0.6.2/24 dev tcpu1 && ip link set tcpu1 up && ip route add default via 10.0.6.1');
  for (const [ns, dev] of [[NS[2], 'tcpu0'], [NS[4], 'tcpu1']]) sh(ns, `ethtool -K ${dev} tso off gso off gro off 2>/dev/null || true`);
  // Clients that open many connections: the whole port range, TIME_WAIT reuse (T6, T8).
  for (const ns of [NS[0], NS[2]]) sh(ns, 'sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1');
  // The anchor's echo server, behind the relay (10.199.2.2) and the veth (10.199.3.2).
  await start('ip', ['netns', 'exec', NS[1], RR, 'echo', '0.0.0.0', '9002'], /ready/).ready;
  // tapstack's kernel.
  // tapstack with offloads on tap0 (every measurement), and without them on tap1 (T1/T2 only).
  const stackArgs = (tap, cidr) => ['netns', 'exec', NS[2], process.execPath, '--expose-gc', ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []), ...(process.env.TCPBENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), join(HERE, 'tcp_stack.mjs'), pathToFileURL(join(ROOT, 'dist', 'index.js')).href, tap, cidr];
  const stack = Object.assign(start('ip', stackArgs('tap0', '10.0.0.2/24'), /ready/, { TAPSTACK_OFFLOAD: '1' }), { addr: '10.0.0.2', peer: '10.0.0.1' });
  await stack.ready;
  sh(NS[2], 'ip addr add 10.0.0.1/24 dev tap0 && ip link set tap0 up');
  let plain = null;
  if (ONLY.has('t1') || ONLY.has('t2')) {
    plain = Object.assign(start('ip', stackArgs('tap1', '10.0.1.2/24'), /ready/, { TAPSTACK_OFFLOAD: '0' }), { addr: '10.0.1.2', peer: '10.0.1.1' });
    await plain.ready;
    sh(NS[2], 'ip addr add 10.0.1.1/24 dev tap1 && ip link set tap1 up');
  }
  // T8 closes 10,000 connections at once: let tap0 queue all their FINs rather than drop most
  // (txqueuelen 1000) and wait for the kernel's retransmissions.
  sh(NS[2], 'ip link set tap0 txqueuelen 20000');

  // Warm-up: ARP on every path, JIT.
  if (ONLY.has('t1') || ONLY.has('t2')) {
    await relayRound();
    await relayRound('10.199.4.2');
    await tapstackRound(stack, 'in');
    await tapstackRound(plain, 'in');
  }
  if (ONLY.has('t5') || ONLY.has('t6')) {
    for (const [ns, host] of [[NS[0], '10.199.2.2'], [NS[0], '10.199.3.2'], [NS[2], '10.0.0.2']]) {
      await rrRound(ns, host, 'rr', RR_WARM);
      await rrRound(ns, host, 'crr', RR_WARM);
    }
  }
  const res = { veth: [], relay: [], relayTso: [], t1: [], t1plain: [], t2: [], t2plain: [], rrRelay: [], rrVeth: [], t5: [], crrVeth: [], crrRelay: [], t6: [], tbfRelay: [], t7: [], t8: [] };
  const run = {
    relay: () => relayRound(),
    relayTso: () => relayRound('10.199.4.2'),
    veth: () => relayRound('10.199.3.2'),
    t1: () => tapstackRound(stack, 'in'),
    t1plain: () => tapstackRound(plain, 'in'),
    t2: () => tapstackRound(stack, 'out'),
    t2plain: () => tapstackRound(plain, 'out'),
    rrRelay: () => rrRound(NS[0], '10.199.2.2', 'rr'),
    rrVeth: () => rrRound(NS[0], '10.199.3.2', 'rr'),
    t5: () => rrRound(NS[2], '10.0.0.2', 'rr'),
    crrVeth: () => rrRound(NS[0], '10.199.3.2', 'crr'),
    crrRelay: () => rrRound(NS[0], '10.199.2.2', 'crr'),
    t6: () => rrRound(NS[2], '10.0.0.2', 'crr'),
    // T7: the same kernel sender and receiver as the relay anchor / T1, tbf on the sender's TAP.
    tbfRelay: () => tbfRound('tcpu0', () => routedRound(stack, false)),
    t7: () => tbfRound('tap0', () => routedRound(stack, true)),
  };
  const groups = [];
  if (ONLY.has('t1') || ONLY.has('t2')) groups.push(['veth', 'relay', 'relayTso', ...['t1', 't1plain', 't2', 't2plain'].filter((k) => ONLY.has(k.slice(0, 2)))]);
  if (ONLY.has('t5')) groups.push(['rrRelay', 'rrVeth', 't5']);
  if (ONLY.has('t6')) groups.push(['crrVeth', 'crrRelay', 't6']);
  if (ONLY.has('t7')) groups.push(['tbfRelay', 't7']);
  for (let r = 0; r < ROUNDS; r++) {
    for (const g of groups) {
      for (const k of r % 2 === 0 ? g : [...g].reverse()) {
        const v = await run[k]();
        res[k].push(v);
        if (v.gbps !== undefined) console.error(`  round ${r + 1} ${k}: ${(v.gbps * 1000).toFixed(1)} Mbit/s, ${v.retrans} retransmitted, ${v.tbfDrops} tbf drops`);
        else if (typeof v === 'object') console.error(`  round ${r + 1} ${k}: ${v.rate.toFixed(0)}/s p50 ${v.p50_us.toFixed(1)} µs p99 ${v.p99_us.toFixed(1)} µs`);
        else console.error(`  round ${r + 1} ${k}: ${v.toFixed(2)} Gbit/s`);
      }
    }
  }
  // T8 last: the heap of the process that ran everything above, measured as deltas.
  if (ONLY.has('t8')) {
    // Warm-up: the open and close paths compiled (their code would count as "not given back").
    const keep = CONNS;
    CONNS = Math.min(1000, keep);
    await connsRound(stack);
    CONNS = keep;
    for (let r = 0; r < ROUNDS; r++) {
      const t = await connsRound(stack);
      res.t8.push(t);
      console.error(`  round ${r + 1} t8: ${CONNS} connections open in ${t.openSecs.toFixed(2)} s, heapUsed +${(t.perConn / 1024).toFixed(2)} KiB/conn, external +${(t.perConnExt / 1024).toFixed(2)} KiB/conn, all closed in ${t.closeSecs.toFixed(1)} s, after close ${(t.afterDelta / 1048576).toFixed(2)} MiB`);
    }
  }
  const lohi = (a, f = (x) => x.toFixed(2)) => `[${f(Math.min(...a))}–${f(Math.max(...a))}]`;
  /** A throughput row; each [name, base] of `bases` adds the ratio of the medians and the per-round spread. */
  const row = (name, a, ...bases) => {
    const m = median(a);
    const ratio = bases.map(([bn, base]) => ` ${(m / median(base)).toFixed(2)}× ${bn} ${lohi(a.map((x, i) => x / base[i]))}`).join('');
    return `${name.padEnd(44)} ${m.toFixed(2).padStart(8)} Gbit/s ${lohi(a)}${ratio}`;
  };
  /** A transaction row: rate, p50, p99 medians with spread, and ratios to `base` per round. */
  const rrRow = (name, a, base, baseName) => {
    const f0 = (x) => x.toFixed(0);
    const f1 = (x) => x.toFixed(1);
    const col = (k, f) => `${f(median(a.map((x) => x[k])))} ${lohi(a.map((x) => x[k]), f)}`;
    let s = `${name.padEnd(44)} ${col('rate', f0).padStart(20)}/s  p50 ${col('p50_us', f1).padStart(18)} µs  p99 ${col('p99_us', f1).padStart(20)} µs`;
    if (base) {
      const rr = a.map((x, i) => x.rate / base[i].rate);
      const pr = a.map((x, i) => x.p99_us / base[i].p99_us);
      s += `  rate ${(median(a.map((x) => x.rate)) / median(base.map((x) => x.rate))).toFixed(2)}× ${baseName} ${lohi(rr)}, p99 ${(median(a.map((x) => x.p99_us)) / median(base.map((x) => x.p99_us))).toFixed(2)}× ${lohi(pr)}`;
    }
    return s;
  };
  const note = smoke ? ' (smoke: not meaningful)' : '';
  if (res.relay.length) {
    console.log(`# TCP through a TAP, MTU 1500, kernel side CUBIC, ${SECS} s per transfer, ${ROUNDS} round(s)${note}`);
    console.log(row('kernel → veth → kernel (offloads on)', res.veth));
    console.log(row('C relay, plain frames', res.relay));
    console.log(row('C relay, virtio-net header + TSO', res.relayTso));
    for (const [t, what] of [['t1', 'T1 kernel → tapstack sink'], ['t2', 'T2 tapstack → kernel sink']]) {
      if (!res[t].length) continue;
      console.log(row(`${what}, offloads`, res[t], ['relay TSO', res.relayTso], ['no offloads', res[`${t}plain`]]));
      console.log(row(`${what}, no offloads`, res[`${t}plain`], ['relay', res.relay]));
    }
    // What crossed the TAP: super-frames each way (the driver's counters).
    stack.c.stdin.write('tapstats\n');
    const ts = JSON.parse(await stack.until((l) => l.includes('"tapstats"'), 'tapstats'));
    console.log(`  tapstack with offloads: TUNSETOFFLOAD flags ${ts.offloadFlags}, ${ts.rxGso} super-frames in, ${ts.txGso} out, ${ts.rxCsumOffload} frames in with a checksum the kernel vouched for`);
  }
  if (res.t5.length) {
    console.log(`# T5 1-byte request/response, one connection, TCP_NODELAY, ${RR_SECS} s each, ${ROUNDS} round(s); median [lowest–highest round]${note}`);
    console.log(rrRow('kernel ↔ C relay ↔ kernel echo', res.rrRelay));
    console.log(rrRow('kernel ↔ veth ↔ kernel echo', res.rrVeth));
    console.log(rrRow('T5 kernel ↔ tapstack echo', res.t5, res.rrRelay, 'relay'));
  }
  if (res.t6.length) {
    console.log(`# T6 connections/s: connect, 1-byte request, 1-byte reply, close (client closes first), ${RR_SECS} s each, ${ROUNDS} round(s)${note}`);
    console.log(rrRow('kernel → veth → kernel echo', res.crrVeth));
    console.log(rrRow('kernel → C relay → kernel echo', res.crrRelay));
    console.log(rrRow('T6 kernel → tapstack echo', res.t6, res.crrVeth, 'veth'));
    console.log(`  T6 against the relay: ${(median(res.t6.map((x) => x.rate)) / median(res.crrRelay.map((x) => x.rate))).toFixed(2)}× ${lohi(res.t6.map((x, i) => x.rate / res.crrRelay[i].rate))}`);
  }
  if (res.t7.length) {
    const mb = (x) => (x * 1000).toFixed(1);
    const g = (a) => a.map((x) => x.gbps);
    console.log(`# T7 kernel sender, routed, through tc tbf ${TBF} on the router's egress, CUBIC, ${SECS} s per transfer, ${ROUNDS} round(s)${note}`);
    const t7row = (name, a) => `${name.padEnd(44)} ${mb(median(g(a))).padStart(8)} Mbit/s ${lohi(g(a), mb)}  retransmitted ${median(a.map((x) => x.retrans)).toFixed(0)} ${lohi(a.map((x) => x.retrans), (x) => x.toFixed(0))}, tbf drops ${median(a.map((x) => x.tbfDrops)).toFixed(0)}`;
    console.log(t7row('kernel → router → tbf → veth → kernel', res.tbfRelay));
    console.log(`${t7row('T7 kernel → router → tbf → TAP → tapstack', res.t7)}  ${(median(g(res.t7)) / median(g(res.tbfRelay))).toFixed(2)}× ${lohi(res.t7.map((x, i) => x.gbps / res.tbfRelay[i].gbps))}`);
  }
  if (res.t8.length) {
    const kib = (x) => (x / 1024).toFixed(2);
    const mib = (x) => (x / 1048576).toFixed(2);
    console.log(`# T8 tapstack heap (gc(), process.memoryUsage) with ${CONNS} idle ESTABLISHED connections from the kernel, ${ROUNDS} round(s)${note}`);
    console.log(`${'heapUsed per connection'.padEnd(44)} ${kib(median(res.t8.map((t) => t.perConn))).padStart(8)} KiB ${lohi(res.t8.map((t) => t.perConn), kib)}  (target ≤ 10 KiB + buffers)`);
    console.log(`${'external (Buffers) per connection'.padEnd(44)} ${kib(median(res.t8.map((t) => t.perConnExt))).padStart(8)} KiB ${lohi(res.t8.map((t) => t.perConnExt), kib)}`);
    console.log(`${'heapUsed after all closed − before'.padEnd(44)} ${mib(median(res.t8.map((t) => t.afterDelta))).padStart(8)} MiB ${lohi(res.t8.map((t) => t.afterDelta), mib)}  (target ≤ 1 MiB)`);
    console.log(`${'time to open them (sequential connect + 1 byte)'.padEnd(44)} ${median(res.t8.map((t) => t.openSecs)).toFixed(2).padStart(8)} s`);
  }
  const jsonPath = opt('--json', null);
  if (jsonPath) (await import('node:fs')).writeFileSync(jsonPath, JSON.stringify({ secs: SECS, rounds: ROUNDS, conns: CONNS, ...res }, null, 2));
  if (PROFILE) {
    // 'exit' makes the process write its profile (process.exit, no stack.close()).
    const done = new Promise((r) => stack.c.once('exit', r));
    stack.c.stdin.write('exit\n');
    await done;
    const { summariseProfile, formatSummary } = await import('./cpuprofile.mjs');
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(PROF_DIR).filter((x) => x.endsWith('.cpuprofile'))) {
      console.log(`# tapstack's process, node --cpu-prof (${join(PROF_DIR, f)}), whole run`);
      console.log(formatSummary(summariseProfile(join(PROF_DIR, f), 30)));
    }
  }
  stack.c.stdin.end();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e.stack || e);
    process.exit(1);
  },
);
