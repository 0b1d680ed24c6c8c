// `tapstack proc FILE...`: the stack's procfs files, printed as `cat /proc/FILE` prints the kernel's
// (net/ipv4/arp.c arp_seq_show for net/arp, net/core/neighbour.c neigh_stat_seq_show for
// net/stat/arp_cache), built from RTM_GETNEIGH dumps (neighbours, then proxy entries) and
// RTM_GETNEIGHTBL through fmt_proc. Errors read like coreutils cat's.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import type { NtableView } from '../neighbour/tbl_info.js';
import { formatProcNetArp, formatProcStatArpCache, type ProcArpNeigh, type ProcArpPneigh } from './fmt_proc.js';
import type { CliIO } from './io.js';

export const PROC_USAGE = `Usage: tapstack proc FILE...
Print a procfs file of the running stack, as 'cat /proc/FILE' prints the kernel's.
FILE may be given with or without the leading /proc/:
  net/arp               the ARP table: neighbours, then proxy entries
  net/stat/arp_cache    neighbour table statistics (hexadecimal, one line per CPU)
`;

type ProcFile = (ch: ControlChannel) => Promise<string>;

/** The files tapstack has, by path below /proc. */
const FILES: ReadonlyMap<string, ProcFile> = new Map<string, ProcFile>([
  [
    'net/arp',
    async (ch) => {
      const neighs = await ch.dump<ProcArpNeigh>('RTM_GETNEIGH', {});
      const pneighs = await ch.dump<ProcArpPneigh>('RTM_GETNEIGH', { proxy: true });
      return formatProcNetArp(neighs, pneighs);
    },
  ],
  [
    'net/stat/arp_cache',
    async (ch) => {
      const tables = await ch.dump<NtableView>('RTM_GETNEIGHTBL');
      const t = tables.find((x) => x.name === 'arp_cache');
      if (!t) throw new ControlError(2, 'No such file or directory');
      return formatProcStatArpCache(t.config.entries, t.stats);
    },
  ],
]);

/** Directories on the way to those files (cat refuses them). */
const DIRS: ReadonlySet<string> = new Set(['', 'net', 'net/stat']);

/**
 * `tapstack proc FILE...`: 0 when every file was printed, 1 when one was missing (`cat: /proc/net/xyz:
 * No such file or directory`), 2 for usage errors.
 */
export async function procCommand(argv: string[], ch: ControlChannel, io: CliIO, _opts?: { signal?: AbortSignal }): Promise<number> {
  if (argv.length === 0) {
    io.err(PROC_USAGE);
    return 2;
  }
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(PROC_USAGE);
    return 0;
  }
  let rc = 0;
  let operands = argv;
  const dashdash = argv.indexOf('--');
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const bad = opts.find((a) => a.startsWith('-') && a !== '-');
  if (bad !== undefined) {
    io.err(`tapstack proc: unknown option '${bad}'\n${PROC_USAGE}`);
    return 2;
  }
  if (dashdash >= 0) operands = [...argv.slice(0, dashdash), ...argv.slice(dashdash + 1)];
  for (const arg of operands) {
    const shown = arg === '/proc' || arg.startsWith('/proc/') ? arg : `/proc/${arg}`;
    const rel = arg === '/proc' ? '' : arg.startsWith('/proc/') ? arg.slice(6) : arg;
    const trailingSlash = rel.endsWith('/');
    const path = rel.split('/').filter((c) => c !== '').join('/');
    const file = FILES.get(path);
    if (file && trailingSlash) {
      io.err(`cat: ${shown}: Not a directory\n`);
      rc = 1;
      continue;
    }
    if (!file) {
      io.err(`cat: ${shown}: ${DIRS.has(path) ? 'Is a directory' : 'No such file or directory'}\n`);
      rc = 1;
      continue;
    }
    try {
      io.out(await file(ch));
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      io.err(`cat: ${shown}: ${e.message}\n`);
      rc = 1;
    }
  }
  return rc;
}
