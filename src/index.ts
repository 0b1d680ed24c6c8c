// Public entry point of the tapstack library.
// The declarations use Node's types (Buffer, EventEmitter, NodeJS.Timeout): the directive, kept in
// dist/index.d.ts by preserve="true", loads @types/node for consumers whose `types` does not list
// it (TypeScript 6 and later default `types` to []).
/// <reference types="node" preserve="true" />
export { Stack } from './stack.js';
export type { StackOptions, NeighEvent, StackStats, StackEventMap } from './stack.js';
export { TypedEventEmitter } from './core/typed_emitter.js';
export type { EmitterMetaEvents, Events } from './core/typed_emitter.js';
export { Clock, ManualClock, RealClock, Timer } from './core/clock.js';
export { StackError, strerror } from './core/errno.js';
export { NetDevice, IFF_NOARP, IFF_UP } from './core/netdevice.js';
export { SkBuff } from './core/skbuff.js';
export { PairDevice, createPair } from './drivers/pair.js';
export { TapDevice } from './drivers/tap.js';
export type { TapError } from './drivers/tap_addon.js';
export type { PingOptions, PingResult, PingReply } from './socket/ping.js';
export type { NeighSnapshot, PneighSnapshot } from './neighbour/table.js';
export {
  NUD_NONE,
  NUD_INCOMPLETE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_DELAY,
  NUD_PROBE,
  NUD_FAILED,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_VALID,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_EXT_LEARNED,
  NTF_MANAGED,
  nudStateNames,
  nudStateFromName,
} from './neighbour/nud.js';
export { formatIPv4, parseIPv4, parseCidr } from './ipv4/inet_addr.js';
export { formatMac, parseMac } from './ethernet/mac.js';
export { Sysctl, formatSysctlLine } from './control/sysctl.js';
export type { AcdResult, AcdStats, AcdTiming } from './ipv4/acd.js';
export { ControlHandler } from './control/handler.js';
export { ControlChannel, ControlError, LocalChannel, SocketChannel } from './control/channel.js';
export { ControlServer } from './control/server.js';
export { controlSocketPath } from './control/protocol.js';
export type { SockDiagMsg } from './control/protocol.js';
export type { NeighRequest, NeighWriteMode, NtableChange, LinkInfo, LinkChange } from './stack.js';
export type { DeviceFeature, FeatureSetResult } from './core/ethtool_features.js';
export type {
  LinkEvent,
  LinkEventChange,
  StackEvent,
  StackEventType,
  StackEventsOptions,
  StackEventIterator,
} from './stack.js';
export type { RawIpHandle, RawIpInfo, RawIpListener, RawIpOptions, RawIpSendOptions, RawIpStats } from './ipv4/raw.js';
export type { RawIp6Handle, RawIp6Info, RawIp6Listener, RawIp6Options, RawIp6SendOptions, RawIp6Stats } from './ipv6/raw.js';
export { formatIn6, parseIn6 } from './ipv6/in6_addr.js';
export type { AddrSnapshot } from './core/addr_info.js';
export type { AddrEvent, AddrOptions, DelAddrOptions, RouteRequest, RouteGetOptions } from './stack.js';
export type { RouteSnapshot, RouteCommon } from './core/route_info.js';
export type { Ip6Stats, MldStats } from './ipv6/af_inet6.js';
export type { Icmp6Stats } from './ipv6/icmp.js';
export type { NdiscStats, NdiscDrops } from './ipv6/ndisc.js';
export type { FrameObserver } from './core/pcap.js';
export { formatNeighEvent, formatNeighLine } from './cli/fmt_neigh.js';
export type { NeighShowOptions, NeighLineKind } from './cli/fmt_neigh.js';
export { UdpSocket } from './socket/dgram.js';
export type { UdpSocketEventMap, UdpSocketOptions, UdpRemoteInfo, UdpAddressInfo, UdpBindOptions, UdpSocketError } from './socket/dgram.js';
export { TcpServer, TcpSocket } from './socket/net.js';
export { FaultInjector, FaultSpecError, FaultyDevice, attachFaults, faultsOf, formatFaultSpec, parseFaultSpec } from './drivers/faulty.js';
export type { AttachFaultsOptions, FaultChance, FaultDirection, FaultOptions, FaultStats } from './drivers/faulty.js';
export type { TcpConnectOptions, TcpListenOptions, TcpServerOptions, TcpSocketError, TcpSocketOptions } from './socket/net.js';
export type { TcpExtStats, TcpStats } from './tcp/tcp_stats.js';
export type { UdpStats } from './ipv4/udp.js';
export type { NeighStatCounters, NeighStatistics, NeighExtraStats } from './neighbour/table.js';
export type { ArpStats, ArpDrops } from './ipv4/arp.js';
export type { IpStats } from './ipv4/af_inet.js';
export type { IcmpStats } from './ipv4/icmp.js';
export type { CoreStats } from './core/net.js';
export type { DeviceStats } from './core/netdevice.js';
export type { TapStats, TapDeviceOptions } from './drivers/tap.js';
export type { PairStats } from './drivers/pair.js';
export type { FibRoute } from './ipv4/fib.js';
export type { NtableView, NtableParmsView, NtableConfigView, NtableStatsView } from './neighbour/tbl_info.js';
export type { NeighParmName, NeighParmsValues } from './neighbour/parms.js';
export type { SysctlEntry, SysctlListOptions } from './control/sysctl.js';
export type { ControlServerOptions, ControlServerStats } from './control/server.js';
export type { LiveCaptureStats } from './core/pcap.js';
