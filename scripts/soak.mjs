#!/usr/bin/env node
// Soak: `tapstack up` in a private network namespace for N minutes under a flood ping from the
// kernel, a continuous ARP scan from ever-changing sender addresses (scripts/lib/arpscan.py), and
// periodic `tapstack ip neigh flush` and `tapstack sysctl -w` through the CLI. Prints one line per
// interval (RSS of the stack process, table figures from `tapstack proc net/stat/arp_cache` and
// `tapstack ip -s ntable`, the exact peak from `tapstack ip monitor neigh`) and a final verdict:
// RSS slope and growth after warm-up, replies lost according to ping's summary (and where they
// were lost, from `tapstack stat`), table peak against gc_thresh3, the stack's clean exit.
//
//   sudo node scripts/soak.mjs [--minutes N | --seconds N] [--interval S] [--scan-rate R]
//                              [--flush-every S] [--sysctl-every S] [--json] [--max-...]
//
// The stack has no heap-reporting operation, so its node is started with --expose-gc and
// scripts/lib/heap_probe.mjs preloaded: at each sample SIGUSR2 makes it run a full GC and print
// process.memoryUsage() — the live JS heap — on stderr. RSS comes from /proc/PID/status.
//
// Needs root, /dev/net/tun, iproute2, iputils ping, /usr/bin/python3, and a built tree
// (npm run build). Exit status: 0 verdict pass, 1 verdict fail, 2 usage or setup error.
// Nothing outside the namespace and a temporary control directory is touched; both go on exit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SCAN = join(ROOT, 'scripts', 'lib', 'arpscan.py');
const PROBE = join(ROOT, 'scripts', 'lib', 'heap_probe.mjs');
const PY = '/usr/bin/python3';
const NAME = 'soak';
const STACK_IP = '10.0.0.2';
const KERNEL_IP = '10.0.0.1';
const STACK_MAC = '02:5a:00:00:00:02';
/** Echo requests sent before the flood (to check the link); the stack's counters include them. */
const WARM_PINGS = 3;

const USAGE = `Usage: node scripts/soak.mjs [options]
  --minutes N            run time (default 10)
  --seconds N            run time in seconds (overrides --minutes)
  --interval S           seconds between report lines (default: run/20, 2..30)
  --scan-rate R          ARP requests per second from new senders (default 150; 0 = none)
  --flush-every S        'tapstack ip neigh flush dev tap0' every S seconds (default 30; 0 = never)
  --sysctl-every S       flip a few neighbour/ARP sysctls every S seconds (default 20; 0 = never)
  --max-lost N           replies ping may miss for a pass (default 1: the one in flight at the deadline)
  --max-heap-growth-mib M   live JS heap (after a forced full GC) growth after warm-up allowed for a
                            pass (default 2: a full table of 1024 entries is about 0.5 MiB)
  --max-offheap-growth-mib M  growth of anonymous RSS outside V8's heap after warm-up allowed
                            (default 8): the addon, Buffers' backing stores, malloc
  --max-rss-growth-mib M    RSS growth after warm-up allowed (default 48: V8 may still be growing
                            its young generation towards 2 x 16 MiB semi-spaces under a flood)
  --json                 JSON lines instead of text (samples, then the verdict)
  --no-heap-probe        do not preload scripts/lib/heap_probe.mjs (then no heap figures)
`;

function parseArgs(argv) {
  const o = { seconds: 600, interval: 0, scanRate: 150, flushEvery: 30, sysctlEvery: 20, maxLost: 1, maxRssGrowthMiB: 48, maxOffHeapGrowthMiB: 8, maxHeapGrowthMB: 2, json: false, heapProbe: true };
  const num = (k, v) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || x < 0) usage(`${k} needs a non-negative number`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--minutes': o.seconds = num(a, argv[++i]) * 60; break;
      case '--seconds': o.seconds = num(a, argv[++i]); break;
      case '--interval': o.interval = num(a, argv[++i]); break;
      case '--scan-rate': o.scanRate = num(a, argv[++i]); break;
      case '--flush-every': o.flushEvery = num(a, argv[++i]); break;
      case '--sysctl-every': o.sysctlEvery = num(a, argv[++i]); break;
      case '--max-lost': o.maxLost = num(a, argv[++i]); break;
      case '--max-rss-growth-mib': o.maxRssGrowthMiB = num(a, argv[++i]); break;
      case '--max-offheap-growth-mib': o.maxOffHeapGrowthMiB = num(a, argv[++i]); break;
      case '--max-heap-growth-mib': o.maxHeapGrowthMB = num(a, argv[++i]); break;
      case '--json': o.json = true; break;
      case '--no-heap-probe': o.heapProbe = false; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: usage(`unknown option '${a}'`);
    }
  }
  if (o.seconds < 5) usage('the run must last at least 5 seconds');
  if (o.interval === 0) o.interval = Math.min(30, Math.max(2, o.seconds / 20));
  return o;
}

