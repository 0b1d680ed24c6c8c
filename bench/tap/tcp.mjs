// TCP through a TAP against the physical-limit proxy of the same run (reference/tcp.md §6b T1/T2):
//   relay:  kernel ns A ↔ TAP ↔ C relay ↔ TAP ↔ kernel ns B   (plain 1514-byte frames)
//   T1:     kernel → tapstack's sink            T2: tapstack's sender → kernel sink
// One load generator (bench/tap/tcpgen.py, CUBIC pinned per socket) on the kernel side of every
// path; receivers measure. Rounds alternate (relay, tapstack, tapstack, relay, ...); medians with
// the lowest and highest round. Namespaces are private and removed at the end, also on failure.
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
  console.log('usage: node bench/tap/tcp.mjs [--rounds N] [--secs S] [--smoke] [--json FILE]\nTCP throughput through a TAP: kernel → tapstack and tapstack → kernel against a C relay between two TAPs in the same run.');
  process.exit(0);
}
const smoke = args.includes('--smoke');
const ROUNDS = Number(opt('--rounds', smoke ? 1 : 4));
const SECS = Number(opt('--secs', smoke ? 1 : 5));
const PY = '/usr/bin/python3';
const GEN = join(HERE, 'tcpgen.py');
const id = `${process.pid}-${randomBytes(2).toString('hex')}`;
const NS = [`tcpb-a-${id}`, `tcpb-b-${id}`, `tcpb-s-${id}`];
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
  const bin = join(out, 'relay');
  execFileSync(process.env.CC || 'cc', ['-O2', '-o', bin, join(HERE, 'relay.c')]);
  return bin;
}

/** Spawns and resolves with the child once it prints a line matching `ready`. */
function start(cmd, argv, ready) {
  const c = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
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

async function relayRound(relayBin) {
  const sink = start('ip', ['netns', 'exec', NS[1], PY, GEN, 'sink', '9000', '10.199.2.2'], /ready/);
  await sink.ready;
  const send = start('ip', ['netns', 'exec', NS[0], PY, GEN, 'send', '9000', '10.199.2.2', String(SECS)], /bytes/);
  const line = await sink.until((l) => l.startsWith('{'), 'relay sink result', (SECS + 30) * 1000);
  await send.ready;
  return gbps(JSON.parse(line));
}

async function tapstackRound(stack, dir) {
  if (dir === 'in') {
    // T1: the kernel sends to tapstack's sink.
    const since = stack.lines.length;
    const send = start('ip', ['netns', 'exec', NS[2], PY, GEN, 'send', '9000', '10.0.0.2', String(SECS)], /bytes/);
    const line = await stack.until((l, i) => l.includes('"sunk"') && stack.lines.indexOf(l) >= since, 'tapstack sink', (SECS + 30) * 1000);
    await send.ready;
    return gbps(JSON.parse(line));
  }
  // T2: tapstack sends to the kernel's sink.
  const sink = start('ip', ['netns', 'exec', NS[2], PY, GEN, 'sink', '9001', '10.0.0.1'], /ready/);
  await sink.ready;
  stack.c.stdin.write(`send 9001 10.0.0.1 ${SECS}\n`);
  const line = await sink.until((l) => l.startsWith('{'), 'kernel sink result', (SECS + 30) * 1000);
  return gbps(JSON.parse(line));
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, TAP)');
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('build tapstack first (npm run build)');
  const relayBin = build();
  for (const ns of NS) {
    execFileSync('ip', ['netns', 'add', ns]);
    sh(ns, 'ip link set lo up');
  }
  // The relay's two kernels.
  const relay = start(relayBin, [NS[0], NS[1], 'tcpr0', 'tcpr1'], /ready/);
  await relay.ready;
  sh(NS[0], 'ip addr add 10.199.2.1/24 dev tcpr0 && ip link set tcpr0 up');
  sh(NS[1], 'ip addr add 10.199.2.2/24 dev tcpr1 && ip link set tcpr1 up');
  // tapstack's kernel.
  const stack = start('ip', ['netns', 'exec', NS[2], process.execPath, join(HERE, 'tcp_stack.mjs'), pathToFileURL(join(ROOT, 'dist', 'index.js')).href], /ready/);
  await stack.ready;
  sh(NS[2], 'ip addr add 10.0.0.1/24 dev tap0 && ip link set tap0 up');
  // Warm-up: ARP on every path, JIT.
  await relayRound(relayBin);
  await tapstackRound(stack, 'in');
  const res = { relay: [], t1: [], t2: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['relay', 't1', 't2'] : ['t2', 't1', 'relay'];
    for (const k of order) {
      if (k === 'relay') res.relay.push(await relayRound(relayBin));
      else res[k].push(await tapstackRound(stack, k === 't1' ? 'in' : 'out'));
    }
  }
  const row = (name, a, base) => {
    const m = median(a);
    const ratio = base ? ` ${(m / median(base)).toFixed(2)}× relay [${Math.min(...a.map((x, i) => x / base[i])).toFixed(2)}–${Math.max(...a.map((x, i) => x / base[i])).toFixed(2)}]` : '';
    return `${name.padEnd(34)} ${m.toFixed(2).padStart(6)} Gbit/s [${Math.min(...a).toFixed(2)}–${Math.max(...a).toFixed(2)}]${ratio}`;
  };
  console.log(`# TCP through a TAP, MTU 1500, plain frames, kernel side CUBIC, ${SECS} s per transfer, ${ROUNDS} round(s)${smoke ? ' (smoke: not meaningful)' : ''}`);
  console.log(row('C relay (kernel ↔ relay ↔ kernel)', res.relay));
  console.log(row('T1 kernel → tapstack sink', res.t1, res.relay));
  console.log(row('T2 tapstack → kernel sink', res.t2, res.relay));
  const jsonPath = opt('--json', null);
  if (jsonPath) (await import('node:fs')).writeFileSync(jsonPath, JSON.stringify({ secs: SECS, rounds: ROUNDS, ...res }, null, 2));
  stack.c.stdin.end();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e.stack || e);
    process.exit(1);
  },
);
