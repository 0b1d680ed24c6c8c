// tapstack's sender for bench/tap/run.mjs (the transmit and UDP send measurements): a Stack on a
// TapDevice sends N datagrams to the kernel through a UdpSocket, as an application would.
//
//   node bench/tap/tx.mjs --dev tap0 --mac 02:00:00:00:00:02 --addr 10.0.0.2/24
//                         --dst 10.0.0.1 --dst-mac KERNEL_MAC --count N [--payload 64] [--port 9]
//                         [--burst 1024]
//
// Only the package's public API is used (dist/index.js): Stack, TapDevice, parseMac,
// stack.neighAdd and stack.createSocket('udp4'). The kernel's address is a permanent neighbour
// (as `ip neigh add ... nud permanent`), so no ARP is involved and the cached-header fast path is
// taken from the first datagram. Each datagram is one `socket.send(buf, port, address)` without
// a callback (as most senders write it): udp_sendmsg builds the UDP header and checksum, ipSend
// the IPv4 header, neigh_output the Ethernet header, and TapDevice.xmit copies the frame into its
// transmit ring, which goes to the kernel in one native writeBatch() whenever it is full (64
// frames by default) and at the end of each burst (microtask). A TAP write runs the kernel's
// receive path synchronously in the writer's context, so the ring flush is the backpressure;
// frames the kernel refuses (EAGAIN/ENOBUFS) are counted by the driver (tapStats.txRefused).
// A send that fails is not retried: offered − stats().udp.outDatagrams of them.
//
// The payload's first 4 bytes are the sequence number (big endian), the rest i & 0xff, as the C
// programs send. The loop sends bursts of BURST datagrams and yields to the event loop
// (setImmediate) between them, so the stack's receive side (ICMP port unreachable from the
// kernel, when nothing listens on the port) and its timers still run, as they would in a real
// sender.
//
// Prints one JSON line: { offered, sendErrors, seconds, t0Ns, t1Ns (CLOCK_MONOTONIC, as the C
// programs print), framesPerSec, udp (stats().udp), txPackets, txDropped, txErrors, tap }.
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
    dst: { type: 'string', default: '10.0.0.1' },
    'dst-mac': { type: 'string' },
    count: { type: 'string', default: '100000' },
    payload: { type: 'string', default: '64' },
    port: { type: 'string', default: '9' },
    burst: { type: 'string', default: '1024' },
  },
});
const count = Number(o.count);
const payload = Number(o.payload);
const dport = Number(o.port);
const BURST = Number(o.burst);
if (!o['dst-mac']) throw new Error('--dst-mac is required');
if (!(Number.isInteger(count) && count > 0 && payload >= 4 && payload <= 1472 && dport > 0 && dport < 65536 && BURST > 0)) {
  throw new Error('bad arguments');
}

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(o.dev, { mac: parseMac(o.mac) }));
stack.addAddress(o.dev, o.addr);
stack.neighAdd({ dst: o.dst, dev: o.dev, lladdr: o['dst-mac'] });
const sock = stack.createSocket('udp4');
await new Promise((resolve, reject) => {
  sock.once('error', reject);
  sock.bind(40000, resolve);
});

const msg = Buffer.alloc(payload);
for (let i = 4; i < payload; i++) msg[i] = i & 0xff;
const dst = o.dst;
let sent = 0;

const t0 = process.hrtime.bigint();
await new Promise((resolve) => {
  const burst = () => {
    const end = Math.min(sent + BURST, count);
    for (; sent < end; sent++) {
      msg.writeUInt32BE(sent, 0); // send() copies the bytes before it returns
      sock.send(msg, dport, dst);
    }
    if (sent < count) setImmediate(burst);
    else resolve();
  };
  burst();
});
tap.flush();
const t1 = process.hrtime.bigint();
const seconds = Number(t1 - t0) / 1e9;
const udp = stack.stats().udp;

const result = {
  offered: sent,
  sendErrors: sent - udp.outDatagrams,
  seconds,
  t0Ns: String(t0),
  t1Ns: String(t1),
  framesPerSec: udp.outDatagrams / seconds,
  udp,
  txPackets: tap.stats.txPackets,
  txDropped: tap.stats.txDropped,
  txErrors: tap.stats.txErrors,
  tap: { ...tap.tapStats },
};
process.stdout.write(JSON.stringify(result) + '\n');
await stack.close();
