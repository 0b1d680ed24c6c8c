// `tapstack up`: create or attach a TAP, configure addresses and routes, serve --serve's services, run until a signal.
import { expandFeatureName } from '../core/ethtool_features.js';
import { readFileSync } from 'node:fs';
import { parseMac, formatMac } from '../ethernet/mac.js';
import { parseIPv4, parsePrefix } from '../ipv4/inet_addr.js';
import { parseIn6Prefix } from '../ipv6/in6_addr.js';
import { TapDevice } from '../drivers/tap.js';
import { Stack } from '../stack.js';
import { StackError } from '../core/errno.js';
import { UsageError, all, one, parseArgs, validIfName } from './args.js';
import { Sysctl } from '../control/sysctl.js';
import { ControlHandler } from '../control/handler.js';
import { ControlServer } from '../control/server.js';
import { controlSocketPath } from '../control/protocol.js';
import { PcapWriter } from '../core/pcap.js';
import { FaultSpecError, attachFaults, formatFaultSpec, parseFaultSpec } from '../drivers/faulty.js';
import type { FaultOptions } from '../drivers/faulty.js';
import { Services, parseServe } from './services.js';
import type { ServeEntry } from './services.js';

export const UP_HELP = `Usage: tapstack up --dev IFNAME --addr ADDR/N [--dev IFNAME2 ...] [options]

Create each TAP device IFNAME (or attach to an existing one), bring its kernel side up,
and run one tapstack network stack on all of them until SIGINT or SIGTERM.

Per device (these follow the --dev they belong to):
  --dev IFNAME        TAP device to create or attach to (1-15 characters); repeat for more
  --addr ADDR/N       an address of the stack on that link, IPv4 (A.B.C.D/N; A.B.C.D alone
                      is a /32) or IPv6 (fd00::2/64; alone a /128); repeat for more
  --mac XX:XX:XX:XX:XX:XX
                      the stack's MAC address on that link (default: random, locally administered)
  --mtu N             set the link MTU (68-65521)
  --ethtool 'FEATURE on|off ...'
                      switch offloads of that link at start, with ethtool -K's names (tso,
                      gso, gro, tx, rx, sg, rx-gro-hw, tx-tcp6-segmentation, ...), as
                      tapstack ethtool -K would; TAPSTACK_OFFLOAD=0 in the environment opens
                      every TAP with plain frames, no offloads at all
  --fault [rx:|tx:]SPEC
                      inject faults on that link, netem-like: rx: on the frames the stack
                      receives from the TAP, tx: on those it sends; without a prefix, both.
                      SPEC is KEY=VALUE items joined by commas: drop, dup, corrupt, reorder
                      (a percentage like 1% or every Nth frame like 100th), payload (corrupt
                      only L4 payloads), delay, jitter, hold (5ms), gap (frames), rate
                      (100mbit), burst, limit, size (64k), seed (integer). Repeat for the
                      other direction; the counters are in tapstack stat 'fault.*'

For the stack:
  --via A.B.C.D       default gateway (must be on a connected network)
  --sysctl KEY=VALUE  set a net.ipv4.* or net.ipv6.* setting (conf, neigh, ip_forward), as
                      sysctl(8) would; applied after the devices exist, before addresses
  --forwarding        forward IPv4 between the devices (same as --sysctl net.ipv4.ip_forward=1)
  --dad               claim each IPv4 address with RFC 5227 duplicate address detection first
                      (3 ARP probes, about 6 s); exit 1 if another host holds it. IPv6
                      addresses always go through IPv6 DAD (tentative for about 1 s), as on Linux
  --nodad             IPv6 addresses from --addr are usable at once, without DAD (as
                      ip addr add ... nodad)
  --serve SERVICE[/tcp|/udp][:PORT][,...]
                      serve inetd's internal services on all the stack's addresses (:: for
                      IPv6 and IPv4; 0.0.0.0 when IPv6 is off), over TCP and UDP unless /tcp or
                      /udp is given, on their own ports unless :PORT is; repeatable:
                        echo     7   RFC 862: sends back what it receives
                        discard  9   RFC 863: reads and drops everything
                        daytime  13  RFC 867: the local time as ctime() writes it, then closes
                        chargen  19  RFC 864: TCP: the 72-column rotating pattern until the
                                     client closes; UDP: one 74-byte line per datagram
                        http     80  TCP only: GET / a page about the stack, GET /bytes/N N
                                     bytes (up to 1 GiB) of the chargen pattern, POST or PUT:
                                     the body's length and SHA-256
                        all          every one of them on its own port
                      UDP services ignore datagrams from ports below 1024 (as inetd); counters
                      are in tapstack stat 'serve.*'
  --pcap FILE         write every frame in and out of every device, from start to stop, to
                      FILE as a pcap savefile (as tcpdump -w; read it with tcpdump -r FILE)
  --control-readonly-group GROUP
                      members of GROUP may read the stack (ip neigh, stat, monitor, ...)
                      through its control socket; changes stay with root and the owner
  --name NAME         instance name (default: tapstack); the control socket is
                      /run/tapstack/NAME.sock ($TAPSTACK_RUN_DIR overrides /run/tapstack)
  -h, --help          show this help

The stack answers ARP, neighbour discovery and ping for its addresses; every device also gets
its IPv6 link-local address (fe80::/64 from the MAC). A TAP that tapstack created is removed
when it exits; an existing persistent TAP is left in place.

Examples:
  tapstack up --dev tap0 --addr 10.0.0.2/24 --via 10.0.0.1
  tapstack up --dev tap0 --addr 10.0.0.2/24 --addr fd00::2/64 --nodad
  tapstack up --dev tap0 --addr 10.0.0.2/24 --fault rx:drop=2%,seed=7 --fault tx:reorder=1%
  tapstack up --dev tap0 --addr 10.0.0.2/24 --addr fd00::2/64 --serve all --serve http:8080
  tapstack up --dev tap0 --addr 10.0.0.2/24 --serve echo/udp,discard:9000,chargen/tcp
  tapstack up --dev tap0 --addr 10.0.0.1/24 --dev tap1 --addr 10.1.0.1/24 --forwarding \\
              --sysctl net.ipv4.conf.tap0.proxy_arp=1
`;

