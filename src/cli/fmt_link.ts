// `ip -d link` and `ip -s [-s] link` as iproute2 6.1 prints them: print_linkinfo's details block
// (promiscuity … gro_max_size, with iptuntap.c's tun_print_opt for a TAP) and print_link_stats64
// with size_columns (text) or the stats64 object (-j).
import type { LinkInfo } from '../stack.js';

/**
 * size_columns(): each column widened to the digits of its value — counted as iproute2 counts
 * them ("for (len = 1, powi = 10; powi < val; ...)"), so an exact power of ten gets one digit
 * fewer than it has, and output stays byte for byte iproute2's.
 */
function sizeColumns(cols: number[], vals: readonly number[]): void {
  for (let i = 0; i < vals.length; i++) {
    let len = 1;
    for (let powi = 10; powi < vals[i]; powi *= 10) len++;
    if (len > cols[i]) cols[i] = len;
  }
}

/** print_num() without -h: right-aligned in `w`, then a space. */
const num = (w: number, v: number): string => `${String(v).padStart(w)} `;
const pad = (w: number, s: string): string => s.padStart(w);

/**
 * The details `ip -d link` adds after the link/ether line (print_linkinfo with show_details), text;
 * `sl` is _SL_. `doLink`: the `ip link` command, which alone prints IPv6's addrgenmode (print_af_spec).
 */
export function formatLinkDetails(l: LinkInfo, sl: string, doLink: boolean): string {
  const d = l.details;
  let out = ` promiscuity ${d.promiscuity}  allmulti ${d.allmulti} minmtu ${d.minMtu} maxmtu ${d.maxMtu} `;
  if (d.tun) {
    const t = d.tun;
    out += `${sl}    tun type ${t.type} pi ${t.pi ? 'on' : 'off'} vnet_hdr ${t.vnetHdr ? 'on' : 'off'} `;
    out += `persist ${t.persist ? 'on' : 'off'} `;
  }
  if (doLink && d.addrGenMode !== null) out += `addrgenmode ${d.addrGenMode} `;
  out += `numtxqueues ${d.numTxQueues} numrxqueues ${d.numRxQueues} gso_max_size ${d.gsoMaxSize} gso_max_segs ${d.gsoMaxSegs} `;
  out += `tso_max_size ${d.tsoMaxSize} tso_max_segs ${d.tsoMaxSegs} gro_max_size ${d.groMaxSize} `;
  return out;
}

/** The same details as `ip -d -j link` puts them in the link object, in its key order. */
export function linkDetailsJson(l: LinkInfo, doLink: boolean): Record<string, unknown> {
  const d = l.details;
  const o: Record<string, unknown> = { promiscuity: d.promiscuity, allmulti: d.allmulti, min_mtu: d.minMtu, max_mtu: d.maxMtu };
  if (d.tun) {
    const t = d.tun;
    o.linkinfo = { info_kind: 'tun', info_data: { type: t.type, pi: t.pi, vnet_hdr: t.vnetHdr, multi_queue: false, persist: t.persist } };
  }
  if (doLink && d.addrGenMode !== null) o.inet6_addr_gen_mode = d.addrGenMode;
  Object.assign(o, {
    num_tx_queues: d.numTxQueues, num_rx_queues: d.numRxQueues, gso_max_size: d.gsoMaxSize, gso_max_segs: d.gsoMaxSegs,
    tso_max_size: d.tsoMaxSize, tso_max_segs: d.tsoMaxSegs, gro_max_size: d.groMaxSize,
  });
  return o;
}

/**
 * print_link_stats64() text for `-s` (`level` 1) or `-s -s` (2): the RX and TX blocks, lines
 * joined by `sl`, beginning with `sl` (it follows the link line) and without a final newline.
 * tapstack counts no multicast, missed, overrun, compressed, length/crc/frame/fifo, aborted,
 * window, heartbeat or carrier errors: those are 0, as on a TAP.
 */
