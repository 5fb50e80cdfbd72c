#!/usr/bin/env bash
# bench.sh: the agent against dhcpcd and busybox udhcpc on the same testbed.
#
# One server namespace runs dnsmasq on a bridge; BENCH_N veth pairs (default
# 100; try 1000) join it to one client namespace. Each client in turn brings
# up every interface; the clock runs from its start until the kernel holds an
# address on every interface. Then we read the client's memory (PSS of its
# live processes, so that shared pages are not counted N times), the CPU it
# used, and the CPU it uses idle over IDLE seconds. dnsmasq restarts with an
# empty lease table between clients.
#
# CPU is the whole process tree's: each client runs in a cgroup v2 of its own
# (cpu.stat usage_usec, which keeps the time of processes that have exited:
# udhcpc's forked scripts, dhcpcd's privilege-separated helpers). Without a
# cgroup v2 mount the live processes' ticks are summed instead, and the
# column says so with a '*'.
#
# Like is compared with like. Rows, by BENCH_CLIENTS (default all):
#   agent, dhcpcd, udhcpc           no ARP probe, no random start delay: the
#                                   agent with ARP_PROBE=no, dhcpcd with
#                                   noarp and nodelay, udhcpc as it comes
#   agent-arp, dhcpcd-arp, udhcpc-arp   the same with the RFC 5227 probe
#                                   (ARP_PROBE=yes, dhcpcd's arp, udhcpc -a)
#   agent-default, dhcpcd-default   out of the box: the agent with an empty
#                                   configuration (its defaults: probe on,
#                                   SELECT_WAIT=0, DNS=auto with its D-Bus
#                                   pointed at nothing and no resolvconf in
#                                   its PATH, so the host is never touched),
#                                   dhcpcd with its defaults (probe and random
#                                   delay on; only its hooks kept off the host)
# Each row runs BENCH_RUNS times (default 3), the clients interleaved; the
# medians follow the table.
#
# Needs root, bin/ (make build), scripts/deps.sh and dhcpcd-base.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_N:-100}
CLIENTS=${BENCH_CLIENTS:-agent dhcpcd udhcpc agent-arp dhcpcd-arp udhcpc-arp agent-default dhcpcd-default}
RUNS=${BENCH_RUNS:-3}
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
(( RUNS >= 1 && RUNS <= 20 )) || die "BENCH_RUNS must be 1..20"
for c in $CLIENTS; do
	case $c in agent | dhcpcd | udhcpc | agent-arp | dhcpcd-arp | udhcpc-arp | agent-default | dhcpcd-default) ;;
	*) die "unknown client $c" ;;
	esac
done

# The cgroup v2 hierarchy: /sys/fs/cgroup on a unified host, often
# /sys/fs/cgroup/unified on a hybrid one.
CGROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[[ -n $CGROOT && -w $CGROOT ]] || CGROOT=
CG=

