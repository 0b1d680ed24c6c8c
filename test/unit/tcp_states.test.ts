// The state machine end to end on the in-memory pair: simultaneous open, half-close, both closing
// at once, resets either way, close with unread data, TIME_WAIT reuse by a new SYN, the accept
// queue and SYN cookies, and a table of RFC 9293 3.10.7.4 "segment arrives" checks (with RFC
// 5961 and PAWS) on an ESTABLISHED socket — one test per row.
import { afterEach, describe, expect, it } from 'vitest';
import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_SYN_RECV,
  TCP_TIME_WAIT,
} from '../../src/tcp/tcp_states.js';
import type { TcpSock } from '../../src/tcp/tcp.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { IP_A, IP_B, type TcpEnv, type WireSeg, craft, inject, recorder, tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

describe('opening', () => {
  it('simultaneous open: both SYN_SENT → SYN_RECV → ESTABLISHED, each sends SYN then SYN-ACK', () => {
    const e = tcpEnv();
    const ra = recorder();
    const rb = recorder();
    const a = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 6001, localPort: 6000 }, ra);
    const b = e.tb.connect({ remote: { family: 4, addr: IP_A }, port: 6000, localPort: 6001 }, rb);
    ra.sk = a;
    rb.sk = b;
    // ARP first: both SYNs wait for it, then cross.
    e.run(5);
    expect(a.state).toBe(TCP_ESTABLISHED);
    expect(b.state).toBe(TCP_ESTABLISHED);
    expect(ra.events).toEqual(['connect']);
    expect(rb.events).toEqual(['connect']);
    const flags = e.log.filter((s) => s.dir === 'AB').map((s) => s.flags);
    expect(flags.slice(0, 2)).toEqual(['S', 'S.']);
    // Four segments in all: each SYN-ACK completes its receiver's SYN_RECV (no challenge ACKs).
    expect(e.log.length).toBe(4);
    expect(e.ta.statsExt.tcpSynChallenge + e.tb.statsExt.tcpSynChallenge).toBe(0);
    a.send(Buffer.from('hi'));
    b.send(Buffer.from('yo'));
    e.run(50);
    expect(rb.text()).toBe('hi');
    expect(ra.text()).toBe('yo');
  });

  it('a full accept queue (backlog + 1 children) drops further SYNs (ListenOverflows); the client retry gets in', () => {
    const e = tcpEnv();
    e.tb.conf.tcpSyncookies = 0;
    const l = e.tb.listen({ local: null, family: 4, port: 80, backlog: 1 }, { onAcceptable() {} });
    const socks: TcpSock[] = [];
    for (let i = 0; i < 3; i++) {
      socks.push(e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, recorder()));
      e.run(1);
    }
    expect(l.acceptQueueLength).toBe(2);
    expect(e.tb.statsExt.listenOverflows).toBe(1);
    expect(l.accept()).not.toBeNull();
    expect(l.accept()).not.toBeNull();
    e.run(1000);
    expect(l.acceptQueueLength).toBe(1);
    expect(l.accept()!.remotePort).toBe(socks[2].localPort);
  });

  it('SYN cookies when the SYN queue is full: the connection still completes, no request sock kept', () => {
    const e = tcpEnv();
    const accepted: TcpSock[] = [];
    // Backlog 0: the SYN queue is full past one request (inet_csk_reqsk_queue_is_full is len > backlog).
    const l = e.tb.listen({ local: null, family: 4, port: 80, backlog: 0 }, {
      onAcceptable() {
        for (let s = l.accept(); s !== null; s = l.accept()) accepted.push(s);
      },
    });
    // The first handshake's ACK is held so its request stays in the SYN queue.
    let hold = true;
    e.drop = (s) => hold && s.dir === 'AB' && s.flags === '.';
    e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, recorder());
    e.run(2);
    hold = false;
    const rec = recorder();
    const c2 = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, rec);
    rec.sk = c2;
    e.run(2);
    expect(e.tb.statsExt.syncookiesSent).toBe(1);
    expect(e.tb.statsExt.syncookiesRecv).toBe(1);
    expect(c2.state).toBe(TCP_ESTABLISHED);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    // The cookie's connection negotiated wscale and SACK through the timestamp.
    const child = accepted.find((s) => s.remotePort === c2.localPort)!;
    expect(child.info().tcpInfo!.sack).toBe(true);
    expect(child.info().tcpInfo!.sndWscale).toBe(7);
    c2.send(Buffer.alloc(5000, 1));
    let got = 0;
    child.user = { ...recorder(), onReadable: () => { for (let b = child.read(); b; b = child.read()) got += b.length; } };
    e.run(50);
    expect(got).toBe(5000);
  });

  it('a new SYN with a higher sequence takes over a TIME_WAIT 4-tuple (RFC 6191)', () => {
    const e = tcpEnv();
    const { cli, srv } = e.establish();
    const port = cli.localPort;
    // The server closes first and ends in TIME_WAIT.
    srv.close();
    e.run(1);
    cli.close();
    e.run(1);
    expect(srv.state).toBe(TCP_TIME_WAIT);
    e.run(1000);
    const rec = recorder();
    const again = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80, localPort: port }, rec);
    rec.sk = again;
    e.run(2);
    expect(again.state).toBe(TCP_ESTABLISHED);
    expect(e.tb.statsExt.twRecycled).toBe(1);
  });
});

