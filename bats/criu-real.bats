#!/usr/bin/env bats
# bats file_tags=criu-real, user
# The CRIU tier against a real CRIU: $CRIU when set, else criu on PATH. In CI that is
# Debian's criu 3.17.1 inside Debian's 6.1 kernel (make check-kernel, with the modules
# CRIU probes: bats/kernel/check-kernel.sh); on a host where CRIU fails `criu check`
# (3.17.1 on 6.18: vDSO) every test skips with CRIU's own reason, unless
# CRDIAG_REQUIRE_CRIU=1 (as .ci/run sets in the guest) makes that a failure.
# A user points it at theirs: CRIU=/path/to/criu make check TESTS=bats/criu-real.bats
#
# Each test asserts the outcome a real CRIU of that version gives (CRIU < 4.0 has the
# single-pread bug; every CRIU so far binds the old UDP source on restore), the class,
# and CRIU's decisive line; then classifies the log again with crdiag-criu --log, as
# bats/criu.bats does for the fixtures. CRDIAG_CRIU_LOGS_OUT=DIR keeps every real log
# there (named as the fixtures are), to add to bats/fixtures/criu-logs.

load helpers/common

setup_file() {
	export REAL_CRIU_PROBE=$BATS_FILE_TMPDIR/probe.json
	"$BIN/crdiag-criu" --json >"$REAL_CRIU_PROBE" 2>/dev/null || true
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# require_real_criu: skip (or fail, with CRDIAG_REQUIRE_CRIU=1) unless CRIU is usable;
# sets CRIU_PATH and CRIU_VER.
require_real_criu() {
	local usable reason
	usable=$(jq -r '.usable' "$REAL_CRIU_PROBE" 2>/dev/null)
	if [ "$usable" != true ]; then
		reason=$(jq -r '.reason // "crdiag-criu --json said nothing"' "$REAL_CRIU_PROBE" 2>/dev/null)
		[ "${CRDIAG_REQUIRE_CRIU:-}" != 1 ] || fail "CRDIAG_REQUIRE_CRIU=1 but CRIU is unusable: $reason"
		skip "CRIU unusable here: $reason"
	fi
	CRIU_PATH=$(jq -r '.path' "$REAL_CRIU_PROBE")
	CRIU_VER=$(jq -r '.version // "unknown"' "$REAL_CRIU_PROBE")
	export CRIU=$CRIU_PATH
}

# criu_before_4: CRIU_VER is older than 4.0 (no short-read fix)
criu_before_4() { [[ $CRIU_VER =~ ^[0-3]\. ]]; }

# keep_log FILE NAME: copy a real log to $CRDIAG_CRIU_LOGS_OUT as criu-VERSION_NAME.log
keep_log() {
	[ -n "${CRDIAG_CRIU_LOGS_OUT:-}" ] || return 0
	mkdir -p "$CRDIAG_CRIU_LOGS_OUT"
	cp "$1" "$CRDIAG_CRIU_LOGS_OUT/criu-${CRIU_VER}_$2.log"
}

# assert_log_class FILE CLASS LINE_RE: crdiag-criu --log gives CLASS, decisive line LINE_RE
assert_log_class() {
	local want_status=1
	[ "$2" != ok ] || want_status=0
	run -"$want_status" --separate-stderr "$BIN/crdiag-criu" --log "$1" --json
	assert_equal "$(jq -r .class <<<"$output")" "$2"
	assert_equal "$(jq -r .criu_version <<<"$output")" "$CRIU_VER"
	assert_regex "$(jq -r .decisive.text <<<"$output")" "$3"
}

SHORT_READ_RE="pagemap-cache: Can't read [0-9]+'s pagemap file: No such file or directory$"
BIND_RE="Can't bind inet socket \\(id [0-9]+\\): Cannot assign requested address$"

@test "real CRIU: crdiag-criu finds it usable (criu check passes)" {
	require_real_criu
	run -0 --separate-stderr "$BIN/crdiag-criu"
	assert_line --partial "$CRIU_PATH"
	run -0 --separate-stderr "$CRIU_PATH" check
	assert_output --partial "Looks good."
}

@test "real CRIU: repro-giant-vma --criu reproduces the short pagemap read (CRIU < 4.0)" {
	require_real_criu
	mkdir "$TMP/tmp"
	TMPDIR=$TMP/tmp run --separate-stderr "$BIN/repro-giant-vma" --criu --keep --json
	local j=$output st=$status fault pread
	echo "# real CRIU $CRIU_VER ($CRIU_PATH), repro-giant-vma --criu: exit $st, $(jq -r .verdict <<<"$j");" \
		"$(jq -r '.dumps[] | "\(.name) dump \(.class) in \(.seconds | floor) s: \(.line)"' <<<"$j" | paste -sd';')" >&3
	assert_equal "$(jq -r '[.criu.version, .holder.alive_after_dumps] | @tsv' <<<"$j")" "$CRIU_VER	true"
	fault=$(jq -c '.dumps[] | select(.fault == "135")' <<<"$j")
	# the dump that read the pagemap with pread: CRIU_FAULT=135's, or where CRIU has no
	# such fault (< 4.0, which has no PAGEMAP_SCAN either) the default one
	pread=$(jq -c '.pread_dump as $p | .dumps[] | select(.name == $p)' <<<"$j")
	[ -n "$pread" ] || fail "exit $st, no pread dump: $j $stderr"
	keep_log "$(jq -r .log <<<"$pread")" "dump_giant-vma_$(jq -r .name <<<"$pread")"
	if criu_before_4; then
		# 3.17.1 refuses the fault it does not know: a real other-failure, no log
		assert_equal "$(jq -r '[.exit_code, .class, .fault_rejected, .line] | @tsv' <<<"$fault")" \
			"1	other-failure	true	Error (criu/fault-injection.c:19): CRIU_FAULT out of bounds."
		assert_equal "$(jq -r .name <<<"$pread")" default
	fi
	if criu_before_4 || [ "$st" -eq 0 ]; then
		# the report's failure, exactly: CRIU's line and the stale ENOENT
		assert_equal "$st" 0
		assert_equal "$(jq -r .verdict <<<"$j")" reproduced
		assert_regex "$(jq -r .reason <<<"$j")" "^CRIU $CRIU_VER failed to dump the reservation on its pread path"
		assert_equal "$(jq -r '[.exit_code, .class, .timed_out] | @tsv' <<<"$pread")" "1	short-read-bug	false"
		assert_regex "$(jq -r .line <<<"$pread")" "$SHORT_READ_RE"
		assert_log_class "$(jq -r .log <<<"$pread")" short-read-bug "$SHORT_READ_RE"
	else
		# a CRIU with the fix dumps the reservation on its pread path too
		assert_equal "$st" 1
		assert_equal "$(jq -r .verdict <<<"$j")" not-reproduced
		assert_equal "$(jq -r '[.exit_code, .class] | @tsv' <<<"$pread")" "0	ok"
		assert_log_class "$(jq -r .log <<<"$pread")" ok 'Dumping finished successfully'
	fi
}

@test "real CRIU: repro-udp-restore --criu reproduces the failed bind; the control restores and pings" {
	require_root
	require_real_criu
	mkdir "$TMP/tmp"
	TMPDIR=$TMP/tmp run --separate-stderr "$BIN/repro-udp-restore" --criu --keep --json
	local j=$output st=$status control moved
	echo "# real CRIU $CRIU_VER ($CRIU_PATH), repro-udp-restore --criu: exit $st, $(jq -r .verdict <<<"$j");" \
		"$(jq -r '.cases[] | "\(.name): dump \(.dump.class), restore \(.restore.class): \(.restore.line)"' <<<"$j" | paste -sd';')" >&3
	control=$(jq -c '.cases[] | select(.name == "control")' <<<"$j")
	moved=$(jq -c '.cases[] | select(.name == "moved")' <<<"$j")
	[ -n "$control" ] && [ -n "$moved" ] || fail "exit $st, no control and moved cases: $j $stderr"
	keep_log "$(jq -r .dump.log <<<"$control")" dump_udp
	keep_log "$(jq -r .restore.log <<<"$control")" restore_udp_source-address-present
	keep_log "$(jq -r .restore.log <<<"$moved")" restore_udp_source-address-moved
	# the control: dumped, restored and pinging again from the same source
	assert_equal "$(jq -r '[.dump.class, .restore.class, .pings_resumed] | @tsv' <<<"$control")" "ok	ok	true"
	assert_regex "$(jq -r '.resumed_from | "\(.address):\(.port)"' <<<"$control")" '^192\.0\.2\.2:[0-9]+$'
	assert_log_class "$(jq -r .dump.log <<<"$control")" ok 'Dumping finished successfully'
	assert_log_class "$(jq -r .restore.log <<<"$control")" ok 'Restore finished successfully'
	assert_equal "$(jq -r .dump.class <<<"$moved")" ok
	if criu_before_4 || [ "$st" -eq 0 ]; then
		assert_equal "$st" 0
		assert_equal "$(jq -r .verdict <<<"$j")" reproduced
		assert_equal "$(jq -r '[.restore.exit_code, .restore.class] | @tsv' <<<"$moved")" "1	bind-eaddrnotavail"
		assert_regex "$(jq -r .restore.line <<<"$moved")" "$BIND_RE"
		assert_log_class "$(jq -r .restore.log <<<"$moved")" bind-eaddrnotavail "$BIND_RE"
	else
		assert_equal "$st" 1
		assert_equal "$(jq -r .verdict <<<"$j")" not-reproduced
		assert_equal "$(jq -r .restore.class <<<"$moved")" ok
	fi
}

@test "real CRIU: a dump of a process that is not a session leader is not-session-leader, naming it" {
	require_real_criu
	# sleep in a session whose leader (sh) is outside the dumped tree: CRIU refuses it
	# without --shell-job
	start_bg "$TMP/pid" setsid sh -c 'sleep 600 & echo $! >"$0"; wait' "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	BG_PIDS+=("$pid")
	mkdir "$TMP/img"
	run -1 "$CRIU_PATH" dump -t "$pid" -D "$TMP/img" -v4 -o dump.log --leave-running
	kill -0 "$pid" || fail "CRIU killed the process it failed to dump"
	keep_log "$TMP/img/dump.log" dump_no-setsid
	echo "# real CRIU $CRIU_VER ($CRIU_PATH), dump of a non-leader: $(jq -r '"\(.class): \(.decisive.text)"' <<<"$("$BIN/crdiag-criu" --log "$TMP/img/dump.log" --json)")" >&3
	assert_log_class "$TMP/img/dump.log" not-session-leader \
		"The root process $pid is not a session leader\\. Consider using --shell-job option$"
}

# predicted MODE ID: crdiag-check names ID on `checksubject MODE`; a real dump then
# fails with the finding's criu_says (its log classifies as ID), and with the finding's
# options it succeeds. --leave-running both times: the subject stays for teardown.
predicted() {
	local mode=$1 id=$2 pid says opts
	require_real_criu
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" "$mode" "$TMP/subject.pid" "$TMP" ||
		{ bg_wait; [ "$BG_STATUS" -ne 77 ] || skip "$mode: $(cat "$TMP"/bg.*.err)"; fail "subject $mode failed"; }
	pid=$(cat "$TMP/subject.pid")
	run -1 --separate-stderr "$BIN/crdiag-check" --json "$pid"
	says=$(jq -r --arg id "$id" '[.findings[] | select(.id == $id)][0].criu_says' <<<"$output")
	opts=$(jq -r --arg id "$id" '[.findings[] | select(.id == $id)][0].options' <<<"$output")
	[ "$says" != null ] || fail "crdiag-check names no $id: $output"
	mkdir "$TMP/img1" "$TMP/img2"
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img1" -v4 -o dump.log --leave-running
	[ "$status" -ne 0 ] || fail "the dump of $mode passed without $opts"
	keep_log "$TMP/img1/dump.log" "dump_checksubject-$mode"
	run -1 --separate-stderr "$BIN/crdiag-criu" --log "$TMP/img1/dump.log" --json
	assert_equal "$(jq -r .class <<<"$output")" "$id"
	grep -qF -- "$says" "$TMP/img1/dump.log" ||
		fail "the log lacks the predicted line: $says; it has: $(grep -a Error "$TMP/img1/dump.log" | head -3)"
	if [ -z "$opts" ]; then # no option gets past it: not even --shell-job
		run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img2" -v4 -o dump.log --leave-running --shell-job
		[ "$status" -ne 0 ] && grep -qF -- "$says" "$TMP/img2/dump.log" ||
			fail "with --shell-job the dump did not fail as said: $(grep -a Error "$TMP/img2/dump.log" | head -3)"
		echo "# $mode: predicted '$says'; no option gets past it (--shell-job neither)" >&3
		return
	fi
	# shellcheck disable=SC2086 # the options are words
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img2" -v4 -o dump.log --leave-running $opts
	[ "$status" -eq 0 ] || fail "with $opts the dump still fails: $(grep -a Error "$TMP/img2/dump.log" | head -3)"
	echo "# $mode: predicted '$says'; passes with $opts" >&3
}

@test "real CRIU: crdiag-check's not-session-leader holds: the dump fails as said, passes with --shell-job" {
	# its session led by checksubject's holder, outside the tree but in its PID namespace
	# (the guest's suite runs in a session that began outside it, as CI's does on the
	# host: a root in that session is pidns-init-not-session-leader)
	predicted no-setsid not-session-leader
}

@test "real CRIU: crdiag-check's pidns-init-not-session-leader holds: the dump fails as said, --shell-job does not help" {
	# PID 1 of a new PID namespace, in the session of our caller (outside it)
	predicted pidns-init pidns-init-not-session-leader
}

@test "real CRIU: crdiag-check's unix-external-peer holds for a stream socket: fails as said, passes with --external unix[INODE]" {
	# the peer held by checksubject's holder, outside the tree
	predicted unix-stream unix-external-peer
}

@test "real CRIU: crdiag-check's unix-external-peer holds for a datagram socket on a named one: passes with --ext-unix-sk" {
	predicted unix-dgram-named unix-external-peer
}

@test "real CRIU: crdiag-check's ghost-limit holds for a file only mapped (no fd): fails as said, passes with its --ghost-limit" {
	predicted ghost-mapped ghost-limit
}

@test "real CRIU: a sparse unlinked file is a ghost over the limit for CRIU < 3.18 only, as crdiag-check says" {
	require_real_criu
	if [ "$(printf '%s\n' "$CRIU_VER" 3.18 | sort -V | head -n 1)" != 3.18 ]; then
		predicted ghost-sparse ghost-limit
		return
	fi
	# 3.18 and later count the allocated blocks: 4 KiB, under the limit
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" ghost-sparse "$TMP/subject.pid" "$TMP"
	local pid
	pid=$(cat "$TMP/subject.pid")
	run -0 --separate-stderr "$BIN/crdiag-check" --json "$pid"
	assert_equal "$(jq '[.findings[] | select(.id == "ghost-limit")] | length' <<<"$output")" 0
	mkdir "$TMP/img"
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img" -v4 -o dump.log --leave-running
	[ "$status" -eq 0 ] || fail "CRIU $CRIU_VER failed the dump: $(grep -a Error "$TMP/img/dump.log" | head -3)"
	echo "# ghost-sparse: CRIU $CRIU_VER dumped it, as crdiag-check said" >&3
}

@test "real CRIU: crdiag-check's file-locks holds: the dump fails as said, passes with --file-locks" {
	predicted flock file-locks
}

@test "real CRIU: crdiag-check's ghost-limit holds: the dump fails as said, passes with its --ghost-limit" {
	predicted ghost ghost-limit
}

@test "real CRIU: crdiag-check's tcp-established holds: fails as said, needs its network lock, passes with all its options" {
	# an established connection on 127.0.0.1, both ends in the subject
	require_real_criu
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" tcp-established "$TMP/subject.pid" "$TMP"
	local pid says opts lock
	pid=$(cat "$TMP/subject.pid")
	run -1 --separate-stderr "$BIN/crdiag-check" --json "$pid"
	says=$(jq -r '[.findings[] | select(.id == "tcp-established")][0].criu_says' <<<"$output")
	[ "$says" != null ] || fail "crdiag-check names no tcp-established: $output"
	lock=$(jq -r '[.findings[] | select(.id == "network-lock-iptables")][0].options // ""' <<<"$output")
	opts=$(jq -r '[.findings[].options | select(. != "")] | unique | join(" ")' <<<"$output")
	mkdir "$TMP/img1" "$TMP/img2" "$TMP/img3"
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img1" -v4 -o dump.log --leave-running
	[ "$status" -ne 0 ] || fail "the dump of an established connection passed without options"
	keep_log "$TMP/img1/dump.log" dump_checksubject-tcp-established
	assert_log_class "$TMP/img1/dump.log" tcp-established "$says"
	if [ -n "$lock" ]; then
		# no iptables-restore here: --tcp-established alone fails on CRIU's network lock
		run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img2" -v4 -o dump.log --leave-running --tcp-established
		[ "$status" -ne 0 ] || fail "--tcp-established passed although crdiag-check said $lock is needed"
		keep_log "$TMP/img2/dump.log" dump_checksubject-tcp-established_tcp-established
		assert_log_class "$TMP/img2/dump.log" network-lock-iptables "Iptables configuration failed"
	fi
	# shellcheck disable=SC2086 # the options are words
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img3" -v4 -o dump.log --leave-running $opts
	[ "$status" -eq 0 ] || fail "with $opts the dump still fails: $(grep -a Error "$TMP/img3/dump.log" | head -3)"
	echo "# tcp-established: predicted '$says'${lock:+, then the lock ($lock)}; passes with $opts" >&3
}

# in_flight MODE: checksubject MODE holds a file in flight in a unix queue; crdiag-check
# names unix-scm-no-sender (CRIU < 4.0, the socket's peer not in the tree: its sender
# closed, or a named socket's client sends) or unix-scm-in-flight (its peer sends);
# a plain dump passes; the restore fails as said for the first, and for the second
# restores the subject with its file in flight again.
in_flight() {
	local mode=$1 pid id says
	require_real_criu
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" "$mode" "$TMP/subject.pid" "$TMP"
	pid=$(cat "$TMP/subject.pid")
	id=unix-scm-in-flight
	! criu_before_4 || [ "$mode" = unix-scm ] || id=unix-scm-no-sender
	run -0 --separate-stderr "$BIN/crdiag-check" --json "$pid" # a restore finding or a note
	says=$(jq -r --arg id "$id" '[.findings[] | select(.id == $id)][0].criu_says' <<<"$output")
	[ "$says" != null ] || fail "crdiag-check names no $id for CRIU $CRIU_VER: $output"
	mkdir "$TMP/img"
	run "$CRIU_PATH" dump -t "$pid" -D "$TMP/img" -v4 -o dump.log
	[ "$status" -eq 0 ] || fail "the dump failed: $(grep -a Error "$TMP/img/dump.log" | head -3)"
	bg_wait # the subject was killed by the dump: its PID is free for the restore
	run "$CRIU_PATH" restore -D "$TMP/img" -v4 -o restore.log --restore-detached
	if [ "$id" = unix-scm-no-sender ]; then
		[ "$status" -ne 0 ] || { kill -KILL "$pid"; fail "the restore passed on CRIU $CRIU_VER"; }
		keep_log "$TMP/img/restore.log" "restore_checksubject-$mode"
		assert_log_class "$TMP/img/restore.log" unix-scm-no-sender "Can't find sender for 0x[0-9a-f]+$"
		echo "# $mode: the dump passed, the restore failed: $(grep -a -o "Can't find sender.*" "$TMP/img/restore.log")" >&3
		return
	fi
	[ "$status" -eq 0 ] || fail "the restore failed on CRIU $CRIU_VER: $(grep -a Error "$TMP/img/restore.log" | head -3)"
	# restored with its file in flight again, then stopped (it runs outside the test's jobs)
	run -0 --separate-stderr "$BIN/crdiag-check" --json "$pid"
	kill -KILL "$pid"
	jq -e '[.findings[] | select(.id == "unix-scm-in-flight")] | length == 1' <<<"$output" >/dev/null ||
		fail "the restored subject has no file in flight: $output"
	echo "# $mode: the dump and the restore passed; the restored socket holds its file in flight again" >&3
}

@test "real CRIU: crdiag-check's fds in flight hold: with the sender closed the restore fails as said for CRIU < 4.0 only" {
	in_flight unix-scm-orphan
}

@test "real CRIU: crdiag-check's fds in flight hold: sent by a client of a named socket, the restore fails for CRIU < 4.0 only" {
	in_flight unix-scm-named
}

@test "real CRIU: crdiag-check's fds in flight hold: sent by the socket's peer, dump and restore pass" {
	in_flight unix-scm
}
