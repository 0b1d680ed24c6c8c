#!/bin/sh
# Regenerates test/golden/ethtool/: ethtool 6.1's view of a Linux TAP opened by tapstack with
# offloads (IFF_VNET_HDR, TUNSETOFFLOAD), through a sequence of -K requests, in a private
# namespace that is removed at the end. Needs root, ethtool and a built tapstack (npm run build).
set -eu
cd "$(dirname "$0")/.."
OUT=test/golden/ethtool
NS=ethgold-$$
mkdir -p "$OUT"
ip netns add "$NS"
trap 'ip netns pids "$NS" 2>/dev/null | xargs -r kill; sleep 0.3; ip netns del "$NS"' EXIT
ip netns exec "$NS" node dist/cli/main.js up --dev tap0 --addr 10.0.0.2/24 >/dev/null 2>&1 &
sleep 2
e() { ip netns exec "$NS" ethtool "$@"; }
e -k tap0 > "$OUT/k-offload.txt"
e -K tap0 tso off; e -k tap0 > "$OUT/k-tsooff.txt"
e -K tap0 tx off || true; e -k tap0 > "$OUT/k-txoff.txt"
e -K tap0 tso on || true; e -k tap0 > "$OUT/k-tsoon-txoff.txt"
ip netns exec "$NS" ip tuntap add dev t1 mode tap
e -k t1 > "$OUT/k-plain.txt"
# The -K cases of K-cases.txt, each with its status and both streams, on a fresh stack.
ip netns pids "$NS" | xargs -r kill; sleep 0.5
ip netns exec "$NS" node dist/cli/main.js up --dev tap0 --addr 10.0.0.2/24 >/dev/null 2>&1 &
sleep 2
run() { echo "### ethtool $*"; set +e; e "$@" >/tmp/ethgold.o.$$ 2>/tmp/ethgold.e.$$; echo "rc=$?"; set -e; echo "--stdout"; cat /tmp/ethgold.o.$$; echo "--stderr"; cat /tmp/ethgold.e.$$; }
{
  run -K tap0 tso off; run -K tap0 tso off; run -K tap0 tx off; run -K tap0 tso on; run -K tap0 tx on; run -K tap0 tso on
  run -K tap0 foo on; run -K tap0 rx-vlan-filter on; run -K tap0 tso; run -K tap0 tso maybe; run -K tap0; run -k nosuch
  run -K nosuch tso off; run -K tap0 gro off gso off; run -K tap0 gro on gso on; run -K tap0 rx off; run -K tap0 rx on
  run -K tap0 sg off; run -K tap0 sg on tso on; run -K tap0 tcp-segmentation-offload off; run -K tap0 tx-tcp6-segmentation on
  run -K tap0 rx-gro-hw on; run -k; run -S tap0; run -i tap0; run --version
} > "$OUT/K-cases.txt" 2>&1
rm -f /tmp/ethgold.o.$$ /tmp/ethgold.e.$$
