// A cache-friendly side index for 16-byte keys (IPv6 addresses), serving __neigh_lookup_noref on
// the per-packet path, as intindex.ts does for 32-bit keys. The chained hash stays authoritative.
import type { NetDevice } from '../core/netdevice.js';

const GOLDEN = 0x9e3779b1;
const INITIAL_SHIFT = 4;
/** Int32s per slot of the main array: key words 2 and 3 and the id of the key's high half (0: empty slot). */
const STRIDE = 3;
/** Int32s per slot of the high-half dictionary: key words 0 and 1, the ifindex, the id (0: empty slot). */
const HSTRIDE = 4;
/** dvBuf and dv before any buffer has a view: no buffer is this one. */
const NO_BUF = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BUF.buffer);

/**
 * A big-endian word of a key, read straight from the buffer. The offsets are truncated to int32
 * (`| 0`: they are small), which spares each byte read an overflow check; the bounds check stays.
 */
function word(b: Uint8Array, o: number): number {
  return (b[o | 0] << 24) | (b[(o + 1) | 0] << 16) | (b[(o + 2) | 0] << 8) | b[(o + 3) | 0];
}

/**
 * Backward-shift deletion's test: whether a slot's home lies cyclically in (hole, slot], so that
 * the member at `slot` must stay where it is rather than move back into the hole.
 */
function homeAfter(home: number, hole: number, slot: number): boolean {
  return hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
}

/** `n` nulls in a packed array (new Array(n).fill(null) would stay holey: a hole check per read). */
function nulls<V>(n: number): (V | null)[] {
  const a: (V | null)[] = [];
  for (let i = 0; i < n; i++) a.push(null);
  return a;
}

/**
 * The high halves (key words 0 and 1, with the ifindex) that the index's keys share, each under a
 * small id of its own: the neighbours of a link sit in few high halves (a link's prefixes), so
 * the main array need not repeat them. Open addressing with linear probing, at most half full,
 * backward-shift deletion; ids are counted by their users and handed back when none is left, so
 * the dictionary never outgrows the keys it serves, however many distinct high halves arrive.
 */
class HighHalfDict {
  private kv = new Int32Array(HSTRIDE << INITIAL_SHIFT);
  private mask = (1 << INITIAL_SHIFT) - 1;
  private shift = 32 - INITIAL_SHIFT;
  /** Users of each id (index: id); ids with none are on `free`. */
  private users = new Int32Array(1 << INITIAL_SHIFT);
  private free: number[] = [];
  private nextId = 1;
  private count = 0;
  private readonly rnd: number = 0;

  constructor(rnd: number) {
    this.rnd = rnd | 0;
  }

  get size(): number {
    return this.count;
  }

  /** The top bits of a product chain, which every bit of the three words reaches. */
  private home(w0: number, w1: number, ifx: number): number {
    let h = Math.imul(w0 ^ this.rnd, GOLDEN);
    h = Math.imul(h ^ w1, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ ifx, 0xc2b2ae35);
    return (h >>> this.shift) | 0;
  }

  /** The id of this high half, or 0. Allocation-free. */
  find(w0: number, w1: number, ifx: number): number {
    const kv = this.kv;
    const mask = this.mask;
    for (let i = this.home(w0, w1, ifx); ; i = (i + 1) & mask) {
      const s = i * HSTRIDE;
      const id = kv[s + 3];
      if (id === 0) return 0;
      if (kv[s] === w0 && kv[s + 1] === w1 && kv[s + 2] === ifx) return id;
    }
  }

  /** The id of this high half with one user more, made when new. */
  acquire(w0: number, w1: number, ifx: number): number {
    let id = this.find(w0, w1, ifx);
    if (id === 0) {
      if ((this.count + 1) * 2 > this.mask + 1) this.grow();
      id = this.free.pop() ?? this.nextId++;
      if (id >= this.users.length) {
        const u = new Int32Array(this.users.length * 2);
        u.set(this.users);
        this.users = u;
      }
      this.place(w0, w1, ifx, id);
      this.count++;
    }
    this.users[id]++;
    return id;
  }

