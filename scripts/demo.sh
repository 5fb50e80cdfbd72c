#!/usr/bin/env bash
# demo.sh: a throwaway lab that shows the agent getting, showing and releasing
# leases on two NICs. Two network namespaces joined by two veth pairs:
# dnsmasq serves 198.18.0.0/24 on veth-srv and 198.18.1.0/24 on veth-srv2 in
# dhademo-srv, each subnet with its own router and DNS; bin/agent manages
# veth-cli (the primary) and veth-cli2 in dhademo-cli: two default routes
# with their own metrics, and one resolv.conf merged from both (a file of the
# demo's own, never the host's /etc/resolv.conf). Nothing touches the host's
# own interfaces, and everything the script starts is stopped and removed on
# exit, failure included.
#
# Needs root, binaries in ./bin (make build) and scripts/deps.sh.
set -euo pipefail

SRV_NS=dhademo-srv
CLI_NS=dhademo-cli
CLI_IF=veth-cli
SRV_IF=veth-srv
CLI_IF2=veth-cli2
SRV_IF2=veth-srv2

cd "$(dirname "$0")/.."

die() {
	echo "demo: $*" >&2
	exit 1
}

[[ "$(id -u)" -eq 0 ]] || die "must be run as root (network namespaces)"
[[ -x bin/agent && -x bin/agentctl ]] || die "bin/agent or bin/agentctl missing: run 'make build'"
command -v dnsmasq >/dev/null || die "dnsmasq missing: run scripts/deps.sh"
command -v ip >/dev/null || die "ip (iproute2) missing: run scripts/deps.sh"

TMP=$(mktemp -d /tmp/dhademo.XXXXXX)
DNSMASQ_PID=
AGENT_PID=

