// The packet buffer, after struct sk_buff (include/linux/skbuff.h): one Buffer with head room,
// data/tail offsets and header offsets, so layers push and pull headers without copying.
import type { NetDevice } from './netdevice.js';

/** skb->pkt_type values (include/uapi/linux/if_packet.h). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_LOOPBACK = 5;

/** skb->ip_summed: nothing is known about the transport checksum; verify it. */
export const CHECKSUM_NONE = 0;
/** skb->ip_summed: the device verified the transport checksum (virtio DATA_VALID). */
export const CHECKSUM_UNNECESSARY = 1;
/**
 * skb->ip_summed: the transport checksum field holds only the pseudo-header sum; the sum from
 * csumStart is yet to be added, by the device on output (virtio NEEDS_CSUM), and on input it
 * counts as verified (the sender is the local kernel, which never computed it).
 */
export const CHECKSUM_PARTIAL = 3;

/** skb_shinfo(skb)->gso_type: SKB_GSO_TCPV4. */
export const SKB_GSO_TCPV4 = 1 << 0;
/** SKB_GSO_DODGY: the segment came from an untrusted source (a TAP); headers are re-checked. */
export const SKB_GSO_DODGY = 1 << 1;
/** SKB_GSO_TCP_ECN: CWR set on the first segment only. */
export const SKB_GSO_TCP_ECN = 1 << 2;
/** SKB_GSO_TCPV6. */
export const SKB_GSO_TCPV6 = 1 << 4;
/** SKB_GSO_UDP_L4. */
export const SKB_GSO_UDP_L4 = 1 << 16;

/**
 * skb_gso_network_seglen() from offset `from` of the packet: the bytes from there to the end of
 * each segment a super-segment becomes (the headers from `from` through the transport header,
 * found where its checksum starts — csum_start — plus gso_size), or to the packet's end otherwise.
 */
function skbGsoSeglenFrom(skb: SkBuff, from: number): number {
  if (skb.gsoSize === 0) return skb.tail - from;
  const th = skb.csumStart;
  const thlen = skb.gsoType & SKB_GSO_UDP_L4 ? 8 : (skb.buf[th + 12] >>> 4) << 2;
  return th - from + thlen + skb.gsoSize;
}

/**
 * Before the network header is pushed (data at the transport header): each segment's bytes less
 * the network header. What the output MTU check compares (ip_finish_output_gso).
 */
export function skbGsoTransportSeglen(skb: SkBuff): number {
  return skbGsoSeglenFrom(skb, skb.data);
}

/**
 * With the network header set: each segment's bytes from it. What forwarding compares with the
 * MTU (ip_exceeds_mtu, ip6_pkt_too_big).
 */
export function skbGsoNetworkSeglen(skb: SkBuff): number {
  return skbGsoSeglenFrom(skb, skb.networkHeader);
}

/** SMP_CACHE_BYTES on x86_64: SKB_DATA_ALIGN() rounds to it. */
export const SMP_CACHE_BYTES = 64;

/** SKB_DATA_ALIGN(): round up to a cache line. */
export function skbDataAlign(x: number): number {
  return (x + SMP_CACHE_BYTES - 1) & ~(SMP_CACHE_BYTES - 1);
}

/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64: it sits at the end of every head. */
export const SKB_SHINFO_SIZE = 320;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) on x86_64. */
export const SKB_STRUCT_SIZE = 256;

/**
 * Bookkeeping overhead the kernel adds to a buffer's truesize (aligned sk_buff plus
 * skb_shared_info on x86_64). With it a 1514-byte frame costs 2090 bytes, which is why the default
 * unres_qlen_bytes of 212992 is shown as "queue 101".
 */
export const SKB_TRUESIZE_OVERHEAD = SKB_STRUCT_SIZE + SKB_SHINFO_SIZE;

/** SKB_TRUESIZE(X): X bytes of data plus the overhead, the macro's own arithmetic (no rounding). */
export function skbTruesize(size: number): number {
  return size + SKB_TRUESIZE_OVERHEAD;
}

