// The Stack: one namespace's devices, clock, IPv4 family and neighbour table behind one object —
// the library API that the CLI and the control channel are thin layers on.
import { type DeviceFeature, type FeatureSetResult, deviceFeatures, expandFeatureName, setDeviceFeatures } from './core/ethtool_features.js';
import { Clock, RealClock } from './core/clock.js';
import { EACCES, EEXIST, EINVAL, ENETUNREACH, ENODEV, ENOENT, EOPNOTSUPP, ESRCH, StackError, strerror } from './core/errno.js';
import { Net } from './core/net.js';
import { IFF_NOARP, IFF_UP, NetDevice } from './core/netdevice.js';
import { Inet } from './ipv4/af_inet.js';
import { Inet6 } from './ipv6/af_inet6.js';
import type { Ip6Stats, MldStats } from './ipv6/af_inet6.js';
import type { Icmp6Stats } from './ipv6/icmp.js';
import type { NdiscStats } from './ipv6/ndisc.js';
import { IPV6_ADDR_ANY, IPV6_ADDR_LOOPBACK, IPV6_ADDR_MULTICAST, formatIn6, ipv6AddrEqual, ipv6AddrType, parseIn6, parseIn6Prefix } from './ipv6/in6_addr.js';
import { IFA_F_NODAD, IFA_F_NOPREFIXROUTE, INFINITY_LIFE_TIME, in6DevGet } from './ipv6/if_inet6.js';
import { addrSnapshot6 } from './ipv6/addr_info.js';
import type { AddrSnapshot } from './core/addr_info.js';
import type { RoutePref, RouteSnapshot, RouteTableName, RouteTypeName } from './core/route_info.js';
import { addrSnapshot4, inetIfaOrder } from './ipv4/addr_info.js';
import { fibDumpOrder, fibRouteGet, fibRouteSnapshot } from './ipv4/route_info.js';
import { type InIfaddr, RT_SCOPE_LINK, inDevGet, makeIfa } from './ipv4/devinet.js';
import { RT6_LOOKUP_F_HAS_SADDR, RTN_ANYCAST, RTN_BLACKHOLE, RTN_LOCAL as RTN6_LOCAL, RTN_PROHIBIT, RTN_UNICAST as RTN6_UNICAST, RTN_UNREACHABLE, type Rt6Proto, rt6RejectErrno } from './ipv6/route.js';
import { routeGetSnapshot6, routeSnapshot6 } from './ipv6/route_info.js';
import type { NeighTable } from './neighbour/table.js';
import { formatIPv4, parseIPv4, parsePrefix } from './ipv4/inet_addr.js';
import { ping, ping6, PingOptions, PingResult } from './socket/ping.js';
import { type FibRoute, RTN_LOCAL, RTN_UNICAST } from './ipv4/fib.js';
import { ACD_RFC5227, Acd, AcdResult, AcdStats, AcdTiming } from './ipv4/acd.js';
import type { NeighSnapshot, PneighSnapshot } from './neighbour/table.js';
import { NTF_EXT_LEARNED, NTF_MANAGED, NTF_PROXY, NTF_ROUTER, NTF_USE, NUD_FILTER_FLUSH_DEFAULT, NUD_PERMANENT, NUD_VALID, nudFilterMatches, nudStateFromName } from './neighbour/nud.js';
import { Sysctl } from './control/sysctl.js';
import { NeighParms, NeighParmName, setUnresQlen } from './neighbour/parms.js';
import { ntableView, NtableView } from './neighbour/tbl_info.js';
import { formatMac, parseMac } from './ethernet/mac.js';
import { EADDRNOTAVAIL, EBADF, EMSGSIZE, ENETDOWN, ENOBUFS } from './core/errno.js';
import { ETH_HLEN } from './ethernet/ethhdr.js';
import { allocSkb } from './core/skbuff.js';
import type { ArpStats } from './ipv4/arp.js';
import type { IpStats } from './ipv4/af_inet.js';
import type { IcmpStats } from './ipv4/icmp.js';
import type { UdpStats } from './ipv4/udp.js';
import type { CoreStats } from './core/net.js';
import type { DeviceStats, TunLinkInfo } from './core/netdevice.js';
import { GRO_MAX_SIZE } from './core/gro.js';
import type { NeighStatistics } from './neighbour/table.js';
import type { TapStats } from './drivers/tap.js';
import type { PairStats } from './drivers/pair.js';
import { NETDEV_CHANGE, NETDEV_CHANGEADDR, NETDEV_CHANGEMTU, NETDEV_DOWN, NETDEV_REGISTER, NETDEV_UNREGISTER, NETDEV_UP } from './core/net.js';
import type { NetdevChangeInfo } from './core/net.js';
import { EventIterator } from './core/event_iter.js';
import { TypedEventEmitter } from './core/typed_emitter.js';
import { FrameObserver, observeFrames } from './core/pcap.js';
import { RawIpHandle, RawIpListener, RawIpOptions } from './ipv4/raw.js';
import { RawIp6Handle, type RawIp6Listener, type RawIp6Options } from './ipv6/raw.js';
import { UdpRemoteInfo, UdpSocket, UdpSocketOptions } from './socket/dgram.js';
import { udpv6 } from './ipv6/udp.js';
import { Tcp } from './tcp/tcp.js';
import { registerTcpSysctl } from './tcp/sysctl.js';
// The congestion modules built in (CONFIG_TCP_CONG_*): Reno always, CUBIC the default.
import './tcp/tcp_cubic.js';
import type { TcpExtStats, TcpStats } from './tcp/tcp_stats.js';
import { type TcpConnectOptions, TcpServer, type TcpServerOptions, TcpSocket } from './socket/net.js';

/** Options of `new Stack(opts)`. */
export interface StackOptions {
  /** Time source; a RealClock by default. Tests pass a ManualClock. */
  clock?: Clock;
  /** Randomness for reachable_time, hash seeds and proxy delays (tests make it deterministic). */
  random?: () => number;
  /**
   * false: devices start with IPv6 disabled (`net.ipv6.conf.{all,default}.disable_ipv6=1`, as
   * a host configured without IPv6): no link-local, no DAD, no MLD or RS on the wire. Default
   * true, as Linux.
   */
  ipv6?: boolean;
}

/**
 * A neighbour table notification, as rtnetlink sends them to `ip monitor neigh`: `newneigh` for
 * a created or changed entry, `delneigh` for a removed one, `miss` when resolution asks the
 * application (app_probes). Emitted as the Stack's `'neigh'` event and by {@link Stack.events}.
 */
export interface NeighEvent {
  /** What happened to the entry. */
  type: 'newneigh' | 'delneigh' | 'miss';
  /** The entry after the change (for `delneigh`, as it was removed). */
  neigh: NeighSnapshot;
}

/** One `ip neigh add|change|replace|del` request, in the terms iproute2 uses. */
export interface NeighRequest {
  /** The neighbour's address, dotted quad. */
  dst: string;
  /** The device (or its name); required except for a proxy entry that applies to every device. */
  dev?: NetDevice | string | null;
  /** The link-layer address, `xx:xx:xx:xx:xx:xx`. */
  lladdr?: string | null;
  /** NUD_* bits or an `ip neigh` nud keyword (`'stale'`, `'noarp'`, ...); `ip neigh add` defaults to NUD_PERMANENT. */
  state?: number | string;
  /** NTF_ROUTER (`router`). */
  router?: boolean;
  /** A proxy entry (`proxy`): the stack answers ARP for `dst`. */
  proxy?: boolean;
  /** NTF_EXT_LEARNED (`extern_learn`): learnt by something else; the stack never ages it out. */
  externLearn?: boolean;
  /** NTF_MANAGED (`managed`): kept resolved by periodic probes. */
  managed?: boolean;
  /** NTF_USE: as if traffic used the entry (starts resolution). */
  use?: boolean;
  /** NDA_PROTOCOL (`protocol`), stored and shown. */
  protocol?: number;
}

/** NLM_F_CREATE / NLM_F_EXCL / NLM_F_REPLACE, as `ip neigh add` (create+excl), `change` (replace), `replace` (create+replace). */
export interface NeighWriteMode {
  /** NLM_F_CREATE: create it if missing. */
  create?: boolean;
  /** NLM_F_EXCL: fail with EEXIST if it exists. */
  excl?: boolean;
  /** NLM_F_REPLACE: overwrite an existing entry. */
  replace?: boolean;
}

/** `ip ntable change` (RTM_SETNEIGHTBL): thresholds for the table, parms (ms) for the default or a device. */
export interface NtableChange {
  /** The table's name; only `arp_cache` exists. */
  name?: string;
  /** The device (or its name) whose parms change; absent or null: the table's defaults. */
  dev?: NetDevice | string | null;
  /** gc_thresh1: no GC below this many entries. */
  thresh1?: number;
  /** gc_thresh2: soft limit (forced GC if the last flush is over 5 s old). */
  thresh2?: number;
  /** gc_thresh3: hard limit. */
  thresh3?: number;
  /** gc_interval in milliseconds. */
  gcIntervalMs?: number;
  /** NeighParms names in milliseconds/counts; `queueLen` is the packet form of queueLenBytes. */
  parms?: Partial<Record<NeighParmName | 'queueLen', number>>;
}

/** A device as `ip link show` and `ip addr` see it. */
export interface LinkInfo {
  /** Interface index, from 1 in registration order. */
  ifindex: number;
  /** Interface name. */
  name: string;
  /** The stack's own MAC on the link. */
  address: string;
  /** MTU in bytes. */
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** `arp off` (IFF_NOARP). */
  noarp: boolean;
  /** Carrier present (for a TAP: the kernel side is up). */
  carrier: boolean;
  /** IPv4 addresses as `A.B.C.D/N`, primary first. */
  addrs: string[];
  /** IPv6 addresses as `ADDR/N`, in `ip -6 addr` order (global before link-local, newest first). */
  addrs6: string[];
  /** What `ip -d link` shows beyond the link line. */
  details: LinkDetails;
  /** The counters `ip -s link` shows, with carrier changes (`ip -s -s link`'s transns). */
  stats: DeviceStats & { carrierChanges: number };
}

/** `ip -d link`'s details of a link, named after iproute2's JSON keys. */
export interface LinkDetails {
  /** Always 0: tapstack has no promiscuous or all-multicast mode. */
  promiscuity: number;
  allmulti: number;
  /** The MTUs `ip link set mtu` accepts. */
  minMtu: number;
  maxMtu: number;
  /** The TAP's attributes (`tun type tap pi off vnet_hdr on persist off`); null for other links. */
  tun: TunLinkInfo | null;
  /** IPv6's addr_gen_mode by iproute2's name (`eui64`, `none`, `stable_secret`, `random`); null without IPv6 on the link. */
  addrGenMode: string | null;
  /** One queue each way. */
  numTxQueues: number;
  numRxQueues: number;
  /** The largest super-packet handed to the device (gso_max_size) and in segments. */
  gsoMaxSize: number;
  gsoMaxSegs: number;
  /** The largest super-packet the device can segment (tso_max_size), and in segments. */
  tsoMaxSize: number;
  tsoMaxSegs: number;
  /** The largest super-packet received (gro_max_size). */
  groMaxSize: number;
}

