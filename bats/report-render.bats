#!/usr/bin/env bats
# crdiag-report's two jq programs on fixtures, without a report run (milliseconds):
# the renderer (src/crdiag-report/render.jq: report.json -> Markdown) and the TAP parser
# (src/crdiag-report/tap.jq). fixtures/report-sample.json is a real report of this
# machine (report-fail.bats and report-mini.bats as its tests, --pid on a sleep), its
# logs cut to four lines and two UDP sockets added; report-sample.md is what the
# renderer of main (with termsafe.jq) made of it, report-sample.tap the real TAP of that test run.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

@test "render: the fixture report renders to the Markdown it always gave" {
	run -0 --separate-stderr "$BIN/crdiag-report" --render "$FIXTURES/report-sample.json"
	assert_equal "$output" "$(cat "$FIXTURES/report-sample.md")"
	assert_equal "$stderr" ""
}

@test "render: sections in order; a pipe in a reason is escaped, not a new cell" {
	jq '.repros[0].reason = "one | two"' "$FIXTURES/report-sample.json" >"$TMP/pipe.json"
	run -0 "$BIN/crdiag-report" --render "$TMP/pipe.json"
	assert_equal "$(grep '^## ' <<<"$output" | tr '\n' ,)" \
		"## Summary,## Facts,## CRIU,## Reproducers,## CRIU tier,## Tests,## Process,## Logs,"
	assert_line --regexp '^\| repro-giant-vma \| reproduced \| 0 \| [0-9.]+ \| one \\\| two \|$'
	assert_line -- '- 4 mini: skips | with a reason: a reason | with a pipe'
	assert_line --partial '| 3 | ipv4 | 192.0.2.2:4000 | 203.0.113.1:7 | connected | yes |'
	assert_line --partial '| 4 | ipv6 | [2001:db8:1::2]:4001 | - | unconnected | no |'
}

@test "render: what the JSON says changes the Markdown (a changed verdict shows)" {
	jq '.repros[0].verdict = "not-reproduced" | .tests.failed = 7' \
		"$FIXTURES/report-sample.json" >"$TMP/changed.json"
	run -0 "$BIN/crdiag-report" --render "$TMP/changed.json"
	assert_line --regexp '^- Reproducers: repro-giant-vma \*\*not-reproduced\*\*, '
	assert_line --regexp '^- Tests: 2 passed, 7 failed, 1 skipped$'
}

@test "tap: counts, the failure with its output, the skip with its reason, no timing in names" {
	run -0 --separate-stderr "$BIN/crdiag-report" --tap-json "$FIXTURES/report-sample.tap"
	assert_equal "$(jq -c '[.planned, .total, .passed, .failed, .skipped]' <<<"$output")" '[4,4,2,1,1]'
	assert_equal "$(jq -c '.failures[] | [.number, .name]' <<<"$output")" '[2,"fail: fails with output"]'
	assert_equal "$(jq -r '.failures[0].output | split("\n") | .[-2:] | join("/")' <<<"$output")" \
		"first line of output/second line"
	assert_equal "$(jq -c '.skips' <<<"$output")" \
		'[{"number":4,"name":"mini: skips | with a reason","reason":"a reason | with a pipe"}]'
}

@test "render and tap: a file that is not a report or not readable is one line, exit 2" {
	echo '{"not": "a report"' >"$TMP/bad.json"
	run -2 --separate-stderr "$BIN/crdiag-report" --render "$TMP/bad.json"
	assert_equal "$stderr" "crdiag-report: --render: $TMP/bad.json: not a report.json: parse error: Unfinished JSON term at EOF at line 2, column 0"
	assert_equal "$output" ""
	run -2 --separate-stderr "$BIN/crdiag-report" --tap-json "$TMP/none.tap"
	assert_equal "$stderr" "crdiag-report: --tap-json: $TMP/none.tap: not a readable file"
}
