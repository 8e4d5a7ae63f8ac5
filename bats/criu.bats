#!/usr/bin/env bats
# The CRIU tier.
#   classifier  real CRIU logs (bats/fixtures/criu-logs) classify as
#               their README says; the noise and generic Error lines never decide
#   probe       finding CRIU and `criu check`: a missing or failing CRIU is "unusable"
#               with its first real error line, never usable
#   run         criu.h's runs (CRIU_FAULT, netns, timeouts, signals, stale logs, restore
#               pidfile, reaping), with helpers/fake-criu replaying real logs; the
#               same modes against a real CRIU are bats/criu-real.bats
# bats/fixtures/criu-3.17.1_check_vvar-vclock.{log,stderr}: Debian 12's criu 3.17.1
# `criu check` on Linux 6.18 (-v4 -o log, and plain stderr), taken on this machine.

load helpers/common

setup() {
	common_setup
	LOGS=$CRIU_LOGS
	FAKE=$BATS_TEST_DIRNAME/helpers/fake-criu
	NETNS=
}

teardown() {
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	common_teardown
}

# A sleep duration no other process uses, to find a leftover hung fake CRIU.
unique_sleep() {
	echo "$((RANDOM % 500 + 1000)).$$"
}

no_process_running() { # no_process_running PATTERN
	run -1 pgrep -f -- "$1"
}

# --- classifier -----------------------------------------------------------------

@test "classifier: each real CRIU log classifies as its README says" {
	local file what outcome n=0 class line status want
	while IFS='|' read -r _ file what outcome _; do
		file=$(xargs <<<"$file")
		[[ $file == *.log ]] || continue
		n=$((n + 1))
		status=$(sed -n 's/^ *exit \([0-9]*\).*/\1/p' <<<"$outcome")
		want=$(sed -n 's/^[^`]*`\(.*\)`.*/\1/p' <<<"$outcome")
		if [ "$status" = 0 ]; then
			run -0 --separate-stderr "$BIN/crdiag-criu" --log "$LOGS/$file" --json
			assert_equal "$(jq -r .class <<<"$output")" ok
		else
			run -1 --separate-stderr "$BIN/crdiag-criu" --log "$LOGS/$file" --json
			class=$(jq -r .class <<<"$output")
			line=$(jq -r .decisive.text <<<"$output")
			assert_equal "$status" 1
			# the README writes the line with <pid> for the PID
			local re=${want//(/\\(}
			re=${re//)/\\)}
			re=${re//<pid>/[0-9]+}
			re=${re//<path>/.+}
			[[ $line =~ $re$ ]] || fail "$file: decisive line '$line' is not '$want'"
			case $want in
			pagemap-cache:*) assert_equal "$class" short-read-bug ;;
			*"Can't bind inet socket"*) assert_equal "$class" bind-eaddrnotavail ;;
			*"is not a session leader"*) assert_equal "$class" not-session-leader ;;
			*"Can't dump ghost file"*) assert_equal "$class" ghost-limit ;;
			*"consider using --tcp-established"*) assert_equal "$class" tcp-established ;;
			*"Iptables configuration failed"*) assert_equal "$class" network-lock-iptables ;;
			*"Can't find sender for"*) assert_equal "$class" unix-scm-no-sender ;;
			*) fail "$file: no class known for '$want'" ;;
			esac
		fi
	done <"$LOGS/README.md"
	# every log there is described, so none is silently left out
	assert_equal "$n" "$(find "$LOGS" -name '*.log' | wc -l)"
	assert [ "$n" -ge 11 ]
}

@test "classifier: the exact decisive line, line number and version of each real log" {
	local f
	while IFS=' ' read -r f want; do
		run --separate-stderr "$BIN/crdiag-criu" --log "$LOGS/$f" --json
		assert_equal "$(jq -r '"\(.class) \(.decisive.line) \(.criu_version)"' <<<"$output")" "$want"
	done <<-'TABLE'
	criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log short-read-bug 450 4.2
	criu-4.2_dump_giant-vma_CRIU_FAULT-135.log ok 686 4.2
	criu-4.2_dump_giant-vma_pagemap-scan.log ok 686 4.2
	criu-4.2_dump_udp.log ok 690 4.2
	criu-4.2_restore_udp_source-address-present.log ok 455 4.2
	criu-4.2_restore_udp_source-address-moved.log bind-eaddrnotavail 202 4.2
	criu-3.17.1_dump_giant-vma_default.log short-read-bug 338 3.17.1
	criu-3.17.1_dump_udp.log ok 656 3.17.1
	criu-3.17.1_restore_udp_source-address-present.log ok 422 3.17.1
	criu-3.17.1_restore_udp_source-address-moved.log bind-eaddrnotavail 158 3.17.1
	criu-3.17.1_dump_no-setsid.log not-session-leader 674 3.17.1
	criu-3.17.1_dump_ghost-mapped.log ghost-limit 193 3.17.1
	criu-3.17.1_dump_ghost-sparse.log ghost-limit 288 3.17.1
	criu-3.17.1_dump_tcp-established.log tcp-established 290 3.17.1
	criu-3.17.1_dump_tcp-established_no-iptables.log network-lock-iptables 300 3.17.1
	criu-3.17.1_restore_unix-scm-orphan.log unix-scm-no-sender 102 3.17.1
	criu-3.17.1_restore_unix-scm-named.log unix-scm-no-sender 104 3.17.1
	TABLE
	run -1 "$BIN/crdiag-criu" --log "$LOGS/criu-4.2_restore_udp_source-address-moved.log"
	assert_line --index 1 "  decisive, line 202: Error (criu/sk-inet.c:1059): inet: Can't bind inet socket (id 6): Cannot assign requested address"
}

