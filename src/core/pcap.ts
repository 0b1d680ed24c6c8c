// Packet capture (what AF_PACKET + libpcap's pcap_dump do for tcpdump -w): classic libpcap files
// (https://www.tcpdump.org/manpages/pcap-savefile.5.html: magic 0xa1b2c3d4, version 2.4,
// microsecond timestamps, LINKTYPE_ETHERNET, snaplen 262144) fed from the core's ETH_P_ALL taps
// (Net.taps, dev_queue_xmit_nit / deliver_skb in net/core/dev.c), and a bounded per-client capture
// queue for the control channel.
//
// Frames are copied into the output buffer at the tap (a received frame lives in the driver's
// ring, and an echo reply is later rewritten in place), so what is written is exactly what
// crossed the wire: a received frame from its MAC header, a transmitted one as handed to the
// driver. Writes are batched: records go into a chunk, the chunk is written when full or on a
// timer (one writev per batch on the libuv thread pool, never a syscall per frame, never a
// blocking one). Memory is bounded: when the disk cannot keep up and the bytes waiting to be
// written reach the limit, further frames are dropped and counted, as the kernel's packet socket
// counts tp_drops when its ring is full.
import { close as fsClose, openSync, writev } from 'node:fs';
import type { Net, PacketTap } from './net.js';
import type { NetDevice } from './netdevice.js';
import type { SkBuff } from './skbuff.js';

/** Magic of a microsecond-resolution savefile (written in host order; readers swap). */
export const PCAP_MAGIC = 0xa1b2c3d4;
/** Magic of a nanosecond-resolution savefile (tcpdump --time-stamp-precision=nano); read only. */
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
/** DLT_EN10MB. */
export const LINKTYPE_ETHERNET = 1;
/** tcpdump's default snapshot length (MAXIMUM_SNAPLEN). */
export const PCAP_SNAPLEN = 262144;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** Microseconds since the Unix epoch, with microsecond resolution (Date.now() has only ms). */
export function wallclockUsec(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

// ---- in-memory encode / parse ---------------------------------------------------------------

/** The 24-byte file header (struct pcap_file_header), little-endian. */
export function encodePcapHeader(snaplen = PCAP_SNAPLEN, linktype = LINKTYPE_ETHERNET): Buffer {
  const h = Buffer.alloc(PCAP_FILE_HEADER_LEN);
  h.writeUInt32LE(PCAP_MAGIC, 0);
  h.writeUInt16LE(PCAP_VERSION_MAJOR, 4);
  h.writeUInt16LE(PCAP_VERSION_MINOR, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linktype, 20);
  return h;
}

/** Writes one record (header + captured bytes) at `off`; returns the offset after it. */
function putRecord(dst: Buffer, off: number, src: Buffer, start: number, end: number, tsUsec: number, snaplen: number): number {
  const len = end - start;
  const incl = len > snaplen ? snaplen : len;
  const sec = Math.floor(tsUsec / 1e6);
  dst.writeUInt32LE(sec >>> 0, off);
  dst.writeUInt32LE(tsUsec - sec * 1e6, off + 4);
  dst.writeUInt32LE(incl, off + 8);
  dst.writeUInt32LE(len, off + 12);
  src.copy(dst, off + PCAP_RECORD_HEADER_LEN, start, start + incl);
  return off + PCAP_RECORD_HEADER_LEN + incl;
}

/** One record (struct pcap_pkthdr + data) for a frame seen at `tsUsec` microseconds since the epoch. */
export function encodePcapRecord(frame: Buffer, tsUsec: number, snaplen = PCAP_SNAPLEN): Buffer {
  const incl = Math.min(frame.length, snaplen);
  const out = Buffer.allocUnsafe(PCAP_RECORD_HEADER_LEN + incl);
  putRecord(out, 0, frame, 0, frame.length, tsUsec, snaplen);
  return out;
}

export interface PcapFrameIn {
  data: Buffer;
  /** Microseconds since the Unix epoch. */
  tsUsec: number;
}

/** A whole savefile in memory: header and one record per frame. */
export function emitPcap(frames: Iterable<PcapFrameIn>, snaplen = PCAP_SNAPLEN, linktype = LINKTYPE_ETHERNET): Buffer {
  const parts = [encodePcapHeader(snaplen, linktype)];
  for (const f of frames) parts.push(encodePcapRecord(f.data, f.tsUsec, snaplen));
  return Buffer.concat(parts);
}

export interface PcapFileHeader {
  magic: number;
  /** Byte order the file was written in. */
  littleEndian: boolean;
  /** Timestamps in nanoseconds (0xa1b23c4d) rather than microseconds. */
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linktype: number;
}

export interface PcapFrame {
  /** Seconds part of the timestamp. */
  tsSec: number;
  /** Sub-second part: microseconds, or nanoseconds in a nanosecond file. */
  tsFrac: number;
  /** Microseconds since the epoch (nanosecond files are truncated). */
  tsUsec: number;
  /** Length on the wire. */
  origLen: number;
  /** The captured bytes (inclLen of them); a copy, not a view. */
  data: Buffer;
}

export class PcapFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PcapFormatError';
  }
}

