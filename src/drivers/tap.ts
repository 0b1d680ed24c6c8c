// A net_device on a Linux TAP queue (the userspace end of drivers/net/tun.c): frames read in
// batches from the addon's ring become sk_buffs; transmitted frames are staged and written in
// batches, flushed at the end of each receive batch or on the next microtask. With IFF_VNET_HDR
// it is a virtio-net device (drivers/net/virtio_net.c): partial checksums and TSO both ways.
import type { Timer } from '../core/clock.js';
import { GroCell } from '../core/gro.js';
import { NETDEV_TX_OK, NetDevice, type TunLinkInfo } from '../core/netdevice.js';
import { ENOBUFS } from '../core/errno.js';
import {
  NETIF_F_GRO,
  NETIF_F_GRO_HW,
  NETIF_F_GSO,
  NETIF_F_GSO_UDP_L4,
  NETIF_F_HW_CSUM,
  NETIF_F_RXCSUM,
  NETIF_F_SG,
  NETIF_F_TSO,
  NETIF_F_TSO6,
} from '../core/netdev_features.js';
import { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, SkBuff, skbTruesize } from '../core/skbuff.js';
import { VNET_HDR_LEN, vnetHdrFromSkb, vnetHdrToSkb } from './virtio_net_hdr.js';
import { etherSetup, ethTypeTrans } from '../ethernet/eth.js';
import { randomMac } from '../ethernet/mac.js';
import { DEFAULT_BATCH, DEFAULT_FRAME_SIZE, mallocKeepOnce, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_USO4, TUN_F_USO6, TapError, TapHandle, openTap } from './tap_addon.js';

/** The most one TAP read or write carries with offloads: the header, Ethernet and 64 KiB of IP. */
const MAX_VNET_FRAME = VNET_HDR_LEN + 14 + 65535;
/** The largest MTU a Linux TAP takes (MAX_MTU of tun.c less the headers): 65521. */
const TAP_MAX_MTU = 65521;

/**
 * Whether TapDevice.open() asks for offloads when its options do not say: yes, unless the
 * environment has TAPSTACK_OFFLOAD=0 (how the test suite runs its second, plain-frame pass).
 */
export function offloadDefault(): boolean {
  return process.env.TAPSTACK_OFFLOAD !== '0';
}

/** How often the kernel side's up/down state is read (SIOCGIFFLAGS). */
const LINK_POLL_MS = 1000;

/** How {@link TapDevice.open} sets up the TAP and its rings. */
export interface TapDeviceOptions {
  /** The stack's own MAC on this link (not the kernel side's); random locally administered by default. */
  mac?: Buffer;
  /** Frames per read wake-up and per write batch; default 64. */
  batch?: number;
  /** Bytes per ring slot; must exceed MTU + 14; default 2048. */
  frameSize?: number;
  /** Set the kernel side's MTU (and ours) at open. */
  mtu?: number;
  /**
   * Open with the virtio-net header and negotiate checksum offload and TSO (TUNSETOFFLOAD,
   * falling back to checksums only, then to none, when the kernel refuses); default true unless
   * TAPSTACK_OFFLOAD=0. False: plain frames, every offload off and fixed.
   */
  offload?: boolean;
}

