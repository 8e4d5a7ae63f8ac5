#!/usr/bin/env bats
# repro-chromium: a real headless Chromium in a pod of its own (PID 1 of a PID namespace,
# a network namespace with a lab nameserver, a private /etc/resolv.conf). Its cages, the
# single pread, its sockets; nothing left behind after success, error, SIGINT, SIGTERM;
# the --criu paths through fake-criu replaying the real Chromium logs.

load helpers/common

CHROMIUM=${CRDIAG_CHROMIUM:-/usr/bin/chromium}
LOGS=$FIXTURES/criu-failures
FAKE=$BATS_TEST_DIRNAME/helpers/fake-criu
CAP=2147479552 # MAX_RW_COUNT, 0x7ffff000

setup() {
	common_setup
	require_root
	[ -x "$CHROMIUM" ] || skip "Debian's package chromium is not installed (no $CHROMIUM)"
}

teardown() { common_teardown; }

# chromium_json ARGS...: the repro with --json; its document in J, its status checked
chromium_json() {
	local want=$1
	shift
	run --separate-stderr "$BIN/repro-chromium" --json "$@"
	[ "$status" -eq "$want" ] || { echo "status $status, not $want: $stderr"; echo "$output"; return 1; }
	J=$output
}

# sigrun ARGS... -- CMD...: bats/helpers/sigrun; no leftover, hang or bad exit
sigrun() {
	run -0 "$TBIN/sigrun" --dir "$TMP" --timeout 180 "$@"
	assert_line --regexp '^sigrun: runs [0-9]+, signals delivered [0-9]+, .* leftovers 0, hangs 0, bad 0$'
	echo "# $(tail -1 <<<"$output")" >&3
}

# unzipped NAME: a fixture log, unpacked into $TMP (fake-criu copies it as CRIU's log)
unzipped() {
	zcat "$LOGS/$1.log.gz" >"$TMP/$1.log"
	echo "$TMP/$1.log"
}

