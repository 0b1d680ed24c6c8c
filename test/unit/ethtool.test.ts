// `tapstack ethtool -k/-K` and the library's features()/setFeatures(): the formatter against
// ethtool 6.1's output for a Linux 6.18 TAP (test/golden/ethtool, scripts/capture-golden-ethtool.sh),
// the feature rules through -K, and the command's errors and exit statuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { type DeviceFeature, KERNEL_FEATURES, LEGACY_FLAGS, expandFeatureName } from '../../src/core/ethtool_features.js';
import { NETIF_F_GRO, NETIF_F_GRO_HW, NETIF_F_GSO, NETIF_F_HW_CSUM, NETIF_F_RXCSUM, NETIF_F_SG, NETIF_F_TSO, NETIF_F_TSO6 } from '../../src/core/netdev_features.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { ethtoolCommand, formatFeatureChanges, formatFeatures } from '../../src/cli/ethtool.js';
import { bufferIO } from '../../src/cli/io.js';
import { createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';

const GOLDEN = join(__dirname, '..', 'golden', 'ethtool');
const golden = (f: string): string => readFileSync(join(GOLDEN, f), 'utf8');

/** The features an `ethtool -k` listing shows, in kernel order (group lines name their one member). */
function parseK(text: string): DeviceFeature[] {
  const byName = new Map<string, DeviceFeature>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^\t?([^:]+): (on|off)(?: \[(fixed|requested on|requested off)\])?$/.exec(line);
    if (!m) continue;
    let name = m[1];
    const flag = LEGACY_FLAGS.find((f) => f.long === name);
    if (flag) {
      const members = KERNEL_FEATURES.filter(flag.match);
      if (members.length > 1) continue;
      name = members[0];
    }
    const active = m[2] === 'on';
    byName.set(name, { name, active, wanted: m[3]?.startsWith('requested') ? m[3] === 'requested on' : active, fixed: m[3] === 'fixed' });
  }
  return KERNEL_FEATURES.map((n) => byName.get(n)!);
}

describe('ethtool -k format (goldens of a Linux 6.18 TAP, ethtool 6.1)', () => {
  it.each(['k-offload.txt', 'k-tsooff.txt', 'k-txoff.txt', 'k-tsoon-txoff.txt', 'k-plain.txt'])('%s is reproduced byte for byte', (f) => {
    const text = golden(f);
    const features = parseK(text);
    expect(features.every((x) => x !== undefined)).toBe(true); // every line maps to a known feature
    expect(formatFeatures(/^Features for (\S+):/.exec(text)![1], features)).toBe(text);
  });
});

describe('ethtool -K "Actual changes" (the same TAP, one request after another)', () => {
  const req = (...pairs: [string, boolean][]): Map<string, boolean> => new Map(pairs.flatMap(([n, on]) => expandFeatureName(n)!.map((k) => [k, on] as [string, boolean])));
  const change = (from: string, to: string) => ({ before: parseK(golden(from)), after: parseK(golden(to)), err: 0, dropped: [] });
  it('tso off, everything as asked: nothing printed', () => {
    expect(formatFeatureChanges(change('k-offload.txt', 'k-tsooff.txt'), req(['tso', false]))).toBe('');
  });
  it('tx off: the change, and the one nobody asked for', () => {
    expect(formatFeatureChanges(change('k-tsooff.txt', 'k-txoff.txt'), req(['tx', false]))).toBe('Actual changes:\ntx-checksum-ip-generic: off\ntx-udp-segmentation: off [not requested]\n');
  });
  it('tso on without tx: every member asked for in vain', () => {
    const want = golden('K-cases.txt').split('### ethtool -K tap0 tso on\nrc=1\n--stdout\n')[1].split('--stderr')[0];
    expect(formatFeatureChanges(change('k-txoff.txt', 'k-tsoon-txoff.txt'), req(['tso', true]))).toBe(want);
  });
});

