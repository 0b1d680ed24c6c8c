// struct net: one network namespace's devices, the netdev notifier chain and the receive/transmit
// core (net/core/dev.c: register_netdevice, dev_open/dev_close, dev_set_mac_address,
// dev_change_flags, netif_carrier_on/off, __netif_receive_skb, dev_queue_xmit).
import { Clock } from './clock.js';
import { EBUSY, EEXIST, EINVAL, ENETDOWN, ENODEV, StackError } from './errno.js';
import { IFF_NOARP, IFF_PROMISC, IFF_UP, NETDEV_TX_OK, NetDevice } from './netdevice.js';
import { NotifierChain } from './notifier.js';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL, SkBuff } from './skbuff.js';
import { csumFold, csumPartial } from './checksum.js';
import type { GsoSegmentFn } from './gso.js';
import type { GroReceiveFn } from './gro.js';
import { NETIF_F_HW_CSUM, netGsoOk } from './netdev_features.js';
import { SysctlTree } from './sysctl_tree.js';

/** Netdev notifier events (include/linux/netdevice.h), same numbering as the kernel. */
export const NETDEV_UP = 1;
export const NETDEV_DOWN = 2;
export const NETDEV_CHANGE = 4;
export const NETDEV_REGISTER = 5;
export const NETDEV_UNREGISTER = 6;
export const NETDEV_CHANGEMTU = 7;
export const NETDEV_CHANGEADDR = 8;
export const NETDEV_GOING_DOWN = 10;
export const NETDEV_NOTIFY_PEERS = 20;

export const NETDEV_EVENT_NAMES: Record<number, string> = {
  [NETDEV_UP]: 'up',
  [NETDEV_DOWN]: 'down',
  [NETDEV_CHANGE]: 'change',
  [NETDEV_REGISTER]: 'register',
  [NETDEV_UNREGISTER]: 'unregister',
  [NETDEV_CHANGEMTU]: 'changemtu',
  [NETDEV_CHANGEADDR]: 'changeaddr',
  [NETDEV_GOING_DOWN]: 'going-down',
  [NETDEV_NOTIFY_PEERS]: 'notify-peers',
};

/** Extra data of NETDEV_CHANGE (struct netdev_notifier_change_info). */
export interface NetdevChangeInfo {
  flagsChanged: number;
}

export type NetdevNotifier = (event: number, dev: NetDevice, info: NetdevChangeInfo | null) => void;
export type PacketHandler = (skb: SkBuff, dev: NetDevice) => void;
/** A packet tap (ETH_P_ALL handler): sees every frame in and out. */
export type PacketTap = (skb: SkBuff, dev: NetDevice, outgoing: boolean) => void;

/** Core drop counters; every frame the core discards is counted in exactly one. */
export interface CoreStats {
  /** Frames of an ethertype no protocol handles (like the kernel's rx_nohandler); also rx_dropped. */
  rxNoHandler: number;
  /** Frames received while the device was administratively down; also its rx_dropped. */
  rxDevDown: number;
  /** Frames sent to a device that is down (ENETDOWN); also its tx_dropped. */
  txDevDown: number;
  /** Frames the driver's xmit refused (e.g. TAP: larger than a ring slot); also its tx_dropped. */
  txDriverDrop: number;
  /**
   * Super-segments (gso_size set) towards a device without TSO for them that software
   * segmentation could not cut either (no segmenter for the protocol, or headers that are not
   * what their gso_type says): dropped here, as validate_xmit_skb drops what skb_gso_segment fails.
   */
  txGsoUnsupported: number;
  /** Super-segments cut into segments in software (skb_gso_segment) for a device without TSO. */
  txGsoSoftware: number;
}

export class Net {
  private readonly devices = new Map<number, NetDevice>();
  private nextIfindex = 1;
  private readonly ptypeBase = new Map<number, PacketHandler>();
  readonly netdevChain = new NotifierChain<NetdevNotifier>();
  /** ETH_P_ALL taps; checked by length so the fast path pays nothing when there are none. */
  readonly taps: PacketTap[] = [];
  readonly stats: CoreStats = { rxNoHandler: 0, rxDevDown: 0, txDevDown: 0, txDriverDrop: 0, txGsoUnsupported: 0, txGsoSoftware: 0 };
  /** Software segmenters by ethertype (dev_add_offload's offload_base). */
  private readonly offloads = new Map<number, GsoSegmentFn>();
  private readonly groOffloads = new Map<number, GroReceiveFn>();
  /** /proc/sys/net of this namespace: each family registers its own keys here. */
  readonly sysctl = new SysctlTree();

