// The TCP counters: the "Tcp:" line of /proc/net/snmp (TCP_MIB_*) and the TCP part of "TcpExt:"
// in /proc/net/netstat (LINUX_MIB_*), in camelCase as stats().udp has its names.

/** /proc/net/snmp Tcp (RFC 4022 names). currEstab is computed when read. */
export interface TcpStats {
  /** RtoAlgorithm: 1 (other; Linux's value). */
  rtoAlgorithm: number;
  /** RtoMin in ms (200). */
  rtoMin: number;
  /** RtoMax in ms (120000). */
  rtoMax: number;
  /** MaxConn: -1 (no limit). */
  maxConn: number;
  /** ActiveOpens: connect() calls that sent a SYN. */
  activeOpens: number;
  /** PassiveOpens: connections a listener accepted. */
  passiveOpens: number;
  /** AttemptFails: connection attempts that failed (RST, timeout, ICMP). */
  attemptFails: number;
  /** EstabResets: ESTABLISHED or CLOSE_WAIT connections that ended with a reset. */
  estabResets: number;
  /** CurrEstab: connections in ESTABLISHED or CLOSE_WAIT now. */
  currEstab: number;
  /** InSegs: segments received, errors included. */
  inSegs: number;
  /** OutSegs: segments sent, retransmissions excluded. */
  outSegs: number;
  /** RetransSegs: segments retransmitted. */
  retransSegs: number;
  /** InErrs: segments dropped for a bad header or checksum. */
  inErrs: number;
  /** OutRsts: segments sent with RST. */
  outRsts: number;
  /** InCsumErrors: segments with a bad checksum (also in inErrs). */
  inCsumErrors: number;
}

