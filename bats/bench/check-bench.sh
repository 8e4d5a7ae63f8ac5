#!/usr/bin/env bash
# `make bench`, second part: crdiag-check against `ss -xap` (which answers only the unix
# socket part of what crdiag-check looks at), side by side on the 20,000-VMA Chrome-like
# fixture and on a real Chromium tree (helpers/chromium-lab, PID namespace; skipped
# without chromium or root). Goal: crdiag-check at most half of ss -xap's CPU time.
# Beside them, helpers/readfloor: a lower bound, the kernel reads crdiag-check makes on
# every tree (the /proc walk, fds, thread status, file VMAs, the unix dump) and nothing
# else, so the table shows what its checks cost the kernel before any of its own work.
# Against that, the criu dump it saves: the real CRIU 4.2 logs of a Chromium dump (the
# log's last timestamp: freezing, the parasite, the images) kept in bats/fixtures.
#
#   bats/bench/check-bench.sh BIN TBIN   (BENCH_RUNS rounds, 15; BENCH_CHECK_OUT, the
#                                         report, default bats/bench/check-results.md)
# Reports, never fails on speed: exit 0 when it ran, 2 on an error.
set -euo pipefail

BIN=${1:?usage: check-bench.sh BIN TBIN}
TBIN=${2:?usage: check-bench.sh BIN TBIN}
RUNS=${BENCH_RUNS:-15}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_CHECK_OUT:-$ROOT/bats/bench/check-results.md}
LAB=$ROOT/bats/helpers/chromium-lab
WORK=$(mktemp -d /tmp/crdiag-check-bench.XXXXXX)
FIXTURE_PID=
cleanup() {
	[ -n "$FIXTURE_PID" ] && { kill -TERM "$FIXTURE_PID" 2>/dev/null || true; wait "$FIXTURE_PID" 2>/dev/null || true; }
	[ -d "$WORK/lab" ] && "$LAB" stop "$WORK/lab" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export CRIU=/nonexistent # the version probe is not what is measured

# rounds PID: RUNS rounds of crdiag-check, readfloor and ss -xap, one of each a round,
# so that what drifts on a shared machine falls on the three alike; into $WORK/times
rounds() {
	local i
	: >"$WORK/times"
	for i in $(seq "$RUNS"); do
		echo "a $("$TBIN/benchrun" "$BIN/crdiag-check" --json "$1")"
		echo "f $("$TBIN/benchrun" "$TBIN/readfloor" "$1")"
		echo "b $("$TBIN/benchrun" ss -xap)"
	done >"$WORK/times"
}

# median KEY: "CPU_MS WALL_MS" of the rounds of KEY, CPU = user + sys, each its median
median() {
	awk -v k="$1" '$1 == k { printf "%.6f %.6f\n", $3 + $4, $2 }' "$WORK/times" | sort -n |
		awk '{ c[NR] = $1; w[NR] = $2 } END { m = int((NR + 1) / 2); printf "%.1f %.1f\n", c[m] * 1000, w[m] * 1000 }'
}

row() { # row NAME PID
	local a b f
	# its CPU time means nothing if it failed (benchrun would time the failure)
	"$TBIN/readfloor" "$2" >/dev/null || { echo "check-bench: readfloor $2 failed" >&2; exit 2; }
	rounds "$2"
	a=$(median a)
	f=$(median f)
	b=$(median b)
	awk -v n="$1" -v a="$a" -v b="$b" -v f="$f" 'BEGIN { split(a, x, " "); split(b, y, " "); split(f, z, " ");
		printf "| %s | %s | %s | %s | %s | %s | %.2f | %.2f | %s |\n", n, x[1], x[2], z[1], y[1], y[2],
		(y[1] > 0 ? x[1] / y[1] : 0), (y[1] > 0 ? z[1] / y[1] : 0), ((x[1] <= y[1] / 2) ? "met" : "NOT MET") }'
}

{
	echo "# crdiag-check against ss -xap"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) CPUs, $(ls /proc | grep -c '^[0-9]') processes on the machine; median of $RUNS interleaved rounds, CPU = user + sys of the whole process."
	echo
	echo "| tree | crdiag-check CPU ms | wall ms | its reads every tree needs, alone (readfloor) CPU ms | ss -xap CPU ms | wall ms | ratio | reads alone / ss | goal (<= 0.5) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	"$TBIN/chromelike" --vmas 20000 --resident 64M --reserve 1T --pidfile "$WORK/pid" >/dev/null 2>&1 &
	FIXTURE_PID=$!
	for _ in $(seq 200); do [ -s "$WORK/pid" ] && break; sleep 0.05; done
	row "chromelike, 20,000 VMAs" "$(cat "$WORK/pid")"
	if "$LAB" start pidns "$WORK/lab" >/dev/null 2>&1; then
		row "Chromium ($(ls /proc/"$(cat "$WORK/lab/root.pid")"/task | wc -l) threads in its root; PID namespace)" "$(cat "$WORK/lab/root.pid")"
		"$LAB" stop "$WORK/lab"
	else
		echo "| Chromium | skipped: no chromium, or not root | | | | | | | |"
	fi
	echo
	for f in criu-4.2_dump_chromium-pidns.log.gz criu-4.2_dump_chromium-pod.log.gz criu-4.2_dump_chromium-renderer_shell-job_ext-unix-sk.log.gz; do
		echo "- the criu dump it saves: $f took $(zcat "$ROOT/bats/fixtures/criu-failures/$f" | tail -1 | sed -n 's/^(\([0-9.]*\)).*/\1/p') s by its log ($(zcat "$ROOT/bats/fixtures/criu-failures/$f" | "$BIN/crdiag-criu" --log - --json | jq -r .class))"
	done
} >"$OUT" # not a pipe: the fixture and lab PIDs must reach cleanup
cat "$OUT"
