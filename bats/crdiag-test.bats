#!/usr/bin/env bats
# crdiag-test: the user's suite (tests tagged `# bats test_tags=user`, and `quick`),
# found in an install's share/crdiag/tests or a clone's bats/, run with TAP on stdout,
# JUnit on request and a summary with the time taken on stderr.

load helpers/common

setup() {
	common_setup
	SLEEP=""
}
teardown() {
	# a failed SIGTERM test leaves its test's sleep behind: stop it by PID
	local p
	if [ -n "$SLEEP" ]; then
		for p in $(pgrep -f "sleep $SLEEP"); do kill "$p" 2>/dev/null; done
	fi
	common_teardown
}

# tagged TAG: the names of this tree's tests tagged TAG (test_tags, or file_tags for
# the whole file), sorted (read from the files, not from bats: the selection is what
# is checked)
tagged() {
	awk -v t="$1" '
		function has(tags, n, i, a) { n = split(tags, a, /, */)
			for (i = 1; i <= n; i++) if (a[i] == t) return 1; return 0 }
		FNR == 1 { file = 0 }
		/^# bats file_tags=/ { file = has(substr($0, 18)); next }
		/^# bats test_tags=/ { want = has(substr($0, 18)); next }
		/^@test "/ { if (want || file) { s = $0; sub(/^@test "/, "", s); sub(/" \{$/, "", s)
			gsub(/\\\$/, "$", s); print s }; want = 0 }' "$ROOT"/bats/*.bats | sort
}

tap_names() { sed -nE 's/^(not )?ok [0-9]+ (.*)$/\2/p' | sed -E 's/ # (skip|in [0-9]+ ms).*$//' | sort; }

@test "--quick runs exactly the tests tagged user and quick, TAP on stdout, the time on stderr" {
	run -0 --separate-stderr "$BIN/crdiag-test" --quick
	assert_equal "$(tap_names <<<"$output")" "$(tagged quick)"
	[ "$(tagged quick | wc -l)" -ge 4 ] || fail "fewer than 4 quick tests"
	assert_equal "$(head -n 1 <<<"$output")" "1..$(tagged quick | wc -l)"
	assert_regex "${stderr##*$'\n'}" "^crdiag-test: [0-9]+ passed, 0 failed, [0-9]+ skipped in [0-9]+\.[0-9] s \($ROOT/bats\)$"
}

@test "the user's suite is every test tagged user, and each quick one is a user one" {
	# not run here (it is the repros' and CRIU's tests, run by their own files): the
	# selection is what bats would run, counted by bats itself
	run -0 bats --count --filter-tags user "$ROOT/bats"
	assert_equal "$output" "$(tagged user | wc -l)"
	[ "$(tagged user | wc -l)" -ge 10 ] || fail "fewer than 10 user tests"
	run -0 comm -23 <(tagged quick) <(tagged user)
	assert_output ""
}

@test "--junit DIR: a JUnit report with one testcase per TAP line" {
	run -1 --separate-stderr "$BIN/crdiag-test" --junit "$TMP/j/unit" "$FIXTURES/report-fail.bats"
	assert_file_exists "$TMP/j/unit/report.xml"
	assert_equal "$(grep -c '<testcase ' "$TMP/j/unit/report.xml")" 2
	assert_equal "$(grep -c '<failure' "$TMP/j/unit/report.xml")" 1
	assert_equal "$(grep -cE '^(not )?ok ' <<<"$output")" 2
}

@test "a failing test: exit 1 and the summary counts it" {
	run -1 --separate-stderr "$BIN/crdiag-test" "$FIXTURES/report-fail.bats"
	assert_line "not ok 2 fail: fails with output"
	assert_regex "${stderr##*$'\n'}" '^crdiag-test: 1 passed, 1 failed, 0 skipped in '
	# a FILE is also looked up in the suite
	run -1 --separate-stderr "$BIN/crdiag-test" fixtures/report-fail.bats
}

@test "no suite, an empty selection, bats missing: errors, exit 2" {
	mkdir -p "$TMP/empty/helpers"
	touch "$TMP/empty/helpers/common.bash"
	CRDIAG_TESTS=$TMP/empty run -2 --separate-stderr "$BIN/crdiag-test"
	assert_equal "${stderr##*$'\n'}" "crdiag-test: no test ran: nothing in $TMP/empty is selected"
	CRDIAG_TESTS=$TMP/none run -2 --separate-stderr "$BIN/crdiag-test"
	assert_equal "$stderr" "crdiag-test: $TMP/none: no such directory (CRDIAG_TESTS)"
	# a copy of the program alone, away from any suite
	mkdir "$TMP/alone"
	cp "$BIN/crdiag-test" "$TMP/alone/"
	run -2 --separate-stderr "$TMP/alone/crdiag-test"
	assert_regex "$stderr" '^crdiag-test: no test suite found \(looked in '
	run -2 --separate-stderr env PATH=/nonexistent /bin/bash "$BIN/crdiag-test"
	assert_equal "$stderr" "crdiag-test: bats is not installed (apt-get install bats bats-assert bats-support bats-file)"
}

@test "usage errors are one line on stderr, exit 2" {
	run -2 --separate-stderr "$BIN/crdiag-test" --bogus
	assert_equal "$stderr" "crdiag-test: unknown option '--bogus' (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-test" --quick --all
	assert_equal "$stderr" "crdiag-test: --quick and --all exclude each other"
	run -2 --separate-stderr "$BIN/crdiag-test" --junit
	assert_equal "$stderr" "crdiag-test: option '--junit' needs an argument"
	run -2 --separate-stderr "$BIN/crdiag-test" --quick "$FIXTURES/report-fail.bats"
	assert_equal "$stderr" "crdiag-test: FILE... and --quick or --all exclude each other"
	run -2 --separate-stderr "$BIN/crdiag-test" "$TMP/nope.bats"
	assert_equal "$stderr" "crdiag-test: $TMP/nope.bats: no such file (nor in $ROOT/bats)"
	run -0 "$BIN/crdiag-test" --version
	assert_output --regexp '^crdiag-test [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "SIGTERM: bats and its test are stopped, crdiag-test dies of SIGTERM" {
	local s=$((RANDOM % 500 + 1000)).$$
	SLEEP=$s
	printf '@test "sleeps" {\n\tsleep %s 3>&-\n}\n' "$s" >"$TMP/sleeps.bats"
	"$BIN/crdiag-test" "$TMP/sleeps.bats" >"$TMP/out" 2>"$TMP/err" 3>&- &
	local pid=$! i rc=0
	BG_PIDS+=("$pid")
	for i in $(seq 200); do pgrep -f "sleep $s" >/dev/null && break; sleep 0.05; done
	pgrep -f "sleep $s" >/dev/null || fail "the test never started"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	for i in $(seq 100); do pgrep -f "sleep $s" >/dev/null || break; sleep 0.05; done
	run -1 pgrep -f "sleep $s"
}
