#!/usr/bin/env node
// End-to-end TAP benchmark: tapstack against a tiny C responder (bench/tap/responder.c), measured
// in the same run, in a private network namespace, with rounds alternating between the two
// (ABBA order: round 1 tapstack then C, round 2 C then tapstack, ...) so machine drift hits both.
//
//   node bench/tap/run.mjs [--rounds N] [--json FILE] [--smoke] [--profile] [--settle S]
//                          [--flood-count N] [--latency-count N] [--capture-count N] [--warmup N]
//                          [--tx-count N] [--udp-count N] [--only ping,ping6,tx,udp]
//
// Per round and implementation:
//   responder  the responder (tapstack: `node dist/cli/main.js up --dev tap0 --addr 10.0.0.2/24
//              --mac 02:00:00:00:00:02`; C: `responder respond ...`) creates tap0 in the namespace;
//              the kernel side gets 10.0.0.1/24; idle RSS is read from /proc/PID/status; after a
//              warm-up flood the kernel runs
//                throughput  ping -f -l 32 -c FLOOD -q 10.0.0.2   round trips/s = received / time
//                latency     ping -f -c LATENCY -q 10.0.0.2       avg and min RTT from the rtt line
//                percentiles ping -f -c CAPTURE -q 10.0.0.2 while tcpdump records tap0 (kernel
//                            side, nanosecond timestamps): per-packet request→reply times, their
//                            p50/p90/p99/p99.9/max (a separate run, so the capture cannot touch the
//                            latency figures above; ping's own avg of this run is shown beside)
//              and the responder's peak RSS (VmHWM) is read before it is stopped.
//   ping6      the same over IPv6, in the same round: the responder (tapstack:
//              bench/tap/responder.mjs, a Stack with 10.0.0.2/24 and fd00::2/64 nodad on tap0;
//              C: `responder respond ... --ip6 fd00::2`, which answers NS with NA S|O + TLLAO and
//              ICMPv6 echo in place) creates tap0; the kernel side, whose IPv6 is disabled in the
//              namespace, gets it enabled on tap0 alone (accept_dad=0, router_solicitations=0,
//              disable_ipv6=0) and fd00::1/64 nodad, so the run starts at once; the first
//              `ping -6` resolves fd00::2 by a multicast NS; after the warm-up the kernel runs
//                throughput  ping -6 -f -l 32 -c FLOOD -q fd00::2
//                latency     ping -6 -f -c LATENCY -q fd00::2
//              --settle S waits S seconds after the first answered ping (both implementations):
//              tapstack learns the kernel (10.0.0.1) from its ARP request as STALE, and its first
//              reply moves the entry to DELAY; only after delay_first_probe_time (5 s) and a
//              unicast probe is it REACHABLE (NUD_CONNECTED, cached-header fast path) for
//              reachable_time (15-45 s). The default 0 measures from a fresh neighbour, as a new
//              peer sees it; --settle 7 measures the steady fast path.
//   transmit   a persistent tap0 with 10.0.0.1/24 and a permanent neighbour entry for 10.0.0.2;
//              the sender (tapstack: bench/tap/tx.mjs; C: `responder tx`) attaches and sends
//              TX_COUNT Ethernet/IPv4/UDP frames (64-byte payload, port 9) as fast as it can; the
//              kernel's rx_packets counter of tap0 (frames written by userspace are the kernel
//              interface's RX) counts what arrived; frames/s = counted / sender's send time.
//   udp        datagrams between UDP sockets, 64-byte payloads, UDP_COUNT of them, the sender
//              flat out (one send per datagram); rate = datagrams the receiving socket got /
//              (its last arrival − the sender's start), both on CLOCK_MONOTONIC:
//                send     tapstack UdpSocket (bench/tap/tx.mjs) → tap0 → kernel socket (responder
//                         udp-sink: recvmmsg, 64 MiB SO_RCVBUFFORCE) on 10.0.0.1
//                send, UDP_SEGMENT the same with 64 datagrams to a send (tx.mjs --segment 64):
//                         one super-datagram per send, cut by the kernel (USO) or the stack
//                receive  kernel socket (responder udp-send: sendto) → tap0 → tapstack UdpSocket
//                         (bench/tap/rx.mjs, 'message' events)
//                baseline the kernel's own UDP both ends: responder udp-send in a second
//                         namespace → veth → responder udp-sink, measured in the same round
//
// --only: the measurements to run, comma-separated (default all four).
// --smoke: tiny counts, one round (a few seconds); exit status 0 only if every step ran and
// answered. Any run exits non-zero when something failed to run (no readiness, no replies, a
// crash, <90% of pings answered or of frames counted, <90% of ping -f packets paired in the
// capture, a UDP sender that lost datagrams before the wire, a receiver that got none).
// Targets are reported, not enforced. Every figure is printed as the median over rounds with
// the lowest and highest round beside it. Needs root, /dev/net/tun, iproute2, iputils ping,
// tcpdump, a C compiler (`cc`, or $CC) and a built tapstack (npm run build).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { formatSummary, summariseProfile } from './cpuprofile.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BUILD = join(HERE, 'build');
const RESPONDER = join(BUILD, 'responder');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DEV = 'tap0';
const STACK_IP = '10.0.0.2';
const STACK_MAC = '02:00:00:00:00:02';
const KERNEL_CIDR = '10.0.0.1/24';
const KERNEL_IP = '10.0.0.1';
const STACK_IP6 = 'fd00::2';
const KERNEL_CIDR6 = 'fd00::1/64';
const RESPONDER6 = join(HERE, 'responder.mjs');
// The kernel-to-kernel UDP baseline: a veth pair between our namespace (VETH_A, 10.0.1.1) and a
// second one (VETH_B, 10.0.1.2).
const VETH_A = 'vb0';
const VETH_B = 'vb1';
const VETH_A_IP = '10.0.1.1';
const VETH_B_IP = '10.0.1.2';
const UDP_PORT = 9000;

// ---------------------------------------------------------------- arguments

