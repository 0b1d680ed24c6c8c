#!/usr/bin/env node
// The long form of the receive-path fuzz (test/unit/fuzz_rx.test.ts runs the CI size): feeds
// generated and mutated frames (scripts/lib/fuzz_gen.mjs, IPv6 in fuzz_gen6.mjs) to a Stack built from the compiled
// dist/, with a peer stack, a manual clock, rotating sysctl profiles and device events, and
// accounts for every frame.
//
//   node [--expose-gc] scripts/fuzz.mjs [--frames N] [--seed N] [--batch N] [--json FILE] [--examples N] [--quiet] [--strict]
//
// Exit status: 0 when no exception escaped, every invariant check passed, the accounting balanced,
// clean pings still work afterwards, so does TCP (each family's connection reads and sends, the
// listener accepts a new one), and no frame class was consumed silently, counted twice or
// answered badly beyond the known defects (KNOWN_ANOMALIES, KNOWN_TX_DEFECTS; --strict counts
// those too); 1 otherwise (the report says which); 2 for bad arguments. --expose-gc makes the
// heap figures comparable (each taken after a full GC).
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FuzzRig } from './lib/fuzz_gen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\nusage: node scripts/fuzz.mjs [--frames N] [--seed N] [--batch N] [--json FILE] [--examples N] [--quiet] [--strict]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { frames: 1_000_000, seed: 1, batch: 200, json: null, examples: 3, quiet: false, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) usage(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === '--frames') o.frames = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--batch') o.batch = Math.max(1, num());
    else if (a === '--examples') o.examples = num();
    else if (a === '--json') o.json = argv[++i] ?? usage('--json needs a file');
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '-h' || a === '--help') usage('help');
    else usage(`unknown argument ${a}`);
  }
  return o;
}

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dist = join(ROOT, 'dist', 'index.js');
  if (!existsSync(dist)) usage('dist/ is missing: run `npx tsc -p tsconfig.json` first');
  const lib = await import(pathToFileURL(dist).href);
  const gc = globalThis.gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const rig = new FuzzRig(lib, { seed: o.seed, keepExamples: o.examples });
  let done = 0;
  let lastReport = t0;
  let exception = null;
  try {
    while (rig.totals.fuzzed < o.frames) {
      const n = Math.min(o.batch, o.frames - rig.totals.fuzzed);
      rig.batch(n);
      if (rig.batches % 16 === 0) await rig.settle();
      done = rig.totals.fuzzed;
      const now = performance.now();
      if (!o.quiet && now - lastReport > 5000) {
        lastReport = now;
        process.stderr.write(`fuzz: ${done} frames, ${rig.batches} batches, table ${rig.A.inet.arp.tbl.size}, ${((now - t0) / 1000).toFixed(1)} s\n`);
      }
    }
    await rig.quiesce();
  } catch (e) {
    exception = e;
  }
  const tFuzz = performance.now() - t0;
  gc?.();
  const heapPeak = process.memoryUsage().heapUsed;
  // Accounting and counters at the end of the fuzz, before the clean pings add their own traffic
  // (the peer's router solicitations, MLD reports... that reach A outside any fuzzed frame).
  const acct = rig.accounting();
  const counters = rig.counters();
  const ping = exception ? { fromPeer: 0, toPeer: 0, fromPeer6: 0, toPeer6: 0 } : await rig.cleanPing();
  // TCP afterwards: each family's connection reads and sends, the listener accepts.
  const tcp = exception ? null : rig.tcpCheck();
  const tcpOk = tcp !== null && Object.values(tcp).every((x) => x.established && x.reads && x.sends && x.accepts);
  const finalInvariants = rig.check();
  await rig.close();
  const tbl = rig.A.inet.arp.tbl;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  const t = rig.totals;
  const lines = [];
  lines.push(`tapstack receive fuzz: seed ${o.seed}, ${t.fuzzed} frames fuzzed (+${t.fromPeer} from the peer), ${rig.batches} batches of ${o.batch}`);
  lines.push(`time ${(tFuzz / 1000).toFixed(2)} s (${Math.round(t.fuzzed / (tFuzz / 1000))} frames/s); heap before ${mib(heapBefore)}, at the end of the fuzz ${mib(heapPeak)}, after close ${mib(heapAfter)}${gc ? ' (each after gc)' : ' (run with node --expose-gc for figures after gc)'}`);
  lines.push(`invariant checks run: ${t.invariantChecks}, violations: ${rig.violations.length}; max table size ${t.maxTableSize} (gc_thresh3 ${tbl.gcThresh3})`);
  lines.push(`outcomes: dropped ${t.dropped}, answered ${t.answered}, delivered ${t.delivered}, answer failed ${t.answerFailed}, silent ${t.silent}, counted twice ${t.multi}, delivered with no type counter ${t.uncounted}`);
  lines.push(`accounting: not delivered nor answered ${acct.notDeliveredNorAnswered}; drop counters sum ${acct.dropCounterSum} = dropped ${t.dropped} + double-counted ${t.multi} (+extra) + background ${t.backgroundDrops} → ${acct.balanced ? 'balanced' : 'NOT balanced'}`);
  lines.push(`events: ${Object.entries(rig.events).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  lines.push(`clean ping afterwards (60 each way, the last 3 count): peer→stack ${ping.fromPeer}/3, stack→peer ${ping.toPeer}/3; ping6 peer→stack ${ping.fromPeer6}/3, stack→peer ${ping.toPeer6}/3`);
  lines.push(`TCP: ${t.tcpConnects} connections made by the rig's peer (${t.tcpSetup} frames of its own), ${t.tcpStray} made by the fuzz (replayed handshake ACKs) and closed; ended by the fuzz: ${Object.entries(rig.tcpEnded).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  lines.push(`TCP afterwards: ${tcp ? Object.entries(tcp).map(([f, x]) => `${f} ${x.established && x.reads && x.sends ? 'connection reads and sends' : `connection BROKEN ${JSON.stringify(x)}`}, ${x.accepts ? 'listener accepts' : 'listener does NOT accept'}`).join('; ') : 'not checked'}`);
  lines.push(`transmitted frames checked: ${t.txChecked} (${t.txChecked6} IPv6); max table sizes arp_cache ${t.maxTableSize}, ndisc_cache ${t.maxNdTableSize}`);
  lines.push('');
  lines.push('counters (deltas, non-zero):');
  for (const [k, v] of Object.entries(counters)) if (v !== 0) lines.push(`  ${k.padEnd(36)} ${v}`);
  lines.push('');
  lines.push('frame kinds (base/mutation): count  outcomes  counters moved');
  for (const [kind, k] of rig.kindTable()) {
    const oc = Object.entries(k.outcomes).map(([x, n]) => `${x}:${n}`).join(' ');
    const cs = Object.entries(k.counters).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([x, n]) => `${x}:${n}`).join(' ');
    lines.push(`  ${kind.padEnd(34)} ${String(k.count).padStart(7)}  ${oc}  ${cs}`);
  }
  if (rig.anomalies.size) {
    lines.push('');
    lines.push('ANOMALIES (silent: consumed with no counter moving; multi: counted twice; uncounted: delivered to ICMP with only InMsgs/InDelivers moving):');
    for (const [key, an] of rig.anomalies) {
      lines.push(`  ${key}: ${an.count} frames`);
      for (const ex of an.examples) lines.push(`    ${ex.kind} on ${ex.dev} (${ex.profile}): ${ex.frame.length > 240 ? ex.frame.slice(0, 240) + '…' : ex.frame}`);
    }
  }
  if (rig.txProblems.size) {
    lines.push('');
    lines.push(`TRANSMIT PROBLEMS (of ${t.txChecked} frames the stack sent):`);
    for (const [what, cls] of rig.txProblems) {
      lines.push(`  ${what}: ${cls.count}`);
      for (const ex of cls.examples) lines.push(`    ${ex.length > 240 ? ex.slice(0, 240) + '…' : ex}`);
    }
  }
  if (rig.violations.length) {
    lines.push('');
    lines.push('VIOLATIONS:');
    for (const v of rig.violations.slice(0, 50)) lines.push(`  ${v}`);
  }
  if (exception) {
    lines.push('');
    lines.push(`EXCEPTION: ${exception && exception.stack ? exception.stack : exception}`);
  }
  const fresh = rig.unknownDefects();
  lines.push('');
  if (fresh.anomalies.length + fresh.tx.length === 0) {
    lines.push(`defects: ${rig.anomalies.size + rig.txProblems.size ? 'only the known ones (KNOWN_ANOMALIES, KNOWN_TX_DEFECTS in scripts/lib/fuzz_gen.mjs)' : 'none'}`);
  } else {
    lines.push('NEW DEFECTS (not in KNOWN_ANOMALIES / KNOWN_TX_DEFECTS):');
    for (const k of [...fresh.anomalies, ...fresh.tx]) lines.push(`  ${k}`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  if (o.json) {
    writeFileSync(o.json, JSON.stringify({
      seed: o.seed, frames: t.fuzzed, batch: o.batch, totals: t, accounting: acct, counters, events: rig.events,
      timeMs: tFuzz, heap: { before: heapBefore, end: heapPeak, after: heapAfter }, ping, tcp, tcpEnded: rig.tcpEnded,
      kinds: Object.fromEntries(rig.kindTable()), anomalies: Object.fromEntries(rig.anomalies), violations: rig.violations,
      txProblems: Object.fromEntries(rig.txProblems),
      exception: exception ? String(exception.stack ?? exception) : null,
    }, null, 1));
  }
  const ok = !exception && rig.violations.length === 0 && finalInvariants.length === 0 && acct.balanced && ping.fromPeer > 0 && ping.toPeer > 0 &&
    ping.fromPeer6 > 0 && ping.toPeer6 > 0 && tcpOk;
  // Silent or double-counted frames and bad transmissions are defects: a new one fails the run
  // (with --strict, a known one too).
  const defects = o.strict ? rig.anomalies.size + rig.txProblems.size : fresh.anomalies.length + fresh.tx.length;
  process.exitCode = ok && defects === 0 ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`fuzz: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
