#!/usr/bin/env bats
# The CRIU runner on the kernels CRIU users run (Debian 11's 5.10, Ubuntu 20.04's 5.4,
# RHEL 8): helpers/nosys makes pidfd_open (5.3) and close_range (5.11) fail with ENOSYS
# through a seccomp filter, and the --criu modes must still wait for CRIU (the waitid
# fallback of src/pidwait.c), time it out, stop it on a signal, and keep every fd of
# theirs out of it (the /proc/self/fd walk of src/fdclose.c). helpers/fake-criu stands
# in for CRIU and lists the fds it was started with.

load helpers/common

setup() {
	common_setup
	LOGS=$CRIU_LOGS
	NOSYS=$TBIN/nosys
	mkdir "$TMP/tmp"
	export CRIU=$BATS_TEST_DIRNAME/helpers/fake-criu TMPDIR=$TMP/tmp FAKE_CRIU_FDS=$TMP/fds
}

teardown() {
	common_teardown
}

fake_giant() {
	export FAKE_CRIU_DUMP_LOG_FAULT=$LOGS/criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log
	export FAKE_CRIU_DUMP_STATUS_FAULT=1
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_giant-vma_pagemap-scan.log FAKE_CRIU_DUMP_STATUS=0
}

# trace_all CALLS CMD...: strace CMD and its children for CALLS into $TMP/st, a file per
# process joined after: in one shared file a call of one process cut by another's
# ("<unfinished ...>", "<... resumed>") would not match a whole-line pattern (seen in CI)
trace_all() {
	local calls=$1 ret=0
	shift
	rm -f "$TMP"/st "$TMP"/st.*
	strace -ff -qq -e trace="$calls" -o "$TMP/st" "$@" || ret=$?
	cat "$TMP"/st.* >"$TMP/st"
	return "$ret"
}

# assert_no_fd_leaked N: fake-criu ran N times, each time with only 0, 1, 2 and bash's
# own 255 open (fds 7 and 8, open without O_CLOEXEC in the repro's parent, never).
assert_no_fd_leaked() {
	run -0 cat "$TMP/fds"
	assert_equal "${#lines[@]}" "$1"
	run grep -v '^0 1 2 255$' "$TMP/fds"
	assert_output ""
}

@test "nosys: the runner's pidfd_open and close_range fail with ENOSYS under it (and only there), and it falls back" {
	run -0 "$NOSYS" sh -c 'echo ran'
	assert_output ran
	run -2 --separate-stderr "$NOSYS"
	assert_equal "$stderr" "usage: nosys CMD [ARGS...]"
	run -2 --separate-stderr "$NOSYS" "$TMP/none"
	assert_equal "$stderr" "nosys: exec $TMP/none: No such file or directory"
	command -v strace >/dev/null || skip "strace is not installed"
	fake_giant
	# LeakSanitizer cannot run under ptrace (the ASan pass): no leak check in these runs
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	# on this kernel: a pidfd per CRIU run (--version, check, two dumps), no waitid
	run -0 trace_all pidfd_open,close_range,waitid "$BIN/repro-giant-vma" --criu
	assert_equal "$(grep -cE 'pidfd_open\([0-9]+, 0\) += [0-9]+$' "$TMP/st")" 4
	assert_equal "$(grep -cE 'close_range\(3, 4294967295, CLOSE_RANGE_CLOEXEC\) += 0$' "$TMP/st")" 4
	run -1 grep -E 'waitid' "$TMP/st"
	# under nosys: the same calls, refused, then waitid(WNOWAIT) and the /proc/self/fd walk
	run -0 trace_all pidfd_open,close_range,waitid,openat "$NOSYS" "$BIN/repro-giant-vma" --criu
	assert_equal "$(grep -cE 'pidfd_open\([0-9]+, 0\) += -1 ENOSYS' "$TMP/st")" 5
	assert_equal "$(grep -cE 'close_range\(3, 4294967295, CLOSE_RANGE_CLOEXEC\) += -1 ENOSYS' "$TMP/st")" 4
	assert_equal "$(grep -cE 'openat\(AT_FDCWD, "/proc/self/fd", O_RDONLY\|O_CLOEXEC\|O_DIRECTORY\) += [0-9]+$' "$TMP/st")" 4
	[ "$(grep -cE 'waitid\(P_PID, [0-9]+, .*WNOHANG\|WEXITED\|WNOWAIT' "$TMP/st")" -ge 4 ] ||
		fail "no waitid(WNOWAIT) fallback: $(cat "$TMP/st")"
}

