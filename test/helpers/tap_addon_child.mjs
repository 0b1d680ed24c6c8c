// Runs inside `ip netns exec <ns>` and drives the raw TAP addon (/dev/net/tun, TUNSETIFF) against real
// devices in that namespace; prints one JSON line of observations for test/unit/tap_addon.test.ts.
// Usage: node tap_addon_child.mjs <scenario> [args...]
import { AsyncLocalStorage, executionAsyncId, executionAsyncResource } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Tap } = createRequire(import.meta.url)(join(root, 'build', 'Release', 'tapstack_native.node'));

const open = (name, batch = 64, frameSize = 2048) => new Tap(name, { batch, frameSize });

/** `ip -d -j link show dev NAME` as an object, or null when the device does not exist. */
function link(name) {
  try {
    return JSON.parse(execFileSync('ip', ['-d', '-j', 'link', 'show', 'dev', name], { stdio: ['ignore', 'pipe', 'pipe'] }))[0];
  } catch {
    return null;
  }
}

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs fn and describes what it threw (null if it did not throw). */
function err(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return { type: e.constructor.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, written: e.written };
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred, ms) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await sleep(10);
  return pred();
}
const macStr = (b, off = 0) => [...b.subarray(off, off + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');

function csum(buf, start, end, initial = 0) {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i] << 8) | (i + 1 < end ? buf[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Ethernet + IPv4 + UDP frame with valid IP and UDP checksums. */
function udpFrame({ dstMac, srcMac, src, dst, sport, dport, payload }) {
  const data = Buffer.from(payload);
  const f = Buffer.alloc(14 + 20 + 8 + data.length);
  dstMac.copy(f, 0);
  srcMac.copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  const ipo = 14;
  f[ipo] = 0x45;
  f.writeUInt16BE(20 + 8 + data.length, ipo + 2);
  f.writeUInt16BE(0x1234, ipo + 4);
  f.writeUInt16BE(0x4000, ipo + 6); // DF
  f[ipo + 8] = 64;
  f[ipo + 9] = 17;
  src.split('.').forEach((x, i) => (f[ipo + 12 + i] = Number(x)));
  dst.split('.').forEach((x, i) => (f[ipo + 16 + i] = Number(x)));
  f.writeUInt16BE(~csum(f, ipo, ipo + 20) & 0xffff, ipo + 10);
  const uo = ipo + 20;
  f.writeUInt16BE(sport, uo);
  f.writeUInt16BE(dport, uo + 2);
  f.writeUInt16BE(8 + data.length, uo + 4);
  data.copy(f, uo + 8);
  // Pseudo-header: src, dst, zero+proto, UDP length.
  let pseudo = csum(f, ipo + 12, ipo + 20);
  pseudo = csum(Buffer.from([0, 17, (8 + data.length) >> 8, (8 + data.length) & 0xff]), 0, 4, pseudo);
  const c = ~csum(f, uo, f.length, pseudo) & 0xffff;
  f.writeUInt16BE(c === 0 ? 0xffff : c, uo + 6);
  return f;
}

function bind(sock, port, address) {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => resolve());
  });
}