describe('the legacy names', () => {
  it('expand to their kernel features in bit order; a kernel name is itself; anything else is null', () => {
    expect(expandFeatureName('tso')).toEqual(['tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-tcp-accecn-segmentation']);
    expect(expandFeatureName('tcp-segmentation-offload')).toEqual(expandFeatureName('tso'));
    expect(expandFeatureName('tx')).toEqual(['tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'tx-checksum-fcoe-crc', 'tx-checksum-sctp']);
    expect(expandFeatureName('sg')).toEqual(['tx-scatter-gather', 'tx-scatter-gather-fraglist']);
    expect(expandFeatureName('rx')).toEqual(['rx-checksum']);
    expect(expandFeatureName('gro')).toEqual(['rx-gro']);
    expect(expandFeatureName('rx-gro-hw')).toEqual(['rx-gro-hw']);
    expect(expandFeatureName('foo')).toBeNull();
  });
});

let done: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of done) await d();
  done = [];
});

/** A stack whose tap0 offers what a TAP with offloads offers tapstack. */
function setup() {
  const stack = new Stack({ clock: new ManualClock() });
  const [a] = createPair('tap0', 'peer0');
  stack.addDevice(a);
  const hw = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_GSO | NETIF_F_GRO | NETIF_F_RXCSUM | NETIF_F_GRO_HW;
  a.hwFeatures = a.wantedFeatures = a.features = hw;
  const ch = new LocalChannel(new ControlHandler(stack));
  done.push(async () => {
    ch.close();
    await stack.close();
  });
  const run = async (...argv: string[]) => {
    const io = bufferIO();
    const status = await ethtoolCommand(argv, ch, io);
    return { status, out: io.stdout, err: io.stderr };
  };
  return { stack, dev: a, run };
}

const on = (stack: Stack, name: string): boolean => stack.features('tap0').find((f) => f.name === name)!.active;

describe('stack.setFeatures: netdev_fix_features through -K', () => {
  it('tx off takes TSO with it (no CSUM), and tx on brings it back, as it is still wanted', () => {
    const { stack } = setup();
    const r = stack.setFeatures('tap0', { tx: false });
    expect(r.dropped).toContain('Dropping TSO features since no CSUM feature.');
    expect([on(stack, 'tx-tcp-segmentation'), on(stack, 'tx-tcp6-segmentation')]).toEqual([false, false]);
    stack.setFeatures('tap0', { tx: true });
    expect(on(stack, 'tx-tcp-segmentation')).toBe(true);
  });
  it('sg off takes GSO and TSO (Linux 6.18 on a TAP); gro off takes rx-gro-hw', () => {
    const { stack } = setup();
    stack.setFeatures('tap0', { sg: false });
    expect(['tx-generic-segmentation', 'tx-tcp-segmentation'].map((n) => on(stack, n))).toEqual([false, false]);
    stack.setFeatures('tap0', { sg: true, gro: false });
    expect(['tx-generic-segmentation', 'tx-tcp-segmentation', 'rx-gro', 'rx-gro-hw'].map((n) => on(stack, n))).toEqual([true, true, false, false]);
  });
  it('a fixed feature stays off; an unknown name changes nothing and throws EOPNOTSUPP', () => {
    const { stack, dev } = setup();
    stack.setFeatures('tap0', { 'rx-vlan-filter': true });
    expect(on(stack, 'rx-vlan-filter')).toBe(false);
    const before = dev.features;
    expect(() => stack.setFeatures('tap0', { tso: false, foo: true })).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
    expect(dev.features).toBe(before);
  });
});

