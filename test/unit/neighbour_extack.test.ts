// The extended acks of neigh_add() and __neigh_update() (NL_SET_ERR_MSG), as iproute2 6.1 prints
// them ("Error: MSG.") over Linux 6.18: each row is a command run against the kernel in a
// namespace (v0 10.9.0.1/24) and its exact output and status there; refusals without an extack
// stay "RTNETLINK answers: STRERROR". Run through `tapstack ip` on an in-process stack.
import { afterEach, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { ipCommand } from '../../src/cli/ip.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { StackError } from '../../src/core/errno.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks({ invariants: true });
});

function setup() {
  const env = twoStacks({ names: ['v0', 'v1'], addrA: '10.9.0.1/24', addrB: null });
  const ch = new LocalChannel(new ControlHandler(env.A));
  const ip = async (cmd: string): Promise<[number, string]> => {
    const io = bufferIO();
    const rc = await ipCommand(cmd.split(' '), ch, io);
    return [rc, io.stdout + io.stderr];
  };
  return { ...env, ch, ip };
}

/** [command, status, output] as measured on Linux 6.18 with iproute2 6.1. */
const ROWS: [string, number, string][] = [
  ['neigh add proxy 10.9.0.50 dev v0 managed', 2, 'Error: Invalid NTF_* flag combination.\n'],
  ['neigh add proxy 10.9.0.50 managed', 2, 'Error: Invalid NTF_* flag combination.\n'],
  ['neigh replace proxy 10.9.0.50 dev v0 managed', 2, 'Error: Invalid NTF_* flag combination.\n'],
  ['neigh add proxy 10.9.0.50 dev v0 managed nud permanent', 2, 'Error: Invalid NTF_* flag combination.\n'],
  ['neigh add 10.9.0.6 dev v0 managed nud permanent', 2, 'Error: Invalid NTF_* flag for permanent entry.\n'],
  ['neigh replace 10.9.0.6 dev v0 managed nud permanent', 2, 'Error: Invalid NTF_* flag for permanent entry.\n'],
  ['neigh add 10.9.0.6 dev v0 lladdr 02:00:00:00:00:06 managed nud permanent', 2, 'Error: Invalid NTF_* flag for permanent entry.\n'],
  ['neigh add 10.9.0.7 dev v0 nud reachable', 2, 'Error: No link layer address given.\n'],
  ['neigh replace 10.9.0.61 dev v0 nud stale', 2, 'Error: No link layer address given.\n'],
  ['neigh replace 10.9.0.61 dev v0 nud noarp', 2, 'Error: No link layer address given.\n'],
  ['neigh add 10.9.0.11 dev v0 extern_learn nud reachable', 2, 'Error: No link layer address given.\n'],
  ['neigh add 10.9.0.7 lladdr 02:00 dev v0', 2, 'Error: Invalid link address.\n'],
  // No extack: bare errnos.
  ['neigh del 10.9.0.99 dev v0', 2, 'RTNETLINK answers: No such file or directory\n'],
  ['neigh del proxy 10.9.0.99 dev v0', 2, 'RTNETLINK answers: No such file or directory\n'],
  ['neigh change 10.9.0.98 dev v0 lladdr 02:00:00:00:00:98', 2, 'RTNETLINK answers: No such file or directory\n'],
  ['neigh change 10.9.0.60 dev v0 nud reachable', 2, 'RTNETLINK answers: No such file or directory\n'],
  ['ntable change name nope queue 3', 2, 'RTNETLINK answers: No such file or directory\n'],
  // neigh_get()'s own.
  ['neigh get 10.9.0.99 dev v0', 2, 'Error: Neighbour entry not found.\n'],
  ['neigh get proxy 10.9.0.99 dev v0', 2, 'Error: Proxy neighbour entry not found.\n'],
  // Accepted.
  ['neigh add 10.9.0.6 dev v0 managed', 0, ''],
  ['neigh add proxy 10.9.0.50 dev v0 extern_learn', 0, ''],
  ['neigh add 10.9.0.8 dev v0 nud none', 0, ''],
];

describe('neigh_add / neigh_delete / neigh_get refusals, as iproute2 prints them', () => {
  for (const [cmd, rc, out] of ROWS) {
    it(`ip ${cmd} → ${rc === 0 ? 'ok' : out.trim()}`, async () => {
      const { ip, ch } = setup();
      expect(await ip(cmd)).toEqual([rc, out]);
      ch.close();
    });
  }

  it('a refused managed proxy entry is not created', async () => {
    const { ip, A, ch } = setup();
    await ip('neigh add proxy 10.9.0.50 dev v0 managed');
    expect(A.proxyNeighbours()).toEqual([]);
    ch.close();
  });

  it('the library gets the same texts (and neigh_add\'s "Device not specified")', () => {
    const { A } = setup();
    const err = (f: () => void): [string, string] => {
      try {
        f();
      } catch (e) {
        return [(e as StackError).code, (e as StackError).message];
      }
      return ['', ''];
    };
    expect(err(() => A.neighAdd({ dst: '10.9.0.50', dev: 'v0', proxy: true, managed: true }))).toEqual(['EINVAL', 'Invalid NTF_* flag combination']);
    expect(err(() => A.neighAdd({ dst: '10.9.0.5', dev: null, lladdr: '02:00:00:00:00:05' }))).toEqual(['EINVAL', 'Device not specified']);
    expect(err(() => A.neighAdd({ dst: '10.9.0.5', dev: 'v0', state: 'reachable' }))).toEqual(['EINVAL', 'No link layer address given']);
  });
});
