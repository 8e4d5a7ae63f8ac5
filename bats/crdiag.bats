#!/usr/bin/env bats
# The front door: `crdiag COMMAND` runs the program behind COMMAND, found next to crdiag
# (a clone's bin/) or in ../libexec/crdiag (an install), by exec: the exit status and
# the PID are the program's own.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# An install's layout, as make install lays it out: crdiag, vmainspect and the repros in
# bin/, the other programs in libexec/crdiag/.
fake_prefix() {
	mkdir -p "$TMP/p/bin" "$TMP/p/libexec/crdiag"
	cp "$BIN/crdiag" "$BIN/vmainspect" "$BIN"/repro-* "$TMP/p/bin/"
	cp "$BIN/crdiag-scan" "$BIN/crdiag-criu" "$TMP/p/libexec/crdiag/"
}

@test "help lists every command of the table, and --list-commands the same names" {
	run -0 --separate-stderr "$BIN/crdiag" help
	assert_line --index 0 "Usage: crdiag COMMAND [ARGS]"
	local names
	names=$(awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$output")
	run -0 "$BIN/crdiag" --list-commands
	assert_equal "$output" "$names"
	assert_equal "$(echo "$names" | tr '\n' ' ')" \
		"check scan inspect sockets criu restore-check repro test report help "
	run -0 "$BIN/crdiag" --help
	assert_line "  inspect        the inspector: VMAs against their pagemap cost, interactive"
	run -0 "$BIN/crdiag" --version
	assert_output --regexp '^crdiag [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 "$BIN/crdiag" help help
	assert_line --index 0 "Usage: crdiag COMMAND [ARGS]"
	run -0 "$BIN/crdiag" help --help
	assert_line --index 0 "Usage: crdiag COMMAND [ARGS]"
	run -0 "$BIN/crdiag" help repro
	assert_line --index 0 "Usage: crdiag repro               list the reproducers"
}

@test "no command, an unknown option of crdiag's own: one line, exit 2" {
	run -2 --separate-stderr "$BIN/crdiag"
	assert_equal "$output" ""
	assert_equal "$stderr" "crdiag: missing command (see crdiag help)"
	run -2 --separate-stderr "$BIN/crdiag" --bogus
	assert_equal "$stderr" "crdiag: unknown option '--bogus' (see crdiag help)"
}

@test "each command runs its program: help COMMAND and COMMAND --help are the program's --help" {
	local cmd prog
	while read -r cmd prog; do
		[ -x "$BIN/$prog" ] || continue # a program another branch adds
		run -0 "$BIN/crdiag" "$cmd" --help
		assert_equal "$output" "$("$BIN/$prog" --help)"
		run -0 "$BIN/crdiag" help "$cmd"
		assert_equal "$output" "$("$BIN/$prog" --help)"
	done <<'TABLE'
check crdiag-check
scan crdiag-scan
inspect vmainspect
sockets crdiag-sockets
criu crdiag-criu
restore-check restore-check
test crdiag-test
report crdiag-report
TABLE
	run -0 "$BIN/crdiag" scan --probe --json
	assert_equal "$(jq .kernel.page_size <<<"$output")" "$(getconf PAGESIZE)"
}

@test "exit codes pass through: 1 not reproduced, 77 skipped, 2 the program's error" {
	run -1 --separate-stderr "$BIN/crdiag" repro giant-vma --size 64G
	assert_line --partial "verdict: not-reproduced:"
	run -77 --separate-stderr "$BIN/crdiag" repro pagemap-read --strategy chunked --size 64G
	run -2 --separate-stderr "$BIN/crdiag" scan --bogus
	assert_equal "$stderr" "crdiag-scan: unknown option '--bogus' (see --help)"
}

@test "exec, not a child: the program runs in crdiag's own PID, with its own comm" {
	"$BIN/crdiag" repro giant-vma --size 64G --hold --pidfile "$TMP/pid" >/dev/null 3>&- &
	local pid=$!
	BG_PIDS+=("$pid")
	local i
	for i in $(seq 200); do [ -s "$TMP/pid" ] && break; sleep 0.05; done
	assert_equal "$(cat "$TMP/pid")" "$pid"
	assert_equal "$(cat "/proc/$pid/comm")" repro-giant-vma
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	# released by SIGTERM: its own status (0 as documented, or 143 dying of it), never
	# a wrapper's 2
	[ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || fail "exit $rc after SIGTERM"
}

@test "an unknown command gets the nearest name; far from all, none" {
	run -2 --separate-stderr "$BIN/crdiag" chek
	assert_equal "$stderr" "crdiag: 'chek' is not a crdiag command; did you mean 'check'? (see crdiag help)"
	run -2 --separate-stderr "$BIN/crdiag" sokcets 42
	assert_equal "$stderr" "crdiag: 'sokcets' is not a crdiag command; did you mean 'sockets'? (see crdiag help)"
	run -2 --separate-stderr "$BIN/crdiag" restore-chek
	assert_equal "$stderr" "crdiag: 'restore-chek' is not a crdiag command; did you mean 'restore-check'? (see crdiag help)"
	run -2 --separate-stderr "$BIN/crdiag" xyzzyplugh
	assert_equal "$stderr" "crdiag: 'xyzzyplugh' is not a crdiag command (see crdiag help)"
	run -2 --separate-stderr "$BIN/crdiag" help scna
	assert_equal "$stderr" "crdiag: 'scna' is not a crdiag command; did you mean 'scan'? (see crdiag help)"
	# what the user typed is escaped before it reaches the terminal
	run -2 --separate-stderr "$BIN/crdiag" $'sc\033]0;x\007an'
	assert_equal "$stderr" "crdiag: 'sc\\e]0;x\\x07an' is not a crdiag command (see crdiag help)"
}

@test "repro lists the repro-* programs next to crdiag; repro NAME and repro repro-NAME run one" {
	run -0 --separate-stderr "$BIN/crdiag" repro
	local want
	want=$(cd "$BIN" && ls -d repro-* | sed 's/^repro-//' | sort)
	assert_equal "$output" "$want"
	run -0 "$BIN/crdiag" repro giant-vma --version
	assert_output --regexp '^repro-giant-vma '
	run -0 "$BIN/crdiag" repro repro-giant-vma --version
	assert_output --regexp '^repro-giant-vma '
	run -2 --separate-stderr "$BIN/crdiag" repro giant-vm
	assert_equal "$stderr" "crdiag: repro: 'giant-vm' is not a reproducer; did you mean 'giant-vma'? (crdiag repro lists them)"
	run -0 "$BIN/crdiag" repro --help
	assert_line --index 0 "Usage: crdiag repro               list the reproducers"
}

@test "installed layout: programs are found in ../libexec/crdiag, repros next to crdiag" {
	fake_prefix
	run -0 "$TMP/p/bin/crdiag" scan --version
	assert_output --regexp '^crdiag-scan '
	run -0 "$TMP/p/bin/crdiag" inspect --version
	assert_output --regexp '^vmainspect '
	run -0 "$TMP/p/bin/crdiag" repro
	assert_line giant-vma
	# a symlink to crdiag (e.g. in ~/bin) still finds its own tree
	ln -s "$TMP/p/bin/crdiag" "$TMP/link"
	run -0 "$TMP/link" criu --version
	assert_output --regexp '^crdiag-criu '
}

@test "a missing program: a clear error naming it and where it looked, exit 2" {
	fake_prefix
	run -2 --separate-stderr "$TMP/p/bin/crdiag" sockets 1
	assert_equal "$output" ""
	assert_equal "$stderr" "crdiag: sockets: crdiag-sockets is not installed (looked in $TMP/p/bin and $TMP/p/bin/../libexec/crdiag)"
	# not executable is not installed either
	cp "$BIN/crdiag-sockets" "$TMP/p/libexec/crdiag/"
	chmod -x "$TMP/p/libexec/crdiag/crdiag-sockets"
	run -2 --separate-stderr "$TMP/p/bin/crdiag" sockets 1
	assert_equal "$stderr" "crdiag: sockets: crdiag-sockets is not installed (looked in $TMP/p/bin and $TMP/p/bin/../libexec/crdiag)"
	rm "$TMP/p/bin"/repro-*
	run -0 --separate-stderr "$TMP/p/bin/crdiag" repro
	assert_equal "$output" ""
}

@test "a list that cannot be written (stdout on /dev/full) is exit 2" {
	run -2 --separate-stderr sh -c '"$1" repro >/dev/full' sh "$BIN/crdiag"
	assert_equal "$stderr" "crdiag: repro: writing the list: No space left on device"
	run -2 --separate-stderr sh -c '"$1" --list-commands >/dev/full' sh "$BIN/crdiag"
}