  /** One user of `id` (the id of this high half) fewer; true when that was its last, and it left. */
  release(w0: number, w1: number, ifx: number, id: number): boolean {
    if (--this.users[id] > 0) return false;
    const kv = this.kv;
    const mask = this.mask;
    let i = this.home(w0, w1, ifx);
    while (kv[i * HSTRIDE + 3] !== id) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const sj = j * HSTRIDE;
      if (kv[sj + 3] === 0) break;
      const home = this.home(kv[sj], kv[sj + 1], kv[sj + 2]);
      if (homeAfter(home, i, j)) continue;
      kv.copyWithin(i * HSTRIDE, sj, sj + HSTRIDE);
      i = j;
    }
    kv.fill(0, i * HSTRIDE, i * HSTRIDE + HSTRIDE);
    this.count--;
    this.free.push(id);
    return true;
  }

  private place(w0: number, w1: number, ifx: number, id: number): void {
    const kv = this.kv;
    let i = this.home(w0, w1, ifx);
    while (kv[i * HSTRIDE + 3] !== 0) i = (i + 1) & this.mask;
    const s = i * HSTRIDE;
    kv[s] = w0;
    kv[s + 1] = w1;
    kv[s + 2] = ifx;
    kv[s + 3] = id;
  }

  private grow(): void {
    const old = this.kv;
    this.kv = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.shift--;
    for (let s = 0; s < old.length; s += HSTRIDE) {
      if (old[s + 3] !== 0) this.place(old[s], old[s + 1], old[s + 2], old[s + 3]);
    }
  }
}

/**
 * Open addressing with linear probing over one Int32Array of 12-byte slots (key words 2 and 3 and
 * the id of the key's high half in a HighHalfDict), kept at most 4/5 full, and a parallel array of
 * the entries. A hit reads the key as four words (where it lies in a buffer with a view, a
 * driver's ring; else from a 16-byte staging copy), compares the high half with the one the
 * last lookup found, then reads one line of the slot array and the
 * entry's pointer from the parallel array at the same place: two independent reads, which
 * overlap (the chain slot → packed entry array → entry it replaces had them one after the other).
 * Neither the entry nor its key object is touched unless the device has no ifindex yet (0), where
 * the device object decides. At 100k keys the slots take 1.5 MiB and the entry array 1 MiB,
 * where four key words and the ifindex per slot at half load took 6 MiB; this is what keeps the
 * lookup within reach of the 32-bit index's. Deletion shifts followers back: no tombstones.
 */
export class Key16Index<V extends { readonly dev: NetDevice; readonly primaryKey: unknown }> {
  // The number fields start as numbers (class fields would otherwise start as undefined, and V8
  // would then check and untag them on each read).
  private kv = new Int32Array(STRIDE << INITIAL_SHIFT);
  private vals: (V | null)[] = nulls<V>(1 << INITIAL_SHIFT);
  private readonly high: HighHalfDict;
  private mask = (1 << INITIAL_SHIFT) - 1;
  private shift = 32 - INITIAL_SHIFT;
  private count = 0;
  private readonly r0: number = 0;
  private readonly r1: number = 0;
  /** The last high half found and its id; lastIfx -1 (no device has it): none. */
  private lastW0 = 0;
  private lastW1 = 0;
  private lastIfx = -1;
  private lastId = 0;
  /** The buffer with a DataView (see seen()), and the last one read without. */
  private dvBuf: Uint8Array = NO_BUF;
  private dv: DataView = NO_VIEW;
  private seenBuf: Uint8Array | null = null;
  /** get()'s staging copy of a key read from a buffer without a view, and that copy's view. */
  private readonly stageBuf = new Uint8Array(16);
  private readonly stageView = new DataView(this.stageBuf.buffer);

