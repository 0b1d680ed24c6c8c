// A SYN flood against a tapstack listener (tcp_conn_request's syn-flood path, tcp_syn_flood_action,
// cookie_v4_init_sequence / cookie_v4_check): scapy in the namespace writes SYNs from 101 spoofed
// sources (10.0.0.100-200) straight onto tap0 while the kernel's own TCP (Node net) keeps opening
// real connections to the same small-backlog listener; IPv4 and IPv6 (fd00::1:100-200). The SYN queue fills with the spoofed
// requests and stays full, so everything else, real clients included, is answered with SYN
// cookies; the real clients complete through cookies with their data intact; the counters are
// Linux's; the SYN queue never exceeds the backlog and the heap stays bounded.
//
// Keeping the flood inside the namespace: the spoofed addresses are configured nowhere. tapstack
// has static (PERMANENT) neighbour entries for them pointing at 02:00:00:00:00:ee, a MAC no one
// owns, so it never ARPs (or solicits) for them and its SYN-ACKs do leave on the wire; the kernel's tap0
// receives those frames as PACKET_OTHERHOST and ip_rcv drops them before TCP sees them, so the
// kernel never answers (no RST) for addresses it does not have. (Proxy ARP is not used: it would
// need the kernel to route 10.0.0.100-200 somewhere, and then it would also forward or answer.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests } from '../helpers/netns.js';
import { LineChild } from '../helpers/line_child.js';
import { type ChildPair, PATTERN, kernelSnmp, lineLoop, patternHash, startChildPair } from '../helpers/tcp_kernel.js';
import { kernelIpv6On } from '../helpers/ipv6_kernel.js';


const BACKLOG = 8;
const PORT = 9100;
const BOGUS_MAC = '02:00:00:00:00:ee';

/** tapstack on tap0 with a small-backlog sink, sampling its SYN queue and heap. */
const STACK_CHILD = `
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
const { Stack, TapDevice } = await import(process.argv[2]);
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open('tap0', { mac: Buffer.from('025a00000002', 'hex') }));
stack.addAddress(tap, '10.0.0.2/24');
stack.addAddress(tap, 'fd00::2/64', { nodad: true });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
stack.on('log', (line) => out({ event: 'log', line }));
let maxSynq = 0;
let maxSocks = 0;
let heapMax = 0;
let accepted = 0;
const sample = () => {
  for (const l of stack.tcp.listeners) maxSynq = Math.max(maxSynq, l.synQueueLen);
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
};
setInterval(sample, 5);
setInterval(() => { maxSocks = Math.max(maxSocks, stack.tcp.sockets().length); }, 100);
const heap = () => { global.gc(); return process.memoryUsage().heapUsed; };
const ops = {
  neigh({ prefix, from, to, lladdr }) {
    for (let i = from; i <= to; i++) stack.neighAdd({ dst: prefix + i, dev: 'tap0', lladdr });
    return stack.neighbours().length;
  },
  async sink({ host, port, backlog }) {
    const srv = stack.createServer((sock) => {
      accepted++;
      const h = createHash('sha256');
      let n = 0;
      sock.on('data', (d) => { h.update(d); n += d.length; });
      sock.on('end', () => sock.end(JSON.stringify({ bytes: n, sha: h.digest('hex') })));
      sock.on('error', (e) => out({ event: 'sink-error', code: e.code }));
    });
    await new Promise((res) => srv.listen(port, host, backlog, res));
    return srv.address();
  },
  heap() { return heap(); },
  sample() {
    sample();
    const s = stack.stats();
    const synq = Object.fromEntries([...stack.tcp.listeners].map((l) => [l.port, l.synQueueLen]));
    return { maxSynq, synq, maxSocks, heapMax, heap: heap(), accepted, tcp: s.tcp, tcpExt: s.tcpExt };
  },
};
${lineLoop('{ ready: true }')}`;