describe('closing', () => {
  it('half-close: after our FIN the peer still sends; its close then ends both', () => {
    const e = tcpEnv();
    const { cli, srv, cliRec, srvRec } = e.establish();
    cli.shutdownWrite();
    e.run(1);
    expect(srv.state).toBe(TCP_CLOSE_WAIT);
    expect(srvRec.events).toContain('eof');
    expect(cli.state).toBe(TCP_FIN_WAIT2);
    expect(srv.send(Buffer.from('late data'))).toBe(9);
    e.run(50);
    expect(cliRec.text()).toBe('late data');
    expect(cli.send(Buffer.from('x'))).toBeLessThan(0);
    srv.close();
    expect(srv.state).toBe(TCP_LAST_ACK);
    e.run(1);
    expect(srv.state).toBe(TCP_CLOSE);
    expect(cli.state).toBe(TCP_TIME_WAIT);
    expect(srvRec.events.at(-1)).toBe('close');
  });

  it('both close at once: FIN_WAIT1 → CLOSING → TIME_WAIT on both sides', () => {
    const e = tcpEnv();
    const { cli, srv } = e.establish();
    cli.close();
    srv.close();
    e.run(1);
    expect(cli.state).toBe(TCP_TIME_WAIT);
    expect(srv.state).toBe(TCP_TIME_WAIT);
  });

  it('abort sends RST; the peer sees ECONNRESET', () => {
    const e = tcpEnv();
    const { cli, srv, srvRec } = e.establish();
    cli.abort();
    e.run(1);
    expect(e.from('AB').at(-1)!.flags).toBe('R.');
    expect(srvRec.errors).toEqual([-104]);
    expect(srv.state).toBe(TCP_CLOSE);
    expect(e.tb.stats.estabResets).toBe(1);
  });

  it('close with unread data resets instead of FIN (TCPAbortOnClose)', () => {
    const e = tcpEnv();
    const { cli, srv, srvRec } = e.establish();
    srvRec.autoRead = false;
    cli.send(Buffer.from('unread'));
    e.run(50);
    srv.close();
    e.run(1);
    expect(e.from('BA').at(-1)!.flags).toBe('R.');
    expect(e.tb.statsExt.tcpAbortOnClose).toBe(1);
    expect(cli.state).toBe(TCP_CLOSE);
  });

  it('closeAll resets every connection and closes listeners', () => {
    const e = tcpEnv();
    const { cli, cliRec } = e.establish();
    e.tb.closeAll();
    e.run(1);
    expect(cliRec.errors).toEqual([-104]);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(e.tb.sockets()).toEqual([]);
  });
});

