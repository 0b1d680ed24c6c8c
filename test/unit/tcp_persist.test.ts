// The persist timer over a long zero window (tcp_probe_timer, tcp_send_probe0, tcp_ack's
// icsk_probes_out = 0): a receiver that answers the probes keeps the connection however long its
// window stays shut — probes back off to TCP_RTO_MAX and go on — while one that stops answering
// is given up after tcp_retries2 unanswered probes (ETIMEDOUT).
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED } from '../../src/tcp/tcp_states.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

/** A connection whose receiver (B) never reads, with A's send buffer full and its window shut. */
function stalled() {
  const e = tcpEnv();
  const c = e.establish();
  c.srvRec.autoRead = false;
  const big = Buffer.alloc(400000, 5);
  let sent = 0;
  const pump = () => {
    for (let n = c.cli.send(big.subarray(sent)); n > 0 && sent < big.length; n = c.cli.send(big.subarray(sent))) sent += n;
  };
  c.cliRec.onWritable = pump;
  pump();
  e.run(2000);
  expect(e.from('BA').at(-1)!.win).toBe(0);
  return { e, ...c };
}

describe('persist timer over a long zero window', () => {
  it('answered probes keep the connection for 1 h: they back off to 120 s and continue', () => {
    const { e, cli, cliRec } = stalled();
    e.log.length = 0;
    e.run(3600 * 1000);
    expect(cliRec.errors).toEqual([]);
    expect(cli.state).toBe(TCP_ESTABLISHED);
    const probes = e.from('AB');
    // Far more than tcp_retries2 (15) probes, the late ones TCP_RTO_MAX apart.
    expect(probes.length).toBeGreaterThan(25);
    const gaps = probes.slice(-5).map((p, i, a) => (i === 0 ? 0 : p.t - a[i - 1].t)).slice(1);
    for (const g of gaps) expect(g).toBe(120000);
    expect(cli.info().timer).toBe('persist');
  });

  it('unanswered probes: ETIMEDOUT after tcp_retries2 of them', () => {
    const { e, cli, cliRec } = stalled();
    e.drop = (s) => s.dir === 'BA';
    e.log.length = 0;
    e.run(3600 * 1000);
    expect(cliRec.errors).toEqual([-110]);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(e.ta.statsExt.tcpAbortOnTimeout).toBe(1);
  });
});
