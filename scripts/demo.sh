#!/usr/bin/env bash
# The tapstack demo: a private network namespace with a TAP device, the stack attached to it at
# 10.0.0.2, and the Linux kernel (at 10.0.0.1) pinging it. Everything is torn down on exit,
# Ctrl-C or failure; nothing outside the namespace is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces and TAP devices): run 'sudo npm run demo'"
[ -c /dev/net/tun ] || die "/dev/net/tun is missing (modprobe tun)"
command -v ip >/dev/null || die "'ip' not found: apt-get install iproute2"
command -v ping >/dev/null || die "'ping' not found: apt-get install iputils-ping"
if [ ! -f build/Release/tapstack_native.node ] || [ ! -f dist/cli/main.js ]; then
  echo "demo: building tapstack first (npm run build)"
  npm run --silent build
fi

NS="tapdemo-$$"
DEV=tap0
LOG="$(mktemp)"
STACK_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    kill -INT "$STACK_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$STACK_PID" 2>/dev/null || true
  fi
  [ -s "$LOG" ] && sed 's/^/  stack| /' "$LOG"
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -f "$LOG"
  echo "demo: namespace $NS removed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo: creating network namespace $NS"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

echo "demo: starting tapstack on $DEV at 10.0.0.2/24"
ip netns exec "$NS" node dist/cli/main.js up --dev "$DEV" --addr 10.0.0.2/24 --via 10.0.0.1 >"$LOG" 2>&1 &
STACK_PID=$!
for _ in $(seq 100); do
  grep -q "lladdr" "$LOG" && break
  kill -0 "$STACK_PID" 2>/dev/null || die "tapstack exited early"
  sleep 0.1
done
grep -q "lladdr" "$LOG" || die "tapstack did not come up"
STACK_MAC=$(sed -n 's/.* lladdr \([0-9a-f:]*\) .*/\1/p' "$LOG" | head -n1)
echo "demo: tapstack is up with MAC $STACK_MAC"

ip netns exec "$NS" ip addr add 10.0.0.1/24 dev "$DEV"
echo "demo: kernel side $DEV is 10.0.0.1/24; pinging the stack 5 times"
echo
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.0.0.2 | tee "$LOG.ping" || true
echo
NEIGH=$(ip netns exec "$NS" ip neigh show 10.0.0.2 dev "$DEV")
echo "demo: the kernel's neighbour entry for the stack:"
echo "  $NEIGH"
RECEIVED=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$LOG.ping")
rm -f "$LOG.ping"
case "$NEIGH" in *"lladdr $STACK_MAC "*) MAC_OK=1 ;; *) MAC_OK=0 ;; esac
if [ "${RECEIVED:-0}" = 5 ] && [ "$MAC_OK" = 1 ]; then
  echo "demo: OK — 5/5 replies, and the kernel learned the stack's MAC $STACK_MAC by ARP"
else
  die "FAILED — ${RECEIVED:-0}/5 replies, kernel entry: '$NEIGH' (stack MAC $STACK_MAC)"
fi
