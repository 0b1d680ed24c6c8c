// ARP policies against the kernel through a TAP in a private namespace: iputils arping (plain,
// -D duplicate address detection, -U/-A gratuitous) under the settings that change the answer,
// scapy-made frames for unsolicited and malformed input, and device events seen by the kernel.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Netns, StackChild, canRunKernelTests, waitFor } from '../helpers/netns.js';

const STACK_MAC = '02:5a:00:00:00:02';
const SCAPY = '/usr/bin/python3';

describe.runIf(canRunKernelTests(['ip', 'arping', SCAPY]))('ARP against the kernel', () => {
  let ns: Netns;
  let stack: StackChild;
  let kernelMac: string;

  const neigh = async (dst: string): Promise<{ lladdr: string | null; stateNames: string[] } | undefined> =>
    (await stack.call('neigh')).find((e: { dst: string }) => e.dst === dst);
  const sysctl = (key: string, value: number): Promise<string> => stack.call('sysctl', { key, value });
  const drops = async (): Promise<Record<string, number>> => (await stack.call('stats')).arp.drops;
  const arping = (args: string): { status: number | null; out: string } => {
    const r = ns.try(`arping ${args}`, 30000);
    return { status: r.status, out: r.out + r.err };
  };
  /** Sends raw Ethernet frames on the kernel side of tap0 with scapy; `frames` is Python. */
  const scapy = (frames: string): void => {
    ns.sh(`${SCAPY} -c "from scapy.all import *; conf.verb=0; sendp(${frames}, iface='tap0')"`);
  };
  const flushStack = async (): Promise<void> => {
    // Removing the kernel's address from the stack's table the way a user would: link down/up.
    await stack.call('linkSet', { dev: 'tap0', up: false });
    await stack.call('linkSet', { dev: 'tap0', up: true });
  };

  beforeAll(async () => {
    ns = Netns.create('tsarp');
    stack = StackChild.start(ns);
    await stack.call('start', { dev: 'tap0', addrs: ['10.0.0.2/24'], mac: STACK_MAC });
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip addr add 192.168.9.9/32 dev tap0');
    kernelMac = JSON.parse(ns.sh('ip -j link show tap0'))[0].address;
  });

  afterAll(() => {
    stack?.kill();
    ns?.destroy();
  });

  beforeEach(async () => {
    for (const k of ['arp_ignore', 'arp_accept', 'drop_gratuitous_arp', 'arp_notify']) await sysctl(`net.ipv4.conf.all.${k}`, 0);
    await flushStack();
    ns.sh('ip neigh flush dev tap0');
  });

  describe('duplicate address detection (arping -D)', () => {
    it('a probe for our address is answered, and neither cache learns anything from it', async () => {
      const r = arping('-D -c 2 -w 3 -I tap0 10.0.0.2');
      expect(r.status).toBe(1); // iputils: 1 = the address is in use
      expect(r.out).toContain(`[${STACK_MAC.toUpperCase()}]`);
      expect(r.out).toMatch(/Received [12] response\(s\)/);
      expect(await stack.call('neigh')).toEqual([]);
    });

    it('a probe for an address nobody has gets no answer (exit 0)', () => {
      const r = arping('-D -c 2 -w 3 -I tap0 10.0.0.99');
      expect(r.status).toBe(0);
      expect(r.out).toContain('Received 0 response(s)');
    });

    it('arp_ignore=8 silences the DAD answer too', async () => {
      await sysctl('net.ipv4.conf.tap0.arp_ignore', 8);
      try {
        expect(arping('-D -c 1 -w 2 -I tap0 10.0.0.2').status).toBe(0);
      } finally {
        await sysctl('net.ipv4.conf.tap0.arp_ignore', 0);
      }
    });
  });

  describe('requests (plain arping) under arp_ignore', () => {
    it('0: two unicast replies with our MAC; the requester is learned STALE (neigh_event_ns)', async () => {
      const r = arping('-c 2 -w 4 -I tap0 10.0.0.2');
      expect(r.status).toBe(0);
      expect(r.out.match(new RegExp(`reply from 10\\.0\\.0\\.2 \\[${STACK_MAC.toUpperCase()}\\]`, 'g'))).toHaveLength(2);
      const n = await neigh('10.0.0.1');
      expect(n?.lladdr).toBe(kernelMac);
      expect(n?.stateNames).toEqual(['STALE']);
    });

    it('8: never reply; the request is counted as ignored and teaches the cache nothing', async () => {
      await sysctl('net.ipv4.conf.all.arp_ignore', 8);
      const before = (await drops()).ignored;
      const r = arping('-c 2 -w 3 -I tap0 10.0.0.2');
      expect(r.status).not.toBe(0);
      expect(r.out).toContain('Received 0 response(s)');
      expect((await drops()).ignored - before).toBeGreaterThanOrEqual(2);
      expect(await neigh('10.0.0.1')).toBeUndefined();
    });

    it('2: a sender outside the subnet (192.168.9.9) is ignored, one inside is answered', async () => {
      await sysctl('net.ipv4.conf.tap0.arp_ignore', 2);
      try {
        expect(arping('-c 1 -w 2 -s 192.168.9.9 -I tap0 10.0.0.2').out).toContain('Received 0 response(s)');
        expect(arping('-c 1 -w 2 -s 10.0.0.1 -I tap0 10.0.0.2').out).toContain('Received 1 response(s)');
      } finally {
        await sysctl('net.ipv4.conf.tap0.arp_ignore', 0);
      }
    });
  });

  describe('gratuitous ARP from the kernel (arping -U / -A)', () => {
    it('arp_accept=0: an unknown sender announcing itself creates no entry', async () => {
      arping('-U -c 1 -I tap0 10.0.0.1');
      arping('-A -c 1 -I tap0 10.0.0.1');
      await new Promise((r) => setTimeout(r, 200));
      expect(await neigh('10.0.0.1')).toBeUndefined();
    });

    it('arp_accept=1: -U (request) and -A (reply, tha = sha) both create a STALE entry', async () => {
      await sysctl('net.ipv4.conf.all.arp_accept', 1);
      arping('-U -c 1 -I tap0 10.0.0.1');
      await waitFor('entry from -U', async () => (await neigh('10.0.0.1')) !== undefined);
      expect((await neigh('10.0.0.1'))?.stateNames).toEqual(['STALE']);
      await flushStack();
      arping('-A -c 1 -I tap0 10.0.0.1');
      const n = await waitFor('entry from -A', () => neigh('10.0.0.1'));
      expect(n.lladdr).toBe(kernelMac);
      // A broadcast reply does not prove reachability (arp_process: pkt_type != PACKET_HOST).
      expect(n.stateNames).toEqual(['STALE']);
    });

    it('an existing entry takes a new MAC from a gratuitous ARP at once (is_garp overrides locktime)', async () => {
      arping('-c 1 -w 2 -I tap0 10.0.0.2'); // teaches the stack the kernel's MAC
      expect((await neigh('10.0.0.1'))?.lladdr).toBe(kernelMac);
      const newMac = '02:77:00:00:00:01';
      ns.sh(`ip link set dev tap0 address ${newMac}`);
      try {
        arping('-U -c 1 -I tap0 10.0.0.1');
        await waitFor('new MAC', async () => (await neigh('10.0.0.1'))?.lladdr === newMac, 5000);
      } finally {
        ns.sh(`ip link set dev tap0 address ${kernelMac}`);
      }
    });

    it('drop_gratuitous_arp=1: gratuitous frames are dropped and counted', async () => {
      await sysctl('net.ipv4.conf.all.drop_gratuitous_arp', 1);
      await sysctl('net.ipv4.conf.all.arp_accept', 1);
      const before = (await drops()).gratuitousDropped;
      arping('-U -c 1 -I tap0 10.0.0.1');
      await waitFor('counted', async () => (await drops()).gratuitousDropped > before);
      expect(await neigh('10.0.0.1')).toBeUndefined();
    });
  });

  describe('hand-made frames (scapy)', () => {
    const eth = (dst = STACK_MAC): string => `Ether(dst='${dst}', src='02:66:00:00:00:07')`;

    it('an unsolicited unicast reply creates nothing with arp_accept=0, a REACHABLE entry with 1', async () => {
      const frame = `${eth()}/ARP(op=2, hwsrc='02:66:00:00:00:07', psrc='10.0.0.77', hwdst='${STACK_MAC}', pdst='10.0.0.2')`;
      const before = (await drops()).unsolicited;
      scapy(frame);
      await waitFor('counted', async () => (await drops()).unsolicited > before);
      expect(await neigh('10.0.0.77')).toBeUndefined();
      await sysctl('net.ipv4.conf.all.arp_accept', 1);
      scapy(frame);
      const n = await waitFor('entry', () => neigh('10.0.0.77'));
      expect(n.lladdr).toBe('02:66:00:00:00:07');
      expect(n.stateNames).toEqual(['REACHABLE']);
    });

    it('a PERMANENT entry is never changed by the wire', async () => {
      await stack.call('neighAdd', { dst: '10.0.0.50', dev: 'tap0', lladdr: '02:50:00:00:00:50' });
      await sysctl('net.ipv4.conf.all.arp_accept', 1);
      scapy(`[${eth()}/ARP(op=2, hwsrc='02:66:00:00:00:07', psrc='10.0.0.50', hwdst='${STACK_MAC}', pdst='10.0.0.2'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, hwsrc='02:66:00:00:00:07', psrc='10.0.0.50', pdst='10.0.0.50')]`);
      await new Promise((r) => setTimeout(r, 300));
      const n = await neigh('10.0.0.50');
      expect(n?.lladdr).toBe('02:50:00:00:00:50');
      expect(n?.stateNames).toEqual(['PERMANENT']);
    });

    it('malformed and odd frames are dropped under their own counters, and the stack keeps answering', async () => {
      const before = await drops();
      const bc = "Ether(dst='ff:ff:ff:ff:ff:ff', src='02:66:00:00:00:07', type=0x0806)";
      scapy(`[${bc}/Raw(b'\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x01'),` + // truncated: 8 of 28 bytes
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, hwlen=8, psrc='10.0.0.1', pdst='10.0.0.2'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, plen=16, psrc='10.0.0.1', pdst='10.0.0.2'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=7, psrc='10.0.0.1', pdst='10.0.0.2'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, ptype=0x86dd, plen=4, psrc='10.0.0.1', pdst='10.0.0.2'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, psrc='10.0.0.1', pdst='224.0.0.1'),` +
        `${eth('ff:ff:ff:ff:ff:ff')}/ARP(op=1, psrc='10.0.0.1', pdst='127.0.0.1'),` +
        `${eth('02:99:99:99:99:99')}/ARP(op=1, psrc='10.0.0.1', pdst='10.0.0.2')]`);
      const want = { truncated: 1, badHln: 1, badPln: 1, badOpcode: 1, badHrdOrPro: 1, tipMulticast: 1, tipLoopback: 1, otherhost: 1 };
      const after = await waitFor('all counted', async () => {
        const d = await drops();
        return Object.keys(want).every((k) => d[k] - before[k] >= 1) ? d : null;
      }, 3000).catch(async (e) => {
        const d = await drops();
        throw new Error(`${e.message}: ${JSON.stringify(Object.fromEntries(Object.keys(d).map((k) => [k, d[k] - before[k]])))}`);
      });
      for (const [k, v] of Object.entries(want)) expect(after[k] - before[k], k).toBe(v);
      expect(arping('-c 1 -w 2 -I tap0 10.0.0.2').out).toContain('Received 1 response(s)');
    });
  });

  describe('device events seen from the kernel', () => {
    it('arp_notify=1 and a MAC change on the stack: the kernel\'s entry moves to the new MAC at once', async () => {
      ns.sh('ping -c 1 -W 2 10.0.0.2');
      expect(ns.sh('ip neigh show 10.0.0.2 dev tap0')).toContain(STACK_MAC);
      await sysctl('net.ipv4.conf.tap0.arp_notify', 1);
      const mac2 = '02:5a:00:00:00:22';
      await stack.call('linkSet', { dev: 'tap0', address: mac2 });
      try {
        await waitFor('kernel learned the new MAC', () => ns.sh('ip neigh show 10.0.0.2 dev tap0').includes(mac2), 5000);
        ns.sh('ping -c 1 -W 2 10.0.0.2');
      } finally {
        await stack.call('linkSet', { dev: 'tap0', address: STACK_MAC });
        await sysctl('net.ipv4.conf.tap0.arp_notify', 0);
      }
    });

    it('arp off on the stack (IFF_NOARP): requests are not answered and nothing is solicited', async () => {
      await stack.call('linkSet', { dev: 'tap0', arp: false });
      try {
        expect(arping('-c 1 -w 2 -I tap0 10.0.0.2').out).toContain('Received 0 response(s)');
        expect((await drops()).noarpDevice).toBeGreaterThanOrEqual(1);
      } finally {
        await stack.call('linkSet', { dev: 'tap0', arp: true });
      }
      expect(arping('-c 1 -w 2 -I tap0 10.0.0.2').out).toContain('Received 1 response(s)');
    });
  });
});
