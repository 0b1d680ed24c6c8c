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

/**
 * Bookkeeping overhead the kernel adds to a buffer's truesize (aligned sk_buff plus
 * skb_shared_info on x86_64). With it a 1514-byte frame costs 2090 bytes, which is why the default
 * unres_qlen_bytes of 212992 is shown as "queue 101".
 */
export const SKB_TRUESIZE_OVERHEAD = 576;

export function skbTruesize(size: number): number {
  return size + SKB_TRUESIZE_OVERHEAD;
}

/** Head room reserved in locally built packets: an Ethernet header fits with room to spare. */
export const LL_RESERVED_SPACE = 32;

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
    c.protocol = this.protocol;
    c.pktType = this.pktType;
    c.dev = this.dev;
    c.sk = this.sk;
    c.cb = this.cb;
    return c;
  }

  /** The packet's bytes as a view (no copy). */
  bytes(): Buffer {
    return this.buf.subarray(this.data, this.tail);
  }
}

/** alloc_skb() + skb_reserve(): room for `size` bytes of payload after `headroom`. */
export function allocSkb(size: number, headroom = LL_RESERVED_SPACE): SkBuff {
  // Not zeroed, like alloc_skb(): whoever put()s bytes writes every one of them (a zero-filled
  // buffer measured ~9% of the transmit benchmark). Small sizes come from Node's shared pool.
  const buf = Buffer.allocUnsafe(headroom + size);
  return new SkBuff(buf, headroom, 0);
}
