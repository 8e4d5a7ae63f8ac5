#!/usr/bin/env bats
# crdiag-report: the bug report. One real report of this machine is written once for the
# file (setup_file: a small test run from fixtures/report-mini.bats, every repro, and
# --pid on helpers/subject); the error paths run against a bin directory with the real
# crdiag programs and fake repros, so they take no time.

load helpers/common

setup_file() {
	local dir=$BATS_FILE_TMPDIR i
	"$TBIN/subject" --pidfile "$dir/subject.pid" --reserve 1100 >"$dir/subject.out" 2>&1 3>&- &
	echo $! >"$dir/subject.bg"
	for i in $(seq 200); do
		[ -s "$dir/subject.pid" ] && break
		sleep 0.05
	done
	"$BIN/crdiag-report" --tests "$FIXTURES/report-mini.bats" --pid "$(cat "$dir/subject.pid")" \
		--output "$dir/report" >"$dir/report.out" 2>"$dir/report.err" 3>&-
	echo $? >"$dir/report.status"
	kill "$(cat "$dir/subject.bg")" 2>/dev/null
	wait
}

setup() {
	common_setup
	R=$BATS_FILE_TMPDIR/report
	J=$R/report.json
	MD=$R/report.md
}
teardown() { common_teardown; }

jqr() { jq -r "$1" "$J"; }

# fake_bin: $TMP/bin with the real crdiag programs and no repros; fake_repro NAME BODY
# adds a repro-NAME whose body is BODY (shell), --help answered without --criu.
fake_bin() {
	mkdir -p "$TMP/bin"
	local p
	for p in crdiag-scan crdiag-criu vmainspect crdiag-sockets; do
		ln -s "$BIN/$p" "$TMP/bin/$p"
	done
}
fake_repro() {
	printf '#!/bin/sh\n[ "${1:-}" = --help ] && { echo "Usage: repro-%s"; exit 0; }\n%s\n' "$1" "$2" \
		>"$TMP/bin/repro-$1"
	chmod +x "$TMP/bin/repro-$1"
}
report_with_fakes() { # report_with_fakes ARGS...: crdiag-report on $TMP/bin, into $TMP/r
	CRDIAG_BIN=$TMP/bin "$BIN/crdiag-report" --output "$TMP/r" "$@"
}

@test "report: writes report.md, report.json, the TAP, the JUnit report and the logs; exit 0" {
	assert_equal "$(cat "$BATS_FILE_TMPDIR/report.status")" 0
	assert_equal "$(cat "$BATS_FILE_TMPDIR/report.out")" ""
	# the last line says how long it took: the report's own seconds
	assert_equal "$(tail -n 1 "$BATS_FILE_TMPDIR/report.err")" \
		"crdiag-report: wrote $R/report.md and $R/report.json in $(jq -r .report.seconds "$J") s"
	assert_file_exists "$MD"
	assert_file_exists "$J"
	assert_equal "$(head -n 1 "$R/tests.tap")" "1..2"
	assert_equal "$(grep -c '<testcase ' "$R/junit/report.xml")" 2
	grep -q 'name="mini: passes"' "$R/junit/report.xml" || fail "JUnit lacks the passing test"
	local r
	for r in "$BIN"/repro-*; do
		assert_file_exists "$R/logs/$(basename "$r").log"
	done
	assert_file_exists "$R/logs/vmainspect.json"
	assert_file_exists "$R/logs/sockets.json"
	assert_file_not_exists "$R/report.json.tmp"
}

@test "report: the Markdown has every section, in order" {
	run -0 grep '^## ' "$MD"
	assert_equal "$output" "$(printf '## %s\n' Summary Facts CRIU Reproducers 'CRIU tier' Tests Process Logs)"
	assert_equal "$(head -n 1 "$MD")" "# crdiag report"
	# every log is collapsed, and every <details> is closed
	assert_equal "$(grep -c '^<details><summary>' "$MD")" "$(grep -c '^</details>$' "$MD")"
	[ "$(grep -c '^<details><summary>' "$MD")" -ge "$(ls "$BIN"/repro-* | wc -l)" ] || fail "logs missing"
}

