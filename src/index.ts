// Public entry point of the tapstack library.
export { Stack } from './stack.js';
export type { StackOptions, NeighEvent, StackStats } from './stack.js';
export { Clock, ManualClock, RealClock, Timer } from './core/clock.js';
export { StackError, strerror } from './core/errno.js';
export { NetDevice, IFF_NOARP, IFF_UP } from './core/netdevice.js';
export { SkBuff } from './core/skbuff.js';
export { PairDevice, createPair } from './drivers/pair.js';
export { TapDevice } from './drivers/tap.js';
export type { PingOptions, PingResult, PingReply } from './ipv4/ping.js';
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
export type { AcdResult, AcdTiming } from './ipv4/acd.js';
export { ControlHandler } from './control/handler.js';
export { ControlChannel, ControlError, LocalChannel, SocketChannel } from './control/channel.js';
export { ControlServer } from './control/server.js';
export { controlSocketPath } from './control/protocol.js';
export type { NeighRequest, NeighWriteMode, NtableChange, LinkInfo, LinkChange } from './stack.js';
export type {
  LinkEvent,
  LinkEventChange,
  StackEvent,
  StackEventType,
  StackEventsOptions,
  StackEventIterator,
} from './stack.js';
export type { RawIpHandle, RawIpInfo, RawIpListener, RawIpOptions, RawIpSendOptions, RawIpStats } from './ipv4/raw.js';
export type { FrameObserver } from './core/pcap.js';
export { formatNeighEvent, formatNeighLine } from './cli/fmt_neigh.js';
export type { NeighShowOptions, NeighLineKind } from './cli/fmt_neigh.js';
export { UdpSocket } from './socket/dgram.js';
export type { UdpSocketOptions, UdpRemoteInfo, UdpAddressInfo, UdpBindOptions, UdpSocketError } from './socket/dgram.js';
export type { UdpStats } from './ipv4/udp.js';
