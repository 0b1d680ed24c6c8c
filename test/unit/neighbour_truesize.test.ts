// What a queued packet costs against unres_qlen_bytes (__neigh_event_send charges skb->truesize):
// the same figures Linux 6.18 charges for a locally sent ping or UDP datagram, measured over a veth
// (test/integration/neigh_truesize_kernel.test.ts re-measures them on the running kernel), so the
// same unres_qlen_bytes holds the same number of packets. gVisor-style rows on two stacks with a
// manual clock; the peer has no address, so resolution never completes.
import { afterEach, describe, expect, it } from 'vitest';
import { allocSkbTruesize, ipAppendAllocSize, kmallocSizeRoundup, skbTruesize } from '../../src/core/skbuff.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { NUD_INCOMPLETE } from '../../src/neighbour/nud.js';
import { UNRES_QLEN_TRUESIZE } from '../../src/neighbour/parms.js';
import type { UdpSocket } from '../../src/socket/dgram.js';
import { TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks({ invariants: true });
});

const DST = '10.0.0.5';

/** Payload bytes → truesize on Linux 6.18 x86_64 (ping via raw socket, UDP via udp_sendmsg). */
const KERNEL_TRUESIZE: readonly [payload: number, truesize: number][] = [
  [0, 832],
  [56, 832],
  [197, 832],
  [198, 1280],
  [645, 1280],
  [646, 2304],
  [1000, 2304],
  [1472, 2304],
];

type Kind = 'ping' | 'udp';

function setup(): TwoStacks {
  return twoStacks({ addrB: null });
}

/** Sends `n` packets of `payload` bytes from A to DST (which nobody answers) and returns the entry. */
async function sendN(env: TwoStacks, kind: Kind, payload: number, n: number) {
  const { A, ea, clock } = env;
  if (kind === 'ping') {
    void A.ping(DST, { count: n, interval: 0.01, size: payload, timeout: 0.5 });
    for (let i = 0; i < n; i++) clock.advance(10);
  } else {
    const s: UdpSocket = A.createSocket('udp4');
    for (let i = 0; i < n; i++) await new Promise((res) => s.send(Buffer.alloc(payload), 9, DST, res));
    s.close();
  }
  return A.inet.arp.tbl.lookupNoref(parseIPv4(DST)!, ea)!;
}

describe('truesize of locally sent packets', () => {
  for (const kind of ['ping', 'udp'] as const) {
    for (const [payload, truesize] of KERNEL_TRUESIZE) {
      it(`${kind} with ${payload} payload bytes costs ${truesize}, as on Linux`, async () => {
        const env = setup();
        const n = await sendN(env, kind, payload, 1);
        expect(n.nudState).toBe(NUD_INCOMPLETE);
        expect(n.arpQueue.map((s) => s.truesize)).toEqual([truesize]);
        expect(n.arpQueueLenBytes).toBe(truesize);
      });
    }
  }

  // The kernel experiment itself: unres_qlen_bytes = 2·truesize − 1 keeps one of three packets,
  // 2·truesize keeps two (the oldest are dropped and counted in unresolved_discards).
  for (const kind of ['ping', 'udp'] as const) {
    for (const [payload, truesize] of [KERNEL_TRUESIZE[1], KERNEL_TRUESIZE[3], KERNEL_TRUESIZE[7]]) {
      for (const [limit, kept] of [[2 * truesize - 1, 1], [2 * truesize, 2]] as const) {
        it(`${kind} ${payload} B: unres_qlen_bytes ${limit} keeps ${kept} of 3`, async () => {
          const env = setup();
          inDevGet(env.ea)!.arpParms.set('queueLenBytes', limit);
          const n = await sendN(env, kind, payload, 3);
          expect(n.arpQueue.length).toBe(kept);
          expect(env.A.inet.arp.tbl.stats.unresDiscards).toBe(3 - kept);
        });
      }
    }
  }
});

describe('the allocation model', () => {
  it('kmalloc_size_roundup follows the kmalloc-N caches, then whole pages', () => {
    expect([1, 8, 9, 96, 97, 192, 193, 1024, 1025, 8192, 8193, 16385].map(kmallocSizeRoundup)).toEqual([
      8, 8, 16, 96, 128, 192, 256, 1024, 2048, 8192, 16384, 32768,
    ]);
  });

  it('small heads share one cache; larger ones are a kmalloc object plus sizeof(struct sk_buff)', () => {
    // SKB_HEAD_ALIGN(size) = SKB_DATA_ALIGN(size) + 320.
    expect(allocSkbTruesize(0)).toBe(832);
    expect(allocSkbTruesize(256)).toBe(832);
    expect(allocSkbTruesize(257)).toBe(1024 + 256);
    expect(allocSkbTruesize(704)).toBe(1024 + 256);
    expect(allocSkbTruesize(705)).toBe(2048 + 256);
    expect(allocSkbTruesize(ipAppendAllocSize(1500))).toBe(2304);
  });

  it('unres_qlen still converts with SKB_TRUESIZE(ETH_FRAME_LEN), unrounded (proc_unres_qlen)', () => {
    expect(UNRES_QLEN_TRUESIZE).toBe(skbTruesize(1514));
    expect(UNRES_QLEN_TRUESIZE).toBe(2090);
  });
});
