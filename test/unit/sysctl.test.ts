import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { StackError } from '../../src/core/errno.js';
import { Sysctl, formatSysctlLine, parseProcInt } from '../../src/control/sysctl.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { DEVCONF_KNOBS } from '../../src/ipv4/devconf.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { UNRES_QLEN_TRUESIZE } from '../../src/neighbour/parms.js';
import { Stack } from '../../src/stack.js';

let live: Stack[] = [];

afterEach(async () => {
  for (const s of live) await s.close();
  live = [];
});

interface Env {
  stack: Stack;
  sysctl: Sysctl;
  a0: PairDevice;
  b0: PairDevice;
}

function setup(): Env {
  const clock = new ManualClock();
  const stack = new Stack({ clock, random: () => 0.5 });
  const [a0, b0] = createPair('a0', 'b0');
  stack.addDevice(a0);
  stack.addDevice(b0);
  live.push(stack);
  return { stack, sysctl: new Sysctl(stack), a0, b0 };
}

const inDev = (d: PairDevice) => inDevGet(d)!;

/** Runs fn and returns the StackError it throws. */
function thrown(fn: () => unknown): StackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StackError);
    return e as StackError;
  }
  throw new Error('expected a StackError');
}

const NEIGH_DEV_NAMES = [
  'anycast_delay', 'app_solicit', 'base_reachable_time_ms', 'delay_first_probe_time', 'gc_stale_time',
  'interval_probe_time_ms', 'locktime', 'mcast_resolicit', 'mcast_solicit', 'proxy_delay', 'proxy_qlen',
  'retrans_time_ms', 'ucast_solicit', 'unres_qlen', 'unres_qlen_bytes',
];

