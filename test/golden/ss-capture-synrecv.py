# Captures test/golden/ss-synrecv-tanoie.txt and proc-net-tcp-synrecv.txt: a kernel request sock
# (SYN-RECV) made by a raw SYN to a listener on lo, its SYN-ACKs dropped on output:
#   nft add table inet t; nft add chain inet t o '{ type filter hook output priority 0; }'; nft add rule inet t o tcp sport 9000 drop
# then: ip netns exec sscap /usr/bin/python3 ss-capture-synrecv.py OUTDIR
import socket, time, subprocess, sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
l = socket.socket(); l.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'cubic'); l.bind(('127.0.0.1', 9000)); l.listen(8)
pkt = bytes(IP(src='127.0.0.1', dst='127.0.0.1') / TCP(sport=12345, dport=9000, flags='S', seq=1000, window=64240, options=[('MSS', 1460)]))[20:]
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP); r.sendto(pkt, ('127.0.0.1', 0))
time.sleep(0.3)
out = sys.argv[1]
for name, cmd in {'ss-synrecv-tanoie': 'ss -tanoie', 'ss-synrecv-tan': 'ss -tan'}.items():
    open(f'{out}/{name}.txt', 'w').write(subprocess.run(cmd.split(), capture_output=True, text=True).stdout)
open(f'{out}/proc-net-tcp-synrecv.txt', 'w').write(open('/proc/net/tcp').read())
