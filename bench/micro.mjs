#!/usr/bin/env node
// Micro benchmarks of tapstack's per-packet paths, with benny, against the compiled library in
// dist/ (run `npm run build:ts` first):
//   1. neighbour lookup hit (__neigh_lookup_noref) in tables of 100, 10k and 100k entries, and
//      nd_tbl (16-byte IPv6 keys) at 100k beside arp_tbl at 100k
//   2. the neigh_output fast path (CONNECTED + cached header → prepend 14 bytes → dev_queue_xmit),
//      ip_finish_output2 and ip6_finish_output2 (lookup + the same fast path)
//   3. ARP request in → reply out, and its IPv6 twin: multicast NS in → NA out
//   4. ICMP echo request in → echo reply out (built in place), and ICMPv6 echo
//   5. the pending queue: packets queued on an INCOMPLETE entry, flushed by neigh_update
//   6. TCP receive in order + ACK: prebuilt 1448-byte in-order segments into one ESTABLISHED
//      connection (tcp_v4_rcv → tcp_rcv_established → tcp_data_queue, the reader drains, an ACK
//      every second segment); bench/memory.mjs checks what it allocates beyond the payload
// Each benchmark.js op is a batch of items; figures are per item (lookup or packet). Every IPv6
// case runs in the same suite as its IPv4 twin, in --rounds rounds of alternating order (ABBA),
// and the summary gives their ratio round by round (target: IPv6 ≥ 0.8× IPv4).
import { writeFileSync } from 'node:fs';
import { COMMON_HELP, fmtRate, parseBenchArgs, table } from './lib/args.mjs';
import { printMachineFacts } from './lib/machine.mjs';
import { BenchRunner } from './lib/runner.mjs';
import { CASE_NAMES, arpCase, echoCase, fastPathCase, ipOutputCase, lookupCase, mapLookupCase, pendingCase } from './lib/paths.mjs';
import { CASE_NAMES6, echo6Case, ip6OutputCase, lookup6Case, nsCase } from './lib/paths6.mjs';
import { TCP_CASE_NAMES, tcpRecvCase } from './lib/tcp_paths.mjs';

const USAGE = `usage: node bench/micro.mjs [options]

Micro benchmarks of the neighbour lookup, the neigh_output fast path, ARP and ICMP echo
round trips and the pending queue, on in-memory devices with a manual clock, and of their IPv6
twins (nd_tbl lookup, ip6_finish_output2, NS → NA, ICMPv6 echo) in the same run; TCP's
receive path (in-order segments in, ACKs out) on one connection.

${COMMON_HELP}
  --rounds N       rounds of each IPv4/IPv6 pair, alternating order (default 3; 1 with --smoke)`;

/** IPv6 over IPv4, per pair: the target. */
const TWIN_MIN_RATIO = 0.8;

const opts = parseBenchArgs(USAGE, { rounds: { type: 'string' } });
const ROUNDS = opts.rounds === undefined ? (opts.smoke ? 1 : 3) : Number(opts.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`--rounds: expected a positive integer, got '${opts.rounds}'`);
  process.exit(2);
}
const facts = printMachineFacts(`tapstack micro benchmarks${opts.smoke ? ' (smoke run)' : ''}`);
const runner = new BenchRunner({ smoke: opts.smoke, filter: opts.filter ?? null });

// ---- 1. neighbour lookup ----------------------------------------------------------------------

// (each suite in its own function, so its fixtures are released before the next one runs)
/** [suite, IPv4 case, IPv6 case] of every pair measured, for the ratio table. */
const twins = [];

function describeLookup(c) {
  const d = c.displacement;
  console.log(
    `  (filled ${c.name} through neighAdd in ${c.fillMs.toFixed(0)} ms` +
      (d ? `; ${d.kind} ${d.slots} slots, probe displacement mean ${d.mean.toFixed(2)} max ${d.max})` : c.info?.hashBuckets ? `; ${c.info.hashBuckets} hash buckets)` : ')'),
  );
}

// (each suite in its own function, so its fixtures are released before the next one runs)
await (async () => {
  const S = 'neighbour lookup hit (lookupNoref)';
  const sizes = [100, 10_000].filter((size) => runner.wants(S, CASE_NAMES.lookup(size)));
  const cases = [];
  for (const size of sizes) {
    const c = lookupCase(size);
    describeLookup(c);
    cases.push(c);
  }
  // The comparison baseline, measured in the same run: a plain Map with the same keys.
  if (runner.wants(S, 'baseline')) cases.push(mapLookupCase(100_000));
  await runner.run(S, cases);
  // arp_tbl and nd_tbl at 100k, in alternating rounds.
  const pair = [];
  if (runner.wants(S, CASE_NAMES.lookup(100_000))) pair.push(lookupCase(100_000));
  if (runner.wants(S, CASE_NAMES6.lookup6(100_000))) pair.push(lookup6Case(100_000));
  for (const c of pair) describeLookup(c);
  await runner.runRounds(S, pair, ROUNDS);
  twins.push([S, CASE_NAMES.lookup(100_000), CASE_NAMES6.lookup6(100_000), 'lookup hit, 100k entries: arp_tbl / nd_tbl']);
})();

