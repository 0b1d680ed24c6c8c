// The TCP counters: the "Tcp:" line of /proc/net/snmp (TCP_MIB_*) and the TCP part of "TcpExt:"
// in /proc/net/netstat (LINUX_MIB_*), in camelCase as stats().udp has its names.

/** /proc/net/snmp Tcp (RFC 4022 names). currEstab is computed when read. */
export interface TcpStats {
  rtoAlgorithm: number;
  rtoMin: number;
  rtoMax: number;
  maxConn: number;
  activeOpens: number;
  passiveOpens: number;
  attemptFails: number;
  estabResets: number;
  currEstab: number;
  inSegs: number;
  outSegs: number;
  retransSegs: number;
  inErrs: number;
  outRsts: number;
  inCsumErrors: number;
}

/** /proc/net/netstat TcpExt, the counters tapstack keeps (Linux's names). */
export interface TcpExtStats {
  syncookiesSent: number;
  syncookiesRecv: number;
  syncookiesFailed: number;
  embryonicRsts: number;
  pawsEstab: number;
  delayedAcks: number;
  listenOverflows: number;
  listenDrops: number;
  tcpHpHits: number;
  tcpPureAcks: number;
  tcpHpAcks: number;
  tcpRenoRecovery: number;
  tcpSackRecovery: number;
  tcpSackReneging: number;
  tcpRenoReorder: number;
  tcpSackReorder: number;
  tcpTsReorder: number;
  tcpFullUndo: number;
  tcpPartialUndo: number;
  tcpLossUndo: number;
  tcpLostRetransmit: number;
  tcpRenoFailures: number;
  tcpSackFailures: number;
  tcpLossFailures: number;
  tcpFastRetrans: number;
  tcpSlowStartRetrans: number;
  tcpTimeouts: number;
  tcpLossProbes: number;
  tcpLossProbeRecovery: number;
  tcpAbortOnData: number;
  tcpAbortOnClose: number;
  tcpAbortOnMemory: number;
  tcpAbortOnTimeout: number;
  tcpAbortOnLinger: number;
  tcpAbortFailed: number;
  tcpMemoryPressures: number;
  tcpDsackOldSent: number;
  tcpDsackOfoSent: number;
  tcpDsackRecv: number;
  tcpDsackOfoRecv: number;
  tcpSackDiscard: number;
  tcpDsackIgnoredOld: number;
  tcpDsackIgnoredNoUndo: number;
  tcpSpuriousRtos: number;
  tcpSackShifted: number;
  tcpBacklogDrop: number;
  tcpMinTtlDrop: number;
  tcpDeferAcceptDrop: number;
  tcpTimeWaitOverflow: number;
  tcpReqQFullDoCookies: number;
  tcpReqQFullDrop: number;
  tcpRetransFail: number;
  tcpRcvCoalesce: number;
  tcpOfoQueue: number;
  tcpOfoDrop: number;
  tcpOfoMerge: number;
  tcpChallengeAck: number;
  tcpSynChallenge: number;
  tcpSpuriousRtxHostQueues: number;
  tcpAutoCorking: number;
  tcpFromZeroWindowAdv: number;
  tcpToZeroWindowAdv: number;
  tcpWantZeroWindowAdv: number;
  tcpSynRetrans: number;
  tcpOrigDataSent: number;
  tcpKeepAlive: number;
  tcpAckSkippedSynRecv: number;
  tcpAckSkippedPaws: number;
  tcpAckSkippedSeq: number;
  tcpAckSkippedFinWait2: number;
  tcpAckSkippedTimeWait: number;
  tcpAckSkippedChallenge: number;
  tcpWinProbe: number;
  tcpDelivered: number;
  tcpAckCompressed: number;
  tcpZeroWindowDrop: number;
  tcpRcvQDrop: number;
  tcpWqueueTooBig: number;
  tcpTimeWaitRecycled: number;
  tcpRcvPruned: number;
  pawsActive: number;
  pawsTimewait: number;
  twRecycled: number;
  tw: number;
  twKilled: number;
  /** ICMP errors quoting a sequence number outside snd_una..snd_nxt (OutOfWindowIcmps). */
  outOfWindowIcmps: number;
  /** A segment whose option area was malformed (counted and ignored as Linux ignores it). */
  tcpBadOptions: number;
  /** Segments shorter than a header or with a data offset beyond the segment (TCP_MIB_INERRS too). */
  tcpBadHeader: number;
  /** Segments to a port with no socket (answered with RST). */
  tcpNoPort: number;
  /** Segments dropped for carrying no ACK in a state that needs one (tcp_rcv_state_process). */
  tcpNoAckDrop: number;
  /** Segments outside the receive window, answered (or rate-limited) with a duplicate ACK. */
  tcpOutOfWindow: number;
}