/** Frames the driver itself gives up on, each counted, and its batch counts (`dev.NAME.*`). */
export interface TapStats {
  /** Frames read too short for an Ethernet header (eth_type_trans failed); also rx_errors. */
  rxRunt: number;
  /** Frames longer than a ring slot (frameSize), cut to it by the addon before being passed up. */
  rxTruncated: number;
  /** Frames longer than a ring slot, refused by xmit (ENOBUFS); also core.txDriverDrop. */
  txOversize: number;
  /** Frames the kernel refused with EAGAIN/ENOBUFS (its queue was full); also tx_dropped. */
  txRefused: number;
  /** Frames the kernel refused with EIO because its side of the link was down; also tx_dropped. */
  txLinkDown: number;
  /** Receive wake-ups: batches of up to `batch` frames read by one native call. */
  rxBatches: number;
  /** Transmit flushes: batches written by one native writeBatch() call. */
  txBatches: number;
  /** Frames read too short for the virtio-net header. */
  vnetShort: number;
  /** Frames whose virtio-net header has flags tapstack does not know. */
  vnetBadFlags: number;
  /** Frames whose partial checksum's start or field lies outside the frame. */
  vnetBadCsum: number;
  /** Frames with an unknown GSO type, gso_size 0, GSO without NEEDS_CSUM, or offsets not the packet's. */
  vnetBadGso: number;
  /** Super-frames received (gso_size set: more than one segment's payload). */
  rxGso: number;
  /** Frames received with a partial checksum (NEEDS_CSUM) or one the kernel verified (DATA_VALID). */
  rxCsumOffload: number;
  /** Packets software GRO built from more than one frame. */
  rxGro: number;
  /** The frames that went into them. */
  rxGroSegs: number;
  /** Super-frames written for the kernel to segment. */
  txGso: number;
  /** Frames written with a partial checksum for the kernel to complete. */
  txCsumOffload: number;
  /** TUNSETOFFLOAD flags the kernel accepted (TUN_F_*), -1 without the virtio-net header. */
  offloadFlags: number;
  /** Offload requests the kernel refused, each answered by asking for less. */
  offloadFallbacks: number;
}

/**
 * A Linux TAP device as a link of the stack: frames are read in batches by the native addon
 * (root or CAP_NET_ADMIN needed to create one) and written in batches. The stack's carrier
 * follows the kernel side's up/down state. Create it with {@link TapDevice.open}, then
 * {@link Stack.addDevice}; the stack's close() closes it (and removes a TAP this process created).
 */
