// Shared by the tcp_*.test.ts files: two stacks on a deferred in-memory cable, each with a Tcp,
// a wire that logs every TCP segment (time, direction, flags, fields, options) and can drop,
// hold or rewrite segments, and a recorder for a socket's user callbacks.
import { Tcp, type TcpSock, type TcpSockUser } from '../../src/tcp/tcp.js';
import { TcpOptionsReceived, tcpAckSeq, tcpDoff, tcpFlags, tcpParseOptions, tcpSeq, tcpSport, tcpDport, tcpWindow } from '../../src/tcp/tcp_hdr.js';
import type { TcpListenSock } from '../../src/tcp/tcp_minisocks.js';
import { type TwoStacks, twoStacks } from '../helpers/two_stacks.js';

export const IP_A = 0x0a000001;
export const IP_B = 0x0a000002;

/** One TCP segment seen on the wire. */
export interface WireSeg {
  t: number;
  /** 'AB': sent by A. */
  dir: 'AB' | 'BA';
  family: 4 | 6;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** "S", "S.", ".", "P.", "F.", "R", "R." as tcpdump prints them. */
  flags: string;
  rawFlags: number;
  win: number;
  len: number;
  /** Option bytes in hex. */
  opts: string;
  o: TcpOptionsReceived;
  payload: Buffer;
  /** The IP DF bit (IPv4). */
  df: boolean;
  frame: Buffer;
  /** Offset of the TCP header in `frame`. */
  tcpOff: number;
}

function flagStr(f: number): string {
  let s = '';
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x10) s += '.';
  return s || 'none';
}

/** Parses an Ethernet frame carrying TCP over IPv4 or IPv6 (no extension headers), or null. */
export function parseFrame(frame: Buffer, t: number, dir: 'AB' | 'BA'): WireSeg | null {
  const type = frame.readUInt16BE(12);
  let off: number;
  let family: 4 | 6;
  let df = false;
  if (type === 0x0800) {
    if (frame[14 + 9] !== 6) return null;
    off = 14 + (frame[14] & 0xf) * 4;
    family = 4;
    df = (frame[14 + 6] & 0x40) !== 0;
  } else if (type === 0x86dd) {
    if (frame[14 + 6] !== 6) return null;
    off = 14 + 40;
    family = 6;
  } else return null;
  const doff = tcpDoff(frame, off);
  const rawFlags = tcpFlags(frame, off);
  const o = new TcpOptionsReceived();
  tcpParseOptions(frame, off, doff, (rawFlags & 0x02) !== 0, o);
  return {
    t,
    dir,
    family,
    sport: tcpSport(frame, off),
    dport: tcpDport(frame, off),
    seq: tcpSeq(frame, off),
    ack: tcpAckSeq(frame, off),
    flags: flagStr(rawFlags),
    rawFlags,
    win: tcpWindow(frame, off),
    len: frame.length - off - doff,
    opts: frame.subarray(off + 20, off + doff).toString('hex'),
    o,
    payload: Buffer.from(frame.subarray(off + doff)),
    df,
    frame,
    tcpOff: off,
  };
}

export interface Rec extends TcpSockUser {
  events: string[];
  data: Buffer[];
  errors: number[];
  /** Read automatically on onReadable (default true). */
  autoRead: boolean;
  sk: TcpSock | null;
  text(): string;
}

/** A TcpSockUser that logs every callback and (unless autoRead is off) reads all data. */
export function recorder(): Rec {
  const r: Rec = {
    events: [],
    data: [],
    errors: [],
    autoRead: true,
    sk: null,
    text: () => Buffer.concat(r.data).toString(),
    onConnect() {
      r.events.push('connect');
    },
    onReadable() {
      const s = r.sk;
      if (!s || !r.autoRead) return;
      for (let b = s.read(); b !== null; b = s.read()) r.data.push(b);
      if (s.eof && !r.events.includes('eof')) r.events.push('eof');
    },
    onWritable() {
      r.events.push('writable');
    },
    onError(e) {
      r.errors.push(e);
      r.events.push(`error ${e}`);
    },
    onClose() {
      r.events.push('close');
    },
  };
  return r;
}

export interface TcpEnv extends TwoStacks {
  ta: Tcp;
  tb: Tcp;
  /** Every TCP segment delivered or dropped, in order. */
  log: WireSeg[];
  /** Return true to drop the segment (it is still logged, with dropped set). */
  drop: ((s: WireSeg) => boolean) | null;
  dropped: WireSeg[];
  /** Delivers everything in flight (repeatedly) at the current time. */
  flush(): void;
  /** flush, then `ms` 1-ms steps each followed by a flush. */
  run(ms: number): void;
  /** Segments sent by A ('AB') or B ('BA'). */
  from(dir: 'AB' | 'BA'): WireSeg[];
  /** connect A → B:port with a listener on B; returns both ends once established. */
  establish(port?: number, family?: 4 | 6): { cli: TcpSock; srv: TcpSock; cliRec: Rec; srvRec: Rec; l: TcpListenSock };
}

export interface TcpEnvOptions {
  ipv6?: boolean;
  randomA?: () => number;
  randomB?: () => number;
}

export const IN6_A = Buffer.from('fd000000000000000000000000000001', 'hex');
export const IN6_B = Buffer.from('fd000000000000000000000000000002', 'hex');

