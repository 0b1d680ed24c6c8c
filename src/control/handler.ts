// The control channel's request handlers: each message type is a thin call into the Stack's
// library API (the role rtnetlink_rcv_msg's dispatch table plays for the kernel).
import { EINVAL, ENOENT, EOPNOTSUPP, StackError, strerror } from '../core/errno.js';
import type { AddrOptions, LinkChange, NeighRequest, NeighWriteMode, NtableChange, RouteRequest, Stack } from '../stack.js';
import { in6DevGet } from '../ipv6/if_inet6.js';
import { setDeviceFeatures } from '../core/ethtool_features.js';
import type { Sysctl } from './sysctl.js';
import { LiveCapture, LiveCaptureStats, PCAP_SNAPLEN } from '../core/pcap.js';
import { formatIPv4 } from '../ipv4/inet_addr.js';
import { formatIn6 } from '../ipv6/in6_addr.js';
import type { TcpAddr, TcpSockInfo } from '../tcp/tcp_sock.js';
import {
  CONTROL_VERSION,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  Reply,
  Request,
  type SockDiagMsg,
} from './protocol.js';

/** Where replies for one connection go; `closed` tells long-running work to stop. */
export interface ControlPeer {
  send(r: Reply): void;
  readonly closed: boolean;
  /** Cleanups run when the peer goes away (event subscriptions). */
  onClose(fn: () => void): void;
  /** Bytes sent but not yet taken by the client (socket peers); streams shed load above a limit. */
  readonly backlog?: number;
}

/** Unread output above which a capture drops frames (counted) rather than queue more. */
const CAPTURE_MAX_BACKLOG = 1024 * 1024;

type Body = Record<string, unknown>;

const str = (b: Body, k: string, required = false): string | undefined => {
  const v = b[k];
  if (v === undefined || v === null) {
    if (required) throw new StackError(EINVAL, `missing "${k}"`);
    return undefined;
  }
  if (typeof v !== 'string') throw new StackError(EINVAL, `"${k}" must be a string`);
  return v;
};
const num = (b: Body, k: string): number | undefined => {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StackError(EINVAL, `"${k}" must be a number`);
  return v;
};
const bool = (b: Body, k: string): boolean | undefined => {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new StackError(EINVAL, `"${k}" must be a boolean`);
  return v;
};

/** AF_INET / AF_INET6, as ndm_family and ndtm_family carry them. */
const AF_INET = 2;
const AF_INET6 = 10;

/**
 * ndm_family / ndtm_family of a request, as a number (what iproute2 sends) or as the names the
 * address and route messages take ('inet', 'inet6'): absent or 0 (AF_UNSPEC) is every table; a
 * family no table has (AF_PACKET, AF_MPLS, AF_BRIDGE) is 'none', an empty dump, as
 * neigh_dump_info and neightbl_dump_info skip every table whose family differs.
 */
function familyOf(b: Body): 'inet' | 'inet6' | 'none' | undefined {
  if (b.family === 'inet' || b.family === 'inet6') return b.family;
  if (typeof b.family === 'string') throw new StackError(EINVAL, '"family" must be a number, "inet" or "inet6"');
  const f = num(b, 'family');
  if (f === undefined || f === 0) return undefined;
  if (f === AF_INET) return 'inet';
  if (f === AF_INET6) return 'inet6';
  return 'none';
}

/**
 * ndisc_allow_add()'s extended ack, which nd_tbl's allowAdd hook does not set: neigh_add()
 * refuses an IPv6 entry on a device without IPv6 (no inet6_dev, or disable_ipv6) with a bare
 * EINVAL only there, after every check that carries a message of its own.
 */
function ndiscAllowAddText(s: Stack, r: NeighRequest, e: unknown): string | null {
  if (!(e instanceof StackError) || e.errno !== -EINVAL || e.message !== strerror(EINVAL)) return null;
  if (r.proxy || typeof r.dev !== 'string' || !r.dst.includes(':')) return null;
  const dev = s.net.devGetByName(r.dev);
  if (!dev) return null;
  const idev = in6DevGet(dev);
  return idev === null || idev.cnf.get('disable_ipv6') !== 0 ? 'IPv6 is disabled on this device' : null;
}

/** A body's "family": 'inet', 'inet6', or absent for both. */
function family(b: Body): 'inet' | 'inet6' | undefined {
  const f = str(b, 'family');
  if (f !== undefined && f !== 'inet' && f !== 'inet6') throw new StackError(EINVAL, '"family" must be "inet" or "inet6"');
  return f;
}

