// The TCP header and options on the wire: Linux's option order as bytes (reference/tcp.md §3.1:
// SYN = MSS, SACK_PERM, TS, NOP, WS; data = NOP NOP TS), tcp_parse_options' tolerance of bad
// option areas, and the checksum over each family's pseudo header against a plain RFC 1071 sum.
import { describe, expect, it } from 'vitest';
import { csumFold, csumPartial } from '../../src/core/checksum.js';
import { udpPseudoSum } from '../../src/ipv4/checksum.js';
import { ipv6PseudoSum } from '../../src/ipv6/ip6_checksum.js';
import {
  TcpOptionsReceived,
  newOutOptions,
  tcpAckSeq,
  tcpDoff,
  tcpDport,
  tcpFlags,
  tcpHeaderWrite,
  tcpOptionsSize,
  tcpOptionsWrite,
  tcpParseOptions,
  tcpSeq,
  tcpSport,
  tcpWindow,
} from '../../src/tcp/tcp_hdr.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function opts(o: Partial<ReturnType<typeof newOutOptions>>): ReturnType<typeof newOutOptions> {
  return Object.assign(newOutOptions(), o);
}

function write(o: ReturnType<typeof newOutOptions>): Buffer {
  const b = Buffer.alloc(tcpOptionsSize(o));
  expect(tcpOptionsWrite(b, 0, o)).toBe(b.length);
  return b;
}

/** A header of `doff` bytes whose option area is `area` (padded with zeros = EOL). */
function seg(area: number[], flags = 0x02): Buffer {
  const doff = 20 + Math.ceil(area.length / 4) * 4;
  const b = Buffer.alloc(doff);
  tcpHeaderWrite(b, 0, 1, 2, 3, 4, doff, flags, 5);
  Buffer.from(area).copy(b, 20);
  return b;
}

function parse(b: Buffer, syn = true): TcpOptionsReceived {
  const o = new TcpOptionsReceived();
  tcpParseOptions(b, 0, tcpDoff(b, 0), syn, o);
  return o;
}

describe('option writing in Linux order', () => {
  it('a full SYN: MSS 1460, SACK_PERM, TS, NOP, WS 7 in 20 bytes', () => {
    const b = write(opts({ mss: 1460, sackOk: true, ts: true, tsval: 0x01020304, tsecr: 0, wscale: 7 }));
    expect(hex(b)).toBe('020405b4' + '0402080a' + '01020304' + '00000000' + '01030307');
  });

  it('a SYN-ACK to an option-less SYN carries only the MSS', () => {
    expect(hex(write(opts({ mss: 1460 })))).toBe('020405b4');
  });

  it('SACK_PERM without timestamps is NOP NOP SACK_PERM; WS alone is NOP WS', () => {
    expect(hex(write(opts({ mss: 1460, sackOk: true, wscale: 7 })))).toBe('020405b4' + '01010402' + '01030307');
    expect(hex(write(opts({ wscale: 0 })))).toBe('01030300');
  });

  it('data segments: NOP NOP TS (12 bytes)', () => {
    expect(hex(write(opts({ ts: true, tsval: 0xdeadbeef, tsecr: 0x11223344 })))).toBe('0101080a' + 'deadbeef' + '11223344');
  });

  it('SACK blocks after the timestamp: NOP NOP SACK len 8n+2', () => {
    const o = opts({ ts: true, tsval: 1, tsecr: 2, numSacks: 2 });
    o.sack.set([100, 200, 300, 400]);
    expect(hex(write(o))).toBe('0101080a0000000100000002' + '0101051200000064000000c80000012c00000190');
    expect(tcpOptionsSize(o)).toBe(12 + 4 + 16);
  });
});

describe('the fixed header', () => {
  it('writes and reads every field', () => {
    const b = Buffer.alloc(32);
    tcpHeaderWrite(b, 0, 0x1234, 80, 0xfffffffe, 0x80000001, 32, 0x12, 65160);
    expect(hex(b.subarray(0, 20))).toBe('12340050' + 'fffffffe' + '80000001' + '8012' + 'fe88' + '00000000');
    expect([tcpSport(b, 0), tcpDport(b, 0), tcpSeq(b, 0), tcpAckSeq(b, 0), tcpDoff(b, 0), tcpFlags(b, 0), tcpWindow(b, 0)]).toEqual([
      0x1234, 80, 0xfffffffe, 0x80000001, 32, 0x12, 65160,
    ]);
  });
});

