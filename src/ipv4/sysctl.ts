// IPv4's keys in the namespace's sysctl tree: net.ipv4.conf.{all,default,DEV}.*, net.ipv4.ip_forward,
// net.ipv4.ip_local_port_range and net.ipv4.neigh.{default,DEV}.* (net/ipv4/devinet.c:
// devinet_sysctl_register, devinet_conf_proc, devinet_copy_dflt_conf, devinet_sysctl_forward,
// inet_forward_change, ctl_forward_entry; sysctl_net_ipv4.c: ipv4_local_port_range).
import type { SysctlLeaf, SysctlTree } from '../core/sysctl_tree.js';
import { intConv, intMinmaxConv, procInval, procLong, sysctlDevNameIsAllowed } from '../core/sysctl_tree.js';
import { registerNeighSysctl } from '../neighbour/sysctl.js';
import type { Inet } from './af_inet.js';
import { DEVCONF_KNOBS } from './devconf.js';
import { type InDevice, inDevGet } from './devinet.js';

type Scope = 'all' | 'default' | InDevice;

/**
 * devinet_sysctl_register() for `all`, `default` and every device with IPv4 state, plus the
 * ARP table's neigh_sysctl_register(). Called once per namespace; returns the unregister function.
 */
export function registerIpv4Sysctl(tree: SysctlTree, inet: Inet): () => void {
  /** Devices with IPv4 state whose names the kernel allows as sysctl directories. */
  const devices = (): InDevice[] => {
    const out: InDevice[] = [];
    for (const dev of inet.net.deviceList) {
      if (!sysctlDevNameIsAllowed(dev.name)) continue;
      const inDev = inDevGet(dev);
      if (inDev) out.push(inDev);
    }
    return out;
  };
  const offConf = tree.register(() => {
    const out: SysctlLeaf[] = [];
    const devs = devices();
    for (const k of DEVCONF_KNOBS) {
      out.push(confLeaf(inet, 'all', k.name));
      out.push(confLeaf(inet, 'default', k.name));
      for (const d of devs) out.push(confLeaf(inet, d, k.name));
    }
    // net.ipv4.ip_forward: the same int as conf.all.forwarding, the same handler.
    out.push({ ...confLeaf(inet, 'all', 'forwarding'), path: ['net', 'ipv4', 'ip_forward'] });
    out.push(localPortRangeLeaf(inet));
    return out;
  });
  const offNeigh = registerNeighSysctl(
    tree,
    'ipv4',
    inet.arp.tbl,
    () => devices().map((d) => ({ dev: d.dev, parms: d.arpParms })),
    { retransTimeUnit: 'userhz' },
  );
  return () => {
    offConf();
    offNeigh();
  };
}

function confLeaf(inet: Inet, scope: Scope, knob: string): SysctlLeaf {
  const conf = inet.conf;
  const cnf = scope === 'all' ? conf.all : scope === 'default' ? conf.dflt : scope.cnf;
  const name = typeof scope === 'string' ? scope : scope.dev.name;
  return {
    path: ['net', 'ipv4', 'conf', name, knob],
    read: () => String(cnf.get(knob)),
    // proc_dointvec: any int; the policies read what they do not know as their default case.
    write: (t) => {
      const v = intConv(procLong(t));
      if (knob === 'forwarding') return writeForwarding(inet, scope, v);
      // devinet_conf_proc: the scope's value is marked as set; a write on default is copied to
      // every device that has not set it (devinet_copy_dflt_conf).
      if (scope === 'default') conf.setDefault(knob, v, inet.inDevices().map((d) => d.cnf));
      else cnf.set(knob, v);
    },
    // devinet_sysctl_forward() marks nothing; devinet_conf_proc() marks even a refused write.
    ...(knob === 'forwarding' ? {} : { touch: () => cnf.markSet(knob) }),
  };
}

/**
 * devinet_sysctl_forward(): a change on `all` (or ip_forward) runs inet_forward_change(), which
 * sets default and every device to the new value; `default` and a device are written alone
 * (default's value is not copied to existing devices: it only seeds new ones).
 */
function writeForwarding(inet: Inet, scope: Scope, v: number): void {
  const conf = inet.conf;
  if (scope === 'default') {
    conf.dflt.set('forwarding', v);
    return;
  }
  if (scope !== 'all') {
    scope.cnf.set('forwarding', v);
    return;
  }
  const old = conf.all.get('forwarding');
  conf.all.set('forwarding', v);
  if (v === old) return;
  conf.dflt.set('forwarding', v);
  for (const d of inet.inDevices()) d.cnf.set('forwarding', v);
}

/** net.ipv4.ip_unprivileged_port_start's default: the local port range may not start below it. */
const IP_UNPRIVILEGED_PORT_START = 1024;

/**
 * net.ipv4.ip_local_port_range (ipv4_local_port_range): two ports, tab-separated, each 1..65535
 * (proc_dointvec_minmax; one value sets the low end only, a third is ignored), refused with EINVAL
 * when the high end is below the low one or the low one below ip_unprivileged_port_start. The
 * array is the one UDP and TCP of both families take ephemeral ports from, changed in place.
 */
function localPortRangeLeaf(inet: Inet): SysctlLeaf {
  return {
    path: ['net', 'ipv4', 'ip_local_port_range'],
    read: () => inet.udp.portRange.join('\t'),
    write(text) {
      const parts = text.split(/\s+/).filter((p) => p !== '');
      if (parts.length === 0) procInval();
      const r = inet.udp.portRange;
      const next = [r[0], r[1]];
      parts.slice(0, 2).forEach((p, i) => {
        next[i] = intMinmaxConv(procLong(p), 1, 65535);
      });
      if (next[1] < next[0] || next[0] < IP_UNPRIVILEGED_PORT_START) procInval();
      r[0] = next[0];
      r[1] = next[1];
    },
  };
}