describe('Sysctl key listing', () => {
  it('lists keys in the kernel directory order, all/default sorted among the devices', () => {
    const { stack, sysctl } = setup();
    const [e0, dotted] = createPair('eth0', 'x.1');
    stack.addDevice(e0);
    stack.addDevice(dotted);
    const every = sysctl.keys();
    // net.core, then net.ipv4 before net.ipv6 (the directory order); this test is about the IPv4 half.
    const core = every.filter((k) => k.startsWith('net.core.'));
    expect(every.slice(0, core.length)).toEqual(core);
    const all4 = every.filter((k) => k.startsWith('net.ipv4.'));
    expect(every.slice(core.length, core.length + all4.length)).toEqual(all4);
    // TCP's namespace-wide keys (net.ipv4.tcp_*) sort after neigh; the rest is the devinet/neigh part.
    const tcpKeys = all4.filter((k) => k.startsWith('net.ipv4.tcp_'));
    expect(all4.slice(all4.length - tcpKeys.length)).toEqual(tcpKeys);
    const keys = all4.filter((k) => !k.startsWith('net.ipv4.tcp_'));
    expect(every.slice(core.length + all4.length).every((k) => k.startsWith('net.ipv6.'))).toBe(true);

    const scopes = (dir: string, family = 'ipv4'): string[] => [
      ...new Set(every.filter((k) => k.startsWith(`net.${family}.${dir}.`)).map((k) => k.split('.')[3])),
    ];
    // Bytewise per directory: "a0" < "all" < "b0" < "default" < "eth0" < "x/1".
    expect(scopes('conf')).toEqual(['a0', 'all', 'b0', 'default', 'eth0', 'x/1']);
    expect(scopes('neigh')).toEqual(['a0', 'b0', 'default', 'eth0', 'x/1']);
    // The IPv6 directories are sorted the same way.
    expect(scopes('conf', 'ipv6')).toEqual(['a0', 'all', 'b0', 'default', 'eth0', 'x/1']);
    expect(scopes('neigh', 'ipv6')).toEqual(['a0', 'b0', 'default', 'eth0', 'x/1']);

    const knobs = DEVCONF_KNOBS.map((k) => k.name).sort();
    expect(keys.filter((k) => k.startsWith('net.ipv4.conf.all.'))).toEqual(knobs.map((k) => `net.ipv4.conf.all.${k}`));
    expect(keys.filter((k) => k.startsWith('net.ipv4.neigh.a0.'))).toEqual(NEIGH_DEV_NAMES.map((n) => `net.ipv4.neigh.a0.${n}`));
    expect(keys.filter((k) => k.startsWith('net.ipv4.neigh.default.'))).toEqual(
      [
        'anycast_delay', 'app_solicit', 'base_reachable_time_ms', 'delay_first_probe_time', 'gc_interval',
        'gc_stale_time', 'gc_thresh1', 'gc_thresh2', 'gc_thresh3', 'interval_probe_time_ms', 'locktime',
        'mcast_resolicit', 'mcast_solicit', 'proxy_delay', 'proxy_qlen', 'retrans_time_ms', 'ucast_solicit',
        'unres_qlen', 'unres_qlen_bytes',
      ].map((n) => `net.ipv4.neigh.default.${n}`),
    );

    // conf < ip_forward < ip_local_port_range < neigh, and nothing else.
    const fwd = keys.indexOf('net.ipv4.ip_forward');
    expect(keys.slice(0, fwd).every((k) => k.startsWith('net.ipv4.conf.'))).toBe(true);
    expect(keys[fwd + 1]).toBe('net.ipv4.ip_local_port_range');
    expect(keys.slice(fwd + 2).every((k) => k.startsWith('net.ipv4.neigh.'))).toBe(true);
    expect(keys).toHaveLength(6 * knobs.length + 2 + 19 + 4 * 15);
    expect(keys[0]).toBe('net.ipv4.conf.a0.accept_local');
    expect(keys.at(-1)).toBe('net.ipv4.neigh.x/1.unres_qlen_bytes');
  });

  it('hides the deprecated entries from listings unless asked, like sysctl -a', () => {
    const { sysctl } = setup();
    expect(sysctl.keys().some((k) => /\.(retrans_time|base_reachable_time)$/.test(k))).toBe(false);
    const all = sysctl.keys({ deprecated: true });
    const a0 = all.filter((k) => k.startsWith('net.ipv4.neigh.a0.')).map((k) => k.split('.')[4]);
    expect(a0.slice(0, 4)).toEqual(['anycast_delay', 'app_solicit', 'base_reachable_time', 'base_reachable_time_ms']);
    expect(a0.slice(-5)).toEqual(['retrans_time', 'retrans_time_ms', 'ucast_solicit', 'unres_qlen', 'unres_qlen_bytes']);
    // Still readable by name.
    expect(sysctl.get('net.ipv4.neigh.a0.retrans_time')).toBe('100');
  });

  it('list() filters by regular expression and show() lists a directory', () => {
    const { sysctl } = setup();
    // The pattern matches nd_tbl's keys of the device too (net.ipv6.neigh.a0.*), after arp_tbl's.
    expect(sysctl.list('neigh\\.a0\\..*_ms$')).toEqual([
      { key: 'net.ipv4.neigh.a0.base_reachable_time_ms', value: '30000' },
      { key: 'net.ipv4.neigh.a0.interval_probe_time_ms', value: '5000' },
      { key: 'net.ipv4.neigh.a0.retrans_time_ms', value: '1000' },
      { key: 'net.ipv6.neigh.a0.base_reachable_time_ms', value: '30000' },
      { key: 'net.ipv6.neigh.a0.interval_probe_time_ms', value: '5000' },
      { key: 'net.ipv6.neigh.a0.retrans_time_ms', value: '1000' },
    ]);
    expect(sysctl.list(/ip_forward/g)).toEqual([{ key: 'net.ipv4.ip_forward', value: '0' }]);
    // Every key but those that cannot be read (an unset stable_secret: EIO), as sysctl -a shows them.
    expect(sysctl.list()).toHaveLength(sysctl.keys().filter((k) => !k.endsWith('.stable_secret')).length);

    const dir = sysctl.show('net.ipv4.neigh.b0');
    expect(dir.map((e) => e.key)).toEqual(NEIGH_DEV_NAMES.map((n) => `net.ipv4.neigh.b0.${n}`));
    expect(sysctl.show('net/ipv4/neigh/b0/retrans_time')).toEqual([{ key: 'net.ipv4.neigh.b0.retrans_time', value: '100' }]);
    expect(thrown(() => sysctl.show('net.ipv4.neigh.zz')).code).toBe('ENOENT');
  });

  it('formats lines as sysctl prints them', () => {
    expect(formatSysctlLine('net.ipv4.ip_forward', '1')).toBe('net.ipv4.ip_forward = 1');
  });
});

