// `tapstack up --sysctl KEY=VALUE` with a key the stack does not have: the error names the key as
// the stack's own ("unknown sysctl key"), not procps's "cannot stat /proc/sys/..." (which would
// suggest the host's /proc was consulted); `tapstack sysctl` keeps procps's text. Runs in a
// private namespace, where `up` creates its TAP before the settings are applied.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe.runIf(canRunKernelTests(['ip']))('tapstack up --sysctl with an unknown key', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('tsupsys');
  });
  afterAll(() => ns?.destroy());

  for (const [key, shown] of [
    ['net.ipv4.foo', 'net.ipv4.foo'],
    ['net.ipv4.conf.tap0.rp_filter', 'net.ipv4.conf.tap0.rp_filter'],
    ['net/ipv4/neigh/tap9/locktime', 'net.ipv4.neigh.tap9.locktime'],
  ]) {
    it(`${key}: exit 1, "unknown sysctl key '${shown}'", the TAP removed again`, () => {
      const r = ns.try(`TAPSTACK_RUN_DIR=$(mktemp -d) ${process.execPath} ${CLI} up --dev tap0 --addr 10.0.0.2/24 --sysctl ${key}=1`);
      expect(r.status).toBe(1);
      expect(r.err).toBe(`tapstack: unknown sysctl key '${shown}'\n`);
      expect(ns.try('ip link show tap0').status).not.toBe(0);
    });
  }

  it('a known key with a bad value still fails with procps-style "setting key" text', () => {
    const r = ns.try(`TAPSTACK_RUN_DIR=$(mktemp -d) ${process.execPath} ${CLI} up --dev tap0 --addr 10.0.0.2/24 --sysctl net.ipv4.conf.tap0.arp_ignore=abc`);
    expect([r.status, r.err]).toEqual([1, 'tapstack: sysctl: setting key "net.ipv4.conf.tap0.arp_ignore": Invalid argument\n']);
  });
});
