// Types for fuzz_gen.mjs as the TypeScript tests use it (the generator is plain ESM so the
// nightly script can run it against dist/ without a build step).
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
export declare class FrameGen {
  constructor(...args: any[]);
  [k: string]: any;
}
export declare const DROP_COUNTERS: string[];
export declare const ANSWER_FAIL_COUNTERS: string[];
export declare const KNOWN_TX_DEFECTS: string[];
export declare const KNOWN_ANOMALIES: string[];
export declare class FuzzRig {
  constructor(...args: any[]);
  [k: string]: any;
}