  constructor(readonly clock: Clock) {}

  // ---- device registry -------------------------------------------------------------------

  registerNetdevice(dev: NetDevice): void {
    if (dev.net) throw new StackError(EBUSY, `device ${dev.name} is already registered`);
    if (this.devGetByName(dev.name)) throw new StackError(EEXIST, `device ${dev.name} already exists`);
    dev.ifindex = this.nextIfindex++;
    dev.net = this;
    this.devices.set(dev.ifindex, dev);
    this.netdevChain.call(NETDEV_REGISTER, dev, null);
  }

  unregisterNetdevice(dev: NetDevice): void {
    if (dev.net !== this) return;
    if (dev.isUp) this.devClose(dev);
    this.netdevChain.call(NETDEV_UNREGISTER, dev, null);
    this.devices.delete(dev.ifindex);
    dev.net = null;
  }

  devGetByName(name: string): NetDevice | undefined {
    for (const d of this.devices.values()) if (d.name === name) return d;
    return undefined;
  }

  devGetByIndex(ifindex: number): NetDevice | undefined {
    return this.devices.get(ifindex);
  }

  /** Looks a device up by name or throws ENODEV with iproute2's wording. */
  devGet(name: string): NetDevice {
    const d = this.devGetByName(name);
    if (!d) throw new StackError(ENODEV, `Cannot find device "${name}"`);
    return d;
  }

  get deviceList(): NetDevice[] {
    return [...this.devices.values()];
  }

  // ---- administrative changes (each raises the notifier event the kernel raises) ----------

  devOpen(dev: NetDevice): void {
    if (dev.isUp) return;
    dev.open();
    dev.flags |= IFF_UP;
    this.netdevChain.call(NETDEV_UP, dev, null);
  }

  devClose(dev: NetDevice): void {
    if (!dev.isUp) return;
    this.netdevChain.call(NETDEV_GOING_DOWN, dev, null);
    dev.flags &= ~IFF_UP;
    dev.stop();
    this.netdevChain.call(NETDEV_DOWN, dev, null);
  }

  /** dev_change_flags() for the flags users may toggle (IFF_UP, IFF_NOARP, IFF_PROMISC). */
  devChangeFlags(dev: NetDevice, flags: number): void {
    const mutable = IFF_NOARP | IFF_PROMISC;
    const old = dev.flags;
    dev.flags = (old & ~mutable) | (flags & mutable);
    const changed = (old ^ dev.flags) & mutable;
    if (changed) this.netdevChain.call(NETDEV_CHANGE, dev, { flagsChanged: changed });
    if ((flags & IFF_UP) && !(old & IFF_UP)) this.devOpen(dev);
    else if (!(flags & IFF_UP) && (old & IFF_UP)) this.devClose(dev);
  }

  devSetMacAddress(dev: NetDevice, mac: Buffer): void {
    if (mac.length !== dev.addrLen) throw new StackError(EINVAL, `address must be ${dev.addrLen} bytes`);
    if (mac.equals(dev.devAddr)) return;
    dev.setMacAddress(mac);
    this.netdevChain.call(NETDEV_CHANGEADDR, dev, null);
  }

  devSetMtu(dev: NetDevice, mtu: number): void {
    // dev_validate_mtu()'s extended-ack texts.
    if (!Number.isInteger(mtu) || mtu < dev.minMtu) throw new StackError(EINVAL, 'mtu less than device minimum');
    if (mtu > dev.maxMtu) throw new StackError(EINVAL, 'mtu greater than device maximum');
    if (mtu === dev.mtu) return;
    dev.mtu = mtu;
    this.netdevChain.call(NETDEV_CHANGEMTU, dev, null);
  }

  netifCarrierOn(dev: NetDevice): void {
    if (dev.carrier) return;
    dev.carrier = true;
    dev.carrierChanges++;
    this.netdevChain.call(NETDEV_CHANGE, dev, { flagsChanged: 0 });
  }

  netifCarrierOff(dev: NetDevice): void {
    if (!dev.carrier) return;
    dev.carrier = false;
    dev.carrierChanges++;
    this.netdevChain.call(NETDEV_CHANGE, dev, { flagsChanged: 0 });
  }