describe('tapstack ethtool', () => {
  it('-k prints the features; -K tso off is silent with status 0, and TSO is off', async () => {
    const { run, dev } = setup();
    const k = await run('-k', 'tap0');
    expect(k.status).toBe(0);
    expect(k.out).toMatch(/^Features for tap0:\nrx-checksumming: on\ntx-checksumming: on\n\ttx-checksum-ipv4: off \[fixed\]\n\ttx-checksum-ip-generic: on\n/);
    expect(k.out).toContain('tcp-segmentation-offload: on\n\ttx-tcp-segmentation: on\n\ttx-tcp-ecn-segmentation: off [fixed]\n');
    expect(k.out).toContain('\nrx-gro-hw: on\n');
    expect(await run('-K', 'tap0', 'tso', 'off')).toEqual({ status: 0, out: '', err: '' });
    expect(dev.features & (NETIF_F_TSO | NETIF_F_TSO6)).toBe(0);
    // Again: already so — status 0, nothing printed.
    expect(await run('-K', 'tap0', 'tso', 'off')).toEqual({ status: 0, out: '', err: '' });
  });
  it('-K tx off shows the TSO and checksum changes; tso on then is refused as ethtool refuses it', async () => {
    const { run } = setup();
    expect(await run('-K', 'tap0', 'tx', 'off')).toEqual({
      status: 0,
      out: 'Actual changes:\ntx-checksum-ip-generic: off\ntx-tcp-segmentation: off [not requested]\ntx-tcp6-segmentation: off [not requested]\n',
      err: '',
    });
    const r = await run('-K', 'tap0', 'tso', 'on');
    expect(r.status).toBe(1);
    expect(r.err).toBe('Could not change any device features\n');
    expect(r.out).toBe('Actual changes:\ntx-tcp-segmentation: off [requested on]\ntx-tcp-ecn-segmentation: off [requested on]\ntx-tcp-mangleid-segmentation: off [requested on]\ntx-tcp6-segmentation: off [requested on]\ntx-tcp-accecn-segmentation: off [requested on]\n');
  });
  it("errors as ethtool 6.1 prints them (test/golden/ethtool/K-cases.txt)", async () => {
    const { run } = setup();
    expect(await run('-K', 'tap0', 'foo', 'on')).toEqual({ status: 92, out: '', err: 'netlink error: bit name not found (offset 56)\nnetlink error: Operation not supported\n' });
    expect((await run('-K', 'tap0', 'gro', 'off', 'foo', 'on')).err).toContain('(offset 72)');
    expect((await run('-K', 'tap0', 'tso', 'off', 'foo', 'on')).err).toContain('(offset 224)');
    expect((await run('-K', 'tap0', 'gro', 'on', 'foo', 'on')).err).toContain('(offset 76)');
    expect((await run('-K', 'tap0', 'rx', 'on', 'foo', 'on')).err).toContain('(offset 80)');
    expect(await run('-K', 'tap0', 'tso')).toEqual({ status: 1, out: '', err: "ethtool (-K): flag '(null)' for parameter '(null)' is not followed by 'on' or 'off'\n" });
    expect(await run('-K', 'tap0', 'tso', 'maybe')).toEqual({ status: 1, out: '', err: "ethtool (-K): flag 'maybe' for parameter '(null)' is not followed by 'on' or 'off'\n" });
    expect(await run('-K', 'tap0')).toEqual({ status: 1, out: '', err: 'Could not change any device features\n' });
    expect(await run('-k', 'nosuch')).toEqual({ status: 1, out: '', err: 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n' });
    expect(await run('-K', 'nosuch', 'tso', 'off')).toEqual({ status: 92, out: '', err: 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n' });
    expect(await run('-k')).toEqual({ status: 1, out: '', err: 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n' });
    const rvf = await run('-K', 'tap0', 'rx-vlan-filter', 'on');
    expect(rvf).toEqual({ status: 1, out: 'Actual changes:\nrx-vlan-filter: off [requested on]\n', err: 'Could not change any device features\n' });
  });
  it('refuses the ethtool commands it does not have', async () => {
    const { run } = setup();
    const r = await run('-S', 'tap0');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/-S is not supported/);
  });
});
