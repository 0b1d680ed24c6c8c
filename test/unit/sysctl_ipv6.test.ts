// net.ipv6.conf.* and net.ipv6.neigh.* registered into the namespace's sysctl tree by
// registerIpv6Sysctl, against a small fake IPv6 host, read and written through the procps façade
// (Sysctl) and the CLI. Expected values were measured on Linux 6.18 (CONFIG_HZ=250) with procps-ng
// 4.0.2 on a fresh veth in a namespace: `sysctl -a -r 'net.ipv6.conf.X\.'` and single writes.
import { afterEach, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { sysctlCommand } from '../../src/cli/sysctl_cmd.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { Sysctl } from '../../src/control/sysctl.js';
import { ManualClock } from '../../src/core/clock.js';
import type { DevConf } from '../../src/core/devconf.js';
import { StackError } from '../../src/core/errno.js';
import { Net } from '../../src/core/net.js';
import type { NetDevice } from '../../src/core/netdevice.js';
import { SysctlTree } from '../../src/core/sysctl_tree.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { Inet } from '../../src/ipv4/af_inet.js';
import { IPV6_DEVCONF_KNOBS, Ipv6ConfTree } from '../../src/ipv6/devconf.js';
import { type Ipv6SysctlHost, formatIn6Full, in6Pton, registerIpv6Sysctl } from '../../src/ipv6/sysctl.js';
import type { NeighParms } from '../../src/neighbour/parms.js';
import { NeighTable } from '../../src/neighbour/table.js';
import type { Stack } from '../../src/stack.js';

let live: Inet[] = [];
let channels: LocalChannel[] = [];

afterEach(() => {
  for (const c of channels) c.close();
  channels = [];
  for (const i of live) i.close();
  live = [];
});

/**
 * The façade reads nothing of a Stack but `stack.net`: a Net with IPv4 and the fake IPv6 host
 * stands in for one, so these tests see only the IPv6 keys under test (a full Stack brings its own).
 */
const asStack = (net: Net): Stack => ({ net }) as unknown as Stack;

/** nd_tbl's configuration (../shared/reference/linux-ndisc.md §1.1, §1.2). */
function ndTbl(clock: ManualClock, random: () => number): NeighTable<Buffer> {
  return new NeighTable<Buffer>(
    {
      id: 'ndisc_cache',
      family: 10,
      keyLen: 16,
      protocol: 0x86dd,
      hash: (k) => k.readUInt32BE(12),
      keyEq: (a, b) => a.equals(b),
      formatKey: (k) => k.toString('hex'),
      constructor: () => 0,
      defaults: {
        mcastProbes: 3, ucastProbes: 3, appProbes: 0, mcastReprobes: 0, retransTime: 1000, baseReachableTime: 30000,
        delayProbeTime: 5000, intervalProbeTimeMs: 5000, gcStaletime: 60000, queueLenBytes: 212992, proxyQlen: 64,
        anycastDelay: 1000, proxyDelay: 800, locktime: 0,
      },
      gcInterval: 30000,
      gcThresh1: 128,
      gcThresh2: 512,
      gcThresh3: 1024,
    },
    clock,
    { random },
  );
}

type Change = [string, string, number, number];

/** The IPv6 family as far as its sysctl keys need it. */
class FakeInet6 implements Ipv6SysctlHost {
  readonly conf = new Ipv6ConfTree();
  readonly tbl: NeighTable<Buffer>;
  readonly devs: { dev: NetDevice; cnf: DevConf; ndParms: NeighParms }[] = [];
  readonly changes: Change[] = [];

  constructor(clock: ManualClock, random: () => number) {
    this.tbl = ndTbl(clock, random);
  }

  add(dev: NetDevice): DevConf {
    const cnf = this.conf.newDevice(dev);
    this.devs.push({ dev, cnf, ndParms: this.tbl.parmsAlloc(dev) });
    return cnf;
  }

  cnf(dev: NetDevice): DevConf {
    return this.devs.find((d) => d.dev === dev)!.cnf;
  }

  parms(dev: NetDevice): NeighParms {
    return this.devs.find((d) => d.dev === dev)!.ndParms;
  }

  devices() {
    return this.devs;
  }

  confChanged(scope: 'all' | 'default' | NetDevice, name: string, oldValue: number, newValue: number): void {
    this.changes.push([typeof scope === 'string' ? scope : scope.name, name, oldValue, newValue]);
  }
}

interface Env {
  net: Net;
  inet: Inet;
  sysctl: Sysctl;
  inet6: FakeInet6;
  a0: PairDevice;
  b0: PairDevice;
  unregister: () => void;
}

function setup(): Env {
  const clock = new ManualClock();
  let seed = 0.25;
  const random = (): number => (seed = (seed * 7.13 + 0.37) % 1);
  const net = new Net(clock);
  const inet = new Inet(net, { random: () => 0.5 });
  live.push(inet);
  const [a0, b0] = createPair('a0', 'b0');
  net.registerNetdevice(a0);
  net.registerNetdevice(b0);
  const inet6 = new FakeInet6(clock, random);
  inet6.add(a0);
  inet6.add(b0);
  const unregister = registerIpv6Sysctl(net.sysctl, inet6);
  return { net, inet, sysctl: new Sysctl(asStack(net)), inet6, a0, b0, unregister };
}

function thrown(fn: () => unknown): StackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StackError);
    return e as StackError;
  }
  throw new Error('expected a StackError');
}