  /** netdev_notify_peers(): ask protocols to announce themselves (gratuitous ARP). */
  netdevNotifyPeers(dev: NetDevice): void {
    this.netdevChain.call(NETDEV_NOTIFY_PEERS, dev, null);
  }

  // ---- packet handlers ---------------------------------------------------------------------

  /** dev_add_pack(): one handler per ethertype. */
  devAddPack(ethertype: number, handler: PacketHandler): void {
    this.ptypeBase.set(ethertype, handler);
  }

  /** dev_add_offload(): the family that cuts super-segments of `ethertype` in software. */
  devAddOffload(ethertype: number, segment: GsoSegmentFn): void {
    this.offloads.set(ethertype, segment);
  }

  /** dev_add_offload()'s gro_receive side: the family that builds GRO packets of `ethertype`. */
  devAddGro(ethertype: number, receive: GroReceiveFn): void {
    this.groOffloads.set(ethertype, receive);
  }

  /** The gro_receive registered for `ethertype`, if any. */
  groReceiveFn(ethertype: number): GroReceiveFn | undefined {
    return this.groOffloads.get(ethertype);
  }

  devRemovePack(ethertype: number): void {
    this.ptypeBase.delete(ethertype);
  }

  /**
   * __netif_receive_skb(): the driver has already run eth_type_trans (protocol, pkt_type,
   * mac header pulled). Dispatch by ethertype.
   */
  netifReceiveSkb(skb: SkBuff): void {
    const dev = skb.dev!;
    dev.stats.rxPackets++;
    dev.stats.rxBytes += skb.len + dev.hardHeaderLen;
    if (this.taps.length) for (const t of this.taps) t(skb, dev, false);
    if (!dev.isUp) {
      this.stats.rxDevDown++;
      dev.stats.rxDropped++;
      return;
    }
    const handler = this.ptypeBase.get(skb.protocol);
    if (handler === undefined) {
      this.stats.rxNoHandler++;
      dev.stats.rxDropped++;
      return;
    }
    handler(skb, dev);
  }

  /** dev_queue_xmit(): a complete frame on skb.dev. Returns 0 or a negative errno. */
  devQueueXmit(skb: SkBuff): number {
    const dev = skb.dev!;
    if (!dev.isUp) {
      this.stats.txDevDown++;
      dev.stats.txDropped++;
      return -ENETDOWN;
    }
    if (skb.gsoSize !== 0 && !netGsoOk(dev.features, skb.gsoType)) {
      // validate_xmit_skb(): what the device cannot segment is segmented here, each segment
      // then sent on its own (and seen by packet taps as such).
      const segs = this.offloads.get(skb.protocol)?.(skb) ?? null;
      if (segs === null) {
        this.stats.txGsoUnsupported++;
        dev.stats.txDropped++;
        return -EINVAL;
      }
      this.stats.txGsoSoftware++;
      let rc = 0;
      for (const seg of segs) {
        const r = this.xmitOne(seg, dev);
        if (r !== NETDEV_TX_OK && rc === 0) rc = r;
      }
      return rc;
    }
    return this.xmitOne(skb, dev);
  }

  /** xmit_one(): packet taps, a partial checksum completed if the device does not, the driver. */
  private xmitOne(skb: SkBuff, dev: NetDevice): number {
    if (this.taps.length) for (const t of this.taps) t(skb, dev, true);
    if (skb.ipSummed === CHECKSUM_PARTIAL && (dev.features & NETIF_F_HW_CSUM) === 0) skbChecksumHelp(skb);
    const len = skb.len;
    const rc = dev.xmit(skb);
    if (rc === NETDEV_TX_OK) {
      dev.stats.txPackets++;
      dev.stats.txBytes += len;
    } else {
      this.stats.txDriverDrop++;
      dev.stats.txDropped++;
    }
    return rc;
  }
}

/**
 * skb_checksum_help(): a partial checksum completed in software for a device that does not:
 * the sum from csum_start to the end (the pseudo-header sum is already in the field) goes in.
 */
export function skbChecksumHelp(skb: SkBuff): void {
  const b = skb.buf;
  const at = skb.csumStart + skb.csumOffset;
  // "csum_fold(csum) ?: CSUM_MANGLED_0": a UDP checksum of 0 would mean none.
  const c = csumFold(csumPartial(b, skb.csumStart, skb.tail - skb.csumStart)) || 0xffff;
  b[at] = c >>> 8;
  b[at + 1] = c & 0xff;
  skb.ipSummed = CHECKSUM_NONE;
}