function usage(msg) {
  process.stderr.write(`soak: ${msg}\n${USAGE}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));

function fail(msg) {
  process.stderr.write(`soak: ${msg}\n`);
  cleanup();
  process.exit(2);
}

// ---- environment -------------------------------------------------------------------------------

const ns = `tssoak-${process.pid}-${randomBytes(3).toString('hex')}`;
let nsMade = false;
let runDir = null;
/** Children we started (ChildProcess objects; killed by pid on cleanup). */
const children = new Set();
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (nsMade) {
    // Whatever still runs in our own namespace was started by us.
    spawnSync('sh', ['-c', `ip netns pids ${ns} | xargs -r kill -9`]);
    spawnSync('ip', ['netns', 'del', ns]);
  }
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}
process.on('exit', cleanup);

if (process.getuid?.() !== 0) fail('needs root (network namespaces and TAP devices)');
if (!existsSync('/dev/net/tun')) fail('/dev/net/tun is missing');
for (const t of ['ip', 'ping', PY]) if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) fail(`${t} not found`);
if (!existsSync(CLI) || !existsSync(join(ROOT, 'build', 'Release', 'tapstack_native.node'))) fail('not built: npm run build');

runDir = mkdtempSync(join(tmpdir(), 'tapstack-soak-'));
const env = { ...process.env, TAPSTACK_RUN_DIR: runDir };
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

function nsSh(cmd, timeout = 20000) {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', cmd], { encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

function nsSpawn(cmd, args) {
  const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(c);
  return c;
}

/**
 * Runs `tapstack --name soak ARGS` (the control socket is a path, so no namespace is needed),
 * asynchronously so the monitor's output keeps being read meanwhile.
 */
function cli(args, timeout = 30000) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, '--name', NAME, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    children.add(c);
    const o = collect(c);
    const t = setTimeout(() => c.kill('SIGKILL'), timeout);
    c.on('exit', (code, signal) => {
      clearTimeout(t);
      children.delete(c);
      resolve({ status: code, out: o.out, err: o.err + (signal ? ` (killed by ${signal})` : '') });
    });
  });
}

const collect = (c) => {
  const o = { out: '', err: '' };
  c.stdout.on('data', (d) => (o.out += d));
  c.stderr.on('data', (d) => (o.err += d));
  return o;
};
const exited = (c) => (c.exitCode !== null || c.signalCode !== null
  ? Promise.resolve({ code: c.exitCode, signal: c.signalCode })
  : new Promise((r) => c.on('exit', (code, signal) => r({ code, signal }))));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- parsers -----------------------------------------------------------------------------------

/** `proc net/stat/arp_cache`: a header of names and a row of hex values (one row per CPU in Linux). */
function parseStatArpCache(text) {
  const lines = text.trim().split('\n');
  const names = lines[0].trim().split(/\s+/);
  const out = {};
  for (const row of lines.slice(1)) {
    const vals = row.trim().split(/\s+/);
    names.forEach((n, i) => (out[n] = (out[n] ?? 0) + parseInt(vals[i], 16)));
  }
  return out;
}

/** `ip -s ntable show name arp_cache`: the table block (thresholds, entries, stats). */
function parseNtable(text) {
  const block = text.split(/\n\s*\n/)[0];
  const get = (re) => {
    const m = re.exec(block);
    return m ? Number(m[1]) : null;
  };
  return {
    thresh1: get(/thresh1 (\d+)/), thresh2: get(/thresh2 (\d+)/), thresh3: get(/thresh3 (\d+)/),
    entries: get(/ entries (\d+)/), forcedGcRuns: get(/forced_gc_runs (\d+)/), tableFulls: get(/table_fulls (\d+)/),
    periodicGcRuns: get(/periodic_gc_runs (\d+)/),
  };
}

function rssKiB(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return null;
  }
}

/** `ip netns exec` execs its command, so the child's pid is node's; checked, with a fallback. */
function stackPidOf(c) {
  const cmdline = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  if (cmdline(c.pid).includes('main.js')) return c.pid;
  try {
    for (const p of readFileSync(`/proc/${c.pid}/task/${c.pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (cmdline(p).includes('main.js')) return Number(p);
    }
  } catch {
    /* fall through */
  }
  return c.pid;
}

