#!/usr/bin/env bats
# make install into a DESTDIR, then crdiag used from there as a user would: outside the
# clone, with no CRDIAG_* variable pointing back at it. crdiag test and crdiag report
# --quick must run the installed suite against the installed programs.

load helpers/common

setup_file() {
	local d=$BATS_FILE_TMPDIR/dest rc=0
	# make's own variables from the outer `make check` would reach this make
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" install DESTDIR="$d" \
		PREFIX=/usr SANITIZE="${CRDIAG_SANITIZE:-}" >"$BATS_FILE_TMPDIR/install.log" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/install.status"
}

setup() {
	common_setup
	D=$BATS_FILE_TMPDIR/dest
	P=$D/usr
}
teardown() { common_teardown; }

# as_user CMD...: CMD from $TMP, with the install first on PATH and nothing of the clone's
as_user() {
	(cd "$TMP" && env -u CRDIAG_BIN -u CRDIAG_TBIN -u CRDIAG_SANITIZE -u CRDIAG_TESTS \
		PATH="$P/bin:$PATH" "$@")
}

@test "install: the front door, vmainspect and the repros on PATH; the rest in libexec/crdiag" {
	assert_equal "$(cat "$BATS_FILE_TMPDIR/install.status")" 0
	local want
	want=$(cd "$BIN" && ls -d crdiag vmainspect repro-* | sort)
	assert_equal "$(cd "$P/bin" && ls | sort)" "$want"
	# libexec holds every program but crdiag, those on PATH as relative links
	assert_equal "$(cd "$P/libexec/crdiag" && ls | grep -v '^tests$' | sort)" \
		"$(cd "$BIN" && ls | grep -vx crdiag | sort)"
	run -0 readlink "$P/libexec/crdiag/vmainspect"
	assert_output ../../bin/vmainspect
	local p
	for p in "$P"/libexec/crdiag/*; do
		[ -d "$p" ] || [ -x "$p" ] || fail "$p is not executable"
	done
}

@test "install: a man page for every installed program, and man finds it" {
	local p missing=()
	for p in "$P"/bin/* "$P"/libexec/crdiag/*; do
		[ -d "$p" ] && continue
		[ -f "$P/share/man/man1/$(basename "$p").1" ] || missing+=("$(basename "$p")")
	done
	[ ${#missing[@]} -eq 0 ] || fail "no man page installed for: ${missing[*]}"
	command -v man >/dev/null || skip "man is not installed (man-db)"
	run -0 env MANPATH="$P/share/man" man -w crdiag-test
	assert_output "$P/share/man/man1/crdiag-test.1"
}

@test "install: bash-completion finds the completion for crdiag and the repros" {
	local bc=/usr/share/bash-completion/bash_completion
	[ -r "$bc" ] || skip "bash-completion is not installed"
	# bash-completion looks in each XDG_DATA_DIRS/bash-completion/completions
	run -0 env XDG_DATA_DIRS="$P/share" BASH_COMPLETION_USER_DIR=/nonexistent bash -c '
		source "$1"; __load_completion crdiag && __load_completion repro-giant-vma &&
		complete -p crdiag repro-giant-vma' bash "$bc"
	assert_line "complete -F _crdiag crdiag"
	assert_line "complete -F _crdiag_program repro-giant-vma"
}

@test "install: crdiag test runs the installed user's suite, TAP and JUnit, every test passing or skipping" {
	run -0 --separate-stderr as_user crdiag test --junit "$TMP/junit"
	assert_equal "$(head -n 1 <<<"$output")" "1..$(bats --count --filter-tags user "$ROOT/bats")"
	refute_line --regexp '^not ok '
	assert_regex "${stderr##*$'\n'}" "^crdiag-test: [0-9]+ passed, 0 failed, [0-9]+ skipped in [0-9.]+ s \($P/share/crdiag/tests\)$"
	assert_equal "$(grep -c '<testcase ' "$TMP/junit/report.xml")" "$(grep -cE '^(not )?ok ' <<<"$output")"
}

@test "install: crdiag test tests the installed programs, not the clone's (one broken: it fails)" {
	# a copy of the install whose repro-giant-vma lies: the suite must catch it
	cp -a "$D" "$TMP/broken"
	printf '#!/bin/sh\necho "verdict: not-reproduced: a liar"\nexit 1\n' >"$TMP/broken/usr/bin/repro-giant-vma"
	run -1 --separate-stderr env -u CRDIAG_BIN -u CRDIAG_TBIN -u CRDIAG_TESTS \
		"$TMP/broken/usr/bin/crdiag" test
	assert_line --regexp '^not ok [0-9]+ default run reproduces: asked 0x827ff9e0'
	assert_regex "${stderr##*$'\n'}" "\($TMP/broken/usr/share/crdiag/tests\)$"
}

@test "install: crdiag report --quick from the install writes the report, runs the tests, in under a minute" {
	run -0 --separate-stderr as_user crdiag report --quick --output "$TMP/report"
	local j=$TMP/report/report.json
	assert_equal "$(jq -r '[.tests.ran, .tests.mode, .tests.failed, (.tests.total > 0)] | @json' "$j")" \
		'[true,"quick",0,true]'
	assert_equal "$(jq -r '[.repros[].name] | join(" ")' "$j")" \
		"$(cd "$P/bin" && ls -d repro-* | tr '\n' ' ' | sed 's/ $//')"
	jq -e '[.repros[].verdict] | all(. == "reproduced" or . == "not-reproduced" or . == "skipped")' "$j"
	jq -e '.report.seconds < 60' "$j" || fail "the quick report took $(jq .report.seconds "$j") s"
	assert_regex "${stderr##*$'\n'}" "^crdiag-report: wrote $TMP/report/report.md and $TMP/report/report.json in [0-9.]+ s$"
}

@test "uninstall: nothing of crdiag is left in the DESTDIR" {
	cp -a "$D" "$TMP/u"
	run -0 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" uninstall DESTDIR="$TMP/u" PREFIX=/usr
	run -0 find "$TMP/u" -not -type d
	assert_output ""
}
