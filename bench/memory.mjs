#!/usr/bin/env node
// Memory benchmarks of tapstack, against the compiled library in dist/ (`npm run build:ts` first):
//   1. heap and RSS of an idle Stack with one device
//   2. bytes per neighbour entry at 100k entries (heapUsed, external, arrayBuffers), in arp_tbl
//      (target ≤ 400 B) and in nd_tbl with its 16-byte Buffer keys (target ≤ 450 B), measured alike
//   3. what one entry of each table is made of (heap snapshot diff by object kind)
//   4. does the fast path allocate? heap growth and GC counts over 10M fast-path packets, and the
//      same check for the other per-packet paths of bench/micro.mjs, IPv6 twins included
//      (ip6_finish_output2 must allocate nothing either)
// Needs `node --expose-gc`; re-executes itself with the flag when it is missing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

// Everything else is imported only now, so the parent above loads nothing it does not need.
const { writeFileSync } = await import('node:fs');
const { PerformanceObserver, constants: perfConstants } = await import('node:perf_hooks');
const v8 = await import('node:v8');
const { COMMON_HELP, fmtBytes, fmtNs, fmtRate, parseBenchArgs, table } = await import('./lib/args.mjs');
const { printMachineFacts } = await import('./lib/machine.mjs');

const USAGE = `usage: node [--expose-gc] bench/memory.mjs [options]

Heap per neighbour entry at 100k entries, an idle Stack's footprint, what an entry is made of,
and whether the per-packet paths allocate (heap growth and GC counts over millions of packets).

${COMMON_HELP}
  --entries N      table size for the per-entry figure (default 100000)
Sections (for --filter): idle stack, entries, composition, allocation.`;

const opts = parseBenchArgs(USAGE, { entries: { type: 'string' } });
const ENTRIES = opts.entries ? Number(opts.entries) : 100_000;
if (!Number.isInteger(ENTRIES) || ENTRIES < 1) {
  console.error(`--entries: expected a positive integer, got '${opts.entries}'`);
  process.exit(2);
}
const facts = printMachineFacts(`tapstack memory benchmarks${opts.smoke ? ' (smoke run)' : ''}`);

const { Stack, createPair } = await import('../dist/index.js');
const { benchStack, fillTable } = await import('./lib/fixtures.mjs');
const { benchStack6, fillTable6 } = await import('./lib/fixtures6.mjs');
const paths = await import('./lib/paths.mjs');
const paths6 = await import('./lib/paths6.mjs');
const tcpPaths = await import('./lib/tcp_paths.mjs');
const { heapAggregate, heapDiff, stashAggregate, unstashAggregate } = await import('./lib/heapsnap.mjs');

const TARGET_BYTES_PER_ENTRY = 400;
const TARGET_BYTES_PER_ENTRY6 = 450;
/** Paths that must allocate nothing per packet (0 B, 0 GCs): the fast path and its IPv6 twin. */
const ALLOC_FREE = new Set(['neigh_output fast path', 'ip6_finish_output2']);
/** The TCP receive path and the two references it is judged against (heap B/segment). */
const TCP_RECV = 'TCP receive in order + ACK';
const TCP_REF_COPY = '  ref: payload copy alone';
const TCP_REF_ACK = '  ref: ACK allocSkb alone';

/**
 * The two tables measured the same way: a fresh stack, then `count` PERMANENT entries through
 * neighAdd. nd_tbl's keys are 16-byte Buffers of their own (views onto Node's pool, as
 * Buffer.from makes them on every path that creates an entry), so they count in the figure.
 */
