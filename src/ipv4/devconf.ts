// Per-device IPv4 settings, net.ipv4.conf.{all,default,DEV}.* (include/linux/inetdevice.h:
// IN_DEV_CONF_GET, IN_DEV_ORCONF, IN_DEV_ANDCONF, IN_DEV_MAXCONF; devinet_copy_dflt_conf).
import { EINVAL, StackError } from '../core/errno.js';

/** How a knob's effective value combines `all` and the device's own value. */
export type Combine = 'dev' | 'or' | 'and' | 'max';

/**
 * One knob. Linux keeps each in an int and takes any int for it (proc_dointvec, checked on 6.18:
 * arp_ignore=9, medium_id=-2, forwarding=2147483647 all read back as written); the code reading
 * it decides what an unknown value means — arp_ignore 9 answers like 0 (its switch's default),
 * arp_accept 3 creates nothing, a negative arp_announce is the max with `all`, any non-zero
 * flag is on.
 */
export interface DevConfKnob {
  name: string;
  def: number;
  combine: Combine;
}

/** The knobs tapstack implements, with the kernel's defaults and combination rules. */
export const DEVCONF_KNOBS: readonly DevConfKnob[] = [
  { name: 'forwarding', def: 0, combine: 'dev' },
  { name: 'arp_filter', def: 0, combine: 'or' },
  { name: 'arp_announce', def: 0, combine: 'max' },
  { name: 'arp_ignore', def: 0, combine: 'max' },
  { name: 'arp_accept', def: 0, combine: 'max' },
  { name: 'arp_notify', def: 0, combine: 'max' },
  { name: 'arp_evict_nocarrier', def: 1, combine: 'and' },
  { name: 'drop_gratuitous_arp', def: 0, combine: 'or' },
  { name: 'proxy_arp', def: 0, combine: 'or' },
  { name: 'proxy_arp_pvlan', def: 0, combine: 'or' },
  { name: 'medium_id', def: 0, combine: 'dev' },
  { name: 'shared_media', def: 1, combine: 'or' },
  { name: 'accept_local', def: 0, combine: 'or' },
  { name: 'log_martians', def: 0, combine: 'or' },
];

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

const INDEX = new Map(DEVCONF_KNOBS.map((k, i) => [k.name, i]));

export function devconfKnob(name: string): DevConfKnob | undefined {
  const i = INDEX.get(name);
  return i === undefined ? undefined : DEVCONF_KNOBS[i];
}

/** One scope's values (all, default, or a device), with which of them were written locally. */
export class DevConf {
  readonly values: number[];
  /** Bit i set: knob i was written for this scope and no longer follows `default`. */
  private setMask = 0;

  constructor(from?: DevConf) {
    this.values = from ? from.values.slice() : DEVCONF_KNOBS.map((k) => k.def);
  }

  get(name: string): number {
    const i = INDEX.get(name);
    if (i === undefined) throw new StackError(EINVAL, `unknown setting ${name}`);
    return this.values[i];
  }

  /** Stores a value (any int, as the kernel's int takes it) and marks it set; returns the knob index. */
  set(name: string, value: number): number {
    const i = INDEX.get(name);
    if (i === undefined) throw new StackError(EINVAL, `unknown setting ${name}`);
    if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
      throw new StackError(EINVAL, `${name}: ${value} is not an int`);
    }
    this.values[i] = value;
    this.setMask |= 1 << i;
    return i;
  }

  /**
   * set_bit(state) alone: devinet_conf_proc() marks the knob even when the write was refused,
   * so `default` stops reaching it (measured on 6.18).
   */
  markSet(name: string): void {
    const i = INDEX.get(name);
    if (i === undefined) throw new StackError(EINVAL, `unknown setting ${name}`);
    this.setMask |= 1 << i;
  }

  isSet(i: number): boolean {
    return (this.setMask & (1 << i)) !== 0;
  }
}

/** The three scopes of one namespace; effective values combine `all` with the device's. */
export class Ipv4ConfTree {
  readonly all = new DevConf();
  readonly dflt = new DevConf();

  /** A new device starts as a copy of `default`. */
  newDevice(): DevConf {
    return new DevConf(this.dflt);
  }

  /** Writing `default` reaches every device that has not set the knob itself. */
  setDefault(name: string, value: number, devices: Iterable<DevConf>): void {
    const i = this.dflt.set(name, value);
    for (const d of devices) if (!d.isSet(i)) d.values[i] = value;
  }

  /** Effective value for a device, per the knob's combination rule. */
  effective(dev: DevConf, name: string): number {
    const i = INDEX.get(name)!;
    const a = this.all.values[i];
    const d = dev.values[i];
    switch (DEVCONF_KNOBS[i].combine) {
      case 'or':
        return a || d ? 1 : 0;
      case 'and':
        return a && d ? 1 : 0;
      case 'max':
        return Math.max(a, d);
      default:
        return d;
    }
  }
}
