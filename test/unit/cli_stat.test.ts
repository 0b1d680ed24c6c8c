// `tapstack stat`: counters flattened to NAME VALUE, non-zero by default, patterns, -a, -j.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { flattenCounters, statCommand } from '../../src/cli/stat.js';
import { bufferIO } from '../../src/cli/io.js';
import { Stack } from '../../src/stack.js';

let done: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of done) await d();
  done = [];
});

function setup(): { stack: Stack; ch: LocalChannel; frame: (b: Buffer) => void } {
  const stack = new Stack({ clock: new ManualClock() });
  const [a] = createPair('tap0', 'peer0', Buffer.from('020000000001', 'hex'));
  stack.addDevice(a);
  stack.addAddress(a, '10.0.0.1/24');
  const ch = new LocalChannel(new ControlHandler(stack));
  done.push(async () => {
    ch.close();
    await stack.close();
  });
  return { stack, ch, frame: (b) => a.receiveFrame(b) };
}

/** A broadcast ARP frame with opcode `op` asking for 10.0.0.1. */
const arp = (op: number): Buffer =>
  Buffer.from(`ffffffffffff020000000009080600010800060400${op.toString(16).padStart(2, '0')}0200000000090a0000090000000000000a000001`, 'hex');

describe('tapstack stat', () => {
  it('prints non-zero counters as NAME VALUE, drops under their own names', async () => {
    const { ch, frame } = setup();
    frame(arp(7));
    frame(arp(7));
    frame(Buffer.from('ffffffffffff02000000000988b5', 'hex')); // unknown ethertype, runt payload
    const io = bufferIO();
    expect(await statCommand([], ch, io)).toBe(0);
    expect(io.stdout).toBe(
      'arp.drops.badOpcode     2\n' +
        'core.rxNoHandler        1\n' +
        'dev.tap0.rxPackets      3\n' +
        'dev.tap0.rxBytes        98\n' +
        'dev.tap0.rxDropped      1\n',
    );
  });

  it('patterns select by shell glob; -a keeps zeros; -j is the raw JSON', async () => {
    const { ch, frame } = setup();
    frame(arp(7));
    const io = bufferIO();
    await statCommand(['-a', 'arp.drops.bad*'], ch, io);
    expect(io.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual([
      'arp.drops.badHln', 'arp.drops.badPln', 'arp.drops.badHrdOrPro', 'arp.drops.badOpcode',
    ]);
    const j = bufferIO();
    await statCommand(['-j'], ch, j);
    expect(JSON.parse(j.stdout).arp.drops.badOpcode).toBe(1);
  });

  it('flattenCounters names devices dev.NAME.* and skips the stats/driver levels', () => {
    expect(flattenCounters({ devices: [{ name: 'tap0', stats: { rxPackets: 2 }, driver: { rxRunt: 1 } }], ip: { drops: { otherhost: 3 } } })).toEqual([
      ['dev.tap0.rxPackets', 2], ['dev.tap0.rxRunt', 1], ['ip.drops.otherhost', 3],
    ]);
  });

  it('a pattern that names no counter is an error (status 1); one that names only zero counters prints nothing (status 0)', async () => {
    const { ch } = setup();
    const io = bufferIO();
    expect(await statCommand(['nosuchcounter', 'arp.drops.*', 'ip.*Nope'], ch, io)).toBe(1);
    expect([io.stdout, io.stderr]).toEqual([
      '',
      "tapstack stat: no counter matches 'nosuchcounter' (tapstack stat -a lists them all)\n" +
        "tapstack stat: no counter matches 'ip.*Nope' (tapstack stat -a lists them all)\n",
    ]);
    const zero = bufferIO();
    expect(await statCommand(['arp.drops.badOpcode'], ch, zero)).toBe(0);
    expect([zero.stdout, zero.stderr]).toEqual(['', '']);
  });

  it('a bad option is a usage error (status 2)', async () => {
    const { ch } = setup();
    const io = bufferIO();
    expect(await statCommand(['-x'], ch, io)).toBe(2);
    expect(io.stderr).toMatch(/^tapstack stat: unknown option '-x'\nUsage: tapstack stat/);
  });
});
