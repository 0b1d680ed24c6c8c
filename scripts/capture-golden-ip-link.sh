#!/usr/bin/env bash
# Captures iproute2's `ip -d link`, `ip -s [-s] link` and `ip -d/-s addr` for a Linux TAP, the
# goldens test/unit/fmt_link.test.ts checks tapstack's formatting against (test/golden/ip-link/).
#
# REGENERATE:   sudo bash scripts/capture-golden-ip-link.sh
#
# One private network namespace, always removed (trap). A python holder opens tap0 as tapstack
# does (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, not persistent), writes three frames to it (so RX
# counts) and keeps it open; a second TAP, tap1, is made persistent with `ip tuntap`. Nothing
# outside the namespace is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/golden/ip-link
[ "$(id -u)" -eq 0 ] || { echo "capture-golden-ip-link: needs root (network namespaces)" >&2; exit 1; }
NS="capiplink-$$"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
  net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_dad=0
ip netns exec "$NS" /usr/bin/python3 -c '
import fcntl, os, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tap0", 0x0002 | 0x1000 | 0x4000))
print("ready", flush=True)
sys.stdin.readline()
for i in range(3):
    os.write(fd, bytes(10) + b"\xff" * 6 + bytes.fromhex("020000000009") + b"\x88\xb5" + bytes(46))
print("written", flush=True)
sys.stdin.readline()
' < <(sleep 1; echo; sleep 1; echo; sleep 30) > /tmp/capiplink-$$.out &
for _ in $(seq 50); do grep -q ready /tmp/capiplink-$$.out 2>/dev/null && break; sleep 0.1; done
ip -n "$NS" link set tap0 address 02:00:00:00:00:01
ip -n "$NS" link set tap0 up
ip -n "$NS" addr add 10.0.0.1/24 dev tap0
ip -n "$NS" -6 addr add fd00::1/64 dev tap0 nodad
ip -n "$NS" tuntap add dev tap1 mode tap
ip -n "$NS" link set tap1 address 02:00:00:00:00:11
for _ in $(seq 50); do grep -q written /tmp/capiplink-$$.out 2>/dev/null && break; sleep 0.1; done
sleep 0.5
rm -f /tmp/capiplink-$$.out
cap() { local f="$1"; shift; ip -n "$NS" "$@" > "$OUT/$f"; }
cap d-link.txt -d link show tap0
cap d-link-persist.txt -d link show tap1
cap s-link.txt -s link show tap0
cap ss-link.txt -s -s link show tap0
cap dso-link.txt -d -s -o link show tap0
cap dj-link.json -d -j link show tap0
cap sj-link.json -s -j link show tap0
cap ssj-link.json -s -s -j link show tap0
cap ds-addr.txt -d -s addr show dev tap0
cap 4d-addr.txt -4 -d addr show dev tap0
cap 4dsj-addr.json -4 -d -s -j addr show dev tap0
{ echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ)"; ip -V; echo "# kernel $(uname -r)"; } > "$OUT/meta.txt"
echo "capture-golden-ip-link: wrote $OUT"
