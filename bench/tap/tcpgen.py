#!/usr/bin/python3
# The kernel-side load generator of the TCP benchmark, one program for every path so the ratios
# compare like with like. Every socket is pinned to CUBIC with TCP_CONGESTION (this VM's default
# is bbr, and a namespace may not change the default): reference/tcp.md section 0.
#   sink PORT HOST          accept one connection, count bytes to EOF, print JSON
#   send PORT HOST SECONDS  connect, write for SECONDS, print JSON
#   source PORT HOST SECONDS  accept one connection, write for SECONDS
import json, socket, sys, time
TCP_CONGESTION = getattr(socket, 'TCP_CONGESTION', 13)
mode, port, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
secs = float(sys.argv[4]) if len(sys.argv) > 4 else 0
chunk = b'Z' * (256 * 1024)
def cubic(s): s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, b'cubic')
def blast(s):
    t0 = time.monotonic(); n = 0
    while time.monotonic() - t0 < secs:
        s.sendall(chunk); n += len(chunk)
    s.shutdown(socket.SHUT_WR)
    return n, time.monotonic() - t0
if mode in ('sink', 'source'):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); cubic(l)
    l.bind((host, port)); l.listen(8); print('ready', flush=True)
    c, _ = l.accept(); cubic(c)
    if mode == 'sink':
        t0 = time.monotonic(); n = 0
        while True:
            d = c.recv(1 << 20)
            if not d: break
            n += len(d)
        print(json.dumps({'bytes': n, 'secs': time.monotonic() - t0}), flush=True)
    else:
        blast(c)
        c.recv(1)
    c.close()
else:
    s = socket.socket(); cubic(s); s.connect((host, port))
    n, t = blast(s)
    s.recv(1)
    print(json.dumps({'bytes': n, 'secs': t}), flush=True)
