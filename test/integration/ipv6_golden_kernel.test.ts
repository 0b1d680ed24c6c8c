// `tapstack ip -6 addr|route|neigh|ntable` next to the kernel's `ip -6 ...` for the same setup seen
// from the other end of the TAP: the kernel (fd00::1, MAC K) and tapstack (fd00::2, MAC T) both
// run DAD, then each pings the other's global and link-local address from an empty table. What
// each prints about itself and its peer must be the other's output with the roles swapped; only
// the random parts (reachable_time, NUD timing) and the device's own link line are set aside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { Ipv6Child, kernelAddrLines, kernelIpv6On, mirrorText } from '../helpers/ipv6_kernel.js';

const K = { mac: '02:00:00:00:0b:01', addr: 'fd00::1', ll: 'fe80::ff:fe00:b01' };
const T = { mac: '02:00:00:00:0a:01', addr: 'fd00::2', ll: 'fe80::ff:fe00:a01' };
const PAIRS: [string, string][] = [
  [K.mac, T.mac],
  [K.addr, T.addr],
  [K.ll, T.ll],
  ['ff02::1:ff00:1', 'ff02::1:ff00:2'],
  ['ff02::1:ff00:b01', 'ff02::1:ff00:a01'],
  ['33:33:ff:00:00:01', '33:33:ff:00:00:02'],
  ['33:33:ff:00:0b:01', '33:33:ff:00:0a:01'],
];
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** NUD states whose timing differs between the two sides. */
const VALID = /\b(REACHABLE|STALE|DELAY|PROBE)\b/g;
const sorted = (s: string): string => s.split('\n').filter(Boolean).sort().join('\n');