# new_cg NAME: a fresh cgroup for the next client (none without cgroup v2).
new_cg() {
	CG=
	[[ -n $CGROOT ]] || return 0
	CG=$CGROOT/dhabench.$$.$1
	mkdir "$CG"
}
# cg_exec CMD...: CMD in the client's cgroup (its children follow it).
cg_exec() {
	if [[ -n $CG ]]; then
		sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"
	else
		"$@"
	fi
}
# client_pids: every live process of the client: the cgroup's, or PIDS and
# their descendants.
client_pids() {
	if [[ -n $CG ]]; then
		cat "$CG/cgroup.procs"
	else
		local p
		for p in "${PIDS[@]}"; do tree "$p"; done
	fi
}
# cpu_usec: the CPU the client has used: the cgroup's, with the processes
# that have exited, or the ticks of the live ones.
cpu_usec() {
	if [[ -n $CG ]]; then
		awk '$1 == "usage_usec" {print $2}' "$CG/cpu.stat"
	else
		# shellcheck disable=SC2046
		echo $(( $(ticks $(client_pids)) * 1000000 / HZ ))
	fi
}
stop_pids() {
	local p pids
	mapfile -t pids < <(client_pids)
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [[ -n $CG ]]; then
		# Whatever the client forked meanwhile: everything in its cgroup
		# is ours.
		[[ -e $CG/cgroup.kill ]] && echo 1 >"$CG/cgroup.kill"
		for _ in $(seq 50); do [[ -z $(cat "$CG/cgroup.procs") ]] && break; sleep 0.1; done
		rmdir "$CG" 2>/dev/null || true
		CG=
	fi
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

# measure NAME T0: wait for every address, then report one table row (and
# keep it for the medians).
measure() {
	local name=$1 t0=$2 n
	while :; do
		n=$(bound)
		(( n >= N )) && break
		awk -v a="$(now)" -v b="$t0" -v d="$DEADLINE" 'BEGIN{exit !(a-b > d)}' &&
			{ echo "bench: $name bound $n/$N in ${DEADLINE}s" >&2; break; }
		sleep 0.05
	done
	local t1; t1=$(now)
	local busy; busy=$(cpu_usec)
	local pss; pss=$(pss_kib $(client_pids))
	sleep "$IDLE"
	local idle; idle=$(( $(cpu_usec) - busy ))
	local mark=" "; [[ -n $CG ]] || mark="*"
	awk -v name="$name" -v N="$N" -v n="$n" -v t="$t1" -v t0="$t0" -v busy="$busy" -v pss="$pss" -v idle="$idle" -v m="$mark" \
		'BEGIN{printf "%-15s %6d %6d %10.2f %11.2f%s %10.1f %12.2f\n", name, N, n, t-t0, busy/1e6, m, pss/1024, idle/1e6}' |
		tee -a "$TMP/rows"
}

clear_addrs() { for i in $(seq "$N"); do echo "addr flush dev c$i"; done >"$TMP/flush"; ip -n "$CLI" -batch "$TMP/flush"; }

# run_agent NAME CONFIG [ENV...]: the agent with CONFIG as its whole
# configuration file, started on every interface by one agentctl start.
run_agent() {
	local name=$1 conf=$2; shift 2
	printf '%b' "$conf" >"$TMP/agent.conf"
	rm -rf "$TMP/state"
	cg_exec ip netns exec "$CLI" env "$@" "$PWD/bin/agent" --socket "$TMP/agent.sock" --state-dir "$TMP/state" \
		--config "$TMP/agent.conf" --hook /nonexistent 2>"$TMP/agent.log" &
	PIDS=($!)
	for _ in $(seq 50); do [[ -S $TMP/agent.sock ]] && break; sleep 0.1; done
	local t0; t0=$(now)
	# shellcheck disable=SC2086
	cg_exec ip netns exec "$CLI" bin/agentctl --socket "$TMP/agent.sock" start --wait 0 $IFACES >/dev/null 2>&1 || true
	measure "$name" "$t0"
}

# run_dhcpcd NAME OPTIONS: dhcpcd on every interface with OPTIONS added to
# a configuration that keeps it off the host (no hooks, IPv4 only).
run_dhcpcd() {
	local name=$1
	printf 'noipv4ll\nnoipv6rs\nipv4only\nscript /bin/true\nnohook resolv.conf\n%b' "$2" >"$TMP/dhcpcd.conf"
	local t0; t0=$(now)
	# A mount namespace keeps dhcpcd's lease and run files off the host.
	# shellcheck disable=SC2086
	cg_exec unshare -m sh -c "mount -t tmpfs none /var/lib 2>/dev/null; mkdir -p /run/dhcpcd; mount -t tmpfs none /run/dhcpcd;
		exec ip netns exec $CLI dhcpcd -f $TMP/dhcpcd.conf -B -4 $IFACES" >"$TMP/dhcpcd.log" 2>&1 &
	PIDS=($!)
	measure "$name" "$t0"
}

# run_udhcpc NAME FLAGS...: one busybox udhcpc per interface.
run_udhcpc() {
	local name=$1; shift
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
		cg_exec ip netns exec "$CLI" busybox udhcpc -f "$@" -i "c$i" -s "$TMP/udhcpc.sh" >/dev/null 2>&1 &
		PIDS+=($!)
	done
	measure "$name" "$t0"
}

run() {
	case $1 in
	agent) run_agent agent 'SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=no\nDNS=no\n' ;;
	agent-arp) run_agent agent-arp 'SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=yes\nDNS=no\n' ;;
	# No configuration at all; DNS=auto finds neither resolved (no bus)
	# nor resolvconf (not in PATH), so the host's DNS is never touched.
	agent-default) run_agent agent-default '' DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/no-bus" PATH=/nonexistent ;;
	dhcpcd) run_dhcpcd dhcpcd 'noarp\nnodelay\n' ;;
	dhcpcd-arp) run_dhcpcd dhcpcd-arp 'nodelay\n' ;;
	dhcpcd-default) run_dhcpcd dhcpcd-default '' ;;
	udhcpc) run_udhcpc udhcpc ;;
	udhcpc-arp) run_udhcpc udhcpc-arp -a ;;
	esac
}

printf '%-15s %6s %6s %10s %12s %10s %12s\n' client ifaces bound "bound(s)" "cpu(s)" "pss(MiB)" "idle cpu(s)"
: >"$TMP/rows"
for r in $(seq "$RUNS"); do
	for client in $CLIENTS; do
		start_server
		new_cg "$client.$r"
		run "$client"
		stop_pids
		clear_addrs
		stop_server
	done
done
echo "(idle cpu: CPU time used in the ${IDLE} s after every interface was bound)"
[[ -n $CGROOT ]] || echo "(*: no cgroup v2: CPU of the live processes only; exited ones are not counted)"
if (( RUNS > 1 )); then
	echo
	echo "medians of $RUNS runs:"
	printf '%-15s %10s %12s %10s\n' client "bound(s)" "cpu(s)" "pss(MiB)"
	for client in $CLIENTS; do
		awk -v c="$client" '$1 == c {print $4, $5 + 0, $6}' "$TMP/rows" | sort -n -k1,1 >"$TMP/b"
		m=$(( ($(wc -l <"$TMP/b") + 1) / 2 ))
		bt=$(sed -n "${m}p" "$TMP/b" | cut -d' ' -f1)
		cpu=$(cut -d' ' -f2 "$TMP/b" | sort -n | sed -n "${m}p")
		pss=$(cut -d' ' -f3 "$TMP/b" | sort -n | sed -n "${m}p")
		printf '%-15s %10s %12s %10s\n' "$client" "$bt" "$cpu" "$pss"
	done
fi