/** A TCP address as text; an IPv4 one shown by an IPv6 socket (v4-mapped) as ::ffff:a.b.c.d. */
function tcpAddrText(a: TcpAddr, mapped: boolean): string {
  if (a.family === 4) return mapped ? `::ffff:${formatIPv4(a.addr >>> 0)}` : formatIPv4(a.addr >>> 0);
  return formatIn6(a.addr);
}

/**
 * inet_sk_diag_fill(): one socket as a SOCK_DIAG_BY_FAMILY item; `ifname` names the device a
 * scoped (link-local) IPv6 socket is bound to (idiag_if).
 */
function sockDiagMsg(s: Stack, i: TcpSockInfo): SockDiagMsg {
  const mapped = i.family === 6;
  const scope = i.local.family === 6 ? i.local.scopeId : 0;
  const ifname = scope ? s.net.devGetByIndex(scope)?.name : undefined;
  return {
    ...i,
    local: tcpAddrText(i.local, mapped),
    remote: i.remote === null ? null : tcpAddrText(i.remote, mapped),
    tcpInfo: i.tcpInfo as unknown as Record<string, unknown> | null,
    ...(ifname !== undefined ? { ifname } : {}),
  };
}

/** RTM_NEWROUTE / RTM_DELROUTE bodies: the fields of {@link RouteRequest}, device by name. */
function routeRequest(b: Body): RouteRequest {
  return {
    dst: str(b, 'dst', true)!,
    family: family(b),
    via: str(b, 'via') ?? null,
    dev: str(b, 'dev') ?? null,
    metric: num(b, 'metric'),
    src: str(b, 'src') ?? null,
    proto: str(b, 'proto') as RouteRequest['proto'],
    type: str(b, 'type') as RouteRequest['type'],
    table: str(b, 'table') as RouteRequest['table'],
    mtu: num(b, 'mtu'),
    hoplimit: num(b, 'hoplimit'),
    pref: str(b, 'pref') as RouteRequest['pref'],
  };
}

function neighRequest(b: Body): NeighRequest {
  return {
    dst: str(b, 'dst', true)!,
    dev: str(b, 'dev') ?? null,
    lladdr: str(b, 'lladdr') ?? null,
    state: num(b, 'state'),
    router: bool(b, 'router'),
    proxy: bool(b, 'proxy'),
    externLearn: bool(b, 'externLearn'),
    managed: bool(b, 'managed'),
    use: bool(b, 'use'),
    protocol: num(b, 'protocol'),
  };
}

/**
 * Executes control requests (rtnetlink-style messages, see the README's "The control protocol")
 * against a Stack; what {@link ControlServer} serves and {@link LocalChannel} calls in process.
 * Nothing a client sends can throw out of it: every failure is an error reply.
 */
export class ControlHandler {
  /** The sysctl tree of the stack (TS_SYSCTL). */
  readonly sysctl: Sysctl;
  /** Counters of the layers around the stack (the control server's own), merged into TS_STAT. */
  readonly extraStats: Record<string, object> = {};
  private readonly pingCancels = new WeakMap<ControlPeer, { seq: number; cancel: () => void }[]>();
  /** Peers in the "neigh" group (both tables' events). */
  private readonly neighPeers = new WeakSet<ControlPeer>();

  /** A handler for requests on `stack`. */
  constructor(
    /** The stack the requests act on. */
    readonly stack: Stack,
  ) {
    this.sysctl = stack.sysctl;
  }

