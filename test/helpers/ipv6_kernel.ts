// IPv6 kernel-test fixtures: a tapstack child (ipv6_child.mjs) in a private namespace whose kernel
// side of the TAP has IPv6 switched back on (Netns.create disables it), and a tcpdump capture of
// the TAP that the tests read frame by frame (-xx hex), as the reference's measurements did.
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Netns, ROOT, StackChild, waitFor } from './netns.js';

/** A tapstack with IPv6 in a namespace, driven by JSON lines (test/helpers/ipv6_child.mjs). */
export class Ipv6Child extends StackChild {
  static override start(ns: Netns): Ipv6Child {
    return new Ipv6Child(ns.spawn(process.execPath, [join(ROOT, 'test', 'helpers', 'ipv6_child.mjs')]), 'ipv6 child');
  }

  /** The 'log' lines the stack emitted (kernel log lines: DAD conflicts, ...). */
  logs(): string[] {
    return this.events.filter((e) => e.event === 'log').map((e) => e.line);
  }
}

/**
 * Switches IPv6 back on for the kernel side of `dev` (and all/default), after the knobs in
 * `before` (e.g. `router_solicitations: 0`, `accept_dad: 0`) were written for that device, so
 * that they apply from the first moment the device has IPv6.
 */
export function kernelIpv6On(ns: Netns, dev: string, before: Record<string, number | string> = {}): void {
  const keys = Object.entries(before).map(([k, v]) => `net.ipv6.conf.${dev}.${k}=${v}`);
  keys.push('net.ipv6.conf.all.disable_ipv6=0', 'net.ipv6.conf.default.disable_ipv6=0', `net.ipv6.conf.${dev}.disable_ipv6=0`);
  ns.sh(`sysctl -qw ${keys.join(' ')}`);
}

/** One frame as tcpdump -e -n -xx -tt printed it: the summary line and the bytes. */
export interface DumpFrame {
  t: number;
  line: string;
  bytes: Buffer;
}

/** `tcpdump -i DEV -l -n -e -xx -tt FILTER` in the namespace, parsed frame by frame. */
export class Tcpdump {
  private out = '';
  private err = '';
  private constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d) => (this.out += d));
    proc.stderr!.on('data', (d) => (this.err += d));
  }

  /** Starts tcpdump and waits until it listens. */
  static async start(ns: Netns, dev: string, filter: string): Promise<Tcpdump> {
    const d = new Tcpdump(ns.spawn('tcpdump', ['-i', dev, '-l', '-n', '-e', '-xx', '-tt', ...filter.split(' ')]));
    await waitFor('tcpdump to listen', () => d.err.includes('listening on'), 10000);
    return d;
  }

  /** Every frame captured so far. */
  frames(): DumpFrame[] {
    const frames: DumpFrame[] = [];
    let cur: { t: number; line: string; hex: string } | null = null;
    const push = (): void => {
      if (cur) frames.push({ t: cur.t, line: cur.line, bytes: Buffer.from(cur.hex, 'hex') });
    };
    for (const l of this.out.split('\n')) {
      // The frame's own hex lines start with a tab and 0x (option dumps of -v are indented more).
      const hx = /^\t0x[0-9a-f]{4}:\s+((?:[0-9a-f]{4}\s?|[0-9a-f]{2}\s?)+)/.exec(l);
      if (hx && cur) {
        cur.hex += hx[1].replace(/\s+/g, '');
      } else if (/^\d+\.\d+ /.test(l)) {
        push();
        cur = { t: Number(l.split(' ')[0]), line: l, hex: '' };
      } else if (cur && l.trim() !== '') {
        cur.line += '\n' + l; // continuation lines (-v)
      }
    }
    push();
    return frames;
  }

  /** Waits until no new output came for `quietMs` (tcpdump prints a frame some time after it passed). */
  async settle(quietMs = 300, maxMs = 3000): Promise<void> {
    let n = -1;
    const end = Date.now() + maxMs;
    while (n !== this.out.length && Date.now() < end) {
      n = this.out.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  /** Stops the capture and lets it flush. */
  async stop(): Promise<DumpFrame[]> {
    // 'close' (not 'exit'): the last lines may still be in the pipe when the process ends.
    const done = new Promise((r) => this.proc.once('close', r));
    this.proc.kill('SIGINT');
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
    return this.frames();
  }
}

/** Fields of an Ethernet + IPv6 + ICMPv6 frame (no extension headers) used by the tests. */
export interface Icmp6Frame {
  ethDst: string;
  ethSrc: string;
  ethertype: number;
  /** Traffic class and flow label. */
  tclass: number;
  flowLabel: number;
  payloadLen: number;
  nextHeader: number;
  hopLimit: number;
  src: Buffer;
  dst: Buffer;
  type: number;
  code: number;
  /** The ICMPv6 message from its type byte on. */
  body: Buffer;
}

const mac = (b: Buffer, o: number): string => [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');

export function parseIcmp6Frame(b: Buffer): Icmp6Frame | null {
  if (b.length < 14 + 40 + 4 || b.readUInt16BE(12) !== 0x86dd) return null;
  const v = b.readUInt32BE(14);
  const f: Icmp6Frame = {
    ethDst: mac(b, 0),
    ethSrc: mac(b, 6),
    ethertype: 0x86dd,
    tclass: (v >>> 20) & 0xff,
    flowLabel: v & 0xfffff,
    payloadLen: b.readUInt16BE(18),
    nextHeader: b[20],
    hopLimit: b[21],
    src: b.subarray(22, 38),
    dst: b.subarray(38, 54),
    type: b[54],
    code: b[55],
    body: b.subarray(54, 54 + b.readUInt16BE(18)),
  };
  return f.nextHeader === 58 ? f : null;
}

/** ND options after the fixed part (`fixed` bytes of the message), as [type, bytes] pairs. */
export function ndOptions(body: Buffer, fixed: number): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let o = fixed; o + 2 <= body.length; ) {
    const len = body[o + 1] * 8;
    if (len === 0) break;
    out.push([body[o], body.subarray(o, o + len)]);
    o += len;
  }
  return out;
}

