#!/usr/bin/env bash
# Captures how the REAL kernel and procps sysctl answer odd values for every setting tapstack has
# (test/unit/sysctl_golden.test.ts replays the same writes through `tapstack sysctl`).
#
# REGENERATE:   sudo bash scripts/capture-sysctl-golden.sh [OUT]   (default test/golden/sysctl-odd-values.tsv)
#
# Needs root, iproute2 and procps sysctl. Everything happens in a private network namespace this
# script creates and always removes (trap); nothing outside it is written. A non-initial
# namespace has no net.ipv4.neigh.default, so the neighbour settings are those of a device (eth0,
# a veth). One line per write: KEY, VALUE, exit status, stdout, stderr (newlines dropped), and
# `sysctl -n KEY` afterwards; each value is put back before the next. The first line records HZ:
# readbacks of USER_HZ and millisecond settings depend on it (tapstack models HZ=1000).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-test/golden/sysctl-odd-values.tsv}"
[ "$(id -u)" -eq 0 ] || { echo "capture-sysctl-golden: needs root" >&2; exit 1; }
NS="tscap-sysctl-$$"
ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns exec "$NS" bash -s > "$OUT.tmp" <<'INNER'
ip link add eth0 type veth peer name p0
CONF="forwarding arp_filter arp_announce arp_ignore arp_accept arp_notify arp_evict_nocarrier drop_gratuitous_arp proxy_arp proxy_arp_pvlan medium_id shared_media accept_local log_martians"
NEIGH="mcast_solicit ucast_solicit app_solicit mcast_resolicit retrans_time base_reachable_time delay_first_probe_time interval_probe_time_ms gc_stale_time unres_qlen_bytes proxy_qlen anycast_delay proxy_delay locktime unres_qlen retrans_time_ms base_reachable_time_ms"
VALUES=(-1 -2 9 2147483647 2147483648 -2147483648 -2147483649 abc '' 0x10 '1 2')
# CONFIG_HZ is not visible from userspace directly; retrans_time_ms=1001 reads back rounded to a jiffy.
sysctl -qw net.ipv4.neigh.eth0.retrans_time_ms=1001
printf '#HZ\t%s\n' "$(( 1000 / ($(sysctl -n net.ipv4.neigh.eth0.retrans_time_ms) - 1000) ))"
sysctl -qw net.ipv4.neigh.eth0.retrans_time_ms=1000
keys=()
for s in all default eth0; do for k in $CONF; do keys+=("net.ipv4.conf.$s.$k"); done; done
keys+=(net.ipv4.ip_forward)
for k in $NEIGH; do keys+=("net.ipv4.neigh.eth0.$k"); done
for key in "${keys[@]}"; do
  orig=$(sysctl -n "$key")
  for v in "${VALUES[@]}"; do
    out=$(sysctl -w "$key=$v" 2>/tmp/tscap-sysctl-err.$$) && rc=0 || rc=$?
    err=$(tr -d '\n' < /tmp/tscap-sysctl-err.$$)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$v" "$rc" "$out" "$err" "$(sysctl -n "$key")"
    sysctl -qw "$key=$orig"
  done
done
rm -f /tmp/tscap-sysctl-err.$$
INNER
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(wc -l < "$OUT") lines)"
