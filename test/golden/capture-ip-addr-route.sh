#!/usr/bin/env bash
# Captures, from the real kernel and iproute2, the transcript test/unit/cli_ip_addr_route.test.ts
# replays against a tapstack: `ip addr` and `ip route` for both families, their errors, -j/-o/-br.
#
# REGENERATE:   sudo bash test/golden/capture-ip-addr-route.sh [OUT]   (default test/golden/ip-addr-route.txt)
#
# Two private network namespaces, always removed (trap): A has tap0 (02:00:00:00:00:01) and tap1
# (02:00:00:00:00:11), veths to B's peer0 (02:00:00:00:00:02, 10.0.0.2/24, fd00::2/64) and peer1
# (02:00:00:00:00:12); lo stays down (a tapstack has no loopback device). Nothing outside them
# is touched.
#
# Transcript format, one step per block:
#   #> CMD           a command run in A; its stdout lines follow as "1|...", stderr as "2|...",
#   #rc N            and its exit status
#   #sleep S         a pause (the test advances its clock by S seconds)
#   #carrier DEV off the peer of DEV went down (DEV lost carrier)
#   #sysctl KEY=VAL  a sysctl written in A
# Every command is run within a few milliseconds of the previous one; lifetimes are only printed
# after the last pause before them, so the seconds shown are deterministic.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-test/golden/ip-addr-route.txt}"
[ "$(id -u)" -eq 0 ] || { echo "capture-ip-addr-route: needs root (network namespaces)" >&2; exit 1; }

A="capipar-a-$$"
B="capipar-b-$$"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for ns in "$A" "$B"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$A"
ip netns add "$B"
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0; done
ip -n "$A" link add tap0 address 02:00:00:00:00:01 type veth peer name peer0 address 02:00:00:00:00:02 netns "$B"
ip -n "$A" link add tap1 address 02:00:00:00:00:11 type veth peer name peer1 address 02:00:00:00:00:12 netns "$B"
ip -n "$B" addr add 10.0.0.2/24 dev peer0
ip -n "$B" addr add fd00::2/64 dev peer0 nodad
ip -n "$B" link set peer0 up
ip -n "$B" link set peer1 up

: > "$OUT.tmp"
run() {
  local o e rc
  o=$(mktemp) e=$(mktemp)
  set +e
  ip netns exec "$A" "$@" >"$o" 2>"$e"
  rc=$?
  set -e
  {
    printf '#> %s\n' "$*"
    sed 's/^/1|/' "$o"
    sed 's/^/2|/' "$e"
    printf '#rc %d\n' "$rc"
  } >>"$OUT.tmp"
  rm -f "$o" "$e"
}
pause() { sleep "$1"; printf '#sleep %s\n' "$1" >>"$OUT.tmp"; }
carrier_off() { ip -n "$B" link set "peer${1#tap}" down; printf '#carrier %s off\n' "$1" >>"$OUT.tmp"; }
sysctl_w() { ip netns exec "$A" sysctl -qw "$1"; printf '#sysctl %s\n' "$1" >>"$OUT.tmp"; }