/** The ICMPv6 checksum of `body` (an ICMPv6 message) from src to dst. */
export function icmp6Checksum(src: Buffer, dst: Buffer, body: Buffer): number {
  let sum = 0;
  const add16 = (b: Buffer): void => {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  };
  add16(src);
  add16(dst);
  sum += body.length >>> 16;
  sum += body.length & 0xffff;
  sum += 58;
  const z = Buffer.from(body);
  z.writeUInt16BE(0, 2);
  add16(z);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Bytes of a MAC (`02:00:...`) or an IPv6 address in text. */
export function bytesOf(s: string): Buffer {
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(s)) return Buffer.from(s.replaceAll(':', ''), 'hex');
  // IPv6 text: expand '::'.
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/**
 * The frame as the other side would send it: every occurrence of one member of a pair (MACs,
 * addresses, solicited-node groups and their 33:33 MACs) replaced by the other, then the ICMPv6
 * checksum recomputed. Mirroring the kernel's frame gives what tapstack must send byte for byte.
 */
export function mirrorFrame(frame: Buffer, pairs: [string, string][]): Buffer {
  const bp = pairs.flatMap(([a, b]) => {
    const [x, y] = [bytesOf(a), bytesOf(b)];
    return [[x, y], [y, x]] as [Buffer, Buffer][];
  });
  bp.sort((p, q) => q[0].length - p[0].length); // 16-byte addresses before 6-byte MACs
  const out = Buffer.from(frame);
  for (let i = 0; i < out.length; ) {
    const hit = bp.find(([x]) => i + x.length <= frame.length && frame.subarray(i, i + x.length).equals(x));
    if (hit) {
      hit[1].copy(out, i);
      i += hit[0].length;
    } else i++;
  }
  const f = parseIcmp6Frame(out);
  if (f) out.writeUInt16BE(icmp6Checksum(f.src, f.dst, f.body), 54 + 2);
  return out;
}

/** A tcpdump -xx frame as the reference writes it: 16-bit groups. */
export function hexGroups(b: Buffer): string {
  return b.toString('hex').replace(/(.{4})/g, '$1 ').trim();
}

/** The parts of an AddrSnapshot (src/core/addr_info.ts) the `ip -6 addr` layout needs. */
export interface Addr6Like {
  local: string;
  prefixLen: number;
  scope: string;
  flagWords: string[];
  validLft: number;
  preferredLft: number;
}

/**
 * The inet6 lines `ip -6 addr show dev DEV` prints for these addresses (iproute2 6.1 layout: every
 * token followed by one space, then the lifetimes line), so that tapstack's addresses can be set
 * against the kernel's text. tapstack's CLI has no `ip addr` yet; this renders the library's data.
 */
export function ipAddrLines(addrs: readonly Addr6Like[]): string {
  const lft = (v: number): string => (v === 0xffffffff ? 'forever' : `${v}sec`);
  return addrs
    .map((a) => `    inet6 ${a.local}/${a.prefixLen} scope ${a.scope} ${a.flagWords.map((w) => `${w} `).join('')}\n       valid_lft ${lft(a.validLft)} preferred_lft ${lft(a.preferredLft)}\n`)
    .join('');
}

/** The inet6 lines of the kernel's `ip -6 addr show dev DEV` (the link line and others dropped). */
export function kernelAddrLines(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].startsWith('    inet6 ')) out.push(`${lines[i]}\n${lines[i + 1]}\n`);
  return out.join('');
}

