// The control channel's wire format, modelled on rtnetlink (include/uapi/linux/netlink.h,
// rtnetlink.h): typed requests with NLM_F_* flags and a sequence number, answered by an ack
// (NLMSG_ERROR with error 0 or -errno), a single message, or a dump; events arrive unasked.
// Messages are JSON objects, one per line (NDJSON), so `socat` can speak it too.

export const CONTROL_VERSION = 1;
/** Longest request line accepted; anything longer is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

// nlmsg_flags.
export const NLM_F_REQUEST = 0x01;
export const NLM_F_ACK = 0x04;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers of NEW requests.
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

/**
 * Message types. The RTM_* ones carry the kernel's meaning; TS_* are tapstack's own for what
 * Linux does through other interfaces (sysctl files, procfs, ping sockets).
 */
export type MessageType =
  | 'RTM_NEWNEIGH'
  | 'RTM_DELNEIGH'
  | 'RTM_GETNEIGH'
  | 'RTM_GETNEIGHTBL'
  | 'RTM_SETNEIGHTBL'
  | 'RTM_GETLINK'
  | 'RTM_SETLINK'
  | 'RTM_NEWADDR'
  | 'RTM_DELADDR'
  | 'RTM_GETADDR'
  | 'RTM_NEWROUTE'
  | 'RTM_DELROUTE'
  | 'RTM_GETROUTE'
  | 'TS_SUBSCRIBE'
  | 'TS_SYSCTL'
  | 'TS_PING'
  | 'TS_CANCEL'
  | 'TS_STAT'
  | 'TS_CAPTURE'
  | 'SOCK_DIAG_BY_FAMILY'
  | 'ETHTOOL_MSG_FEATURES_GET'
  | 'ETHTOOL_MSG_FEATURES_SET';

export const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'RTM_NEWNEIGH', 'RTM_DELNEIGH', 'RTM_GETNEIGH', 'RTM_GETNEIGHTBL', 'RTM_SETNEIGHTBL', 'RTM_GETLINK',
  'RTM_SETLINK', 'RTM_NEWADDR', 'RTM_DELADDR', 'RTM_GETADDR', 'RTM_NEWROUTE', 'RTM_DELROUTE', 'RTM_GETROUTE', 'TS_SUBSCRIBE', 'TS_SYSCTL', 'TS_PING', 'TS_CANCEL', 'TS_STAT',
  'TS_CAPTURE', 'SOCK_DIAG_BY_FAMILY', 'ETHTOOL_MSG_FEATURES_GET', 'ETHTOOL_MSG_FEATURES_SET',
]);

export interface Request {
  v: number;
  seq: number;
  type: MessageType;
  flags?: number;
  body?: Record<string, unknown>;
}

/**
 * Replies. `error` is 0 or a negative errno (as NLMSG_ERROR); `msg` is the extended ack text
 * (NLMSGERR_ATTR_MSG) when there is one. A get answers with `body`, a dump with `items`.
 * Events (seq 0) carry `event` and `body`; ping progress carries `line`.
 */
export interface Reply {
  v: number;
  seq: number;
  error?: number;
  msg?: string;
  body?: unknown;
  items?: unknown[];
  event?: string;
  line?: string;
  done?: boolean;
}

/** A request that does not parse: the reason as an errno and text, never an exception. */
export interface BadRequest {
  seq: number;
  error: number;
  msg: string;
}

const EINVAL = 22;
const EOPNOTSUPP = 95;
const EPROTO = 71;

