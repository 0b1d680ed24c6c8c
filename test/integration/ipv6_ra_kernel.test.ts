// Router Advertisements from scapy, received at the same moment by tapstack (through its TAP) and
// by a kernel host set up the same way (a veth end kv0 with tapstack's MAC, in the same private
// namespace; scapy speaks on the TAP and on the veth's peer, both with the kernel's IPv6 off):
// both must end up with the same default route, SLAAC address, on-link prefix routes, hop limit,
// MTU and ND parameters (reference §2.5, §4.4, §4.5), and print them alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNtable } from '../../src/cli/fmt_ntable.js';
import { formatRoute6Show } from '../../src/cli/fmt_route6.js';
import { Netns, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { DumpFrame, Ipv6Child, RaSpec, Scapy, Tcpdump, alignLifetimes, ipAddrLines, kernelAddrLines, parseIcmp6Frame, scapyRa, ndOptions, bytesOf } from '../helpers/ipv6_kernel.js';

/** The router scapy plays, and the host both tapstack and the kernel's kv0 are. */
const R = { mac: '02:00:00:00:0b:01', ll: 'fe80::ff:fe00:b01' };
const H = { mac: '02:00:00:00:0a:01', ll: 'fe80::ff:fe00:a01', slaac: '2001:db8:1::ff:fe00:a01' };
/** The reference's RA: hop limit 42, lifetime 1800, reachable 20000, retrans 1500, MTU 1400, two PIOs. */
const RA1: RaSpec = {
  mac: R.mac,
  src: R.ll,
  pios: [
    { prefix: '2001:db8:1::', valid: 86400, preferred: 14400 },
    { prefix: '2001:db8:2::', A: false, valid: 600, preferred: 300 },
  ],
};

const rs = (f: DumpFrame): boolean => parseIcmp6Frame(f.bytes)?.type === 133;

describe.runIf(canRunKernelTests(['ip', 'tcpdump', '/usr/bin/python3']))('Router Advertisements: tapstack next to the kernel', () => {
  let ns: Netns;
  let st: Ipv6Child;
  let scapy: Scapy;
  /** Captures of what each host sends: tapstack's on tap0, the kernel host's on vr0. */
  let dT: Tcpdump;
  let dK: Tcpdump;
  const both = ['tap0', 'vr0'];

  /** The kernel host's view of kv0 as if it were called tap0. */
  const k = (cmd: string): string => ns.sh(cmd).replaceAll('kv0', 'tap0');
  const kernelRoutes = (): string => k('ip -6 route show dev kv0');
  const stackRoutes = async (): Promise<string> => {
    const { list } = await st.call('routes');
    return formatRoute6Show(list.filter((r: { table: string; dev: string }) => r.table === 'main' && r.dev === 'tap0'), { hideDev: true });
  };
  const kernelAddrs = (): string => kernelAddrLines(k('ip -6 addr show dev kv0'));
  const stackAddrs = async (): Promise<string> => ipAddrLines(await st.call('addresses'));
  /** `ip ntable show name ndisc_cache dev tap0` with the random reachable_time and the refcnt set aside. */
  const ntableShape = (s: string): string => s.replace(/refcnt \d+ reachable \d+/, 'refcnt N reachable N');
  const reachableOf = (s: string): number => Number(/reachable (\d+)/.exec(s)![1]);
  const stackNtable = async (): Promise<string> => {
    const { views } = await st.call('ntables');
    return formatNtable(views, { name: 'ndisc_cache', dev: 'tap0' });
  };
  const kernelNtable = (): string => k('ip ntable show name ndisc_cache dev kv0');
  const stackNeigh = async (): Promise<string> => (await st.call('neigh')).lines.join('');
  const kernelNeigh = (): string => k('ip -6 neigh show');
  const sysctl2 = async (key: string): Promise<[string, string]> => [await st.call('sysctl', { key: `net.ipv6.conf.tap0.${key}` }), k(`sysctl -n net.ipv6.conf.kv0.${key}`).trim()];

  beforeAll(async () => {
    ns = Netns.create('tsv6ra');
    // The kernel host: kv0 (tapstack's MAC, IPv6 on), its peer vr0 (the router's MAC, IPv6 off).
    ns.sh(`ip link add kv0 address ${H.mac} type veth peer name vr0 address ${R.mac}`);
    ns.sh('sysctl -qw net.ipv6.conf.kv0.disable_ipv6=0 && ip link set vr0 up');
    dK = await Tcpdump.start(ns, 'vr0', 'icmp6');
    st = Ipv6Child.start(ns);
    await st.call('start', { dev: 'tap0', mac: H.mac });
    ns.sh(`ip link set tap0 address ${R.mac}`);
    ns.sh('ip link set kv0 up');
    dT = await Tcpdump.start(ns, 'tap0', 'icmp6');
    scapy = await Scapy.start(ns);
  }, 40000);

  afterAll(async () => {
    await dT?.stop();
    await dK?.stop();
    scapy?.kill();
    st?.kill();
    ns?.destroy();
  });

  it('both send their first RS once the link-local is valid: from it, to ff02::2, with SLLAO, the same bytes', async () => {
    await waitFor('an RS from each', () => dT.frames().some(rs) && dK.frames().some(rs), 10000);
    const t = dT.frames().find(rs)!;
    const kf = dK.frames().find(rs)!;
    expect(t.bytes.toString('hex')).toBe(kf.bytes.toString('hex'));
    const p = parseIcmp6Frame(t.bytes)!;
    expect([p.ethDst, p.hopLimit, p.flowLabel, p.body.length]).toEqual(['33:33:00:00:00:02', 255, 0, 16]);
    expect(ndOptions(p.body, 8).map(([ty, b]) => [ty, b.toString('hex')])).toEqual([[1, '0101' + H.mac.replaceAll(':', '')]]);
    expect(await stackAddrs()).toBe(kernelAddrs());
  });

  it('the RA gives both the same default route, prefix routes, SLAAC address, router entry, hop limit, MTU and ND times', async () => {
    await scapy.send(scapyRa(RA1), both);
    // At once: the SLAAC address tentative, its DAD under way.
    await waitFor('the SLAAC address on both', async () => (await stackAddrs()).includes(H.slaac) && kernelAddrs().includes(H.slaac), 3000);
    const kr = kernelRoutes();
    expect(alignLifetimes(await stackRoutes(), kr)).toBe(kr);
    expect(kr).toMatch(/^default via fe80::ff:fe00:b01 proto ra metric 1024 expires 17\d\dsec mtu 1400 hoplimit 42 pref high\n/m);
    expect(kr).toMatch(/^2001:db8:2::\/64 proto kernel metric 256 expires 59\dsec pref medium\n/m);
    expect(await stackNeigh()).toBe(kernelNeigh());
    expect(kernelNeigh()).toBe(`${R.ll} dev tap0 lladdr ${R.mac} router STALE \n`);
    expect(await sysctl2('hop_limit')).toEqual(['42', '42']);
    expect(await sysctl2('mtu')).toEqual(['1400', '1400']);
    const [tn, kn] = [await stackNtable(), kernelNtable()];
    expect(ntableShape(tn)).toBe(ntableShape(kn));
    expect(kn).toMatch(/base_reachable 20000 retrans 1500 \n    gc_stale 60000 /);
    expect(reachableOf(tn)).toBeGreaterThanOrEqual(10000);
    expect(reachableOf(tn)).toBeLessThan(30000);
    // After DAD: the address without `tentative`, lifetimes counting down alike.
    await waitFor('DAD of the SLAAC address on both', async () => !(await stackAddrs()).includes('tentative') && !kernelAddrs().includes('tentative'), 5000);
    const ka = kernelAddrs();
    expect(alignLifetimes(await stackAddrs(), ka)).toBe(ka);
    expect(ka).toMatch(/inet6 2001:db8:1::ff:fe00:a01\/64 scope global dynamic mngtmpaddr \n       valid_lft 8639\dsec preferred_lft 1439\dsec\n/);
  });

  it('the RA stops router solicitation on both (no RS after it)', async () => {
    const [t0, k0] = [dT.frames().filter(rs).length, dK.frames().filter(rs).length];
    // The second RS would be due about 4 s after the first.
    await new Promise((r) => setTimeout(r, 4500));
    await dT.settle();
    expect([dT.frames().filter(rs).length - t0, dK.frames().filter(rs).length - k0]).toEqual([0, 0]);
  }, 10000);

  it('a ping off-link goes through the default route: from the SLAAC address, hop limit 42, to the router\'s MAC; entry DELAY', async () => {
    const [ti, ki] = [dT.frames().length, dK.frames().length];
    const [t] = await Promise.all([st.call('ping', { dst: '2001:db8:99::1', count: 1, timeout: 1 }), Promise.resolve(ns.try('ping -6 -c 1 -W 1 2001:db8:99::1'))]);
    expect(t.transmitted).toBe(1);
    await dT.settle();
    const echo = (fs: DumpFrame[]): string[] =>
      fs.map((f) => parseIcmp6Frame(f.bytes)).filter((p) => p?.type === 128).map((p) => `${p!.ethSrc} > ${p!.ethDst} hlim ${p!.hopLimit} ${p!.src.toString('hex')} > ${p!.dst.toString('hex')}`);
    const te = echo(dT.frames().slice(ti));
    expect(te).toEqual(echo(dK.frames().slice(ki)));
    expect(te).toEqual([`${H.mac} > ${R.mac} hlim 42 ${bytesOf(H.slaac).toString('hex')} > ${bytesOf('2001:db8:99::1').toString('hex')}`]);
    expect(await stackNeigh()).toBe(kernelNeigh());
    expect(kernelNeigh()).toBe(`${R.ll} dev tap0 lladdr ${R.mac} router DELAY \n`);
  });

  it('RA lifetime 0, reachable 10000, PIO valid 60/preferred 30: default route gone (router flag kept), base 10000/gc_stale 30000, the two-hour rule', async () => {
    await scapy.send(scapyRa({ ...RA1, lifetime: 0, reachable: 10000, pios: [{ prefix: '2001:db8:1::', valid: 60, preferred: 30 }] }), both);
    await waitFor('the default route gone on both', async () => !kernelRoutes().includes('default') && !(await stackRoutes()).includes('default'), 3000);
    const kr = kernelRoutes();
    expect(alignLifetimes(await stackRoutes(), kr)).toBe(kr);
    expect(kr).toMatch(/^2001:db8:1::\/64 proto kernel metric 256 expires 5\dsec pref medium\n/m);
    const ka = kernelAddrs();
    expect(alignLifetimes(await stackAddrs(), ka)).toBe(ka);
    expect(ka).toMatch(/inet6 2001:db8:1::ff:fe00:a01\/64 scope global dynamic mngtmpaddr \n       valid_lft 7\d{3}sec preferred_lft (29|30)sec\n/);
    expect(await stackNeigh()).toBe(kernelNeigh());
    expect(kernelNeigh()).toMatch(/ router (STALE|DELAY|PROBE|REACHABLE) \n$/);
    const [tn, kn] = [await stackNtable(), kernelNtable()];
    expect(ntableShape(tn)).toBe(ntableShape(kn));
    expect(kn).toMatch(/base_reachable 10000 retrans 1500 \n    gc_stale 30000 /);
  });

  it('RAs that must be ignored: from a global source, with IPv6 hop limit 64; RA with prf low: pref low', async () => {
    await scapy.send(scapyRa({ ...RA1, src: '2001:db8:1::99', pios: [] }), both);
    await scapy.send(scapyRa({ ...RA1, hlim: 64, pios: [] }), both);
    await new Promise((r) => setTimeout(r, 500));
    expect(kernelRoutes()).not.toContain('default');
    expect(await stackRoutes()).not.toContain('default');
    expect(await stackNeigh()).toBe(kernelNeigh());
    await scapy.send(scapyRa({ ...RA1, prf: 3, pios: [] }), both);
    await waitFor('the default route back on both', async () => kernelRoutes().includes('default') && (await stackRoutes()).includes('default'), 3000);
    const kr = kernelRoutes();
    expect(alignLifetimes(await stackRoutes(), kr)).toBe(kr);
    // No `mtu 1400` this time: the MTU option only touches routes when it changes the device's mtu.
    expect(kr).toMatch(/^default via fe80::ff:fe00:b01 proto ra metric 1024 expires 17\d\dsec hoplimit 42 pref low\n/m);
  });

  it('an RA without SLLAO from an unknown router: its entry stays NONE (seen with nud all), a second default route, both listed as the kernel lists them', async () => {
    await scapy.send(scapyRa({ mac: '02:00:00:00:0c:01', src: 'fe80::ff:fe00:c01', sllao: false, mtu: null, prf: 0 }), both);
    await waitFor('a route via fe80::ff:fe00:c01 on both', async () => kernelRoutes().includes('c01') && (await stackRoutes()).includes('c01'), 3000);
    const kr = kernelRoutes();
    expect(alignLifetimes(await stackRoutes(), kr)).toBe(kr);
    expect(kr).toMatch(/^default via fe80::ff:fe00:c01 proto ra metric 1024 expires 17\d\dsec hoplimit 42 pref medium\n/m);
    const sort = (s: string): string => s.split('\n').filter(Boolean).sort().join('\n');
    const kAll = k('ip -6 neigh show nud all');
    expect(kAll.split('\n')).toContain('fe80::ff:fe00:c01 dev tap0 router ');
    expect(sort((await st.call('neigh')).all.join(''))).toBe(sort(kAll));
    expect(await stackNeigh()).toBe(kernelNeigh());
  });
});
