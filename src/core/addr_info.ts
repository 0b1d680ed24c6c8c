// The protocol-neutral view of one interface address (struct ifaddrmsg + IFA_* attributes as
// RTM_NEWADDR carries them), built by each family and printed by `ip addr`.

/** One address as `ip addr show` / `ip -j addr show` see it. */
export interface AddrSnapshot {
  /** 'inet' or 'inet6' (iproute2's family names). */
  family: 'inet' | 'inet6';
  /** The device's ifindex. */
  ifindex: number;
  /** The device's name. */
  dev: string;
  /** The address, in the family's text form. */
  local: string;
  /** Prefix length (`/N`). */
  prefixLen: number;
  /** IPv4 directed broadcast (`brd`), null when none or IPv6. */
  broadcast: string | null;
  /** 'global', 'site', 'link' or 'host'. */
  scope: string;
  /** IPv4 label (the device name unless set); null for IPv6. */
  label: string | null;
  /** IFA_F_* bits. */
  flags: number;
  /**
   * The flag words iproute2 6.1 prints, in its order: `temporary nodad optimistic dadfailed
   * deprecated tentative dynamic mngtmpaddr noprefixroute stable-privacy` (IPv6; `dynamic` =
   * not permanent).
   */
  flagWords: string[];
  /** Remaining valid lifetime in seconds; 4294967295 = forever. */
  validLft: number;
  /** Remaining preferred lifetime in seconds (0: deprecated); 4294967295 = forever. */
  preferredLft: number;
}

/** The flag words in iproute2's print order, each with its IFA_F_* bit. */
export const IFA_FLAG_WORDS: readonly (readonly [number, string])[] = [
  [0x01, 'temporary'],
  [0x02, 'nodad'],
  [0x04, 'optimistic'],
  [0x08, 'dadfailed'],
  [0x10, 'home'],
  [0x20, 'deprecated'],
  [0x40, 'tentative'],
  [0x80, 'permanent'],
  [0x100, 'mngtmpaddr'],
  [0x200, 'noprefixroute'],
  [0x400, 'autojoin'],
  [0x800, 'stable-privacy'],
];

/**
 * print_ifa_flags(): IPv6 prints `dynamic` where the address is not permanent and never
 * `permanent`; IPv4 prints `dynamic` the same way (its addresses are permanent unless a lifetime
 * was given).
 */
export function ifaFlagWords(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, word] of IFA_FLAG_WORDS) {
    if (bit === 0x80) {
      if (!(flags & 0x80)) out.push('dynamic');
      continue;
    }
    if (flags & bit) out.push(word);
  }
  return out;
}
