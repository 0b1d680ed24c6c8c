// `tapstack capture`: tcpdump -w for a running stack. The stack streams every frame in and out of
// its devices over the control channel (TS_CAPTURE: 'frame' events to this client only, shed and
// counted by the stack when the client does not keep up); this command writes them to a pcap
// savefile (src/core/pcap.ts), to stdout with `-w -` (so `tapstack capture -w - | tcpdump -r -`
// works), or prints one line per frame. It ends after -c COUNT frames, on Ctrl-C (opts.signal),
// or when the reader of stdout goes away, and then prints tcpdump's counts on stderr.
import type { Writable } from 'node:stream';
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import type { Reply } from '../control/protocol.js';
import { strerror } from '../core/errno.js';
import { PcapWriter, streamSink, type LiveCaptureStats } from '../core/pcap.js';
import { formatMac } from '../ethernet/mac.js';
import { formatIPv4 } from '../ipv4/inet_addr.js';
import { getoptLong, isChannelFailure } from './arp.js';
import { Exit, type CliIO } from './io.js';

export const CAPTURE_USAGE = `Usage: tapstack capture [-w FILE|-] [-c COUNT] [-i DEV]

Captures every frame the running stack receives and sends (on all its devices, or on DEV),
exactly as on the wire, like tcpdump on the TAP.

  -w FILE      write a pcap savefile (Ethernet, microsecond timestamps, snaplen 262144);
               '-' writes it to standard output, e.g. tapstack capture -w - | tcpdump -n -r -
  -c COUNT     stop after COUNT frames
  -i DEV       only frames of device DEV
  -h, --help   show this help

Without -w, one line per frame is printed. Ctrl-C stops; the counts go to standard error.
Frames the stack or the writer had to drop because the output did not keep up are counted.
`;

export interface CaptureOptions {
  signal?: AbortSignal;
  /** Where `-w -` writes (default process.stdout). */
  stdout?: Writable;
}

interface CaptureArgs {
  file: string | undefined;
  count: number | undefined;
  dev: string | undefined;
}