@test "report: the JSON parses (jq) and has every section" {
	run -0 jq -c 'keys_unsorted' "$J"
	assert_output '["report","facts","criu","repros","criu_tier","tests","process"]'
	assert_equal "$(jqr .report.tool)" crdiag-report
	assert_equal "$(jqr .report.version)" "$("$BIN/crdiag-report" --version | cut -d' ' -f2)"
	assert_equal "$(jqr '.repros | length')" "$(ls "$BIN"/repro-* | wc -l)"
	assert_equal "$(jqr '[.repros[].name] | join(" ")')" "$(cd "$BIN" && echo repro-*)"
}

@test "report: the facts are this machine's" {
	assert_equal "$(jqr .facts.kernel_release)" "$(uname -r)"
	assert_equal "$(jqr .facts.kernel_version)" "$(uname -v)"
	assert_equal "$(jqr .facts.architecture)" "$(uname -m)"
	assert_equal "$(jqr .facts.page_size)" "$(getconf PAGESIZE)"
	assert_equal "$(jqr .facts.vm_max_map_count)" "$(cat /proc/sys/vm/max_map_count)"
	assert_equal "$(jqr .facts.vm_overcommit_memory)" "$(cat /proc/sys/vm/overcommit_memory)"
	assert_equal "$(jqr .facts.uid)" "$(id -u)"
	local probe
	probe=$("$BIN/crdiag-scan" --probe --json)
	assert_equal "$(jqr .facts.pagemap_scan)" "$(jq .kernel.pagemap_scan <<<"$probe")"
	assert_equal "$(jqr .facts.max_rw_count)" "$(jq .kernel.max_rw_count <<<"$probe")"
	# the config: /boot/config-RELEASE, else /proc/config.gz, else every item "unknown"
	local src="" cfg=""
	if [ -r "/boot/config-$(uname -r)" ]; then
		src=/boot/config-$(uname -r) cfg=$(cat "$src")
	elif [ -r /proc/config.gz ]; then
		src=/proc/config.gz cfg=$(gzip -dc "$src")
	fi
	assert_equal "$(jqr '.facts.kernel_config.source // ""')" "$src"
	local item want
	for item in CONFIG_CHECKPOINT_RESTORE CONFIG_MEM_SOFT_DIRTY CONFIG_USERFAULTFD; do
		if [ -z "$src" ]; then
			want=unknown
		else
			want=$(sed -n "s/^$item=//p" <<<"$cfg")
			want=${want:-not set}
		fi
		assert_equal "$item=$(jqr ".facts.kernel_config.$item")" "$item=$want"
	done
}