/** `sysctl -a -r 'net.ipv6.conf.sc6-a0\.'` on Linux 6.18, a fresh veth (MTU 1500). */
const LINUX_DEV = `accept_dad = 1
accept_ra = 1
accept_ra_defrtr = 1
accept_ra_from_local = 0
accept_ra_min_hop_limit = 1
accept_ra_min_lft = 0
accept_ra_mtu = 1
accept_ra_pinfo = 1
accept_ra_rt_info_max_plen = 0
accept_ra_rt_info_min_plen = 0
accept_ra_rtr_pref = 1
accept_redirects = 1
accept_source_route = 0
accept_untracked_na = 0
addr_gen_mode = 0
autoconf = 1
dad_transmits = 1
disable_ipv6 = 0
disable_policy = 0
drop_unicast_in_l2_multicast = 0
drop_unsolicited_na = 0
enhanced_dad = 1
force_forwarding = 0
force_mld_version = 0
force_tllao = 0
forwarding = 0
hop_limit = 64
ignore_routes_with_linkdown = 0
ioam6_enabled = 0
ioam6_id = 65535
ioam6_id_wide = 4294967295
keep_addr_on_down = 0
max_addresses = 16
max_desync_factor = 600
mc_forwarding = 0
mldv1_unsolicited_report_interval = 10000
mldv2_unsolicited_report_interval = 1000
mtu = 1500
ndisc_evict_nocarrier = 1
ndisc_notify = 0
ndisc_tclass = 0
optimistic_dad = 0
proxy_ndp = 0
ra_defrtr_metric = 1024
ra_honor_pio_life = 0
ra_honor_pio_pflag = 0
regen_max_retry = 3
regen_min_advance = 2
router_probe_interval = 60
router_solicitation_delay = 1
router_solicitation_interval = 4
router_solicitation_max_interval = 3600
router_solicitations = -1
rpl_seg_enabled = 0
seg6_enabled = 0
seg6_require_hmac = 0
suppress_frag_ndisc = 1
temp_prefered_lft = 86400
temp_valid_lft = 604800
use_oif_addrs_only = 0
use_optimistic = 0
use_tempaddr = 0`
  .split('\n')
  .map((l) => l.split(' = ') as [string, string]);

/** Kernel keys outside ../shared/reference/linux-ndisc.md §6.5, which tapstack does not have. */
const NOT_MODELLED = new Set([
  'accept_source_route', 'disable_policy', 'drop_unicast_in_l2_multicast', 'force_forwarding',
  'ignore_routes_with_linkdown', 'ioam6_enabled', 'ioam6_id', 'ioam6_id_wide', 'mc_forwarding',
  'mldv1_unsolicited_report_interval', 'router_probe_interval', 'rpl_seg_enabled', 'seg6_enabled',
  'seg6_require_hmac', 'use_oif_addrs_only',
]);
const EXPECTED_DEV = LINUX_DEV.filter(([k]) => !NOT_MODELLED.has(k));

/** `sysctl -a --deprecated -r 'net.ipv6.neigh.sc6-a0\.'` key names, in order. */
const NEIGH_DEV_DEPRECATED = [
  'anycast_delay', 'app_solicit', 'base_reachable_time', 'base_reachable_time_ms', 'delay_first_probe_time',
  'gc_stale_time', 'interval_probe_time_ms', 'locktime', 'mcast_resolicit', 'mcast_solicit', 'proxy_delay',
  'proxy_qlen', 'retrans_time', 'retrans_time_ms', 'ucast_solicit', 'unres_qlen', 'unres_qlen_bytes',
];

