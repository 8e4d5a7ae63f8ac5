#!/usr/bin/env bats
# The unprivileged subset: every program run as nobody (setpriv drops every capability,
# see run_as_nobody). On its own processes the engine works; on root's it says which
# privilege is missing; repros that need root skip (77) naming it.

load helpers/common

setup() {
	common_setup
	# what nobody runs is a copy nobody can reach (NBIN, NTBIN), and nobody cannot enter
	# the per-test directory (0700, root's): NOBODY_DIR holds the pidfiles
	nobody_stage
}

teardown() {
	common_teardown
}

# nobody_bg NAME CMD...: start CMD as nobody in the background; it must write
# $NOBODY_DIR/NAME.pid (pass that path in CMD); sets BG_PID to its PID.
nobody_bg() {
	local name=$1
	shift
	start_bg "$NOBODY_DIR/$name.pid" run_as_nobody "$@"
	BG_PID=$(cat "$NOBODY_DIR/$name.pid")
	BG_PIDS+=("$BG_PID")
	[ "$(stat -c %U "/proc/$BG_PID")" = nobody ] || fail "PID $BG_PID does not run as nobody"
}

PTRACE_MSG="Permission denied (reading another user's process needs CAP_SYS_PTRACE or the same uid)"

@test "as nobody: crdiag-scan on its own process works with both backends" {
	run_as_nobody true
	# (an ASan build has terabytes of shadow VMAs: reading their pagemap takes minutes,
	# so the sanitizer pass uses the default backend only)
	local b backends=(auto read)
	[ "${CRDIAG_SANITIZE:-}" != 1 ] || backends=(auto)
	for b in "${backends[@]}"; do
		run -0 --separate-stderr run_as_nobody sh -c 'exec "$0" --backend "$1" --json $$' \
			"$NBIN/crdiag-scan" "$b"
		assert_equal "$stderr" ""
		[ "$(jq '.totals.vmas' <<<"$output")" -gt 5 ]
		[ "$(jq '.totals.resident' <<<"$output")" -gt 0 ]
		# without CAP_SYS_ADMIN pagemap hides PFNs, so zero-page mappings cannot be told
		assert_equal "$(jq '.kernel.zero_pfn_known' <<<"$output")" false
	done
}

@test "as nobody: crdiag-scan on another process of nobody's: the backends agree" {
	run_as_nobody true
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	nobody_bg pattern "$NTBIN/pattern" --pidfile "$NOBODY_DIR/pattern.pid"
	run -0 run_as_nobody "$NBIN/crdiag-scan" --backend scan --json "$BG_PID"
	jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present) \(.swapped) \(.file)"' <<<"$output" >"$TMP/scan"
	# (not on an ASan build: reading the pagemap of its shadow VMAs takes minutes)
	if [ "${CRDIAG_SANITIZE:-}" != 1 ]; then
		run -0 run_as_nobody "$NBIN/crdiag-scan" --backend read --json "$BG_PID"
		jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present) \(.swapped) \(.file)"' <<<"$output" >"$TMP/read"
		run diff "$TMP/scan" "$TMP/read"
		assert_success
	fi
	# the sparse region: 2048 pages present, as for root
	local sparse
	sparse=$(awk '$1 == "sparse" { print "0x" $2 }' "$BG_OUT" | sed 's/^0x0*/0x/')
	assert_equal "$(awk -v s="$sparse" '$1 == s { print $2 }' "$TMP/scan")" 2048
}

@test "as nobody: root's process is refused, naming CAP_SYS_PTRACE" {
	run_as_nobody true
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-scan" "$pid"
	assert_equal "$stderr" "crdiag-scan: PID $pid: $PTRACE_MSG"
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-scan" --json "$pid"
	assert_output ""
	run -2 --separate-stderr run_as_nobody "$NBIN/repro-pagemap-read" --pid "$pid"
	assert_equal "$stderr" "repro-pagemap-read: PID $pid: $PTRACE_MSG"
	# the maps file of root's process, given as a file: the plain errno, no guess
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-scan" --maps "/proc/$pid/maps"
	assert_equal "$stderr" "crdiag-scan: /proc/$pid/maps: Permission denied"
}

@test "as nobody: --probe works and shows PFNs hidden" {
	run_as_nobody true
	run -0 run_as_nobody "$NBIN/crdiag-scan" --probe --json
	assert_equal "$(jq '.kernel.zero_pfn_known' <<<"$output")" false
	assert_equal "$(jq '.kernel.page_size' <<<"$output")" "$(getconf PAGESIZE)"
	# root sees the zero page's PFN, so the difference is the privilege
	run -0 "$BIN/crdiag-scan" --probe --json
	assert_equal "$(jq '.kernel.zero_pfn_known' <<<"$output")" true
}

