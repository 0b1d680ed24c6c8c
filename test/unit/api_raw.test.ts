// Raw IPv4 handles (stack.openRawIp) and frame observers (stack.observeFrames) for tools: what
// they see, what they send, their errors, and that closing them (or the stack) detaches them.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { StackError } from '../../src/core/errno.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ETH_HLEN } from '../../src/ethernet/ethhdr.js';
import { IPPROTO_ICMP } from '../../src/ipv4/iphdr.js';
import type { RawIpInfo } from '../../src/ipv4/raw.js';
import { Stack } from '../../src/stack.js';
import { MAC_A, MAC_B, closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(() => closeStacks());

/** Two stacks on one in-memory cable: A 10.0.0.1 (pa), B 10.0.0.2 (pb). */
function setup(): { clock: ManualClock; A: Stack; B: Stack; pa: PairDevice; pb: PairDevice } {
  const { clock, A, B, ea, eb } = twoStacks({ names: ['pa', 'pb'] });
  return { clock, A, B, pa: ea, pb: eb };
}

function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StackError);
    return (e as StackError).code;
  }
  throw new Error('did not throw');
}

describe('openRawIp: receive', () => {
  it('hands a copy of the payload and the header fields of its protocol only', () => {
    const { A, B } = setup();
    const got: [string, RawIpInfo][] = [];
    const other: number[] = [];
    B.openRawIp(253, (p, info) => got.push([p.toString(), info]));
    B.openRawIp(254, (p) => other.push(p.length));
    const tx = A.openRawIp(253, () => {});
    tx.send(Buffer.from('hello'), '10.0.0.2', { ttl: 9, tos: 0x10 });
    expect(got).toHaveLength(1);
    const [payload, info] = got[0];
    expect(payload).toBe('hello');
    expect(info).toMatchObject({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 253, ttl: 9, tos: 0x10, dev: 'pb' });
    expect(info.header).toHaveLength(20);
    expect(info.header[9]).toBe(253);
    expect(other).toEqual([]);
    expect(tx.stats).toEqual({ received: 0, sent: 1, errors: 0 });
  });

  it('a protocol the stack lacks is consumed by its raw handles (no ICMP protocol unreachable), and answered again once they close', () => {
    const { A, B } = setup();
    const unreach: number[] = [];
    A.openRawIp(IPPROTO_ICMP, (p) => {
      if (p[0] === 3) unreach.push(p[1]);
    });
    const h1 = B.openRawIp(200, () => {});
    const h2 = B.openRawIp(200, () => {});
    const tx = A.openRawIp(200, () => {});
    tx.send(Buffer.from([1, 2, 3]), '10.0.0.2');
    expect(B.inet.stats.inUnknownProtos).toBe(0);
    expect(B.inet.stats.inDelivers).toBe(1);
    h1.close();
    tx.send(Buffer.from([1, 2, 3]), '10.0.0.2');
    expect(B.inet.stats.inUnknownProtos).toBe(0);
    h2.close();
    expect(B.inet.protocols.has(200)).toBe(false);
    tx.send(Buffer.from([1, 2, 3]), '10.0.0.2');
    expect(B.inet.stats.inUnknownProtos).toBe(1);
    expect(unreach).toEqual([2]); // ICMP_PROT_UNREACH
  });

  it('sees ICMP before the stack answers it: echo requests are still answered', async () => {
    const { A, B } = setup();
    const seen: number[] = [];
    B.openRawIp(IPPROTO_ICMP, (p) => seen.push(p[0]));
    const r = await A.ping('10.0.0.2', { count: 1, timeout: 0 });
    expect(r.received).toBe(1);
    expect(seen).toEqual([8]); // the echo request, unmodified by the in-place reply
  });

  it('packets to its own address loop back to the sender stack', async () => {
    const { A } = setup();
    const got: string[] = [];
    const h = A.openRawIp(253, (p, info) => got.push(`${p.toString()} ${info.src}->${info.dst}`));
    h.send(Buffer.from('me'), '10.0.0.1');
    await Promise.resolve();
    expect(got).toEqual(['me 10.0.0.1->10.0.0.1']);
  });
});

