// Two tapstack stacks in one process, joined by an in-memory Ethernet cable: no TAP, no root.
// A pings B, both print their neighbour tables (as `ip neigh show` would), then both close and
// the program ends by itself.
//
//   node examples/two-stacks.mjs
import { Stack, createPair, formatNeighLine } from 'tapstack';

const a = new Stack();
const b = new Stack();
const [ethA, ethB] = createPair('eth-a', 'eth-b'); // what one end sends, the other receives
a.addDevice(ethA);
b.addDevice(ethB);
a.addAddress(ethA, '192.168.50.1/24');
b.addAddress(ethB, '192.168.50.2/24');

// Watch A's neighbour table while it resolves B (close() flushes it: its delneigh comes too).
a.on('neigh', (ev) => console.log(`[A event] ${ev.type} ${ev.neigh.dst} ${ev.neigh.stateNames.join(',')}`));

const r = await a.ping('192.168.50.2', { count: 3, interval: 0.2, onLine: (line) => console.log(line) });

for (const [name, stack] of [['A', a], ['B', b]]) {
  console.log(`\nneighbour table of ${name}:`);
  for (const n of stack.neighbours()) process.stdout.write(formatNeighLine(n));
}

await a.close();
await b.close();
console.log(`\n${r.received}/${r.transmitted} replies; both stacks closed`);
process.exitCode = r.received === r.transmitted ? 0 : 1;