describe('tcp_parse_options', () => {
  it('reads back what a Linux SYN carries', () => {
    const o = parse(seg([...write(opts({ mss: 1460, sackOk: true, ts: true, tsval: 7, tsecr: 9, wscale: 10 }))]));
    expect([o.mss, o.sackOk, o.sawTstamp, o.rcvTsval, o.rcvTsecr, o.wscale, o.malformed]).toEqual([1460, true, true, 7, 9, 10, false]);
  });

  it('SYN-only options are ignored on other segments; SACK blocks only off a SYN', () => {
    const o = parse(seg([2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1]), false);
    expect([o.mss, o.wscale, o.sackOk]).toEqual([0, -1, false]);
    const s = parse(seg([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2]), false);
    expect([s.numSacks, s.sack[0], s.sack[1]]).toEqual([1, 1, 2]);
    expect(parse(seg([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2]), true).numSacks).toBe(0);
  });

  it('a window scale above 14 is taken as 14 (RFC 7323 2.3)', () => {
    expect(parse(seg([1, 3, 3, 15])).wscale).toBe(14);
  });

  it('an option with the wrong length is skipped, the rest still read', () => {
    const o = parse(seg([2, 6, 5, 0xb4, 0, 0, 1, 3, 3, 7]));
    expect([o.mss, o.wscale, o.malformed]).toEqual([0, 7, false]);
    expect(parse(seg([8, 8, 0, 0, 0, 1, 0, 0])).sawTstamp).toBe(false);
    expect(parse(seg([1, 1, 5, 9, 0, 0, 0, 1, 0, 0, 0, 2]), false).numSacks).toBe(0);
  });

  it('EOL ends the area; trailing garbage after it is not read', () => {
    const o = parse(seg([0, 2, 4, 5, 0xb4]));
    expect([o.mss, o.malformed]).toEqual([0, false]);
  });

  for (const [name, area] of [
    ['length 0', [2, 0, 5, 0xb4]],
    ['length 1', [3, 1, 7, 1]],
    ['length past the header', [8, 10, 0, 0]],
    ['a kind with no room for its length', [1, 1, 1, 8]],
  ] as const) {
    it(`a malformed area (${name}) stops the parse and is flagged, never throws`, () => {
      const o = parse(seg([...area]));
      expect(o.malformed).toBe(true);
      expect(o.mss).toBe(0);
    });
  }

  it('at most 4 SACK blocks are taken from an oversized option', () => {
    const area = [1, 1, 5, 2 + 8 * 4];
    for (let i = 0; i < 8; i++) area.push(0, 0, 0, i + 1);
    const o = parse(seg(area), false);
    expect(o.numSacks).toBe(4);
    expect([...o.sack]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

/** RFC 1071 the slow way, as an independent reference. */
function refSum(words: Uint8Array[]): number {
  let s = 0;
  for (const w of words) for (let i = 0; i < w.length; i += 2) s += (w[i] << 8) | (i + 1 < w.length ? w[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

describe('checksum over the pseudo header', () => {
  const segment = (): Buffer => {
    const o = opts({ mss: 1460, sackOk: true, ts: true, tsval: 0x11111111, tsecr: 0, wscale: 7 });
    const b = Buffer.alloc(20 + tcpOptionsSize(o) + 5);
    tcpHeaderWrite(b, 0, 40000, 80, 12345, 0, 40, 0x02, 64240);
    tcpOptionsWrite(b, 20, o);
    b.write('hello', 40);
    return b;
  };

  it('IPv4: 10.0.0.1 → 10.0.0.2, proto 6', () => {
    const b = segment();
    const c = csumFold(csumPartial(b, 0, b.length, udpPseudoSum(0x0a000001, 0x0a000002, 6, b.length)));
    const pseudo = Buffer.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, b.length]);
    expect(c).toBe(refSum([pseudo, b]));
    b.writeUInt16BE(c, 16);
    expect(csumFold(csumPartial(b, 0, b.length, udpPseudoSum(0x0a000001, 0x0a000002, 6, b.length)))).toBe(0);
  });

  it('IPv6: fd00::1 → fd00::2, next header 6', () => {
    const b = segment();
    const s = Buffer.alloc(16);
    const d = Buffer.alloc(16);
    s[0] = d[0] = 0xfd;
    s[15] = 1;
    d[15] = 2;
    const c = csumFold(csumPartial(b, 0, b.length, ipv6PseudoSum(s, 0, d, 0, b.length, 6)));
    const len = Buffer.alloc(8);
    len.writeUInt32BE(b.length, 0);
    len[7] = 6;
    expect(c).toBe(refSum([s, d, len, b]));
  });
});
