#!/usr/bin/env bats
# repro-pagemap-read: one VMA's pagemap read three ways (failure mode 2, the read cap).

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# The facts two runs on the same kind of VMA must share (not PIDs, addresses or times).
facts() {
	jq -c '{vma: (.vma | {size, perms, kind}), pagemap_bytes, reads_needed, over_cap,
		single: (.single | {ran, asked, got, short, read_errno, errno_before, errno_after,
			present, pages_seen, calls, buffer}),
		chunked: (.chunked | {ran, bytes, calls, buffer, present}),
		scan: (.scan | {ran, why_not, calls, regions, present}),
		present_agree, verdict, reason, exit_code}'
}

# bats test_tags=user
@test "default run reproduces: asked 0x827ff9e0, got 0x7ffff000, with CRIU's stale-errno message" {
	require_x86_64_4k
	run -0 --separate-stderr "$BIN/repro-pagemap-read"
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^target:  PID [0-9]+ \(our child\), VMA [0-9a-f]+-[0-9a-f]+ ---p reservation 1094712560 KiB \(1\.02 TiB\)$'
	assert_line 'pagemap: 0x827ff9e0 bytes (2.04 GiB) = 273678140 pages x 8; MAX_RW_COUNT 0x7ffff000: 2 reads needed'
	assert_line --regexp '^1\. single pread:  asked 0x827ff9e0, got 0x7ffff000, short by 0x28009e0 \(at the cap\); 1 call, '
	assert_line --regexp "^   CRIU < 4\.0 would print: pagemap-cache: Can't read [0-9]+'s pagemap file: No such file or directory$"
	assert_line --regexp '^   why: a short read sets no errno, so pr_perror printed what an earlier failed call left \(here: stat /proc/[0-9]+/map_files/[0-9a-f]+-[0-9a-f]+ -> ENOENT\), not a cause$'
	assert_line --regexp '^2\. chunked pread: 0x827ff9e0 bytes in [0-9]+ calls, '
	if kernel_has_pagemap_scan; then
		assert_line --regexp '^3\. PAGEMAP_SCAN:  [0-9]+ calls?, 0 regions, '
		assert_line 'present pages: single 0 (first 268434944 of 273678140 pages only), chunked 0, scan 0: all three agree'
	else
		assert_line --regexp '^3\. PAGEMAP_SCAN:  not supported by this kernel'
	fi
	assert_equal "${lines[-1]}" 'verdict: reproduced: one pread of 0x827ff9e0 bytes came back short at MAX_RW_COUNT 0x7ffff000'
}

@test "--json: the same facts as the text run" {
	require_x86_64_4k
	run -0 --separate-stderr "$BIN/repro-pagemap-read" --json
	local j=$output pid
	pid=$(jq .pid <<<"$j")
	assert_equal "$(jq -c '[.own_child, .vma.size, .vma.perms, .vma.kind, .pagemap_bytes, .reads_needed, .over_cap]' <<<"$j")" \
		'[true,1120985661440,"---p","reservation",2189425120,2,true]'
	assert_equal "$(jq -c '.single | [.asked, .got, .short, .read_errno, .errno_before, .errno_after, .present, .calls]' <<<"$j")" \
		"[$((0x827ff9e0)),$((0x7ffff000)),true,null,\"ENOENT\",\"ENOENT\",0,1]"
	assert_equal "$(jq -r '.single.criu_message' <<<"$j")" \
		"pagemap-cache: Can't read $pid's pagemap file: No such file or directory"
	# the chunked loop reads everything through a bounded buffer
	assert_equal "$(jq '.chunked.bytes' <<<"$j")" "$((0x827ff9e0))"
	assert_equal "$(jq '(.chunked.bytes + .chunked.buffer - 1) / .chunked.buffer | floor' <<<"$j")" \
		"$(jq '.chunked.calls' <<<"$j")"
	[ "$(jq '.chunked.buffer' <<<"$j")" -lt "$((0x7ffff000))" ] || fail "the chunked buffer is not bounded"
	assert_equal "$(jq -c '[.present_agree, .verdict, .exit_code]' <<<"$j")" '[true,"reproduced",0]'

	run -0 "$BIN/repro-pagemap-read"
	assert_line --regexp "^1\. single pread:  asked $(printf '0x%x' "$(jq .single.asked <<<"$j")"), got $(printf '0x%x' "$(jq .single.got <<<"$j")"),"
	assert_line --regexp "^2\. chunked pread: $(printf '0x%x' "$(jq .chunked.bytes <<<"$j")") bytes in $(jq .chunked.calls <<<"$j") calls,"
	if [ "$(jq .scan.ran <<<"$j")" = true ]; then
		assert_line --regexp "^3\. PAGEMAP_SCAN:  $(jq .scan.calls <<<"$j") calls?, $(jq .scan.regions <<<"$j") regions?,"
	fi
	assert_equal "${lines[-1]}" "verdict: $(jq -r '"\(.verdict): \(.reason)"' <<<"$j")"
}

