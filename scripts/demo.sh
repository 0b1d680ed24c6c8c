#!/usr/bin/env bash
# The tapstack demo: a private network namespace with a TAP device, the stack attached to it at
# 10.0.0.2, and the Linux kernel (at 10.0.0.1) pinging it. Everything is torn down on exit,
# Ctrl-C or failure; nothing outside the namespace is touched. Its files live in one directory
# under $TMPDIR (default /tmp), removed on every way out.
#
# Ctrl-C: bash 5.2 can lose a SIGINT that arrives while it waits for a command substitution
# (the trap never runs), so where a Ctrl-C is likely to land, values are read with builtins, not
# with $(...).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces and TAP devices): run 'sudo npm run demo'"
[ -c /dev/net/tun ] || die "/dev/net/tun is missing (modprobe tun)"
command -v ip >/dev/null || die "'ip' not found: apt-get install iproute2"
command -v ping >/dev/null || die "'ping' not found: apt-get install iputils-ping"
command -v setsid >/dev/null || die "'setsid' not found: apt-get install util-linux"
if [ ! -f build/Release/tapstack_native.node ] || [ ! -f dist/cli/main.js ]; then
  echo "demo: building tapstack first (npm run build)"
  npm run --silent build
fi

NS="tapdemo-$$"
DEV=tap0
TMP=""
LOG=""
STACK_PID=""
cleanup() {
  local rc=$? i
  # Runs once, to the end: a second Ctrl-C (or npm passing the first one on) must not cut it short.
  trap '' INT TERM HUP
  trap - EXIT
  # Interrupted between starting the stack and noting its pid: it is still the last background job.
  STACK_PID=${STACK_PID:-${!:-}}
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    # Interrupted while the stack was starting: let it come up first (its status line follows its
    # signal handlers), so that it stops cleanly, removes its TAP and control socket, and says so.
    for ((i = 0; i < 50; i++)); do grep -qs "lladdr" "$LOG" && break; kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -INT "$STACK_PID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$STACK_PID" 2>/dev/null || true
    wait "$STACK_PID" 2>/dev/null || true
  fi
  [ -s "$LOG" ] && sed 's/^/  stack| /' "$LOG"
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  [ -z "$TMP" ] || rm -rf "$TMP"
  echo "demo: namespace $NS removed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# After the traps, so that it cannot be left behind (a SIGINT lost here only lets the demo finish).
TMP="$(mktemp -d -t tapdemo.XXXXXX)"
LOG="$TMP/stack.log"
: >"$LOG"

echo "demo: creating network namespace $NS"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

echo "demo: starting tapstack on $DEV at 10.0.0.2/24"
# In a session of its own: Ctrl-C goes to the terminal's whole foreground process group, and the
# stack must get one SIGINT, from cleanup, once it is up. From the terminal it would come while
# Node starts (and kill it before it can clean up) or take tap0 from the commands below.
setsid ip netns exec "$NS" node dist/cli/main.js up --dev "$DEV" --addr 10.0.0.2/24 --via 10.0.0.1 >"$LOG" 2>&1 &
STACK_PID=$!
STACK_MAC=""
for ((i = 0; i < 100; i++)); do
  while read -r line; do
    [[ $line =~ \ lladdr\ ([0-9a-f:]+)\  ]] && STACK_MAC=${BASH_REMATCH[1]} && break
  done <"$LOG"
  [ -n "$STACK_MAC" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || die "tapstack exited early"
  sleep 0.1
done
[ -n "$STACK_MAC" ] || die "tapstack did not come up"
echo "demo: tapstack is up with MAC $STACK_MAC"

ip netns exec "$NS" ip addr add 10.0.0.1/24 dev "$DEV"
echo "demo: kernel side $DEV is 10.0.0.1/24; pinging the stack 5 times"
echo
# tee -i: on Ctrl-C, ping's closing statistics still reach the screen, as with ping alone.
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.0.0.2 | tee -i "$TMP/ping" || true
echo
ip netns exec "$NS" ip neigh show 10.0.0.2 dev "$DEV" >"$TMP/neigh"
NEIGH=""
read -r NEIGH <"$TMP/neigh" || true
echo "demo: the kernel's neighbour entry for the stack:"
echo "  $NEIGH"
RECEIVED=0
while read -r line; do
  [[ $line =~ \ ([0-9]+)\ received ]] && RECEIVED=${BASH_REMATCH[1]}
done <"$TMP/ping"
case "$NEIGH " in *"lladdr $STACK_MAC "*) MAC_OK=1 ;; *) MAC_OK=0 ;; esac
if [ "$RECEIVED" = 5 ] && [ "$MAC_OK" = 1 ]; then
  echo "demo: OK — 5/5 replies, and the kernel learned the stack's MAC $STACK_MAC by ARP"
else
  die "FAILED — $RECEIVED/5 replies, kernel entry: '$NEIGH' (stack MAC $STACK_MAC)"
fi
