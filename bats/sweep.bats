#!/usr/bin/env bats
# Sweep: the engine's report on every PID in /proc while bats/helpers/churn.c keeps
# processes coming and going (many threads, thousands of VMAs, a dead main thread,
# exec, SIGKILL, exits mid-scan). Every run must end in a JSON document for that PID,
# or one line saying why not (gone, a kernel thread, not allowed); never a crash, a
# sanitizer report or a hang (each run is bounded by timeout).

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# An ASan build forks and starts threads far more slowly: a lighter churn and one round
# keep the sanitizer pass within its time (the normal pass does the full sweep).
if [ "${CRDIAG_SANITIZE:-}" = 1 ]; then
	CHURN_LIVE=4 ROUNDS=1
else
	CHURN_LIVE=8 ROUNDS=2
fi

start_churn() {
	start_bg "$TMP/churn.pid" "$TBIN/churn" --live "$CHURN_LIVE" --pidfile "$TMP/churn.pid"
	CHURN=$(cat "$TMP/churn.pid")
	CHURN_OUT=$TMP/bg.$$.out
}

# stop_churn: SIGTERM, wait for its summary line
stop_churn() {
	kill -TERM "$CHURN"
	local i
	for i in $(seq 200); do
		grep -q '^churn: started' "$CHURN_OUT" && break
		sleep 0.05
	done
	run -0 cat "$CHURN_OUT"
	assert_line --regexp '^churn: started [0-9]+ processes'
	CHURNED=$(sed -n 's/^churn: started \([0-9]*\) processes.*/\1/p' "$CHURN_OUT")
	CHURN_LINE=$(grep '^churn: started' "$CHURN_OUT")
}

# scan_one PROG PID: one run, classified into OK / GONE / KTHREAD / DENIED, or a
# failure appended to FAILS.
scan_one() {
	local prog=$1 pid=$2 st=0 err
	timeout -s KILL 30 "$BIN/$prog" --json "$pid" >"$TMP/out" 2>"$TMP/err" || st=$?
	err=$(cat "$TMP/err")
	SWEPT=$((SWEPT + 1))
	if [[ "$err" == *Sanitizer* || "$err" == *"runtime error"* ]]; then
		FAILS+=("PID $pid: sanitizer report: ${err:0:2000}")
		return
	fi
	case $st in
	0)
		if [ -n "$err" ]; then
			FAILS+=("PID $pid: exit 0 with a message: $err")
		else
			# checked all at once in check_reports: jq per run would cost more than the scan
			cp "$TMP/out" "$TMP/reports/$SWEPT.$pid"
			OK=$((OK + 1))
		fi
		;;
	2)
		if [ -s "$TMP/out" ] || [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
			FAILS+=("PID $pid: exit 2 with stdout or not one line: $err")
		elif [[ "$err" =~ ^$prog:\ PID\ $pid:\ (no\ such\ process|no\ VMAs\ \(the\ process\ exited\)|[a-z]+\ backend:\ the\ process\ exited)$ ]]; then
			GONE=$((GONE + 1))
		elif [[ "$err" == "$prog: PID $pid: no VMAs (a kernel thread)" ]]; then
			KTHREAD=$((KTHREAD + 1))
		elif [[ "$err" == "$prog: PID $pid: Permission denied"* ]]; then
			DENIED=$((DENIED + 1))
		else
			FAILS+=("PID $pid: unexpected error: $err")
		fi
		;;
	137) FAILS+=("PID $pid: HUNG (killed after 30 s)") ;;
	*) FAILS+=("PID $pid: exit $st: $err") ;;
	esac
}

# sweep PROG ROUNDS: each round, every PID listed in /proc at its start, then the
# churn's children of that instant (young processes, about to exit).
sweep() {
	local prog=$1 rounds=$2 r d pid
	SWEPT=0 OK=0 GONE=0 KTHREAD=0 DENIED=0 FAILS=()
	rm -rf "$TMP/reports"
	mkdir "$TMP/reports"
	for r in $(seq "$rounds"); do
		for d in /proc/[0-9]*; do
			scan_one "$prog" "${d#/proc/}"
		done
		for pid in $(cat "/proc/$CHURN/task/$CHURN/children" 2>/dev/null); do
			scan_one "$prog" "$pid"
		done
	done
}