/**
 * Parses a savefile (either byte order, micro- or nanosecond magic). Throws PcapFormatError for
 * a bad magic, a record longer than the snaplen, or a truncated record (`allowTruncated` keeps
 * the complete records of a file still being written instead).
 */
export function parsePcap(buf: Buffer, opts: { allowTruncated?: boolean } = {}): { header: PcapFileHeader; frames: PcapFrame[] } {
  if (buf.length < PCAP_FILE_HEADER_LEN) throw new PcapFormatError(`file header truncated (${buf.length} of ${PCAP_FILE_HEADER_LEN} bytes)`);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  if (magicLE === PCAP_MAGIC || magicLE === PCAP_MAGIC_NSEC) le = true;
  else if (buf.readUInt32BE(0) === PCAP_MAGIC || buf.readUInt32BE(0) === PCAP_MAGIC_NSEC) le = false;
  else throw new PcapFormatError(`bad magic 0x${magicLE.toString(16)}`);
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const magic = u32(0);
  const header: PcapFileHeader = {
    magic,
    littleEndian: le,
    nanosecond: magic === PCAP_MAGIC_NSEC,
    versionMajor: u16(4),
    versionMinor: u16(6),
    thiszone: le ? buf.readInt32LE(8) : buf.readInt32BE(8),
    sigfigs: u32(12),
    snaplen: u32(16),
    linktype: u32(20),
  };
  const frames: PcapFrame[] = [];
  let off = PCAP_FILE_HEADER_LEN;
  while (off < buf.length) {
    if (off + PCAP_RECORD_HEADER_LEN > buf.length) {
      if (opts.allowTruncated) break;
      throw new PcapFormatError(`record header truncated at offset ${off}`);
    }
    const tsSec = u32(off);
    const tsFrac = u32(off + 4);
    const incl = u32(off + 8);
    const origLen = u32(off + 12);
    if (incl > header.snaplen && header.snaplen > 0) throw new PcapFormatError(`record at offset ${off}: caplen ${incl} exceeds snaplen ${header.snaplen}`);
    if (incl > origLen) throw new PcapFormatError(`record at offset ${off}: caplen ${incl} exceeds length ${origLen}`);
    const at = off + PCAP_RECORD_HEADER_LEN;
    if (at + incl > buf.length) {
      if (opts.allowTruncated) break;
      throw new PcapFormatError(`record at offset ${off} truncated (${buf.length - at} of ${incl} bytes)`);
    }
    const usec = header.nanosecond ? Math.floor(tsFrac / 1000) : tsFrac;
    frames.push({ tsSec, tsFrac, tsUsec: tsSec * 1e6 + usec, origLen, data: Buffer.from(buf.subarray(at, at + incl)) });
    off = at + incl;
  }
  return { header, frames };
}

// ---- where a tap's frame starts -------------------------------------------------------------

/**
 * The frame's first byte as seen on the wire: a received skb has had its Ethernet header pulled
 * (eth_type_trans), so it starts at the MAC header; a transmitted one is complete at data.
 */
export function tapFrameStart(skb: SkBuff, outgoing: boolean): number {
  if (!outgoing && skb.macHeader >= 0 && skb.macHeader < skb.data) return skb.macHeader;
  return skb.data;
}

/** Installs an ETH_P_ALL tap; returns the function that removes it. */
export function addTap(net: Net, tap: PacketTap): () => void {
  net.taps.push(tap);
  return () => {
    const i = net.taps.indexOf(tap);
    if (i >= 0) net.taps.splice(i, 1);
  };
}

