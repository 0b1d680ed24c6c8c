// A program that runs a Stack on a real TAP (kernel as the peer), pings, closes and returns must
// exit on its own within a few seconds: close() leaves no timer, poll handle or socket behind.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests } from '../helpers/netns.js';
import { runChild } from '../helpers/child.js';

const enabled = canRunKernelTests(['ip']);

describe.skipIf(!enabled)('lifecycle on a TAP', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('tslc');
  });
  afterAll(() => ns?.destroy());

  it('pings the kernel, closes (ping in flight, control client connected), the TAP goes and the process exits by itself', async () => {
    const r = await runChild([join(ROOT, 'test', 'helpers', 'lifecycle_child.mjs'), 'tap', 'lct0'], {
      wrap: ['ip', 'netns', 'exec', ns.name],
    });
    expect(r.err).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({ received: 2, pendingTransmitted: 1, queuePurged: 1, rawClosed: true, socketLeft: false, created: true });
    expect(res.events).toEqual(['newneigh', 'delneigh', 'delneigh', 'link down', 'link unregister']);
    expect(r.exitAfterFirstLineMs).toBeLessThan(3000);
    // The TAP the program created went with it.
    expect(ns.try('ip link show lct0').status).not.toBe(0);
  });
});
