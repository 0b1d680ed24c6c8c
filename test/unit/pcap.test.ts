// Packet capture (src/core/pcap.ts): the savefile format byte by byte, the batched and bounded
// writer (drops counted when the sink is slower than the traffic), the tap on an in-memory stack
// pair (frames exactly as the wire carried them), and `tapstack capture` / TS_CAPTURE over the
// in-process control channel.
import { afterEach, describe, expect, it } from 'vitest';
import { MAC_01, MAC_02, TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import {
  LINKTYPE_ETHERNET,
  LiveCapture,
  PCAP_MAGIC,
  PCAP_SNAPLEN,
  PcapFormatError,
  PcapSink,
  PcapWriter,
  emitPcap,
  encodePcapHeader,
  encodePcapRecord,
  parsePcap,
  streamSink,
  wallclockUsec,
} from '../../src/core/pcap.js';
import { Stack } from '../../src/stack.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler, ControlPeer } from '../../src/control/handler.js';
import { CONTROL_VERSION, MESSAGE_TYPES, Reply } from '../../src/control/protocol.js';
import { bufferIO } from '../../src/cli/io.js';
import { CAPTURE_USAGE, captureCommand, summarizeFrame } from '../../src/cli/capture.js';

let cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await closeStacks();
});

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Lets a few rounds of writes complete (the memory sink answers on the next macrotask). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await tick();
};

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'tapstack-pcap-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A sink that keeps what it is given; `hold` keeps write callbacks until release(). */
function memorySink(hold = false) {
  const chunks: Buffer[] = [];
  const held: (() => void)[] = [];
  let closed = false;
  const sink: PcapSink & { chunks: Buffer[]; calls: number; release(): void; readonly closed: boolean; data(): Buffer } = {
    chunks,
    calls: 0,
    write(cs, cb) {
      sink.calls++;
      const done = (): void => {
        chunks.push(...cs.map((c) => Buffer.from(c)));
        cb(null);
      };
      if (hold) held.push(done);
      else setImmediate(done);
    },
    close(cb) {
      closed = true;
      cb(null);
    },
    release() {
      hold = false;
      for (const f of held.splice(0)) f();
    },
    get closed() {
      return closed;
    },
    data: () => Buffer.concat(chunks),
  };
  return sink;
}

const frame = (n: number, len = 60): Buffer => {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 7 + n) & 0xff;
  return b;
};