/** Receives a copy of one Ethernet frame as on the wire, the device's name and its direction. */
export type FrameObserver = (frame: Buffer, dev: string, dir: 'in' | 'out') => void;

/**
 * An ETH_P_ALL tap that hands `cb` a copy of every frame in and out of every device (received
 * frames from their Ethernet header, sent ones exactly as given to the driver); returns the
 * function that removes it. An exception thrown by `cb` is re-thrown asynchronously (an uncaught
 * exception) instead of unwinding through the stack's receive or transmit path.
 */
export function observeFrames(net: Net, cb: FrameObserver): () => void {
  return addTap(net, (skb, dev, outgoing) => {
    const frame = Buffer.from(skb.buf.subarray(tapFrameStart(skb, outgoing), skb.tail));
    try {
      cb(frame, dev.name, outgoing ? 'out' : 'in');
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  });
}

// ---- the savefile writer --------------------------------------------------------------------

/** Where the writer's batches go. At most one write is outstanding at a time. */
export interface PcapSink {
  write(chunks: Buffer[], cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
}

/** A file descriptor, written with writev on the thread pool (partial writes resumed). */
export function fdSink(fd: number): PcapSink {
  const writeAll = (chunks: Buffer[], cb: (err: Error | null) => void): void => {
    writev(fd, chunks, (err, written) => {
      if (err) return cb(err);
      let left = written;
      let i = 0;
      while (i < chunks.length && left >= chunks[i].length) left -= chunks[i++].length;
      if (i === chunks.length) return cb(null);
      const rest = [chunks[i].subarray(left), ...chunks.slice(i + 1)];
      writeAll(rest, cb);
    });
  };
  return { write: writeAll, close: (cb) => fsClose(fd, (e) => cb(e ?? null)) };
}

/** A stream (stdout for `-w -`); `end` closes it when the writer closes. */
export function streamSink(stream: NodeJS.WritableStream, end = false): PcapSink {
  let failed: Error | null = null;
  stream.on('error', (e: Error) => {
    failed ??= e;
  });
  return {
    write: (chunks, cb) => {
      if (failed) return cb(failed);
      stream.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), (e?: Error | null) => cb(e ?? failed ?? null));
    },
    close: (cb) => {
      if (!end || failed) return cb(null);
      stream.end(() => cb(null));
    },
  };
}

export interface PcapWriterOptions {
  snaplen?: number;
  /** Size of one output chunk; a full chunk is handed to the sink at once. Default 64 KiB. */
  chunkBytes?: number;
  /**
   * Bytes that may wait for the sink (written chunks in flight plus the one being filled) before
   * frames are dropped. Default 16 MiB.
   */
  maxPendingBytes?: number;
  /** Longest a record waits in a partly filled chunk. Default 200 ms; 0: the next macrotask. */
  flushIntervalMs?: number;
  /** Timestamp source, microseconds since the epoch (tests pass a fake). */
  now?: () => number;
  /** Called once when the sink fails (disk full, EPIPE); the writer then drops everything. */
  onError?: (err: Error) => void;
}

export interface PcapWriterStats {
  /** Records accepted (written or waiting to be). */
  frames: number;
  /** Bytes accepted, file header and record headers included. */
  bytes: number;
  /** Frames refused because the pending-bytes limit was reached or the sink had failed. */
  dropped: number;
  /** Batches handed to the sink (write system calls, partial writes aside). */
  writes: number;
  /** Bytes the sink has confirmed. */
  written: number;
}

/**
 * A pcap savefile being written. Frames are recorded with {@link PcapWriter.writeFrame} or, for
 * every device of a stack, by {@link PcapWriter.attach}; {@link PcapWriter.close} flushes and
 * closes.
 */
