// A cache-friendly side index for 32-bit integer keys (IPv4), serving __neigh_lookup_noref on the
// per-packet path. The kernel-style chained hash (neigh_hash_grow, hash_grows) stays authoritative.
import type { NetDevice } from '../core/netdevice.js';

const GOLDEN = 0x9e3779b1;
const INITIAL_SHIFT = 4;

/**
 * Open addressing with linear probing over one Int32Array of (key, ifindex) pairs and a parallel
 * array of entries, kept at most half full. A hit costs one line of the pair array and one pointer
 * read — the entry itself is not touched unless the device has no ifindex yet (0), where the
 * device object decides. Deletion shifts followers back, so there are no tombstones.
 */
export class IntKeyIndex<V extends { readonly dev: NetDevice }> {
  private kv: Int32Array;
  private vals: (V | null)[];
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(private readonly rnd: number) {
    this.kv = new Int32Array(2 << INITIAL_SHIFT);
    this.vals = new Array<V | null>(1 << INITIAL_SHIFT).fill(null);
    this.mask = (1 << INITIAL_SHIFT) - 1;
    this.shift = 32 - INITIAL_SHIFT;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Fibonacci hashing with the table's random mixed into the key: multiplying by the random
   * itself clustered runs of consecutive addresses (a subnet) badly for some seeds.
   */
  private home(key: number, ifindex: number): number {
    return Math.imul(key ^ this.rnd ^ Math.imul(ifindex, GOLDEN), GOLDEN) >>> this.shift;
  }

  get(key: number, dev: NetDevice): V | null {
    const k = key | 0;
    const ifx = dev.ifindex;
    const kv = this.kv;
    const vals = this.vals;
    const mask = this.mask;
    let h = Math.imul(k ^ this.rnd ^ Math.imul(ifx, GOLDEN), GOLDEN) >>> this.shift;
    for (;;) {
      const v = vals[h];
      if (v === null) return null;
      if (kv[h << 1] === k && kv[(h << 1) + 1] === ifx && (ifx !== 0 || v.dev === dev)) return v;
      h = (h + 1) & mask;
    }
  }

  /** Adds an entry known to be absent. */
  add(key: number, v: V): void {
    if ((this.count + 1) * 2 > this.vals.length) this.resize(this.vals.length * 2);
    this.place(key | 0, v.dev.ifindex, v);
    this.count++;
  }

  private place(k: number, ifx: number, v: V): void {
    let h = this.home(k, ifx);
    while (this.vals[h] !== null) h = (h + 1) & this.mask;
    this.kv[h << 1] = k;
    this.kv[(h << 1) + 1] = ifx;
    this.vals[h] = v;
  }

  /** Removes exactly this entry; false if it was not indexed. */
  delete(key: number, v: V): boolean {
    const k = key | 0;
    let i = this.home(k, v.dev.ifindex);
    while (this.vals[i] !== v) {
      if (this.vals[i] === null) return false;
      i = (i + 1) & this.mask;
    }
    // Backward-shift: pull later members of the probe run into the hole when their home allows it.
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const w = this.vals[j];
      if (w === null) break;
      const home = this.home(this.kv[j << 1], this.kv[(j << 1) + 1]);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      this.kv[i << 1] = this.kv[j << 1];
      this.kv[(i << 1) + 1] = this.kv[(j << 1) + 1];
      this.vals[i] = w;
      i = j;
    }
    this.vals[i] = null;
    this.count--;
    return true;
  }

  private resize(slots: number): void {
    const oldKv = this.kv;
    const oldVals = this.vals;
    this.kv = new Int32Array(slots * 2);
    this.vals = new Array<V | null>(slots).fill(null);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v !== null) this.place(oldKv[i << 1], oldKv[(i << 1) + 1], v);
    }
  }
}
