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
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, 0, 0];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, 0, 0];
  const rxErr = [0, 0, 0, 0, 0];
  const txErr = [0, 0, 0, 0, s.carrierChanges];
  sizeColumns(cols, rx);
  if (level > 1) sizeColumns(cols, [0, ...rxErr]);
  sizeColumns(cols, tx);
  if (level > 1) sizeColumns(cols, [0, ...txErr]);
  /** One direction: its counters line, then (-s -s) its errors line. */
  const block = (dir: string, names: string[], vals: number[], errNames: string[], errVals: number[]): string => {
    let o = `${sl}    ${dir}: ${pad(cols[0] - 4, 'bytes')}`;
    for (let i = 0; i < 5; i++) o += ` ${pad(cols[i + 1], names[i])}`;
    o += ` ${pad(cols[6], '')}${sl}    `;
    for (let i = 0; i < 6; i++) o += num(cols[i], vals[i]);
    if (level > 1) {
      o += `${sl}    ${dir} errors:${pad(cols[0] - 10, '')}`;
      for (let i = 0; i < 5; i++) o += ` ${pad(cols[i + 1], errNames[i])}`;
      o += `${sl}    ${pad(cols[0] + 1, '')}`;
      for (let i = 0; i < 5; i++) o += num(cols[i + 1], errVals[i]);
    }
    return o;
  };
  return (
    block('RX', ['packets', 'errors', 'dropped', 'missed', 'mcast'], rx, ['length', 'crc', 'frame', 'fifo', 'overrun'], rxErr) +
    block('TX', ['packets', 'errors', 'dropped', 'carrier', 'collsns'], tx, ['aborted', 'fifo', 'window', 'heartbt', 'transns'], txErr)
  );
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