describe.runIf(canRunKernelTests(['ip', 'ping']))('tapstack ip -6 ... against the kernel\'s ip -6 ... (mirrored setup)', () => {
  let ns: Netns;
  let st: Ipv6Child;
  const name = `tsv6g${process.pid}`;
  /** `tapstack ip ARGS` against the stack, in the namespace: its stdout (exit status 0 required). */
  const tip = (args: string): string => {
    const r = ns.try(`${process.execPath} ${CLI} --name ${name} ip ${args}`);
    if (r.status !== 0) throw new Error(`tapstack ip ${args}: exit ${r.status}\n${r.out}${r.err}`);
    return r.out;
  };
  const kip = (args: string): string => ns.sh(`ip ${args}`);
  /** Status, stdout and stderr of `tapstack ip ARGS` / `ip ARGS`. */
  const tipAll = (args: string): string => {
    const r = ns.try(`${process.execPath} ${CLI} --name ${name} ip ${args}`);
    return `${r.status}|${r.out}|${r.err}`;
  };
  const kipAll = (args: string): string => {
    const r = ns.try(`ip ${args}`);
    return `${r.status}|${r.out}|${r.err}`;
  };
  /** What `ip -6 neigh flush ...` printed on each side during the setup: [tapstack, kernel]. */
  const flushOut: [string, string][] = [];

  beforeAll(async () => {
    ns = Netns.create('tsv6g');
    st = Ipv6Child.start(ns);
    await st.call('start', { dev: 'tap0', mac: T.mac, sysctl: { 'net.ipv6.conf.tap0.router_solicitations': 0 }, addrs: [`${T.addr}/64`] });
    await st.call('listen', { name });
    ns.sh(`ip link set tap0 address ${K.mac}`);
    kernelIpv6On(ns, 'tap0', { router_solicitations: 0 });
    ns.sh(`ip addr add ${K.addr}/64 dev tap0`);
    await waitFor('both sides out of DAD', async () => {
      const mine = (await st.call('addresses')) as { flagWords: string[] }[];
      const kern = kip('-6 addr show dev tap0');
      return mine.length === 2 && mine.every((a) => a.flagWords.length === 0) && kern.includes(K.ll) && !kern.includes('tentative');
    }, 10000);
    // MLD reports (robustness 2, within 1 s, repeated once the link-local is valid) make ff02::16
    // entries: let both sides finish them first.
    await new Promise((r) => setTimeout(r, 2500));
    // Empty tables, multicast entries included (`nud all` spares NOARP when flushing, so `nud
    // noarp` too), flushed by both `ip`s; then the same pings each way from empty tables.
    for (const args of ['-s -6 neigh flush dev tap0 nud all', '-s -6 neigh flush dev tap0 nud noarp']) flushOut.push([tipAll(args), kipAll(args)]);
    ns.sh(`ping -6 -c 1 -W 3 ${T.addr} && ping -6 -c 1 -W 3 ${T.ll}%tap0`);
    flushOut.push([tipAll('-s -6 neigh flush dev tap0'), kipAll('-s -6 neigh flush dev tap0')]);
    for (const dst of [K.addr, `${K.ll}%tap0`]) expect((await st.call('ping', { dst, count: 1, timeout: 3 })).received).toBe(1);
  }, 30000);

  afterAll(() => {
    st?.kill();
    ns?.destroy();
  });

  it('ip -6 addr show dev tap0: the same inet6 lines (the link line: same flags and MTU)', () => {
    const [t, k] = [tip('-6 addr show dev tap0'), kip('-6 addr show dev tap0')];
    expect(kernelAddrLines(t)).toBe(mirrorText(kernelAddrLines(k), PAIRS));
    expect(kernelAddrLines(t)).toBe(
      `    inet6 ${T.addr}/64 scope global \n       valid_lft forever preferred_lft forever\n    inet6 ${T.ll}/64 scope link \n       valid_lft forever preferred_lft forever\n`,
    );
    const link = /^\d+: tap0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 /;
    expect(t).toMatch(link);
    expect(k).toMatch(link);
  });

  it('ip -j -6 addr show dev tap0: the same addr_info objects', () => {
    const info = (s: string): unknown => JSON.parse(s)[0].addr_info;
    expect(info(tip('-j -6 addr show dev tap0'))).toEqual(JSON.parse(mirrorText(JSON.stringify(info(kip('-j -6 addr show dev tap0'))), PAIRS)));
  });

  it('ip -6 route, ip -j -6 route, ip -6 route show table all dev tap0: the same', () => {
    expect(tip('-6 route')).toBe(mirrorText(kip('-6 route'), PAIRS));
    expect(tip('-6 route')).toBe('fd00::/64 dev tap0 proto kernel metric 256 pref medium\nfe80::/64 dev tap0 proto kernel metric 256 pref medium\n');
    expect(tip('-j -6 route')).toBe(mirrorText(kip('-j -6 route'), PAIRS));
    expect(tip('-6 route show table all dev tap0')).toBe(mirrorText(kip('-6 route show table all dev tap0'), PAIRS));
  });

  it('ip -6 route get: the peer and our own address', () => {
    for (const [mine, peer] of [[T.addr, K.addr], [K.addr, T.addr]]) {
      expect(tip(`-6 route get ${mine}`)).toBe(mirrorText(kip(`-6 route get ${peer}`), PAIRS));
    }
    expect(tip(`-6 route get ${K.addr}`)).toBe(`${K.addr} from :: dev tap0 proto kernel src ${T.addr} metric 256 pref medium\n`);
  });

  it('ip -6 neigh flush [nud all | nud noarp] says what the kernel\'s ip says', () => {
    expect(flushOut.map(([t, k]) => [t, mirrorText(k, PAIRS)])).toEqual(flushOut.map(([t]) => [t, t]));
    expect(flushOut[0][1]).toBe('0|Nothing to flush.\n|');
    // 3 multicast entries each (own DAD groups and ff02::16), then the 2 learnt peers.
    expect(flushOut[1][0]).toBe('0|\n*** Round 1, deleting 3 entries ***\n*** Flush is complete after 1 round ***\n|');
    expect(flushOut[2][0]).toBe('0|\n*** Round 1, deleting 2 entries ***\n*** Flush is complete after 1 round ***\n|');
  });

  it('ip -6 neigh show [nud all | dev tap0], ip -j -6 neigh: the same entries (NUD state timing aside)', () => {
    for (const args of ['-6 neigh show', '-6 neigh show nud all', '-6 neigh show dev tap0']) {
      const t = sorted(tip(args));
      expect(t.replace(VALID, 'VALID'), args).toBe(sorted(mirrorText(kip(args), PAIRS)).replace(VALID, 'VALID'));
    }
    expect(sorted(tip('-6 neigh show nud all')).replace(VALID, 'VALID')).toBe(
      sorted(
        [
          `${K.addr} dev tap0 lladdr ${K.mac} VALID `,
          `${K.ll} dev tap0 lladdr ${K.mac} VALID `,
          'ff02::1:ff00:1 dev tap0 lladdr 33:33:ff:00:00:01 NOARP ',
          'ff02::1:ff00:b01 dev tap0 lladdr 33:33:ff:00:0b:01 NOARP ',
        ].join('\n'),
      ),
    );
    const j = (s: string): unknown[] => (JSON.parse(s) as { dst: string; state: string[] }[]).map((e) => ({ ...e, state: e.state.map((x) => x.replace(VALID, 'VALID')) })).sort((a, b) => a.dst.localeCompare(b.dst));
    expect(j(tip('-j -6 neigh show'))).toEqual(j(mirrorText(kip('-j -6 neigh show'), PAIRS)));
  });

  it('ip -6 ntable show dev tap0: the same parameters (refcnt and the random reachable_time aside)', () => {
    const shape = (s: string): string => s.replace(/refcnt \d+ reachable \d+/, 'refcnt N reachable N');
    const [t, k] = [tip('-6 ntable show dev tap0'), kip('-6 ntable show dev tap0')];
    expect(shape(t)).toBe(shape(k));
    const r = Number(/reachable (\d+)/.exec(t)![1]);
    expect(r).toBeGreaterThanOrEqual(15000);
    expect(r).toBeLessThan(45000);
    // refcnt: 1 + the entries using the device's parms (4 on each side).
    expect(t).toContain('refcnt 5 ');
    expect(k).toContain('refcnt 5 ');
  });
});
