// MLDv2 as Linux sends it for a host (§3.2 of the reference): one CHANGE_TO_EXCLUDE record per
// newly joined reportable group, coalesced, twice within the unsolicited report interval; from ::
// until the link-local is valid, then twice more from the link-local. ff02::1 is never reported.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { formatIn6 } from '../../src/ipv6/in6_addr.js';
import { Stack } from '../../src/stack.js';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});

interface Report {
  t: number;
  src: string;
  dstMac: string;
  hop: number;
  routerAlert: boolean;
  groups: string[];
}

function reports(frames: { t: number; f: Buffer }[]): Report[] {
  const out: Report[] = [];
  for (const { t, f } of frames) {
    if (f.readUInt16BE(12) !== 0x86dd || f[14 + 6] !== 0) continue;
    const icmp = 14 + 40 + 8;
    if (f[icmp] !== 143) continue;
    const n = f.readUInt16BE(icmp + 6);
    const groups: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = icmp + 8 + 20 * i;
      expect(f[r]).toBe(4); // CHANGE_TO_EXCLUDE
      groups.push(formatIn6(f, r + 4));
    }
    out.push({
      t,
      src: formatIn6(f, 14 + 8),
      dstMac: f.subarray(0, 6).toString('hex'),
      hop: f[14 + 7],
      routerAlert: f[14 + 40 + 2] === 5 && f[14 + 40 + 3] === 2,
      groups,
    });
  }
  return out;
}

describe('MLDv2 reports', () => {
  it('link up: twice from ::, then twice from the link-local once its DAD is done', () => {
    const clock = new ManualClock();
    const s = new Stack({ clock, random: () => 0.5 });
    stacks.push(s);
    const [a, b] = createPair('a0', 'b0', Buffer.from('020000000a01', 'hex'), Buffer.from('02000000000b', 'hex'));
    const frames: { t: number; f: Buffer }[] = [];
    const t0 = clock.now();
    b.receiveFrame = (f: Buffer): void => {
      frames.push({ t: clock.now() - t0, f: Buffer.from(f) });
    };
    s.addDevice(a, { up: false });
    s.addAddress(a, 'fd00:1::a/64');
    s.linkSet(a, { up: true });
    clock.advance(5000);
    const r = reports(frames);
    expect(r.length).toBe(4);
    for (const x of r) {
      expect(x.dstMac).toBe('333300000016');
      expect(x.hop).toBe(1);
      expect(x.routerAlert).toBe(true);
      expect(x.groups.sort()).toEqual(['ff02::1:ff00:a', 'ff02::1:ff00:a01']);
    }
    expect(r.map((x) => x.src)).toEqual(['::', '::', 'fe80::ff:fe00:a01', 'fe80::ff:fe00:a01']);
    // Random within mldv2_unsolicited_report_interval (1000 ms): 0.5 → 500 ms each.
    expect(r.map((x) => x.t)).toEqual([500, 1000, 2000, 2500]);
  });
});