# stop PID: SIGTERM, up to 5 s grace, then SIGKILL.
stop() {
	local pid=$1 i
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

teardown() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ $rc -ne 0 && -s "$TMP/agent.log" ]]; then
		echo "--- agent log (last 40 lines) ---" >&2
		tail -n 40 "$TMP/agent.log" >&2
	fi
	stop "$AGENT_PID"
	stop "$DNSMASQ_PID"
	ip netns del "$CLI_NS" 2>/dev/null || true
	ip netns del "$SRV_NS" 2>/dev/null || true
	rm -rf "$TMP"
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# wait_for CMD...: up to 5 s for CMD to succeed (the agent updates DNS on a
# worker of its own, just after it answers).
wait_for() {
	local i
	for ((i = 0; i < 50; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
step() { printf '\n=== %s\n' "$*"; }
cli() { ip netns exec "$CLI_NS" "$@"; }
ctl() { cli bin/agentctl --socket "$TMP/agent.sock" "$@"; }

# Left over from an interrupted run? The names are the demo's own.
ip netns del "$CLI_NS" 2>/dev/null || true
ip netns del "$SRV_NS" 2>/dev/null || true

step "lab: $SRV_NS ($SRV_IF 198.18.0.1/24, $SRV_IF2 198.18.1.1/24) <-> $CLI_NS ($CLI_IF, $CLI_IF2)"
ip netns add "$SRV_NS"
ip netns add "$CLI_NS"
ip link add "$CLI_IF" netns "$CLI_NS" type veth peer name "$SRV_IF" netns "$SRV_NS"
ip link add "$CLI_IF2" netns "$CLI_NS" type veth peer name "$SRV_IF2" netns "$SRV_NS"
ip -n "$SRV_NS" link set lo up
ip -n "$CLI_NS" link set lo up
ip -n "$SRV_NS" addr add 198.18.0.1/24 dev "$SRV_IF"
ip -n "$SRV_NS" addr add 198.18.1.1/24 dev "$SRV_IF2"
ip -n "$SRV_NS" link set "$SRV_IF" up
ip -n "$SRV_NS" link set "$SRV_IF2" up
ip -n "$CLI_NS" link set "$CLI_IF" up
ip -n "$CLI_NS" link set "$CLI_IF2" up

step "dnsmasq: 198.18.0.100-150 (router .0.1, DNS .0.53, zero.demo.example) and 198.18.1.100-150 (router .1.1, DNS .1.53, one.demo.example), lease 10m"
ip netns exec "$SRV_NS" dnsmasq --keep-in-foreground --no-ping --port=0 \
	--conf-file=/dev/null --user=root --dhcp-authoritative \
	--interface="$SRV_IF" --interface="$SRV_IF2" --bind-dynamic \
	--dhcp-range=set:zero,198.18.0.100,198.18.0.150,255.255.255.0,10m \
	--dhcp-range=set:one,198.18.1.100,198.18.1.150,255.255.255.0,10m \
	--dhcp-option=tag:zero,option:router,198.18.0.1 \
	--dhcp-option=tag:zero,option:dns-server,198.18.0.53 \
	--dhcp-option=tag:zero,option:domain-search,zero.demo.example \
	--dhcp-option=tag:one,option:router,198.18.1.1 \
	--dhcp-option=tag:one,option:dns-server,198.18.1.53 \
	--dhcp-option=tag:one,option:domain-search,one.demo.example \
	--dhcp-leasefile="$TMP/dnsmasq.leases" --pid-file="$TMP/dnsmasq.pid" \
	--log-dhcp --log-facility="$TMP/dnsmasq.log" >"$TMP/dnsmasq.out" 2>&1 &
DNSMASQ_PID=$!
for ((i = 0; i < 50; i++)); do
	grep -q 'DHCP, IP range' "$TMP/dnsmasq.log" 2>/dev/null && break
	kill -0 "$DNSMASQ_PID" 2>/dev/null || die "dnsmasq exited: $(cat "$TMP/dnsmasq.out" "$TMP/dnsmasq.log" 2>/dev/null)"
	sleep 0.1
done
grep -q 'DHCP, IP range' "$TMP/dnsmasq.log" || die "dnsmasq not ready after 5 s"
echo "dnsmasq pid $DNSMASQ_PID"

step "agent in $CLI_NS"
# Our own config keeps the host's /etc/dhcpagent/dhcpagent.conf out of the
# demo. One server: no need to wait for more offers or before the DISCOVER.
# The RFC 5227 address check (ARP_PROBE) stays on, as by default. DNS goes
# to a resolv.conf of the demo's own.
printf '# the file the agent found\nnameserver 192.0.2.1\n' >"$TMP/resolv.conf"
printf '# dhcpagent demo\nSELECT_WAIT=0\nOFFER_WAIT=0\nDNS=file\nRESOLV_CONF=%s\n' "$TMP/resolv.conf" >"$TMP/dhcpagent.conf"
ip netns exec "$CLI_NS" bin/agent --socket "$TMP/agent.sock" --state-dir "$TMP/state" \
	--config "$TMP/dhcpagent.conf" >"$TMP/agent.log" 2>&1 &
AGENT_PID=$!
for ((i = 0; i < 50; i++)); do
	[[ -S "$TMP/agent.sock" ]] && break
	kill -0 "$AGENT_PID" 2>/dev/null || die "agent exited early"
	sleep 0.1
done
[[ -S "$TMP/agent.sock" ]] || die "agent socket $TMP/agent.sock missing after 5 s"
echo "agent pid $AGENT_PID, socket $TMP/agent.sock"

step "$TMP/resolv.conf before any lease"
cat "$TMP/resolv.conf"

step "agentctl start $CLI_IF --primary --wait 15; agentctl start $CLI_IF2 --wait 15"
ctl start "$CLI_IF" --primary --wait 15
ctl start "$CLI_IF2" --wait 15

step "agentctl status"
ctl status

step "agentctl status -o json $CLI_IF"
ctl status -o json "$CLI_IF"

step "ip -4 addr show (client)"
cli ip -4 addr show

step "ip -4 route (client): two default routes, the primary's preferred (metric 100, the other 1000 + ifindex)"
cli ip -4 route
[[ $(cli ip -4 route show default | wc -l) -eq 2 ]] || die "want two default routes"

step "$TMP/resolv.conf: merged from both, primary first"
wait_for grep -q '^nameserver 198.18.1.53' "$TMP/resolv.conf" || die "resolv.conf lacks $CLI_IF2's server"
cat "$TMP/resolv.conf"

step "dnsmasq lease file"
cat "$TMP/dnsmasq.leases"

step "agentctl release $CLI_IF2: $CLI_IF keeps its route and DNS"
ctl release "$CLI_IF2"
cli ip -4 route
wait_for sh -c "! grep -q 198.18.1.53 '$TMP/resolv.conf'" || die "$CLI_IF2's DNS stayed"
cat "$TMP/resolv.conf"

step "agentctl release $CLI_IF: the resolv.conf the agent found is back"
ctl release "$CLI_IF"
cli ip -4 addr show dev "$CLI_IF"
wait_for grep -q '^# the file the agent found' "$TMP/resolv.conf" || die "the original resolv.conf was not restored"
cat "$TMP/resolv.conf"
cat "$TMP/dnsmasq.leases"

step "done"
