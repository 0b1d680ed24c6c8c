// Watches the neighbour table of a RUNNING stack, like `ip monitor neigh`: connects to the control
// socket of `tapstack up --name NAME` (it builds no stack of its own) and prints one line per
// event, formatted as iproute2 prints them. Ends on Ctrl-C (status 0), after --count events, or
// when the stack goes away (status 1).
//
//   sudo tapstack up --dev tap0 --addr 10.0.0.2/24 --name demo &
//   sudo node examples/neigh-watch.mjs --name demo [--count N] [--dump]
//
// --dump prints the current table first (`ip neigh show`). The socket is
// /run/tapstack/NAME.sock ($TAPSTACK_RUN_DIR moves the directory); only root and the stack's
// user may connect.
import { parseArgs } from 'node:util';
import { SocketChannel, controlSocketPath, formatNeighEvent, formatNeighLine } from 'tapstack';

const USAGE = 'Usage: node examples/neigh-watch.mjs [--name NAME] [--count N] [--dump]\n';
let values;
try {
  ({ values } = parseArgs({
    options: {
      name: { type: 'string', default: 'tapstack' },
      count: { type: 'string' },
      dump: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  process.stderr.write(`neigh-watch: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const limit = values.count === undefined ? Infinity : Number(values.count);
if (values.count !== undefined && (!/^\d+$/.test(values.count) || limit < 1)) {
  process.stderr.write(`neigh-watch: invalid --count '${values.count}': expected a positive integer\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const path = controlSocketPath(values.name);
  let ch;
  try {
    ch = await SocketChannel.open(path);
  } catch (e) {
    console.error(`neigh-watch: ${e.message}`);
    return 1;
  }

  if (values.dump) {
    for (const n of await ch.dump('RTM_GETNEIGH')) process.stdout.write(formatNeighLine(n));
  }

  let seen = 0;
  let stopping = false;
  const stop = () => {
    stopping = true;
    ch.close(); // nothing else is open: the program ends by itself
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  await ch.subscribe(['neigh'], (r) => {
    if (seen >= limit) return;
    process.stdout.write(formatNeighEvent({ type: r.event, neigh: r.body }));
    if (++seen >= limit) stop();
  });
  console.error(`neigh-watch: watching ${path}`);

  const why = await ch.closed;
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  if (stopping) return 0;
  console.error(`neigh-watch: ${why.message}`);
  return 1;
}

process.exitCode = await main();
