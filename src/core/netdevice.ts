// struct net_device and struct header_ops (include/linux/netdevice.h): what the protocols need
// to know about a link — flags, addresses, MTU, how to build and cache link-layer headers.
import type { Net } from './net.js';
import type { SkBuff } from './skbuff.js';

/** Interface flags (include/uapi/linux/if.h). IFF_UP: administratively up (`ip link set DEV up`). */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
/** IFF_NOARP: the link does not resolve addresses (`ip link set DEV arp off`); neighbours are NOARP. */
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;

/** Link types (include/uapi/linux/if_arp.h, dev->type). */
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_NONE = 0xfffe;

/** Result of ndo_start_xmit. */
export const NETDEV_TX_OK = 0;
export const NETDEV_TX_BUSY = 0x10;

/**
 * A cached link-layer header (struct hh_cache). `data` holds the header in its first `hhLen`
 * bytes; it is allocated once per neighbour and rewritten in place, never reallocated.
 */
export interface HhCache {
  hhLen: number;
  hhData: Buffer;
}

/** How a link type builds, parses and caches its headers (struct header_ops). */
export interface HeaderOps {
  /** Pushes a header for `type`; daddr/saddr null mean "device default". Returns header length or a negative errno. */
  create(skb: SkBuff, dev: NetDevice, type: number, daddr: Buffer | null, saddr: Buffer | null, len: number): number;
  /** Copies the frame's source hardware address into haddr; returns its length. */
  parse(skb: SkBuff, haddr: Buffer): number;
  /** Fills hh with a complete header towards ha. Null when the link cannot cache headers. */
  cache: ((ha: Buffer, hh: HhCache, dev: NetDevice, type: number) => number) | null;
  /** Rewrites the destination in a cached header after the neighbour's address changed. */
  cacheUpdate: ((hh: HhCache, dev: NetDevice, ha: Buffer) => void) | null;
}

/** Per-device counters (struct rtnl_link_stats64), as `ip -s link` shows them. */
export interface DeviceStats {
  /** rx_packets: frames the driver passed to the core (counted before any protocol drop). */
  rxPackets: number;
  /** rx_bytes: bytes of those frames, Ethernet header included. */
  rxBytes: number;
  /** tx_packets: frames the driver accepted (NETDEV_TX_OK); a TAP may still lose them (tx_dropped). */
  txPackets: number;
  /** tx_bytes: bytes of those frames, Ethernet header included. */
  txBytes: number;
  /** rx_dropped: received frames dropped: device down, no protocol handler, or pair end down. */
  rxDropped: number;
  /** tx_dropped: device down, driver refused, or the kernel refused the TAP write (full, link down). */
  txDropped: number;
  /** rx_errors: received frames too short for an Ethernet header (runts). */
  rxErrors: number;
  /** tx_errors: frames lost to a fatal TAP write error (reported through TapDevice.onFatal). */
  txErrors: number;
}

/** What `ip -d link` shows of a TAP (IFLA_TUN_*): tapstack opens it as `type tap`, without packet information or queues. */
export interface TunLinkInfo {
  type: 'tap';
  /** IFF_NO_PI is always set: false. */
  pi: boolean;
  /** IFF_VNET_HDR: the virtio-net header (offloads) is on. */
  vnetHdr: boolean;
  /** IFF_PERSIST: the TAP outlives the stack (it was made with `ip tuntap add` and attached to). */
  persist: boolean;
}

/**
 * A link (struct net_device): what the protocols need to know about it — flags, addresses, MTU,
 * header building — and the driver hooks (`xmit`, `open`, `stop`, `destroy`). Drivers extend it:
 * {@link TapDevice} for a Linux TAP, {@link PairDevice} for an in-memory cable. Change a
 * registered device through the stack ({@link Stack.linkSet}), which raises the netdev events.
 */