export interface UpDevice {
  dev: string;
  /** IPv4 --addr values. */
  addrs: { addr: number; prefixLen: number; text: string }[];
  /** IPv6 --addr values (ADDR/N as given; a bare address as ADDR/128). */
  addrs6: { addr: Buffer; prefixLen: number; text: string }[];
  mac: Buffer | undefined;
  mtu: number | undefined;
  /** --fault: the fault device's options per direction (present only when given). */
  faults?: { rx?: FaultOptions; tx?: FaultOptions };
  /** --ethtool: features to switch at start, by ethtool's names, in order (present only when given). */
  ethtool?: Record<string, boolean>;
}

export interface UpConfig {
  devices: UpDevice[];
  via: string | undefined;
  name: string;
  /** `--sysctl` settings in the order given; `--forwarding` adds net.ipv4.ip_forward=1 first. */
  sysctl: [string, string][];
  dad: boolean;
  /** --nodad: IPv6 addresses without duplicate address detection. */
  nodad: boolean;
  /** --pcap FILE: capture every frame to this savefile. */
  pcap?: string;
  /** --control-readonly-group: this gid may read the stack through its control socket. */
  readonlyGroup: number | null;
  /** --serve: the services to run (present only when given). */
  serve?: ServeEntry[];
}

const DEVICE_OPTS = new Set(['dev', 'addr', 'mac', 'mtu', 'fault', 'ethtool']);

const UP_SPEC = {
  dev: { value: true },
  addr: { value: true, repeat: true },
  mac: { value: true },
  mtu: { value: true },
  fault: { value: true, repeat: true },
  ethtool: { value: true, repeat: true },
  via: { value: true },
  sysctl: { value: true, repeat: true },
  forwarding: {},
  dad: {},
  nodad: {},
  pcap: { value: true },
  serve: { value: true, repeat: true },
  'control-readonly-group': { value: true },
  name: { value: true },
  help: { short: 'h' },
} as const;