@test "classifier: the rlimit Error line of every run is noise, never the failure" {
	local f
	# (CRIU 4.2 on 6.18 logs it every time; 3.17.1 in the guest found the limit unlimited)
	for f in "$LOGS"/criu-4.2*.log; do
		grep -q "rlimit: Can't setup RLIMIT_NOFILE" "$f" || fail "$f has no rlimit line"
		run --separate-stderr "$BIN/crdiag-criu" --log "$f" --json
		assert_equal "$(jq .noise <<<"$output")" 1
		refute_output --partial RLIMIT_NOFILE
	done
	# successful runs: that line was their only Error line
	run -0 --separate-stderr "$BIN/crdiag-criu" --log "$LOGS/criu-4.2_dump_udp.log" --json
	assert_equal "$(jq -c '[.errors, .first_error]' <<<"$output")" '[0,null]'
	# alone, it is no error at all: a log with nothing else is a run that said nothing
	grep 'rlimit' "$LOGS/criu-4.2_dump_udp.log" >"$TMP/only-noise.log"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/only-noise.log" --json
	assert_equal "$(jq -c '[.class, .errors, .noise, .first_error]' <<<"$output")" \
		'["other-failure",0,1,null]'
}

@test "classifier: an unknown failure names its first real error, past generic lines" {
	# criu 3.17.1 check on 6.18: two "exited, status=1" (its iptables probe) come first
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$FIXTURES/criu-3.17.1_check_vvar-vclock.log" --json
	assert_equal "$(jq -r .class <<<"$output")" other-failure
	assert_equal "$(jq -r .criu_version <<<"$output")" 3.17.1
	assert_equal "$(jq -r .first_error.line <<<"$output")" 28
	assert_equal "$(jq -r .first_error.text <<<"$output")" \
		"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	assert_equal "$(jq -r .decisive.text <<<"$output")" \
		"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	# the same run's stderr: no timestamps, same answer
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$FIXTURES/criu-3.17.1_check_vvar-vclock.stderr" --json
	assert_equal "$(jq -r .first_error.text <<<"$output")" \
		"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	# a failure whose only Error lines are generic still names one
	printf '(00.1) Error (criu/util.c:642): exited, status=3\n(00.2) Error (criu/cr-dump.c:2128): Dumping FAILED.\n' >"$TMP/generic.log"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/generic.log" --json
	assert_equal "$(jq -r .first_error.text <<<"$output")" "Error (criu/util.c:642): exited, status=3"
}

@test "classifier: a specific failure wins over an earlier unrelated error and a success line" {
	{
		echo "(00.000001) Error (criu/files.c:1): something else went wrong"
		cat "$LOGS/criu-4.2_restore_udp_source-address-moved.log"
		echo "(00.100000) Restore finished successfully. Tasks resumed."
	} >"$TMP/mixed.log"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/mixed.log" --json
	assert_equal "$(jq -r '"\(.class) \(.decisive.line) \(.first_error.line)"' <<<"$output")" \
		"bind-eaddrnotavail 203 1"
}

@test "classifier: a log cut short (CRIU killed mid-dump) names its last line" {
	# up to the start of the giant VMA's read, where the 6 s pread was going on
	sed '/filling VMA .*(1094712560K)/q' \
		"$LOGS/criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log" >"$TMP/cut.log"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/cut.log" --json
	assert_equal "$(jq -r '"\(.class) \(.decisive.line) \(.first_error)"' <<<"$output")" \
		"other-failure 447 null"
	assert_equal "$(jq -r .decisive.text <<<"$output")" \
		"pagemap-cache: 13086: filling VMA 7ed4429c0000-7fd9428fc000 (1094712560K) [l:7ed442800000 h:7ed442a00000]"
}

@test "classifier: stdin, an empty log, a missing file, bad usage" {
	run -0 --separate-stderr "$BIN/crdiag-criu" --log - --json <"$LOGS/criu-4.2_dump_udp.log"
	assert_equal "$(jq -r '"\(.file) \(.class)"' <<<"$output")" "- ok"
	: >"$TMP/empty.log"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/empty.log" --json
	assert_equal "$(jq -c '[.class, .decisive, .criu_version]' <<<"$output")" '["other-failure",null,null]'
	run -2 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/nope.log"
	assert_output ""
	assert_equal "$stderr" "crdiag-criu: $TMP/nope.log: No such file or directory"
	run -2 --separate-stderr "$BIN/crdiag-criu" --log
	assert_equal "$stderr" "crdiag-criu: option '--log' needs an argument"
	run -2 --separate-stderr "$BIN/crdiag-criu" --bogus
	assert_equal "$stderr" "crdiag-criu: unknown option '--bogus' (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-criu" --timeout 0
	assert_equal "$stderr" "crdiag-criu: --timeout: '0' is not a number of seconds (1..86400)"
	run -0 "$BIN/crdiag-criu" --version
	assert_output --regexp '^crdiag-criu [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 "$BIN/crdiag-criu" --help
	assert_line --partial "Exit status: 0 CRIU usable"
}

# --- probe ----------------------------------------------------------------------

@test "probe: a \$CRIU that does not exist is unusable, with the reason" {
	CRIU=$TMP/no/such/criu run -1 --separate-stderr "$BIN/crdiag-criu"
	assert_output "criu: $TMP/no/such/criu
CRIU unusable here: \$CRIU=$TMP/no/such/criu: No such file or directory"
	CRIU=$TMP/no/such/criu run -1 --separate-stderr "$BIN/crdiag-criu" --json
	assert_equal "$(jq -c '[.found, .usable, .version, .check_status]' <<<"$output")" \
		'[false,false,null,null]'
	# a file that is not executable is no CRIU either
	: >"$TMP/criu"
	CRIU=$TMP/criu run -1 --separate-stderr "$BIN/crdiag-criu"
	assert_line "CRIU unusable here: \$CRIU=$TMP/criu: not an executable file"
}

@test "probe: a \$CRIU failing criu check is unusable, with its first real error line" {
	CRIU=$FAKE FAKE_CRIU_VERSION=3.17.1 FAKE_CRIU_CHECK=$FIXTURES/criu-3.17.1_check_vvar-vclock.stderr \
		run -1 --separate-stderr "$BIN/crdiag-criu"
	assert_output "criu: $FAKE
version: 3.17.1
check: failed (exit 1)
CRIU unusable here: Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	# a check that fails without one Error line says how it ended
	printf 'something odd\n' >"$TMP/odd"
	CRIU=$FAKE FAKE_CRIU_CHECK=$TMP/odd run -1 --separate-stderr "$BIN/crdiag-criu" --json
	assert_equal "$(jq -r .reason <<<"$output")" "criu check exited with status 1"
}

