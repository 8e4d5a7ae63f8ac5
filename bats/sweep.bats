#!/usr/bin/env bats
# Sweep: vmainspect --json on every PID in /proc while bats/helpers/churn.c keeps
# processes coming and going (many threads, thousands of VMAs, a dead main thread,
# exec, SIGKILL, exits mid-scan). Every run must end in one JSON document for that
# PID: a report, or an error naming its errno (ESRCH, EACCES...); never a crash, a
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
	CHURN_OUT=$BG_OUT
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

# scan_one PID: one run of vmainspect --json; its output, message and status are kept
# in $TMP/runs/N.PID.STATUS.{json,err} and judged all at once by judge_runs (one jq
# for the whole sweep: a jq per run would cost more than the scan). Crashes, hangs
# and sanitizer reports are failures at once.
scan_one() {
	local pid=$1 st=0 base
	SWEPT=$((SWEPT + 1))
	timeout -s KILL 30 "$BIN/vmainspect" --json "$pid" >"$TMP/out" 2>"$TMP/err" || st=$?
	if grep -q -e Sanitizer -e 'runtime error' "$TMP/err"; then
		FAILS+=("PID $pid: sanitizer report: $(head -c 2000 "$TMP/err")")
		return
	fi
	case $st in
	0 | 2)
		base=$TMP/runs/$SWEPT.$pid.$st
		mv "$TMP/out" "$base.json"
		mv "$TMP/err" "$base.err"
		;;
	137) FAILS+=("PID $pid: HUNG (killed after 30 s)") ;;
	*) FAILS+=("PID $pid: exit $st: $(head -c 600 "$TMP/err")") ;;
	esac
}

# judge_runs: every run ended in one JSON document about its PID. Exit 0: a report
# (a VMA array, no error), nothing on stderr. Exit 2: a document whose "error" is
# the one line on stderr, and whose "errno" says why: ESRCH (gone, zombies
# included), EACCES/EPERM (not allowed), or null for a kernel thread, which has no
# errno to give. Counts OK, GONE, KTHREAD, DENIED.
judge_runs() {
	local f name pid st epid error errno vtype msg
	OK=0 GONE=0 KTHREAD=0 DENIED=0
	[ -n "$(ls "$TMP/runs")" ] || return 0
	if ! (cd "$TMP/runs" && ls | grep '\.json$' | tr '\n' '\0' |
		xargs -0 jq -r '[input_filename, (.pid | tostring), (.error // "-"), (.errno // "null"), (.vmas | type)] | @tsv') \
		>"$TMP/judged" 2>"$TMP/judged.err"; then
		for f in "$TMP"/runs/*.json; do
			jq -e . "$f" >/dev/null 2>&1 || FAILS+=("${f##*/}: not one JSON document: $(head -c 300 "$f")")
		done
		return 0
	fi
	[ "$(wc -l <"$TMP/judged")" -eq "$(ls "$TMP/runs" | grep -c '\.json$')" ] ||
		FAILS+=("a document too many or too few: $(wc -l <"$TMP/judged") for $(ls "$TMP/runs" | grep -c '\.json$') runs")
	while IFS=$'\t' read -r name epid error errno vtype; do
		name=${name%.json}
		st=${name##*.}
		pid=${name%.*}
		pid=${pid#*.}
		msg=$(<"$TMP/runs/$name.err")
		if [ "$epid" != "$pid" ] || [ "$vtype" != array ]; then
			FAILS+=("PID $pid: a document about PID $epid, vmas $vtype")
		elif [ "$st" = 0 ]; then
			if [ "$error" != - ] || [ -n "$msg" ]; then
				FAILS+=("PID $pid: exit 0 with error '$error' / '$msg'")
			else
				OK=$((OK + 1))
			fi
		elif [ "$msg" != "vmainspect: $error" ]; then
			FAILS+=("PID $pid: stderr '$msg' is not the document's error '$error'")
		else
			case $errno in
			ESRCH) GONE=$((GONE + 1)) ;;
			EACCES | EPERM) DENIED=$((DENIED + 1)) ;;
			null)
				if [[ "$error" == *"a kernel thread has no VMAs" ]]; then
					KTHREAD=$((KTHREAD + 1))
				else
					FAILS+=("PID $pid: an error naming no errno: $error")
				fi
				;;
			*) FAILS+=("PID $pid: errno $errno: $error") ;;
			esac
		fi
	done <"$TMP/judged"
}

