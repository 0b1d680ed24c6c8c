// The TCP receive fast path under test (tcp_v4_rcv → tcp_rcv_established → tcp_data_queue →
// __tcp_ack_snd_check): one stack on a manual clock and a counting device, one ESTABLISHED
// connection made from hand-built frames, then prebuilt in-order 1448-byte data segments fed to
// it, read by the application as they arrive, ACKed by the stack (every second full segment, as
// Linux). bench/micro.mjs times it; bench/memory.mjs checks what it allocates.
import { PEER_IP, PEER_MAC, DEV_IP, DEV_MAC, ETH_HLEN, ETH_P_IP, benchStack, checksumOk, makeInjector } from './fixtures.mjs';
import { connectedPeer, FRAMES_PER_OP } from './paths.mjs';
import { IPPROTO_TCP, IP_DF, writeIpHeader } from '../../dist/ipv4/iphdr.js';
import { TCP_CLOSE } from '../../dist/tcp/tcp_states.js';

export const TCP_CASE_NAMES = {
  recv: 'TCP receive in order + ACK (1448 B, TS)',
};

/** Payload per data segment: MSS 1460 less the 12 bytes of the timestamp option (as Linux). */
export const SEG_PAYLOAD = 1448;
const SPORT = 40000;
const DPORT = 9000;
const TCPHDR_FIN = 0x01;
const TCPHDR_SYN = 0x02;
const TCPHDR_RST = 0x04;
const TCPHDR_PSH = 0x08;
const TCPHDR_ACK = 0x10;

/** Ones'-complement 16-bit sum of buf[off, off+len) added to `sum` (unfolded). */
function sum16(buf, off, len, sum = 0) {
  let i = off;
  for (; i + 1 < off + len; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < off + len) sum += buf[i] << 8;
  return sum;
}
const fold = (s) => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
};

/**
 * An Ethernet/IPv4/TCP frame from the peer (10.0.0.2:`sport`, 40000 unless given) to the stack
 * (10.0.0.1:9000) with the given options and payload; returns the buffer and the offset of the
 * TCP header.
 */
function tcpFrame({ seq, ack, flags, win = 0xffff, opts = Buffer.alloc(0), payload = 0, sport = SPORT }) {
  const thl = 20 + opts.length;
  const ipLen = 20 + thl + payload;
  const buf = Buffer.alloc(ETH_HLEN + ipLen);
  DEV_MAC.copy(buf, 0);
  PEER_MAC.copy(buf, 6);
  buf.writeUInt16BE(ETH_P_IP, 12);
  writeIpHeader(buf, ETH_HLEN, 0, ipLen, 1, IP_DF, 64, IPPROTO_TCP, PEER_IP, DEV_IP);
  const t = ETH_HLEN + 20;
  buf.writeUInt16BE(sport, t);
  buf.writeUInt16BE(DPORT, t + 2);
  buf.writeUInt32BE(seq >>> 0, t + 4);
  buf.writeUInt32BE(ack >>> 0, t + 8);
  buf[t + 12] = (thl / 4) << 4;
  buf[t + 13] = flags;
  buf.writeUInt16BE(win, t + 14);
  opts.copy(buf, t + 20);
  for (let i = 0; i < payload; i++) buf[t + thl + i] = (0x20 + i) & 0xff;
  setTcpChecksum(buf, t, thl + payload);
  return { buf, t, thl };
}

/** The TCP checksum over the pseudo-header and segment (RFC 9293 3.1). */
function setTcpChecksum(buf, t, len) {
  buf.writeUInt16BE(0, t + 16);
  let s = sum16(buf, ETH_HLEN + 12, 8); // saddr, daddr
  s += IPPROTO_TCP + len;
  s = sum16(buf, t, len, s);
  buf.writeUInt16BE(~fold(s) & 0xffff, t + 16);
}

/** Options of a Linux SYN: MSS 1460, SACK_PERM, TS, NOP, WS 7. */
function synOpts(tsval) {
  const o = Buffer.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7]);
  o.writeUInt32BE(tsval, 8);
  return o;
}

