// A thin layer over benny: one benny suite per group of cases, each case a batch of `perOp`
// items (lookups, packets) per benchmark.js call so the harness's call overhead stays out of the
// figures; results are reported per item (ops/s and ns/op), checked against targets and verified.
// A benchmark.js sample is one timed cycle of many calls; every figure is printed as the median
// over the samples with the slowest and fastest sample beside it, and the target is judged on
// the median (benchmark.js's own hz, from the mean, is kept in the JSON as meanOpsPerSec).
import { add, complete, configure, cycle, suite } from 'benny';
import { fmtNs, fmtRate, table } from './args.mjs';

/** benchmark.js options: a normal run, and a smoke run that only proves each case still works. */
export function benchOptions(smoke) {
  return smoke
    ? { initCount: 1, minSamples: 1, minTime: 0.001, maxTime: 0.01, delay: 0 }
    : { minSamples: 10, minTime: 0.1, maxTime: 2, delay: 0.02 };
}

/**
 * @typedef {object} BenchCase
 * @property {string} name
 * @property {() => void} fn          one benchmark.js op: perOp items
 * @property {number} perOp           items (lookups, packets) per call of fn
 * @property {string} unit            what one item is ("lookup", "packet", ...)
 * @property {{minOpsPerSec?: number}} [target]
 * @property {() => (string|null)} [verify]  called after the case ran: null or what is wrong
 */

export class BenchRunner {
  constructor({ smoke = false, filter = null } = {}) {
    this.smoke = smoke;
    this.filter = filter ? filter.toLowerCase() : null;
    this.results = [];
    this.failures = [];
  }

  wants(suiteName, caseName) {
    return this.filter === null || `${suiteName} / ${caseName}`.toLowerCase().includes(this.filter);
  }

  /** Any case of this suite selected? Lets callers skip building expensive fixtures. */
  wantsSuite(suiteName, caseNames) {
    return caseNames.some((c) => this.wants(suiteName, c));
  }

  /** Runs the selected cases of one suite through benny and records per-item results. */
  async run(suiteName, cases) {
    const selected = cases.filter((c) => this.wants(suiteName, c.name));
    if (selected.length === 0) return [];
    const byName = new Map(selected.map((c) => [c.name, c]));
    const rows = [];
    await suite(
      suiteName,
      configure({ cases: benchOptions(this.smoke) }),
      ...selected.map((c) => add(c.name, c.fn)),
      cycle((result) => {
        const c = byName.get(result.name);
        const r = this.record(suiteName, c, result);
        rows.push(r);
        console.log(
          `  ${c.name.padEnd(44)} ${fmtRate(r.opsPerSec).padStart(8)} ${c.unit}/s [${fmtRate(r.minOpsPerSec)}–${fmtRate(r.maxOpsPerSec)}]` +
            `  ${fmtNs(r.nsPerOp).padStart(10)}/${c.unit}  ±${r.rme.toFixed(1)}%  (median of ${r.samples} samples × ${c.perOp} ${c.unit}s)` +
            `${r.status === 'MISSED' ? '  TARGET MISSED' : ''}`,
        );
        return undefined; // printed above; nothing for benny's log-update
      }),
      complete(() => undefined),
    );
    for (const c of selected) {
      if (!c.verify) continue;
      const problem = c.verify();
      if (problem) {
        this.failures.push(`${suiteName} / ${c.name}: ${problem}`);
        console.log(`  VERIFY FAILED ${c.name}: ${problem}`);
      }
    }
    console.log('');
    return rows;
  }

  record(suiteName, c, result) {
    // details.min/median/max are seconds per benchmark.js call (perOp items) over the samples.
    const d = result.details;
    const opsPerSec = c.perOp / d.median;
    const nsPerOp = 1e9 / opsPerSec;
    const min = c.target?.minOpsPerSec;
    const status = min === undefined ? '' : this.smoke ? 'smoke' : opsPerSec >= min ? 'ok' : 'MISSED';
    const r = {
      suite: suiteName,
      case: c.name,
      unit: c.unit,
      perOp: c.perOp,
      batchesPerSec: result.ops,
      opsPerSec,
      minOpsPerSec: c.perOp / d.max,
      maxOpsPerSec: c.perOp / d.min,
      meanOpsPerSec: result.ops * c.perOp,
      nsPerOp,
      rme: result.margin,
      samples: result.samples,
      target: min === undefined ? null : { minOpsPerSec: min, maxNsPerOp: 1e9 / min },
      status,
      ...(c.info ? { info: c.info } : {}),
    };
    this.results.push(r);
    return r;
  }

  summaryTable() {
    return table(
      ['suite / case', 'ops/s (median)', 'min–max', 'ns/op', 'unit', '±%', 'samples', 'target', 'status'],
      this.results.map((r) => [
        `${r.suite} / ${r.case}`,
        fmtRate(r.opsPerSec),
        `${fmtRate(r.minOpsPerSec)}–${fmtRate(r.maxOpsPerSec)}`,
        r.nsPerOp.toFixed(1),
        r.unit,
        r.rme.toFixed(1),
        String(r.samples),
        r.target ? `≥ ${fmtRate(r.target.minOpsPerSec)}/s` : '',
        r.status,
      ]),
      ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'l'],
    );
  }

  get missed() {
    return this.results.filter((r) => r.status === 'MISSED');
  }
}