@test "probe: a CRIU whose check passes is usable" {
	CRIU=$FAKE run -0 --separate-stderr "$BIN/crdiag-criu" --json
	assert_equal "$(jq -c '[.path, .found, .version, .check_status, .usable, .reason]' <<<"$output")" \
		"[\"$FAKE\",true,\"4.2\",0,true,null]"
	CRIU=$FAKE run -0 --separate-stderr "$BIN/crdiag-criu"
	assert_line "CRIU usable here"
}

@test "probe: a criu check that hangs is killed at the timeout and reaped" {
	local s
	s=$(unique_sleep)
	CRIU=$FAKE FAKE_CRIU_CHECK=hang FAKE_CRIU_SLEEP=$s run -1 --separate-stderr "$BIN/crdiag-criu" --timeout 1
	assert_line "CRIU unusable here: criu check timed out after 1 s"
	no_process_running "sleep $s"
}

@test "probe: \$CRIU as a name on PATH; no criu on PATH at all" {
	# a PATH with nothing but bash (for the fake's #!) and what the test puts there
	mkdir "$TMP/bin"
	ln -s "$(command -v bash)" "$TMP/bin/bash"
	ln -s "$FAKE" "$TMP/bin/my-criu"
	run -0 --separate-stderr env PATH="$TMP/bin:$PATH" CRIU=my-criu "$BIN/crdiag-criu" --json
	assert_equal "$(jq -r .path <<<"$output")" "$TMP/bin/my-criu"
	CRIU=my-criu run -1 --separate-stderr "$BIN/crdiag-criu"
	assert_line "CRIU unusable here: \$CRIU=my-criu: not found on PATH"
	ln -s "$FAKE" "$TMP/bin/criu"
	run -0 --separate-stderr env CRIU= PATH="$TMP/bin" "$BIN/crdiag-criu" --json
	assert_equal "$(jq -r .path <<<"$output")" "$TMP/bin/criu"
	rm "$TMP/bin/criu"
	run -1 --separate-stderr env CRIU= PATH="$TMP/bin" "$BIN/crdiag-criu"
	assert_line "CRIU unusable here: criu: not found on PATH (install it, or set CRIU=/path/to/criu)"
}

# bats test_tags=criu-real, user, quick
@test "probe: the installed criu is either usable or says why not" {
	local criu
	criu=$(command -v criu) || skip "no criu installed (apt-get install criu, or set CRIU=)"
	CRIU=$criu run --separate-stderr "$BIN/crdiag-criu"
	case $status in
	0) assert_line "CRIU usable here" ;;
	1) assert_line --regexp '^CRIU unusable here: Error \(criu/[a-z_-]+\.c:[0-9]+\): .+' ;;
	*) fail "crdiag-criu exited $status: $stderr" ;;
	esac
}

# --- run ------------------------------------------------------------------------

@test "run: CRIU_FAULT is set for the forced dump and removed otherwise, even when the user set it" {
	sleep 1000 3>&- &
	BG_PIDS+=($!)
	local pid=$!
	export CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace CRIU_FAULT=99
	export FAKE_CRIU_DUMP_LOG_FAULT=$LOGS/criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log
	export FAKE_CRIU_DUMP_STATUS_FAULT=1
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_giant-vma_pagemap-scan.log
	mkdir "$TMP/img"
	run -0 --separate-stderr "$TBIN/criurun" --fault 135 dump "$pid" "$TMP/img"
	assert_equal "$(jq -r '"\(.status) \(.class) \(.has_log)"' <<<"$output")" "1 short-read-bug true"
	assert_equal "$(jq -r .reason <<<"$output")" \
		"Error (criu/pagemap-cache.c:212): pagemap-cache: Can't read 13086's pagemap file: No such file or directory"
	run -0 --separate-stderr "$TBIN/criurun" dump "$pid" "$TMP/img"
	assert_equal "$(jq -r '"\(.status) \(.class) \(.reason)"' <<<"$output")" "0 ok Dumping finished successfully"
	run -0 cut -d' ' -f1,3- "$TMP/trace"
	assert_output "CRIU_FAULT=135 dump -t $pid -D $TMP/img -v4 -o dump.log --leave-running
CRIU_FAULT=- dump -t $pid -D $TMP/img -v4 -o dump.log --leave-running"
}

@test "run: a non-zero exit is never ok, and a stale log never passes for a new run" {
	mkdir "$TMP/img"
	export CRIU=$FAKE
	# exit 1 with a log that says success: the exit status wins
	FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_udp.log FAKE_CRIU_DUMP_STATUS=1 \
		run -0 --separate-stderr "$TBIN/criurun" dump $$ "$TMP/img"
	assert_equal "$(jq -r '"\(.class)|\(.log_class)|\(.reason)"' <<<"$output")" \
		"other-failure|ok|criu exited with status 1"
	# the dump.log of that run is still there; this run writes none and fails
	FAKE_CRIU_DUMP_STATUS=3 run -0 --separate-stderr "$TBIN/criurun" dump $$ "$TMP/img"
	assert_equal "$(jq -r '"\(.class)|\(.has_log)|\(.reason)"' <<<"$output")" \
		"other-failure|false|criu exited with status 3"
	# the same for restore: no log and no pidfile from an earlier run
	cp "$LOGS/criu-4.2_restore_udp_source-address-present.log" "$TMP/img/restore.log"
	echo $$ >"$TMP/img/restored.pid"
	FAKE_CRIU_RESTORE_STATUS=1 run -0 --separate-stderr "$TBIN/criurun" restore "$TMP/img"
	assert_equal "$(jq -r '"\(.class)|\(.restored)|\(.reason)"' <<<"$output")" \
		"other-failure|0|criu exited with status 1"
	# and the failing restore of the fixture
	FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-moved.log FAKE_CRIU_RESTORE_STATUS=1 \
		run -0 --separate-stderr "$TBIN/criurun" restore "$TMP/img"
	assert_equal "$(jq -r '"\(.status) \(.class) \(.restored)"' <<<"$output")" "1 bind-eaddrnotavail 0"
}

