# Turns a captured ss output into the SOCK_DIAG_BY_FAMILY items (JSON) that reproduce it:
# python3 ss-parse.py ss-tanoie.txt ss-tanoie.json [-H] [--state N]
# Turns captured `ss` outputs into the SOCK_DIAG_BY_FAMILY items (JSON) that reproduce them.
import json, re, sys
def ms_timer(t):
    m = re.fullmatch(r'(?:(\d+)min)?(?:(\d+)(sec|\.))?(?:(\d+)ms)?', t)
    mins, secs, _, ms = m.groups()
    return int(mins or 0) * 60000 + int(secs or 0) * 1000 + int(ms or 0)
def addr(a):
    host, port = a.rsplit(':', 1)
    port = 0 if port == '*' else int(port)
    if '%' in host:
        host, ifname = host.rsplit('%', 1)
        return 6, host[1:-1], port, ifname
    return addr1(host, port)
def addr1(host, port):
    if host == '*': return 6, '::', port
    if host.startswith('['): return 6, host[1:-1], port
    return 4, host, port
NUM = {'rto': 'rtoMs', 'ato': 'atoMs', 'mss': 'sndMss', 'pmtu': 'pmtu', 'rcvmss': 'rcvMss', 'advmss': 'advMss', 'cwnd': 'sndCwnd',
       'ssthresh': 'sndSsthresh', 'bytes_sent': 'bytesSent', 'bytes_retrans': 'bytesRetrans', 'bytes_acked': 'bytesAcked',
       'bytes_received': 'bytesReceived', 'segs_out': 'segsOut', 'segs_in': 'segsIn', 'data_segs_out': 'dataSegsOut',
       'data_segs_in': 'dataSegsIn', 'lastsnd': 'lastSendMs', 'lastrcv': 'lastRecvMs', 'lastack': 'lastAckMs',
       'delivered': 'delivered', 'unacked': 'unacked', 'lost': 'lost', 'sacked': 'sacked', 'dsack_dups': 'dsackDups',
       'reordering': 'reordering', 'reord_seen': 'reordSeen', 'rcv_space': 'rcvSpace', 'rcv_ssthresh': 'rcvSsthresh',
       'notsent': 'notsent', 'snd_wnd': 'sndWnd', 'backoff': 'backoff'}
def info(line, state):
    i = {'sndWscale': -1, 'rcvWscale': -1, 'reordering': 3, 'timestamps': False, 'sack': False}
    toks = line.split()
    k = 0
    while k < len(toks):
        t = toks[k]; k += 1
        if t == 'ts': i['timestamps'] = True
        elif t == 'sack': i['sack'] = True
        elif t == 'app_limited': i['appLimited'] = True
        elif t in ('send', 'pacing_rate', 'delivery_rate'):
            v = int(toks[k].removesuffix('bps')); k += 1
            if t == 'pacing_rate': i['pacingRate'] = v // 8
            if t == 'delivery_rate': i['deliveryRate'] = v // 8
        elif ':' not in t: i['congestion'] = t
        else:
            name, v = t.split(':', 1)
            if name == 'wscale': a, b = v.split(','); i['sndWscale'] = int(a); i['rcvWscale'] = int(b)
            elif name == 'rtt': a, b = v.split('/'); i['rttUs'] = round(float(a) * 1000); i['rttVarUs'] = round(float(b) * 1000)
            elif name == 'minrtt': i['minRttUs'] = round(float(v) * 1000)
            elif name == 'rcv_rtt': i['rcvRttUs'] = round(float(v) * 1000)
            elif name == 'busy': i['busyUs'] = int(v.removesuffix('ms')) * 1000
            elif name == 'retrans': a, b = v.split('/'); i['retrans'] = int(a); i['totalRetrans'] = int(b)
            elif name in NUM: i[NUM[name]] = int(v) if name not in ('rto', 'ato') else float(v)
            else: raise SystemExit(f'unknown info field {t}')
    return i
STATES = {'ESTAB': 1, 'SYN-SENT': 2, 'SYN-RECV': 3, 'FIN-WAIT-1': 4, 'FIN-WAIT-2': 5, 'TIME-WAIT': 6, 'UNCONN': 7, 'CLOSE-WAIT': 8, 'LAST-ACK': 9, 'LISTEN': 10, 'CLOSING': 11}
def parse(text, header=True, state=None):
    lines = text.split('\n')[:-1]
    if header: lines = lines[1:]
    out = []
    for ln in lines:
        if ln.startswith('\t'):
            s = out[-1]
            s['tcpInfo'] = info(ln[1:], s['state']) if ln[1:].strip() else None
            continue
        toks = ln.split()
        st = state if state is not None else STATES[toks.pop(0)]
        rq, wq, loc, peer, *ext = toks
        la_ = addr(loc); fam, la, lp = la_[:3]; fam2, ra, rp = addr(peer)[:3]
        s = {'family': fam, 'state': st, 'local': la, 'localPort': lp, 'remote': None if st == 10 else ra, 'remotePort': rp,
             'recvQ': int(rq), 'sendQ': int(wq), 'timer': None, 'timerExpiresMs': 0, 'retransmits': 0, 'inode': 0,
             'v4mapped': la.startswith('::ffff:'), 'tcpInfo': None}
        if st == 10 and fam == 6 and ra == '::' and peer.startswith('[::]'): s['v6only'] = True
        if len(la_) == 4: s['ifname'] = la_[3]
        for t in ext:
            if t.startswith('timer:('):
                name, tm, r = t[7:-1].split(',')
                s['timer'] = name; s['timerExpiresMs'] = ms_timer(tm)
                if name in ('keepalive', 'persist'): s['probes'] = int(r)
                else: s['retransmits'] = int(r)
            elif t.startswith('ino:'): s['inode'] = int(t[4:])
            elif t.startswith('sk:'): s['cookie'] = int(t[3:], 16)
            elif t.startswith('cgroup:'): s['cgroup'] = t[7:]
            elif t.startswith('v6only:'): s['v6only'] = t[7:] == '1'
            elif re.fullmatch(r'[<-]-[->]', t): s['shutdown'] = (1 if t[0] == '-' else 0) | (2 if t[2] == '-' else 0)
            else: raise SystemExit(f'unknown field {t}')
        out.append(s)
    return out
if __name__ == '__main__':
    src, dst = sys.argv[1], sys.argv[2]
    header = '-H' not in sys.argv[3:]
    state = int(sys.argv[sys.argv.index('--state') + 1]) if '--state' in sys.argv else None
    json.dump(parse(open(src).read(), header, state), open(dst, 'w'), indent=1)