const { values: argv } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    json: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'flood-count': { type: 'string' },
    'latency-count': { type: 'string' },
    'capture-count': { type: 'string' },
    'udp-count': { type: 'string' },
    warmup: { type: 'string' },
    settle: { type: 'string' },
    'tx-count': { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (argv.help) {
  const src = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  console.log(src.slice(1, src.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const num = (v, d, what) => {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (what === 'warmup' || what === 'settle' ? 0 : 1)) {
    console.error(`bench:tap: invalid --${what} '${v}'`);
    process.exit(2);
  }
  return n;
};
const smoke = argv.smoke;
const MEASUREMENTS = ['ping', 'ping6', 'tx', 'udp'];
const only = new Set((argv.only ?? MEASUREMENTS.join(',')).split(',').map((x) => x.trim()).filter(Boolean));
for (const m of only) {
  if (!MEASUREMENTS.includes(m)) {
    console.error(`bench:tap: invalid --only '${m}': expected some of ${MEASUREMENTS.join(',')}`);
    process.exit(2);
  }
}
const cfg = {
  rounds: num(argv.rounds, smoke ? 1 : 5, 'rounds'),
  floodCount: num(argv['flood-count'], smoke ? 200 : 200000, 'flood-count'),
  latencyCount: num(argv['latency-count'], smoke ? 100 : 50000, 'latency-count'),
  captureCount: num(argv['capture-count'], smoke ? 100 : 50000, 'capture-count'),
  warmup: num(argv.warmup, smoke ? 100 : 20000, 'warmup'),
  txCount: num(argv['tx-count'], smoke ? 2000 : 500000, 'tx-count'),
  udpCount: num(argv['udp-count'], smoke ? 2000 : 300000, 'udp-count'),
  settle: num(argv.settle, 0, 'settle'),
  preload: 32,
  smoke,
  profile: argv.profile,
  only: [...only],
};

// ---------------------------------------------------------------- environment checks

function fatal(msg) {
  console.error(`bench:tap: ${msg}`);
  process.exit(1);
}
if (process.getuid?.() !== 0) fatal('needs root (network namespaces and TAP devices)');
if (!existsSync('/dev/net/tun')) fatal('/dev/net/tun is missing (modprobe tun)');
for (const t of ['ip', 'ping', 'tcpdump']) if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) fatal(`'${t}' not found`);
if (!existsSync(CLI) || !existsSync(join(ROOT, 'build', 'Release', 'tapstack_native.node')))
  fatal('tapstack is not built: run `npm run build` (native addon and dist/) first');

// ---------------------------------------------------------------- machine facts

function machineFacts() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const cc = spawnSync(process.env.CC || 'cc', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  const pingV = spawnSync('ping', ['-V'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  return {
    cpu: model,
    cores: cpus().length,
    kernel: release(),
    node: process.version,
    cc,
    ping: pingV,
    date: new Date().toISOString(),
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

// ---------------------------------------------------------------- namespace and cleanup

const NS = `tapbench-${process.pid}-${randomBytes(3).toString('hex')}`;
const NS2 = `${NS}-peer`;
const runDir = mkdtempSync(join(tmpdir(), 'tapbench-run-'));
const children = new Set();
const created = [];
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  for (const ns of created) {
    // Whatever still runs in our namespaces was started by us; killing it lets `ip netns del` finish.
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
    for (const p of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('ip', ['netns', 'del', ns]);
  }
  rmSync(runDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\nbench:tap: ${sig}, cleaning up (namespace ${NS})`);
    cleanup();
    process.exit(130);
  });
}

/** Runs a command in the namespace synchronously; throws with its output on failure. */
function nsSh(cmd, { allowFail = false, ns = NS } = {}) {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', cmd], { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0 && !allowFail) throw new Error(`[${ns}] ${cmd}: exit ${r.status}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.status === 0 ? r.stdout : null;
}

/** Runs a command in the namespace, asynchronously (so signals are handled); kills it after timeoutMs. */
function nsRun(args, { timeoutMs = 60000, env, ns = NS } = {}) {
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    children.add(c);
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.on('close', (code, signal) => {
      clearTimeout(t);
      children.delete(c);
      resolve({ code, signal, out, err, timedOut });
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- build the C program

function buildResponder() {
  const src = join(HERE, 'responder.c');
  if (existsSync(RESPONDER) && statSync(RESPONDER).mtimeMs >= statSync(src).mtimeMs) return;
  mkdirSync(BUILD, { recursive: true });
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', RESPONDER, src], { encoding: 'utf8' });
  if (r.status !== 0) fatal(`building ${relative(ROOT, src)} with ${cc} failed:\n${r.stderr}${r.error ?? ''}`);
  console.log(`built ${relative(ROOT, RESPONDER)} (${cc} -O2)`);
}

// ---------------------------------------------------------------- responders

function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

/** Starts a responder in the namespace and waits for its readiness line. */
async function startResponder(impl, { profileDir, ipv6 = false } = {}) {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const cmd =
    impl === 'tapstack'
      ? ipv6
        ? [process.execPath, ...prof, RESPONDER6, '--dev', DEV, '--addr', `${STACK_IP}/24`, '--addr6', `${STACK_IP6}/64`, '--mac', STACK_MAC]
        : [process.execPath, ...prof, CLI, 'up', '--dev', DEV, '--addr', `${STACK_IP}/24`, '--mac', STACK_MAC]
      : [RESPONDER, 'respond', '--dev', DEV, '--ip', STACK_IP, '--mac', STACK_MAC, ...(ipv6 ? ['--ip6', STACK_IP6] : [])];
  const ready = impl === 'tapstack' ? (ipv6 ? /^responder6: .* up /m : / lladdr /) : /^responder: .* up /m;
  const c = spawn('ip', ['netns', 'exec', NS, ...cmd], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TAPSTACK_RUN_DIR: runDir },
  });
  children.add(c);
  const r = { impl, proc: c, pid: c.pid, log: '', exited: null };
  c.stdout.on('data', (d) => (r.log += d));
  c.stderr.on('data', (d) => (r.log += d));
  c.on('exit', (code, signal) => (r.exited = { code, signal }));
  const end = Date.now() + 15000;
  while (!ready.test(r.log)) {
    if (r.exited) throw new Error(`${impl} exited before it was ready (${JSON.stringify(r.exited)}):\n${r.log}`);
    if (Date.now() > end) throw new Error(`${impl} did not come up within 15 s:\n${r.log}`);
    await sleep(20);
  }
  // `ip netns exec` execs the command, so the child's pid is the responder's.
  const comm = readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim();
  if (comm === 'ip') throw new Error(`pid ${c.pid} is still 'ip', not the responder`);
  return r;
}

/** SIGINT, then SIGKILL after 10 s; waits until tap0 is gone from the namespace. */
async function stopResponder(r) {
  if (!r.exited) {
    r.proc.kill('SIGINT');
    const end = Date.now() + 10000;
    while (!r.exited && Date.now() < end) await sleep(20);
    if (!r.exited) {
      r.proc.kill('SIGKILL');
      while (!r.exited) await sleep(20);
      r.killed = true;
    }
  }
  children.delete(r.proc);
  for (let i = 0; i < 100 && nsSh(`ip link show ${DEV}`, { allowFail: true }) !== null; i++) await sleep(20);
}

// ---------------------------------------------------------------- ping

/** Parses iputils ping's summary. */
export function parsePing(out) {
  const s = /(\d+) packets transmitted, (\d+) received,(?: \+(\d+) errors,)? ([\d.]+)% packet loss, time (\d+)ms/.exec(out);
  if (!s) return null;
  const r = /rtt min\/avg\/max\/mdev = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(out);
  return {
    transmitted: Number(s[1]),
    received: Number(s[2]),
    errors: Number(s[3] ?? 0),
    lossPct: Number(s[4]),
    timeMs: Number(s[5]),
    rtt: r ? { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]), mdev: Number(r[4]) } : null,
  };
}

/** ping [-6] -f [-l PRELOAD] -c COUNT -q from the kernel side; a deadline guards against a dead responder. */
async function flood(count, preload, ipv6 = false) {
  const deadline = Math.ceil(count / 1000) + 30;
  const args = ['ping', ...(ipv6 ? ['-6'] : []), '-f', ...(preload > 1 ? ['-l', String(preload)] : []), '-c', String(count), '-w', String(deadline), '-q',
    ipv6 ? STACK_IP6 : STACK_IP];
  const res = await nsRun(args, { timeoutMs: (deadline + 15) * 1000 });
  const p = parsePing(res.out);
  if (!p) throw new Error(`${args.join(' ')}: no summary (exit ${res.code}${res.timedOut ? ', killed' : ''}):\n${res.out}${res.err}`);
  if (p.received < 0.9 * count)
    throw new Error(`${args.join(' ')}: only ${p.received}/${count} answered (exit ${res.code}):\n${res.out}${res.err}`);
  return { cmd: args.join(' '), ...p, deadlineHit: p.transmitted < count };
}

async function waitReachable(ipv6 = false) {
  const dst = ipv6 ? STACK_IP6 : STACK_IP;
  for (let i = 0; i < 20; i++) {
    const r = await nsRun(['ping', ...(ipv6 ? ['-6'] : []), '-c', '1', '-W', '1', dst], { timeoutMs: 5000 });
    if (r.code === 0) return;
  }
  throw new Error(`${dst} does not answer ping${ipv6 ? ' -6' : ''}`);
}

/**
 * IPv6 on the kernel side of tap0 only (the namespace has it disabled): no DAD and no router
 * solicitations, so nothing waits, and fd00::1/64 nodad, usable at once.
 */
function enableKernelIpv6() {
  nsSh(`sysctl -qw net.ipv6.conf.${DEV}.accept_dad=0 net.ipv6.conf.${DEV}.router_solicitations=0 net.ipv6.conf.${DEV}.disable_ipv6=0 && ` +
    `ip -6 addr add ${KERNEL_CIDR6} dev ${DEV} nodad`);
}

// ---------------------------------------------------------------- background commands

/** Starts a command in a namespace and resolves once its output matches `ready`. */
async function startBg(args, ready, { ns = NS, binaryStdout = false, timeoutMs = 15000 } = {}) {
  const c = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(c);
  const r = { proc: c, log: '', chunks: [], exited: null };
  c.stdout.on('data', (d) => (binaryStdout ? r.chunks.push(d) : (r.log += d)));
  c.stderr.on('data', (d) => (r.log += d));
  r.done = new Promise((resolve) =>
    c.on('close', (code, signal) => {
      r.exited = { code, signal };
      children.delete(c);
      resolve(r.exited);
    }),
  );
  const end = Date.now() + timeoutMs;
  while (!ready.test(r.log)) {
    if (r.exited) throw new Error(`${args.join(' ')} exited before it was ready (${JSON.stringify(r.exited)}):\n${r.log}`);
    if (Date.now() > end) {
      c.kill('SIGKILL');
      throw new Error(`${args.join(' ')} was not ready within ${timeoutMs} ms:\n${r.log}`);
    }
    await sleep(10);
  }
  return r;
}

/** Waits for a background command to end by itself; SIGKILL after timeoutMs. */
async function waitBg(r, timeoutMs) {
  const t = setTimeout(() => r.proc.kill('SIGKILL'), timeoutMs);
  await r.done;
  clearTimeout(t);
  return r.exited;
}

// ---------------------------------------------------------------- ping -f percentiles from a capture

const ipNum = (s) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

/**
 * Request→reply times (µs) of ICMP echoes in a pcap (Ethernet, µs or ns timestamps): each echo
 * request from `reqSrc` paired with the first echo reply from `replySrc` with the same id and
 * sequence number after it.
 */
export function pingRttsFromPcap(buf, reqSrc, replySrc) {
  if (buf.length < 24) throw new Error(`pcap: ${buf.length} bytes, no header`);
  let le = true;
  let nano;
  const m = buf.readUInt32LE(0);
  if (m === 0xa1b23c4d || m === 0xa1b2c3d4) nano = m === 0xa1b23c4d;
  else {
    const mb = buf.readUInt32BE(0);
    if (mb !== 0xa1b23c4d && mb !== 0xa1b2c3d4) throw new Error(`pcap: bad magic 0x${m.toString(16)}`);
    le = false;
    nano = mb === 0xa1b23c4d;
  }
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`pcap: link type ${u32(20)}, not Ethernet`);
  const req = ipNum(reqSrc);
  const rep = ipNum(replySrc);
  const sent = new Map();
  const rtts = [];
  let sec0 = null;
  for (let o = 24; o + 16 <= buf.length; ) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    const p = o + 16;
    o = p + incl;
    if (o > buf.length) break; // a record cut short at the end
    if (incl < 42 || buf.readUInt16BE(p + 12) !== 0x0800) continue;
    const ip = p + 14;
    const ihl = (buf[ip] & 15) * 4;
    if (buf[ip + 9] !== 1 || incl < 14 + ihl + 8) continue;
    if (sec0 === null) sec0 = sec;
    const t = (sec - sec0) * 1e9 + (nano ? frac : frac * 1000);
    const src = buf.readUInt32BE(ip + 12);
    const icmp = ip + ihl;
    const key = buf.readUInt32BE(icmp + 4); // identifier and sequence number
    if (buf[icmp] === 8 && src === req) sent.set(key, t);
    else if (buf[icmp] === 0 && src === rep) {
      const t0 = sent.get(key);
      if (t0 !== undefined) {
        rtts.push((t - t0) / 1000);
        sent.delete(key);
      }
    }
  }
  return rtts;
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] : NaN);

/**
 * `ping -f -c COUNT` (one request in flight) while tcpdump records the kernel side of tap0 with
 * nanosecond timestamps. iputils ping prints no per-packet times in flood mode, so the capture
 * supplies them: a request's timestamp is taken as it leaves for the TAP (dev_queue_xmit_nit),
 * a reply's as it comes in (the same skb timestamp ping's SO_TIMESTAMP reads). A separate run,
 * so the capture's own cost (a copy of each frame into tcpdump's ring) stays out of the
 * latency figures; ping's avg of this run is kept beside the capture's figures to show it.
 */
async function captureRun(count) {
  const tcpdump = await startBg(
    ['tcpdump', '-i', DEV, '-n', '-s', '64', '-B', '65536', '--time-stamp-precision', 'nano', '-w', '-', 'icmp'],
    /listening on/,
    { binaryStdout: true },
  );
  let ping;
  try {
    ping = await flood(count, 1);
    // libpcap's TPACKET_V3 ring hands a block over when it is full or after tcpdump's 1 s
    // timeout; a block still open at SIGINT is lost, so give the last one time to retire.
    await sleep(1500);
  } finally {
    tcpdump.proc.kill('SIGINT');
    await waitBg(tcpdump, 10000);
  }
  const captured = Number(/(\d+) packets? captured/.exec(tcpdump.log)?.[1] ?? NaN);
  const dropped = Number(/(\d+) packets? dropped by kernel/.exec(tcpdump.log)?.[1] ?? NaN);
  const rtts = pingRttsFromPcap(Buffer.concat(tcpdump.chunks), KERNEL_IP, STACK_IP).sort((a, b) => a - b);
  if (rtts.length < 0.9 * ping.received)
    throw new Error(`capture: only ${rtts.length} of ${ping.received} answered pings paired (tcpdump: ${tcpdump.log.trim()})`);
  return {
    cmd: ping.cmd,
    pingAvg: ping.rtt?.avg,
    received: ping.received,
    captured,
    droppedByKernel: dropped,
    paired: rtts.length,
    mean: rtts.reduce((a, b) => a + b, 0) / rtts.length,
    p50: percentile(rtts, 0.5),
    p90: percentile(rtts, 0.9),
    p99: percentile(rtts, 0.99),
    p999: percentile(rtts, 0.999),
    max: rtts[rtts.length - 1],
  };
}

// ---------------------------------------------------------------- one responder measurement

async function responderRun(impl, round) {
  const r = await startResponder(impl);
  let res = null;
  try {
    nsSh(`ip addr add ${KERNEL_CIDR} dev ${DEV}`);
    await sleep(200);
    const idle = procStatus(r.pid);
    await waitReachable();
    if (cfg.settle) await sleep(cfg.settle * 1000);
    if (cfg.warmup) await flood(cfg.warmup, cfg.preload);
    const thr = await flood(cfg.floodCount, cfg.preload);
    const lat = await flood(cfg.latencyCount, 1);
    const cap = await captureRun(cfg.captureCount);
    const after = procStatus(r.pid);
    if (r.exited) throw new Error(`${impl} exited during the run:\n${r.log}`);
    res = {
      round,
      impl,
      flood: { ...thr, roundTripsPerSec: thr.received / (thr.timeMs / 1000) },
      latency: { ...lat },
      capture: cap,
      rssIdleKb: idle.rssKb,
      rssAfterKb: after.rssKb,
      rssPeakKb: after.hwmKb,
    };
    return res;
  } finally {
    await stopResponder(r);
    if (r.killed) console.warn(`  (${impl} did not stop on SIGINT; killed)`);
    if (res) res.log = r.log.trim();
  }
}

/** The IPv6 twin of responderRun: ping -6 -f -l 32 and ping -6 -f against the responder. */
async function responder6Run(impl, round) {
  const r = await startResponder(impl, { ipv6: true });
  let res = null;
  try {
    nsSh(`ip addr add ${KERNEL_CIDR} dev ${DEV}`);
    enableKernelIpv6();
    await waitReachable(true);
    if (cfg.settle) await sleep(cfg.settle * 1000);
    if (cfg.warmup) await flood(cfg.warmup, cfg.preload, true);
    const thr = await flood(cfg.floodCount, cfg.preload, true);
    const lat = await flood(cfg.latencyCount, 1, true);
    const neigh = nsSh(`ip -6 neigh show dev ${DEV} ${STACK_IP6}`, { allowFail: true })?.trim() ?? '';
    if (r.exited) throw new Error(`${impl} exited during the IPv6 run:\n${r.log}`);
    res = { round, impl, flood: { ...thr, roundTripsPerSec: thr.received / (thr.timeMs / 1000) }, latency: { ...lat }, kernelNeigh: neigh };
    return res;
  } finally {
    await stopResponder(r);
    if (r.killed) console.warn(`  (${impl} did not stop on SIGINT; killed)`);
    if (res) res.log = r.log.trim();
  }
}

// ---------------------------------------------------------------- one transmit measurement

function kernelCounters(dev = DEV, ns = NS) {
  const j = JSON.parse(nsSh(`ip -j -s link show dev ${dev}`, { ns }))[0];
  const snmp = nsSh('cat /proc/net/snmp', { ns }).split('\n');
  const table = (proto) => {
    const rows = snmp.filter((l) => l.startsWith(`${proto}:`));
    const keys = rows[0].split(/\s+/).slice(1);
    const vals = rows[1].split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
  };
  return {
    rxPackets: j.stats64.rx.packets,
    rxDropped: j.stats64.rx.dropped,
    txPackets: j.stats64.tx.packets,
    txDropped: j.stats64.tx.dropped,
    ip: table('Ip'),
    udp: table('Udp'),
  };
}

async function txRun(impl, round, { profileDir } = {}) {
  nsSh(`ip tuntap add dev ${DEV} mode tap && ip link set ${DEV} up && ip addr add ${KERNEL_CIDR} dev ${DEV} && ` +
    `ip neigh replace ${STACK_IP} lladdr ${STACK_MAC} dev ${DEV} nud permanent`);
  try {
    const kmac = nsSh(`cat /sys/class/net/${DEV}/address`).trim();
    const cmd =
      impl === 'tapstack'
        ? [process.execPath, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(HERE, 'tx.mjs'),
          '--dev', DEV, '--mac', STACK_MAC, '--addr', `${STACK_IP}/24`, '--dst', KERNEL_IP, '--dst-mac', kmac, '--count', String(cfg.txCount)]
        : [RESPONDER, 'tx', '--dev', DEV, '--src-mac', STACK_MAC, '--src-ip', STACK_IP, '--dst-mac', kmac, '--dst-ip', KERNEL_IP,
          '--count', String(cfg.txCount)];
    const before = kernelCounters();
    const res = await nsRun(cmd, { timeoutMs: 120000 + cfg.txCount / 10 });
    const after = kernelCounters();
    if (res.code !== 0) throw new Error(`${impl} sender failed (exit ${res.code}${res.timedOut ? ', killed' : ''}):\n${res.out}${res.err}`);
    let sender;
    if (impl === 'tapstack') {
      const j = JSON.parse(res.out.trim().split('\n').pop());
      sender = { offered: j.offered, seconds: j.seconds, errors: j.sendErrors + j.txDropped + j.txErrors, detail: j };
    } else {
      const m = /tx: sent (\d+) frames in ([\d.]+) s .*errors (\d+)/.exec(res.out);
      if (!m) throw new Error(`C sender: unexpected output:\n${res.out}${res.err}`);
      sender = { offered: Number(m[1]) + Number(m[3]), seconds: Number(m[2]), errors: Number(m[3]) };
    }
    const counted = after.rxPackets - before.rxPackets;
    const out = {
      round,
      impl,
      offered: sender.offered,
      senderErrors: sender.errors,
      seconds: sender.seconds,
      kernelCounted: counted,
      kernelRxDropped: after.rxDropped - before.rxDropped,
      kernelIpInReceives: after.ip.InReceives - before.ip.InReceives,
      kernelUdpNoPorts: after.udp.NoPorts - before.udp.NoPorts,
      kernelUdpCsumErrors: after.udp.InCsumErrors - before.udp.InCsumErrors,
      framesPerSec: counted / sender.seconds,
      offeredPerSec: sender.offered / sender.seconds,
      detail: sender.detail,
    };
    if (counted < 0.9 * cfg.txCount) throw new Error(`${impl} sender: the kernel counted only ${counted} of ${cfg.txCount} frames`);
    if (out.kernelUdpCsumErrors > 0) throw new Error(`${impl} sender: ${out.kernelUdpCsumErrors} UDP checksum errors in the kernel`);
    return out;
  } finally {
    nsSh(`ip tuntap del dev ${DEV} mode tap`, { allowFail: true });
  }
}

// ---------------------------------------------------------------- UDP socket rates

function setupVeth() {
  nsSh(`ip link add ${VETH_A} type veth peer name ${VETH_B} netns ${NS2} && ip addr add ${VETH_A_IP}/24 dev ${VETH_A} && ip link set ${VETH_A} up`);
  nsSh(`ip addr add ${VETH_B_IP}/24 dev ${VETH_B} && ip link set ${VETH_B} up`, { ns: NS2 });
  const macA = nsSh(`cat /sys/class/net/${VETH_A}/address`).trim();
  const macB = nsSh(`cat /sys/class/net/${VETH_B}/address`, { ns: NS2 }).trim();
  // Permanent neighbours on both ends, as the TAP runs have: no ARP in any measurement.
  nsSh(`ip neigh replace ${VETH_B_IP} lladdr ${macB} dev ${VETH_A} nud permanent`);
  nsSh(`ip neigh replace ${VETH_A_IP} lladdr ${macA} dev ${VETH_B} nud permanent`, { ns: NS2 });
}

const udpDeadlineS = () => Math.ceil(cfg.udpCount / 10000) + 30;
/** Datagrams per send in the UDP_SEGMENT row (the last send carries what is left). */
const UDP_SEGMENT_K = 64;

function startSink(ip) {
  return startBg(
    [RESPONDER, 'udp-sink', '--ip', ip, '--port', String(UDP_PORT), '--count', String(cfg.udpCount), '--idle-ms', '1000',
      '--deadline-s', String(udpDeadlineS()), '--rcvbuf', String(64 << 20)],
    /^udp-sink: bound /m,
  );
}

function parseSink(log) {
  const m = /udp-sink: received (\d+) datagrams, bad (\d+), first (\d+) last (\d+), max seq (\d+)/.exec(log);
  if (!m) throw new Error(`udp-sink: unexpected output:\n${log}`);
  return { received: Number(m[1]), bad: Number(m[2]), firstNs: BigInt(m[3]), lastNs: BigInt(m[4]), maxSeq: Number(m[5]) };
}

async function cSend(dst, ns) {
  const args = [RESPONDER, 'udp-send', '--dst', dst, '--port', String(UDP_PORT), '--count', String(cfg.udpCount)];
  const r = await nsRun(args, { ns, timeoutMs: udpDeadlineS() * 1000 });
  const m = /udp-send: sent (\d+) datagrams in ([\d.]+) s, errors (\d+), t0 (\d+) t1 (\d+)/.exec(r.out);
  if (r.code !== 0 || !m) throw new Error(`${args.join(' ')}: exit ${r.code}${r.timedOut ? ', killed' : ''}:\n${r.out}${r.err}`);
  return { offered: Number(m[1]) + Number(m[3]), errors: Number(m[3]), seconds: Number(m[2]), t0Ns: BigInt(m[4]) };
}

/** One direction: what the receiving socket got, over the time from the sender's start to its last arrival. */
function udpFigures(what, sender, recv, extra = {}) {
  const windowS = recv.received ? Number(recv.lastNs - sender.t0Ns) / 1e9 : NaN;
  const out = {
    offered: sender.offered,
    senderErrors: sender.errors,
    senderSeconds: sender.seconds,
    offeredPerSec: sender.offered / sender.seconds,
    received: recv.received,
    bad: recv.bad,
    deliveredPct: (100 * recv.received) / sender.offered,
    windowSeconds: windowS,
    datagramsPerSec: recv.received / windowS,
    ...extra,
  };
  if (recv.received < Math.max(1, 0.01 * sender.offered)) throw new Error(`${what}: the receiver got ${recv.received} of ${sender.offered} datagrams`);
  if (recv.bad) throw new Error(`${what}: ${recv.bad} datagrams of the wrong length`);
  if (sender.errors) throw new Error(`${what}: ${sender.errors} sends failed`);
  return out;
}

const udpDelta = (a, b) => ({
  inDatagrams: b.udp.InDatagrams - a.udp.InDatagrams,
  rcvbufErrors: b.udp.RcvbufErrors - a.udp.RcvbufErrors,
  inErrors: b.udp.InErrors - a.udp.InErrors,
  noPorts: b.udp.NoPorts - a.udp.NoPorts,
  inCsumErrors: b.udp.InCsumErrors - a.udp.InCsumErrors,
});

async function udpRun(impl, round) {
  const tmo = (udpDeadlineS() + 15) * 1000;
  if (impl === 'c') {
    // The kernel's own UDP at both ends: NS2 → veth → NS.
    const before = kernelCounters(VETH_A);
    const sink = await startSink(VETH_A_IP);
    const sender = await cSend(VETH_A_IP, NS2);
    await waitBg(sink, tmo);
    const k = udpDelta(before, kernelCounters(VETH_A));
    return { round, impl, veth: udpFigures('kernel → veth → kernel', sender, parseSink(sink.log), { kernel: k }) };
  }
  nsSh(`ip tuntap add dev ${DEV} mode tap && ip link set ${DEV} up && ip addr add ${KERNEL_CIDR} dev ${DEV} && ` +
    `ip neigh replace ${STACK_IP} lladdr ${STACK_MAC} dev ${DEV} nud permanent`);
  try {
    const kmac = nsSh(`cat /sys/class/net/${DEV}/address`).trim();
    const txArgs = [process.execPath, join(HERE, 'tx.mjs'), '--dev', DEV, '--mac', STACK_MAC, '--addr', `${STACK_IP}/24`, '--dst', KERNEL_IP,
      '--dst-mac', kmac, '--count', String(cfg.udpCount), '--port', String(UDP_PORT)];
    /** tapstack's UdpSocket (tx.mjs with `extra` arguments) → tap0 → a kernel socket. */
    const tapSend = async (what, extra) => {
      const before = kernelCounters();
      const sink = await startSink(KERNEL_IP);
      const tx = await nsRun([...txArgs, ...extra], { timeoutMs: tmo });
      if (tx.code !== 0) throw new Error(`${what}: the sender failed (exit ${tx.code}${tx.timedOut ? ', killed' : ''}):\n${tx.out}${tx.err}`);
      await waitBg(sink, tmo);
      const j = JSON.parse(tx.out.trim().split('\n').pop());
      return udpFigures(
        what,
        { offered: j.offered, errors: j.sendErrors + j.tap.txRefused, seconds: j.seconds, t0Ns: BigInt(j.t0Ns) },
        parseSink(sink.log),
        { kernel: udpDelta(before, kernelCounters()), frames: j.txPackets, superFrames: j.tap.txGso },
      );
    };
    // send: one datagram per send; then the same datagrams, 64 to a send (UDP_SEGMENT: one super-datagram each)
    const send = await tapSend('tapstack → tap0 → kernel', []);
    const sendGso = await tapSend('tapstack (UDP_SEGMENT) → tap0 → kernel', ['--segment', String(UDP_SEGMENT_K)]);
    // receive: kernel socket → tap0 → tapstack UdpSocket
    const before = kernelCounters();
    const rx = await startBg(
      [process.execPath, join(HERE, 'rx.mjs'), '--dev', DEV, '--mac', STACK_MAC, '--addr', `${STACK_IP}/24`, '--port', String(UDP_PORT),
        '--count', String(cfg.udpCount), '--idle-ms', '1000', '--deadline-s', String(udpDeadlineS())],
      /^rx: bound /m,
    );
    const sender = await cSend(STACK_IP, NS);
    await waitBg(rx, tmo);
    if (rx.exited.code !== 0) throw new Error(`tapstack UDP receiver failed (${JSON.stringify(rx.exited)}):\n${rx.log}`);
    const r = JSON.parse(rx.log.split('\n').filter((l) => l.startsWith('{')).pop());
    const after = kernelCounters();
    const recv = udpFigures(
      'kernel → tap0 → tapstack',
      sender,
      { received: r.received, bad: r.bad, lastNs: BigInt(r.lastNs) },
      { kernelTxDropped: after.txDropped - before.txDropped, kernelTxPackets: after.txPackets - before.txPackets, udp: r.udp, tap: r.tap },
    );
    return { round, impl, send, sendGso, recv };
  } finally {
    nsSh(`ip tuntap del dev ${DEV} mode tap`, { allowFail: true });
  }
}

// ---------------------------------------------------------------- reporting

/** Median, lowest and highest of the finite values. */
const spread = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const m = v.length >> 1;
  return { median: v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
};
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const us = (ms) => ms * 1000;

function printResponderRound(r) {
  const t = r.flood;
  const l = r.latency;
  const c = r.capture;
  console.log(
    `  ${r.impl.padEnd(8)} flood ${t.received}/${t.transmitted} in ${(t.timeMs / 1000).toFixed(2)} s = ${f0(t.roundTripsPerSec)} rt/s ` +
      `(avg ${f0(us(t.rtt?.avg))} µs) | latency avg ${f1(us(l.rtt?.avg))} µs (min ${f1(us(l.rtt?.min))}, mdev ${f1(us(l.rtt?.mdev))}, ` +
      `${l.received}/${l.transmitted}) | RSS idle ${f1(r.rssIdleKb / 1024)} MiB, peak ${f1(r.rssPeakKb / 1024)} MiB`,
  );
  console.log(
    `           capture ${c.paired}/${c.received} paired (tcpdump dropped ${c.droppedByKernel}): p50 ${f1(c.p50)} p90 ${f1(c.p90)} ` +
      `p99 ${f1(c.p99)} p99.9 ${f1(c.p999)} max ${f1(c.max)} µs, mean ${f1(c.mean)} µs (ping's avg of this run ${f1(us(c.pingAvg))} µs)`,
  );
}

function printResponder6Round(r) {
  const t = r.flood;
  const l = r.latency;
  console.log(
    `  ${r.impl.padEnd(8)} ping -6 flood ${t.received}/${t.transmitted} in ${(t.timeMs / 1000).toFixed(2)} s = ${f0(t.roundTripsPerSec)} rt/s ` +
      `(avg ${f0(us(t.rtt?.avg))} µs) | latency avg ${f1(us(l.rtt?.avg))} µs (min ${f1(us(l.rtt?.min))}, mdev ${f1(us(l.rtt?.mdev))}, ` +
      `${l.received}/${l.transmitted}) | kernel: ${r.kernelNeigh || '(no neighbour entry)'}`,
  );
}

function printTxRound(x) {
  console.log(
    `  ${x.impl.padEnd(8)} tx ${x.offered} offered, kernel counted ${x.kernelCounted} in ${x.seconds.toFixed(3)} s = ${f0(x.framesPerSec)} frames/s ` +
      `(sender errors ${x.senderErrors}, kernel udp NoPorts +${x.kernelUdpNoPorts}, csum errors ${x.kernelUdpCsumErrors})`,
  );
}

function printUdpRound(u) {
  const line = (label, d, more) =>
    `${label} ${f0(d.received)}/${f0(d.offered)} (${d.deliveredPct.toFixed(1)} %) in ${d.windowSeconds.toFixed(3)} s = ${f0(d.datagramsPerSec)} datagrams/s ` +
    `(sender alone ${f0(d.offeredPerSec)}/s${more})`;
  if (u.impl === 'c') {
    const k = u.veth.kernel;
    console.log(`  ${'kernel'.padEnd(8)} ${line('udp kernel → veth → kernel', u.veth, `; kernel udp RcvbufErrors +${k.rcvbufErrors}`)}`);
    return;
  }
  console.log(`  ${u.impl.padEnd(8)} ${line('udp send tapstack → kernel', u.send, `; kernel udp RcvbufErrors +${u.send.kernel.rcvbufErrors}, csum errors +${u.send.kernel.inCsumErrors}`)}`);
  const g = u.sendGso;
  console.log(`  ${''.padEnd(8)} ${line(`udp send tapstack → kernel, UDP_SEGMENT ×${UDP_SEGMENT_K}`, g, `; ${f0(g.frames)} frames written, ${f0(g.superFrames)} of them super-frames; kernel csum errors +${g.kernel.inCsumErrors}`)}`);
  console.log(
    `  ${''.padEnd(8)} ${line('udp receive kernel → tapstack', u.recv, `; tap0 tx dropped by the kernel +${f0(u.recv.kernelTxDropped)}, tapstack rcvbufErrors ${u.recv.udp.rcvbufErrors}`)}`,
  );
}

/**
 * The table rows. `f` reads a figure from one round's result of either implementation; rows of
 * the UDP socket rates compare tapstack with the kernel's own UDP over veth (impl 'c' there is the
 * C program on kernel sockets).
 */
function summarise(resp, resp6, tx, udp) {
  const rows = [
    { metric: 'flood round trips/s (ping -f -l 32)', better: 'higher', f: (r) => r.flood.roundTripsPerSec, list: resp, fmt: f0, target: { op: '>=', k: 0.7 } },
    { metric: 'flood (-l 32) avg RTT µs', better: 'lower', f: (r) => us(r.flood.rtt?.avg), list: resp, fmt: f1 },
    { metric: 'latency avg RTT µs (ping -f)', better: 'lower', f: (r) => us(r.latency.rtt?.avg), list: resp, fmt: f1, target: { op: '<=', k: 2 } },
    { metric: 'latency min RTT µs (ping -f)', better: 'lower', f: (r) => us(r.latency.rtt?.min), list: resp, fmt: f1 },
    { metric: 'ping -f RTT p50 µs (tcpdump)', better: 'lower', f: (r) => r.capture.p50, list: resp, fmt: f1 },
    { metric: 'ping -f RTT p99 µs (tcpdump)', better: 'lower', f: (r) => r.capture.p99, list: resp, fmt: f1 },
    { metric: 'IPv6 flood round trips/s (ping -6 -f -l 32)', better: 'higher', f: (r) => r.flood.roundTripsPerSec, list: resp6, fmt: f0, target: { op: '>=', k: 0.8 } },
    { metric: 'IPv6 flood (-l 32) avg RTT µs', better: 'lower', f: (r) => us(r.flood.rtt?.avg), list: resp6, fmt: f1 },
    { metric: 'IPv6 latency avg RTT µs (ping -6 -f)', better: 'lower', f: (r) => us(r.latency.rtt?.avg), list: resp6, fmt: f1 },
    { metric: 'IPv6 latency min RTT µs (ping -6 -f)', better: 'lower', f: (r) => us(r.latency.rtt?.min), list: resp6, fmt: f1 },
    { metric: 'tx frames/s (kernel-counted)', better: 'higher', f: (x) => x.framesPerSec, list: tx, fmt: f0 },
    { metric: 'UDP send datagrams/s (vs kernel UDP)', better: 'higher', f: (u) => (u.impl === 'c' ? u.veth : u.send).datagramsPerSec, list: udp, fmt: f0 },
    { metric: `UDP send, UDP_SEGMENT ×${UDP_SEGMENT_K} (vs kernel UDP)`, better: 'higher', f: (u) => (u.impl === 'c' ? u.veth : u.sendGso).datagramsPerSec, list: udp, fmt: f0 },
    { metric: 'UDP receive datagrams/s (vs kernel UDP)', better: 'higher', f: (u) => (u.impl === 'c' ? u.veth : u.recv).datagramsPerSec, list: udp, fmt: f0 },
    { metric: 'RSS idle MiB', better: 'lower', f: (r) => r.rssIdleKb / 1024, list: resp, fmt: f1 },
    { metric: 'RSS peak MiB (VmHWM after load)', better: 'lower', f: (r) => r.rssPeakKb / 1024, list: resp, fmt: f1 },
  ];
  return rows.filter((row) => row.list.length > 0).map((row) => {
    const of = (impl) => row.list.filter((r) => r.impl === impl);
    const ts = spread(of('tapstack').map(row.f));
    const c = spread(of('c').map(row.f));
    // Per round: both implementations ran back to back, so their ratio is steadier than either.
    const perRound = of('tapstack').map((t) => {
      const b = of('c').find((x) => x.round === t.round);
      return b ? row.f(t) / row.f(b) : NaN;
    });
    const ratio = ts.median / c.median;
    let target = null;
    if (row.target) {
      const ok = row.target.op === '>=' ? ratio >= row.target.k : ratio <= row.target.k;
      target = { text: `${row.target.op} ${row.target.k}x`, ok };
    }
    return { metric: row.metric, better: row.better, tapstack: ts, c, ratio, ratioPerRound: spread(perRound), target, fmt: row.fmt };
  });
}

function printTable(rows, rounds) {
  const cell = (s, fmt) => (s.n > 1 ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : fmt(s.median));
  const head = [`metric (median [min–max] of ${rounds} round${rounds > 1 ? 's' : ''})`, 'tapstack', 'baseline', 'tapstack/baseline', 'target'];
  const body = rows.map((r) => [
    r.metric,
    cell(r.tapstack, r.fmt),
    cell(r.c, r.fmt),
    r.ratioPerRound.n > 1 ? `${f2(r.ratio)} [${f2(r.ratioPerRound.min)}–${f2(r.ratioPerRound.max)}]` : f2(r.ratio),
    r.target ? `${r.target.text}: ${r.target.ok ? 'MET' : 'NOT MET'}` : '',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const b of body) console.log(line(b));
  console.log(
    'baseline: the C responder (ping, ping -6, RSS), the C frame writer (tx), the kernel\'s own UDP over veth driven by the C program (UDP);\n' +
      'ratio: of the medians [lowest–highest of the per-round ratios]',
  );
}

// ---------------------------------------------------------------- profile (optional)

async function profileRun() {
  const dir = join(BUILD, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const txDir = join(dir, 'tx');
  mkdirSync(txDir);
  const out = { dir };
  const first = (d) => readdirSync(d).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(d, f))[0];
  for (const ipv6 of [false, true]) {
    if (!only.has(ipv6 ? 'ping6' : 'ping')) continue;
    const respDir = join(dir, ipv6 ? 'responder6' : 'responder');
    mkdirSync(respDir);
    const ping = `ping${ipv6 ? ' -6' : ''}`;
    console.log(`\nprofile: tapstack under --cpu-prof during ${ping} -f -l ${cfg.preload} -c ${cfg.floodCount} (after a ${cfg.warmup} warm-up)`);
    const r = await startResponder('tapstack', { profileDir: respDir, ipv6 });
    try {
      nsSh(`ip addr add ${KERNEL_CIDR} dev ${DEV}`);
      if (ipv6) enableKernelIpv6();
      await waitReachable(ipv6);
      if (cfg.settle) await sleep(cfg.settle * 1000);
      if (cfg.warmup) await flood(cfg.warmup, cfg.preload, ipv6);
      const thr = await flood(cfg.floodCount, cfg.preload, ipv6);
      console.log(`  (under the profiler: ${f0(thr.received / (thr.timeMs / 1000))} rt/s)`);
    } finally {
      await stopResponder(r);
    }
    const rp = first(respDir);
    const key = ipv6 ? 'responder6' : 'responder';
    if (rp) {
      out[key] = summariseProfile(rp, 25);
      console.log(`${key} ${relative(ROOT, rp)}\n${formatSummary(out[key])}`);
    } else console.log('  no responder profile written (the stack did not exit cleanly)');
  }
  if (!only.has('tx')) return out;
  console.log(`\nprofile: tx.mjs under --cpu-prof, ${cfg.txCount} frames`);
  await txRun('tapstack', 0, { profileDir: txDir });
  const tp = first(txDir);
  if (tp) {
    out.tx = summariseProfile(tp, 25);
    console.log(`tx ${relative(ROOT, tp)}\n${formatSummary(out.tx)}`);
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  const facts = machineFacts();
  console.log('tapstack TAP benchmark: tapstack vs a C responder, same run, private namespace');
  console.log(`  cpu      ${facts.cpu} (${facts.cores} cores)`);
  console.log(`  kernel   ${facts.kernel}`);
  console.log(`  node     ${facts.node}`);
  console.log(`  cc       ${facts.cc}`);
  console.log(`  ping     ${facts.ping}`);
  console.log(`  date     ${facts.date}   loadavg ${facts.loadavg.join(' ')}`);
  console.log(
    `  config   ${cfg.smoke ? 'SMOKE, ' : ''}${cfg.rounds} round(s) ABBA; warm-up ping -f -l ${cfg.preload} -c ${cfg.warmup}; ` +
      `throughput ping -f -l ${cfg.preload} -c ${cfg.floodCount}; latency ping -f -c ${cfg.latencyCount}; ` +
      `percentiles ping -f -c ${cfg.captureCount} under tcpdump; tx ${cfg.txCount} UDP frames (64 B payload); ` +
      `UDP sockets ${cfg.udpCount} datagrams (64 B) each way; settle ${cfg.settle} s; measurements ${cfg.only.join(',')}`,
  );
  buildResponder();
  for (const ns of [NS, NS2]) {
    execIp(['netns', 'add', ns]);
    created.push(ns);
    nsSh('ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1', { ns });
  }
  setupVeth();
  console.log(`  netns    ${NS} (TAP), ${NS2} (veth peer of the kernel UDP baseline)\n`);

  const resp = [];
  const resp6 = [];
  const tx = [];
  const udp = [];
  for (let round = 1; round <= cfg.rounds; round++) {
    const order = round % 2 ? ['tapstack', 'c'] : ['c', 'tapstack'];
    console.log(`round ${round}/${cfg.rounds} (${order.join(', ')})`);
    if (only.has('ping')) {
      for (const impl of order) {
        const r = await responderRun(impl, round);
        resp.push(r);
        printResponderRound(r);
      }
    }
    if (only.has('ping6')) {
      for (const impl of order) {
        const r = await responder6Run(impl, round);
        resp6.push(r);
        printResponder6Round(r);
      }
    }
    if (only.has('tx')) {
      for (const impl of order) {
        const x = await txRun(impl, round);
        tx.push(x);
        printTxRound(x);
      }
    }
    if (only.has('udp')) {
      for (const impl of order) {
        const u = await udpRun(impl, round);
        udp.push(u);
        printUdpRound(u);
      }
    }
  }

  const rows = summarise(resp, resp6, tx, udp);
  console.log('');
  printTable(rows, cfg.rounds);
  let profile;
  if (cfg.profile) profile = await profileRun();
  if (argv.json) {
    const json = {
      machine: facts,
      config: cfg,
      responder: resp,
      responder6: resp6,
      tx,
      udp,
      summary: rows.map(({ fmt, ...r }) => r),
      profile,
    };
    writeFileSync(argv.json, JSON.stringify(json, null, 2) + '\n');
    console.log(`\nresults written to ${argv.json}`);
  }
  if (cfg.smoke) console.log('\nsmoke: OK');
}

function execIp(args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (e) => {
    console.error(`\nbench:tap: FAILED: ${e?.stack ?? e}`);
    cleanup();
    process.exit(1);
  },
);