@test "report: the Markdown says what the JSON says" {
	run -0 cat "$MD"
	# facts
	assert_line "| kernel release | $(jqr .facts.kernel_release) |"
	assert_line "| architecture | $(jqr .facts.architecture) |"
	assert_line "| page size | $(jqr .facts.page_size) |"
	assert_line "| kernel config | $(jqr '.facts.kernel_config.source // "unknown (none of \(.facts.kernel_config.searched | join(", ")))"') |"
	local item
	for item in CONFIG_CHECKPOINT_RESTORE CONFIG_MEM_SOFT_DIRTY CONFIG_USERFAULTFD; do
		assert_line "| $item | $(jqr ".facts.kernel_config.$item") |"
	done
	if [ "$(jqr .facts.pagemap_scan)" = true ]; then
		assert_line "| PAGEMAP_SCAN | supported (categories $(jqr .facts.pagemap_scan_categories)) |"
	else
		assert_line "| PAGEMAP_SCAN | not supported |"
	fi
	assert_line "| MAX_RW_COUNT | $(printf '0x%x' "$(jqr .facts.max_rw_count)") ($(jqr .facts.max_rw_count) bytes per read) |"
	assert_line "| vm.max_map_count | $(jqr .facts.vm_max_map_count) |"
	assert_line "| vm.overcommit_memory | $(jqr .facts.vm_overcommit_memory) |"
	# CRIU
	assert_line "| status | $(jqr .criu.status) |"
	assert_line "| path | $(jqr '.criu.path // "-"') |"
	assert_line "| version | $(jqr '.criu.version // "-"') |"
	# every verdict, the repros' and the CRIU tier's
	local n i
	n=$(jqr '.repros | length')
	for ((i = 0; i < n; i++)); do
		assert_line "$(jqr ".repros[$i] | \"| \(.command) | \(.verdict) | \(.exit_code) | \(.seconds) | \(.reason) |\"")"
		assert_line --partial "<details><summary>$(jqr ".repros[$i].command") (logs/$(jqr ".repros[$i].name").log, "
	done
	n=$(jqr '.criu_tier | length')
	[ "$n" -ge 1 ] || fail "no CRIU tier entries"
	for ((i = 0; i < n; i++)); do
		assert_line "$(jqr ".criu_tier[$i] | \"| \(.command) | \(.verdict) | \(.exit_code) | \(.seconds) | \(.reason) |\"")"
	done
	# test counts
	assert_line --partial "$(jqr '.tests | "\(.total) of \(.planned) tests ran"')"
	assert_line --partial "$(jqr '.tests | "**\(.passed) passed, \(.failed) failed, \(.skipped) skipped**"')"
	assert_line "- Tests: $(jqr '.tests | "\(.passed) passed, \(.failed) failed, \(.skipped) skipped"')"
	# the process
	assert_line "PID $(jqr .process.pid) ($(jqr .process.comm))"
	assert_line --partial "**$(jqr '.process.vmas.over_cap | length') over the read cap**"
	assert_line --partial "**$(jqr .process.sockets.udp_bound_source) UDP bound to a source address**"
}

@test "report: each reproducer's verdict is the last verdict line of its own run" {
	local n i name verdict reason code
	n=$(jqr '.repros | length')
	for ((i = 0; i < n; i++)); do
		name=$(jqr ".repros[$i].name") verdict=$(jqr ".repros[$i].verdict")
		reason=$(jqr ".repros[$i].reason") code=$(jqr ".repros[$i].exit_code")
		assert_equal "$(grep '^verdict: ' "$R/logs/$name.log" | tail -n 1)" "verdict: $verdict: $reason"
		case $verdict in
		reproduced) assert_equal "$name $code" "$name 0" ;;
		not-reproduced) assert_equal "$name $code" "$name 1" ;;
		skipped) assert_equal "$name $code" "$name 77" ;;
		*) fail "$name: verdict '$verdict' (exit $code): $reason" ;;
		esac
		assert_equal "$(jqr ".repros[$i].timed_out")" false
		# the log in the JSON is the file's text
		assert_equal "$(jqr ".repros[$i].log.text")" "$(cat "$R/logs/$name.log")"
	done
}

