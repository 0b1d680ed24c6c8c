// tapstack's receiver for bench/tap/run.mjs (the UDP receive measurement): a Stack on a TapDevice
// with one UdpSocket counting the datagrams the kernel sends it, as an application would.
//
//   node bench/tap/rx.mjs --dev tap0 --mac 02:00:00:00:00:02 --addr 10.0.0.2/24 --port 9000
//                         --count N [--idle-ms 500] [--deadline-s 60]
//
// Only the package's public API is used (dist/index.js): Stack, TapDevice, parseMac and
// stack.createSocket('udp4') with its 'message' event. The receive buffer is set to the most
// tapstack allows (setRecvBufferSize(212992), stored doubled as Linux does); UDP's rcvbufErrors
// say whether it was ever the limit. Prints "rx: bound ADDR:PORT pid PID" once the socket is
// bound, then counts datagrams until N arrived, nothing arrived for --idle-ms after the first, or
// --deadline-s passed, and prints one JSON line: { received, bad, maxSeq, firstNs, lastNs
// (CLOCK_MONOTONIC of the first and last 'message', as the C sink prints them), udp
// (stats().udp), rxPackets, rxDropped, tap }. A datagram whose length differs from the first
// one's is bad; the first 4 payload bytes are the sender's sequence number.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Stack, TapDevice, parseMac } = await import(join(ROOT, 'dist', 'index.js'));

const { values: o } = parseArgs({
  options: {
    dev: { type: 'string', default: 'tap0' },
    mac: { type: 'string', default: '02:00:00:00:00:02' },
    addr: { type: 'string', default: '10.0.0.2/24' },
    port: { type: 'string', default: '9000' },
    count: { type: 'string', default: '100000' },
    'idle-ms': { type: 'string', default: '500' },
    'deadline-s': { type: 'string', default: '60' },
  },
});
const count = Number(o.count);
const port = Number(o.port);
const idleMs = Number(o['idle-ms']);
const deadlineMs = Number(o['deadline-s']) * 1000;
if (!(Number.isInteger(count) && count > 0 && port > 0 && port < 65536 && idleMs > 0 && deadlineMs > 0)) throw new Error('bad arguments');

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(o.dev, { mac: parseMac(o.mac) }));
stack.addAddress(o.dev, o.addr);
const sock = stack.createSocket({ type: 'udp4', recvBufferSize: 212992 });

let received = 0;
let bad = 0;
let maxSeq = 0;
let len = -1;
let first = 0n;
let last = 0n;
let finish;
const done = new Promise((r) => (finish = r));
sock.on('message', (msg) => {
  const t = process.hrtime.bigint();
  if (received === 0) first = t;
  last = t;
  received++;
  if (len < 0) len = msg.length;
  if (msg.length !== len || msg.length < 4) bad++;
  else {
    const seq = msg.readUInt32BE(0);
    if (seq > maxSeq) maxSeq = seq;
  }
  if (received >= count) finish('count');
});
await new Promise((resolve, reject) => {
  sock.once('error', reject);
  sock.bind(port, o.addr.split('/')[0], resolve);
});
process.stdout.write(`rx: bound ${o.addr.split('/')[0]}:${port} pid ${process.pid}\n`);

const started = Date.now();
const poll = setInterval(() => {
  const now = Date.now();
  if (received > 0 && Number(process.hrtime.bigint() - last) / 1e6 > idleMs) finish('idle');
  else if (now - started > deadlineMs) finish('deadline');
}, 50);
const why = await done;
clearInterval(poll);

const result = {
  received,
  bad,
  maxSeq,
  stoppedBy: why,
  firstNs: String(first),
  lastNs: String(last),
  udp: stack.stats().udp,
  rxPackets: tap.stats.rxPackets,
  rxDropped: tap.stats.rxDropped,
  tap: { ...tap.tapStats },
};
process.stdout.write(JSON.stringify(result) + '\n');
await stack.close();
