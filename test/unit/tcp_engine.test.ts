// The TCP engine over two in-memory stacks with the manual clock: handshake, data both ways,
// half-close, close, RST for a closed port, retransmission after loss.
import { afterEach, describe, expect, it } from 'vitest';
import { Tcp, type TcpSock, type TcpSockUser } from '../../src/tcp/tcp.js';
import { TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_FIN_WAIT2, TCP_TIME_WAIT } from '../../src/tcp/tcp_states.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(() => closeStacks());

interface Rec extends TcpSockUser {
  events: string[];
  data: Buffer[];
  errors: number[];
}

function recorder(sk: () => TcpSock | null): Rec {
  const r: Rec = {
    events: [],
    data: [],
    errors: [],
    onConnect() { r.events.push('connect'); },
    onReadable() {
      const s = sk();
      if (!s) return;
      for (let b = s.read(); b !== null; b = s.read()) r.data.push(b);
      if (s.eof && !r.events.includes('eof')) r.events.push('eof');
    },
    onWritable() { r.events.push('writable'); },
    onError(e) { r.errors.push(e); r.events.push(`error ${e}`); },
    onClose() { r.events.push('close'); },
  };
  return r;
}

function setup() {
  const env = twoStacks({ deferred: true });
  const ta = new Tcp(env.A.inet, null, { random: () => 0.25 });
  const tb = new Tcp(env.B.inet, null, { random: () => 0.75 });
  /** Moves the wire and the clock: every frame in flight delivered, then `ms` 1-ms steps. */
  const run = (ms: number): void => {
    for (let t = 0; t <= ms; t++) {
      while (env.ea.deliverPending() + env.eb.deliverPending() > 0);
      if (t < ms) env.clock.advance(1);
    }
  };
  return { ...env, ta, tb, run };
}

describe('TCP engine on an in-memory pair', () => {
  it('handshake, data both ways, FIN both ways, TIME_WAIT for 60 s', () => {
    const { run, ta, tb } = setup();
    let child: TcpSock | null = null;
    const childRec = recorder(() => child);
    const l = tb.listen({ local: null, family: 4, port: 80, backlog: 16 }, {
      onAcceptable() {
        child = l.accept();
        child!.user = childRec;
      },
    });
    let cli: TcpSock | null = null;
    const cliRec = recorder(() => cli);
    cli = ta.connect({ remote: { family: 4, addr: 0x0a000002 }, port: 80 }, cliRec);
    run(1); // ARP resolution and the handshake run synchronously on the pair
    expect(cli.state).toBe(TCP_ESTABLISHED);
    expect(cliRec.events).toEqual(['connect']);
    expect(child).not.toBeNull();
    expect(child!.state).toBe(TCP_ESTABLISHED);
    const big = Buffer.alloc(200000, 7);
    let sent = 0;
    const pump = () => {
      while (sent < big.length) {
        const n = cli!.send(big.subarray(sent));
        if (n <= 0) break;
        sent += n;
      }
    };
    cliRec.onWritable = () => pump();
    pump();
    for (let i = 0; i < 200 && Buffer.concat(childRec.data).length < big.length; i++) run(50);
    expect(Buffer.concat(childRec.data).equals(big)).toBe(true);
    expect(child!.send(Buffer.from('pong'))).toBe(4);
    run(50);
    expect(Buffer.concat(cliRec.data).toString()).toBe('pong');
    cli.close();
    run(10);
    expect(child!.state).toBe(TCP_CLOSE_WAIT);
    expect(childRec.events).toContain('eof');
    expect(cli.state).toBe(TCP_FIN_WAIT2);
    child!.close();
    run(10);
    expect(child!.state).toBe(TCP_CLOSE);
    expect(cli.state).toBe(TCP_TIME_WAIT);
    run(60000);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(ta.stats.activeOpens).toBe(1);
    expect(tb.stats.passiveOpens).toBe(1);
    expect(ta.stats.retransSegs).toBe(0);
  });

  it('a SYN to a closed port draws RST|ACK and connect fails ECONNREFUSED', () => {
    const { run, ta, tb } = setup();
    let cli: TcpSock | null = null;
    const rec = recorder(() => cli);
    cli = ta.connect({ remote: { family: 4, addr: 0x0a000002 }, port: 81 }, rec);
    run(1);
    expect(rec.errors).toEqual([-111]);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(tb.statsExt.tcpNoPort).toBe(1);
    expect(tb.stats.outRsts).toBe(1);
    expect(ta.stats.attemptFails).toBe(1);
  });
});

