// The fault injector attached to real devices: transmit and receive on an in-memory pair between
// two stacks, borrowed receive memory, device down and close, detaching, and UDP through it.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Net } from '../../src/core/net.js';
import { SkBuff, allocSkb } from '../../src/core/skbuff.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { FaultSpecError, attachFaults, faultsOf } from '../../src/drivers/faulty.js';
import { ethTypeTrans } from '../../src/ethernet/eth.js';
import { emitEthHeader } from '../../src/ethernet/ethhdr.js';
import type { UdpRemoteInfo } from '../../src/socket/dgram.js';
import { Stack } from '../../src/stack.js';
import { MAC_A, MAC_B, TwoStacks, closeStacks, track, twoStacks } from '../helpers/two_stacks.js';

const ETHER_TEST = 0x88b5;

afterEach(async () => {
  await closeStacks();
});

interface Got {
  id: number;
  t: number;
  dev: string;
  bytes: Buffer;
}

/** Records every ETHER_TEST frame `s` receives (bytes from the MAC header), with the time. */
function sink(s: Stack): Got[] {
  const got: Got[] = [];
  s.net.devAddPack(ETHER_TEST, (skb, dev) => {
    const bytes = Buffer.from(skb.buf.subarray(skb.macHeader, skb.tail));
    got.push({ id: bytes.readUInt32BE(14), t: s.clock.now(), dev: dev.name, bytes });
  });
  return got;
}

