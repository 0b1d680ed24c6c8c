// `tapstack sysctl -w KEY=VALUE` against what Linux 6.18 and procps-ng 4.0.2 answered for the same
// odd values (test/golden/sysctl-odd-values.tsv, captured in a namespace by
// scripts/capture-sysctl-golden.sh): negative, 2^31-1, 2^31 (overflows an int), 9, -2, garbage,
// empty, hex and trailing words, for every net.ipv4.conf.{all,default,DEV}.*, ip_forward and
// net.ipv4.neigh.DEV.* setting tapstack has. Exit status, stdout and stderr must be the kernel's
// byte for byte, and so must `sysctl -n` afterwards, except where the kernel's HZ shows (see
// HZ_READBACK): tapstack models HZ=1000 and the capture kernel ran another HZ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { sysctlCommand } from '../../src/cli/sysctl_cmd.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

const GOLDEN = join(__dirname, '..', 'golden', 'sysctl-odd-values.tsv');

interface Row {
  key: string;
  value: string;
  rc: number;
  out: string;
  err: string;
  readback: string;
}

const lines = readFileSync(GOLDEN, 'utf8').split('\n').filter((l) => l !== '');
const goldenHz = Number(lines[0].split('\t')[1]);
const rows: Row[] = lines.slice(1).map((l) => {
  const [key, value, rc, out, err, readback] = l.split('\t');
  return { key, value, rc: Number(rc), out, err, readback };
});

/** USER_HZ (1/100 s) settings: clock_t_to_jiffies / jiffies_to_clock_t round through jiffies. */
const USERHZ = /\.(retrans_time|anycast_delay|proxy_delay|locktime)$/;
/** Millisecond settings: msecs_to_jiffies / jiffies_to_msecs round through jiffies. */
const MS = /\.(retrans_time_ms|base_reachable_time_ms|interval_probe_time_ms)$/;

/**
 * What `sysctl -n` reads back with HZ=1000 where a kernel with another HZ rounds differently,
 * worked out from the 6.18 conversions: USER_HZ values become value·10 jiffies in the int (2^31-1
 * wraps to -10, read "-1"; 2^31 wraps to 0; a negative one saturates to -1, read "-0"), and
 * milliseconds are jiffies (-2147483649 is 2147483647 to msecs_to_jiffies' unsigned int).
 */
const HZ_READBACK: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  userhz: { '-1': '-0', '-2': '-0', '9': '9', '2147483647': '-1', '2147483648': '0', '-2147483648': '-0', '-2147483649': '-0', '0x10': '16', '1 2': '1' },
  ms: { '9': '9', '2147483647': '2147483647', '-2147483649': '2147483647', '0x10': '16', '1 2': '1' },
};

function expectedReadback(r: Row): string {
  if (r.rc !== 0 || goldenHz === 1000) return r.readback;
  const table = USERHZ.test(r.key) ? HZ_READBACK.userhz : MS.test(r.key) ? HZ_READBACK.ms : null;
  return table?.[r.value] ?? r.readback;
}

afterEach(async () => {
  await closeStacks({ invariants: true });
});

describe('tapstack sysctl -w with odd values, as Linux 6.18 + procps-ng 4.0.2', () => {
  it('the golden file covers every setting tapstack has for a device', () => {
    const keys = new Set(rows.map((r) => r.key));
    const { A } = twoStacks({ names: ['eth0', 'p0'] });
    const every = A.sysctl.keys({ deprecated: true });
    // The golden is of the IPv4 settings (net.ipv6.* is checked by sysctl_ipv6.test.ts).
    // TCP's namespace-wide keys (net.ipv4.tcp_*) are checked by tcp_sysctl.test.ts.
    // net.ipv4.ip_local_port_range, shared by TCP and UDP, is checked by sysctl.test.ts.
    const ours = every.filter((k) => k.startsWith('net.ipv4.') && !k.startsWith('net.ipv4.tcp_') && k !== 'net.ipv4.ip_local_port_range' && !k.includes('.p0.') && !k.startsWith('net.ipv4.neigh.default.'));
    expect([...keys].sort()).toEqual(ours.sort());
    expect(every.filter((k) => k.startsWith('net.ipv6.conf.eth0.') || k.startsWith('net.ipv6.neigh.eth0.')).length).toBeGreaterThan(0);
  });

  const byKey = new Map<string, Row[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  for (const [key, rs] of byKey) {
    it(key, async () => {
      const { A } = twoStacks({ names: ['eth0', 'p0'] });
      const ch = new LocalChannel(new ControlHandler(A));
      const run = async (argv: string[]): Promise<[number, string, string]> => {
        const io = bufferIO();
        const code = await sysctlCommand(argv, ch, io);
        return [code, io.stdout, io.stderr];
      };
      const [, orig] = await run(['-n', key]);
      for (const r of rs) {
        const [code, out, err] = await run(['-w', `${key}=${r.value}`]);
        const what = `${key}=${JSON.stringify(r.value)}`;
        expect([code, out.replace(/\n$/, ''), err.replace(/\n/g, '')], what).toEqual([r.rc, r.out, r.err]);
        expect((await run(['-n', key]))[1].replace(/\n$/, ''), what).toBe(expectedReadback(r));
        expect((await run(['-q', '-w', `${key}=${orig.trim()}`]))[0]).toBe(0);
      }
      ch.close();
    });
  }
});
