// Zero windows both ways against the kernel's TCP (tcp_select_window's zero window, the persist
// timer: tcp_probe_timer / tcp_send_probe0 / tcp_write_wakeup / tcp_xmit_probe_skb, and the
// window update that reopens it). (a) A tapstack receiver that pause()s: its window closes, the
// kernel's window probes arrive (TcpExt TCPWinProbe in the namespace) and are answered with
// zero-window ACKs (tcpdump), then resume() and the data arrives intact by hash. (b) A kernel
// receiver (python, small SO_RCVBUF) that does not read: tapstack's send window goes to zero,
// its persist timer probes (tcpExt.tcpWinProbe, tcpdump), the kernel reads and it all arrives.
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { LineChild } from '../helpers/line_child.js';
import { type ChildPair, PATTERN, kernelSnmp, lineLoop, patternHash, startChildPair } from '../helpers/tcp_kernel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const STACK_CHILD = `
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
const { Stack, TapDevice } = await import(process.argv[2]);
const pattern = ${PATTERN};
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open('tap0', { mac: Buffer.from('025a00000002', 'hex') }));
stack.addAddress(tap, '10.0.0.2/24');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const paused = [];
const ops = {
  /** A sink whose connections are paused from the start: nothing is read until resume(). */
  async pausedSink({ port }) {
    const srv = stack.createServer((sock) => {
      const h = createHash('sha256');
      let n = 0;
      sock.on('data', (d) => { h.update(d); n += d.length; });
      sock.pause();
      sock.on('end', () => sock.end(JSON.stringify({ bytes: n, sha: h.digest('hex') })));
      sock.on('error', (e) => out({ event: 'sink-error', code: e.code }));
      paused.push({ sock, read: () => n });
      out({ event: 'accepted' });
    });
    await new Promise((res) => srv.listen(port, '10.0.0.2', res));
    return srv.address();
  },
  read() { return paused.map((p) => p.read()); },
  resume() { for (const p of paused) p.sock.resume(); return paused.length; },
  /** Connects, writes \`bytes\` of the pattern with backpressure, ends; the peer's answer. */
  source({ port, host, bytes }) {
    return new Promise((resolve) => {
      const s = stack.connect(port, host);
      const chunks = [];
      const data = pattern(bytes);
      s.on('connect', () => {
        let off = 0;
        const more = () => {
          while (off < data.length) {
            const c = data.subarray(off, off + 65536);
            off += c.length;
            if (!s.write(c)) { s.once('drain', more); return; }
          }
          s.end();
        };
        more();
      });
      s.on('data', (d) => chunks.push(d));
      s.on('error', (e) => resolve({ error: e.code }));
      s.on('close', (hadError) => { if (!hadError) resolve({ reply: Buffer.concat(chunks).toString() }); });
    });
  },
  stats() { return stack.stats().tcpExt; },
  /** ss -o's view of the connections to \`port\`: which timer runs. */
  timers({ port }) { return stack.tcp.sockets().filter((i) => i.remotePort === port).map((i) => i.timer); },
};
${lineLoop('{ ready: true }')}`;

const KERNEL_CHILD = `
import net from 'node:net';
import { createInterface } from 'node:readline';
const pattern = ${PATTERN};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const ops = {
  connect({ port, host, bytes }) {
    return new Promise((resolve) => {
      const s = net.connect(port, host);
      const chunks = [];
      s.on('connect', () => s.end(pattern(bytes)));
      s.on('data', (d) => chunks.push(d));
      s.on('error', (e) => resolve({ error: e.code }));
      s.on('close', (hadError) => { if (!hadError) resolve({ reply: Buffer.concat(chunks).toString() }); });
    });
  },
};
${lineLoop("{ event: 'ready' }")}`;

/** A kernel server with a small receive buffer that reads nothing until told ("read" on stdin). */
const KERNEL_SLOW_PY = `
import hashlib, json, socket, sys
port = int(sys.argv[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
s.bind(('10.0.0.1', port))
s.listen(1)
print(json.dumps({'ready': True}), flush=True)
c, _ = s.accept()
print(json.dumps({'accepted': True}), flush=True)
sys.stdin.readline()
h = hashlib.sha256()
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    h.update(d)
    n += len(d)
c.sendall(json.dumps({'bytes': n, 'sha': h.hexdigest()}).encode())
c.close()
print(json.dumps({'done': n}), flush=True)
`;

function kernelTcpExt(ns: Netns): Record<string, number> {
  return kernelSnmp(ns, 'netstat', 'TcpExt');
}

/** tcpdump in the namespace, printing one line per matching packet. */
function capture(ns: Netns, filter: string): { proc: ChildProcess; lines: () => string[] } {
  const proc = ns.spawn('tcpdump', ['-i', 'tap0', '-nn', '-l', '-S', '-tt', filter]);
  let buf = '';
  proc.stdout!.on('data', (d) => (buf += d));
  proc.stderr!.on('data', () => {});
  return { proc, lines: () => buf.split('\n').filter((l) => l.includes(' > ')) };
}

describe.runIf(canRunKernelTests(['ip', 'tcpdump', '/usr/bin/python3']))('zero windows against the kernel', () => {
  let pair: ChildPair;
  let ns: Netns;
  let stack: LineChild;
  let kernel: LineChild;
  let dir: string;

  beforeAll(async () => {
    pair = await startChildPair({
      prefix: 'tszwin',
      stackChild: STACK_CHILD,
      kernelChild: KERNEL_CHILD,
      files: { 'slow.py': KERNEL_SLOW_PY },
      kernelSide: (ns) => {
        ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ping -c 1 -W 2 10.0.0.2 >/dev/null');
      },
    });
    ({ ns, stack, kernel, dir } = pair);
  }, 30000);

  afterAll(() => pair?.close());

  it('(a) tapstack stops reading: its window closes, the kernel probes, tapstack answers; resumed, 8 MiB intact', async () => {
    const BYTES = 8 << 20;
    await stack.call('pausedSink', { port: 9200 });
    // tapstack's zero-window advertisements, and the kernel's empty segments (its probes).
    const zeroFromUs = capture(ns, 'tcp and src host 10.0.0.2 and src port 9200 and tcp[14:2] = 0');
    const emptyFromKernel = capture(ns, 'tcp and dst port 9200 and src host 10.0.0.1 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) = 0');
    const openFromUs = capture(ns, 'tcp and src host 10.0.0.2 and src port 9200 and tcp[14:2] != 0');
    try {
      await sleep(500);
      const k0 = kernelTcpExt(ns);
      const s0 = await stack.call('stats');
      const sending = kernel.call('connect', { port: 9200, host: '10.0.0.2', bytes: BYTES });
      await stack.event('the accept', (e) => e.event === 'accepted');
      // The kernel's probes back off from its RTO (about 200 ms here): a few come within 4 s.
      await sleep(4000);
      const k1 = kernelTcpExt(ns);
      const s1 = await stack.call('stats');
      const stalled = (await stack.call('read'))[0];
      const probes = k1.TCPWinProbe - k0.TCPWinProbe;
      expect(stalled).toBeLessThan(BYTES);
      expect(probes).toBeGreaterThanOrEqual(2);
      // tapstack went to a zero window (tcp_select_window) ...
      expect(s1.tcpToZeroWindowAdv + s1.tcpWantZeroWindowAdv - s0.tcpToZeroWindowAdv - s0.tcpWantZeroWindowAdv).toBeGreaterThan(0);
      // ... and answered the probes (SEQ = RCV.NXT − 1, outside the window) with ACKs that still
      // say zero. As Linux's tcp_oow_rate_limited(), an empty out-of-window segment within
      // tcp_invalid_ratelimit (500 ms) of the last such answer gets none (TCPAckSkippedSeq): the
      // kernel's first probes come 200 and 400 ms apart, so one may go unanswered; it backs off.
      const skipped = s1.tcpAckSkippedSeq - s0.tcpAckSkippedSeq;
      expect(skipped).toBeLessThan(probes);
      expect(s1.tcpOutOfWindow - s0.tcpOutOfWindow).toBeGreaterThanOrEqual(probes);
      await waitFor('the captures', () => emptyFromKernel.lines().length >= probes && zeroFromUs.lines().length > probes - skipped, 3000);
      // Nothing was read while paused.
      expect((await stack.call('read'))[0]).toBe(stalled);
      const t0 = Date.now();
      expect(await stack.call('resume')).toBe(1);
      const r = await sending;
      // Reading reopened the window at once (tcp_cleanup_rbuf's window update), without waiting
      // for the kernel's next, backed-off probe (seconds away by now).
      // (tcpdump's line may trail the transfer it started: with offloads the rest of the 8 MiB
      // takes milliseconds. Waiting for it hides nothing — the time it names is checked below.)
      const updateAt = () => openFromUs.lines().map((l) => Number(l.split(' ')[0]) * 1000).find((t) => t >= t0 - 5);
      await waitFor('the window update in the capture', () => updateAt() !== undefined, 3000);
      const update = updateAt();
      expect(update).toBeDefined();
      expect(update! - t0).toBeLessThan(300);
      expect(JSON.parse(r.reply)).toEqual({ bytes: BYTES, sha: patternHash(BYTES) });
      const s2 = await stack.call('stats');
      expect(s2.tcpFromZeroWindowAdv - s0.tcpFromZeroWindowAdv).toBeGreaterThan(0);
    } finally {
      zeroFromUs.proc.kill('SIGKILL');
      emptyFromKernel.proc.kill('SIGKILL');
      openFromUs.proc.kill('SIGKILL');
    }
  }, 40000);

  it('(b) the kernel stops reading: tapstack\'s send window goes to zero, its persist timer probes; then 4 MiB intact', async () => {
    const BYTES = 4 << 20;
    const slow = new LineChild(ns.spawn('/usr/bin/python3', [join(dir, 'slow.py'), '9300']));
    const zeroFromKernel = capture(ns, 'tcp and src host 10.0.0.1 and src port 9300 and tcp[14:2] = 0');
    const emptyFromUs = capture(ns, 'tcp and dst port 9300 and src host 10.0.0.2 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) = 0');
    try {
      await slow.event('the slow server', (e) => e.ready === true);
      await sleep(500);
      const s0 = await stack.call('stats');
      const k0 = kernelTcpExt(ns);
      const sending = stack.call('source', { port: 9300, host: '10.0.0.1', bytes: BYTES });
      await slow.event('the accept', (e) => e.accepted === true);
      await sleep(4000);
      const s1 = await stack.call('stats');
      const k1 = kernelTcpExt(ns);
      const probes = s1.tcpWinProbe - s0.tcpWinProbe;
      // What ss -o would show for the stalled connection: the persist timer (ICSK_TIME_PROBE0).
      expect(await stack.call('timers', { port: 9300 })).toEqual(['persist']);
      // The kernel advertised a zero window, tapstack's persist timer sent probes (pure ACKs
      // with SEQ = SND.UNA − 1, counted as Linux counts TCPWinProbe) and the kernel answered
      // them, but for those within its own 500 ms out-of-window rate limit (TCPAckSkippedSeq).
      const kernelSkipped = k1.TCPACKSkippedSeq - k0.TCPACKSkippedSeq;
      expect(probes).toBeGreaterThanOrEqual(2);
      expect(kernelSkipped).toBeLessThan(probes);
      await waitFor('the captures', () => emptyFromUs.lines().length >= probes + 2 && zeroFromKernel.lines().length >= 1 + probes - kernelSkipped, 3000);
      // The probes back off as tcp_probe0_when() says: each gap about twice the one before.
      // (The empty segments from us past the handshake's SYN and ACK are the probes.)
      const times = emptyFromUs.lines().filter((l) => l.includes('Flags [.]')).slice(1).map((l) => Number(l.split(' ')[0]) * 1000);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      for (let i = 1; i < gaps.length; i++) expect(gaps[i] / gaps[i - 1]).toBeGreaterThan(1.6);
      expect(gaps.length).toBeGreaterThanOrEqual(2);
      // No retransmission timeout fired for a window that was merely closed.
      expect(s1.tcpTimeouts - s0.tcpTimeouts).toBe(0);
      slow.write({ read: true });
      const r = await sending;
      expect(JSON.parse(r.reply)).toEqual({ bytes: BYTES, sha: patternHash(BYTES) });
      await slow.event('the slow server\'s end', (e) => e.done === BYTES);
    } finally {
      slow.proc.kill('SIGKILL');
      zeroFromKernel.proc.kill('SIGKILL');
      emptyFromUs.proc.kill('SIGKILL');
    }
  }, 40000);
});
