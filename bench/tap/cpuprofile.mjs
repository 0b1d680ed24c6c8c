// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time per function.
//
//   node bench/tap/cpuprofile.mjs FILE.cpuprofile [TOP]
//
// Self time of a node = its hit count × the mean sample interval; nodes of the same function
// (same name, file, line) are merged. "(idle)" is time the thread waited in epoll; "(program)" is
// native work V8 cannot attribute (libuv, syscalls made outside JS frames); "(garbage collector)"
// is GC.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Returns { totalMs, idleMs, rows: [{ fn, where, selfMs, pct, pctBusy }] } sorted by self time. */
export function summariseProfile(file, top = 25) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const totalUs = prof.endTime - prof.startTime;
  const samples = prof.samples?.length ?? 0;
  const usPerSample = samples ? totalUs / samples : 0;
  const hits = new Map();
  for (const id of prof.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byFn = new Map();
  for (const n of prof.nodes) {
    const h = hits.get(n.id) ?? n.hitCount ?? 0;
    if (!h) continue;
    const cf = n.callFrame;
    let url = cf.url || '';
    if (url.startsWith('file://')) {
      try {
        url = relative(process.cwd(), fileURLToPath(url));
      } catch {
        /* keep as is */
      }
    }
    const where = url ? `${url}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName}|${where}`;
    const e = byFn.get(key) ?? { fn: cf.functionName || '(anonymous)', where, hits: 0 };
    e.hits += h;
    byFn.set(key, e);
  }
  const rows = [...byFn.values()].sort((a, b) => b.hits - a.hits);
  const idle = rows.find((r) => r.fn === '(idle)')?.hits ?? 0;
  const busy = samples - idle;
  return {
    totalMs: totalUs / 1000,
    idleMs: (idle * usPerSample) / 1000,
    rows: rows.slice(0, top).map((r) => ({
      fn: r.fn,
      where: r.where,
      selfMs: (r.hits * usPerSample) / 1000,
      pct: samples ? (100 * r.hits) / samples : 0,
      pctBusy: busy && r.fn !== '(idle)' ? (100 * r.hits) / busy : 0,
    })),
  };
}

export function formatSummary(s) {
  const lines = [`profile: ${s.totalMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`];
  lines.push(`  ${'self ms'.padStart(9)} ${'%all'.padStart(6)} ${'%busy'.padStart(6)}  function (location)`);
  for (const r of s.rows) {
    lines.push(
      `  ${r.selfMs.toFixed(1).padStart(9)} ${r.pct.toFixed(1).padStart(6)} ${r.pctBusy ? r.pctBusy.toFixed(1).padStart(6) : '     -'}  ${r.fn}${r.where ? `  (${r.where})` : ''}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/tap/cpuprofile.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(formatSummary(summariseProfile(file, top ? Number(top) : 25)));
}
