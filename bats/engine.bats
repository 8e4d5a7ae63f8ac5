#!/usr/bin/env bats
# The engine: maps parser, pagemap backends, cost arithmetic, error paths.
# Driven through bin/crdiag-scan, the engine's own report.

load helpers/common

setup() {
	common_setup
	SWAPFILE=
}
# A swap file a test turned on is turned off here, whatever step of the test failed,
# before common_teardown removes it with $TMP: never leave swap on for the machine.
teardown() {
	if [ -n "$SWAPFILE" ]; then
		swapoff "$SWAPFILE" || echo "teardown: swapoff $SWAPFILE failed: it is still on" >&2
	fi
	common_teardown
}

kind_of() { # kind_of JSON INDEX
	jq -r ".vmas[$2] | \"\(.kind)|\(.name)|\(.deleted)\"" <<<"$1"
}

@test "parser: every kind of VMA in a crafted maps file" {
	run -0 --separate-stderr "$BIN/crdiag-scan" --maps "$FIXTURES/maps-kinds.txt" --json
	local j=$output
	assert_equal "$(jq '.vmas | length' <<<"$j")" 18
	assert_equal "$(kind_of "$j" 0)" "file|/usr/bin/bash|false"
	assert_equal "$(kind_of "$j" 1)" "heap|[heap]|false"
	assert_equal "$(kind_of "$j" 2)" "reservation||false"
	assert_equal "$(kind_of "$j" 3)" "anon||false"
	assert_equal "$(kind_of "$j" 4)" "anon-named|[anon:v8 heap]|false"
	assert_equal "$(kind_of "$j" 5)" "reservation|[anon:v8 cage]|false"
	assert_equal "$(kind_of "$j" 6)" "file|/opt/my app/lib with spaces.so|false"
	assert_equal "$(kind_of "$j" 7)" "deleted|/tmp/gone.so|true"
	assert_equal "$(kind_of "$j" 8)" "shm|/dev/zero|true"
	assert_equal "$(kind_of "$j" 9)" "shm|/SYSV0000abcd|true"
	assert_equal "$(kind_of "$j" 10)" "shm|/dev/shm/pulse-shm-1|false"
	assert_equal "$(kind_of "$j" 11)" "shm|/memfd:wayland|true"
	assert_equal "$(kind_of "$j" 12)" "special|[uprobes]|false"
	assert_equal "$(kind_of "$j" 13)" "stack|[stack]|false"
	assert_equal "$(kind_of "$j" 14)" "vdso|[vvar]|false"
	assert_equal "$(kind_of "$j" 15)" "vdso|[vvar_vclock]|false"
	assert_equal "$(kind_of "$j" 16)" "vdso|[vdso]|false"
	assert_equal "$(kind_of "$j" 17)" "vsyscall|[vsyscall]|false"
	# fields of one line, exactly
	assert_equal "$(jq -c '.vmas[6] | [.start,.end,.perms,.offset,.dev,.inode]' <<<"$j")" \
		'["0x7f0000300000","0x7f0000301000","r--p","0x1000","08:01",4242]'
}

@test "parser: a malformed line is an error naming its line number" {
	run -2 --separate-stderr "$BIN/crdiag-scan" --maps "$FIXTURES/maps-bad-perms.txt"
	assert_equal "$stderr" "crdiag-scan: $FIXTURES/maps-bad-perms.txt: line 3: malformed maps line"
}

