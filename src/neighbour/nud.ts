// NUD states, NTF flags and neigh_update() flags: include/uapi/linux/neighbour.h and
// include/net/neighbour.h (NUD_IN_TIMER/VALID/CONNECTED, NEIGH_UPDATE_F_*, NTF_MANAGED).

// Neighbour Unreachability Detection states (ndm_state), one bit each.
/** No state yet: just created, or about to go. */
export const NUD_NONE = 0x00;
/** Resolution in progress: solicitations sent, packets queued. */
export const NUD_INCOMPLETE = 0x01;
/** Confirmed within reachable_time. */
export const NUD_REACHABLE = 0x02;
/** Address known but not recently confirmed; the next packet starts verification. */
export const NUD_STALE = 0x04;
/** Used while STALE: waiting delay_first_probe_time for upper-layer confirmation. */
export const NUD_DELAY = 0x08;
/** Sending unicast probes to reconfirm. */
export const NUD_PROBE = 0x10;
/** Resolution failed: packets are dropped until a new attempt. */
export const NUD_FAILED = 0x20;
/** Pseudo-state: the device needs no resolution (`arp off`, broadcast). */
export const NUD_NOARP = 0x40;
/** Pseudo-state: set by the administrator, never aged or replaced by ARP. */
export const NUD_PERMANENT = 0x80;

/** States whose entry has its timer running. */
export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
/** States with a usable link-layer address. */
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
/** States where the address is trusted without confirmation: the fast path may use the cached header. */
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

// ndm_flags.
/** Request only: treat as used by traffic (starts resolution). */
export const NTF_USE = 0x01;
/** Bridge FDB flag; kept for the uapi numbering. */
export const NTF_SELF = 0x02;
/** Bridge FDB flag; kept for the uapi numbering. */
export const NTF_MASTER = 0x04;
/** A proxy entry (pneigh): the stack answers ARP for the address. */
export const NTF_PROXY = 0x08;
/** Learnt by something other than the stack (`extern_learn`); never aged out. */
export const NTF_EXT_LEARNED = 0x10;
/** Offloaded to hardware; kept for the uapi numbering. */
export const NTF_OFFLOADED = 0x20;
/** Bridge FDB flag; kept for the uapi numbering. */
export const NTF_STICKY = 0x40;
/** The neighbour is a router (`router`). */
export const NTF_ROUTER = 0x80;

/** NDA_FLAGS_EXT bits (uapi). */
export const NTF_EXT_MANAGED = 0x01;
/** In-kernel layout: ext flags live above the 8 ndm_flags bits of neigh->flags. */
export const NTF_OLD_MASK = 0xff;
/** Where NDA_FLAGS_EXT bits start in neigh->flags. */
export const NTF_EXT_SHIFT = 8;
/** Kept resolved by periodic probes (`managed`), in the in-kernel layout. */
export const NTF_MANAGED = NTF_EXT_MANAGED << NTF_EXT_SHIFT;

/** Flags for neighUpdate() (modern kernels: BIT(0)..BIT(7)). */
export const NEIGH_UPDATE_F_OVERRIDE = 1 << 0;
export const NEIGH_UPDATE_F_WEAK_OVERRIDE = 1 << 1;
export const NEIGH_UPDATE_F_OVERRIDE_ISROUTER = 1 << 2;
export const NEIGH_UPDATE_F_USE = 1 << 3;
export const NEIGH_UPDATE_F_MANAGED = 1 << 4;
export const NEIGH_UPDATE_F_EXT_LEARNED = 1 << 5;
export const NEIGH_UPDATE_F_ISROUTER = 1 << 6;
export const NEIGH_UPDATE_F_ADMIN = 1 << 7;

/** iproute2's filter bit for `nud none` (state 0 cannot be a mask bit). */
export const NUD_FILTER_NONE = 0x100;
/** `ip neigh flush` without `nud`: everything but PERMANENT and NOARP, NONE included. */
export const NUD_FILTER_FLUSH_DEFAULT = ~(NUD_PERMANENT | NUD_NOARP);

/**
 * print_neigh()'s state test, which `ip neigh show` and `ip neigh flush` share: the state is in
 * `mask`, or the entry is a proxy or externally learned one (those always pass), or it is NONE
 * and `mask` has NUD_FILTER_NONE.
 */
export function nudFilterMatches(state: number, flags: number, mask: number): boolean {
  if (mask & state) return true;
  if (flags & (NTF_PROXY | NTF_EXT_LEARNED)) return true;
  return state === NUD_NONE && (mask & NUD_FILTER_NONE) !== 0;
}

/** Names in the order iproute2 prints them (print_neigh_state). */
const STATE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NUD_INCOMPLETE, 'INCOMPLETE'],
  [NUD_REACHABLE, 'REACHABLE'],
  [NUD_STALE, 'STALE'],
  [NUD_DELAY, 'DELAY'],
  [NUD_PROBE, 'PROBE'],
  [NUD_FAILED, 'FAILED'],
  [NUD_NOARP, 'NOARP'],
  [NUD_PERMANENT, 'PERMANENT'],
];

/** Upper-case state names as `ip neigh` prints them; ['NONE'] for 0. */
export function nudStateNames(state: number): string[] {
  if (state === NUD_NONE) return ['NONE'];
  const out: string[] = [];
  for (const [bit, name] of STATE_NAMES) if (state & bit) out.push(name);
  return out;
}

/** Parses one `nud` keyword of `ip neigh` (case-insensitive; 'all' is not a state). Returns -1 if unknown. */
export function nudStateFromName(name: string): number {
  const up = name.toUpperCase();
  if (up === 'NONE') return NUD_NONE;
  for (const [bit, n] of STATE_NAMES) if (n === up) return bit;
  return -1;
}
