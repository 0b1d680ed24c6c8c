// The 16-byte-key side index behind nd_tbl's lookupNoref/lookupNorefAt: linear probing with
// backward-shift deletion, entries packed in a dense array; and the table using it.
import { describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/core/netdevice.js';
import { Key16Index } from '../../src/neighbour/keyindex16.js';
import { lcgRandom } from '../helpers/neigh_fake.js';

interface E {
  readonly dev: NetDevice;
  readonly primaryKey: Buffer;
}

const devs = [1, 2, 3, 0, 0].map((ifindex, i) => ({ ifindex, name: `d${i}` }) as unknown as NetDevice);

/** fd00::/64 keys that differ in one byte of one word only, so that runs and collisions are many. */
function key(n: number): Buffer {
  const k = Buffer.alloc(16);
  k.writeUInt32BE(0xfd000000, 0);
  k[4 + (n % 3) * 4 + 3] = n & 0xff;
  k[15] ^= (n >> 8) & 0xff;
  return k;
}

describe('Key16Index', () => {
  it('agrees with a Map through random inserts and deletes (collisions, wrap-around, resizes, dense moves)', () => {
    const rnd = lcgRandom(7);
    const idx = new Key16Index<E>(0x01000193);
    const ref = new Map<string, E>();
    const id = (k: Buffer, dev: NetDevice): string => `${k.toString('hex')}/${devs.indexOf(dev)}`;
    for (let step = 0; step < 20000; step++) {
      const k = key(Math.floor(rnd() * 400));
      const dev = devs[Math.floor(rnd() * devs.length)];
      const have = ref.get(id(k, dev));
      if (have && rnd() < 0.6) {
        expect(idx.delete(have.primaryKey, have)).toBe(true);
        ref.delete(id(k, dev));
      } else if (!have) {
        const e = { dev, primaryKey: k };
        idx.add(k, e);
        ref.set(id(k, dev), e);
      }
      if (step % 997 === 0) {
        for (const e of ref.values()) expect(idx.get(e.primaryKey, 0, e.dev)).toBe(e);
      }
      expect(idx.size).toBe(ref.size);
      expect(idx.size * 2).toBeLessThanOrEqual(idx.slots);
    }
    for (const e of ref.values()) expect(idx.get(e.primaryKey, 0, e.dev)).toBe(e);
    // Absent keys and devices miss; the two ifindex-0 devices are told apart by identity.
    const k0 = key(9999);
    const e0 = { dev: devs[3], primaryKey: k0 };
    idx.add(k0, e0);
    expect(idx.get(k0, 0, devs[3])).toBe(e0);
    expect(idx.get(k0, 0, devs[4])).toBeNull();
    expect(idx.delete(k0, { dev: devs[4], primaryKey: k0 })).toBe(false);
  });

  it('reads the key in place at any offset, unaligned, and compares all 16 bytes', () => {
    const idx = new Key16Index<E>(0x9e3779b1 | 1);
    const k = Buffer.from('fd000000000000000000000000000002', 'hex');
    const e = { dev: devs[0], primaryKey: k };
    idx.add(k, e);
    const frame = Buffer.alloc(64, 0xaa);
    k.copy(frame, 38); // an IPv6 destination in an Ethernet frame: offset 14 + 24
    expect(idx.get(frame, 38, devs[0])).toBe(e);
    expect(idx.get(frame, 38, devs[1])).toBeNull();
    for (let b = 0; b < 16; b++) {
      frame[38 + b] ^= 1;
      expect(idx.get(frame, 38, devs[0]), `byte ${b}`).toBeNull();
      frame[38 + b] ^= 1;
    }
    expect(idx.delete(k, e)).toBe(true);
    expect(idx.size).toBe(0);
    expect(idx.get(frame, 38, devs[0])).toBeNull();
  });
});
