# Sends hand-made frames for kernel tests: one JSON object per stdin line,
# {"pkt": "<scapy expression>", "ifaces": ["tap0", ...]}; answers {"sent": N} per line.
# Started once per namespace (scapy's import is slow); the frames are built with scapy 2.5.
import json
import sys

from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, Raw, sendp  # noqa: F401

print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    try:
        m = json.loads(line)
        p = eval(m["pkt"])  # the test's own expression, built from fixed values
        for i in m["ifaces"]:
            sendp(p, iface=i, verbose=False)
        print(json.dumps({"sent": len(m["ifaces"])}), flush=True)
    except Exception as e:  # report and keep serving
        print(json.dumps({"error": repr(e)}), flush=True)
