# Turns a captured /proc/net/tcp{,6} into SOCK_DIAG_BY_FAMILY items: python3 proc-net-tcp-parse.py proc-net-tcp.txt proc-net-tcp.json 4
# Turns a captured /proc/net/tcp or tcp6 into the SOCK_DIAG_BY_FAMILY items that reproduce it.
import json, socket, struct, sys
def a4(h): return socket.inet_ntop(socket.AF_INET, struct.pack('<I', int(h, 16)))
def a6(h): return socket.inet_ntop(socket.AF_INET6, b''.join(struct.pack('<I', int(h[i:i + 8], 16)) for i in range(0, 32, 8)))
TIMERS = {0: None, 1: 'on', 2: 'keepalive', 3: 'timewait', 4: 'persist'}
def parse(text, fam):
    out = []
    for ln in text.split('\n')[1:]:
        f = ln.split()
        if not f: continue
        loc, rem = f[1].split(':'), f[2].split(':')
        conv = a4 if fam == 4 else a6
        st = int(f[3], 16); tx, rx = (int(x, 16) for x in f[4].split(':')); tr, when = (int(x, 16) for x in f[5].split(':'))
        s = {'family': fam, 'state': st, 'local': conv(loc[0]), 'localPort': int(loc[1], 16),
             'remote': None if st == 10 else conv(rem[0]), 'remotePort': int(rem[1], 16),
             'recvQ': rx, 'sendQ': tx, 'timer': TIMERS[tr], 'timerExpiresMs': when * 10 + 5 if tr else 0,
             'retransmits': int(f[6], 16), 'inode': int(f[9]), 'v4mapped': conv(loc[0]).startswith('::ffff:'),
             'probes': int(f[8]), 'tcpInfo': None}
        if len(f) > 12 and st != 10:
            ss = int(f[16])
            s['tcpInfo'] = {'rtoMs': int(f[12]) * 10 + 4, 'atoMs': int(f[13]) * 10, 'quickAcks': int(f[14]) >> 1,
                            'pingpong': bool(int(f[14]) & 1), 'sndCwnd': int(f[15]), 'sndSsthresh': 0x7fffffff if ss == -1 else ss}
        elif st == 10:
            s['tcpInfo'] = {'sndCwnd': int(f[15])}
            if fam == 4: s['recvQ'] = rx
        out.append(s)
    return out
if __name__ == '__main__':
    json.dump(parse(open(sys.argv[1]).read(), int(sys.argv[3])), open(sys.argv[2], 'w'), indent=1)