/** GSO_MAX_SEGS (include/linux/netdevice.h), the same for every tapstack link. */
const GSO_MAX_SEGS = 65535;

/** iproute2's addr_gen_modes[] names, by IN6_ADDR_GEN_MODE_*. */
const ADDR_GEN_MODES = ['eui64', 'none', 'stable_secret', 'random'];

/** `ip link set` settings for {@link Stack.linkSet}; absent fields stay as they are. */
export interface LinkChange {
  /** The stack's own MAC on the link, `xx:xx:xx:xx:xx:xx` (unicast). */
  address?: string;
  /** false: `arp off` (IFF_NOARP). */
  arp?: boolean;
  /** Administrative state. */
  up?: boolean;
  /** Link MTU in bytes, within the device's limits. */
  mtu?: number;
}

/**
 * What a `'link'` event reports, from the netdev notifier: a device `register`ed or
 * `unregister`ed, brought `up` or `down`, its `carrier` lost or regained, its own MAC
 * (`address`, NETDEV_CHANGEADDR) or `mtu` changed, or `flags` (`arp on|off`) toggled.
 */
export type LinkEventChange = 'register' | 'unregister' | 'up' | 'down' | 'carrier' | 'address' | 'mtu' | 'flags';

/** A device event: emitted as the Stack's `'link'` event and by {@link Stack.events}. */
export interface LinkEvent {
  /** Always `'link'`. */
  type: 'link';
  /** What changed. */
  change: LinkEventChange;
  /** The device after the change (`up`, `carrier`, `address`, `mtu` show the new values). */
  link: LinkInfo;
}

/** An address notification (RTM_NEWADDR / RTM_DELADDR), the Stack's `'addr'` event. */
export interface AddrEvent {
  /** `newaddr` for a new or changed address (DAD done or failed, deprecated), `deladdr` for a removed one. */
  type: 'newaddr' | 'deladdr';
  /** The address after the change (for `deladdr`, as it was removed). */
  addr: AddrSnapshot;
}

/**
 * `ip addr add` options: for IPv6 the IFA_F_* flags and lifetimes in seconds (absent: forever);
 * for IPv4 the broadcast address and label (tapstack's IPv4 addresses are permanent, without flags).
 */
export interface AddrOptions {
  /** IPv6 `nodad`: valid at once, no duplicate address detection. */
  nodad?: boolean;
  /** IPv6 `noprefixroute`: no route for the prefix. */
  noprefixroute?: boolean;
  /** IPv6 `valid_lft` in seconds. */
  validLft?: number;
  /** IPv6 `preferred_lft` in seconds (at most validLft; default validLft). */
  preferredLft?: number;
  /**
   * IPv4 `brd`: `'+'` (the subnet's directed broadcast, none for a /31 or /32, as iproute2
   * computes it) or that address written out. Without it the address has no IFA_BROADCAST and
   * `ip addr` prints no `brd` — as on Linux, the subnet's broadcast route exists either way.
   */
  broadcast?: string;
  /** IPv4 `label`: only the device's own name (tapstack keeps no other labels). */
  label?: string;
}

/** Options of {@link Stack.delAddress}. */
export interface DelAddrOptions {
  /**
   * IPv4: match the local address whatever its prefix length, as the kernel does for a request
   * without IFA_ADDRESS (`ip addr del A.B.C.D dev DEV` with no /N: iproute2's "wildcard deletion").
   */
  anyPrefixLen?: boolean;
}

/** `ip route add|del` (RTM_NEWROUTE / RTM_DELROUTE) for either family, in iproute2's terms. */
export interface RouteRequest {
  /** `default`, `PREFIX/N`, or a bare address (a host route: /32, /128). */
  dst: string;
  /** The family; by default that of `dst` (or of `via` for `default`), IPv4 when neither says. */
  family?: 'inet' | 'inet6';
  /** RTA_GATEWAY (`via`); null or absent: an on-link route. */
  via?: string | null;
  /**
   * RTA_OIF (`dev`). `add` needs it unless a connected route reaches `via` (or `via` is
   * link-local, IPv6); `del` only deletes a route through it when given.
   */
  dev?: NetDevice | string | null;
  /** RTA_PRIORITY (`metric`). add: absent is 0 for IPv4, 1024 for IPv6; del: absent matches any. */
  metric?: number;
  /** RTA_PREFSRC (`src`): one of the stack's addresses. */
  src?: string | null;
  /** rtm_protocol (`proto`). add: default `'boot'`, what iproute2 sends; del: absent matches any. */
  proto?: 'boot' | 'static' | 'kernel' | 'ra';
  /**
   * rtm_type (default unicast). IPv6 also takes local, anycast, unreachable, blackhole and
   * prohibit; tapstack's IPv4 table holds unicast routes only.
   */
  type?: RouteTypeName;
  /** The table: main by default (IPv6 local and anycast routes: local). IPv4 routes go to main only. */
  table?: RouteTableName;
  /** IPv6 only: RTAX_MTU (`mtu`), the path MTU of the route. */
  mtu?: number;
  /** IPv6 only: RTAX_HOPLIMIT (`hoplimit`), the hop limit of packets sent by the route. */
  hoplimit?: number;
  /** IPv6 only: RTA_PREF (`pref`), the router preference; default medium. */
  pref?: RoutePref;
}

/** Options of {@link Stack.routeGet} (`ip route get ADDR [from A] [oif DEV] [fibmatch] [uid N]`). */
export interface RouteGetOptions {
  /** `from`: the source. For IPv4 it must be one of the stack's addresses. */
  from?: string;
  /** `oif`: the output device. */
  oif?: NetDevice | string;
  /** `fibmatch`: the table route that matched, as `ip route show` prints it, rather than the route a packet takes. */
  fibmatch?: boolean;
  /** RTA_UID of an IPv4 answer (`uid N`); default the calling process's uid. */
  uid?: number;
}

/** Every event {@link Stack.events} yields. */
export type StackEvent = NeighEvent | LinkEvent | AddrEvent;

/** The `type` of a {@link StackEvent}: `'newneigh' | 'delneigh' | 'miss' | 'link' | 'newaddr' | 'deladdr'`. */
export type StackEventType = StackEvent['type'];

/** Options of {@link Stack.events}. */
export interface StackEventsOptions {
  /** Ends the iteration when aborted (events still buffered are discarded). */
  signal?: AbortSignal;
  /** Most events buffered while the consumer is not reading; the oldest are dropped (counted in `dropped`) beyond. Default: unbounded. */
  maxBuffered?: number;
}

/** The iterator {@link Stack.events} returns. */
export interface StackEventIterator extends AsyncIterableIterator<StackEvent> {
  /** Events dropped because more than `maxBuffered` were waiting. */
  readonly dropped: number;
}

const errnoError = (rc: number, what?: string): StackError => new StackError(-rc, what ?? strerror(-rc));

/**
 * What {@link Stack.stats} returns: each layer's live counter object by name, as `tapstack stat`
 * prints them (the README's Counters section says what each counts).
 */
export interface StackStats {
  /** The ARP table's `ip -s ntable` statistics plus `entries`. */
  neigh: NeighStatistics & { entries: number };
  /** ARP packets in and out, and every ARP drop by reason. */
  arp: ArpStats;
  /** RFC 5227 address conflict detection. */
  acd: AcdStats;
  /** The IPv4 layer, with `/proc/net/snmp` Ip names, and drops by reason. */
  ip: IpStats;
  /** ICMP, with `/proc/net/snmp` Icmp names. */
  icmp: IcmpStats;
  /** UDP, with `/proc/net/snmp` Udp names. */
  udp: UdpStats;
  /** UDP over IPv6, with `/proc/net/snmp6` Udp6 names (IPv4 datagrams of 'udp6' sockets count in `udp`). */
  udp6: UdpStats;
  /** TCP of both families, with `/proc/net/snmp` Tcp names (currEstab filled in). */
  tcp: TcpStats;
  /** The TCP part of `/proc/net/netstat` TcpExt, camelCase (`tcpSackRecovery`, `syncookiesSent`, ...). */
  tcpExt: TcpExtStats;
  /** nd_tbl's (`ndisc_cache`) `ip -s ntable` statistics plus `entries`. */
  nd: NeighStatistics & { entries: number };
  /** NDISC messages in and out, and every ND drop by reason. */
  ndisc: NdiscStats;
  /** The IPv6 layer, with `/proc/net/snmp6` Ip6 names, and drops by reason. */
  ip6: Ip6Stats;
  /** ICMPv6, with `/proc/net/snmp6` Icmp6 names (InType/OutType by type). */
  icmp6: Icmp6Stats;
  /** MLD: reports sent, others' queries and reports ignored. */
  mld: MldStats;
  /** Frames the device core could not hand on (no handler, device down, driver refused). */
  core: CoreStats;
  /** Per device: `ip -s link` counters and the driver's own (TAP or pair). */
  devices: { name: string; stats: DeviceStats; driver: Partial<TapStats & PairStats> }[];
}

/** A driver's own counters (TapDevice.tapStats, PairDevice.pairStats), when it has any. */
function driverStats(d: object): Partial<TapStats & PairStats> {
  const o = d as { tapStats?: TapStats; pairStats?: PairStats };
  return o.tapStats ?? o.pairStats ?? {};
}

/** The events of a {@link Stack} and their listener arguments. */
export interface StackEventMap {
  /** A neighbour notification: what `ip monitor neigh` gets. */
  neigh: [ev: NeighEvent];
  /** A device event from the netdev notifier. */
  link: [ev: LinkEvent];
  /** An IPv6 address was added, changed state (DAD done, deprecated, dadfailed) or removed: `ip monitor addr`. */
  addr: [ev: AddrEvent];
  /** A line the kernel would log (`dmesg`): DAD conflicts, NAs for our own addresses. */
  log: [line: string];
  /** {@link Stack.close} has finished. */
  close: [];
}

/**
 * One network namespace: its devices, clock, IPv4 family and neighbour table behind one object.
 * Methods that change the stack throw a {@link StackError} whose `errno` is the kernel's
 * (`EINVAL`, `ENOENT`, `EEXIST`, `ENODEV`, ...) and whose message is what iproute2 would print.
 *
 * Events (EventEmitter): `'neigh'` ({@link NeighEvent}), `'link'` ({@link LinkEvent}), and
 * `'close'` once {@link Stack.close} has finished; {@link Stack.events} offers the first two as
 * an async iterator.
 */