export class PcapWriter {
  readonly stats: PcapWriterStats = { frames: 0, bytes: 0, dropped: 0, writes: 0, written: 0 };
  /** The sink's error, once it has failed. */
  error: Error | null = null;
  readonly snaplen: number;
  private readonly chunkBytes: number;
  private readonly maxPending: number;
  private readonly flushMs: number;
  private readonly now: () => number;
  private readonly onError: ((err: Error) => void) | undefined;
  private chunk: Buffer;
  private fill = 0;
  /** Chunks handed over but not yet written. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closing: Promise<PcapWriterStats> | null = null;
  private drained: (() => void) | null = null;
  private readonly detachers: (() => void)[] = [];

  constructor(
    private readonly sink: PcapSink,
    opts: PcapWriterOptions = {},
  ) {
    this.snaplen = opts.snaplen ?? PCAP_SNAPLEN;
    this.chunkBytes = Math.max(opts.chunkBytes ?? 64 * 1024, PCAP_FILE_HEADER_LEN);
    this.maxPending = opts.maxPendingBytes ?? 16 * 1024 * 1024;
    this.flushMs = opts.flushIntervalMs ?? 200;
    this.now = opts.now ?? wallclockUsec;
    this.onError = opts.onError;
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    const h = encodePcapHeader(this.snaplen);
    h.copy(this.chunk, 0);
    this.fill = h.length;
    this.stats.bytes = h.length;
    // The header goes out at once, so a reader of a pipe (tcpdump -r -) can start.
    this.armTimer(true);
  }

  /** Creates (or truncates) FILE, mode 0600: captures hold other hosts' traffic. */
  static open(path: string, opts: PcapWriterOptions = {}): PcapWriter {
    const fd = openSync(path, 'w', 0o600);
    return new PcapWriter(fdSink(fd), opts);
  }

  /** Bytes accepted but not yet confirmed written: the memory the writer holds for output. */
  get pendingBytes(): number {
    return this.fill + this.queuedBytes + this.inFlightBytes;
  }

  /**
   * Records one frame, buf[start, end), copying it (the caller may reuse buf at once). Returns
   * false when it was dropped (the pending-bytes limit, a failed sink, a closed writer).
   */
  writeFrame(buf: Buffer, start = 0, end = buf.length, tsUsec?: number): boolean {
    const len = end - start;
    const rec = PCAP_RECORD_HEADER_LEN + (len > this.snaplen ? this.snaplen : len);
    if (this.error || this.closing || this.pendingBytes + rec > this.maxPending) {
      this.stats.dropped++;
      return false;
    }
    if (this.fill + rec > this.chunk.length) {
      this.handOver();
      if (rec > this.chunk.length) this.chunk = Buffer.allocUnsafe(rec); // a jumbo record gets its own chunk
    }
    this.fill = putRecord(this.chunk, this.fill, buf, start, end, tsUsec ?? this.now(), this.snaplen);
    this.stats.frames++;
    this.stats.bytes += rec;
    if (this.fill >= this.chunk.length) this.handOver();
    else this.armTimer(false);
    return true;
  }

  /**
   * Captures every frame in and out of the stack's devices (or only `dev`'s) until the returned
   * function is called or the writer is closed.
   */
  attach(net: Net, dev?: NetDevice | string): () => void {
    const only = dev === undefined ? null : dev;
    const tap: PacketTap = (skb, d, outgoing) => {
      if (only !== null && (typeof only === 'string' ? d.name !== only : d !== only)) return;
      this.writeFrame(skb.buf, tapFrameStart(skb, outgoing), skb.tail);
    };
    const off = addTap(net, tap);
    this.detachers.push(off);
    return off;
  }

  /** Hands the partly filled chunk to the sink now. */
  flush(): void {
    if (this.fill > 0) this.handOver();
  }

  /** Stops capturing, writes what is pending and closes the sink. Idempotent. */
  close(): Promise<PcapWriterStats> {
    if (this.closing) return this.closing;
    for (const d of this.detachers.splice(0)) d();
    this.clearTimer();
    this.flush();
    this.closing = new Promise<void>((resolve) => {
      if (!this.writing && this.queue.length === 0) resolve();
      else this.drained = resolve;
    }).then(
      () =>
        new Promise<PcapWriterStats>((resolve) => {
          this.sink.close((err) => {
            if (err) this.fail(err);
            resolve(this.stats);
          });
        }),
    );
    return this.closing;
  }