@test "report: the CRIU section and tier are what crdiag-criu and the repros' --criu say" {
	local probe
	probe=$("$BIN/crdiag-criu" --json) || true
	assert_equal "$(jqr '[.criu.path, .criu.found, .criu.version, .criu.usable] | @json')" \
		"$(jq -c '[.path, .found, .version, .usable]' <<<"$probe")"
	if [ "$(jq .found <<<"$probe")" = true ]; then
		assert_equal "$(jqr .criu.check_output.exit_code)" "$(jq .check_status <<<"$probe")"
		assert_equal "$(jqr .criu.check_output.text)" "$(cat "$R/logs/criu-check.log")"
		assert_equal "$(jqr .criu.version_output.text)" "$(cat "$R/logs/criu-version.log")"
	fi
	# one tier entry per repro with --criu, each the repro's own JSON verdict
	local r want=""
	for r in "$BIN"/repro-*; do
		"$r" --help | grep -q -- --criu && want+="$(basename "$r") "
	done
	assert_equal "$(jqr '[.criu_tier[].name] | join(" ")') " "$want"
	local n i name
	n=$(jqr '.criu_tier | length')
	for ((i = 0; i < n; i++)); do
		name=$(jqr ".criu_tier[$i].name")
		assert_equal "$(jqr ".criu_tier[$i] | [.verdict, .reason, .exit_code] | @json")" \
			"$(jq -c '[.verdict, .reason, .exit_code]' "$R/logs/$name-criu.json")"
		if [ "$(jq .usable <<<"$probe")" != true ]; then
			assert_equal "$(jqr ".criu_tier[$i] | [.verdict, .exit_code, (.runs | length)] | @json")" \
				'["skipped",77,0]'
			assert_equal "$(jqr ".criu_tier[$i].reason")" "CRIU unusable here: $(jq -r .reason <<<"$probe")"
		fi
	done
}

@test "report: the tests section counts the TAP, with each skip's reason" {
	assert_equal "$(jqr '.tests | [.ran, .mode, .planned, .total, .passed, .failed, .skipped, .exit_code, .timed_out] | @json')" \
		'[true,"chosen",2,2,1,0,1,0,false]'
	assert_equal "$(jqr '.tests.skips | @json')" \
		'[{"number":2,"name":"mini: skips | with a reason","reason":"a reason | with a pipe"}]'
	assert_equal "$(jqr .tests.junit)" junit/report.xml
	run -0 cat "$MD"
	assert_line "- 2 mini: skips | with a reason: a reason | with a pipe"
}

@test "report: --pid shows the process's reservation over the read cap and its bound UDP sockets" {
	local start end
	read -r _ start end < <(grep '^reservation ' "$BATS_FILE_TMPDIR/subject.out")
	assert_equal "$(jqr ".process.vmas.over_cap | any(.start == \"0x$start\" and .end == \"0x$end\")")" true
	# an ASan build has shadow memory regions over the cap too
	[ "${CRDIAG_SANITIZE:-}" = 1 ] || assert_equal "$(jqr '.process.vmas.over_cap | length')" 1
	assert_equal "$(jqr .process.comm)" subject
	local fd
	fd=$(awk '$1 == "udp4-connected" { print $2 }' "$BATS_FILE_TMPDIR/subject.out")
	assert_equal "$(jqr ".process.sockets.udp[] | select(.fd == $fd) | [.local.address, .peer.port, .state, .bound_source] | @json")" \
		'["127.0.0.1",9,"connected",true]'
	fd=$(awk '$1 == "udp4-wildcard" { print $2 }' "$BATS_FILE_TMPDIR/subject.out")
	assert_equal "$(jqr ".process.sockets.udp[] | select(.fd == $fd) | .bound_source")" false
	assert_equal "$(jqr '.process.sockets.tcp')" 1
	run -0 cat "$MD"
	assert_line --regexp "^\\| 0x$start-0x$end \\| 1\\.07 TiB \\| ---p \\| reservation \\| 0x[0-9a-f]+ \\([0-9.]+ GiB\\) \\| 2 \\|  \\|$"
	assert_line --regexp "^\\| [0-9]+ \\| ipv4 \\| 127\\.0\\.0\\.1:[0-9]+ \\| 127\\.0\\.0\\.1:9 \\| connected \\| yes \\|$"
}

