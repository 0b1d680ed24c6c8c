// Heap-snapshot accounting: aggregate a V8 heap snapshot by object kind (constructor name for
// objects, node type otherwise) and diff two aggregates, to say what one neighbour entry is made of.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

// Node types whose names are meaningful classes; other types (strings, code, numbers) are grouped by type.
const NAMED_TYPES = new Set(['object', 'closure', 'native', 'array', 'hidden', 'synthetic', 'object shape', 'regexp']);

/** Map "type:name" → { count, bytes } of self sizes over the live heap (the snapshot GCs first). */
export function heapAggregate() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapstack-heap-'));
  try {
    const file = v8.writeHeapSnapshot(path.join(dir, 'h.heapsnapshot'));
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    const meta = snap.snapshot.meta;
    const fields = meta.node_fields;
    const types = meta.node_types[0];
    const stride = fields.length;
    const ti = fields.indexOf('type');
    const ni = fields.indexOf('name');
    const si = fields.indexOf('self_size');
    const nodes = snap.nodes;
    const strings = snap.strings;
    const agg = new Map();
    for (let i = 0; i < nodes.length; i += stride) {
      const type = types[nodes[i + ti]];
      const key = NAMED_TYPES.has(type) ? `${type}:${strings[nodes[i + ni]]}` : type;
      let a = agg.get(key);
      if (!a) agg.set(key, (a = { count: 0, bytes: 0 }));
      a.count++;
      a.bytes += nodes[i + si];
    }
    return agg;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Moves an aggregate out of the V8 heap (into one Buffer's backing store), so that holding it
 * while the next snapshot is taken does not add thousands of keys and records to that snapshot.
 */
export function stashAggregate(agg) {
  return Buffer.from(JSON.stringify([...agg]));
}

export function unstashAggregate(buf) {
  return new Map(JSON.parse(buf.toString()));
}

/** Rows of (after − before) per kind, divided by `per`, largest first; kinds below minBytes/per dropped. */
export function heapDiff(before, after, per, minBytesPer = 1) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  const rows = [];
  for (const k of keys) {
    const b = before.get(k) ?? { count: 0, bytes: 0 };
    const a = after.get(k) ?? { count: 0, bytes: 0 };
    const dBytes = (a.bytes - b.bytes) / per;
    const dCount = (a.count - b.count) / per;
    if (Math.abs(dBytes) >= minBytesPer) rows.push({ kind: k, countPer: dCount, bytesPer: dBytes });
  }
  rows.sort((x, y) => y.bytesPer - x.bytesPer);
  return rows;
}
