// The unit tests' usual peer: two stacks on one in-memory cable sharing a manual clock (pair
// delivery is synchronous), and the teardown that checks and closes every stack a test built.
import { ManualClock } from '../../src/core/clock.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';

export const MAC_A = Buffer.from([0x02, 0xaa, 0, 0, 0, 0x01]);
export const MAC_B = Buffer.from([0x02, 0xbb, 0, 0, 0, 0x02]);
/** The MACs of the tests whose expected texts show 02:00:00:00:00:01 and :02. */
export const MAC_01 = Buffer.from('020000000001', 'hex');
export const MAC_02 = Buffer.from('020000000002', 'hex');

export interface TwoStacksOptions {
  /** Device names of A's and B's end; default `['ea', 'eb']`. */
  names?: [string, string];
  /** Their MACs; default {@link MAC_A}, {@link MAC_B}. */
  macs?: [Buffer, Buffer];
  /** A's address; null: none. Default 10.0.0.1/24. */
  addrA?: string | null;
  /** B's address; null: none. Default 10.0.0.2/24. */
  addrB?: string | null;
  /** Randomness of A and of B (reachable_time, delays, hash seeds); default 0.5 for both. */
  randomA?: () => number;
  randomB?: () => number;
  /** false: the devices are created but not added to the stacks (nor addressed). Default true. */
  attach?: boolean;
  /** Both ends keep what they send in `dev.sent`. */
  record?: boolean;
  /** Deliver on the next turn instead of synchronously. */
  deferred?: boolean;
  /** Run IPv6 on both stacks (link-local, DAD, MLD and RS on the wire); default false, so IPv4 tests see only their own frames. */
  ipv6?: boolean;
}

export interface TwoStacks {
  clock: ManualClock;
  A: Stack;
  B: Stack;
  ea: PairDevice;
  eb: PairDevice;
}

const live: Stack[] = [];

/** Builds A and B on one cable; {@link closeStacks} closes them. */
export function twoStacks(o: TwoStacksOptions = {}): TwoStacks {
  const clock = new ManualClock();
  const half = (): number => 0.5;
  const A = new Stack({ clock, random: o.randomA ?? half, ipv6: o.ipv6 ?? false });
  const B = new Stack({ clock, random: o.randomB ?? half, ipv6: o.ipv6 ?? false });
  const [nameA, nameB] = o.names ?? ['ea', 'eb'];
  const [macA, macB] = o.macs ?? [MAC_A, MAC_B];
  const [ea, eb] = createPair(nameA, nameB, macA, macB);
  ea.record = eb.record = o.record ?? false;
  ea.deferred = eb.deferred = o.deferred ?? false;
  live.push(A, B);
  if (o.attach ?? true) {
    A.addDevice(ea);
    B.addDevice(eb);
    const addrA = o.addrA === undefined ? '10.0.0.1/24' : o.addrA;
    const addrB = o.addrB === undefined ? '10.0.0.2/24' : o.addrB;
    if (addrA !== null) A.addAddress(ea, addrA);
    if (addrB !== null) B.addAddress(eb, addrB);
  }
  return { clock, A, B, ea, eb };
}

/** Registers a stack a test built itself, for {@link closeStacks}. */
export function track(s: Stack): Stack {
  live.push(s);
  return s;
}

/**
 * For afterEach: closes every stack built since the last call. With `invariants`, each ARP table
 * must first pass its invariant check (returned as the list of violations per stack).
 */
export async function closeStacks(opts: { invariants?: boolean } = {}): Promise<string[][]> {
  const violations: string[][] = [];
  for (const s of live.splice(0, live.length)) {
    if (opts.invariants) violations.push(s.inet.arp.tbl.checkInvariants());
    await s.close();
  }
  return violations;
}
