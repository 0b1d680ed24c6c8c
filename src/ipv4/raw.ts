// Raw IPv4 access for tools (net/ipv4/raw.c: raw_v4_input, raw_sendmsg without IP_HDRINCL):
// a handle sees a copy of every locally delivered packet of its protocol and sends payloads
// behind an IPv4 header the stack builds. Packets are delivered to raw handles before the
// protocol's own handler, as raw_local_deliver() runs before ip_protocol_deliver_rcu(); a
// protocol nothing else handles is consumed by its raw handles instead of being answered with
// ICMP protocol unreachable, as in Linux.
import { EBADF, EADDRNOTAVAIL, EINVAL, EMSGSIZE, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, SkBuff, SkbOwner, allocSkb } from '../core/skbuff.js';
import { claimRawSink, rawErrorOwner, releaseRawSink, rethrowLater } from '../core/raw_sink.js';
import type { Inet, RawTap } from './af_inet.js';
import { formatIPv4, parseIPv4 } from './inet_addr.js';
import { IPDEFTTL, IPPROTO_ICMP, ipDaddr, ipIhlBytes, ipSaddr, ipTos, ipTtl } from './iphdr.js';
import { ipSend } from './ip_output.js';

/** What a raw handle learns about each packet besides its payload. */
export interface RawIpInfo {
  /** Source address, dotted quad. */
  src: string;
  /** Destination address (one of ours, or a broadcast), dotted quad. */
  dst: string;
  /** IPv4 protocol number (1 ICMP, 6 TCP, 17 UDP, ...). */
  protocol: number;
  /** Time to live as received. */
  ttl: number;
  /** Type of service byte (DSCP and ECN). */
  tos: number;
  /** Receiving device name. */
  dev: string;
  /** A copy of the IPv4 header, options included (what a Linux raw socket reads before the payload). */
  header: Buffer;
}

/** Called with a copy of the IPv4 payload (the bytes after the header) and the header's fields. */
export type RawIpListener = (payload: Buffer, info: RawIpInfo) => void;

/** Per-packet options of {@link RawIpHandle.send}. */
export interface RawIpSendOptions {
  /** Source address; must be one of the stack's addresses. Default: chosen by the route. */
  source?: string;
  /** Time to live, 1–255. Default 64. */
  ttl?: number;
  /** Type of service byte, 0–255. Default 0. */
  tos?: number;
  /** Send out of this device (SO_BINDTODEVICE); routes through other devices are ignored. */
  dev?: string;
}

/** Options of {@link Stack.openRawIp}. */
export interface RawIpOptions {
  /**
   * Told when a packet this handle sent could not be delivered later on, after send() returned:
   * its next hop never answered ARP (`EHOSTUNREACH`). The payload is the one given to send().
   */
  onError?: (err: StackError, payload: Buffer) => void;
}

/** Counters of one raw handle. */
export interface RawIpStats {
  /** Packets handed to the listener. */
  received: number;
  /** Packets accepted by send(). */
  sent: number;
  /** Packets reported through `onError` after send() had accepted them. */
  errors: number;
}


/** A raw IPv4 endpoint for one protocol; see {@link Stack.openRawIp}. */
export class RawIpHandle {
  /** Counters of this handle. */
  readonly stats: RawIpStats = { received: 0, sent: 0, errors: 0 };
  private isClosed = false;
  /** Whether this handle counts among the users of its protocol's sink. */
  private inSink = false;
  private readonly tap: RawTap;
  private readonly owner: SkbOwner;
  private readonly onClosed: ((h: RawIpHandle) => void) | null;

  /** @internal Use {@link Stack.openRawIp}. */
  constructor(
    private readonly inet: Inet,
    /** The IPv4 protocol number this handle receives and sends. */
    readonly protocol: number,
    private readonly onPacket: RawIpListener,
    private readonly opts: RawIpOptions = {},
    onClosed: ((h: RawIpHandle) => void) | null = null,
    private readonly deviceByName: (name: string) => NetDevice = (name) => inet.net.devGet(name),
  ) {
    if (!Number.isInteger(protocol) || protocol < 1 || protocol > 255) {
      throw new StackError(EINVAL, `invalid IP protocol ${protocol}: expected 1-255`);
    }
    this.onClosed = onClosed;
    this.tap = (skb, proto) => {
      if (proto === this.protocol) this.deliver(skb);
    };
    this.owner = rawErrorOwner(this.stats, () => this.opts.onError, (skb) => ipIhlBytes(skb.buf, skb.networkHeader));
    inet.rawTaps.push(this.tap);
    // Nothing else handles this protocol: the raw handles consume it (no ICMP protocol unreachable).
    if (protocol !== IPPROTO_ICMP) this.inSink = claimRawSink(inet.protocols, protocol);
  }

