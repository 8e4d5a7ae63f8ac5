#!/usr/bin/env bats
# repro-giant-vma: the Chrome-sized reservation (failure mode 1) and the one-pread check.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# maps_line PID START: the /proc/PID/maps line of the VMA starting at START (hex, no 0x)
maps_line() {
	awk -v s="$2" '{ split($1, r, "-"); if (r[1] == s) print }' "/proc/$1/maps"
}

# bats test_tags=user
@test "default run reproduces: asked 0x827ff9e0, got 0x7ffff000, exit 0" {
	require_x86_64_4k
	run -0 --separate-stderr "$BIN/repro-giant-vma"
	assert_equal "$stderr" ""
	assert_line --regexp '^reservation: [0-9a-f]+-[0-9a-f]+ ---p 1094712560 KiB \(1\.02 TiB\)$'
	assert_line --regexp '^committed: +[0-9a-f]+-[0-9a-f]+ rw-p 196 pages in front of it \(0xc4000 bytes'
	assert_line 'pagemap:     0x827ff9e0 bytes (2.04 GiB) = 273678140 pages x 8'
	assert_line --partial 'cap:         0x7ffff000 bytes per read (MAX_RW_COUNT); a correct reader needs 2 reads'
	assert_line 'check:       one pread asked 0x827ff9e0 bytes, got 0x7ffff000'
	# the verdict is the last line
	assert_equal "${lines[-1]}" 'verdict: reproduced: one pread of 0x827ff9e0 bytes came back short at MAX_RW_COUNT 0x7ffff000'
}

@test "default run: the reservation starts 0xc4000 after a 4 GiB aligned cage, as in the report" {
	run -0 --separate-stderr "$BIN/repro-giant-vma" --json
	local cage start
	cage=$(jq -r '.committed.start' <<<"$output")
	start=$(jq -r '.reservation.start' <<<"$output")
	assert_equal "$(( cage % (4 << 30) ))" 0
	assert_equal "$(( start - cage ))" "$(( 0xc4000 ))"
	assert_equal "$(jq -r '.committed.end' <<<"$output")" "$start"
}

@test "--json: one document whose fields match the text run" {
	require_x86_64_4k
	run -0 --separate-stderr "$BIN/repro-giant-vma" --json
	local j=$output
	assert_equal "$(jq -c '[.reservation.size, .reservation.perms, .committed.pages, .committed.size]' <<<"$j")" \
		'[1120985661440,"---p",196,802816]'
	assert_equal "$(jq -c '[.pagemap_bytes, .max_rw_count, .reads_needed, .over_cap]' <<<"$j")" \
		"[$((0x827ff9e0)),$((0x7ffff000)),2,true]"
	assert_equal "$(jq -c '[.check.asked, .check.got, .check.short, .check.read_errno]' <<<"$j")" \
		"[$((0x827ff9e0)),$((0x7ffff000)),true,null]"
	assert_equal "$(jq -r '[.verdict, .exit_code] | join(" ")' <<<"$j")" "reproduced 0"
	# the same facts as the text run
	run -0 "$BIN/repro-giant-vma"
	assert_line "check:       one pread asked $(printf '0x%x' "$(jq .check.asked <<<"$j")") bytes, got $(printf '0x%x' "$(jq .check.got <<<"$j")")"
	assert_line "verdict: $(jq -r '"\(.verdict): \(.reason)"' <<<"$j")"
	# the addresses are hex strings
	jq -e '.reservation.start | test("^0x[0-9a-f]+$")' <<<"$j" >/dev/null
}