/**
 * SKB_SMALL_HEAD_CACHE_SIZE: the object size of skb_small_head_cache, which serves every head
 * whose SKB_HEAD_ALIGN()ed size fits (576 on x86_64 6.x kernels: SKB_HEAD_ALIGN(MAX_TCP_HEADER),
 * bumped by a cache line when that is a power of two). Measured on Linux 6.18: any locally sent
 * ping or UDP datagram of up to 197 payload bytes costs 832 = 576 − 320 + 576.
 */
export const SKB_SMALL_HEAD_CACHE_SIZE = 576;
/** KMALLOC_MAX_CACHE_SIZE (two pages): larger kmalloc()s come whole from the page allocator. */
const KMALLOC_MAX_CACHE_SIZE = 8192;
const PAGE_SIZE = 4096;
/** The kmalloc-N caches (SLUB, x86_64) up to KMALLOC_MAX_CACHE_SIZE. */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

/** kmalloc_size_roundup(): the size of the object kmalloc() really hands out for `n` bytes. */
export function kmallocSizeRoundup(n: number): number {
  if (n <= KMALLOC_MAX_CACHE_SIZE) {
    for (const c of KMALLOC_SIZES) if (n <= c) return c;
  }
  let pages = PAGE_SIZE;
  while (pages < n) pages *= 2;
  return pages;
}

/**
 * The truesize alloc_skb(size) gives its buffer: kmalloc_reserve() asks for SKB_HEAD_ALIGN(size)
 * (data and skb_shared_info, each cache-aligned), served by the small-head cache or rounded up
 * to a kmalloc size class; __build_skb_around() then puts skb_shared_info at the very end and
 * charges SKB_TRUESIZE(what is left), so truesize = allocation + sizeof(sk_buff).
 */
export function allocSkbTruesize(size: number): number {
  const obj = skbDataAlign(size) + SKB_SHINFO_SIZE;
  const got = obj <= SKB_SMALL_HEAD_CACHE_SIZE ? SKB_SMALL_HEAD_CACHE_SIZE : kmallocSizeRoundup(obj);
  return skbTruesize(got - SKB_SHINFO_SIZE);
}

/** Head room reserved in locally built packets: an Ethernet header fits with room to spare. */
export const LL_RESERVED_SPACE = 32;

/** LL_RESERVED_SPACE(dev) for an Ethernet device in Linux: ((14 + 0) & ~15) + 16. */
export const LL_RESERVED_SPACE_ETH = 16;

/**
 * What Linux's __ip_append_data() asks of sock_alloc_send_skb() for one packet of `len` bytes
 * (IP header included): hh_len + len + 15 bytes, hh_len being LL_RESERVED_SPACE(dev), then
 * skb_reserve(hh_len). Ping (raw or ICMP socket), UDP, ICMP replies and errors all build their
 * packets there, so this decides what they cost against unres_qlen_bytes.
 */
export function ipAppendAllocSize(len: number): number {
  return LL_RESERVED_SPACE_ETH + len + 15;
}

/** Who to tell when a locally sent packet cannot be delivered (the socket's sk_err path). */
export interface SkbOwner {
  errorReport(errno: number, skb: SkBuff): void;
}

/**
 * A packet (struct sk_buff): one Buffer with head room in front, the packet's bytes in
 * [`data`, `tail`), header offsets, and the metadata the layers pass along. Layers push and pull
 * headers by moving `data`, as the kernel does, instead of copying.
 */