@test "report: with a \$CRIU that does not exist, the CRIU section says 'not found' and the report is written" {
	CRIU=$TMP/no-such-criu run -0 --separate-stderr "$BIN/crdiag-report" --no-tests --output "$TMP/r"
	J=$TMP/r/report.json
	assert_equal "$(jqr '.criu | [.status, .path, .found, .version, .version_output, .check_output] | @json')" \
		"[\"not found\",\"$TMP/no-such-criu\",false,null,null,null]"
	assert_equal "$(jqr .criu.reason)" "\$CRIU=$TMP/no-such-criu: No such file or directory"
	run -0 cat "$TMP/r/report.md"
	assert_line "| status | not found |"
	assert_line "\`criu --version\` and \`criu check\`: not run, CRIU not found."
	assert_line "- CRIU: not found (\$CRIU=$TMP/no-such-criu: No such file or directory)"
	# the tier skips, saying why
	J=$TMP/r/report.json
	assert_equal "$(jqr '[.criu_tier[] | .verdict] | unique | @json')" '["skipped"]'
	assert_equal "$(jqr '.tests | [.ran, .reason] | @json')" '[false,"not run (--no-tests)"]'
	assert_file_not_exists "$TMP/r/logs/criu-check.log"
}

@test "report: with a usable CRIU, the tier's verdict and the class of every CRIU run" {
	# no working CRIU on this kernel: helpers/fake-criu replays the real CRIU 4.2 logs
	local logs=$CRIU_LOGS
	fake_bin
	ln -s "$BIN/repro-giant-vma" "$TMP/bin/repro-giant-vma"
	mkdir "$TMP/tmp"
	CRIU=$BATS_TEST_DIRNAME/helpers/fake-criu TMPDIR=$TMP/tmp \
		FAKE_CRIU_DUMP_LOG_FAULT=$logs/criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log \
		FAKE_CRIU_DUMP_STATUS_FAULT=1 \
		FAKE_CRIU_DUMP_LOG=$logs/criu-4.2_dump_giant-vma_pagemap-scan.log FAKE_CRIU_DUMP_STATUS=0 \
		run -0 --separate-stderr report_with_fakes --no-tests
	J=$TMP/r/report.json
	assert_equal "$(jqr '.criu | [.status, .version, .check_output.text] | @json')" '["usable","4.2","Looks good.\n"]'
	assert_equal "$(jqr '.criu_tier[0] | [.command, .verdict, .exit_code] | @json')" \
		'["repro-giant-vma --criu","reproduced",0]'
	assert_equal "$(jqr '[.criu_tier[0].runs[] | [.step, .exit_code, .class]] | @json')" \
		'[["dump pread",1,"short-read-bug"],["dump default",0,"ok"]]'
	run -0 cat "$TMP/r/report.md"
	assert_line --regexp "^\\| repro-giant-vma --criu \\| dump pread \\| 1 \\| [0-9.]+ \\| short-read-bug \\| Error \\(criu/pagemap-cache\\.c:212\\): pagemap-cache: Can't read [0-9]+'s pagemap file: No such file or directory \\|$"
	assert_line --regexp "^\\| repro-giant-vma --criu \\| dump default \\| 0 \\| [0-9.]+ \\| ok \\| Dumping finished successfully \\|$"
	assert_equal "$(ls -A "$TMP/tmp")" ""
}