describe('pcap savefile format', () => {
  it('file header: magic a1b2c3d4 (host order, little-endian), version 2.4, zone 0, sigfigs 0, snaplen 262144, LINKTYPE_ETHERNET', () => {
    const h = encodePcapHeader();
    expect(h.toString('hex')).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
    expect(h.readUInt32LE(0)).toBe(PCAP_MAGIC);
    expect(h.readUInt32LE(16)).toBe(PCAP_SNAPLEN);
    expect(h.readUInt32LE(20)).toBe(LINKTYPE_ETHERNET);
  });

  it('record header: seconds and microseconds of the timestamp, caplen, length on the wire', () => {
    const f = frame(1, 42);
    const r = encodePcapRecord(f, 1_700_000_123_456_789);
    expect(r.length).toBe(16 + 42);
    expect(r.readUInt32LE(0)).toBe(1_700_000_123);
    expect(r.readUInt32LE(4)).toBe(456_789);
    expect(r.readUInt32LE(8)).toBe(42);
    expect(r.readUInt32LE(12)).toBe(42);
    expect(r.subarray(16)).toEqual(f);
    // A frame longer than the snaplen keeps its length, not its tail.
    const t = encodePcapRecord(frame(2, 100), 5_000_001, 64);
    expect([t.readUInt32LE(0), t.readUInt32LE(4), t.readUInt32LE(8), t.readUInt32LE(12), t.length]).toEqual([5, 1, 64, 100, 16 + 64]);
  });

  it('emit then parse gives back every frame, its timestamp and length', () => {
    const frames = [0, 1, 2, 3].map((i) => ({ data: frame(i, 60 + i * 500), tsUsec: 1_700_000_000_000_000 + i * 1_000_001 }));
    const { header, frames: back } = parsePcap(emitPcap(frames));
    expect(header).toMatchObject({ magic: PCAP_MAGIC, littleEndian: true, nanosecond: false, versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen: PCAP_SNAPLEN, linktype: 1 });
    expect(back.map((f) => f.data)).toEqual(frames.map((f) => f.data));
    expect(back.map((f) => f.tsUsec)).toEqual(frames.map((f) => f.tsUsec));
    expect(back.map((f) => f.origLen)).toEqual(frames.map((f) => f.data.length));
  });

  it('parses big-endian and nanosecond files as libpcap writes them on other hosts', () => {
    const be = Buffer.alloc(24 + 16 + 4);
    be.writeUInt32BE(0xa1b23c4d, 0);
    be.writeUInt16BE(2, 4);
    be.writeUInt16BE(4, 6);
    be.writeUInt32BE(65535, 16);
    be.writeUInt32BE(1, 20);
    be.writeUInt32BE(10, 24);
    be.writeUInt32BE(123_456_789, 28);
    be.writeUInt32BE(4, 32);
    be.writeUInt32BE(4, 36);
    be.write('abcd', 40);
    const p = parsePcap(be);
    expect(p.header).toMatchObject({ littleEndian: false, nanosecond: true, snaplen: 65535 });
    expect(p.frames[0]).toMatchObject({ tsSec: 10, tsFrac: 123_456_789, tsUsec: 10_123_456, origLen: 4 });
    expect(p.frames[0].data.toString()).toBe('abcd');
  });

  it('refuses a bad magic and truncated records (or keeps the complete ones when asked)', () => {
    expect(() => parsePcap(Buffer.alloc(24))).toThrow(PcapFormatError);
    expect(() => parsePcap(Buffer.alloc(10))).toThrow(/file header truncated/);
    const whole = emitPcap([{ data: frame(1), tsUsec: 1 }, { data: frame(2), tsUsec: 2 }]);
    expect(() => parsePcap(whole.subarray(0, whole.length - 5))).toThrow(/truncated/);
    expect(parsePcap(whole.subarray(0, whole.length - 5), { allowTruncated: true }).frames).toHaveLength(1);
    const bad = Buffer.from(whole);
    bad.writeUInt32LE(70, 24 + 8); // caplen > length
    expect(() => parsePcap(bad)).toThrow(/exceeds length/);
  });

  it('the wall clock has microseconds and is near Date.now()', () => {
    const t = wallclockUsec();
    expect(Number.isSafeInteger(t)).toBe(true);
    expect(Math.abs(t / 1000 - Date.now())).toBeLessThan(1000);
  });
});