const FAMILIES = [
  {
    id: 'arp_tbl',
    label: 'arp_tbl (IPv4)',
    target: TARGET_BYTES_PER_ENTRY,
    make: (seed) => {
      const fx = benchStack({ seed });
      return { tbl: fx.tbl, fill: (n, o) => fillTable(fx.tbl, fx.dev, n, o) };
    },
  },
  {
    id: 'nd_tbl',
    label: 'nd_tbl (IPv6, 16-byte Buffer keys)',
    target: TARGET_BYTES_PER_ENTRY6,
    make: (seed) => {
      const fx = benchStack6({ seed });
      return { tbl: fx.nd, fill: (n, o) => fillTable6(fx.nd, fx.dev, n, o) };
    },
  },
];
const POINTER_BYTES = process.config?.variables?.v8_enable_pointer_compression ? 4 : 8;
const report = { benchmark: 'memory', smoke: opts.smoke, machine: facts, pointerBytes: POINTER_BYTES };
const problems = [];
const wants = (name) => !opts.filter || name.toLowerCase().includes(opts.filter.toLowerCase());

const sectionStart = new Map();
function section(name) {
  const t = performance.now();
  for (const [k, t0] of sectionStart) console.log(`(${k}: ${((t - t0) / 1000).toFixed(1)} s)\n`);
  sectionStart.clear();
  if (name) sectionStart.set(name, t);
}

// Bytecode of functions not run for a few GCs is flushed; with the many forced GCs here that
// would make "before/after" heap deltas of a small object graph negative. Keep bytecode.
v8.setFlagsFromString('--no-flush-bytecode');

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Full GCs until the heap stops shrinking, with turns of the event loop for finalizers. */
async function settle() {
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    globalThis.gc();
    await tick();
    const h = process.memoryUsage().heapUsed;
    if (i >= 2 && h >= last - 1024) break;
    last = h;
  }
}

function mem() {
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Element-wise median of several post-GC readings (single readings wobble by tens of KiB). */
async function stableMem(n = 5) {
  const rs = [];
  for (let i = 0; i < n; i++) {
    globalThis.gc();
    await tick();
    globalThis.gc();
    rs.push(mem());
  }
  const med = (k) => rs.map((r) => r[k]).sort((x, y) => x - y)[n >> 1];
  return { rss: med('rss'), heapTotal: med('heapTotal'), heapUsed: med('heapUsed'), external: med('external'), arrayBuffers: med('arrayBuffers') };
}

function memDelta(a, b) {
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));
}

// GC events, timestamped on the performance.now() timeline so they can be matched to windows.
const gcEvents = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEvents.push({ start: e.startTime, end: e.startTime + e.duration, kind: e.detail?.kind ?? e.kind });
});
gcObserver.observe({ entryTypes: ['gc'] });
const GC_KIND = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** GC events that started inside [t0, t1], by kind (after letting the observer catch up). */
async function gcsBetween(t0, t1) {
  await sleep(20);
  await tick();
  const by = { minor: 0, major: 0, incremental: 0, weakcb: 0, total: 0 };
  for (const e of gcEvents) {
    if (e.start < t0 || e.start > t1) continue;
    by[GC_KIND[e.kind] ?? 'other'] = (by[GC_KIND[e.kind] ?? 'other'] ?? 0) + 1;
    by.total++;
  }
  return by;
}

// ---- 1. idle Stack --------------------------------------------------------------------------------

function idleStack() {
  const stack = new Stack(); // RealClock, as an application would run it
  const [a] = createPair('veth0', 'veth1');
  stack.addDevice(a);
  stack.addAddress(a, '10.0.0.2/24');
  return stack;
}

