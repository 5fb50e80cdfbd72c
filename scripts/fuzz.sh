#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZ_TIME each (NNNx for a count
# of executions, or a Go duration), one after another, and writes the
# figures (executions, new inputs, outcome) of each to FUZZ_SUMMARY.
# Fails when a package's tests do not build, when no target is found, or
# when a target fails. `make fuzz` runs it; CI runs it with a short
# FUZZ_TIME (make test); the long campaign of docs/design.md is
# FUZZ_TIME=10200000x make fuzz. Counts are the default: with a duration,
# Go 1.26's coordinator can fail a run that found nothing with "context
# deadline exceeded" as the time runs out (golang/go#75804, fixed in Go
# 1.27).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZ_TIME=${FUZZ_TIME:-200000x}
FUZZ_SUMMARY=${FUZZ_SUMMARY:-bin/fuzz-summary.txt}
mkdir -p "$(dirname "$FUZZ_SUMMARY")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '%-12s %-40s %14s %8s %s\n' package target execs new outcome >"$FUZZ_SUMMARY"
n=0
failed=0
for pkg in $($GO list ./...); do
	# A package whose tests do not build fails here, not silently.
	list=$($GO test -list '^Fuzz' "$pkg")
	for f in $(grep '^Fuzz' <<<"$list" || true); do
		n=$((n + 1))
		outcome=ok
		if ! $GO test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZ_TIME" "$pkg" >"$log" 2>&1; then
			outcome=FAIL
			failed=$((failed + 1))
			cat "$log"
		fi
		# The last progress line: "fuzz: elapsed: 10s, execs: 182845 (11844/sec), new interesting: 130 (total: 135)"
		last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -1 || true)
		execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
		new=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
		printf '%-12s %-40s %14s %8s %s\n' "${pkg##*/}" "$f" "${execs:-?}" "${new:-?}" "$outcome" | tee -a "$FUZZ_SUMMARY"
	done
done
if [ "$n" -eq 0 ]; then
	echo "fuzz: no fuzz target found" >&2
	exit 1
fi
echo "fuzz: $n targets, $FUZZ_TIME each, $failed failed; figures in $FUZZ_SUMMARY"
[ "$failed" -eq 0 ]
