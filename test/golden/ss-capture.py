# Captures test/golden/ss-*.txt and proc-net-tcp* from the kernel: sockets in every state the
# tests need, in a private netns (ip netns add sscap; lo up; veth va/vb with 10.9.0.1/24 on va),
# with cubic on every socket, then iproute2 ss 6.1's output piped (no tty) and /proc/net/tcp{,6}.
# Run: ip netns exec sscap python3 ss-capture.py OUTDIR; then ss-parse.py turns each .txt into the .json items.
import socket, time, os, subprocess, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def L(fam, addr, port, v6only=None):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'cubic')
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port)); s.listen(128); return s
keep = []
def cc(x): x.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'cubic')
l4 = L(socket.AF_INET, '0.0.0.0', 80)
l6 = L(socket.AF_INET6, '::', 8080, v6only=False)
l6o = L(socket.AF_INET6, '::1', 8443, v6only=True)
l4b = L(socket.AF_INET, '127.0.0.1', 5000)
keep += [l4, l6, l6o, l4b]
# ESTAB v4 with unread data on the server side (Recv-Q) and keepalive on the client
c1 = socket.socket(); cc(c1); c1.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1); c1.bind(('127.0.0.1', 40001)); c1.connect(('127.0.0.1', 80)); a1, _ = l4.accept()
c1.send(b'x' * 1000); a1.send(b'y' * 10)
# v4-mapped: IPv4 client to the dual-stack listener
c2 = socket.socket(); cc(c2); c2.bind(('127.0.0.1', 40002)); c2.connect(('127.0.0.1', 8080)); a2, _ = l6.accept()
# IPv6 ESTAB
c3 = socket.socket(socket.AF_INET6); cc(c3); c3.bind(('::1', 40003)); c3.connect(('::1', 8443)); a3, _ = l6o.accept()
c3.send(b'z' * 3000)
# FIN_WAIT2 / CLOSE_WAIT: client shuts down writing, server never closes
c4 = socket.socket(); cc(c4); c4.bind(('127.0.0.1', 40004)); c4.connect(('127.0.0.1', 5000)); a4, _ = l4b.accept()
c4.shutdown(socket.SHUT_WR)
# TIME_WAIT: client closes first, then server closes
c5 = socket.socket(); cc(c5); c5.bind(('127.0.0.1', 40005)); c5.connect(('127.0.0.1', 5000)); a5, _ = l4b.accept()
c5.close(); time.sleep(0.05); a5.close()
# not yet accepted connection (accept queue of l4: Recv-Q 1)
c6 = socket.socket(); cc(c6); c6.bind(('127.0.0.1', 40006)); c6.connect(('127.0.0.1', 80))
# SYN_SENT towards an address that never answers (neighbour never resolves)
c7 = socket.socket(); cc(c7); c7.setblocking(False); c7.bind(('10.9.0.1', 40007))
try: c7.connect(('10.9.0.2', 443))
except BlockingIOError: pass
keep += [c1, a1, c2, a2, c3, a3, c4, a4, c6, c7]
time.sleep(0.4)
cmds = {
  'ss-tan': 'ss -tan', 'ss-tanoie': 'ss -tanoie', 'ss-tano': 'ss -tano', 'ss-tani': 'ss -tani', 'ss-tane': 'ss -tane',
  'ss-tln': 'ss -tln', 'ss-tn': 'ss -tn', 'ss-tanH': 'ss -tanH', 'ss-4tan': 'ss -4tan', 'ss-6tan': 'ss -6tan',
  'ss-tn-state-established': 'ss -tn state established', 'ss-tn-state-listening': 'ss -tn state listening',
  'ss-tan-state-time-wait': 'ss -tan state time-wait',
}
for name, cmd in cmds.items():
    p = '/proc/net/tcp'
    t4 = open('/proc/net/tcp').read(); t6 = open('/proc/net/tcp6').read()
    r = subprocess.run(cmd.split(), capture_output=True, text=True)
    t4b = open('/proc/net/tcp').read(); t6b = open('/proc/net/tcp6').read()
    open(f'{out}/{name}.txt', 'w').write(r.stdout)
    open(f'{out}/{name}.proc-tcp', 'w').write(t4)
    open(f'{out}/{name}.proc-tcp6', 'w').write(t6)
open(f'{out}/proc-net-tcp.txt', 'w').write(open('/proc/net/tcp').read())
open(f'{out}/proc-net-tcp6.txt', 'w').write(open('/proc/net/tcp6').read())
