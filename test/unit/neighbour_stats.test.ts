// lookups and hits (struct neigh_statistics) where management reads the table, counted as Linux
// 6.18 counts them (measured with `ip -s ntable` around `ip neigh get` in a namespace):
// neigh_get() is a counted neigh_lookup, so a get is a lookup and, when found, a hit; and it
// shows the entry while holding it, so `ip -s neigh get` reports one more ref than a dump.
import { afterEach, describe, expect, it } from 'vitest';
import { StackError } from '../../src/core/errno.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks({ invariants: true });
});

describe('RTM_GETNEIGH for one entry (neigh_get)', () => {
  const rows: { name: string; dst: string; found: boolean }[] = [
    { name: 'an existing entry: one lookup, one hit', dst: '10.0.0.5', found: true },
    { name: 'a missing entry: one lookup, no hit, ENOENT', dst: '10.0.0.6', found: false },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const { A } = twoStacks();
      A.neighAdd({ dst: '10.0.0.5', dev: 'ea', lladdr: '02:00:00:00:00:05', state: 'reachable' });
      const st = A.inet.arp.tbl.stats;
      const before = [st.lookups, st.hits];
      for (let i = 0; i < 3; i++) {
        if (r.found) A.neighGet(r.dst, 'ea');
        else expect(() => A.neighGet(r.dst, 'ea')).toThrow(StackError);
      }
      expect([st.lookups - before[0], st.hits - before[1]]).toEqual([3, r.found ? 3 : 0]);
    });
  }

  it('shows the ref its own lookup holds (ref 2 where a dump says 1)', () => {
    const { A } = twoStacks();
    A.neighAdd({ dst: '10.0.0.5', dev: 'ea', lladdr: '02:00:00:00:00:05', state: 'reachable' });
    const dumped = A.neighbours().find((n) => n.dst === '10.0.0.5')!;
    const got = A.neighGet('10.0.0.5', 'ea');
    expect([dumped.refcnt, 'refcnt' in got ? got.refcnt : -1]).toEqual([1, 2]);
    // The lookup's reference is dropped again.
    expect(A.neighbours().find((n) => n.dst === '10.0.0.5')!.refcnt).toBe(1);
  });

  it('a proxy entry is looked up without counting (pneigh_lookup)', () => {
    const { A } = twoStacks();
    A.neighAdd({ dst: '10.0.0.77', dev: 'ea', proxy: true });
    const st = A.inet.arp.tbl.stats;
    const before = [st.lookups, st.hits];
    A.neighGet('10.0.0.77', 'ea', true);
    expect([st.lookups, st.hits]).toEqual(before);
  });
});