@test "as nobody: repro-giant-vma reproduces on its own, and nobody can inspect the cage" {
	run_as_nobody true
	run -0 --separate-stderr run_as_nobody "$NBIN/repro-giant-vma" --json
	assert_equal "$(jq -r '[.verdict, .check.got] | join(" ")' <<<"$output")" \
		"reproduced $((0x7ffff000))"
	nobody_bg giant "$NBIN/repro-giant-vma" --hold --pidfile "$NOBODY_DIR/giant.pid"
	run -0 run_as_nobody "$NBIN/crdiag-scan" --json "$BG_PID"
	# (an ASan build has shadow VMAs over the cap too: pick the cage by its size)
	assert_equal "$(jq -r '.vmas[] | select(.size == 1094712560 * 1024) | [.kind, .pagemap_bytes, .reads, .over_cap] | map(tostring) | join(" ")' <<<"$output")" \
		"reservation $((0x827ff9e0)) 2 true"
	# and root's cage is refused to nobody
	start_bg "$TMP/giant.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/giant.pid"
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-scan" "$(cat "$TMP/giant.pid")"
	assert_equal "$stderr" "crdiag-scan: PID $(cat "$TMP/giant.pid"): $PTRACE_MSG"
}

@test "as nobody: repro-pagemap-read reads its own child" {
	run_as_nobody true
	run -1 --separate-stderr run_as_nobody "$NBIN/repro-pagemap-read" --size 64G --json
	assert_equal "$(jq -r .verdict <<<"$output")" not-reproduced
	assert_equal "$stderr" ""
}

@test "as nobody: repro-chromium skips (77) naming what it needs, before any browser starts" {
	run_as_nobody true
	[ -x /usr/bin/chromium ] || skip "Debian's package chromium is not installed"
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-chromium"
	assert_output "verdict: skipped: needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN: namespaces)"
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-chromium" --json
	assert_equal "$(jq -r .verdict <<<"$output")" skipped
}

@test "as nobody: repro-udp-restore skips (77) naming the missing capability" {
	run_as_nobody true
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-udp-restore"
	assert_output "verdict: skipped: needs CAP_NET_ADMIN (network namespaces, veths, addresses, routes)"
	# with CAP_NET_ADMIN alone it names the next one
	run -77 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all,+net_admin --ambient-caps=+net_admin -- "$NBIN/repro-udp-restore" --json
	assert_equal "$(jq -r '[.verdict, .reason] | join(": ")' <<<"$output")" \
		"skipped: needs CAP_SYS_ADMIN (to create and enter network namespaces)"
}

@test "as nobody in a user namespace of its own: repro-udp-restore runs, or skips naming the call" {
	run_as_nobody true
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	run_as_nobody unshare -Ur true 2>/dev/null || skip "user namespaces are not available to nobody here"
	run --separate-stderr run_as_nobody unshare -Ur "$NBIN/repro-udp-restore" --json
	case $status in
	0) assert_equal "$(jq -r .verdict <<<"$output")" reproduced ;;
	77) assert_regex "$(jq -r .reason <<<"$output")" '^create the before network namespace: unshare\(CLONE_NEWNET\): ' ;;
	*) fail "exit $status: $stderr" ;;
	esac
}

@test "as nobody: vmainspect on its own process works; on root's it names PTRACE_MODE_READ" {
	[ -x "$BIN/vmainspect" ] || skip "vmainspect is not built"
	run_as_nobody true
	run -0 --separate-stderr run_as_nobody sh -c 'exec "$0" --json $$' "$NBIN/vmainspect"
	[ "$(jq '.totals.vmas' <<<"$output")" -gt 5 ]
	assert_equal "$(jq -r '.comm' <<<"$output")" vmainspect
	nobody_bg pattern "$NTBIN/pattern" --pidfile "$NOBODY_DIR/pattern.pid"
	run -0 --separate-stderr run_as_nobody "$NBIN/vmainspect" --batch "$BG_PID"
	# the sparse region: 16 MiB, every other page written
	assert_output --regexp ' 16\.0M rw-p anon +8\.00M '
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	run -2 --separate-stderr run_as_nobody "$NBIN/vmainspect" --json "$pid"
	assert_equal "$(jq -r '[.errno, .error] | join(": ")' <<<"$output")" \
		"EACCES: PID $pid (pattern): permission denied: reading its maps and pagemap needs PTRACE_MODE_READ (the same uid, or CAP_SYS_PTRACE)"
}

@test "as nobody: restore-check records its own process; root's is refused naming CAP_SYS_PTRACE" {
	[ -x "$BIN/restore-check" ] || skip "restore-check is not built"
	run_as_nobody true
	run -0 --separate-stderr run_as_nobody sh -c 'exec "$0" manifest $$' "$NBIN/restore-check"
	assert_equal "$(jq -r '.format' <<<"$output")" crdiag-restore-manifest
	[ "$(jq '.files | length' <<<"$output")" -gt 2 ]
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	run -2 --separate-stderr run_as_nobody "$NBIN/restore-check" manifest "$pid"
	assert_equal "$stderr" "restore-check: PID $pid: maps: Permission denied (reading another user's process needs CAP_SYS_PTRACE or the same uid)"
}

@test "as nobody: crdiag-check on its own process works; root's is refused naming CAP_SYS_PTRACE" {
	[ -x "$BIN/crdiag-check" ] || skip "crdiag-check is not built"
	run_as_nobody true
	run -0 --separate-stderr run_as_nobody env CRIU=/nonexistent setsid -w sh -c 'exec "$0" --json $$' "$NBIN/crdiag-check"
	assert_equal "$(jq -r '[.tree.processes, .summary.dump_fails] | @json' <<<"$output")" '[1,false]'
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-check" "$pid"
	assert_equal "$stderr" "crdiag-check: PID $pid: $PTRACE_MSG"
}
