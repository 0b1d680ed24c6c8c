// tapstack's side of the TCP benchmark, public API only: a Stack on tap0 (10.0.0.2/24) with a
// sink server on :9000 (counts bytes), an echo server on :9002 (T5 request/response, T6
// connections, T8 idle connections; counts the live ones) and, on `send PORT HOST SECONDS` from
// stdin, a client that writes for SECONDS and reports; `heap` prints heapUsed after gc() (run
// node with --expose-gc); `tapstats` the TAP driver's counters. Prints JSON lines.
import { createInterface } from 'node:readline';
// argv: dist/index.js URL, then optionally the TAP's name and the stack's address (tap0,
// 10.0.0.2/24); offloads as TapDevice.open's default (TAPSTACK_OFFLOAD in the environment).
const { Stack, TapDevice } = await import(process.argv[2]);
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(process.argv[3] ?? 'tap0', { mac: Buffer.from('025a00000002', 'hex') }));
const cidr = process.argv[4] ?? '10.0.0.2/24';
stack.addAddress(tap, cidr);
// T7's sender sits behind the kernel of tap0 (10.0.5.0/24, routed by it): .1 of the same /24.
stack.addRoute('default', cidr.replace(/\.2\/24$/, '.1'));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
stack.createServer((s) => {
  let n = 0;
  const t0 = process.hrtime.bigint();
  s.on('data', (d) => (n += d.length));
  s.on('end', () => { out({ event: 'sunk', bytes: n, secs: Number(process.hrtime.bigint() - t0) / 1e9 }); s.end(); });
  s.on('error', () => {});
}).listen(9000, '0.0.0.0', () => out({ ready: true }));
let live = 0;
let accepted = 0;
stack.createServer((s) => {
  live++;
  accepted++;
  s.on('data', (d) => s.write(d));
  s.on('end', () => s.end());
  s.on('close', () => live--);
  s.on('error', () => {});
}).listen({ port: 9002, host: '0.0.0.0', backlog: 4096 }, () => out({ ready: 'echo' }));
async function heap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  out({ event: 'heap', heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, live, accepted, gc: typeof globalThis.gc === 'function' });
}
let stashed = null;
async function snap(cmd, per) {
  const { heapAggregate, heapDiff, stashAggregate, unstashAggregate } = await import('../lib/heapsnap.mjs');
  if (cmd === 'snap') {
    stashed = null;
    stashed = stashAggregate(heapAggregate());
    return void out({ event: 'snap' });
  }
  const rows = heapDiff(unstashAggregate(stashed), heapAggregate(), per, 8).slice(0, 25);
  out({ event: 'snapdiff', rows });
}
const chunk = Buffer.alloc(256 * 1024, 0x5a);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, port, host, secs] = line.trim().split(' ');
  if (cmd === 'heap') return void heap();
  if (cmd === 'tapstats') return void out({ event: 'tapstats', ...tap.tapStats });
  if (cmd === 'live') {
    const states = {};
    for (const k of stack.tcp.sockets()) states[k.state] = (states[k.state] ?? 0) + 1;
    // Sockets other than listeners and TIME-WAIT (which end on their own timer).
    const active = Object.entries(states).reduce((n, [st, c]) => (st === '10' || st === '6' ? n : n + c), 0);
    return void out({ event: 'live', live, accepted, active, states });
  }
  // `snap` remembers a heap aggregate by object kind; `snapdiff N` prints (now − then) / N.
  if (cmd === 'snap' || cmd === 'snapdiff') return void snap(cmd, Number(port));
  if (cmd === 'exit') process.exit(0); // (writes a --cpu-prof profile, skips stack.close())
  if (cmd === 'drain') {
    // Read what a kernel source sends for its duration.
    const s = stack.connect(Number(port), host);
    let n = 0;
    const t0 = process.hrtime.bigint();
    s.on('data', (d) => (n += d.length));
    s.on('end', () => { out({ event: 'drained', bytes: n, secs: Number(process.hrtime.bigint() - t0) / 1e9 }); s.end(); });
    s.on('error', (e) => out({ event: 'error', message: e.message }));
    return;
  }
  if (cmd !== 'send') return;
  const s = stack.connect(Number(port), host);
  s.on('error', (e) => out({ event: 'error', message: e.message }));
  s.on('connect', () => {
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(Math.round(Number(secs) * 1e9));
    let bytes = 0;
    const go = () => {
      while (process.hrtime.bigint() < end) {
        bytes += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', go);
      }
      s.end();
      out({ event: 'sent', bytes, secs: Number(process.hrtime.bigint() - t0) / 1e9 });
    };
    go();
  });
});
process.stdin.on('end', () => stack.close().then(() => process.exit(0)));
