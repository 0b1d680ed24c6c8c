// A thin layer over benny: one benny suite per group of cases, each case a batch of `perOp`
// items (lookups, packets) per benchmark.js call so the harness's call overhead stays out of the
// figures; results are reported per item (ops/s and ns/op), checked against targets and verified.
// A benchmark.js sample is one timed cycle of many calls; every figure is printed as the median
// over the samples with the slowest and fastest sample beside it, and the target is judged on
// the median (benchmark.js's own hz, from the mean, is kept in the JSON as meanOpsPerSec).
// A suite may run in several rounds (its cases in alternating order, ABBA); a case's figure is
// then the median of its per-round medians, its spread the slowest and fastest sample of all
// rounds, and the ratio of two cases (IPv6 over its IPv4 twin) is taken round by round.
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

  /**
   * Runs the selected cases of one suite `rounds` times through benny, odd rounds in the given
   * order and even rounds reversed (ABBA), and records per-item results of every round. verify()
   * runs after the last round.
   */
  async runRounds(suiteName, cases, rounds = 1) {
    const rows = [];
    for (let r = 1; r <= rounds; r++) {
      if (rounds > 1) console.log(`  (round ${r}/${rounds})`);
      rows.push(...(await this.run(suiteName, r % 2 ? cases : [...cases].reverse(), { round: r, verify: r === rounds })));
    }
    return rows;
  }

  /** Runs the selected cases of one suite through benny and records per-item results. */
  async run(suiteName, cases, { round = 1, verify = true } = {}) {
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
        const r = this.record(suiteName, c, result, round);
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
      if (!verify || !c.verify) continue;
      const problem = c.verify();
      if (problem) {
        this.failures.push(`${suiteName} / ${c.name}: ${problem}`);
        console.log(`  VERIFY FAILED ${c.name}: ${problem}`);
      }
    }
    console.log('');
    return rows;
  }

  record(suiteName, c, result, round = 1) {
    // details.min/median/max are seconds per benchmark.js call (perOp items) over the samples.
    const d = result.details;
    const opsPerSec = c.perOp / d.median;
    const nsPerOp = 1e9 / opsPerSec;
    const min = c.target?.minOpsPerSec;
    const status = min === undefined ? '' : this.smoke ? 'smoke' : opsPerSec >= min ? 'ok' : 'MISSED';
    const r = {
      suite: suiteName,
      case: c.name,
      round,
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

  /**
   * One row per suite/case over all its rounds: opsPerSec is the median of the per-round medians,
   * min/max the slowest and fastest sample of any round; the target is judged on that median.
   */
  aggregated() {
    const groups = new Map();
    for (const r of this.results) {
      const k = `${r.suite}\u0000${r.case}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(r);
    }
    return [...groups.values()].map((rs) => {
      const first = rs[0];
      if (rs.length === 1) return { ...first, rounds: 1 };
      const opsPerSec = median(rs.map((r) => r.opsPerSec));
      const min = first.target?.minOpsPerSec;
      return {
        ...first,
        round: null,
        rounds: rs.length,
        opsPerSec,
        nsPerOp: 1e9 / opsPerSec,
        minOpsPerSec: Math.min(...rs.map((r) => r.minOpsPerSec)),
        maxOpsPerSec: Math.max(...rs.map((r) => r.maxOpsPerSec)),
        meanOpsPerSec: rs.reduce((a, r) => a + r.meanOpsPerSec, 0) / rs.length,
        rme: Math.max(...rs.map((r) => r.rme)),
        samples: rs.reduce((a, r) => a + r.samples, 0),
        status: min === undefined ? '' : this.smoke ? 'smoke' : opsPerSec >= min ? 'ok' : 'MISSED',
        perRound: rs.map((r) => r.opsPerSec),
      };
    });
  }

  /**
   * `num` over `den` (ops/s, higher is better), both cases of the same suite: the ratio of their
   * medians over rounds, and the lowest and highest ratio of one round (both ran back to back
   * in it, so a round's ratio is steadier than either figure). Target: ratio ≥ minRatio.
   */
  ratio(suiteName, numCase, denCase, minRatio) {
    const rs = (c) => this.results.filter((r) => r.suite === suiteName && r.case === c);
    const a = rs(numCase);
    const b = rs(denCase);
    if (!a.length || !b.length) return null;
    const agg = this.aggregated();
    const an = agg.find((r) => r.suite === suiteName && r.case === numCase);
    const bn = agg.find((r) => r.suite === suiteName && r.case === denCase);
    const perRound = a.map((x) => {
      const y = b.find((z) => z.round === x.round);
      return y ? x.opsPerSec / y.opsPerSec : NaN;
    }).filter(Number.isFinite);
    const ratio = an.opsPerSec / bn.opsPerSec;
    return {
      suite: suiteName,
      num: numCase,
      den: denCase,
      numOpsPerSec: an.opsPerSec,
      numMinOpsPerSec: an.minOpsPerSec,
      numMaxOpsPerSec: an.maxOpsPerSec,
      denOpsPerSec: bn.opsPerSec,
      denMinOpsPerSec: bn.minOpsPerSec,
      denMaxOpsPerSec: bn.maxOpsPerSec,
      ratio,
      ratioMin: Math.min(...perRound),
      ratioMax: Math.max(...perRound),
      rounds: perRound.length,
      perRound,
      target: minRatio,
      status: this.smoke ? 'smoke' : ratio >= minRatio ? 'ok' : 'MISSED',
    };
  }

  summaryTable() {
    return table(
      ['suite / case', 'ops/s (median)', 'min–max', 'ns/op', 'unit', '±%', 'samples', 'target', 'status'],
      this.aggregated().map((r) => [
        `${r.suite} / ${r.case}${r.rounds > 1 ? ` (${r.rounds} rounds)` : ''}`,
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
    return this.aggregated().filter((r) => r.status === 'MISSED');
  }
}

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
