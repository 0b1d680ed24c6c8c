// tapstack's sender for bench/tap/run.mjs (the transmit and UDP send measurements): a Stack on a
// TapDevice sends N datagrams to the kernel through a UdpSocket, as an application would.
//
//   node bench/tap/tx.mjs --dev tap0 --mac 02:00:00:00:00:02 --addr 10.0.0.2/24
//                         --dst 10.0.0.1 --dst-mac KERNEL_MAC --count N [--payload 64] [--port 9]
//                         [--burst 1024] [--segment K]
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
// --segment K (UDP segmentation offload): each send carries K datagrams at once, the socket's
// UDP_SEGMENT set to the payload size (UdpSocket.setUdpSegment), so one call becomes one
// super-datagram that the kernel cuts (USO) or the stack does (software GSO); COUNT still counts
// datagrams, and each of them starts with its own sequence number.
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
    segment: { type: 'string', default: '0' },
  },
});
const count = Number(o.count);
const payload = Number(o.payload);
const dport = Number(o.port);
const BURST = Number(o.burst);
const SEG = Number(o.segment);
if (!o['dst-mac']) throw new Error('--dst-mac is required');
if (!(Number.isInteger(count) && count > 0 && payload >= 4 && payload <= 1472 && dport > 0 && dport < 65536 && BURST > 0 &&
  Number.isInteger(SEG) && SEG >= 0 && SEG <= 128)) {
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

const per = SEG || 1;
const msg = Buffer.alloc(payload * per);
for (let j = 0; j < per; j++) for (let i = 4; i < payload; i++) msg[j * payload + i] = i & 0xff;
if (SEG) sock.setUdpSegment(payload);
const dst = o.dst;
let sent = 0;
let sends = 0;

const t0 = process.hrtime.bigint();
await new Promise((resolve) => {
  const burst = () => {
    const end = Math.min(sent + BURST * per, count);
    while (sent < end) {
      const k = Math.min(per, count - sent); // the last send may carry fewer
      for (let j = 0; j < k; j++) msg.writeUInt32BE(sent + j, j * payload); // send() copies the bytes before it returns
      sock.send(k === per ? msg : msg.subarray(0, k * payload), dport, dst);
      sent += k;
      sends++;
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
  // outDatagrams counts sends (a UDP_SEGMENT send once, as Linux does): errors in datagrams.
  sendErrors: sends === udp.outDatagrams ? 0 : (sends - udp.outDatagrams) * per,
  seconds,
  t0Ns: String(t0),
  t1Ns: String(t1),
  framesPerSec: (sends === udp.outDatagrams ? sent : udp.outDatagrams * per) / seconds,
  sends,
  udp,
  txPackets: tap.stats.txPackets,
  txDropped: tap.stats.txDropped,
  txErrors: tap.stats.txErrors,
  tap: { ...tap.tapStats },
};
process.stdout.write(JSON.stringify(result) + '\n');
await stack.close();
