// IPv4 Address Conflict Detection (RFC 5227). The kernel leaves this to userspace (iputils
// `arping -D`, NetworkManager's n-acd); tapstack runs it before claiming an address.
import { Timer } from '../core/clock.js';
import { EADDRINUSE, ENETDOWN, ENODEV, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { formatMac } from '../ethernet/mac.js';
import { ARPOP_REQUEST } from './arphdr.js';
import type { Inet } from './af_inet.js';
import { formatIPv4 } from './inet_addr.js';

/** RFC 5227 section 1.1 constants, in milliseconds; tests and impatient users shorten them. */
export interface AcdTiming {
  /** Random delay before the first probe, [0, probeWait). */
  probeWait: number;
  /** ARP probes to send. */
  probeNum: number;
  /** Random gap between probes, [probeMin, probeMax]. */
  probeMin: number;
  /** See probeMin. */
  probeMax: number;
  /** Quiet time after the last probe before the address is ours. */
  announceWait: number;
  /** Gratuitous announcements once the address is ours. */
  announceNum: number;
  /** Gap between announcements. */
  announceInterval: number;
}

export const ACD_RFC5227: Readonly<AcdTiming> = Object.freeze({
  probeWait: 1000,
  probeNum: 3,
  probeMin: 1000,
  probeMax: 2000,
  announceWait: 2000,
  announceNum: 2,
  announceInterval: 2000,
});

/** The outcome of an RFC 5227 probe ({@link Stack.claimAddress}). */
export interface AcdResult {
  /** The probed address, dotted quad. */
  address: string;
  /** The device probed on. */
  dev: string;
  /** Whether another host answered for the address (claimAddress then rejects with EADDRINUSE). */
  conflict: boolean;
  /** The MAC that claimed the address, on conflict. */
  by: string | null;
  /** ARP probes sent before the outcome. */
  probesSent: number;
}

interface Probe {
  dev: NetDevice;
  addr: number;
  timing: AcdTiming;
  sent: number;
  timer: Timer<Probe> | null;
  resolve: (r: AcdResult) => void;
  reject: (e: Error) => void;
}

/** RFC 5227 claim counters (`acd.*` in `tapstack stat`). */
export interface AcdStats {
  /** ARP probes sent (sender IP 0.0.0.0, target the address being claimed). */
  probesSent: number;
  /** Announcements sent after a claim succeeded (gratuitous requests). */
  announcementsSent: number;
  /** Claims abandoned: another host used the address as its sender, or probed for it too. */
  conflicts: number;
}

export class Acd {
  private readonly probes: Probe[] = [];
  private readonly announcers = new Set<Timer<null>>();
  readonly stats: AcdStats = { probesSent: 0, announcementsSent: 0, conflicts: 0 };

  constructor(private readonly inet: Inet) {}

  /** True while a probe runs: arp_process only then pays for {@link Acd.observe}. */
  get active(): boolean {
    return this.probes.length !== 0;
  }

  /**
   * Probes `addr` on `dev`: PROBE_NUM requests with sender IP 0.0.0.0, then ANNOUNCE_WAIT of
   * silence. Resolves with conflict=false when nobody objected. The address is not configured
   * meanwhile, so the stack neither answers for it nor uses it as a source.
   */
  probe(dev: NetDevice, addr: number, timing: AcdTiming = ACD_RFC5227): Promise<AcdResult> {
    if (!dev.isUp) return Promise.reject(new StackError(ENODEV, `${dev.name} is down`));
    const clock = this.inet.net.clock;
    return new Promise<AcdResult>((resolve, reject) => {
      const p: Probe = { dev, addr, timing, sent: 0, timer: null, resolve, reject };
      const timer = clock.timer((x: Probe) => this.tick(x), p);
      p.timer = timer;
      this.probes.push(p);
      timer.mod(clock.now() + Math.floor(this.random() * timing.probeWait));
    });
  }

  private random(): number {
    return this.inet.arp.tbl.random();
  }

  private tick(p: Probe): void {
    const t = p.timing;
    const clock = this.inet.net.clock;
    if (p.sent === t.probeNum) {
      this.finish(p, null);
      return;
    }
    // "sender hardware address the interface's, sender IP address all zeroes, target IP the probed one".
    this.inet.arp.send(ARPOP_REQUEST, p.addr, p.dev, 0, null, p.dev.devAddr, null);
    p.sent++;
    this.stats.probesSent++;
    const next = p.sent === t.probeNum ? t.announceWait : t.probeMin + Math.floor(this.random() * (t.probeMax - t.probeMin + 1));
    p.timer!.mod(clock.now() + next);
  }

  private remove(p: Probe): void {
    p.timer!.del();
    const i = this.probes.indexOf(p);
    if (i >= 0) this.probes.splice(i, 1);
  }

  private finish(p: Probe, by: Buffer | null): void {
    this.remove(p);
    if (by) this.stats.conflicts++;
    p.resolve({
      address: formatIPv4(p.addr),
      dev: p.dev.name,
      conflict: by !== null,
      by: by ? formatMac(by) : null,
      probesSent: p.sent,
    });
  }

  /**
   * RFC 5227 2.1.1: a conflict is any ARP packet whose sender IP is the probed address, or a
   * probe for it from another host (sender IP 0, target the address) — both only when the
   * sender MAC is not ours.
   */
  observe(dev: NetDevice, op: number, sip: number, tip: number, sha: Buffer): void {
    for (const p of this.probes) {
      if (p.dev !== dev || sha.equals(dev.devAddr)) continue;
      if (sip === p.addr || (op === ARPOP_REQUEST && sip === 0 && tip === p.addr)) {
        this.finish(p, Buffer.from(sha));
        return;
      }
    }
  }

  /** RFC 5227 2.3: ANNOUNCE_NUM gratuitous requests, ANNOUNCE_INTERVAL apart. */
  announce(dev: NetDevice, addr: number, timing: AcdTiming = ACD_RFC5227): void {
    let left = timing.announceNum;
    const clock = this.inet.net.clock;
    const t = clock.timer(() => {
      if (!dev.isUp || !this.inet.isLocalAddr(addr)) {
        this.announcers.delete(t);
        return;
      }
      this.inet.sendGratuitous(dev, addr);
      this.stats.announcementsSent++;
      if (--left > 0) t.mod(clock.now() + timing.announceInterval);
      else this.announcers.delete(t);
    }, null);
    this.announcers.add(t);
    t.mod(clock.now());
  }

  /** Device down or gone (null: the stack closes): pending claims fail, announcements stop. */
  cancel(dev: NetDevice | null): void {
    for (const p of this.probes.slice()) {
      if (dev !== null && p.dev !== dev) continue;
      this.remove(p);
      p.reject(new StackError(ENETDOWN, `${p.dev.name} went down while probing ${formatIPv4(p.addr)}`));
    }
    if (dev === null) {
      for (const t of this.announcers) t.del();
      this.announcers.clear();
    }
  }

  /** The error a caller of a conflicting claim sees. */
  static conflictError(r: AcdResult): StackError {
    return new StackError(EADDRINUSE, `${r.address} on ${r.dev} is in use by ${r.by} (address conflict detected)`);
  }
}
