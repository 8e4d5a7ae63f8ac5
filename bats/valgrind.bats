#!/usr/bin/env bats
# Valgrind (memcheck, full leak check): the engine's report and every repro, on success
# and on error paths, against real repro processes. Any invalid access, use of
# uninitialised memory (in a syscall argument too) or leak makes valgrind exit 1.
# The sanitizer pass (SANITIZE=1) skips these: ASan and valgrind cannot share a process.

load helpers/common

setup() {
	common_setup
	[ "${CRDIAG_SANITIZE:-}" != 1 ] || skip "ASan build: valgrind cannot run it (the normal pass does)"
	command -v valgrind >/dev/null || skip "valgrind is not installed (make deps)"
}

teardown() {
	common_teardown
}

# vg STATUS CMD...: CMD under memcheck; STATUS is what the program itself must return
# (valgrind's own 1 stands for errors found, so no program case here expects 1).
vg() {
	local want=$1
	shift
	run --separate-stderr valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible --track-fds=no "$@"
	if [ "$status" -ne "$want" ] || grep -q '^==[0-9]*==' <<<"$stderr"; then
		echo "exit $status (want $want); valgrind said:"
		echo "$stderr"
		return 1
	fi
	VG_RUNS=$((${VG_RUNS:-0} + 1))
}

start_pattern() {
	start_bg "$TMP/pattern.pid" "$TBIN/pattern" --pidfile "$TMP/pattern.pid"
	PATTERN=$(cat "$TMP/pattern.pid")
}

@test "valgrind: crdiag-scan, every backend, on a repro process with known pages" {
	start_pattern
	local b
	for b in auto scan read single; do
		kernel_has_pagemap_scan || [ "$b" = read ] || [ "$b" = single ] || continue
		vg 0 "$BIN/crdiag-scan" --backend "$b" --json "$PATTERN"
		[ "$(jq '.totals.vmas' <<<"$output")" -gt 5 ]
		vg 0 "$BIN/crdiag-scan" --backend "$b" "$PATTERN"
	done
	vg 0 "$BIN/crdiag-scan" --probe --json
	vg 0 "$BIN/crdiag-scan" --maps "$FIXTURES/maps-kinds.txt" --json
	echo "# crdiag-scan: $VG_RUNS runs under valgrind, clean" >&3
}

@test "valgrind: crdiag-scan on the held giant cage (1 TiB reservation)" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7): the read backend takes minutes under valgrind"
	start_bg "$TMP/giant.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/giant.pid"
	vg 0 "$BIN/crdiag-scan" --backend scan --json "$(cat "$TMP/giant.pid")"
	assert_equal "$(jq '.totals.over_cap' <<<"$output")" 1
}

@test "valgrind: crdiag-scan error paths free what they took" {
	sleep 0 &
	local dead=$!
	wait "$dead"
	start_bg "$TMP/zombie.pid" "$TBIN/zombie" "$TMP/zombie.pid"
	vg 2 "$BIN/crdiag-scan" "$dead"
	vg 2 "$BIN/crdiag-scan" "$(cat "$TMP/zombie.pid")"
	vg 2 "$BIN/crdiag-scan" --maps "$FIXTURES/maps-bad-perms.txt"
	vg 2 "$BIN/crdiag-scan" --maps /nonexistent
	vg 2 "$BIN/crdiag-scan" --backend nonsense 1
	vg 2 "$BIN/crdiag-scan"
	[ ! -r /proc/2/comm ] || ! grep -q kthreadd /proc/2/comm || vg 2 "$BIN/crdiag-scan" 2
}

@test "valgrind: repro-giant-vma and repro-pagemap-read, their own cage and another's" {
	# valgrind cannot give its client a 64 GiB mapping (mmap says EINVAL): 32 GiB here
	vg 1 "$BIN/repro-giant-vma" --size 32G --json
	assert_equal "$(jq -r .verdict <<<"$output")" not-reproduced
	vg 0 "$BIN/repro-giant-vma" --size 32G --hold-seconds 1 --pidfile "$TMP/vg.pid"
	vg 1 "$BIN/repro-pagemap-read" --size 32G
	vg 2 "$BIN/repro-giant-vma" --size 12Q
	vg 2 "$BIN/repro-pagemap-read" --pid 0
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	start_bg "$TMP/giant.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/giant.pid"
	vg 77 "$BIN/repro-pagemap-read" --pid "$(cat "$TMP/giant.pid")" --strategy scan --json
	assert_equal "$(jq -c '[.single.ran, .chunked.ran, .scan.ran, .over_cap]' <<<"$output")" '[false,false,true,true]'
}

@test "valgrind: repro-udp-restore, the whole table (no uninitialised bytes on the wire)" {
	require_root
	run "$BIN/repro-udp-restore" --family 4
	[ "$status" -ne 77 ] || skip "$(tail -1 <<<"$output")"
	# the datagram used to carry uninitialised stack bytes after the run id
	vg 0 "$BIN/repro-udp-restore" --json
	assert_equal "$(jq -r .verdict <<<"$output")" reproduced
}

@test "valgrind: repro-chromium, a real Chromium's pod (the browser itself runs natively), and its skip" {
	require_root
	[ -x /usr/bin/chromium ] || skip "Debian's package chromium is not installed"
	vg 0 "$BIN/repro-chromium" --json
	assert_equal "$(jq -r .verdict <<<"$output")" reproduced
	vg 77 "$BIN/repro-chromium" --chromium "$TMP/no-such-chromium"
}

