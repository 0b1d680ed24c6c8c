#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time per function:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/micro.mjs --filter echo
//   node bench/lib/cpuprofile.mjs /tmp/prof/*.cpuprofile [--top 20] [--all]
// Self time is what the function itself ran (inlined callees count towards the caller, as V8
// attributes them); total time adds everything it called. Without --all, only frames from
// dist/ and bench/ are listed besides the GC and program buckets.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample counts per node; weight each sample by its time delta when present.
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas ? Math.max(0, timeDeltas[i]) : 1;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt);
  }
  const fnKey = (n) => {
    const cf = n.callFrame;
    const file = cf.url ? cf.url.replace(/^.*\/(dist|bench|node_modules)\//, '$1/').replace(/^file:\/\//, '') : '';
    return `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}` : ''}`;
  };
  const agg = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const k = fnKey(byId.get(id));
    const a = agg.get(k) ?? { self: 0, total: 0 };
    a.self += us;
    agg.set(k, a);
  }
  // Total time: every distinct function on the sample's stack gets the sample once.
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = fnKey(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      const a = agg.get(k) ?? { self: 0, total: 0 };
      a.total += us;
      agg.set(k, a);
    }
  }
  return { totalUs: total, rows: [...agg].map(([fn, a]) => ({ fn, selfUs: a.self, totalUs: a.total })).sort((x, y) => y.selfUs - x.selfUs) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '20' }, all: { type: 'boolean', default: false } } });
  if (positionals.length === 0) {
    console.error('usage: node bench/lib/cpuprofile.mjs FILE.cpuprofile [--top N] [--all]');
    process.exit(2);
  }
  for (const file of positionals) {
    const { totalUs, rows } = summarise(JSON.parse(readFileSync(file, 'utf8')));
    const keep = values.all ? rows : rows.filter((r) => /dist\/|bench\/|\((garbage collector|program|idle)\)/.test(r.fn));
    console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
    console.log('  self%  total%  function');
    for (const r of keep.slice(0, Number(values.top))) {
      console.log(`  ${((100 * r.selfUs) / totalUs).toFixed(1).padStart(5)}  ${((100 * r.totalUs) / totalUs).toFixed(1).padStart(6)}  ${r.fn}`);
    }
  }
}