# check_reports: every saved report is one JSON document about its PID (the PID is in
# the file name), with a VMA array; one jq for all of them, one per file on a failure.
check_reports() {
	local f want got
	want=$(cd "$TMP/reports" && ls | sort | sed 's/^[0-9]*\.//' | tr '\n' ' ')
	if got=$(cd "$TMP/reports" && ls | sort | tr '\n' '\0' |
		xargs -0 jq -r 'if (.vmas | type) == "array" then .pid else "no-vmas" end' | tr '\n' ' '); then
		[ "$got" = "$want" ] || FAILS+=("reports do not match their PIDs: want '$want', got '$got'")
	else
		for f in "$TMP"/reports/*; do
			jq -e . "$f" >/dev/null 2>&1 || FAILS+=("${f##*/}: not JSON: $(head -c 300 "$f")")
		done
	fi
}

report_sweep() {
	check_reports
	echo "# $1: $SWEPT PIDs swept: $OK reports, $GONE gone mid-way, $KTHREAD kernel threads, $DENIED denied; $CHURN_LINE; failures ${#FAILS[@]}" >&3
	if [ "${#FAILS[@]}" -gt 0 ]; then
		printf '%s\n' "${FAILS[@]}"
		return 1
	fi
	# the race was really run: some reports, and some processes gone under the scan
	[ "$OK" -gt 10 ] || fail "only $OK reports"
	[ "$GONE" -gt 0 ] || fail "no process vanished during the sweep: the churn did not churn"
}

@test "sweep: crdiag-scan --json on every PID under churn: a report or one line why not" {
	start_churn
	sweep crdiag-scan "$ROUNDS"
	stop_churn
	report_sweep crdiag-scan
	[ "$CHURNED" -gt 50 ] || fail "churn started only $CHURNED processes"
}

@test "churn: it leaves nothing behind once stopped" {
	start_churn
	sleep 1
	local kids
	kids=$(cat "/proc/$CHURN/task/$CHURN/children")
	[ -n "$kids" ] || fail "churn had no children"
	stop_churn
	run -0 cat "$CHURN_OUT"
	local p
	for p in $kids; do
		[ ! -d "/proc/$p" ] || [ "$(awk '{print $4}' "/proc/$p/stat")" != "$CHURN" ] ||
			fail "child $p of churn still there"
	done
}

@test "a live process whose main thread exited is scanned through a live thread" {
	# the sweep met these (churn's leader-exit kind) and reported them as exited
	start_bg "$TMP/leader.pid" "$TBIN/zombie" --leader "$TMP/leader.pid"
	local pid
	pid=$(cat "$TMP/leader.pid")
	# the kernel's view: main thread a zombie, the process alive, its maps empty
	run -0 grep '^State:' "/proc/$pid/status"
	assert_output --partial "Z (zombie)"
	[ "$(ls "/proc/$pid/task" | wc -l)" -ge 2 ]
	run -0 cat "/proc/$pid/maps"
	assert_output ""
	# (an ASan-built helper has terabytes of shadow VMAs: reading their pagemap takes
	# minutes, so the sanitizer pass uses PAGEMAP_SCAN only)
	local b backends=(read scan single)
	[ "${CRDIAG_SANITIZE:-}" != 1 ] || backends=(scan)
	for b in "${backends[@]}"; do
		[ "$b" != scan ] || kernel_has_pagemap_scan || continue
		run -0 --separate-stderr "$BIN/crdiag-scan" --backend "$b" --json "$pid"
		assert_equal "$(jq '.pid' <<<"$output")" "$pid"
		[ "$(jq '.totals.vmas' <<<"$output")" -gt 5 ] || fail "$b: too few VMAs"
		[ "$(jq '.totals.resident' <<<"$output")" -gt 0 ] || fail "$b: nothing resident"
	done
	# a real zombie still says what it is
	start_bg "$TMP/zombie.pid" "$TBIN/zombie" "$TMP/zombie.pid"
	run -2 --separate-stderr "$BIN/crdiag-scan" "$(cat "$TMP/zombie.pid")"
	assert_equal "$stderr" "crdiag-scan: PID $(cat "$TMP/zombie.pid"): no VMAs (the process exited)"
}
