// A UDP echo service (RFC 862) on its own address on a TAP device: the stack owns the address,
// the kernel on the other side of the TAP is an ordinary peer. Every datagram is sent back to
// where it came from. Needs root (or CAP_NET_ADMIN) for the TAP.
//
//   sudo node examples/udp-echo.mjs [--dev tap0] [--addr 10.0.0.2/24] [--port 7] [--count N]
//   # in another shell: give the kernel side an address and talk to it
//   sudo ip addr add 10.0.0.1/24 dev tap0
//   echo hello | nc -u -w1 10.0.0.2 7
//
// Runs until Ctrl-C or SIGTERM, or until --count datagrams were echoed; then closes the socket
// and the stack (the TAP disappears if this program created it) and ends by itself.
import { parseArgs } from 'node:util';
import { Stack, TapDevice } from 'tapstack';

const USAGE = 'Usage: node examples/udp-echo.mjs [--dev IFNAME] [--addr A.B.C.D/N] [--port N] [--count N]\n';
let values;
try {
  ({ values } = parseArgs({
    options: {
      dev: { type: 'string', default: 'tap0' },
      addr: { type: 'string', default: '10.0.0.2/24' },
      port: { type: 'string', default: '7' },
      count: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  process.stderr.write(`udp-echo: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(values.port);
const limit = values.count === undefined ? Infinity : Number(values.count);
if (!/^\d+$/.test(values.port) || port > 65535) {
  process.stderr.write(`udp-echo: invalid --port '${values.port}': expected 0-65535\n${USAGE}`);
  process.exit(2);
}
if (values.count !== undefined && (!/^\d+$/.test(values.count) || limit < 1)) {
  process.stderr.write(`udp-echo: invalid --count '${values.count}': expected a positive integer\n${USAGE}`);
  process.exit(2);
}

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(values.dev));
stack.addAddress(tap, values.addr);

const sock = stack.createSocket('udp4');
let echoed = 0;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await new Promise((resolve) => sock.close(resolve));
  await stack.close();
  console.log(`udp-echo: stopped after ${echoed} datagrams`);
};

sock.on('message', (msg, rinfo) => {
  sock.send(msg, rinfo.port, rinfo.address, (err) => {
    if (err) console.error(`udp-echo: reply to ${rinfo.address}:${rinfo.port}: ${err.message}`);
    else if (++echoed >= limit) void stop();
  });
});
sock.on('error', (err) => {
  console.error(`udp-echo: ${err.message}`);
  void stop();
});
sock.bind(port, values.addr.split('/')[0], () => {
  const a = sock.address();
  console.log(`udp-echo: listening on ${a.address}:${a.port} (${tap.name} lladdr ${tap.devAddr.toString('hex').match(/../g).join(':')})`);
});
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