/** An ESTABLISHED pair and a template of A's segments to B, with the numbers a row needs. */
function estab(): { e: TcpEnv; cli: TcpSock; srv: TcpSock; base: WireSeg; rcvNxt: number; sndNxt: number; before: number } {
  const e = tcpEnv();
  const { cli, srv } = e.establish();
  cli.send(Buffer.from('hello'));
  e.run(100);
  const base = e.from('AB').at(-1)!;
  const ackSeg = e.from('BA').at(-1)!;
  // B's answers are logged but kept from A, whose own state the crafted segments do not follow.
  e.drop = (s) => s.dir === 'BA';
  return { e, cli, srv, base, rcvNxt: ackSeg.ack, sndNxt: ackSeg.seq, before: e.log.length };
}

const repliesSince = (e: TcpEnv, n: number): WireSeg[] => e.log.slice(n).filter((s) => s.dir === 'BA');
const TS = (val: number, ecr: number): number[] => [1, 1, 8, 10, val >>> 24, (val >>> 16) & 255, (val >>> 8) & 255, val & 255, ecr >>> 24, (ecr >>> 16) & 255, (ecr >>> 8) & 255, ecr & 255];

describe('segment arrives in ESTABLISHED (RFC 9293 3.10.7.4, RFC 5961, RFC 7323)', () => {
  it('an acceptable in-order data segment is queued and ACKed', () => {
    const { e, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x18, payload: Buffer.from('abc'), opts: TS(base.o.rcvTsval + 1, base.o.rcvTsecr) }));
    e.run(50);
    const r = repliesSince(e, n);
    expect(r.at(-1)!.ack).toBe((rcvNxt + 3) >>> 0);
  });

  it('a pure ACK beyond the window is answered with one ACK; more within 500 ms are not', () => {
    const { e, base, rcvNxt, before: n } = estab();
    for (let i = 0; i < 3; i++) inject(e, 'AB', craft(base, { seq: rcvNxt + 10000000, opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    expect(repliesSince(e, n).length).toBe(1);
    expect(e.tb.statsExt.tcpAckSkippedSeq).toBe(2);
    e.run(500);
    inject(e, 'AB', craft(base, { seq: rcvNxt + 10000000, opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    expect(repliesSince(e, n).length).toBe(2);
  });

  it('data beyond the window is answered every time (no rate limit)', () => {
    const { e, base, rcvNxt, before: n } = estab();
    for (let i = 0; i < 3; i++) inject(e, 'AB', craft(base, { seq: rcvNxt + 10000000, flags: 0x18, payload: Buffer.from('zz'), opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    const r = repliesSince(e, n);
    expect(r.length).toBe(3);
    expect(r.every((s) => s.ack === rcvNxt)).toBe(true);
  });

  it('RST with SEQ = RCV.NXT resets: ECONNRESET', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    const errs: number[] = [];
    srv.user = { ...recorder(), onError: (x) => errs.push(x) };
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x04 }));
    expect(srv.state).toBe(TCP_CLOSE);
    expect(errs).toEqual([-104]);
    expect(repliesSince(e, n).length).toBe(0);
  });

  it('RST in the window but not exact: a challenge ACK, the connection stays', () => {
    const { e, srv, base, rcvNxt, sndNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt + 100, flags: 0x04 }));
    expect(srv.state).toBe(TCP_ESTABLISHED);
    const r = repliesSince(e, n);
    expect(r.map((s) => [s.flags, s.seq, s.ack])).toEqual([['.', sndNxt, rcvNxt]]);
    expect(e.tb.statsExt.tcpChallengeAck).toBe(1);
  });

  it('RST outside the window is ignored silently', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt + 10000000, flags: 0x04 }));
    expect(srv.state).toBe(TCP_ESTABLISHED);
    expect(repliesSince(e, n).length).toBe(0);
  });

  it('RST+SYN with the exact sequence is a reset (the RST check comes before the SYN check)', () => {
    const { e, srv, base, rcvNxt } = estab();
    srv.user = recorder();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x06 }));
    expect(srv.state).toBe(TCP_CLOSE);
  });

  it('SYN in the window: challenge ACK (TCPSYNChallenge), the connection stays', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
    expect(srv.state).toBe(TCP_ESTABLISHED);
    expect(repliesSince(e, n).map((s) => [s.flags, s.ack])).toEqual([['.', rcvNxt]]);
    expect(e.tb.statsExt.tcpSynChallenge).toBe(1);
  });

  it('challenge ACKs are limited to one per 500 ms per socket', () => {
    const { e, base, rcvNxt, before: n } = estab();
    for (let i = 0; i < 4; i++) inject(e, 'AB', craft(base, { seq: rcvNxt + 100 + i, flags: 0x04 }));
    expect(repliesSince(e, n).length).toBe(1);
    e.run(500);
    inject(e, 'AB', craft(base, { seq: rcvNxt + 200, flags: 0x04 }));
    expect(repliesSince(e, n).length).toBe(2);
  });

  it('a segment without ACK is dropped without an answer', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x08, payload: Buffer.from('noack') }));
    e.run(100);
    expect(repliesSince(e, n).length).toBe(0);
    expect(srv.info().recvQ).toBe(0);
    expect(e.tb.statsExt.tcpNoAckDrop).toBe(1);
  });

  it('an ACK for data never sent draws an ACK and the segment is dropped', () => {
    const { e, srv, base, rcvNxt, sndNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, ack: sndNxt + 5000, flags: 0x18, payload: Buffer.from('bad'), opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    expect(repliesSince(e, n).map((s) => s.ack)).toEqual([rcvNxt]);
    expect(srv.info().recvQ).toBe(0);
  });

  it('an ACK older than SND.UNA − max window draws an ACK and is dropped', () => {
    const { e, srv, base, rcvNxt, sndNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, ack: sndNxt - 3000000, flags: 0x18, payload: Buffer.from('old'), opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    expect(repliesSince(e, n).map((s) => s.ack)).toEqual([rcvNxt]);
    expect(srv.info().recvQ).toBe(0);
  });

  it('an old ACK within the window is fine: its data is taken', () => {
    const { e, srv, base, rcvNxt, sndNxt } = estab();
    (srv.user as { onReadable(): void }).onReadable = () => {};
    inject(e, 'AB', craft(base, { seq: rcvNxt, ack: sndNxt - 10, flags: 0x18, payload: Buffer.from('ok'), opts: TS(base.o.rcvTsval, base.o.rcvTsecr) }));
    expect(srv.info().recvQ).toBe(2);
  });

  it('PAWS: an older timestamp drops the segment with a duplicate ACK (PAWSEstab)', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    (srv.user as { onReadable(): void }).onReadable = () => {};
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x18, payload: Buffer.from('replay'), opts: TS(base.o.rcvTsval - 1000, base.o.rcvTsecr) }));
    expect(srv.info().recvQ).toBe(0);
    expect(e.tb.statsExt.pawsEstab).toBe(1);
    expect(repliesSince(e, n).length).toBe(1);
  });

  it('a duplicate of data already received is ACKed at once with a DSACK block', () => {
    const { e, base, before: n } = estab();
    inject(e, 'AB', craft(base, { payload: base.payload, flags: 0x18, opts: TS(base.o.rcvTsval + 1, base.o.rcvTsecr) }));
    const r = repliesSince(e, n);
    expect(r.length).toBe(1);
    expect(r[0].o.numSacks).toBe(1);
    expect([r[0].o.sack[0], r[0].o.sack[1]]).toEqual([base.seq, (base.seq + base.len) >>> 0]);
  });

  it('FIN in order: CLOSE_WAIT and an immediate ACK of it', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x11, opts: TS(base.o.rcvTsval + 1, base.o.rcvTsecr) }));
    expect(srv.state).toBe(TCP_CLOSE_WAIT);
    expect(repliesSince(e, n).map((s) => s.ack)).toEqual([(rcvNxt + 1) >>> 0]);
  });

  it('a segment with no flags at all is dropped', () => {
    const { e, srv, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0, payload: Buffer.from('x') }));
    expect(srv.state).toBe(TCP_ESTABLISHED);
    expect(repliesSince(e, n).length).toBe(0);
  });
});