describe('Sysctl units', () => {
  it('reads the arp_tbl defaults in the kernel units', () => {
    const { sysctl } = setup();
    const expected: Record<string, string> = {
      mcast_solicit: '3', ucast_solicit: '3', app_solicit: '0', mcast_resolicit: '0',
      retrans_time: '100', retrans_time_ms: '1000', base_reachable_time: '30', base_reachable_time_ms: '30000',
      delay_first_probe_time: '5', gc_stale_time: '60', interval_probe_time_ms: '5000',
      unres_qlen: '101', unres_qlen_bytes: '212992', proxy_qlen: '64', anycast_delay: '100',
      proxy_delay: '80', locktime: '100', gc_interval: '30', gc_thresh1: '128', gc_thresh2: '512', gc_thresh3: '1024',
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(sysctl.get(`net.ipv4.neigh.default.${name}`), name).toBe(value);
    }
  });

  it('converts USER_HZ, seconds and milliseconds into the stored milliseconds', () => {
    const { sysctl, a0 } = setup();
    const p = inDev(a0).arpParms;
    const k = (n: string) => `net.ipv4.neigh.a0.${n}`;

    expect(sysctl.set(k('retrans_time'), '100')).toBe('100');
    expect(p.retransTime).toBe(1000);
    sysctl.set(k('retrans_time'), '25');
    expect(p.retransTime).toBe(250);
    expect(sysctl.get(k('retrans_time_ms'))).toBe('250');
    sysctl.set(k('retrans_time_ms'), '1234');
    expect(p.retransTime).toBe(1234);
    expect(sysctl.get(k('retrans_time'))).toBe('123'); // jiffies_to_clock_t truncates

    sysctl.set(k('base_reachable_time'), '10');
    expect(p.baseReachableTime).toBe(10000);
    expect(p.reachableTime).toBe(10000); // re-drawn at once (random 0.5 → base)
    sysctl.set(k('base_reachable_time_ms'), '1999');
    expect(p.baseReachableTime).toBe(1999);
    expect(sysctl.get(k('base_reachable_time'))).toBe('1');

    sysctl.set(k('delay_first_probe_time'), '7');
    expect(p.delayProbeTime).toBe(7000);
    sysctl.set(k('gc_stale_time'), '120');
    expect(p.gcStaletime).toBe(120000);
    sysctl.set(k('interval_probe_time_ms'), '1');
    expect(p.intervalProbeTimeMs).toBe(1);

    sysctl.set(k('anycast_delay'), '50');
    sysctl.set(k('proxy_delay'), '8');
    sysctl.set(k('locktime'), '200');
    expect([p.anycastDelay, p.proxyDelay, p.locktime]).toEqual([500, 80, 2000]);

    sysctl.set(k('mcast_solicit'), '5');
    sysctl.set(k('ucast_solicit'), '4');
    sysctl.set(k('app_solicit'), '1');
    sysctl.set(k('mcast_resolicit'), '2');
    sysctl.set(k('proxy_qlen'), '9');
    expect([p.mcastProbes, p.ucastProbes, p.appProbes, p.mcastReprobes, p.proxyQlen]).toEqual([5, 4, 1, 2, 9]);
  });

  it('unres_qlen is counted in full-frame truesizes of unres_qlen_bytes', () => {
    const { sysctl, a0 } = setup();
    const p = inDev(a0).arpParms;
    sysctl.set('net.ipv4.neigh.a0.unres_qlen', '5');
    expect(p.queueLenBytes).toBe(5 * UNRES_QLEN_TRUESIZE);
    expect(sysctl.get('net.ipv4.neigh.a0.unres_qlen_bytes')).toBe(String(5 * UNRES_QLEN_TRUESIZE));
    sysctl.set('net.ipv4.neigh.a0.unres_qlen_bytes', '1000');
    expect(sysctl.get('net.ipv4.neigh.a0.unres_qlen')).toBe('0');
    const max = Math.floor(0x7fffffff / UNRES_QLEN_TRUESIZE);
    expect(thrown(() => sysctl.set('net.ipv4.neigh.a0.unres_qlen', String(max + 1))).code).toBe('EINVAL');
    expect(sysctl.set('net.ipv4.neigh.a0.unres_qlen', String(max))).toBe(String(max));
  });

  it('writes the table-wide gc settings under default', () => {
    const { stack, sysctl } = setup();
    const tbl = stack.inet.arp.tbl;
    sysctl.set('net.ipv4.neigh.default.gc_thresh1', '4');
    sysctl.set('net.ipv4.neigh.default.gc_thresh2', '8');
    sysctl.set('net.ipv4.neigh.default.gc_thresh3', '16');
    sysctl.set('net.ipv4.neigh.default.gc_interval', '60');
    expect([tbl.gcThresh1, tbl.gcThresh2, tbl.gcThresh3, tbl.gcInterval]).toEqual([4, 8, 16, 60000]);
    expect(thrown(() => sysctl.set('net.ipv4.neigh.default.gc_thresh3', '-1')).code).toBe('EINVAL');
    expect(thrown(() => sysctl.set('net.ipv4.neigh.default.gc_interval', '2147484')).code).toBe('EINVAL');
    expect(thrown(() => sysctl.get('net.ipv4.neigh.a0.gc_thresh1')).message).toBe(
      "unknown sysctl key 'net.ipv4.neigh.a0.gc_thresh1'",
    );
  });

  it('refuses values out of the kernel ranges', () => {
    const { sysctl, a0 } = setup();
    const p = inDev(a0).arpParms;
    for (const [name, value] of [
      ['interval_probe_time_ms', '0'],
      ['mcast_solicit', '-1'],
      ['retrans_time_ms', '-1'],
      ['base_reachable_time_ms', '-1500'],
      ['gc_stale_time', '2147484'], // > INT_MAX / HZ
      ['retrans_time', '922337203685477581'], // > LONG_MAX / HZ · USER_HZ
    ]) {
      const e = thrown(() => sysctl.set(`net.ipv4.neigh.a0.${name}`, value));
      expect(e.errno, name).toBe(-22);
      expect(e.message).toBe(`sysctl: setting key "net.ipv4.neigh.a0.${name}": Invalid argument`);
    }
    expect(p.intervalProbeTimeMs).toBe(5000);
    sysctl.set('net.ipv4.neigh.a0.gc_stale_time', '2147483');
    expect(p.gcStaletime).toBe(2147483000);
  });

  it('takes negative times where the kernel conversion lets them through, and reads them back its way', () => {
    const { sysctl, a0 } = setup();
    const p = inDev(a0).arpParms;
    const k = (n: string) => `net.ipv4.neigh.a0.${n}`;
    // Seconds: do_proc_dointvec_jiffies_conv takes either sign.
    for (const n of ['base_reachable_time', 'delay_first_probe_time', 'gc_stale_time']) {
      expect(sysctl.set(k(n), '-5'), n).toBe('-5');
      expect(sysctl.get(k(n)), n).toBe('-5');
    }
    expect([p.baseReachableTime, p.delayProbeTime, p.gcStaletime]).toEqual([-5000, -5000, -5000]);
    expect(sysctl.get(k('base_reachable_time_ms'))).toBe('-5000');
    // USER_HZ: clock_t_to_jiffies() saturates a negative value to ~0UL, which the int keeps as -1
    // jiffy; read back as "-0" (jiffies_to_clock_t(1) is 0), as Linux prints it.
    for (const n of ['retrans_time', 'anycast_delay', 'proxy_delay', 'locktime']) {
      expect(sysctl.set(k(n), '-3'), n).toBe('-3');
      expect(sysctl.get(k(n)), n).toBe('-0');
    }
    expect([p.retransTime, p.anycastDelay, p.proxyDelay, p.locktime]).toEqual([-1, -1, -1, -1]);
    expect(sysctl.get(k('retrans_time_ms'))).toBe('-1');
    // No range check on USER_HZ values: the jiffies wrap into the int (HZ=1000: ·10).
    sysctl.set(k('locktime'), '2147483647');
    expect(p.locktime).toBe(-10); // 21474836470 mod 2^32
    expect(sysctl.get(k('locktime'))).toBe('-1');
    sysctl.set(k('locktime'), '2147483648');
    expect(p.locktime).toBe(0);
    // msecs_to_jiffies() takes an unsigned int: -2147483649 is 2147483647 ms to it.
    expect(sysctl.set(k('retrans_time_ms'), '-2147483649')).toBe('-2147483649');
    expect(p.retransTime).toBe(2147483647);
  });

  it('a refused neigh write still marks the knob as written (neigh_proc_update runs regardless)', () => {
    const { sysctl, a0, b0 } = setup();
    expect(thrown(() => sysctl.set('net.ipv4.neigh.a0.mcast_solicit', '-1')).code).toBe('EINVAL');
    sysctl.set('net.ipv4.neigh.default.mcast_solicit', '7');
    expect([inDev(a0).arpParms.mcastProbes, inDev(b0).arpParms.mcastProbes]).toEqual([3, 7]);
  });

  it('shows negative times in ip ntable as the kernel does: their u32 (nla_put_msecs)', () => {
    const { stack, sysctl } = setup();
    sysctl.set('net.ipv4.neigh.a0.base_reachable_time', '-5');
    sysctl.set('net.ipv4.neigh.a0.retrans_time', '-4');
    const v = stack.ntables()[0].parms.find((x) => x.dev === 'a0')!;
    expect([v.baseReachableTime, v.retransTime]).toEqual([4294962296, 4294967295]);
  });
});

