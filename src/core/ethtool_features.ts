// Device features by name, as ETHTOOL_MSG_FEATURES_GET/SET see them (net/ethtool/features.c,
// netdev_features_strings in net/ethtool/common.c) and ethtool(8)'s legacy flags (off_flag_def).
import { EOPNOTSUPP, StackError } from './errno.js';
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
  netdevUpdateFeatures,
} from './netdev_features.js';
import type { NetDevice } from './netdevice.js';

/**
 * The kernel's feature names in bit order (NETIF_F_*_BIT of Linux 6.18, as `ethtool -k` of a
 * TAP lists them): the order ETHTOOL_MSG_FEATURES replies and ethtool's "Actual changes" follow.
 * Bits the kernel keeps unused or never shows have no entry.
 */
export const KERNEL_FEATURES: readonly string[] = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma',
  'tx-scatter-gather-fraglist', 'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged',
  'tx-generic-segmentation', 'rx-gro', 'rx-lro', 'tx-tcp-segmentation', 'tx-gso-robust', 'tx-tcp-ecn-segmentation',
  'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-fcoe-segmentation', 'tx-gre-segmentation',
  'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation',
  'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation', 'tx-sctp-segmentation',
  'tx-esp-segmentation', 'tx-udp-segmentation', 'tx-gso-list', 'tx-tcp-accecn-segmentation', 'tx-checksum-fcoe-crc',
  'tx-checksum-sctp', 'rx-ntuple-filter', 'rx-hashing', 'rx-checksum', 'tx-nocache-copy', 'loopback', 'rx-fcs',
  'rx-all', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter', 'l2-fwd-offload',
  'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload', 'tls-hw-tx-offload',
  'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload', 'rx-udp-gro-forwarding',
  'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];

/** tapstack's NETIF_F_* bit of each kernel feature it has; every other feature is off and fixed. */
const TAPSTACK_BIT: ReadonlyMap<string, number> = new Map([
  ['tx-scatter-gather', NETIF_F_SG],
  ['tx-checksum-ip-generic', NETIF_F_HW_CSUM],
  ['tx-generic-segmentation', NETIF_F_GSO],
  ['rx-gro', NETIF_F_GRO],
  ['tx-tcp-segmentation', NETIF_F_TSO],
  ['tx-tcp6-segmentation', NETIF_F_TSO6],
  ['tx-udp-segmentation', NETIF_F_GSO_UDP_L4],
  ['rx-checksum', NETIF_F_RXCSUM],
  ['rx-gro-hw', NETIF_F_GRO_HW],
]);

/** One of ethtool's legacy flags: a short and a long name for the kernel features matching `match`. */
export interface LegacyFlag {
  readonly short: string;
  readonly long: string;
  readonly match: (kernelName: string) => boolean;
}

/** ethtool 6.1's off_flag_def, in its order (the order `ethtool -k` prints the groups). */
export const LEGACY_FLAGS: readonly LegacyFlag[] = [
  { short: 'rx', long: 'rx-checksumming', match: (n) => n === 'rx-checksum' },
  { short: 'tx', long: 'tx-checksumming', match: (n) => n.startsWith('tx-checksum-') },
  { short: 'sg', long: 'scatter-gather', match: (n) => n.startsWith('tx-scatter-gather') },
  { short: 'tso', long: 'tcp-segmentation-offload', match: (n) => /^tx-tcp.*-segmentation$/.test(n) },
  { short: 'gso', long: 'generic-segmentation-offload', match: (n) => n === 'tx-generic-segmentation' },
  { short: 'gro', long: 'generic-receive-offload', match: (n) => n === 'rx-gro' },
  { short: 'lro', long: 'large-receive-offload', match: (n) => n === 'rx-lro' },
  { short: 'rxvlan', long: 'rx-vlan-offload', match: (n) => n === 'rx-vlan-hw-parse' },
  { short: 'txvlan', long: 'tx-vlan-offload', match: (n) => n === 'tx-vlan-hw-insert' },
  { short: 'ntuple', long: 'ntuple-filters', match: (n) => n === 'rx-ntuple-filter' },
  { short: 'rxhash', long: 'receive-hashing', match: (n) => n === 'rx-hashing' },
];

/**
 * The kernel features a name stands for, in bit order: a legacy flag's (short or long name) or
 * the one kernel feature of that name; null for a name that is neither.
 */
export function expandFeatureName(name: string): string[] | null {
  for (const f of LEGACY_FLAGS) if (f.short === name || f.long === name) return KERNEL_FEATURES.filter(f.match);
  return KERNEL_FEATURES.includes(name) ? [name] : null;
}

/** One feature of a device as ETHTOOL_MSG_FEATURES_GET reports it. */
export interface DeviceFeature {
  /** The kernel's name (netdev_features_strings). */
  name: string;
  /** On now (dev->features). */
  active: boolean;
  /** What the user asked for (dev->wanted_features); for a fixed feature, its state. */
  wanted: boolean;
  /** Not switchable on this device (not in dev->hw_features). */
  fixed: boolean;
}

/** ETHTOOL_MSG_FEATURES_GET: every feature of `dev`, in kernel bit order. */
export function deviceFeatures(dev: NetDevice): DeviceFeature[] {
  return KERNEL_FEATURES.map((name) => {
    const bit = TAPSTACK_BIT.get(name) ?? 0;
    const active = (dev.features & bit) !== 0;
    const fixed = (dev.hwFeatures & bit) === 0;
    return { name, active, wanted: fixed ? active : (dev.wantedFeatures & bit) !== 0, fixed };
  });
}

/** What a set changed: the features before and after, the driver's error, and netdev_fix_features' notes. */
export interface FeatureSetResult {
  /** Every feature before the request, in kernel bit order. */
  before: DeviceFeature[];
  /** Every feature after it, in the same order. */
  after: DeviceFeature[];
  /** 0, or the driver's negative errno (the active features stayed as they were). */
  err: number;
  /** Why wanted features were left off (netdev_fix_features' messages). */
  dropped: string[];
}

/**
 * ethnl_set_features(): each [kernel name, on] of `req` becomes the wanted state of a switchable
 * feature (a fixed one keeps its state, as the kernel ignores it), then __netdev_update_features
 * applies what can be on together. A name that is no kernel feature fails the whole request, before
 * anything changes, with EOPNOTSUPP "bit name not found" (ethnl_parse_bitset's message).
 */
export function setDeviceFeatures(dev: NetDevice, req: ReadonlyArray<readonly [string, boolean]>): FeatureSetResult {
  for (const [name] of req) if (!KERNEL_FEATURES.includes(name)) throw new StackError(EOPNOTSUPP, `bit name not found: ${name}`);
  const before = deviceFeatures(dev);
  let wanted = dev.wantedFeatures;
  for (const [name, on] of req) {
    const bit = (TAPSTACK_BIT.get(name) ?? 0) & dev.hwFeatures;
    if (bit === 0) continue;
    wanted = on ? wanted | bit : wanted & ~bit;
  }
  dev.wantedFeatures = wanted;
  const u = netdevUpdateFeatures(dev);
  return { before, after: deviceFeatures(dev), err: u.err, dropped: u.dropped };
}