export function formatLinkStats(l: LinkInfo, level: number, sl: string): string {
  const s = l.stats;
  const cols = ['*X errors:'.length, 'packets'.length, 'errors'.length, 'dropped'.length, 'heartbt'.length, 'overrun'.length, 'compressed'.length];
  sizeColumns(cols, [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, 0, 0, 0]);
  if (level > 1) sizeColumns(cols, [0, 0, 0, 0, 0, 0, 0]);
  sizeColumns(cols, [s.txBytes, s.txPackets, s.txErrors, s.txDropped, 0, 0, 0]);
  if (level > 1) sizeColumns(cols, [0, 0, 0, 0, 0, s.carrierChanges]);
  let o = sl;
  o += `    RX: ${pad(cols[0] - 4, 'bytes')} ${pad(cols[1], 'packets')} ${pad(cols[2], 'errors')} ${pad(cols[3], 'dropped')} `;
  o += `${pad(cols[4], 'missed')} ${pad(cols[5], 'mcast')} ${pad(cols[6], '')}${sl}`;
  o += `    ${num(cols[0], s.rxBytes)}${num(cols[1], s.rxPackets)}${num(cols[2], s.rxErrors)}${num(cols[3], s.rxDropped)}`;
  o += `${num(cols[4], 0)}${num(cols[5], 0)}`;
  if (level > 1) {
    o += `${sl}    RX errors:${pad(cols[0] - 10, '')} ${pad(cols[1], 'length')} ${pad(cols[2], 'crc')} ${pad(cols[3], 'frame')} `;
    o += `${pad(cols[4], 'fifo')} ${pad(cols[5], 'overrun')}${sl}`;
    o += `    ${pad(cols[0] + 1, '')}${num(cols[1], 0)}${num(cols[2], 0)}${num(cols[3], 0)}${num(cols[4], 0)}${num(cols[5], 0)}`;
  }
  o += sl;
  o += `    TX: ${pad(cols[0] - 4, 'bytes')} ${pad(cols[1], 'packets')} ${pad(cols[2], 'errors')} ${pad(cols[3], 'dropped')} `;
  o += `${pad(cols[4], 'carrier')} ${pad(cols[5], 'collsns')} ${pad(cols[6], '')}${sl}`;
  o += `    ${num(cols[0], s.txBytes)}${num(cols[1], s.txPackets)}${num(cols[2], s.txErrors)}${num(cols[3], s.txDropped)}`;
  o += `${num(cols[4], 0)}${num(cols[5], 0)}`;
  if (level > 1) {
    o += `${sl}    TX errors:${pad(cols[0] - 10, '')} ${pad(cols[1], 'aborted')} ${pad(cols[2], 'fifo')} ${pad(cols[3], 'window')} `;
    o += `${pad(cols[4], 'heartbt')} ${pad(cols[5], 'transns')}${sl}`;
    o += `    ${pad(cols[0] + 1, '')}${num(cols[1], 0)}${num(cols[2], 0)}${num(cols[3], 0)}${num(cols[4], 0)}${num(cols[5], s.carrierChanges)}`;
  }
  return o;
}

/** The `stats64` object of `ip -s [-s] -j link`. */
export function linkStatsJson(l: LinkInfo, level: number): Record<string, unknown> {
  const s = l.stats;
  const rx: Record<string, number> = { bytes: s.rxBytes, packets: s.rxPackets, errors: s.rxErrors, dropped: s.rxDropped, over_errors: 0, multicast: 0 };
  const tx: Record<string, number> = { bytes: s.txBytes, packets: s.txPackets, errors: s.txErrors, dropped: s.txDropped, carrier_errors: 0, collisions: 0 };
  if (level > 1) {
    Object.assign(rx, { length_errors: 0, crc_errors: 0, frame_errors: 0, fifo_errors: 0, missed_errors: 0 });
    Object.assign(tx, { aborted_errors: 0, fifo_errors: 0, window_errors: 0, heartbeat_errors: 0, carrier_changes: s.carrierChanges });
  }
  return { stats64: { rx, tx } };
}