@test "run: a CRIU that cannot be executed is an error, not a CRIU failure" {
	mkdir "$TMP/img"
	: >"$TMP/criu"
	CRIU=$TMP/criu run -2 --separate-stderr "$TBIN/criurun" dump $$ "$TMP/img"
	assert_equal "$stderr" "criurun: dump: Permission denied"
	CRIU=$TMP/nothing run -2 --separate-stderr "$TBIN/criurun" dump $$ "$TMP/img"
	assert_equal "$stderr" "criurun: dump: No such file or directory"
}

@test "run: a CRIU that hangs is killed at the timeout, reaped, and the class says so" {
	local s
	s=$(unique_sleep)
	mkdir "$TMP/img"
	CRIU=$FAKE FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$s \
		run -0 --separate-stderr "$TBIN/criurun" --timeout 500 dump $$ "$TMP/img"
	assert_equal "$(jq -r '"\(.timed_out) \(.status) \(.class)|\(.reason)"' <<<"$output")" \
		"true 143 other-failure|criu timed out after 0.5 s"
	no_process_running "sleep $s"
}

@test "run: SIGTERM stops a running CRIU, which is reaped before the program exits" {
	local s pid i
	s=$(unique_sleep)
	mkdir "$TMP/img"
	CRIU=$FAKE FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$s FAKE_CRIU_TRACE=$TMP/trace \
		"$TBIN/criurun" dump $$ "$TMP/img" >"$TMP/out" 2>"$TMP/err" 3>&- &
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 200); do
		pgrep -f "sleep $s" >/dev/null && break
		sleep 0.05
	done
	pgrep -f "sleep $s" >/dev/null || fail "the fake CRIU never started"
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 3
	assert_equal "$(cat "$TMP/err")" "criurun: dump: Interrupted system call"
	no_process_running "sleep $s"
}

@test "run: CRIU runs inside the network namespace it is given" {
	require_root
	command -v ip >/dev/null || skip "ip (iproute2) is not installed"
	NETNS=crdiag-criu-$$-$RANDOM
	ip netns add "$NETNS"
	mkdir "$TMP/img"
	CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace \
		run -0 --separate-stderr "$TBIN/criurun" --netns "/run/netns/$NETNS" dump $$ "$TMP/img"
	local want
	want=$(ip netns exec "$NETNS" readlink /proc/self/ns/net)
	assert_equal "$(cut -d' ' -f2 "$TMP/trace")" "NETNS=$want"
	refute [ "$want" = "$(readlink /proc/self/ns/net)" ]
	# a namespace that does not exist: nothing runs
	run -2 --separate-stderr "$TBIN/criurun" --netns "/run/netns/$NETNS-gone" dump $$ "$TMP/img"
	assert_equal "$stderr" "criurun: dump: No such file or directory"
}

@test "run: restore -d gives the restored PID from its pidfile; a subreaper reaps it" {
	local s
	s=$(unique_sleep)
	mkdir "$TMP/img"
	CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace FAKE_CRIU_RESTORE_CMD="exec sleep $s" \
		FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log \
		run -0 --separate-stderr "$TBIN/criurun" --subreaper --kill-restored restore "$TMP/img"
	assert_equal "$(jq -r '"\(.status) \(.class) \(.restored_gone)"' <<<"$output")" "0 ok true"
	assert [ "$(jq .restored <<<"$output")" -gt 0 ]
	run -0 cut -d' ' -f1,3- "$TMP/trace"
	assert_output "CRIU_FAULT=- restore -D $TMP/img -v4 -o restore.log -d --pidfile $TMP/img/restored.pid"
	no_process_running "sleep $s"
}

@test "run: a zombie still holds its PID: waiting for it to be gone times out" {
	# the parent never reaps its child: the child stays a zombie while the parent lives
	local s
	s=$(unique_sleep)
	bash -c "sleep 0.01 & echo \$! >'$TMP/child'; exec sleep $s" 3>&- &
	BG_PIDS+=($!)
	local parent=$! i
	for i in $(seq 200); do
		[ -s "$TMP/child" ] && [[ $(ps -o stat= -p "$(cat "$TMP/child")") == Z* ]] && break
		sleep 0.05
	done
	run -2 --separate-stderr "$TBIN/criurun" --timeout 200 wait-gone "$(cat "$TMP/child")"
	assert_output "Connection timed out"
	kill "$parent"
	run -0 --separate-stderr "$TBIN/criurun" wait-gone "$(cat "$TMP/child")"
	assert_output gone
}

# --- repro-giant-vma --criu -------------------------------------------------------

# fake_giant PREAD_LOG PREAD_STATUS PLAIN_LOG PLAIN_STATUS: a fake CRIU whose dumps replay
# these real logs; image dirs go to $TMP/tmp (checked empty after each run).
fake_giant() {
	export CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace TMPDIR=$TMP/tmp
	export FAKE_CRIU_DUMP_LOG_FAULT=${1:+$LOGS/$1} FAKE_CRIU_DUMP_STATUS_FAULT=$2
	export FAKE_CRIU_DUMP_LOG=${3:+$LOGS/$3} FAKE_CRIU_DUMP_STATUS=$4
	mkdir -p "$TMP/tmp"
}

# The "restored" process: the dumped reservation, mapped again at its address.
fake_restore_reservation() {
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log
	export FAKE_CRIU_RESTORE_READY=1
	export FAKE_CRIU_RESTORE_CMD="exec setarch $(uname -m) -R $(printf %q "$TBIN/reserve") \"\$FAKE_CRIU_DIR/fake-maps\" \"\$FAKE_CRIU_DIR/fake-ready\""
}

assert_nothing_left() { # assert_nothing_left HOLDER_PID
	run -1 kill -0 "$1"
	assert_equal "$(ls -A "$TMP/tmp")" ""
	no_process_running "$TBIN/reserve"
}

SHORT_READ=criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log
PREAD_OK=criu-4.2_dump_giant-vma_CRIU_FAULT-135.log
SCAN_OK=criu-4.2_dump_giant-vma_pagemap-scan.log

