#!/usr/bin/env bats
# make bench's parts: the Chrome-like fixture, the raw baselines (pmraw), the stopwatch
# (benchrun) and the harness. Nothing here is timed: speed belongs to make bench.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

start_chromelike() { # start_chromelike ARGS...: sets CL, and LAYOUT (NAME START END lines)
	start_bg "$TMP/cl.pid" "$TBIN/chromelike" --pidfile "$TMP/cl.pid" "$@"
	CL=$(cat "$TMP/cl.pid")
	LAYOUT=$TMP/layout
	cp "$BG_OUT" "$LAYOUT"
}

region() { awk -v n="$1" '$1 == n { print $2, $3 }' "$LAYOUT"; }

@test "chromelike: one 1 TiB PROT_NONE reservation, N separate small VMAs, R resident" {
	start_chromelike --vmas 1000 --resident 16M
	local rs re ss se
	read -r rs re < <(region reservation)
	read -r ss se < <(region small)
	# the reservation is one VMA of exactly 1 TiB, no permissions, anonymous
	run -0 grep -c "^0*$rs-0*$re ---p 00000000 00:00 0 *\$" "/proc/$CL/maps"
	assert_output 1
	assert_equal "$(((16#$re - 16#$rs) >> 40))" 1
	# 1000 small VMAs that did not merge: alternately rw-p and r--p
	"$BIN/crdiag-scan" --backend read --json "$CL" >"$TMP/scan.json"
	local inside
	inside=$(jq -r '.vmas[] | "\(.start) \(.end) \(.perms) \(.present)"' "$TMP/scan.json" |
		while read -r s e p n; do
			if (( s >= 16#$ss && e <= 16#$se )); then echo "$p $n"; fi
		done)
	assert_equal "$(wc -l <<<"$inside")" 1000
	assert_equal "$(grep -c '^rw-p' <<<"$inside")" 500
	assert_equal "$(grep -c '^r--p' <<<"$inside")" 500
	# the first page of each is written, the rest of 16 MiB in the heap
	assert_equal "$(awk '{ n += $2 } END { print n }' <<<"$inside")" 1000
	local hs he ps
	ps=$(getconf PAGESIZE)
	read -r hs he < <(region heap)
	assert_equal "$(jq -r --arg s "0x$hs" '.vmas[] | select(.start == $s) | .present' "$TMP/scan.json")" \
		$(((16 << 20) / ps - 1000))
}

@test "chromelike: more VMAs than vm.max_map_count allows is refused, saying why" {
	local max
	max=$(cat /proc/sys/vm/max_map_count)
	run -2 --separate-stderr "$TBIN/chromelike" --vmas "$max"
	assert_output ""
	assert_regex "$stderr" "^chromelike: --vmas $max: this process already has [0-9]+ VMAs and vm.max_map_count is $max\$"
	run -2 --separate-stderr "$TBIN/chromelike" --resident 1X
	assert_equal "$stderr" "chromelike: --resident: invalid size '1X'"
	run -2 --separate-stderr "$TBIN/chromelike" --vma-size 1000
	assert_regex "$stderr" "^chromelike: sizes must be multiples of the page size"
}

@test "pmraw: the floors and the chunked pread loop count what the engine counts" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	start_chromelike --vmas 500 --resident 8M --reserve 1G
	local ps want m
	ps=$(getconf PAGESIZE)
	want=$("$BIN/crdiag-scan" --backend read --json "$CL" | jq ".totals.resident / $ps")
	[ "$want" -ge $(((8 << 20) / ps)) ] || fail "engine saw only $want resident pages"
	for m in floor floor-present pread; do
		run -0 "$TBIN/pmraw" "$m" "$CL"
		assert_regex "$output" "^vmas [0-9]+ present $want calls [0-9]+ bytes [0-9]+\$"
	done
	# pread reads every VMA's pagemap: 8 bytes per page of the address space
	run -0 "$TBIN/pmraw" pread "$CL"
	assert_equal "$(awk '{ print $8 }' <<<"$output")" \
		"$("$BIN/crdiag-scan" --json "$CL" | jq '[.vmas[] | select(.kind != "vsyscall") | .pagemap_bytes] | add')"
}

@test "pmraw: the giant VMA by PAGEMAP_SCAN, chunked pread and one pread short at the cap" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	local avail
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
	[ "$avail" -ge 4 ] || skip "one pread of a 1 TiB VMA's pagemap needs 2 GiB of memory (${avail} GiB available)"
	start_chromelike --vmas 10 --resident 1M
	local rs re
	read -r rs re < <(region reservation)
	run -0 "$TBIN/pmraw" giant-scan "$CL" "$rs"
	assert_regex "$output" "^vmas [0-9]+ present 0 calls 1 bytes 0\$"
	run -0 "$TBIN/pmraw" giant-pread "$CL" "$rs"
	assert_regex "$output" "^vmas [0-9]+ present 0 calls 1024 bytes $((2 << 30))\$"
	run -0 "$TBIN/pmraw" giant-single "$CL" "$rs"
	assert_regex "$output" "^asked $((2 << 30)) got $((0x7ffff000)) vmas [0-9]+ present 0 calls 1 bytes $((0x7ffff000))\$"
}