/** Sends an ETHER_TEST frame carrying `id` out of `dev` through the stack's dev_queue_xmit. */
function send(s: Stack, dev: PairDevice, id: number, len = 100): number {
  const skb = allocSkb(len, 32);
  const at = skb.put(len);
  emitEthHeader(skb.buf, at, dev.peer!.devAddr, 0, dev.devAddr, 0, ETHER_TEST);
  for (let i = 14; i < len; i++) skb.buf[at + i] = (i + id) & 0xff;
  skb.buf.writeUInt32BE(id, at + 14);
  skb.dev = dev;
  return s.net.devQueueXmit(skb);
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function env(): TwoStacks & { got: Got[] } {
  const e = twoStacks({ addrA: null, addrB: null });
  return { ...e, got: sink(e.B) };
}

describe('faults on a pair', () => {
  it('attached with no faults: frames arrive unchanged and in order; detach restores the device', () => {
    const { A, ea, got } = env();
    const f = attachFaults(ea, { tx: '' });
    expect(own(ea, 'xmit')).toBe(true);
    for (const i of range(100)) expect(send(A, ea, i)).toBe(0);
    expect(got.map((g) => g.id)).toEqual(range(100));
    expect(f.tx!.stats).toMatchObject({ received: 100, passed: 100 });
    expect(ea.stats.txPackets).toBe(100);
    f.detach();
    expect(faultsOf(ea)).toBeNull();
    for (const k of ['xmit', 'stop', 'destroy']) expect(own(ea, k)).toBe(false);
    expect(ea.xmit).toBe(PairDevice.prototype.xmit);
    send(A, ea, 101);
    expect(got.length).toBe(101);
  });

  it('tx drop every 3rd on A, rx delay 5 ms on B: what arrives, and when', () => {
    const { A, ea, eb, clock, got } = env();
    const t0 = clock.now();
    const fa = attachFaults(ea, { tx: 'drop=3rd' });
    const fb = attachFaults(eb, { rx: { delay: 5 } });
    for (const i of range(9)) {
      send(A, ea, i);
      clock.advance(1);
    }
    clock.advance(10);
    expect(got.map((g) => [g.id, g.t - t0])).toEqual([[1, 5], [2, 6], [4, 8], [5, 9], [7, 11], [8, 12]]);
    expect(fa.stats.tx).toMatchObject({ received: 9, dropped: 3, passed: 6 });
    expect(fa.stats.rx).toBeNull();
    expect(fb.rx!.stats).toMatchObject({ received: 6, delayed: 6, passed: 6 });
    // A counted every frame it handed to the wire; B counts only what reached its protocols.
    expect(ea.stats.txPackets).toBe(9);
    expect(eb.stats.rxPackets).toBe(6);
    expect(own(eb.net!, 'netifReceiveSkb')).toBe(true);
    fb.detach();
    expect(own(eb.net!, 'netifReceiveSkb')).toBe(false);
    expect(eb.net!.netifReceiveSkb).toBe(Net.prototype.netifReceiveSkb);
  });

  it('tx faults on both ends fault both directions; set() changes them later', () => {
    const { A, B, ea, eb } = env();
    const gotA = sink(A);
    const gotB = sink(B);
    const fa = attachFaults(ea, { tx: 'dup=1st' });
    attachFaults(eb, { tx: 'drop=100%' });
    send(A, ea, 1);
    send(B, eb, 2);
    expect(gotB.map((g) => g.id)).toEqual([1, 1]);
    expect(gotA).toEqual([]);
    fa.set('tx', 'drop=2nd');
    faultsOf(eb)!.set('tx', {});
    for (const i of range(4, 10)) send(A, ea, i);
    send(B, eb, 20);
    expect(gotB.map((g) => g.id)).toEqual([1, 1, 10, 12]);
    expect(gotA.map((g) => g.id)).toEqual([20]);
    expect(faultsOf(eb)!.tx!.idle).toBe(true);
  });

  it('rx on the same namespace routes only the faulty device\'s frames', () => {
    const clock = new ManualClock();
    const s = track(new Stack({ clock, random: () => 0.5, ipv6: false }));
    const [e0, w0] = createPair('e0', 'w0');
    const [e1, w1] = createPair('e1', 'w1');
    s.addDevice(e0);
    s.addDevice(e1);
    const got = sink(s);
    const f0 = attachFaults(e0, { rx: 'drop=100%' });
    const mk = (to: PairDevice, id: number): Buffer => {
      const b = Buffer.alloc(60);
      emitEthHeader(b, 0, to.devAddr, 0, MAC_B, 0, ETHER_TEST);
      b.writeUInt32BE(id, 14);
      return b;
    };
    e0.receiveFrame(mk(e0, 1));
    e1.receiveFrame(mk(e1, 2));
    const f1 = attachFaults(e1, { rx: 'dup=1st' });
    e0.receiveFrame(mk(e0, 3));
    e1.receiveFrame(mk(e1, 4));
    expect(got.map((g) => [g.id, g.dev])).toEqual([[2, 'e1'], [4, 'e1'], [4, 'e1']]);
    f0.detach();
    e0.receiveFrame(mk(e0, 5));
    expect(own(s.net, 'netifReceiveSkb')).toBe(true); // e1 still faulty
    f1.detach();
    expect(own(s.net, 'netifReceiveSkb')).toBe(false);
    e1.receiveFrame(mk(e1, 6));
    expect(got.map((g) => g.id)).toEqual([2, 4, 4, 5, 6]);
    void w0;
    void w1;
  });

  it('a borrowed receive buffer (a TAP ring) is copied before it waits', () => {
    const { B, eb, clock, got } = env();
    attachFaults(eb, { rx: 'delay=1ms' });
    const ring = Buffer.alloc(4096);
    emitEthHeader(ring, 2048, eb.devAddr, 0, MAC_A, 0, ETHER_TEST);
    ring.writeUInt32BE(77, 2048 + 14);
    const skb = new SkBuff(ring, 2048, 64);
    skb.borrowed = true;
    expect(ethTypeTrans(skb, eb)).toBe(true);
    B.net.netifReceiveSkb(skb);
    ring.fill(0); // the driver reuses its ring
    clock.advance(1);
    expect(got.map((g) => [g.id, g.bytes.length])).toEqual([[77, 64]]);
  });

  it('transmit on an unregistered device with an explicit clock; receive needs a registered one', () => {
    const clock = new ManualClock(0);
    const [a, b] = createPair('a', 'b');
    a.record = true;
    const f = attachFaults(a, { tx: 'delay=2ms', clock });
    const skb = new SkBuff(Buffer.alloc(60));
    a.xmit(skb);
    expect(a.sent.length).toBe(0);
    clock.advance(2);
    expect(a.sent.length).toBe(1);
    expect(() => attachFaults(b, { rx: 'drop=1%', clock })).toThrow(/need a registered device/);
    expect(() => attachFaults(b, { tx: 'drop=1%' })).toThrow(/need a clock/);
    expect(() => attachFaults(a, { tx: 'drop=1%' })).toThrow(/already has faults/);
    expect(() => f.set('rx', {})).toThrow(/need a registered device/);
    f.detach();
    expect(() => f.set('tx', {})).toThrow(/detached/);
  });

  it('a bad spec throws FaultSpecError and leaves the device untouched', () => {
    const { ea } = env();
    expect(() => attachFaults(ea, { tx: 'drop=lots' })).toThrow(FaultSpecError);
    expect(own(ea, 'xmit')).toBe(false);
    expect(faultsOf(ea)).toBeNull();
  });

  it('taking the device down discards what waits; closing the stack detaches', async () => {
    const { A, ea, clock, got } = env();
    const f = attachFaults(ea, { tx: 'delay=5ms' });
    for (const i of range(3)) send(A, ea, i);
    const pending = clock.pendingCount;
    A.linkSet(ea, { up: false });
    expect(f.tx!.stats.flushed).toBe(3);
    expect(clock.pendingCount).toBeLessThan(pending);
    A.linkSet(ea, { up: true });
    send(A, ea, 4);
    clock.advance(5);
    expect(got.map((g) => g.id)).toEqual([4]);
    send(A, ea, 5);
    await A.close();
    expect(faultsOf(ea)).toBeNull();
    expect(f.tx!.stats.flushed).toBe(4);
    expect(f.tx!.held).toBe(0);
    for (const k of ['xmit', 'stop', 'destroy']) expect(own(ea, k)).toBe(false);
  });
});

describe('UDP through the faults', () => {
  it('payload corruption is caught by the UDP checksum; duplication delivers twice; healing restores', async () => {
    const { A, B, ea } = twoStacks();
    const rx = B.createSocket('udp4');
    rx.bind(9000);
    await once(rx, 'listening');
    const msgs: string[] = [];
    rx.on('message', (m: Buffer, _r: UdpRemoteInfo) => msgs.push(m.toString()));
    const tx = A.createSocket('udp4');
    const settle = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));
    const sendMsg = async (m: string): Promise<void> => {
      await new Promise<void>((res) => tx.send(m, 9000, '10.0.0.2', () => res()));
      await settle();
    };
    await sendMsg('resolve'); // ARP first, untouched
    const f = attachFaults(ea, { tx: 'corrupt=100%,payload,seed=7' });
    await sendMsg('hello');
    expect(B.inet.udp.stats.inCsumErrors).toBe(1);
    expect(f.tx!.stats.corrupted).toBe(1);
    f.set('tx', 'dup=1st');
    await sendMsg('twice');
    f.set('tx', '');
    await sendMsg('once');
    expect(msgs).toEqual(['resolve', 'twice', 'twice', 'once']);
    tx.close();
    rx.close();
  });
});
