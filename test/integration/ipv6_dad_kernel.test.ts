// Duplicate Address Detection between tapstack and the kernel through a TAP: tapstack's DAD NS is
// the kernel's (from ::, no SLLAO, nonce), tapstack defends its address so that the kernel's copy
// becomes `dadfailed`, detects the kernel's address by its NA and by its DAD NS (its own copy
// then `dadfailed tentative`, the kernel's log line on the Stack's 'log' event), and the two
// sides' `ip -6 addr` and routes come out as mirror images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRoute6Show } from '../../src/cli/fmt_route6.js';
import { Netns, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { DumpFrame, Ipv6Child, Tcpdump, hexGroups, ipAddrLines, kernelAddrLines, kernelIpv6On, mirrorFrame, mirrorText, ndOptions, parseIcmp6Frame } from '../helpers/ipv6_kernel.js';

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

interface Nd {
  f: DumpFrame;
  type: number;
  ethSrc: string;
  ethDst: string;
  src: Buffer;
  dst: Buffer;
  target: Buffer;
  flags: number;
  opts: [number, Buffer][];
}

function nd(f: DumpFrame): Nd | null {
  const p = parseIcmp6Frame(f.bytes);
  if (!p || (p.type !== 135 && p.type !== 136)) return null;
  return { f, type: p.type, ethSrc: p.ethSrc, ethDst: p.ethDst, src: p.src, dst: p.dst, target: p.body.subarray(8, 24), flags: p.body[4], opts: ndOptions(p.body, 24) };
}

const hex = (s: string): string => {
  const [h, t] = s.split('::');
  const a = h ? h.split(':') : [];
  const b = t ? t.split(':') : [];
  return [...a, ...Array(8 - a.length - b.length).fill('0'), ...b].map((g) => g.padStart(4, '0')).join('');
};
const is = (b: Buffer, addr: string): boolean => b.toString('hex') === hex(addr);

/** A DAD NS for `target`: from ::, to its solicited-node group. */
const dadNs = (x: Nd, target: string): boolean => x.type === 135 && is(x.src, '::') && is(x.target, target);
/** A defence NA for `target` (to all-nodes). */
const defenceNa = (x: Nd, target: string): boolean => x.type === 136 && is(x.target, target) && is(x.dst, 'ff02::1');

/** A DAD NS with its nonce replaced by `nonce` (random per run) so two can be compared byte for byte (mirrorFrame then fixes the checksum). */
function withNonce(frame: Buffer, nonce: Buffer): Buffer {
  const out = Buffer.from(frame);
  const p = parseIcmp6Frame(out)!;
  for (const [t, o] of ndOptions(p.body, 24)) if (t === 14) nonce.copy(o, 2);
  return out;
}

describe.runIf(canRunKernelTests(['ip', 'tcpdump']))('IPv6 DAD between tapstack and the kernel', () => {
  let ns: Netns;
  let st: Ipv6Child;
  let dump: Tcpdump;
  const frames = (): Nd[] => dump.frames().map(nd).filter((x): x is Nd => x !== null);
  const kernelAddr = (a: string): { flags: string; json: any } => {
    const j = JSON.parse(ns.sh('ip -j -6 addr show dev tap0'))[0].addr_info.find((x: { local: string }) => x.local === a);
    const line = ns.sh('ip -6 addr show dev tap0').split('\n').find((l) => l.includes(` ${a}/`)) ?? '';
    return { flags: line, json: j };
  };

  beforeAll(async () => {
    ns = Netns.create('tsv6dad');
    // A persistent TAP, up and with IPv6 before tapstack attaches, so that the capture sees
    // tapstack's first DAD NS. The kernel's fd00::1 runs DAD too (as tapstack's fd00::2 does).
    ns.sh(`ip tuntap add tap0 mode tap && ip link set tap0 address ${K.mac} && ip link set tap0 up`);
    kernelIpv6On(ns, 'tap0', { router_solicitations: 0 });
    ns.sh(`ip addr add ${K.addr}/64 dev tap0`);
    dump = await Tcpdump.start(ns, 'tap0', 'icmp6');
    st = Ipv6Child.start(ns);
    await st.call('start', { dev: 'tap0', mac: T.mac, sysctl: { 'net.ipv6.conf.tap0.router_solicitations': 0 }, addrs: [`${T.addr}/64`] });
    await waitFor('both sides out of DAD', async () => {
      const mine = (await st.call('addresses')) as { flagWords: string[] }[];
      const kern = ns.sh('ip -6 addr show dev tap0');
      return mine.length === 2 && mine.every((a) => a.flagWords.length === 0) && kern.includes(K.ll) && !kern.includes('tentative');
    }, 10000);
  }, 30000);

  afterAll(async () => {
    await dump?.stop();
    st?.kill();
    ns?.destroy();
  });

  it("tapstack's DAD NS for its link-local is the kernel's byte for byte (from ::, no SLLAO, nonce option), one per address", async () => {
    await dump.settle();
    const f = frames();
    const t = f.filter((x) => dadNs(x, T.ll));
    const k = f.filter((x) => dadNs(x, K.ll));
    expect([t.length, k.length]).toEqual([1, 1]);
    expect(f.filter((x) => dadNs(x, T.addr))).toHaveLength(1);
    expect(t[0].opts.map(([ty, b]) => [ty, b.length])).toEqual([[14, 8]]);
    const nonce = t[0].opts[0][1].subarray(2, 8);
    expect(nonce.equals(Buffer.alloc(6))).toBe(false);
    expect(hexGroups(t[0].f.bytes)).toBe(hexGroups(mirrorFrame(withNonce(k[0].f.bytes, nonce), PAIRS)));
    const p = parseIcmp6Frame(t[0].f.bytes)!;
    expect([p.hopLimit, p.flowLabel, p.ethDst]).toEqual([255, 0, '33:33:ff:00:0a:01']);
    // Nobody answered, so nobody's address failed; each side learnt nothing from the other's DAD.
    expect(st.logs()).toEqual([]);
    expect((await st.call('neigh')).lines.filter((l: string) => !l.includes(' NOARP '))).toEqual([]);
  });

  it("tapstack defends fd00::2 against the kernel's DAD: NA to ff02::1 [override] with TLLAO, the kernel's copy dadfailed", async () => {
    ns.sh(`ip addr add ${T.addr}/64 dev tap0`);
    await waitFor('the kernel to give fd00::2 up', () => kernelAddr(T.addr).flags.includes('dadfailed'), 5000);
    expect(kernelAddr(T.addr).flags).toBe(`    inet6 ${T.addr}/64 scope global dadfailed tentative `);
    expect(kernelAddr(T.addr).json).toMatchObject({ local: T.addr, prefixlen: 64, scope: 'global', dadfailed: true, tentative: true });
    await dump.settle();
    const na = frames().filter((x) => defenceNa(x, T.addr));
    expect(na).toHaveLength(1);
    expect(na[0]).toMatchObject({ ethSrc: T.mac, ethDst: '33:33:00:00:00:01', flags: 0x20 });
    expect(is(na[0].src, T.addr)).toBe(true);
    expect(na[0].opts.map(([ty, b]) => [ty, b.toString('hex')])).toEqual([[2, '0201' + T.mac.replaceAll(':', '')]]);
    // tapstack's own address is untouched; its table learnt nothing from a DAD NS.
    const mine = (await st.call('addresses')).find((a: { local: string }) => a.local === T.addr);
    expect(mine.flagWords).toEqual([]);
    expect((await st.call('neigh')).lines.filter((l: string) => !l.includes(' NOARP '))).toEqual([]);
    // Only the DAD NS the kernel sent for it, with a nonce and no SLLAO.
    const kns = frames().filter((x) => dadNs(x, T.addr) && x.ethSrc === K.mac);
    expect(kns.map((x) => x.opts.map(([ty]) => ty))).toEqual([[14]]);
  });

  it("tapstack detects the kernel's fd00::1 by its NA: dadfailed tentative, the kernel's log line, routes as the kernel keeps them", async () => {
    const sinceEv = st.events.length;
    await st.call('addAddress', { dev: 'tap0', cidr: `${K.addr}/64` });
    await waitFor('tapstack to give fd00::1 up', async () => (await st.call('addresses')).find((a: { local: string }) => a.local === K.addr)?.flagWords.includes('dadfailed'), 5000);
    const mine = (await st.call('addresses')).find((a: { local: string }) => a.local === K.addr);
    expect(mine).toMatchObject({ local: K.addr, prefixLen: 64, scope: 'global', flagWords: ['dadfailed', 'tentative'], validLft: 0xffffffff, preferredLft: 0xffffffff });
    expect(st.logs()).toEqual([`IPv6: tap0: IPv6 duplicate address ${K.addr} used by ${K.mac} detected!`]);
    const ev = st.events.slice(sinceEv).filter((e) => e.event === 'addr' && e.addr.local === K.addr);
    expect(ev.at(-1).addr.flagWords).toEqual(['dadfailed', 'tentative']);
    // The kernel's defence of fd00::1 is the mirror of tapstack's defence of fd00::2.
    await dump.settle();
    const kNa = frames().filter((x) => defenceNa(x, K.addr));
    const tNa = frames().filter((x) => defenceNa(x, T.addr));
    expect([kNa.length, tNa.length]).toEqual([1, 1]);
    expect(hexGroups(tNa[0].f.bytes)).toBe(hexGroups(mirrorFrame(kNa[0].f.bytes, PAIRS)));
    // And tapstack's DAD NS for fd00::1 is the mirror of the kernel's for fd00::2.
    const tNs = frames().filter((x) => dadNs(x, K.addr) && x.ethSrc === T.mac);
    const kNs = frames().filter((x) => dadNs(x, T.addr) && x.ethSrc === K.mac);
    expect([tNs.length, kNs.length]).toEqual([1, 1]);
    expect(hexGroups(tNs[0].f.bytes)).toBe(hexGroups(mirrorFrame(withNonce(kNs[0].f.bytes, tNs[0].opts[0][1].subarray(2, 8)), PAIRS)));
  });

  it("both sides' `ip -6 addr` and `ip -6 route show table all dev tap0` are mirror images (failed address: no local route, prefix route kept)", async () => {
    const mine = ipAddrLines(await st.call('addresses'));
    const kern = kernelAddrLines(ns.sh('ip -6 addr show dev tap0'));
    expect(mine).toBe(mirrorText(kern, PAIRS));
    expect(mine).toBe(
      [
        `    inet6 ${K.addr}/64 scope global dadfailed tentative \n       valid_lft forever preferred_lft forever\n`,
        `    inet6 ${T.addr}/64 scope global \n       valid_lft forever preferred_lft forever\n`,
        `    inet6 ${T.ll}/64 scope link \n       valid_lft forever preferred_lft forever\n`,
      ].join(''),
    );
    const routes = (await st.call('routes', { table: 'all' })).list.filter((r: { dev: string }) => r.dev === 'tap0');
    const kRoutes = ns.sh('ip -6 route show table all dev tap0');
    expect(formatRoute6Show(routes, { hideDev: true })).toBe(mirrorText(kRoutes, PAIRS));
    expect(kRoutes).not.toContain(`local ${T.addr} `);
    expect(kRoutes).toContain('fd00::/64 proto kernel metric 256 pref medium');
  });

  it("tapstack detects the kernel's DAD NS for an address it is still probing (nonce not its own): dadfailed, no NA; the kernel keeps it", async () => {
    // tapstack probes fd00::7 5 times, 1 s apart. Right after its first NS the kernel adds the same
    // address with no DAD delay (router_solicitation_delay 0): the kernel's DAD NS finds tapstack
    // tentative, and tapstack, having failed, sends nothing the kernel could object to.
    await st.call('sysctl', { key: 'net.ipv6.conf.tap0.dad_transmits', value: 5 });
    const since = dump.frames().length;
    await st.call('addAddress', { dev: 'tap0', cidr: 'fd00::7/64' });
    await waitFor("tapstack's first DAD NS for fd00::7", () => dump.frames().slice(since).map(nd).some((x) => x !== null && dadNs(x, 'fd00::7')), 3000);
    ns.sh('sysctl -qw net.ipv6.conf.tap0.router_solicitation_delay=0 && ip addr add fd00::7/64 dev tap0');
    await waitFor('tapstack to give fd00::7 up', async () => (await st.call('addresses')).find((a: { local: string }) => a.local === 'fd00::7')?.flagWords.includes('dadfailed'), 3000);
    expect(st.logs().at(-1)).toBe(`IPv6: tap0: IPv6 duplicate address fd00::7 used by ${K.mac} detected!`);
    await waitFor("the kernel's fd00::7 out of DAD", () => !kernelAddr('fd00::7').flags.includes('tentative'), 4000);
    expect(kernelAddr('fd00::7').flags).toBe('    inet6 fd00::7/64 scope global ');
    await dump.settle();
    const f = dump.frames().slice(since).map(nd).filter((x): x is Nd => x !== null);
    const k = f.findIndex((x) => dadNs(x, 'fd00::7') && x.ethSrc === K.mac);
    expect(k).toBeGreaterThan(0);
    expect(f.slice(0, k).filter((x) => dadNs(x, 'fd00::7') && x.ethSrc === T.mac)).toHaveLength(1);
    // A tentative address is never defended, and tapstack stopped probing once it failed.
    expect(f.filter((x) => x.type === 136 && is(x.target, 'fd00::7'))).toEqual([]);
    expect(f.slice(k).filter((x) => dadNs(x, 'fd00::7') && x.ethSrc === T.mac)).toEqual([]);
  });
});
