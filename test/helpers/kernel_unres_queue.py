# Counts how many of N locally sent packets the kernel keeps on an unresolved neighbour's queue
# (arp_queue) under a given unres_qlen_bytes: run inside a private namespace made by the test.
# v0 (10.9.0.1/24) <-> v1 (no address, so 10.9.0.5 never resolves); after sending, a static
# entry releases the queue onto v1, where an AF_PACKET socket counts what arrives.
# argv: KIND(icmp|udp) PAYLOAD LIMIT... ; prints one "LIMIT COUNT" line per limit.
import socket, struct, subprocess, sys, time

def sh(c):
    subprocess.run(c, shell=True, check=True)

sh('ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up && ip addr add 10.9.0.1/24 dev v0')
DST = '10.9.0.5'
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
cap.bind(('v1', 0))
cap.setblocking(False)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

def drain():
    n = 0
    while True:
        try:
            f = cap.recv(65535)
        except BlockingIOError:
            return n
        if len(f) >= 34 and f[12:14] == b'\x08\x00' and f[30:34] == socket.inet_aton(DST):
            n += 1

kind, payload, limits = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
for limit in limits:
    sh(f'ip neigh del {DST} dev v0 2>/dev/null || true')
    sh(f'sysctl -qw net.ipv4.neigh.v0.unres_qlen_bytes={limit}')
    drain()
    for i in range(3):
        if kind == 'icmp':
            raw.sendto(struct.pack('!BBHHH', 8, 0, 0, 0x1234, i) + bytes(payload), (DST, 0))
        else:
            udp.sendto(bytes(payload), (DST, 9))
    sh(f'ip neigh replace {DST} dev v0 lladdr 02:00:00:00:00:05 nud reachable')
    time.sleep(0.05)
    print(limit, drain(), flush=True)
