// The integer-key side index behind lookupNoref: linear probing with backward-shift deletion.
import { describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/core/netdevice.js';
import { IntKeyIndex } from '../../src/neighbour/intindex.js';
import { lcgRandom } from '../helpers/neigh_fake.js';

interface E {
  readonly dev: NetDevice;
  readonly key: number;
}

const devs = [1, 2, 3, 0, 0].map((ifindex, i) => ({ ifindex, name: `d${i}` }) as unknown as NetDevice);

describe('IntKeyIndex', () => {
  it('agrees with a Map through random inserts and deletes (collisions, wrap-around, resizes)', () => {
    const rnd = lcgRandom(99);
    const idx = new IntKeyIndex<E>(0x01000193);
    const ref = new Map<string, E>();
    const id = (key: number, dev: NetDevice): string => `${key}/${devs.indexOf(dev)}`;
    for (let step = 0; step < 20000; step++) {
      // A small key space forces long probe runs and frequent re-use of slots.
      const key = (Math.floor(rnd() * 300) * 0x01010101) >>> 0;
      const dev = devs[Math.floor(rnd() * devs.length)];
      const have = ref.get(id(key, dev));
      if (have && rnd() < 0.6) {
        expect(idx.delete(key, have)).toBe(true);
        ref.delete(id(key, dev));
      } else if (!have) {
        const e = { dev, key };
        idx.add(key, e);
        ref.set(id(key, dev), e);
      }
      if (step % 997 === 0) {
        for (const e of ref.values()) expect(idx.get(e.key, e.dev)).toBe(e);
      }
      expect(idx.size).toBe(ref.size);
    }
    for (const e of ref.values()) expect(idx.get(e.key, e.dev)).toBe(e);
    // Absent keys and devices miss; the two ifindex-0 devices are told apart by identity.
    const e0 = { dev: devs[3], key: 7 };
    idx.add(7, e0);
    expect(idx.get(7, devs[3])).toBe(e0);
    expect(idx.get(7, devs[4])).toBeNull();
    expect(idx.delete(7, { dev: devs[4], key: 7 })).toBe(false);
  });

  it('treats signed and unsigned forms of one 32-bit key alike', () => {
    const idx = new IntKeyIndex<E>(0x9e3779b1 | 1);
    const e = { dev: devs[0], key: 0xc0a80001 };
    idx.add(0xc0a80001, e);
    expect(idx.get(0xc0a80001 | 0, devs[0])).toBe(e);
    expect(idx.get(0xc0a80001, devs[1])).toBeNull();
    expect(idx.delete(0xc0a80001 | 0, e)).toBe(true);
    expect(idx.size).toBe(0);
  });
});
