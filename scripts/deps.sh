#!/usr/bin/env bash
# deps.sh installs the system packages the integration tests and the demo lab
# need: DHCP servers (dnsmasq, Kea), iproute2, tcpdump, busybox (udhcpc),
# nftables (a firewall rule inside a test's client namespace), and for the
# service tests systemd (systemd-analyze), man-db and groff (man -l) and
# util-linux (setpriv, unshare).
#
# It is idempotent: nothing is downloaded when everything is present, and
# `apt-get update` runs only when something is missing. The packages' own
# services are kept from starting on the host while they are installed.
#
# Usage (as root): scripts/deps.sh [bench]
set -euo pipefail

if [[ "$(id -u)" -ne 0 ]]; then
	echo "deps.sh: must be run as root (try: sudo $0)" >&2
	exit 1
fi

# Debian package -> a command it provides, used to decide what is missing.
declare -A want=(
	[dnsmasq]=dnsmasq
	[kea-dhcp4-server]=kea-dhcp4
	[iproute2]=ip
	[tcpdump]=tcpdump
	[busybox]=busybox
	# only the nft command: its nftables.service (which would load
	# /etc/nftables.conf on the host) is not enabled on Debian, and policy-rc.d
	# below keeps it from starting during the install.
	[nftables]=nft
	# the service tests: `systemd-analyze verify` and `security` of the unit
	# (the package's own services do not start in a container without
	# systemd as init), man pages rendered with `man -l`, setpriv for the
	# reduced capability set.
	[systemd]=systemd-analyze
	[man-db]=man
	[groff-base]=groff
	[util-linux]=setpriv
	# DNS=resolved is tested against a stand-in resolve1 service on a
	# private bus of the test's own (never the host's system bus).
	[dbus-daemon]=dbus-daemon
)
# `deps.sh bench` also installs the clients make bench compares with.
if [[ ${1:-} == bench ]]; then
	want[dhcpcd-base]=dhcpcd
fi

missing=()
for pkg in "${!want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		! PATH="$PATH:/usr/sbin:/sbin" command -v "${want[$pkg]}" >/dev/null 2>&1; then
		missing+=("$pkg")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "deps.sh: all dependencies present"
	exit 0
fi

echo "deps.sh: installing: ${missing[*]}"

# Keep the packages' services (dnsmasq, kea-dhcp4-server) from starting on the
# host: invoke-rc.d honours policy-rc.d, and exit code 101 means "action
# forbidden". Only a policy file we created is removed afterwards.
policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
	if [[ $created_policy -eq 1 ]]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# written by dhcpagent scripts/deps.sh; removed when it ends\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

# A service that was started anyway (e.g. by a systemd preset) must not hand
# out leases on the host's interfaces.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	for svc in dnsmasq kea-dhcp4-server; do
		if systemctl is-active --quiet "$svc" 2>/dev/null; then
			echo "deps.sh: stopping and disabling host service $svc"
			systemctl stop "$svc" || true
			systemctl disable "$svc" || true
		fi
	done
fi

echo "deps.sh: done"