export abstract class NetDevice {
  /** Assigned by Net.registerNetdevice(). */
  ifindex = 0;
  /** The namespace it is registered in, or null. */
  net: Net | null = null;
  /** IFF_* flags (IFF_UP, IFF_NOARP, ...). */
  flags = IFF_BROADCAST | IFF_MULTICAST;
  /** Link type (ARPHRD_ETHER). */
  type = ARPHRD_ETHER;
  /** Bytes of a link-layer address (6 for Ethernet). */
  addrLen = 6;
  /** The stack's own link-layer address on this link. */
  devAddr: Buffer = Buffer.alloc(6);
  /** The link-layer broadcast address. */
  broadcast: Buffer = Buffer.alloc(6, 0xff);
  /** Link MTU in bytes (the IP packet, without the link-layer header). */
  mtu = 1500;
  /** Smallest MTU the device accepts. */
  minMtu = 68;
  /** Largest MTU the device accepts. */
  maxMtu = 65535;
  /** Bytes of link-layer header (14 for Ethernet). */
  hardHeaderLen = 14;
  /** How this link type builds and caches headers; null for links without them. */
  headerOps: HeaderOps | null = null;
  /** netif_carrier_ok(). */
  carrier = true;
  /** carrier_up_count + carrier_down_count: what IFLA_CARRIER_CHANGES reports (`ip -s -s link`'s transns). */
  carrierChanges = 0;
  /** Per-protocol device state: IPv4's in_device (dev->ip_ptr). Owned by src/ipv4. */
  ipPtr: object | null = null;
  /** IPv6's inet6_dev (dev->ip6_ptr). Owned by src/ipv6. */
  ip6Ptr: object | null = null;
  /**
   * Offload features on now (dev->features: NETIF_F_* of netdev_features.ts). Protocols read it to
   * decide what they leave to the device: partial checksums, segments beyond the MTU.
   */
  features = 0;
  /** The features a user may switch (dev->hw_features); the rest of `features` is fixed. */
  hwFeatures = 0;
  /** The features the user asked for (dev->wanted_features); netdevUpdateFeatures() applies them. */
  wantedFeatures = 0;
  /** gso_max_size: the most bytes (IP header and payload) one segment handed down may carry (also tso_max_size here). */
  gsoMaxSize = 65536;
  /**
   * IFLA_LINKINFO's tun attributes (tun_fill_info) for a device on a Linux TAP, which `ip -d link`
   * prints after "tun"; null for every other kind of link.
   */
  tunInfo(): TunLinkInfo | null {
    return null;
  }

  /** Packet and byte counters. */
  readonly stats: DeviceStats = {
    rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0,
    rxDropped: 0, txDropped: 0, rxErrors: 0, txErrors: 0,
  };

  /** Drivers call it with the interface name. */
  constructor(
    /** The interface name (1–15 characters), unique within a stack. */
    public name: string,
  ) {}

  /** ndo_start_xmit: hand a complete frame to the link. NETDEV_TX_OK or a negative errno (dropped). */
  abstract xmit(skb: SkBuff): number;

  /** ndo_open: start receiving. */
  open(): void {}

  /** ndo_stop. */
  stop(): void {}

  /** Releases the link for good (close the TAP, detach the pair). */
  destroy(): void {}

  /** ndo_set_mac_address; drivers that own a kernel-side address override this. */
  setMacAddress(mac: Buffer): void {
    mac.copy(this.devAddr, 0, 0, this.addrLen);
  }

  /**
   * ndo_set_features: the driver takes up `features` (already fixed by netdevFixFeatures); 0, or
   * a negative errno when it cannot, and `features` stays as it was.
   */
  setFeatures(features: number): number {
    void features;
    return 0;
  }

  /** Hands pending transmissions to the link now (for drivers that batch writes). */
  flush(): void {}

  /** IFF_UP is set. */
  get isUp(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }
}

/** dev_hard_header(). */
export function devHardHeader(
  skb: SkBuff,
  dev: NetDevice,
  type: number,
  daddr: Buffer | null,
  saddr: Buffer | null,
  len: number,
): number {
  if (!dev.headerOps) return 0;
  return dev.headerOps.create(skb, dev, type, daddr, saddr, len);
}
