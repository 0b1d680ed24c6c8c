// stack.events(): the async iterator of neighbour and device events, its filter, buffering and
// ends (signal, break, close); and the 'link' events the Stack raises from the netdev notifier.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { StackError } from '../../src/core/errno.js';
import { EventIterator } from '../../src/core/event_iter.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { LinkEvent, Stack, StackEvent } from '../../src/stack.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(() => closeStacks());

function setup(): { clock: ManualClock; A: Stack; B: Stack; pa: PairDevice; pb: PairDevice } {
  const { clock, A, B, ea, eb } = twoStacks({ names: ['pa', 'pb'], attach: false });
  return { clock, A, B, pa: ea, pb: eb };
}

function up(e: ReturnType<typeof setup>): void {
  e.A.addDevice(e.pa);
  e.B.addDevice(e.pb);
  e.A.addAddress(e.pa, '10.0.0.1/24');
  e.B.addAddress(e.pb, '10.0.0.2/24');
}

/** Reads what is buffered now, without waiting for more. */
async function drain(it: AsyncIterator<StackEvent>): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = await Promise.race([it.next(), new Promise<null>((res) => setTimeout(() => res(null), 5))]);
    if (r === null || r.done) return out;
    out.push(describeEv(r.value));
  }
}

function describeEv(e: StackEvent): string {
  if (e.type === 'link') return `link ${e.change} ${e.link.name}`;
  if ('addr' in e) return `${e.type} ${e.addr.local}/${e.addr.prefixLen} ${e.addr.flagWords.join(',')}`;
  return `${e.type} ${e.neigh.dst} ${e.neigh.stateNames.join(',')}`;
}

describe('stack.events()', () => {
  it('yields neighbour and link events in order, buffered until read', async () => {
    const env = setup();
    const it = env.A.events();
    up(env);
    const r = env.A.ping('10.0.0.2', { count: 1, timeout: 0 });
    await r;
    expect(await drain(it)).toEqual(['link register pa', 'link up pa', 'newneigh 10.0.0.2 REACHABLE']);
    await it.return!();
  });

  it('filters by type', async () => {
    const env = setup();
    const links = env.A.events(['link']);
    const neigh = env.A.events(['delneigh']);
    up(env);
    await env.A.ping('10.0.0.2', { count: 1, timeout: 0 });
    env.A.neighDel({ dst: '10.0.0.2', dev: 'pa' });
    expect(await drain(links)).toEqual(['link register pa', 'link up pa']);
    // As Linux: neigh_del sets FAILED before the RTM_DELNEIGH.
    expect(await drain(neigh)).toEqual(['delneigh 10.0.0.2 FAILED']);
  });

  it('a miss event for app probes', async () => {
    const env = setup();
    up(env);
    env.A.ntableChange({ dev: 'pa', parms: { appProbes: 1, mcastProbes: 0 } });
    const it = env.A.events(['miss']);
    void env.A.ping('10.0.0.99', { count: 1, timeout: 0 });
    expect(await drain(it)).toEqual(['miss 10.0.0.99 INCOMPLETE']);
  });

  it('refuses unknown types and a zero buffer with EINVAL', () => {
    const { A } = setup();
    expect(() => A.events(undefined, { maxBuffered: 0 })).toThrow(StackError);
    expect(() => A.events(['bogus' as 'link'])).toThrow(StackError);
    try {
      A.events(['bogus' as 'link']);
    } catch (e) {
      expect((e as StackError).errno).toBe(-22);
    }
  });

  it('a pending next() is resolved by the next event', async () => {
    const env = setup();
    const it = env.A.events(['link']);
    const p = it.next();
    env.A.addDevice(env.pa, { up: false });
    const r = await p;
    expect(r.done).toBe(false);
    expect(describeEv(r.value as StackEvent)).toBe('link register pa');
  });

  it('ends when the signal aborts: pending next() resolves done, the buffer is dropped, listeners go', async () => {
    const env = setup();
    const ac = new AbortController();
    const it = env.A.events(undefined, { signal: ac.signal });
    up(env);
    expect(env.A.listenerCount('link')).toBe(1);
    ac.abort();
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(env.A.listenerCount('link')).toBe(0);
    expect(env.A.listenerCount('neigh')).toBe(0);
    expect(env.A.listenerCount('close')).toBe(0);
    // An already aborted signal yields an ended iterator.
    expect(await env.A.events(undefined, { signal: ac.signal }).next()).toEqual({ value: undefined, done: true });
  });

  it('break in for await detaches it', async () => {
    const env = setup();
    up(env);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const ev of env.A.events(['link'])) {
        seen.push(describeEv(ev));
        break;
      }
    })();
    env.A.linkSet('pa', { mtu: 1400 });
    await loop;
    expect(seen).toEqual(['link mtu pa']);
    expect(env.A.listenerCount('link')).toBe(0);
  });

  it('ends after close, delivering the events of the close itself first', async () => {
    const env = setup();
    up(env);
    await env.A.ping('10.0.0.2', { count: 1, timeout: 0 });
    const it = env.A.events();
    const all: string[] = [];
    const loop = (async () => {
      for await (const ev of it) all.push(describeEv(ev));
    })();
    await env.A.close();
    await loop;
    expect(all).toEqual(['delneigh 10.0.0.2 REACHABLE', 'link down pa', 'link unregister pa']);
    // After close: an ended iterator at once.
    expect(await env.A.events().next()).toEqual({ value: undefined, done: true });
  });

  it('maxBuffered drops the oldest and counts them', async () => {
    const env = setup();
    const it = env.A.events(['link'], { maxBuffered: 2 });
    up(env);
    env.A.linkSet('pa', { mtu: 1400 });
    expect(it.dropped).toBe(1);
    expect(await drain(it)).toEqual(['link up pa', 'link mtu pa']);
  });
});

