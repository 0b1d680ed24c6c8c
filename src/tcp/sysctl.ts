// TCP's keys in the namespace's sysctl tree: net.ipv4.tcp_* and net.core.somaxconn with Linux's
// names, value formats and ranges (net/ipv4/sysctl_net_ipv4.c ipv4_net_table, tcp_cong.c's
// congestion-control handlers), registered as each subsystem registers its own.
import { EACCES, ENOENT, StackError } from '../core/errno.js';
import type { SysctlLeaf, SysctlTree } from '../core/sysctl_tree.js';
import { INT_MAX, intConv, intMinmaxConv, procInval, procLong } from '../core/sysctl_tree.js';
import type { TcpSysctl } from './tcp_conf.js';
import { tcpCaFind, tcpCaNames } from './tcp_cong.js';

type IntKey = { [K in keyof TcpSysctl]: TcpSysctl[K] extends number ? K : never }[keyof TcpSysctl];

/** One int knob: its sysctl name, its TcpSysctl field and its range (proc_dointvec_minmax). */
const INT_KNOBS: readonly [string, IntKey, number, number][] = [
  ['tcp_sack', 'tcpSack', 0, 1],
  ['tcp_dsack', 'tcpDsack', 0, 1],
  ['tcp_timestamps', 'tcpTimestamps', 0, 2],
  ['tcp_window_scaling', 'tcpWindowScaling', 0, 1],
  ['tcp_syn_retries', 'tcpSynRetries', 1, 127],
  ['tcp_synack_retries', 'tcpSynackRetries', 0, 255],
  ['tcp_syn_linear_timeouts', 'tcpSynLinearTimeouts', 0, 255],
  ['tcp_fin_timeout', 'tcpFinTimeout', 0, INT_MAX],
  ['tcp_keepalive_time', 'tcpKeepaliveTime', 1, 32767],
  ['tcp_keepalive_intvl', 'tcpKeepaliveIntvl', 1, 32767],
  ['tcp_keepalive_probes', 'tcpKeepaliveProbes', 1, 127],
  ['tcp_retries1', 'tcpRetries1', 0, 255],
  ['tcp_retries2', 'tcpRetries2', 0, 255],
  ['tcp_orphan_retries', 'tcpOrphanRetries', 0, 255],
  ['tcp_max_syn_backlog', 'tcpMaxSynBacklog', 0, INT_MAX],
  ['tcp_syncookies', 'tcpSyncookies', 0, 2],
  ['tcp_abort_on_overflow', 'tcpAbortOnOverflow', 0, 1],
  ['tcp_rto_min_us', 'tcpRtoMinUs', 1, INT_MAX],
  ['tcp_rto_max_ms', 'tcpRtoMaxMs', 1000, 120000],
  ['tcp_invalid_ratelimit', 'tcpInvalidRatelimit', 0, INT_MAX],
  ['tcp_challenge_ack_limit', 'tcpChallengeAckLimit', 0, INT_MAX],
  ['tcp_slow_start_after_idle', 'tcpSlowStartAfterIdle', 0, 1],
  ['tcp_adv_win_scale', 'tcpAdvWinScale', -31, 31],
  ['tcp_moderate_rcvbuf', 'tcpModerateRcvbuf', 0, 1],
  ['tcp_min_snd_mss', 'tcpMinSndMss', 48, 65535 - 40],
  ['tcp_base_mss', 'tcpBaseMss', 0, INT_MAX],
  ['tcp_early_retrans', 'tcpEarlyRetrans', 0, 4],
  ['tcp_recovery', 'tcpRecovery', 0, INT_MAX],
  ['tcp_reordering', 'tcpReordering', 1, 1024],
  ['tcp_max_tw_buckets', 'tcpMaxTwBuckets', 0, INT_MAX],
];

/** tcp_rmem / tcp_wmem: three ints, printed tab-separated as proc_dointvec prints a vector. */
function vectorLeaf(conf: TcpSysctl, name: string, key: 'tcpRmem' | 'tcpWmem'): SysctlLeaf {
  return {
    path: ['net', 'ipv4', name],
    read: () => conf[key].join('\t'),
    write(text) {
      const parts = text.split(/\s+/).filter((s) => s !== '');
      if (parts.length === 0) procInval();
      // A vector write sets as many elements as were given, each at least 1 (tcp_rmem's extra1).
      const next = [...conf[key]] as [number, number, number];
      parts.slice(0, 3).forEach((p, i) => {
        const v = intConv(procLong(p));
        if (v < 1) procInval();
        next[i] = v;
      });
      conf[key] = next;
    },
  };
}

/** Registers TCP's keys; returns the unregister function. */
export function registerTcpSysctl(tree: SysctlTree, conf: TcpSysctl): () => void {
  return tree.register(() => {
    const out: SysctlLeaf[] = [];
    for (const [name, key, min, max] of INT_KNOBS) {
      out.push({
        path: ['net', 'ipv4', name],
        read: () => String(conf[key]),
        write(text) {
          conf[key] = intMinmaxConv(procLong(text), min, max);
        },
      });
    }
    out.push(vectorLeaf(conf, 'tcp_rmem', 'tcpRmem'), vectorLeaf(conf, 'tcp_wmem', 'tcpWmem'));
    out.push({
      path: ['net', 'ipv4', 'tcp_congestion_control'],
      read: () => conf.tcpCongestionControl,
      write(text) {
        // tcp_set_default_congestion_control(): an unknown name is ENOENT.
        if (tcpCaFind(text) === undefined) throw new StackError(ENOENT);
        conf.tcpCongestionControl = text;
      },
    });
    out.push({
      path: ['net', 'ipv4', 'tcp_available_congestion_control'],
      read: () => tcpCaNames().join(' '),
      // Mode 0444: not even root may write it.
      write() {
        throw new StackError(EACCES);
      },
    });
    out.push({
      path: ['net', 'core', 'somaxconn'],
      read: () => String(conf.somaxconn),
      write(text) {
        conf.somaxconn = intMinmaxConv(procLong(text), 0, INT_MAX);
      },
    });
    return out;
  });
}
