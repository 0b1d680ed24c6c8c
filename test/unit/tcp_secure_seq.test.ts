// SipHash-2-4 (lib/siphash.c) against the reference vectors of the SipHash paper (key 00..0f,
// message 00..len-1), and the properties secure_tcp_seq / SYN cookies rely on.
import { describe, expect, it } from 'vitest';
import { SecureSeq, SipHash } from '../../src/tcp/secure_seq.js';
import { SynCookies } from '../../src/tcp/syncookies.js';

const hex = (h: SipHash): string => h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');

describe('SipHash-2-4', () => {
  const key = new Uint8Array(16).map((_, i) => i);
  const msg = new Uint8Array(64).map((_, i) => i);
  // vectors.h of the reference implementation, as 64-bit little-endian words.
  const vectors: Array<[number, string]> = [
    [0, '726fdb47dd0e0e31'],
    [1, '74f839c593dc67fd'],
    [7, 'ab0200f58b01d137'],
    [8, '93f5f5799a932462'],
    [15, 'a129ca6149be45e5'],
    [16, '3f2acc7f57c29bdb'],
    [63, '958a324ceb064572'],
  ];
  for (const [len, want] of vectors) {
    it(`${len} bytes`, () => {
      const h = new SipHash(key);
      h.hash(msg, len);
      expect(hex(h)).toBe(want);
    });
  }
});

describe('secure_tcp_seq and SYN cookies', () => {
  const a = new Uint8Array([10, 0, 0, 1]);
  const b = new Uint8Array([10, 0, 0, 2]);
  it('the ISN moves with the 64 ns clock and differs per tuple', () => {
    const s = new SecureSeq(() => 0.5, true);
    const i0 = s.isn(a, b, 1000, 80, 0);
    expect((s.isn(a, b, 1000, 80, 1) - i0) >>> 0).toBe(15625);
    expect(s.isn(a, b, 1001, 80, 0)).not.toBe(i0);
  });
  it('a cookie checks with its own tuple and MSS index, not with another tuple', () => {
    const c = new SynCookies(new Uint8Array(32).fill(7));
    const t = new Uint8Array([10, 0, 0, 1, 10, 0, 0, 2, 0x03, 0xe8, 0, 80]);
    const cookie = c.make(t, 12, 12345, 2, 1000);
    expect(c.check(t, 12, cookie, 12345, 1000 + 60000)).toBe(2);
    t[11] = 81;
    expect(c.check(t, 12, cookie, 12345, 1000)).toBe(-1);
  });
});