@test "against another process (a held repro-giant-vma) it agrees with the run against its own child" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --json --pidfile "$TMP/pid"
	local pid start
	pid=$(cat "$TMP/pid")
	start=$(jq -r '.reservation.start' "$BG_OUT")
	run -0 --separate-stderr "$BIN/repro-pagemap-read" --pid "$pid" --vma "$start" --json
	local other=$output
	assert_equal "$(jq -c '[.pid, .own_child, .vma.start]' <<<"$other")" "[$pid,false,\"$start\"]"
	run -0 --separate-stderr "$BIN/repro-pagemap-read" --json
	local own=$output
	assert_equal "$(facts <<<"$other")" "$(facts <<<"$own")"
	assert_equal "$(jq -r '.single.criu_message' <<<"$other")" \
		"pagemap-cache: Can't read $pid's pagemap file: No such file or directory"
	# the held process is untouched by being read
	kill -0 "$pid"
}

@test "--pid without --vma targets the largest VMA of that process" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/pid" --size 64G
	local pid largest
	pid=$(cat "$TMP/pid")
	largest=$("$BIN/crdiag-scan" --json "$pid" |
		jq -r '[.vmas[] | select(.kind != "vsyscall")] | max_by(.size) | .start')
	# (under ASan the largest is the sanitizer's shadow, not the reservation: any will do)
	run -77 --separate-stderr "$BIN/repro-pagemap-read" --pid "$pid" --json --strategy scan
	assert_equal "$(jq -r '.vma.start' <<<"$output")" "$largest"
}

@test "strategies agree on present pages for VMAs with a known committed pattern" {
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid name start want
	pid=$(cat "$TMP/pid")
	while read -r name want; do
		start=$(awk -v n="$name" '$1 == n { print $2 }' "$BG_OUT")
		run -1 --separate-stderr "$BIN/repro-pagemap-read" --pid "$pid" --vma "$start" --json
		assert_equal "$(jq -c '[.single.present, .chunked.present]' <<<"$output")" "[$want,$want]"
		if [ "$(jq .scan.ran <<<"$output")" = true ]; then
			assert_equal "$(jq '.scan.present' <<<"$output")" "$want"
		fi
		assert_equal "$(jq -c '[.present_agree, .single.short, .single.criu_message, .verdict]' <<<"$output")" \
			'[true,false,null,"not-reproduced"]'
	done <<-'WANT'
	sparse 2048
	shared 64
	WANT
	run -1 "$BIN/repro-pagemap-read" --pid "$pid" --vma "$(awk '$1 == "sparse" { print $2 }' "$BG_OUT")"
	assert_line --regexp '^present pages: single 2048, chunked 2048(, scan 2048)?: (all three|they) agree$'
	assert_line '   CRIU < 4.0 would print nothing: the read was whole'
}

# bats test_tags=user
@test "strategies agree on the committed pages in front of the reservation" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --json --pidfile "$TMP/pid" --commit 7
	local pid
	pid=$(cat "$TMP/pid")
	run -1 --separate-stderr "$BIN/repro-pagemap-read" --pid "$pid" --json \
		--vma "$(jq -r '.committed.start' "$BG_OUT")"
	assert_equal "$(jq -c '[.vma.perms, .vma.size, .single.present, .chunked.present, .present_agree]' <<<"$output")" \
		"[\"rw-p\",$((7 * $(getconf PAGESIZE))),7,7,true]"
}