# ---- addresses ---------------------------------------------------------------------------------
run ip link set tap0 up
run ip link set tap1 up
pause 4
run ip addr add 10.0.0.1/24 dev tap0
run ip addr add 10.0.1.1/24 brd + dev tap1
run ip addr add 10.0.0.5/24 dev tap0
run ip -6 addr add fd00::1/64 dev tap0
run ip -6 addr show dev tap0
run ip -j -6 addr show dev tap0
pause 2.5
run ip -6 addr add fd00:1::1/64 dev tap0 nodad noprefixroute
run ip -6 addr add fd00:9::1/64 dev tap1 nodad
run ip addr
run ip addr show dev tap0
run ip a s tap1
run ip -4 addr
run ip -6 addr
run ip -j addr
run ip -j -4 addr
run ip -j -6 addr
run ip -j -6 addr show dev tap0
run ip -j -p addr show dev tap1
run ip -br addr
run ip -br -4 addr
run ip -br -6 addr show dev tap0
run ip -j -br addr
run ip -o addr
run ip -o -4 addr show dev tap0
run ip addr show scope link
run ip addr show secondary
run ip addr show primary dev tap0
run ip addr show permanent
run ip addr show dynamic
run ip addr show nodad
run ip addr show to 10.0.0.0/24
run ip addr show to fd00::/16
run ip addr show label tap1
run ip addr show label 'tap*'
run ip addr show up
run ip addr show dev nosuch
run ip addr show scope bogus
run ip addr add 10.0.0.1/24 dev tap0
run ip -6 addr add fd00::1/64 dev tap0
run ip addr del 10.9.9.9/24 dev tap0
run ip -6 addr del fd00::99/64 dev tap0
run ip -6 addr del fd00::1 dev tap0
run ip addr add 10.0.0.7/24 dev nosuch
run ip addr add 10.0.0.7/24
run ip addr del 10.0.0.7/24
run ip -6 addr add ff02::5/64 dev tap0
run ip -6 addr add ::/64 dev tap0
run ip -6 addr add ::1/128 dev tap0
run ip -6 addr add fd00:9::9/64 dev tap0 preferred_lft 200 valid_lft 100
run ip -6 addr add fd00:9::9/64 dev tap0 valid_lft 0
run ip -6 addr add fd00:9::9/64 dev tap0 valid_lft 100
run ip -6 addr add fd00:9::9/64 dev tap0 valid_lft soon
run ip -4 addr add fd00:9::9/64 dev tap0
run ip addr add 10.0.0.7/24 dev tap0 nodad
run ip addr del 10.0.0.7 dev tap0
run ip addr add 10.0.3.1/30 brd + dev tap0
run ip addr add 10.0.4.1/31 brd + dev tap0
run ip addr show dev tap0
run ip addr del 10.0.3.1/30 dev tap0
run ip addr del 10.0.4.1/31 dev tap0
run ip addr del 10.0.0.5/24 dev tap0

# ---- IPv4 routes --------------------------------------------------------------------------------
run ip route add 10.9.0.0/16 via 10.0.0.254
run ip route add 10.9.0.0/16 via 10.0.0.253
run ip route add 10.9.0.0/16 via 10.0.0.253 metric 100
run ip route add 10.8.0.0/16 dev tap0
run ip route add 10.0.0.0/8 via 10.0.0.254
run ip route add 10.0.0.0/25 via 10.0.0.254
run ip route add default via 10.0.0.254
run ip route add 10.7.0.0/16 via 10.0.1.254 dev tap1 metric 5 proto static
run ip route add 10.11.0.0/16 dev tap0 src 10.0.0.1 metric 7
run ip route add 10.12.0.0/16 via 10.0.0.254 metric 0x10
run ip route add 10.6.0.0/16 via 10.5.5.5
run ip route add 10.6.0.0/16 via 10.0.1.254 dev tap0
run ip route add 10.9.0.1/16 via 10.0.0.254
run ip route add 10.6.0.0/16 dev nosuch
run ip route add 10.6.0.0/16
run ip route add 10.4.1.0/24 dev tap0 src 10.0.0.99
run ip route add 10.6.0.0/16 via 10.0.0.254 metric abc
run ip route add 10.6.0.0/16 via fd00::2
run ip route add 10.6.0.0/16 gateway 10.0.0.254
run ip -6 route add 10.6.0.0/16 via 10.0.0.254
run ip route show
run ip r
run ip ro li
run ip route show table all
run ip -4 route show table all
run ip route show table local
run ip route show table main
run ip route show table 254
run ip route show dev tap0
run ip route show proto kernel
run ip route show proto static
run ip route show scope link
run ip route show via 10.0.0.254
run ip route show src 10.0.0.1
run ip route show 10.9.0.0/16
run ip route show 10.9.0.0
run ip route show root 10.0.0.0/8
run ip route show match 10.9.1.1
run ip route show exact 10.0.0.0/24
run ip route show type local table all
run ip route show type broadcast table local dev tap1
run ip route show metric 100
run ip -j route show
run ip -j -p route show table local
run ip -d route show
run ip route show table foo
run ip route show dev nosuch
run ip route get 10.0.0.2
run ip route get 10.0.0.200
run ip route get 10.9.1.1
run ip route get 10.7.1.1
run ip route get 10.0.0.1
run ip route get 10.0.0.255
run ip route get 10.0.1.255
run ip route get 224.0.0.5
run ip -j route get 10.0.0.200
run ip -j route get 10.0.0.1
run ip -j route get 10.0.1.255
run ip -j route get 224.0.0.5
run ip route get 10.0.0.200 from 10.0.0.1
run ip -j route get 10.0.0.200 from 10.0.0.1
run ip route get 10.0.0.200 oif tap1
run ip route get 10.0.0.0/24
run ip route get fibmatch 10.9.1.1
run ip route get to 10.0.0.200 uid 5
run ip route get nosuch
run ip route get
run ip route get 10.0.0.2 from 10.9.9.9
run ip route get 10.0.0.2 oif nosuch
run ip route del 10.9.0.0/16 via 10.0.0.253
run ip route add 10.9.0.0/16 via 10.0.0.254 metric 16
run ip route del 10.9.0.0/16 via 10.0.0.254 metric 16
run ip route show 10.9.0.0/16
run ip route del 10.9.0.0/16
run ip route del 10.9.0.0/16
run ip route del 10.8.0.0/16 dev tap1
run ip route del 10.8.0.0/16 metric 7
run ip route del 10.7.0.0/16 proto kernel
run ip route del 10.7.0.0/16 metric 5
run ip route del default
run ip route get 10.99.0.1
run ip route get 11.0.0.1
run ip route del 10.0.0.0/24
run ip route show
run ip route add 10.0.0.0/24 dev tap0 proto kernel scope link src 10.0.0.1
run ip route show

