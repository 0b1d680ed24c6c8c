// `tapstack up`: create or attach a TAP, configure addresses and routes, run until a signal.
import { parseMac, formatMac } from '../ethernet/mac.js';
import { parseCidr, parseIPv4 } from '../ipv4/inet_addr.js';
import { TapDevice } from '../drivers/tap.js';
import { Stack } from '../stack.js';
import { StackError } from '../core/errno.js';
import { UsageError, all, one, parseArgs, validIfName } from './args.js';

export const UP_HELP = `Usage: tapstack up --dev IFNAME --addr A.B.C.D/N [options]

Create the TAP device IFNAME (or attach to an existing one), bring its kernel side up,
and run the tapstack network stack on it until SIGINT or SIGTERM.

Options:
  --dev IFNAME        TAP device to create or attach to (1-15 characters)
  --addr A.B.C.D/N    an IPv4 address of the stack on that link; repeat for more
  --mac XX:XX:XX:XX:XX:XX
                      the stack's MAC address (default: random, locally administered)
  --via A.B.C.D       default gateway (must be on a connected network)
  --mtu N             set the link MTU (68-2034)
  --name NAME         instance name, used for the control socket (default: tapstack)
  -h, --help          show this help

The stack answers ARP and ping for its addresses. A TAP that tapstack created is removed
when it exits; an existing persistent TAP is left in place.

Example:
  tapstack up --dev tap0 --addr 10.0.0.2/24 --via 10.0.0.1
`;

export interface UpConfig {
  dev: string;
  addrs: { addr: number; prefixLen: number; text: string }[];
  mac: Buffer | undefined;
  via: string | undefined;
  mtu: number | undefined;
  name: string;
}

/** Validates `tapstack up` arguments; every problem is a UsageError (exit status 2). */
export function parseUpArgs(argv: string[]): UpConfig | 'help' {
  const p = parseArgs(argv, {
    dev: { value: true },
    addr: { value: true, repeat: true },
    mac: { value: true },
    via: { value: true },
    mtu: { value: true },
    name: { value: true },
    help: { short: 'h' },
  });
  if (p.opts.has('help')) return 'help';
  if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const dev = one(p, 'dev');
  if (dev === undefined) throw new UsageError('--dev IFNAME is required');
  if (!validIfName(dev)) throw new UsageError(`invalid interface name '${dev}': 1-15 characters, no '/', ':' or spaces`);
  const addrTexts = all(p, 'addr');
  if (addrTexts.length === 0) throw new UsageError('at least one --addr A.B.C.D/N is required');
  const addrs = addrTexts.map((text) => {
    const c = parseCidr(text);
    if (!c) throw new UsageError(`invalid address '${text}': expected A.B.C.D/N with N from 0 to 32`);
    return { ...c, text };
  });
  const macText = one(p, 'mac');
  let mac: Buffer | undefined;
  if (macText !== undefined) {
    const m = parseMac(macText);
    if (!m) throw new UsageError(`invalid MAC address '${macText}': expected XX:XX:XX:XX:XX:XX`);
    if (m[0] & 1) throw new UsageError(`invalid MAC address '${macText}': a multicast address cannot be a station address`);
    if (m.every((x) => x === 0)) throw new UsageError(`invalid MAC address '${macText}': all zeros`);
    mac = m;
  }
  const via = one(p, 'via');
  if (via !== undefined && parseIPv4(via) === null) throw new UsageError(`invalid gateway '${via}': expected A.B.C.D`);
  const mtuText = one(p, 'mtu');
  let mtu: number | undefined;
  if (mtuText !== undefined) {
    mtu = Number(mtuText);
    if (!/^\d+$/.test(mtuText) || mtu < 68 || mtu > 2034) throw new UsageError(`invalid MTU '${mtuText}': expected 68-2034`);
  }
  const name = one(p, 'name') ?? 'tapstack';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`invalid instance name '${name}'`);
  return { dev, addrs, mac, via, mtu, name };
}

/** Runs the stack; resolves with the exit status once a signal has shut it down. */
export async function runUp(cfg: UpConfig, log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const stack = new Stack();
  let tap: TapDevice;
  try {
    tap = TapDevice.open(cfg.dev, { mac: cfg.mac, mtu: cfg.mtu });
  } catch (e) {
    const err = e as Error & { code?: string };
    console.error(`tapstack: cannot open TAP device ${cfg.dev}: ${err.message}`);
    await stack.close();
    return 1;
  }
  try {
    stack.addDevice(tap);
    for (const a of cfg.addrs) stack.addAddress(tap, a.text);
    if (cfg.via) stack.addRoute('default', cfg.via);
  } catch (e) {
    console.error(`tapstack: ${e instanceof StackError ? e.message : String(e)}`);
    await stack.close();
    return 1;
  }
  log(
    `tapstack ${cfg.name}: ${tap.name} ${tap.created ? 'created' : 'attached'} lladdr ${formatMac(tap.devAddr)} mtu ${tap.mtu}` +
      ` inet ${cfg.addrs.map((a) => a.text).join(' ')}${cfg.via ? ` via ${cfg.via}` : ''}`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, code: number): void => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      void stack.close().then(() => {
        log(`tapstack ${cfg.name}: stopped (${why})${tap.created ? `, ${tap.name} removed` : ''}`);
        resolve(code);
      });
    };
    const onSig = (sig: NodeJS.Signals): void => stop(sig, 0);
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    tap.onFatal = (err) => {
      console.error(`tapstack: ${tap.name}: ${err.message}`);
      stop('device error', 1);
    };
  });
}