function parse(argv: string[], io: CliIO): CaptureArgs {
  const { items, operands } = getoptLong('capture', argv, 'w:c:i:h', [{ name: 'help', has: 'none', val: 'h' }]);
  const a: CaptureArgs = { file: undefined, count: undefined, dev: undefined };
  for (const it of items) {
    if ('error' in it) {
      io.err(`${it.error}\n${CAPTURE_USAGE}`);
      throw new Exit(2);
    }
    switch (it.opt) {
      case 'h':
        io.out(CAPTURE_USAGE);
        throw new Exit(0);
      case 'w':
        if (it.arg === '') {
          io.err(`capture: invalid file name ''\n`);
          throw new Exit(2);
        }
        a.file = it.arg;
        break;
      case 'c':
        if (!/^[0-9]+$/.test(it.arg!) || Number(it.arg) < 1 || Number(it.arg) > Number.MAX_SAFE_INTEGER) {
          io.err(`capture: invalid packet count ${it.arg}\n`);
          throw new Exit(2);
        }
        a.count = Number(it.arg);
        break;
      case 'i':
        a.dev = it.arg;
        break;
    }
  }
  if (operands.length) {
    io.err(`capture: unexpected argument '${operands[0]}' (tapstack capture has no filter expressions)\n${CAPTURE_USAGE}`);
    throw new Exit(2);
  }
  return a;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A tcpdump -e -n style one-line summary of an Ethernet frame. */
export function summarizeFrame(dev: string, dir: 'in' | 'out', tsUsec: number, f: Buffer): string {
  const d = new Date(Math.floor(tsUsec / 1000));
  const ts = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(tsUsec % 1e6, 6)}`;
  const head = `${ts} ${dev} ${dir === 'in' ? 'In ' : 'Out'}`;
  if (f.length < 14) return `${head} truncated frame, length ${f.length}`;
  const type = f.readUInt16BE(12);
  const l2 = `${formatMac(f, 6)} > ${formatMac(f, 0)}`;
  const tname = type === 0x0800 ? 'IPv4' : type === 0x0806 ? 'ARP' : type === 0x86dd ? 'IPv6' : 'Unknown';
  let what = '';
  if (type === 0x0806 && f.length >= 42 && f.readUInt16BE(14) === 1 && f.readUInt16BE(16) === 0x0800) {
    const op = f.readUInt16BE(20);
    const spa = formatIPv4(f.readUInt32BE(28));
    const tpa = formatIPv4(f.readUInt32BE(38));
    what =
      op === 1 ? `Request who-has ${tpa} tell ${spa}, length 28` : op === 2 ? `Reply ${spa} is-at ${formatMac(f, 22)}, length 28` : `ARP op ${op}, length 28`;
  } else if (type === 0x0800 && f.length >= 34) {
    const ihl = (f[14] & 0x0f) * 4;
    const src = formatIPv4(f.readUInt32BE(26));
    const dst = formatIPv4(f.readUInt32BE(30));
    const proto = f[23];
    const totLen = f.readUInt16BE(16);
    const l4 = 14 + ihl;
    if (proto === 1 && f.length >= l4 + 8) {
      const t = f[l4];
      const kind = t === 8 ? 'echo request' : t === 0 ? 'echo reply' : `type ${t}`;
      const idseq = t === 8 || t === 0 ? `, id ${f.readUInt16BE(l4 + 4)}, seq ${f.readUInt16BE(l4 + 6)}` : '';
      what = `${src} > ${dst}: ICMP ${kind}${idseq}, length ${totLen - ihl}`;
    } else {
      what = `${src} > ${dst}: ip-proto-${proto} ${totLen - ihl}`;
    }
  }
  return `${head} ${l2}, ethertype ${tname} (0x${type.toString(16).padStart(4, '0')}), length ${f.length}${what ? `: ${what}` : ''}`;
}

/**
 * `tapstack capture ARGS`. Exit status: 0 when the capture ended normally (count reached,
 * Ctrl-C, the stdout reader gone), 1 when it could not start or the stack went away, 2 for
 * bad arguments.
 */
export async function captureCommand(argv: string[], ch: ControlChannel, io: CliIO, opts: CaptureOptions = {}): Promise<number> {
  let a: CaptureArgs;
  try {
    a = parse(argv, io);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }

  let seq: number | undefined;
  let cancelled = false;
  const cancel = (): void => {
    if (cancelled || seq === undefined) return;
    cancelled = true;
    ch.call('TS_CANCEL', { seq }).catch(() => undefined);
  };

  let writer: PcapWriter | null = null;
  let pipeGone = false;
  const onWriteError = (err: Error): void => {
    const code = (err as NodeJS.ErrnoException).code;
    // The reader of a pipe went away (tcpdump -r - -c N, head): stop quietly, as tcpdump does.
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') pipeGone = true;
    else io.err(`capture: ${a.file === '-' ? 'stdout' : a.file}: ${err.message}\n`);
    cancel();
  };
  let status = 0;
  // Opened once the stack has accepted the capture (as tcpdump opens the savefile after the
  // device): a bad -i leaves no file behind. No frame can arrive before that line.
  const startWriter = (): void => {
    if (a.file === undefined || writer) return;
    if (a.file === '-') {
      // Flushed on the next macrotask, so a reader of the pipe sees frames as they come.
      writer = new PcapWriter(streamSink(opts.stdout ?? process.stdout), { flushIntervalMs: 0, onError: onWriteError });
      return;
    }
    try {
      writer = PcapWriter.open(a.file, { onError: onWriteError });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      io.err(`capture: ${a.file}: ${err.errno ? strerror(-err.errno) : err.message}\n`);
      status = 1;
      cancel();
    }
  };

  let captured = 0;
  const onEvent = (r: Reply): void => {
    if (r.event !== 'frame' || cancelled || (a.file !== undefined && !writer)) return;
    if (a.count !== undefined && captured >= a.count) return;
    const b = r.body as { dev: string; dir: 'in' | 'out'; t: number; base64?: string; hex?: string };
    const data = b.base64 !== undefined ? Buffer.from(b.base64, 'base64') : Buffer.from(b.hex ?? '', 'hex');
    captured++;
    if (writer) writer.writeFrame(data, 0, data.length, b.t);
    else io.out(`${summarizeFrame(b.dev, b.dir, b.t, data)}\n`);
    if (a.count !== undefined && captured >= a.count) cancel();
  };

  const signal = opts.signal;
  let off: (() => void) | undefined;
  let stats: LiveCaptureStats = { captured: 0, dropped: 0 };
  /** The stack accepted the capture (its `listening on ...` line came). */
  let started = false;
  try {
    // No event groups: only this connection's capture frames.
    off = await ch.subscribe([], onEvent);
    const body: Record<string, unknown> = {};
    if (a.dev !== undefined) body.dev = a.dev;
    if (a.count !== undefined) body.count = a.count;
    const call = ch.call('TS_CAPTURE', body, 0, (r) => {
      if (r.line === undefined) return;
      started = true;
      io.err(`capture: ${r.line}\n`);
      startWriter();
    });
    seq = ch.lastSeq;
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    const r = await call;
    stats = (r.body as LiveCaptureStats | undefined) ?? stats;
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    io.err(isChannelFailure(e) ? `capture: ${e.message}\n` : `capture: ${e.message.replace(/^capture: /, '')}\n`);
    // Refused before it began (a bad -i): the reason alone, as tcpdump has no counts to give then.
    if (!started) return 1;
    status = 1;
  } finally {
    signal?.removeEventListener('abort', cancel);
    off?.();
  }
  const w = writer as PcapWriter | null;
  if (w) {
    const ws = await w.close();
    if (ws.dropped > 0 && !pipeGone) io.err(`${ws.dropped} ${ws.dropped === 1 ? 'packet' : 'packets'} dropped by the writer (output too slow)\n`);
    if (w.error && !pipeGone) status = 1;
  }
  const n = captured;
  io.err(`${n} ${n === 1 ? 'packet' : 'packets'} captured\n`);
  io.err(`${stats.dropped} ${stats.dropped === 1 ? 'packet' : 'packets'} dropped by the stack\n`);
  return status;
}
