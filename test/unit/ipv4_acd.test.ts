// RFC 5227 address conflict detection: Stack.claimAddress over an in-memory pair, manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import { EADDRINUSE, ENETDOWN } from '../../src/core/errno.js';
import { ETH_HLEN, ETH_P_ARP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ARPOP_REPLY, ARPOP_REQUEST, writeArp } from '../../src/ipv4/arphdr.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { Stack } from '../../src/stack.js';
import { MAC_A, TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';

const ip = (s: string): number => parseIPv4(s)!;
const MAC_X = Buffer.from([0x02, 0xcc, 0, 0, 0, 0x09]);
const BCAST = Buffer.alloc(6, 0xff);

afterEach(async () => {
  expect((await closeStacks({ invariants: true })).flat()).toEqual([]);
});

/** A (no address yet) and B (10.0.0.2/24) on one wire; random() = 0.5 fixes every delay. */
function setup(): TwoStacks {
  return twoStacks({ names: ['a0', 'b0'], addrA: null, record: true });
}

interface Arp {
  at: number;
  ethDst: string;
  op: number;
  sha: string;
  sip: string;
  tha: string;
  tip: string;
}

const q = (f: Buffer, o: number): string => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
function arpsOf(frames: Buffer[]): Omit<Arp, 'at'>[] {
  return frames
    .filter((f) => f.readUInt16BE(12) === ETH_P_ARP)
    .map((f) => ({
      ethDst: f.subarray(0, 6).toString('hex'),
      op: f.readUInt16BE(ETH_HLEN + 6),
      sha: f.subarray(ETH_HLEN + 8, ETH_HLEN + 14).toString('hex'),
      sip: q(f, ETH_HLEN + 14),
      tha: f.subarray(ETH_HLEN + 18, ETH_HLEN + 24).toString('hex'),
      tip: q(f, ETH_HLEN + 24),
    }));
}

function arpFrame(op: number, sha: Buffer, sip: string, tip: string): Buffer {
  const b = Buffer.alloc(ETH_HLEN + 28);
  emitEthHeader(b, 0, BCAST, 0, sha, 0, ETH_P_ARP);
  writeArp(b, ETH_HLEN, op, sha, 0, ip(sip), null, 0, ip(tip));
  return b;
}

describe('claimAddress (RFC 5227)', () => {
  it('free address: 3 probes (sip 0, broadcast) at 500/2000/3500 ms, claimed after ANNOUNCE_WAIT, then 2 announcements 2 s apart', async () => {
    const { clock, A, ea } = setup();
    const t0 = clock.now();
    const times: number[] = [];
    const origXmit = ea.xmit.bind(ea);
    ea.xmit = (skb) => {
      times.push(clock.now() - t0);
      return origXmit(skb);
    };
    const p = A.claimAddress(ea, '10.0.0.9/24');
    clock.advance(3500);
    expect(arpsOf(ea.sent)).toEqual(
      [0, 1, 2].map(() => ({ ethDst: 'ffffffffffff', op: ARPOP_REQUEST, sha: MAC_A.toString('hex'), sip: '0.0.0.0', tha: '000000000000', tip: '10.0.0.9' })),
    );
    expect(times).toEqual([500, 2000, 3500]);
    expect(A.inet.isLocalAddr(ip('10.0.0.9'))).toBe(false); // tentative: not used while probing
    clock.advance(1999);
    expect(A.inet.isLocalAddr(ip('10.0.0.9'))).toBe(false);
    clock.advance(1);
    const r = await p;
    expect(r).toEqual({ address: '10.0.0.9', dev: 'a0', conflict: false, by: null, probesSent: 3 });
    expect(A.inet.isLocalAddr(ip('10.0.0.9'))).toBe(true);
    clock.advance(2000);
    const ann = arpsOf(ea.sent).slice(3);
    expect(ann).toEqual([0, 1].map(() => ({ ethDst: 'ffffffffffff', op: ARPOP_REQUEST, sha: MAC_A.toString('hex'), sip: '10.0.0.9', tha: '000000000000', tip: '10.0.0.9' })));
    expect(times.slice(3)).toEqual([5500, 7500]);
    expect(A.inet.acd.stats).toEqual({ probesSent: 3, announcementsSent: 2, conflicts: 0 });
  });

  it('address in use: the owner answers the first probe and the claim fails with EADDRINUSE naming its MAC', async () => {
    const { clock, A, B, ea } = setup();
    const p = A.claimAddress(ea, '10.0.0.2/24');
    const caught = p.catch((e) => e);
    clock.advance(500);
    const err = await caught;
    expect(err.errno).toBe(-EADDRINUSE);
    expect(err.message).toBe('10.0.0.2 on a0 is in use by 02:bb:00:00:00:02 (address conflict detected)');
    expect(A.inet.isLocalAddr(ip('10.0.0.2'))).toBe(false);
    expect(arpsOf(ea.sent)).toHaveLength(1);
    // The DAD reply did not teach A anything: probes never touch the cache on either side.
    expect(A.neighbours()).toEqual([]);
    expect(B.neighbours()).toEqual([]);
    expect(A.inet.acd.stats.conflicts).toBe(1);
  });

  it('the owner with arp_ignore=8 stays silent, so the claim succeeds (probes obey arp_ignore)', async () => {
    const { clock, A, B, ea, eb } = setup();
    inDevGet(eb)!.cnf.set('arp_ignore', 8);
    const p = A.claimAddress(ea, '10.0.0.2/24');
    clock.advance(6000);
    expect((await p).conflict).toBe(false);
    expect(B.inet.arp.stats.drops.ignored).toBe(3);
  });

  const conflicts: [string, () => Buffer][] = [
    ['another host probing the same address (sip 0, tip = ours)', () => arpFrame(ARPOP_REQUEST, MAC_X, '0.0.0.0', '10.0.0.9')],
    ['any request with sender IP = the address', () => arpFrame(ARPOP_REQUEST, MAC_X, '10.0.0.9', '10.0.0.77')],
    ['a gratuitous reply for the address', () => arpFrame(ARPOP_REPLY, MAC_X, '10.0.0.9', '10.0.0.9')],
  ];
  for (const [name, frame] of conflicts) {
    it(`conflict: ${name}`, async () => {
      const { clock, A, ea } = setup();
      const caught = A.claimAddress(ea, '10.0.0.9/24').catch((e) => e);
      clock.advance(1000);
      ea.receiveFrame(frame());
      const err = await caught;
      expect(err.errno).toBe(-EADDRINUSE);
      expect(err.message).toContain('02:cc:00:00:00:09');
    });
  }

  it('our own frames looped back and unrelated ARP are not conflicts', async () => {
    const { clock, A, ea } = setup();
    const p = A.claimAddress(ea, '10.0.0.9/24');
    clock.advance(600);
    ea.receiveFrame(arpFrame(ARPOP_REQUEST, MAC_A, '0.0.0.0', '10.0.0.9'));
    ea.receiveFrame(arpFrame(ARPOP_REQUEST, MAC_X, '10.0.0.7', '10.0.0.8'));
    ea.receiveFrame(arpFrame(ARPOP_REQUEST, MAC_X, '0.0.0.0', '10.0.0.10'));
    clock.advance(6000);
    expect((await p).conflict).toBe(false);
  });

  it('device down while probing → ENETDOWN, nothing configured, no timer left', async () => {
    const { clock, A, ea } = setup();
    const caught = A.claimAddress(ea, '10.0.0.9/24').catch((e) => e);
    clock.advance(600);
    A.net.devClose(ea);
    const err = await caught;
    expect(err.errno).toBe(-ENETDOWN);
    expect(A.inet.acd.active).toBe(false);
    expect(A.inet.isLocalAddr(ip('10.0.0.9'))).toBe(false);
  });

  it('stack closed while probing → the claim is rejected, not left hanging', async () => {
    const { clock, A, ea } = setup();
    const caught = A.claimAddress(ea, '10.0.0.9/24').catch((e) => e);
    clock.advance(600);
    await A.close();
    expect((await caught).errno).toBe(-ENETDOWN);
  });
});
