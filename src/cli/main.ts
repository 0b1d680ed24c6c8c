#!/usr/bin/env node
// The tapstack command: dispatches subcommands; usage errors exit with status 2.
import { UP_HELP, parseUpArgs, runUp } from './up.js';
import { UsageError } from './args.js';

export const MAIN_HELP = `Usage: tapstack [--name NAME] COMMAND [ARGS]

A userspace IPv4 network stack on a Linux TAP device, with the kernel's neighbour
subsystem (ARP, NUD states, hh cache, GC) re-implemented in TypeScript.

Commands:
  up        create or attach a TAP device and run the stack on it
  help      show this help, or 'tapstack help COMMAND' for a command's help

Options:
  --name NAME   instance name (default: tapstack)
  -h, --help    show this help
  --version     print the version

Run 'tapstack COMMAND --help' for the options of a command.
`;

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
  const cmd = argv.shift();
  switch (cmd) {
    case undefined:
      process.stderr.write(MAIN_HELP);
      return 2;
    case 'help':
      if (argv[0] === 'up') process.stdout.write(UP_HELP);
      else process.stdout.write(MAIN_HELP);
      return 0;
    case 'up': {
      const cfg = parseUpArgs(name ? ['--name', name, ...argv] : argv);
      if (cfg === 'help') {
        process.stdout.write(UP_HELP);
        return 0;
      }
      return runUp(cfg);
    }
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`tapstack: ${e.message}\nTry 'tapstack --help' for more information.`);
      process.exitCode = 2;
    } else {
      console.error(`tapstack: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      process.exitCode = 1;
    }
  },
);