describe("'link' events from the netdev notifier", () => {
  it('up, down, carrier, address, mtu, flags, unregister — with the device as it is after the change', () => {
    const env = setup();
    up(env);
    const evs: LinkEvent[] = [];
    env.A.on('link', (e: LinkEvent) => evs.push(e));
    env.A.linkSet('pa', { address: '02:aa:00:00:00:09' });
    env.A.linkSet('pa', { mtu: 1280 });
    env.A.linkSet('pa', { arp: false });
    env.A.net.netifCarrierOff(env.pa);
    env.A.net.netifCarrierOn(env.pa);
    env.A.linkSet('pa', { up: false });
    env.A.linkSet('pa', { up: true });
    env.A.net.unregisterNetdevice(env.pa);
    expect(evs.map((e) => e.change)).toEqual(['address', 'mtu', 'flags', 'carrier', 'carrier', 'down', 'up', 'down', 'unregister']);
    expect(evs[0].link).toMatchObject({ name: 'pa', address: '02:aa:00:00:00:09', addrs: ['10.0.0.1/24'] });
    expect(evs[1].link.mtu).toBe(1280);
    expect(evs[2].link.noarp).toBe(true);
    expect(evs[3].link.carrier).toBe(false);
    expect(evs[4].link.carrier).toBe(true);
    expect(evs[5].link.up).toBe(false);
    expect(evs[6].link.up).toBe(true);
  });

  it('nothing is built while nobody listens', () => {
    const env = setup();
    up(env);
    let built = 0;
    const orig = env.A.links.bind(env.A);
    env.A.links = () => {
      built++;
      return orig();
    };
    env.A.linkSet('pa', { mtu: 1300 });
    expect(built).toBe(0);
    expect(env.A.listenerCount('link')).toBe(0);
  });
});

describe('EventIterator', () => {
  it('end() without discard still delivers what is buffered, then done', async () => {
    const it = new EventIterator<number>();
    it.push(1);
    it.push(2);
    it.end();
    it.push(3);
    expect([await it.next(), await it.next(), await it.next()]).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: undefined, done: true },
    ]);
  });

  it('keeps memory bounded under a long stream', async () => {
    const it = new EventIterator<number>();
    for (let i = 0; i < 5000; i++) {
      it.push(i);
      it.push(i);
      await it.next();
    }
    expect(it.buffered).toBe(5000);
    let n = 0;
    while (it.buffered) {
      await it.next();
      n++;
    }
    expect(n).toBe(5000);
  });
});

describe('stack.events() with IPv6 addresses', () => {
  it('yields newaddr when an address is added and when its DAD completes, deladdr when it goes', async () => {
    const clock = new ManualClock();
    const stack = new Stack({ clock, random: () => 0.5 });
    const [a] = createPair('a0', 'b0', Buffer.from('020000000001', 'hex'), Buffer.from('020000000002', 'hex'));
    stack.addDevice(a, { up: false });
    const it = stack.events(['newaddr', 'deladdr']);
    stack.addAddress(a, 'fd00::1/64');
    stack.linkSet(a, { up: true });
    clock.advance(3000);
    stack.delAddress(a, 'fd00::1/64');
    const got = await drain(it);
    expect(got).toEqual([
      'newaddr fd00::1/64 tentative',
      'newaddr fe80::ff:fe00:1/64 tentative',
      'newaddr fd00::1/64 ',
      'newaddr fe80::ff:fe00:1/64 ',
      'deladdr fd00::1/64 ',
    ]);
    await stack.close();
  });
});
