#!/usr/bin/env node
// Micro benchmarks of tapstack's per-packet paths, with benny, against the compiled library in
// dist/ (run `npm run build:ts` first):
//   1. neighbour lookup hit (__neigh_lookup_noref) in tables of 100, 10k and 100k entries
//   2. the neigh_output fast path (CONNECTED + cached header → prepend 14 bytes → dev_queue_xmit)
//   3. ARP request in → reply out
//   4. ICMP echo request in → echo reply out (built in place)
//   5. the pending queue: packets queued on an INCOMPLETE entry, flushed by neigh_update
// Each benchmark.js op is a batch of items; figures are per item (lookup or packet).
import { writeFileSync } from 'node:fs';
import { COMMON_HELP, parseBenchArgs } from './lib/args.mjs';
import { printMachineFacts } from './lib/machine.mjs';
import { BenchRunner } from './lib/runner.mjs';
import { CASE_NAMES, arpCase, echoCase, fastPathCase, ipOutputCase, lookupCase, mapLookupCase, pendingCase } from './lib/paths.mjs';

const USAGE = `usage: node bench/micro.mjs [options]

Micro benchmarks of the neighbour lookup, the neigh_output fast path, ARP and ICMP echo
round trips and the pending queue, on in-memory devices with a manual clock.

${COMMON_HELP}`;

const opts = parseBenchArgs(USAGE);
const facts = printMachineFacts(`tapstack micro benchmarks${opts.smoke ? ' (smoke run)' : ''}`);
const runner = new BenchRunner({ smoke: opts.smoke, filter: opts.filter ?? null });

// ---- 1. neighbour lookup ----------------------------------------------------------------------

// (each suite in its own function, so its fixtures are released before the next one runs)
await (async () => {
  const S = 'neighbour lookup hit (lookupNoref)';
  const sizes = [100, 10_000, 100_000].filter((size) => runner.wants(S, CASE_NAMES.lookup(size)));
  const cases = [];
  for (const size of sizes) {
    const c = lookupCase(size);
    const d = c.displacement;
    console.log(
      `  (filled ${c.name} through neighAdd in ${c.fillMs.toFixed(0)} ms` +
        (d ? `; int index ${d.slots} slots, probe displacement mean ${d.mean.toFixed(2)} max ${d.max})` : ')'),
    );
    cases.push(c);
  }
  // The comparison baseline, measured in the same run: a plain Map with the same keys.
  if (runner.wants(S, 'baseline')) cases.push(mapLookupCase(100_000));
  await runner.run(S, cases);
})();

// ---- 2. neigh_output fast path (target ≥ 5M packets/s) ---------------------------------------------

await (async () => {
  const S = 'neigh_output fast path';
  const cases = [];
  if (runner.wants(S, CASE_NAMES.fastPath)) cases.push({ ...fastPathCase(), target: { minOpsPerSec: 5e6 } });
  if (runner.wants(S, CASE_NAMES.ipOutput)) cases.push(ipOutputCase());
  await runner.run(S, cases);
})();

// ---- 3. ARP request in → reply out --------------------------------------------------------------------

await (async () => {
  const S = 'ARP request in → reply out';
  if (runner.wants(S, CASE_NAMES.arp)) await runner.run(S, [arpCase()]);
})();

// ---- 4. ICMP echo in → reply out (target ≥ 1M/s) -------------------------------------------------------

await (async () => {
  const S = 'ICMP echo in → reply out';
  if (runner.wants(S, CASE_NAMES.echo)) await runner.run(S, [{ ...echoCase(), target: { minOpsPerSec: 1e6 } }]);
})();

// ---- 5. pending queue ------------------------------------------------------------------------------------

await (async () => {
  const S = 'pending queue (arpQueue)';
  const sizes = [100, 10].filter((N) => runner.wants(S, CASE_NAMES.pending(N)));
  await runner.run(S, sizes.map(pendingCase));
})();

// ---- summary ------------------------------------------------------------------------------------------

console.log(`# summary${opts.smoke ? ' (smoke run: figures are not meaningful)' : ''}`);
console.log(runner.summaryTable());
console.log('');
for (const r of runner.missed) {
  console.log(`target missed: ${r.suite} / ${r.case}: ${r.nsPerOp.toFixed(1)} ns/${r.unit}, target ≤ ${r.target.maxNsPerOp.toFixed(0)} ns`);
}
if (runner.failures.length) console.log(`verification failures:\n  ${runner.failures.join('\n  ')}`);
else console.log(`all ${runner.results.length} cases verified`);

if (opts.json) {
  writeFileSync(
    opts.json,
    JSON.stringify({ benchmark: 'micro', smoke: opts.smoke, machine: facts, results: runner.results, failures: runner.failures }, null, 2) + '\n',
  );
  console.log(`results written to ${opts.json}`);
}
if (runner.failures.length || (opts.strict && !opts.smoke && runner.missed.length)) process.exitCode = 1;