@test "a reservation below the cap (--size 64G) is not-reproduced, exit 1" {
	run -1 --separate-stderr "$BIN/repro-pagemap-read" --size 64G
	assert_line --regexp '^1\. single pread:  asked 0x8000000, got 0x8000000; 1 call, '
	assert_line '   CRIU < 4.0 would print nothing: the read was whole'
	assert_equal "${lines[-1]}" 'verdict: not-reproduced: one pread got the whole pagemap (0x8000000 bytes): this VMA is not above the 0x7ffff000 cap'
}

@test "--strategy: one strategy alone; without single there is no verdict to give (77)" {
	run -1 --separate-stderr "$BIN/repro-pagemap-read" --size 1G --strategy single --json
	assert_equal "$(jq -c '[.single.ran, .chunked.ran, .chunked.why_not, .scan.ran]' <<<"$output")" \
		'[true,false,"not run (--strategy single)",false]'
	run -77 --separate-stderr "$BIN/repro-pagemap-read" --size 1G --strategy chunked
	assert_line '1. single pread:  not run (--strategy chunked)'
	assert_line --regexp '^2\. chunked pread: 0x200000 bytes in 1 call, '
	assert_equal "${lines[-1]}" 'verdict: skipped: --strategy chunked does not run the single pread that shows the failure'
	run -77 --separate-stderr "$BIN/repro-pagemap-read" --size 1G --strategy scan --json
	assert_equal "$(jq -c '[.single.ran, .chunked.ran, .verdict, .exit_code]' <<<"$output")" '[false,false,"skipped",77]'
	if kernel_has_pagemap_scan; then
		assert_equal "$(jq '.scan.ran' <<<"$output")" true
	else
		assert_equal "$(jq '.scan.ran' <<<"$output")" false
		assert_equal "$(jq -r '.scan.why_not' <<<"$output")" "not supported by this kernel (ENOTTY; Linux 6.7+ has it)"
	fi
}

# under_subreaper CMD...: CMD once under helpers/sigrun, a subreaper whose signal comes
# long after CMD ends: an orphan CMD's tree leaves (an unreaped child, even one its
# PR_SET_PDEATHSIG killed) comes to it and is a leftover. The init of this machine
# would reap such a child quietly, so /proc/$child vanishing proves nothing.
under_subreaper() {
	run -0 "$TBIN/sigrun" --dir "$TMP" --runs 1 --min-delay-us 600000000 \
		--max-delay-us 600000000 --timeout 60 -- "$@"
	assert_line --regexp '^sigrun: runs 1, signals delivered 0, killed by it 0, ended normally 1, leftovers 0, hangs 0, bad 0$'
	refute_line --regexp '^run [0-9]+: leftover '
}

@test "its own child is reaped on a normal exit (no orphan reaches a subreaper)" {
	under_subreaper "$BIN/repro-pagemap-read" --size 1G --json
}

# interrupt SIG STATUS: a script under a subreaper starts a default run, waits for the
# child to hold the reservation and sleep, records the child's state and parent while the
# program runs, sends SIG to the program and records how it ended. The program must
# die of SIG, its child must have been sleeping with the program as its parent, and
# nothing may be left to the subreaper.
interrupt() {
	local sig=$1 want=$2
	cat >"$TMP/interrupt.sh" <<-'SCRIPT'
	sig=$1 prog=$2 out=$3 child=""
	"$prog" >"$out.stdout" 2>"$out.stderr" &
	parent=$!
	for i in $(seq 200); do
		child=$(pgrep -P "$parent" || true)
		# holding the reservation and asleep: right after the mmap it may still run
		[ -n "$child" ] && grep -q -- ' ---p ' "/proc/$child/maps" 2>/dev/null &&
			grep -q '^State:.S' "/proc/$child/status" 2>/dev/null && break
		sleep 0.05
	done
	{
		echo "parent $parent"
		echo "child ${child:-none}"
		echo "child state $(awk '/^State:/ { print $2 }' "/proc/$child/status" 2>/dev/null)"
		echo "child ppid $(awk '/^PPid:/ { print $2 }' "/proc/$child/status" 2>/dev/null)"
	} >"$out"
	kill "-$sig" "$parent"
	wait "$parent"
	echo "status $?" >>"$out"
	SCRIPT
	under_subreaper bash "$TMP/interrupt.sh" "$sig" "$BIN/repro-pagemap-read" "$TMP/seen"
	run -0 cat "$TMP/seen"
	local parent
	parent=$(sed -n 's/^parent //p' "$TMP/seen")
	refute_line "child none"
	assert_line "child state S"
	assert_line "child ppid $parent"
	assert_line "status $want"
}