/** Swaps the members of each pair in a text (addresses, MACs), longest first so none is cut. */
export function mirrorText(s: string, pairs: [string, string][]): string {
  const all = pairs.flatMap(([a, b]) => [[a, b], [b, a]] as [string, string][]).sort((p, q) => q[0].length - p[0].length);
  let out = '';
  for (let i = 0; i < s.length; ) {
    const hit = all.find(([x]) => s.startsWith(x, i) && !/[0-9a-f:]/i.test(s[i + x.length] ?? ' ') && (i === 0 || !/[0-9a-f:]/i.test(s[i - 1])));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else out += s[i++];
  }
  return out;
}

/** scapy (test/helpers/scapy_send.py) in a namespace: sends frames written as scapy expressions. */
export class Scapy {
  private buf = '';
  private readonly queue: ((msg: any) => void)[] = [];
  private constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.queue.shift()?.(JSON.parse(line));
      }
    });
  }

  static async start(ns: Netns): Promise<Scapy> {
    const s = new Scapy(ns.spawn('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'scapy_send.py')]));
    let err = '';
    s.proc.stderr!.on('data', (d) => (err += d));
    const ready = await Promise.race([new Promise((r) => s.queue.push(r)), new Promise((r) => setTimeout(() => r(null), 20000))]);
    if (!ready) throw new Error(`scapy did not start: ${err}`);
    return s;
  }

  /** Sends `pkt` (a scapy expression) once on each interface. */
  async send(pkt: string, ifaces: string[]): Promise<void> {
    const p = new Promise<any>((r) => this.queue.push(r));
    this.proc.stdin!.write(JSON.stringify({ pkt, ifaces }) + '\n');
    const m = await p;
    if (m.error) throw new Error(`scapy: ${m.error}`);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** A Router Advertisement as a scapy expression (defaults: the reference's §2.5 measurement). */
export interface RaSpec {
  mac: string;
  src: string;
  /** IPv6 hop limit (ND requires 255). */
  hlim?: number;
  chlim?: number;
  lifetime?: number;
  reachable?: number;
  retrans?: number;
  /** Router preference bits: 0 medium, 1 high (scapy's default), 3 low. */
  prf?: number;
  sllao?: boolean;
  mtu?: number | null;
  pios?: { prefix: string; len?: number; L?: boolean; A?: boolean; valid: number; preferred: number }[];
}

export function scapyRa(r: RaSpec): string {
  let s = `Ether(src='${r.mac}', dst='33:33:00:00:00:01')/IPv6(src='${r.src}', dst='ff02::1', hlim=${r.hlim ?? 255})`;
  s += `/ICMPv6ND_RA(chlim=${r.chlim ?? 42}, routerlifetime=${r.lifetime ?? 1800}, reachabletime=${r.reachable ?? 20000}, retranstimer=${r.retrans ?? 1500}, prf=${r.prf ?? 1})`;
  if (r.sllao !== false) s += `/ICMPv6NDOptSrcLLAddr(lladdr='${r.mac}')`;
  if (r.mtu !== null) s += `/ICMPv6NDOptMTU(mtu=${r.mtu ?? 1400})`;
  for (const p of r.pios ?? []) {
    s += `/ICMPv6NDOptPrefixInfo(prefixlen=${p.len ?? 64}, L=${p.L === false ? 0 : 1}, A=${p.A === false ? 0 : 1}, validlifetime=${p.valid}, preferredlifetime=${p.preferred}, prefix='${p.prefix}')`;
  }
  return s;
}

/**
 * Two texts that must be equal once every `Nsec` lifetime is set aside, and whose lifetimes may
 * differ by `tolSec` (the two hosts read them a moment apart). Returns the first text with the
 * second's lifetimes where they are within tolerance, for a single toEqual.
 */
export function alignLifetimes(a: string, b: string, tolSec = 2): string {
  const bs = [...b.matchAll(/(\d+)sec/g)].map((m) => Number(m[1]));
  let i = 0;
  return a.replace(/(\d+)sec/g, (all, n: string) => {
    const other = bs[i++];
    return other !== undefined && Math.abs(Number(n) - other) <= tolSec ? `${other}sec` : all;
  });
}
