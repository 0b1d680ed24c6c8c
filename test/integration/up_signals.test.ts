// `tapstack up` and repeated signals: Ctrl-C pressed twice, or a supervisor's SIGTERM after a
// SIGINT, while the stack is stopping. The first one stops it; the others must not kill it half-way
// (which loses the stopped line and leaves its control socket behind).
import { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Netns, ROOT, RUN_DIR, canRunKernelTests, waitFor } from '../helpers/netns.js';

describe.runIf(canRunKernelTests(['ip']))('tapstack up: a repeated signal while stopping', () => {
  let ns: Netns | undefined;
  let proc: ChildProcess | undefined;
  afterEach(() => {
    proc?.kill('SIGKILL');
    ns?.destroy();
    ns = proc = undefined;
  });

  for (const [first, again] of [
    ['SIGINT', 'SIGINT'],
    ['SIGINT', 'SIGTERM'],
  ] as const) {
    it(`${first}, then ${again} while it stops: it stops once, exits 0 and removes what it made`, async () => {
      ns = Netns.create('tsupsig');
      const name = `upsig-${process.pid}`;
      proc = ns.spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24']);
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<[number | null, string | null]>((r) => proc!.on('exit', (code, sig) => r([code, sig])));
      await waitFor('the status line', () => out.includes('lladdr'));
      const sock = join(RUN_DIR, `${name}.sock`);
      expect(existsSync(sock)).toBe(true);
      proc.kill(first);
      // Its control socket goes first and its TAP last (tens of ms later): a signal in between
      // reaches a stack that is surely stopping.
      const end = Date.now() + 5000;
      while (existsSync(sock) && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
      expect(existsSync(sock)).toBe(false);
      expect(out).not.toMatch(/stopped/);
      proc.kill(again);
      expect(await exited).toEqual([0, null]);
      expect(out).toMatch(new RegExp(`^tapstack ${name}: stopped \\(${first}\\), tap0 removed$`, 'm'));
      expect(out.match(/stopped/g)).toHaveLength(1);
      expect(existsSync(join(RUN_DIR, `${name}.sock`))).toBe(false);
      expect(ns.try('ip link show tap0').status).not.toBe(0);
    });
  }
});
