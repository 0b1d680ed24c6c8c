// net.<family>.neigh.{default,DEV}.* for any neighbour table (net/core/neighbour.c:
// neigh_sysctl_template, neigh_sysctl_register, neigh_proc_update, neigh_copy_dflt_parms,
// neigh_proc_base_reachable_time, proc_unres_qlen; the IPv6 handler ndisc_ifinfo_sysctl_change).
// Protocol-neutral: the family says where the keys live and how its deprecated retrans_time counts.
import type { NetDevice } from '../core/netdevice.js';
import {
  INT_MAX,
  type ProcLong,
  type SysctlLeaf,
  type SysctlTree,
  intConv,
  intMinmaxConv,
  jiffiesConv,
  msConv,
  procInval,
  procLong,
  readJiffies,
  readMs,
  readUserhz,
  userhzConv,
} from '../core/sysctl_tree.js';
import { type NeighParmName, type NeighParms, UNRES_QLEN_MAX, setUnresQlen, unresQlen } from './parms.js';
import type { NeighTable } from './table.js';

/** How a neighbour knob's sysctl value maps onto the stored one (ms for times). */
type NeighUnit =
  /** neigh_proc_dointvec_zero_intmax: plain count, 0..INT_MAX. */
  | 'int'
  /** neigh_proc_dointvec: raw jiffies, any int (the model's jiffies are ms). */
  | 'jiffies'
  /** neigh_proc_dointvec_jiffies: seconds. */
  | 'sec'
  /** neigh_proc_dointvec_userhz_jiffies: USER_HZ ticks (1/100 s). */
  | 'userhz'
  /** neigh_proc_dointvec_ms_jiffies: milliseconds, 0..INT_MAX. */
  | 'ms'
  /** neigh_proc_dointvec_ms_jiffies_positive: milliseconds, at least one jiffy. */
  | 'ms_positive'
  /** proc_unres_qlen: packets of SKB_TRUESIZE(ETH_FRAME_LEN) bytes, stored in queue_len_bytes. */
  | 'qlen';

interface NeighVar {
  name: string;
  parm: NeighParmName;
  unit: NeighUnit;
  deprecated?: boolean;
}

/**
 * neigh_sysctl_template: the per-parms entries (every scope), kernel order. retrans_time's unit is
 * the family's (see {@link NeighSysctlOptions.retransTimeUnit}).
 */
function neighVars(retransTimeUnit: 'userhz' | 'jiffies'): NeighVar[] {
  return [
    { name: 'mcast_solicit', parm: 'mcastProbes', unit: 'int' },
    { name: 'ucast_solicit', parm: 'ucastProbes', unit: 'int' },
    { name: 'app_solicit', parm: 'appProbes', unit: 'int' },
    { name: 'mcast_resolicit', parm: 'mcastReprobes', unit: 'int' },
    { name: 'retrans_time', parm: 'retransTime', unit: retransTimeUnit, deprecated: true },
    { name: 'base_reachable_time', parm: 'baseReachableTime', unit: 'sec', deprecated: true },
    { name: 'delay_first_probe_time', parm: 'delayProbeTime', unit: 'sec' },
    { name: 'interval_probe_time_ms', parm: 'intervalProbeTimeMs', unit: 'ms_positive' },
    { name: 'gc_stale_time', parm: 'gcStaletime', unit: 'sec' },
    { name: 'unres_qlen_bytes', parm: 'queueLenBytes', unit: 'int' },
    { name: 'proxy_qlen', parm: 'proxyQlen', unit: 'int' },
    { name: 'anycast_delay', parm: 'anycastDelay', unit: 'userhz' },
    { name: 'proxy_delay', parm: 'proxyDelay', unit: 'userhz' },
    { name: 'locktime', parm: 'locktime', unit: 'userhz' },
    { name: 'unres_qlen', parm: 'queueLenBytes', unit: 'qlen' },
    { name: 'retrans_time_ms', parm: 'retransTime', unit: 'ms' },
    { name: 'base_reachable_time_ms', parm: 'baseReachableTime', unit: 'ms' },
  ];
}

/** One device's parms as the family sees them. */
export interface NeighSysctlDevice {
  readonly dev: NetDevice;
  readonly parms: NeighParms;
}

