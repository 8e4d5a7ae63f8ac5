#!/usr/bin/env bats
# The shared test helpers themselves (helpers/common.bash): what every other file leans on.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

@test "start_bg: a second background in one test keeps the first one's stdout and stderr" {
	start_bg "$TMP/one.pid" sh -c 'echo one-out; echo one-err >&2; echo $$ >"$1"; exec sleep 60' sh "$TMP/one.pid"
	local out1=$BG_OUT err1=$BG_ERR
	start_bg "$TMP/two.pid" sh -c 'echo two-out; echo two-err >&2; echo $$ >"$1"; exec sleep 60' sh "$TMP/two.pid"
	[ "$BG_OUT" != "$out1" ] || fail "both calls write $BG_OUT"
	[ "$BG_ERR" != "$err1" ] || fail "both calls write $BG_ERR"
	assert_equal "$(cat "$out1")" one-out
	assert_equal "$(cat "$err1")" one-err
	assert_equal "$(cat "$BG_OUT")" two-out
	assert_equal "$(cat "$BG_ERR")" two-err
}

@test "start_bg: a background that exits before its pidfile fails, showing its stderr" {
	run start_bg "$TMP/never.pid" sh -c 'echo it-broke >&2; exit 3'
	assert_failure
	assert_output it-broke
}
