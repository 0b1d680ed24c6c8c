// tcp_conn_request()'s order and counters under a full SYN queue, against Linux 6.18 (measured
// with a kernel listener, listen(fd, 8), and spoofed SYNs from scapy: 9 requests in SYN-RECV, the
// other 31 SYNs answered with cookies, SyncookiesSent = TCPReqQFullDoCookies = 31): the SYN queue
// is full past the backlog (inet_csk_reqsk_queue_is_full: len > backlog); tcp_syn_flood_action()
// counts TCPReqQFullDoCookies for tcp_syncookies 1 and 2 alike, TCPReqQFullDrop without cookies;
// the accept queue's check (ListenOverflows) comes after it.
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_SYN_RECV } from '../../src/tcp/tcp_states.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { craft, inject, tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

/** A listener on B:80 with `backlog`, `n` distinct SYNs injected at it; B's counters. */
function flood(backlog: number, n: number, syncookies: number, accept: boolean) {
  const e = tcpEnv();
  e.tb.conf.tcpSyncookies = syncookies;
  const l = e.tb.listen({ local: null, family: 4, port: 80, backlog }, {
    onAcceptable() {
      if (accept) for (let s = l.accept(); s !== null; s = l.accept());
    },
  });
  e.establish(81);
  // Spoofed sources (ports below 10000): their SYN-ACKs are lost on the wire (A would answer
  // them with RST, which ends each request, as tcp_check_req does).
  e.drop = (x) => x.dir === 'BA' && x.flags === 'S.' && x.dport < 10000;
  const base = e.from('AB')[0];
  const x0 = { ...e.tb.statsExt };
  for (let i = 0; i < n; i++) inject(e, 'AB', craft(base, { dport: 80, sport: 3000 + i, seq: i * 7919, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
  const x = e.tb.statsExt;
  const d = (k: keyof typeof x) => x[k] - x0[k];
  const synRecv = e.tb.sockets().filter((s) => s.state === TCP_SYN_RECV && s.localPort === 80).length;
  return { e, l, d, synRecv };
}

describe('a full SYN queue (tcp_conn_request, tcp_syn_flood_action)', () => {
  it('listen(8) and 40 SYNs: 9 requests kept, 31 cookies, as Linux 6.18 counts them', () => {
    const { d, synRecv } = flood(8, 40, 1, true);
    expect(synRecv).toBe(9);
    expect(d('syncookiesSent')).toBe(31);
    expect(d('tcpReqQFullDoCookies')).toBe(31);
    expect(d('tcpReqQFullDrop')).toBe(0);
    expect(d('listenOverflows')).toBe(0);
    expect(d('listenDrops')).toBe(0);
  });

  it("logs Linux's warning once per listener: 'Possible SYN flooding on port ADDR:PORT. Sending cookies.'", () => {
    const e = tcpEnv({ ipv6: true });
    const lines: string[] = [];
    e.tb.onLog = (l) => lines.push(l);
    e.tb.listen({ local: { family: 4, addr: 0x0a000002 }, family: 4, port: 80, backlog: 1 }, { onAcceptable() {} });
    e.tb.listen({ local: null, family: 6, port: 81, backlog: 1 }, { onAcceptable() {} });
    e.establish(82);
    // Spoofed sources (ports below 10000): their SYN-ACKs are lost on the wire (A would answer
    // them with RST, which ends each request, as tcp_check_req does).
    e.drop = (x) => x.dir === 'BA' && x.flags === 'S.' && x.dport < 10000;
    const base = e.from('AB')[0];
    for (const dport of [80, 81]) for (let i = 0; i < 10; i++) inject(e, 'AB', craft(base, { dport, sport: 5000 + i, seq: i, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
    e.tb.conf.tcpSyncookies = 0;
    e.tb.listen({ local: null, family: 4, port: 83, backlog: 0 }, { onAcceptable() {} });
    for (let i = 0; i < 3; i++) inject(e, 'AB', craft(base, { dport: 83, sport: 6000 + i, seq: i, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
    // As dmesg shows them on Linux 6.18 (an IPv4 SYN to a dual-stack listener: the IPv4 slab, the IPv6 form).
    expect(lines).toEqual([
      'TCP: request_sock_TCP: Possible SYN flooding on port 10.0.0.2:80. Sending cookies.',
      'TCP: request_sock_TCP: Possible SYN flooding on port [::]:81. Sending cookies.',
      'TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:83. Dropping request.',
    ]);
    // A Stack's TCP logs through the stack's 'log' event.
    const seen: string[] = [];
    e.B.on('log', (l: string) => seen.push(l));
    e.B.tcp.onLog!('TCP: x');
    expect(seen).toEqual(['TCP: x']);
  });

  it('tcp_syncookies=0: 9 requests kept, the other 31 dropped (TCPReqQFullDrop, ListenDrops)', () => {
    const { d, synRecv } = flood(8, 40, 0, true);
    expect(synRecv).toBe(9);
    expect(d('syncookiesSent')).toBe(0);
    expect(d('tcpReqQFullDrop')).toBe(31);
    expect(d('listenDrops')).toBe(31);
    expect(d('tcpReqQFullDoCookies')).toBe(0);
  });

  it('tcp_syncookies=2: every SYN gets a cookie and counts TCPReqQFullDoCookies, the queue stays empty', () => {
    const { d, synRecv } = flood(8, 5, 2, true);
    expect(synRecv).toBe(0);
    expect(d('syncookiesSent')).toBe(5);
    expect(d('tcpReqQFullDoCookies')).toBe(5);
  });

  it('accept queue full too: the flood action counts first (TCPReqQFullDoCookies), then ListenOverflows drops the SYN', () => {
    // backlog 0: the SYN queue is full with 1 request, the accept queue with 1 child.
    const { e, l } = flood(0, 1, 1, false);
    expect(l.synQueueLen).toBe(1);
    // A real connection completes through a cookie and fills the accept queue (nobody accepts).
    e.ta.connect({ remote: { family: 4, addr: 0x0a000002 }, port: 80 }, { onConnect() {}, onReadable() {}, onWritable() {}, onError() {}, onClose() {} });
    e.run(10);
    expect(l.acceptQueueLength).toBe(1);
    expect(e.tb.statsExt.syncookiesRecv).toBe(1);
    const x0 = { ...e.tb.statsExt };
    const base = e.from('AB')[0];
    inject(e, 'AB', craft(base, { dport: 80, sport: 4001, seq: 2, flags: 0x02, opts: [2, 4, 5, 0xb4] }));
    const x = e.tb.statsExt;
    expect(x.tcpReqQFullDoCookies - x0.tcpReqQFullDoCookies).toBe(1);
    expect(x.listenOverflows - x0.listenOverflows).toBe(1);
    expect(x.listenDrops - x0.listenDrops).toBe(1);
    expect(x.syncookiesSent - x0.syncookiesSent).toBe(0);
  });
});