// Each section is a function so its fixtures die with it (a suspended top-level await would keep them).
async function idleStackSection() {
  console.log('## idle Stack with one device (RealClock, one PairDevice up, one address)');
  await settle();
  await stableMem(); // warm the measuring code itself up
  const m0 = await stableMem();
  const first = idleStack();
  const m1 = await stableMem();
  // The marginal cost, averaged over several more stacks (a single one is below the noise).
  const MORE = 20;
  const more = [];
  for (let i = 0; i < MORE; i++) more.push(idleStack());
  const m2 = await stableMem();
  const d1 = memDelta(m0, m1);
  const d2 = Object.fromEntries(Object.entries(memDelta(m1, m2)).map(([k, v]) => [k, v / MORE]));
  console.log(
    table(
      ['', 'heapUsed', 'external', 'arrayBuffers', 'rss'],
      [
        ['node + tapstack loaded, no stack', fmtBytes(m0.heapUsed), fmtBytes(m0.external), fmtBytes(m0.arrayBuffers), fmtBytes(m0.rss)],
        ['first stack (incl. lazy compilation)', fmtBytes(d1.heapUsed), fmtBytes(d1.external), fmtBytes(d1.arrayBuffers), fmtBytes(d1.rss)],
        [`each further stack (mean of ${MORE})`, fmtBytes(d2.heapUsed), fmtBytes(d2.external), fmtBytes(d2.arrayBuffers), fmtBytes(d2.rss)],
        ['process with one stack', fmtBytes(m1.heapUsed), fmtBytes(m1.external), fmtBytes(m1.arrayBuffers), fmtBytes(m1.rss)],
      ],
    ),
  );
  console.log('');
  report.idleStack = { baseline: m0, firstStack: d1, furtherStack: d2, withOneStack: m1 };
  await first.close();
  for (const s of more) await s.close();
}

// ---- 2. bytes per neighbour entry ---------------------------------------------------------------------

async function entriesSection() {
  report.entries = {};
  for (const fam of FAMILIES) await entriesOf(fam);
}

async function entriesOf(fam) {
  console.log(`## neighbour entries, ${fam.label}: ${ENTRIES} PERMANENT entries on one device (neighAdd, gc_thresh3 raised)`);
  let fx = fam.make(7);
  await settle();
  const e0 = await stableMem();
  const t0 = performance.now();
  fx.fill(ENTRIES);
  const fillMs = performance.now() - t0;
  const e1 = await stableMem();
  const d = memDelta(e0, e1);
  const per = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / ENTRIES]));
  if (fx.tbl.entries !== ENTRIES) problems.push(`${fam.id}: table holds ${fx.tbl.entries} entries, expected ${ENTRIES}`);
  // The lookup structures, amortised: kernel-style chained hash buckets and the side index.
  const tbl = fx.tbl;
  const buckets = tbl.buckets?.length ?? 0;
  // arp_tbl: the integer index's entry array has a pointer per slot; nd_tbl: the 16-byte key
  // index keeps its entries packed (a pointer each) beside the slots of its key array.
  const idx = tbl.intIndex ?? null;
  const k16 = tbl.keyIndex16 ?? null;
  const idxSlots = idx ? idx.vals.length : k16 ? k16.slots : 0;
  const indexHeap = (buckets + (idx ? idx.vals.length : k16 ? k16.size : 0)) * POINTER_BYTES;
  const indexExternal = idx ? idx.kv.byteLength : k16 ? k16.kv.byteLength : 0;
  const status = opts.smoke ? 'smoke' : per.heapUsed <= fam.target ? 'ok' : 'MISSED';
  console.log(
    table(
      ['per entry', 'bytes', 'total'],
      [
        ['heapUsed', per.heapUsed.toFixed(1), fmtBytes(d.heapUsed)],
        ['external', per.external.toFixed(1), fmtBytes(d.external)],
        ['  of which arrayBuffers', per.arrayBuffers.toFixed(1), fmtBytes(d.arrayBuffers)],
        ['heapUsed + external', (per.heapUsed + per.external).toFixed(1), fmtBytes(d.heapUsed + d.external)],
        ['rss', per.rss.toFixed(1), fmtBytes(d.rss)],
        [`  hash buckets (${buckets}) + index entries (${idxSlots} slots), heap`, (indexHeap / ENTRIES).toFixed(1), fmtBytes(indexHeap)],
        ['  index key array, arrayBuffers', (indexExternal / ENTRIES).toFixed(1), fmtBytes(indexExternal)],
      ],
    ),
  );
  console.log(`filled in ${fillMs.toFixed(0)} ms; target ≤ ${fam.target} heap bytes/entry: ${per.heapUsed.toFixed(0)} → ${status}`);
  console.log('');
  report.entries[fam.id] = { count: ENTRIES, fillMs, delta: d, perEntry: per, indexHeap, indexExternal, buckets, indexSlots: idxSlots, target: fam.target, status };
  fx = null;
  await settle();
}