export class Stack extends TypedEventEmitter<StackEventMap> {
  private sysctlTree: Sysctl | null = null;
  /** The stack's time source; every timer of the stack runs on it. */
  readonly clock: Clock;
  /** The device registry, netdev notifier chain and receive/transmit core (`struct net`). */
  readonly net: Net;
  /** The IPv4 family: addresses, routes, ARP (`inet.arp.tbl` is the neighbour table), ICMP. */
  readonly inet: Inet;
  /** The IPv6 family: addresses, routes, NDISC (`inet6.ndisc.tbl` is nd_tbl), ICMPv6. */
  readonly inet6: Inet6;
  /** TCP of both families (the engine under {@link Stack.createServer} and {@link Stack.connect}). */
  readonly tcp: Tcp;
  private closed = false;
  /** Work close() does before releasing the devices (control servers, raw handles, frame observers). */
  private readonly closeHooks = new Set<() => unknown>();
  /** Pings in flight: close() aborts them so that their promises settle. */
  private readonly pingAborts = new Set<AbortController>();
  /** IFA_BROADCAST of the IPv4 addresses added with `brd` (display only: see AddrOptions.broadcast). */
  private readonly ifaBroadcast = new WeakMap<InIfaddr, number>();
  /** Only a clock the stack created is stopped on close; a caller's may drive other stacks. */
  private readonly ownsClock: boolean;
  /** Set while someone listens for 'neigh': the table builds event snapshots only then. */
  private unsubscribe: (() => void) | null = null;
  private unsubscribe6: (() => void) | null = null;

  /**
   * An empty stack: no devices, the neighbour table's timers started on `opts.clock` (a RealClock
   * of its own by default, which close() stops). Add links with {@link Stack.addDevice}.
   */
  constructor(opts: StackOptions = {}) {
    super();
    this.ownsClock = opts.clock === undefined;
    this.clock = opts.clock ?? new RealClock();
    this.net = new Net(this.clock);
    this.inet = new Inet(this.net, { random: opts.random });
    this.inet6 = new Inet6(this.net, { random: opts.random, disabled: opts.ipv6 === false });
    // IPPROTO_UDP over IPv6, on the port table IPv4's UDP made (udp_table is one per namespace).
    udpv6(this.inet6);
    // TCP for both families, with its net.ipv4.tcp_* keys.
    this.tcp = new Tcp(this.inet, this.inet6, { random: opts.random });
    // One net.ipv4.ip_local_port_range for TCP and UDP (inet_get_local_port_range), the same array.
    this.tcp.conf.ipLocalPortRange = this.inet.udp.portRange;
    this.tcp.onLog = (line) => this.emit('log', line);
    registerTcpSysctl(this.net.sysctl, this.tcp.conf);
    this.inet6.subscribe({
      addr: (type, ifa) => {
        if (this.listenerCount('addr') > 0) this.emit('addr', { type, addr: addrSnapshot6(ifa, this.inet6.addrconf.remaining(ifa)) });
      },
      log: (line) => this.emit('log', line),
    });
    this.on('newListener', (ev: string | symbol) => {
      if (ev === 'neigh' && this.unsubscribe === null) {
        this.unsubscribe = this.inet.arp.tbl.subscribe((e) => this.emit('neigh', e as NeighEvent));
        this.unsubscribe6 = this.inet6.ndisc.tbl.subscribe((e) => this.emit('neigh', e as NeighEvent));
      }
    });
    this.on('removeListener', (ev: string | symbol) => {
      if (ev === 'neigh' && this.listenerCount('neigh') === 0 && this.unsubscribe !== null) {
        this.unsubscribe?.();
        this.unsubscribe6?.();
        this.unsubscribe = null;
        this.unsubscribe6 = null;
      }
    });
    // Registered after Inet's handler: a 'link' event follows the neighbour flush it causes.
    this.net.netdevChain.register((ev, dev, info) => this.linkEvent(ev, dev, info));
  }

  /**
   * Registers a device (a {@link TapDevice}, a {@link PairDevice}, or another {@link NetDevice})
   * and brings it up unless `up: false`; returns it. From then on the stack owns it: close()
   * destroys it.
   *
   * @throws StackError `EBUSY` when the device is already registered (here or in another stack); `EEXIST` when the stack has a device of that name.
   */
  addDevice<D extends NetDevice>(dev: D, opts: { up?: boolean } = {}): D {
    this.net.registerNetdevice(dev);
    if (opts.up !== false) this.net.devOpen(dev);
    return dev;
  }

  /**
   * The registered device called `name`.
   *
   * @throws StackError `ENODEV` (`Cannot find device "NAME"`).
   */
  device(name: string): NetDevice {
    const d = this.net.devGetByName(name);
    if (!d) throw new StackError(ENODEV, `Cannot find device "${name}"`);
    return d;
  }

  /**
   * `ip addr add A/N dev DEV [options]`. IPv4 (a dotted quad): the address with its local,
   * broadcast and subnet routes, at once (no duplicate address detection; see
   * {@link Stack.claimAddress}); a bare address is a /32. IPv6 (an address with `:`): tentative
   * until duplicate address detection is done (unless `nodad`), with its prefix route (unless
   * `noprefixroute`); a bare address is a /128. Messages are the kernel's extended acks, as
   * iproute2 prints them after `Error: `.
   *
   * @throws StackError `EEXIST` when the device has the address already (`ipv4: Address already assigned`, `ipv6: address already assigned`); `EACCES` when IPv6 is disabled on the device; `EADDRNOTAVAIL` for `::`, `::1` or a multicast IPv6 address; `EINVAL` for a malformed `A/N`, an IPv4 address that cannot be a host's (multicast, broadcast, 0.0.0.0/8), a zero valid or a larger preferred lifetime; `EOPNOTSUPP` for IPv6-only options on an IPv4 address, another label or broadcast; `ENODEV` for an unknown device.
   */
  addAddress(dev: NetDevice | string, cidr: string, opts: AddrOptions = {}): void {
    const d = this.ownDevice(dev);
    if (cidr.includes(':')) {
      const p6 = parseIn6Prefix(cidr, 128); // a bare IPv6 address is a /128, as `ip -6 addr add`
      if (!p6) throw new StackError(EINVAL, `invalid address "${cidr}": expected ADDR/N`);
      if (opts.broadcast !== undefined) throw new StackError(EINVAL, 'Broadcast can be set only for IPv4 addresses');
      if (opts.label !== undefined) throw new StackError(EOPNOTSUPP, 'IPv6 addresses have no label');
      const lft = (v: number | undefined): number | undefined => {
        if (v === undefined) return undefined;
        if (!Number.isInteger(v) || v < 0 || v > INFINITY_LIFE_TIME) throw new StackError(EINVAL, `invalid lifetime ${v}`);
        return v;
      };
      const validLft = lft(opts.validLft);
      if (validLft === 0) throw new StackError(EINVAL, 'valid_lft is zero');
      // inet6_addr_add → addrconf_add_dev, then ipv6_add_addr's checks, in the kernel's order.
      const idev = in6DevGet(d);
      if (idev && idev.cnf.get('disable_ipv6') !== 0) throw new StackError(EACCES, 'ipv6: IPv6 is disabled on this device');
      const t = ipv6AddrType(p6.addr, 0);
      if (t === IPV6_ADDR_ANY) throw new StackError(EADDRNOTAVAIL, 'ipv6: Invalid address');
      if (t & IPV6_ADDR_MULTICAST) throw new StackError(EADDRNOTAVAIL, 'ipv6: Cannot assign multicast address without "IFA_F_MCAUTOJOIN" flag');
      if (t & IPV6_ADDR_LOOPBACK) throw new StackError(EADDRNOTAVAIL, 'ipv6: Cannot assign loopback address on this device');
      if (idev?.addrList.some((a) => ipv6AddrEqual(a.addr, 0, p6.addr, 0))) throw new StackError(EEXIST, 'ipv6: address already assigned');
      this.inet6.addAddress(d, p6.addr, p6.prefixLen, {
        flags: (opts.nodad ? IFA_F_NODAD : 0) | (opts.noprefixroute ? IFA_F_NOPREFIXROUTE : 0),
        validLft,
        preferLft: lft(opts.preferredLft ?? opts.validLft),
      });
      return;
    }
    const p = parsePrefix(cidr, 32); // a bare address is a /32, as `ip addr add|del` takes it
    if (!p) throw new StackError(EINVAL, `invalid address "${cidr}": expected A.B.C.D/N`);
    if (opts.nodad || opts.noprefixroute || opts.validLft !== undefined || opts.preferredLft !== undefined) {
      throw new StackError(EOPNOTSUPP, 'tapstack supports nodad, noprefixroute and lifetimes for IPv6 addresses only');
    }
    if (opts.label !== undefined && opts.label !== d.name) throw new StackError(EOPNOTSUPP, `tapstack supports no label but the device name "${d.name}"`);
    const bcast = opts.broadcast === undefined ? null : this.ifaBroadcastArg(opts.broadcast, p.addr, p.prefixLen);
    const inDev = inDevGet(d);
    // __inet_insert_ifa: the same local address with the same mask (hence subnet) is there.
    if (inDev?.ifaList.some((a) => a.local === p.addr && a.prefixLen === p.prefixLen)) throw new StackError(EEXIST, 'ipv4: Address already assigned');
    const ifa = this.inet.addAddress(d, p.addr, p.prefixLen);
    if (bcast !== null) this.ifaBroadcast.set(ifa, bcast);
  }

  /**
   * IFA_BROADCAST from `brd`: `+` is the address with the host bits set, which iproute2 computes
   * for prefixes up to /30 only (none for /31 and /32); an address must be that one, the only
   * broadcast tapstack's IPv4 layer knows. Returns the address, or null for none.
   */
  private ifaBroadcastArg(arg: string, local: number, prefixLen: number): number | null {
    const own = prefixLen <= 30 ? makeIfa(local, prefixLen, '').broadcast : 0;
    if (arg === '+') return own === 0 ? null : own;
    const b = parseIPv4(arg);
    if (b === null) throw new StackError(EINVAL, `invalid broadcast address "${arg}"`);
    if (b !== own || own === 0) throw new StackError(EOPNOTSUPP, `tapstack supports only the subnet's directed broadcast (brd +) for ${formatIPv4(local)}/${prefixLen}`);
    return b;
  }
  /**
   * Claims an address the RFC 5227 way: probe the link (as `arping -D` would), and only when
   * nobody answers configure it and announce it twice. Rejects with EADDRINUSE naming the MAC
   * that holds the address. `timing` shortens the RFC's 1-2 s intervals (milliseconds). Takes
   * about 6 s with the RFC's timing.
   *
   * @throws StackError (rejects) `EADDRINUSE` on a conflict (the message names the MAC); `EINVAL` for a malformed address; `ENODEV` for an unknown or down device; `ENETDOWN` when the device goes down or the stack closes meanwhile.
   */
  async claimAddress(dev: NetDevice | string, cidr: string, timing?: Partial<AcdTiming>): Promise<AcdResult> {
    const d = this.ownDevice(dev);
    const p = parsePrefix(cidr, 32); // a bare address is a /32, as `ip addr add|del` takes it
    if (!p) throw new StackError(EINVAL, `invalid address "${cidr}": expected A.B.C.D/N`);
    const t = { ...ACD_RFC5227, ...timing };
    const r = await this.inet.acd.probe(d, p.addr, t);
    if (r.conflict) throw Acd.conflictError(r);
    this.inet.addAddress(d, p.addr, p.prefixLen);
    this.inet.acd.announce(d, p.addr, t);
    return r;
  }