/** The kernel's TCP: connections that each send a distinct pattern and check tapstack's hash. */
const KERNEL_CHILD = `
import net from 'node:net';
import { createInterface } from 'node:readline';
const pattern = ${PATTERN};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
function one(port, host, bytes, k) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, host);
    const chunks = [];
    s.on('connect', () => s.end(pattern(bytes, k)));
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e) => resolve({ k, error: e.code }));
    s.on('close', (hadError) => { if (!hadError) resolve({ k, ms: Date.now() - t0, reply: Buffer.concat(chunks).toString() }); });
  });
}
const ops = {
  async clients({ port, host, bytes, count, parallel }) {
    const results = [];
    let next = 0;
    const worker = async () => { while (next < count) { const k = next++; results.push(await one(port, host, bytes, k)); } };
    await Promise.all(Array.from({ length: parallel }, worker));
    return results.sort((a, b) => a.k - b.k);
  },
};
${lineLoop("{ event: 'ready' }")}`;

/** scapy: distinct SYNs from 10.0.0.100-200 (or fd00::1:100-200) with random ports and ISNs, written on tap0 for \`secs\`. */
const FLOOD_PY = `
import json, random, sys, time
from scapy.all import Ether, IP, IPv6, TCP, conf
iface, dmac, dport, secs, fam = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
random.seed(7)
frames = []
for j in range(40):
    for i in range(100, 201):
        l3 = IP(src='10.0.0.%d' % i, dst='10.0.0.2') if fam == '4' else IPv6(src='fd00::1:%d' % i, dst='fd00::2')
        p = (Ether(src='02:00:00:00:%02x:%02x' % (j, i), dst=dmac) / l3 /
             TCP(sport=random.randint(1024, 65535), dport=dport, flags='S', seq=random.getrandbits(32), window=64240,
                 options=[('MSS', 1460), ('SAckOK', b''), ('Timestamp', (random.getrandbits(32), 0)), ('NOP', None), ('WScale', 7)]))
        frames.append(bytes(p))
s = conf.L2socket(iface=iface)
print(json.dumps({'built': len(frames)}), flush=True)
n = 0
end = time.time() + secs
while time.time() < end and n < len(frames):
    s.send(frames[n])
    n += 1
    if n % 50 == 0:
        time.sleep(0.03)
s.close()
print(json.dumps({'sent': n}), flush=True)
`;

function kernelTcp(ns: Netns): Record<string, number> {
  return kernelSnmp(ns, 'snmp', 'Tcp');
}

