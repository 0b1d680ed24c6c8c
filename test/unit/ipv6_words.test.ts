// The IPv6 per-packet paths that read addresses as 32-bit words: Key16Index's word lookups
// (getWords, and get() through the DataView a reused buffer gets), nd_tbl's lookupNorefWords,
// and addrconf's chkAddrWords — each must answer exactly what the byte-wise lookup answers.
import { describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/core/netdevice.js';
import { Key16Index } from '../../src/neighbour/keyindex16.js';
import { lcgRandom } from '../helpers/neigh_fake.js';

interface E {
  readonly dev: NetDevice;
  readonly primaryKey: Buffer;
}

const devs = [1, 2, 0].map((ifindex, i) => ({ ifindex, name: `d${i}` }) as unknown as NetDevice);

function key(n: number): Buffer {
  const k = Buffer.alloc(16);
  k.writeUInt32BE(0xfd000000 + (n % 3), 0);
  k.writeUInt32BE((0x80000000 ^ n) >>> 0, 12);
  k[9] = n & 0x7;
  return k;
}

const w = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) | 0;

describe('Key16Index word lookups', () => {
  const idx = new Key16Index<E>(0x2545f491);
  const entries: E[] = [];
  for (let n = 0; n < 300; n++) {
    const e = { dev: devs[n % devs.length], primaryKey: key(n) };
    idx.add(e.primaryKey, e);
    entries.push(e);
  }

  it('getWords answers what get answers, hits and misses', () => {
    for (let n = 0; n < 400; n++) {
      const k = key(n);
      for (const dev of devs) {
        expect(idx.getWords(w(k, 0), w(k, 4), w(k, 8), w(k, 12), dev)).toBe(idx.get(k, 0, dev));
      }
    }
  });

  it('a buffer read again and again (its DataView) keeps answering from its current bytes, at any offset', () => {
    const rnd = lcgRandom(3);
    // A ring-like buffer seen on every lookup, and a view into a larger one (byteOffset ≠ 0).
    const ring = Buffer.alloc(64);
    const big = Buffer.alloc(256);
    const view = big.subarray(40, 140);
    for (let step = 0; step < 3000; step++) {
      const n = Math.floor(rnd() * 400);
      const dev = devs[Math.floor(rnd() * devs.length)];
      const buf = step % 7 === 0 ? Buffer.from(key(n)) : rnd() < 0.5 ? ring : view;
      const off = buf.length === 16 ? 0 : 8 + Math.floor(rnd() * 40);
      key(n).copy(buf, off);
      const want = n < 300 && entries[n].dev === dev ? entries[n] : null;
      expect(idx.get(buf, off, dev)).toBe(want);
    }
  });
});
