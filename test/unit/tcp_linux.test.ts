// What a Linux peer sees of tapstack's TCP, checked against reference/tcp.md §3 (measured on
// Linux 6.18): handshake windows and options, the first window after it, segment sizes, the
// delayed-ACK policy, RST for closed ports, and RFC 5961's answers.
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_ESTABLISHED } from '../../src/tcp/tcp_states.js';
import type { TcpSock } from '../../src/tcp/tcp_sock.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { IP_B, recorder, tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

describe('handshake as Linux sends it (§3.1)', () => {
  it('SYN: window 64240, MSS 1460, SACK_PERM, TS, NOP, WS 7 (tcp_rmem[2] = 6 MiB), DF', () => {
    const e = tcpEnv();
    e.establish();
    const [syn, synack, ack] = e.log;
    expect(syn.flags).toBe('S');
    expect(syn.win).toBe(64240);
    expect(syn.opts.slice(0, 8)).toBe('020405b4');
    expect(syn.opts.slice(8, 12)).toBe('0402');
    expect(syn.opts.slice(12, 16)).toBe('080a');
    expect(syn.opts.slice(32)).toBe('01030307');
    expect(syn.o.rcvTsecr).toBe(0);
    expect(syn.df).toBe(true);
    expect(synack.flags).toBe('S.');
    expect(synack.win).toBe(65160);
    expect(synack.ack).toBe((syn.seq + 1) >>> 0);
    expect(synack.opts.length).toBe(40);
    expect(synack.o.rcvTsecr).toBe(syn.o.rcvTsval);
    expect(ack.flags).toBe('.');
    // ALIGN(rcv_ssthresh 64240, 1 << 7) >> 7: Linux's __tcp_select_window (64 with wscale 10).
    expect(ack.win).toBe(502);
  });

  it('the passive side takes its first RTT from the SYN-ACK (tcp_synack_rtt_meas), else the 3 s fallback', () => {
    for (const [delay, retransmit] of [[7, false], [0, true]] as const) {
      const e = tcpEnv();
      e.ta.conf.tcpTimestamps = 0;
      e.establish(81); // ARP resolved both ways, so the next SYN leaves at once
      e.log = [];
      let srv: TcpSock | null = null;
      const l = e.tb.listen({ local: null, family: 4, port: 80, backlog: 16 }, { onAcceptable() { srv = l.accept(); } });
      const rec = recorder();
      rec.sk = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, rec);
      // The SYN reaches B; its SYN-ACK is held `delay` ms (or lost once) before A answers it.
      if (retransmit) e.drop = (s) => s.flags === 'S.' && e.dropped.length === 0;
      const syn = e.ea.pending.shift()!;
      e.ea.peer!.receiveFrame(syn);
      e.clock.advance(delay);
      e.run(retransmit ? 1100 : 1);
      expect(srv).not.toBeNull();
      const info = srv!.info().tcpInfo!;
      if (retransmit) {
        // Karn: a retransmitted SYN-ACK gives no sample, and there are no timestamps to echo.
        expect(info.rttUs).toBe(0);
        expect(info.rtoMs).toBe(3000);
      } else {
        expect(info.rttUs).toBe(7000);
        expect(info.rtoMs).toBe(207);
      }
    }
  });

  it('a SYN without options gets only MSS 1460 and window 64240, and the connection uses none', () => {
    const e = tcpEnv();
    e.ta.conf.tcpTimestamps = 0;
    e.ta.conf.tcpSack = 0;
    e.ta.conf.tcpWindowScaling = 0;
    const { srv } = e.establish();
    const synack = e.log[1];
    expect(synack.opts).toBe('020405b4');
    expect(synack.win).toBe(64240);
    expect(srv.info().tcpInfo!.timestamps).toBe(false);
    expect(srv.info().tcpInfo!.sndMss).toBe(1460);
  });

  it('data segments carry NOP NOP TS and 1448 bytes; the timestamp clock ticks at 1 kHz', () => {
    const e = tcpEnv();
    const { cli, srvRec } = e.establish();
    cli.setNoDelay(true);
    cli.send(Buffer.alloc(3000, 1));
    e.run(10);
    const data = e.from('AB').filter((s) => s.len > 0);
    expect(data.map((s) => s.len)).toEqual([1448, 1448, 104]);
    expect(data[0].opts.slice(0, 8)).toBe('0101080a');
    expect(srvRec.data.reduce((n, b) => n + b.length, 0)).toBe(3000);
    const t0 = data[0].o.rcvTsval;
    cli.send(Buffer.from('x'));
    e.run(250);
    const last = e.from('AB').filter((s) => s.len > 0).at(-1)!;
    expect(((last.o.rcvTsval - t0) | 0) >= 10).toBe(true);
    expect(((last.o.rcvTsval - t0) | 0) <= 12).toBe(true);
  });

  it('cwnd 10 at the start: ten segments back to back before the first ACK (IW10)', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    e.drop = (s) => s.dir === 'BA';
    cli.send(Buffer.alloc(100000, 2));
    e.flush();
    expect(e.from('AB').filter((s) => s.len > 0).length).toBe(10);
    expect(cli.info().tcpInfo!.sndCwnd).toBe(10);
  });
});