@test "parser: each kind of malformed line is rejected, never a crash" {
	local good='7f0000000000-7f0000001000 rw-p 00000000 00:00 0'
	local bad
	while IFS= read -r bad; do
		printf '%s\n%s\n' "$good" "$bad" >"$TMP/maps"
		run -2 --separate-stderr "$BIN/crdiag-scan" --maps "$TMP/maps"
		assert_output ""
		assert_equal "$stderr" "crdiag-scan: $TMP/maps: line 2: malformed maps line"
	done <<-'LINES'
	7f0000001000 rw-p 00000000 00:00 0
	7f0000002000-7f0000001000 rw-p 00000000 00:00 0
	7f0000001000-7f0000001000 rw-p 00000000 00:00 0
	7f0000001000-7f0000002000 rw-q 00000000 00:00 0
	7f0000001000-7f0000002000 rw-p 00000000 00:00
	7f0000001000-7f0000002000 rw-p 00000000 0000 0
	7f0000001000-7f0000002000 rw-p zz 00:00 0
	7f0000001000-17f0000000000000002000 rw-p 00000000 00:00 0
	7f0000001000-7f0000002000 rw-p 00000000 00:00 0x12
	-7f0000002000 rw-p 00000000 00:00 0
	garbage
	LINES
	# an empty line in the middle is malformed too; an empty file is zero VMAs
	printf '%s\n\n%s\n' "$good" "$good" >"$TMP/maps"
	run -2 "$BIN/crdiag-scan" --maps "$TMP/maps"
	: >"$TMP/empty"
	run -0 --separate-stderr "$BIN/crdiag-scan" --maps "$TMP/empty" --json
	assert_equal "$(jq '.totals.vmas' <<<"$output")" 0
	# NUL bytes inside a path
	printf '%s /a\0b\n' "$good" >"$TMP/maps"
	run -2 "$BIN/crdiag-scan" --maps "$TMP/maps"
}

@test "cost: a 1094712560 KiB VMA costs 0x827ff9e0 pagemap bytes, 2 reads, over the cap" {
	run -0 --separate-stderr "$BIN/crdiag-scan" --maps "$FIXTURES/maps-kinds.txt" --json
	assert_equal "$(jq -r '.kernel.max_rw_count' <<<"$output")" $((0x7ffff000))
	assert_equal "$(jq -c '.vmas[2] | [.size,.pagemap_bytes,.reads,.over_cap]' <<<"$output")" \
		"[$((1094712560 * 1024)),$((0x827ff9e0)),2,true]"
	assert_equal "$(jq '.totals.over_cap' <<<"$output")" 1
	assert_equal "$(jq '[.vmas[].pagemap_bytes] | add' <<<"$output")" \
		"$(jq '.totals.pagemap_bytes' <<<"$output")"
	assert_equal "$(jq '[.vmas[].reads] | add' <<<"$output")" "$(jq '.totals.reads' <<<"$output")"
}

# counts BACKEND PID: one line per VMA: start present swapped file soft_dirty pfnzero
# (pfnzero: the read backend knows it only where PFNs are visible, i.e. as root)
counts() {
	"$BIN/crdiag-scan" --backend "$1" --json "$2" |
		jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present) \(.swapped) \(.file) \(.soft_dirty) \(.pfnzero // "?")"' |
		if [ "$(id -u)" -eq 0 ]; then cat; else sed 's/ [0-9?]*$//'; fi
}

# smaps_rss PID: one line per VMA: start rss_pages
smaps_rss() {
	awk -v ps="$(getconf PAGESIZE)" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); start = "0x" r[1]; sub(/^0x0*/, "0x", start) }
		/^Rss:/ { print start, $2 * 1024 / ps }' "/proc/$1/smaps"
}

# bats test_tags=user, quick
@test "backends agree: scan and read give identical per-VMA counts for this shell" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	counts scan $$ >"$TMP/scan"
	counts read $$ >"$TMP/read"
	run diff "$TMP/scan" "$TMP/read"
	assert_success
	[ "$(wc -l <"$TMP/scan")" -gt 5 ]
}

start_pattern() {
	start_bg "$TMP/pid" "$TBIN/pattern" --pidfile "$TMP/pid"
	PATTERN=$(cat "$TMP/pid")
	cp "$BG_OUT" "$TMP/layout"
}

region_start() { awk -v n="$1" '$1 == n { print "0x" $2 }' "$TMP/layout" | sed 's/^0x0*/0x/'; }

vma_field() { # vma_field JSONFILE START FIELD
	jq -r --arg s "$2" ".vmas[] | select(.start == \$s) | .$3" "$1"
}