export function newTcpStats(): TcpStats {
  return {
    rtoAlgorithm: 1, rtoMin: 200, rtoMax: 120000, maxConn: -1, activeOpens: 0, passiveOpens: 0, attemptFails: 0,
    estabResets: 0, currEstab: 0, inSegs: 0, outSegs: 0, retransSegs: 0, inErrs: 0, outRsts: 0, inCsumErrors: 0,
  };
}

const EXT_NAMES: readonly (keyof TcpExtStats)[] = [
  'syncookiesSent', 'syncookiesRecv', 'syncookiesFailed', 'embryonicRsts', 'pawsEstab', 'delayedAcks', 'listenOverflows',
  'listenDrops', 'tcpHpHits', 'tcpPureAcks', 'tcpHpAcks', 'tcpRenoRecovery', 'tcpSackRecovery', 'tcpSackReneging',
  'tcpRenoReorder', 'tcpSackReorder', 'tcpTsReorder', 'tcpFullUndo', 'tcpPartialUndo', 'tcpLossUndo', 'tcpLostRetransmit',
  'tcpRenoFailures', 'tcpSackFailures', 'tcpLossFailures', 'tcpFastRetrans', 'tcpSlowStartRetrans', 'tcpTimeouts',
  'tcpLossProbes', 'tcpLossProbeRecovery', 'tcpAbortOnData', 'tcpAbortOnClose', 'tcpAbortOnMemory', 'tcpAbortOnTimeout',
  'tcpAbortOnLinger', 'tcpAbortFailed', 'tcpMemoryPressures', 'tcpDsackOldSent', 'tcpDsackOfoSent', 'tcpDsackRecv',
  'tcpDsackOfoRecv', 'tcpSackDiscard', 'tcpDsackIgnoredOld', 'tcpDsackIgnoredNoUndo', 'tcpSpuriousRtos', 'tcpSackShifted',
  'tcpBacklogDrop', 'tcpMinTtlDrop', 'tcpDeferAcceptDrop', 'tcpTimeWaitOverflow', 'tcpReqQFullDoCookies', 'tcpReqQFullDrop',
  'tcpRetransFail', 'tcpRcvCoalesce', 'tcpOfoQueue', 'tcpOfoDrop', 'tcpOfoMerge', 'tcpChallengeAck', 'tcpSynChallenge',
  'tcpSpuriousRtxHostQueues', 'tcpAutoCorking', 'tcpFromZeroWindowAdv', 'tcpToZeroWindowAdv', 'tcpWantZeroWindowAdv',
  'tcpSynRetrans', 'tcpOrigDataSent', 'tcpKeepAlive', 'tcpAckSkippedSynRecv', 'tcpAckSkippedPaws', 'tcpAckSkippedSeq',
  'tcpAckSkippedFinWait2', 'tcpAckSkippedTimeWait', 'tcpAckSkippedChallenge', 'tcpWinProbe', 'tcpDelivered',
  'tcpAckCompressed', 'tcpZeroWindowDrop', 'tcpRcvQDrop', 'tcpWqueueTooBig', 'tcpTimeWaitRecycled', 'tcpRcvPruned',
  'pawsActive', 'pawsTimewait', 'twRecycled', 'tw', 'twKilled', 'outOfWindowIcmps', 'tcpBadOptions', 'tcpBadHeader', 'tcpNoPort',
  'tcpNoAckDrop', 'tcpOutOfWindow',
];

export function newTcpExtStats(): TcpExtStats {
  const s = {} as Record<keyof TcpExtStats, number>;
  for (const n of EXT_NAMES) s[n] = 0;
  return s as TcpExtStats;
}

/** Linux's spelling of a camelCase counter name in /proc/net/netstat ("tcpSackRecovery" → "TCPSackRecovery"). */
export function tcpExtProcName(n: string): string {
  if (n.startsWith('tcp')) return 'TCP' + n.slice(3);
  if (n === 'pawsEstab' || n === 'pawsActive' || n === 'pawsTimewait') return 'PAWS' + n.slice(4);
  if (n === 'tw') return 'TW';
  if (n === 'twKilled') return 'TWKilled';
  if (n === 'twRecycled') return 'TWRecycled';
  return n[0].toUpperCase() + n.slice(1);
}