# bats test_tags=user, quick
@test "a reservation below the cap (--size 64G) is not-reproduced, exit 1" {
	run -1 --separate-stderr "$BIN/repro-giant-vma" --size 64G
	assert_line --regexp '^reservation: [0-9a-f]+-[0-9a-f]+ ---p 67108864 KiB \(64\.0 GiB\)$'
	assert_line --partial 'a correct reader needs 1 read, one pread gets it all'
	assert_equal "${lines[-1]}" 'verdict: not-reproduced: one pread got the whole pagemap (0x8000000 bytes): this VMA is not above the 0x7ffff000 cap'
	run -1 --separate-stderr "$BIN/repro-giant-vma" --size 64G --json
	assert_equal "$(jq -r '[.check.asked, .check.got, .check.short, .verdict, .exit_code] | join(" ")' <<<"$output")" \
		"$((0x8000000)) $((0x8000000)) false not-reproduced 1"
}

# bats test_tags=user
@test "the read cap is exact: one page of pagemap more than the cap is short, the cap itself is not" {
	require_x86_64_4k
	# 0x7ffff000 bytes of pagemap = 0x7ffff000 / 8 pages
	run -1 "$BIN/repro-giant-vma" --size "$(( 0x7ffff000 / 8 * 4096 ))" --commit 0
	assert_line 'check:       one pread asked 0x7ffff000 bytes, got 0x7ffff000'
	run -0 "$BIN/repro-giant-vma" --size "$(( (0x7ffff000 / 8 + 1) * 4096 ))" --commit 0
	assert_line 'check:       one pread asked 0x7ffff008 bytes, got 0x7ffff000'
}

@test "--hold --pidfile: /proc/PID/maps holds the ---p VMA of the asked size and the committed pages" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/pid" --size 2T --commit 7
	local pid ps cage start end
	pid=$(cat "$TMP/pid")
	assert_equal "$pid" "$BG_PID"
	ps=$(getconf PAGESIZE)
	# the report is complete once the pidfile exists
	run cat "$BG_OUT"
	assert_line --regexp "^pid: +$pid$"
	assert_line --regexp "^hold: +PID $pid holds it until SIGTERM or SIGINT"
	refute_line --partial 'verdict:'
	start=$(sed -n 's/^reservation: \([0-9a-f]*\)-.*/\1/p' "$BG_OUT")
	# the reservation: exactly 2 TiB, no permissions
	run maps_line "$pid" "$start"
	assert_output --regexp "^$start-[0-9a-f]+ ---p 00000000 00:00 0 *$"
	end=$(sed 's/^[0-9a-f]*-\([0-9a-f]*\) .*/\1/' <<<"$output")
	assert_equal "$(( 0x$end - 0x$start ))" "$(( 2 << 40 ))"
	# the committed pages: their own rw-p VMA right in front of it, all present
	cage=$(printf '%x' "$(( 0x$start - 7 * ps ))")
	run maps_line "$pid" "$cage"
	assert_output --regexp "^$cage-$start rw-p "
	"$BIN/crdiag-scan" --backend read --json "$pid" >"$TMP/scan.json"
	assert_equal "$(jq --arg s "0x$cage" '.vmas[] | select(.start == $s) | .present' "$TMP/scan.json")" 7
	assert_equal "$(jq --arg s "0x$start" '.vmas[] | select(.start == $s) | .present' "$TMP/scan.json")" 0
}