describe('Sysctl propagation', () => {
  it('conf.default reaches devices that have not set the knob; all and devices stay put', () => {
    const { stack, sysctl, a0, b0 } = setup();
    sysctl.set('net.ipv4.conf.default.arp_ignore', '2');
    expect(sysctl.get('net.ipv4.conf.a0.arp_ignore')).toBe('2');
    expect(sysctl.get('net.ipv4.conf.b0.arp_ignore')).toBe('2');
    expect(sysctl.get('net.ipv4.conf.all.arp_ignore')).toBe('0');

    sysctl.set('net.ipv4.conf.a0.arp_ignore', '1');
    sysctl.set('net.ipv4.conf.default.arp_ignore', '3');
    expect(inDev(a0).cnf.get('arp_ignore')).toBe(1);
    expect(inDev(b0).cnf.get('arp_ignore')).toBe(3);

    // A device written to the same value as default is still its own.
    sysctl.set('net.ipv4.conf.b0.arp_announce', '0');
    sysctl.set('net.ipv4.conf.default.arp_announce', '2');
    expect(sysctl.get('net.ipv4.conf.a0.arp_announce')).toBe('2');
    expect(sysctl.get('net.ipv4.conf.b0.arp_announce')).toBe('0');

    // A device registered later starts as a copy of default.
    const [c0] = createPair('c0', 'c1');
    stack.addDevice(c0);
    expect(sysctl.get('net.ipv4.conf.c0.arp_ignore')).toBe('3');
    expect(sysctl.get('net.ipv4.conf.c0.arp_announce')).toBe('2');

    // all is its own scope; the effective value combines it with the device's.
    sysctl.set('net.ipv4.conf.all.arp_ignore', '5');
    expect(sysctl.get('net.ipv4.conf.a0.arp_ignore')).toBe('1');
    expect(stack.inet.conf.effective(inDev(a0).cnf, 'arp_ignore')).toBe(5);
  });

  it('forwarding on all (or ip_forward) sets default and every device when it changes', () => {
    const { sysctl } = setup();
    const fwd = (scope: string) => sysctl.get(`net.ipv4.conf.${scope}.forwarding`);

    expect(sysctl.set('net.ipv4.ip_forward', '1')).toBe('1');
    expect(['all', 'default', 'a0', 'b0'].map(fwd)).toEqual(['1', '1', '1', '1']);

    // default and a device are written alone.
    sysctl.set('net.ipv4.conf.default.forwarding', '0');
    sysctl.set('net.ipv4.conf.a0.forwarding', '0');
    expect(['all', 'default', 'a0', 'b0'].map(fwd)).toEqual(['1', '0', '0', '1']);

    // Writing the value all already has changes nothing (inet_forward_change runs on a change).
    sysctl.set('net.ipv4.conf.all.forwarding', '1');
    expect(['all', 'default', 'a0', 'b0'].map(fwd)).toEqual(['1', '0', '0', '1']);

    sysctl.set('net.ipv4.conf.all.forwarding', '0');
    expect(['all', 'default', 'a0', 'b0'].map(fwd)).toEqual(['0', '0', '0', '0']);
    expect(sysctl.get('net.ipv4.ip_forward')).toBe('0');

    // default.forwarding does not reach existing devices (no devinet_copy_dflt_conf for it).
    sysctl.set('net.ipv4.conf.default.forwarding', '1');
    expect(['all', 'default', 'a0', 'b0'].map(fwd)).toEqual(['0', '1', '0', '0']);
  });

  it('neigh.default reaches device parms that have not set the knob', () => {
    const { stack, sysctl, a0, b0 } = setup();
    const pa = inDev(a0).arpParms;
    const pb = inDev(b0).arpParms;
    sysctl.set('net.ipv4.neigh.default.ucast_solicit', '5');
    expect([stack.inet.arp.tbl.parms.ucastProbes, pa.ucastProbes, pb.ucastProbes]).toEqual([5, 5, 5]);

    sysctl.set('net.ipv4.neigh.a0.ucast_solicit', '1');
    expect(pa.isSet('ucastProbes')).toBe(true);
    sysctl.set('net.ipv4.neigh.default.ucast_solicit', '7');
    expect([pa.ucastProbes, pb.ucastProbes]).toEqual([1, 7]);

    // retrans_time and retrans_time_ms are the same knob.
    sysctl.set('net.ipv4.neigh.b0.retrans_time_ms', '300');
    sysctl.set('net.ipv4.neigh.default.retrans_time', '50');
    expect([pa.retransTime, pb.retransTime]).toEqual([500, 300]);

    // unres_qlen on default sets unres_qlen_bytes everywhere it was not set.
    sysctl.set('net.ipv4.neigh.default.unres_qlen', '3');
    expect([pa.queueLenBytes, pb.queueLenBytes]).toEqual([3 * UNRES_QLEN_TRUESIZE, 3 * UNRES_QLEN_TRUESIZE]);
    sysctl.set('net.ipv4.neigh.a0.unres_qlen_bytes', '4096');
    sysctl.set('net.ipv4.neigh.default.unres_qlen', '4');
    expect([pa.queueLenBytes, pb.queueLenBytes]).toEqual([4096, 4 * UNRES_QLEN_TRUESIZE]);

    // Writing a device does not touch default or the other device.
    sysctl.set('net.ipv4.neigh.b0.locktime', '0');
    expect(sysctl.get('net.ipv4.neigh.default.locktime')).toBe('100');
    expect(sysctl.get('net.ipv4.neigh.a0.locktime')).toBe('100');

    // A later device clones the current defaults.
    const [c0] = createPair('c0', 'c1');
    stack.addDevice(c0);
    expect(sysctl.get('net.ipv4.neigh.c0.ucast_solicit')).toBe('7');
    expect(sysctl.get('net.ipv4.neigh.c0.retrans_time_ms')).toBe('500');
  });

  it('follows devices as they come and go', () => {
    const { stack, sysctl, b0 } = setup();
    stack.net.unregisterNetdevice(b0);
    expect(sysctl.keys().some((k) => k.includes('.b0.'))).toBe(false);
    expect(thrown(() => sysctl.get('net.ipv4.conf.b0.forwarding')).code).toBe('ENOENT');
  });
});