  /**
   * `ip route add` (RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL) for either family: a
   * {@link RouteRequest}, or the short form `addRoute('{default|A/N}', via, dev?)` (`via` null: a
   * device route; the device defaults to the one whose connected route reaches `via`). Returns
   * the route as `ip route show` lists it. An IPv4 route is `proto boot` by default (what
   * iproute2 sends, so none is printed); a gateway must be reachable through a link- or
   * host-scope route, as fib_check_nh_v4_gw requires. IPv6 routes follow ip6_route_add.
   *
   * @throws StackError `EEXIST` for a route of the same prefix and metric; `ENODEV` for a route with neither device nor gateway, or an unknown device; `ENETUNREACH` (`Nexthop has invalid gateway`) for an IPv4 gateway no connected route reaches, `EHOSTUNREACH` for an IPv6 one; `EINVAL` for a malformed prefix, gateway or metric, host bits set in an IPv4 prefix (`Invalid prefix for given prefix length.`), a source that is not ours (`Invalid prefsrc address`, `Invalid source address`), a link-local IPv6 gateway without device (`Egress device not specified`); `ENETDOWN` for a device that is down; `EOPNOTSUPP` for what tapstack's IPv4 table does not hold (other types, table local, mtu/hoplimit/pref).
   */
  addRoute(dst: string | RouteRequest, via?: string | null, dev?: NetDevice | string): RouteSnapshot {
    const req: RouteRequest = typeof dst === 'string' ? { dst, via, dev } : dst;
    return this.routeFamily(req) === 'inet6' ? this.addRoute6(req) : this.addRoute4(req);
  }

  /**
   * `ip route del` (RTM_DELROUTE) for either family: the first route of exactly the prefix (in
   * table main unless `table` says) that has the given gateway, device, metric, protocol and type —
   * the fields left out match anything, as for the kernel. The short form
   * `delRoute('{default|A/N}', via?)` is kept.
   *
   * @throws StackError `ESRCH` when no route matches (`ENOENT` for IPv6 `default` without any default route, as the kernel's null entry answers); `EINVAL` for a malformed prefix or gateway; `ENODEV` for an unknown device; `EOPNOTSUPP` for IPv4 table local.
   */
  delRoute(dst: string | RouteRequest, via?: string): void {
    const req: RouteRequest = typeof dst === 'string' ? { dst, via } : dst;
    if (this.routeFamily(req) === 'inet6') this.delRoute6(req);
    else this.delRoute4(req);
  }

  /**
   * `ip route show table all` (both families) or `ip -4|-6 route show table all`: IPv4 main and
   * local, then IPv6 main and local, each in the kernel's dump order. Filtering by table, device
   * or protocol is the caller's (as iproute2 does it on the dump).
   */
  routes(family?: 'inet' | 'inet6'): RouteSnapshot[] {
    const out: RouteSnapshot[] = [];
    if (family !== 'inet6') for (const r of fibDumpOrder(this.inet.fib.all)) out.push(fibRouteSnapshot(r));
    if (family !== 'inet') {
      const now = this.clock.now();
      for (const r of this.inet6.fib.all) out.push(routeSnapshot6(r, now));
    }
    return out;
  }

  /**
   * `ip route get ADDR [from A] [oif DEV] [fibmatch]` (RTM_GETROUTE for one destination; the
   * family is the address's): the route a packet from the stack would take, with the source it
   * would carry — for IPv4 a cached route (`local` through `lo`, `broadcast`, `multicast`, with
   * its `cache` flags and uid), for IPv6 the table route or exception with `from`. `fibmatch`
   * answers with the table route itself.
   *
   * @throws StackError `ENETUNREACH` when no route leads there (or, IPv4, `from` is not ours or `oif` is down); `EHOSTUNREACH`/`EINVAL`/`EACCES` for IPv6 unreachable/blackhole/prohibit routes; `EINVAL` for a malformed address; `ENODEV` for an unknown device.
   */
  routeGet(dst: string, opts: RouteGetOptions = {}): RouteSnapshot {
    const oif = opts.oif === undefined ? null : this.ownDevice(opts.oif);
    const now = this.clock.now();
    if (dst.includes(':')) {
      const d6 = parseIn6(dst);
      if (d6 === null) throw new StackError(EINVAL, `invalid address "${dst}"`);
      const s6 = opts.from === undefined ? null : parseIn6(opts.from);
      if (s6 === null && opts.from !== undefined) throw new StackError(EINVAL, `invalid source address "${opts.from}"`);
      const rt = this.inet6.fib.lookup(d6, 0, oif, s6 ? RT6_LOOKUP_F_HAS_SADDR : 0, now);
      if (rt === null) throw new StackError(ENETUNREACH);
      const rc = rt6RejectErrno(rt.type);
      if (rc !== 0) throw errnoError(rc);
      if (opts.fibmatch) return routeSnapshot6(rt.from ?? rt, now);
      // ip6_route_get_saddr: the route's preferred source, else source address selection.
      const src = rt.prefsrc ?? this.inet6.addrconf.devGetSaddr(rt.dev, d6, 0);
      return routeGetSnapshot6(rt, d6, s6, src, now);
    }
    const daddr = parseIPv4(dst);
    if (daddr === null) throw new StackError(EINVAL, `invalid address "${dst}"`);
    const saddr = opts.from === undefined ? 0 : parseIPv4(opts.from);
    if (saddr === null) throw new StackError(EINVAL, `invalid source address "${opts.from}"`);
    if (opts.fibmatch) {
      const rt = this.inet.fib.lookup(daddr, oif);
      if (rt === null) throw new StackError(ENETUNREACH);
      return fibRouteSnapshot(rt);
    }
    const r = fibRouteGet(this.inet.fib, { daddr, saddr, oif, uid: opts.uid ?? process.getuid?.() ?? 0 });
    if (typeof r === 'number') throw errnoError(r);
    return r;
  }

  /** The family of a route request: as given, else by `:` in the destination or the gateway. */
  private routeFamily(req: RouteRequest): 'inet' | 'inet6' {
    if (req.family !== undefined) {
      if (req.family !== 'inet' && req.family !== 'inet6') throw new StackError(EINVAL, `unknown family "${String(req.family)}"`);
      return req.family;
    }
    return req.dst.includes(':') || (typeof req.via === 'string' && req.via.includes(':')) ? 'inet6' : 'inet';
  }

  private routeMetric(m: number | undefined): number | undefined {
    if (m !== undefined && (!Number.isInteger(m) || m < 0 || m > 0xffffffff)) throw new StackError(EINVAL, `invalid metric ${m}`);
    return m;
  }

  private routePrefix4(dst: string): { addr: number; prefixLen: number } {
    const p = dst === 'default' ? { addr: 0, prefixLen: 0 } : parsePrefix(dst, 32);
    if (!p) throw new StackError(EINVAL, `invalid prefix "${dst}"`);
    return p;
  }

  private routePrefix6(dst: string): { addr: Buffer; prefixLen: number } {
    const p = dst === 'default' ? { addr: Buffer.alloc(16), prefixLen: 0 } : parseIn6Prefix(dst, 128);
    if (!p) throw new StackError(EINVAL, `invalid prefix "${dst}"`);
    return p;
  }

  /** fib_table_insert after fib_create_info's checks (tapstack's Fib holds unicast routes in main). */
  private addRoute4(req: RouteRequest): RouteSnapshot {
    const p = this.routePrefix4(req.dst);
    if (req.type !== undefined && req.type !== 'unicast') throw new StackError(EOPNOTSUPP, `tapstack's IPv4 table holds no ${req.type} routes`);
    if (req.table !== undefined && req.table !== 'main') throw new StackError(EOPNOTSUPP, "tapstack's IPv4 routes go to table main");
    if (req.mtu || req.hoplimit || req.pref !== undefined) throw new StackError(EOPNOTSUPP, 'tapstack supports mtu, hoplimit and pref for IPv6 routes only');
    const proto = req.proto ?? 'boot';
    if (proto === 'ra') throw new StackError(EOPNOTSUPP, 'proto ra is an IPv6 protocol');
    const gw = req.via === undefined || req.via === null ? 0 : parseIPv4(req.via);
    if (gw === null) throw new StackError(EINVAL, `invalid gateway "${req.via}"`);
    const metric = this.routeMetric(req.metric) ?? 0;
    let d = this.devOrNull(req.dev);
    if (gw !== 0) {
      const nh = this.gatewayRoute4(gw, d);
      if (nh === null) throw new StackError(ENETUNREACH, 'Nexthop has invalid gateway');
      if (nh.type !== RTN_UNICAST && nh.type !== RTN_LOCAL) throw new StackError(EINVAL, 'Nexthop has invalid gateway');
      d = nh.dev;
    }
    if (d === null) throw new StackError(ENODEV);
    if (!d.isUp) throw new StackError(ENETDOWN, 'Nexthop device is not up');
    let prefsrc = 0;
    if (req.src !== undefined && req.src !== null) {
      const s = parseIPv4(req.src);
      if (s === null) throw new StackError(EINVAL, `invalid source address "${req.src}"`);
      if (this.inet.fib.addrType(s) !== RTN_LOCAL) throw new StackError(EINVAL, 'Invalid prefsrc address');
      prefsrc = s;
    }
    const r = this.inet.fib.addRoute({ dst: p.addr, prefixLen: p.prefixLen, gw, dev: d, prefsrc, metric });
    // Fib.addRoute records every route as 'static'; rtm_protocol is what the request said.
    r.proto = proto;
    return fibRouteSnapshot(r);
  }

