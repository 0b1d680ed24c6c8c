// The three neigh_ops every Ethernet-style protocol defines (arp_hh_ops/arp_generic_ops/
// arp_direct_ops, ndisc_hh_ops/ndisc_generic_ops/ndisc_direct_ops) and the tail of their
// constructors that picks one: written once for every family.
import type { SkBuff } from '../core/skbuff.js';
import { type Neighbour, neighConnectedOutput, neighDirectOutput, neighResolveOutput } from './neighbour.js';
import { NUD_NOARP, NUD_VALID } from './nud.js';
import type { NeighOps } from './table.js';

/** A protocol's header-caching, generic and direct ops. */
export interface NeighOpsSet<K> {
  /** *_hh_ops: header-caching links; both outputs resolve, the fast path skips them when CONNECTED. */
  readonly hh: NeighOps<K>;
  /** *_generic_ops: links that cannot cache headers. */
  readonly generic: NeighOps<K>;
  /** *_direct_ops: links without headers at all. */
  readonly direct: NeighOps<K>;
}

export function neighOpsSet<K>(
  family: number,
  solicit: (n: Neighbour<K>, skb: SkBuff | null) => void,
  errorReport: (n: Neighbour<K>, skb: SkBuff) => void,
): NeighOpsSet<K> {
  return {
    hh: { family, solicit, errorReport, output: neighResolveOutput, connectedOutput: neighResolveOutput },
    generic: { family, solicit, errorReport, output: neighResolveOutput, connectedOutput: neighConnectedOutput },
    direct: { family, solicit, errorReport, output: neighDirectOutput, connectedOutput: neighDirectOutput },
  };
}

/**
 * The start of every *_constructor: a link without header ops needs no resolution at all (NOARP,
 * direct output). Returns true when that settled the entry.
 */
export function neighConstructDirect<K>(n: Neighbour<K>, set: NeighOpsSet<K>): boolean {
  if (n.dev.headerOps) return false;
  n.nudState = NUD_NOARP;
  n.ops = set.direct;
  n.output = neighDirectOutput;
  return true;
}

/**
 * The end of every *_constructor, once the protocol has decided whether the address needs
 * resolution: hh ops where the link caches headers, else generic; connected output when VALID.
 */
export function neighConstructOps<K>(n: Neighbour<K>, set: NeighOpsSet<K>): void {
  n.ops = n.dev.headerOps?.cache ? set.hh : set.generic;
  n.output = n.nudState & NUD_VALID ? n.ops.connectedOutput : n.ops.output;
}
