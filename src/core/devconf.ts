// Per-device protocol settings in three scopes, all / default / device, for any family's knob list
// (include/linux/inetdevice.h IN_DEV_CONF_GET, IN_DEV_ORCONF, IN_DEV_ANDCONF, IN_DEV_MAXCONF and
// devinet_copy_dflt_conf; net/ipv6/addrconf.c ipv6_add_dev's copy of devconf_dflt).
import { EINVAL, StackError } from './errno.js';
import type { NetDevice } from './netdevice.js';

/** How a knob's effective value combines `all` and the device's own value. */
export type Combine = 'dev' | 'or' | 'and' | 'max';

/**
 * How the knob's sysctl converts a write (the proc handler): `int` proc_dointvec(_minmax),
 * `uint` proc_douintvec_minmax / proc_dou8vec_minmax (no sign accepted), `sec`
 * proc_dointvec_jiffies (seconds; the value is kept in seconds), `ms` proc_dointvec_ms_jiffies
 * (milliseconds).
 */
export type DevConfUnit = 'int' | 'uint' | 'sec' | 'ms';

/**
 * One knob. The kernel keeps each in an int (a u32 or u8 for a few) and most handlers take any
 * int (proc_dointvec); the code reading it decides what an unknown value means.
 */
export interface DevConfKnob {
  readonly name: string;
  /** Default of `default` and of new devices (and of `all` unless {@link allDef} says otherwise). */
  readonly def: number;
  readonly combine: Combine;
  /** `all`'s default where it differs (IPv6 accept_dad: all 0, devices 1). */
  readonly allDef?: number;
  /** proc_dointvec_minmax's [extra1, extra2]; absent: any int. */
  readonly range?: readonly [number, number];
  /** A device's own upper bound in place of range[1] (IPv6 mtu: at most the device MTU). */
  readonly devMax?: (dev: NetDevice) => number;
  /** A new device's value in place of default's (IPv6 mtu: the device MTU). */
  readonly devDefault?: (dev: NetDevice) => number;
  /** The sysctl conversion; `int` when absent. */
  readonly unit?: DevConfUnit;
}

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** A family's knob list with its name index. */
export class DevConfKnobs {
  private readonly index: ReadonlyMap<string, number>;

  constructor(
    /** In the family's own order (the listing sorts by name anyway). */
    readonly list: readonly DevConfKnob[],
  ) {
    this.index = new Map(list.map((k, i) => [k.name, i]));
  }

  get length(): number {
    return this.list.length;
  }

  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }

  knob(name: string): DevConfKnob | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.list[i];
  }

  /** The knob's index, or EINVAL for a name the family does not have. */
  require(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new StackError(EINVAL, `unknown setting ${name}`);
    return i;
  }
}

/** Which scope a DevConf is. */
export type DevConfScope = 'all' | 'default' | NetDevice;

/** One scope's values (all, default, or a device), with which of them were written locally. */
export class DevConf {
  readonly values: number[];
  /** Entry i non-zero: knob i was written for this scope and no longer follows `default`. */
  private readonly setMask: Uint8Array;

  /**
   * @param init `all` / `default` start from the knobs' defaults; a device copies `init`'s values
   *   and takes each knob's devDefault where it has one.
   * @param dev the device of a device scope (for devMax and devDefault); null for all/default
   */
  constructor(
    readonly knobs: DevConfKnobs,
    init: DevConf | 'all' | 'default',
    readonly dev: NetDevice | null = null,
  ) {
    this.setMask = new Uint8Array(knobs.length);
    if (init instanceof DevConf) {
      this.values = init.values.slice();
    } else {
      this.values = knobs.list.map((k) => (init === 'all' ? (k.allDef ?? k.def) : k.def));
    }
    if (dev) {
      knobs.list.forEach((k, i) => {
        if (k.devDefault) this.values[i] = k.devDefault(dev);
      });
    }
  }

  get(name: string): number {
    return this.values[this.knobs.require(name)];
  }

  /** The range a write must fall in for this scope (any int when the knob has none). */
  range(name: string): readonly [number, number] {
    const k = this.knobs.list[this.knobs.require(name)];
    const [min, max] = k.range ?? [INT_MIN, INT_MAX];
    return [min, this.dev && k.devMax ? k.devMax(this.dev) : max];
  }

  /**
   * Stores a value and marks it set; returns the knob index. Outside the knob's range (any int
   * when it has none) it is refused with EINVAL, as proc_dointvec_minmax refuses it.
   */
  set(name: string, value: number): number {
    const i = this.knobs.require(name);
    const [min, max] = this.range(name);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new StackError(EINVAL, `${name}: ${value} is not an integer in ${min}..${max}`);
    }
    this.values[i] = value;
    this.setMask[i] = 1;
    return i;
  }

  /**
   * set_bit(state) alone: devinet_conf_proc() marks the knob even when the write was refused,
   * so `default` stops reaching it (measured on 6.18).
   */
  markSet(name: string): void {
    this.setMask[this.knobs.require(name)] = 1;
  }

  isSet(i: number): boolean {
    return this.setMask[i] !== 0;
  }
}

/** Options of a {@link ConfTree}. */
export interface ConfTreeOptions {
  /**
   * A write on `default` also reaches every device that has not set the knob itself
   * (devinet_copy_dflt_conf: IPv4). IPv6 has no such copy: `default` only seeds new devices
   * (measured on 6.18: default.hop_limit=10 leaves existing devices at 64).
   */
  copyDefault: boolean;
}

/** The three scopes of one family in one namespace; effective values combine `all` with the device's. */
export class ConfTree {
  readonly all: DevConf;
  readonly dflt: DevConf;

  constructor(
    readonly knobs: DevConfKnobs,
    readonly opts: ConfTreeOptions,
  ) {
    this.all = new DevConf(knobs, 'all');
    this.dflt = new DevConf(knobs, 'default');
  }

  /** A new device starts as a copy of `default` (with the knobs' per-device defaults). */
  newDevice(dev: NetDevice | null = null): DevConf {
    return new DevConf(this.knobs, this.dflt, dev);
  }

  /** Writes `default`; with copyDefault also every device that has not set the knob itself. */
  setDefault(name: string, value: number, devices: Iterable<DevConf> = []): void {
    const i = this.dflt.set(name, value);
    if (!this.opts.copyDefault) return;
    for (const d of devices) if (!d.isSet(i)) d.values[i] = value;
  }

  /** Effective value for a device, per the knob's combination rule. */
  effective(dev: DevConf, name: string): number {
    const i = this.knobs.require(name);
    const a = this.all.values[i];
    const d = dev.values[i];
    switch (this.knobs.list[i].combine) {
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
