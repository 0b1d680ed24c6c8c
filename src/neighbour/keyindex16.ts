// A cache-friendly side index for 16-byte keys (IPv6 addresses), serving __neigh_lookup_noref on
// the per-packet path, as intindex.ts does for 32-bit keys. The chained hash stays authoritative.
import type { NetDevice } from '../core/netdevice.js';

const GOLDEN = 0x9e3779b1;
const INITIAL_SHIFT = 4;
/** Int32 slots per key: the four key words, the ifindex, and 1 + the entry's place in `dense` (0: empty). */
const STRIDE = 6;

/** The four big-endian words of a 16-byte key are read straight from the buffer each time. */
function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/**
 * Open addressing with linear probing over one Int32Array of (four key words, ifindex, ref)
 * slots, kept at most half full, and a packed array of the entries themselves. A hit reads the
 * key where it lies (a packet's address field: no copy), one line of the slot array and one
 * pointer — neither the entry nor its key object is touched unless the device has no ifindex yet
 * (0), where the device object decides. The entries sit packed in `dense` (one pointer each on
 * the heap, whatever the slot count); deleting moves the last one into the hole. Deletion shifts
 * followers back, so there are no tombstones.
 */
export class Key16Index<V extends { readonly dev: NetDevice; readonly primaryKey: unknown }> {
  private kv: Int32Array;
  private readonly dense: V[] = [];
  private mask: number;
  private shift: number;

  constructor(private readonly rnd: number) {
    this.kv = new Int32Array(STRIDE << INITIAL_SHIFT);
    this.mask = (1 << INITIAL_SHIFT) - 1;
    this.shift = 32 - INITIAL_SHIFT;
  }

  get size(): number {
    return this.dense.length;
  }

  /** Slots in the probe array (a power of two). */
  get slots(): number {
    return this.mask + 1;
  }

  /** Each word multiplied in turn, so that keys differing in one word only (a subnet) spread. */
  private home(w0: number, w1: number, w2: number, w3: number, ifindex: number): number {
    let h = Math.imul(w0 ^ this.rnd, GOLDEN);
    h = Math.imul(h ^ w1, 0x85ebca6b);
    h = Math.imul(h ^ w2, 0xc2b2ae35);
    h = Math.imul(h ^ w3 ^ Math.imul(ifindex, GOLDEN), GOLDEN);
    return (h ^ (h >>> 16)) >>> this.shift;
  }

  /** The entry for the 16 bytes at buf[off..off+16) on `dev`, or null. Allocation-free. */
  get(buf: Uint8Array, off: number, dev: NetDevice): V | null {
    const w0 = word(buf, off);
    const w1 = word(buf, off + 4);
    const w2 = word(buf, off + 8);
    const w3 = word(buf, off + 12);
    const ifx = dev.ifindex;
    const kv = this.kv;
    const mask = this.mask;
    let h = this.home(w0, w1, w2, w3, ifx);
    for (;;) {
      const s = h * STRIDE;
      const ref = kv[s + 5];
      if (ref === 0) return null;
      if (kv[s + 3] === w3 && kv[s] === w0 && kv[s + 1] === w1 && kv[s + 2] === w2 && kv[s + 4] === ifx) {
        const v = this.dense[ref - 1];
        if (ifx !== 0 || v.dev === dev) return v;
      }
      h = (h + 1) & mask;
    }
  }

  /** Adds an entry known to be absent; `key` is its 16-byte primary key. */
  add(key: Uint8Array, v: V): void {
    if ((this.dense.length + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    this.dense.push(v);
    this.place(word(key, 0), word(key, 4), word(key, 8), word(key, 12), v.dev.ifindex, this.dense.length);
  }

  private place(w0: number, w1: number, w2: number, w3: number, ifx: number, ref: number): void {
    let h = this.home(w0, w1, w2, w3, ifx);
    while (this.kv[h * STRIDE + 5] !== 0) h = (h + 1) & this.mask;
    const s = h * STRIDE;
    const kv = this.kv;
    kv[s] = w0;
    kv[s + 1] = w1;
    kv[s + 2] = w2;
    kv[s + 3] = w3;
    kv[s + 4] = ifx;
    kv[s + 5] = ref;
  }

  /** The slot holding exactly `v` (keyed by `key`), or -1. */
  private slotOf(key: Uint8Array, v: V): number {
    let h = this.home(word(key, 0), word(key, 4), word(key, 8), word(key, 12), v.dev.ifindex);
    for (;;) {
      const ref = this.kv[h * STRIDE + 5];
      if (ref === 0) return -1;
      if (this.dense[ref - 1] === v) return h;
      h = (h + 1) & this.mask;
    }
  }

  /** Removes exactly this entry (keyed by its 16-byte `key`); false if it was not indexed. */
  delete(key: Uint8Array, v: V): boolean {
    let i = this.slotOf(key, v);
    if (i < 0) return false;
    const kv = this.kv;
    // Keep `dense` packed: the last entry takes the place of the one going.
    const at = kv[i * STRIDE + 5] - 1;
    const last = this.dense.length - 1;
    if (at !== last) {
      // Found before `dense` changes: afterwards the leaving slot would look like the moved one's.
      const moved = this.dense[last];
      const ms = this.slotOf(moved.primaryKey as Uint8Array, moved);
      this.dense[at] = moved;
      kv[ms * STRIDE + 5] = at + 1;
    }
    this.dense.length = last;
    // Backward-shift: pull later members of the probe run into the hole when their home allows it.
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const sj = j * STRIDE;
      if (kv[sj + 5] === 0) break;
      const home = this.home(kv[sj], kv[sj + 1], kv[sj + 2], kv[sj + 3], kv[sj + 4]);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      kv.copyWithin(i * STRIDE, sj, sj + STRIDE);
      i = j;
    }
    kv.fill(0, i * STRIDE, i * STRIDE + STRIDE);
    return true;
  }

  /** Doubles (or sets) the slot count, re-placing every slot from the old array alone. */
  private resize(slots: number): void {
    const old = this.kv;
    this.kv = new Int32Array(slots * STRIDE);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let s = 0; s < old.length; s += STRIDE) {
      if (old[s + 5] !== 0) this.place(old[s], old[s + 1], old[s + 2], old[s + 3], old[s + 4], old[s + 5]);
    }
  }
}