@test "giant --criu: a CRIU that fails check skips (77) with its first error line, never passes" {
	export CRIU=$FAKE FAKE_CRIU_VERSION=3.17.1 FAKE_CRIU_CHECK=$FIXTURES/criu-3.17.1_check_vvar-vclock.stderr
	export FAKE_CRIU_TRACE=$TMP/trace TMPDIR=$TMP/tmp
	mkdir "$TMP/tmp"
	run -77 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "$stderr" ""
	assert_equal "${lines[-1]}" "verdict: skipped: CRIU unusable here: Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	run -77 --separate-stderr "$BIN/repro-giant-vma" --criu --json
	assert_equal "$(jq -r '"\(.verdict) \(.exit_code) \(.criu.version) \(.criu.usable)"' <<<"$output")" \
		"skipped 77 3.17.1 false"
	# nothing was dumped: only --version and check ran, and no image dir was made
	run -0 cut -d' ' -f3- "$TMP/trace"
	assert_output "--version
check
--version
check"
	assert_equal "$(ls -A "$TMP/tmp")" ""
}

@test "giant --criu: a \$CRIU that does not exist skips (77) with the reason" {
	CRIU=$TMP/none run -77 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "${lines[-1]}" "verdict: skipped: CRIU unusable here: \$CRIU=$TMP/none: No such file or directory"
}

@test "giant --criu: the pread dump failing on the short read is reproduced (0)" {
	fake_giant "$SHORT_READ" 1 "$SCAN_OK" 0
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "$stderr" ""
	assert_line --index 0 "criu:        $FAKE, version 4.2"
	assert_line --index 1 --regexp '^holder:      PID [0-9]+ \(own session\) holds [0-9a-f]+-[0-9a-f]+ ---p 1094712560 KiB \(1\.02 TiB\)$'
	assert_line --index 2 --regexp '^dump pread:  exit 1 after [0-9.]+ s: short-read-bug$'
	assert_line --index 3 "             Error (criu/pagemap-cache.c:212): pagemap-cache: Can't read 13086's pagemap file: No such file or directory"
	assert_line --index 4 --regexp '^dump:        exit 0 after [0-9.]+ s: ok$'
	assert_line --index 5 "             Dumping finished successfully"
	assert_line --index 6 "images:      removed (--keep keeps them)"
	assert_equal "${lines[-1]}" "verdict: reproduced: CRIU 4.2 failed to dump the reservation on its pread path (CRIU_FAULT=135): the pagemap read came back short"
	# CRIU was asked exactly as the issue says, for the holder, twice
	local pid
	pid=$(sed -n 's/^holder: *PID \([0-9]*\).*/\1/p' <<<"$output")
	run -0 sed -n 's/^CRIU_FAULT=\([^ ]*\) NETNS=[^ ]* dump -t \([0-9]*\) -D .*\/dump-\([a-z]*\) -v4 -o dump.log --leave-running$/\1 \2 \3/p' "$TMP/trace"
	assert_output "135 $pid pread
- $pid default"
	assert_nothing_left "$pid"
}

@test "giant --criu --json: both dumps, the holder and the verdict" {
	fake_giant "$SHORT_READ" 1 "$SCAN_OK" 0
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --json
	local j=$output
	assert_equal "$(jq -c '[.holder.size, .holder.alive_after_dumps, .pread_dump, .restore, .images]' <<<"$j")" \
		'[1120985661440,true,"pread",null,null]'
	assert_equal "$(jq -c '[.dumps[] | [.name, .fault, .exit_code, .class, .timed_out, .log]]' <<<"$j")" \
		'[["pread","135",1,"short-read-bug",false,null],["default",null,0,"ok",false,null]]'
	assert_equal "$(jq -r '.dumps[1].line' <<<"$j")" "Dumping finished successfully"
	assert_equal "$(jq -r '"\(.verdict) \(.exit_code)"' <<<"$j")" "reproduced 0"
	assert [ "$(jq '.dumps[0].seconds >= 0' <<<"$j")" = true ]
	assert_nothing_left "$(jq .holder.pid <<<"$j")"
}

@test "giant --criu: a CRIU with the fix is not reproduced (1)" {
	fake_giant "$PREAD_OK" 0 "$SCAN_OK" 0
	run -1 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "${lines[-1]}" "verdict: not-reproduced: CRIU 4.2 dumped the reservation on its pread path (CRIU_FAULT=135): it has the short-read fix"
}

@test "giant --criu: a CRIU without fault 135 (older than PAGEMAP_SCAN) is judged on its plain dump" {
	# what CRIU < 4.0 prints before it opens its log, and no log
	echo "Error (criu/fault-injection.c:21): CRIU_FAULT out of bounds." >"$TMP/oob"
	fake_giant "" 1 "$SHORT_READ" 1
	export FAKE_CRIU_DUMP_STDERR_FAULT=$TMP/oob FAKE_CRIU_VERSION=3.19
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --json
	assert_equal "$(jq -c '[.pread_dump, .dumps[0].fault_rejected, .dumps[0].class, .dumps[0].line, .dumps[1].class]' <<<"$output")" \
		'["default",true,"other-failure","Error (criu/fault-injection.c:21): CRIU_FAULT out of bounds.","short-read-bug"]'
	assert_equal "$(jq -r .reason <<<"$output")" \
		"CRIU 3.19 failed to dump the reservation on its pread path (it has no CRIU_FAULT=135 and no PAGEMAP_SCAN): the pagemap read came back short"
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_line "             this CRIU has no fault 135: older than PAGEMAP_SCAN support, its plain dump reads with pread"
}

@test "giant --criu: a dump failing for another reason is untestable (77), with CRIU's first error" {
	fake_giant criu-4.2_restore_udp_source-address-moved.log 1 "$SCAN_OK" 0
	run -77 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "${lines[-1]}" "verdict: skipped: untestable here: criu dump on the pread path failed for another reason: Error (criu/sk-inet.c:1059): inet: Can't bind inet socket (id 6): Cannot assign requested address"
	# a log that ends in the middle (CRIU killed) and no exit 0: the exit says it
	sed '/filling VMA .*(1094712560K)/q' "$LOGS/$SHORT_READ" >"$TMP/cut.log"
	export FAKE_CRIU_DUMP_LOG_FAULT=$TMP/cut.log FAKE_CRIU_DUMP_STATUS_FAULT=137
	run -77 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_equal "${lines[-1]}" "verdict: skipped: untestable here: criu dump on the pread path failed for another reason: criu exited with status 137"
}