@test "old kernel: repro-giant-vma --criu reproduces as with pidfd_open and close_range, no fd leaks" {
	fake_giant
	run -0 --separate-stderr "$BIN/repro-giant-vma" --criu
	local want=("${lines[@]:2}")
	rm "$TMP/fds"
	run -0 --separate-stderr "$NOSYS" "$BIN/repro-giant-vma" --criu 7</dev/null 8>"$TMP/eight"
	assert_equal "$stderr" ""
	assert_line --index 2 --regexp '^dump pread:  exit 1 after [0-9.]+ s: short-read-bug$'
	assert_line --index 4 --regexp '^dump:        exit 0 after [0-9.]+ s: ok$'
	assert_equal "${lines[-1]}" "${want[-1]}"
	assert_equal "${#lines[@]}" "$((${#want[@]} + 2))"
	# --version, check, two dumps
	assert_no_fd_leaked 4
	assert_equal "$(ls -A "$TMP/tmp")" ""
}

@test "old kernel: a hanging dump is still stopped at --criu-timeout, and on SIGTERM" {
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$((RANDOM % 500 + 1000)).$$
	run -77 --separate-stderr "$NOSYS" "$BIN/repro-giant-vma" --criu --criu-timeout 1 --json
	assert_equal "$(jq -r '.dumps[0] | [.timed_out, .class] | @tsv' <<<"$output")" "true	other-failure"
	run -1 pgrep -f -- "sleep $FAKE_CRIU_SLEEP"
	# SIGTERM mid-dump: the mode stops CRIU, cleans up and ends (exit 2, or the signal's)
	rm "$TMP/fds"
	"$NOSYS" "$BIN/repro-giant-vma" --criu 7</dev/null >"$TMP/out" 2>&1 3>&- &
	local pid=$! i st=0
	BG_PIDS+=("$pid")
	for i in $(seq 100); do
		pgrep -f -- "sleep $FAKE_CRIU_SLEEP" >/dev/null && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[[ $st == 2 || $st == 143 ]] || fail "exit $st after SIGTERM: $(cat "$TMP/out")"
	run -1 pgrep -f -- "sleep $FAKE_CRIU_SLEEP"
	assert_equal "$(ls -A "$TMP/tmp")" ""
	assert_no_fd_leaked 3
}

@test "old kernel: repro-udp-restore --criu: dumps and restores in the namespace, no fd leaks" {
	require_root
	command -v ip >/dev/null || skip "iproute2 is not installed"
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_udp.log FAKE_CRIU_DUMP_KILLS=1
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log
	export FAKE_CRIU_RESTORE_NEEDS_ADDR=192.0.2.2
	export FAKE_CRIU_RESTORE_LOG_GONE=$LOGS/criu-4.2_restore_udp_source-address-moved.log
	export FAKE_CRIU_RESTORE_CMD="exec $(printf %q "$TBIN/udpping") \$(cat \$FAKE_CRIU_DIR/fake-pid) 203.0.113.1 7"
	run -0 --separate-stderr "$NOSYS" "$BIN/repro-udp-restore" --criu 7</dev/null
	assert_equal "$stderr" ""
	assert_line --regexp '^  pings:     resumed, from 192\.0\.2\.2:[0-9]+$'
	assert_line --regexp '^  restore:   exit 1 after [0-9.]+ s: bind-eaddrnotavail$'
	assert_regex "${lines[-1]}" '^verdict: reproduced: CRIU 4\.2 cannot restore a connected UDP socket'
	# --version, check, two dumps, two restores
	assert_no_fd_leaked 6
}