@test "backends agree on a known pattern: sparse, THP, shared, paged-out" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	start_pattern
	counts scan "$PATTERN" >"$TMP/scan"
	counts read "$PATTERN" >"$TMP/read"
	run diff "$TMP/scan" "$TMP/read"
	assert_success
	"$BIN/crdiag-scan" --backend scan --json "$PATTERN" >"$TMP/scan.json"
	local sparse shared thp
	sparse=$(region_start sparse) shared=$(region_start shared) thp=$(region_start thp)
	assert_equal "$(vma_field "$TMP/scan.json" "$sparse" present)" 2048
	assert_equal "$(vma_field "$TMP/scan.json" "$shared" present)" 64
	assert_equal "$(vma_field "$TMP/scan.json" "$shared" file)" 64
	assert_equal "$(vma_field "$TMP/scan.json" "$thp" present)" 1024
	if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
		assert_equal "$(vma_field "$TMP/scan.json" "$thp" huge)" 0
	else
		# THP may fall back to small pages under fragmentation; smaps says which.
		local anonhuge
		anonhuge=$(awk -v s="${thp#0x}" '$1 ~ "^0*"s"-" {f=1} f && /^AnonHugePages:/ {print $2*1024/4096; exit}' "/proc/$PATTERN/smaps")
		assert_equal "$(vma_field "$TMP/scan.json" "$thp" huge)" "$anonhuge"
	fi
}

@test "backends agree on a Chrome-like process; anonymous runs walked apart keep file counts right" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	start_bg "$TMP/cl.pid" "$TBIN/chromelike" --pidfile "$TMP/cl.pid" --vmas 600 --resident 8M
	local cl
	cl=$(cat "$TMP/cl.pid")
	counts scan "$cl" >"$TMP/scan"
	counts read "$cl" >"$TMP/read"
	run diff "$TMP/scan" "$TMP/read"
	assert_success
	# The scan walks private anonymous runs without PAGE_IS_FILE: more than one walk, and
	# still file pages where files are mapped, none in anonymous memory.
	"$BIN/crdiag-scan" --backend scan --json "$cl" >"$TMP/scan.json"
	run -0 jq '.calls > 1 and ([.vmas[] | select(.kind == "file") | .file] | add) > 0
		and ([.vmas[] | select(.kind == "anon" or .kind == "heap" or .kind == "stack"
			or .kind == "reservation") | .file] | add) == 0' "$TMP/scan.json"
	assert_output true
}

# bats test_tags=user
@test "present pages equal smaps Rss per VMA (zero-page mappings aside)" {
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	start_pattern
	"$BIN/crdiag-scan" --backend scan --json "$PATTERN" |
		jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present - .pfnzero)"' >"$TMP/ours"
	smaps_rss "$PATTERN" | grep -v '^0xffffffffff600000 ' >"$TMP/smaps"
	run diff "$TMP/ours" "$TMP/smaps"
	assert_success
}

# bats test_tags=user
@test "present pages equal smaps Rss per VMA with the read backend" {
	require_root # zero-page mappings are told apart by PFN, which only root sees
	start_pattern
	"$BIN/crdiag-scan" --backend read --json "$PATTERN" |
		jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present - .pfnzero)"' >"$TMP/ours"
	smaps_rss "$PATTERN" | grep -v '^0xffffffffff600000 ' >"$TMP/smaps"
	run diff "$TMP/ours" "$TMP/smaps"
	assert_success
}

@test "backends agree on swapped pages after MADV_PAGEOUT (with a temporary swap file)" {
	require_root
	kernel_has_pagemap_scan || skip "kernel has no PAGEMAP_SCAN (Linux < 6.7)"
	local swap
	if ! awk 'NR > 1 { found = 1 } END { exit !found }' /proc/swaps; then
		swap=$TMP/swapfile
		dd if=/dev/zero of="$swap" bs=1M count=64 status=none
		chmod 600 "$swap"
		mkswap "$swap" >/dev/null
		swapon "$swap" 2>/dev/null || skip "swapon refused here: no swap to page out to"
		SWAPFILE=$swap # from here on teardown turns it off
	fi
	start_pattern
	counts scan "$PATTERN" >"$TMP/scan"
	counts read "$PATTERN" >"$TMP/read"
	"$BIN/crdiag-scan" --backend read --json "$PATTERN" >"$TMP/read.json"
	kill "$PATTERN"; wait "$BG_PID" || true
	run diff "$TMP/scan" "$TMP/read"
	assert_success
	local swapped
	swapped=$(vma_field "$TMP/read.json" "$(region_start pageout)" swapped)
	[ "$swapped" -gt 0 ] || fail "no page of the MADV_PAGEOUT region was swapped: $swapped"
}

