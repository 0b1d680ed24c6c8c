// The HTTP examples run as written (importing 'tapstack' by its package name, from dist/):
// http-server.mjs answering the kernel's curl (GET, and a POST whose body it hashes) and stopping
// after --count; http-fetch.mjs fetching from the kernel's python http.server with http.request
// and with undici, bodies intact. Each in a private namespace with the kernel as the peer.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../helpers/child.js';
import { Netns, ROOT, canRunKernelTests } from '../helpers/netns.js';

const example = (name: string): string => join(ROOT, 'examples', name);

describe('examples/http-*.mjs: --help and bad options (no root, no TAP opened)', () => {
  it.each([
    ['http-server.mjs', 'Usage: node examples/http-server.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--port N] [--count N]\n'],
    ['http-fetch.mjs', 'Usage: node examples/http-fetch.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--via A.B.C.D] [--no-undici] URL\n'],
  ])('%s: --help is status 0; an unknown option is status 2 with the usage', async (file, usage) => {
    expect(await runChild([example(file), '--help'])).toMatchObject({ code: 0, out: usage, err: '' });
    const bad = await runChild([example(file), '--bogus']);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err.startsWith(`${file.replace('.mjs', '')}: Unknown option '--bogus'`)).toBe(true);
    expect(bad.err.endsWith(`\n${usage}`)).toBe(true);
  });

  it('http-fetch.mjs: a URL that is not http:// is status 2', async () => {
    const r = await runChild([example('http-fetch.mjs'), 'ftp://10.0.0.1/']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err.split('\n')[0]).toBe("http-fetch: invalid URL 'ftp://10.0.0.1/': expected http://ADDRESS[:PORT]/PATH");
  });
});

describe.runIf(canRunKernelTests(['ip', 'curl', '/usr/bin/python3']))('examples/http-*.mjs (root, in a namespace)', () => {
  let ns: Netns;
  let dir: string;
  beforeAll(() => {
    ns = Netns.create('tsexh');
    dir = mkdtempSync(join(tmpdir(), 'tapstack-exh-'));
  });
  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("http-server.mjs answers the kernel's curl: a GET, then a 200 KiB POST hashed; stops after --count 2", async () => {
    const body = Buffer.alloc(200 << 10);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
    writeFileSync(join(dir, 'upload.bin'), body);
    const curls: string[] = [];
    const r = await runChild([example('http-server.mjs'), '--dev', 'exh0', '--addr', '10.63.0.2/24', '--port', '8080', '--count', '2'], {
      wrap: ['ip', 'netns', 'exec', ns.name],
      timeoutMs: 20000,
      onLine: (line) => {
        if (!line.startsWith('http-server: listening on')) return;
        // The kernel's side of the TAP the example created, then two requests.
        setImmediate(() => {
          ns.sh('ip addr add 10.63.0.1/24 dev exh0');
          curls.push(ns.sh('curl -sS --max-time 10 http://10.63.0.2:8080/hello'));
          curls.push(ns.sh(`curl -sS --max-time 10 --data-binary @${join(dir, 'upload.bin')} http://10.63.0.2:8080/upload`));
        });
      },
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(curls[0]).toMatch(/^hello 10\.63\.0\.1:\d+ from tapstack on exh0: GET \/hello\n$/);
    expect(curls[1]).toBe(`${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex')}\n`);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^http-server: listening on http:\/\/10\.63\.0\.2:8080\/ \(exh0 lladdr [0-9a-f:]{17}\)$/);
    expect(lines[1]).toMatch(/^http-server: 10\.63\.0\.1:\d+ GET \/hello 200 \d+$/);
    expect(lines[2]).toMatch(/^http-server: 10\.63\.0\.1:\d+ POST \/upload 200 \d+$/);
    expect(lines.at(-1)).toBe('http-server: stopped after 2 responses');
    // The TAP it created is gone.
    expect(ns.try('ip link show exh0').status).not.toBe(0);
  }, 30000);

  it("http-fetch.mjs fetches 300 000 bytes from the kernel's python http.server, by http.request and by undici", async () => {
    const page = Buffer.alloc(300000);
    for (let i = 0; i < page.length; i++) page[i] = (i * 7 + 3) & 0xff;
    writeFileSync(join(dir, 'page.bin'), page);
    ns.sh('ip tuntap add dev exh1 mode tap && ip addr add 10.64.0.1/24 dev exh1 && ip link set exh1 up');
    // HTTP/1.1, so that undici's keep-alive connection is not closed under it: a FIN that arrives
    // while undici's parser is paused by an unread body crashes undici 6 and 7 (nodejs/undici
    // #5360, fixed in 8) on any socket, and with offloads the whole page and its FIN come at once.
    const py = ns.spawn('/usr/bin/python3', ['-m', 'http.server', '8000', '--bind', '10.64.0.1', '--directory', dir, '--protocol', 'HTTP/1.1']);
    try {
      // stdout (the body, binary) goes to a file: the child helper reads output as text.
      const outFile = join(dir, 'fetched.bin');
      const fetchPage = () => runChild([example('http-fetch.mjs'), '--dev', 'exh1', '--addr', '10.64.0.2/24', 'http://10.64.0.1:8000/page.bin'], {
        wrap: ['ip', 'netns', 'exec', ns.name, 'sh', '-c', `exec "$@" > ${outFile}`, 'sh'],
        timeoutMs: 20000,
      });
      let r = await fetchPage();
      // python may still be starting: once more after a moment.
      for (let i = 0; i < 20 && r.code !== 0 && r.err.includes('ECONNREFUSED'); i++) {
        await new Promise((res) => setTimeout(res, 200));
        r = await fetchPage();
      }
      expect(r.code, r.err).toBe(0);
      const sha = createHash('sha256').update(page).digest('hex');
      expect(createHash('sha256').update(readFileSync(outFile)).digest('hex')).toBe(sha);
      expect(r.err).toBe(
        `http-fetch: http.request GET http://10.64.0.1:8000/page.bin: 200 OK, 300000 bytes, sha256 ${sha}\n` +
          `http-fetch: undici fetch GET http://10.64.0.1:8000/page.bin: 200 OK, 300000 bytes, sha256 ${sha}\n`,
      );
      const missing = await runChild([example('http-fetch.mjs'), '--dev', 'exh1', '--addr', '10.64.0.2/24', '--no-undici', 'http://10.64.0.1:8000/nope'], { wrap: ['ip', 'netns', 'exec', ns.name], timeoutMs: 20000 });
      expect(missing.code).toBe(0);
      expect(missing.err).toMatch(/^http-fetch: http\.request GET http:\/\/10\.64\.0\.1:8000\/nope: 404 File not found, \d+ bytes, sha256 [0-9a-f]{64}\n$/);
      const refused = await runChild([example('http-fetch.mjs'), '--dev', 'exh1', '--addr', '10.64.0.2/24', 'http://10.64.0.1:8001/'], { wrap: ['ip', 'netns', 'exec', ns.name], timeoutMs: 20000 });
      expect(refused).toMatchObject({ code: 1, out: '', err: 'http-fetch: connect ECONNREFUSED 10.64.0.1:8001\n' });
    } finally {
      py.kill('SIGKILL');
    }
  }, 60000);
});