/** NOP NOP TS(tsval, tsecr): the option block of every Linux data segment. */
function tsOpts(tsval, tsecr) {
  const o = Buffer.from([1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
  o.writeUInt32BE(tsval, 4);
  o.writeUInt32BE(tsecr >>> 0, 8);
  return o;
}

/** The stack's last transmitted TCP segment: seq, ack, flags, window, TS value. */
function lastSeg(dev) {
  const r = dev.last;
  const b = r.buf;
  const ip = r.data + ETH_HLEN;
  const t = ip + (b[ip] & 0x0f) * 4;
  const thl = (b[t + 12] >> 4) * 4;
  let tsval = 0;
  for (let i = t + 20; i < t + thl; ) {
    const k = b[i];
    if (k === 0) break;
    if (k === 1) { i++; continue; }
    if (k === 8) tsval = b.readUInt32BE(i + 2);
    i += b[i + 1];
  }
  return { seq: b.readUInt32BE(t + 4), ack: b.readUInt32BE(t + 8), flags: b[t + 13], win: b.readUInt16BE(t + 14), tsval, skb: r, ip, t, len: r.tail - r.data };
}

/**
 * One connection, handshake from hand-built frames, then `perOp` in-order data segments per
 * fn(): the frame's sequence number and checksum are rewritten in place (incrementally, RFC
 * 1624: as a NIC's ring would hand over a fresh frame), the stack takes it through
 * __netif_receive_skb, and the application reads what became readable. Every segment must be
 * accepted in order and every second one answered with an ACK; verify() checks the counts, the
 * bytes read and the last ACK.
 */
export function tcpRecvCase({ perOp = FRAMES_PER_OP } = {}) {
  const fx = benchStack({ addr: '10.0.0.1/24' });
  const { dev, stack } = fx;
  connectedPeer(fx);
  const tcp = stack.tcp;
  let child = null;
  const l = tcp.listen({ local: null, family: 4, port: DPORT, backlog: 8 }, { onAcceptable() {} });
  // Handshakes from successive peer ports until the stack's own initial sequence number (keyed
  // on the 4-tuple, RFC 6528) is at or above 2^31, each other connection reset: sequence numbers
  // there are no small integers for V8, and a path that boxes one per segment allocates 16 B per
  // segment in every other run. Each port is a coin toss; 64 of them all losing is 2^-64.
  const isn = 0x10000000;
  const tsval = 1000;
  let sport = SPORT;
  let sa = null;
  for (; ; sport++) {
    if (sport === SPORT + 64) throw new Error('no initial sequence number at or above 2^31 in 64 handshakes');
    makeInjector(dev, tcpFrame({ seq: isn, ack: 0, flags: TCPHDR_SYN, win: 64240, opts: synOpts(tsval), sport }).buf, 0).inject();
    sa = lastSeg(dev);
    if (sa.flags !== (TCPHDR_SYN | TCPHDR_ACK) || sa.ack !== isn + 1) throw new Error('no SYN-ACK');
    const opts = tsOpts(tsval, sa.tsval);
    makeInjector(dev, tcpFrame({ seq: isn + 1, ack: sa.seq + 1, flags: TCPHDR_ACK, win: 502, opts, sport }).buf, 0).inject();
    child = l.accept();
    if (child === null) throw new Error('handshake did not complete');
    if (sa.seq >= 0x80000000) break;
    makeInjector(dev, tcpFrame({ seq: isn + 1, ack: 0, flags: TCPHDR_RST, sport }).buf, 0).inject();
    if (child.state !== TCP_CLOSE) throw new Error('the reset did not close the connection');
  }
  // Counters in a Float64Array: a closure variable past 2^30 (1 GiB read, V8's small-integer
  // range) would box a fresh heap number at every += and charge 16 B/segment to the stack.
  const counts = new Float64Array(2); // [bytes read, chunks read]
  child.user = {
    onConnect() {},
    onReadable() {},
    onWritable() {},
    onError() {},
    onClose() {},
  };
  // The data segment, window 502 << 7 (64 KiB, as Linux advertises at first).
  const { buf: frame, t } = tcpFrame({ seq: isn + 1, ack: sa.seq + 1, flags: TCPHDR_ACK | TCPHDR_PSH, win: 502, opts: tsOpts(tsval, sa.tsval), payload: SEG_PAYLOAD, sport });
  const inj = makeInjector(dev, frame, 0);
  const b = inj.buf;
  // The checksum without the sequence number's two words: the rest never changes.
  const seqOff = t + 4;
  const oldSeq = b.readUInt32BE(seqOff);
  const base = fold((~b.readUInt16BE(t + 16) & 0xffff) + (~(oldSeq >>> 16) & 0xffff) + (~oldSeq & 0xffff));
  // The next sequence number, in a typed array for the same reason as the counters: above 2^30
  // a closure variable would be boxed at every segment.
  const nextSeq = new Uint32Array([isn + 1]);
  const start = nextSeq[0];
  const count0 = dev.count;
  const x0 = { ...tcp.statsExt };
  const inSegs0 = tcp.stats.inSegs;
  let injected = 0;
  return {
    name: TCP_CASE_NAMES.recv,
    unit: 'segment',
    perOp,
    info: { payload: SEG_PAYLOAD },
    fn() {
      for (let i = 0; i < perOp; i++) {
        const seq = nextSeq[0];
        b[seqOff] = seq >>> 24;
        b[seqOff + 1] = (seq >>> 16) & 0xff;
        b[seqOff + 2] = (seq >>> 8) & 0xff;
        b[seqOff + 3] = seq & 0xff;
        const c = ~fold(base + (seq >>> 16) + (seq & 0xffff)) & 0xffff;
        b[t + 16] = c >>> 8;
        b[t + 17] = c & 0xff;
        inj.inject();
        nextSeq[0] = seq + SEG_PAYLOAD;
        // The application reads everything that is readable (tcp_recvmsg).
        for (let d = child.read(); d !== null; d = child.read()) {
          counts[0] += d.length;
          counts[1]++;
        }
      }
      injected += perOp;
    },
    verify() {
      const want = injected * SEG_PAYLOAD;
      if (counts[0] !== want) return `${injected} segments of ${SEG_PAYLOAD} B fed, ${counts[0]} B read`;
      const seq = nextSeq[0];
      if (child.rcvNxt !== seq) return `rcv_nxt ${child.rcvNxt >>> 0}, expected ${seq}`;
      const acks = dev.count - count0;
      // One ACK per two full segments (more only for window updates), never fewer.
      if (acks < Math.floor(injected / 2) || acks > injected) return `${injected} segments, ${acks} ACKs sent`;
      const drops = ['tcpOfoQueue', 'tcpRcvQDrop', 'tcpZeroWindowDrop', 'tcpOutOfWindow'].filter((k) => tcp.statsExt[k] !== x0[k]);
      if (drops.length) return `counted ${drops.join(', ')}`;
      if (tcp.stats.inSegs - inSegs0 < injected) return `inSegs ${tcp.stats.inSegs - inSegs0} < ${injected}`;
      const a = lastSeg(dev);
      if (a.flags !== TCPHDR_ACK) return `last segment flags 0x${a.flags.toString(16)}, expected a pure ACK`;
      const lag = (seq - a.ack) >>> 0;
      if (lag !== 0 && lag !== SEG_PAYLOAD) return `last ACK ${a.ack} is ${lag} B behind rcv_nxt`;
      if (!checksumOk(a.skb.buf, a.ip, 20)) return 'bad IP checksum on the ACK';
      // TCP checksum of the ACK over the pseudo-header.
      const ab = a.skb.buf;
      const tlen = a.len - ETH_HLEN - 20;
      let s = sum16(ab, a.ip + 12, 8) + IPPROTO_TCP + tlen;
      s = sum16(ab, a.t, tlen, s);
      if (fold(s) !== 0xffff) return 'bad TCP checksum on the ACK';
      void start;
      void TCPHDR_FIN;
      return null;
    },
  };
}

/**
 * The reference for "beyond the payload": what the receive path must allocate per segment
 * anyway, done alone in the same loop shape — a view of the segment's payload in the frame and
 * its copy into a Buffer of its own (tcp_data_queue's Buffer.from, since the frame may be ring
 * memory), handed to a reader that drops it.
 */
export function payloadCopyCase({ perOp = FRAMES_PER_OP } = {}) {
  const frame = Buffer.alloc(ETH_HLEN + 20 + 32 + SEG_PAYLOAD, 0x5a);
  const off = ETH_HLEN + 20 + 32;
  let bytes = 0;
  return {
    name: 'payload copy alone (subarray + Buffer.from, 1448 B)',
    unit: 'segment',
    perOp,
    fn() {
      for (let i = 0; i < perOp; i++) bytes += Buffer.from(frame.subarray(off, off + SEG_PAYLOAD)).length;
    },
    verify: () => (bytes % SEG_PAYLOAD === 0 ? null : 'short copy'),
  };
}

/**
 * The other reference: the ACK the receive path sends every second segment, as tcp_transmit_skb
 * allocates it (allocSkb of a 32-byte TCP header with timestamps behind 32 + 20 bytes of room),
 * per segment (one per two).
 */
export async function ackSkbCase({ perOp = FRAMES_PER_OP } = {}) {
  const { allocSkb } = await import('../../dist/core/skbuff.js');
  let n = 0;
  return {
    name: 'ACK skb alone (allocSkb, one per 2 segments)',
    unit: 'segment',
    perOp,
    fn() {
      for (let i = 0; i < perOp; i += 2) {
        const skb = allocSkb(32, 32 + 20);
        skb.put(32);
        n += skb.tail - skb.data;
      }
    },
    verify: () => (n % 32 === 0 ? null : 'bad skb'),
  };
}
