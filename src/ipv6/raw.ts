// Raw IPv6 access for tools (net/ipv6/raw.c: ipv6_raw_deliver/rawv6_rcv, rawv6_sendmsg and
// rawv6_push_pending_frames' checksum): a handle sees a copy of every locally delivered packet of
// its next-header value — the payload after the IPv6 and extension headers, as an AF_INET6
// SOCK_RAW socket reads it — and sends payloads behind a header the stack builds. As in Linux an
// ICMPv6 handle's checksum is always computed by the stack (RFC 3542 3.1), and a protocol
// nothing else handles is consumed by its raw handles instead of drawing a parameter problem.
import { EADDRNOTAVAIL, EBADF, EINVAL, EMSGSIZE, ENETUNREACH, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, type SkBuff, type SkbOwner, allocSkb } from '../core/skbuff.js';
import { claimRawSink, rawErrorOwner, releaseRawSink, rethrowLater } from '../core/raw_sink.js';
import type { Inet6, RawTap6 } from './af_inet6.js';
import { IPPROTO_ICMPV6, icmp6FillChecksum } from './icmp6hdr.js';
import { formatIn6, parseIn6 } from './in6_addr.js';
import { IP6H_DADDR_OFF, IP6H_SADDR_OFF, IPV6_HDR_LEN } from './ipv6hdr.js';

/** What a raw IPv6 handle learns about each packet besides its payload. */
export interface RawIp6Info {
  /** Source address (RFC 5952 text). */
  src: string;
  /** Destination address (one of ours, or a group the device joined). */
  dst: string;
  /** Next-header value of the payload (58 ICMPv6, 17 UDP, ...). */
  protocol: number;
  /** Hop limit as received. */
  hopLimit: number;
  /** Traffic class byte. */
  tclass: number;
  /** Flow label (20 bits). */
  flowLabel: number;
  /** Receiving device name. */
  dev: string;
  /** A copy of the fixed IPv6 header (what IPV6_RECVPKTINFO and friends would tell). */
  header: Buffer;
}

/** Called with a copy of the payload (after the IPv6 and extension headers) and the header's fields. */
export type RawIp6Listener = (payload: Buffer, info: RawIp6Info) => void;

/** Per-packet options of {@link RawIp6Handle.send}. */
export interface RawIp6SendOptions {
  /** Source address; must be one of the stack's usable addresses. Default: source selection. */
  source?: string;
  /** Hop limit, 1–255. Default: the route's or device's hop_limit (1 for multicast). */
  hopLimit?: number;
  /** Traffic class, 0–255. Default 0. */
  tclass?: number;
  /** Send out of this device (needed for link-local and multicast destinations without a %zone). */
  dev?: string;
}

/** Options of `Stack.openRawIp(proto, fn, { family: 'inet6', ... })`. */
export interface RawIp6Options {
  /** Told when a packet this handle sent could not be delivered later on (its next hop never answered NS: `EHOSTUNREACH`). */
  onError?: (err: StackError, payload: Buffer) => void;
}

/** Counters of one raw IPv6 handle. */
export interface RawIp6Stats {
  /** Packets handed to the listener. */
  received: number;
  /** Packets accepted by send(). */
  sent: number;
  /** Packets reported through `onError` after send() had accepted them. */
  errors: number;
}

/** A raw IPv6 endpoint for one next-header value; see `Stack.openRawIp(proto, fn, { family: 'inet6' })`. */
export class RawIp6Handle {
  /** Counters of this handle. */
  readonly stats: RawIp6Stats = { received: 0, sent: 0, errors: 0 };
  private isClosed = false;
  private inSink = false;
  private readonly tap: RawTap6;
  private readonly owner: SkbOwner;