@test "valgrind: vmainspect --json, --batch and its error paths on repro processes" {
	[ -x "$BIN/vmainspect" ] || skip "vmainspect is not built"
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7): the read backend takes minutes under valgrind on the cage"
	start_bg "$TMP/giant.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/giant.pid"
	local giant
	giant=$(cat "$TMP/giant.pid")
	vg 0 "$BIN/vmainspect" --json "$giant"
	assert_equal "$(jq '.totals.over_cap' <<<"$output")" 1
	vg 0 "$BIN/vmainspect" --batch --sort pagemap --filter reservation "$giant"
	vg 0 "$BIN/vmainspect" --json --iterations 3 --delay 0.1 "$giant"
	assert_equal "$(wc -l <<<"$output")" 3
	start_pattern
	vg 0 "$BIN/vmainspect" --json --backend read "$PATTERN"
	sleep 0 &
	local dead=$!
	wait "$dead"
	vg 2 "$BIN/vmainspect" --json "$dead"
	assert_equal "$(jq -r .errno <<<"$output")" ESRCH
	vg 2 "$BIN/vmainspect" --json --sort nonsense 1
}

@test "valgrind: the vmainspect TUI, three refreshes in tmux" {
	[ -x "$BIN/vmainspect" ] || skip "vmainspect is not built"
	command -v tmux >/dev/null || skip "tmux is not installed"
	start_bg "$TMP/giant.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/giant.pid"
	local i
	tmux_new 120 40 \
		"TERM=tmux-256color valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --log-file=$TMP/vg.log $(printf %q "$BIN/vmainspect") -d 0.2 -n 3 $(cat "$TMP/giant.pid"); echo \$? >$TMP/rc"
	for i in $(seq 600); do
		[ -s "$TMP/rc" ] && break
		sleep 0.05
	done
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	assert_equal "$(cat "$TMP/rc")" 0
	run cat "$TMP/vg.log"
	assert_output ""
}

@test "valgrind: restore-check manifest and verify on a repro process; crdiag-criu on the real logs" {
	[ -x "$BIN/restore-check" ] || skip "restore-check is not built"
	start_pattern
	vg 0 "$BIN/restore-check" manifest "$PATTERN"
	printf '%s\n' "$output" >"$TMP/manifest.json"
	vg 0 "$BIN/restore-check" verify --json "$TMP/manifest.json"
	printf '{"format":' >"$TMP/cut.json"
	vg 2 "$BIN/restore-check" verify "$TMP/cut.json"
	local logs=$CRIU_LOGS f
	for f in "$logs"/*.log; do
		# 0: the log shows success, 1: a failure; valgrind's own errors are 99
		vg "$(CRIU=/nonexistent "$BIN/crdiag-criu" --log "$f" >/dev/null 2>&1; echo $?)" \
			"$BIN/crdiag-criu" --json --log "$f"
	done
}

@test "valgrind: crdiag, its lists, its errors, and the exec into a program" {
	vg 0 "$BIN/crdiag" help
	vg 0 "$BIN/crdiag" --list-commands
	vg 0 "$BIN/crdiag" repro
	vg 2 "$BIN/crdiag" sokcets
	vg 2 "$BIN/crdiag" repro giant-vm
	vg 2 "$BIN/crdiag" help nosuch
	mkdir "$TMP/p"
	cp "$BIN/crdiag" "$TMP/p/"
	vg 2 "$TMP/p/crdiag" scan 1
	# after the exec the program runs on its own (no --trace-children): its status
	vg 0 "$BIN/crdiag" scan --version
	assert_output --regexp '^crdiag-scan '
}

@test "valgrind: crdiag-check on a process out of its session, a chain of processes, its error paths; --catalog" {
	[ -x "$BIN/crdiag-check" ] || skip "crdiag-check is not built"
	# not a session leader (of a session led in our PID namespace, whatever session the
	# suite runs in): 1, and 0 with --shell-job
	start_bg "$TMP/n.pid" "$TBIN/checksubject" no-setsid "$TMP/n.pid" "$TMP"
	CRIU=/nonexistent vg 1 "$BIN/crdiag-check" --criu-version 4.2 "$(cat "$TMP/n.pid")"
	CRIU=/nonexistent vg 0 "$BIN/crdiag-check" --json --options "--shell-job --ghost-limit 4M" \
		"$(cat "$TMP/n.pid")"
	# the unix and outsider paths: a socket whose peer is outside the tree
	start_bg "$TMP/s.pid" "$TBIN/checksubject" unix-crashpad "$TMP/s.pid" "$TMP"
	CRIU=/nonexistent vg 1 "$BIN/crdiag-check" --json "$(cat "$TMP/s.pid")"
	start_bg "$TMP/g.pid" "$TBIN/checksubject" giant-vma "$TMP/g.pid" "$TMP"
	CRIU=/nonexistent vg 1 "$BIN/crdiag-check" --criu-version 3.17.1 "$(cat "$TMP/g.pid")"
	vg 2 "$BIN/crdiag-check" 2147483647
	vg 2 "$BIN/crdiag-check" --criu-version x 1
	vg 0 "$BIN/crdiag-check" --catalog --json
}