describe('openRawIp: send', () => {
  it('builds the header: protocol, source, TTL, TOS, DF, checksum', () => {
    const { A, pa } = setup();
    pa.record = true;
    A.neighAdd({ dst: '10.0.0.2', dev: 'pa', lladdr: '02:bb:00:00:00:02' });
    A.addAddress(pa, '10.0.0.3/24');
    A.openRawIp(99, () => {}).send(Buffer.from('xy'), '10.0.0.2', { source: '10.0.0.3', ttl: 3, tos: 4 });
    // (B then resolves 10.0.0.3 to answer "protocol unreachable": the last frame is A's ARP reply.)
    const f = pa.sent.find((x) => x.readUInt16BE(12) === 0x800)!;
    const ip = f.subarray(ETH_HLEN);
    expect(f.subarray(0, 6)).toEqual(MAC_B);
    expect(ip[0]).toBe(0x45);
    expect(ip[1]).toBe(4);
    expect(ip.readUInt16BE(2)).toBe(22);
    expect(ip.readUInt16BE(6)).toBe(0x4000);
    expect(ip[8]).toBe(3);
    expect(ip[9]).toBe(99);
    expect([...ip.subarray(12, 16)]).toEqual([10, 0, 0, 3]);
    expect(ip.subarray(20).toString()).toBe('xy');
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });

  it('refuses with the errno a raw socket would get', () => {
    const { A, pa } = setup();
    const h = A.openRawIp(99, () => {});
    expect(errnoOf(() => h.send(Buffer.alloc(1), 'nope'))).toBe('EINVAL');
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2', { source: '10.0.0.9' }))).toBe('EADDRNOTAVAIL');
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2', { ttl: 0 }))).toBe('EINVAL');
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2', { tos: 256 }))).toBe('EINVAL');
    expect(errnoOf(() => h.send(Buffer.alloc(1), '192.168.1.1'))).toBe('ENETUNREACH');
    expect(errnoOf(() => h.send(Buffer.alloc(pa.mtu - 19), '10.0.0.2'))).toBe('EMSGSIZE');
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2', { dev: 'nosuch' }))).toBe('ENODEV');
    expect(errnoOf(() => A.openRawIp(0, () => {}))).toBe('EINVAL');
    expect(errnoOf(() => A.openRawIp(256, () => {}))).toBe('EINVAL');
    h.close();
    expect(h.closed).toBe(true);
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2'))).toBe('EBADF');
  });

  it('an unresolvable next hop reports EHOSTUNREACH through onError, with the payload', () => {
    const { A, clock } = setup();
    const errs: string[] = [];
    const h = A.openRawIp(99, () => {}, { onError: (e, p) => errs.push(`${e.code} ${p.toString()}`) });
    h.send(Buffer.from('lost'), '10.0.0.77');
    expect(errs).toEqual([]);
    clock.advance(3500);
    expect(errs).toEqual(['EHOSTUNREACH lost']);
    expect(h.stats.errors).toBe(1);
  });

  it('dev pins the output device', () => {
    const { A } = setup();
    const h = A.openRawIp(99, () => {});
    const [pc] = createPair('pc', 'pd');
    A.addDevice(pc);
    // 10.0.0.2 is routed through pa; pinned to pc there is no route.
    expect(errnoOf(() => h.send(Buffer.alloc(1), '10.0.0.2', { dev: 'pc' }))).toBe('ENETUNREACH');
    h.send(Buffer.alloc(1), '10.0.0.2', { dev: 'pa' });
  });
});

