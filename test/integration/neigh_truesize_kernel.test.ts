// The truesize model (src/core/skbuff.ts allocSkb) against the running kernel: in a private
// namespace, three pings (raw socket, as root's ping) or UDP datagrams go to an address nobody
// answers, under unres_qlen_bytes of 2·truesize − 1 and 2·truesize; the kernel must keep one and
// then two of them, exactly as the model (and test/unit/neighbour_truesize.test.ts) says.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocSkbTruesize, ipAppendAllocSize } from '../../src/core/skbuff.js';
import { Netns, ROOT, canRunKernelTests } from '../helpers/netns.js';

const SCRIPT = join(ROOT, 'test', 'helpers', 'kernel_unres_queue.py');

describe.runIf(canRunKernelTests(['ip', 'python3']))('unresolved queue accounting against the kernel', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('tstrue');
  });
  afterAll(() => ns?.destroy());

  for (const kind of ['icmp', 'udp'] as const) {
    for (const payload of [0, 56, 197, 198, 645, 646, 1000, 1472]) {
      const truesize = allocSkbTruesize(ipAppendAllocSize(20 + 8 + payload));
      it(`${kind} with ${payload} payload bytes costs ${truesize} there too`, () => {
        // Each run builds its own veth pair; remove the previous one first.
        ns.sh('ip link del v0 2>/dev/null || true');
        const out = ns.sh(`python3 ${SCRIPT} ${kind} ${payload} ${2 * truesize - 1} ${2 * truesize}`);
        expect(out).toBe(`${2 * truesize - 1} 1\n${2 * truesize} 2\n`);
      });
    }
  }
});
