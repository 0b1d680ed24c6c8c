// A net_device on a Linux TAP queue (the userspace end of drivers/net/tun.c): frames read in
// batches from the addon's ring become sk_buffs; transmitted frames are staged and written in
// batches, flushed at the end of each receive batch or on the next microtask.
import type { Timer } from '../core/clock.js';
import { NETDEV_TX_OK, NetDevice } from '../core/netdevice.js';
import { ENOBUFS } from '../core/errno.js';
import { SkBuff, skbTruesize } from '../core/skbuff.js';
import { etherSetup, ethTypeTrans } from '../ethernet/eth.js';
import { randomMac } from '../ethernet/mac.js';
import { DEFAULT_BATCH, DEFAULT_FRAME_SIZE, TapError, TapHandle, openTap } from './tap_addon.js';

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
  readonly tapStats: TapStats = { rxRunt: 0, rxTruncated: 0, txOversize: 0, txRefused: 0, txLinkDown: 0, rxBatches: 0, txBatches: 0 };
  /** Called once if the kernel side goes away (device deleted, fd broken). */
  onFatal: ((err: TapError) => void) | null = null;
  /** Called when the kernel side goes down or up again (our carrier follows it). */
  onLinkChange: ((up: boolean) => void) | null = null;
  private linkTimer: Timer<null> | null = null;
  private readonly frameSize: number;
  private readonly batch: number;
  private readonly txBuf: Buffer;
  private readonly txOffsets: Uint32Array;
  private readonly txLengths: Uint32Array;
  private txCount = 0;
  private inRx = false;
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
    this.txBuf = Buffer.allocUnsafe(this.batch * this.frameSize);
    this.txOffsets = new Uint32Array(this.batch);
    this.txLengths = new Uint32Array(this.batch);
    for (let i = 0; i < this.batch; i++) this.txOffsets[i] = i * this.frameSize;
    this.mtu = handle.getMtu();
    this.maxMtu = this.frameSize - 14;
  }

  /**
   * Creates the TAP `name` (or attaches to an existing persistent one) and brings the kernel
   * side up. `opts.mtu` sets both sides' MTU; `opts.mac` is the stack's own MAC.
   *
   * @throws TapError with `code` `EPERM` without CAP_NET_ADMIN, `EBUSY` when another process holds it, `EINVAL` when the name exists and is no TAP, `ENOENT` without /dev/net/tun; an Error with code `ERR_TAPSTACK_ADDON_MISSING` when the native addon was not built (npm install).
   */
  static open(name: string, opts: TapDeviceOptions = {}): TapDevice {
    const handle = openTap(name, { batch: opts.batch ?? DEFAULT_BATCH, frameSize: opts.frameSize ?? DEFAULT_FRAME_SIZE });
    try {
      if (opts.mtu !== undefined) handle.setMtu(opts.mtu);
      handle.setUp(true);
      return new TapDevice(handle, opts);
    } catch (e) {
      handle.close();
      throw e;
    }
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
    const fs = this.frameSize;
    this.tapStats.rxBatches++;
    // The addon clamps oversized frames to a slot before JavaScript sees them; it counts them.
    this.tapStats.rxTruncated = this.handle.rxTruncated;
    this.inRx = true;
    try {
      for (let i = 0; i < count; i++) {
        const len = lens[i];
        const flen = len > fs ? fs : len; // already clamped by the addon; kept for safety
        const skb = new SkBuff(rx, i * fs, flen);
        skb.borrowed = true;
        // Charged like the kernel's tun skb: the frame, not the whole shared ring.
        skb.truesize = skbTruesize(flen);
        if (!ethTypeTrans(skb, this)) {
          this.tapStats.rxRunt++;
          this.stats.rxErrors++;
          continue;
        }
        net.netifReceiveSkb(skb);
      }
    } finally {
      this.inRx = false;
      this.flush();
    }
  }

  /** Stages the frame in the transmit ring (one copy, no allocation). */
  xmit(skb: SkBuff): number {
    const len = skb.tail - skb.data;
    if (len > this.frameSize) {
      this.tapStats.txOversize++;
      return -ENOBUFS;
    }
    if (this.handle.closed) return -ENOBUFS;
    const slot = this.txCount;
    skb.buf.copy(this.txBuf, this.txOffsets[slot], skb.data, skb.tail);
    this.txLengths[slot] = len;
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
