// Tests of the native TAP addon (/dev/net/tun, TUNSETIFF IFF_TAP|IFF_NO_PI, SIOC* ioctls). Everything that
// touches the kernel runs in a child process inside a throwaway network namespace (ip netns exec).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addonAvailable, addonPath, openTap, type TapError } from '../../src/drivers/tap_addon.js';

const CI = process.env.CI === 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(root, 'test', 'helpers', 'tap_addon_child.mjs');

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
const haveKernelAccess =
  process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/dev/net/tun') && which('ip') && which('setpriv');
const haveAddon = addonAvailable();

const caught = (fn: () => unknown): TapError => {
  try {
    fn();
  } catch (e) {
    return e as TapError;
  }
  throw new Error('expected a throw');
};

describe.runIf(haveAddon || CI)('tap_addon loader (no kernel access)', () => {
  it('finds the built addon under the package root', () => {
    expect(addonAvailable()).toBe(true);
    expect(addonPath).toBe(join(root, 'build', 'Release', 'tapstack_native.node'));
  });

  // Names the kernel itself also rejects, so even a broken check cannot create a host device.
  it.each(['a/b', 'a:b', 'a b', 'a\tb'])('rejects interface name %j before any syscall', (name) => {
    const e = caught(() => openTap(name));
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe(`bad interface name '${name}': must be 1-15 characters without '/', ':' or whitespace`);
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(-22);
    expect(e.syscall).toBe('TUNSETIFF');
  });

  it('validates batch and frameSize before opening', () => {
    expect(() => openTap('bad/name', { batch: 0 })).toThrow(new RangeError('opts.batch must be 1-4096'));
    expect(() => openTap('bad/name', { batch: 5000 })).toThrow(new RangeError('opts.batch must be 1-4096'));
    expect(() => openTap('bad/name', { frameSize: 63 })).toThrow(new RangeError('opts.frameSize must be 64-131072'));
    expect(() => openTap('bad/name', { batch: 1.5 })).toThrow(RangeError);
    expect(() => openTap('bad/name', { frameSize: 2048, maxFrame: 1500 })).toThrow(new RangeError('opts.maxFrame must be frameSize-131072'));
    expect(() => openTap('bad/name', { maxFrame: 200000 })).toThrow(new RangeError('opts.maxFrame must be frameSize-131072'));
    expect(() => openTap('bad/name', { vnetHdr: 1 as unknown as boolean })).toThrow(new TypeError('opts.vnetHdr must be a boolean'));
  });
});

/** The addon as built (its file exists) and loading as `exports`, for a fresh import of tap_addon. */
function mockAddon(exports: object): void {
  vi.resetModules();
  vi.doMock('node:fs', async (orig) => {
    const fs = await orig<typeof import('node:fs')>();
    return { ...fs, existsSync: (p: string) => (String(p).endsWith('.node') ? true : fs.existsSync(p)) };
  });
  vi.doMock('node:module', async (orig) => {
    const mod = await orig<typeof import('node:module')>();
    return { ...mod, createRequire: () => () => exports };
  });
}

