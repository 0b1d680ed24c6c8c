// net-tools 2.10 `arp` display (arp.c arp_show, arp_disp_2 for `arp [-n]`/`-e`, arp_disp for
// `arp -a`). net-tools reads /proc/net/arp, so these take the same rows (procArpRows()).
// Names are not resolved here: an address without a name shows as "?" (arp -a) or as itself
// (arp), exactly what net-tools prints when resolution fails or with -n.
import { ATF_COM, ATF_DONTPUB, ATF_NETMASK, ATF_PERM, ATF_PUBL, ATF_USETRAILERS, type ProcArpRow } from './fmt_proc.js';

/** ATF_MAGIC (net-tools' own "A"/AUTO flag). */
const ATF_MAGIC = 0x80;

/**
 * get_hwntype() for the link types tapstack can have; anything else falls back to the default
 * type, "ether", as arp_disp does when the lookup fails.
 */
const HW_NAMES: Readonly<Record<number, string>> = { 1: 'ether', 772: 'loop' };

export function hwTypeName(type: number): string {
  return HW_NAMES[type] ?? 'ether';
}

export interface ArpShowOptions {
  /** `-i IFNAME`: only rows on that device. */
  dev?: string;
  /** A host argument (numeric): only that address. */
  host?: string;
  /** `-a` (BSD style) was given; affects the "no entry" message for a host argument. */
  all?: boolean;
  /** Optional name lookup; return null when the address has no name. */
  resolve?: (ip: string) => string | null;
  /** `-n`: never resolve. */
  numeric?: boolean;
}

/** `printf("%-W.Ws")`: truncate to W, then pad to W. */
function col(s: string, w: number): string {
  return s.slice(0, w).padEnd(w);
}

function flagLetters(f: number): string {
  let s = '';
  if (f & ATF_COM) s += 'C';
  if (f & ATF_PERM) s += 'M';
  if (f & ATF_PUBL) s += 'P';
  if (f & ATF_MAGIC) s += 'A';
  if (f & ATF_DONTPUB) s += '!';
  if (f & ATF_USETRAILERS) s += 'T';
  return s;
}

export const ARP_TABLE_HEADER = 'Address                  HWtype  HWaddress           Flags Mask            Iface\n';

/** arp_disp_2(): one row of the default (Linux-style) table. */
export function arpTableLine(name: string, r: ProcArpRow): string {
  const mask = r.flags & ATF_NETMASK ? r.mask : '';
  let s = `${col(name, 23)}  `;
  if (!(r.flags & ATF_COM)) {
    s += r.flags & ATF_PUBL ? col('*', 8) + col('<from_interface>', 20) : col('', 8) + col('(incomplete)', 20);
  } else {
    s += col(hwTypeName(r.hwType), 8) + col(r.hwAddr, 20);
  }
  return `${s}${col(flagLetters(r.flags), 6)}${col(mask, 15)} ${r.dev}\n`;
}

/** arp_disp(): one `arp -a` line. */
export function arpBsdLine(name: string, r: ProcArpRow): string {
  let s = `${name} (${r.ip}) at `;
  if (!(r.flags & ATF_COM)) s += r.flags & ATF_PUBL ? '<from_interface> ' : '<incomplete> ';
  else s += `${r.hwAddr} [${hwTypeName(r.hwType)}] `;
  if (r.flags & ATF_NETMASK) s += `netmask ${r.mask} `;
  if (r.flags & ATF_PERM) s += 'PERM ';
  if (r.flags & ATF_PUBL) s += 'PUB ';
  if (r.flags & ATF_MAGIC) s += 'AUTO ';
  if (r.flags & ATF_DONTPUB) s += 'DONTPUB ';
  if (r.flags & ATF_USETRAILERS) s += 'TRAIL ';
  return `${s}on ${r.dev}\n`;
}

/** arp_show(): the filter, the per-row display and the "no match" messages. */
function arpShow(rows: readonly ProcArpRow[], opts: ArpShowOptions, bsd: boolean): string {
  let out = '';
  let shown = 0;
  for (const r of rows) {
    if (opts.host !== undefined && r.ip !== opts.host) continue;
    if (opts.dev !== undefined && r.dev !== opts.dev) continue;
    shown++;
    const name = (!opts.numeric && opts.resolve?.(r.ip)) || '?';
    if (bsd) out += arpBsdLine(name, r);
    else {
      if (shown === 1) out += ARP_TABLE_HEADER;
      out += arpTableLine(name === '?' ? r.ip : name, r);
    }
  }
  if (shown === 0) {
    if (opts.host !== undefined && !opts.all) out += `${opts.host} (${opts.host}) -- no entry\n`;
    else if (opts.host !== undefined || opts.dev !== undefined) out += `arp: in ${rows.length} entries no match found.\n`;
  }
  return out;
}

/** `arp`, `arp -n`, `arp -e`: the table (header only when there is a row). */
export function formatArpTable(rows: readonly ProcArpRow[], opts: ArpShowOptions = {}): string {
  return arpShow(rows, opts, false);
}

/** `arp -a`, `arp -an`: one BSD-style line per entry. */
export function formatArpBsd(rows: readonly ProcArpRow[], opts: ArpShowOptions = {}): string {
  return arpShow(rows, { all: true, ...opts }, true);
}