describe('TCP engine under loss', () => {
  for (const [name, sack] of [['SACK', 1], ['NewReno (no SACK)', 0]] as const) {
    it(`${name}: 1 MB each way through 3 % random loss arrives intact`, () => {
      const env = setup();
      env.ta.conf.tcpSack = sack;
      env.tb.conf.tcpSack = sack;
      let seed = 12345;
      const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
      // Drop 3 % of frames in both directions once ARP is done (frames longer than an ARP packet).
      const lossy = (): void => {
        for (const d of [env.ea, env.eb]) {
          for (let i = d.pending.length - 1; i >= 0; i--) if (d.pending[i].length > 60 && rnd() < 0.03) d.pending.splice(i, 1);
        }
      };
      const step = (ms: number): void => {
        for (let t = 0; t <= ms; t++) {
          for (;;) {
            lossy();
            if (env.ea.deliverPending() + env.eb.deliverPending() === 0) break;
          }
          if (t < ms) env.clock.advance(1);
        }
      };
      let child: TcpSock | null = null;
      const childRec = recorder(() => child);
      const l = env.tb.listen({ local: null, family: 4, port: 80, backlog: 16 }, {
        onAcceptable() {
          child = l.accept();
          child!.user = childRec;
        },
      });
      let cli: TcpSock | null = null;
      const cliRec = recorder(() => cli);
      cli = env.ta.connect({ remote: { family: 4, addr: 0x0a000002 }, port: 80 }, cliRec);
      for (let i = 0; i < 100 && child === null; i++) step(100);
      expect(child).not.toBeNull();
      const a = Buffer.alloc(1 << 20);
      const b = Buffer.alloc(1 << 20);
      for (let i = 0; i < a.length; i++) {
        a[i] = (i * 7) & 0xff;
        b[i] = (i * 13 + 1) & 0xff;
      }
      let sa = 0;
      let sb = 0;
      const pumpA = () => { while (sa < a.length) { const n = cli!.send(a.subarray(sa)); if (n <= 0) break; sa += n; } };
      const pumpB = () => { while (sb < b.length) { const n = child!.send(b.subarray(sb)); if (n <= 0) break; sb += n; } };
      cliRec.onWritable = pumpA;
      childRec.onWritable = pumpB;
      pumpA();
      pumpB();
      const got = () => [Buffer.concat(childRec.data).length, Buffer.concat(cliRec.data).length];
      for (let i = 0; i < 3000 && (got()[0] < a.length || got()[1] < b.length); i++) step(20);
      if (got()[0] < a.length) console.log("STUCK", got(), JSON.stringify(cli!.info()), JSON.stringify(child!.info().tcpInfo));
      expect(Buffer.concat(childRec.data).equals(a)).toBe(true);
      expect(Buffer.concat(cliRec.data).equals(b)).toBe(true);
      expect(env.ta.stats.retransSegs).toBeGreaterThan(0);
      const x = env.ta.statsExt;
      if (sack) expect(x.tcpSackRecovery).toBeGreaterThan(0);
      else expect(x.tcpRenoRecovery).toBeGreaterThan(0);
    }, 60000);
  }
});

describe('TCP engine through the fault device', () => {
  it('50 MB each way through drop 1 %, duplicate 1 %, reorder 1 % and 0.1 % corruption (seeded) arrive intact', async () => {
    const { attachFaults } = await import('../../src/drivers/faulty.js');
    const env = setup();
    const fa = attachFaults(env.ea, { tx: 'drop=1%,dup=1%,reorder=1%,gap=3,corrupt=0.1%,payload,seed=7' });
    const fb = attachFaults(env.eb, { tx: 'drop=1%,dup=1%,reorder=1%,gap=3,corrupt=0.1%,payload,seed=8' });
    let child: TcpSock | null = null;
    const childRec = recorder(() => child);
    const l = env.tb.listen({ local: null, family: 4, port: 80, backlog: 16 }, {
      onAcceptable() {
        child = l.accept();
        child!.user = childRec;
      },
    });
    let cli: TcpSock | null = null;
    const cliRec = recorder(() => cli);
    cli = env.ta.connect({ remote: { family: 4, addr: 0x0a000002 }, port: 80 }, cliRec);
    for (let i = 0; i < 100 && child === null; i++) env.run(100);
    expect(child).not.toBeNull();
    const a = Buffer.alloc(50 << 20);
    const b = Buffer.alloc(50 << 20);
    for (let i = 0; i < a.length; i++) {
      a[i] = (i * 7) & 0xff;
      b[i] = (i * 13 + 1) & 0xff;
    }
    let sa = 0;
    let sb = 0;
    const pumpA = () => { while (sa < a.length) { const n = cli!.send(a.subarray(sa)); if (n <= 0) break; sa += n; } };
    const pumpB = () => { while (sb < b.length) { const n = child!.send(b.subarray(sb)); if (n <= 0) break; sb += n; } };
    cliRec.onWritable = pumpA;
    childRec.onWritable = pumpB;
    pumpA();
    pumpB();
    const got = () => [Buffer.concat(childRec.data).length, Buffer.concat(cliRec.data).length];
    for (let i = 0; i < 200000 && (got()[0] < a.length || got()[1] < b.length); i++) env.run(20);
    expect(Buffer.concat(childRec.data).equals(a)).toBe(true);
    expect(Buffer.concat(cliRec.data).equals(b)).toBe(true);
    // Every fault happened, and TCP saw them: retransmissions, duplicates (DSACK), bad checksums.
    for (const f of [fa, fb]) {
      const st = f.tx!.stats;
      expect(st.dropped).toBeGreaterThan(0);
      expect(st.duplicated).toBeGreaterThan(0);
      expect(st.reordered).toBeGreaterThan(0);
    }
    expect(env.ta.stats.retransSegs + env.tb.stats.retransSegs).toBeGreaterThan(0);
    expect(env.ta.stats.inCsumErrors + env.tb.stats.inCsumErrors).toBeGreaterThan(0);
    expect(env.ta.statsExt.tcpDsackOldSent + env.tb.statsExt.tcpDsackOldSent).toBeGreaterThan(0);
    // Which mechanism recovered: SACK recovery (RACK / RFC 6675) did, not only timeouts.
    expect(env.ta.statsExt.tcpSackRecovery + env.tb.statsExt.tcpSackRecovery).toBeGreaterThan(0);
  }, 120000);
});
