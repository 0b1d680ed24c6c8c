// Typed loader for the native TAP addon (native/tap.cc): /dev/net/tun with TUNSETIFF IFF_TAP|IFF_NO_PI,
// uv_poll-driven batched read(), write(), and SIOC*/TUNSETCARRIER ioctls (drivers/net/tun.c).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A JS Error carrying the failing syscall's errno (negative, as Node's system errors) and its symbolic code. */
export interface TapError extends Error {
  /** 'ENOENT', 'EPERM', 'EBUSY', 'EINVAL', 'EBADF', 'EBADFD', ... */
  code: string;
  /** Negative errno, as Node reports it (EBUSY: -16). */
  errno: number;
  /** 'open', 'TUNSETIFF', 'read', 'write', 'SIOCSIFMTU', ... ('tap' for "tap device is closed"). */
  syscall: string;
  /** writeBatch only: frames written before the failing one. */
  written?: number;
}

export interface TapOptions {
  /** Frames drained per wake-up (at most; fewer when large frames fill the arena). 1-4096. */
  batch: number;
  /** Bytes of receive arena per frame of a full batch; use >= MTU + 14 (+10 with vnetHdr). 64-131072. */
  frameSize: number;
  /**
   * The largest frame one read may return (frameSize-131072; default frameSize); longer ones are
   * cut to it and counted in rxTruncated. Larger than frameSize, the arena grows by four of them.
   */
  maxFrame?: number;
  /** Open with IFF_VNET_HDR: every frame read or written starts with a 10-byte virtio_net_hdr. */
  vnetHdr?: boolean;
}

/** TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h): what the kernel may hand the reader. */
export const TUN_F_CSUM = 0x01;
/** TCPv4 super-frames (needs TUN_F_CSUM). */
export const TUN_F_TSO4 = 0x02;
/** TCPv6 super-frames (needs TUN_F_CSUM). */
export const TUN_F_TSO6 = 0x04;
/** TSO with ECN. */
export const TUN_F_TSO_ECN = 0x08;
/** UDP segmentation offload for IPv4 and IPv6, together (Linux 6.2+). */
export const TUN_F_USO4 = 0x20;
/** See TUN_F_USO4. */
export const TUN_F_USO6 = 0x40;

/**
 * One open TAP queue (the raw addon object). After close() every method except stop(), close(),
 * ref() and unref() throws a TapError with code 'EBADF'; getters keep working.
 */
export interface TapHandle {
  /** Current kernel name (re-read from the fd, so it follows renames). */
  readonly name: string;
  /** True when this open created the device: it is non-persistent and vanishes on close(). */
  readonly created: boolean;
  /** Kernel ifindex, resolved at open. */
  readonly ifindex: number;
  /** The /dev/net/tun fd, or -1 once closed. */
  readonly fd: number;
  readonly closed: boolean;
  /** True between start() and stop()/close()/a read error. */
  readonly polling: boolean;
  readonly batch: number;
  readonly frameSize: number;
  /** The largest frame one read returns (maxFrame of the options). */
  readonly maxFrame: number;
  /** Opened with IFF_VNET_HDR. */
  readonly vnetHdr: boolean;
  /**
   * The receive arena, created once: frame i of the latest onFrames(count) call is
   * rxBuffer[rxOffsets[i], rxOffsets[i] + rxLengths[i]). Only valid until the callback returns.
   */
  readonly rxBuffer: Buffer;
  /** Length of each frame in rxBuffer (created once, length batch). */
  readonly rxLengths: Uint32Array;
  /** Offset of each frame in rxBuffer, 64-byte aligned (created once, length batch). */
  readonly rxOffsets: Uint32Array;
  /** Frames longer than frameSize (cut to frameSize). */
  readonly rxTruncated: number;
  /** Frames writeBatch() skipped because the kernel refused them with EAGAIN/ENOBUFS. */
  readonly txDropped: number;