# ---- IPv6 routes --------------------------------------------------------------------------------
run ip -6 route add 2001:db8::/32 via fd00::2
run ip -6 route add 2001:db8::/32 via fd00::3
run ip -6 route add default via fe80::ff:fe00:2 dev tap0
run ip -6 route add 2001:db8:1::/48 dev tap0 metric 10
run ip -6 route add 2001:db8:2::/48 via 2001:db9::1
run ip -6 route add 2001:db8:2::/48 via fe80::1
run ip -6 route add 2001:db8:3::/48 dev tap0 src fd00::1 proto static
run ip -6 route add 2001:db8:4::/48 dev tap0 src fd00::99
run ip -6 route add unreachable 2001:db8:7::/64
run ip -6 route add blackhole 2001:db8:8::/64
run ip -6 route add 2001:db8:9::/64 dev tap0 mtu 1400 hoplimit 9 pref high
run ip -6 route show
run ip -6 route show table local
run ip -6 route show table all
run ip route show table all
run ip -j -6 route show
run ip -6 route show dev tap0
run ip -6 route show via fd00::2
run ip -6 route show proto static
run ip -d -6 route show 2001:db8::/32
run ip -6 route get fd00::2
run ip route get fd00::2
run ip -6 route get 2001:db8::5
run ip -6 route get 2001:db8:9::5
run ip -6 route get 3000::1
run ip -6 route get fd00::1
run ip -6 route get fe80::2
run ip -6 route get 2001:db8:7::1
run ip -6 route get 2001:db8:8::1
run ip -j -6 route get 2001:db8::5
run ip -6 route get fibmatch 2001:db8::5
run ip -6 route get fd00::5 from fd00::99
run ip -6 route get fd00::1/64
run ip -6 route get 10.0.0.5
run ip -6 route del 2001:db8::/32 dev tap1
run ip -6 route del 2001:db8::/32 metric 99
run ip -6 route del 2001:db8::/32 via fd00::9
run ip -6 route del 2001:db8::/32
run ip -6 route del 2001:db8::/32
run ip -6 route del default
run ip -6 route del default
run ip -6 route del default dev tap0
run ip -6 route get 3000::1
run ip -6 route del unreachable 2001:db8:7::/64
run ip -6 route show

# ---- carrier loss and IPv6 disabled ------------------------------------------------------------
carrier_off tap1
run ip route show
run ip -6 route show dev tap1
run ip addr show dev tap1
sysctl_w net.ipv6.conf.tap1.disable_ipv6=1
run ip -6 addr add fd00:5::1/64 dev tap1
run ip -6 addr show dev tap1

# ---- lifetimes (last: the seconds printed count down from here) --------------------------------
run ip -6 addr add fd00:2::1/64 dev tap0 valid_lft 100 preferred_lft 50 nodad
run ip -6 addr add fd00:3::1/64 dev tap0 valid_lft 100 preferred_lft 0 nodad
run ip -6 addr show dev tap0
run ip -j -6 addr show dev tap0
run ip -6 addr show deprecated
run ip -6 addr show -deprecated dev tap0
run ip -6 route show dev tap0
run ip addr add 10.0.5.1/24 dev tap0 valid_lft 100 preferred_lft 50

mv "$OUT.tmp" "$OUT"
{
  echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# $(ip -V)"
  echo "# kernel $(uname -r)"
} >"$OUT.meta"
echo "wrote $OUT"