@test "--hold: SIGTERM ends it cleanly (exit 0, pidfile removed, no child left)" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/pid"
	local pid
	pid=$(cat "$TMP/pid")
	run cat /proc/"$pid"/task/*/children
	assert_output ""
	kill -TERM "$pid"
	bg_wait
	assert_equal "$BG_STATUS" 0
	[ ! -e "/proc/$pid" ] || fail "PID $pid is still there"
	assert_file_not_exists "$TMP/pid"
	run pgrep -P "$pid"
	assert_failure
}

@test "--hold: SIGINT ends it cleanly too" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/pid" --size 1G
	kill -INT "$(cat "$TMP/pid")"
	bg_wait
	assert_equal "$BG_STATUS" 0
	assert_file_not_exists "$TMP/pid"
}

@test "--hold-seconds: releases on its own, exit 0" {
	run -0 --separate-stderr "$BIN/repro-giant-vma" --hold-seconds 1 --size 1G
	assert_line --regexp '^hold: +PID [0-9]+ holds it until SIGTERM or SIGINT or 1 s'
}

@test "--hold --check: verdict first, then held; the exit code is the verdict's" {
	require_x86_64_4k
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --check --json --pidfile "$TMP/pid"
	run jq -r '[.hold, .check.got, .verdict] | join(" ")' "$BG_OUT"
	assert_output "true $((0x7ffff000)) reproduced"
	kill -TERM "$(cat "$TMP/pid")"
	bg_wait
	assert_equal "$BG_STATUS" 0
	start_bg "$TMP/pid2" "$BIN/repro-giant-vma" --hold --check --pidfile "$TMP/pid2" --size 1G
	kill -TERM "$(cat "$TMP/pid2")"
	bg_wait
	assert_equal "$BG_STATUS" 1
}

@test "--hold --json without --check: no verdict, check is null" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --json --pidfile "$TMP/pid" --size 1G
	run jq -c '[.hold, .check, .verdict, .exit_code]' "$BG_OUT"
	assert_output '[true,null,null,0]'
	kill -TERM "$(cat "$TMP/pid")"
	bg_wait
	assert_equal "$BG_STATUS" 0
}

@test "--name: labels the reservation, or says the kernel cannot and goes on" {
	start_bg "$TMP/pid" "$BIN/repro-giant-vma" --hold --json --pidfile "$TMP/pid" --size 1G --name "v8 cage"
	local pid start set
	pid=$(cat "$TMP/pid")
	start=$(jq -r '.reservation.start' "$BG_OUT")
	set=$(jq -r '.name.set' "$BG_OUT")
	run maps_line "$pid" "${start#0x}"
	if [ "$set" = true ]; then
		assert_output --regexp ' ---p .*\[anon:v8 cage\]$'
	else
		assert_equal "$(jq -r '.name.error' "$BG_OUT")" EINVAL
		assert_output --regexp ' ---p 00000000 00:00 0 *$'
		run -0 "$BIN/repro-giant-vma" --size 1G --name "v8 cage" --hold-seconds 1
		assert_line 'name:        not set: PR_SET_VMA_ANON_NAME failed with EINVAL (Invalid argument): this kernel has no CONFIG_ANON_VMA_NAME; the reservation stays anonymous'
	fi
}

@test "bad input: one-line error, nothing on stdout, exit 2" {
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr "$BIN/repro-giant-vma" $args
		assert_output ""
		[ -n "$stderr" ] || fail "no message for '$args'"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "more than one line for '$args': $stderr"
		[[ "$stderr" == "repro-giant-vma: "* ]] || fail "not prefixed for '$args': $stderr"
	done <<-'ARGS'
	--size 0
	--size 12Q
	--size 1000
	--size G
	--size -5G
	--size 99999999T
	--commit abc
	--commit 99999999
	--hold-seconds 0
	--hold-seconds x
	--name a[b
	--no-such-option
	--size
	extra
	ARGS
	run -2 --separate-stderr "$BIN/repro-giant-vma" --size 0
	assert_equal "$stderr" "repro-giant-vma: --size: must be more than 0"
	run -2 --separate-stderr "$BIN/repro-giant-vma" --size 12Q
	assert_equal "$stderr" "repro-giant-vma: --size: invalid size '12Q' (a number with an optional K, M, G or T suffix)"
}

@test "more address space than the machine has: a runtime error, exit 2" {
	run -2 --separate-stderr "$BIN/repro-giant-vma" --size 16000T
	assert_output ""
	assert_equal "$stderr" "repro-giant-vma: mapping $((16000 << 40)) bytes PROT_NONE|MAP_NORESERVE: Cannot allocate memory"
}

@test "--help and --version" {
	run -0 "$BIN/repro-giant-vma" --help
	assert_line --index 0 'Usage: repro-giant-vma [OPTIONS]'
	assert_output --partial 'Exit status: 0 reproduced'
	run -0 "$BIN/repro-giant-vma" --version
	assert_output --regexp '^repro-giant-vma [0-9]+\.[0-9]+\.[0-9]+$'
}
