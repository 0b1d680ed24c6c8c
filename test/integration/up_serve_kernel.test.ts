// `tapstack up --serve` against the kernel through a TAP in a private namespace, IPv4 and IPv6: the
// kernel's curl GETs the front page and /bytes/1048576 (sha256sum), POSTs a file; a Node client on
// kernel sockets checks echo (TCP and UDP), discard, chargen's first lines, daytime (TCP and UDP);
// `tapstack stat 'serve.*'` counts it all; SIGINT with a connection open: its client gets a FIN,
// the stack exits 0 at once. Usage errors exit 2.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { chargenBytes, chargenLine } from '../../src/cli/services.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const MAC = '02:5a:00:00:00:02';

/** The client, on the namespace's kernel sockets: `check HOST` prints one JSON line; `hold HOST` keeps an echo connection. */
const CLIENT = `
import net from 'node:net';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
const [mode, host] = process.argv.slice(2);
const fam = host.includes(':') ? 'udp6' : 'udp4';
function tcp(port, data, { end = true, max = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    const chunks = []; let len = 0;
    s.on('data', (d) => { chunks.push(d); len += d.length; if (len >= max) { s.destroy(); resolve(Buffer.concat(chunks)); } });
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
    s.setTimeout(5000, () => reject(new Error('timeout on ' + port)));
    if (data) s.write(data);
    if (end) s.end();
  });
}
function udp(port, msg) {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(fam);
    const t = setTimeout(() => { s.close(); reject(new Error('no answer on udp ' + port)); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, host);
  });
}
function silent(port, msg) {
  return new Promise((resolve) => {
    const s = dgram.createSocket(fam);
    let got = 0;
    s.on('message', () => got++);
    s.send(msg, port, host, () => setTimeout(() => { s.close(); resolve(got); }, 300));
  });
}
if (mode === 'hold') {
  const s = net.connect(7, host, () => s.write('ping'));
  s.on('data', (d) => console.log('data ' + d));
  s.on('end', () => console.log('end'));
  s.on('error', (e) => console.log('error ' + e.code));
  s.on('close', () => console.log('close'));
} else {
  const data = randomBytes(256 * 1024);
  const echoed = await tcp(7, data);
  const out = {
    echoTcp: echoed.equals(data),
    echoUdp: (await udp(7, 'hello over udp')).toString(),
    discardTcp: (await tcp(9, randomBytes(1 << 20))).length,
    discardUdp: await silent(9, 'drop me'),
    chargenTcp: (await tcp(19, null, { end: false, max: 3 * 74 })).subarray(0, 3 * 74).toString('latin1'),
    chargenUdp: [(await udp(19, 'x')).toString('latin1'), (await udp(19, 'y')).toString('latin1')],
    daytimeTcp: (await tcp(13, null, { end: false })).toString(),
    daytimeUdp: (await udp(13, '')).toString(),
    now: Date.now(),
  };
  console.log(JSON.stringify(out));
}
`;

describe('tapstack up --serve: bad arguments', () => {
  for (const [arg, msg] of [
    ['foo', `invalid --serve 'foo': unknown service 'foo' (known: echo, discard, daytime, chargen, http, all)`],
    ['echo:99999', `invalid --serve 'echo:99999': invalid port '99999' (expected 1-65535)`],
    ['http/udp', `invalid --serve 'http/udp': http runs over TCP only`],
    ['echo,discard:7', `invalid --serve 'discard:7': port 7/tcp is already served by echo`],
  ] as const) {
    it(`--serve ${arg}: exit 2, "${msg.slice(0, 50)}..."`, () => {
      const r = cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--serve', arg);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`tapstack: ${msg}\nTry 'tapstack up --help' for more information.\n`);
    });
  }

  it('up --help documents --serve', () => {
    const r = cli('up', '--help');
    expect(r.stdout).toContain('--serve SERVICE[/tcp|/udp][:PORT][,...]');
    expect(r.stdout).toContain('chargen  19  RFC 864');
  });
});

