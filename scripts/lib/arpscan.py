#!/usr/bin/python3
"""ARP scan from many distinct senders, for tapstack's scale and soak runs.

Sends broadcast ARP requests "who-has TARGET tell S" from S = BASE + OFFSET + i (i = 0..COUNT-1,
wrapping inside 10.1.0.0 .. 10.254.255.255 so it never uses 10.0.x.y, where the stack and the
kernel side live), each from its own MAC 02:5d:ii:ii:ii:ii, through an AF_PACKET socket on IFACE,
paced at RATE frames per second (0: as fast as the socket takes them).

With --duration S it keeps going (continuing the address sequence) until S seconds have passed,
for soak churn. The frames are built with struct from one template; when scapy is importable the
template is cross-checked against scapy's own ARP request, so a bug here cannot go unnoticed.

Prints one JSON line: {"sent": N, "elapsed": seconds, "first": "10.1.0.0", "last": "...",
"send_errors": N}.
"""
import argparse
import json
import socket
import struct
import sys
import time

LO = (10 << 24) | (1 << 16)          # 10.1.0.0
HI = (10 << 24) | (254 << 16) | 0xffff  # 10.254.255.255
SPAN = HI - LO + 1


def ip_str(x):
    return socket.inet_ntoa(struct.pack('!I', x))


def sender(i, base):
    return LO + ((base - LO + i) % SPAN)


def frame(i, sip, tip):
    mac = b'\x02\x5d' + struct.pack('!I', i & 0xffffffff)
    return (b'\xff' * 6 + mac + b'\x08\x06' +
            struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + struct.pack('!I', sip) +
            b'\x00' * 6 + struct.pack('!I', tip))


def check_with_scapy(tip):
    try:
        from scapy.all import ARP, Ether  # noqa: PLC0415
    except Exception:
        return
    mac = '02:5d:00:00:00:07'
    ref = bytes(Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') /
                ARP(op=1, hwsrc=mac, psrc=ip_str(LO + 7), hwdst='00:00:00:00:00:00', pdst=ip_str(tip)))
    mine = frame(7, LO + 7, tip)
    if ref[:len(mine)] != mine:
        sys.exit('arpscan: template differs from scapy\'s ARP request:\n%s\n%s' % (ref.hex(), mine.hex()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iface', required=True)
    ap.add_argument('--target', required=True, help='the address asked for (the stack\'s)')
    ap.add_argument('--count', type=int, default=20000)
    ap.add_argument('--base', default='10.1.0.0', help='first sender address')
    ap.add_argument('--offset', type=int, default=0, help='index of the first sender')
    ap.add_argument('--rate', type=float, default=0, help='frames per second, 0 = unpaced')
    ap.add_argument('--duration', type=float, default=0, help='keep going this many seconds (ignores --count)')
    a = ap.parse_args()
    tip = struct.unpack('!I', socket.inet_aton(a.target))[0]
    base = struct.unpack('!I', socket.inet_aton(a.base))[0]
    check_with_scapy(tip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    # Pace in 5 ms slices: each slice sends what the rate allows since the start.
    t0 = time.monotonic()
    end = t0 + a.duration if a.duration > 0 else None
    i = a.offset
    sent = 0
    errors = 0
    first = sender(i, base)
    while True:
        now = time.monotonic()
        if end is not None:
            if now >= end:
                break
        elif sent >= a.count:
            break
        if a.rate > 0:
            allowed = int((now - t0) * a.rate) + 1 - sent
            if allowed <= 0:
                time.sleep(0.005)
                continue
        else:
            allowed = 256
        if end is None:
            allowed = min(allowed, a.count - sent)
        for _ in range(allowed):
            try:
                s.send(frame(i, sender(i, base), tip))
            except OSError:
                errors += 1  # ENOBUFS from a full device queue: the frame never left
            i += 1
            sent += 1
    print(json.dumps({'sent': sent, 'elapsed': round(time.monotonic() - t0, 3), 'first': ip_str(first),
                      'last': ip_str(sender(i - 1, base)), 'next_offset': i, 'send_errors': errors}), flush=True)


if __name__ == '__main__':
    main()
