#!/usr/bin/env bash
# demo.sh: a throwaway lab that shows the agent getting, showing and releasing
# a lease. Two network namespaces joined by a veth pair: dnsmasq serves
# 198.18.0.0/24 on veth-srv in dhademo-srv; bin/agent manages veth-cli in
# dhademo-cli. Nothing touches the host's own interfaces, and everything the
# script starts is stopped and removed on exit, failure included.
#
# Needs root, binaries in ./bin (make build) and scripts/deps.sh.
set -euo pipefail

SRV_NS=dhademo-srv
CLI_NS=dhademo-cli
CLI_IF=veth-cli
SRV_IF=veth-srv

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

step() { printf '\n=== %s\n' "$*"; }
cli() { ip netns exec "$CLI_NS" "$@"; }
ctl() { cli bin/agentctl --socket "$TMP/agent.sock" "$@"; }

# Left over from an interrupted run? The names are the demo's own.
ip netns del "$CLI_NS" 2>/dev/null || true
ip netns del "$SRV_NS" 2>/dev/null || true

step "lab: $SRV_NS ($SRV_IF 198.18.0.1/24) <-> $CLI_NS ($CLI_IF)"
ip netns add "$SRV_NS"
ip netns add "$CLI_NS"
ip link add "$CLI_IF" netns "$CLI_NS" type veth peer name "$SRV_IF" netns "$SRV_NS"
ip -n "$SRV_NS" link set lo up
ip -n "$CLI_NS" link set lo up
ip -n "$SRV_NS" addr add 198.18.0.1/24 dev "$SRV_IF"
ip -n "$SRV_NS" link set "$SRV_IF" up
ip -n "$CLI_NS" link set "$CLI_IF" up

step "dnsmasq: pool 198.18.0.100-150, lease 10m, router 198.18.0.1"
ip netns exec "$SRV_NS" dnsmasq --keep-in-foreground --no-ping --port=0 \
	--conf-file=/dev/null --user=root --dhcp-authoritative \
	--interface="$SRV_IF" --bind-dynamic \
	--dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,10m \
	--dhcp-option=option:router,198.18.0.1 \
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
# The RFC 5227 address check (ARP_PROBE) stays on, as by default.
printf '# dhcpagent demo\nSELECT_WAIT=0\nOFFER_WAIT=0\n' >"$TMP/dhcpagent.conf"
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

step "agentctl start $CLI_IF --wait 15"
ctl start "$CLI_IF" --wait 15

step "agentctl status $CLI_IF"
ctl status "$CLI_IF"

step "agentctl status -o json $CLI_IF"
ctl status -o json "$CLI_IF"

step "ip -4 addr show (client)"
cli ip -4 addr show

step "ip -4 route (client)"
cli ip -4 route

step "dnsmasq lease file"
cat "$TMP/dnsmasq.leases"

step "agentctl release $CLI_IF"
ctl release "$CLI_IF"

step "after release: ip -4 addr show dev $CLI_IF, dnsmasq lease file"
cli ip -4 addr show dev "$CLI_IF"
cat "$TMP/dnsmasq.leases"

step "done"