  /**
   * fib_check_nh_v4_gw's lookup: the first route (longest prefix, lowest metric) that covers the
   * gateway with link or host scope (flowi4_scope RT_SCOPE_LINK skips routes via gateways), on
   * `dev` when one is named, through a device that is up.
   */
  private gatewayRoute4(gw: number, dev: NetDevice | null): FibRoute | null {
    for (const r of this.inet.fib.all) {
      if (((gw ^ r.dst) & r.mask) !== 0 || r.scope < RT_SCOPE_LINK) continue;
      if (dev !== null && r.dev !== dev) continue;
      if (!r.dev.isUp && r.type !== RTN_LOCAL) continue;
      return r;
    }
    return null;
  }

  /** fib_table_delete: the first route of the prefix in main (metric order) that passes every given field. */
  private delRoute4(req: RouteRequest): void {
    const p = this.routePrefix4(req.dst);
    if (req.table !== undefined && req.table !== 'main') throw new StackError(EOPNOTSUPP, "tapstack's IPv4 routes live in table main");
    const gw = req.via === undefined || req.via === null ? null : parseIPv4(req.via);
    if (gw === null && req.via !== undefined && req.via !== null) throw new StackError(EINVAL, `invalid gateway "${req.via}"`);
    const dev = this.devOrNull(req.dev);
    const metric = this.routeMetric(req.metric);
    const src = req.src === undefined || req.src === null ? null : parseIPv4(req.src);
    if (src === null && req.src !== undefined && req.src !== null) throw new StackError(EINVAL, `invalid source address "${req.src}"`);
    const fib = this.inet.fib;
    const all = fib.all;
    const same = (r: FibRoute): boolean => r.table === 'main' && r.dst === p.addr && r.prefixLen === p.prefixLen;
    const victim = all.find(
      (r) =>
        same(r) &&
        (gw === null || r.gw === gw) &&
        (dev === null || r.dev === dev) &&
        (!metric || r.metric === metric) &&
        (req.proto === undefined || r.proto === req.proto) &&
        (req.type === undefined || fibRouteSnapshot(r).type === req.type) &&
        (src === null || r.prefsrc === src),
    );
    if (victim === undefined) throw new StackError(ESRCH);
    // Fib.delRoute removes the first route of the prefix with the victim's gateway. Routes ahead
    // of the victim with that gateway (lower metric, another device) are what the request passed
    // over: their gateway is masked for the call so that exactly the victim goes.
    const ahead = all.slice(0, all.indexOf(victim)).filter((r) => same(r) && r.gw === victim.gw);
    const mask = ~victim.gw >>> 0;
    for (const r of ahead) r.gw = mask;
    try {
      fib.delRoute(p.addr, p.prefixLen, victim.gw);
    } finally {
      for (const r of ahead) r.gw = victim.gw;
    }
  }

  private route6Type(t: RouteTypeName | undefined): number {
    switch (t ?? 'unicast') {
      case 'unicast': return RTN6_UNICAST;
      case 'local': return RTN6_LOCAL;
      case 'anycast': return RTN_ANYCAST;
      case 'unreachable': return RTN_UNREACHABLE;
      case 'blackhole': return RTN_BLACKHOLE;
      case 'prohibit': return RTN_PROHIBIT;
      default: throw new StackError(EOPNOTSUPP, `tapstack's IPv6 table holds no ${String(t)} routes`);
    }
  }

  /** ip6_route_add (Fib6.addRoute) with the request's fields. */
  private addRoute6(req: RouteRequest): RouteSnapshot {
    const p = this.routePrefix6(req.dst);
    const gw = req.via === undefined || req.via === null ? null : parseIn6(req.via);
    if (gw === null && req.via !== undefined && req.via !== null) throw new StackError(EINVAL, `invalid gateway "${req.via}"`);
    const src = req.src === undefined || req.src === null ? null : parseIn6(req.src);
    if (src === null && req.src !== undefined && req.src !== null) throw new StackError(EINVAL, `invalid source address "${req.src}"`);
    for (const [k, v] of [['mtu', req.mtu], ['hoplimit', req.hoplimit]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) throw new StackError(EINVAL, `invalid ${k} ${v}`);
    }
    const rt = this.inet6.fib.addRoute({
      dst: p.addr,
      prefixLen: p.prefixLen,
      type: this.route6Type(req.type),
      dev: this.devOrNull(req.dev),
      gw,
      prefsrc: src,
      metric: this.routeMetric(req.metric),
      proto: (req.proto ?? 'boot') as Rt6Proto,
      table: req.table,
      mtu: req.mtu,
      hoplimit: req.hoplimit,
      pref: req.pref,
    });
    return routeSnapshot6(rt, this.clock.now());
  }

  /** ip6_route_del (Fib6.delRoute), with its null-entry answer for a missing default route. */
  private delRoute6(req: RouteRequest): void {
    const p = this.routePrefix6(req.dst);
    const gw = req.via === undefined || req.via === null ? null : parseIn6(req.via);
    if (gw === null && req.via !== undefined && req.via !== null) throw new StackError(EINVAL, `invalid gateway "${req.via}"`);
    const dev = this.devOrNull(req.dev);
    const metric = this.routeMetric(req.metric);
    const table = req.table ?? 'main';
    try {
      this.inet6.fib.delRoute(p.addr, p.prefixLen, { gw, dev, metric, table, proto: req.proto });
    } catch (e) {
      // ::/0 is the tree's root, whose leaf is the null entry when no default route exists: it
      // passes a filter without gateway, device or metric, and deleting it is ENOENT (measured).
      const bare = gw === null && dev === null && !metric && req.proto === undefined;
      if (e instanceof StackError && e.code === 'ESRCH' && p.prefixLen === 0 && bare && !this.inet6.fib.table(table).some((r) => r.prefixLen === 0)) {
        throw new StackError(ENOENT);
      }
      throw e;
    }
  }

  /**
   * `ip addr show`: every address of both families (or one), per device in ifindex order; IPv4
   * first within a device as iproute2 prints them (primaries in the order they came, then
   * secondaries, as inet_insert_ifa keeps them), then IPv6 in `ip -6 addr` order (global before
   * link-local, newest first). Lifetimes are the remaining seconds.
   */
  addresses(family?: 'inet' | 'inet6'): AddrSnapshot[] {
    const out: AddrSnapshot[] = [];
    for (const d of this.net.deviceList) {
      const inDev = inDevGet(d);
      if (family !== 'inet6' && inDev) {
        for (const a of inetIfaOrder(inDev)) out.push(addrSnapshot4(d, inDev, a, this.ifaBroadcast.get(a) ?? null));
      }
      if (family !== 'inet') {
        for (const a of in6DevGet(d)?.addrList ?? []) out.push(addrSnapshot6(a, this.inet6.addrconf.remaining(a)));
      }
    }
    return out;
  }

  /**
   * `ip addr del A/N dev DEV`: the address and the routes it brought go; a primary IPv4 address
   * takes its secondaries (same subnet) with it. When the device's last IPv4 address goes, so does
   * everything on it, as `fib_disable_ip` does: every route through it and every neighbour and
   * proxy entry of the device, PERMANENT ones included. A bare address is a /32 or /128 and must
   * match the prefix length, unless `anyPrefixLen` (IPv4).
   *
   * @throws StackError `EADDRNOTAVAIL` when it is not on the device (`ipv4: Address not found`, `ipv6: address not found`); `EINVAL` for a malformed address; `ENODEV` for an unknown device.
   */
  delAddress(dev: NetDevice | string, cidr: string, opts: DelAddrOptions = {}): void {
    const d = this.ownDevice(dev);
    if (cidr.includes(':')) {
      // A bare address is a /128 and must match the prefix length exactly (inet6_addr_del).
      const p6 = parseIn6Prefix(cidr, 128);
      if (!p6) throw new StackError(EINVAL, `invalid address "${cidr}": expected ADDR/N`);
      const found = in6DevGet(d)?.addrList.some((a) => a.prefixLen === p6.prefixLen && ipv6AddrEqual(a.addr, 0, p6.addr, 0));
      if (!found) throw new StackError(EADDRNOTAVAIL, 'ipv6: address not found');
      this.inet6.delAddress(d, p6.addr, p6.prefixLen);
      return;
    }
    const p = parsePrefix(cidr, 32); // a bare address is a /32, as `ip addr add|del` takes it
    if (!p) throw new StackError(EINVAL, `invalid address "${cidr}": expected A.B.C.D/N`);
    // inet_rtm_deladdr: the local address, and the prefix length when the request has IFA_ADDRESS.
    const ifa = inDevGet(d)?.ifaList.find((a) => a.local === p.addr && (opts.anyPrefixLen || a.prefixLen === p.prefixLen));
    if (!ifa) throw new StackError(EADDRNOTAVAIL, 'ipv4: Address not found');
    this.inet.delAddress(d, ifa.local, ifa.prefixLen);
  }
  /**
   * `ip neigh flush [dev DEV] [nud STATE]`: deletes the matching entries (by default all but
   * PERMANENT and NOARP, as iproute2) and returns how many went. `states` is a mask of NUD_* bits;
   * 0x100 (iproute2's NUD_FILTER_NONE, set in the default) also selects entries in state NONE.
   * As in iproute2, externally learned entries match whatever the mask.
   */
  neighFlush(opts: { dev?: NetDevice | string; states?: number; family?: 'inet' | 'inet6' } = {}): number {
    const mask = opts.states ?? NUD_FILTER_FLUSH_DEFAULT;
    const dev = this.devOrNull(opts.dev);
    let n = 0;
    for (const tbl of this.neighTables(opts.family)) n += tbl.flush(dev, (e) => nudFilterMatches(e.nudState, e.flags, mask));
    return n;
  }

  /** Every counter of the stack, as `tapstack stat -j` prints them (the objects are live). */
  stats(): StackStats {
    const inet = this.inet;
    return {
      neigh: { ...inet.arp.tbl.stats, entries: inet.arp.tbl.entries },
      arp: inet.arp.stats,
      acd: inet.acd.stats,
      ip: inet.stats,
      icmp: inet.icmp.stats,
      udp: inet.udp.stats,
      udp6: udpv6(this.inet6).stats,
      tcp: this.tcp.snapshotStats(),
      tcpExt: this.tcp.statsExt,
      nd: { ...this.inet6.ndisc.tbl.stats, entries: this.inet6.ndisc.tbl.entries },
      ndisc: this.inet6.ndisc.stats,
      ip6: this.inet6.stats,
      icmp6: this.inet6.icmp.stats,
      mld: this.inet6.mldStats,
      core: this.net.stats,
      devices: this.net.deviceList.map((d) => ({ name: d.name, stats: d.stats, driver: driverStats(d) })),
    };
  }

  /** The `net.ipv4.*` settings by their sysctl names (`stack.sysctl.set('net.ipv4.conf.all.arp_ignore', '2')`). */
  get sysctl(): Sysctl {
    return (this.sysctlTree ??= new Sysctl(this));
  }