/** Validates one line; returns the request or why it was refused. */
export function parseRequest(line: string): Request | BadRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { seq: 0, error: -EINVAL, msg: 'malformed request: not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { seq: 0, error: -EINVAL, msg: 'malformed request: not an object' };
  const o = v as Record<string, unknown>;
  const seq = Number.isSafeInteger(o.seq) && (o.seq as number) >= 0 ? (o.seq as number) : 0;
  if (o.v !== CONTROL_VERSION) return { seq, error: -EPROTO, msg: `unsupported protocol version ${JSON.stringify(o.v)} (this stack speaks ${CONTROL_VERSION})` };
  if (typeof o.type !== 'string' || !MESSAGE_TYPES.has(o.type)) return { seq, error: -EOPNOTSUPP, msg: `unknown message type ${JSON.stringify(o.type)}` };
  if (o.flags !== undefined && (!Number.isInteger(o.flags) || (o.flags as number) < 0)) return { seq, error: -EINVAL, msg: 'malformed request: bad flags' };
  if (o.body !== undefined && (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body))) {
    return { seq, error: -EINVAL, msg: 'malformed request: body must be an object' };
  }
  return { v: CONTROL_VERSION, seq, type: o.type as MessageType, flags: (o.flags as number | undefined) ?? 0, body: (o.body as Record<string, unknown> | undefined) ?? {} };
}

export function isBadRequest(r: Request | BadRequest): r is BadRequest {
  return (r as Request).type === undefined;
}

export function encode(r: Reply | Request): string {
  return JSON.stringify(r) + '\n';
}

/** Default socket path for an instance: /run/tapstack/NAME.sock. */
export function controlSocketPath(name: string, dir = process.env.TAPSTACK_RUN_DIR ?? '/run/tapstack'): string {
  return `${dir}/${name}.sock`;
}

/**
 * One socket of a SOCK_DIAG_BY_FAMILY dump (inet_diag_msg and its attributes, as JSON): a
 * TcpSockInfo with the addresses as text. `family` is 4 or 6 as the socket presents itself (a
 * v4-mapped child of a dual-stack listener is 6, its addresses `::ffff:a.b.c.d`); `remote` is
 * null for a listener. Timers: 'on' (retransmit, SYN-ACK), 'persist', 'keepalive', 'timewait',
 * 'delack' (shown by neither ss nor /proc) or null.
 */
export interface SockDiagMsg {
  /** 4 or 6, as the socket presents itself (idiag_family). */
  family: 4 | 6;
  /** TCP_* state number (1 ESTABLISHED ... 10 LISTEN, 11 CLOSING). */
  state: number;
  /** The local address as text (`0.0.0.0` / `::` for a wildcard listener). */
  local: string;
  /** The local port. */
  localPort: number;
  /** The peer's address as text; null for a listener. */
  remote: string | null;
  /** The peer's port (0 for a listener). */
  remotePort: number;
  /** ss's Recv-Q: unread bytes, or a listener's accept-queue length. */
  recvQ: number;
  /** ss's Send-Q: unacknowledged and unsent bytes, or a listener's backlog. */
  sendQ: number;
  /** The running timer (idiag_timer as ss names it). */
  timer: 'on' | 'keepalive' | 'timewait' | 'persist' | 'delack' | null;
  /** When that timer fires, in ms from now (idiag_expires). */
  timerExpiresMs: number;
  /** Retransmissions (or probes) of the running timer (idiag_retrans). */
  retransmits: number;
  /** The socket's inode number (0 for TIME-WAIT and request socks, as Linux). */
  inode: number;
  /** An IPv6 socket with an IPv4 peer (`::ffff:a.b.c.d`). */
  v4mapped: boolean;
  /** The socket cookie ss -e prints as `sk:` (idiag_cookie). */
  cookie?: number;
  /** Shutdown bits (1 receive, 2 send), ss -e's `<->` marks. */
  shutdown?: number;
  /** Unanswered keepalive or zero-window probes (icsk_probes_out). */
  probes?: number;
  /** An IPv6 listener that takes no IPv4 (IPV6_V6ONLY). */
  v6only?: boolean;
  /** The device a scoped IPv6 socket is bound to (idiag_if), printed by ss as `[fe80::1]%dev:port`. */
  ifname?: string;
  /** The cgroup path ss -e prints (INET_DIAG_CGROUP_ID); tapstack's sockets have none. */
  cgroup?: string;
  /** tcp_info, absent for TIME-WAIT and request socks. */
  tcpInfo: Record<string, unknown> | null;
}