/**
 * Cuts argv into one group per `--dev` (device options before the first --dev belong to the
 * first device) and the stack-wide rest.
 */
function splitGroups(argv: string[]): { global: string[]; groups: string[][] } {
  const global: string[] = [];
  const groups: string[][] = [];
  let cur: string[] | null = null;
  const leading: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(=.*)?$/.exec(a);
    const name = m ? m[1] : null;
    const spec = name ? (UP_SPEC as Record<string, { value?: boolean }>)[name] : undefined;
    const takesNext = spec?.value && m && m[2] === undefined && i + 1 < argv.length;
    const chunk = takesNext ? [a, argv[++i]] : [a];
    if (name === 'dev') {
      cur = [...chunk];
      groups.push(cur);
      if (groups.length === 1) cur.push(...leading);
    } else if (name && DEVICE_OPTS.has(name)) {
      (cur ?? leading).push(...chunk);
    } else {
      global.push(...chunk);
    }
  }
  if (groups.length === 0) global.push(...leading);
  return { global, groups };
}

function parseDevice(argv: string[]): UpDevice {
  const p = parseArgs(argv, UP_SPEC);
  const dev = one(p, 'dev')!;
  if (!validIfName(dev)) throw new UsageError(`invalid interface name '${dev}': 1-15 characters, no '/', ':' or spaces`);
  const addrs: UpDevice['addrs'] = [];
  const addrs6: UpDevice['addrs6'] = [];
  for (const given of all(p, 'addr')) {
    if (given.includes(':')) {
      // A bare IPv6 address is a /128, as `ip -6 addr add` takes it.
      const c6 = parseIn6Prefix(given, 128);
      if (!c6) throw new UsageError(`invalid address '${given}': expected ADDR/N with N from 0 to 128 (or ADDR for /128)`);
      addrs6.push({ addr: c6.addr, prefixLen: c6.prefixLen, text: given.includes('/') ? given : `${given}/128` });
      continue;
    }
    // A bare address is a /32, as `ip addr add` takes it.
    const c = parsePrefix(given, 32);
    if (!c) throw new UsageError(`invalid address '${given}': expected A.B.C.D/N with N from 0 to 32 (or A.B.C.D for /32)`);
    addrs.push({ ...c, text: given.includes('/') ? given : `${given}/32` });
  }
  const macText = one(p, 'mac');
  let mac: Buffer | undefined;
  if (macText !== undefined) {
    const m = parseMac(macText);
    if (!m) throw new UsageError(`invalid MAC address '${macText}': expected XX:XX:XX:XX:XX:XX`);
    if (m[0] & 1) throw new UsageError(`invalid MAC address '${macText}': a multicast address cannot be a station address`);
    if (m.every((x) => x === 0)) throw new UsageError(`invalid MAC address '${macText}': all zeros`);
    mac = m;
  }
  const mtuText = one(p, 'mtu');
  let mtu: number | undefined;
  if (mtuText !== undefined) {
    mtu = Number(mtuText);
    if (!/^\d+$/.test(mtuText) || mtu < 68 || mtu > 65521) throw new UsageError(`invalid MTU '${mtuText}': expected 68-65521`);
  }
  const faults = parseFaults(dev, all(p, 'fault'));
  const ethtool = parseEthtool(all(p, 'ethtool'));
  return { dev, addrs, addrs6, mac, mtu, ...(faults ? { faults } : {}), ...(ethtool ? { ethtool } : {}) };
}

/** `--fault [rx:|tx:]SPEC` values of one device, by direction (no prefix: both). */
function parseFaults(dev: string, given: string[]): UpDevice['faults'] {
  if (given.length === 0) return undefined;
  const out: { rx?: FaultOptions; tx?: FaultOptions } = {};
  for (const g of given) {
    const m = /^([A-Za-z]+):(.*)$/.exec(g);
    if (m && m[1] !== 'rx' && m[1] !== 'tx') throw new UsageError(`invalid --fault '${g}': the direction prefix is rx: or tx: (none: both)`);
    const dirs: ('rx' | 'tx')[] = m ? [m[1] as 'rx' | 'tx'] : ['rx', 'tx'];
    const spec = m ? m[2] : g;
    let o: FaultOptions;
    try {
      o = parseFaultSpec(spec);
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UsageError(`invalid --fault '${g}': ${e.message}`);
      throw e;
    }
    if (Object.keys(o).length === 0) throw new UsageError(`invalid --fault '${g}': no faults given (expected KEY=VALUE items like drop=1%)`);
    for (const d of dirs) {
      if (out[d]) throw new UsageError(`--fault for ${d} of ${dev} given more than once`);
      out[d] = o;
    }
  }
  return out;
}