@test "report: kernel config items from the first config found; 'unknown' without one" {
	fake_bin
	fake_repro ok 'echo "verdict: reproduced: fine"'
	CRDIAG_REPORT_CONFIG=$TMP/none:$FIXTURES/kernel-config run -0 --separate-stderr report_with_fakes
	J=$TMP/r/report.json
	assert_equal "$(jqr '.facts.kernel_config | @json')" \
		"{\"source\":\"$FIXTURES/kernel-config\",\"searched\":[\"$TMP/none\",\"$FIXTURES/kernel-config\"],\"CONFIG_CHECKPOINT_RESTORE\":\"y\",\"CONFIG_MEM_SOFT_DIRTY\":\"not set\",\"CONFIG_USERFAULTFD\":\"not set\"}"
	gzip -c "$FIXTURES/kernel-config" >"$TMP/config.gz"
	CRDIAG_REPORT_CONFIG=$TMP/config.gz run -0 --separate-stderr report_with_fakes
	assert_equal "$(jqr '.facts.kernel_config | [.source, .CONFIG_CHECKPOINT_RESTORE] | @json')" \
		"[\"$TMP/config.gz\",\"y\"]"
	CRDIAG_REPORT_CONFIG=$TMP/none:$TMP/none.gz run -0 --separate-stderr report_with_fakes
	assert_equal "$(jqr '.facts.kernel_config | [.source, .CONFIG_CHECKPOINT_RESTORE, .CONFIG_MEM_SOFT_DIRTY, .CONFIG_USERFAULTFD] | @json')" \
		'[null,"unknown","unknown","unknown"]'
	run -0 cat "$TMP/r/report.md"
	assert_line "| kernel config | unknown (none of $TMP/none, $TMP/none.gz) |"
	assert_line "| CONFIG_USERFAULTFD | unknown |"
}

@test "report: a hung reproducer is stopped at --timeout, one without a verdict line is an error" {
	fake_bin
	local s
	s=$((RANDOM % 500 + 1000)).$$
	fake_repro hang "exec sleep $s"
	fake_repro mute 'echo "it broke" >&2; exit 2'
	fake_repro ok 'echo "verdict: not-reproduced: this system differs: here is how"; exit 1'
	run -0 --separate-stderr report_with_fakes --timeout 1
	J=$TMP/r/report.json
	assert_equal "$(jqr '.repros[] | select(.name == "repro-hang") | [.verdict, .reason, .timed_out, .exit_code] | @json')" \
		'["error","timed out after 1 s",true,124]'
	assert_equal "$(jqr '.repros[] | select(.name == "repro-mute") | [.verdict, .reason, .exit_code] | @json')" \
		'["error","no verdict line (exit 2): it broke",2]'
	assert_equal "$(jqr '.repros[] | select(.name == "repro-ok") | [.verdict, .reason, .exit_code] | @json')" \
		'["not-reproduced","this system differs: here is how",1]'
	run -1 pgrep -f "sleep $s"
	# no crdiag-test next to these programs: said, not failed; no repro with --criu: no tier
	assert_equal "$(jqr '.tests.ran')" false
	assert_equal "$(jqr '.tests.reason')" "not run: $TMP/bin/crdiag-test is not installed"
	assert_equal "$(jqr '.criu_tier | length')" 0
	run -0 cat "$TMP/r/report.md"
	assert_line "No CRIU run was made (each says why above)."
}

@test "report: a failing test is listed with its output, and the exit status is 1" {
	fake_bin
	ln -s "$BIN/crdiag-test" "$TMP/bin/crdiag-test"
	CRDIAG_SRC=$ROOT CRDIAG_TBIN=$TBIN run -1 --separate-stderr report_with_fakes \
		--tests "$FIXTURES/report-fail.bats"
	assert_equal "${stderr##*$'\n'}" "crdiag-report: the test run did not pass: see the Tests section"
	J=$TMP/r/report.json
	assert_equal "$(jqr '.tests | [.passed, .failed, .skipped, .exit_code] | @json')" '[1,1,0,1]'
	assert_equal "$(jqr '.tests.failures[0] | [.number, .name] | @json')" '[2,"fail: fails with output"]'
	assert_equal "$(jqr '.tests.failures[0].output' | tail -n 2)" "$(printf 'first line of output\nsecond line')"
	run -0 cat "$TMP/r/report.md"
	assert_line "- 2 fail: fails with output"
	assert_line "  first line of output"
	assert_file_exists "$TMP/r/junit/report.xml"
}

