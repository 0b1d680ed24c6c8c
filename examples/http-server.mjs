// Node's own http.Server answering on an address of a TAP device through tapstack's TCP: the
// stack owns the address, and each connection a tapstack listener accepts is handed to
// http.Server as if it came from the kernel ('connection' event). The kernel on the other side
// of the TAP is an ordinary client. Needs root (or CAP_NET_ADMIN) for the TAP.
//
//   sudo ip netns add demo                      # a private namespace keeps it off your network
//   sudo ip netns exec demo node examples/http-server.mjs [--dev tap0] [--addr 10.0.0.2/24] [--port 80] [--count N]
//   # in another shell: give the kernel side an address and ask
//   sudo ip netns exec demo ip addr add 10.0.0.1/24 dev tap0
//   sudo ip netns exec demo curl http://10.0.0.2/
//   sudo ip netns exec demo curl --data-binary @/etc/services http://10.0.0.2/upload
//   sudo ip netns del demo                      # afterwards
//
// GET answers with a line naming the client; a request with a body is answered with the body's
// length and SHA-256. Runs until Ctrl-C or SIGTERM, or until --count responses were sent; then
// closes the servers and the stack (the TAP disappears if this program created it).
import http from 'node:http';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Stack, TapDevice } from 'tapstack';

const USAGE = 'Usage: node examples/http-server.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--port N] [--count N]\n';
let values;
try {
  ({ values } = parseArgs({
    options: {
      dev: { type: 'string', default: 'tap0' },
      addr: { type: 'string', default: '10.0.0.2/24' },
      port: { type: 'string', default: '80' },
      count: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  process.stderr.write(`http-server: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(values.port);
const limit = values.count === undefined ? Infinity : Number(values.count);
if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
  process.stderr.write(`http-server: invalid --port '${values.port}': expected 1-65535\n${USAGE}`);
  process.exit(2);
}
if (values.count !== undefined && (!/^\d+$/.test(values.count) || limit < 1)) {
  process.stderr.write(`http-server: invalid --count '${values.count}': expected a positive integer\n${USAGE}`);
  process.exit(2);
}

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(values.dev));
stack.addAddress(tap, values.addr);
const host = values.addr.split('/')[0];

let served = 0;
let stopping = false;
const hs = http.createServer((req, res) => {
  const h = createHash('sha256');
  let n = 0;
  req.on('data', (d) => {
    h.update(d);
    n += d.length;
  });
  req.on('end', () => {
    const who = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const body = n > 0 || req.method === 'POST' || req.method === 'PUT'
      ? `${n} bytes, sha256 ${h.digest('hex')}\n`
      : `hello ${who} from tapstack on ${tap.name}: ${req.method} ${req.url}\n`;
    res.setHeader('content-type', 'text/plain');
    res.end(body);
    res.on('finish', () => {
      console.log(`http-server: ${who} ${req.method} ${req.url} ${res.statusCode} ${Buffer.byteLength(body)}`);
      if (++served >= limit) void stop();
    });
  });
});
// Each connection tapstack accepts goes to Node's http.Server, which reads and writes it as a net.Socket.
const srv = stack.createServer((sock) => hs.emit('connection', sock));

async function stop() {
  if (stopping) return;
  stopping = true;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  hs.closeAllConnections?.();
  await new Promise((resolve) => srv.close(resolve));
  await stack.close();
  console.log(`http-server: stopped after ${served} responses`);
}

srv.on('error', (err) => {
  console.error(`http-server: ${err.message}`);
  process.exitCode = 1;
  void stop();
});
srv.listen(port, host, () => {
  const a = srv.address();
  console.log(`http-server: listening on http://${a.address}:${a.port}/ (${tap.name} lladdr ${tap.devAddr.toString('hex').match(/../g).join(':')})`);
});
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