describe('tap_addon loader (mocked)', () => {
  it('passes defaults batch=64 frameSize=2048 to the native constructor', async () => {
    const calls: unknown[][] = [];
    class FakeTap {
      constructor(...args: unknown[]) {
        calls.push(args);
      }
    }
    mockAddon({ Tap: FakeTap });
    try {
      const m = await import('../../src/drivers/tap_addon.js');
      m.openTap('x0');
      m.openTap('x1', { batch: 8 });
      m.openTap('', { frameSize: 9000 });
      expect(calls).toEqual([
        ['x0', { batch: 64, frameSize: 2048 }],
        ['x1', { batch: 8, frameSize: 2048 }],
        ['', { batch: 64, frameSize: 9000 }],
      ]);
    } finally {
      vi.doUnmock('node:fs');
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });

  it.each([
    [{}, [[64 << 20, 128 << 20]], true],
    [{ TAPSTACK_MALLOC_KEEP: '0' }, [], false],
    [{ MALLOC_TOP_PAD_: '1048576' }, [], false],
    [{ MALLOC_TRIM_THRESHOLD_: '1048576' }, [], false],
  ])('mallocKeepOnce with %o: mallopt once per process, never against the environment', async (env, want, first) => {
    const calls: unknown[][] = [];
    mockAddon({ mallocKeep: (...a: unknown[]) => (calls.push(a), true) });
    const keys = ['TAPSTACK_MALLOC_KEEP', 'MALLOC_TOP_PAD_', 'MALLOC_TRIM_THRESHOLD_'];
    const saved = keys.map((k) => process.env[k]);
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, env);
    try {
      const m = await import('../../src/drivers/tap_addon.js');
      expect(m.mallocKeepOnce()).toBe(first);
      expect(m.mallocKeepOnce()).toBe(false);
      expect(calls).toEqual(want);
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
      vi.doUnmock('node:fs');
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });

  it('says how to fix a missing build', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (orig) => {
      const fs = await orig<typeof import('node:fs')>();
      return { ...fs, existsSync: (p: string) => (String(p).endsWith('.node') ? false : fs.existsSync(p)) };
    });
    try {
      const m = await import('../../src/drivers/tap_addon.js');
      expect(m.addonAvailable()).toBe(false);
      const e = caught(() => m.openTap('x0'));
      expect(e.message).toMatch(/^tapstack native addon not built: run npm install/);
      expect(e.code).toBe('ERR_TAPSTACK_ADDON_MISSING');
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe.runIf(haveKernelAccess || CI)('tap addon against the kernel (in a network namespace)', () => {
  const ns = `tsaddon-${process.pid}-${randomBytes(3).toString('hex')}`;
  let nsCreated = false;

  const sh = (...args: string[]) => {
    const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.error}`);
    return r.stdout;
  };
  const inNs = (...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);
  const linkIn = (name: string): Json | null => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'ip', '-d', '-j', 'link', 'show', 'dev', name], { encoding: 'utf8' });
    return r.status === 0 ? JSON.parse(r.stdout)[0] : null;
  };

  function child(scenario: string, args: string[] = [], o: { pre?: string[]; nodeArgs?: string[] } = {}): Json {
    const argv = ['netns', 'exec', ns, ...(o.pre ?? []), process.execPath, ...(o.nodeArgs ?? []), CHILD, scenario, ...args];
    const r = spawnSync('ip', argv, { encoding: 'utf8', timeout: 20000 });
    if (r.status !== 0)
      throw new Error(`child ${scenario} exited with ${r.status} (signal ${r.signal}):\n${r.stderr}\n${r.stdout}`);
    const lines = r.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!);
  }

  beforeAll(() => {
    if (!haveKernelAccess)
      throw new Error('CI=true but this runner lacks root, /dev/net/tun, ip or setpriv: the TAP addon tests cannot run');
    if (!haveAddon) throw new Error('CI=true but the native addon is not built (npm install)');
    sh('ip', 'netns', 'add', ns);
    nsCreated = true;
  });

  afterAll(() => {
    if (nsCreated) spawnSync('ip', ['netns', 'del', ns]); // takes every device in it along
  });

  it('creates a named TAP, and close() removes it', () => {
    const r = child('create', ['tc0']);
    expect(r.name).toBe('tc0');
    expect(r.created).toBe(true);
    expect(r.fd).toBeGreaterThanOrEqual(0);
    expect(r.closed).toBe(false);
    expect(r.polling).toBe(false);
    expect(r.linkWhileOpen.ifname).toBe('tc0');
    expect(r.ifindex).toBe(r.linkWhileOpen.ifindex);
    expect(r.linkWhileOpen.linkinfo.info_kind).toBe('tun');
    expect(r.linkWhileOpen.linkinfo.info_data).toMatchObject({ type: 'tap', pi: false, multi_queue: false, persist: false });
    expect([r.batch, r.frameSize]).toEqual([16, 1600]);
    expect(r.rxBufferIsBuffer).toBe(true);
    expect(r.rxBufferLength).toBe(16 * 1600);
    expect(r.rxLengthsIsU32).toBe(true);
    expect(r.rxLengthsLength).toBe(16);
    expect(r.rxBufferStable && r.rxLengthsStable).toBe(true);
    expect(r.closedAfter).toBe(true);
    expect(r.fdAfter).toBe(-1);
    expect(r.linkAfterClose).toBeNull();
    expect(r.secondClose).toBeNull(); // close() is idempotent
    expect(linkIn('tc0')).toBeNull();
  });

  it('lets the kernel choose the name when given ""', () => {
    const r = child('auto');
    expect(r.name).toMatch(/^tap\d+$/);
    expect(r.created).toBe(true);
    expect(r.linkWhileOpen.ifname).toBe(r.name);
    expect(r.linkWhileOpen.ifindex).toBe(r.ifindex);
    expect(r.linkWhileOpen.linkinfo.info_data.type).toBe('tap');
    expect(r.linkAfterClose).toBeNull();
  });

  it('attaches to an existing persistent TAP without deleting it on close', () => {
    inNs('ip', 'tuntap', 'add', 'dev', 'tpersist0', 'mode', 'tap');
    try {
      const before = linkIn('tpersist0');
      expect(before.linkinfo.info_data.persist).toBe(true);
      const r = child('attach', ['tpersist0']);
      expect(r.created).toBe(false);
      expect(r.name).toBe('tpersist0');
      expect(r.ifindex).toBe(before.ifindex);
      expect(r.linkAfterClose).not.toBeNull();
      expect(r.linkAfterClose.ifindex).toBe(before.ifindex);
      expect(linkIn('tpersist0')).not.toBeNull();
    } finally {
      spawnSync('ip', ['netns', 'exec', ns, 'ip', 'tuntap', 'del', 'dev', 'tpersist0', 'mode', 'tap']);
    }
    expect(linkIn('tpersist0')).toBeNull();
  });

  describe('error paths', () => {
    let r: Json;
    beforeAll(() => {
      inNs('ip', 'tuntap', 'add', 'dev', 'ttun0', 'mode', 'tun');
      try {
        r = child('errors', ['ttun0']);
      } finally {
        spawnSync('ip', ['netns', 'exec', ns, 'ip', 'tuntap', 'del', 'dev', 'ttun0', 'mode', 'tun']);
      }
    });

    it('rejects bad names with EINVAL and accepts exactly 15 characters', () => {
      const msg = (n: string) => `bad interface name '${n}': must be 1-15 characters without '/', ':' or whitespace`;
      expect(r.tooLong).toMatchObject({ message: msg('x'.repeat(16)), code: 'EINVAL', errno: -22, syscall: 'TUNSETIFF' });
      expect(r.slash).toMatchObject({ message: msg('a/b'), code: 'EINVAL' });
      expect(r.colon).toMatchObject({ message: msg('a:b'), code: 'EINVAL' });
      expect(r.space).toMatchObject({ message: msg('a b'), code: 'EINVAL' });
      expect(r.dotdot).toMatchObject({ message: msg('..'), code: 'EINVAL' });
      expect(r.max15).toEqual({ name: 'abcdefghijklmno', created: true });
    });

    it('refuses an existing device that is not a TAP (lo, a TUN) with EINVAL', () => {
      expect(r.lo).toEqual({
        type: 'Error',
        message: "TUNSETIFF lo: Invalid argument ('lo' exists but is not a single-queue TAP device)",
        code: 'EINVAL',
        errno: -22,
        syscall: 'TUNSETIFF',
      });
      expect(r.tun).toMatchObject({ code: 'EINVAL', message: expect.stringContaining("'ttun0' exists but is not a single-queue TAP") });
      expect(r.linksAfter).toEqual(['lo', 'ttun0']);
      expect(r.ok0Exists).toBe(false);
    });

    it('reports EBUSY while another fd holds the TAP, and succeeds once it is closed', () => {
      expect(r.busy).toEqual({
        type: 'Error',
        message: 'TUNSETIFF busy0: Device or resource busy (another process holds it)',
        code: 'EBUSY',
        errno: -16,
        syscall: 'TUNSETIFF',
      });
      expect(r.reopenAfterClose).toEqual({ created: true, name: 'busy0' });
    });

    it('throws EBADF "tap device is closed" from every method after close()', () => {
      const names = ['start', 'write', 'writeBatch', 'setUp', 'isUp', 'getMtu', 'setMtu', 'getMac', 'setCarrier'];
      expect(Object.keys(r.afterClose).sort()).toEqual([...names].sort());
      for (const m of names)
        expect(r.afterClose[m], m).toEqual({ type: 'Error', message: 'tap device is closed', code: 'EBADF', errno: -9, syscall: 'tap' });
      expect(r.afterCloseNoThrow).toEqual({ stop: null, ref: null, unref: null, close: null });
      expect(r.gettersAfterClose).toEqual({ fd: -1, closed: true, name: 'busy0', rxBufferLength: 64 * 2048 });
    });

    it('validates arguments with TypeError/RangeError', () => {
      const a = r.args;
      expect(a.writeNotBytes).toMatchObject({ type: 'TypeError', message: 'buf must be a Buffer or Uint8Array' });
      expect(a.writeU16.type).toBe('TypeError');
      expect(a.writeRange).toMatchObject({ type: 'RangeError', message: 'offset + length exceeds buf' });
      expect(a.writeNegative.type).toBe('RangeError');
      expect(a.writeFraction.type).toBe('RangeError');
      expect(a.batchCount).toMatchObject({ type: 'RangeError', message: 'count exceeds offsets/lengths' });
      expect(a.batchFrameRange).toMatchObject({ type: 'RangeError', message: 'frame 1 exceeds buf' });
      expect(a.batchOffsetsType).toMatchObject({ type: 'TypeError', message: 'offsets must be a Uint32Array' });
      expect(a.startNoFn).toMatchObject({ type: 'TypeError', message: 'onFrames must be a function' });
      expect(a.startBadOnError).toMatchObject({ type: 'TypeError', message: 'onError must be a function' });
      expect(a.setUpNotBool.type).toBe('TypeError');
      expect(a.ctorNoOpts.type).toBe('TypeError');
      expect(a.ctorBatch0.type).toBe('RangeError');
      expect(a.ctorFrameSmall.type).toBe('RangeError');
      expect(a.ctorNameNotString.type).toBe('TypeError');
      expect(a.ctorWithoutNew.type).toBe('TypeError');
    });

    it('turns kernel refusals into errors: write while down (EIO), MTU out of range (EINVAL)', () => {
      expect(r.writeWhileDown).toEqual({
        type: 'Error',
        message: 'write busy0: Input/output error (is the device up?)',
        code: 'EIO',
        errno: -5,
        syscall: 'write',
      });
      expect(r.badMtu).toMatchObject({ code: 'EINVAL', syscall: 'SIOCSIFMTU', message: expect.stringMatching(/^SIOCSIFMTU busy0: Invalid argument \(MTU 10 /) });
      expect(r.hugeMtu).toMatchObject({ code: 'EINVAL', syscall: 'SIOCSIFMTU' });
    });
  });

  it('fails with EPERM without CAP_NET_ADMIN (root with the capability dropped)', () => {
    const r = child('noperm', ['tperm0'], { pre: ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin'] });
    expect(r.open).toEqual({
      type: 'Error',
      message: 'TUNSETIFF tperm0: Operation not permitted (needs root or CAP_NET_ADMIN)',
      code: 'EPERM',
      errno: -1,
      syscall: 'TUNSETIFF',
    });
    expect(r.linkAfter).toBeNull();
  });

  it('fails as an unprivileged user (EPERM, or EACCES when /dev/net/tun is not world-accessible)', () => {
    const r = child('noperm', ['tperm1'], { pre: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    const worldRw = (statSync('/dev/net/tun').mode & 0o006) === 0o006;
    if (worldRw) expect(r.open).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'TUNSETIFF' });
    else
      expect(r.open).toMatchObject({
        code: 'EACCES',
        errno: -13,
        syscall: 'open',
        message: expect.stringMatching(/^open \/dev\/net\/tun: Permission denied \(/),
      });
    expect(r.linkAfter).toBeNull();
  });

  it('sets and reads link state: up, MTU, MAC, carrier; follows a rename', () => {
    const r = child('link', ['tl0']);
    expect(r.upBefore).toBe(false);
    expect(r.upAfter).toBe(true);
    expect(r.flagsUp).toContain('UP');
    expect(r.mtuBefore).toBe(1500);
    expect(r.mtuAfter).toBe(1400);
    expect(r.ipMtu).toBe(1400);
    expect(r.macIsBuffer).toBe(true);
    expect(r.macLength).toBe(6);
    expect(r.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(r.mac).toBe(r.ipMac);
    expect(r.flagsNoCarrier).toContain('NO-CARRIER');
    expect(r.flagsNoCarrier).not.toContain('LOWER_UP');
    expect(r.flagsCarrier).toContain('LOWER_UP');
    expect(r.upAfterDown).toBe(false);
    expect(r.flagsDown).not.toContain('UP');
    expect(r.renamed).toBe('tl0r');
    expect(r.mtuAfterRename).toBe(1400);
    expect(r.ipIfindex).toBe(r.ifindex);
    expect(r.linkAfterClose).toBeNull();
  });

  it('IFF_VNET_HDR: TUNSETOFFLOAD refuses TSO without CSUM and unknown bits; frames arrive behind a virtio_net_hdr (partial checksum, UDP GSO)', () => {
    const r = child('vnet', ['td0']);
    expect(r).toMatchObject({ vnetHdr: true, maxFrame: 65559, rxBufferLength: 16 * 2048 + 4 * 65559, linkVnetHdr: true });
    expect(r.offload).toEqual({ tsoNoCsum: -22, unknown: -22, none: 0, all: 0 });
    // A UDP datagram with TUN_F_CSUM: NEEDS_CSUM from the UDP header (14 + 20), field at 6.
    expect(r.frames[0]).toEqual({ len: 10 + 14 + 20 + 8 + 100, flags: 1, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 34, csumOffset: 6, ethertype: 0x0800, proto: 17 });
    // One UDP_SEGMENT write of 4000 bytes in 1000s: one super-datagram, gso_type UDP_L4 (5).
    expect(r.frames[1]).toMatchObject({ len: 10 + 14 + 20 + 8 + 4000, flags: 1, gsoType: 5, gsoSize: 1000, csumStart: 34, csumOffset: 6, proto: 17 });
    expect(r.frames).toHaveLength(2);
  });

  describe.each([
    { batch: 64, frameSize: 2048 },
    { batch: 8, frameSize: 2048 },
    { batch: 64, frameSize: 128 },
  ])('data path (batch $batch, frameSize $frameSize)', ({ batch, frameSize }) => {
    let r: Json;
    beforeAll(() => {
      r = child('datapath', ['td0', String(batch), String(frameSize)]);
    });

    it('delivers kernel-transmitted frames in batches with correct lengths and headers', () => {
      const payloads: string[] = r.payloads;
      const udp = r.frames.filter((f: Json) => f.dport === 9999);
      expect(r.frames.length).toBe(udp.length); // nothing but our datagrams on the wire
      expect(udp.length).toBe(payloads.length);
      let truncated = 0;
      udp.forEach((f: Json, i: number) => {
        const full = 14 + 20 + 8 + payloads[i]!.length;
        expect(f.len, `frame ${i}`).toBe(Math.min(full, frameSize));
        if (full > frameSize) truncated++;
        expect(f.dst).toBe('02:00:00:00:00:02');
        expect(f.src).toBe(r.kernelMac);
        expect(f.type).toBe(0x0800);
        expect(f.ipDst).toBe('10.9.0.2');
        expect(f.udpLen).toBe(8 + payloads[i]!.length);
        expect(f.payload).toBe(payloads[i]!.slice(0, Math.max(0, Math.min(full, frameSize) - 42)));
      });
      expect(r.rxTruncated).toBe(truncated);
      if (frameSize === 128) expect(truncated).toBeGreaterThan(30);
      else expect(truncated).toBe(0);
      expect(r.rxBufferLength).toBe(batch * frameSize);
      expect(r.badOffsets).toBe(0);
      expect(r.sameBuffer).toBe(true);
    });

    it(`drains up to ${batch} frames per wake-up`, () => {
      const counts: number[] = r.counts;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(r.payloads.length);
      expect(Math.max(...counts)).toBeLessThanOrEqual(batch);
      expect(Math.max(...counts)).toBeGreaterThan(1); // a synchronous burst is read in one go
      if (batch === 8) expect(counts.filter((c) => c === 8).length).toBeGreaterThanOrEqual(2);
    });

    it('calls onFrames in its async context, runs microtasks after it, keeps polling when it throws', () => {
      expect(r.pollingAfterStart).toBe(true);
      expect(r.asyncSeen.length).toBeGreaterThan(0);
      for (const a of r.asyncSeen) expect(a).toEqual({ idNonZero: true, resourceIsTap: true, store: 'from-start' });
      expect(r.microtaskBeforeImmediate).toBe(true);
      expect(r.uncaught).toBe('boom from onFrames');
      expect(r.pollingAfterThrow).toBe(true);
      expect(r.onError).toBeUndefined();
    });

    it('stop() pauses delivery and start() resumes with the queued frame', () => {
      expect(r.pollingAfterStop).toBe(false);
      expect(r.framesWhileStopped).toBe(0);
      expect(r.resumedPayload).toBe('while-stopped');
      expect(r.resumedStore).toBe('from-restart'); // the new start() call's async context
    });

    it('write() and writeBatch() inject frames the kernel accepts', () => {
      expect(r.writeRet).toBe(r.frameLength);
      expect(r.writeSubarrayRet).toBe(r.frameLength + 3); // 'hello-subarray' is 3 bytes longer
      expect(r.writeBatchRet).toBe(5);
      expect(r.txDropped).toBe(0);
      const from = { address: '10.9.0.2', port: 5555 };
      expect(r.received).toEqual(
        ['hello-write', 'hello-subarray', 'batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4'].map((msg) => ({ msg, ...from })),
      );
      expect(r.linkAfterClose).toBeNull();
    });
  });

  it('reports device removal through onError (EBADFD) and stops polling', () => {
    const r = child('removal', ['trm0']);
    expect(r.onError).toEqual({
      message: 'readv trm0: File descriptor in bad state (the device was removed)',
      code: 'EBADFD',
      errno: -77,
      syscall: 'readv',
      isError: true,
    });
    expect(r.pollingInOnError).toBe(false);
    expect(r.pollingAfter).toBe(false);
    expect(r.writeAfterRemoval).toMatchObject({ code: 'EBADFD', syscall: 'write' });
    expect(r.close).toBeNull();
  });

  it('ref() keeps the process alive while polling; unref() lets it exit', () => {
    // If unref() failed the child would never exit and spawnSync would time out.
    const r = child('unref', ['tu0']);
    expect(r).toEqual({ refKeptAlive: true, exitedWithPollActive: true });
    expect(linkIn('tu0')).toBeNull(); // the fd died with the process
  });

  it('tears down cleanly when a Worker exits with its poll active', () => {
    const r = child('worker', ['tw0']);
    expect(r).toEqual({ workerPolling: true, existedWhileWorkerRan: true, exitCode: 1, goneAfterTerminate: true });
  });

  it('finalizes an unreferenced idle Tap (closing it), but keeps a polling one alive', () => {
    const r = child('gc', ['tg'], { nodeArgs: ['--expose-gc'] });
    expect(r).toEqual({ existedA: true, idleGone: true, startedAlive: true });
  });
});