/** A group name (from /etc/group) or number, as chgrp takes it. */
function resolveGroup(g: string): number {
  if (/^\d+$/.test(g)) return Number(g);
  let text = '';
  try {
    text = readFileSync('/etc/group', 'utf8');
  } catch {
    // no group database: only numbers work
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === g && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new UsageError(`invalid group '${g}': no such group`);
}

/** Validates `tapstack up` arguments; every problem is a UsageError (exit status 2). */
export function parseUpArgs(argv: string[]): UpConfig | 'help' {
  const { global, groups } = splitGroups(argv);
  const p = parseArgs(global, UP_SPEC);
  if (p.opts.has('help')) return 'help';
  if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  if (groups.length === 0) {
    if (p.opts.has('dev')) parseArgs(global, UP_SPEC); // reports "--dev needs a value"
    throw new UsageError('--dev IFNAME is required');
  }
  const devices = groups.map(parseDevice);
  const seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d.dev)) throw new UsageError(`device '${d.dev}' given more than once`);
    seen.add(d.dev);
  }
  if (!devices.some((d) => d.addrs.length || d.addrs6.length)) throw new UsageError('at least one --addr A.B.C.D/N (or ADDR/N for IPv6) is required');
  const via = one(p, 'via');
  if (via !== undefined && parseIPv4(via) === null) throw new UsageError(`invalid gateway '${via}': expected A.B.C.D`);
  const sysctl: [string, string][] = [];
  if (p.opts.has('forwarding')) sysctl.push(['net.ipv4.ip_forward', '1']);
  for (const kv of all(p, 'sysctl')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --sysctl '${kv}': expected KEY=VALUE`);
    sysctl.push([kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()]);
  }
  const name = one(p, 'name') ?? 'tapstack';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`invalid instance name '${name}'`);
  const groupText = one(p, 'control-readonly-group');
  const readonlyGroup = groupText === undefined ? null : resolveGroup(groupText);
  const pcap = one(p, 'pcap');
  if (pcap === '') throw new UsageError("invalid --pcap '': expected a file name");
  const serve = p.opts.has('serve') ? parseServe(all(p, 'serve')) : undefined;
  return {
    devices, via, name, sysctl, dad: p.opts.has('dad'), nodad: p.opts.has('nodad'), readonlyGroup,
    ...(pcap !== undefined ? { pcap } : {}), ...(serve !== undefined ? { serve } : {}),
  };
}

/** The status line's ` fault rx:SPEC tx:SPEC` (canonical specs), or nothing. */
function faultText(f: UpDevice['faults']): string {
  if (!f) return '';
  return (['rx', 'tx'] as const).filter((d) => f[d]).map((d) => ` fault ${d}:${formatFaultSpec(f[d]!)}`).join('');
}

/** How status lines begin: `tapstack:` for the default instance, `tapstack NAME:` for a named one. */
export function statusPrefix(name: string): string {
  return name === 'tapstack' ? 'tapstack' : `tapstack ${name}`;
}

/** Runs the stack; resolves with the exit status once a signal has shut it down. */
export async function runUp(cfg: UpConfig, log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const stack = new Stack();
  if (cfg.pcap === undefined) return runStack(cfg, log, stack);
  // --pcap: attached before the first device exists, so DAD probes and the first ARP are in it;
  // closed (flushed) after the stack has stopped, on every way out.
  let pcap: PcapWriter;
  try {
    pcap = PcapWriter.open(cfg.pcap, { onError: (e) => console.error(`tapstack: ${cfg.pcap}: ${e.message}`) });
  } catch (e) {
    console.error(`tapstack: cannot open capture file ${cfg.pcap}: ${(e as Error).message}`);
    await stack.close();
    return 1;
  }
  pcap.attach(stack.net);
  try {
    return await runStack(cfg, log, stack);
  } finally {
    const st = await pcap.close();
    log(`${statusPrefix(cfg.name)}: ${cfg.pcap}: ${st.frames} packets written${st.dropped ? `, ${st.dropped} dropped (disk too slow)` : ''}${pcap.error ? `, write error: ${pcap.error.message}` : ''}`);
  }
}

/** --ethtool 'NAME on|off ...' (repeatable): every name must be ethtool's or the kernel's, every value on or off. */
function parseEthtool(specs: string[]): Record<string, boolean> | undefined {
  if (specs.length === 0) return undefined;
  const out: Record<string, boolean> = {};
  for (const spec of specs) {
    const w = spec.split(/\s+/).filter(Boolean);
    if (w.length === 0) throw new UsageError("invalid --ethtool '': expected FEATURE on|off ...");
    for (let i = 0; i < w.length; i += 2) {
      if (expandFeatureName(w[i]) === null) throw new UsageError(`invalid --ethtool '${spec}': unknown feature '${w[i]}' (see tapstack ethtool -k DEV)`);
      const v = w[i + 1];
      if (v !== 'on' && v !== 'off') throw new UsageError(`invalid --ethtool '${spec}': '${w[i]}' is not followed by 'on' or 'off'`);
      delete out[w[i]]; // the last word for a feature wins, in its place
      out[w[i]] = v === 'on';
    }
  }
  return out;
}

async function runStack(cfg: UpConfig, log: (line: string) => void, stack: Stack): Promise<number> {
  const taps: TapDevice[] = [];
  const fail = async (msg: string): Promise<number> => {
    console.error(`tapstack: ${msg}`);
    await stack.close();
    return 1;
  };
  // What Linux would write to the kernel log (dmesg): DAD conflicts, NAs for our own addresses.
  stack.on('log', (line) => log(`${statusPrefix(cfg.name)}: ${line}`));
  for (const d of cfg.devices) {
    try {
      taps.push(stack.addDevice(TapDevice.open(d.dev, { mac: d.mac, mtu: d.mtu })));
    } catch (e) {
      return fail(`cannot open TAP device ${d.dev}: ${(e as Error).message}`);
    }
  }
  // --ethtool: before the first frame, as ethtool -K right after the device appears.
  for (let i = 0; i < taps.length; i++) {
    const want = cfg.devices[i].ethtool;
    if (want) stack.setFeatures(taps[i], want);
  }
  // --fault: the fault device between each TAP and the stack, before the first frame; its
  // counters join TS_STAT as fault.DEV.rx.* / fault.DEV.tx.*.
  const faultStats: Record<string, object> = {};
  for (let i = 0; i < taps.length; i++) {
    const f = cfg.devices[i].faults;
    if (!f) continue;
    const fd = attachFaults(taps[i], f);
    faultStats[taps[i].name] = Object.fromEntries(Object.entries(fd.stats).filter(([, v]) => v !== null));
  }
  try {
    const sysctl = new Sysctl(stack);
    for (const [k, v] of cfg.sysctl) sysctl.set(k, v);
    if (!cfg.dad) for (const d of cfg.devices) for (const a of d.addrs) stack.addAddress(d.dev, a.text);
    // IPv6 addresses start their own DAD (unless --nodad), whatever --dad says of IPv4.
    for (const d of cfg.devices) for (const a of d.addrs6) stack.addAddress(d.dev, a.text, { nodad: cfg.nodad });
  } catch (e) {
    return fail(e instanceof StackError ? e.message : String(e));
  }
  // A signal during the seconds DAD takes must still clean up.
  let interrupted: NodeJS.Signals | null = null;
  const early = (sig: NodeJS.Signals): void => {
    interrupted = sig;
    void stack.close();
  };
  if (cfg.dad) {
    process.on('SIGINT', early);
    process.on('SIGTERM', early);
    for (const d of cfg.devices) {
      if (d.addrs.length) log(`${statusPrefix(cfg.name)}: ${d.dev}: claiming ${d.addrs.map((a) => a.text).join(' ')} (duplicate address detection: 3 ARP probes and 2 announcements, about 6 s)`);
    }
    const claims = cfg.devices.flatMap((d) => d.addrs.map((a) => stack.claimAddress(d.dev, a.text)));
    const results = await Promise.allSettled(claims);
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    if (interrupted) return 0;
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) return fail(bad.reason instanceof StackError ? bad.reason.message : String(bad.reason));
  }
  try {
    if (cfg.via) stack.addRoute('default', cfg.via);
  } catch (e) {
    return fail(e instanceof StackError ? e.message : String(e));
  }
  // --serve: listening before the status line, so whoever waits for it may connect at once.
  let services: Services | null = null;
  if (cfg.serve) {
    const about = `${statusPrefix(cfg.name)}: a userspace TCP/IP stack on ${cfg.devices
      .map((d) => [d.dev, ...d.addrs.map((a) => a.text), ...d.addrs6.map((a) => a.text)].join(' '))
      .join(', ')}`;
    try {
      services = await Services.start(stack, cfg.serve, { about });
    } catch (e) {
      return fail(`cannot serve ${(e as Error).message}`);
    }
  }
  let control: ControlServer;
  try {
    const handler = new ControlHandler(stack);
    if (Object.keys(faultStats).length) handler.extraStats.fault = faultStats;
    if (services) handler.extraStats.serve = services.stats;
    control = await ControlServer.listen(handler, controlSocketPath(cfg.name), { readonlyGroup: cfg.readonlyGroup });
  } catch (e) {
    return fail(e instanceof StackError ? e.message : `control socket: ${(e as Error).message}`);
  }
  for (const w of control.warnings) console.error(`tapstack: warning: ${w}`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, code: number): void => {
      // A repeated signal is ignored, not fatal: the handlers stay (they do not keep Node alive), so
      // a second Ctrl-C or a SIGTERM after SIGINT cannot kill the stack half-way through stopping.
      if (stopping) return;
      stopping = true;
      void control.close().then(() => stack.close()).then(() => {
        const removed = taps.filter((t) => t.created).map((t) => t.name);
        log(`${statusPrefix(cfg.name)}: stopped (${why})${removed.length ? `, ${removed.join(' ')} removed` : ''}`);
        resolve(code);
      });
    };
    const onSig = (sig: NodeJS.Signals): void => stop(sig, 0);
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    // The status line comes after the handlers: whoever waits for it may signal at once.
    for (let i = 0; i < taps.length; i++) {
      const tap = taps[i];
      const addrs = cfg.devices[i].addrs;
      const addrs6 = cfg.devices[i].addrs6;
      const gwHere = cfg.via !== undefined && stack.inet.fib.lookup(parseIPv4(cfg.via)!)?.dev === tap;
      log(
        `${statusPrefix(cfg.name)}: ${tap.name} ${tap.created ? 'created' : 'attached'} lladdr ${formatMac(tap.devAddr)} mtu ${tap.mtu}` +
          `${addrs.length ? ` inet ${addrs.map((a) => a.text).join(' ')}` : ''}${gwHere ? ` via ${cfg.via}` : ''}` +
          `${addrs6.length ? ` inet6 ${addrs6.map((a) => a.text).join(' ')}${cfg.nodad ? ' nodad' : ''}` : ''}` +
          faultText(cfg.devices[i].faults),
      );
    }
    if (services) log(`${statusPrefix(cfg.name)}: serving ${services.describe()}`);
    for (const tap of taps) {
      tap.onLinkChange = (up) => {
        log(`${statusPrefix(cfg.name)}: ${tap.name}: kernel side ${up ? 'up: carrier on' : 'down: carrier off, frames to it are dropped (txLinkDown)'}`);
      };
      tap.onFatal = (err) => {
        console.error(`tapstack: ${tap.name}: ${err.message}`);
        stop('device error', 1);
      };
    }
  });
}
