// Public entry point of the tapstack library.
export { Stack } from './stack.js';
export type { StackOptions, NeighEvent } from './stack.js';
export { Clock, ManualClock, RealClock, Timer } from './core/clock.js';
export { StackError, strerror } from './core/errno.js';
export { NetDevice, IFF_NOARP, IFF_UP } from './core/netdevice.js';
export { SkBuff } from './core/skbuff.js';
export { PairDevice, createPair } from './drivers/pair.js';
export { TapDevice } from './drivers/tap.js';
export type { PingOptions, PingResult, PingReply } from './ipv4/ping.js';
export type { NeighSnapshot } from './neighbour/table.js';
export { formatIPv4, parseIPv4, parseCidr } from './ipv4/inet_addr.js';
export { formatMac, parseMac } from './ethernet/mac.js';
export { Sysctl, formatSysctlLine } from './control/sysctl.js';
export type { AcdResult, AcdTiming } from './ipv4/acd.js';
