#!/usr/bin/env bash
# Captures, from the REAL kernel and tools, the IPv6 side of what the formatters in src/cli/ and
# `tapstack ip`/`ping`/`proc` must reproduce byte for byte: ip -6 neigh (every state, -s, -j,
# proxy, nud all, dev), ip neigh of both families, ip -6 ntable, ip -6 monitor neigh,
# /proc/net/if_inet6, /proc/net/snmp6, /proc/net/stat/ndisc_cache, and the error texts of
# ip -6 neigh and ping -6 (test/unit/cli_format.test.ts, cli_ip6.test.ts, cli_proc.test.ts and
# ping6_cmd.test.ts compare against these files). The IPv4 goldens come from capture-golden.sh.
#
# REGENERATE:   sudo bash scripts/capture-golden-ipv6.sh [OUTDIR]      (default OUTDIR: test/golden)
#
# Needs root, iproute2 (ip) and iputils (ping). Everything happens in private network namespaces
# this script creates and always removes (trap); nothing outside them is changed.
# /proc/net/stat/ndisc_cache exists only in the initial namespace, so it is read (never written)
# there.
#
# What is deterministic and what is not (the tests rely on this):
# - States, addresses, flags and -s ages are deterministic: the link is quiet first (router
#   solicitations off, link-local DAD and the MLD reports over), then every entry is created and
#   every listing taken within one second, so ages read 0 (or 60 for confirmed = now -
#   2*base_reachable); the script checks this and retries if the machine was too slow.
# - Row ORDER is the kernel's hash order (random per boot): the tests order their fixtures by
#   where each address appears in the golden.
# - reachable_time, hash_rnd, the table statistics, "entries", the last_flush/last_rand dates,
#   /proc/net/snmp6's counts and /proc/net/stat/ndisc_cache depend on the host: the tests read
#   those numbers back from the golden and check the layout. meta-ipv6.txt records the wall clock
#   (epoch seconds) at which `ip -s -6 ntable` ran.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-test/golden}"
die() { echo "capture-golden-ipv6: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in ip ping; do command -v "$t" >/dev/null || die "'$t' not found"; done
mkdir -p "$OUT"

NAMESPACES=()
MONPIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${MONPIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for ns in "${NAMESPACES[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mkpair TAG: namespace A (d0, 10.0.0.1/24 and fd00:1::1/64, 02:00:00:00:00:01) linked by a veth to
# namespace B (d1, 10.0.0.99/24 and fd00:1::99/64, 02:00:00:00:00:99). No router solicitations,
# global addresses without DAD; returns once the link-locals have left DAD. Sets A and B.
mkpair() {
  A="capg6-$1-a-$$"
  B="capg6-$1-b-$$"
  ip netns add "$A"; NAMESPACES+=("$A")
  ip netns add "$B"; NAMESPACES+=("$B")
  for ns in "$A" "$B"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
      net.ipv6.conf.default.router_solicitations=0
    ip -n "$ns" link set lo up
  done
  ip -n "$A" link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:99 netns "$B"
  ip netns exec "$A" sysctl -qw net.ipv6.conf.d0.router_solicitations=0
  ip netns exec "$B" sysctl -qw net.ipv6.conf.d1.router_solicitations=0
  ip -n "$A" addr add 10.0.0.1/24 dev d0
  ip -n "$B" addr add 10.0.0.99/24 dev d1
  ip -n "$A" addr add fd00:1::1/64 dev d0 nodad
  ip -n "$B" addr add fd00:1::99/64 dev d1 nodad
  ip -n "$A" link set d0 up
  ip -n "$B" link set d1 up
  local i
  for i in $(seq 50); do
    if ! ip -n "$A" -6 addr show dev d0 | grep -q tentative && ! ip -n "$B" -6 addr show dev d1 | grep -q tentative; then break; fi
    sleep 0.1
  done
  sleep 2   # the MLD reports that follow DAD
}

# run CMD...: a transcript entry: the command line, its stdout and stderr (in that order), its status.
run() {
  local out err rc
  out=$(mktemp); err=$(mktemp)
  rc=0
  ip netns exec "$A" "$@" >"$out" 2>"$err" || rc=$?
  echo "\$ $*"
  cat "$out" "$err"
  echo "rc=$rc"
  rm -f "$out" "$err"
}

# ---- 1. one table, every state, listed by every tool ----------------------------------------------
snapshot_once() {
  mkpair snap
  local a="ip netns exec $A"
  $a ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev d0
  $a ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev d0 nud stale
  $a ip neigh add fd00:1::2 lladdr 02:00:00:00:00:02 dev d0
  $a ip neigh add fd00:1::3 lladdr 02:00:00:00:00:03 dev d0 nud reachable
  $a ip neigh add fd00:1::4 lladdr 02:00:00:00:00:04 dev d0 nud stale router
  $a ip neigh add fd00:1::5 lladdr 02:00:00:00:00:05 dev d0 nud noarp
  $a ip neigh add fd00:1::6 lladdr 02:00:00:00:00:06 dev d0 nud stale
  $a ip neigh add fd00:1::7 lladdr 02:00:00:00:00:07 dev d0 nud probe
  $a ip neigh add fd00:1::8 dev d0 nud failed
  $a ip neigh add fd00:1::9 dev d0 nud incomplete
  $a ip neigh add fd00:1::a lladdr 02:00:00:00:00:0a dev d0 extern_learn
  $a ip neigh add fd00:1::b lladdr 02:00:00:00:00:0b dev d0 nud stale protocol static
  $a ip neigh add fd00:1::c dev d0 2>/dev/null || true      # No link layer address given: NONE left
  $a ip neigh add fd00:1::d lladdr 02:00:00:00:00:0d dev d0 nud permanent router
  $a ip neigh add fe80::1 lladdr 02:00:00:00:01:01 dev d0 nud stale router
  $a ip neigh add ff02::1:2 lladdr 33:33:00:01:00:02 dev d0
  $a ip neigh add fd00:1::21 dev d0 managed extern_learn   # resolved in the background: INCOMPLETE
  $a ip neigh add proxy fd00:1::50 dev d0
  $a ip neigh add proxy fd00:1::51 dev d0 router
  $a ip neigh add proxy fd00:1::53 dev d0 protocol static
  $a ping -c1 -W1 fd00:1::99 >/dev/null                     # resolved by traffic: REACHABLE
  ( $a ping -c1 -W1 fd00:1::6 >/dev/null 2>&1 || true ) &   # STALE + traffic: DELAY
  ( $a ping -c1 -W1 fd00:1::20 >/dev/null 2>&1 || true ) &  # nobody there: INCOMPLETE
  sleep 0.2

  $a ip -6 neigh show              >"$OUT/ip-6-neigh-show.txt"
  $a ip -6 -s neigh show           >"$OUT/ip-6-s-neigh-show.txt"
  $a ip -6 -j neigh show           >"$OUT/ip-6-j-neigh-show.json"
  $a ip -6 -s -j neigh show        >"$OUT/ip-6-s-j-neigh-show.json"
  $a ip -6 -s -j -p neigh show     >"$OUT/ip-6-s-j-p-neigh-show.json"
  $a ip -6 neigh show nud all      >"$OUT/ip-6-neigh-show-nud-all.txt"
  $a ip -6 -j neigh show nud all   >"$OUT/ip-6-j-neigh-show-nud-all.json"
  $a ip -6 neigh show dev d0       >"$OUT/ip-6-neigh-show-dev.txt"
  $a ip -6 -s neigh show dev d0    >"$OUT/ip-6-s-neigh-show-dev.txt"
  $a ip -6 neigh show proxy        >"$OUT/ip-6-neigh-show-proxy.txt"
  $a ip -6 -s neigh show proxy     >"$OUT/ip-6-s-neigh-show-proxy.txt"
  $a ip -6 -j neigh show proxy     >"$OUT/ip-6-j-neigh-show-proxy.json"
  $a ip neigh show                 >"$OUT/ip-neigh-show-both.txt"
  $a ip -j neigh show              >"$OUT/ip-j-neigh-show-both.json"
  $a ip -4 neigh show              >"$OUT/ip-4-neigh-show.txt"
  wait
}

ages_ok() {
  # used/confirmed/updated must all read 0 (confirmed may read 60): see the header.
  ! grep -ho 'used [0-9/]*' "$OUT/ip-6-s-neigh-show.txt" "$OUT/ip-6-s-neigh-show-dev.txt" |
    grep -qvE '^used 0/(0|60)/0$'
}

for attempt in 1 2 3; do
  snapshot_once
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done
  NAMESPACES=()
  if ages_ok; then break; fi
  [ "$attempt" -lt 3 ] || die "ages were not all 0 after 3 attempts (machine too slow?)"
  echo "capture-golden-ipv6: ages moved during the capture, retrying" >&2
done

# ---- 2. management errors (each command's output, stderr and status) --------------------------------
mkpair err
{
  run ip -6 neigh show router
  run ip neigh show router
  run ip -6 neigh show 10.0.0.1
  run ip -4 neigh show fd00:1::1
  run ip -4 neigh add fd00:1::10 lladdr 02:00:00:00:00:10 dev d0
  run ip -6 neigh add 10.0.0.10 lladdr 02:00:00:00:00:10 dev d0
  run ip neigh add fd00:1::5 lladdr 02:00:00:00:00:05 dev d0
  run ip neigh add fd00:1::5 lladdr 02:00:00:00:00:05 dev d0
  run ip neigh add fd00:1::6 dev d0
  run ip neigh add fd00:1::7 dev d0 nud stale
  run ip neigh add fd00:1::8 dev d0 nud noarp
  run ip neigh add fd00:1::9 dev d0 nud incomplete
  run ip -6 neigh show nud none
  run ip neigh change fd00:1::20 lladdr 02:00:00:00:00:20 dev d0
  run ip neigh del fd00:1::20 dev d0
  run ip neigh del proxy fd00:1::20 dev d0
  run ip neigh add proxy fd00:1::50 dev d0
  run ip neigh add proxy fd00:1::50 dev d0
  run ip neigh add proxy fd00:1::52
  run ip neigh get fd00:1::5 dev d0
  run ip -s neigh get fd00:1::5 dev d0
  run ip neigh get fd00:1::55 dev d0
  run ip neigh get proxy fd00:1::50 dev d0
  run ip neigh get proxy fd00:1::59 dev d0
  run ip neigh change fd00:1::5 lladdr 02:00:00:00:00:55 dev d0 router
  run ip -6 neigh show fd00:1::5
  run ip neigh change fd00:1::5 lladdr 02:00:00:00:00:55 dev d0
  run ip -6 neigh show fd00:1::5
  run ip neigh add ff02::1:2 lladdr 33:33:00:01:00:02 dev d0
  run ip neigh add ::1 lladdr 02:00:00:00:00:65 dev d0
  run ip -6 neigh add default dev d0
  run ip -s -6 neigh flush dev d0
  run ip -6 neigh show nud all
  run ip -6 neigh flush proxy
  run ip -6 neigh show proxy
  run sysctl -qw net.ipv6.conf.d0.disable_ipv6=1
  run ip neigh add fd00:1::5 lladdr 02:00:00:00:00:05 dev d0
  run ip neigh add fd00:1::5 dev d0
  run ip neigh change fd00:1::5 lladdr 02:00:00:00:00:05 dev d0
  run ip neigh add proxy fd00:1::5 dev d0
  run ip -6 neigh del fd00:1::5 dev d0
  run ip -6 ntable change name arp_cache dev d0 queue 10
  run ip -4 ntable change name ndisc_cache dev d0 queue 10
  run ip -6 ntable show name arp_cache
  run ip -4 ntable show name ndisc_cache
} >"$OUT/ip-6-neigh-errors.txt"
{
  run ping -6 10.0.0.99
  run ping -4 fd00:1::99
  run ping -4 -c1 fe80::1%d0
  run ping -c1 fd00:1::99%d0
  run ping -c1 fe80::1%nope
  run ping -c1 fe80::1%
  run ping -c1 fd00:1:::99
  run ping -c1 -6 -I fd00:1::5 fd00:1::99
  run ping -c1 -6 -I fe80::ff:fe00:1 fd00:1::99
  run ping -c1 -W1 fd00:2::1
  run ping -6 -c1 -t 256 fd00:1::99
} >"$OUT/ping-6-errors.txt"
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done
NAMESPACES=()

# ---- 3. ip -6 ntable, /proc/net/stat/ndisc_cache, /proc/net/if_inet6, /proc/net/snmp6 --------------
mkpair ntable
a="ip netns exec $A"
$a ip neigh add fd00:1::2 lladdr 02:00:00:00:00:02 dev d0
$a ping -c1 -W1 fd00:1::99 >/dev/null
$a sysctl -qw net.ipv6.neigh.d0.app_solicit=1 net.ipv6.neigh.d0.ucast_solicit=2 net.ipv6.neigh.d0.gc_stale_time=120
$a ip -6 ntable show name ndisc_cache dev d0    >"$OUT/ip-6-ntable-show-name-dev.txt"
$a ip -6 -j ntable show name ndisc_cache dev d0 >"$OUT/ip-6-j-ntable-show-name-dev.json"
$a ip ntable show name ndisc_cache              >"$OUT/ip-6-ntable-show-name.txt"
for attempt in 1 2 3 4 5; do
  # The dates in `ip -s ntable` are wall clock minus an age: keep the run inside one second.
  t0=$(date +%s)
  $a ip -s -6 ntable show name ndisc_cache     >"$OUT/ip-6-s-ntable-show-name.txt"
  $a ip -s -j -6 ntable show name ndisc_cache  >"$OUT/ip-6-s-j-ntable-show-name.json"
  t1=$(date +%s)
  [ "$t0" = "$t1" ] && break
done
cat /proc/net/stat/ndisc_cache >"$OUT/proc-net-stat-ndisc_cache.txt"
$a cat /proc/net/if_inet6 >"$OUT/proc-net-if_inet6.txt"
$a cat /proc/net/snmp6 >"$OUT/proc-net-snmp6.txt"
{
  echo "captured_epoch_s $t0"
  echo "tz_offset $(date +%z)"
  echo "iproute2 $(ip -V)"
  echo "iputils $(ping -V | head -1)"
  echo "kernel $(uname -r)"
} >"$OUT/meta-ipv6.txt"
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done
NAMESPACES=()

# ---- 4. ip monitor neigh, both families and -6 ----------------------------------------------------
mkpair mon
a="ip netns exec $A"
$a sysctl -qw net.ipv6.neigh.d0.delay_first_probe_time=1
$a ip monitor neigh >"$OUT/ip-monitor-neigh-both.txt" &
MONPIDS+=($!)
$a ip -6 monitor neigh >"$OUT/ip-6-monitor-neigh.txt" &
MONPIDS+=($!)
sleep 0.5
$a ip neigh add 10.0.0.40 lladdr 02:00:00:00:00:40 dev d0
$a ip neigh add fd00:1::40 lladdr 02:00:00:00:00:40 dev d0                 # PERMANENT
$a ip neigh add fd00:1::41 lladdr 02:00:00:00:00:41 dev d0 nud stale router
$a ip neigh change fd00:1::41 lladdr 02:00:00:00:00:41 dev d0 nud reachable router
$a ip neigh del fd00:1::40 dev d0                                           # FAILED, then Deleted
$a ip neigh del 10.0.0.40 dev d0
$a ip neigh del fd00:1::41 dev d0
$a ip neigh add fd00:1::99 lladdr 02:00:00:00:00:99 dev d0 nud stale
$a ping -c1 -W1 fd00:1::99 >/dev/null   # STALE -> DELAY (silent) -> PROBE -> REACHABLE
sleep 2
for p in "${MONPIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
MONPIDS=()

echo "capture-golden-ipv6: wrote the IPv6 goldens to $OUT"