# sweep ROUNDS: each round, every PID listed in /proc at its start, then three times the
# churn's children of that instant (young processes, about to exit).
sweep() {
	local rounds=$1 r d pid
	SWEPT=0 FAILS=()
	rm -rf "$TMP/runs"
	mkdir "$TMP/runs"
	for r in $(seq "$rounds"); do
		for d in /proc/[0-9]*; do
			scan_one "${d#/proc/}"
		done
		for d in 1 2 3; do
			for pid in $(cat "/proc/$CHURN/task/$CHURN/children" 2>/dev/null); do
				scan_one "$pid"
			done
		done
	done
	judge_runs
}

report_sweep() {
	echo "# vmainspect --json: $SWEPT PIDs swept: $OK reports, $GONE gone (ESRCH), $KTHREAD kernel threads, $DENIED denied; $CHURN_LINE; failures ${#FAILS[@]}" >&3
	if [ "${#FAILS[@]}" -gt 0 ]; then
		printf '%s\n' "${FAILS[@]}"
		return 1
	fi
	# the race was really run: some reports, and some processes gone under the scan
	[ "$OK" -gt 10 ] || fail "only $OK reports"
	[ "$GONE" -gt 0 ] || fail "no process vanished during the sweep: the churn did not churn"
}

@test "sweep: vmainspect --json on every PID under churn: a report, or an error naming why" {
	start_churn
	sweep "$ROUNDS"
	stop_churn
	report_sweep
	[ "$CHURNED" -gt 50 ] || fail "churn started only $CHURNED processes"
}

# check_sweep: crdiag-check on every PID of the machine, churn's young ones too. Each
# run ends with its summary line (exit 0 or 1, nothing on stderr) or with one line
# on stderr naming why (exit 2): gone, a zombie, a kernel thread, not allowed.
check_sweep() {
	local d pid st n=0 ok=0 gone=0 other=0 fails=()
	for d in /proc/[0-9]* $(for _ in 1 2 3; do cat "/proc/$CHURN/task/$CHURN/children" 2>/dev/null; done); do
		pid=${d#/proc/}
		st=0
		timeout 20 "$BIN/crdiag-check" "$pid" >"$TMP/out" 2>"$TMP/err" || st=$?
		n=$((n + 1))
		case $st in
		0 | 1)
			if [ -s "$TMP/err" ] || ! tail -1 "$TMP/out" | grep -q '^summary: '; then
				fails+=("PID $pid: exit $st without its summary last, or with stderr: $(head -c 300 "$TMP/err")")
			else
				ok=$((ok + 1))
			fi
			;;
		2)
			if [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -s "$TMP/out" ] ||
				! grep -qE "^crdiag-check: PID $pid: (No such process|the process has exited \(a zombie\)|a kernel thread: .*|Permission denied .*)$" "$TMP/err"; then
				fails+=("PID $pid: exit 2: $(head -c 300 "$TMP/err")")
			elif grep -q 'No such process\|zombie' "$TMP/err"; then
				gone=$((gone + 1))
			else
				other=$((other + 1))
			fi
			;;
		*) fails+=("PID $pid: exit $st: $(head -c 600 "$TMP/err")") ;;
		esac
	done
	echo "# crdiag-check: $n PIDs: $ok checked, $gone gone, $other kernel threads or denied; failures ${#fails[@]}" >&3
	if [ "${#fails[@]}" -gt 0 ]; then
		printf '%s\n' "${fails[@]}"
		return 1
	fi
	[ "$ok" -gt 10 ] || fail "only $ok checked"
}

@test "sweep: crdiag-check on every PID under churn: findings and a summary, or one line naming why" {
	start_churn
	check_sweep
	stop_churn
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
	run -0 --separate-stderr "$BIN/vmainspect" --json "$pid"
	assert_equal "$(jq '.pid' <<<"$output")" "$pid"
	[ "$(jq '.totals.vmas' <<<"$output")" -gt 5 ] || fail "vmainspect: too few VMAs"
	# a real zombie still says what it is, and vmainspect names ESRCH for it
	start_bg "$TMP/zombie.pid" "$TBIN/zombie" "$TMP/zombie.pid"
	local z
	z=$(cat "$TMP/zombie.pid")
	run -2 --separate-stderr "$BIN/crdiag-scan" "$z"
	assert_equal "$stderr" "crdiag-scan: PID $z: no VMAs (the process exited)"
	run -2 --separate-stderr "$BIN/vmainspect" --json "$z"
	assert_equal "$(jq -r '[.error, .errno] | join("|")' <<<"$output")" \
		"PID $z (zombie): no VMAs: the process has exited (a zombie)|ESRCH"
}