// ---- 2. neigh_output fast path (target ≥ 5M packets/s) ---------------------------------------------

await (async () => {
  const S = 'neigh_output fast path';
  if (runner.wants(S, CASE_NAMES.fastPath)) await runner.run(S, [{ ...fastPathCase(), target: { minOpsPerSec: 5e6 } }]);
  const pair = [];
  if (runner.wants(S, CASE_NAMES.ipOutput)) pair.push(ipOutputCase());
  if (runner.wants(S, CASE_NAMES6.ip6Output)) pair.push(ip6OutputCase());
  await runner.runRounds(S, pair, ROUNDS);
  twins.push([S, CASE_NAMES.ipOutput, CASE_NAMES6.ip6Output, 'ip_finish_output2 / ip6_finish_output2 (CONNECTED, hh)']);
})();

// ---- 3. ARP request in → reply out, NS in → NA out ------------------------------------------------------

await (async () => {
  const S = 'ARP request / NS in → reply / NA out';
  const pair = [];
  if (runner.wants(S, CASE_NAMES.arp)) pair.push(arpCase());
  if (runner.wants(S, CASE_NAMES6.ns)) pair.push(nsCase());
  await runner.runRounds(S, pair, ROUNDS);
  twins.push([S, CASE_NAMES.arp, CASE_NAMES6.ns, 'ARP request answered / multicast NS answered (NA S|O)']);
})();

// ---- 4. ICMP echo in → reply out (target ≥ 1M/s), ICMPv6 echo -------------------------------------------

await (async () => {
  const S = 'ICMP / ICMPv6 echo in → reply out';
  const pair = [];
  if (runner.wants(S, CASE_NAMES.echo)) pair.push({ ...echoCase(), target: { minOpsPerSec: 1e6 } });
  if (runner.wants(S, CASE_NAMES6.echo6)) pair.push(echo6Case());
  await runner.runRounds(S, pair, ROUNDS);
  twins.push([S, CASE_NAMES.echo, CASE_NAMES6.echo6, 'ICMP echo / ICMPv6 echo answered in place']);
})();

// ---- 5. pending queue ------------------------------------------------------------------------------------

await (async () => {
  const S = 'pending queue (arpQueue)';
  const sizes = [100, 10].filter((N) => runner.wants(S, CASE_NAMES.pending(N)));
  await runner.run(S, sizes.map(pendingCase));
})();

// ---- 6. TCP receive in order + ACK -------------------------------------------------------------------

await (async () => {
  const S = 'TCP receive (in-memory, one connection)';
  if (runner.wants(S, TCP_CASE_NAMES.recv)) await runner.run(S, [tcpRecvCase()]);
})();

// ---- summary ------------------------------------------------------------------------------------------

console.log(`# summary${opts.smoke ? ' (smoke run: figures are not meaningful)' : ''}`);
console.log(runner.summaryTable());
console.log('');
const ratios = twins.map(([S, v4, v6, label]) => {
  const r = runner.ratio(S, v6, v4, TWIN_MIN_RATIO);
  return r && { ...r, label };
}).filter(Boolean);
if (ratios.length) {
  console.log(`# IPv6 against its IPv4 twin, same run (${ROUNDS} round${ROUNDS > 1 ? 's' : ''} each, ABBA; ops/s median [slowest–fastest sample])`);
  const spread = (m, lo, hi) => `${fmtRate(m)} [${fmtRate(lo)}–${fmtRate(hi)}]`;
  console.log(
    table(
      ['pair (IPv4 / IPv6)', 'IPv4', 'IPv6', 'IPv6/IPv4 [per-round min–max]', 'target', 'status'],
      ratios.map((r) => [
        r.label,
        spread(r.denOpsPerSec, r.denMinOpsPerSec, r.denMaxOpsPerSec),
        spread(r.numOpsPerSec, r.numMinOpsPerSec, r.numMaxOpsPerSec),
        `${r.ratio.toFixed(2)} [${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}]`,
        `≥ ${r.target}`,
        r.status,
      ]),
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  console.log('');
}
for (const r of runner.missed) {
  console.log(`target missed: ${r.suite} / ${r.case}: ${r.nsPerOp.toFixed(1)} ns/${r.unit}, target ≤ ${r.target.maxNsPerOp.toFixed(0)} ns`);
}
const ratioMissed = ratios.filter((r) => r.status === 'MISSED');
for (const r of ratioMissed) console.log(`target missed: ${r.label}: IPv6/IPv4 ${r.ratio.toFixed(2)}, target ≥ ${r.target}`);
if (runner.failures.length) console.log(`verification failures:\n  ${runner.failures.join('\n  ')}`);
else console.log(`all ${runner.aggregated().length} cases verified`);

if (opts.json) {
  writeFileSync(
    opts.json,
    JSON.stringify(
      { benchmark: 'micro', smoke: opts.smoke, rounds: ROUNDS, machine: facts, results: runner.results, aggregated: runner.aggregated(), ratios, failures: runner.failures },
      null,
      2,
    ) + '\n',
  );
  console.log(`results written to ${opts.json}`);
}
if (runner.failures.length || (opts.strict && !opts.smoke && (runner.missed.length || ratioMissed.length))) process.exitCode = 1;
