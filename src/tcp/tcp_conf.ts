// net.ipv4.tcp_* of one namespace with Linux's defaults (Documentation/networking/ip-sysctl.rst,
// the values read from a fresh namespace in reference/tcp.md §3.6), as struct netns_ipv4 keeps them.

/** The tunables the TCP code reads; names are the sysctl names in camelCase. */
export interface TcpSysctl {
  tcpRmem: [number, number, number];
  tcpWmem: [number, number, number];
  tcpSack: number;
  tcpDsack: number;
  tcpTimestamps: number;
  tcpWindowScaling: number;
  tcpSynRetries: number;
  tcpSynackRetries: number;
  tcpSynLinearTimeouts: number;
  tcpFinTimeout: number;
  tcpKeepaliveTime: number;
  tcpKeepaliveIntvl: number;
  tcpKeepaliveProbes: number;
  tcpRetries1: number;
  tcpRetries2: number;
  tcpOrphanRetries: number;
  tcpMaxSynBacklog: number;
  somaxconn: number;
  tcpSyncookies: number;
  tcpAbortOnOverflow: number;
  tcpRtoMinUs: number;
  tcpRtoMaxMs: number;
  tcpInvalidRatelimit: number;
  tcpChallengeAckLimit: number;
  tcpSlowStartAfterIdle: number;
  tcpAdvWinScale: number;
  tcpModerateRcvbuf: number;
  tcpMinSndMss: number;
  tcpBaseMss: number;
  tcpEarlyRetrans: number;
  tcpRecovery: number;
  tcpReordering: number;
  tcpMaxTwBuckets: number;
  tcpCongestionControl: string;
  tcpNoDelayDefault: number;
  /** net.ipv4.ip_local_port_range. */
  ipLocalPortRange: [number, number];
  /** TCP_INIT_CWND (a route metric in Linux; a constant 10 there). */
  initCwnd: number;
}

/**
 * Linux's defaults. tcp_rmem[2] is the common 6 MiB (wscale 7), not this VM's 32 MiB (wscale 10),
 * as reference/tcp.md §3.1 notes; both give the same first windows.
 */
export function tcpSysctlDefaults(): TcpSysctl {
  return {
    tcpRmem: [4096, 131072, 6291456],
    tcpWmem: [4096, 16384, 4194304],
    tcpSack: 1,
    tcpDsack: 1,
    tcpTimestamps: 1,
    tcpWindowScaling: 1,
    tcpSynRetries: 6,
    tcpSynackRetries: 5,
    tcpSynLinearTimeouts: 4,
    tcpFinTimeout: 60,
    tcpKeepaliveTime: 7200,
    tcpKeepaliveIntvl: 75,
    tcpKeepaliveProbes: 9,
    tcpRetries1: 3,
    tcpRetries2: 15,
    tcpOrphanRetries: 0,
    tcpMaxSynBacklog: 2048,
    somaxconn: 4096,
    tcpSyncookies: 1,
    tcpAbortOnOverflow: 0,
    tcpRtoMinUs: 200000,
    tcpRtoMaxMs: 120000,
    tcpInvalidRatelimit: 500,
    tcpChallengeAckLimit: 2147483647,
    tcpSlowStartAfterIdle: 1,
    tcpAdvWinScale: 1,
    tcpModerateRcvbuf: 1,
    tcpMinSndMss: 48,
    tcpBaseMss: 1024,
    tcpEarlyRetrans: 3,
    tcpRecovery: 1,
    tcpReordering: 3,
    tcpMaxTwBuckets: 131072,
    tcpCongestionControl: 'cubic',
    tcpNoDelayDefault: 0,
    ipLocalPortRange: [32768, 60999],
    initCwnd: 10,
  };
}