@test "giant --criu: a hanging dump is stopped at --criu-timeout and reaped; untestable (77)" {
	local s
	s=$(unique_sleep)
	fake_giant "" 0 "" 0
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$s
	run -77 --separate-stderr "$BIN/repro-giant-vma" --criu --criu-timeout 1 --json
	assert_equal "$(jq -c '[.dumps[] | [.timed_out, .exit_code, .class, .line]]' <<<"$output")" \
		'[[true,143,"other-failure","criu timed out after 1 s"],[true,143,"other-failure","criu timed out after 1 s"]]'
	no_process_running "sleep $s"
	assert_nothing_left "$(jq .holder.pid <<<"$output")"
}

@test "giant --criu: SIGTERM mid-dump stops CRIU and the holder, removes the images, dies of SIGTERM" {
	local s pid i holder st=0
	s=$(unique_sleep)
	fake_giant "" 0 "" 0
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$s
	"$BIN/repro-giant-vma" --criu >"$TMP/out" 2>"$TMP/err" 3>&- &
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 200); do
		pgrep -f "sleep $s" >/dev/null && break
		sleep 0.05
	done
	holder=$(sed -n 's/.* dump -t \([0-9]*\) .*/\1/p' "$TMP/trace")
	assert [ -n "$holder" ]
	kill -0 "$holder"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" 143
	assert_equal "$(cat "$TMP/err")" "repro-giant-vma: criu dump: interrupted by a signal; everything started is stopped"
	no_process_running "sleep $s"
	assert_nothing_left "$holder"
}

