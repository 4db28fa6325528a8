#!/usr/bin/env bash
# Measure radish serve with the seed config on one link: the time from
# starting the process to the first Router Advertisement seen on the
# host's wire (tshark timestamps), and the resident memory after IDLE
# seconds. Root; needs ip, tshark. Usage: demo/measure.sh [IDLE]
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${1:-30}
[ "$(id -u)" = 0 ] || { echo "measure: must run as root" >&2; exit 1; }
command -v tshark >/dev/null || { echo "measure: tshark not found: apt-get install tshark" >&2; exit 1; }
[ -x bin/radish ] || make -s build
R=radish-measure-$$-r
H=radish-measure-$$-h
TMP=$(mktemp -d "/tmp/radish-measure-$$.XXXXXX")
RP= TP=
cleanup() {
  set +e
  [ -n "$RP" ] && kill "$RP" 2>/dev/null && wait "$RP" 2>/dev/null
  [ -n "$TP" ] && kill "$TP" 2>/dev/null && wait "$TP" 2>/dev/null
  ip netns del "$R" 2>/dev/null; ip netns del "$H" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$R"; ip netns add "$H"
ip -n "$R" link set lo up; ip -n "$H" link set lo up
ip -n "$R" link add vlan30 type bridge stp_state 0 mcast_snooping 0
ip -n "$R" link add p0 type veth peer name eth0 netns "$H"
ip -n "$R" link set p0 master vlan30 up
ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$R" link set vlan30 up; ip -n "$H" link set eth0 up
sleep 3 # link-local DAD on both sides
{ cat examples/seed-vlan30.toml; printf '\n[dhcpv6]\nstate_dir = "%s"\n' "$TMP"; } > "$TMP/radish.toml"
ip netns exec "$H" tshark -i eth0 -l -n -t e -f "icmp6 and ip6[40] == 134" > "$TMP/cap" 2> "$TMP/tshark" &
TP=$!
for _ in $(seq 200); do grep -q "Capturing on" "$TMP/tshark" && break; sleep 0.05; done
grep -q "Capturing on" "$TMP/tshark" || { echo "measure: tshark did not start" >&2; cat "$TMP/tshark" >&2; exit 1; }
sleep 0.2
T0=$(date +%s.%N)
ip netns exec "$R" bin/radish serve -c "$TMP/radish.toml" --log-level warn 2> "$TMP/log" &
RP=$!
for _ in $(seq 400); do [ -s "$TMP/cap" ] && break; sleep 0.05; done
T1=$(awk '{print $2; exit}' "$TMP/cap")
[ -n "$T1" ] || { echo "measure: no RA seen within 20 s" >&2; cat "$TMP/log" >&2; exit 1; }
awk -v a="$T0" -v b="$T1" 'BEGIN { printf "start to first RA on the wire: %.1f ms\n", (b - a) * 1000 }'
sleep "$IDLE"
echo "after ${IDLE}s idle: $(grep -E 'VmRSS' /proc/$RP/status | tr -s ' \t' ' '), $(grep Threads /proc/$RP/status | tr -s ' \t' ' ')"
