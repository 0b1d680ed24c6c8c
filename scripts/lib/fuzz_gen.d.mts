// Types for fuzz_gen.mjs (and its IPv6 half fuzz_gen6.mjs, re-exported) as the TypeScript tests
// use it (the generator is plain ESM so the nightly script can run it against dist/ without a
// build step).
export declare function mulberry32(seed: number): () => number;
export declare const ETH_P_IP: number;
export declare const ETH_P_ARP: number;
export declare const ETH_P_8021Q: number;
export declare const BCAST_MAC: Buffer;
export declare const ZERO_MAC: Buffer;
export declare function ipToNum(ip: string): number;
export declare function numToIp(n: number): string;
export declare function macToBuf(mac: string): Buffer;
export declare function inetCsum(buf: Buffer, off?: number, len?: number): number;
export declare function ethFrame(...args: any[]): Buffer;
export declare function arpPacket(...args: any[]): Buffer;
export declare function fixIpCsum(...args: any[]): Buffer;
export declare function ipPacket(...args: any[]): Buffer;
export declare function icmpMsg(...args: any[]): Buffer;
/** TCP flag bits. */
export declare const TCPF: { FIN: number; SYN: number; RST: number; PSH: number; ACK: number; URG: number; ECE: number; CWR: number };
/** A TCP segment with its checksum over the pseudo-header of src/dst (numbers: IPv4; 16-byte Buffers: IPv6). */
export declare function tcpSegment(o: {
  sport: number; dport: number; seq: number; ack: number; flags: number; window?: number; urg?: number; opts?: Buffer;
  payload?: Buffer; doff?: number; res?: number; badCsum?: boolean; src: number | Buffer; dst: number | Buffer;
}): Buffer;
export declare class FrameGen {
  constructor(...args: any[]);
  [k: string]: any;
}
export declare const DROP_COUNTERS: string[];
export declare const ANSWER_FAIL_COUNTERS: string[];
export declare const KNOWN_TX_DEFECTS: string[];
export declare const KNOWN_ANOMALIES: string[];
export declare class FrameAccountant {
  constructor(stack: any, devs: any[], opts?: { totals?: Record<string, number>; keepExamples?: number; label?: () => string });
  [k: string]: any;
}
export declare class FuzzRig {
  constructor(...args: any[]);
  [k: string]: any;
}

// ---- IPv6 (fuzz_gen6.mjs) ----
export declare const ETH_P_IPV6: number;
export declare const IN6_ANY: Buffer;
export declare const IN6_ALLNODES: Buffer;
export declare function ip6ToBuf(s: string): Buffer;
export declare function ip6ToStr(b: Buffer, off?: number): string;
export declare function eui64(prefix: Buffer, mac: Buffer): Buffer;
export declare function solicitedNode(a: Buffer): Buffer;
export declare function mcastMac(a: Buffer): Buffer;
export declare function csum6(buf: Buffer, off: number, len: number, src: Buffer, srcOff: number, dst: Buffer, dstOff: number, nh: number): number;
export declare function ip6Packet(o: {
  tc?: number; flow?: number; hlim?: number; src: Buffer; dst: Buffer; exts?: { type: number; body: Buffer }[];
  proto: number; payload: Buffer; csum?: boolean; plen?: number;
}): Buffer;
export declare function eth6(dst: Buffer, src: Buffer, ip: Buffer): Buffer;
export declare function icmp6Msg(type: number, code: number, rest: number, data?: Buffer): Buffer;
export declare function ip6Upper(b: Buffer, off?: number): { nh: number; pos: number; end: number; hbhAlert: number; frag: boolean };
export declare function tlvHdr(type: number, opts: Buffer[]): { type: number; body: Buffer };
export declare function fragHdr(offset: number, more: boolean, id: number): { type: number; body: Buffer };
export declare function routingHdr(rtype: number, segleft: number, addrs: Buffer[]): { type: number; body: Buffer };
export declare function ndOpt(type: number, lenByte: number, data?: Buffer, total?: number): Buffer;
export declare function llOpt(type: number, mac: Buffer, units?: number): Buffer;
export declare function pioOpt(prefix: Buffer, plen: number, flags: number, valid: number, pref: number): Buffer;
export declare function nonceOpt(n: Buffer): Buffer;
export declare function ndNs(target: Buffer, opts?: Buffer[]): Buffer;
export declare function ndNa(flags: number, target: Buffer, opts?: Buffer[]): Buffer;
export declare function ndRs(opts?: Buffer[]): Buffer;
export declare function ndRa(f: { hop: number; flags: number; lifetime: number; reach: number; retrans: number }, opts?: Buffer[]): Buffer;
export declare function ndRedirect(target: Buffer, dest: Buffer, opts?: Buffer[]): Buffer;
export declare function checkIpv6Frame(f: Buffer, devName: string, mac: Buffer, ours: Buffer[], fwd: { dev: string; hlim: number } | null, bad: (what: string) => void): void;
export declare const DROP_COUNTERS6: string[];
export declare const ANSWER_FAIL_COUNTERS6: string[];
export declare const ANSWER_COUNTERS6: string[];
export declare const DELIVERY_COUNTERS6: string[];
/** [kind pattern, counters (or `outcome:X`), 'all' | 'some', extra pre-empting counters]. */
export declare const EXPECTATIONS6: [RegExp, string[], 'all' | 'some', string[]?][];
export declare const KINDS6: string[];
export declare const MUTATIONS6: string[];
export declare const BASE6_TABLE: [number, string][];
export declare const MUT6_TABLE: [number, string][];
export declare class Gen6 {
  constructor(g: any);
  [k: string]: any;
}
