#!/usr/bin/env bats
# Bad input, the same battery for every program: no arguments where some are needed,
# unknown options, missing, empty and huge values, non-numeric, negative, out-of-range
# PIDs, a PID that is gone and the PID of a real zombie. Each case must give exactly one
# line on stderr, prefixed with the program's name, nothing on stdout, and exit 2:
# never a crash, a hang, a silent success or a page of usage.

load helpers/common

setup() {
	common_setup
	LONG=$(printf '%*s' 100000 '' | tr ' ' a)    # 100,000 letters
	HUGENUM=$(printf '%*s' 100000 '' | tr ' ' 9) # a 100,000-digit number
	OVERMAX=$(($(cat /proc/sys/kernel/pid_max) + 1))
	sleep 0 &
	DEAD=$!
	wait "$DEAD"
}

teardown() { common_teardown; }

start_zombie() {
	start_bg "$TMP/zombie.pid" "$TBIN/zombie" "$TMP/zombie.pid"
	ZOMBIE=$(cat "$TMP/zombie.pid")
	grep -q '^State:.*Z' "/proc/$ZOMBIE/status" || fail "PID $ZOMBIE is not a zombie"
}

# expand WORD: the table's placeholders
expand() {
	case $1 in
	@EMPTY@) printf '%s' '' ;;
	@LONG@) printf '%s' "$LONG" ;;
	@HUGENUM@) printf '%s' "$HUGENUM" ;;
	@BIG@) printf '%s' 99999999999999999999 ;;
	@OVERMAX@) printf '%s' "$OVERMAX" ;;
	@DEAD@) printf '%s' "$DEAD" ;;
	@ZOMBIE@) printf '%s' "$ZOMBIE" ;;
	@SPACE5@) printf '%s' ' 5' ;;
	@ROOTPID@) printf '%s' 1 ;;
	*) printf '%s' "$1" ;;
	esac
}