const scenarios = {
  create(name) {
    const t = open(name, 16, 1600);
    const r = {
      name: t.name, created: t.created, ifindex: t.ifindex, fd: t.fd, closed: t.closed, polling: t.polling,
      batch: t.batch, frameSize: t.frameSize,
      rxBufferIsBuffer: Buffer.isBuffer(t.rxBuffer), rxBufferLength: t.rxBuffer.length,
      rxLengthsIsU32: t.rxLengths instanceof Uint32Array, rxLengthsLength: t.rxLengths.length,
      rxBufferStable: t.rxBuffer === t.rxBuffer, rxLengthsStable: t.rxLengths === t.rxLengths,
      linkWhileOpen: link(name),
    };
    t.close();
    Object.assign(r, { closedAfter: t.closed, fdAfter: t.fd, linkAfterClose: link(name), secondClose: err(() => t.close()) });
    return r;
  },

  auto() {
    const t = open('');
    const r = { name: t.name, created: t.created, ifindex: t.ifindex, linkWhileOpen: link(t.name) };
    t.close();
    r.linkAfterClose = link(r.name);
    return r;
  },

  attach(name) {
    const t = open(name);
    const r = { name: t.name, created: t.created, ifindex: t.ifindex, linkWhileOpen: link(name) };
    t.close();
    r.linkAfterClose = link(name);
    return r;
  },

  errors(tunName) {
    const r = {};
    r.tooLong = err(() => open('x'.repeat(16)));
    const t15 = open('abcdefghijklmno');
    r.max15 = { name: t15.name, created: t15.created };
    t15.close();
    r.slash = err(() => open('a/b'));
    r.colon = err(() => open('a:b'));
    r.space = err(() => open('a b'));
    r.dotdot = err(() => open('..'));
    r.lo = err(() => open('lo'));
    r.tun = err(() => open(tunName));

    const a = open('busy0');
    r.busy = err(() => open('busy0'));
    a.close();
    const b = open('busy0');
    r.reopenAfterClose = { created: b.created, name: b.name };

    // Argument validation (the device is open, so these are the checks, not EBADF).
    const buf = Buffer.alloc(64);
    r.args = {
      writeNotBytes: err(() => b.write('abc', 0, 3)),
      writeU16: err(() => b.write(new Uint16Array(8), 0, 4)),
      writeRange: err(() => b.write(buf, 10, 60)),
      writeNegative: err(() => b.write(buf, -1, 10)),
      writeFraction: err(() => b.write(buf, 0.5, 10)),
      batchCount: err(() => b.writeBatch(buf, new Uint32Array(2), new Uint32Array(2), 3)),
      batchFrameRange: err(() => b.writeBatch(buf, Uint32Array.of(0, 40), Uint32Array.of(10, 30), 2)),
      batchOffsetsType: err(() => b.writeBatch(buf, [0], Uint32Array.of(10), 1)),
      startNoFn: err(() => b.start(42)),
      startBadOnError: err(() => b.start(() => {}, 'nope')),
      setUpNotBool: err(() => b.setUp(1)),
      ctorNoOpts: err(() => new Tap('ok0')),
      ctorBatch0: err(() => new Tap('ok0', { batch: 0, frameSize: 2048 })),
      ctorFrameSmall: err(() => new Tap('ok0', { batch: 4, frameSize: 10 })),
      ctorNameNotString: err(() => new Tap(5, { batch: 4, frameSize: 2048 })),
      ctorWithoutNew: err(() => Tap('ok0', { batch: 4, frameSize: 2048 })),
    };
    r.ok0Exists = link('ok0') !== null; // no validation failure may leave a device behind
    r.writeWhileDown = err(() => b.write(buf, 0, 60));
    r.badMtu = err(() => b.setMtu(10));
    r.hugeMtu = err(() => b.setMtu(70000));

    b.close();
    const frames = Buffer.alloc(64);
    r.afterClose = {
      start: err(() => b.start(() => {})),
      write: err(() => b.write(frames, 0, 60)),
      writeBatch: err(() => b.writeBatch(frames, Uint32Array.of(0), Uint32Array.of(60), 1)),
      setUp: err(() => b.setUp(true)),
      isUp: err(() => b.isUp()),
      getMtu: err(() => b.getMtu()),
      setMtu: err(() => b.setMtu(1400)),
      getMac: err(() => b.getMac()),
      setCarrier: err(() => b.setCarrier(true)),
    };
    r.afterCloseNoThrow = {
      stop: err(() => b.stop()),
      ref: err(() => b.ref()),
      unref: err(() => b.unref()),
      close: err(() => b.close()),
    };
    // No failed open may leave a device behind; the TUN we were given is untouched.
    r.linksAfter = JSON.parse(ip('-j', 'link', 'show')).map((l) => l.ifname).sort();
    r.gettersAfterClose = { fd: b.fd, closed: b.closed, name: b.name, rxBufferLength: b.rxBuffer.length };
    return r;
  },

  // Run without CAP_NET_ADMIN (setpriv): creation must be refused.
  noperm(name) {
    return { open: err(() => open(name)), linkAfter: link(name) };
  },

  link(name) {
    const t = open(name);
    const r = { ifindex: t.ifindex, upBefore: t.isUp() };
    t.setUp(true);
    r.upAfter = t.isUp();
    r.flagsUp = link(name).flags;
    r.mtuBefore = t.getMtu();
    t.setMtu(1400);
    r.mtuAfter = t.getMtu();
    r.ipMtu = link(name).mtu;
    const mac = t.getMac();
    r.macIsBuffer = Buffer.isBuffer(mac);
    r.macLength = mac.length;
    r.mac = macStr(mac);
    r.ipMac = link(name).address;
    t.setCarrier(false);
    r.flagsNoCarrier = link(name).flags;
    t.setCarrier(true);
    r.flagsCarrier = link(name).flags;
    t.setUp(false);
    r.upAfterDown = t.isUp();
    r.flagsDown = link(name).flags;
    // The name getter and the ioctls follow a rename (TUNGETIFF).
    ip('link', 'set', 'dev', name, 'name', name + 'r');
    r.renamed = t.name;
    r.mtuAfterRename = t.getMtu();
    r.ipIfindex = link(name + 'r').ifindex;
    t.close();
    r.linkAfterClose = link(name + 'r');
    return r;
  },

  // IFF_VNET_HDR: TUNSETOFFLOAD's answers, and what the kernel writes in front of its frames.
  async vnet(name) {
    const t = new Tap(name, { batch: 16, frameSize: 2048, maxFrame: 10 + 14 + 65535, vnetHdr: true });
    try {
      writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
    } catch {}
    const r = { vnetHdr: t.vnetHdr, maxFrame: t.maxFrame, rxBufferLength: t.rxBuffer.length };
    // TSO without CSUM and unknown bits are EINVAL; USO (Linux 6.2+) with the rest is taken.
    r.offload = { tsoNoCsum: t.setOffload(0x02), unknown: t.setOffload(0x10000), none: t.setOffload(0), all: t.setOffload(0x67) };
    r.linkVnetHdr = link(name)?.linkinfo?.info_data?.vnet_hdr ?? null;
    t.setUp(true);
    ip('addr', 'add', '10.9.0.1/24', 'dev', name);
    ip('neigh', 'add', '10.9.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', name);
    const frames = [];
    t.start((count) => {
      for (let i = 0; i < count; i++) {
        const off = t.rxOffsets[i];
        const b = t.rxBuffer;
        frames.push({
          len: t.rxLengths[i], flags: b[off], gsoType: b[off + 1], hdrLen: b.readUInt16LE(off + 2), gsoSize: b.readUInt16LE(off + 4),
          csumStart: b.readUInt16LE(off + 6), csumOffset: b.readUInt16LE(off + 8), ethertype: b.readUInt16BE(off + 10 + 12), proto: b[off + 10 + 14 + 9],
        });
      }
    }, () => {});
    const sock = dgram.createSocket('udp4');
    await bind(sock, 0, '10.9.0.1');
    sock.send(Buffer.alloc(100, 1), 9999, '10.9.0.2');
    await waitFor(() => frames.length >= 1, 3000);
    execFileSync('/usr/bin/python3', ['-c', `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(17, 103, 1000)
s.sendto(bytes(4000), ('10.9.0.2', 9999))
`]);
    await waitFor(() => frames.length >= 2, 3000);
    r.frames = frames;
    sock.close();
    t.close();
    return r;
  },

  async datapath(name, batchArg, frameSizeArg) {
    const batch = Number(batchArg);
    const frameSize = Number(frameSizeArg);
    const t = open(name, batch, frameSize);
    // Keep IPv6 (router solicitations, MLD) off the wire so every frame is ours.
    try {
      writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
    } catch {}
    t.setUp(true);
    ip('addr', 'add', '10.9.0.1/24', 'dev', name);
    ip('neigh', 'add', '10.9.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', name);
    const kmac = t.getMac();
    const r = { kernelMac: macStr(kmac), batch, frameSize, rxBufferLength: t.rxBuffer.length };
    const bufAtStart = t.rxBuffer;
    let badOffsets = 0;

    const frames = [];
    const counts = [];
    let sameBuffer = true;
    // onFrames must run inside the Tap's async context (MakeCallback + AsyncContext): visible as a
    // non-zero execution id, the Tap as the resource, and AsyncLocalStorage carried over from start().
    const als = new AsyncLocalStorage();
    const asyncSeen = [];
    als.run({ tag: 'from-start' }, () => t.start(
      (count) => {
        counts.push(count);
        asyncSeen.push({ idNonZero: executionAsyncId() !== 0, resourceIsTap: executionAsyncResource() === t, store: als.getStore()?.tag ?? null });
        sameBuffer &&= t.rxBuffer === bufAtStart;
        const buf = t.rxBuffer;
        const lens = t.rxLengths;
        const offs = t.rxOffsets;
        let end = 0;
        for (let i = 0; i < count; i++) {
          // Frames are packed: each starts on a cache line after the one before, inside the arena.
          const off = offs[i];
          const len = lens[i];
          if (off % 64 !== 0 || off < end || off + len > buf.length) badOffsets++;
          end = off + len;
          const f = { len, dst: macStr(buf, off), src: macStr(buf, off + 6), type: buf.readUInt16BE(off + 12) };
          if (f.type === 0x0800 && buf[off + 23] === 17 && len >= 42) {
            f.ipDst = [...buf.subarray(off + 30, off + 34)].join('.');
            f.dport = buf.readUInt16BE(off + 36);
            f.udpLen = buf.readUInt16BE(off + 38);
            f.payload = buf.toString('latin1', off + 42, off + len);
          }
          frames.push(f);
        }
      },
      (e) => (r.onError = { message: e.message, code: e.code }),
    ));
    r.pollingAfterStart = t.polling;

    const sock = dgram.createSocket('udp4');
    await bind(sock, 0, '10.9.0.1');
    const payloads = Array.from({ length: 50 }, (_, i) => `m${i}:` + 'x'.repeat(i * 7));
    // Plus one frame of exactly min(frameSize, 1514) bytes: a full slot is not a truncation.
    payloads.push('m50:'.padEnd(Math.min(frameSize, 1514) - 42, 'y'));
    const N = payloads.length;
    for (const p of payloads) sock.send(p, 9999, '10.9.0.2'); // one synchronous burst
    await waitFor(() => frames.filter((f) => f.dport === 9999).length >= N, 5000);
    Object.assign(r, {
      payloads, frames, counts, sameBuffer, badOffsets, asyncSeen: asyncSeen.slice(0, 3),
      rxTruncated: t.rxTruncated, srcUdpPort: sock.address().port,
    });

    // stop() parks frames in the kernel queue; start() resumes and delivers them.
    t.stop();
    r.pollingAfterStop = t.polling;
    const before = frames.length;
    sock.send('while-stopped', 9999, '10.9.0.2');
    await sleep(200);
    r.framesWhileStopped = frames.length - before;
    let resumed = null;
    let microtaskBeforeImmediate = null;
    let resumedStore;
    als.run({ tag: 'from-restart' }, () => t.start((count) => {
      resumedStore ??= als.getStore()?.tag ?? null;
      for (let i = 0; i < count; i++)
        resumed ??= t.rxBuffer.toString('latin1', i * frameSize + 42, i * frameSize + t.rxLengths[i]);
      // Measured here, where no other I/O is pending: with MakeCallback the microtask runs as soon
      // as this callback returns; with a plain call it would wait for the next callback scope,
      // which is the immediate's own.
      let ran = false;
      queueMicrotask(() => (ran = true));
      setImmediate(() => (microtaskBeforeImmediate = ran));
    }));
    await waitFor(() => resumed !== null && microtaskBeforeImmediate !== null, 2000);
    r.resumedPayload = resumed;
    r.microtaskBeforeImmediate = microtaskBeforeImmediate;
    r.resumedStore = resumedStore;

    // A throwing onFrames goes to 'uncaughtException' and polling carries on.
    let uncaught = null;
    process.once('uncaughtException', (e) => (uncaught = e.message));
    t.start(() => {
      throw new Error('boom from onFrames');
    });
    sock.send('boom', 9999, '10.9.0.2');
    await waitFor(() => uncaught !== null, 2000);
    r.uncaught = uncaught;
    r.pollingAfterThrow = t.polling;
    t.stop();

    // Transmit: frames we write arrive at a socket bound on the kernel side.
    const rx = dgram.createSocket('udp4');
    await bind(rx, 7777, '10.9.0.1');
    const got = [];
    rx.on('message', (m, rinfo) => got.push({ msg: m.toString(), address: rinfo.address, port: rinfo.port }));
    const mk = (payload) =>
      udpFrame({ dstMac: kmac, srcMac: Buffer.from('020000000002', 'hex'), src: '10.9.0.2', dst: '10.9.0.1', sport: 5555, dport: 7777, payload });
    const one = mk('hello-write');
    const padded = Buffer.alloc(100 + one.length + 50, 0xee);
    one.copy(padded, 100);
    r.frameLength = one.length;
    r.writeRet = t.write(padded, 100, one.length);
    const two = mk('hello-subarray');
    const big = Buffer.alloc(300);
    two.copy(big, 37);
    r.writeSubarrayRet = t.write(big.subarray(37), 0, two.length);

    const bframes = [0, 1, 2, 3, 4, 5].map((k) => mk(k === 5 ? 'batch-never' : `batch-${k}`));
    const slab = Buffer.alloc(6 * 256);
    const offs = new Uint32Array(6);
    const lens = new Uint32Array(6);
    bframes.forEach((f, k) => {
      offs[k] = k * 256 + 3; // deliberately unaligned
      lens[k] = f.length;
      f.copy(slab, offs[k]);
    });
    r.writeBatchRet = t.writeBatch(slab, offs, lens, 5);
    r.txDropped = t.txDropped;
    await waitFor(() => got.length >= 7, 3000);
    await sleep(100); // would let a wrongly written 6th frame arrive
    r.received = got;

    sock.close();
    rx.close();
    t.close();
    r.linkAfterClose = link(name);
    return r;
  },

  async removal(name) {
    const t = open(name);
    t.setUp(true);
    const r = {};
    let error = null;
    t.start(
      () => {},
      (e) => {
        error = e;
        r.pollingInOnError = t.polling;
      },
    );
    ip('link', 'del', 'dev', name);
    await waitFor(() => error !== null, 3000);
    r.onError = error && { message: error.message, code: error.code, errno: error.errno, syscall: error.syscall, isError: error instanceof Error };
    r.pollingAfter = t.polling;
    r.writeAfterRemoval = err(() => t.write(Buffer.alloc(60), 0, 60));
    r.close = err(() => t.close());
    return r;
  },

  // An unref'd poll must not keep the process alive; ref() must again.
  async unref(name) {
    const t = open(name);
    t.setUp(true);
    t.start(() => {});
    t.unref();
    t.ref();
    const r = { refKeptAlive: false };
    await new Promise((resolve) => {
      setTimeout(() => {
        r.refKeptAlive = true; // only reached if the ref'd poll handle held the loop open
        resolve();
      }, 300).unref();
    });
    t.unref();
    process.on('exit', () => console.log(JSON.stringify({ ...r, exitedWithPollActive: t.polling })));
    return undefined; // printed on exit instead
  },

  // Needs --expose-gc. An unreferenced, idle Tap is finalized (closing its fd deletes the device);
  // a started one is kept alive by its poll.
  async gc(name) {
    (() => open(name + 'a'))();
    (() => {
      const t = open(name + 'b');
      t.start(() => {});
      t.unref();
    })();
    const r = { existedA: link(name + 'a') !== null };
    for (let i = 0; i < 20 && link(name + 'a') !== null; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
      await sleep(10);
    }
    r.idleGone = link(name + 'a') === null;
    r.startedAlive = link(name + 'b') !== null;
    return r;
  },
};

// A Worker that exits with its poll still active: the addon's async cleanup hook must close the uv
// handle (Node aborts on a loop closed with open handles) and the fd (deleting the device).
scenarios.worker = async (name) => {
  const { Worker } = await import('node:worker_threads');
  const addon = join(root, 'build', 'Release', 'tapstack_native.node');
  const w = new Worker(
    `const { Tap } = require(${JSON.stringify(addon)});
     const t = new Tap(${JSON.stringify(name)}, { batch: 4, frameSize: 2048 });
     t.start(() => {});
     require('node:worker_threads').parentPort.postMessage({ polling: t.polling });`,
    { eval: true },
  );
  const first = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const r = { workerPolling: first.polling, existedWhileWorkerRan: link(name) !== null };
  r.exitCode = await w.terminate();
  r.goneAfterTerminate = await waitFor(() => link(name) === null, 2000);
  return r;
};

const [scenario, ...args] = process.argv.slice(2);
if (!scenarios[scenario]) {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
try {
  const r = await scenarios[scenario](...args);
  if (r !== undefined) console.log(JSON.stringify(r));
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