  /**
   * Handles one request. Errors of any kind become an NLMSG_ERROR-style reply; nothing a client
   * sends can throw out of here.
   */
  async handle(req: Request, peer: ControlPeer): Promise<void> {
    const reply = (r: Omit<Reply, 'v' | 'seq'>): void => peer.send({ v: CONTROL_VERSION, seq: req.seq, ...r });
    try {
      const out = await this.dispatch(req, peer, reply);
      if (out !== undefined) reply(out);
    } catch (e) {
      if (e instanceof StackError) reply({ error: e.errno, msg: e.message });
      else reply({ error: -EINVAL, msg: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async dispatch(req: Request, peer: ControlPeer, reply: (r: Omit<Reply, 'v' | 'seq'>) => void): Promise<Omit<Reply, 'v' | 'seq'> | undefined> {
    const s = this.stack;
    const b = req.body ?? {};
    const flags = req.flags ?? 0;
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    const ack = { error: 0 };
    switch (req.type) {
      case 'RTM_NEWNEIGH': {
        const mode: NeighWriteMode = {
          create: (flags & NLM_F_CREATE) !== 0,
          excl: (flags & NLM_F_EXCL) !== 0,
          replace: (flags & NLM_F_REPLACE) !== 0,
        };
        const r = neighRequest(b);
        try {
          s.neighWrite(r, mode);
        } catch (e) {
          const msg = ndiscAllowAddText(s, r, e);
          if (msg !== null) throw new StackError(EINVAL, msg);
          throw e;
        }
        return ack;
      }
      case 'RTM_DELNEIGH':
        s.neighDel({ dst: str(b, 'dst', true)!, dev: str(b, 'dev') ?? null, proxy: bool(b, 'proxy') });
        return ack;
      case 'RTM_GETNEIGH': {
        const proxy = bool(b, 'proxy') === true;
        if (dump) {
          // neigh_dump_info(): arp_tbl then nd_tbl, or the one table of "family".
          const dev = str(b, 'dev');
          if (dev !== undefined) s.device(dev);
          const family = familyOf(b);
          if (family === 'none') return { items: [] };
          return { items: proxy ? s.proxyNeighbours(dev, family) : s.neighbours(family).filter((n) => dev === undefined || n.dev === dev) };
        }
        return { body: s.neighGet(str(b, 'dst', true)!, str(b, 'dev', !proxy) ?? null, proxy) };
      }
      case 'RTM_GETNEIGHTBL': {
        // neightbl_dump_info(): arp_cache then ndisc_cache, or the one table of "family".
        const family = familyOf(b);
        if (family === 'none') return { items: [] };
        return { items: s.ntables(family) };
      }
      case 'RTM_SETNEIGHTBL': {
        // neightbl_set(): the table is looked up by family (when given) and name.
        const family = familyOf(b);
        const name = str(b, 'name');
        if (family !== undefined) {
          const fam = family === 'inet' ? AF_INET : family === 'inet6' ? AF_INET6 : -1;
          if (!s.ntables().some((t) => t.family === fam && (name === undefined || t.name === name))) throw new StackError(ENOENT, strerror(ENOENT));
        }
        const { family: _f, ...change } = b;
        s.ntableChange(change as NtableChange);
        return ack;
      }
      case 'ETHTOOL_MSG_FEATURES_GET':
        return { items: s.features(str(b, 'dev', true)!) };
      case 'ETHTOOL_MSG_FEATURES_SET': {
        // ethnl_set_features(): kernel feature names only (ethtool expands its legacy names itself).
        const dev = s.device(str(b, 'dev', true)!);
        const set = b.set;
        if (!Array.isArray(set) || !set.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'boolean'))
          throw new StackError(EINVAL, '"set" must be a list of [feature name, boolean]');
        // The driver's error rides in the body with the features as they stayed: ethtool shows both.
        return { body: setDeviceFeatures(dev, set as [string, boolean][]) };
      }
      case 'RTM_GETLINK':
        return { items: s.links() };
      case 'RTM_SETLINK': {
        const dev = str(b, 'dev', true)!;
        const c: LinkChange = { address: str(b, 'address'), arp: bool(b, 'arp'), up: bool(b, 'up'), mtu: num(b, 'mtu') };
        s.linkSet(dev, c);
        return ack;
      }
      case 'RTM_NEWADDR': {
        // `ip addr add` (NLM_F_CREATE|NLM_F_EXCL); change and replace are not implemented.
        if (flags & NLM_F_REPLACE) throw new StackError(EOPNOTSUPP, 'tapstack cannot change or replace an address');
        const o: AddrOptions = {
          nodad: bool(b, 'nodad'), noprefixroute: bool(b, 'noprefixroute'), validLft: num(b, 'validLft'),
          preferredLft: num(b, 'preferredLft'), broadcast: str(b, 'broadcast'), label: str(b, 'label'),
        };
        s.addAddress(str(b, 'dev', true)!, str(b, 'addr', true)!, o);
        return ack;
      }
      case 'RTM_DELADDR':
        s.delAddress(str(b, 'dev', true)!, str(b, 'addr', true)!, { anyPrefixLen: bool(b, 'anyPrefixLen') });
        return ack;
      case 'RTM_GETADDR': {
        // A dump of AddrSnapshots, of one family and/or device when the body says so.
        const dev = str(b, 'dev');
        if (dev !== undefined) s.device(dev);
        return { items: s.addresses(family(b)).filter((a) => dev === undefined || a.dev === dev) };
      }
      case 'RTM_NEWROUTE':
        if (flags & NLM_F_REPLACE) throw new StackError(EOPNOTSUPP, 'tapstack cannot change, append or replace a route');
        return { error: 0, body: s.addRoute(routeRequest(b)) };
      case 'RTM_DELROUTE':
        s.delRoute(routeRequest(b));
        return ack;
      case 'RTM_GETROUTE': {
        if (dump) return { items: s.routes(family(b)) };
        const uid = num(b, 'uid');
        if (uid !== undefined && (!Number.isInteger(uid) || uid < 0 || uid > 0xffffffff)) throw new StackError(EINVAL, '"uid" must be a u32');
        return { body: s.routeGet(str(b, 'dst', true)!, { from: str(b, 'from'), oif: str(b, 'oif'), fibmatch: bool(b, 'fibmatch'), uid }) };
      }
      case 'TS_SYSCTL': {
        if (dump) {
          const pattern = str(b, 'pattern');
          return { items: this.sysctl.list(pattern, { deprecated: bool(b, 'deprecated') === true }) };
        }
        const key = str(b, 'key', true)!;
        const value = b.value;
        if (value === undefined) return { body: { key, value: this.sysctl.get(key) } };
        if (typeof value !== 'string' && typeof value !== 'number') throw new StackError(EINVAL, '"value" must be a string');
        return { body: { key, value: this.sysctl.set(key, String(value)) } };
      }
      case 'TS_SUBSCRIBE': {
        const groups = b.groups;
        if (!Array.isArray(groups) || groups.some((g) => g !== 'neigh')) {
          throw new StackError(EOPNOTSUPP, 'only the "neigh" group exists');
        }
        // No groups: only the events of requests such as TS_CAPTURE.
        if (!groups.includes('neigh')) return ack;
        // Joining a group again is a no-op (as NETLINK_ADD_MEMBERSHIP): one copy of each event.
        if (this.neighPeers.has(peer)) return ack;
        this.neighPeers.add(peer);
        const listener = (ev: { type: string; neigh: unknown }): void => {
          if (!peer.closed) peer.send({ v: CONTROL_VERSION, seq: 0, event: ev.type, body: ev.neigh });
        };
        s.on('neigh', listener);
        peer.onClose(() => {
          s.off('neigh', listener);
          this.neighPeers.delete(peer);
        });
        return ack;
      }
      case 'TS_PING': {
        const dst = str(b, 'dst', true)!;
        // The client going away is its Ctrl-C: stop and summarise, as iputils does.
        const abort = new AbortController();
        peer.onClose(() => abort.abort());
        // iputils -w: without a count, requests go on until the deadline.
        const deadline = num(b, 'deadline');
        if (deadline !== undefined && (deadline < 0 || deadline > 2147483647)) throw new StackError(EINVAL, 'ping: invalid deadline');
        const count = num(b, 'count') ?? (deadline ? undefined : 4);
        if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1_000_000)) throw new StackError(EINVAL, 'ping: invalid count');
        // iputils' own bounds: a request outside them is refused before anything is allocated.
        // The most an echo request can carry: 65535 less the IPv4 and ICMP headers, or less the
        // ICMPv6 header in an IPv6 payload (iputils checks IPv4 only; ping -6 leaves it to the kernel).
        const size = num(b, 'size');
        const maxSize = dst.includes(':') ? 65527 : 65507;
        if (size !== undefined && (!Number.isInteger(size) || size < 0 || size > maxSize)) throw new StackError(EINVAL, 'ping: invalid packet size');
        // IPV6_UNICAST_HOPS takes 0 where IP_TTL does not.
        const ttl = num(b, 'ttl');
        if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < (dst.includes(':') ? 0 : 1) || ttl > 255)) throw new StackError(EINVAL, 'ping: invalid ttl');
        // Any interval iputils takes from root (only administrators may send TS_PING); a client
        // speaking for another user sends iputils' 2 ms floor as "minInterval".
        const interval = num(b, 'interval');
        if (interval !== undefined && (interval < 0 || interval > 2147483)) throw new StackError(EINVAL, 'ping: invalid interval');
        const minInterval = num(b, 'minInterval');
        const timeout = num(b, 'timeout');
        if (timeout !== undefined && (timeout < 0 || timeout > 2147483)) throw new StackError(EINVAL, 'ping: invalid timeout');
        const cancel = (): void => abort.abort();
        this.pingCancels.set(peer, [...(this.pingCancels.get(peer) ?? []), { seq: req.seq, cancel }]);
        // A refusal (bind, "cannot flood") rejects: the entry goes either way.
        const result = await s.ping(dst, {
          source: str(b, 'source'),
          count,
          interval,
          size,
          ttl,
          timeout,
          deadline,
          minInterval,
          signal: abort.signal,
          onLine: (line) => {
            if (!peer.closed) reply({ line });
          },
        }).finally(() => {
          this.pingCancels.set(peer, (this.pingCancels.get(peer) ?? []).filter((c) => c.seq !== req.seq));
        });
        return { done: true, body: result };
      }
      case 'TS_CAPTURE': {
        // Every frame in and out (of one device with "dev") as a 'frame' event to this peer only,
        // until TS_CANCEL, "count" frames, or the peer going away. The frames wait in a bounded
        // queue and are shed (counted) when the client does not keep up.
        const devName = str(b, 'dev');
        const dev = devName === undefined ? undefined : s.device(devName);
        const encoding = str(b, 'encoding') ?? 'base64';
        if (encoding !== 'base64' && encoding !== 'hex') throw new StackError(EINVAL, 'capture: encoding must be "base64" or "hex"');
        const count = num(b, 'count');
        if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new StackError(EINVAL, 'capture: invalid count');
        if (peer.closed) return undefined;
        const result = await new Promise<LiveCaptureStats>((resolve) => {
          const cap: LiveCapture = new LiveCapture(s.net, {
            dev,
            count,
            deliver: (f) => {
              if (peer.closed) {
                cap.stop();
                resolve(cap.stats);
                return false;
              }
              if ((peer.backlog ?? 0) > CAPTURE_MAX_BACKLOG) return false;
              const body = { dev: f.dev, dir: f.dir, t: f.tsUsec, [encoding]: f.data.toString(encoding) };
              peer.send({ v: CONTROL_VERSION, seq: 0, event: 'frame', body });
              return true;
            },
            onDone: () => resolve(cap.stats),
          });
          const end = (): void => {
            cap.finish();
            resolve(cap.stats);
          };
          peer.onClose(() => {
            cap.stop();
            resolve(cap.stats);
          });
          this.pingCancels.set(peer, [...(this.pingCancels.get(peer) ?? []), { seq: req.seq, cancel: end }]);
          reply({ line: `listening on ${dev?.name ?? 'all devices'}, link-type EN10MB (Ethernet), snapshot length ${PCAP_SNAPLEN} bytes` });
        });
        this.pingCancels.set(peer, (this.pingCancels.get(peer) ?? []).filter((c) => c.seq !== req.seq));
        return { done: true, body: result };
      }
      case 'TS_CANCEL': {
        // Ends a running TS_PING or TS_CAPTURE of this connection early (its summary still arrives).
        const seq = num(b, 'seq');
        for (const c of this.pingCancels.get(peer) ?? []) if (c.seq === seq) c.cancel();
        return ack;
      }
      case 'TS_STAT':
        return { body: { ...s.stats(), ...this.extraStats } };
      case 'SOCK_DIAG_BY_FAMILY': {
        // inet_diag_dump(): TCP sockets of sdiag_family (AF_INET, AF_INET6, or both when absent)
        // whose state is in the idiag_states bit mask (1 << TCP_*; absent: all).
        const family = familyOf(b);
        if (family === 'none') return { items: [] };
        const protocol = num(b, 'protocol');
        if (protocol !== undefined && protocol !== 6) throw new StackError(EOPNOTSUPP, 'only TCP (protocol 6) sockets can be dumped');
        const states = num(b, 'states') ?? 0xffffffff;
        const fam = family === undefined ? undefined : family === 'inet' ? 4 : 6;
        const items = s.tcp.sockets().filter((i) => (fam === undefined || i.family === fam) && ((states >>> i.state) & 1) === 1);
        return { items: items.map((i) => sockDiagMsg(s, i)) };
      }
      default:
        throw new StackError(EOPNOTSUPP, `${String(req.type)}: ${strerror(EOPNOTSUPP)}`);
    }
  }
}