export class TapDevice extends NetDevice {
  /** The native handle (file descriptor, rings, link ioctls). */
  readonly handle: TapHandle;
  /** Frames the driver itself dropped or refused, and batch counts (`tapstack stat 'dev.*'`). */
  readonly tapStats: TapStats = {
    rxRunt: 0, rxTruncated: 0, txOversize: 0, txRefused: 0, txLinkDown: 0, rxBatches: 0, txBatches: 0,
    vnetShort: 0, vnetBadFlags: 0, vnetBadCsum: 0, vnetBadGso: 0, rxGso: 0, rxCsumOffload: 0, rxGro: 0, rxGroSegs: 0, txGso: 0, txCsumOffload: 0,
    offloadFlags: -1, offloadFallbacks: 0,
  };
  /** Called once if the kernel side goes away (device deleted, fd broken). */
  onFatal: ((err: TapError) => void) | null = null;
  /** Called when the kernel side goes down or up again (our carrier follows it). */
  onLinkChange: ((up: boolean) => void) | null = null;
  private linkTimer: Timer<null> | null = null;
  private readonly frameSize: number;
  private readonly batch: number;
  /** The kernel took TUN_F_USO4|USO6 at open: rx-gro-hw asks for UDP super-datagrams too. */
  private usoOk = false;
  /** Bytes of virtio-net header in front of each frame: 10, or 0 without IFF_VNET_HDR. */
  private readonly hdrLen: number;
  private readonly txBuf: Buffer;
  private readonly txOffsets: Uint32Array;
  private readonly txLengths: Uint32Array;
  private txCount = 0;
  /** Where the next staged frame goes in txBuf (frames are packed, 64-byte aligned). */
  private txAt = 0;
  private inRx = false;
  /** Software GRO's state, made on the first batch with generic-receive-offload on. */
  private groCell: GroCell | null = null;
  private flushQueued = false;
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    this.flush();
  };
  private readonly onFrames = (count: number): void => this.receiveBatch(count);
  private readonly onError = (err: TapError): void => {
    this.onFatal?.(err);
  };

  private constructor(handle: TapHandle, opts: TapDeviceOptions) {
    super(handle.name);
    etherSetup(this);
    this.handle = handle;
    this.devAddr = Buffer.from(opts.mac ?? randomMac());
    this.batch = handle.batch;
    this.frameSize = handle.frameSize;
    this.hdrLen = handle.vnetHdr ? VNET_HDR_LEN : 0;
    // A full batch of ordinary frames, or two of the largest.
    this.txBuf = Buffer.allocUnsafe(this.batch * this.frameSize + (handle.maxFrame > this.frameSize ? 2 * handle.maxFrame : 0));
    this.txOffsets = new Uint32Array(this.batch);
    this.txLengths = new Uint32Array(this.batch);
    this.mtu = handle.getMtu();
    this.maxMtu = Math.min(TAP_MAX_MTU, handle.maxFrame - this.hdrLen - 14);
    if (handle.vnetHdr) this.negotiateOffloads();
    else {
      // Plain frames: nothing to hand the kernel but whole frames; software GRO still merges them.
      this.hwFeatures = NETIF_F_GRO;
      this.wantedFeatures = NETIF_F_GRO;
      this.features = NETIF_F_GRO;
    }
  }

  /**
   * The offloads at open: what the kernel may hand us is asked for with TUNSETOFFLOAD, first
   * checksums and TSO, then checksums alone, then nothing, each refusal counted (an old kernel,
   * or a device that has none). What we hand the kernel needs only the header: partial checksums
   * and TSO are always ours to use, USO when the kernel takes it (it then also takes our UDP
   * super-datagrams). All of it can be switched off (ethtool -K).
   */
  private negotiateOffloads(): void {
    let got = -1;
    const tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    // USO (Linux 6.2+) comes and goes with TSO: both are what rx-gro-hw asks for.
    for (const flags of [tso | TUN_F_USO4 | TUN_F_USO6, tso, TUN_F_CSUM, 0]) {
      if (this.handle.setOffload(flags) === 0) {
        got = flags;
        break;
      }
      this.tapStats.offloadFallbacks++;
    }
    this.tapStats.offloadFlags = got;
    this.usoOk = got > 0 && (got & TUN_F_USO4) !== 0;
    let hw = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_GSO | NETIF_F_GRO;
    if (got > 0 && got & TUN_F_CSUM) hw |= NETIF_F_RXCSUM;
    if (got > 0 && got & (TUN_F_TSO4 | TUN_F_TSO6)) hw |= NETIF_F_GRO_HW;
    // A kernel that takes USO from us (6.2+) also takes VIRTIO_NET_HDR_GSO_UDP_L4 frames.
    if (this.usoOk) hw |= NETIF_F_GSO_UDP_L4;
    this.hwFeatures = hw;
    this.wantedFeatures = hw;
    this.features = hw;
  }

  /**
   * ndo_set_features (virtnet_set_features): rx-checksum and rx-gro-hw are what the kernel may
   * hand us, so they change the TUNSETOFFLOAD flags; the transmit features only change what we
   * write, and take effect with the next frame.
   */
  override setFeatures(features: number): number {
    if (!this.handle.vnetHdr || this.handle.closed) return 0;
    let flags = 0;
    if (features & NETIF_F_RXCSUM) flags |= TUN_F_CSUM;
    if (features & NETIF_F_GRO_HW) flags |= TUN_F_TSO4 | TUN_F_TSO6 | (this.usoOk ? TUN_F_USO4 | TUN_F_USO6 : 0);
    if (flags === this.tapStats.offloadFlags) return 0;
    const rc = this.handle.setOffload(flags);
    if (rc === 0) this.tapStats.offloadFlags = flags;
    return rc;
  }

  /**
   * Creates the TAP `name` (or attaches to an existing persistent one) and brings the kernel
   * side up. `opts.mtu` sets both sides' MTU; `opts.mac` is the stack's own MAC.
   *
   * @throws TapError with `code` `EPERM` without CAP_NET_ADMIN, `EBUSY` when another process holds it, `EINVAL` when the name exists and is no TAP, `ENOENT` without /dev/net/tun; an Error with code `ERR_TAPSTACK_ADDON_MISSING` when the native addon was not built (npm install).
   */
  static open(name: string, opts: TapDeviceOptions = {}): TapDevice {
    const offload = opts.offload ?? offloadDefault();
    const frameSize = opts.frameSize ?? DEFAULT_FRAME_SIZE;
    // Offloads bring super-frames both ways; without them a frame is at most MTU + 14, but an
    // MTU beyond the slot still gets reads of its size.
    const want = offload ? MAX_VNET_FRAME : Math.max(frameSize, (opts.mtu ?? 0) + 14);
    if (offload) mallocKeepOnce();
    const handle = openTap(name, { batch: opts.batch ?? DEFAULT_BATCH, frameSize, maxFrame: Math.min(want, 131072), vnetHdr: offload });
    try {
      if (opts.mtu !== undefined) handle.setMtu(opts.mtu);
      handle.setUp(true);
      return new TapDevice(handle, opts);
    } catch (e) {
      handle.close();
      throw e;
    }
  }

  /** tun_fill_info(): a TAP without PI, with the virtio-net header when opened with offloads, persistent when it was there before us. */
  override tunInfo(): TunLinkInfo {
    return { type: 'tap', pi: false, vnetHdr: this.handle.vnetHdr, persist: !this.handle.created };
  }

  /** True when this process created the TAP; it disappears when closed. */
  get created(): boolean {
    return this.handle.created;
  }

  override open(): void {
    this.handle.start(this.onFrames, this.onError);
    this.startLinkWatch();
  }

  override stop(): void {
    this.stopLinkWatch();
    this.flush();
    if (!this.handle.closed) this.handle.stop();
  }

  override destroy(): void {
    this.stopLinkWatch();
    if (this.handle.closed) return;
    this.flush();
    this.handle.close();
  }

  /**
   * Our carrier is the kernel side's IFF_UP: while it is down the kernel refuses every frame
   * (EIO) and sends none, which is a lost carrier for the stack (NETDEV_CHANGE, and the table's
   * arp_evict_nocarrier flush). Checked every second and on the first refused write.
   */
  checkLink(): void {
    const net = this.net;
    if (!net || this.handle.closed) return;
    let up: boolean;
    try {
      up = this.handle.isUp();
    } catch {
      return; // not visible from here (moved to another namespace, or being deleted)
    }
    if (up === this.carrier) return;
    if (up) net.netifCarrierOn(this);
    else net.netifCarrierOff(this);
    this.onLinkChange?.(up);
  }

  private startLinkWatch(): void {
    const net = this.net;
    if (!net || this.linkTimer) return;
    const clock = net.clock;
    const t = clock.timer<null>(() => {
      this.checkLink();
      t.mod(clock.now() + LINK_POLL_MS);
    }, null);
    this.linkTimer = t;
    t.mod(clock.now() + LINK_POLL_MS);
  }

  private stopLinkWatch(): void {
    this.linkTimer?.del();
    this.linkTimer = null;
  }

  /** Lets an embedding program exit while the TAP is still open. */
  unref(): void {
    this.handle.unref();
  }

  private receiveBatch(count: number): void {
    const net = this.net;
    if (!net) return;
    const rx = this.handle.rxBuffer;
    const lens = this.handle.rxLengths;
    const offs = this.handle.rxOffsets;
    const hl = this.hdrLen;
    const st = this.tapStats;
    st.rxBatches++;
    // The addon clamps oversized frames to maxFrame before JavaScript sees them; it counts them.
    st.rxTruncated = this.handle.rxTruncated;
    this.inRx = true;
    // napi_gro_receive while generic-receive-offload is on: runs of one flow's segments go up as one.
    const gro = (this.features & NETIF_F_GRO) !== 0 ? (this.groCell ??= new GroCell(net)) : null;
    try {
      for (let i = 0; i < count; i++) {
        const flen = lens[i] - hl;
        if (flen < 0) {
          st.vnetShort++;
          this.stats.rxErrors++;
          continue;
        }
        const off = offs[i] + hl;
        const skb = new SkBuff(rx, off, flen);
        skb.borrowed = true;
        // Charged like the kernel's tun skb: the frame, not the whole shared ring.
        skb.truesize = skbTruesize(flen);
        if (hl !== 0) {
          const bad = vnetHdrToSkb(rx, off, flen, skb);
          if (bad !== null) {
            st[bad]++;
            this.stats.rxErrors++;
            continue;
          }
          if (skb.ipSummed !== CHECKSUM_NONE) {
            // With rx-checksum off (frames still in flight when it was switched), a checksum the
            // kernel verified is verified again here; a partial one (NEEDS_CSUM) cannot be: its
            // field holds only the pseudo-header sum, so it stays trusted, as virtio_net does.
            if ((this.features & NETIF_F_RXCSUM) === 0 && skb.ipSummed === CHECKSUM_UNNECESSARY) skb.ipSummed = CHECKSUM_NONE;
            else st.rxCsumOffload++;
          }
          if (skb.gsoSize !== 0) st.rxGso++;
        }
        if (!ethTypeTrans(skb, this)) {
          this.tapStats.rxRunt++;
          this.stats.rxErrors++;
          continue;
        }
        if (gro !== null && gro.receive(skb)) continue;
        net.netifReceiveSkb(skb);
      }
    } finally {
      if (gro !== null) {
        gro.flush();
        st.rxGro = gro.built;
        st.rxGroSegs = gro.mergedFrames;
      }
      this.inRx = false;
      this.flush();
    }
  }

  /** Stages the frame in the transmit ring (one copy, no allocation). */
  xmit(skb: SkBuff): number {
    const len = skb.tail - skb.data;
    const total = len + this.hdrLen;
    if (total > this.handle.maxFrame) {
      this.tapStats.txOversize++;
      return -ENOBUFS;
    }
    if (this.handle.closed) return -ENOBUFS;
    if (this.txAt + total > this.txBuf.length) this.flush();
    const slot = this.txCount;
    const at = this.txAt;
    if (this.hdrLen !== 0) {
      vnetHdrFromSkb(skb, this.txBuf, at);
      if (skb.gsoSize !== 0) this.tapStats.txGso++;
      else if (this.txBuf[at] !== 0) this.tapStats.txCsumOffload++;
    }
    skb.buf.copy(this.txBuf, at + this.hdrLen, skb.data, skb.tail);
    this.txOffsets[slot] = at;
    this.txLengths[slot] = total;
    this.txAt = (at + total + 63) & ~63;
    this.txCount = slot + 1;
    if (this.txCount === this.batch) this.flush();
    else if (!this.inRx && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
    return NETDEV_TX_OK;
  }

  override flush(): void {
    const n = this.txCount;
    this.txAt = 0;
    if (n === 0 || this.handle.closed) {
      this.txCount = 0;
      return;
    }
    this.txCount = 0;
    this.tapStats.txBatches++;
    const before = this.handle.txDropped;
    try {
      this.handle.writeBatch(this.txBuf, this.txOffsets, this.txLengths, n);
    } catch (e) {
      const err = e as TapError;
      const lost = n - (err.written ?? 0);
      if (err.code === 'EIO') {
        // The kernel side is administratively down: frames are lost, the device is not.
        this.tapStats.txLinkDown += lost;
        this.stats.txDropped += lost;
        if (this.carrier) queueMicrotask(() => this.checkLink());
      } else {
        this.stats.txErrors += lost;
        this.onFatal?.(err);
      }
    }
    const refused = this.handle.txDropped - before;
    if (refused > 0) {
      this.tapStats.txRefused += refused;
      this.stats.txDropped += refused;
    }
  }
}
