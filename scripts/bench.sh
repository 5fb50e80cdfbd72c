#!/usr/bin/env bash
# bench.sh: the agent against dhcpcd and busybox udhcpc on the same testbed.
#
# One server namespace runs dnsmasq on a bridge; BENCH_N veth pairs (default
# 100; try 1000) join it to one client namespace. Each client in turn brings
# up every interface; the clock runs from its start until the kernel holds an
# address on every interface. Then we read the client's memory (PSS, so that
# shared pages are not counted N times), the CPU it used, and the CPU it uses
# idle over IDLE seconds. dnsmasq's lease file is emptied between clients.
# None of the clients probes with ARP, and the agent skips SELECT_WAIT, as
# dhcpcd -A and udhcpc do by default.
#
# BENCH_CLIENTS picks the clients (default "agent dhcpcd udhcpc").
#
# Needs root, bin/ (make build), scripts/deps.sh and dhcpcd-base.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_N:-100}
CLIENTS=${BENCH_CLIENTS:-agent dhcpcd udhcpc}
IDLE=${BENCH_IDLE:-10}
DEADLINE=${BENCH_DEADLINE:-300}
SRV=dhabench-srv
CLI=dhabench-cli
TMP=$(mktemp -d /tmp/dhabench.XXXXXX)
PIDS=()

die() { echo "bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must be run as root (network namespaces)"
[[ -x bin/agent && -x bin/agentctl ]] || die "run 'make build' first"
for c in dnsmasq dhcpcd busybox ip; do command -v $c >/dev/null || die "$c missing: run scripts/deps.sh"; done
(( N >= 1 && N <= 4000 )) || die "BENCH_N must be 1..4000"

stop_pids() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	PIDS=()
}
teardown() {
	stop_pids
	[[ -n ${DNSMASQ:-} ]] && kill "$DNSMASQ" 2>/dev/null || true
	ip netns del "$CLI" 2>/dev/null || true
	ip netns del "$SRV" 2>/dev/null || true
	[[ -n ${BENCH_KEEP:-} ]] || rm -rf "$TMP"
}
trap teardown EXIT
trap 'exit 130' INT TERM

ip netns del "$CLI" 2>/dev/null || true
ip netns del "$SRV" 2>/dev/null || true
ip netns add "$SRV"
ip netns add "$CLI"
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" addr add 198.18.0.1/16 dev br0
ip -n "$SRV" link set br0 up
ip -n "$SRV" link set lo up
ip -n "$CLI" link set lo up
# ip -batch creates the pairs in one process: a thousand take seconds, not minutes.
for i in $(seq "$N"); do echo "link add c$i netns $CLI type veth peer name s$i netns $SRV"; done >"$TMP/mk"
ip -batch "$TMP/mk"
for i in $(seq "$N"); do echo "link set s$i master br0 up"; done >"$TMP/srv"
ip -n "$SRV" -batch "$TMP/srv"
for i in $(seq "$N"); do echo "link set c$i up"; done >"$TMP/cli"
ip -n "$CLI" -batch "$TMP/cli"
IFACES=$(seq -f 'c%g' "$N" | tr '\n' ' ')

start_server() {
	# --leasefile-ro: dnsmasq rewrites its whole lease file on every change,
	# which with a thousand leases makes the server the bottleneck.
	ip netns exec "$SRV" dnsmasq --leasefile-ro --keep-in-foreground --no-ping --port=0 --conf-file=/dev/null --user=root \
		--dhcp-authoritative --interface=br0 --bind-interfaces --dhcp-range=198.18.1.1,198.18.63.254,255.255.0.0,1h \
		--dhcp-lease-max=20000 --pid-file="$TMP/dnsmasq.pid" \
		--log-facility="$TMP/dnsmasq.log" >/dev/null 2>&1 &
	DNSMASQ=$!
	for _ in $(seq 50); do grep -q 'DHCP, IP range' "$TMP/dnsmasq.log" 2>/dev/null && return; sleep 0.1; done
	die "dnsmasq did not start"
}
stop_server() { kill "$DNSMASQ" 2>/dev/null; wait "$DNSMASQ" 2>/dev/null || true; DNSMASQ=; }