  /**
   * Sends ICMP echo requests from the stack itself, like iputils ping, and resolves with the
   * summary when iputils would end: once every request is answered or failed; else, after the
   * last request, `timeout` seconds without a reply (default 10) or max(2 × the longest round
   * trip, `interval`) with some; at the `deadline` or its first error when one is given (times in
   * seconds, `size` in payload bytes). Errors on the way (no route, unresolved neighbour) are
   * counted and printed as iputils prints them, not thrown. `signal` or {@link Stack.close}
   * stops it early; it then resolves with what it has.
   *
   * @throws StackError (rejects) `EINVAL` for a destination or `source` that is not a dotted quad; `EADDRNOTAVAIL` for a `source` that is not the stack's own; `EPERM` for an `interval` below `minInterval` (after the header line); `EBADF` once the stack is closed.
   */
  ping(dst: string, opts: PingOptions = {}): Promise<PingResult> {
    if (this.closed) return Promise.reject(new StackError(EBADF, 'ping: the stack is closed'));
    let run: (signal: AbortSignal) => Promise<PingResult>;
    if (dst.includes(':')) {
      // ping -6, or iputils picking the family from the address; `fe80::1%tap0` names the zone.
      const pct = dst.indexOf('%');
      const a6 = parseIn6(pct < 0 ? dst : dst.slice(0, pct));
      if (a6 === null) return Promise.reject(new StackError(EINVAL, `ping: ${dst}: Name or service not known`));
      let oif: NetDevice | null = null;
      if (pct >= 0) {
        oif = this.net.devGetByName(dst.slice(pct + 1)) ?? null;
        if (oif === null) return Promise.reject(new StackError(EINVAL, `ping: ${dst}: Name or service not known`));
      }
      let src6: Buffer | null = null;
      if (opts.source !== undefined) {
        src6 = typeof opts.source === 'string' ? parseIn6(opts.source) : null;
        if (src6 === null) return Promise.reject(new StackError(EINVAL, `ping: invalid source address "${String(opts.source)}"`));
        if (this.inet6.addrconf.chkAddr(src6, 0, oif) === null) return Promise.reject(new StackError(EADDRNOTAVAIL, `ping: bind icmp socket: ${strerror(EADDRNOTAVAIL)}`));
      }
      run = (signal) => ping6(this.inet6, a6, { ...opts, signal }, src6, oif);
    } else {
      const a = parseIPv4(dst);
      if (a === null) return Promise.reject(new StackError(EINVAL, `ping: ${dst}: Name or service not known`));
      let source = 0;
      if (opts.source !== undefined) {
        const s = typeof opts.source === 'string' ? parseIPv4(opts.source) : null;
        if (s === null) return Promise.reject(new StackError(EINVAL, `ping: invalid source address "${String(opts.source)}"`));
        // iputils binds to -I ADDR, which fails for an address that is not ours.
        if (!this.inet.isLocalAddr(s)) return Promise.reject(new StackError(EADDRNOTAVAIL, `ping: bind: ${strerror(EADDRNOTAVAIL)}`));
        source = s;
      }
      run = (signal) => ping(this.inet, a, { ...opts, signal }, source);
    }
    const ac = new AbortController();
    const outer = opts.signal;
    const onAbort = (): void => ac.abort();
    if (outer?.aborted) ac.abort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    this.pingAborts.add(ac);
    return run(ac.signal).finally(() => {
      this.pingAborts.delete(ac);
      outer?.removeEventListener('abort', onAbort);
    });
  }

  /**
   * The neighbour table as `ip neigh show nud all` sees it (every entry, NONE included), as
   * snapshots that do not change afterwards. Times in them are milliseconds since the event.
   */
  neighbours(family?: 'inet' | 'inet6'): NeighSnapshot[] {
    const out: NeighSnapshot[] = [];
    for (const tbl of this.neighTables(family)) tbl.forEach((n) => out.push(tbl.snapshot(n)));
    return out;
  }

  // ---- neighbour management (rtnetlink RTM_*NEIGH, RTM_*NEIGHTBL) ----------------------------

  /** A device given by name or object; an object must be one of this stack's (ENODEV otherwise). */
  private ownDevice(dev: NetDevice | string): NetDevice {
    if (typeof dev === 'string') return this.device(dev);
    if (this.net.devGetByName(dev.name) !== dev) throw new StackError(ENODEV, `Cannot find device "${dev.name}"`);
    return dev;
  }

  /** A request's `dev`: a device of this stack, its name, or none. */
  private devOrNull(dev: NetDevice | string | null | undefined): NetDevice | null {
    return dev === undefined || dev === null ? null : this.ownDevice(dev);
  }

  /**
   * neigh_find_table(): the table of the address's family and its key — arp_tbl for a dotted
   * quad, nd_tbl for an IPv6 address (`fe80::1`, a `%zone` suffix ignored).
   */
  private neighKey(dst: string): { tbl: NeighTable<unknown>; key: unknown } {
    if (dst.includes(':')) {
      const pct = dst.indexOf('%');
      const k6 = parseIn6(pct < 0 ? dst : dst.slice(0, pct));
      if (k6 === null) throw new StackError(EINVAL, `Invalid address "${dst}"`);
      return { tbl: this.inet6.ndisc.tbl as unknown as NeighTable<unknown>, key: k6 };
    }
    const k = parseIPv4(dst);
    if (k === null) throw new StackError(EINVAL, `Invalid address "${dst}"`);
    return { tbl: this.inet.arp.tbl as unknown as NeighTable<unknown>, key: k };
  }

  /** The neighbour tables by family: 'inet' (arp_cache), 'inet6' (ndisc_cache), or both. */
  private neighTables(family?: 'inet' | 'inet6'): NeighTable<unknown>[] {
    const out: NeighTable<unknown>[] = [];
    if (family !== 'inet6') out.push(this.inet.arp.tbl as unknown as NeighTable<unknown>);
    if (family !== 'inet') out.push(this.inet6.ndisc.tbl as unknown as NeighTable<unknown>);
    return out;
  }

  /**
   * RTM_NEWNEIGH with explicit NLM_F_* semantics (what {@link Stack.neighAdd},
   * {@link Stack.neighChange} and {@link Stack.neighReplace} call).
   *
   * @throws StackError `EEXIST` (excl and it exists), `ENOENT` (no create and it does not), `EINVAL` (bad address or lladdr, no device for a non-proxy entry, `No link layer address given`, flags that do not fit the state), `ENODEV` (unknown device), `ENOBUFS` (table full).
   */
  neighWrite(r: NeighRequest, mode: NeighWriteMode): void {
    const { tbl, key } = this.neighKey(r.dst);
    const dev = this.devOrNull(r.dev);
    let lladdr: Buffer | null = null;
    if (r.lladdr !== undefined && r.lladdr !== null) {
      lladdr = parseMac(r.lladdr);
      if (!lladdr) throw new StackError(EINVAL, `"${r.lladdr}" is invalid lladdr.`);
    }
    const flags = (r.router ? NTF_ROUTER : 0) | (r.proxy ? NTF_PROXY : 0) | (r.externLearn ? NTF_EXT_LEARNED : 0) |
      (r.managed ? NTF_MANAGED : 0) | (r.use ? NTF_USE : 0);
    const state = typeof r.state === 'string' ? nudStateFromName(r.state) : r.state ?? NUD_PERMANENT;
    if (state < 0) throw new StackError(EINVAL, `nud state "${String(r.state)}" is bad`);
    // neigh_add()'s extended ack ("Invalid NTF_* flag combination", ...), when it sets one.
    const extack = { msg: null as string | null };
    const rc = tbl.neighAdd(key, dev, { state, lladdr, flags, protocol: r.protocol, ...mode, extack });
    if (rc < 0) throw errnoError(rc, extack.msg ?? undefined);
  }

  /**
   * `ip neigh add` (NUD_PERMANENT unless `state` says otherwise).
   *
   * @throws StackError `EEXIST` when the entry exists; the rest as {@link Stack.neighWrite}.
   */
  neighAdd(r: NeighRequest): void {
    this.neighWrite(r, { create: true, excl: true });
  }

  /**
   * `ip neigh change`: overwrite an existing entry.
   *
   * @throws StackError `ENOENT` when it does not exist; the rest as {@link Stack.neighWrite}.
   */
  neighChange(r: NeighRequest): void {
    this.neighWrite(r, { replace: true });
  }

  /**
   * `ip neigh replace`: create or overwrite.
   *
   * @throws StackError as {@link Stack.neighWrite}.
   */
  neighReplace(r: NeighRequest): void {
    this.neighWrite(r, { create: true, replace: true });
  }

  /**
   * `ip neigh del` (RTM_DELNEIGH); `proxy: true` deletes a proxy entry. A deleted entry is
   * reported FAILED in its `delneigh` event, as Linux does.
   *
   * @throws StackError `ENOENT` when there is no such entry; `EINVAL` for a bad address or a missing device; `ENODEV` for an unknown device.
   */
  neighDel(r: Pick<NeighRequest, 'dst' | 'dev' | 'proxy'>): void {
    const { tbl, key } = this.neighKey(r.dst);
    const rc = tbl.neighDelete(key, this.devOrNull(r.dev), r.proxy === true);
    if (rc < 0) throw errnoError(rc);
  }

  /**
   * `ip neigh get ADDR dev DEV` (RTM_GETNEIGH for one entry), or a proxy entry with `proxy`.
   *
   * @throws StackError `ENOENT` when there is no such entry; `EINVAL` for a bad address or no device; `ENODEV` for an unknown device.
   */
  neighGet(dst: string, dev: NetDevice | string | null, proxy = false): NeighSnapshot | PneighSnapshot {
    const { tbl, key } = this.neighKey(dst);
    const d = this.devOrNull(dev);
    if (proxy) {
      const pn = tbl.pneighLookup(key, d, false);
      if (!pn) throw new StackError(ENOENT, strerror(ENOENT));
      return tbl.pneighSnapshot(pn);
    }
    if (d === null) throw new StackError(EINVAL, 'No device specified');
    const n = tbl.neighGet(key, d);
    if (!n) throw new StackError(ENOENT, strerror(ENOENT));
    return n;
  }

  /**
   * Proxy entries (`ip neigh show proxy`), optionally of one device.
   *
   * @throws StackError `ENODEV` for an unknown device.
   */
  proxyNeighbours(dev?: NetDevice | string, family?: 'inet' | 'inet6'): PneighSnapshot[] {
    const d = this.devOrNull(dev);
    const out: PneighSnapshot[] = [];
    for (const tbl of this.neighTables(family)) {
      tbl.pneighForEach((pn) => {
        if (d === null || pn.dev === d) out.push(tbl.pneighSnapshot(pn));
      });
    }
    return out;
  }