describe('net.ipv4.ip_local_port_range', () => {
  it('takes what Linux 6.18 takes (measured in a namespace), and TCP and UDP share it', () => {
    const { stack, sysctl } = setup();
    expect(sysctl.get('net.ipv4.ip_local_port_range')).toBe('32768\t60999');
    // Refused: below ip_unprivileged_port_start (1024), high below low, out of 1..65535, not a number.
    for (const bad of ['100 200', '5000 4000', '0 5000', '1025 70000', 'abc']) {
      const e = thrown(() => sysctl.set('net.ipv4.ip_local_port_range', bad));
      expect(e.errno, bad).toBe(-22);
      expect(sysctl.get('net.ipv4.ip_local_port_range')).toBe('32768\t60999');
    }
    // One value sets the low end; a third is ignored; whitespace of any kind separates.
    sysctl.set('net.ipv4.ip_local_port_range', '40000');
    expect(sysctl.get('net.ipv4.ip_local_port_range')).toBe('40000\t60999');
    sysctl.set('net.ipv4.ip_local_port_range', '2000 3000 4000');
    expect(sysctl.get('net.ipv4.ip_local_port_range')).toBe('2000\t3000');
    sysctl.set('net.ipv4.ip_local_port_range', ' 1024\t1024');
    expect(stack.tcp.conf.ipLocalPortRange).toEqual([1024, 1024]);
    expect(stack.inet.udp.portRange).toEqual([1024, 1024]);
    stack.inet.udp.portRange = [50000, 50010];
    expect(stack.tcp.conf.ipLocalPortRange).toEqual([50000, 50010]);
    expect(sysctl.get('net.ipv4.ip_local_port_range')).toBe('50000\t50010');
  });
});