describe('hostile segments before any socket logic', () => {
  it('a bad checksum is counted (InCsumErrors) and dropped', () => {
    const { e, base, rcvNxt, before: n } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, badCsum: true, payload: Buffer.from('x') }));
    expect(e.tb.stats.inCsumErrors).toBe(1);
    expect(e.tb.stats.inErrs).toBe(1);
    expect(repliesSince(e, n).length).toBe(0);
  });

  it('a header shorter than 20 bytes and a data offset beyond the segment are InErrs', () => {
    const { e, base, rcvNxt } = estab();
    inject(e, 'AB', craft(base, { seq: rcvNxt, truncate: 12 }));
    inject(e, 'AB', craft(base, { seq: rcvNxt, doff: 60 }));
    inject(e, 'AB', craft(base, { seq: rcvNxt, doff: 8 }));
    expect(e.tb.statsExt.tcpBadHeader).toBe(3);
    expect(e.tb.stats.inErrs).toBe(3);
  });

  it('malformed options are counted and the segment still processed', () => {
    const { e, base, rcvNxt, srv } = estab();
    (srv.user as { onReadable(): void }).onReadable = () => {};
    inject(e, 'AB', craft(base, { seq: rcvNxt, flags: 0x18, payload: Buffer.from('opt'), opts: [8, 40, 0, 0] }));
    expect(e.tb.statsExt.tcpBadOptions).toBe(1);
    expect(srv.info().recvQ).toBe(3);
  });

  it('SYN+FIN to a listener is dropped; a segment without flags to a closed port gets RST|ACK', () => {
    const { e, base } = estab();
    const n = e.log.length;
    inject(e, 'AB', craft(base, { dport: 80, sport: 1234, seq: 1, flags: 0x03 }));
    expect(repliesSince(e, n).length).toBe(0);
    inject(e, 'AB', craft(base, { dport: 9999, sport: 1234, seq: 77, flags: 0, payload: Buffer.from('ab') }));
    const r = repliesSince(e, n);
    expect(r.map((s) => [s.flags, s.seq, s.ack])).toEqual([['R.', 0, 79]]);
  });

  it('a SYN flood fills the SYN queue only to its backlog + 1; the rest get cookies; memory stays bounded', () => {
    const e = tcpEnv();
    const l = e.tb.listen({ local: null, family: 4, port: 80, backlog: 8 }, { onAcceptable() {} });
    e.establish(81);
    // Spoofed sources (ports below 10000): their SYN-ACKs are lost on the wire (A would answer
    // them with RST, which ends each request, as tcp_check_req does).
    e.drop = (x) => x.dir === 'BA' && x.flags === 'S.' && x.dport < 10000;
    const base = e.from('AB')[0];
    for (let i = 0; i < 2000; i++) inject(e, 'AB', craft(base, { dport: 80, sport: 2000 + (i % 60000), seq: i * 7919, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
    const synRecv = e.tb.sockets().filter((s) => s.state === TCP_SYN_RECV);
    // backlog + 1, as Linux 6.18 keeps for listen(fd, 8) (9 in ss state syn-recv).
    expect(synRecv.length).toBe(9);
    expect(e.tb.statsExt.syncookiesSent).toBe(2000 - synRecv.length);
    expect(l.acceptQueueLength).toBe(0);
  });
});