@test "giant --criu: the holder is in its own session with the reservation when CRIU dumps it" {
	fake_giant "$SHORT_READ" 1 "$SCAN_OK" 0
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --keep --json
	local j=$output dir pid start end
	dir=$(jq -r .images <<<"$j")
	pid=$(jq -r .holder.pid <<<"$j")
	start=$(jq -r .holder.start <<<"$j")
	end=$(jq -r .holder.end <<<"$j")
	# kept: both image dirs with their logs, at the paths the JSON gives
	assert_equal "$(jq -r .dumps[0].log <<<"$j")" "$dir/dump-pread/dump.log"
	assert_files_equal "$dir/dump-pread/dump.log" "$LOGS/$SHORT_READ"
	assert_files_equal "$dir/dump-default/dump.log" "$LOGS/$SCAN_OK"
	# /proc/PID/stat at dump time: field 6 is the session, the PID itself
	assert_equal "$(sed 's/.*) //' "$dir/dump-pread/fake-stat" | cut -d' ' -f4)" "$pid"
	# its maps: the reservation, and nothing open but /dev/null behind its stdio
	assert_equal "$(grep -c "^${start#0x}-${end#0x} ---p 00000000 00:00 0 *$" "$dir/dump-pread/fake-maps")" 1
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu
	assert_line "images:      removed (--keep keeps them)"
	rm -rf "$dir"
	assert_nothing_left "$pid"
}

@test "giant --criu --restore: the PID is freed first, then the restored process has the reservation again" {
	command -v setarch >/dev/null || skip "setarch (util-linux) is not installed"
	fake_giant "$SHORT_READ" 1 "$SCAN_OK" 0
	fake_restore_reservation
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --restore --json
	local j=$output
	assert_equal "$(jq -c '.restore | [.from, .exit_code, .class, .line, .reservation_back]' <<<"$j")" \
		'["default",0,"ok","Restore finished successfully. Tasks resumed.",true]'
	assert [ "$(jq .restore.pid <<<"$j")" -gt 0 ]
	assert_equal "$(jq -r .verdict <<<"$j")" reproduced
	run -0 cut -d' ' -f3- "$TMP/trace"
	assert_line --index 4 --regexp "^restore -D $TMP/tmp/crdiag-criu\.[^/]+/dump-default -v4 -o restore.log -d --pidfile $TMP/tmp/crdiag-criu\.[^/]+/dump-default/restored.pid$"
	run -1 kill -0 "$(jq .restore.pid <<<"$j")"
	assert_nothing_left "$(jq .holder.pid <<<"$j")"
	# the text form
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --restore
	assert_line --regexp '^restore:     exit 0 after [0-9.]+ s: ok$'
	assert_line --regexp '^restored:    PID [0-9]+ has the reservation again$'
}

@test "giant --criu --restore: a restored process without the reservation, a failed restore, no dump to restore" {
	local s
	s=$(unique_sleep)
	fake_giant "$SHORT_READ" 1 "$SCAN_OK" 0
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log
	export FAKE_CRIU_RESTORE_CMD="exec sleep $s"
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --restore
	assert_line --regexp '^restored:    PID [0-9]+ is missing the reservation [0-9a-f]+-[0-9a-f]+ ---p$'
	no_process_running "sleep $s"
	# the restore itself fails: its class and line, nothing to check
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-moved.log FAKE_CRIU_RESTORE_STATUS=1
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --restore --json
	assert_equal "$(jq -c '.restore | [.exit_code, .class, .pid, .reservation_back]' <<<"$output")" \
		'[1,"bind-eaddrnotavail",0,null]'
	# both dumps failed: nothing to restore from
	fake_giant "$SHORT_READ" 1 "$SHORT_READ" 1
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu --restore
	assert_line "restore:     not tried: no dump succeeded"
	assert_nothing_left "$(sed -n 's/^holder: *PID \([0-9]*\).*/\1/p' <<<"$output")"
}

@test "giant --criu: options that do not go together" {
	run -2 --separate-stderr "$BIN/repro-giant-vma" --restore
	assert_equal "$stderr" "repro-giant-vma: --restore, --keep and --criu-timeout need --criu"
	run -2 --separate-stderr "$BIN/repro-giant-vma" --keep
	run -2 --separate-stderr "$BIN/repro-giant-vma" --criu --hold
	assert_equal "$stderr" "repro-giant-vma: --criu runs its own holder: it does not combine with --hold, --check or --pidfile"
	run -2 --separate-stderr "$BIN/repro-giant-vma" --criu --criu-timeout 0
	assert_equal "$stderr" "repro-giant-vma: --criu-timeout: '0' is not a number of seconds (1..86400)"
	run -0 "$BIN/repro-giant-vma" --help
	assert_line --partial "--criu: 0 this CRIU has the bug, 1 it has the fix, 77 untestable here"
}

# --- repro-udp-restore --criu -------------------------------------------------------

# A fake CRIU for the UDP client: dumps replay the real dump log and kill the client (as
# a dump without --leave-running does); restores replay the real restore logs, failing
# as CRIU does when 192.0.2.2 is not in the namespace, and otherwise "restore" a client
# that goes on pinging with the dumped PID's tokens.
fake_udp() {
	export CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace TMPDIR=$TMP/tmp
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_udp.log FAKE_CRIU_DUMP_KILLS=1
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log
	export FAKE_CRIU_RESTORE_NEEDS_ADDR=192.0.2.2
	export FAKE_CRIU_RESTORE_LOG_GONE=$LOGS/criu-4.2_restore_udp_source-address-moved.log
	export FAKE_CRIU_RESTORE_CMD="exec $(printf %q "$TBIN/udpping") \$(cat \$FAKE_CRIU_DIR/fake-pid) 203.0.113.1 7"
	mkdir -p "$TMP/tmp"
}

assert_udp_nothing_left() {
	assert_equal "$(ls -A "$TMP/tmp")" ""
	no_process_running "$TBIN/udpping"
	no_process_running "$BIN/repro-udp-restore --criu"
}

@test "udp --criu: a CRIU that fails check skips (77) with its first error line, never passes" {
	export CRIU=$FAKE FAKE_CRIU_CHECK=$FIXTURES/criu-3.17.1_check_vvar-vclock.stderr
	run -77 --separate-stderr "$BIN/repro-udp-restore" --criu
	assert_equal "$stderr" ""
	assert_equal "${lines[-1]}" "verdict: skipped: CRIU unusable here: Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"
	run -77 --separate-stderr "$BIN/repro-udp-restore" --criu --json
	assert_equal "$(jq -r '"\(.verdict) \(.criu.usable)"' <<<"$output")" "skipped false"
}

@test "udp --criu: without privileges it skips (77) and says which" {
	nobody_stage
	export CRIU=$NHELPERS/fake-criu TMPDIR=$NOBODY_DIR
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-udp-restore" --criu
	assert_equal "${lines[-1]}" "verdict: skipped: needs CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces)"
}

@test "udp --criu: the moved restore failing to bind is reproduced (0); the control restores and pings resume" {
	require_root
	fake_udp
	run -0 --separate-stderr "$BIN/repro-udp-restore" --criu
	assert_equal "$stderr" ""
	assert_line --index 1 "network:     client 192.0.2.2/24 in its own namespace (CRIU runs there too), echo peer 203.0.113.1:7"
	assert_line --index 2 --regexp '^control:     client PID [0-9]+ pings 203\.0\.113\.1:7 from 192\.0\.2\.2, [0-9]+ round trips before the dump$'
	assert_line --index 3 --regexp '^  dump:      exit 0 after [0-9.]+ s: ok$'
	assert_line --index 5 --regexp '^  restore:   exit 0 after [0-9.]+ s: ok$'
	assert_line --index 7 --regexp '^  pings:     resumed, from 192\.0\.2\.2:[0-9]+$'
	assert_line --index 8 --regexp '^moved:       client PID [0-9]+ .*; then 192\.0\.2\.2 is replaced by 192\.0\.2\.3$'
	assert_line --index 11 --regexp '^  restore:   exit 1 after [0-9.]+ s: bind-eaddrnotavail$'
	assert_line --index 12 "             Error (criu/sk-inet.c:1059): inet: Can't bind inet socket (id 6): Cannot assign requested address"
	assert_equal "${lines[-1]}" "verdict: reproduced: CRIU 4.2 cannot restore a connected UDP socket whose source address moved (192.0.2.2 -> 192.0.2.3): bind() of the old source fails with EADDRNOTAVAIL"
	# CRIU ran four times, every time inside the client's namespace, not ours
	run -0 grep -E ' (dump|restore) ' "$TMP/trace"
	assert_equal "${#lines[@]}" 4
	local ns
	ns=$(cut -d' ' -f2 <<<"${lines[0]}")
	refute [ "$ns" = "NETNS=$(readlink /proc/self/ns/net)" ]
	assert_equal "$(grep -E ' (dump|restore) ' "$TMP/trace" | cut -d' ' -f2 | sort -u)" "$ns"
	assert_line --index 0 --regexp "^CRIU_FAULT=- NETNS=net:\[[0-9]+\] dump -t [0-9]+ -D $TMP/tmp/crdiag-criu\.[^/]+/dump-control -v4 -o dump.log$"
	assert_line --index 1 --regexp " restore -D .*/dump-control -v4 -o restore.log -d --pidfile .*/dump-control/restored.pid$"
	assert_line --index 2 --regexp " dump -t [0-9]+ -D .*/dump-moved -v4 -o dump.log$"
	assert_udp_nothing_left
}

@test "udp --criu --json: both cases, the network and the verdict" {
	require_root
	fake_udp
	run -0 --separate-stderr "$BIN/repro-udp-restore" --criu --json
	local j=$output
	assert_equal "$(jq -c '.network' <<<"$j")" \
		'{"family":"ipv4","old_source":"192.0.2.2","new_source":"192.0.2.3","peer":{"address":"203.0.113.1","port":7}}'
	assert_equal "$(jq -c '[.cases[] | [.name, .address_moved, .dump.class, .restore.class, .restore.exit_code, .pings_resumed]]' <<<"$j")" \
		'[["control",false,"ok","ok",0,true],["moved",true,"ok","bind-eaddrnotavail",1,null]]'
	assert_equal "$(jq -r '.cases[0].resumed_from.address' <<<"$j")" 192.0.2.2
	assert [ "$(jq '.cases[0].round_trips_before_dump' <<<"$j")" -ge 2 ]
	assert_equal "$(jq -r '"\(.verdict) \(.exit_code) \(.images)"' <<<"$j")" "reproduced 0 null"
	assert_udp_nothing_left
}

@test "udp --criu: a CRIU that restores the moved socket, and whose client pings again from the new address, is not reproduced (1)" {
	require_root
	fake_udp
	unset FAKE_CRIU_RESTORE_NEEDS_ADDR
	run -1 --separate-stderr "$BIN/repro-udp-restore" --criu --json
	assert_equal "$(jq -c '[.cases[] | [.restore.class, .pings_resumed]]' <<<"$output")" '[["ok",true],["ok",true]]'
	assert_equal "$(jq -r '.cases[1].resumed_from.address' <<<"$output")" 192.0.2.3
	assert_equal "$(jq -r .reason <<<"$output")" \
		"CRIU 4.2 restored the client after its address moved (192.0.2.2 -> 192.0.2.3) and its pings resumed"
	assert_udp_nothing_left
}

@test "udp --criu: pings that do not resume are caught, in the moved case (1) and in the control (77)" {
	require_root
	local s
	s=$(unique_sleep)
	fake_udp
	unset FAKE_CRIU_RESTORE_NEEDS_ADDR
	# "restored", but silent
	export FAKE_CRIU_RESTORE_CMD="exec sleep $s"
	run -77 --separate-stderr "$BIN/repro-udp-restore" --criu --json
	assert_equal "$(jq -c '[.cases[] | [.restore.class, .pings_resumed]]' <<<"$output")" '[["ok",false],[null,null]]'
	assert_equal "$(jq -r .reason <<<"$output")" \
		"untestable here: after the control restore (address unchanged) the client's pings did not resume"
	no_process_running "sleep $s"
	# only the moved one is silent: a restore into a namespace without 192.0.2.2
	export FAKE_CRIU_RESTORE_CMD="ip -4 -o addr show | grep -q ' inet 192.0.2.2/' && exec $(printf %q "$TBIN/udpping") \$(cat \$FAKE_CRIU_DIR/fake-pid) 203.0.113.1 7; exec sleep $s"
	run -1 --separate-stderr "$BIN/repro-udp-restore" --criu
	assert_line "  pings:     did not resume within 10000 ms"
	assert_equal "${lines[-1]}" "verdict: not-reproduced: CRIU 4.2 restored the client after its address moved (192.0.2.2 -> 192.0.2.3), but its pings did not resume"
	no_process_running "sleep $s"
	assert_udp_nothing_left
}

@test "udp --criu: a failing dump or control restore is untestable (77), with CRIU's line" {
	require_root
	fake_udp
	export FAKE_CRIU_RESTORE_STATUS=1 FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-moved.log
	run -77 --separate-stderr "$BIN/repro-udp-restore" --criu
	assert_equal "${lines[-1]}" "verdict: skipped: untestable here: the control restore (address unchanged) failed: Error (criu/sk-inet.c:1059): inet: Can't bind inet socket (id 6): Cannot assign requested address"
	refute_output --partial "moved:"
	# the dump fails: the client is still running, and is stopped all the same
	fake_udp
	unset FAKE_CRIU_DUMP_KILLS
	export FAKE_CRIU_DUMP_LOG=$LOGS/$SHORT_READ FAKE_CRIU_DUMP_STATUS=1
	run -77 --separate-stderr "$BIN/repro-udp-restore" --criu --json
	assert_equal "$(jq -r .reason <<<"$output")" \
		"untestable here: criu dump of the client failed: Error (criu/pagemap-cache.c:212): pagemap-cache: Can't read 13086's pagemap file: No such file or directory"
	assert_equal "$(jq -c '.cases[0].restore' <<<"$output")" null
	assert_udp_nothing_left
}

@test "udp --criu: SIGTERM mid-dump stops CRIU, the client and the echo peer, removes the images, dies of SIGTERM" {
	require_root
	local s pid i st=0
	s=$(unique_sleep)
	fake_udp
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$s
	"$BIN/repro-udp-restore" --criu >"$TMP/out" 2>"$TMP/err" 3>&- &
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 200); do
		pgrep -f "sleep $s" >/dev/null && break
		sleep 0.05
	done
	pgrep -f "sleep $s" >/dev/null || fail "the fake CRIU never started: $(cat "$TMP/err")"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" 143
	assert_equal "$(cat "$TMP/err")" "repro-udp-restore: criu dump: interrupted by a signal; everything started is stopped"
	no_process_running "sleep $s"
	run -1 pgrep -P "$pid"
	assert_udp_nothing_left
}