/** What differs between the families' registrations. */
export interface NeighSysctlOptions {
  /**
   * The unit of the deprecated retrans_time: ARP leaves the generic handler in place (USER_HZ,
   * 100 = 1 s); IPv6's ndisc_ifinfo_sysctl_change reads and writes raw jiffies. The model's jiffies
   * are milliseconds (HZ=1000), so tapstack prints 1000 where this machine's kernel (HZ=250)
   * prints 250.
   */
  retransTimeUnit: 'userhz' | 'jiffies';
  /**
   * Whether a base_reachable_time[_ms] write on `default` re-draws the default's reachable_time.
   * The generic handler (neigh_proc_base_reachable_time, ARP) does it for every parms; the IPv6
   * handler only for a device's. Default true.
   */
  redrawDefault?: boolean;
}

/**
 * neigh_sysctl_register() for a table's default parms (`default`, which also carries the
 * table-wide gc_interval and gc_thresh1..3) and each device the family lists (already filtered by
 * sysctl_dev_name_is_allowed). Returns the unregister function.
 */
export function registerNeighSysctl<K>(
  tree: SysctlTree,
  /** The family's directory under `net.` (the protocol passes its own name: net.<familyDir>.neigh). */
  familyDir: string,
  tbl: NeighTable<K>,
  devices: () => Iterable<NeighSysctlDevice>,
  opts: NeighSysctlOptions,
): () => void {
  const vars = neighVars(opts.retransTimeUnit);
  const redrawDefault = opts.redrawDefault ?? true;
  const dir = (scope: string, name: string): string[] => ['net', familyDir, 'neigh', scope, name];
  return tree.register(() => {
    const out: SysctlLeaf[] = [];
    for (const v of vars) {
      out.push(neighLeaf(dir('default', v.name), tbl.parms, v, redrawDefault));
      for (const d of devices()) out.push(neighLeaf(dir(d.dev.name, v.name), d.parms, v, true));
    }
    // Table-wide, under default only (neigh_sysctl_register with dev == NULL).
    out.push({
      path: dir('default', 'gc_interval'),
      // proc_dointvec_jiffies: seconds, negative allowed, |v| <= INT_MAX / HZ.
      read: () => readJiffies(tbl.gcInterval),
      write: (t) => {
        tbl.gcInterval = jiffiesConv(procLong(t));
      },
    });
    for (const n of [1, 2, 3] as const) {
      const field = `gcThresh${n}` as const;
      out.push({
        path: dir('default', `gc_thresh${n}`),
        // proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_INT_MAX.
        read: () => String(tbl[field]),
        write: (t) => {
          tbl[field] = intMinmaxConv(procLong(t), 0, INT_MAX);
        },
      });
    }
    return out;
  });
}

function neighLeaf(path: string[], p: NeighParms, v: NeighVar, redraw: boolean): SysctlLeaf {
  return {
    path,
    read: () => readNeigh(p, v),
    // neigh_proc_update(): the write marks the knob as set on these parms; on the default parms
    // it is copied to every device that has not set it (NeighParms.set / neigh_copy_dflt_parms).
    write: (t) => {
      const before = p.reachableTime;
      writeNeigh(p, v, procLong(t));
      if (!redraw) p.reachableTime = before;
    },
    // neigh_proc_update() runs whatever the conversion said: a refused write marks it too.
    touch: () => p.markWritten(v.parm),
    ...(v.deprecated ? { deprecated: true } : {}),
  };
}

function readNeigh(p: NeighParms, v: NeighVar): string {
  const stored = p.get(v.parm);
  switch (v.unit) {
    case 'sec':
      return readJiffies(stored);
    case 'userhz':
      return readUserhz(stored);
    case 'ms':
    case 'ms_positive':
      return readMs(stored);
    case 'qlen':
      return String(unresQlen(p));
    default:
      return String(stored);
  }
}

/** Writes one knob; NeighParms.set re-draws reachable_time after base_reachable_time[_ms]. */
function writeNeigh(p: NeighParms, v: NeighVar, x: ProcLong): void {
  switch (v.unit) {
    case 'int':
      return p.set(v.parm, intMinmaxConv(x, 0, INT_MAX)); // SYSCTL_ZERO..SYSCTL_INT_MAX
    case 'jiffies':
      return p.set(v.parm, intConv(x));
    case 'sec':
      return p.set(v.parm, jiffiesConv(x));
    case 'userhz':
      return p.set(v.parm, userhzConv(x));
    case 'ms':
      return p.set(v.parm, msConv(x));
    case 'ms_positive': {
      const ms = msConv(x);
      if (ms < 1) procInval(); // extra1 = msecs_to_jiffies(1)
      return p.set(v.parm, ms);
    }
    case 'qlen':
      return setUnresQlen(p, intMinmaxConv(x, 0, UNRES_QLEN_MAX));
  }
}
