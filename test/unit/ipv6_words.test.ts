// The IPv6 per-packet paths that read addresses as 32-bit words: Key16Index's word lookups
// (getWords, and get() through the DataView a reused buffer gets), nd_tbl's lookupNorefWords,
// and ipv6_rcv / icmpv6_rcv reading a reused receive buffer through Inet6.wordView — each must
// answer exactly what the byte-wise reads answer.
import { afterEach, describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/core/netdevice.js';
import { emitEthHeader, ETH_HLEN } from '../../src/ethernet/ethhdr.js';
import { ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, icmp6FillChecksum, writeIcmp6Echo } from '../../src/ipv6/icmp6hdr.js';
import { IPV6_HDR_LEN, writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import { ADDR_A, MAC_A, MAC_C, clearSent, in6, makeHost6, takeLive6 } from '../helpers/ipv6_env.js';
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

describe('ipv6_rcv and icmpv6_rcv through a reused receive buffer (Inet6.wordView)', () => {
  afterEach(async () => {
    for (const h of takeLive6()) await h.stack.close();
  });

  function echo(src: string, dst: string, opts: { bad?: boolean; payload?: number } = {}): Buffer {
    const s = in6(src);
    const d = in6(dst);
    const icmp = Buffer.alloc(8 + (opts.payload ?? 24));
    writeIcmp6Echo(icmp, 0, ICMPV6_ECHO_REQUEST, 0x77, 3);
    for (let i = 8; i < icmp.length; i++) icmp[i] = i * 5;
    icmp6FillChecksum(icmp, 0, icmp.length, s, 0, d, 0);
    if (opts.bad) icmp[9] ^= 1;
    const f = Buffer.alloc(ETH_HLEN + IPV6_HDR_LEN + icmp.length);
    emitEthHeader(f, 0, MAC_A, 0, MAC_C, 0, 0x86dd);
    writeIpv6Header(f, ETH_HLEN, 0, 0x11111, icmp.length, IPPROTO_ICMPV6, 64, s, 0, d, 0);
    icmp.copy(f, ETH_HLEN + IPV6_HDR_LEN);
    return f;
  }

  it('answers exactly as with a buffer per frame, whatever the ring held before', () => {
    const frames = [
      echo('fd00:1::c', ADDR_A),
      echo('fd00:1::c', ADDR_A, { payload: 40 }),
      echo('fd00:1::d', ADDR_A),
      echo('fd00:1::c', ADDR_A, { bad: true }),
      echo('fd00:1::c', 'fd00:1::99'),
      echo('fe80::c', ADDR_A),
      echo('fd00:1::c', ADDR_A),
    ];
    const fresh = makeHost6();
    const ringed = makeHost6();
    for (const h of [fresh, ringed]) {
      h.stack.neighAdd({ dst: 'fd00:1::c', dev: 'ea', lladdr: '02:00:00:00:0c:01', state: 'reachable' });
      clearSent(h);
    }
    const ring = Buffer.alloc(160);
    for (let round = 0; round < 3; round++) {
      for (const f of frames) {
        fresh.ea.receiveFrame(Buffer.from(f));
        ring.fill(0xee);
        f.copy(ring, 0);
        ringed.ea.receiveFrame(ring);
      }
    }
    expect(ringed.ea.sent.length).toBeGreaterThan(0);
    expect(ringed.ea.sent.map((b) => b.toString('hex'))).toEqual(fresh.ea.sent.map((b) => b.toString('hex')));
    expect(ringed.stack.inet6.icmp.stats).toEqual(fresh.stack.inet6.icmp.stats);
    expect(ringed.stack.inet6.stats).toEqual(fresh.stack.inet6.stats);
  });
});