bound() { ip -n "$CLI" -4 -o addr show 2>/dev/null | grep -c ' inet 198\.18\.' || true; }
now() { date +%s.%N; }
# ticks PID...: user+system CPU ticks of the processes.
ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
pss_kib() { local k=0 p; for p in "$@"; do [[ -r /proc/$p/smaps_rollup ]] && k=$((k + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup"))); done; echo $k; }
HZ=$(getconf CLK_TCK)
# tree PID: PID and all its descendants.
tree() {
	echo "$1"
	local c
	for c in $(ps -o pid= --ppid "$1"); do tree "$c"; done
}

# measure NAME PID...: wait for every address, then report one table row.
measure() {
	local name=$1 t0=$2; shift 2
	local pids=("$@") n
	while :; do
		n=$(bound)
		(( n >= N )) && break
		awk -v a="$(now)" -v b="$t0" -v d="$DEADLINE" 'BEGIN{exit !(a-b > d)}' &&
			{ echo "bench: $name bound $n/$N in ${DEADLINE}s" >&2; break; }
		sleep 0.05
	done
	local t1; t1=$(now)
	local busy; busy=$(ticks "${pids[@]}")
	local pss; pss=$(pss_kib "${pids[@]}")
	sleep "$IDLE"
	local idle; idle=$(( $(ticks "${pids[@]}") - busy ))
	awk -v name="$name" -v N="$N" -v n="$n" -v t="$t1" -v t0="$t0" -v busy="$busy" -v pss="$pss" -v idle="$idle" -v hz="$HZ" \
		'BEGIN{printf "%-9s %6d %6d %10.2f %12.2f %10.1f %12.2f\n", name, N, n, t-t0, busy/hz, pss/1024, idle/hz}'
}

clear_addrs() { for i in $(seq "$N"); do echo "addr flush dev c$i"; done >"$TMP/flush"; ip -n "$CLI" -batch "$TMP/flush"; }

run_agent() {
	printf 'SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=no\nDNS=no\n' >"$TMP/agent.conf"
	ip netns exec "$CLI" bin/agent --socket "$TMP/agent.sock" --state-dir "$TMP/state" --config "$TMP/agent.conf" \
		--hook /nonexistent 2>"$TMP/agent.log" &
	PIDS=($!)
	for _ in $(seq 50); do [[ -S $TMP/agent.sock ]] && break; sleep 0.1; done
	local t0; t0=$(now)
	# shellcheck disable=SC2086
	ip netns exec "$CLI" bin/agentctl --socket "$TMP/agent.sock" start --wait 0 $IFACES >/dev/null 2>&1 || true
	measure dhcpagent "$t0" "${PIDS[@]}"
}

run_dhcpcd() {
	printf 'noarp\nnoipv4ll\nnoipv6rs\nipv4only\nscript /bin/true\nnohook resolv.conf\n' >"$TMP/dhcpcd.conf"
	local t0; t0=$(now)
	# A mount namespace keeps dhcpcd's lease and run files off the host.
	# shellcheck disable=SC2086
	unshare -m sh -c "mount -t tmpfs none /var/lib 2>/dev/null; mkdir -p /run/dhcpcd; mount -t tmpfs none /run/dhcpcd;
		exec ip netns exec $CLI dhcpcd -f $TMP/dhcpcd.conf -B -4 -A -L $IFACES" >"$TMP/dhcpcd.log" 2>&1 &
	PIDS=($!)
	sleep 0.5
	# dhcpcd 9 runs privilege-separated helpers: count the whole tree.
	mapfile -t PIDS < <(tree "${PIDS[0]}")
	measure dhcpcd "$t0" "${PIDS[@]}"
}

run_udhcpc() {
	cat >"$TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
bound|renew) ip addr replace "$ip/$subnet" dev "$interface" ;;
deconfig) ip addr flush dev "$interface" ;;
esac
SCRIPT
	chmod +x "$TMP/udhcpc.sh"
	local t0 i
	t0=$(now)
	PIDS=()
	for i in $(seq "$N"); do
		ip netns exec "$CLI" busybox udhcpc -f -i "c$i" -s "$TMP/udhcpc.sh" >/dev/null 2>&1 &
		PIDS+=($!)
	done
	measure udhcpc "$t0" "${PIDS[@]}"
}

printf '%-9s %6s %6s %10s %12s %10s %12s\n' client ifaces bound "bound(s)" "cpu(s)" "pss(MiB)" "idle cpu(s)"
for client in $CLIENTS; do
	start_server
	"run_$client"
	stop_pids
	clear_addrs
	stop_server
done
echo "(idle cpu: CPU time used in the ${IDLE} s after every interface was bound)"