@test "a real Chromium: a renderer's V8 cage is over the cap and one pread of it comes back short (0)" {
	chromium_json 0
	echo "$J" | jq -c '{pod, pread, verdict}'
	assert_equal "$(jq -r .verdict <<<"$J")" reproduced
	assert_equal "$(jq -r .pod.pidns <<<"$J")" true
	# the browser is PID 1 of its namespace, and the renderer that was read is alive in it
	assert_equal "$(jq -r '.processes[0].nspid' <<<"$J")" 1
	assert_equal "$(jq -r '[.processes[] | select(.type == "renderer" and .cage != null)] | length > 0' <<<"$J")" true
	# each cage: 1.2-1.4 TiB of ---p, its pagemap over MAX_RW_COUNT, two reads needed
	jq -e --argjson cap "$CAP" '[.processes[] | select(.cage) | .cage] | length > 0 and
		all(.size > 1.2 * 1099511627776 and .size < 1.4 * 1099511627776 and
		    .pagemap_bytes > $cap and .pagemap_bytes == .size / 4096 * 8 and .reads_needed == 2)' <<<"$J"
	# the pread: asked for the whole cage's pagemap, got exactly the cap
	local pid asked
	pid=$(jq -r .pread.pid <<<"$J")
	asked=$(jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .cage.pagemap_bytes' <<<"$J")
	assert_equal "$(jq -r .pread.asked <<<"$J")" "$asked"
	assert_equal "$(jq -r .pread.got <<<"$J")" "$CAP"
	assert_equal "$(jq -r .pread.short_at_cap <<<"$J")" true
}

@test "a real Chromium: its DNS client's sockets are bound to the pod's address, and every query stays in the lab" {
	chromium_json 0
	jq -e '.sockets.udp > 0 and .sockets.udp_connected > 0' <<<"$J"
	# every socket bound to 192.0.2.2 talks to the lab's nameserver, held by a pod process
	jq -e '[.sockets.list[] | select(.protocol == "udp")] |
		all(.local | startswith("192.0.2.2:")) and all(.peer == "203.0.113.53:53")' <<<"$J"
	jq -e '. as $d | [.sockets.list[].pid] | all(. as $p | $d.processes | any(.pid == $p))' <<<"$J"
	# the lab's nameserver heard the page's names (and nothing reached anything else)
	jq -e '.nameserver.queries > 0 and (.nameserver.first_query | test("^n[0-9]+\\.example\\.test$"))' <<<"$J"
}

@test "a real Chromium: the text report shows the tree, the cages, the sockets and the verdict" {
	run -0 "$BIN/repro-chromium"
	assert_line --regexp '^pod: +PID [0-9]+ is PID 1 of its own PID namespace'
	assert_line --regexp '^ +[0-9]+ +1 +chromium +browser$'
	assert_line --regexp '^ +[0-9]+ +[0-9]+ +chrome_crashpad +crashpad-handler$'
	assert_line --regexp '^cage: +PID [0-9]+ \(renderer\): [0-9a-f]+-[0-9a-f]+ ---p 1\.[23][0-9] TiB, pagemap 0xa[0-9a-f]{7} bytes > cap 0x7ffff000: 2 reads needed$'
	assert_line --regexp '^sockets: +[0-9]+ bound to 192\.0\.2\.2: [1-9][0-9]* UDP'
	if [ -x "$BIN/crdiag-check" ]; then
		assert_line --regexp '^crdiag check: [0-9]+ findings'
	else
		assert_line 'crdiag check: not available (no crdiag-check next to this program)'
	fi
	assert_line --regexp '^pread: .* got 0x7ffff000: short at MAX_RW_COUNT'
	assert_line --regexp '^verdict: reproduced: a real Chromium renderer'
}

@test "a real Chromium: crdiag check predicts the cage and the bound sockets for the pod's tree" {
	[ -x "$BIN/crdiag-check" ] || skip "crdiag-check is not built next to repro-chromium"
	chromium_json 0
	echo "$J" | jq -c '.crdiag_check | {available, error, exit_code, options, dump_fails, n: (.findings | length)}'
	jq -e '.crdiag_check.available and .crdiag_check.error == null' <<<"$J"
	assert_equal "$(jq -r .crdiag_check.options <<<"$J")" "--tcp-established --ext-unix-sk --file-locks"
	# every caged process is predicted to fail a CRIU < 4.0 dump, and no other
	assert_equal "$(jq -r '[.crdiag_check.findings[] | select(.id == "short-read-bug") | .pid] | unique | sort | join(" ")' <<<"$J")" \
		"$(jq -r '[.processes[] | select(.cage) | .pid] | sort | join(" ")' <<<"$J")"
	# every holder of a socket bound to the pod's address is predicted to fail a moved restore
	jq -e '. as $d | [.crdiag_check.findings[] | select(.id == "bind-eaddrnotavail") | .pid] | unique as $p |
		[$d.sockets.list[].pid] | unique | all(. as $h | $p | index($h))' <<<"$J"
	run -0 "$BIN/repro-chromium"
	assert_line --regexp '^crdiag check: [0-9]+ findings for the tree with "--tcp-established --ext-unix-sk --file-locks"'
	assert_line --regexp '^  dump +short-read-bug +x[1-9]'
}

@test "no Chromium: skipped (77), naming the package" {
	run -77 "$BIN/repro-chromium" --chromium "$TMP/no-such-chromium"
	assert_output --partial "verdict: skipped: no Chromium at $TMP/no-such-chromium"
	assert_output --partial "install Debian's package 'chromium'"
	run -77 "$BIN/repro-chromium" --json --chromium "$TMP/no-such-chromium"
	assert_equal "$(jq -r .verdict <<<"$output")" skipped
}

@test "bad options are errors (2)" {
	run -2 "$BIN/repro-chromium" --timeout 0
	assert_output --partial "--timeout: '0' is not a number of seconds"
	run -2 "$BIN/repro-chromium" --restore
	assert_output --partial "need --criu"
	run -2 "$BIN/repro-chromium" --criu --restore --no-pidns
	assert_output --partial "only for the pod"
	run -2 "$BIN/repro-chromium" extra
	run -0 "$BIN/repro-chromium" --help
	assert_output --partial "--no-pidns"
	assert_output --partial "--chromium PATH"
}

@test "nothing is left after a success: no browser, crashpad, namespace, veth, mount or temp dir" {
	sigrun --runs 1 --min-delay-us 900000000 --max-delay-us 900000000 -- "$BIN/repro-chromium"
	assert_line --regexp '^sigrun: runs 1, signals delivered 0, killed by it 0, ended normally 1,'
	# the bind mount lived in the pod's mount namespace only
	run -1 grep -F crdiag-chromium /proc/self/mountinfo
}

@test "nothing is left after an error: a browser that exits, a timeout" {
	sigrun --runs 1 --min-delay-us 900000000 --max-delay-us 900000000 --ok-exit 2 -- \
		"$BIN/repro-chromium" --chromium /bin/false
	sigrun --runs 1 --min-delay-us 900000000 --max-delay-us 900000000 --ok-exit 2 -- \
		"$BIN/repro-chromium" --timeout 1
	run -2 "$BIN/repro-chromium" --chromium /bin/false
	assert_output --partial "the browser exited"
}

@test "SIGINT and SIGTERM at random points: the pod, the lab and the temp dir go; it dies of the signal" {
	sigrun --runs 6 --min-delay-us 100000 --max-delay-us 6000000 --signals INT,TERM -- "$BIN/repro-chromium"
	local killed
	killed=$(sed -n 's/.* killed by it \([0-9]*\),.*/\1/p' <<<"$output")
	[ "$killed" -ge 3 ] || { echo "only $killed of 6 runs were killed by the signal"; return 1; }
}

@test "SIGINT and SIGTERM at the clone of the pod: nothing is left" {
	command -v strace >/dev/null || skip "strace is not installed"
	sigrun --runs 2 --signals INT,TERM --inject clone:1 -- "$BIN/repro-chromium"
}

@test "a signal while the pod runs: it dies of it after cleaning up (143, 130), as the shell's convention" {
	local sig pid want
	# a TMPDIR of the test's own: another run's temp dir must not count as ours
	mkdir "$TMP/tmpdir"
	for sig in TERM INT; do
		TMPDIR="$TMP/tmpdir" "$BIN/repro-chromium" >"$TMP/out" 2>&1 3>&- &
		pid=$!
		sleep 4
		kill -"$sig" "$pid"
		status=0
		wait "$pid" || status=$?
		want=$((128 + $(kill -l "$sig")))
		assert_equal "$status" "$want"
		[ -z "$(ls -A "$TMP/tmpdir")" ] || fail "left in TMPDIR: $(ls -A "$TMP/tmpdir")"
	done
}

# --criu through fake-criu, replaying the real CRIU 4.2 logs of Chromium in a pod.
fake_env() {
	export CRIU=$FAKE FAKE_CRIU_TRACE=$TMP/trace FAKE_CRIU_TRACE_MNT=$TMP/trace-mnt
	export FAKE_CRIU_DUMP_LOG FAKE_CRIU_DUMP_LOG_FAULT FAKE_CRIU_DUMP_STATUS_FAULT
	FAKE_CRIU_DUMP_LOG=$(unzipped criu-4.2_dump_chromium-pod)
}

@test "--criu: the pread-path dump failing on the cage is reproduced (0); CRIU ran in the pod's namespaces" {
	fake_env
	FAKE_CRIU_DUMP_LOG_FAULT=$(unzipped criu-4.2-without-short-read-fix_dump_chromium-renderer_CRIU_FAULT-135)
	FAKE_CRIU_DUMP_STATUS_FAULT=1
	chromium_json 0 --criu
	assert_equal "$(jq -r .short_read_bug <<<"$J")" reproduced
	assert_equal "$(jq -r '.criu_steps[0] | [.name, .class] | join(" ")' <<<"$J")" "dump-pread short-read-bug"
	assert_equal "$(jq -r '.criu_steps[1] | [.name, .class] | join(" ")' <<<"$J")" "dump-plain ok"
	assert_line --partial "pagemap-cache: Can't read"
	# both dumps: of the pod's init, inside its network and mount namespaces
	run -0 grep -c '^CRIU_FAULT=135 NETNS=net:\[[0-9]*\] dump -t [0-9]* .* --leave-running --tcp-established --ext-unix-sk --file-locks$' "$TMP/trace"
	assert_output 1
	run -0 grep -c '^CRIU_FAULT=- NETNS=.* dump .* --leave-running --tcp-established' "$TMP/trace"
	run -1 grep -F "NETNS=$(readlink /proc/self/ns/net) dump" "$TMP/trace"
	# the probe (--version, check) runs outside; both dumps see the pod's resolv.conf
	run -0 grep -c 'nameserver 203.0.113.53$' "$TMP/trace-mnt"
	assert_output 2
}

@test "--criu: Debian's criu 3.17.1 (no fault 135): the plain dump is the pread path, and its real log on a real Chromium pod reproduces (0)" {
	fake_env
	export FAKE_CRIU_VERSION=3.17.1 FAKE_CRIU_DUMP_STATUS=1 FAKE_CRIU_DUMP_STATUS_FAULT=1 FAKE_CRIU_DUMP_STDERR_FAULT=$TMP/fault
	# what 3.17.1 said in the 6.1 guest to CRIU_FAULT=135, and its log of the pod's dump there
	echo "Error (criu/fault-injection.c:19): CRIU_FAULT out of bounds." >"$TMP/fault"
	zcat "$FIXTURES/criu-logs/criu-3.17.1_dump_chromium-pod.log.gz" >"$TMP/pod.log"
	FAKE_CRIU_DUMP_LOG=$TMP/pod.log
	run -0 "$BIN/repro-chromium" --criu
	assert_line --regexp '^dump-pread: +exit 1 after [0-9.]+ s: other-failure$'
	assert_line --regexp "^dump-plain: +exit 1 after [0-9.]+ s: short-read-bug$"
	assert_line --regexp "pagemap-cache: Can't read [0-9]+'s pagemap file: No such file or directory$"
	assert_line --regexp '^verdict: reproduced: CRIU 3\.17\.1 failed to dump the browser on its pread path \(it has no CRIU_FAULT=135'
}

@test "--criu: a CRIU with the fix (the pread dump is ok) is not reproduced (1)" {
	fake_env
	FAKE_CRIU_DUMP_LOG_FAULT=$FAKE_CRIU_DUMP_LOG
	run -1 "$BIN/repro-chromium" --criu
	assert_line --regexp '^dump-pread: +exit 0 after [0-9.]+ s: ok$'
	assert_line --regexp '^verdict: not-reproduced: CRIU 4\.2 dumped the browser on its pread path'
}

@test "--criu --restore: restored with the address, it answers DevTools with its cage; moved, bind-eaddrnotavail (0)" {
	fake_env
	FAKE_CRIU_DUMP_LOG_FAULT=$FAKE_CRIU_DUMP_LOG
	export FAKE_CRIU_DUMP_KILLS=1 FAKE_CRIU_RESTORE_NEEDS_ADDR=192.0.2.2 FAKE_CRIU_RESTORE_LOG FAKE_CRIU_RESTORE_LOG_GONE
	FAKE_CRIU_RESTORE_LOG=$(unzipped criu-4.2_restore_chromium-pod)
	FAKE_CRIU_RESTORE_LOG_GONE=$(unzipped criu-4.2_restore_chromium-pod_address-moved)
	# the "restored" browser: a real one, started where CRIU would restore it
	export FAKE_CRIU_RESTORE_CMD="HOME=\$FAKE_CRIU_DIR exec unshare --pid --fork --kill-child \
		/usr/lib/chromium/chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --user-data-dir=\$FAKE_CRIU_DIR/profile \
		--remote-debugging-port=9222 --host-resolver-rules='MAP * ~NOTFOUND' 'data:text/html,restored'"
	[ -x /usr/lib/chromium/chromium ] || skip "Debian's chromium binary is not at /usr/lib/chromium"
	chromium_json 0 --criu --restore
	echo "$J" | jq -c '.criu_steps[] | [.name, .class, .line]'
	assert_equal "$(jq -r '[.criu_steps[] | .name + "=" + .class] | join(" ")' <<<"$J")" \
		"dump-pread=ok dump-plain=ok restore=ok dump-again=ok restore-moved=bind-eaddrnotavail"
	assert_equal "$(jq -r .short_read_bug <<<"$J")" not-reproduced
	assert_equal "$(jq -r .bind_eaddrnotavail <<<"$J")" reproduced
	assert_equal "$(jq -r .cage_after_restore <<<"$J")" true
	jq -e '.devtools_after_restore | test("Chrome/")' <<<"$J"
	jq -e '.reason | test("Cannot assign requested address|address moved")' <<<"$J"
	# the plain dump killed the pod (no --leave-running: the restore needs its files as dumped)
	run -0 grep -c ' dump .* --leave-running' "$TMP/trace"
	assert_output 1
}

@test "--criu --no-pidns: the plain tree fails on the unix socket crashpad holds from outside (0)" {
	fake_env
	export FAKE_CRIU_DUMP_STATUS=1
	FAKE_CRIU_DUMP_LOG=$(unzipped criu-4.2_dump_chromium-renderer_shell-job_ext-unix-sk)
	run -0 "$BIN/repro-chromium" --criu --no-pidns
	assert_line --regexp '^crashpad: +PID [0-9]+ \(chrome_crashpad\) is outside the browser.s tree'
	assert_line --partial "Can't dump half of stream unix connection"
	assert_line --regexp '^verdict: reproduced: CRIU 4\.2 cannot dump the browser as a plain tree'
	run -0 grep -c ' dump ' "$TMP/trace"
	assert_output 1
}

@test "--criu: when the pod's dump stops before any cage, one renderer alone decides (--shell-job)" {
	fake_env
	# the pod's dumps fail for another reason (a real CRIU log of one), the renderer's on the cage
	FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_io-uring.log
	FAKE_CRIU_DUMP_LOG_FAULT=$FAKE_CRIU_DUMP_LOG FAKE_CRIU_DUMP_STATUS_FAULT=1
	export FAKE_CRIU_DUMP_STATUS=1 FAKE_CRIU_DUMP_STATUS_SHELL_JOB=1 FAKE_CRIU_DUMP_LOG_SHELL_JOB
	FAKE_CRIU_DUMP_LOG_SHELL_JOB=$(unzipped criu-4.2-without-short-read-fix_dump_chromium-renderer_CRIU_FAULT-135)
	chromium_json 0 --criu
	assert_equal "$(jq -r '[.criu_steps[] | .name + "=" + .class] | join(" ")' <<<"$J")" \
		"dump-pread=other-failure dump-plain=other-failure dump-renderer=short-read-bug"
	jq -e '.reason | test("a renderer alone .*the whole pod.s dump stopped first: .*Can.t retrieve FDs")' <<<"$J"
	# the renderer dumped is the one whose cage was read, with --shell-job, on the pread path
	run -0 grep -c "^CRIU_FAULT=135 NETNS=.* dump -t $(jq -r .pread.pid <<<"$J") .* --shell-job$" "$TMP/trace"
	assert_output 1
	# and when the renderer's dump fails too, it stays untestable (77)
	FAKE_CRIU_DUMP_LOG_SHELL_JOB=$LOGS/criu-4.2_dump_io-uring.log
	chromium_json 77 --criu
	assert_equal "$(jq -r .verdict <<<"$J")" skipped
}

@test "--criu: SIGTERM during a dump stops CRIU and the pod, removes everything, dies of the signal" {
	fake_env
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$((600 + RANDOM % 100))
	sigrun --runs 1 --min-delay-us 12000000 --max-delay-us 12000000 --signals TERM -- \
		"$BIN/repro-chromium" --criu
	assert_line --regexp '^sigrun: runs 1, signals delivered 1, killed by it 1,'
}

@test "--criu: a CRIU that fails check skips (77) before any browser starts" {
	echo "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" >"$TMP/check"
	CRIU=$FAKE FAKE_CRIU_CHECK=$TMP/check run -77 "$BIN/repro-chromium" --criu
	assert_output --partial "verdict: skipped: CRIU unusable here: Error (criu/vdso.c:381)"
}

# A real CRIU ($CRIU, else criu on PATH): Debian's criu 3.17.1 inside the 6.1 guest in CI
# (make check-kernel; .ci/run's CRIU tier), where an unusable CRIU fails the test
# (CRDIAG_REQUIRE_CRIU=1) instead of skipping.
# bats test_tags=criu-real
@test "--criu with a real CRIU: the pread-path dump of a real Chromium's pod" {
	local probe usable ver
	probe=$("$BIN/crdiag-criu" --json 2>/dev/null || true)
	usable=$(jq -r .usable <<<"$probe")
	ver=$(jq -r '.version // "unknown"' <<<"$probe")
	if [ "$usable" != true ]; then
		[ "${CRDIAG_REQUIRE_CRIU:-}" != 1 ] || fail "CRDIAG_REQUIRE_CRIU=1 but CRIU is unusable: $(jq -r .reason <<<"$probe")"
		skip "CRIU unusable here: $(jq -r .reason <<<"$probe")"
	fi
	run --separate-stderr timeout 1800 "$BIN/repro-chromium" --json --criu --timeout 600
	echo "$output" | jq -c '[.verdict, .reason, (.criu_steps[] | [.name, .class, .seconds, .line])]'
	echo "# real CRIU $ver on a real Chromium: $(jq -r '[.verdict, .reason] | join(": ")' <<<"$output")" >&3
	if [[ $ver =~ ^[0-3]\. ]]; then
		# CRIU < 4.0: the report's failure, on a real renderer's cage
		assert_equal "$status" 0
		assert_equal "$(jq -r .pread.short_at_cap <<<"$output")" true
		assert_equal "$(jq -r '.criu_steps[] | select(.name == "dump-plain") | .class' <<<"$output")" short-read-bug
		jq -e '.criu_steps[] | select(.name == "dump-plain") | .line | test("pagemap-cache: Can.t read [0-9]+.s pagemap file")' <<<"$output"
	else
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || { echo "$stderr"; return 1; }
	fi
}
