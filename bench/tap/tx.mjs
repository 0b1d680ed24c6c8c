// tapstack's side of the TAP transmit benchmark (bench/tap/run.mjs): a Stack on a TapDevice sends
// N IPv4/UDP packets to the kernel as fast as its normal output path allows.
//
//   node bench/tap/tx.mjs --dev tap0 --mac 02:00:00:00:00:02 --addr 10.0.0.2/24
//                         --dst 10.0.0.1 --dst-mac KERNEL_MAC --count N [--payload 64] [--port 9]
//
// Path per packet (the same one ping and ICMP replies take): allocSkb() with head room → UDP header,
// payload and checksum written by this script (tapstack has no UDP layer) → ipSend(inet, skb, 0,
// daddr, IPPROTO_UDP): route lookup, source selection, IPv4 header with id and checksum →
// ip_finish_output2 → neigh_output on a PERMANENT neighbour (added like `ip neigh add`, so the
// cached-header fast path is used and no ARP is involved) → dev_queue_xmit → TapDevice.xmit,
// which copies the frame into its transmit ring; the ring is written to the kernel with one
// native writeBatch() call whenever it is full (64 frames by default) and at the end of each
// burst (microtask). A TAP write runs the kernel's receive path synchronously in the writer's
// context, so the ring flush itself is the backpressure: a frame is never staged into a full
// ring, and frames the kernel refuses (EAGAIN/ENOBUFS) are counted by the driver (txRefused).
//
// The loop sends bursts of BURST packets and yields to the event loop (setImmediate) between them,
// so the stack's receive side and timers still run, as they would in a real sender.
//
// Public API used: Stack, TapDevice, parseIPv4 (dist/index.js). Not exported from the package
// entry point, imported from dist/ directly: allocSkb (dist/core/skbuff.js), ipSend
// (dist/ipv4/ip_output.js), csumPartial/udpPseudoSum (dist/ipv4/checksum.js).
//
// Prints one JSON line: { offered, sendErrors, seconds, framesPerSec, txPackets, txDropped, tap }.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(join(ROOT, 'dist', p));
const { Stack, TapDevice, parseIPv4, parseMac } = await dist('index.js');
const { allocSkb, LL_RESERVED_SPACE } = await dist('core/skbuff.js');
const { ipSend } = await dist('ipv4/ip_output.js');
const { csumPartial, udpPseudoSum } = await dist('ipv4/checksum.js');

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
if (!(count > 0 && payload >= 0 && payload <= 1472 && dport > 0 && dport < 65536 && BURST > 0)) throw new Error('bad arguments');

const IPPROTO_UDP = 17;
const SPORT = 40000;
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(o.dev, { mac: parseMac(o.mac) }));
stack.addAddress(o.dev, o.addr);
stack.neighAdd({ dst: o.dst, dev: o.dev, lladdr: o['dst-mac'] });
const daddr = parseIPv4(o.dst);
const saddr = parseIPv4(o.addr.split('/')[0]);
const ulen = 8 + payload;
const pseudo = udpPseudoSum(saddr, daddr, IPPROTO_UDP, ulen);
const inet = stack.inet;

let sent = 0;
let sendErrors = 0;
let firstError = 0;

function sendOne() {
  const skb = allocSkb(ulen, LL_RESERVED_SPACE + 20);
  const b = skb.buf;
  const u = skb.put(ulen);
  b[u] = SPORT >>> 8;
  b[u + 1] = SPORT & 0xff;
  b[u + 2] = dport >>> 8;
  b[u + 3] = dport & 0xff;
  b[u + 4] = ulen >>> 8;
  b[u + 5] = ulen & 0xff;
  b[u + 6] = 0;
  b[u + 7] = 0;
  for (let i = 0; i < payload; i++) b[u + 8 + i] = i & 0xff;
  let c = ~csumPartial(b, u, ulen, pseudo) & 0xffff;
  if (c === 0) c = 0xffff;
  b[u + 6] = c >>> 8;
  b[u + 7] = c & 0xff;
  const rc = ipSend(inet, skb, saddr, daddr, IPPROTO_UDP);
  if (rc < 0) {
    sendErrors++;
    if (!firstError) firstError = rc;
  }
}

const t0 = process.hrtime.bigint();
await new Promise((resolve) => {
  const burst = () => {
    const end = Math.min(sent + BURST, count);
    for (; sent < end; sent++) sendOne();
    if (sent < count) setImmediate(burst);
    else resolve();
  };
  burst();
});
tap.flush();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

const result = {
  offered: sent,
  sendErrors,
  firstError,
  seconds,
  framesPerSec: (sent - sendErrors) / seconds,
  txPackets: tap.stats.txPackets,
  txDropped: tap.stats.txDropped,
  txErrors: tap.stats.txErrors,
  tap: { ...tap.tapStats },
};
process.stdout.write(JSON.stringify(result) + '\n');
await stack.close();