/** /proc/net/netstat TcpExt, the counters tapstack keeps (Linux's names). */
export interface TcpExtStats {
  /** /proc/net/netstat TcpExt SyncookiesSent. */
  syncookiesSent: number;
  /** /proc/net/netstat TcpExt SyncookiesRecv. */
  syncookiesRecv: number;
  /** /proc/net/netstat TcpExt SyncookiesFailed. */
  syncookiesFailed: number;
  /** /proc/net/netstat TcpExt EmbryonicRsts. */
  embryonicRsts: number;
  /** /proc/net/netstat TcpExt PAWSEstab. */
  pawsEstab: number;
  /** /proc/net/netstat TcpExt DelayedAcks. */
  delayedAcks: number;
  /** /proc/net/netstat TcpExt ListenOverflows. */
  listenOverflows: number;
  /** /proc/net/netstat TcpExt ListenDrops. */
  listenDrops: number;
  /** /proc/net/netstat TcpExt TCPHpHits. */
  tcpHpHits: number;
  /** /proc/net/netstat TcpExt TCPPureAcks. */
  tcpPureAcks: number;
  /** /proc/net/netstat TcpExt TCPHpAcks. */
  tcpHpAcks: number;
  /** /proc/net/netstat TcpExt TCPRenoRecovery. */
  tcpRenoRecovery: number;
  /** /proc/net/netstat TcpExt TCPSackRecovery. */
  tcpSackRecovery: number;
  /** /proc/net/netstat TcpExt TCPSackReneging. */
  tcpSackReneging: number;
  /** /proc/net/netstat TcpExt TCPRenoReorder. */
  tcpRenoReorder: number;
  /** /proc/net/netstat TcpExt TCPSackReorder. */
  tcpSackReorder: number;
  /** /proc/net/netstat TcpExt TCPTsReorder. */
  tcpTsReorder: number;
  /** /proc/net/netstat TcpExt TCPFullUndo. */
  tcpFullUndo: number;
  /** /proc/net/netstat TcpExt TCPPartialUndo. */
  tcpPartialUndo: number;
  /** /proc/net/netstat TcpExt TCPLossUndo. */
  tcpLossUndo: number;
  /** /proc/net/netstat TcpExt TCPLostRetransmit. */
  tcpLostRetransmit: number;
  /** /proc/net/netstat TcpExt TCPRenoFailures. */
  tcpRenoFailures: number;
  /** /proc/net/netstat TcpExt TCPSackFailures. */
  tcpSackFailures: number;
  /** /proc/net/netstat TcpExt TCPLossFailures. */
  tcpLossFailures: number;
  /** /proc/net/netstat TcpExt TCPFastRetrans. */
  tcpFastRetrans: number;
  /** /proc/net/netstat TcpExt TCPSlowStartRetrans. */
  tcpSlowStartRetrans: number;
  /** /proc/net/netstat TcpExt TCPTimeouts. */
  tcpTimeouts: number;
  /** /proc/net/netstat TcpExt TCPLossProbes. */
  tcpLossProbes: number;
  /** /proc/net/netstat TcpExt TCPLossProbeRecovery. */
  tcpLossProbeRecovery: number;
  /** /proc/net/netstat TcpExt TCPAbortOnData. */
  tcpAbortOnData: number;
  /** /proc/net/netstat TcpExt TCPAbortOnClose. */
  tcpAbortOnClose: number;
  /** /proc/net/netstat TcpExt TCPAbortOnMemory. */
  tcpAbortOnMemory: number;
  /** /proc/net/netstat TcpExt TCPAbortOnTimeout. */
  tcpAbortOnTimeout: number;
  /** /proc/net/netstat TcpExt TCPAbortOnLinger. */
  tcpAbortOnLinger: number;
  /** /proc/net/netstat TcpExt TCPAbortFailed. */
  tcpAbortFailed: number;
  /** /proc/net/netstat TcpExt TCPMemoryPressures. */
  tcpMemoryPressures: number;
  /** /proc/net/netstat TcpExt TCPDsackOldSent. */
  tcpDsackOldSent: number;
  /** /proc/net/netstat TcpExt TCPDsackOfoSent. */
  tcpDsackOfoSent: number;
  /** /proc/net/netstat TcpExt TCPDsackRecv. */
  tcpDsackRecv: number;
  /** /proc/net/netstat TcpExt TCPDsackOfoRecv. */
  tcpDsackOfoRecv: number;
  /** /proc/net/netstat TcpExt TCPSackDiscard. */
  tcpSackDiscard: number;
  /** /proc/net/netstat TcpExt TCPDsackIgnoredOld. */
  tcpDsackIgnoredOld: number;
  /** /proc/net/netstat TcpExt TCPDsackIgnoredNoUndo. */
  tcpDsackIgnoredNoUndo: number;
  /** /proc/net/netstat TcpExt TCPSpuriousRtos. */
  tcpSpuriousRtos: number;
  /** /proc/net/netstat TcpExt TCPSackShifted. */
  tcpSackShifted: number;
  /** /proc/net/netstat TcpExt TCPBacklogDrop. */
  tcpBacklogDrop: number;
  /** /proc/net/netstat TcpExt TCPMinTtlDrop. */
  tcpMinTtlDrop: number;
  /** /proc/net/netstat TcpExt TCPDeferAcceptDrop. */
  tcpDeferAcceptDrop: number;
  /** /proc/net/netstat TcpExt TCPTimeWaitOverflow. */
  tcpTimeWaitOverflow: number;
  /** /proc/net/netstat TcpExt TCPReqQFullDoCookies. */
  tcpReqQFullDoCookies: number;
  /** /proc/net/netstat TcpExt TCPReqQFullDrop. */
  tcpReqQFullDrop: number;
  /** /proc/net/netstat TcpExt TCPRetransFail. */
  tcpRetransFail: number;
  /** /proc/net/netstat TcpExt TCPRcvCoalesce. */
  tcpRcvCoalesce: number;
  /** /proc/net/netstat TcpExt TCPOfoQueue. */
  tcpOfoQueue: number;
  /** /proc/net/netstat TcpExt TCPOfoDrop. */
  tcpOfoDrop: number;
  /** /proc/net/netstat TcpExt TCPOfoMerge. */
  tcpOfoMerge: number;
  /** /proc/net/netstat TcpExt TCPChallengeAck. */
  tcpChallengeAck: number;
  /** /proc/net/netstat TcpExt TCPSynChallenge. */
  tcpSynChallenge: number;
  /** /proc/net/netstat TcpExt TCPSpuriousRtxHostQueues. */
  tcpSpuriousRtxHostQueues: number;
  /** /proc/net/netstat TcpExt TCPAutoCorking. */
  tcpAutoCorking: number;
  /** /proc/net/netstat TcpExt TCPFromZeroWindowAdv. */
  tcpFromZeroWindowAdv: number;
  /** /proc/net/netstat TcpExt TCPToZeroWindowAdv. */
  tcpToZeroWindowAdv: number;
  /** /proc/net/netstat TcpExt TCPWantZeroWindowAdv. */
  tcpWantZeroWindowAdv: number;
  /** /proc/net/netstat TcpExt TCPSynRetrans. */
  tcpSynRetrans: number;
  /** /proc/net/netstat TcpExt TCPOrigDataSent. */
  tcpOrigDataSent: number;
  /** /proc/net/netstat TcpExt TCPKeepAlive. */
  tcpKeepAlive: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedSynRecv. */
  tcpAckSkippedSynRecv: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedPaws. */
  tcpAckSkippedPaws: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedSeq. */
  tcpAckSkippedSeq: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedFinWait2. */
  tcpAckSkippedFinWait2: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedTimeWait. */
  tcpAckSkippedTimeWait: number;
  /** /proc/net/netstat TcpExt TCPAckSkippedChallenge. */
  tcpAckSkippedChallenge: number;
  /** /proc/net/netstat TcpExt TCPWinProbe. */
  tcpWinProbe: number;
  /** /proc/net/netstat TcpExt TCPDelivered. */
  tcpDelivered: number;
  /** /proc/net/netstat TcpExt TCPAckCompressed. */
  tcpAckCompressed: number;
  /** /proc/net/netstat TcpExt TCPZeroWindowDrop. */
  tcpZeroWindowDrop: number;
  /** /proc/net/netstat TcpExt TCPRcvQDrop. */
  tcpRcvQDrop: number;
  /** /proc/net/netstat TcpExt TCPWqueueTooBig. */
  tcpWqueueTooBig: number;
  /** /proc/net/netstat TcpExt TCPTimeWaitRecycled. */
  tcpTimeWaitRecycled: number;
  /** /proc/net/netstat TcpExt TCPRcvPruned. */
  tcpRcvPruned: number;
  /** /proc/net/netstat TcpExt PAWSActive. */
  pawsActive: number;
  /** /proc/net/netstat TcpExt PAWSTimewait. */
  pawsTimewait: number;
  /** /proc/net/netstat TcpExt TWRecycled. */
  twRecycled: number;
  /** /proc/net/netstat TcpExt TW. */
  tw: number;
  /** /proc/net/netstat TcpExt TWKilled. */
  twKilled: number;
  /** ICMP errors quoting a sequence number outside snd_una..snd_nxt (OutOfWindowIcmps). */
  outOfWindowIcmps: number;
  /** A segment whose option area was malformed (counted and ignored as Linux ignores it). */
  tcpBadOptions: number;
  /** Segments shorter than a header or with a data offset beyond the segment (TCP_MIB_INERRS too). */
  tcpBadHeader: number;
  /** Segments to a port with no socket (answered with RST). */
  tcpNoPort: number;
  /** Segments that reached TCP addressed to a broadcast or multicast link address (tcp_v4_rcv's pkt_type check), or to an IPv4 broadcast or IPv6 multicast address. */
  tcpNotHost: number;
  /** Segments dropped for carrying no ACK in a state that needs one (tcp_rcv_state_process). */
  tcpNoAckDrop: number;
  /** Segments outside the receive window, answered (or rate-limited) with a duplicate ACK; a RST there is dropped unanswered. */
  tcpOutOfWindow: number;
  /** RSTs to a listener, discarded: nothing to reset (tcp_rcv_state_process in LISTEN, SKB_DROP_REASON_TCP_RESET). */
  tcpResetDrop: number;
  /** Segments to a listener with neither SYN nor ACK, or SYN with FIN, discarded (SKB_DROP_REASON_TCP_FLAGS). */
  tcpFlagsDrop: number;
  /** Segments a connection accepted: an exact-match RST, or one past tcp_validate_incoming and tcp_ack. */
  tcpSegsAccepted: number;
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
  'pawsActive', 'pawsTimewait', 'twRecycled', 'tw', 'twKilled', 'outOfWindowIcmps', 'tcpBadOptions', 'tcpBadHeader', 'tcpNoPort', 'tcpNotHost',
  'tcpNoAckDrop', 'tcpOutOfWindow', 'tcpResetDrop', 'tcpFlagsDrop', 'tcpSegsAccepted',
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