@test "report: SIGTERM stops the running step; no report, nothing left running" {
	fake_bin
	local s
	s=$((RANDOM % 500 + 1000)).$$
	fake_repro hang "echo \$\$ >'$TMP/hang.pid'; exec sleep $s"
	mkdir "$TMP/tmp"
	start_bg "$TMP/hang.pid" env CRDIAG_BIN="$TMP/bin" TMPDIR="$TMP/tmp" "$BIN/crdiag-report" \
		--no-tests --output "$TMP/r"
	kill -TERM "$BG_PID"
	local status=0
	wait "$BG_PID" || status=$?
	assert_equal "$status" 2
	assert_equal "$(tail -n 1 "$BG_ERR")" "crdiag-report: interrupted by SIGTERM: no report written"
	run -1 pgrep -f "sleep $s"
	assert_file_not_exists "$TMP/r/report.md"
	assert_file_not_exists "$TMP/r/report.json"
	assert_equal "$(ls -A "$TMP/tmp")" ""
}

@test "report: --render gives the report's Markdown again, byte for byte, writing nothing" {
	run -0 --separate-stderr "$BIN/crdiag-report" --render "$J" --output "$TMP/untouched"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat "$MD")"
	cmp <("$BIN/crdiag-report" --render "$J") "$MD"
	assert_file_not_exists "$TMP/untouched"
	echo '{"not": "a report"}' >"$TMP/other.json"
	run -2 --separate-stderr "$BIN/crdiag-report" --render "$TMP/other.json"
	assert_equal "${#stderr_lines[@]}" 1
	assert_output ""
	[[ "$stderr" == "crdiag-report: --render: $TMP/other.json: not a report.json: "* ]] || fail "$stderr"
	run -2 --separate-stderr "$BIN/crdiag-report" --render "$TMP/nope.json"
	assert_equal "$stderr" "crdiag-report: --render: $TMP/nope.json: not a readable file"
}

@test "report: usage errors are one line on stderr, exit 2" {
	run -2 --separate-stderr "$BIN/crdiag-report" --frob
	assert_equal "$stderr" "crdiag-report: unknown option '--frob' (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-report" extra
	assert_equal "$stderr" "crdiag-report: unexpected argument 'extra'"
	run -2 --separate-stderr "$BIN/crdiag-report" --output
	assert_equal "$stderr" "crdiag-report: option '--output' needs an argument"
	run -2 --separate-stderr "$BIN/crdiag-report" --timeout 0
	assert_equal "$stderr" "crdiag-report: --timeout: '0' is not a number of seconds > 0"
	run -2 --separate-stderr "$BIN/crdiag-report" --tests-timeout=x
	assert_equal "$stderr" "crdiag-report: --tests-timeout: 'x' is not a number of seconds > 0"
	run -2 --separate-stderr "$BIN/crdiag-report" --pid abc
	assert_equal "$stderr" "crdiag-report: --pid: 'abc' is not a PID"
	local gone
	gone=$(sh -c 'echo $$')
	run -2 --separate-stderr "$BIN/crdiag-report" --pid "$gone"
	assert_equal "$stderr" "crdiag-report: --pid: PID $gone: no such process"
	run -2 --separate-stderr "$BIN/crdiag-report" --quick --no-tests
	assert_equal "$stderr" "crdiag-report: --quick, --full, --tests and --no-tests exclude each other"
	run -2 --separate-stderr "$BIN/crdiag-report" --tests "$TMP/nope.bats" --output "$TMP/r"
	assert_equal "$stderr" "crdiag-report: --tests: $TMP/nope.bats: no such file"
	: >"$TMP/file"
	run -2 --separate-stderr "$BIN/crdiag-report" --output "$TMP/file/r"
	assert_equal "$stderr" "crdiag-report: $TMP/file/r: cannot create the output directory"
	run -0 "$BIN/crdiag-report" --help
	assert_line --index 0 "Usage: crdiag-report [OPTIONS]"
	run -0 "$BIN/crdiag-report" --version
	assert_output "crdiag-report 0.1.0"
}