  constructor(rnd: number) {
    this.r0 = rnd | 0;
    this.r1 = Math.imul(rnd ^ 0x7f4a7c15, 0x2545f491) | 0;
    this.high = new HighHalfDict(Math.imul(rnd ^ 0x632be5ab, 0x165667b1) | 1);
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the probe array (a power of two). */
  get slots(): number {
    return this.mask + 1;
  }

  /** Distinct high halves (key words 0 and 1 with the ifindex) among the keys. */
  get highHalves(): number {
    return this.high.size;
  }

  /**
   * Each low word and the high-half id multiplied apart, the top bits taken. Words 0 and 1 need
   * no part in it: the id stands for them. The last word is rotated by 16 first, so that its low
   * half, where the hosts of a subnet differ (fd00::1:1, fd00::1:2, ...), lands in the top half
   * of the multiplicand: there, multiplying by an odd number is a bijection of the top 16 bits,
   * so in a table of 65536 slots or more, keys that differ only in that half get a home slot
   * each: none displaced, every lookup ending on its first probe (smaller tables, and keys that
   * differ in more, are spread about as well as without the rotation). Fibonacci hashing of the
   * word as it is (what the 32-bit index does) spreads them evenly but not perfectly: in the
   * benchmark's 100k-entry table one key in six sat off home (up to 12 slots), and each lookup
   * of one is a mispredicted probe-loop exit, which also throws away the cache misses of the
   * lookups the processor had already started. Rotation is a bijection of the word, so keys
   * that differ anywhere else hash exactly as well as before.
   */
  private home(w2: number, w3: number, hid: number): number {
    // `| 0`: an int32 (the shift is never 0), so the probe loop counts in integers, not doubles.
    const r = (w3 << 16) | (w3 >>> 16);
    return ((Math.imul(r ^ this.r0, GOLDEN) ^ Math.imul(w2 ^ this.r1, 0x85ebca6b) ^ Math.imul(hid, 0xc2b2ae35)) >>> this.shift) | 0;
  }

  /**
   * The entry for the 16 bytes at buf[off..off+16) on `dev`, or null. Allocation-free. A buffer
   * with a DataView (see seen()) is read through it where the key lies; any other has its 16
   * bytes copied into a staging buffer of the index's own, read through that one's view. Either
   * way there is one getWords() call here and little else, which is what keeps the whole lookup
   * inlined into its per-packet callers: V8 inlines by call frequency within a bytecode budget
   * per function, and the table's fill (100k creations, each looking its key up first) made a
   * byte-assembling branch here look hot and spend that budget, so that in some processes
   * home() or getWords() itself was left as a call (a 100k-entry lookup took 15-27 ns instead
   * of 9; a call per lookup also leaves the processor fewer lookups to overlap misses with).
   */
  get(buf: Uint8Array, off: number, dev: NetDevice): V | null {
    let dv = this.dv;
    let o = off | 0;
    if (buf !== this.dvBuf) {
      this.stage(buf, o);
      dv = this.stageView;
      o = 0;
    }
    return this.getWords(dv.getInt32(o), dv.getInt32((o + 4) | 0), dv.getInt32((o + 8) | 0), dv.getInt32((o + 12) | 0), dev);
  }

  /** get()'s copy of a key from a buffer without a DataView, which seen() notes. */
  private stage(buf: Uint8Array, off: number): void {
    this.seen(buf);
    const k = this.stageBuf;
    for (let i = 0; i < 16; i++) k[i] = buf[off + i];
  }

  /**
   * A buffer read twice in a row (a driver's receive ring, a reused frame) gets a DataView of its
   * own, made once, and is read in place from then on. A buffer seen once (a packet's own) gets
   * none, so nothing is allocated per packet.
   */
  private seen(buf: Uint8Array): void {
    if (buf === this.seenBuf) {
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.dvBuf = buf;
      this.seenBuf = null;
    } else this.seenBuf = buf;
  }

  /**
   * The entry for a 16-byte key object (lookupNoref's: a neighbour's own key, an address parsed
   * from text or copied out of a packet), or null. Allocation-free. The same answer as get(),
   * through call sites of its own: V8 decides what to inline by how often each call was taken,
   * and a table being filled looks up every new key first — all misses, all past the home
   * slot. Through get() those would make its cold paths look hot, have them inlined into its
   * optimized code, and make that code too big for V8 to inline into the per-packet callers.
   */
  getKey(key: Uint8Array, dev: NetDevice): V | null {
    const ifx = dev.ifindex;
    const w0 = word(key, 0);
    const w1 = word(key, 4);
    const hid = w0 === this.lastW0 && w1 === this.lastW1 && ifx === this.lastIfx ? this.lastId : this.findHigh(w0, w1, ifx);
    if (hid === 0) return null;
    const w2 = word(key, 8);
    const w3 = word(key, 12);
    return this.probeOn(w2, w3, hid, dev, this.home(w2, w3, hid));
  }

  /**
   * get() of a key the caller holds as its four big-endian 32-bit words (signed: `| 0`), its
   * bytes already read for something else. Allocation-free.
   */
  getWords(w0: number, w1: number, w2: number, w3: number, dev: NetDevice): V | null {
    const ifx = dev.ifindex;
    const hid = w0 === this.lastW0 && w1 === this.lastW1 && ifx === this.lastIfx ? this.lastId : this.findHigh(w0, w1, ifx);
    if (hid === 0) return null;
    const h = this.home(w2, w3, hid);
    const kv = this.kv;
    const s = (h * STRIDE) | 0;
    if (kv[(s + 1) | 0] === w3 && kv[s] === w2 && kv[(s + 2) | 0] === hid) {
      const v = this.vals[h] as V;
      if (ifx !== 0 || v.dev === dev) return v;
    }
    return this.probeOn(w2, w3, hid, dev, h);
  }

  /**
   * The probe run from slot `home` on: getWords() past a home slot that did not hold the key, and
   * getKey(). Out of line in getWords(), so that what is inlined into every per-packet caller
   * is the first probe alone.
   */
  private probeOn(w2: number, w3: number, hid: number, dev: NetDevice, home: number): V | null {
    const ifx = dev.ifindex;
    const kv = this.kv;
    const mask = this.mask;
    for (let h = home; ; h = (h + 1) & mask) {
      const s = (h * STRIDE) | 0;
      const id = kv[(s + 2) | 0];
      if (id === 0) return null;
      if (kv[(s + 1) | 0] === w3 && kv[s] === w2 && id === hid) {
        const v = this.vals[h] as V;
        if (ifx !== 0 || v.dev === dev) return v;
      }
    }
  }

  /** The high half's id from the dictionary (0: none), remembered for the next lookup. */
  private findHigh(w0: number, w1: number, ifx: number): number {
    const id = this.high.find(w0, w1, ifx);
    if (id !== 0) {
      this.lastW0 = w0;
      this.lastW1 = w1;
      this.lastIfx = ifx;
      this.lastId = id;
    }
    return id;
  }

  /** Adds an entry known to be absent; `key` is its 16-byte primary key. */
  add(key: Uint8Array, v: V): void {
    if ((this.count + 1) * 5 > (this.mask + 1) * 4) this.resize((this.mask + 1) * 2);
    const hid = this.high.acquire(word(key, 0), word(key, 4), v.dev.ifindex);
    this.place(word(key, 8), word(key, 12), hid, v);
    this.count++;
  }

  private place(w2: number, w3: number, hid: number, v: V): void {
    const vals = this.vals;
    let h = this.home(w2, w3, hid);
    while (vals[h] !== null) h = (h + 1) & this.mask;
    const s = h * STRIDE;
    const kv = this.kv;
    kv[s] = w2;
    kv[s + 1] = w3;
    kv[s + 2] = hid;
    vals[h] = v;
  }

  /** Removes exactly this entry (keyed by its 16-byte `key`); false if it was not indexed. */
  delete(key: Uint8Array, v: V): boolean {
    const ifx = v.dev.ifindex;
    const w0 = word(key, 0);
    const w1 = word(key, 4);
    const hid = this.high.find(w0, w1, ifx);
    if (hid === 0) return false;
    const vals = this.vals;
    const kv = this.kv;
    const mask = this.mask;
    let i = this.home(word(key, 8), word(key, 12), hid);
    while (vals[i] !== v) {
      if (vals[i] === null) return false;
      i = (i + 1) & mask;
    }
    // Backward-shift: pull later members of the probe run into the hole when their home allows it.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const w = vals[j];
      if (w === null) break;
      const sj = j * STRIDE;
      const home = this.home(kv[sj], kv[sj + 1], kv[sj + 2]);
      if (homeAfter(home, i, j)) continue;
      kv.copyWithin(i * STRIDE, sj, sj + STRIDE);
      vals[i] = w;
      i = j;
    }
    kv.fill(0, i * STRIDE, i * STRIDE + STRIDE);
    vals[i] = null;
    this.count--;
    // An id handed back may come again for another high half: forget it.
    if (this.high.release(w0, w1, ifx, hid) && this.lastId === hid) this.lastIfx = -1;
    return true;
  }

  /** Doubles the slot count, re-placing every slot from the old arrays alone. */
  private resize(slots: number): void {
    const old = this.kv;
    const oldVals = this.vals;
    this.kv = new Int32Array(slots * STRIDE);
    this.vals = nulls<V>(slots);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v !== null) this.place(old[i * STRIDE], old[i * STRIDE + 1], old[i * STRIDE + 2], v);
    }
  }
}
