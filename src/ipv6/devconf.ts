// Per-device IPv6 settings, net.ipv6.conf.{all,default,DEV}.* (include/linux/ipv6.h struct
// ipv6_devconf, net/ipv6/addrconf.c ipv6_devconf/ipv6_devconf_dflt defaults, ipv6_add_dev's copy of
// devconf_dflt, the addrconf_sysctl[] ranges).
import { ConfTree, DevConf, type DevConfKnob, DevConfKnobs } from '../core/devconf.js';
import type { NetDevice } from '../core/netdevice.js';

export { DevConf } from '../core/devconf.js';

/** IPV6_MIN_MTU. */
export const IPV6_MIN_MTU = 1280;
const INT_MAX = 0x7fffffff;
const UINT_MAX = 0xffffffff;

/** addr_gen_mode values (IN6_ADDR_GEN_MODE_*). */
export const IN6_ADDR_GEN_MODE_EUI64 = 0;
export const IN6_ADDR_GEN_MODE_NONE = 1;
export const IN6_ADDR_GEN_MODE_STABLE_PRIVACY = 2;
export const IN6_ADDR_GEN_MODE_RANDOM = 3;

/**
 * The knobs of ../shared/reference/linux-ndisc.md §6.5 with Linux 6.18's defaults (read back on a
 * fresh veth) and the ranges its handlers enforce (proc_dointvec_minmax; `uint` ones are u32/u8
 * with proc_dou*vec_minmax and refuse any sign). `combine` is how the code reading a knob consults
 * `all` (only where §6.5 says it does). Units are the sysctl's own, and so is what is stored:
 * router_solicitation_interval / _max_interval / _delay in seconds, mldv2_unsolicited_report_interval
 * in milliseconds, temp_*_lft and max_desync_factor in seconds; everything else is a count or a flag.
 * stable_secret is no int and lives beside these ({@link Ipv6ConfTree.stableSecret}).
 */
export const IPV6_DEVCONF_KNOBS: readonly DevConfKnob[] = [
  { name: 'forwarding', def: 0, combine: 'dev' },
  { name: 'accept_ra', def: 1, combine: 'dev' },
  { name: 'accept_ra_defrtr', def: 1, combine: 'dev' },
  { name: 'accept_ra_pinfo', def: 1, combine: 'dev' },
  { name: 'accept_ra_mtu', def: 1, combine: 'dev' },
  { name: 'accept_ra_rtr_pref', def: 1, combine: 'dev' },
  { name: 'accept_ra_min_hop_limit', def: 1, combine: 'dev' },
  { name: 'accept_ra_min_lft', def: 0, combine: 'dev' },
  { name: 'accept_ra_from_local', def: 0, combine: 'dev' },
  { name: 'accept_ra_rt_info_min_plen', def: 0, combine: 'dev' },
  { name: 'accept_ra_rt_info_max_plen', def: 0, combine: 'dev' },
  { name: 'ra_defrtr_metric', def: 1024, combine: 'dev', unit: 'uint', range: [1, UINT_MAX] },
  { name: 'ra_honor_pio_life', def: 0, combine: 'dev', unit: 'uint', range: [0, 1] },
  { name: 'ra_honor_pio_pflag', def: 0, combine: 'dev', unit: 'uint', range: [0, 1] },
  { name: 'autoconf', def: 1, combine: 'dev' },
  // max(all, dev) in addrconf_dad_begin / addrconf_dad_failure.
  { name: 'accept_dad', def: 1, allDef: 0, combine: 'max' },
  { name: 'dad_transmits', def: 1, combine: 'dev' },
  { name: 'enhanced_dad', def: 1, combine: 'or' },
  { name: 'optimistic_dad', def: 0, combine: 'or' },
  { name: 'use_optimistic', def: 0, combine: 'dev' },
  { name: 'ndisc_notify', def: 0, combine: 'or' },
  { name: 'drop_unsolicited_na', def: 0, combine: 'dev' },
  { name: 'accept_untracked_na', def: 0, combine: 'dev', range: [0, 2] },
  { name: 'ndisc_evict_nocarrier', def: 1, combine: 'and', unit: 'uint', range: [0, 1] },
  { name: 'ndisc_tclass', def: 0, combine: 'dev', range: [0, 255] },
  { name: 'force_tllao', def: 0, combine: 'dev' },
  { name: 'suppress_frag_ndisc', def: 1, combine: 'dev' },
  // Multicast NS: dev or all; unicast NS: all only (the reader decides which it needs).
  { name: 'proxy_ndp', def: 0, combine: 'or' },
  { name: 'hop_limit', def: 64, combine: 'dev', range: [1, 255] },
  // addrconf_sysctl_mtu: IPV6_MIN_MTU..dev->mtu; all/default have no upper bound.
  { name: 'mtu', def: IPV6_MIN_MTU, combine: 'dev', range: [IPV6_MIN_MTU, INT_MAX], devMax: (d) => d.mtu, devDefault: (d) => d.mtu },
  { name: 'router_solicitations', def: -1, combine: 'dev', range: [-1, INT_MAX] },
  { name: 'router_solicitation_interval', def: 4, combine: 'dev', unit: 'sec' },
  { name: 'router_solicitation_max_interval', def: 3600, combine: 'dev', unit: 'sec' },
  { name: 'router_solicitation_delay', def: 1, combine: 'dev', unit: 'sec' },
  { name: 'accept_redirects', def: 1, combine: 'dev' },
  { name: 'use_tempaddr', def: 0, combine: 'dev' },
  { name: 'temp_valid_lft', def: 604800, combine: 'dev' },
  { name: 'temp_prefered_lft', def: 86400, combine: 'dev' },
  { name: 'max_desync_factor', def: 600, combine: 'dev' },
  { name: 'regen_max_retry', def: 3, combine: 'dev' },
  { name: 'regen_min_advance', def: 2, combine: 'dev' },
  { name: 'max_addresses', def: 16, combine: 'dev' },
  // check_addr_gen_mode(): EUI64, NONE, STABLE_PRIVACY, RANDOM.
  { name: 'addr_gen_mode', def: IN6_ADDR_GEN_MODE_EUI64, combine: 'dev', unit: 'uint', range: [0, 3] },
  // Linux: all's value if non-zero, else the device's, then "> 0"; max() differs only for
  // negative values (all=-1, dev=1: Linux keeps nothing, max says 1).
  { name: 'keep_addr_on_down', def: 0, combine: 'max' },
  { name: 'disable_ipv6', def: 0, combine: 'dev' },
  { name: 'mldv2_unsolicited_report_interval', def: 1000, combine: 'dev', unit: 'ms' },
  { name: 'force_mld_version', def: 0, combine: 'dev' },
];