describe('loss recovery (RACK-TLP, RFC 8985)', () => {
  it('a lost tail is repaired by the loss probe, not by a timeout', () => {
    const e = tcpEnv();
    const { cli, srvRec } = e.establish();
    cli.setNoDelay(true);
    e.run(300);
    let n = 0;
    e.drop = (s) => s.dir === 'AB' && s.len > 0 && ++n === 5;
    cli.send(Buffer.alloc(1448 * 5, 4));
    // One segment out after the ACKs: PTO = 2·srtt + 200 ms (the delayed-ACK allowance).
    e.run(300);
    expect(srvRec.data.reduce((k, b) => k + b.length, 0)).toBe(1448 * 5);
    expect(e.ta.statsExt.tcpLossProbes).toBe(1);
    expect(e.ta.statsExt.tcpTimeouts).toBe(0);
  });

  it('a hole in the middle: RACK marks it lost from the SACKs and fast-retransmits it', () => {
    const e = tcpEnv();
    const { cli, srvRec } = e.establish();
    cli.setNoDelay(true);
    let n = 0;
    e.drop = (s) => s.dir === 'AB' && s.len > 0 && ++n === 2;
    cli.send(Buffer.alloc(1448 * 8, 4));
    e.run(50);
    expect(srvRec.data.reduce((k, b) => k + b.length, 0)).toBe(1448 * 8);
    expect(e.ta.statsExt.tcpSackRecovery).toBe(1);
    expect(e.ta.statsExt.tcpTimeouts).toBe(0);
    expect(e.ta.stats.retransSegs).toBe(1);
  });
});

describe('ACK policy as Linux (§3.2)', () => {
  it('small segments 50 ms apart: 16 quick ACKs, then ACKs 40 ms late', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    cli.setNoDelay(true);
    const lags: number[] = [];
    for (let i = 0; i < 20; i++) {
      cli.send(Buffer.from('abc'));
      const sentAt = e.clock.now();
      const seq = e.log.length;
      e.run(50);
      const ackSeg = e.log.slice(seq).find((s) => s.dir === 'BA' && s.flags === '.');
      lags.push(ackSeg ? ackSeg.t - sentAt : -1);
    }
    expect(lags.slice(0, 16)).toEqual(new Array(16).fill(0));
    expect(lags.slice(16)).toEqual([40, 40, 40, 40]);
    expect(e.tb.statsExt.delayedAcks).toBe(4);
  });

  it('an out-of-order segment is ACKed at once with a SACK block; filling the hole too', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    cli.setNoDelay(true);
    let n = 0;
    e.drop = (s) => s.dir === 'AB' && s.len > 0 && n++ === 0;
    cli.send(Buffer.alloc(1448 * 3, 3));
    e.flush();
    const acks = e.from('BA').slice(1);
    const first = e.log.find((s) => s.dir === 'AB' && s.len > 0)!;
    expect(acks.map((a) => a.ack).slice(0, 2)).toEqual([first.seq, first.seq]);
    expect(acks.map((a) => a.o.numSacks).slice(0, 2)).toEqual([1, 1]);
    expect([acks[0].o.sack[0], acks[0].o.sack[1]]).toEqual([(first.seq + 1448) >>> 0, (first.seq + 2896) >>> 0]);
    expect([acks[1].o.sack[0], acks[1].o.sack[1]]).toEqual([(first.seq + 1448) >>> 0, (first.seq + 4344) >>> 0]);
    // RACK (the RTT here is ~0, so is the reordering window) resends the hole at once; its
    // arrival is ACKed at once, cumulatively, with no SACK block left.
    expect(acks.length).toBe(3);
    const fill = acks[2];
    expect(fill.ack).toBe((first.seq + 4344) >>> 0);
    expect(e.ta.statsExt.tcpSackRecovery).toBe(1);
    expect(fill.o.numSacks).toBe(0);
  });

  it('an ACK rides on the response in request/response (pingpong)', () => {
    const e = tcpEnv();
    const { cli, srv, srvRec } = e.establish();
    srvRec.onReadable = () => {
      for (let b = srv.read(); b !== null; b = srv.read()) srv.send(b);
    };
    for (let i = 0; i < 5; i++) {
      cli.send(Buffer.from('ping'));
      e.run(100);
    }
    const pure = e.from('BA').filter((s) => s.flags === '.' && s.len === 0);
    expect(pure.length).toBeLessThanOrEqual(1);
  });
});

