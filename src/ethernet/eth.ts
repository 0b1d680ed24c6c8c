// Ethernet link glue (net/ethernet/eth.c): eth_type_trans, eth_header, eth_header_parse,
// eth_header_cache, eth_header_cache_update and ether_setup.
import { ARPHRD_ETHER, HeaderOps, HhCache, IFF_BROADCAST, IFF_MULTICAST, NetDevice } from '../core/netdevice.js';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, SkBuff } from '../core/skbuff.js';
import { ETH_ALEN, ETH_HLEN } from './ethhdr.js';

/** Ethertypes below this are 802.3 length fields; the kernel maps them to ETH_P_802_3. */
const ETH_P_802_3_MIN = 0x0600;
export const ETH_P_802_3 = 0x0001;

/**
 * eth_type_trans(): classify a received frame (pkt_type from the destination, protocol from the
 * ethertype) and pull the Ethernet header. Returns false for a frame too short to carry one.
 */
export function ethTypeTrans(skb: SkBuff, dev: NetDevice): boolean {
  if (skb.len < ETH_HLEN) return false;
  const b = skb.buf;
  const m = skb.data;
  skb.macHeader = m;
  skb.dev = dev;
  if (b[m] & 1) {
    skb.pktType =
      (b[m] & b[m + 1] & b[m + 2] & b[m + 3] & b[m + 4] & b[m + 5]) === 0xff ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else {
    const a = dev.devAddr;
    skb.pktType =
      b[m] === a[0] && b[m + 1] === a[1] && b[m + 2] === a[2] && b[m + 3] === a[3] && b[m + 4] === a[4] && b[m + 5] === a[5]
        ? PACKET_HOST
        : PACKET_OTHERHOST;
  }
  const proto = (b[m + 12] << 8) | b[m + 13];
  skb.protocol = proto >= ETH_P_802_3_MIN ? proto : ETH_P_802_3;
  skb.data = m + ETH_HLEN;
  skb.networkHeader = skb.data;
  return true;
}

function copy6(dst: Buffer, d: number, src: Buffer, s: number): void {
  dst[d] = src[s];
  dst[d + 1] = src[s + 1];
  dst[d + 2] = src[s + 2];
  dst[d + 3] = src[s + 3];
  dst[d + 4] = src[s + 4];
  dst[d + 5] = src[s + 5];
}

/** eth_header(): a null destination means "not known yet" (zeros), like the kernel. */
function ethHeaderCreate(
  skb: SkBuff,
  dev: NetDevice,
  type: number,
  daddr: Buffer | null,
  saddr: Buffer | null,
  _len: number,
): number {
  const o = skb.push(ETH_HLEN);
  const b = skb.buf;
  if (daddr) copy6(b, o, daddr, 0);
  else b.fill(0, o, o + ETH_ALEN);
  copy6(b, o + 6, saddr ?? dev.devAddr, 0);
  b[o + 12] = type >>> 8;
  b[o + 13] = type & 0xff;
  skb.macHeader = o;
  return ETH_HLEN;
}

function ethHeaderParse(skb: SkBuff, haddr: Buffer): number {
  copy6(haddr, 0, skb.buf, skb.macHeader + 6);
  return ETH_ALEN;
}

/** eth_header_cache(): the whole header, built once per neighbour. */
function ethHeaderCache(ha: Buffer, hh: HhCache, dev: NetDevice, type: number): number {
  const d = hh.hhData;
  copy6(d, 0, ha, 0);
  copy6(d, 6, dev.devAddr, 0);
  d[12] = type >>> 8;
  d[13] = type & 0xff;
  hh.hhLen = ETH_HLEN;
  return 0;
}

/** eth_header_cache_update(): only the destination changes with the neighbour's address. */
function ethHeaderCacheUpdate(hh: HhCache, _dev: NetDevice, ha: Buffer): void {
  copy6(hh.hhData, 0, ha, 0);
}

export const ethHeaderOps: HeaderOps = {
  create: ethHeaderCreate,
  parse: ethHeaderParse,
  cache: ethHeaderCache,
  cacheUpdate: ethHeaderCacheUpdate,
};

/** ether_setup(): the defaults every Ethernet-like device starts with. */
export function etherSetup(dev: NetDevice): void {
  dev.type = ARPHRD_ETHER;
  dev.headerOps = ethHeaderOps;
  dev.hardHeaderLen = ETH_HLEN;
  dev.mtu = 1500;
  dev.minMtu = 68;
  dev.maxMtu = 65535;
  dev.addrLen = ETH_ALEN;
  dev.broadcast = Buffer.alloc(ETH_ALEN, 0xff);
  dev.flags = IFF_BROADCAST | IFF_MULTICAST;
}