@test "udp --criu: --keep keeps the images (not the namespaces); options that do not apply" {
	require_root
	fake_udp
	local before
	before=$(ip netns list)
	run -0 --separate-stderr "$BIN/repro-udp-restore" --criu --keep --json
	local dir
	dir=$(jq -r .images <<<"$output")
	assert_equal "$(jq -r .cases[1].restore.log <<<"$output")" "$dir/dump-moved/restore.log"
	assert_files_equal "$dir/dump-moved/restore.log" "$LOGS/criu-4.2_restore_udp_source-address-moved.log"
	assert_files_equal "$dir/dump-control/dump.log" "$LOGS/criu-4.2_dump_udp.log"
	assert_equal "$(ip netns list)" "$before"
	rm -rf "$dir"
	run -2 --separate-stderr "$BIN/repro-udp-restore" --criu --family 6
	assert_equal "$stderr" "repro-udp-restore: --criu runs its own IPv4 client: --family, --bind and --pause do not apply"
	run -2 --separate-stderr "$BIN/repro-udp-restore" --criu-timeout 5
	assert_equal "$stderr" "repro-udp-restore: --restore, --keep and --criu-timeout need --criu"
	run -2 --separate-stderr "$BIN/repro-udp-restore" --restore
	assert_equal "$stderr" "repro-udp-restore: unknown option '--restore' (see --help)"
	run -0 "$BIN/repro-udp-restore" --help
	assert_line --partial "--criu: 0 this CRIU fails the moved restore with"
}
