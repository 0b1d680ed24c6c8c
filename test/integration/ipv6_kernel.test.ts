// tapstack's IPv6 host against the kernel through a TAP in a private namespace: ping -6 both ways
// from empty tables (the first echo waits for the NA), the NS/NA frames each side sends compared
// byte for byte with the kernel's own (mirrored), an unknown address failing after 3 multicast NS
// next to the kernel doing the same, and DELAY → PROBE with a unicast NS from the link-local.
// Both sides are the same kind of host: kernel fd00::1 (MAC K), tapstack fd00::2 (MAC T).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Netns, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { DumpFrame, Ipv6Child, Tcpdump, hexGroups, kernelIpv6On, mirrorFrame, ndOptions, parseIcmp6Frame } from '../helpers/ipv6_kernel.js';

const K = { mac: '02:00:00:00:0b:01', addr: 'fd00::1', ll: 'fe80::ff:fe00:b01' };
const T = { mac: '02:00:00:00:0a:01', addr: 'fd00::2', ll: 'fe80::ff:fe00:a01' };
/** Kernel ↔ tapstack: what mirrorFrame swaps. */
const PAIRS: [string, string][] = [
  [K.mac, T.mac],
  [K.addr, T.addr],
  [K.ll, T.ll],
  ['ff02::1:ff00:1', 'ff02::1:ff00:2'],
  ['ff02::1:ff00:b01', 'ff02::1:ff00:a01'],
  ['33:33:ff:00:00:01', '33:33:ff:00:00:02'],
  ['33:33:ff:00:0b:01', '33:33:ff:00:0a:01'],
];

/** What a captured frame is, in the reference's words. */
interface Nd {
  f: DumpFrame;
  kind: 'ns' | 'na' | 'echo' | 'echoreply' | 'other';
  src: string;
  dst: string;
  target: string;
  ethSrc: string;
  ethDst: string;
  /** NA flags byte (R 0x80, S 0x40, O 0x20). */
  flags: number;
  opts: number[];
}

function fmt6(b: Buffer): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i).toString(16));
  // RFC 5952 via the longest zero run (≥ 2 groups, leftmost on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

function classify(f: DumpFrame): Nd | null {
  const p = parseIcmp6Frame(f.bytes);
  if (!p) return null;
  const kinds: Record<number, Nd['kind']> = { 135: 'ns', 136: 'na', 128: 'echo', 129: 'echoreply' };
  const nd = p.type === 135 || p.type === 136;
  return {
    f,
    kind: kinds[p.type] ?? 'other',
    src: fmt6(p.src),
    dst: fmt6(p.dst),
    target: nd ? fmt6(p.body.subarray(8, 24)) : '',
    ethSrc: p.ethSrc,
    ethDst: p.ethDst,
    flags: p.type === 136 ? p.body[4] : 0,
    opts: nd ? ndOptions(p.body, 24).map(([t]) => t) : [],
  };
}

const frames = (d: Tcpdump): Nd[] => d.frames().map(classify).filter((x): x is Nd => x !== null);
/** How many frames were captured once the capture is quiet: later frames belong to what follows. */
const mark = async (d: Tcpdump): Promise<number> => {
  await d.settle();
  return frames(d).length;
};

/** iputils' and tapstack's ping output with the times taken out. */
const untimed = (s: string): string => s.replace(/time=[0-9.]+ ms/g, 'time=T ms').replace(/time \d+ms/g, 'time Nms').replace(/^rtt .*$/m, 'rtt ...');