@test "SIGTERM during the run: the child sleeps under the program, which reaps it and dies of SIGTERM" {
	interrupt TERM 143
}

@test "SIGINT during the run: the child sleeps under the program, which reaps it and dies of SIGINT" {
	interrupt INT 130
}

@test "bad input: one-line error, nothing on stdout, exit 2" {
	sleep 0 & local dead=$!
	wait "$dead"
	run -2 --separate-stderr "$BIN/repro-pagemap-read" --pid "$dead"
	assert_output ""
	assert_equal "$stderr" "repro-pagemap-read: PID $dead: no such process"
	run -2 --separate-stderr "$BIN/repro-pagemap-read" --pid $$ --vma 0x1000
	assert_output ""
	assert_equal "$stderr" "repro-pagemap-read: --vma 0x1000: no VMA of PID $$ contains it"
	run -2 --separate-stderr "$BIN/repro-pagemap-read" --size 0
	assert_equal "$stderr" "repro-pagemap-read: --size: must be more than 0"
	run -2 --separate-stderr "$BIN/repro-pagemap-read" --size 12Q
	assert_equal "$stderr" "repro-pagemap-read: --size: invalid size '12Q' (a number with an optional K, M, G or T suffix)"
	if grep -q '\[vsyscall\]' /proc/$$/maps; then
		run -2 --separate-stderr "$BIN/repro-pagemap-read" --pid $$ --vma ffffffffff600000
		assert_equal "$stderr" "repro-pagemap-read: --vma 0xffffffffff600000: [vsyscall] lies above the user address space: it has no pagemap to read"
	fi
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr "$BIN/repro-pagemap-read" $args
		assert_output ""
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "not one line for '$args': $stderr"
		[[ "$stderr" == "repro-pagemap-read: "* ]] || fail "not prefixed for '$args': $stderr"
	done <<-ARGS
	--pid 0
	--pid abc
	--vma xyz
	--vma 0x
	--strategy fastest
	--size 1000
	--commit lots
	--pid $$ --size 1G
	--pid $$ --commit 3
	--no-such-option
	--pid
	extra
	ARGS
}

@test "its own child cannot map the reservation: a runtime error, exit 2" {
	run -2 --separate-stderr "$BIN/repro-pagemap-read" --size 16000T
	assert_output ""
	assert_equal "$stderr" "repro-pagemap-read: our child: mapping $((16000 << 40)) bytes PROT_NONE|MAP_NORESERVE: Cannot allocate memory"
}

@test "another user's process: permission denied, naming the privilege, exit 2" {
	nobody_stage
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	local pid rc=0
	pid=$(cat "$TMP/pid")
	run_as_nobody "$NBIN/repro-pagemap-read" --pid "$pid" >"$TMP/out" 2>"$TMP/err" || rc=$?
	assert_equal "$rc" 2
	assert_file_empty "$TMP/out"
	run cat "$TMP/err"
	assert_output "repro-pagemap-read: PID $pid: Permission denied (reading another user's process needs CAP_SYS_PTRACE or the same uid)"
}

@test "--help and --version" {
	run -0 "$BIN/repro-pagemap-read" --help
	assert_line --index 0 'Usage: repro-pagemap-read [OPTIONS]'
	assert_output --partial 'Exit status: 0 reproduced'
	run -0 "$BIN/repro-pagemap-read" --version
	assert_output --regexp '^repro-pagemap-read [0-9]+\.[0-9]+\.[0-9]+$'
}