  private handOver(): void {
    this.clearTimer();
    if (this.fill === 0) return;
    const c = this.chunk.subarray(0, this.fill);
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.fill = 0;
    if (this.error) return;
    this.queue.push(c);
    this.queuedBytes += c.length;
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlightBytes = this.queuedBytes;
    this.queuedBytes = 0;
    this.writing = true;
    this.stats.writes++;
    this.sink.write(batch, (err) => {
      this.writing = false;
      if (err) {
        this.fail(err);
        this.queue = [];
        this.queuedBytes = 0;
      } else {
        this.stats.written += this.inFlightBytes;
      }
      this.inFlightBytes = 0;
      if (this.queue.length) this.pump();
      else if (this.drained) {
        const d = this.drained;
        this.drained = null;
        d();
      }
    });
  }

  private fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.onError?.(err);
  }

  private armTimer(immediate: boolean): void {
    // A pending flush never keeps the process alive; close() flushes anyway.
    if (immediate || this.flushMs <= 0) {
      if (this.immediate !== null) return;
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
      this.immediate.unref();
    } else {
      if (this.timer !== null || this.immediate !== null) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.flushMs);
      this.timer.unref();
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}

// ---- a bounded live capture (the control channel's TS_CAPTURE) ------------------------------

export interface CapturedFrame {
  dev: string;
  dir: 'in' | 'out';
  /** Microseconds since the epoch. */
  tsUsec: number;
  /** The frame's bytes (a private copy). */
  data: Buffer;
}

export interface LiveCaptureOptions {
  /** Only this device's frames. */
  dev?: NetDevice;
  /** Stop after this many frames have been delivered. */
  count?: number;
  /** Frames and bytes that may wait between deliveries; beyond them frames are dropped. */
  maxFrames?: number;
  maxBytes?: number;
  now?: () => number;
  /**
   * Takes one frame on a later macrotask; returns false when the consumer cannot take it (a
   * client that does not read), and the frame is counted as dropped.
   */
  deliver: (f: CapturedFrame) => boolean;
  /** Called once when `count` frames have been delivered (the tap is already removed). */
  onDone?: () => void;
}

/** A live capture's counters, reported to `tapstack capture` when it ends. */
export interface LiveCaptureStats {
  /** Frames the consumer took (deliver() returned true). */
  captured: number;
  /** Frames lost: queue past maxFrames/maxBytes between deliveries, or the consumer refused them. */
  dropped: number;
}

/**
 * A tap that copies frames into a bounded queue and hands them to a consumer in batches, after
 * the receive or transmit path that produced them has finished (setImmediate).
 */
export class LiveCapture {
  readonly stats: LiveCaptureStats = { captured: 0, dropped: 0 };
  private queue: CapturedFrame[] = [];
  private queuedBytes = 0;
  private scheduled: NodeJS.Immediate | null = null;
  private readonly off: () => void;
  private stopped = false;
  private readonly maxFrames: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(
    net: Net,
    private readonly opts: LiveCaptureOptions,
  ) {
    this.maxFrames = opts.maxFrames ?? 4096;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.now = opts.now ?? wallclockUsec;
    const only = opts.dev ?? null;
    this.off = addTap(net, (skb, d, outgoing) => {
      if (this.stopped || (only !== null && d !== only)) return;
      const start = tapFrameStart(skb, outgoing);
      const len = skb.tail - start;
      if (this.queue.length >= this.maxFrames || this.queuedBytes + len > this.maxBytes) {
        this.stats.dropped++;
        return;
      }
      this.queue.push({ dev: d.name, dir: outgoing ? 'out' : 'in', tsUsec: this.now(), data: Buffer.from(skb.buf.subarray(start, skb.tail)) });
      this.queuedBytes += len;
      if (this.scheduled === null) this.scheduled = setImmediate(this.deliverAll);
    });
  }

  private readonly deliverAll = (): void => {
    this.scheduled = null;
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const count = this.opts.count;
    for (const f of batch) {
      if (this.stopped) break;
      if (!this.opts.deliver(f)) {
        this.stats.dropped++;
        continue;
      }
      this.stats.captured++;
      if (count !== undefined && this.stats.captured >= count) {
        this.stop();
        this.opts.onDone?.();
        return;
      }
    }
  };

  /** Delivers what is queued, then stops. */
  finish(): void {
    if (this.stopped) return;
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.deliverAll();
    }
    this.stop();
  }

  /** Removes the tap; frames not yet delivered are discarded (not counted). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.off();
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
    this.queue = [];
    this.queuedBytes = 0;
  }
}
