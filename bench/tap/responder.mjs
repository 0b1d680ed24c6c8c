// tapstack's responder for the IPv6 ping runs of bench/tap/run.mjs: a Stack on a TapDevice with
// an IPv4 and an IPv6 address, answering ARP/NS and ICMP/ICMPv6 echo until SIGINT or SIGTERM.
//
//   node bench/tap/responder.mjs --dev tap0 --mac 02:00:00:00:00:02 --addr 10.0.0.2/24
//                                --addr6 fd00::2/64
//
// Only the package's public API is used (dist/index.js): Stack, TapDevice, parseMac,
// stack.addAddress with { nodad: true } for the IPv6 address (usable at once, as the kernel side's
// `nodad` one is; the link-local still runs its DAD, as Linux's does), stack.stats() and
// stack.close(). (`tapstack up --addr` takes IPv4 only so far, hence this script; for IPv4 the
// benchmark keeps the CLI.) Prints "responder6: DEV up lladdr MAC inet A inet6 B pid PID" once the
// addresses are in place, and on exit one JSON line with the stack's ip6/icmp6/ndisc counters.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Stack, TapDevice, parseMac } = await import(join(ROOT, 'dist', 'index.js'));

const { values: o } = parseArgs({
  options: {
    dev: { type: 'string', default: 'tap0' },
    mac: { type: 'string', default: '02:00:00:00:00:02' },
    addr: { type: 'string', default: '10.0.0.2/24' },
    addr6: { type: 'string', default: 'fd00::2/64' },
  },
});

const stack = new Stack();
const tap = stack.addDevice(TapDevice.open(o.dev, { mac: parseMac(o.mac) }));
stack.addAddress(o.dev, o.addr);
stack.addAddress(o.dev, o.addr6, { nodad: true });

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const st = stack.stats();
  void stack.close().then(() => {
    process.stdout.write(JSON.stringify({ ip6: st.ip6, icmp6: st.icmp6, ndisc: st.ndisc, tap: { ...tap.tapStats } }) + '\n');
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`responder6: ${tap.name} up lladdr ${o.mac} inet ${o.addr} inet6 ${o.addr6} pid ${process.pid}`);