  /** The neighbour tables as `ip ntable show` sees them (arp_cache, then ndisc_cache); times in ms. */
  ntables(family?: 'inet' | 'inet6'): NtableView[] {
    return this.neighTables(family).map((t) => ntableView(t, this.clock.now()));
  }

  /**
   * `ip ntable change` (RTM_SETNEIGHTBL): thresholds and GC interval (ms) of the table, or
   * neighbour parameters (ms and counts) of the defaults or of one device. Parms written here do
   * not flow to devices, as in the kernel (sysctl `default` writes do).
   *
   * @throws StackError `ENOENT` for another table name or a device without parms; `EINVAL` for an unknown parameter or a value that is not a non-negative integer; `ENODEV` for an unknown device.
   */
  ntableChange(c: NtableChange): void {
    const tbl = c.name === undefined ? this.inet.arp.tbl as unknown as NeighTable<unknown> : this.neighTables().find((t) => t.id === c.name);
    if (tbl === undefined) throw new StackError(ENOENT, strerror(ENOENT));
    const dev = this.devOrNull(c.dev);
    const parms: NeighParms = dev === null ? tbl.parms : tbl.parmsFor(dev);
    if (dev && parms === tbl.parms) throw new StackError(ENOENT, strerror(ENOENT));
    for (const [k, v] of [['thresh1', c.thresh1], ['thresh2', c.thresh2], ['thresh3', c.thresh3], ['gcIntervalMs', c.gcIntervalMs]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)) throw new StackError(EINVAL, `${k} must be a non-negative integer`);
    }
    for (const [k, v] of Object.entries(c.parms ?? {})) {
      if (k !== 'queueLen' && !(NeighParms.NAMES as readonly string[]).includes(k)) throw new StackError(EINVAL, `unknown neighbour parameter "${k}"`);
      if (!Number.isInteger(v) || (v as number) < 0) throw new StackError(EINVAL, `${k} must be a non-negative integer`);
    }
    if (c.thresh1 !== undefined) tbl.gcThresh1 = c.thresh1;
    if (c.thresh2 !== undefined) tbl.gcThresh2 = c.thresh2;
    if (c.thresh3 !== undefined) tbl.gcThresh3 = c.thresh3;
    if (c.gcIntervalMs !== undefined) tbl.gcInterval = c.gcIntervalMs;
    for (const [k, v] of Object.entries(c.parms ?? {})) {
      if (k === 'queueLen') setUnresQlen(parms, v as number, false);
      else parms.set(k as NeighParmName, v as number, false);
    }
  }

  // ---- offload features (ETHTOOL_MSG_FEATURES_GET / _SET: ethtool -k / -K) --------------------

  /**
   * `ethtool -k DEV`: every feature of the device by its kernel name, in kernel bit order, with
   * whether it is on, what was asked for and whether it can be switched at all.
   *
   * @throws StackError `ENODEV` for an unknown device.
   */
  features(dev: NetDevice | string): DeviceFeature[] {
    return deviceFeatures(typeof dev === 'string' ? this.device(dev) : dev);
  }

  /**
   * `ethtool -K DEV NAME on|off ...`: `changes` maps feature names — ethtool's short and long
   * legacy names (`tso`, `gso`, `gro`, `tx`, `rx`, `sg`, `tcp-segmentation-offload`, ...) or the
   * kernel's (`tx-tcp6-segmentation`, `rx-gro-hw`, ...) — to on or off, applied in order. The
   * result holds every feature before and after; a feature that cannot be switched, or that
   * another one switched off needs, stays as it was (see `dropped`).
   * `stack.setFeatures(tap, { tso: false, gro: false })`.
   *
   * @throws StackError `ENODEV` for an unknown device; `EOPNOTSUPP` for a name that is no feature (nothing changes).
   */
  setFeatures(dev: NetDevice | string, changes: Readonly<Record<string, boolean>>): FeatureSetResult {
    const d = typeof dev === 'string' ? this.device(dev) : dev;
    const req: [string, boolean][] = [];
    for (const [name, on] of Object.entries(changes)) {
      const names = expandFeatureName(name);
      if (names === null) throw new StackError(EOPNOTSUPP, `bit name not found: ${name}`);
      for (const n of names) req.push([n, on === true]);
    }
    return setDeviceFeatures(d, req);
  }

  // ---- links (RTM_GETLINK / RTM_SETLINK) -------------------------------------------------------

  /** Every device as `ip link show` / `ip -br addr` see it, in ifindex order. */
  links(): LinkInfo[] {
    return this.net.deviceList.map((d) => this.linkInfo(d));
  }

  private linkInfo(d: NetDevice): LinkInfo {
    return {
      ifindex: d.ifindex,
      name: d.name,
      address: formatMac(d.devAddr),
      mtu: d.mtu,
      up: d.isUp,
      noarp: (d.flags & IFF_NOARP) !== 0,
      carrier: d.carrier,
      addrs: (this.inet.inDevices().find((i) => i.dev === d)?.ifaList ?? []).map((a) => `${formatIPv4(a.local)}/${a.prefixLen}`),
      addrs6: (in6DevGet(d)?.addrList ?? []).map((a) => `${formatIn6(a.addr)}/${a.prefixLen}`),
      details: {
        promiscuity: 0,
        allmulti: 0,
        minMtu: d.minMtu,
        maxMtu: d.maxMtu,
        tun: d.tunInfo(),
        addrGenMode: this.addrGenModeName(d),
        numTxQueues: 1,
        numRxQueues: 1,
        gsoMaxSize: d.gsoMaxSize,
        gsoMaxSegs: GSO_MAX_SEGS,
        tsoMaxSize: d.gsoMaxSize,
        tsoMaxSegs: GSO_MAX_SEGS,
        groMaxSize: GRO_MAX_SIZE,
      },
      stats: { ...d.stats, carrierChanges: d.carrierChanges },
    };
  }

  /** The link's addr_gen_mode as iproute2 names it (IFLA_INET6_ADDR_GEN_MODE), or null without IPv6 there. */
  private addrGenModeName(d: NetDevice): string | null {
    const idev = in6DevGet(d);
    if (!idev) return null;
    return ADDR_GEN_MODES[idev.cnf.get('addr_gen_mode')] ?? null;
  }

  /** The netdev notifier, translated into 'link' events (built only while someone listens). */
  private linkEvent(ev: number, dev: NetDevice, info: NetdevChangeInfo | null): void {
    if (this.listenerCount('link') === 0) return;
    let change: LinkEventChange;
    switch (ev) {
      case NETDEV_REGISTER: change = 'register'; break;
      case NETDEV_UNREGISTER: change = 'unregister'; break;
      case NETDEV_UP: change = 'up'; break;
      case NETDEV_DOWN: change = 'down'; break;
      case NETDEV_CHANGEADDR: change = 'address'; break;
      case NETDEV_CHANGEMTU: change = 'mtu'; break;
      case NETDEV_CHANGE: change = info && info.flagsChanged ? 'flags' : 'carrier'; break;
      default: return;
    }
    const e: LinkEvent = { type: 'link', change, link: this.linkInfo(dev) };
    this.emit('link', e);
  }

  // ---- events, raw access and lifecycle ---------------------------------------------------------

  /**
   * The stack's events as an async iterator — neighbour notifications (`newneigh`, `delneigh`,
   * `miss`) of both tables, device events (`link`) and IPv6 address events (`newaddr`,
   * `deladdr`: added, DAD done or failed, deprecated, removed) — optionally only the given `types`. Events are buffered
   * from this call on until read (bounded by `maxBuffered` if given). The iteration ends when
   * `signal` aborts, when the consumer stops (`break`), or after {@link Stack.close} (events of
   * the close itself, such as the final `delneigh`s and `unregister`s, are delivered first).
   *
   * ```ts
   * for await (const ev of stack.events(['newneigh', 'link'], { signal })) console.log(ev.type);
   * ```
   *
   * @throws StackError `EINVAL` for an unknown event type or a `maxBuffered` below 1.
   */
  events(types?: readonly StackEventType[], opts: StackEventsOptions = {}): StackEventIterator {
    const all: readonly StackEventType[] = ['newneigh', 'delneigh', 'miss', 'link', 'newaddr', 'deladdr'];
    for (const t of types ?? []) if (!all.includes(t)) throw new StackError(EINVAL, `unknown event type "${String(t)}"`);
    if (opts.maxBuffered !== undefined && !(opts.maxBuffered >= 1)) throw new StackError(EINVAL, 'maxBuffered must be at least 1');
    const want = new Set<StackEventType>(types ?? all);
    const signal = opts.signal;
    const onNeigh = (e: NeighEvent): void => {
      if (want.has(e.type)) it.push(e);
    };
    const onLink = (e: LinkEvent): void => it.push(e);
    const onAddr = (e: AddrEvent): void => {
      if (want.has(e.type)) it.push(e);
    };
    const onClose = (): void => it.end();
    const onAbort = (): void => it.end(true);
    const it = new EventIterator<StackEvent>({
      maxBuffered: opts.maxBuffered,
      onEnd: () => {
        this.off('neigh', onNeigh);
        this.off('link', onLink);
        this.off('addr', onAddr);
        this.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
      },
    });
    if (this.closed || signal?.aborted) {
      it.end();
      return it;
    }
    if (want.has('newneigh') || want.has('delneigh') || want.has('miss')) this.on('neigh', onNeigh);
    if (want.has('link')) this.on('link', onLink);
    if (want.has('newaddr') || want.has('deladdr')) this.on('addr', onAddr);
    this.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
    return it;
  }

  /**
   * Opens a raw IPv4 endpoint for `protocol` (1–255), as a Linux `socket(AF_INET, SOCK_RAW,
   * protocol)` without IP_HDRINCL: `onPacket` receives a copy of the payload and the header
   * fields of every packet of that protocol delivered locally (before the protocol's own handler,
   * which still runs — ICMP echo requests are still answered); `send(payload, dst, opts?)` sends
   * a payload behind a header the stack builds. A protocol the stack does not implement is
   * consumed by its raw handles instead of drawing ICMP protocol unreachable. Closed by
   * `handle.close()` or {@link Stack.close}.
   *
   * @throws StackError `EINVAL` for a protocol outside 1–255; `EBADF` once the stack is closed.
   */
  openRawIp(protocol: number, onPacket: RawIpListener, opts?: RawIpOptions & { family?: 'inet' }): RawIpHandle;
  /**
   * The IPv6 twin (`socket(AF_INET6, SOCK_RAW, protocol)`): `onPacket` receives a copy of the
   * payload after the IPv6 and extension headers with the header's fields; `send(payload,
   * dst, opts?)` sends behind a header the stack builds (`fe80::1%tap0` names the device), the
   * ICMPv6 checksum filled in as Linux always does for ICMPv6 raw sockets.
   *
   * @throws StackError `EINVAL` for a next header outside 0–255; `EBADF` once the stack is closed.
   */
  openRawIp(protocol: number, onPacket: RawIp6Listener, opts: RawIp6Options & { family: 'inet6' }): RawIp6Handle;
  openRawIp(protocol: number, onPacket: RawIpListener | RawIp6Listener, opts: (RawIpOptions | RawIp6Options) & { family?: 'inet' | 'inet6' } = {}): RawIpHandle | RawIp6Handle {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    if (opts.family === 'inet6') {
      let remove6: () => void = () => {};
      const h6 = new RawIp6Handle(this.inet6, protocol, onPacket as RawIp6Listener, opts as RawIp6Options, () => remove6(), (name) => this.device(name));
      remove6 = this.addCloseHook(() => h6.close());
      return h6;
    }
    let remove: () => void = () => {};
    const h = new RawIpHandle(this.inet, protocol, onPacket as RawIpListener, opts as RawIpOptions, () => remove(), (name) => this.device(name));
    remove = this.addCloseHook(() => h.close());
    return h;
  }

  /** What TcpSocket and TcpServer need of this stack. */
  private get tcpHost(): { tcp: Tcp; net: Net; ipv6: boolean } {
    return { tcp: this.tcp, net: this.net, ipv6: this.inet6.conf.all.get('disable_ipv6') === 0 };
  }

  /**
   * A TCP server with the API of Node's `net.createServer([options][, connectionListener])`:
   * `listen(port, host?, backlog?, cb?)` or `listen({port, host, backlog, ipv6Only}, cb?)`, events
   * `'listening'`, `'connection'` (a {@link TcpSocket}), `'error'`, `'close'`, `'drop'`. Without a
   * host it listens on `::` (IPv4 too) or `0.0.0.0` when IPv6 is off. Node's `http.Server` serves
   * over it: `srv.on('connection', (s) => httpServer.emit('connection', s))`.
   */
  createServer(options?: TcpServerOptions | ((socket: TcpSocket) => void), connectionListener?: (socket: TcpSocket) => void): TcpServer {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    if (typeof options === 'function') {
      connectionListener = options;
      options = {};
    }
    const srv = new TcpServer(this.tcpHost, options ?? {}, connectionListener);
    this.addCloseHook(() => {
      if (srv.listening) srv.close();
    });
    return srv;
  }

  /**
   * A TCP connection with the API of Node's `net.connect(port[, host][, cb])` /
   * `net.connect(options[, cb])`: a {@link TcpSocket} (a `stream.Duplex`) that emits `'connect'`
   * when established and Node's errors (`connect ECONNREFUSED 10.0.0.1:80`). Hosts are IPv4 or
   * IPv6 literals (zones as `fe80::1%tap0`); names other than `localhost` are not resolved.
   */
  connect(port: number | string | TcpConnectOptions, host?: string | (() => void), cb?: () => void): TcpSocket {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    let o: TcpConnectOptions;
    if (typeof port === 'object' && port !== null) {
      o = port;
      if (typeof host === 'function') cb = host;
    } else {
      o = { port };
      if (typeof host === 'function') cb = host;
      else if (host !== undefined) o.host = host;
    }
    const s = new TcpSocket(o);
    s.connectTo(this.tcpHost, o, cb);
    return s;
  }

  /** The same as {@link Stack.connect} (Node's `net.createConnection`). */
  createConnection(port: number | string | TcpConnectOptions, host?: string | (() => void), cb?: () => void): TcpSocket {
    return this.connect(port, host, cb);
  }

  /**
   * Creates a UDP socket on the stack with the API of Node's `dgram.createSocket(type,
   * listener?)`: `'udp4'`, or `'udp6'` (dual-stack on `::` unless `ipv6Only`, sharing the port
   * table with `'udp4'` as Linux does); `bind`, `send`, `connect`/`disconnect`,
   * `address`/`remoteAddress`, `setBroadcast`, `setTTL`, the multicast options, `close`, and the
   * events `'listening'`, `'message'`, `'connect'`, `'error'`, `'close'` (see {@link UdpSocket}).
   * `onMessage` becomes a `'message'` listener. Closed by `socket.close()` or {@link Stack.close}.
   *
   * ```ts
   * const sock = stack.createSocket('udp6', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
   * sock.bind(7); // '::': IPv6 and IPv4 (rinfo.address '::ffff:10.0.0.1')
   * ```
   *
   * @throws UdpSocketError `ERR_SOCKET_BAD_TYPE` (TypeError) for a type other than `'udp4'` or `'udp6'`.
   * @throws StackError `EBADF` once the stack is closed.
   */
  createSocket(type: 'udp4' | 'udp6' | UdpSocketOptions, onMessage?: (msg: Buffer, rinfo: UdpRemoteInfo) => void): UdpSocket {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    let remove: () => void = () => {};
    const s = new UdpSocket({ udp: this.inet.udp, udp6: udpv6(this.inet6), net: this.net }, type, onMessage, () => remove());
    remove = this.addCloseHook(() => s.closeQuietly());
    return s;
  }

  /**
   * Calls `cb` with a copy of every Ethernet frame in and out of every device — received ones
   * from their Ethernet header, sent ones exactly as handed to the driver, as `tcpdump -i any`
   * would see them — with the device name and direction. Returns the function that stops it;
   * {@link Stack.close} stops it too. `cb` runs inside the stack's receive and transmit paths:
   * keep it short (an exception it throws becomes an uncaught exception).
   *
   * @throws StackError `EBADF` once the stack is closed.
   */
  observeFrames(cb: FrameObserver): () => void {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    const off = observeFrames(this.net, cb);
    const unhook = this.addCloseHook(off);
    return () => {
      off();
      unhook();
    };
  }

  /**
   * Sends a complete Ethernet frame (destination MAC first) out of `dev` as it is, like a Linux
   * `AF_PACKET`/`SOCK_RAW` socket's send (`packet_snd`): no neighbour lookup, no header built,
   * no padding; frame observers and captures see it.
   *
   * @throws StackError `EINVAL` for a frame shorter than the 14-byte Ethernet header; `EMSGSIZE`
   * beyond the device's MTU plus that header; `ENETDOWN` when the device is down; `ENOBUFS` when
   * the driver refused it; `ENODEV` for an unknown device; `EBADF` once the stack is closed.
   */
  sendFrame(dev: NetDevice | string, frame: Uint8Array): void {
    if (this.closed) throw new StackError(EBADF, 'the stack is closed');
    const d = this.ownDevice(dev);
    if (frame.length < ETH_HLEN) throw new StackError(EINVAL, `frame of ${frame.length} bytes is shorter than the Ethernet header`);
    if (frame.length > d.mtu + ETH_HLEN) throw new StackError(EMSGSIZE, `frame of ${frame.length} bytes exceeds ${d.name}'s MTU ${d.mtu} + ${ETH_HLEN}`);
    const skb = allocSkb(frame.length);
    skb.buf.set(frame, skb.put(frame.length));
    skb.resetMacHeader();
    skb.protocol = (frame[12]! << 8) | frame[13]!;
    skb.dev = d;
    const rc = this.net.devQueueXmit(skb);
    if (rc === -ENETDOWN) throw new StackError(ENETDOWN, `${d.name}: ${strerror(ENETDOWN)}`);
    if (rc !== 0) throw new StackError(ENOBUFS, `${d.name}: ${strerror(ENOBUFS)}`);
  }

  /**
   * Registers work for {@link Stack.close} (closing a server built on the stack, for instance),
   * run before the devices are released, in registration order, awaited when it returns a
   * promise. Returns the function that unregisters it. Once the stack is closed `fn` runs at once.
   */
  addCloseHook(fn: () => unknown): () => void {
    if (this.closed) {
      void Promise.resolve().then(fn);
      return () => {};
    }
    const h = (): unknown => fn();
    this.closeHooks.add(h);
    return () => {
      this.closeHooks.delete(h);
    };
  }

  /**
   * `ip link set dev DEV [address MAC] [arp on|off] [mtu N] [up|down]`, each through its device
   * event (neighbour flushes, gratuitous ARP with `arp_notify`, a `'link'` event).
   *
   * @throws StackError `ENODEV` for an unknown device; `EINVAL` for a malformed or multicast MAC (`"MAC" is invalid lladdr.`) or an MTU outside the device's limits (`mtu less than device minimum`).
   */
  linkSet(dev: NetDevice | string, c: LinkChange): void {
    const d = this.ownDevice(dev);
    let mac: Buffer | null = null;
    if (c.address !== undefined) {
      mac = parseMac(c.address);
      if (!mac || mac[0] & 1) throw new StackError(EINVAL, `"${c.address}" is invalid lladdr.`);
    }
    if (mac) this.net.devSetMacAddress(d, mac);
    if (c.mtu !== undefined) this.net.devSetMtu(d, c.mtu);
    if (c.arp !== undefined) this.net.devChangeFlags(d, c.arp ? d.flags & ~IFF_NOARP : d.flags | IFF_NOARP);
    if (c.up === true && !(d.flags & IFF_UP)) this.net.devOpen(d);
    if (c.up === false && d.flags & IFF_UP) this.net.devClose(d);
  }

  /**
   * Shuts the stack down and leaves nothing behind that keeps a process alive: pings in flight
   * resolve with their summary; close hooks run (raw handles, frame observers, a
   * {@link ControlServer} listening for this stack closes its socket); every device goes down and
   * is unregistered — its neighbour entries flushed (`delneigh` events), packets still waiting
   * for resolution purged and counted (`inet.arp.tbl.stats.extra.queuePurged`), proxy requests
   * purged (`extra.proxyPurged`) — and destroyed (a TAP this process created disappears); then
   * every timer stops, a RealClock the stack created included, and `'close'` is emitted (which
   * ends {@link Stack.events} iterators). Idempotent; the stack cannot be reopened.
   *
   * @throws Error the first exception a close hook threw, after everything else was closed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.pingAborts) ac.abort();
    let hookError: unknown = null;
    if (this.closeHooks.size) {
      const hooks = [...this.closeHooks];
      this.closeHooks.clear();
      for (const fn of hooks) {
        try {
          await fn();
        } catch (e) {
          hookError ??= e;
        }
      }
    }
    // Every connection reset and every listener closed while the devices can still send.
    this.tcp.closeAll();
    for (const dev of this.net.deviceList) {
      this.net.unregisterNetdevice(dev);
      dev.destroy();
    }
    this.inet.close();
    this.inet6.close();
    if (this.ownsClock && this.clock instanceof RealClock) this.clock.stop();
    this.unsubscribe?.();
    this.unsubscribe6?.();
    this.unsubscribe = null;
    this.unsubscribe6 = null;
    this.emit('close');
    if (hookError !== null) throw hookError;
  }
}