describe('pure ACKs without an allocation', () => {
  it('reuse one skb while it is not kept; a queued ACK keeps its own bytes and the next gets a fresh skb', () => {
    const e = tcpEnv();
    const { cli, srv } = e.establish();
    srv.setNoDelay(true);
    srv.send(Buffer.alloc(3000, 7));
    e.run(1);
    const first = cli.ackSkb;
    expect(first).not.toBeNull();
    srv.send(Buffer.alloc(3000, 8));
    e.run(1);
    // Sent at once to a REACHABLE neighbour and copied by the device: the same skb again.
    expect(cli.ackSkb).toBe(first);
    // With the peer's entry gone, A's ACKs wait on the neighbour's queue (own() takes them over).
    e.A.neighDel({ dst: '10.0.0.2', dev: 'ea' });
    e.log = [];
    srv.send(Buffer.alloc(1448, 9));
    e.eb.peer!.receiveFrame(e.eb.pending.shift()!);
    const queued = cli.ackSkb!;
    expect(queued.borrowed).toBe(false);
    srv.send(Buffer.alloc(1448, 10));
    e.eb.peer!.receiveFrame(e.eb.pending.shift()!);
    expect(cli.ackSkb).not.toBe(queued);
    e.run(5);
    // Both ACKs left after resolution, each with its own acknowledgement number.
    const acks = e.from('AB').filter((x) => x.flags === '.' && x.len === 0).map((x) => x.ack);
    expect(acks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(acks).size).toBe(acks.length);
  });
});

describe('closed ports and hostile segments (§3.3)', () => {
  it('SYN to a closed port: RST|ACK, SEQ 0, ACK = ISN+1, window 0, no options', () => {
    const e = tcpEnv();
    const rec = recorder();
    const cli = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 9 }, rec);
    rec.sk = cli;
    e.run(1);
    const [syn, rst] = e.log;
    expect(rst.flags).toBe('R.');
    expect(rst.seq).toBe(0);
    expect(rst.ack).toBe((syn.seq + 1) >>> 0);
    expect(rst.win).toBe(0);
    expect(rst.opts).toBe('');
    expect(rec.errors).toEqual([-111]);
  });

  it('IPv4 IDs as Linux numbers them: a socket counts from a random start, SYN-ACK and RST carry 0', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    cli.setNoDelay(true);
    cli.send(Buffer.alloc(3000, 1));
    e.run(10);
    const id = (s: { frame: Buffer }): number => s.frame.readUInt16BE(14 + 4);
    const [syn, synack] = e.log;
    // ip_build_and_send_pkt(): the SYN-ACK has no connected socket, DF and ID 0.
    expect(id(synack)).toBe(0);
    expect(synack.df).toBe(true);
    // ip_select_ident_segs(): each datagram of the client takes the next of its inet_id.
    const mine = e.from('AB').map(id);
    expect(mine[0]).toBe(id(syn));
    for (let i = 1; i < mine.length; i++) expect(mine[i]).toBe((mine[0] + i) & 0xffff);
    expect(mine.length).toBeGreaterThan(3);
    e.log = [];
    const rec = recorder();
    rec.sk = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 9 }, rec);
    e.run(1);
    const rst = e.log.find((s) => s.flags === 'R.')!;
    expect(id(rst)).toBe(0);
  });

  it('an ACK to a closed port draws RST with SEQ = its ACK', () => {
    const e = tcpEnv();
    const { cli, l } = e.establish();
    l.close();
    // B forgets the connection without telling A (its RST is lost).
    e.drop = (s) => s.dir === 'BA';
    e.tb.closeAll();
    e.flush();
    e.drop = null;
    e.log.length = 0;
    cli.send(Buffer.from('hi'));
    e.run(1);
    const rst = e.from('BA')[0];
    expect(rst.flags).toBe('R');
    expect(rst.seq).toBe(e.from('AB')[0].ack);
    expect(cli.state).not.toBe(TCP_ESTABLISHED);
  });
});