  /**
   * Polls the fd on the current thread's libuv loop; each wake-up drains up to `batch` frames and
   * calls onFrames(count) (microtasks run afterwards). A read error other than EAGAIN (e.g. EBADFD
   * when the device is deleted) stops polling and is passed to onError. Calling start() again
   * replaces the callbacks. An active poll keeps the object alive until stop()/close().
   */
  start(onFrames: (count: number) => void, onError?: (err: TapError) => void): void;
  /** Stops polling. Idempotent; a no-op after close(). */
  stop(): void;
  /** Whether an active poll keeps the event loop alive (default: it does). Never throws. */
  ref(): void;
  unref(): void;
  /** One write() of buf[offset, offset+length); bytes written, or -errno for EAGAIN/ENOBUFS (a drop). */
  write(buf: Uint8Array, offset: number, length: number): number;
  /**
   * Writes frames i < count, each buf[offsets[i], offsets[i]+lengths[i]), in one native call.
   * Returns how many were written; EAGAIN/ENOBUFS refusals are skipped and counted in txDropped.
   * Other errors throw (with `written` set).
   */
  writeBatch(buf: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
  setUp(up: boolean): void;
  isUp(): boolean;
  getMtu(): number;
  setMtu(mtu: number): void;
  /** Kernel-side hardware address (SIOCGIFHWADDR), 6 bytes. */
  getMac(): Buffer;
  /** TUNSETCARRIER (Linux 5.0+). */
  setCarrier(on: boolean): void;
  /** TUNSETOFFLOAD with TUN_F_* flags: 0, or the negative errno (EINVAL: a flag this kernel lacks). */
  setOffload(flags: number): number;
  /** Stops polling, closes the poll handle and the fd. Idempotent. */
  close(): void;
}

export interface TapConstructor {
  new (name: string, opts: TapOptions): TapHandle;
}

interface NativeModule {
  Tap: TapConstructor;
  peerCred(fd: number): PeerCred;
  mallocKeep(topPad: number, trimThreshold: number): boolean;
}

let mallocKept = false;

/**
 * Once per process, unless the environment sets glibc's own MALLOC_TOP_PAD_ or
 * MALLOC_TRIM_THRESHOLD_ or TAPSTACK_MALLOC_KEEP=0: the C heap grows in 64 MiB steps and keeps up
 * to 128 MiB of freed memory (mallopt M_TOP_PAD, M_TRIM_THRESHOLD) instead of returning it to the
 * kernel after every burst. Receiving 64 KiB super-frames into new Buffers otherwise spends ~15 %
 * of the time faulting fresh pages in (kernel → tapstack TCP measured 8.8–13.4 Gbit/s default,
 * 15.3–16.4 tuned). Only untouched pages are given back, so RSS stays at the peak working set.
 * True when the setting was applied now.
 */
export function mallocKeepOnce(): boolean {
  if (mallocKept) return false;
  mallocKept = true;
  const e = process.env;
  if (e.TAPSTACK_MALLOC_KEEP === '0' || e.MALLOC_TOP_PAD_ !== undefined || e.MALLOC_TRIM_THRESHOLD_ !== undefined) return false;
  return load().mallocKeep(64 << 20, 128 << 20);
}

/** SO_PEERCRED of a connected Unix socket. */
export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

/** Who is on the other end of a Unix socket (by its file descriptor). */
export function peerCred(fd: number): PeerCred {
  return load().peerCred(fd);
}

export const DEFAULT_BATCH = 64;
export const DEFAULT_FRAME_SIZE = 2048;

function findPackageRoot(start: string): string {
  // dist/drivers and src/drivers both sit two levels below the root; walking up also covers other layouts.
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(start, '..', '..');
  }
}

const here = dirname(fileURLToPath(import.meta.url));
/** Absolute path of the compiled addon. */
export const addonPath = join(findPackageRoot(here), 'build', 'Release', 'tapstack_native.node');

let cached: NativeModule | undefined;
let loadError: Error | undefined;

function load(): NativeModule {
  if (cached) return cached;
  if (loadError) throw loadError;
  if (!existsSync(addonPath)) {
    loadError = Object.assign(new Error(`tapstack native addon not built: run npm install (missing ${addonPath})`), {
      code: 'ERR_TAPSTACK_ADDON_MISSING',
    });
    throw loadError;
  }
  try {
    cached = createRequire(import.meta.url)(addonPath) as NativeModule;
    return cached;
  } catch (cause) {
    loadError = Object.assign(
      new Error(`tapstack native addon failed to load from ${addonPath}: ${(cause as Error).message} (rebuild with npm install)`,
        { cause }),
      { code: 'ERR_TAPSTACK_ADDON_LOAD' },
    );
    throw loadError;
  }
}

/** True when the addon is built and loads (does not check for /dev/net/tun or privileges). */
export function addonAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** The raw addon class, for callers that want `new Tap(...)` directly. */
export function tapClass(): TapConstructor {
  return load().Tap;
}

/**
 * Opens (creating if needed) TAP device `name` in the calling thread's network namespace; ''
 * lets the kernel pick tap%d. Throws a TapError (EPERM, EBUSY, EINVAL, ENOENT, ...).
 */
export function openTap(name: string, opts: Partial<TapOptions> = {}): TapHandle {
  const { Tap } = load();
  const o: TapOptions = { batch: opts.batch ?? DEFAULT_BATCH, frameSize: opts.frameSize ?? DEFAULT_FRAME_SIZE };
  if (opts.maxFrame !== undefined) o.maxFrame = opts.maxFrame;
  if (opts.vnetHdr !== undefined) o.vnetHdr = opts.vnetHdr;
  return new Tap(name, o);
}
