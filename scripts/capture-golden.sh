#!/usr/bin/env bash
# Captures, from the REAL kernel and tools, the text that the formatters in src/cli/fmt_*.ts must
# reproduce byte for byte (test/unit/cli_format.test.ts compares against these files).
#
# REGENERATE:   sudo bash scripts/capture-golden.sh [OUTDIR]      (default OUTDIR: test/golden)
#
# Needs root, iproute2 (ip), net-tools (arp) and iputils (ping). Everything happens in private
# network namespaces this script creates and always removes (trap); nothing outside them is
# changed. /proc/net/stat/arp_cache exists only in the initial namespace, so it is read (never
# written) there.
#
# What is deterministic and what is not (the test relies on this):
# - States, addresses, flags and -s ages are deterministic: every entry is created and every
#   listing taken within one second, so ages read 0 (or 60 for confirmed = now - 2*base_reachable);
#   the script checks this and retries if the machine was too slow.
# - Row ORDER is the kernel's hash order (random per boot); the test orders its fixtures by where
#   each address appears in the golden.
# - reachable_time, hash_rnd, the table-wide statistics, "entries" and the last_flush/last_rand
#   dates depend on the host (the ARP table is shared by every namespace); the test reads exactly
#   those numbers back from the golden and checks everything else. meta.txt records the wall clock
#   (epoch seconds) at which `ip -s ntable` ran, so the dates can be rebuilt from millisecond ages.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-test/golden}"
die() { echo "capture-golden: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in ip arp ping; do command -v "$t" >/dev/null || die "'$t' not found"; done
mkdir -p "$OUT"

NAMESPACES=()
MONPID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$MONPID" ]; then kill "$MONPID" 2>/dev/null || true; wait "$MONPID" 2>/dev/null || true; fi
  for ns in "${NAMESPACES[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mkpair TAG: namespace A (d0, 10.0.0.1/24, 02:00:00:00:00:01) linked by a veth to namespace B
# (d1, 10.0.0.99/24, 02:00:00:00:00:99), IPv6 off so no ndisc entries appear. Sets A and B.
mkpair() {
  A="capgold-$1-a-$$"
  B="capgold-$1-b-$$"
  ip netns add "$A"; NAMESPACES+=("$A")
  ip netns add "$B"; NAMESPACES+=("$B")
  for ns in "$A" "$B"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$A" link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:99 netns "$B"
  ip -n "$A" addr add 10.0.0.1/24 dev d0
  ip -n "$B" addr add 10.0.0.99/24 dev d1
  ip -n "$A" link set d0 up
  ip -n "$B" link set d1 up
}

# ---- 1. one table, every state, listed by every tool ----------------------------------------------
snapshot_once() {
  mkpair snap
  local a="ip netns exec $A"
  $a ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev d0
  $a ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev d0 nud reachable
  $a ip neigh add 10.0.0.4 lladdr 02:00:00:00:00:04 dev d0 nud stale router
  $a ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev d0 nud noarp
  $a ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev d0 nud stale
  $a ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev d0 nud probe
  $a ip neigh add 10.0.0.8 dev d0 nud failed
  $a ip neigh add 10.0.0.9 dev d0 nud incomplete
  $a ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev d0 extern_learn
  $a ip neigh add 10.0.0.11 lladdr 02:00:00:00:00:0b dev d0 nud stale protocol static
  $a ip neigh add 10.0.0.12 lladdr 02:00:00:00:00:0c dev d0 nud none
  $a ip neigh add 10.0.0.13 lladdr 02:00:00:00:00:0d dev d0 nud permanent router
  $a ip neigh add 10.0.0.14 lladdr 02:00:00:00:00:0e dev d0 nud noarp extern_learn
  $a ip neigh add 10.0.0.15 lladdr 02:00:00:00:00:0f dev d0 nud reachable
  $a ip neigh change 10.0.0.15 dev d0 nud failed          # FAILED, but the kernel keeps the old ha
  $a ip neigh add 10.0.0.16 lladdr 02:00:00:00:00:10 dev d0 nud stale protocol 77
  $a ip neigh add 10.0.0.17 lladdr 02:00:00:00:00:11 dev d0 nud stale router extern_learn
  $a ip neigh add 10.0.0.21 dev d0 managed extern_learn  # resolved in the background: INCOMPLETE
  $a ip neigh add proxy 10.0.0.50 dev d0
  $a ip neigh add proxy 10.0.0.51
  $a ip neigh add proxy 10.0.0.52 dev d0 router
  $a ip neigh add proxy 10.0.0.53 dev d0 protocol static
  $a ping -c1 -W1 10.0.0.99 >/dev/null                   # resolved by traffic: REACHABLE
  ( $a ping -c1 -W1 10.0.0.6 >/dev/null 2>&1 || true ) &  # STALE + traffic: DELAY
  ( $a ping -c1 -W1 10.0.0.20 >/dev/null 2>&1 || true ) & # nobody there: INCOMPLETE
  sleep 0.2

  $a ip neigh show                 >"$OUT/ip-neigh-show.txt"
  $a ip -s neigh show              >"$OUT/ip-s-neigh-show.txt"
  $a ip -j neigh show              >"$OUT/ip-j-neigh-show.json"
  $a ip -s -j neigh show           >"$OUT/ip-s-j-neigh-show.json"
  $a ip neigh show nud all         >"$OUT/ip-neigh-show-nud-all.txt"
  $a ip -j neigh show nud all      >"$OUT/ip-j-neigh-show-nud-all.json"
  $a ip neigh show dev d0          >"$OUT/ip-neigh-show-dev.txt"
  $a ip -s neigh show dev d0       >"$OUT/ip-s-neigh-show-dev.txt"
  $a ip neigh show proxy           >"$OUT/ip-neigh-show-proxy.txt"
  $a ip -s neigh show proxy        >"$OUT/ip-s-neigh-show-proxy.txt"
  $a ip -j neigh show proxy        >"$OUT/ip-j-neigh-show-proxy.json"
  $a arp -n                        >"$OUT/arp-n.txt"
  $a arp -an                       >"$OUT/arp-an.txt"
  $a arp -a                        >"$OUT/arp-a.txt"
  $a cat /proc/net/arp             >"$OUT/proc-net-arp.txt"
  $a ip neigh show 10.9.9.9        >"$OUT/ip-neigh-show-empty.txt"
  $a ip -j neigh show 10.9.9.9     >"$OUT/ip-j-neigh-show-empty.json"
  wait
}

ages_ok() {
  # used/confirmed/updated must all read 0 (confirmed may read 60): see the header.
  ! grep -ho 'used [0-9/]*' "$OUT/ip-s-neigh-show.txt" "$OUT/ip-s-neigh-show-dev.txt" |
    grep -qvE '^used 0/(0|60)/0$'
}

for attempt in 1 2 3; do
  snapshot_once
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done
  NAMESPACES=()
  if ages_ok; then break; fi
  [ "$attempt" -lt 3 ] || die "ages were not all 0 after 3 attempts (machine too slow?)"
  echo "capture-golden: ages moved during the capture, retrying" >&2
done

# ---- 2. ip ntable and /proc/net/stat/arp_cache ------------------------------------------------
mkpair ntable
a="ip netns exec $A"
$a sysctl -qw net.ipv4.neigh.d0.app_solicit=1 net.ipv4.neigh.d0.ucast_solicit=2 \
  net.ipv4.neigh.d0.gc_stale_time=120
$a ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev d0
$a ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev d0 nud stale
$a ip ntable show name arp_cache      >"$OUT/ip-ntable-show-name.txt"
$a ip ntable show dev d0              >"$OUT/ip-ntable-show-dev.txt"
$a ip -j ntable show name arp_cache   >"$OUT/ip-j-ntable-show-name.json"
for attempt in 1 2 3 4 5; do
  # The dates in `ip -s ntable` are wall clock minus an age: keep the run inside one second.
  t0=$(date +%s)
  $a ip -s ntable show name arp_cache   >"$OUT/ip-s-ntable-show-name.txt"
  $a ip -s -j ntable show name arp_cache >"$OUT/ip-s-j-ntable-show-name.json"
  t1=$(date +%s)
  [ "$t0" = "$t1" ] && break
done
cat /proc/net/stat/arp_cache >"$OUT/proc-net-stat-arp_cache.txt"
{
  echo "captured_epoch_s $t0"
  echo "tz_offset $(date +%z)"
  echo "iproute2 $(ip -V)"
  echo "net-tools $(arp -V 2>&1 | head -1)"
  echo "kernel $(uname -r)"
} >"$OUT/meta.txt"
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done
NAMESPACES=()

# ---- 3. ip monitor neigh -------------------------------------------------------------------------
mkpair mon
a="ip netns exec $A"
$a sysctl -qw net.ipv4.neigh.d0.delay_first_probe_time=1
$a ip monitor neigh >"$OUT/ip-monitor-neigh.txt" &
MONPID=$!
sleep 0.5
$a ip neigh add 10.0.0.40 lladdr 02:00:00:00:00:40 dev d0              # PERMANENT
$a ip neigh add 10.0.0.41 lladdr 02:00:00:00:00:41 dev d0 nud stale router
$a ip neigh change 10.0.0.41 lladdr 02:00:00:00:00:41 dev d0 nud reachable router
$a ip neigh del 10.0.0.40 dev d0                                        # FAILED, then Deleted
$a ip neigh del 10.0.0.41 dev d0
$a ip neigh add 10.0.0.99 lladdr 02:00:00:00:00:99 dev d0 nud stale
$a ping -c1 -W1 10.0.0.99 >/dev/null   # STALE -> DELAY (silent) -> PROBE -> REACHABLE
sleep 2
$a sysctl -qw net.ipv4.neigh.d0.app_solicit=1
$a ping -c1 -W1 10.0.0.30 >/dev/null 2>&1 || true   # miss (app probe), then FAILED after 4 s
sleep 4.5
kill "$MONPID"; wait "$MONPID" 2>/dev/null || true
MONPID=""

echo "capture-golden: wrote $(ls "$OUT" | wc -l) files to $OUT"