// ---- 3. what an entry is made of ------------------------------------------------------------------------

async function compositionSection() {
  report.composition = {};
  for (const fam of FAMILIES) await compositionOf(fam);
}

async function compositionOf(fam) {
  const K = opts.smoke ? 2000 : 10_000;
  console.log(`## composition of one ${fam.label} entry (heap snapshots at ${K} and ${2 * K} entries, diff ÷ ${K}; self sizes, ${POINTER_BYTES}-byte pointers)`);
  const fx = fam.make(9);
  // Two points on the same table, so one-time costs (lazy compilation, the first snapshot's own
  // garbage) cancel out and only what grows with the entry count remains.
  fx.fill(K);
  await settle();
  const stashed = stashAggregate(heapAggregate());
  fx.fill(2 * K, { from: K });
  await settle();
  const after = heapAggregate();
  const before = unstashAggregate(stashed);
  if (fx.tbl.entries !== 2 * K) problems.push(`composition ${fam.id}: table holds ${fx.tbl.entries} entries, expected ${2 * K}`);
  // "native" nodes are memory outside the V8 heap (ArrayBuffer backing stores, including the
  // stashed aggregate's): listed, but not part of the heap total.
  const rows = heapDiff(before, after, K, 0.5);
  const total = rows.filter((r) => !r.kind.startsWith('native:')).reduce((s, r) => s + r.bytesPer, 0);
  console.log(
    table(
      ['object kind', 'objects/entry', 'bytes/entry'],
      [
        ...rows.map((r) => [r.kind.startsWith('native:') ? `${r.kind} (off-heap, not in total)` : r.kind, r.countPer.toFixed(2), r.bytesPer.toFixed(1)]),
        ['heap total (kinds ≥ 0.5 B/entry)', '', total.toFixed(1)],
      ],
    ),
  );
  console.log('');
  report.composition[fam.id] = { entries: K, rows, totalBytesPerEntry: total };
}

// ---- 4. do the per-packet paths allocate? ------------------------------------------------------------

/**
 * Warm the path up, then (a) a GC-free window: heapUsed before/after W items, shrinking W until no
 * GC started inside it, gives bytes allocated per item; (b) a long run of `total` items: GC counts
 * by kind, wall time, and the retained heap growth after a full GC.
 */
async function allocCheck(c, total) {
  const batches = Math.max(1, Math.round(total / c.perOp));
  for (let i = 0, w = Math.min(2000, Math.max(10, batches >> 4)); i < w; i++) c.fn();
  let windowItems = Math.min(total, 200_000);
  let bytesPerItem = null;
  let windowGcs = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    const wb = Math.max(1, Math.round(windowItems / c.perOp));
    await settle();
    const h0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < wb; i++) c.fn();
    const t1 = performance.now();
    const h1 = process.memoryUsage().heapUsed;
    windowGcs = await gcsBetween(t0, t1);
    windowItems = wb * c.perOp;
    if (windowGcs.total === 0) {
      bytesPerItem = (h1 - h0) / windowItems;
      break;
    }
    windowItems = Math.max(c.perOp, Math.floor(windowItems / 10));
  }
  await settle();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) c.fn();
  const t1 = performance.now();
  const hRaw = process.memoryUsage().heapUsed;
  const gcs = await gcsBetween(t0, t1);
  await settle();
  const h2 = process.memoryUsage().heapUsed;
  const items = batches * c.perOp;
  const problem = c.verify();
  if (problem) problems.push(`${c.name}: ${problem}`);
  return {
    case: c.name,
    unit: c.unit,
    items,
    seconds: (t1 - t0) / 1000,
    opsPerSec: items / ((t1 - t0) / 1000),
    nsPerOp: ((t1 - t0) * 1e6) / items,
    window: { items: windowItems, bytesPerItem, gcs: windowGcs },
    gcs,
    heapGrowthBeforeGc: hRaw - h0,
    heapRetained: h2 - h0,
    verified: problem === null,
  };
}

