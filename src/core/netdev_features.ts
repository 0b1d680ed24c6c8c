// Device offload features (include/linux/netdev_features.h, net/ethtool/common.c's
// netdev_features_strings) and netdev_fix_features()/__netdev_update_features() (net/core/dev.c).

import type { NetDevice } from './netdevice.js';
import { SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_UDP_L4 } from './skbuff.js';

/**
 * The features tapstack can act on, as bits of one number (the kernel's are bits of a u64 at
 * other positions; only the names cross the control socket). Every other feature `ethtool -k`
 * lists is off and fixed on every tapstack device.
 */
/** scatter-gather (tx-scatter-gather): frames may be handed to the driver in pieces. */
export const NETIF_F_SG = 1 << 0;
/** tx-checksum-ip-generic: the device completes TCP/UDP checksums (CHECKSUM_PARTIAL out). */
export const NETIF_F_HW_CSUM = 1 << 1;
/** rx-checksumming: the device vouches for received checksums (CHECKSUM_UNNECESSARY/PARTIAL in). */
export const NETIF_F_RXCSUM = 1 << 2;
/** tx-tcp-segmentation: TCP over IPv4 leaves in segments of up to 64 KiB, cut by the device. */
export const NETIF_F_TSO = 1 << 3;
/** tx-tcp6-segmentation: the same for TCP over IPv6. */
export const NETIF_F_TSO6 = 1 << 4;
/** generic-segmentation-offload: large segments are cut in software just before the driver. */
export const NETIF_F_GSO = 1 << 5;
/** generic-receive-offload. */
export const NETIF_F_GRO = 1 << 6;
/** rx-gro-hw: the device hands over already-coalesced TCP super-frames. */
export const NETIF_F_GRO_HW = 1 << 7;
/** tx-udp-segmentation (UDP GSO, USO). */
export const NETIF_F_GSO_UDP_L4 = 1 << 8;

/** NETIF_F_ALL_TSO as far as tapstack has it. */
export const NETIF_F_ALL_TSO = NETIF_F_TSO | NETIF_F_TSO6;

/** One feature bit with the kernel's name for it (netdev_features_strings). */
export interface FeatureName {
  readonly bit: number;
  readonly name: string;
}

/** tapstack's feature bits under the names `ethtool -K` takes and `ethtool -k` prints. */
export const FEATURE_NAMES: readonly FeatureName[] = [
  { bit: NETIF_F_SG, name: 'tx-scatter-gather' },
  { bit: NETIF_F_HW_CSUM, name: 'tx-checksum-ip-generic' },
  { bit: NETIF_F_RXCSUM, name: 'rx-checksum' },
  { bit: NETIF_F_TSO, name: 'tx-tcp-segmentation' },
  { bit: NETIF_F_TSO6, name: 'tx-tcp6-segmentation' },
  { bit: NETIF_F_GSO, name: 'tx-generic-segmentation' },
  { bit: NETIF_F_GRO, name: 'rx-gro' },
  { bit: NETIF_F_GRO_HW, name: 'rx-gro-hw' },
  { bit: NETIF_F_GSO_UDP_L4, name: 'tx-udp-segmentation' },
];

/** The bit of a kernel feature name, or 0 when tapstack has no such feature. */
export function featureBit(name: string): number {
  for (const f of FEATURE_NAMES) if (f.name === name) return f.bit;
  return 0;
}

/**
 * netdev_fix_features(): the features that can be on together, given those wanted. Each rule is
 * the kernel's, with the message it logs (netdev_dbg) returned for `tapstack ethtool`'s sake:
 * TSO needs scatter-gather and a checksum the device completes; GSO needs scatter-gather (as
 * Linux 6.18 does it to a TAP); rx-gro-hw needs GRO and rx checksums.
 */
export function netdevFixFeatures(features: number): { features: number; dropped: string[] } {
  const dropped: string[] = [];
  let f = features;
  if ((f & NETIF_F_ALL_TSO) !== 0 && (f & NETIF_F_SG) === 0) {
    dropped.push('Dropping TSO features since no SG feature.');
    f &= ~NETIF_F_ALL_TSO;
  }
  if ((f & NETIF_F_ALL_TSO) !== 0 && (f & NETIF_F_HW_CSUM) === 0) {
    dropped.push('Dropping TSO features since no CSUM feature.');
    f &= ~NETIF_F_ALL_TSO;
  }
  // Measured on Linux 6.18 (`ethtool -K tap0 sg off` on a TAP): GSO goes with SG.
  if ((f & NETIF_F_GSO) !== 0 && (f & NETIF_F_SG) === 0) {
    dropped.push('Dropping NETIF_F_GSO since no SG feature.');
    f &= ~NETIF_F_GSO;
  }
  if ((f & NETIF_F_GSO_UDP_L4) !== 0 && (f & NETIF_F_HW_CSUM) === 0) {
    dropped.push('Dropping UDP GSO since no CSUM feature.');
    f &= ~NETIF_F_GSO_UDP_L4;
  }
  if ((f & NETIF_F_GRO_HW) !== 0 && (f & NETIF_F_GRO) === 0) {
    dropped.push('Dropping NETIF_F_GRO_HW since no GRO feature.');
    f &= ~NETIF_F_GRO_HW;
  }
  if ((f & NETIF_F_GRO_HW) !== 0 && (f & NETIF_F_RXCSUM) === 0) {
    dropped.push('Dropping NETIF_F_GRO_HW since no RXCSUM feature.');
    f &= ~NETIF_F_GRO_HW;
  }
  return { features: f, dropped };
}

/** What netdevUpdateFeatures() did: the features now on, and why any wanted one is not. */
export interface FeatureUpdate {
  /** 0, or the driver's negative errno (the features stayed as they were). */
  err: number;
  /** The features now on. */
  features: number;
  /** netdev_fix_features()'s messages for wanted features it had to leave off. */
  dropped: string[];
}

/**
 * __netdev_update_features(): the fixed features as they are, the switchable ones as wanted,
 * fixed up, and handed to the driver (ndo_set_features) when they differ from those on now.
 */
export function netdevUpdateFeatures(dev: NetDevice): FeatureUpdate {
  const want = (dev.features & ~dev.hwFeatures) | (dev.wantedFeatures & dev.hwFeatures);
  const { features, dropped } = netdevFixFeatures(want);
  if (features === dev.features) return { err: 0, features, dropped };
  const err = dev.setFeatures(features);
  if (err < 0) return { err, features: dev.features, dropped };
  dev.features = features;
  return { err: 0, features, dropped };
}

/**
 * net_gso_ok() as tapstack has it: whether a device with `features` takes a super-segment of
 * `gsoType` (SKB_GSO_*) whole — TSO for its family or USO, with the checksum the device completes.
 */
export function netGsoOk(features: number, gsoType: number): boolean {
  const f =
    gsoType & SKB_GSO_TCPV4 ? NETIF_F_TSO : gsoType & SKB_GSO_TCPV6 ? NETIF_F_TSO6 : gsoType & SKB_GSO_UDP_L4 ? NETIF_F_GSO_UDP_L4 : 0;
  return f !== 0 && (features & (f | NETIF_F_HW_CSUM)) === (f | NETIF_F_HW_CSUM);
}