/** Least-squares slope of y over x. */
function slope(pts) {
  if (pts.length < 2) return 0;
  const n = pts.length;
  const mx = pts.reduce((s, p) => s + p[0], 0) / n;
  const my = pts.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mib = (kib) => +(kib / 1024).toFixed(1);

// ---- run ---------------------------------------------------------------------------------------

async function main() {
  const o = opts;
  const say = (text, obj) => process.stdout.write(o.json ? JSON.stringify(obj) + '\n' : text + '\n');

  spawnSync('ip', ['netns', 'add', ns]);
  nsMade = true;
  nsSh('ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');

  // The stack, through the CLI. It has no heap-reporting operation, so node preloads
  // scripts/lib/heap_probe.mjs (with --expose-gc): SIGUSR2 → full GC → one "soak-heap {...}" line
  // on stderr with the live heap.
  const nodeFlags = o.heapProbe ? ['--expose-gc', '--import', pathToFileURL(PROBE).href] : [];
  const stack = spawn('ip', ['netns', 'exec', ns, process.execPath, ...nodeFlags, CLI,
    '--name', NAME, 'up', '--dev', 'tap0', '--addr', `${STACK_IP}/8`, '--mac', STACK_MAC], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(stack);
  const stackOut = { out: '', err: '' };
  stack.stdout.on('data', (d) => (stackOut.out += d));
  /** Heap reports, in order. */
  const heapReports = [];
  let heapWaiter = null;
  createInterface({ input: stack.stderr }).on('line', (line) => {
    if (line.startsWith('soak-heap ')) {
      heapReports.push(JSON.parse(line.slice(10)));
      heapWaiter?.();
    } else stackOut.err += line + '\n';
  });
  for (let i = 0; !/tap0 (created|attached)/.test(stackOut.out); i++) {
    if (stack.exitCode !== null || i > 100) fail(`tapstack up did not come up: ${stackOut.out}${stackOut.err}`);
    await sleep(100);
  }
  const pid = stackPidOf(stack);

  /** The stack's live heap (after a full GC), or null without the probe or on timeout. */
  const probeHeap = async () => {
    if (!o.heapProbe || stack.exitCode !== null) return null;
    const n = heapReports.length;
    const got = new Promise((r) => (heapWaiter = r));
    process.kill(pid, 'SIGUSR2');
    await Promise.race([got, sleep(5000)]);
    heapWaiter = null;
    return heapReports.length > n ? heapReports[n] : null;
  };
  nsSh(`ip addr add ${KERNEL_IP}/8 dev tap0`);
  nsSh(`ping -c ${WARM_PINGS} -i 0.2 -W 1 ${STACK_IP}`);
  const rss0 = rssKiB(pid);

  // Exact table size at every change: `ip monitor neigh` lines ("Deleted ..." on removal).
  const live = new Set();
  let monPeak = 0;
  let monEvents = 0;
  const mon = spawn(process.execPath, [CLI, '--name', NAME, 'ip', '-4', 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(mon);
  const monErr = { err: '' };
  mon.stderr.on('data', (d) => (monErr.err += d));
  createInterface({ input: mon.stdout }).on('line', (line) => {
    monEvents++;
    const del = line.startsWith('Deleted ');
    const rest = del ? line.slice(8) : line;
    if (rest.startsWith('miss ')) return;
    const dst = rest.split(' ')[0];
    if (del) live.delete(dst);
    else live.add(dst);
    if (live.size > monPeak) monPeak = live.size;
  });
  await sleep(300);
  for (const l of (await cli(['ip', '-4', 'neigh', 'show', 'nud', 'all'])).out.split('\n')) if (l) live.add(l.split(' ')[0]);

  // Load: flood ping until the deadline, the ARP scan for the same time.
  const pingC = nsSpawn('ping', ['-f', '-q', '-n', '-w', String(Math.round(o.seconds)), STACK_IP]);
  const pingOut = collect(pingC);
  let scanC = null;
  let scanOut = null;
  if (o.scanRate > 0) {
    scanC = nsSpawn(PY, [SCAN, '--iface', 'tap0', '--target', STACK_IP, '--rate', String(o.scanRate), '--duration', String(o.seconds)]);
    scanOut = collect(scanC);
  }
  const t0 = Date.now();
  const tSec = () => (Date.now() - t0) / 1000;

  // Management churn through the CLI.
  const actions = { flushes: 0, flushMs: [], flushIncomplete: [], sysctls: 0, sysctlFailures: [] };
  const flips = [
    ['net.ipv4.neigh.tap0.gc_stale_time', '30', '60'],
    ['net.ipv4.neigh.default.base_reachable_time_ms', '15000', '30000'],
    ['net.ipv4.conf.tap0.arp_announce', '2', '0'],
    ['net.ipv4.neigh.tap0.delay_first_probe_time', '2', '5'],
  ];
  let flipRound = 0;
  const timers = [];
  if (o.flushEvery > 0) {
    timers.push(setInterval(async () => {
      const t1 = Date.now();
      const r = await cli(['ip', 'neigh', 'flush', 'dev', 'tap0']);
      actions.flushes++;
      actions.flushMs.push(Date.now() - t1);
      // iproute2 gives up after 10 dump-and-delete rounds when entries keep arriving (as the scan
      // makes them do): "*** Flush not complete bailing out after 10 rounds", status 255.
      if (r.status !== 0) actions.flushIncomplete.push({ t: Math.round(tSec()), status: r.status, out: (r.out + r.err).trim().slice(0, 200) });
    }, o.flushEvery * 1000));
  }
  if (o.sysctlEvery > 0) {
    timers.push(setInterval(async () => {
      const args = ['sysctl', '-q', '-w', ...flips.map(([k, a, b]) => `${k}=${flipRound % 2 === 0 ? a : b}`)];
      flipRound++;
      const r = await cli(args);
      actions.sysctls++;
      if (r.status !== 0) actions.sysctlFailures.push({ t: Math.round(tSec()), status: r.status, err: r.err.trim().slice(0, 200) });
    }, o.sysctlEvery * 1000));
  }

  // Samples.
  const samples = [];
  const sample = async () => {
    const h = await probeHeap();
    const mem = rssKiB(pid);
    const [p, nt] = await Promise.all([cli(['proc', 'net/stat/arp_cache']), cli(['ip', '-s', 'ntable', 'show', 'name', 'arp_cache'])]);
    const st = p.status === 0 ? parseStatArpCache(p.out) : {};
    const tb = nt.status === 0 ? parseNtable(nt.out) : {};
    const s = {
      type: 'sample', t: Math.round(tSec()), rssKiB: mem?.rss ?? null, hwmKiB: mem?.hwm ?? null,
      rssAnonKiB: mem?.anon ?? null, rssFileKiB: mem?.file ?? null,
      entries: st.entries ?? null, ntableEntries: tb.entries ?? null, monitorLive: live.size, peakEntries: monPeak,
      heapUsedKiB: h ? Math.round(h.heapUsed / 1024) : null, heapTotalKiB: h ? Math.round(h.heapTotal / 1024) : null,
      heapPhysicalKiB: h ? Math.round(h.heapPhysical / 1024) : null,
      externalKiB: h ? Math.round(h.external / 1024) : null, arrayBuffersKiB: h ? Math.round(h.arrayBuffers / 1024) : null,
      thresh3: tb.thresh3 ?? null, allocs: st.allocs ?? null, destroys: st.destroys ?? null,
      forcedGcRuns: st.forced_gc_runs ?? null, tableFulls: st.table_fulls ?? null, periodicGcRuns: st.periodic_gc_runs ?? null,
      flushes: actions.flushes, sysctls: actions.sysctls, cliErrors: [p, nt].filter((r) => r.status !== 0).map((r) => r.err.trim()),
    };
    samples.push(s);
    say(
      `t=${String(s.t).padStart(5)}s rss=${mem ? mib(mem.rss) : '?'}MiB (anon ${mem ? mib(mem.anon) : '?'}) heap=${h ? mib(s.heapUsedKiB) : '?'}/${h ? mib(s.heapPhysicalKiB) : '?'}/${h ? mib(s.heapTotalKiB) : '?'}MiB ext=${h ? mib(s.externalKiB) : '?'}MiB entries=${s.entries} (ntable ${s.ntableEntries}, ` +
        `peak ${monPeak}/${s.thresh3}) forced_gc=${s.forcedGcRuns} table_fulls=${s.tableFulls} periodic_gc=${s.periodicGcRuns} ` +
        `allocs=${s.allocs} destroys=${s.destroys} flushes=${actions.flushes} sysctl=${actions.sysctls}` +
        (s.cliErrors.length ? ` cli-errors=${JSON.stringify(s.cliErrors)}` : ''),
      s,
    );
    return s;
  };
  if (!o.json) {
    process.stdout.write(`soak: ${o.seconds}s, ping -f from the kernel, ARP scan ${o.scanRate}/s, flush every ${o.flushEvery}s, ` +
      `sysctl every ${o.sysctlEvery}s; stack pid ${pid}, rss at start ${rss0 ? mib(rss0.rss) : '?'}MiB\n`);
  }
  await sample();
  const pingDone = exited(pingC);
  let stackDied = null;
  void exited(stack).then((r) => (stackDied = r));
  const warm = Math.min(60, o.seconds / 4);
  while (tSec() < o.seconds && stackDied === null) {
    const next = Math.min(o.seconds, Math.ceil(tSec() / o.interval + 1e-9) * o.interval);
    await Promise.race([sleep(Math.max(0, next - tSec()) * 1000), pingDone]);
    if (tSec() >= o.seconds - 0.05 || stackDied) break;
    await sample();
  }
  for (const t of timers) clearInterval(t);
  await Promise.race([pingDone, sleep(15000)]);
  if (scanC) await Promise.race([exited(scanC), sleep(5000)]);
  const last = stackDied !== null ? samples.at(-1) : await sample();

  // Where replies went: counters from `tapstack stat` (when this build has it).
  const stat = await cli(['stat', '-a', 'icmp.*', 'ip.*']);
  const counters = {};
  if (stat.status === 0) {
    for (const l of stat.out.split('\n')) {
      const m = /^(\S+)\s+(\d+)/.exec(l);
      if (m) counters[m[1]] = Number(m[2]);
    }
  }

  // Stop the stack as an operator would and check it goes cleanly.
  const diedEarly = stackDied;
  let stop = diedEarly;
  if (!diedEarly) {
    stack.kill('SIGINT');
    stop = await Promise.race([exited(stack), sleep(10000).then(() => ({ code: null, signal: 'timeout' }))]);
  }
  mon.kill('SIGINT');

  // Verdict.
  const pm = /(\d+) packets transmitted, (\d+) received/.exec(pingOut.out);
  const transmitted = pm ? Number(pm[1]) : null;
  const received = pm ? Number(pm[2]) : null;
  const lost = pm ? transmitted - received : null;
  const post = samples.filter((s) => s.t >= warm && s.rssKiB !== null);
  const rssPts = post.map((s) => [s.t / 60, s.rssKiB / 1024]);
  const rssSlope = +slope(rssPts).toFixed(2);
  const rssWarm = post.length ? post[0].rssKiB : null;
  const rssEnd = last?.rssKiB ?? null;
  const rssGrowthMiB = rssWarm !== null && rssEnd !== null ? mib(rssEnd - rssWarm) : null;
  // Anonymous resident memory outside V8's heap (RssAnon minus the resident part of the heap):
  // the addon, Buffers' backing stores, malloc arenas. (File-backed RSS — node's own binary paged
  // in — does not count; V8's young generation growing under a flood is in the heap part.)
  const opost = post.filter((s) => s.heapPhysicalKiB !== null && s.rssAnonKiB !== null);
  const offHeap = (s) => s.rssAnonKiB - s.heapPhysicalKiB;
  const offHeapGrowthMiB = opost.length ? mib(offHeap(opost.at(-1)) - offHeap(opost[0])) : null;
  // Live heap (after a forced full GC at each sample), after warm-up.
  const hpost = post.filter((s) => s.heapUsedKiB !== null);
  const heapWarmKiB = hpost.length ? hpost[0].heapUsedKiB : null;
  const heapEndKiB = hpost.length ? hpost.at(-1).heapUsedKiB : null;
  const heapGrowthMB = heapWarmKiB !== null ? +((heapEndKiB - heapWarmKiB) / 1024).toFixed(2) : null;
  const heap = {
    warmMiB: heapWarmKiB === null ? null : +(heapWarmKiB / 1024).toFixed(2), endMiB: heapEndKiB === null ? null : +(heapEndKiB / 1024).toFixed(2),
    growthMiB: heapGrowthMB, slopeMiBPerMin: hpost.length >= 3 ? +slope(hpost.map((s) => [s.t / 60, s.heapUsedKiB / 1024])).toFixed(3) : null,
    minMiB: hpost.length ? mib(Math.min(...hpost.map((s) => s.heapUsedKiB))) : null, maxMiB: hpost.length ? mib(Math.max(...hpost.map((s) => s.heapUsedKiB))) : null,
    externalEndMiB: hpost.length ? mib(hpost.at(-1).externalKiB) : null, samples: hpost.length,
  };
  const thresh3 = samples.find((s) => s.thresh3 !== null)?.thresh3 ?? 1024;
  const sampledPeak = Math.max(0, ...samples.map((s) => s.entries ?? 0));
  let scan = null;
  try {
    scan = scanOut ? JSON.parse(scanOut.out.trim().split('\n').at(-1)) : null;
  } catch {
    scan = { error: scanOut.err.trim().slice(0, 300) };
  }
  // Where lost replies went, when the stack reports its ICMP counters (tapstack stat).
  let where = null;
  if (pm && counters['icmp.inEchos'] !== undefined) {
    const inFlood = counters['icmp.inEchos'] - WARM_PINGS;
    const outFlood = counters['icmp.outEchoReps'] - WARM_PINGS;
    where = {
      requestsNeverReachedStack: transmitted - inFlood,
      requestsUnansweredByStack: inFlood - outFlood,
      repliesNotCountedByPing: outFlood - received,
    };
  }
  const reasons = [];
  if (diedEarly) reasons.push(`stack exited during the run (${JSON.stringify(diedEarly)}): ${(stackOut.out + stackOut.err).slice(-500)}`);
  else if (stop.code !== 0) reasons.push(`stack did not stop cleanly on SIGINT (${JSON.stringify(stop)})`);
  if (lost === null) reasons.push(`no ping summary: ${pingOut.out}${pingOut.err}`);
  else if (lost > o.maxLost) reasons.push(`${lost} replies lost (> ${o.maxLost})`);
  if (monPeak > thresh3) reasons.push(`table reached ${monPeak} entries (> gc_thresh3 ${thresh3})`);
  if (sampledPeak > thresh3) reasons.push(`sampled entries ${sampledPeak} > gc_thresh3 ${thresh3}`);
  if (heapGrowthMB !== null && heapGrowthMB > o.maxHeapGrowthMB) reasons.push(`live heap grew ${heapGrowthMB} MiB after warm-up (> ${o.maxHeapGrowthMB})`);
  if (offHeapGrowthMiB !== null && offHeapGrowthMiB > o.maxOffHeapGrowthMiB) reasons.push(`RSS outside the JS heap grew ${offHeapGrowthMiB} MiB after warm-up (> ${o.maxOffHeapGrowthMiB})`);
  if (rssGrowthMiB !== null && rssGrowthMiB > o.maxRssGrowthMiB) reasons.push(`RSS grew ${rssGrowthMiB} MiB after warm-up (> ${o.maxRssGrowthMiB})`);
  if (actions.sysctlFailures.length) reasons.push(`${actions.sysctlFailures.length} sysctl writes failed`);
  const verdict = {
    type: 'verdict', pass: reasons.length === 0, reasons, seconds: o.seconds, stackPid: pid,
    ping: { transmitted, received, lost, where, summary: pingOut.out.trim().split('\n').slice(-2) },
    stackCounters: counters, heap,
    rss: {
      startMiB: rss0 ? mib(rss0.rss) : null, warmMiB: rssWarm === null ? null : mib(rssWarm), endMiB: rssEnd === null ? null : mib(rssEnd),
      hwmMiB: last?.hwmKiB ? mib(last.hwmKiB) : null, growthAfterWarmMiB: rssGrowthMiB, slopeMiBPerMin: rssSlope, warmupSeconds: warm,
      offHeapWarmMiB: opost.length ? mib(offHeap(opost[0])) : null, offHeapEndMiB: opost.length ? mib(offHeap(opost.at(-1))) : null,
      offHeapGrowthMiB, heapTotalWarmMiB: opost.length ? mib(opost[0].heapTotalKiB) : null, heapTotalEndMiB: opost.length ? mib(opost.at(-1).heapTotalKiB) : null,
      heapPhysicalWarmMiB: opost.length ? mib(opost[0].heapPhysicalKiB) : null, heapPhysicalEndMiB: opost.length ? mib(opost.at(-1).heapPhysicalKiB) : null,
    },
    table: {
      thresh3, peakEntries: monPeak, sampledPeak, monitorEvents: monEvents, forcedGcRuns: last?.forcedGcRuns ?? null,
      tableFulls: last?.tableFulls ?? null, periodicGcRuns: last?.periodicGcRuns ?? null, allocs: last?.allocs ?? null,
      destroys: last?.destroys ?? null,
    },
    scan, actions, stop, stackOutput: (stackOut.out + stackOut.err).trim().split('\n').slice(-3), monitorErrors: monErr.err.trim().slice(0, 300),
  };
  if (o.json) process.stdout.write(JSON.stringify(verdict) + '\n');
  else {
    process.stdout.write(
      `\nverdict: ${verdict.pass ? 'PASS' : 'FAIL'}${reasons.length ? ' — ' + reasons.join('; ') : ''}\n` +
        `  ping: ${transmitted} transmitted, ${received} received, ${lost} lost` +
        (where ? `: ${where.requestsNeverReachedStack} requests never reached the stack, ${where.requestsUnansweredByStack} reached it ` +
          `unanswered, ${where.repliesNotCountedByPing} replies sent but not counted by ping (in flight when its -w deadline ended it)` : '') + '\n' +
        `  rss: start ${verdict.rss.startMiB} MiB, after ${warm}s warm-up ${verdict.rss.warmMiB} MiB, end ${verdict.rss.endMiB} MiB ` +
        `(growth ${rssGrowthMiB} MiB, slope ${rssSlope} MiB/min, peak ${verdict.rss.hwmMiB} MiB)\n` +
        `    of which V8's heap (committed ${verdict.rss.heapTotalWarmMiB} -> ${verdict.rss.heapTotalEndMiB} MiB, resident ` +
        `${verdict.rss.heapPhysicalWarmMiB} -> ${verdict.rss.heapPhysicalEndMiB} MiB); anonymous memory outside it ` +
        `${verdict.rss.offHeapWarmMiB} -> ${verdict.rss.offHeapEndMiB} MiB (growth ${offHeapGrowthMiB} MiB)\n` +
        `  live heap (forced full GC at each sample): ${heap.warmMiB} MiB after warm-up -> ${heap.endMiB} MiB at the end ` +
        `(growth ${heap.growthMiB} MiB, slope ${heap.slopeMiBPerMin} MiB/min, range ${heap.minMiB}..${heap.maxMiB}; external ${heap.externalEndMiB} MiB)\n` +
        `  table: peak ${monPeak} entries (gc_thresh3 ${thresh3}; sampled peak ${sampledPeak}), forced_gc_runs ${verdict.table.forcedGcRuns}, ` +
        `table_fulls ${verdict.table.tableFulls}, periodic_gc_runs ${verdict.table.periodicGcRuns}, allocs ${verdict.table.allocs}, destroys ${verdict.table.destroys}\n` +
        `  churn: ${scan?.sent ?? 0} ARP senders (${scan?.first ?? '-'} .. ${scan?.last ?? '-'}), ${actions.flushes} flushes` +
        ` (${actions.flushIncomplete.length} not complete after iproute2's 10 rounds; ${actions.flushMs.join('/')} ms), ${actions.sysctls} sysctl rounds\n` +
        `  stack stop: ${JSON.stringify(stop)}\n`,
    );
  }
  return verdict.pass ? 0 : 1;
}

main().then(
  (code) => {
    cleanup();
    process.exit(code);
  },
  (e) => {
    process.stderr.write(`soak: ${e && e.stack ? e.stack : e}\n`);
    cleanup();
    process.exit(2);
  },
);