describe('Sysctl keys, values and errors', () => {
  it('reports an unknown key or device as procps does', () => {
    const { sysctl } = setup();
    for (const [key, path] of [
      ['net.ipv4.conf.foo.bar', 'net/ipv4/conf/foo/bar'],
      ['net.ipv4.conf.eth9.forwarding', 'net/ipv4/conf/eth9/forwarding'],
      ['net.ipv4.neigh.eth9.locktime', 'net/ipv4/neigh/eth9/locktime'],
      ['net.ipv4.conf.all.rp_filter', 'net/ipv4/conf/all/rp_filter'],
      ['net/ipv4/conf/foo/bar', 'net/ipv4/conf/foo/bar'],
      ['kernel.hostname', 'kernel/hostname'],
    ]) {
      // The library is no /proc/sys: it says so (tapstack sysctl prints procps's text itself).
      void path;
      const msg = `unknown sysctl key '${key.replace(/\//g, '.')}'`;
      const g = thrown(() => sysctl.get(key));
      expect([g.errno, g.code, g.message]).toEqual([-2, 'ENOENT', msg]);
      const s = thrown(() => sysctl.set(key, '1'));
      expect([s.errno, s.message]).toEqual([-2, msg]);
    }
  });

  it('reports a bad value as procps does and leaves the setting alone', () => {
    const { sysctl } = setup();
    // What proc_dointvec itself refuses (Linux 6.18 takes any int: see the next tests).
    for (const bad of ['', '   ', 'abc', '+1', '1a', '1,2', '08', '0x', '-', '- 1', '2147483648', '-2147483649', '99999999999999999999999']) {
      const e = thrown(() => sysctl.set('net.ipv4.conf.all.arp_ignore', bad));
      expect([e.errno, e.code, e.message], JSON.stringify(bad)).toEqual([
        -22,
        'EINVAL',
        'sysctl: setting key "net.ipv4.conf.all.arp_ignore": Invalid argument',
      ]);
    }
    expect(sysctl.get('net.ipv4.conf.all.arp_ignore')).toBe('0');
  });

  it('takes any int for net.ipv4.conf.*, as Linux does, and reads it back', () => {
    const { stack, sysctl, a0 } = setup();
    for (const k of DEVCONF_KNOBS) {
      for (const scope of ['all', 'default', 'a0']) {
        for (const v of ['9', '-2', '2147483647', '-2147483648', '3']) {
          const key = `net.ipv4.conf.${scope}.${k.name}`;
          expect(sysctl.set(key, v), key).toBe(v);
          expect(sysctl.get(key), key).toBe(v);
        }
      }
    }
    sysctl.set('net.ipv4.ip_forward', '2');
    expect(sysctl.get('net.ipv4.conf.a0.forwarding')).toBe('2'); // inet_forward_change copies the value
    expect(inDev(a0).cnf.get('medium_id')).toBe(3);
    void stack;
  });

  it('a refused conf write still marks the knob as set (devinet_conf_proc), forwarding excepted', () => {
    const { sysctl, a0, b0 } = setup();
    // Measured on 6.18: after a refused write to eth0.arp_ignore, default=2 reaches p0 but not eth0.
    expect(thrown(() => sysctl.set('net.ipv4.conf.a0.arp_ignore', 'abc')).code).toBe('EINVAL');
    sysctl.set('net.ipv4.conf.default.arp_ignore', '2');
    expect([inDev(a0).cnf.get('arp_ignore'), inDev(b0).cnf.get('arp_ignore')]).toEqual([0, 2]);
  });

  it('parses values as proc_dointvec does and returns them as sysctl -w prints them', () => {
    const { sysctl } = setup();
    const key = 'net.ipv4.conf.all.arp_ignore';
    expect(sysctl.set(key, ' 0x2 ')).toBe('0x2');
    expect(sysctl.get(key)).toBe('2');
    expect(sysctl.set(key, '010')).toBe('010');
    expect(sysctl.get(key)).toBe('8');
    expect(sysctl.set(key, '\t3\n')).toBe('3');
    expect(sysctl.get(key)).toBe('3');
    expect(sysctl.set(key, '1 2')).toBe('1 2'); // the rest after white space is ignored
    expect(sysctl.get(key)).toBe('1');
    expect(sysctl.set(key, '0X4')).toBe('0X4');
    expect(sysctl.get(key)).toBe('4');

    // Negative values are ints like any other.
    expect(sysctl.set('net.ipv4.conf.a0.medium_id', '-1')).toBe('-1');
    expect(sysctl.get('net.ipv4.conf.a0.medium_id')).toBe('-1');
    expect(sysctl.set('net.ipv4.conf.a0.medium_id', '-2')).toBe('-2');
    sysctl.set('net.ipv4.neigh.default.gc_interval', '-5');
    expect(sysctl.get('net.ipv4.neigh.default.gc_interval')).toBe('-5');
  });

  it('parseProcInt follows proc_get_long', () => {
    expect(parseProcInt('2147483647')).toBe(2147483647);
    expect(parseProcInt('-2147483648')).toBe(-2147483648);
    expect(parseProcInt('-2147483649')).toBeNull();
    expect(parseProcInt('-0')).toBe(0);
    expect(parseProcInt('0x7fffffff')).toBe(0x7fffffff);
    expect(parseProcInt('017')).toBe(15);
    expect(parseProcInt('0')).toBe(0);
    expect(parseProcInt('00000000000000000001')).toBe(1); // 20 characters
    expect(parseProcInt('000000000000000000001')).toBeNull(); // 21: too long for TMPBUFLEN
  });

  it('accepts slash-separated keys and device names with dots', () => {
    const { stack, sysctl } = setup();
    expect(sysctl.set('net/ipv4/conf/all/arp_ignore', '2')).toBe('2');
    expect(sysctl.get('net.ipv4.conf.all.arp_ignore')).toBe('2');
    expect(sysctl.get(' net/ipv4/conf/all/arp_ignore ')).toBe('2');

    const [v] = createPair('eth0.100', 'p1');
    stack.addDevice(v);
    expect(sysctl.keys()).toContain('net.ipv4.conf.eth0/100.proxy_arp');
    sysctl.set('net.ipv4.conf.eth0/100.proxy_arp', '1');
    expect(sysctl.get('net/ipv4/conf/eth0.100/proxy_arp')).toBe('1');
    expect(inDevGet(v)!.cnf.get('proxy_arp')).toBe(1);
    expect(thrown(() => sysctl.set('net/ipv4/conf/eth0.100/proxy_arp', 'x')).message).toBe(
      'sysctl: setting key "net.ipv4.conf.eth0/100.proxy_arp": Invalid argument',
    );
    sysctl.set('net/ipv4/neigh/eth0.100/retrans_time', '20');
    expect(inDevGet(v)!.arpParms.retransTime).toBe(200);
  });

  it('treats directories as sysctl does', () => {
    const { sysctl } = setup();
    const s = thrown(() => sysctl.set('net.ipv4.conf.all', '1'));
    expect([s.errno, s.message]).toEqual([-22, 'sysctl: setting key "net.ipv4.conf.all": Invalid argument']);
    expect(thrown(() => sysctl.get('net.ipv4.conf.all')).message).toBe('sysctl: reading key "net.ipv4.conf.all": Is a directory');
    expect(sysctl.show('net.ipv4.conf.all')).toHaveLength(DEVCONF_KNOBS.length);
  });

  it('skips devices named like the special scopes, as the kernel refuses them', () => {
    const { stack, sysctl } = setup();
    const [d] = createPair('default', 'q1');
    stack.addDevice(d);
    inDevGet(d)!.cnf.set('arp_ignore', 4);
    expect(sysctl.get('net.ipv4.conf.default.arp_ignore')).toBe('0');
    expect(sysctl.keys().filter((k) => k === 'net.ipv4.conf.default.arp_ignore')).toHaveLength(1);
  });
});

describe('negative times in the state machine', () => {
  it('timers armed in the past fire at once, as mod_timer(jiffies + negative) does; invariants hold', async () => {
    const { twoStacks, closeStacks } = await import('../helpers/two_stacks.js');
    const { A, ea, clock } = twoStacks();
    const s = A.sysctl;
    for (const [k, v] of [['delay_first_probe_time', '-5'], ['retrans_time', '-3'], ['base_reachable_time', '-5'], ['gc_stale_time', '-1'], ['locktime', '-1']]) {
      s.set(`net.ipv4.neigh.ea.${k}`, v);
    }
    const p = inDevGet(ea)!.arpParms;
    expect([p.delayProbeTime, p.retransTime, p.baseReachableTime, p.gcStaletime, p.locktime]).toEqual([-5000, -1, -5000, -1000, -1]);
    const r = A.ping('10.0.0.2', { count: 3, interval: 0.1, timeout: 1 });
    for (let i = 0; i < 40; i++) clock.advance(50);
    expect((await r).received).toBe(3);
    expect(A.inet.arp.tbl.checkInvariants()).toEqual([]);
    await closeStacks({ invariants: true });
  });
});