export class SkBuff {
  /** Offset of the first byte of packet data. */
  data: number;
  /** Offset one past the last byte of packet data. */
  tail: number;
  /** Offset of the link-layer header, -1 when unset. */
  macHeader = -1;
  /** Offset of the IP (or ARP) header, -1 when unset. */
  networkHeader = -1;
  /** Offset of the transport header, -1 when unset. */
  transportHeader = -1;
  /** Ethertype in host order (skb->protocol). */
  protocol = 0;
  /** PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST (set by eth_type_trans). */
  pktType = PACKET_HOST;
  /** Receiving device on input, transmitting device on output. */
  dev: NetDevice | null = null;
  /** Bytes charged against queue limits (skb->truesize). */
  truesize: number;
  /** Local sender to notify of delivery failures; null for forwarded packets. */
  sk: SkbOwner | null = null;
  /**
   * True when `buf` is memory the driver reuses after the receive callback returns (the TAP ring):
   * anything that keeps the packet past that point must {@link SkBuff.own} it first.
   */
  borrowed = false;
  /** Control-buffer flags owned by the layer holding the packet (skb->cb, e.g. NEIGH_CB). */
  cb = 0;
  /** skb->ip_summed: CHECKSUM_NONE, CHECKSUM_UNNECESSARY or CHECKSUM_PARTIAL. */
  ipSummed = CHECKSUM_NONE;
  /** CHECKSUM_PARTIAL: offset in `buf` where the summing starts (the transport header). */
  csumStart = 0;
  /** CHECKSUM_PARTIAL: where the folded sum goes, counted from csumStart (16 for TCP, 6 for UDP). */
  csumOffset = 0;
  /** skb_shinfo(skb)->gso_size: payload bytes per segment of a super-segment; 0 = one segment. */
  gsoSize = 0;
  /** skb_shinfo(skb)->gso_type: SKB_GSO_* bits. */
  gsoType = 0;
  /** skb_shinfo(skb)->gso_segs: segments it stands for (0: not yet counted). */
  gsoSegs = 0;

  /**
   * @param buf the packet's memory (not copied)
   * @param data offset of the first byte of packet data
   * @param len bytes of packet data
   */
  constructor(
    /** The memory holding the packet. */
    public buf: Buffer,
    data = 0,
    len = buf.length - data,
  ) {
    this.data = data;
    this.tail = data + len;
    this.truesize = skbTruesize(buf.length);
  }

  /** Bytes of packet data (skb->len). */
  get len(): number {
    return this.tail - this.data;
  }

  /** Bytes free in front of `data`. */
  get headroom(): number {
    return this.data;
  }

  /** Bytes free after `tail`. */
  get tailroom(): number {
    return this.buf.length - this.tail;
  }

  /** skb_push(): prepend len bytes; returns the new data offset. */
  push(len: number): number {
    if (len > this.data) throw new RangeError(`skb_push: ${len} bytes requested, ${this.data} of head room`);
    this.data -= len;
    return this.data;
  }

  /** skb_pull(): drop len bytes from the front; returns the new data offset. */
  pull(len: number): number {
    if (len > this.tail - this.data) throw new RangeError(`skb_pull: ${len} bytes requested, ${this.len} in packet`);
    this.data += len;
    return this.data;
  }

  /** skb_put(): extend at the tail; returns the offset of the added space. */
  put(len: number): number {
    if (len > this.buf.length - this.tail) throw new RangeError(`skb_put: ${len} bytes requested, ${this.tailroom} of tail room`);
    const at = this.tail;
    this.tail += len;
    return at;
  }

  /** skb_trim(): cut the data down to len bytes. */
  trim(len: number): void {
    if (len < this.len) this.tail = this.data + len;
  }

  /** skb_reset_mac_header(): the link-layer header starts at `data`. */
  resetMacHeader(): void {
    this.macHeader = this.data;
  }

  /** skb_reset_network_header(): the network header starts at `data`. */
  resetNetworkHeader(): void {
    this.networkHeader = this.data;
  }

  /** skb_reset_transport_header(): the transport header starts at `data`. */
  resetTransportHeader(): void {
    this.transportHeader = this.data;
  }

  /**
   * Makes the buffer private (copying a borrowed one), so the packet may be kept. Only this
   * packet's bytes are copied — a borrowed buffer is usually a driver's whole receive ring.
   */
  own(): this {
    if (this.borrowed) {
      this.rebase(this.compactCopy());
      this.borrowed = false;
    }
    return this;
  }

  /** Lowest offset still in use: data or an earlier header (a received frame's MAC header). */
  private lowMark(): number {
    let lo = this.data;
    if (this.macHeader >= 0 && this.macHeader < lo) lo = this.macHeader;
    if (this.networkHeader >= 0 && this.networkHeader < lo) lo = this.networkHeader;
    if (this.transportHeader >= 0 && this.transportHeader < lo) lo = this.transportHeader;
    return lo;
  }

