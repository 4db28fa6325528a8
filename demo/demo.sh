#!/usr/bin/env bash
# radish demo: serve examples/seed-vlan30.toml in a throw-away network
# namespace lab and show what two Linux hosts learn from it.
#
#   router namespace: bridge "vlan30" (the link the seed config serves),
#                     radish serve, IPv6 forwarding on
#   host namespaces:  eth0, a veth whose peer is a port of vlan30;
#                     accept_ra=2, autoconf=1 (SLAAC)
#
# Every namespace is named radish-demo-PID-*; a trap stops radish (by PID)
# and deletes the namespaces on exit, error or Ctrl-C. Needs root, ip
# (iproute2), rdisc6 (ndisc6) and dhclient (isc-dhcp-client).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/radish
SEED=$ROOT/examples/seed-vlan30.toml
PREFIX=2605:fd00:0:10:
TIMEOUT=${DEMO_TIMEOUT:-30}

die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: apt-get install $2"; }
need ip iproute2
need rdisc6 ndisc6
need dhclient isc-dhcp-client
if [ ! -x "$BIN" ]; then
  echo "== building bin/radish"
  make -s build
fi

ID=radish-demo-$$
R=$ID-router
HOSTS=("$ID-h1" "$ID-h2")
TMP=$(mktemp -d "/tmp/$ID.XXXXXX")
RADISH_PID=
DHCLIENT_PIDS=()

