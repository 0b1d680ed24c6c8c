// Fetches a URL through tapstack's TCP from an address of a TAP device: Node's http.request with
// createConnection returning a tapstack socket, and then, when the undici package is installed,
// undici's fetch() with an Agent whose connect callback does the same. The body (of the
// http.request) goes to stdout, one summary line per client to stderr. Needs root (or
// CAP_NET_ADMIN) for the TAP. tapstack has no resolver: the URL's host is an IP address.
//
//   sudo ip netns add demo                      # a private namespace keeps it off your network
//   sudo ip netns exec demo ip tuntap add dev tap0 mode tap
//   sudo ip netns exec demo ip addr add 10.0.0.1/24 dev tap0
//   sudo ip netns exec demo ip link set tap0 up
//   sudo ip netns exec demo python3 -m http.server 8000 --bind 10.0.0.1 &
//   sudo ip netns exec demo node examples/http-fetch.mjs [--dev tap0] [--addr 10.0.0.2/24] [--via GW] http://10.0.0.1:8000/
//   sudo ip netns del demo                      # afterwards
//
// Exit status 0 when every client got a response (any HTTP status), 1 on a connection error.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Stack, TapDevice } from 'tapstack';

const USAGE = 'Usage: node examples/http-fetch.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--via A.B.C.D] [--no-undici] URL\n';
let values;
let positionals;
try {
  ({ values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dev: { type: 'string', default: 'tap0' },
      addr: { type: 'string', default: '10.0.0.2/24' },
      via: { type: 'string' },
      'no-undici': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  process.stderr.write(`http-fetch: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) {
  process.stderr.write(`http-fetch: expected one URL\n${USAGE}`);
  process.exit(2);
}
let url;
try {
  url = new URL(positionals[0]);
} catch {
  url = null;
}
if (url === null || url.protocol !== 'http:') {
  process.stderr.write(`http-fetch: invalid URL '${positionals[0]}': expected http://ADDRESS[:PORT]/PATH\n${USAGE}`);
  process.exit(2);
}
// URL keeps IPv6 literals in brackets; tapstack's connect takes the bare address.
const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
const port = Number(url.port) || 80;

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(values.dev));
stack.addAddress(tap, values.addr);
if (values.via) stack.addRoute('default', values.via);

const summary = (who, status, text, body) =>
  process.stderr.write(`http-fetch: ${who} GET ${url.href}: ${status} ${text}, ${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex')}\n`);

/** Node's http client: each request's connection is a tapstack socket. */
function viaHttpRequest() {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, createConnection: () => stack.connect(port, host) }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, text: res.statusMessage, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** undici's fetch through an Agent whose connect callback hands it a tapstack socket. */
async function viaUndici(undici) {
  const dispatcher = new undici.Agent({
    connect: (opts, cb) => {
      const s = stack.connect(Number(opts.port) || 80, opts.hostname.replace(/^\[(.*)\]$/, '$1'));
      let done = false;
      s.once('connect', () => {
        if (!done) (done = true), cb(null, s);
      });
      s.once('error', (e) => {
        if (!done) (done = true), cb(e, null);
      });
    },
  });
  try {
    const res = await undici.fetch(url, { dispatcher });
    return { status: res.status, text: res.statusText, body: Buffer.from(await res.arrayBuffer()) };
  } finally {
    await dispatcher.close();
  }
}

let code = 0;
try {
  const r = await viaHttpRequest();
  process.stdout.write(r.body);
  summary('http.request', r.status, r.text, r.body);
  const undici = values['no-undici'] ? null : await import('undici').catch(() => null);
  if (undici === null) {
    if (!values['no-undici']) process.stderr.write('http-fetch: undici is not installed; skipped\n');
  } else {
    const u = await viaUndici(undici);
    summary('undici fetch', u.status, u.text, u.body);
    if (!u.body.equals(r.body)) process.stderr.write('http-fetch: note: the two bodies differ\n');
  }
} catch (e) {
  process.stderr.write(`http-fetch: ${e.message}\n`);
  code = 1;
}
await stack.close();
process.exitCode = code;
