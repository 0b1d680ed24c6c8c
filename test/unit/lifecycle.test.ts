// Stack.close(): what it stops, drains and counts, and that a program which closes its stacks
// exits on its own (a child process with pair devices and a RealClock; no root needed). The TAP
// form of the same runs in test/integration/lifecycle.test.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, RealClock } from '../../src/core/clock.js';
import { StackError } from '../../src/core/errno.js';
import { ControlHandler } from '../../src/control/handler.js';
import { ControlServer } from '../../src/control/server.js';
import { createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';
import { ROOT } from '../helpers/netns.js';
import { runChild } from '../helpers/child.js';

describe('close() in process', () => {
  it('settles a ping in flight with its summary, and purges (and counts) the packet it queued', async () => {
    const clock = new ManualClock();
    const a = new Stack({ clock });
    const [pa] = createPair('pa', 'pb');
    a.addDevice(pa);
    a.addAddress(pa, '10.0.0.1/24');
    const p = a.ping('10.0.0.9', { count: 3 });
    expect(a.inet.arp.tbl.stats.extra.queuePurged).toBe(0);
    await a.close();
    const r = await p;
    expect(r.transmitted).toBe(1);
    expect(r.lines.at(-2)).toMatch(/^1 packets transmitted, 0 received, 100% packet loss/);
    expect(a.inet.arp.tbl.stats.extra.queuePurged).toBe(1);
    expect(a.inet.arp.tbl.entries).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('leaves no timer on a clock it does not own', async () => {
    const clock = new RealClock();
    const a = new Stack({ clock });
    const b = new Stack({ clock });
    const [pa, pb] = createPair('pa', 'pb');
    a.addDevice(pa);
    b.addDevice(pb);
    a.addAddress(pa, '10.0.0.1/24');
    b.addAddress(pb, '10.0.0.2/24');
    expect((await a.ping('10.0.0.2', { count: 1 })).received).toBe(1);
    await a.close();
    await b.close();
    expect(clock.pendingCount).toBe(0);
    clock.stop();
  });

  it('is idempotent, emits close once, and refuses later use with EBADF', async () => {
    const a = new Stack({ clock: new ManualClock() });
    let closes = 0;
    a.on('close', () => closes++);
    await Promise.all([a.close(), a.close()]);
    await a.close();
    expect(closes).toBe(1);
    await expect(a.ping('10.0.0.1')).rejects.toMatchObject({ errno: -9, code: 'EBADF' });
  });

  it('runs close hooks first, in order, awaiting them; a failing hook is reported after the rest closed', async () => {
    const a = new Stack({ clock: new ManualClock() });
    const [pa] = createPair('pa', 'pb');
    a.addDevice(pa);
    const order: string[] = [];
    a.addCloseHook(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push(`one devices=${a.net.deviceList.length}`);
      throw new Error('hook failed');
    });
    const off = a.addCloseHook(() => order.push('removed'));
    a.addCloseHook(() => order.push('two'));
    off();
    await expect(a.close()).rejects.toThrow('hook failed');
    expect(order).toEqual(['one devices=1', 'two']);
    expect(a.net.deviceList).toHaveLength(0);
    // A hook added after close runs at once.
    let late = false;
    a.addCloseHook(() => (late = true));
    await new Promise((r) => setTimeout(r, 0));
    expect(late).toBe(true);
  });

  it('closes a control server listening for the stack (clients cut, socket removed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapstack-lc-'));
    try {
      const a = new Stack({ clock: new ManualClock() });
      const path = join(dir, 's.sock');
      const server = await ControlServer.listen(new ControlHandler(a), path);
      expect(existsSync(path)).toBe(true);
      await a.close();
      expect(existsSync(path)).toBe(false);
      await server.close(); // still fine
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a closed stack throws StackError from the raw APIs', async () => {
    const a = new Stack({ clock: new ManualClock() });
    await a.close();
    expect(() => a.openRawIp(1, () => {})).toThrow(StackError);
  });
});

describe('a program that closes its stacks exits on its own', () => {
  it('two stacks on a pair with a RealClock, a control server and client, events, raw and frame observers, a ping in flight', async () => {
    const r = await runChild([join(ROOT, 'test', 'helpers', 'lifecycle_child.mjs'), 'pair']);
    expect(r.err).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({
      received: 2,
      pendingTransmitted: 1,
      pendingReceived: 0,
      queuePurged: 1,
      rawClosed: true,
      socketLeft: false,
    });
    expect(res.events.slice(-2)).toEqual(['link down', 'link unregister']);
    expect(res.frames).toBeGreaterThanOrEqual(5);
    expect(r.exitAfterFirstLineMs).toBeLessThan(3000);
  });
});