# bad_table: reads "PROG ARG..." lines (blank and # lines ignored) and checks each case.
# Prints the number of cases as a TAP comment.
bad_table() {
	local line prog word n=0 failures=()
	local -a args
	while IFS= read -r line; do
		[[ -z "$line" || "$line" == \#* ]] && continue
		read -r -a words <<<"$line"
		prog=${words[0]}
		args=()
		for word in "${words[@]:1}"; do
			args+=("$(expand "$word")")
		done
		[ -x "$BIN/$prog" ] || { failures+=("$line: $BIN/$prog is not built"); continue; }
		run --separate-stderr timeout 20 "$BIN/$prog" "${args[@]}"
		n=$((n + 1))
		if [ "$status" -ne 2 ]; then
			failures+=("$line: exit $status (want 2); stderr: ${stderr:0:300}; stdout: ${output:0:300}")
		elif [ -n "$output" ] && ! json_error_doc "$prog" "${args[@]}"; then
			failures+=("$line: stdout not empty: ${output:0:300}")
		elif [ "${#stderr_lines[@]}" -ne 1 ]; then
			failures+=("$line: ${#stderr_lines[@]} lines on stderr: ${stderr:0:600}")
		elif [[ "$stderr" != "$prog: "* ]]; then
			failures+=("$line: not prefixed '$prog: ': ${stderr:0:300}")
		elif [[ "$stderr" == *Sanitizer* || "$stderr" == *"runtime error"* ]]; then
			failures+=("$line: sanitizer report: ${stderr:0:300}")
		fi
	done
	echo "# ${BATS_TEST_DESCRIPTION%%:*}: $n bad inputs" >&3
	if [ "${#failures[@]}" -gt 0 ]; then
		printf '%s\n' "${failures[@]}"
		return 1
	fi
}

# json_error_doc PROG ARGS...: with --json a program may put the error on stdout too,
# as one JSON document whose "error" is the stderr line without "PROG: ".
json_error_doc() {
	local prog=$1 a
	shift
	for a in "$@"; do
		[ "$a" = --json ] || [ "$a" = -j ] || continue
		[ "$(jq -r '.error' <<<"$output" 2>/dev/null)" = "${stderr#"$prog: "}" ] && return 0
	done
	return 1
}

# The options every program gets, PROG substituted.
generic_cases() {
	sed "s/^/$1 /" <<-'CASES'
	--no-such-option
	-Z
	--no-such-option=1
	--help=yes
	--version=1
	--json=yes
	@LONG@ @LONG@
	--@LONG@
	CASES
}

@test "crdiag-scan: every bad input is one line and exit 2" {
	start_zombie
	{ generic_cases crdiag-scan; cat <<-'CASES'
	crdiag-scan
	crdiag-scan --json
	crdiag-scan 1 2
	crdiag-scan @EMPTY@
	crdiag-scan @LONG@
	crdiag-scan @HUGENUM@
	crdiag-scan @BIG@
	crdiag-scan abc
	crdiag-scan 12abc
	crdiag-scan 0x10
	crdiag-scan +5
	crdiag-scan @SPACE5@
	crdiag-scan 5.0
	crdiag-scan 0
	crdiag-scan -1
	crdiag-scan -- -1
	crdiag-scan -- -2147483648
	crdiag-scan 2147483648
	crdiag-scan @OVERMAX@
	crdiag-scan @DEAD@
	crdiag-scan --json @DEAD@
	crdiag-scan @ZOMBIE@
	crdiag-scan --json @ZOMBIE@
	crdiag-scan --backend single @ZOMBIE@
	crdiag-scan --backend
	crdiag-scan --backend @EMPTY@ 1
	crdiag-scan --backend @LONG@ 1
	crdiag-scan --backend SCAN 1
	crdiag-scan --maps
	crdiag-scan --maps @EMPTY@
	crdiag-scan --maps @LONG@
	crdiag-scan --maps /nonexistent
	crdiag-scan --maps /
	crdiag-scan --maps /proc/self/mem
	crdiag-scan --maps /etc/hostname 1
	crdiag-scan --probe 1
	crdiag-scan --elf @DEAD@
	crdiag-scan --stacks @ZOMBIE@
	crdiag-scan --elf --maps /etc/hostname
	crdiag-scan --stacks --json @DEAD@
	CASES
	} | bad_table
}

@test "repro-giant-vma: every bad input is one line and exit 2" {
	{ generic_cases repro-giant-vma; cat <<-'CASES'
	repro-giant-vma extra
	repro-giant-vma --size
	repro-giant-vma --size @EMPTY@
	repro-giant-vma --size @LONG@
	repro-giant-vma --size @HUGENUM@
	repro-giant-vma --size @BIG@
	repro-giant-vma --size 99999999999T
	repro-giant-vma --size -1
	repro-giant-vma --size -1G
	repro-giant-vma --size 0
	repro-giant-vma --size 1.5
	repro-giant-vma --size 0x10G
	repro-giant-vma --commit @EMPTY@
	repro-giant-vma --commit @HUGENUM@
	repro-giant-vma --commit -1
	repro-giant-vma --commit x
	repro-giant-vma --hold-seconds @EMPTY@
	repro-giant-vma --hold-seconds @HUGENUM@
	repro-giant-vma --hold-seconds -1
	repro-giant-vma --hold-seconds 1.5
	repro-giant-vma --name @EMPTY@ --size 1G
	repro-giant-vma --name @LONG@ --size 1G
	repro-giant-vma --pidfile @EMPTY@ --size 1G
	repro-giant-vma --pidfile @LONG@ --size 1G
	repro-giant-vma --pidfile /nonexistent/dir/pid --size 1G
	repro-giant-vma --criu --hold
	repro-giant-vma --criu --pidfile pid
	repro-giant-vma --restore
	repro-giant-vma --keep
	repro-giant-vma --criu-timeout 5
	repro-giant-vma --criu --criu-timeout @EMPTY@
	repro-giant-vma --criu --criu-timeout @HUGENUM@
	repro-giant-vma --criu --criu-timeout -1
	repro-giant-vma --criu --criu-timeout 0
	CASES
	} | bad_table
}

@test "repro-pagemap-read: every bad input is one line and exit 2" {
	start_zombie
	{ generic_cases repro-pagemap-read; cat <<-'CASES'
	repro-pagemap-read extra
	repro-pagemap-read --pid
	repro-pagemap-read --pid @EMPTY@
	repro-pagemap-read --pid @LONG@
	repro-pagemap-read --pid @HUGENUM@
	repro-pagemap-read --pid @BIG@
	repro-pagemap-read --pid abc
	repro-pagemap-read --pid 12abc
	repro-pagemap-read --pid 0x10
	repro-pagemap-read --pid @SPACE5@
	repro-pagemap-read --pid 0
	repro-pagemap-read --pid -1
	repro-pagemap-read --pid 2147483648
	repro-pagemap-read --pid @OVERMAX@
	repro-pagemap-read --pid @DEAD@
	repro-pagemap-read --json --pid @DEAD@
	repro-pagemap-read --pid @ZOMBIE@
	repro-pagemap-read --json --pid @ZOMBIE@
	repro-pagemap-read --pid 2
	repro-pagemap-read --vma @EMPTY@
	repro-pagemap-read --vma @LONG@
	repro-pagemap-read --vma @HUGENUM@
	repro-pagemap-read --vma -1
	repro-pagemap-read --strategy @EMPTY@
	repro-pagemap-read --strategy @LONG@
	repro-pagemap-read --size @EMPTY@
	repro-pagemap-read --size @HUGENUM@
	repro-pagemap-read --size -1G
	repro-pagemap-read --commit @EMPTY@
	repro-pagemap-read --commit @HUGENUM@
	repro-pagemap-read --commit -1
	CASES
	} | bad_table
}

@test "repro-udp-restore: every bad input is one line and exit 2" {
	{ generic_cases repro-udp-restore; cat <<-'CASES'
	repro-udp-restore extra
	repro-udp-restore --family
	repro-udp-restore --family @EMPTY@
	repro-udp-restore --family @LONG@
	repro-udp-restore --family @HUGENUM@
	repro-udp-restore --family -4
	repro-udp-restore --family 46
	repro-udp-restore --bind
	repro-udp-restore --bind @EMPTY@
	repro-udp-restore --bind @LONG@
	repro-udp-restore --criu --pause
	repro-udp-restore --criu --family 6
	repro-udp-restore --keep --criu-timeout 5
	repro-udp-restore --criu --criu-timeout @HUGENUM@
	repro-udp-restore --criu --criu-timeout x
	CASES
	} | bad_table
}

@test "repro-chromium: every bad input is one line and exit 2" {
	{ generic_cases repro-chromium; cat <<-'CASES'
	repro-chromium extra
	repro-chromium --chromium
	repro-chromium --chromium @EMPTY@
	repro-chromium --timeout
	repro-chromium --timeout @EMPTY@
	repro-chromium --timeout @HUGENUM@
	repro-chromium --timeout -1
	repro-chromium --timeout 0
	repro-chromium --timeout x
	repro-chromium --restore
	repro-chromium --keep
	repro-chromium --criu --restore --no-pidns
	repro-chromium --criu --criu-timeout @HUGENUM@
	repro-chromium --criu --criu-timeout x
	CASES
	} | bad_table
}

@test "vmainspect: every bad input is one line and exit 2 (with --json, also a JSON error)" {
	[ -x "$BIN/vmainspect" ] || skip "vmainspect is not built"
	start_zombie
	{ generic_cases vmainspect; cat <<-'CASES'
	vmainspect
	vmainspect --json
	vmainspect 1 2
	vmainspect @EMPTY@
	vmainspect @LONG@
	vmainspect --json @LONG@
	vmainspect @HUGENUM@
	vmainspect @BIG@
	vmainspect abc
	vmainspect --json 12abc
	vmainspect 0x10
	vmainspect +5
	vmainspect @SPACE5@
	vmainspect 0
	vmainspect -1
	vmainspect -- -1
	vmainspect 2147483648
	vmainspect @OVERMAX@
	vmainspect @DEAD@
	vmainspect --json @DEAD@
	vmainspect @ZOMBIE@
	vmainspect --json @ZOMBIE@
	vmainspect --batch @ZOMBIE@
	vmainspect --json 2
	vmainspect --delay
	vmainspect --delay @EMPTY@ 1
	vmainspect --delay @HUGENUM@ 1
	vmainspect --delay -1 1
	vmainspect --delay 0 1
	vmainspect --delay nan 1
	vmainspect --delay inf 1
	vmainspect --iterations @EMPTY@ 1
	vmainspect --iterations @HUGENUM@ 1
	vmainspect --iterations 0 1
	vmainspect --iterations -1 1
	vmainspect --backend @EMPTY@ 1
	vmainspect --backend single 1
	vmainspect --backend @LONG@ 1
	vmainspect --sort @EMPTY@ 1
	vmainspect --sort @LONG@ 1
	vmainspect --json --sort name 1
	vmainspect --filter
	CASES
	} | bad_table
}

@test "restore-check: every bad input is one line and exit 2" {
	[ -x "$BIN/restore-check" ] || skip "restore-check is not built"
	start_zombie
	printf '{"format":' >"$TMP/cut.json"
	: >"$TMP/empty.json"
	printf '{"format": "something else", "version": 1, "files": []}' >"$TMP/other.json"
	printf '{"format": "crdiag-restore-manifest", "version": 99, "files": []}' >"$TMP/v99.json"
	head -c 100000 /dev/urandom >"$TMP/random.json"
	{ generic_cases restore-check; sed "s|@TMP@|$TMP|g" <<-'CASES'
	restore-check
	restore-check bogus
	restore-check @EMPTY@
	restore-check @LONG@
	restore-check manifest
	restore-check manifest 1 2
	restore-check manifest @EMPTY@
	restore-check manifest @LONG@
	restore-check manifest @HUGENUM@
	restore-check manifest @BIG@
	restore-check manifest abc
	restore-check manifest 0x10
	restore-check manifest @SPACE5@
	restore-check manifest 0
	restore-check manifest -1
	restore-check manifest -- -1
	restore-check manifest @OVERMAX@
	restore-check manifest @DEAD@
	restore-check manifest --json @DEAD@
	restore-check manifest @ZOMBIE@
	restore-check manifest --root / 1
	restore-check verify
	restore-check verify @EMPTY@
	restore-check verify @LONG@
	restore-check verify /nonexistent
	restore-check verify /
	restore-check verify @TMP@/cut.json
	restore-check verify @TMP@/empty.json
	restore-check verify @TMP@/other.json
	restore-check verify @TMP@/v99.json
	restore-check verify @TMP@/random.json
	restore-check verify --json @TMP@/cut.json
	restore-check verify --root
	restore-check verify --root @EMPTY@ @TMP@/cut.json
	restore-check verify a b
	CASES
	} | bad_table
	# a zombie has no root, cwd or fds: say what it is, not "root: No such file"
	run -2 --separate-stderr "$BIN/restore-check" manifest "$ZOMBIE"
	assert_equal "$stderr" "restore-check: PID $ZOMBIE: the process has exited (a zombie)"
}

@test "crdiag-criu: every bad input is one line and exit 2" {
	[ -x "$BIN/crdiag-criu" ] || skip "crdiag-criu is not built"
	{ generic_cases crdiag-criu; cat <<-'CASES'
	crdiag-criu extra
	crdiag-criu --log
	crdiag-criu --log @EMPTY@
	crdiag-criu --log @LONG@
	crdiag-criu --log /nonexistent
	crdiag-criu --log /
	crdiag-criu --json --log /nonexistent
	crdiag-criu --log /etc/hostname extra
	crdiag-criu --timeout
	crdiag-criu --timeout @EMPTY@
	crdiag-criu --timeout @HUGENUM@
	crdiag-criu --timeout 0
	crdiag-criu --timeout -1
	crdiag-criu --timeout 1.5
	CASES
	} | CRIU=/nonexistent bad_table
}

@test "crdiag: every bad input is one line and exit 2" {
	{ generic_cases crdiag; cat <<-'CASES'
	crdiag
	crdiag @EMPTY@
	crdiag @LONG@
	crdiag --list-commands=1
	crdiag help @EMPTY@
	crdiag help @LONG@
	crdiag help nosuch
	crdiag repro nosuch
	crdiag repro @EMPTY@
	crdiag repro @LONG@
	crdiag repro repro-
	CASES
	} | bad_table
}

@test "crdiag-test: every bad input is one line and exit 2" {
	{ generic_cases crdiag-test; cat <<-'CASES'
	crdiag-test --quick --all
	crdiag-test --quick=1
	crdiag-test --junit
	crdiag-test --junit /proc/version
	crdiag-test --junit @EMPTY@
	crdiag-test /nonexistent.bats
	crdiag-test --all /nonexistent.bats
	crdiag-test @EMPTY@
	CASES
	} | bad_table
}

@test "the zombie helper makes a real zombie, and a dead PID is really gone" {
	start_zombie
	run -0 cat "/proc/$ZOMBIE/stat"
	assert_output --regexp "^$ZOMBIE \(zombie\) Z "
	run -0 cat "/proc/$ZOMBIE/maps"
	assert_output ""
	run ! kill -0 "$DEAD"
}

@test "what this table found stays fixed: exact messages, nothing printed before them" {
	# a missing --maps file said "No such process" (ENOENT taken for a vanished PID)
	run -2 --separate-stderr "$BIN/crdiag-scan" --maps /nonexistent
	assert_equal "$stderr" "crdiag-scan: /nonexistent: No such file or directory"
	run -2 --separate-stderr "$BIN/crdiag-scan" --maps ''
	assert_equal "$stderr" "crdiag-scan: : No such file or directory"
	# a missing option argument said "unknown option"
	run -2 --separate-stderr "$BIN/crdiag-scan" --backend
	assert_equal "$stderr" "crdiag-scan: option '--backend' needs an argument (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-scan" -m
	assert_equal "$stderr" "crdiag-scan: option '-m' needs an argument (see --help)"
	# an unwritable --pidfile failed only after the whole report and its verdict
	run -2 --separate-stderr "$BIN/repro-giant-vma" --size 1G --pidfile /nonexistent/dir/pid
	assert_output ""
	assert_equal "$stderr" "repro-giant-vma: --pidfile /nonexistent/dir/pid: No such file or directory"
	run -2 --separate-stderr "$BIN/repro-giant-vma" --size 1G --pidfile ''
	assert_equal "$stderr" "repro-giant-vma: --pidfile : No such file or directory"
	# a pidfile in the current directory is still fine
	cd "$TMP"
	run -0 "$BIN/repro-giant-vma" --size 1G --hold-seconds 1 --pidfile pid
	assert_file_not_exists "$TMP/pid"
}

@test "crdiag-check: every bad input is one line and exit 2" {
	[ -x "$BIN/crdiag-check" ] || skip "crdiag-check is not built"
	start_zombie
	{ generic_cases crdiag-check; cat <<-'CASES'
	crdiag-check
	crdiag-check --json
	crdiag-check 1 2
	crdiag-check @EMPTY@
	crdiag-check @LONG@
	crdiag-check @HUGENUM@
	crdiag-check @BIG@
	crdiag-check abc
	crdiag-check 0x10
	crdiag-check @SPACE5@
	crdiag-check 0
	crdiag-check -1
	crdiag-check -- -1
	crdiag-check @OVERMAX@
	crdiag-check @DEAD@
	crdiag-check --json @DEAD@
	crdiag-check @ZOMBIE@
	crdiag-check 2
	crdiag-check --options
	crdiag-check --criu-version
	crdiag-check --criu-version @EMPTY@ 1
	crdiag-check --criu-version x 1
	crdiag-check --catalog 1
	CASES
	} | bad_table
	run -2 --separate-stderr "$BIN/crdiag-check" "$ZOMBIE"
	assert_equal "$stderr" "crdiag-check: PID $ZOMBIE: the process has exited (a zombie)"
	run -2 --separate-stderr "$BIN/crdiag-check" "$DEAD"
	assert_equal "$stderr" "crdiag-check: PID $DEAD: No such process"
}
