// An in-memory Ethernet cable between two devices (in the spirit of drivers/net/veth.c): what one
// end transmits the other receives, synchronously or on a manual "wire", for tests and embedding.
import { NETDEV_TX_OK, NetDevice } from '../core/netdevice.js';
import { SkBuff } from '../core/skbuff.js';
import { etherSetup, ethTypeTrans } from '../ethernet/eth.js';
import { randomMac } from '../ethernet/mac.js';

/** Counters for frames the pair itself discards. */
export interface PairStats {
  /** Frames too short for an Ethernet header (eth_type_trans failed); also rx_errors. */
  rxRunt: number;
  /** Frames that reached this end while it was down (its peer sent them anyway); also rx_dropped. */
  peerDown: number;
}

/**
 * One end of an in-memory Ethernet cable ({@link createPair}): what it transmits its peer
 * receives — synchronously, or when {@link PairDevice.deliverPending} is called if `deferred`.
 * No root needed: for tests and for several stacks in one process.
 */
export class PairDevice extends NetDevice {
  /** The other end, or null when unplugged. */
  peer: PairDevice | null = null;
  /**
   * Frames in flight when `deferred` is set: delivered by {@link PairDevice.deliverPending}.
   * Synchronous delivery recurses (a request answered inside the sender's call), which is
   * convenient for unit tests but not for modelling a wire.
   */
  readonly pending: Buffer[] = [];
  /** Hold transmitted frames in `pending` instead of delivering them at once. */
  deferred = false;
  /** Every frame this end transmitted, when `record` is on (tests inspect it). */
  readonly sent: Buffer[] = [];
  /** Keep a copy of every transmitted frame in `sent`. */
  record = false;
  /** Frames this end dropped on receive. */
  readonly pairStats: PairStats = { rxRunt: 0, peerDown: 0 };

  /** @param mac the stack's own MAC on this end (default random, locally administered) */
  constructor(name: string, mac?: Buffer) {
    super(name);
    etherSetup(this);
    this.devAddr = Buffer.from(mac ?? randomMac());
  }

  xmit(skb: SkBuff): number {
    // The wire owns a copy: the sender may reuse its buffer once xmit returns.
    const frame = Buffer.from(skb.buf.subarray(skb.data, skb.tail));
    // The receiver may rewrite the frame in place (echo replies do), so the record keeps its own.
    if (this.record) this.sent.push(Buffer.from(frame));
    const peer = this.peer;
    if (!peer) return NETDEV_TX_OK;
    if (this.deferred) this.pending.push(frame);
    else peer.receiveFrame(frame);
    return NETDEV_TX_OK;
  }

  /** Delivers frames queued on this end's side of the wire to the peer; returns how many. */
  deliverPending(): number {
    let n = 0;
    while (this.pending.length && this.peer) {
      this.peer.receiveFrame(this.pending.shift()!);
      n++;
    }
    return n;
  }

  /** Injects a raw frame as if it had arrived on the wire. */
  receiveFrame(frame: Buffer): void {
    if (!this.net) return;
    if (!this.isUp) {
      this.pairStats.peerDown++;
      this.stats.rxDropped++;
      return;
    }
    const skb = new SkBuff(frame);
    if (!ethTypeTrans(skb, this)) {
      this.pairStats.rxRunt++;
      this.stats.rxErrors++;
      return;
    }
    this.net.netifReceiveSkb(skb);
  }
}

/** Creates two connected ends, named `nameA` and `nameB`, with the given MACs or random ones. */
export function createPair(nameA: string, nameB: string, macA?: Buffer, macB?: Buffer): [PairDevice, PairDevice] {
  const a = new PairDevice(nameA, macA);
  const b = new PairDevice(nameB, macB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