  /** @internal */
  constructor(
    private readonly inet6: Inet6,
    /** The next-header value this handle receives and sends (58 ICMPv6, ...). */
    readonly protocol: number,
    private readonly onPacket: RawIp6Listener,
    private readonly opts: RawIp6Options = {},
    private readonly onClosed: ((h: RawIp6Handle) => void) | null = null,
    private readonly deviceByName: (name: string) => NetDevice = (name) => inet6.net.devGet(name),
  ) {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) {
      throw new StackError(EINVAL, `invalid IPv6 next header ${protocol}: expected 0-255`);
    }
    this.tap = (skb, proto) => {
      if (proto === this.protocol) this.deliver(skb);
    };
    this.owner = rawErrorOwner(this.stats, () => this.opts.onError, () => IPV6_HDR_LEN);
    inet6.rawTaps.push(this.tap);
    if (protocol !== IPPROTO_ICMPV6) this.inSink = claimRawSink(inet6.protocols, protocol);
  }

  /** True after {@link RawIp6Handle.close} (or the stack's close). */
  get closed(): boolean {
    return this.isClosed;
  }

  private deliver(skb: SkBuff): void {
    const b = skb.buf;
    const nh = skb.networkHeader;
    const info: RawIp6Info = {
      src: formatIn6(b, nh + IP6H_SADDR_OFF),
      dst: formatIn6(b, nh + IP6H_DADDR_OFF),
      protocol: this.protocol,
      hopLimit: b[nh + 7],
      tclass: ((b[nh] & 0x0f) << 4) | (b[nh + 1] >>> 4),
      flowLabel: ((b[nh + 1] & 0x0f) << 16) | (b[nh + 2] << 8) | b[nh + 3],
      dev: skb.dev?.name ?? '',
      header: Buffer.from(b.subarray(nh, nh + IPV6_HDR_LEN)),
    };
    const payload = Buffer.from(b.subarray(skb.data, skb.tail));
    this.stats.received++;
    try {
      this.onPacket(payload, info);
    } catch (e) {
      rethrowLater(e);
    }
  }

  /**
   * Sends `payload` as one IPv6 packet of this handle's next header to `dst` (`fe80::1%tap0`
   * names the device); for ICMPv6 the checksum field (bytes 2–3) is filled in.
   *
   * @throws StackError `EBADF` once closed; `EINVAL` for a bad address or option (an ICMPv6
   * payload shorter than 4 bytes); `EADDRNOTAVAIL` for a `source` that is not ours; `ENODEV` for
   * an unknown device; `ENETUNREACH` without a route; `EMSGSIZE` beyond the path MTU.
   */
  send(payload: Uint8Array, dst: string, opts: RawIp6SendOptions = {}): void {
    if (this.isClosed) throw new StackError(EBADF, 'raw handle is closed');
    const pct = dst.indexOf('%');
    const daddr = parseIn6(pct < 0 ? dst : dst.slice(0, pct));
    if (daddr === null) throw new StackError(EINVAL, `invalid destination "${dst}"`);
    let oif: NetDevice | null = opts.dev === undefined ? null : this.deviceByName(opts.dev);
    if (pct >= 0) oif = this.deviceByName(dst.slice(pct + 1));
    let saddr: Buffer | null = null;
    if (opts.source !== undefined) {
      saddr = parseIn6(opts.source);
      if (saddr === null) throw new StackError(EINVAL, `invalid source "${opts.source}"`);
      if (this.inet6.addrconf.chkAddr(saddr, 0, oif) === null) throw new StackError(EADDRNOTAVAIL, `${opts.source} is not an address of the stack`);
    }
    const hop = opts.hopLimit ?? -1;
    if (hop !== -1 && (!Number.isInteger(hop) || hop < 1 || hop > 255)) throw new StackError(EINVAL, `invalid hop limit ${hop}: expected 1-255`);
    const tclass = opts.tclass ?? 0;
    if (!Number.isInteger(tclass) || tclass < 0 || tclass > 255) throw new StackError(EINVAL, `invalid traffic class ${tclass}: expected 0-255`);
    if (payload.length > 65535) throw new StackError(EMSGSIZE, 'Message too long');
    if (this.protocol === IPPROTO_ICMPV6 && payload.length < 4) throw new StackError(EINVAL, 'an ICMPv6 message needs at least 4 bytes');
    const skb = allocSkb(payload.length, LL_RESERVED_SPACE + IPV6_HDR_LEN);
    const o = skb.put(payload.length);
    skb.buf.set(payload, o);
    skb.sk = this.owner;
    if (this.protocol === IPPROTO_ICMPV6) {
      // The checksum covers the source the stack will choose: choose it now, as rawv6 does.
      const rt = this.inet6.fib.lookup(daddr, 0, oif);
      if (rt === null) throw new StackError(ENETUNREACH);
      saddr ??= rt.prefsrc ?? this.inet6.addrconf.devGetSaddr(rt.dev, daddr, 0);
      if (saddr === null) throw new StackError(EADDRNOTAVAIL);
      icmp6FillChecksum(skb.buf, o, payload.length, saddr, 0, daddr, 0);
    }
    const rc = this.inet6.send(skb, saddr, daddr, 0, this.protocol, hop, tclass, oif);
    if (rc < 0) throw new StackError(-rc);
    if (this.protocol === IPPROTO_ICMPV6) this.inet6.icmp.countOut(payload[0]);
    this.stats.sent++;
  }

  /** Stops receiving and sending. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const taps = this.inet6.rawTaps;
    const i = taps.indexOf(this.tap);
    if (i >= 0) taps.splice(i, 1);
    if (this.inSink) releaseRawSink(this.inet6.protocols, this.protocol);
    this.onClosed?.(this);
  }
}
