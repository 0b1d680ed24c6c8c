// A program that uses a Stack the way an embedding application would, then closes it and simply
// returns: the process must exit on its own (no process.exit), which proves close() leaves no
// handle behind (timers, the TAP's poll handle, the control socket, its clients).
//   node lifecycle_child.mjs pair      two stacks on an in-memory pair, RealClock, no root
//   node lifecycle_child.mjs tap DEV   one stack on a TAP, the kernel as the peer (root, in a netns)
// Prints one JSON line when close() has returned; the test times the exit from there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlHandler, ControlServer, SocketChannel, Stack, TapDevice, createPair } from 'tapstack';

const mode = process.argv[2];
const runDir = mkdtempSync(join(tmpdir(), 'tapstack-lifecycle-'));
const sockPath = join(runDir, 'lc.sock');

/** Everything an application might leave open, on stack A. */
async function useEverything(a) {
  const events = [];
  const consumer = (async () => {
    for await (const ev of a.events()) events.push(ev.type === 'link' ? `link ${ev.change}` : ev.type);
  })();
  let frames = 0;
  a.observeFrames(() => frames++);
  const raw = a.openRawIp(1, () => {});
  const server = await ControlServer.listen(new ControlHandler(a), sockPath);
  const client = await SocketChannel.open(sockPath);
  const monitored = [];
  await client.subscribe(['neigh'], (r) => monitored.push(r.event));
  return { events, consumer, frames: () => frames, raw, server, client, monitored };
}

let out;
if (mode === 'pair') {
  const a = new Stack();
  const b = new Stack();
  const [pa, pb] = createPair('lc0', 'lc1');
  a.addDevice(pa);
  b.addDevice(pb);
  a.addAddress(pa, '10.99.0.1/24');
  b.addAddress(pb, '10.99.0.2/24');
  const u = await useEverything(a);
  const r = await a.ping('10.99.0.2', { count: 2, interval: 0.05 });
  // A ping whose request waits in the queue of an unresolved neighbour when the stack closes.
  const pending = a.ping('10.99.0.77', { count: 5, interval: 0.05 });
  await new Promise((res) => setTimeout(res, 20));
  await a.close();
  await b.close();
  const pr = await pending;
  await u.consumer;
  await u.client.closed;
  out = {
    received: r.received,
    pendingTransmitted: pr.transmitted,
    pendingReceived: pr.received,
    queuePurged: a.inet.arp.tbl.stats.extra.queuePurged,
    events: u.events,
    frames: u.frames(),
    rawClosed: u.raw.closed,
    socketLeft: existsSync(sockPath),
    monitored: u.monitored.length,
  };
} else if (mode === 'tap') {
  const dev = process.argv[3];
  // IPv4 only: the event sequence below must not depend on when MLD reports go out.
  const a = new Stack({ ipv6: false });
  const tap = a.addDevice(TapDevice.open(dev));
  execFileSync('ip', ['addr', 'add', '10.98.0.1/24', 'dev', dev]);
  a.addAddress(tap, '10.98.0.2/24');
  const u = await useEverything(a);
  const r = await a.ping('10.98.0.1', { count: 2, interval: 0.05 });
  const pending = a.ping('10.98.0.77', { count: 5, interval: 0.05 });
  await new Promise((res) => setTimeout(res, 20));
  await a.close();
  const pr = await pending;
  await u.consumer;
  await u.client.closed;
  out = {
    received: r.received,
    pendingTransmitted: pr.transmitted,
    queuePurged: a.inet.arp.tbl.stats.extra.queuePurged,
    events: u.events,
    frames: u.frames(),
    rawClosed: u.raw.closed,
    socketLeft: existsSync(sockPath),
    created: tap.created,
  };
} else {
  throw new Error(`usage: lifecycle_child.mjs pair | tap DEV`);
}
rmSync(runDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ closed: performance.now(), ...out })}\n`);
// No process.exit(): the event loop must be empty now.