  /** True after {@link RawIpHandle.close} (or the stack's close). */
  get closed(): boolean {
    return this.isClosed;
  }

  private deliver(skb: SkBuff): void {
    const b = skb.buf;
    const nh = skb.networkHeader;
    const hl = ipIhlBytes(b, nh);
    const info: RawIpInfo = {
      src: formatIPv4(ipSaddr(b, nh)),
      dst: formatIPv4(ipDaddr(b, nh)),
      protocol: this.protocol,
      ttl: ipTtl(b, nh),
      tos: ipTos(b, nh),
      dev: skb.dev?.name ?? '',
      header: Buffer.from(b.subarray(nh, nh + hl)),
    };
    // Copies: a received packet may point into the driver's ring, and ICMP rewrites echo requests in place.
    const payload = Buffer.from(b.subarray(nh + hl, skb.tail));
    this.stats.received++;
    try {
      this.onPacket(payload, info);
    } catch (e) {
      rethrowLater(e);
    }
  }

  /**
   * Sends `payload` as the body of one IPv4 packet of this handle's protocol to `dst` (dotted
   * quad); the stack builds the header (DF set, no options), routes it and resolves the next hop
   * — a packet to an unresolved neighbour waits in its queue as any other. Nothing is fragmented.
   *
   * @throws StackError `EBADF` once closed; `EINVAL` for a bad address or option; `EADDRNOTAVAIL`
   * when `source` is not one of the stack's addresses; `ENODEV` for an unknown `dev`;
   * `ENETUNREACH` without a route; `EMSGSIZE` when the packet exceeds the route's MTU (or 65535
   * bytes); `ENOBUFS` when the neighbour table is full.
   */
  send(payload: Uint8Array, dst: string, opts: RawIpSendOptions = {}): void {
    if (this.isClosed) throw new StackError(EBADF, 'raw handle is closed');
    const daddr = parseIPv4(dst);
    if (daddr === null) throw new StackError(EINVAL, `invalid destination "${dst}"`);
    let saddr = 0;
    if (opts.source !== undefined) {
      const s = parseIPv4(opts.source);
      if (s === null) throw new StackError(EINVAL, `invalid source "${opts.source}"`);
      if (!this.inet.isLocalAddr(s)) throw new StackError(EADDRNOTAVAIL, `${opts.source} is not an address of the stack`);
      saddr = s;
    }
    const ttl = opts.ttl ?? IPDEFTTL;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new StackError(EINVAL, `invalid ttl ${ttl}: expected 1-255`);
    const tos = opts.tos ?? 0;
    if (!Number.isInteger(tos) || tos < 0 || tos > 255) throw new StackError(EINVAL, `invalid tos ${tos}: expected 0-255`);
    if (payload.length > 65535 - 20) throw new StackError(EMSGSIZE, 'Message too long');
    const oif = opts.dev === undefined ? null : this.deviceByName(opts.dev);
    const skb = allocSkb(payload.length, LL_RESERVED_SPACE + 20);
    const o = skb.put(payload.length);
    skb.buf.set(payload, o);
    skb.sk = this.owner;
    const rc = ipSend(this.inet, skb, saddr, daddr, this.protocol, ttl, tos, oif);
    if (rc < 0) throw new StackError(-rc);
    this.stats.sent++;
  }

  /** Stops receiving and sending. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const taps = this.inet.rawTaps;
    const i = taps.indexOf(this.tap);
    if (i >= 0) taps.splice(i, 1);
    if (this.inSink) releaseRawSink(this.inet.protocols, this.protocol);
    this.onClosed?.(this);
  }
}