cleanup() {
  local rc=$?
  set +e
  for p in "${DHCLIENT_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "$RADISH_PID" ] && kill -0 "$RADISH_PID" 2>/dev/null; then
    kill -TERM "$RADISH_PID"
    for _ in $(seq 50); do kill -0 "$RADISH_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$RADISH_PID" 2>/dev/null
  fi
  if [ "$rc" != 0 ] && [ -s "$TMP/radish.log" ]; then
    echo "== radish log"; cat "$TMP/radish.log"
  fi
  for ns in "${HOSTS[@]}" "$R"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== lab: router namespace $R with bridge vlan30, hosts ${HOSTS[*]}"
ip netns add "$R"
ip -n "$R" link set lo up
ip -n "$R" link add vlan30 type bridge stp_state 0 mcast_snooping 0
i=0
for h in "${HOSTS[@]}"; do
  i=$((i + 1))
  ip netns add "$h"
  ip -n "$h" link set lo up
  ip -n "$R" link add "port$i" type veth peer name eth0 netns "$h"
  ip -n "$R" link set "port$i" master vlan30 up
  ip netns exec "$h" sysctl -qw net.ipv6.conf.eth0.accept_ra=2 net.ipv6.conf.eth0.autoconf=1
done
# A router forwards: otherwise radish advertises Router Lifetime 0
# (RFC 4861 §6.2.5) and the hosts install no default route.
ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$R" link set vlan30 up

# The seed config as it is, plus a state directory for the DHCPv6 server's
# DUID inside the lab's temporary directory (instead of /var/lib/radish).
CFG=$TMP/radish.toml
{ cat "$SEED"; printf '\n[dhcpv6]\nstate_dir = "%s"\n' "$TMP"; } > "$CFG"

echo "== radish serve -c examples/seed-vlan30.toml (in $R)"
ip netns exec "$R" "$BIN" serve -c "$CFG" 2> "$TMP/radish.log" &
RADISH_PID=$!
for _ in $(seq 100); do
  grep -q 'msg=ready' "$TMP/radish.log" && break
  kill -0 "$RADISH_PID" 2>/dev/null || die "radish exited"
  sleep 0.1
done
grep -q 'msg=ready' "$TMP/radish.log" || die "radish not ready after 10s"
sed 's/^/   radish: /' "$TMP/radish.log"

# Bring the hosts up now: their Router Solicitations are answered at once.
for h in "${HOSTS[@]}"; do ip -n "$h" link set eth0 up; done

slaac_addr() { ip -n "$1" -6 -o addr show dev eth0 scope global | awk '{print $4}' | grep "^$PREFIX" | head -1; }
default_route() { ip -n "$1" -6 route show default dev eth0 | head -1; }
configured() {
  local a r
  a=$(ip -n "$1" -6 -o addr show dev eth0 scope global | grep "$PREFIX" | grep -v tentative || true)
  r=$(default_route "$1")
  [ -n "$a" ] && [[ "$r" == *"pref high"* ]]
}

# DNS servers over DHCPv6: dhclient -6 -S sends an Information-request;
# its script prints what the Reply carried.
for h in "${HOSTS[@]}"; do
  cat > "$TMP/$h.sh" <<SCRIPT
#!/bin/sh
[ -n "\$new_dhcp6_name_servers" ] && echo "\$new_dhcp6_name_servers" >> "$TMP/$h.dns"
exit 0
SCRIPT
  chmod +x "$TMP/$h.sh"
done

FAIL=0
declare -A ADDR ROUTE RDNSS DHCP
for h in "${HOSTS[@]}"; do
  echo "== $h: waiting for SLAAC and the default route (up to ${TIMEOUT}s)"
  ok=0
  for _ in $(seq $((TIMEOUT * 10))); do
    if configured "$h"; then ok=1; break; fi
    sleep 0.1
  done
  ADDR[$h]=$(slaac_addr "$h")
  ROUTE[$h]=$(default_route "$h")
  if [ "$ok" != 1 ]; then
    echo "   $h did not get an address in ${PREFIX}:/64 and a default route with pref high" >&2
    FAIL=1
  fi
  RDNSS[$h]=$(ip netns exec "$h" rdisc6 -1 -n -w 1500 -r 3 eth0 2>/dev/null |
    sed -n 's/^ *Recursive DNS server *: *//p' | tr '\n' ' ' | sed 's/ $//' || true)
  [ -n "${RDNSS[$h]}" ] || FAIL=1

  timeout 20 ip netns exec "$h" dhclient -6 -S -1 -d -sf "$TMP/$h.sh" \
    -lf "$TMP/$h.lease" -pf "$TMP/$h.pid" eth0 >"$TMP/$h.dhclient" 2>&1 &
  DHCLIENT_PIDS+=($!)
  for _ in $(seq 150); do [ -s "$TMP/$h.dns" ] && break; sleep 0.1; done
  DHCP[$h]=$(head -1 "$TMP/$h.dns" 2>/dev/null || true)
  [ -n "${DHCP[$h]}" ] || { FAIL=1; sed 's/^/   dhclient: /' "$TMP/$h.dhclient"; }
done

echo
echo "== what the hosts learned from radish"
for h in "${HOSTS[@]}"; do
  echo "$h:"
  printf '   SLAAC address     %s\n' "${ADDR[$h]:-(none)}"
  printf '   default route     %s\n' "${ROUTE[$h]:-(none)}"
  printf '   RDNSS (RA)        %s\n' "${RDNSS[$h]:-(none)}"
  printf '   DNS (DHCPv6)      %s\n' "${DHCP[$h]:-(none)}"
done

echo
echo "== stopping radish (SIGTERM): final RA with Router Lifetime 0"
kill -TERM "$RADISH_PID"
rc=0; wait "$RADISH_PID" || rc=$?
RADISH_PID=
echo "   radish exited with status $rc"
[ "$rc" = 0 ] || FAIL=1
for h in "${HOSTS[@]}"; do
  gone=0
  for _ in $(seq 30); do [ -z "$(default_route "$h")" ] && { gone=1; break; }; sleep 0.1; done
  if [ "$gone" = 1 ]; then echo "   $h: default route removed"; else echo "   $h: default route still present"; FAIL=1; fi
done

echo
if [ "$FAIL" = 0 ]; then
  echo "demo: OK — both hosts configured by radish (SLAAC, default route pref high, RDNSS, DHCPv6 DNS)"
else
  echo "demo: FAILED — see above" >&2
fi
exit "$FAIL"