describe.runIf(canRunKernelTests(['ip', '/usr/bin/python3']))('a SYN flood against a tapstack listener, from the kernel side', () => {
  let pair: ChildPair;
  let ns: Netns;
  let stack: LineChild;
  let kernel: LineChild;
  let dir: string;

  beforeAll(async () => {
    pair = await startChildPair({
      prefix: 'tsflood',
      stackChild: STACK_CHILD,
      kernelChild: KERNEL_CHILD,
      files: { 'flood.py': FLOOD_PY },
      nodeFlags: ['--expose-gc'],
      kernelSide: (ns) => {
        kernelIpv6On(ns, 'tap0', { accept_dad: 0 });
        ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip addr add fd00::1/64 dev tap0 nodad');
      },
    });
    ({ ns, stack, kernel, dir } = pair);
    expect(await stack.call('neigh', { prefix: '10.0.0.', from: 100, to: 200, lladdr: BOGUS_MAC })).toBeGreaterThanOrEqual(101);
    expect(await stack.call('neigh', { prefix: 'fd00::1:', from: 100, to: 200, lladdr: BOGUS_MAC })).toBeGreaterThanOrEqual(202);
    await stack.call('sink', { host: '10.0.0.2', port: PORT, backlog: BACKLOG });
    await stack.call('sink', { host: 'fd00::2', port: PORT + 1, backlog: BACKLOG });
  }, 30000);

  afterAll(() => pair?.close());

  for (const [fam, host, port, logged] of [
    ['IPv4', '10.0.0.2', PORT, `TCP: request_sock_TCP: Possible SYN flooding on port 10.0.0.2:${PORT}. Sending cookies.`],
    ['IPv6', 'fd00::2', PORT + 1, `TCP: request_sock_TCPv6: Possible SYN flooding on port [fd00::2]:${PORT + 1}. Sending cookies.`],
  ] as const) it(`${fam}: real connections keep succeeding through SYN cookies while 4040 spoofed SYNs keep the queue full`, async () => {
    const logs0 = stack.events.length;
    const heap0 = await stack.call('heap');
    const s0 = await stack.call('sample');
    const k0 = kernelTcp(ns);
    const flood = new LineChild(ns.spawn('/usr/bin/python3', [join(dir, 'flood.py'), 'tap0', '02:5a:00:00:00:02', String(port), '20', fam === 'IPv4' ? '4' : '6']));
    await flood.event('the flood frames', (e) => e.built > 0, 0, 60000);
    // Let the spoofed SYNs fill the SYN queue before the first real client.
    await new Promise((r) => setTimeout(r, 300));
    const during = await kernel.call('clients', { port, host, bytes: 65536, count: 24, parallel: 4 });
    // The flood (about 3 s at its pace) was still going when the last real client finished.
    const overlapped = !flood.events.some((e) => e.sent !== undefined);
    const done = await flood.event('the end of the flood', (e) => e.sent !== undefined, 0, 30000);
    flood.proc.kill('SIGKILL');
    const s1 = await stack.call('sample');
    const k1 = kernelTcp(ns);
    const d = (n: string): number => s1.tcpExt[n] - s0.tcpExt[n];
    if (process.env.FLOOD_DEBUG) console.log(JSON.stringify({ kRetrans: k1.RetransSegs - k0.RetransSegs, sRetrans: s1.tcp.retransSegs - s0.tcp.retransSegs, failed: d("syncookiesFailed"), sent: done.sent, maxSynq: s1.maxSynq, maxSocks: s1.maxSocks, heapGrowth: s1.heap - heap0, heapMax: s1.heapMax, ms: during.map((r: any) => r.ms), x: Object.fromEntries(["syncookiesSent", "syncookiesRecv", "tcpReqQFullDoCookies", "listenOverflows"].map((n) => [n, d(n)])) }));

    // Every real connection succeeded with its own bytes intact.
    expect(during).toHaveLength(24);
    for (const r of during) expect({ k: r.k, reply: r.reply && JSON.parse(r.reply) }).toEqual({ k: r.k, reply: { bytes: 65536, sha: patternHash(65536, r.k) } });
    expect(s1.accepted - s0.accepted).toBe(24);

    // The flood was real: thousands of distinct SYNs, nearly all answered with a cookie.
    expect(overlapped).toBe(true);
    expect(done.sent).toBeGreaterThan(1000);
    expect(d('syncookiesSent')).toBeGreaterThan(done.sent / 2);
    // tcp_syn_flood_action() with tcp_syncookies=1: each cookie is for a full request queue.
    expect(d('tcpReqQFullDoCookies')).toBe(d('syncookiesSent'));
    expect(d('tcpReqQFullDrop')).toBe(0);
    // The real clients completed through their cookies (the queue stayed full of spoofed requests)...
    expect(d('syncookiesRecv')).toBe(24);
    // A segment that reaches the listener after its connection closed (a retransmission, or the
    // kernel's answer to one, on this loaded link) is checked as a cookie and fails, as Linux
    // counts it (cookie_v4_check: SyncookiesFailed): never more than were retransmitted.
    expect(d('syncookiesFailed')).toBeLessThanOrEqual(k1.RetransSegs - k0.RetransSegs + s1.tcp.retransSegs - s0.tcp.retransSegs);
    // ... and the accept queue, drained at once, never overflowed.
    expect(d('listenOverflows')).toBe(0);
    expect(d('listenDrops')).toBe(0);
    expect(s1.tcp.passiveOpens - s0.tcp.passiveOpens).toBe(24);

    // Bounded: the SYN queue holds at most backlog + 1 (inet_csk_reqsk_queue_is_full is len >
    // backlog: Linux keeps 9 for listen(fd, 8)), all spoofed requests that came first; cookies
    // keep no state, the socket table stays small and the heap does not grow with the flood.
    expect(s1.maxSynq).toBeLessThanOrEqual(BACKLOG + 1);
    expect(s1.synq[port]).toBe(BACKLOG + 1);
    expect(s1.maxSocks).toBeLessThan(BACKLOG + 40);
    expect(s1.heap - heap0).toBeLessThan(16 << 20);

    // The kernel never answered for the spoofed addresses (their SYN-ACKs are not for its MAC).
    expect(k1.OutRsts - k0.OutRsts).toBe(0);
    expect(k1.ActiveOpens - k0.ActiveOpens).toBe(24);
    // Linux's warning, once for the listener (dmesg on Linux, the stack's 'log' event here).
    expect(stack.events.slice(logs0).filter((e) => e.event === 'log').map((e) => e.line)).toEqual([logged]);
  }, 90000);
});
