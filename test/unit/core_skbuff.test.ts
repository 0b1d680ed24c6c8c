// SkBuff ownership: a packet borrowed from a driver's receive ring is copied alone, not the ring.
import { describe, expect, it } from 'vitest';
import { LL_RESERVED_SPACE, SkBuff } from '../../src/core/skbuff.js';

/** A 64-slot ring of 2048-byte frames with a 60-byte frame in slot 5, headers parsed. */
function borrowedFrame(): { ring: Buffer; skb: SkBuff; frame: Buffer } {
  const ring = Buffer.alloc(64 * 2048, 0xee);
  const frame = Buffer.from(Array.from({ length: 60 }, (_, i) => i));
  frame.copy(ring, 5 * 2048);
  const skb = new SkBuff(ring, 5 * 2048, 60);
  skb.borrowed = true;
  skb.macHeader = skb.data;
  skb.pull(14);
  skb.networkHeader = skb.data;
  skb.transportHeader = skb.data + 20;
  return { ring, skb, frame };
}

describe('SkBuff.own / copy of borrowed packets', () => {
  it('own() copies only the packet (from its MAC header) behind fresh head room and rebases every offset', () => {
    const { ring, skb, frame } = borrowedFrame();
    skb.own();
    expect(skb.borrowed).toBe(false);
    expect(skb.buf).not.toBe(ring);
    expect(skb.buf.length).toBe(LL_RESERVED_SPACE + 60);
    expect(skb.macHeader).toBe(LL_RESERVED_SPACE);
    expect(skb.networkHeader).toBe(LL_RESERVED_SPACE + 14);
    expect(skb.transportHeader).toBe(LL_RESERVED_SPACE + 34);
    expect(skb.len).toBe(46);
    expect(skb.buf.subarray(skb.macHeader, skb.tail)).toEqual(frame);
    ring.fill(0); // the driver reuses its ring
    expect(skb.buf.subarray(skb.macHeader, skb.tail)).toEqual(frame);
    expect(skb.headroom).toBeGreaterThanOrEqual(14); // room to push an Ethernet header again
  });

  it('copy() of a borrowed packet is equally small and independent; own() of an owned one is a no-op', () => {
    const { skb, frame } = borrowedFrame();
    const c = skb.copy();
    expect(c.buf.length).toBe(LL_RESERVED_SPACE + 60);
    expect(c.buf.subarray(c.networkHeader, c.tail)).toEqual(frame.subarray(14));
    expect(c.data - c.macHeader).toBe(14);
    const b = c.buf;
    expect(c.own().buf).toBe(b);
  });
});