@test "single backend reports asked and got for every VMA, short at the cap when over it" {
	start_pattern
	run -0 --separate-stderr "$BIN/crdiag-scan" --backend single --json "$PATTERN"
	# (a sanitizer build of the helper has shadow VMAs over the cap: they come back short)
	assert_equal "$(jq '[.vmas[] | select(.skipped | not) | select(.over_cap | not) | select(.asked != .got)] | length' <<<"$output")" 0
	assert_equal "$(jq '[.vmas[] | select(.over_cap) | select(.got != 2147479552 or .asked != .pagemap_bytes)] | length' <<<"$output")" 0
	assert_equal "$(jq -r --arg s "$(region_start sparse)" '.vmas[] | select(.start == $s) | "\(.asked) \(.present)"' <<<"$output")" \
		"$((4096 * 8)) 2048"
}

@test "errors: dead PID is 'no such process', exit 2" {
	sleep 0 & local dead=$!
	wait "$dead"
	run -2 --separate-stderr "$BIN/crdiag-scan" "$dead"
	assert_equal "$stderr" "crdiag-scan: PID $dead: no such process"
}

@test "errors: PID 0, negative, non-numeric and missing PIDs are usage errors" {
	local bad
	for bad in 0 -5 abc 12x ""; do
		run -2 --separate-stderr "$BIN/crdiag-scan" "$bad"
		assert_output ""
		[ -n "$stderr" ] || fail "no message for '$bad'"
		[ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "more than one line for '$bad': $stderr"
	done
	run -2 --separate-stderr "$BIN/crdiag-scan"
	assert_equal "$stderr" "crdiag-scan: missing PID"
	run -2 --separate-stderr "$BIN/crdiag-scan" --backend nonsense 1
	assert_equal "$stderr" "crdiag-scan: --backend: unknown backend 'nonsense'"
}

@test "errors: a kernel thread has no VMAs and says so" {
	[ -r /proc/2/stat ] && grep -q kthreadd /proc/2/comm || skip "PID 2 is not kthreadd here"
	run -2 --separate-stderr "$BIN/crdiag-scan" 2
	assert_equal "$stderr" "crdiag-scan: PID 2: no VMAs (a kernel thread)"
}

@test "errors: another user's process is permission denied, naming the privilege" {
	start_pattern
	nobody_stage
	run_as_nobody "$NBIN/crdiag-scan" "$PATTERN" >"$TMP/out" 2>"$TMP/err" && fail "succeeded as nobody"
	run cat "$TMP/err"
	assert_output "crdiag-scan: PID $PATTERN: Permission denied (reading another user's process needs CAP_SYS_PTRACE or the same uid)"
}

@test "errors: a process that exits during the scan gives ESRCH, not garbage" {
	# Race a short-lived process many times: every run ends in success or 'exited'.
	local i out
	for i in $(seq 30); do
		sleep 0.01 & local p=$!
		if ! out=$("$BIN/crdiag-scan" --backend read "$p" 2>&1 >/dev/null); then
			[[ "$out" == *"no such process"* || "$out" == *"the process exited"* || "$out" == *"no VMAs (the process exited)"* ]] ||
				fail "unexpected error: $out"
		fi
		wait "$p" || true
	done
}

# bats test_tags=user, quick
@test "probe: reports page size, cap and PAGEMAP_SCAN support" {
	run -0 "$BIN/crdiag-scan" --probe --json
	assert_equal "$(jq '.kernel.page_size' <<<"$output")" "$(getconf PAGESIZE)"
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 7 ]; }; then
		assert_equal "$(jq '.kernel.pagemap_scan' <<<"$output")" true
	else
		assert_equal "$(jq -r '.kernel.pagemap_scan_error' <<<"$output")" ENOTTY
	fi
}

@test "--help and --version" {
	run -0 "$BIN/crdiag-scan" --help
	assert_output --partial "Usage: crdiag-scan"
	run -0 "$BIN/crdiag-scan" --version
	assert_output --regexp '^crdiag-scan [0-9]+\.[0-9]+\.[0-9]+$'
	run -2 "$BIN/crdiag-scan" --no-such-option
}

@test "errors: a report that cannot be written (stdout on /dev/full) is exit 2, not success" {
	[ -w /dev/full ] || skip "no /dev/full here"
	run -2 --separate-stderr bash -c "'$BIN/crdiag-scan' --json $$ >/dev/full"
	assert_equal "$stderr" "crdiag-scan: writing the report: No space left on device"
	run -2 --separate-stderr bash -c "'$BIN/crdiag-scan' $$ >/dev/full"
}
