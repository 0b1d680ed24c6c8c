// Command-line flags shared by the benchmark scripts.
import { parseArgs } from 'node:util';

export const COMMON_HELP = `  --smoke          run every case for a tiny time/count (CI: checks they still run and verify)
  --json FILE      also write the results as JSON to FILE
  --filter TEXT    only cases whose "suite / case" name contains TEXT (case-insensitive)
  --strict         exit 1 when a target is missed (never in --smoke mode)
  --help           this text`;

export function parseBenchArgs(usage, extra = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        smoke: { type: 'boolean', default: false },
        json: { type: 'string' },
        filter: { type: 'string' },
        strict: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...extra,
      },
      allowPositionals: false,
    });
  } catch (e) {
    console.error(`${e.message}\n\n${usage}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values;
}

/** Number formatting for the tables: 12.3M, 456k, 789. */
export function fmtRate(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(1);
}

export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

export function fmtBytes(b) {
  const s = b < 0 ? '-' : '';
  const a = Math.abs(b);
  if (a >= 1048576) return `${s}${(a / 1048576).toFixed(2)} MiB`;
  if (a >= 1024) return `${s}${(a / 1024).toFixed(1)} KiB`;
  return `${s}${a.toFixed(0)} B`;
}

/** A plain-text table; `align` holds 'l' or 'r' per column. */
export function table(headers, rows, align = headers.map((_, i) => (i === 0 ? 'l' : 'r'))) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