describe.runIf(canRunKernelTests(['ip', 'ping', 'tcpdump']))('IPv6 against the kernel: ping -6, NS/NA, failure, probe', () => {
  let ns: Netns;
  let st: Ipv6Child;
  let dump: Tcpdump;
  /** tapstack's `ping -c 1 fe80::...%tap0` output. */
  let llLines: string[] = [];

  beforeAll(async () => {
    ns = Netns.create('tsv6');
    st = Ipv6Child.start(ns);
    await st.call('start', { dev: 'tap0', mac: T.mac, sysctl: { 'net.ipv6.conf.tap0.router_solicitations': 0 }, addrs: [`${T.addr}/64`] });
    // The kernel's side: its own MAC, IPv6 back on, quiet (no RS), its address without DAD.
    ns.sh(`ip link set tap0 address ${K.mac}`);
    kernelIpv6On(ns, 'tap0', { router_solicitations: 0 });
    ns.sh(`ip addr add ${K.addr}/64 dev tap0 nodad`);
    await waitFor('both sides out of DAD', async () => {
      const mine = (await st.call('addresses')) as { flagWords: string[] }[];
      const kern = ns.sh('ip -6 addr show dev tap0');
      return mine.length === 2 && mine.every((a) => !a.flagWords.includes('tentative')) && kern.includes(K.ll) && !kern.includes('tentative');
    }, 10000);
    dump = await Tcpdump.start(ns, 'tap0', 'icmp6');
  }, 30000);

  afterAll(async () => {
    await dump?.stop();
    st?.kill();
    ns?.destroy();
  });

  it('starts from empty tables on both sides (only NOARP multicast entries)', async () => {
    expect((await st.call('neigh')).lines.filter((l: string) => !l.includes(' NOARP '))).toEqual([]);
    expect(ns.sh('ip -6 neigh show dev tap0')).toBe('');
  });

  it('the kernel pings the global address: the first echo waits for the NA (0% loss with -c 1), then -c 3', async () => {
    const since = await mark(dump);
    const one = ns.sh(`ping -6 -c 1 -W 3 ${T.addr}`);
    expect(one).toMatch(/^PING fd00::2\(fd00::2\) 56 data bytes\n64 bytes from fd00::2: icmp_seq=1 ttl=64 time=[0-9.]+ ms\n/);
    expect(one).toContain('1 packets transmitted, 1 received, 0% packet loss');
    await dump.settle();
    const f = frames(dump).slice(since);
    const seq = f.map((x) => `${x.kind} ${x.src} > ${x.dst}`);
    // NS from the kernel, NA from tapstack, then the only echo request and its reply.
    expect(seq.slice(0, 4)).toEqual([`ns ${K.addr} > ff02::1:ff00:2`, `na ${T.addr} > ${K.addr}`, `echo ${K.addr} > ${T.addr}`, `echoreply ${T.addr} > ${K.addr}`]);
    expect(seq.filter((s) => s.startsWith('echo ')).length).toBe(1);
    const three = ns.sh(`ping -6 -c 3 -i 0.2 -W 2 ${T.addr}`);
    expect(three).toContain('3 packets transmitted, 3 received, 0% packet loss');
    expect(ns.sh(`ip -6 neigh show ${T.addr} dev tap0`)).toMatch(new RegExp(`^fd00::2 lladdr ${T.mac} (REACHABLE|STALE|DELAY) \\n$`));
    // tapstack learnt the kernel from the NS (STALE) and answered through that entry: DELAY.
    const n = (await st.call('neigh')).list.find((e: { dst: string }) => e.dst === K.addr);
    expect(n.lladdr).toBe(K.mac);
    expect(n.stateNames).toEqual(['DELAY']);
  });

  it("the kernel pings tapstack's link-local (-c 1, %tap0): 0% loss", async () => {
    const since = await mark(dump);
    const r = ns.sh(`ping -6 -c 1 -W 3 ${T.ll}%tap0`);
    expect(r).toMatch(/^PING fe80::ff:fe00:a01%tap0\(fe80::ff:fe00:a01%tap0\) 56 data bytes\n64 bytes from fe80::ff:fe00:a01%tap0: icmp_seq=1 ttl=64 time=/);
    expect(r).toContain('1 packets transmitted, 1 received, 0% packet loss');
    await dump.settle();
    const seq = frames(dump).slice(since).map((x) => `${x.kind} ${x.src} > ${x.dst}`);
    expect(seq.slice(0, 4)).toEqual([`ns ${K.ll} > ff02::1:ff00:a01`, `na ${T.ll} > ${K.ll}`, `echo ${K.ll} > ${T.ll}`, `echoreply ${T.ll} > ${K.ll}`]);
  });

  it('tapstack probes the kernel 5 s after answering (DELAY → PROBE): unicast NS from its link-local, NA [solicited]', async () => {
    // The reference's "same happens on the answering side": the NA went through the STALE entry.
    // Both entries (fd00::1 and the kernel's link-local) were answered through, so both probe.
    for (const dst of [K.addr, K.ll]) {
      await waitFor(`tapstack's unicast NS for ${dst}`, () => frames(dump).some((x) => x.kind === 'ns' && x.dst === dst), 8000);
    }
    await dump.settle();
    for (const dst of [K.addr, K.ll]) {
      const probe = frames(dump).filter((x) => x.kind === 'ns' && x.dst === dst);
      expect(probe.map((x) => ({ src: x.src, target: x.target, ethSrc: x.ethSrc, ethDst: x.ethDst, opts: x.opts }))).toEqual([{ src: T.ll, target: dst, ethSrc: T.mac, ethDst: K.mac, opts: [1] }]);
      // The answer: the next NA from the probed address (earlier ones answered multicast NS).
      const na = frames(dump).slice(frames(dump).findIndex((x) => x.kind === 'ns' && x.dst === dst)).filter((x) => x.kind === 'na' && x.src === dst && x.dst === T.ll);
      expect(na.map((x) => [x.flags, x.opts])).toEqual([[0x40, []]]);
      const n = (await st.call('neigh')).list.find((e: { dst: string }) => e.dst === dst);
      expect(n.stateNames).toEqual(['REACHABLE']);
    }
  });

  it('tapstack pings the kernel from empty tables (global and link-local, -c 1): 0% loss, iputils\' lines', async () => {
    await st.call('neighFlush');
    ns.sh('ip -6 neigh flush dev tap0');
    expect(ns.sh('ip -6 neigh show dev tap0')).toBe('');
    const since = await mark(dump);
    const r = await st.call('ping', { dst: K.addr, count: 1, timeout: 3 });
    expect(r).toMatchObject({ transmitted: 1, received: 1 });
    // The same lines iputils prints for the kernel's ping of us (addresses swapped).
    const k = ns.sh(`ping -6 -c 1 -W 3 ${T.addr}`);
    expect(untimed(r.lines.join('\n') + '\n')).toBe(untimed(k).replaceAll(T.addr, K.addr));
    await dump.settle();
    const seq = frames(dump).slice(since).map((x) => `${x.kind} ${x.src} > ${x.dst}`);
    expect(seq.slice(0, 4)).toEqual([`ns ${T.addr} > ff02::1:ff00:1`, `na ${K.addr} > ${T.addr}`, `echo ${T.addr} > ${K.addr}`, `echoreply ${K.addr} > ${T.addr}`]);
    const sinceLl = await mark(dump);
    const ll = await st.call('ping', { dst: `${K.ll}%tap0`, count: 1, timeout: 3 });
    expect(ll).toMatchObject({ transmitted: 1, received: 1 });
    llLines = ll.lines;
    await dump.settle();
    const seqLl = frames(dump).slice(sinceLl).map((x) => `${x.kind} ${x.src} > ${x.dst}`);
    expect(seqLl.slice(0, 4)).toEqual([`ns ${T.ll} > ff02::1:ff00:b01`, `na ${K.ll} > ${T.ll}`, `echo ${T.ll} > ${K.ll}`, `echoreply ${K.ll} > ${T.ll}`]);
  });

  it("tapstack's ping of a link-local prints the zone as iputils does (fe80::...%tap0)", () => {
    const kll = ns.sh(`ping -6 -c 1 -W 3 ${T.ll}%tap0`);
    expect(untimed(llLines.join('\n') + '\n')).toBe(untimed(kll).replaceAll(T.ll, K.ll));
  });

  it('the kernel probes tapstack 5 s after answering: tapstack answers its unicast NS with [solicited] only, no TLLAO', async () => {
    for (const dst of [T.addr, T.ll]) {
      await waitFor(`the kernel's unicast NS for ${dst}`, () => frames(dump).some((x) => x.kind === 'ns' && x.dst === dst), 8000);
    }
    await dump.settle();
    for (const dst of [T.addr, T.ll]) {
      const probe = frames(dump).filter((x) => x.kind === 'ns' && x.dst === dst);
      expect(probe.map((x) => ({ src: x.src, target: x.target, ethDst: x.ethDst, opts: x.opts }))).toEqual([{ src: K.ll, target: dst, ethDst: T.mac, opts: [1] }]);
      const na = frames(dump).slice(frames(dump).findIndex((x) => x.kind === 'ns' && x.dst === dst)).filter((x) => x.kind === 'na' && x.src === dst && x.dst === K.ll);
      expect(na.map((x) => [x.ethSrc, x.flags, x.opts])).toEqual([[T.mac, 0x40, []]]);
      expect(ns.sh(`ip -6 neigh show ${dst} dev tap0`)).toMatch(/ REACHABLE \n$/);
    }
  });

  it('every NS and NA tapstack sent is the mirror image of the kernel\'s, byte for byte (hop limit 255, flow label 0, SLLAO/TLLAO)', () => {
    const f = frames(dump).filter((x) => x.kind === 'ns' || x.kind === 'na');
    const fromK = f.filter((x) => x.ethSrc === K.mac);
    const fromT = f.filter((x) => x.ethSrc === T.mac);
    // Each kind: multicast NS (global, link-local), NA to a multicast NS, unicast probe NS, NA to it.
    const key = (x: Nd, self: typeof K): string =>
      `${x.kind} ${x.src === self.addr ? 'A' : 'LL'}>${x.dst.startsWith('ff02') ? 'mcast' : x.dst.startsWith('fe80') ? 'LL' : 'A'} flags ${x.flags} opts ${x.opts}`;
    const kKinds = new Map(fromK.map((x) => [key(x, K), x]));
    const tKinds = new Map(fromT.map((x) => [key(x, T), x]));
    expect([...tKinds.keys()].sort()).toEqual([...kKinds.keys()].sort());
    expect([...tKinds.keys()].sort()).toEqual([
      'na A>A flags 96 opts 2', // answer to a multicast NS for the global address: S|O, TLLAO
      'na A>LL flags 64 opts ', // answer to a unicast probe: S only, no TLLAO
      'na LL>LL flags 64 opts ',
      'na LL>LL flags 96 opts 2',
      'ns A>mcast flags 0 opts 1', // resolution: source = the queued packet's, SLLAO
      'ns LL>A flags 0 opts 1', // probe: from the link-local, unicast, SLLAO
      'ns LL>LL flags 0 opts 1',
      'ns LL>mcast flags 0 opts 1',
    ]);
    for (const [k, kf] of kKinds) {
      const tf = tKinds.get(k)!;
      expect(hexGroups(tf.f.bytes), k).toBe(hexGroups(mirrorFrame(kf.f.bytes, PAIRS)));
      const p = parseIcmp6Frame(tf.f.bytes)!;
      expect([p.hopLimit, p.flowLabel, p.tclass, p.code]).toEqual([255, 0, 0, 0]);
    }
  });

  it('an unknown address: 3 multicast NS 1 s apart, FAILED, "Destination unreachable: Address unreachable", as the kernel', async () => {
    const since = await mark(dump);
    const kp = new Promise<{ out: string; status: number | null }>((resolve) => {
      const p = spawn('ip', ['netns', 'exec', ns.name, 'ping', '-6', '-c', '1', 'fd00::98'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.on('close', (status) => resolve({ out, status }));
    });
    const [t, k] = await Promise.all([st.call('ping', { dst: 'fd00::99', count: 1 }), kp]);
    expect(k.status).toBe(1);
    expect(t).toMatchObject({ transmitted: 1, received: 0, errors: 1 });
    expect(t.lines).toContain('From fd00::2 icmp_seq=1 Destination unreachable: Address unreachable');
    expect(untimed(t.lines.join('\n') + '\n')).toBe(untimed(k.out).replaceAll('fd00::98', 'fd00::99').replaceAll(`From ${K.addr}`, `From ${T.addr}`));
    await dump.settle();
    const ns99 = frames(dump).slice(since).filter((x) => x.kind === 'ns' && x.target === 'fd00::99');
    const ns98 = frames(dump).slice(since).filter((x) => x.kind === 'ns' && x.target === 'fd00::98');
    expect(ns99.map((x) => `${x.src} > ${x.dst} ${x.ethDst} ${x.opts}`)).toEqual(Array(3).fill(`${T.addr} > ff02::1:ff00:99 33:33:ff:00:00:99 1`));
    expect(ns98).toHaveLength(3);
    const dt = ns99.slice(1).map((x, i) => x.f.t - ns99[i].f.t);
    for (const d of dt) expect(d).toBeGreaterThan(0.85), expect(d).toBeLessThan(1.3);
    const pairs: [string, string][] = [...PAIRS, ['fd00::98', 'fd00::99'], ['ff02::1:ff00:98', 'ff02::1:ff00:99'], ['33:33:ff:00:00:98', '33:33:ff:00:00:99']];
    for (let i = 0; i < 3; i++) expect(hexGroups(ns99[i].f.bytes)).toBe(hexGroups(mirrorFrame(ns98[i].f.bytes, pairs)));
    const n = (await st.call('neigh')).list.find((e: { dst: string }) => e.dst === 'fd00::99');
    expect(n.stateNames).toEqual(['FAILED']);
    expect(n.lladdr).toBeNull();
    // `ip -6 neigh` lines: the same shape on both sides.
    const tLine = (await st.call('neigh')).lines.find((l: string) => l.startsWith('fd00::99 '));
    expect(tLine).toBe(ns.sh('ip -6 neigh show fd00::98').replace('fd00::98', 'fd00::99'));
    expect(tLine).toBe('fd00::99 dev tap0 FAILED \n');
  }, 15000);

  it('DELAY → PROBE under short timers (net.ipv6.neigh.tap0.*): STALE, PROBE, REACHABLE, unicast NS from the link-local', async () => {
    for (const [k, v] of [['base_reachable_time_ms', 2000], ['delay_first_probe_time', 1]] as const) {
      await st.call('sysctl', { key: `net.ipv6.neigh.tap0.${k}`, value: v });
      ns.sh(`sysctl -qw net.ipv6.neigh.tap0.${k}=${v}`);
    }
    expect(await st.call('sysctl', { key: 'net.ipv6.neigh.tap0.base_reachable_time_ms' })).toBe('2000');
    const tbl = (await st.call('ntables', { dev: 'tap0' })).text as string;
    expect(tbl).toMatch(/base_reachable 2000 retrans 1000 \n    gc_stale 60000 delay_probe 1000 /);
    await st.call('neighFlush');
    const r0 = await st.call('ping', { dst: K.addr, count: 1 });
    expect(r0.received).toBe(1);
    const sinceF = await mark(dump);
    const since = st.events.length;
    const states = (): string[] => st.events.slice(since).filter((e) => e.event === 'neigh' && e.neigh.dst === K.addr).map((e) => e.neigh.stateNames.join(' '));
    const current = async (): Promise<string> => (await st.call('neigh')).list.find((e: { dst: string }) => e.dst === K.addr).stateNames.join(' ');
    // reachable_time is random in [1, 3) s for base 2 s.
    await waitFor('STALE', () => states().includes('STALE'), 8000);
    expect(await current()).toBe('STALE');
    const r = await st.call('ping', { dst: K.addr, count: 1 });
    expect(r.received).toBe(1);
    expect(await current()).toBe('DELAY');
    await waitFor('PROBE then REACHABLE', () => states().join(',').endsWith('STALE,PROBE,REACHABLE'), 8000);
    expect(states()).toEqual(['STALE', 'PROBE', 'REACHABLE']);
    // ip monitor's lines for the steps that are notified.
    const lines = st.events.slice(since).filter((e) => e.event === 'neigh' && e.neigh.dst === K.addr).map((e) => e.line);
    expect(lines).toEqual(['STALE', 'PROBE', 'REACHABLE'].map((s) => `${K.addr} dev tap0 lladdr ${K.mac} ${s} \n`));
    await dump.settle();
    const probes = frames(dump).slice(sinceF).filter((x) => x.kind === 'ns' && x.dst === K.addr);
    expect(probes.length).toBe(1);
    expect(probes[0]).toMatchObject({ src: T.ll, ethDst: K.mac, target: K.addr, opts: [1] });
    const ans = frames(dump).slice(sinceF).filter((x) => x.kind === 'na' && x.src === K.addr && x.dst === T.ll);
    expect(ans.map((x) => [x.flags, x.opts.length])).toEqual([[0x40, 0]]);
    // The echo itself, sent at once from STALE with the cached MAC (no resolution NS on the way).
    expect(frames(dump).slice(sinceF).filter((x) => x.kind === 'ns' && x.src === T.addr)).toEqual([]);
  }, 20000);
});