/** The IPv6 knob list with its index. */
export const IPV6_KNOBS = new DevConfKnobs(IPV6_DEVCONF_KNOBS);

/**
 * Indices of the knobs read for every packet: `cnf.values[CNF_X]` is `cnf.get('x')` without the
 * name lookup, which cost as much as the rest of a header check.
 */
export const CNF_DISABLE_IPV6 = IPV6_KNOBS.require('disable_ipv6');
export const CNF_FORWARDING = IPV6_KNOBS.require('forwarding');
export const CNF_HOP_LIMIT = IPV6_KNOBS.require('hop_limit');
export const CNF_MTU = IPV6_KNOBS.require('mtu');

/**
 * The three IPv6 scopes of one namespace. Unlike IPv4, a write on `default` does not reach
 * existing devices (addrconf has no devinet_copy_dflt_conf; measured on 6.18): `default` only
 * seeds devices created later. Only forwarding, disable_ipv6 and addr_gen_mode written on `all`
 * reach default and every device (src/ipv6/sysctl.ts does that).
 */
export class Ipv6ConfTree extends ConfTree {
  /** ipv6_devconf.stable_secret of default and each device (all's can never be set). */
  private readonly secrets = new WeakMap<DevConf, Buffer>();

  constructor() {
    super(IPV6_KNOBS, { copyDefault: false });
  }

  /**
   * ipv6_add_dev(): a copy of `default`, mtu = the device's MTU, default's stable_secret copied;
   * a device that starts with a secret starts in stable-privacy mode (measured: default's own
   * addr_gen_mode stays as it was).
   */
  override newDevice(dev: NetDevice): DevConf {
    const cnf = super.newDevice(dev);
    const secret = this.secrets.get(this.dflt);
    if (secret) {
      this.secrets.set(cnf, Buffer.from(secret));
      cnf.values[IPV6_KNOBS.require('addr_gen_mode')] = IN6_ADDR_GEN_MODE_STABLE_PRIVACY;
    }
    return cnf;
  }

  /** The scope's stable_secret (16 bytes, not to be modified), or null while unset. */
  stableSecret(cnf: DevConf): Buffer | null {
    return this.secrets.get(cnf) ?? null;
  }

  /** Stores a stable_secret (a copy of the 16 bytes); nothing else changes here. */
  setStableSecret(cnf: DevConf, secret: Buffer): void {
    if (secret.length !== 16) throw new RangeError('a stable_secret is 16 bytes');
    this.secrets.set(cnf, Buffer.from(secret));
  }
}
