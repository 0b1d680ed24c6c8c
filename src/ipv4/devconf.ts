// Per-device IPv4 settings, net.ipv4.conf.{all,default,DEV}.* (include/linux/inetdevice.h: the
// IPV4_DEVCONF knobs and how IN_DEV_ORCONF/ANDCONF/MAXCONF read them; devinet_copy_dflt_conf).
// The scopes and the set-mask are the generic ones of core/devconf.
import { ConfTree, DevConf, type DevConfKnob, DevConfKnobs } from '../core/devconf.js';

export { type Combine, DevConf, type DevConfKnob } from '../core/devconf.js';

/**
 * The knobs tapstack implements, with the kernel's defaults and combination rules. Linux keeps
 * each in an int and takes any int for it (proc_dointvec, checked on 6.18: arp_ignore=9,
 * medium_id=-2, forwarding=2147483647 all read back as written); the code reading it decides what
 * an unknown value means — arp_ignore 9 answers like 0 (its switch's default), arp_accept 3
 * creates nothing, a negative arp_announce is the max with `all`, any non-zero flag is on.
 */
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

/** The IPv4 knob list with its index. */
export const IPV4_DEVCONF_KNOBS = new DevConfKnobs(DEVCONF_KNOBS);

export function devconfKnob(name: string): DevConfKnob | undefined {
  return IPV4_DEVCONF_KNOBS.knob(name);
}

/** The three IPv4 scopes of one namespace; a `default` write reaches devices that did not set the knob. */
export class Ipv4ConfTree extends ConfTree {
  constructor() {
    super(IPV4_DEVCONF_KNOBS, { copyDefault: true });
  }
}