  /** [lo, tail) copied behind LL_RESERVED_SPACE of fresh head room. */
  private compactCopy(): { buf: Buffer; shift: number } {
    const lo = this.lowMark();
    const buf = Buffer.allocUnsafe(LL_RESERVED_SPACE + (this.tail - lo));
    this.buf.copy(buf, LL_RESERVED_SPACE, lo, this.tail);
    return { buf, shift: LL_RESERVED_SPACE - lo };
  }

  private rebase(c: { buf: Buffer; shift: number }): void {
    this.buf = c.buf;
    this.data += c.shift;
    this.tail += c.shift;
    if (this.macHeader >= 0) this.macHeader += c.shift;
    if (this.networkHeader >= 0) this.networkHeader += c.shift;
    if (this.transportHeader >= 0) this.transportHeader += c.shift;
    if (this.ipSummed === CHECKSUM_PARTIAL) this.csumStart += c.shift;
  }

  /** skb_copy(): an independent packet with the same bytes, offsets and metadata. */
  copy(): SkBuff {
    let c: SkBuff;
    if (this.borrowed) {
      // Not the driver's whole ring: just this packet, rebased.
      const cc = this.compactCopy();
      c = new SkBuff(cc.buf, this.data + cc.shift, this.len);
      c.macHeader = this.macHeader >= 0 ? this.macHeader + cc.shift : -1;
      c.networkHeader = this.networkHeader >= 0 ? this.networkHeader + cc.shift : -1;
      c.transportHeader = this.transportHeader >= 0 ? this.transportHeader + cc.shift : -1;
    } else {
      const buf = Buffer.allocUnsafe(this.buf.length);
      this.buf.copy(buf, 0, 0, this.buf.length);
      c = new SkBuff(buf, this.data, this.len);
      c.macHeader = this.macHeader;
      c.networkHeader = this.networkHeader;
      c.transportHeader = this.transportHeader;
    }
    c.truesize = this.truesize;
    c.protocol = this.protocol;
    c.pktType = this.pktType;
    c.dev = this.dev;
    c.sk = this.sk;
    c.cb = this.cb;
    c.ipSummed = this.ipSummed;
    c.csumStart = this.csumStart + (c.data - this.data);
    c.csumOffset = this.csumOffset;
    c.gsoSize = this.gsoSize;
    c.gsoType = this.gsoType;
    c.gsoSegs = this.gsoSegs;
    return c;
  }

  /** The packet's bytes as a view (no copy). */
  bytes(): Buffer {
    return this.buf.subarray(this.data, this.tail);
  }
}

/**
 * alloc_skb() + skb_reserve(): room for `size` bytes of payload after `headroom`.
 *
 * The truesize charged is the one Linux charges for the same packet, so that queue limits in
 * bytes (unres_qlen_bytes) hold as many packets as they do there. Locally built packets reserve
 * LL_RESERVED_SPACE plus their network headers in front of the payload; Linux builds the same
 * packet (__ip_append_data) in alloc_skb(LL_RESERVED_SPACE(dev) + packet + 15), which costs
 * {@link allocSkbTruesize} of that: measured on Linux 6.18 over a veth, a ping or UDP datagram
 * costs 832 bytes for 0–197 payload bytes, 1280 for 198–645 and 2304 for 646–1472.
 * `allocLen` overrides the size Linux would allocate, for packets it builds another way.
 */
export function allocSkb(size: number, headroom = LL_RESERVED_SPACE, allocLen?: number): SkBuff {
  // Not zeroed, like alloc_skb(): whoever put()s bytes writes every one of them (a zero-filled
  // buffer measured ~9% of the transmit benchmark). Small sizes come from Node's shared pool.
  const buf = Buffer.allocUnsafe(headroom + size);
  const skb = new SkBuff(buf, headroom, 0);
  skb.truesize = allocSkbTruesize(allocLen ?? ipAppendAllocSize(Math.max(0, headroom - LL_RESERVED_SPACE) + size));
  return skb;
}
