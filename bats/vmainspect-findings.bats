#!/usr/bin/env bats
# vmainspect shows crdiag-check's findings for the process it inspects: a count in the
# header, and a screen of their own on f (as Enter shows the detail). Driven in a
# private tmux server, as the other TUI tests.

load helpers/common

setup() {
	common_setup
}

teardown() {
	common_teardown
}

tui_start() { tui_shell 160 50 CRIU=/nonexistent "$@"; }

@test "TUI: the findings' count in the header, and their screen on f; q goes back" {
	start_bg "$TMP/s.pid" "$TBIN/checksubject" ghost "$TMP/s.pid" "$TMP"
	local subj n
	subj=$(cat "$TMP/s.pid")
	n=$(CRIU=/nonexistent "$BIN/crdiag-check" --json "$subj" | jq '.findings | length')
	tui_start
	keys "$(printf %q "$BIN/vmainspect") $subj; echo rc=\$?" Enter
	wait_screen "^checksubject \\[$subj\\]"
	run screen
	assert_line --index 2 --regexp "^backend .*  findings: $n, 1 fails the dump \\(f\\)$"
	keys f
	wait_screen '^findings: what criu dump -t PID and its restore will hit'
	run screen
	assert_line --regexp "^dump +ghost-limit  PID $subj \\(checksubject\\) fd 3$"
	assert_line "    CRIU: Can't dump ghost file $TMP/ghost of 2097152 size, increase limit"
	assert_line "    way past: --ghost-limit 2M"
	keys q
	wait_screen '^! range +size'
	keys q
	wait_screen '^rc=0$'
}

@test "TUI: without crdiag-check the header says so, and the screen says why" {
	start_bg "$TMP/s.pid" "$TBIN/checksubject" plain "$TMP/s.pid" "$TMP"
	local subj
	subj=$(cat "$TMP/s.pid")
	tui_start CRDIAG_CHECK=/nonexistent/crdiag-check
	keys "$(printf %q "$BIN/vmainspect") $subj; echo rc=\$?" Enter
	wait_screen "^checksubject \\[$subj\\]"
	run screen
	assert_line --index 2 --regexp "findings: /nonexistent/crdiag-check could not run$"
	keys f
	wait_screen '^/nonexistent/crdiag-check could not run'
	keys q q
	wait_screen '^rc=0$'
}