async function allocationSection() {
  const scale = opts.smoke ? 0.01 : 1;
  const plan = [
    ['neigh_output fast path', () => paths.fastPathCase(), 10_000_000],
    ['ip_finish_output2', () => paths.ipOutputCase(), 10_000_000],
    ['lookupNoref, 100k table', () => paths.lookupCase(opts.smoke ? 10_000 : 100_000), 10_000_000],
    ['ICMP echo in → reply out', () => paths.echoCase(), 2_000_000],
    ['ARP request in → reply out', () => paths.arpCase(), 1_000_000],
    ['pending queue, 100 packets/round', () => paths.pendingCase(100), 1_000_000],
    ['ip6_finish_output2', () => paths6.ip6OutputCase(), 10_000_000],
    ['lookupNoref, 100k nd_tbl', () => paths6.lookup6Case(opts.smoke ? 10_000 : 100_000), opts.smoke ? 1_000_000 : 2_000_000],
    ['ICMPv6 echo in → reply out', () => paths6.echo6Case(), 2_000_000],
    ['NS in → NA out', () => paths6.nsCase(), 1_000_000],
    [TCP_RECV, () => tcpPaths.tcpRecvCase(), 2_000_000],
    [TCP_REF_COPY, () => tcpPaths.payloadCopyCase(), 2_000_000],
    [TCP_REF_ACK, () => tcpPaths.ackSkbCase(), 2_000_000],
  ];

  console.log('## allocation on the per-packet paths (heapUsed over a GC-free window; GC counts over the long run)');
  const rows = [];
  for (const [label, make, total] of plan) {
    const r = await allocCheck(await make(), Math.round(total * scale));
    r.label = label;
    rows.push(r);
    await settle();
  }
  console.log(
    table(
      ['path', 'items', 'ns/op', 'B/op (window)', 'GCs: minor', 'major', 'heap growth', 'retained'],
      rows.map((r) => [
        r.label,
        fmtRate(r.items),
        r.nsPerOp.toFixed(1),
        r.window.bytesPerItem === null ? 'n/a' : `${r.window.bytesPerItem.toFixed(2)} (${fmtRate(r.window.items)})`,
        String(r.gcs.minor),
        String(r.gcs.major + r.gcs.incremental),
        fmtBytes(r.heapGrowthBeforeGc),
        fmtBytes(r.heapRetained),
      ]),
    ),
  );
  const free = (r) => r.gcs.total === 0 && r.window.bytesPerItem !== null && r.window.bytesPerItem < 0.1;
  for (const r of rows) if (ALLOC_FREE.has(r.label)) r.allocationFree = free(r);
  for (const r of rows.filter((x) => ALLOC_FREE.has(x.label))) {
    console.log(
      `${r.label} (${fmtRate(r.items)} packets): ${r.gcs.total} GCs, ` +
        `${r.window.bytesPerItem === null ? 'n/a' : r.window.bytesPerItem.toFixed(3)} B/packet → ${r.allocationFree ? 'allocation-free' : 'ALLOCATES'}` +
        ` (${fmtNs(r.nsPerOp)}/packet outside benny)`,
    );
  }
  // TCP's receive path may allocate the payload's own copy and nothing else per segment.
  const tr = rows.find((r) => r.label === TCP_RECV);
  const tc = rows.find((r) => r.label === TCP_REF_COPY);
  const ta = rows.find((r) => r.label === TCP_REF_ACK);
  if (tr && tc && tr.window.bytesPerItem !== null && tc.window.bytesPerItem !== null) {
    tr.beyondPayload = tr.window.bytesPerItem - tc.window.bytesPerItem;
    console.log(
      `${TCP_RECV}: ${tr.window.bytesPerItem.toFixed(1)} B/segment on the heap, the payload copy alone ${tc.window.bytesPerItem.toFixed(1)} B → ` +
        `${tr.beyondPayload.toFixed(1)} B/segment beyond the payload` +
        (ta && ta.window.bytesPerItem !== null ? ` (the ACK's allocSkb alone, one per 2 segments: ${ta.window.bytesPerItem.toFixed(1)} B/segment)` : '') +
        ` → ${tr.beyondPayload < 8 ? 'nothing beyond the payload' : 'ALLOCATES beyond the payload'} (${fmtNs(tr.nsPerOp)}/segment outside benny)`,
    );
  }
  console.log('');
  const fast = rows.find((r) => r.label === 'neigh_output fast path');
  const fast6 = rows.find((r) => r.label === 'ip6_finish_output2');
  report.allocation = { rows, fastPathAllocationFree: fast ? fast.allocationFree : null, ip6FastPathAllocationFree: fast6 ? fast6.allocationFree : null };
}