describe('net.ipv6.conf listing and defaults', () => {
  it('lists a device\'s keys in the kernel\'s order, stable_secret included, §6.5 knobs only', () => {
    const { sysctl } = setup();
    const names = sysctl.keys().filter((k) => k.startsWith('net.ipv6.conf.a0.')).map((k) => k.slice('net.ipv6.conf.a0.'.length));
    const want = [...EXPECTED_DEV.map(([k]) => k), 'stable_secret'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(names).toEqual(want);
    expect(names).toHaveLength(IPV6_DEVCONF_KNOBS.length + 1);
    // Scopes sorted bytewise among the devices, and net.ipv4 before net.ipv6.
    const keys = sysctl.keys();
    expect([...new Set(keys.filter((k) => k.startsWith('net.ipv6.conf.')).map((k) => k.split('.')[3]))]).toEqual(['a0', 'all', 'b0', 'default']);
    expect([...new Set(keys.filter((k) => k.startsWith('net.ipv6.neigh.')).map((k) => k.split('.')[3]))]).toEqual(['a0', 'b0', 'default']);
    const firstV6 = keys.findIndex((k) => k.startsWith('net.ipv6.'));
    expect(keys.slice(0, firstV6).every((k) => k.startsWith('net.ipv4.'))).toBe(true);
    expect(keys.slice(firstV6).every((k) => k.startsWith('net.ipv6.'))).toBe(true);
  });

  it('reads every default back as Linux does, for a device, all and default', () => {
    const { sysctl } = setup();
    for (const [k, v] of EXPECTED_DEV) {
      expect(sysctl.get(`net.ipv6.conf.a0.${k}`), k).toBe(v);
      // all: accept_dad 0 and mtu 1280; default: mtu 1280 (measured).
      const allV = k === 'accept_dad' ? '0' : k === 'mtu' ? '1280' : v;
      const dfltV = k === 'mtu' ? '1280' : v;
      expect(sysctl.get(`net.ipv6.conf.all.${k}`), `all.${k}`).toBe(allV);
      expect(sysctl.get(`net.ipv6.conf.default.${k}`), `default.${k}`).toBe(dfltV);
    }
  });

  it('list() and show() leave out an unset stable_secret, as sysctl -a does silently', () => {
    const { sysctl } = setup();
    const listed = sysctl.list('^net\\.ipv6\\.conf\\.a0\\.').map((e) => e.key);
    expect(listed).toHaveLength(EXPECTED_DEV.length);
    expect(listed.some((k) => k.endsWith('stable_secret'))).toBe(false);
    expect(sysctl.show('net.ipv6.conf.a0').map((e) => e.key)).toEqual(listed);
    expect(sysctl.keys().filter((k) => k.endsWith('.stable_secret'))).toEqual([
      'net.ipv6.conf.a0.stable_secret', 'net.ipv6.conf.all.stable_secret', 'net.ipv6.conf.b0.stable_secret',
      'net.ipv6.conf.default.stable_secret',
    ]);
  });

  it('a new device copies default except its mtu, which is the device MTU', () => {
    const { net, sysctl, inet6 } = setup();
    sysctl.set('net.ipv6.conf.default.hop_limit', '10');
    sysctl.set('net.ipv6.conf.default.mtu', '1400');
    const [c0] = createPair('c0', 'd0');
    c0.mtu = 9000;
    net.registerNetdevice(c0);
    inet6.add(c0);
    expect(sysctl.get('net.ipv6.conf.c0.hop_limit')).toBe('10');
    expect(sysctl.get('net.ipv6.conf.c0.mtu')).toBe('9000');
    expect(sysctl.get('net.ipv6.conf.c0.accept_dad')).toBe('1');
  });

  it('unregistering takes the keys away again', () => {
    const { sysctl, unregister } = setup();
    unregister();
    expect(sysctl.keys().some((k) => k.startsWith('net.ipv6.'))).toBe(false);
    expect(thrown(() => sysctl.get('net.ipv6.conf.all.forwarding')).code).toBe('ENOENT');
  });
});

describe('net.ipv6.conf ranges', () => {
  const inval = (key: string) => `sysctl: setting key "${key}": Invalid argument`;

  it('refuses out-of-range values with EINVAL in procps words, as Linux 6.18 does', () => {
    const { sysctl, inet6, a0 } = setup();
    const refused: [string, string][] = [
      ['accept_untracked_na', '3'], ['accept_untracked_na', '-1'],
      ['ndisc_evict_nocarrier', '2'], ['ndisc_evict_nocarrier', '-0'], ['ndisc_evict_nocarrier', '256'],
      ['ndisc_tclass', '256'], ['ndisc_tclass', '-1'],
      ['hop_limit', '0'], ['hop_limit', '256'],
      ['mtu', '1279'], ['mtu', '1501'], ['mtu', '-0'],
      ['addr_gen_mode', '4'], ['addr_gen_mode', '-1'], ['addr_gen_mode', '-0'],
      ['ra_defrtr_metric', '0'], ['ra_defrtr_metric', '-1'], ['ra_defrtr_metric', '-0'], ['ra_defrtr_metric', '4294967296'],
      ['router_solicitations', '-2'],
      ['ra_honor_pio_life', '2'], ['ra_honor_pio_life', '-0'], ['ra_honor_pio_pflag', '2'],
      ['mldv2_unsolicited_report_interval', '-5'],
      ['accept_ra', '2147483648'], ['accept_ra', 'x'],
      // |seconds| ≤ INT_MAX / HZ with the model's HZ=1000 (Linux at HZ=250 takes up to 8589934).
      ['router_solicitation_interval', '2147484'],
    ];
    for (const [k, v] of refused) {
      const key = `net.ipv6.conf.a0.${k}`;
      const e = thrown(() => sysctl.set(key, v));
      expect(e.message, `${k}=${v}`).toBe(inval(key));
      expect(e.code).toBe('EINVAL');
    }
    expect(sysctl.get('net.ipv6.conf.a0.mtu')).toBe('1500');
    expect(inet6.changes).toEqual([]);
    expect(inet6.cnf(a0).get('accept_untracked_na')).toBe(0);
  });

  it('takes what Linux takes: any int where there is no range, the bounds, hex', () => {
    const { sysctl, inet6, a0 } = setup();
    const taken: [string, string, string][] = [
      ['accept_ra', '-7', '-7'], ['dad_transmits', '-1', '-1'], ['router_solicitation_interval', '-3', '-3'],
      ['router_solicitation_interval', '2147483', '2147483'], ['router_solicitation_interval', '-2147483', '-2147483'],
      ['ndisc_tclass', '-0', '0'], ['accept_untracked_na', '2', '2'], ['ndisc_evict_nocarrier', '0x1', '1'],
      ['hop_limit', '255', '255'], ['mtu', '1280', '1280'], ['mtu', '1500', '1500'],
      ['ra_defrtr_metric', '4294967295', '4294967295'], ['router_solicitations', '-1', '-1'],
      ['addr_gen_mode', '0x3', '3'], ['mldv2_unsolicited_report_interval', '2147483647', '2147483647'],
      ['keep_addr_on_down', '-1', '-1'], ['temp_valid_lft', '0', '0'],
    ];
    for (const [k, v, back] of taken) {
      const key = `net.ipv6.conf.a0.${k}`;
      expect(sysctl.set(key, v), `${k}=${v}`).toBe(v);
      expect(sysctl.get(key), `${k}=${v}`).toBe(back);
    }
    expect(inet6.cnf(a0).get('ra_defrtr_metric')).toBe(4294967295);
    // all/default: mtu has no upper bound, but still IPV6_MIN_MTU below.
    sysctl.set('net.ipv6.conf.default.mtu', '100000');
    sysctl.set('net.ipv6.conf.all.mtu', '70000');
    expect(thrown(() => sysctl.set('net.ipv6.conf.all.mtu', '1279')).message).toBe(inval('net.ipv6.conf.all.mtu'));
  });

  it('a device mtu follows the device MTU as its upper bound', () => {
    const { sysctl, a0 } = setup();
    a0.mtu = 9000;
    sysctl.set('net.ipv6.conf.a0.mtu', '9000');
    expect(thrown(() => sysctl.set('net.ipv6.conf.a0.mtu', '9001')).code).toBe('EINVAL');
  });

  it('prints the refusal as procps does through tapstack sysctl', async () => {
    const { sysctl } = setup();
    // ControlHandler reads only stack.sysctl for TS_SYSCTL.
    const ch = new LocalChannel(new ControlHandler({ sysctl } as unknown as Stack));
    channels.push(ch);
    const io = bufferIO();
    expect(await sysctlCommand(['-w', 'net.ipv6.conf.a0.accept_untracked_na=3'], ch, io)).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe('sysctl: setting key "net.ipv6.conf.a0.accept_untracked_na": Invalid argument\n');
    const io2 = bufferIO();
    expect(await sysctlCommand(['net.ipv6.conf.a0.hop_limit', 'net.ipv6.neigh.default.gc_thresh1'], ch, io2)).toBe(0);
    expect(io2.stdout).toBe('net.ipv6.conf.a0.hop_limit = 64\nnet.ipv6.neigh.default.gc_thresh1 = 128\n');
  });
});

describe('net.ipv6.conf propagation', () => {
  it('forwarding and disable_ipv6 on all set default and every device, even when all had the value', () => {
    const { sysctl, inet6, a0, b0 } = setup();
    sysctl.set('net.ipv6.conf.a0.disable_ipv6', '1');
    sysctl.set('net.ipv6.conf.default.disable_ipv6', '3');
    sysctl.set('net.ipv6.conf.b0.forwarding', '1');
    expect(inet6.changes).toEqual([['a0', 'disable_ipv6', 0, 1], ['default', 'disable_ipv6', 0, 3], ['b0', 'forwarding', 0, 1]]);
    inet6.changes.length = 0;

    // all is already 0: the write still reaches default and the devices (measured).
    sysctl.set('net.ipv6.conf.all.disable_ipv6', '0');
    sysctl.set('net.ipv6.conf.all.forwarding', '0');
    expect(inet6.changes).toEqual([['default', 'disable_ipv6', 3, 0], ['a0', 'disable_ipv6', 1, 0], ['b0', 'forwarding', 1, 0]]);
    inet6.changes.length = 0;

    sysctl.set('net.ipv6.conf.all.forwarding', '2');
    expect(inet6.changes).toEqual([['all', 'forwarding', 0, 2], ['default', 'forwarding', 0, 2], ['a0', 'forwarding', 0, 2], ['b0', 'forwarding', 0, 2]]);
    for (const s of ['all', 'default', 'a0', 'b0']) expect(sysctl.get(`net.ipv6.conf.${s}.forwarding`)).toBe('2');
    expect(inet6.cnf(a0).get('forwarding')).toBe(2);
    expect(inet6.cnf(b0).get('forwarding')).toBe(2);
  });

  it('addr_gen_mode on all sets default and the devices that differ, then all', () => {
    const { sysctl, inet6 } = setup();
    sysctl.set('net.ipv6.conf.a0.addr_gen_mode', '1');
    inet6.changes.length = 0;
    sysctl.set('net.ipv6.conf.all.addr_gen_mode', '1');
    expect(inet6.changes).toEqual([['default', 'addr_gen_mode', 0, 1], ['b0', 'addr_gen_mode', 0, 1], ['all', 'addr_gen_mode', 0, 1]]);
    expect(thrown(() => sysctl.set('net.ipv6.conf.all.addr_gen_mode', '4')).code).toBe('EINVAL');
    expect(sysctl.get('net.ipv6.conf.b0.addr_gen_mode')).toBe('1');
  });

  it('other knobs: default does not reach existing devices and all reaches nothing (unlike IPv4)', () => {
    const { sysctl, inet6, a0 } = setup();
    sysctl.set('net.ipv6.conf.default.hop_limit', '10');
    sysctl.set('net.ipv6.conf.default.accept_ra', '0');
    sysctl.set('net.ipv6.conf.all.hop_limit', '20');
    expect(sysctl.get('net.ipv6.conf.a0.hop_limit')).toBe('64');
    expect(sysctl.get('net.ipv6.conf.a0.accept_ra')).toBe('1');
    expect(inet6.changes).toEqual([['default', 'hop_limit', 64, 10], ['default', 'accept_ra', 1, 0], ['all', 'hop_limit', 64, 20]]);
    // A write that changes nothing is not reported.
    inet6.changes.length = 0;
    sysctl.set('net.ipv6.conf.a0.hop_limit', '64');
    expect(inet6.changes).toEqual([]);
    expect(inet6.conf.effective(inet6.cnf(a0), 'hop_limit')).toBe(64);
  });

  it('combines all with the device as the kernel reads each knob', () => {
    const { inet6, sysctl, a0 } = setup();
    const eff = (k: string) => inet6.conf.effective(inet6.cnf(a0), k);
    expect(eff('accept_dad')).toBe(1);
    sysctl.set('net.ipv6.conf.all.accept_dad', '2');
    expect(eff('accept_dad')).toBe(2);
    sysctl.set('net.ipv6.conf.all.ndisc_notify', '1');
    expect(eff('ndisc_notify')).toBe(1);
    sysctl.set('net.ipv6.conf.all.ndisc_evict_nocarrier', '0');
    expect(eff('ndisc_evict_nocarrier')).toBe(0);
    sysctl.set('net.ipv6.conf.all.proxy_ndp', '1');
    expect(eff('proxy_ndp')).toBe(1);
    sysctl.set('net.ipv6.conf.all.hop_limit', '1');
    expect(eff('hop_limit')).toBe(64);
  });
});

describe('stable_secret', () => {
  it('reads EIO while unset and on all, in procps words', () => {
    const { sysctl } = setup();
    for (const s of ['a0', 'all', 'default']) {
      const e = thrown(() => sysctl.get(`net.ipv6.conf.${s}.stable_secret`));
      expect(e.code).toBe('EIO');
      expect(e.message).toBe(`sysctl: reading key "net.ipv6.conf.${s}.stable_secret": Input/output error`);
    }
    const w = thrown(() => sysctl.set('net.ipv6.conf.all.stable_secret', 'fe80::1'));
    expect(w.message).toBe('sysctl: setting key "net.ipv6.conf.all.stable_secret": Input/output error');
    expect(thrown(() => sysctl.set('net.ipv6.conf.a0.stable_secret', 'bogus')).message).toBe(
      'sysctl: setting key "net.ipv6.conf.a0.stable_secret": Input/output error',
    );
  });

  it('a device secret reads back in full and switches that device to stable privacy', () => {
    const { sysctl, inet6, a0 } = setup();
    expect(thrown(() => sysctl.set('net.ipv6.conf.a0.addr_gen_mode', '2')).code).toBe('EINVAL');
    expect(sysctl.set('net.ipv6.conf.a0.stable_secret', '2001:db8::1')).toBe('2001:db8::1');
    expect(sysctl.get('net.ipv6.conf.a0.stable_secret')).toBe('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(sysctl.get('net.ipv6.conf.a0.addr_gen_mode')).toBe('2');
    expect(sysctl.get('net.ipv6.conf.b0.addr_gen_mode')).toBe('0');
    expect(inet6.changes).toEqual([['a0', 'stable_secret', 0, 1]]);
    expect(inet6.conf.stableSecret(inet6.cnf(a0))?.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(sysctl.list('a0\\.stable_secret')).toEqual([{ key: 'net.ipv6.conf.a0.stable_secret', value: '2001:0db8:0000:0000:0000:0000:0000:0001' }]);
  });

  it('a default secret switches every device but not default, and seeds new devices', () => {
    const { net, sysctl, inet6 } = setup();
    sysctl.set('net.ipv6.conf.default.stable_secret', '2001:db8::2');
    expect(sysctl.get('net.ipv6.conf.default.stable_secret')).toBe('2001:0db8:0000:0000:0000:0000:0000:0002');
    expect(sysctl.get('net.ipv6.conf.default.addr_gen_mode')).toBe('0');
    expect(sysctl.get('net.ipv6.conf.a0.addr_gen_mode')).toBe('2');
    expect(sysctl.get('net.ipv6.conf.b0.addr_gen_mode')).toBe('2');
    expect(thrown(() => sysctl.get('net.ipv6.conf.b0.stable_secret')).code).toBe('EIO');
    // A device may now choose stable privacy on default's secret.
    sysctl.set('net.ipv6.conf.b0.addr_gen_mode', '0');
    sysctl.set('net.ipv6.conf.b0.addr_gen_mode', '2');
    const [c0] = createPair('c0', 'd0');
    net.registerNetdevice(c0);
    inet6.add(c0);
    expect(sysctl.get('net.ipv6.conf.c0.stable_secret')).toBe('2001:0db8:0000:0000:0000:0000:0000:0002');
    expect(sysctl.get('net.ipv6.conf.c0.addr_gen_mode')).toBe('2');
  });

  it('parses secrets as in6_pton does (Linux 6.18 answers)', () => {
    const cases: [string, string | null][] = [
      ['::', '0000:0000:0000:0000:0000:0000:0000:0000'],
      ['1::', '0001:0000:0000:0000:0000:0000:0000:0000'],
      ['::ffff:1.2.3.4', '0000:0000:0000:0000:0000:ffff:0102:0304'],
      ['1:2:3:4:5:6:7:8', '0001:0002:0003:0004:0005:0006:0007:0008'],
      ['1:2:3:4:5:6:7::', '0001:0002:0003:0004:0005:0006:0007:0000'],
      ['::2:3:4:5:6:7:8', '0000:0002:0003:0004:0005:0006:0007:0008'],
      ['01234::', '1234:0000:0000:0000:0000:0000:0000:0000'],
      ['1.2.3.4', null],
      ['fe80::1%eth0', 'fe80:0000:0000:0000:0000:0000:0000:0001'],
      ['::1 x', '0000:0000:0000:0000:0000:0000:0000:0001'],
      ['1:2:3:4:5:6:7:8:9', null],
      ['ABCD::EF', 'abcd:0000:0000:0000:0000:0000:0000:00ef'],
      ['1:2:3:4:5:6:1.2.3.4', '0001:0002:0003:0004:0005:0006:0102:0304'],
      ['1::2::3', null],
      ['::1.2.3', null],
      ['::1.2.3.256', null],
      ['0001:0002::', '0001:0002:0000:0000:0000:0000:0000:0000'],
      [':1::', null],
      ['1:', null],
      ['::1.2.3.4.5', null],
      ['1::1.2.3.4', '0001:0000:0000:0000:0000:0000:0102:0304'],
      ['1:2:3:4:5:6:7:1.2.3.4', null],
      ['', null],
      // From the in6_pton rules (not measured one by one).
      ['12345::', null],
      ['1:2:3:4:5:6:7:8::', null],
      ['1:2:3:4:5:6:7::8', null],
      ['1:2:3:4:5::1.2.3.4', '0001:0002:0003:0004:0005:0000:0102:0304'],
      ['1:2:3:4:5:6::1.2.3.4', null],
      ['::1.2.3.4a', null],
      ['::1.2.3.4:5', '0000:0000:0000:0000:0000:0000:0102:0304'],
    ];
    for (const [text, want] of cases) {
      const got = in6Pton(text);
      expect(got === null ? null : formatIn6Full(got), JSON.stringify(text)).toBe(want);
    }
  });
});

describe('net.ipv6.neigh', () => {
  it('lists the device keys of nd_tbl, deprecated ones hidden, default with the gc keys', () => {
    const { sysctl } = setup();
    const dev = (opts?: { deprecated: boolean }) =>
      sysctl.keys(opts).filter((k) => k.startsWith('net.ipv6.neigh.a0.')).map((k) => k.slice('net.ipv6.neigh.a0.'.length));
    expect(dev({ deprecated: true })).toEqual(NEIGH_DEV_DEPRECATED);
    expect(dev()).toEqual(NEIGH_DEV_DEPRECATED.filter((k) => k !== 'retrans_time' && k !== 'base_reachable_time'));
    expect(sysctl.show('net.ipv6.neigh.a0').map((e) => e.key.split('.')[4])).toEqual(dev());
    const dflt = sysctl.keys().filter((k) => k.startsWith('net.ipv6.neigh.default.')).map((k) => k.split('.')[4]);
    expect(dflt).toEqual(expect.arrayContaining(['gc_interval', 'gc_thresh1', 'gc_thresh2', 'gc_thresh3']));
    expect(dflt).toHaveLength(15 + 4);
  });

  it('reads nd_tbl\'s defaults; retrans_time is in jiffies (1000 at the model\'s HZ=1000, Linux here prints 250)', () => {
    const { sysctl } = setup();
    const want: Record<string, string> = {
      anycast_delay: '100', app_solicit: '0', base_reachable_time: '30', base_reachable_time_ms: '30000',
      delay_first_probe_time: '5', gc_stale_time: '60', interval_probe_time_ms: '5000', locktime: '0',
      mcast_resolicit: '0', mcast_solicit: '3', proxy_delay: '80', proxy_qlen: '64', retrans_time: '1000',
      retrans_time_ms: '1000', ucast_solicit: '3', unres_qlen: '101', unres_qlen_bytes: '212992',
    };
    for (const [k, v] of Object.entries(want)) {
      expect(sysctl.get(`net.ipv6.neigh.a0.${k}`), k).toBe(v);
      expect(sysctl.get(`net.ipv6.neigh.default.${k}`), k).toBe(v);
    }
    expect(sysctl.get('net.ipv6.neigh.default.gc_thresh1')).toBe('128');
    expect(sysctl.get('net.ipv6.neigh.default.gc_thresh2')).toBe('512');
    expect(sysctl.get('net.ipv6.neigh.default.gc_thresh3')).toBe('1024');
    expect(sysctl.get('net.ipv6.neigh.default.gc_interval')).toBe('30');
    // ARP's retrans_time stays in USER_HZ.
    expect(sysctl.get('net.ipv4.neigh.a0.retrans_time')).toBe('100');
  });

  it('retrans_time takes any int as raw jiffies, as neigh_proc_dointvec does', () => {
    const { sysctl, inet6, a0 } = setup();
    sysctl.set('net.ipv6.neigh.a0.retrans_time', '-7');
    expect(inet6.parms(a0).retransTime).toBe(-7);
    sysctl.set('net.ipv6.neigh.a0.retrans_time', '2147483647');
    expect(sysctl.get('net.ipv6.neigh.a0.retrans_time_ms')).toBe('2147483647');
    expect(thrown(() => sysctl.set('net.ipv6.neigh.a0.retrans_time', '3000000000')).message).toBe(
      'sysctl: setting key "net.ipv6.neigh.a0.retrans_time": Invalid argument',
    );
  });

  it('base_reachable_time[_ms] re-draws a device\'s reachable_time, not default\'s (ndisc_ifinfo_sysctl_change)', () => {
    const { sysctl, inet6, a0 } = setup();
    const p = inet6.parms(a0);
    sysctl.set('net.ipv6.neigh.a0.base_reachable_time_ms', '4000');
    expect(p.reachableTime).toBeGreaterThanOrEqual(2000);
    expect(p.reachableTime).toBeLessThan(6000);
    sysctl.set('net.ipv6.neigh.a0.base_reachable_time', '100');
    expect(p.reachableTime).toBeGreaterThanOrEqual(50000);
    expect(p.reachableTime).toBeLessThan(150000);
    const d = inet6.tbl.parms;
    const before = d.reachableTime;
    sysctl.set('net.ipv6.neigh.default.base_reachable_time_ms', '4000');
    expect(d.reachableTime).toBe(before);
    expect(d.baseReachableTime).toBe(4000);
    // The default still reaches devices that did not set it (neigh_copy_dflt_parms).
    expect(sysctl.get('net.ipv6.neigh.b0.base_reachable_time_ms')).toBe('4000');
    expect(sysctl.get('net.ipv6.neigh.a0.base_reachable_time_ms')).toBe('100000');
  });

  it('ARP\'s base_reachable_time_ms still re-draws every parms, default included', () => {
    const { inet, sysctl } = setup();
    const d = inet.arp.tbl.parms;
    sysctl.set('net.ipv4.neigh.default.base_reachable_time_ms', '4000');
    expect(d.reachableTime).toBe(4000); // random 0.5: base/2 + base/2
    sysctl.set('net.ipv6.neigh.default.gc_thresh1', '7');
    expect(inet.arp.tbl.gcThresh1).toBe(128);
  });
});

describe('SysctlTree', () => {
  it('serves several providers in one sorted walk; register returns the unregister', () => {
    const tree = new SysctlTree();
    let v = 1;
    const leaf = (path: string[]) => ({ path, read: () => String(v), write: (t: string) => void (v = Number(t)) });
    const offB = tree.register(() => [leaf(['net', 'b', 'x']), leaf(['net', 'b', 'a'])]);
    tree.register(() => [leaf(['net', 'a', 'z'])]);
    expect(tree.leaves().map((l) => l.path.join('.'))).toEqual(['net.a.z', 'net.b.a', 'net.b.x']);
    expect(tree.below(['net', 'b'])!.map((l) => l.path.at(-1))).toEqual(['a', 'x']);
    expect(tree.below(['net', 'c'])).toBeNull();
    tree.find(['net', 'b', 'x'])!.write('5');
    expect(tree.find(['net', 'a', 'z'])!.read()).toBe('5');
    offB();
    expect(tree.leaves().map((l) => l.path.join('.'))).toEqual(['net.a.z']);
  });
});
