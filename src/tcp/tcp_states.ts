// TCP states and congestion-avoidance states with Linux's numbering (include/net/tcp_states.h,
// include/net/tcp.h tcp_ca_state), as /proc/net/tcp and ss print them.

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_FIN_WAIT2 = 5;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;
export const TCP_CLOSING = 11;
export const TCP_NEW_SYN_RECV = 12;

/** ss's names for each state (misc/ss.c sstate_name), index = state number. */
export const TCP_STATE_SS_NAME: readonly string[] = [
  'UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT',
  'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING', 'NEW-SYN-RECV',
];

/** RFC 9293's names (used in messages and debugging). */
export const TCP_STATE_NAME: readonly string[] = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

// tcp_ca_state: the sender's loss-recovery state.
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;

// Header flag bits (byte 13 of the TCP header).
export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCPHDR_URG = 0x20;
export const TCPHDR_ECE = 0x40;
export const TCPHDR_CWR = 0x80;

/** ssthresh before the first loss (TCP_INFINITE_SSTHRESH). */
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