describe('PcapWriter', () => {
  it('round trip through a sink: header first, then every frame with its timestamp', async () => {
    const sink = memorySink();
    let t = 1_600_000_000_000_000;
    const w = new PcapWriter(sink, { now: () => (t += 1500) });
    for (let i = 0; i < 10; i++) expect(w.writeFrame(frame(i, 60 + i))).toBe(true);
    // A slice of a larger buffer: only [start, end) is recorded.
    const big = Buffer.concat([Buffer.alloc(5, 0xee), frame(99, 42), Buffer.alloc(7, 0xee)]);
    w.writeFrame(big, 5, 47, 1_234_567_890);
    const st = await w.close();
    expect(sink.closed).toBe(true);
    const p = parsePcap(sink.data());
    expect(p.frames).toHaveLength(11);
    expect(p.frames.slice(0, 10).map((f) => f.data)).toEqual([...Array(10).keys()].map((i) => frame(i, 60 + i)));
    expect(p.frames.slice(0, 10).map((f) => f.tsUsec)).toEqual([...Array(10).keys()].map((i) => 1_600_000_000_000_000 + 1500 * (i + 1)));
    expect(p.frames[10]).toMatchObject({ tsSec: 1234, tsFrac: 567_890, data: frame(99, 42) });
    expect(st).toMatchObject({ frames: 11, dropped: 0 });
    expect(st.bytes).toBe(sink.data().length);
    expect(st.written).toBe(st.bytes);
  });

  it('batches: many frames, few writes (no write per frame); a full chunk goes out at once, the rest on the timer', async () => {
    const sink = memorySink();
    const w = new PcapWriter(sink, { chunkBytes: 4096, flushIntervalMs: 20, now: () => 1 });
    await settle(); // the header is written at once (a pipe reader can start)
    expect(sink.data().length).toBe(24);
    for (let i = 0; i < 200; i++) w.writeFrame(frame(i, 100));
    // 200 × 116 bytes in 4 KiB chunks: ~5 writes, not 200.
    await settle();
    expect(sink.calls).toBeLessThan(10);
    const before = sink.data().length;
    expect(before).toBeLessThan(24 + 200 * 116);
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.data().length).toBe(24 + 200 * 116);
    await w.close();
    expect(parsePcap(sink.data()).frames).toHaveLength(200);
  });

  it('bounded memory: when the sink does not keep up, frames are dropped and counted, never queued without limit', async () => {
    const sink = memorySink(true);
    const w = new PcapWriter(sink, { chunkBytes: 1024, maxPendingBytes: 8192, now: () => 7 });
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (w.writeFrame(frame(i, 100))) accepted++;
    expect(w.pendingBytes).toBeLessThanOrEqual(8192);
    expect(w.stats.dropped).toBe(1000 - accepted);
    expect(accepted).toBe(Math.floor((8192 - 24) / 116));
    expect(w.stats.frames).toBe(accepted);
    // The disk catches up: frames are accepted again.
    sink.release();
    await settle();
    // Only the partly filled chunk (waiting for the flush timer) is left.
    expect(w.pendingBytes).toBeLessThan(1024);
    w.flush();
    await settle();
    expect(w.pendingBytes).toBe(0);
    expect(w.writeFrame(frame(1000, 100))).toBe(true);
    const st = await w.close();
    const p = parsePcap(sink.data());
    expect(p.frames).toHaveLength(accepted + 1);
    expect(st.dropped).toBe(1000 - accepted);
    // What was kept is intact and in order.
    expect(p.frames.slice(0, accepted).map((f) => f.data)).toEqual([...Array(accepted).keys()].map((i) => frame(i, 100)));
  });

  it('a failing sink (disk full, EPIPE) is reported once; later frames are dropped and counted', async () => {
    const errors: Error[] = [];
    const sink: PcapSink = { write: (_c, cb) => setImmediate(() => cb(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))), close: (cb) => cb(null) };
    const w = new PcapWriter(sink, { onError: (e) => errors.push(e) });
    w.writeFrame(frame(1));
    w.flush();
    await tick();
    await tick();
    expect(w.error?.message).toMatch(/ENOSPC/);
    expect(w.writeFrame(frame(2))).toBe(false);
    const st = await w.close();
    expect(st.dropped).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('writes a file (mode 0600) that tcpdump/tshark read without complaint', async () => {
    const f = join(tmp(), 'x.pcap');
    const w = PcapWriter.open(f);
    // Well-formed Ethernet frames (local experimental ethertype 0x88b5), one line each in tcpdump.
    const eth = (n: number, len: number): Buffer => Buffer.concat([Buffer.from('020000000002020000000001', 'hex'), Buffer.from([0x88, 0xb5]), frame(n, len - 14)]);
    const frames = [eth(1, 60), eth(2, 1514), eth(3, 42)];
    for (const fr of frames) w.writeFrame(fr);
    await w.close();
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const p = parsePcap(readFileSync(f));
    expect(p.frames.map((x) => x.data)).toEqual(frames);
    if (spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0) {
      const r = spawnSync('tcpdump', ['-r', f, '-nn', '-e'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      // One header line per frame (tcpdump hex-dumps the unknown payload on indented lines).
      expect(r.stdout.split('\n').filter((l) => /^\d\d:/.test(l)).map((l) => l.replace(/^\S+ /, ''))).toEqual([
        '02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 60: ',
        '02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 1514: ',
        '02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 42: ',
      ]);
    }
  });

  it('streamSink (stdout for -w -): the header first, frames after; close ends the stream', async () => {
    const s = new PassThrough();
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    const w = new PcapWriter(streamSink(s, true), { flushIntervalMs: 0, now: () => 3_000_000 });
    await tick();
    expect(Buffer.concat(got)).toEqual(encodePcapHeader());
    w.writeFrame(frame(5));
    await tick();
    await tick();
    expect(parsePcap(Buffer.concat(got)).frames).toHaveLength(1);
    await w.close();
    expect(s.writableEnded).toBe(true);
  });
});

type Env = TwoStacks;

/** Stack A (tap0 10.0.0.1) wired to stack B (peer0 10.0.0.2); both ends record what they send. */
function pair(): Env {
  return twoStacks({ names: ['tap0', 'peer0'], macs: [MAC_01, MAC_02], record: true });
}

/** A pings B `count` times, moving the clock. */
async function ping(env: Env, count: number): Promise<void> {
  let done = false;
  const p = env.A.ping('10.0.0.2', { count, interval: 1 }).finally(() => (done = true));
  for (let i = 0; !done && i < 100; i++) {
    await tick();
    env.clock.advance(1000);
  }
  await p;
}

describe('the tap: every frame in and out, as on the wire', () => {
  it('A pings B: ARP request out, reply in, echo requests out, replies in, byte for byte what each end sent', async () => {
    const env = pair();
    const sink = memorySink();
    const w = new PcapWriter(sink);
    w.attach(env.A.net);
    expect(env.A.net.taps).toHaveLength(1);
    await ping(env, 3);
    await w.close();
    // Zero cost afterwards: the tap is gone.
    expect(env.A.net.taps).toHaveLength(0);
    const got = parsePcap(sink.data()).frames.map((f) => f.data);
    // A's sends and B's sends interleave as request/reply on the wire.
    const wire: Buffer[] = [];
    for (let i = 0; i < env.ea.sent.length; i++) {
      wire.push(env.ea.sent[i]);
      if (env.eb.sent[i]) wire.push(env.eb.sent[i]);
    }
    expect(got).toEqual(wire);
    expect(got).toHaveLength(8);
    const types = got.map((f) => f.readUInt16BE(12));
    expect(types).toEqual([0x0806, 0x0806, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800]);
    // Received frames start at the MAC header: their destination is A's MAC.
    expect(got[1].subarray(0, 6).toString('hex')).toBe('020000000001');
    expect(got[3][34]).toBe(0); // ICMP echo reply, not the request it was rewritten from
  });

  it('attach to one device only; timestamps increase', async () => {
    const env = pair();
    const sink = memorySink();
    const w = new PcapWriter(sink);
    w.attach(env.B.net, 'nope0');
    const w2 = new PcapWriter(memorySink());
    w2.attach(env.B.net, env.eb);
    await ping(env, 1);
    await w.close();
    await w2.close();
    expect(parsePcap(sink.data()).frames).toHaveLength(0);
    expect(w2.stats.frames).toBe(4);
  });

  it('LiveCapture: a bounded queue between deliveries, drops counted; count ends it and removes the tap', async () => {
    const env = pair();
    const got: string[] = [];
    const cap = new LiveCapture(env.A.net, { maxFrames: 2, deliver: (f) => (got.push(`${f.dev} ${f.dir} ${f.data.length}`), true) });
    env.eb.receiveFrame(frame(1, 60));
    env.eb.receiveFrame(frame(2, 60));
    // Frames delivered to B's end: not A's. Now three frames into A in one turn:
    for (let i = 0; i < 3; i++) env.ea.receiveFrame(Buffer.concat([Buffer.from('ffffffffffff020000000009', 'hex'), Buffer.from([0x88, 0xb5]), Buffer.alloc(46)]));
    await tick();
    expect(got).toEqual(['tap0 in 60', 'tap0 in 60']);
    expect(cap.stats).toEqual({ captured: 2, dropped: 1 });
    cap.stop();
    expect(env.A.net.taps).toHaveLength(0);

    let done = 0;
    const c2 = new LiveCapture(env.A.net, { count: 2, deliver: () => true, onDone: () => done++ });
    await ping(env, 2);
    expect(done).toBe(1);
    expect(c2.stats.captured).toBe(2);
    expect(env.A.net.taps).toHaveLength(0);
  });
});

describe('TS_CAPTURE and tapstack capture', () => {
  function controlled() {
    const env = pair();
    const handler = new ControlHandler(env.A);
    const ch = new LocalChannel(handler);
    cleanup.push(() => ch.close());
    return { ...env, handler, ch };
  }

  it('is a known message type', () => {
    expect(MESSAGE_TYPES.has('TS_CAPTURE')).toBe(true);
  });

  it('streams frame events to that peer only, ends with captured/dropped; unknown device is ENODEV', async () => {
    const env = controlled();
    const events: Reply[] = [];
    const off = await env.ch.subscribe([], (r) => events.push(r));
    const lines: string[] = [];
    const done = env.ch.call('TS_CAPTURE', { count: 4, encoding: 'hex' }, 0, (r) => lines.push(r.line!));
    await tick();
    await ping(env, 2);
    const r = await done;
    off();
    expect(lines).toEqual(['listening on all devices, link-type EN10MB (Ethernet), snapshot length 262144 bytes']);
    expect(r.body).toEqual({ captured: 4, dropped: 0 });
    expect(events.map((e) => [e.event, (e.body as { dev: string }).dev, (e.body as { dir: string }).dir])).toEqual([
      ['frame', 'tap0', 'out'],
      ['frame', 'tap0', 'in'],
      ['frame', 'tap0', 'out'],
      ['frame', 'tap0', 'in'],
    ]);
    expect((events[0].body as { hex: string }).hex).toBe(env.ea.sent[0].toString('hex'));
    expect(typeof (events[0].body as { t: number }).t).toBe('number');
    expect(env.A.net.taps).toHaveLength(0);
    await expect(env.ch.call('TS_CAPTURE', { dev: 'nope0' })).rejects.toMatchObject({ errno: -19, message: 'Cannot find device "nope0"' });
    await expect(env.ch.call('TS_CAPTURE', { encoding: 'raw' })).rejects.toMatchObject({ errno: -22 });
  });

  it('a client that does not read loses frames (counted) instead of growing the stack\'s memory; hanging up ends the capture', async () => {
    const env = pair();
    const handler = new ControlHandler(env.A);
    const sent: Reply[] = [];
    let closed = false;
    const onClose: (() => void)[] = [];
    let backlog = 0;
    const peer: ControlPeer = {
      send: (r) => {
        sent.push(r);
        backlog += 600;
      },
      get closed() {
        return closed;
      },
      get backlog() {
        return backlog;
      },
      onClose: (fn) => onClose.push(fn),
    };
    const p = handler.handle({ v: CONTROL_VERSION, seq: 7, type: 'TS_CAPTURE', body: { encoding: 'hex' } }, peer);
    await tick();
    backlog = 2 * 1024 * 1024; // the client stopped reading
    await ping(env, 3);
    const frames = sent.filter((r) => r.event === 'frame');
    expect(frames).toHaveLength(0);
    backlog = 0; // it reads again
    await ping(env, 1);
    expect(sent.filter((r) => r.event === 'frame')).toHaveLength(2);
    closed = true;
    for (const f of onClose) f();
    await p;
    expect(env.A.net.taps).toHaveLength(0);
    // The ARP exchange and 3 echo exchanges were lost while it did not read, and counted.
    expect(sent.at(-1)).toEqual({ v: CONTROL_VERSION, seq: 7, done: true, body: { captured: 2, dropped: 8 } });
  });

  it('TS_CANCEL ends a capture early with its summary', async () => {
    const env = controlled();
    const done = env.ch.call('TS_CAPTURE', {});
    const seq = env.ch.lastSeq;
    await tick();
    await ping(env, 1);
    await env.ch.call('TS_CANCEL', { seq });
    expect((await done).body).toEqual({ captured: 4, dropped: 0 });
    expect(env.A.net.taps).toHaveLength(0);
  });

  it('capture -c 4 -w FILE writes the first four frames, byte for byte; the counts go to stderr', async () => {
    const env = controlled();
    const f = join(tmp(), 'c.pcap');
    const io = bufferIO();
    const run = captureCommand(['-c', '4', '-w', f], env.ch, io);
    await tick();
    await tick();
    await ping(env, 3);
    expect(await run).toBe(0);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(
      'capture: listening on all devices, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n4 packets captured\n0 packets dropped by the stack\n',
    );
    const p = parsePcap(readFileSync(f));
    expect(p.frames.map((x) => x.data)).toEqual([env.ea.sent[0], env.eb.sent[0], env.ea.sent[1], env.eb.sent[1]]);
  });

  it('capture -w - writes the savefile to stdout; without -w, one line per frame; -i filters', async () => {
    const env = controlled();
    const out = new PassThrough();
    const got: Buffer[] = [];
    out.on('data', (d: Buffer) => got.push(d));
    const io = bufferIO();
    const run = captureCommand(['-c', '2', '-w', '-', '-i', 'tap0'], env.ch, io, { stdout: out });
    await tick();
    await ping(env, 1);
    expect(await run).toBe(0);
    expect(parsePcap(Buffer.concat(got)).frames.map((x) => x.data)).toEqual([env.ea.sent[0], env.eb.sent[0]]);
    expect(io.stderr).toContain('listening on tap0,');

    const io2 = bufferIO();
    const run2 = captureCommand(['-c', '4'], env.ch, io2);
    await tick();
    await ping(env, 2);
    expect(await run2).toBe(0);
    const lines = io2.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} tap0 Out 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 \(0x0800\), length 98: 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length 64$/);
    expect(lines[1]).toMatch(/ tap0 In  02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 \(0x0800\), length 98: 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length 64$/);
  });

  it('bad arguments exit 2 with the usage; an unknown device exits 1 and leaves no file', async () => {
    const env = controlled();
    const run = async (argv: string[]): Promise<[number, string, string]> => {
      const io = bufferIO();
      const code = await captureCommand(argv, env.ch, io);
      return [code, io.stdout, io.stderr];
    };
    expect(await run(['-h'])).toEqual([0, CAPTURE_USAGE, '']);
    expect(await run(['-c', '0'])).toEqual([2, '', 'capture: invalid packet count 0\n']);
    expect(await run(['-x'])).toEqual([2, '', `capture: invalid option -- 'x'\n${CAPTURE_USAGE}`]);
    expect((await run(['icmp']))[0]).toBe(2);
    const f = join(tmp(), 'none.pcap');
    expect(await run(['-i', 'nope0', '-w', f])).toEqual([1, '', 'capture: Cannot find device "nope0"\n']); // the reason alone: no counts
    expect(await run(['-i', 'nope0'])).toEqual([1, '', 'capture: Cannot find device "nope0"\n']);
    expect(() => statSync(f)).toThrow();
    expect(env.A.net.taps).toHaveLength(0);
  });

  it('summaries of ARP frames', () => {
    const arp = Buffer.from('ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002', 'hex');
    expect(summarizeFrame('tap0', 'out', 0, arp)).toMatch(/ tap0 Out 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 42: Request who-has 10\.0\.0\.2 tell 10\.0\.0\.1, length 28$/);
  });
});