describe.runIf(canRunKernelTests(['ip', 'curl', 'sha256sum']))('tapstack up --serve against the kernel', () => {
  let ns: Netns;
  let up: ChildProcess;
  let out = '';
  let dir: string;
  let exit: Promise<number | null>;
  const name = `upserve${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-serve-'));
    writeFileSync(join(dir, 'client.mjs'), CLIENT);
    ns = Netns.create('tsups');
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--addr', 'fd00::2/64', '--nodad', '--mac', MAC, '--serve', 'all', '--serve', 'http:8080']);
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    exit = new Promise((resolve) => up.on('exit', (code) => resolve(code)));
    await waitFor('status lines', () => out.includes('serving'));
    ns.sh('sysctl -qw net.ipv6.conf.tap0.disable_ipv6=0 net.ipv6.conf.tap0.accept_dad=0 && ip addr add 10.0.0.1/24 dev tap0 && ip addr add fd00::1/64 dev tap0 nodad');
  }, 20000);

  afterAll(() => {
    up?.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the status lines: the device as before, then what is served and where', () => {
    expect(out).toBe(
      `tapstack ${name}: tap0 created lladdr ${MAC} mtu 1500 inet 10.0.0.2/24 inet6 fd00::2/64 nodad\n` +
        `tapstack ${name}: serving echo 7/tcp 7/udp, discard 9/tcp 9/udp, daytime 13/tcp 13/udp, chargen 19/tcp 19/udp, http 80/tcp 8080/tcp on :: (IPv6 and IPv4)\n`,
    );
  });

  for (const [fam, host, url] of [
    ['IPv4', '10.0.0.2', 'http://10.0.0.2'],
    ['IPv6', 'fd00::2', 'http://[fd00::2]'],
  ] as const) {
    const peer = fam === 'IPv4' ? '10.0.0.1' : 'fd00::1';

    it(`${fam}: curl GET / names the stack and the client; /bytes/1048576 is the chargen pattern (sha256sum); 8080 too`, () => {
      const page = ns.sh(`curl -sS --max-time 10 ${url}/`);
      expect(page).toMatch(new RegExp(`^tapstack ${name}: a userspace TCP/IP stack on tap0 10\\.0\\.0\\.2/24 fd00::2/64\\nYou are ${peer.replace(/\./g, '\\.')} port \\d+, talking to ${host.replace(/\./g, '\\.')} port 80\\.\\n`));
      expect(page).toContain(`curl -o /dev/null -w '%{speed_download}\\n' ${url}/bytes/100000000`);
      const want = createHash('sha256').update(chargenBytes(1048576)).digest('hex');
      expect(ns.sh(`curl -sS --max-time 20 ${url}/bytes/1048576 | sha256sum`)).toBe(`${want}  -\n`);
      expect(ns.sh(`curl -sS --max-time 20 ${url}:8080/bytes/1000 | head -c 74`)).toBe(chargenLine(0).toString());
      expect(ns.sh(`curl -sS -o /dev/null -w '%{http_code}' ${url}/nope`)).toBe('404');
    }, 40000);

    it(`${fam}: curl POSTs a 1 MiB file: its length and SHA-256 come back`, () => {
      const file = join(dir, `body-${fam}`);
      const body = randomBytes(1 << 20);
      writeFileSync(file, body);
      const r = ns.sh(`curl -sS --max-time 20 --data-binary @${file} ${url}/upload`);
      expect(r).toBe(`length ${body.length}\nsha256 ${createHash('sha256').update(body).digest('hex')}\n`);
      expect(ns.sh(`curl -sS --max-time 20 -T ${file} ${url}/put`)).toBe(r);
    }, 40000);

    it(`${fam}: a Node client on kernel sockets: echo, discard, chargen and daytime over TCP and UDP`, () => {
      const r = ns.try(`${process.execPath} ${join(dir, 'client.mjs')} check ${host}`, 30000);
      expect(r.status, r.err).toBe(0);
      const o = JSON.parse(r.out);
      expect(o.echoTcp).toBe(true);
      expect(o.echoUdp).toBe('hello over udp');
      expect(o.discardTcp).toBe(0);
      expect(o.discardUdp).toBe(0);
      expect(o.chargenTcp).toBe(chargenBytes(3 * 74).toString('latin1'));
      // inetd's chargen_dg: one 74-byte line per datagram, the ring going on from the last one.
      expect(o.chargenUdp.map((l: string) => l.length)).toEqual([74, 74]);
      expect(o.chargenUdp[1].slice(0, 71)).toBe(o.chargenUdp[0].slice(1, 72));
      for (const t of [o.daytimeTcp, o.daytimeUdp]) {
        const m = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})\r\n$/.exec(t);
        expect(m, JSON.stringify(t)).not.toBeNull();
        // ctime(): local time, as this process's Date reads it.
        const when = new Date(`${m![2]} ${m![3].trim()} ${m![7]} ${m![4]}:${m![5]}:${m![6]}`).getTime();
        expect(Math.abs(when - o.now)).toBeLessThan(10000);
      }
    }, 40000);
  }

  it("tapstack stat 'serve.*' counts the connections, requests and datagrams", () => {
    const j = JSON.parse(cli('--name', name, 'stat', '-j').stdout).serve;
    expect(j.echo.tcp).toEqual({ accepted: 2, open: 0 });
    expect(j.echo.udp).toEqual({ received: 2, sent: 2, ignored: 0, sendErrors: 0 });
    expect(j.chargen.udp.sent).toBe(4);
    expect(j.daytime.tcp.accepted).toBe(2);
    expect(j.http.tcp.requests).toBe(12);
    const text = cli('--name', name, 'stat', 'serve.*');
    expect(text.stdout).toMatch(/^serve\.http\.tcp\.requests +12\n/m);
  });

  it('SIGINT with an echo connection open: the client gets a FIN, the stack exits 0 at once and removes tap0', async () => {
    const hold = ns.spawn(process.execPath, [join(dir, 'client.mjs'), 'hold', '10.0.0.2']);
    let said = '';
    hold.stdout!.on('data', (d) => (said += d));
    await waitFor('the echo', () => said.includes('data ping'));
    const t0 = Date.now();
    up.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(out).toMatch(new RegExp(`tapstack ${name}: stopped \\(SIGINT\\), tap0 removed\\n$`));
    await waitFor('the close', () => said.includes('close'), 5000);
    // The FIN came first; whatever followed (the stack is gone), the stream ended cleanly.
    expect(said.split('\n')[1]).toBe('end');
    hold.kill('SIGKILL');
  }, 20000);
});