describe('observeFrames', () => {
  it('sees every frame in and out as on the wire, until unsubscribed', async () => {
    const { A } = setup();
    const frames: [string, 'in' | 'out', Buffer][] = [];
    const off = A.observeFrames((f, dev, dir) => frames.push([dev, dir, f]));
    const r = await A.ping('10.0.0.2', { count: 1, timeout: 0 });
    expect(r.received).toBe(1);
    // ARP request out, ARP reply in, echo request out, echo reply in.
    expect(frames.map(([d, dir, f]) => `${d} ${dir} ${f.readUInt16BE(12).toString(16)}`)).toEqual([
      'pa out 806', 'pa in 806', 'pa out 800', 'pa in 800',
    ]);
    expect(frames[0][2].subarray(0, 6)).toEqual(Buffer.alloc(6, 0xff));
    expect(frames[0][2].subarray(6, 12)).toEqual(MAC_A);
    expect(frames[1][2].subarray(0, 6)).toEqual(MAC_A);
    expect(frames[3][2].subarray(6, 12)).toEqual(MAC_B);
    off();
    await A.ping('10.0.0.2', { count: 1, timeout: 0 });
    expect(frames).toHaveLength(4);
    expect(A.net.taps).toHaveLength(0);
  });

  it('frames are copies the stack no longer touches', async () => {
    const { A, clock } = setup();
    const frames: Buffer[] = [];
    A.observeFrames((f) => frames.push(f));
    const r = A.ping('10.0.0.2', { count: 2, interval: 0.01, timeout: 0 });
    clock.advance(20);
    expect((await r).received).toBe(2);
    const seqs = frames.filter((f) => f.readUInt16BE(12) === 0x800).map((f) => f.readUInt16BE(ETH_HLEN + 20 + 6));
    expect(seqs).toEqual([1, 1, 2, 2]);
  });
});

/** An ARP request from A (10.0.0.1) for `target`, as a complete Ethernet frame. */
function arpRequestFrame(target: number[]): Buffer {
  return Buffer.concat([
    Buffer.alloc(6, 0xff), MAC_A, Buffer.from([0x08, 0x06]),
    Buffer.from([0, 1, 0x08, 0x00, 6, 4, 0, 1]), MAC_A, Buffer.from([10, 0, 0, 1]),
    Buffer.alloc(6), Buffer.from(target),
  ]);
}

describe('sendFrame (raw Ethernet send)', () => {
  it('puts the frame on the wire as it is: the peer answers it and observers see it', () => {
    const { A, B } = setup();
    const seen: [string, string, number][] = [];
    A.observeFrames((f, dev, dir) => seen.push([dev, dir, f.readUInt16BE(20)]));
    const frame = arpRequestFrame([10, 0, 0, 2]);
    A.sendFrame('pa', frame);
    // 42 bytes, unpadded: the out copy is exactly the frame; B's ARP reply (opcode 2) comes back.
    expect(seen).toEqual([['pa', 'out', 1], ['pa', 'in', 2]]);
    expect(B.neighbours()).toMatchObject([{ dst: '10.0.0.1', dev: 'pb', lladdr: '02:aa:00:00:00:01' }]);
    expect(A.device('pa').stats.txPackets).toBe(1);
    expect(A.neighbours()).toEqual([]); // nothing of the stack's own was involved on A's side
  });

  it('refuses short, oversize, down and closed with packet_snd errnos, counting nothing', () => {
    const { A } = setup();
    expect(errnoOf(() => A.sendFrame('pa', Buffer.alloc(13)))).toBe('EINVAL');
    expect(errnoOf(() => A.sendFrame('pa', Buffer.alloc(1515)))).toBe('EMSGSIZE');
    expect(errnoOf(() => A.sendFrame('nope', Buffer.alloc(60)))).toBe('ENODEV');
    A.sendFrame('pa', Buffer.alloc(1514)); // MTU + header is allowed
    A.linkSet('pa', { up: false });
    expect(errnoOf(() => A.sendFrame('pa', arpRequestFrame([10, 0, 0, 2])))).toBe('ENETDOWN');
    expect(A.device('pa').stats.txPackets).toBe(1);
  });

  it('is refused once the stack is closed', async () => {
    const { A } = setup();
    await A.close();
    expect(errnoOf(() => A.sendFrame('pa', arpRequestFrame([10, 0, 0, 2])))).toBe('EBADF');
  });
});

describe('close', () => {
  it('closes raw handles and observers, and refuses new ones', async () => {
    const { A } = setup();
    const h = A.openRawIp(99, () => {});
    A.observeFrames(() => {});
    expect(A.inet.rawTaps).toHaveLength(1);
    await A.close();
    expect(h.closed).toBe(true);
    expect(A.inet.rawTaps).toHaveLength(0);
    expect(A.net.taps).toHaveLength(0);
    expect(A.inet.protocols.has(99)).toBe(false);
    expect(errnoOf(() => A.openRawIp(99, () => {}))).toBe('EBADF');
    expect(errnoOf(() => A.observeFrames(() => {}))).toBe('EBADF');
  });
});