// Sections run one after the other, each followed by a full GC so the next starts clean.
for (const [name, fn] of [
  ['idle stack', idleStackSection],
  ['entries', entriesSection],
  ['composition', compositionSection],
  ['allocation', allocationSection],
]) {
  if (!wants(name)) continue;
  section(name);
  await fn();
  await settle();
}
section(null);

// ---- summary -----------------------------------------------------------------------------------------

console.log(`# summary${opts.smoke ? ' (smoke run: figures are not meaningful)' : ''}`);
const summary = [];
if (report.entries) {
  for (const fam of FAMILIES) {
    const e = report.entries[fam.id];
    if (!e) continue;
    summary.push([`heap per neighbour entry, ${fam.label} (${fmtRate(e.count)} entries)`, `${e.perEntry.heapUsed.toFixed(0)} B`, `≤ ${e.target} B`, e.status]);
    summary.push(['  + external (ArrayBuffer backing stores)', `${e.perEntry.external.toFixed(0)} B`, '', '']);
  }
}
if (report.idleStack) {
  summary.push(['idle stack, one device: heapUsed / rss (first)', `${fmtBytes(report.idleStack.firstStack.heapUsed)} / ${fmtBytes(report.idleStack.firstStack.rss)}`, '', '']);
  summary.push(['idle stack, one device: heapUsed (each further)', fmtBytes(report.idleStack.furtherStack.heapUsed), '', '']);
}
if (report.allocation) {
  for (const r of report.allocation.rows) {
    const t = ALLOC_FREE.has(r.label);
    summary.push([`allocation: ${r.label}`, r.window.bytesPerItem === null ? 'n/a' : `${r.window.bytesPerItem.toFixed(2)} B/${r.unit}`, t ? '0 B, 0 GCs' : '', t ? (r.allocationFree ? 'ok' : 'MISSED') : '']);
    if (r.beyondPayload !== undefined) summary.push([`  ${r.label}: beyond the payload copy`, `${r.beyondPayload.toFixed(2)} B/segment`, '0 B', opts.smoke ? 'smoke' : r.beyondPayload < 8 ? 'ok' : 'MISSED']);
  }
}
console.log(table(['figure', 'value', 'target', 'status'], summary, ['l', 'r', 'r', 'l']));
if (problems.length) console.log(`verification failures:\n  ${problems.join('\n  ')}`);
report.problems = problems;

if (opts.json) {
  writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`results written to ${opts.json}`);
}
gcObserver.disconnect();
const missed = Object.values(report.entries ?? {}).some((e) => e.status === 'MISSED') ||
  (report.allocation && (report.allocation.fastPathAllocationFree === false || report.allocation.ip6FastPathAllocationFree === false));
if (problems.length || (opts.strict && !opts.smoke && missed)) process.exitCode = 1;
