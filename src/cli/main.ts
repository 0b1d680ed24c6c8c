#!/usr/bin/env node
// The tapstack command: dispatches subcommands; usage errors exit with status 2.
import { UP_HELP, parseUpArgs, runUp } from './up.js';
import { UsageError } from './args.js';
import { ControlChannel, ControlError, SocketChannel } from '../control/channel.js';
import { controlSocketPath } from '../control/protocol.js';
import { CliIO, bufferIO, processIO } from './io.js';

type ClientCommand = (argv: string[], ch: ControlChannel, io: CliIO, opts?: { signal?: AbortSignal }) => Promise<number>;

/** Commands that talk to a running stack through its control socket. */
const CLIENT_COMMANDS: Record<string, () => Promise<ClientCommand>> = {
  ip: async () => (await import('./ip.js')).ipCommand,
  arp: async () => (await import('./arp.js')).arpCommand,
  proc: async () => (await import('./proc.js')).procCommand,
  sysctl: async () => (await import('./sysctl_cmd.js')).sysctlCommand,
  ping: async () => (await import('./ping_cmd.js')).pingCommand,
  capture: async () => (await import('./capture.js')).captureCommand,
  stat: async () => (await import('./stat.js')).statCommand,
  ss: async () => (await import('./ss.js')).ssCommand,
  ethtool: async () => (await import('./ethtool.js')).ethtoolCommand,
};

/** What each client command takes to print its own help (as the real tool spells it). */
const HELP_ARGS: Record<string, string[]> = {
  ip: ['help'],
  arp: ['-h'],
  proc: ['--help'],
  sysctl: ['-h'],
  ping: ['-h'],
  capture: ['-h'],
  stat: ['-h'],
  ss: ['-h'],
  ethtool: ['-h'],
};

/**
 * Runs one client command against the named stack. The channel connects on the first request,
 * so `--help` and usage errors never need a running stack; SIGINT/SIGTERM end monitor and ping.
 */
async function runClient(cmd: string, argv: string[], name: string, io: CliIO = processIO): Promise<number> {
  const fn = await CLIENT_COMMANDS[cmd]();
  const ch = SocketChannel.lazy(controlSocketPath(name));
  // No stack to talk to: one line and status 1 for every command (as a tool that cannot open its
  // netlink socket), not each command's own way of reporting a failed request.
  let unreachable = false;
  const cmdIO: CliIO = { out: (t) => unreachable || io.out(t), err: (t) => unreachable || io.err(t) };
  const noStack = new Promise<number>((resolve) => {
    ch.onConnectError = (e) => {
      unreachable = true;
      io.err(`tapstack: ${e.message}\n`);
      resolve(1);
    };
  });
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    return await Promise.race([fn(argv, ch, cmdIO, { signal: abort.signal }), noStack]);
  } catch (e) {
    if (e instanceof ControlError) {
      io.err(`tapstack: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    ch.close();
  }
}

/** `tapstack help [COMMAND]`: the general help, or the command's own help on stdout (status 0). */
async function runHelp(cmd: string | undefined): Promise<number> {
  if (cmd === undefined || cmd === 'help') {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (cmd === 'up') {
    process.stdout.write(UP_HELP);
    return 0;
  }
  if (!(cmd in CLIENT_COMMANDS)) throw new UsageError(`unknown command '${cmd}'`);
  const io = bufferIO();
  await runClient(cmd, HELP_ARGS[cmd], 'tapstack', io);
  process.stdout.write(io.stdout + io.stderr);
  return 0;
}

export const MAIN_HELP = `Usage: tapstack [--name NAME] COMMAND [ARGS]

A userspace IPv4 network stack on a Linux TAP device, with the kernel's neighbour
subsystem (ARP, NUD states, hh cache, GC) re-implemented in TypeScript.

Commands:
  up        create or attach TAP devices and run the stack on them
  ip        ip neigh / ip ntable / ip monitor neigh / ip link set, as iproute2
  arp       show and change the ARP table, as net-tools arp
  proc      print procfs files (net/arp, net/tcp, net/snmp, net/netstat, ...) as the kernel would
  sysctl    read and write net.ipv4.conf.* and net.ipv4.neigh.* settings
  ping      send ICMP echo requests from the stack itself, as iputils ping
  capture   write the frames of every device to a pcap file or stdout, as tcpdump -w
  stat      every counter of the stack (drops and errors included), as nstat
  ss        the stack's TCP sockets, as iproute2 ss -t
  ethtool   show and switch a device's offloads (ethtool -k / -K)
  help      show this help, or 'tapstack help COMMAND' for a command's help

All commands but 'up' talk to a running stack through its control socket,
/run/tapstack/NAME.sock ($TAPSTACK_RUN_DIR overrides the directory).

Options:
  --name NAME   instance name (default: tapstack)
  -h, --help    show this help
  --version     print the version

Run 'tapstack COMMAND --help' for the options of a command.
`;

/** The subcommand being run, so a usage error can point at its own help. */
let helpFor = 'tapstack';

async function main(argv: string[]): Promise<number> {
  let name: string | undefined;
  while (argv.length && argv[0].startsWith('-')) {
    const a = argv.shift()!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(MAIN_HELP);
      return 0;
    }
    if (a === '--version') {
      const { createRequire } = await import('node:module');
      const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
      console.log(`tapstack ${pkg.version}`);
      return 0;
    }
    if (a === '--name' || a.startsWith('--name=')) {
      name = a.includes('=') ? a.slice(7) : argv.shift();
      if (!name) throw new UsageError("option '--name' needs a value");
      continue;
    }
    throw new UsageError(`unknown option '${a}'`);
  }
  if (name !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`invalid instance name '${name}'`);
  const cmd = argv.shift();
  switch (cmd) {
    case undefined:
      process.stderr.write(MAIN_HELP);
      return 2;
    case 'help':
      return runHelp(argv[0]);
    case 'up': {
      helpFor = 'tapstack up';
      const cfg = parseUpArgs(name ? ['--name', name, ...argv] : argv);
      if (cfg === 'help') {
        process.stdout.write(UP_HELP);
        return 0;
      }
      return runUp(cfg);
    }
    default:
      if (cmd in CLIENT_COMMANDS) return runClient(cmd, argv, name ?? 'tapstack');
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`tapstack: ${e.message}\nTry '${helpFor} --help' for more information.`);
      process.exitCode = 2;
    } else {
      console.error(`tapstack: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      process.exitCode = 1;
    }
  },
);