@test "benchrun: one line of wall, user, sys, peak RSS and the command's exit status" {
	run -0 "$TBIN/benchrun" sh -c 'echo discarded; exit 3'
	assert_regex "$output" '^[0-9]+\.[0-9]{6} [0-9]+\.[0-9]{6} [0-9]+\.[0-9]{6} [0-9]+ 3$'
	run -0 "$TBIN/benchrun" "$TMP/no-such-command"
	assert_regex "$output" ' 127$'
	run -0 "$TBIN/benchrun" sh -c 'kill -TERM $$'
	assert_regex "$output" ' 143$'
	run -2 --separate-stderr "$TBIN/benchrun"
	assert_equal "$stderr" "Usage: benchrun CMD [ARGS...]"
}

@test "readfloor: the reads of crdiag-check on one tree, counted as /proc shows them; 2 for no such PID" {
	require_root
	kernel_has_procmap_query || skip "kernel has no PROCMAP_QUERY (Linux < 6.11)"
	local pid
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" unix-scm "$TMP/subject.pid" "$TMP"
	pid=$(cat "$TMP/subject.pid")
	run -0 --separate-stderr "$TBIN/readfloor" "$pid"
	assert_equal "$output" "processes 1 threads 1 fds $(ls "/proc/$pid/fd" | wc -l) file_vmas $(ls "/proc/$pid/map_files" | wc -l) sockets 2"
	run -2 --separate-stderr "$TBIN/readfloor" 2147483647
	assert_equal "$stderr" "readfloor: PID 2147483647: no such process"
	run -2 --separate-stderr "$TBIN/readfloor" x
	assert_equal "$stderr" "usage: readfloor PID"
}

@test "make bench harness: every case, ratios, each target met or not, tools in agreement" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	command -v pmap >/dev/null || skip "pmap (procps) is not installed"
	BENCH_RUNS=1 BENCH_WARMUP=0 BENCH_SCALES="200 400" BENCH_RESIDENT=4M BENCH_RESERVE=1G \
		BENCH_OUT="$TMP/results.md" run -0 --separate-stderr \
		"$ROOT/bats/bench/bench.sh" "$BIN" "$TBIN"
	assert_file_exists "$TMP/results.md"
	assert_equal "$output" "$(cat "$TMP/results.md")"
	assert_line "- kernel: $(uname -srm)"
	assert_line "### 200 small VMAs"
	assert_line "### 400 small VMAs"
	local c
	for c in floor floor-present scan batch read smaps pmap pread giant-single giant-pread giant-scan; do
		assert_line --regexp "^\| $c \| "
	done
	# the giant VMA is measured at the first scale only
	assert_equal "$(grep -c '^| giant-single |' "$TMP/results.md")" 1
	assert_equal "$(grep -c '^- .*: \(met\|NOT MET\)' "$TMP/results.md")" 14
	assert_line --regexp '^\| 200 \| ([0-9]+) \| \1 \| \1 \| \1 \| [0-9]+ \|$'
	assert_line --regexp '^\| 400 \| ([0-9]+) \| \1 \| \1 \| \1 \| [0-9]+ \|$'
}

@test "make bench SHORT=1: the gate prints a ratio per scale and fails when one misses the target in every try" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	BENCH_SHORT_RUNS=1 BENCH_SCALES="200 400" BENCH_RESIDENT=4M BENCH_RESERVE=1G BENCH_TARGET=1000 \
		run -0 --separate-stderr "$ROOT/bats/bench/bench.sh" --short "$BIN" "$TBIN"
	assert_line --regexp '^ +200 VMAs: floor [0-9.]+ ms, --json [0-9.]+ ms \([0-9.]+x\), --batch [0-9.]+ ms \([0-9.]+x\)$'
	assert_line --regexp '^ +400 VMAs: '
	assert_line "bench --short: every ratio within 1000x: met"
	# a target nothing meets: each try says so, and the gate fails after the last
	BENCH_SHORT_RUNS=1 BENCH_SHORT_TRIES=2 BENCH_SCALES=200 BENCH_RESIDENT=4M BENCH_RESERVE=1G \
		BENCH_TARGET=0.01 BENCH_OUT="$TMP/results.md" \
		run -1 --separate-stderr "$ROOT/bats/bench/bench.sh" --short "$BIN" "$TBIN"
	assert_line --regexp '^ +200 VMAs: .*\(above 0.01x: try 1 of 2\)$'
	assert_line --regexp '^ +200 VMAs: .*\(above 0.01x: try 2 of 2\)$'
	assert_line "bench --short: a ratio is above 0.01x in every try: NOT MET"
	# the gate writes no results file
	assert_file_not_exists "$TMP/results.md"
}
