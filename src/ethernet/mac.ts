// Ethernet addresses: include/linux/etherdevice.h (is_*_ether_addr, ether_addr_equal,
// eth_random_addr); text form as iproute2's ll_addr_a2n / ll_addr_n2a.
import { randomBytes } from 'node:crypto';

// Typed arrays with elements cannot be Object.freeze()d (it throws), so these constants are only
// read-only at the type level. Callers must never write into them; copy them into frames instead.
// Buffer.alloc gives each its own backing store, so a stray write through a pooled slice
// elsewhere cannot corrupt them.

/** ff:ff:ff:ff:ff:ff. Shared: do not mutate. */
export const BROADCAST_MAC: Readonly<Buffer> = Buffer.alloc(6, 0xff);
/** 00:00:00:00:00:00. Shared: do not mutate. */
export const ZERO_MAC: Readonly<Buffer> = Buffer.alloc(6, 0);

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30; // 0-9
  c |= 0x20; // fold to lower case
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10; // a-f
  return -1;
}

/** "aa:bb:cc:dd:ee:ff" (case-insensitive, 1-2 hex digits per octet, ':' only). */
export function parseMac(s: string): Buffer | null {
  const len = s.length;
  if (len < 11 || len > 17) return null;
  const out = Buffer.alloc(6);
  let n = 0;
  let digits = 0;
  let v = 0;
  for (let i = 0; i <= len; i++) {
    if (i === len || s.charCodeAt(i) === 0x3a /* ':' */) {
      if (digits === 0 || n === 6) return null;
      out[n++] = v;
      digits = 0;
      v = 0;
      continue;
    }
    const h = hexVal(s.charCodeAt(i));
    if (h < 0 || ++digits > 2) return null;
    v = (v << 4) | h;
  }
  return n === 6 ? out : null;
}

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** Lower-case, two digits per octet, ':'-separated (as `ip link` prints). */
export function formatMac(buf: Uint8Array, off = 0): string {
  return (
    HEX2[buf[off]] + ':' + HEX2[buf[off + 1]] + ':' + HEX2[buf[off + 2]] + ':' +
    HEX2[buf[off + 3]] + ':' + HEX2[buf[off + 4]] + ':' + HEX2[buf[off + 5]]
  );
}

/** Random locally administered unicast address (eth_random_addr). */
export function randomMac(): Buffer {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02; // clear I/G (multicast), set U/L (local)
  return b;
}

/** I/G bit set; true for broadcast too, as in the kernel. */
export function isMulticastEther(buf: Uint8Array, off: number): boolean {
  return (buf[off] & 0x01) !== 0;
}

export function isBroadcastEther(buf: Uint8Array, off: number): boolean {
  return (buf[off] & buf[off + 1] & buf[off + 2] & buf[off + 3] & buf[off + 4] & buf[off + 5]) === 0xff;
}

export function isZeroEther(buf: Uint8Array, off: number): boolean {
  return (buf[off] | buf[off + 1] | buf[off + 2] | buf[off + 3] | buf[off + 4] | buf[off + 5]) === 0;
}

/** Byte-wise equality of two 6-byte addresses, branch-free like ether_addr_equal. */
export function macEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  return (
    ((a[aOff] ^ b[bOff]) |
      (a[aOff + 1] ^ b[bOff + 1]) |
      (a[aOff + 2] ^ b[bOff + 2]) |
      (a[aOff + 3] ^ b[bOff + 3]) |
      (a[aOff + 4] ^ b[bOff + 4]) |
      (a[aOff + 5] ^ b[bOff + 5])) === 0
  );
}