export function tcpEnv(o: TcpEnvOptions = {}): TcpEnv {
  const env = twoStacks({ deferred: true, ipv6: o.ipv6 ?? false });
  if (o.ipv6) {
    env.A.addAddress('ea', 'fd00::1/64', { nodad: true });
    env.B.addAddress('eb', 'fd00::2/64', { nodad: true });
    env.clock.advance(3000);
  }
  const ta = new Tcp(env.A.inet, o.ipv6 ? env.A.inet6 : null, { random: o.randomA ?? (() => 0.25) });
  const tb = new Tcp(env.B.inet, o.ipv6 ? env.B.inet6 : null, { random: o.randomB ?? (() => 0.75) });
  const e = env as TcpEnv;
  e.ta = ta;
  e.tb = tb;
  e.log = [];
  e.dropped = [];
  e.drop = null;
  const deliverOne = (): number => {
    let n = 0;
    for (const [d, dir] of [[env.ea, 'AB'], [env.eb, 'BA']] as const) {
      while (d.pending.length > 0) {
        const f = d.pending.shift()!;
        n++;
        const s = parseFrame(f, env.clock.now(), dir);
        if (s !== null) {
          e.log.push(s);
          if (e.drop !== null && e.drop(s)) {
            e.dropped.push(s);
            continue;
          }
        }
        d.peer!.receiveFrame(f);
      }
    }
    return n;
  };
  e.flush = () => {
    while (deliverOne() > 0);
  };
  e.run = (ms: number) => {
    e.flush();
    for (let t = 0; t < ms; t++) {
      env.clock.advance(1);
      e.flush();
    }
  };
  e.from = (dir) => e.log.filter((s) => s.dir === dir && !e.dropped.includes(s));
  e.establish = (port = 80, family = 4) => {
    const srvRec = recorder();
    const cliRec = recorder();
    let srv: TcpSock | null = null;
    const l = tb.listen({ local: null, family, port, backlog: 16 }, {
      onAcceptable() {
        srv = l.accept();
        if (srv) {
          srv.user = srvRec;
          srvRec.sk = srv;
        }
      },
    });
    const remote = family === 4 ? { family: 4 as const, addr: IP_B } : { family: 6 as const, addr: IN6_B, scopeId: 0 };
    const cli = ta.connect({ remote, port }, cliRec);
    cliRec.sk = cli;
    e.run(1);
    if (srv === null) throw new Error('not established');
    return { cli, srv, cliRec, srvRec, l };
  };
  return e;
}

/** Fields of a crafted segment (unset ones are taken from the template). */
export interface CraftFields {
  seq?: number;
  ack?: number;
  flags?: number;
  win?: number;
  payload?: Buffer;
  /** Raw option bytes (padded to 4 with EOL). */
  opts?: number[];
  sport?: number;
  dport?: number;
  /** Leave the checksum wrong. */
  badCsum?: boolean;
  /** Data offset in bytes to write instead of the real one. */
  doff?: number;
  /** Cut the frame to this many TCP bytes (short headers). */
  truncate?: number;
}

/**
 * A new frame in the same direction as `base` (its Ethernet and IP headers), with a TCP header
 * and payload from `f`; IP length and both checksums fixed up unless asked otherwise.
 */
export function craft(base: WireSeg, f: CraftFields): Buffer {
  const off = base.tcpOff;
  const area = Buffer.from(f.opts ?? []);
  const optLen = Math.ceil(area.length / 4) * 4;
  const payload = f.payload ?? Buffer.alloc(0);
  const tcpLen = 20 + optLen + payload.length;
  const fr = Buffer.alloc(off + tcpLen);
  base.frame.copy(fr, 0, 0, off);
  fr.writeUInt16BE(f.sport ?? base.sport, off);
  fr.writeUInt16BE(f.dport ?? base.dport, off + 2);
  fr.writeUInt32BE((f.seq ?? base.seq) >>> 0, off + 4);
  fr.writeUInt32BE((f.ack ?? base.ack) >>> 0, off + 8);
  fr[off + 12] = (((f.doff ?? 20 + optLen) >>> 2) & 0xf) << 4;
  fr[off + 13] = f.flags ?? 0x10;
  fr.writeUInt16BE(f.win ?? base.win, off + 14);
  area.copy(fr, off + 20);
  payload.copy(fr, off + 20 + optLen);
  let sum = 0;
  const add16 = (b: Buffer, o: number, n: number): void => {
    for (let i = 0; i < n; i += 2) sum += (b[o + i] << 8) | (i + 1 < n ? b[o + i + 1] : 0);
  };
  if (base.family === 4) {
    fr.writeUInt16BE(off - 14 + tcpLen, 16);
    fr.writeUInt16BE(0, 24);
    let s = 0;
    for (let i = 14; i < off; i += 2) s += fr.readUInt16BE(i);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    fr.writeUInt16BE(~s & 0xffff, 24);
    add16(fr, 26, 8);
    sum += 6 + tcpLen;
  } else {
    fr.writeUInt16BE(tcpLen, 18);
    add16(fr, 22, 32);
    sum += 6 + tcpLen;
  }
  add16(fr, off, tcpLen);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  let c = ~sum & 0xffff;
  if (f.badCsum) c ^= 0x5a5a;
  fr.writeUInt16BE(c, off + 16);
  if (f.truncate === undefined) return fr;
  const cut = Buffer.from(fr.subarray(0, off + f.truncate));
  if (base.family === 4) {
    cut.writeUInt16BE(off - 14 + f.truncate, 16);
    cut.writeUInt16BE(0, 24);
    let s = 0;
    for (let i = 14; i < off; i += 2) s += cut.readUInt16BE(i);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    cut.writeUInt16BE(~s & 0xffff, 24);
  } else cut.writeUInt16BE(f.truncate, 18);
  return cut;
}

/** Hands a crafted frame to the receiving end of its direction and delivers what follows. */
export function inject(e: TcpEnv, dir: 'AB' | 'BA', frame: Buffer): void {
  const s = parseFrame(frame, e.clock.now(), dir);
  if (s !== null) e.log.push(s);
  (dir === 'AB' ? e.eb : e.ea).receiveFrame(frame);
  e.flush();
}
