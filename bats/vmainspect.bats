#!/usr/bin/env bats
# vmainspect: the inspector of VMAs against pagemap cost. JSON and the batch table
# against a repro-giant-vma --hold process; the TUI driven in a private tmux server;
# every error case.

load helpers/common

setup() {
	common_setup
}

teardown() {
	common_teardown
}

RESERVATION_SIZE=$((1094712560 * 1024))

# start_holder: a repro-giant-vma --hold in the background; sets HOLDER (its PID)
start_holder() {
	start_bg "$TMP/holder.pid" "$BIN/repro-giant-vma" --hold --pidfile "$TMP/holder.pid"
	HOLDER=$(cat "$TMP/holder.pid")
}

# The holder of an ASan build carries ASan's shadow memory: terabytes of VMAs of its own,
# some over the cap. Tests that count the holder's over-cap VMAs say so.
holder_is_sanitized() {
	[ "${CRDIAG_SANITIZE:-}" = 1 ]
}

# rank JSON START KEY: how many VMAs cost strictly more than the one at START by KEY;
# a descending sort must put it at exactly that row
rank() {
	jq --arg s "$2" "(.vmas[] | select(.start == \$s) | .$3) as \$v | [.vmas[] | select(.$3 > \$v)] | length" <<<"$1"
}

# row_of JSON START: the row index of the VMA at START
row_of() {
	jq --arg s "$2" '[.vmas[].start] | index($s)' <<<"$1"
}

# reservation JSON: the one VMA that is the Chrome-sized reservation
reservation() {
	jq -c --argjson size "$RESERVATION_SIZE" \
		'[.vmas[] | select(.kind == "reservation" and .size == $size)]' <<<"$1"
}

# smaps_rss PID: one line per VMA: start rss_pages ([vsyscall] left out)
smaps_rss_pages() {
	awk -v ps="$(getconf PAGESIZE)" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); start = "0x" r[1]; sub(/^0x0*/, "0x", start) }
		/^Rss:/ { print start, $2 * 1024 / ps }' "/proc/$1/smaps" | grep -v '^0xffffffffff600000 '
}

# --- JSON and batch ------------------------------------------------------------------

@test "--json on repro-giant-vma --hold: the reservation, its size, over the cap, 0x827ff9e0 bytes, 2 reads" {
	require_x86_64_4k
	start_holder
	run -0 --separate-stderr "$BIN/vmainspect" --json "$HOLDER"
	assert_equal "$stderr" ""
	local j=$output r
	assert_equal "$(jq -r '[.pid, .comm] | join(" ")' <<<"$j")" "$HOLDER repro-giant-vma"
	r=$(reservation "$j")
	assert_equal "$(jq length <<<"$r")" 1
	assert_equal "$(jq -c '.[0] | [.perms, .pages, .pagemap_bytes, .reads, .over_cap, .present, .resident]' <<<"$r")" \
		"[\"---p\",273678140,$((0x827ff9e0)),2,true,0,0]"
	jq -e '.[0].start | test("^0x[0-9a-f]+$")' <<<"$r" >/dev/null
	assert_equal "$(jq '.kernel.max_rw_count' <<<"$j")" $((0x7ffff000))
	# V8's committed pages sit in front of it: 196 read-write pages, all resident
	assert_equal "$(jq -c --arg s "$(jq -r '.[0].start' <<<"$r")" \
		'[.vmas[] | select(.end == $s) | .perms, .kind, .pages, .present]' <<<"$j")" \
		'["rw-p","anon",196,196]'
	# over the cap means exactly: pagemap bytes above MAX_RW_COUNT, more than one read
	assert_equal "$(jq '[.vmas[] | select(.over_cap != (.pagemap_bytes > 2147479552))] | length' <<<"$j")" 0
	assert_equal "$(jq '[.vmas[] | select(.over_cap != (.reads > 1))] | length' <<<"$j")" 0
	# the header: the largest VMA is at least the reservation. An uninstrumented holder
	# has nothing else over the cap; under ASan its shadow memory is over it as well.
	[ "$(jq '.totals.largest.size' <<<"$j")" -ge "$RESERVATION_SIZE" ] || fail "largest is smaller"
	if ! holder_is_sanitized; then
		assert_equal "$(jq '.totals.over_cap' <<<"$j")" 1
		assert_equal "$(jq -r '.totals.largest.start' <<<"$j")" "$(jq -r '.[0].start' <<<"$r")"
	fi
}

@test "--json: the totals are the sums of the rows" {
	start_holder
	run -0 --separate-stderr "$BIN/vmainspect" --json "$HOLDER"
	local j=$output
	assert_equal "$(jq '.totals.vmas' <<<"$j")" "$(jq '.vmas | length' <<<"$j")"
	assert_equal "$(jq '.shown' <<<"$j")" "$(jq '.vmas | length' <<<"$j")"
	assert_equal "$(jq '.totals.virt' <<<"$j")" "$(jq '[.vmas[].size] | add' <<<"$j")"
	assert_equal "$(jq '.totals.resident' <<<"$j")" "$(jq '[.vmas[].resident] | add' <<<"$j")"
	assert_equal "$(jq '.totals.swapped' <<<"$j")" \
		"$(jq --argjson ps "$(getconf PAGESIZE)" '[.vmas[].swapped * $ps] | add' <<<"$j")"
	assert_equal "$(jq '.totals.pagemap_bytes' <<<"$j")" "$(jq '[.vmas[].pagemap_bytes] | add' <<<"$j")"
	assert_equal "$(jq '.totals.reads' <<<"$j")" "$(jq '[.vmas[].reads] | add' <<<"$j")"
	assert_equal "$(jq '.totals.over_cap' <<<"$j")" "$(jq '[.vmas[] | select(.over_cap)] | length' <<<"$j")"
	# resident is present pages x page size, row by row
	assert_equal "$(jq --argjson ps "$(getconf PAGESIZE)" '[.vmas[] | select(.resident != .present * $ps)] | length' <<<"$j")" 0
}

@test "--json: present pages per VMA equal smaps Rss (zero-pfn pages aside), both backends" {
	start_holder
	# smaps Rss leaves zero-pfn pages out. PAGEMAP_SCAN tells them apart (pfnzero); the
	# read backend cannot (no PFN category), so it is compared on the VMAs that have none.
	local zero='^$'
	if kernel_has_pagemap_scan; then
		"$BIN/vmainspect" --json --backend scan "$HOLDER" >"$TMP/scan.json"
		assert_equal "$(jq -r .backend "$TMP/scan.json")" scan
		jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present - .pfnzero)"' \
			"$TMP/scan.json" >"$TMP/ours"
		smaps_rss_pages "$HOLDER" >"$TMP/smaps"
		run diff "$TMP/ours" "$TMP/smaps"
		assert_success
		[ "$(wc -l <"$TMP/ours")" -gt 10 ] || fail "too few VMAs compared"
		zero=$(jq -r '[.vmas[] | select(.pfnzero > 0) | "^\(.start) "] | join("|") | if . == "" then "^$" else . end' "$TMP/scan.json")
	fi
	"$BIN/vmainspect" --json --backend read "$HOLDER" >"$TMP/read.json"
	assert_equal "$(jq -r .backend "$TMP/read.json")" read
	jq -r '.vmas[] | select(.skipped | not) | "\(.start) \(.present)"' "$TMP/read.json" |
		grep -vE "$zero" >"$TMP/ours"
	smaps_rss_pages "$HOLDER" | grep -vE "$zero" >"$TMP/smaps"
	run diff "$TMP/ours" "$TMP/smaps"
	assert_success
	[ "$(wc -l <"$TMP/ours")" -gt 10 ] || fail "too few VMAs compared"
}

@test "--batch: the table, with the reservation flagged by '!' and its cost" {
	require_x86_64_4k
	start_holder
	"$BIN/vmainspect" --json "$HOLDER" >"$TMP/j"
	local n
	n=$(jq '.totals.over_cap' "$TMP/j")
	run -0 --separate-stderr "$BIN/vmainspect" --batch "$HOLDER"
	assert_line --index 0 --regexp "^repro-giant-vma \[$HOLDER\]  [0-9]+ VMAs  virtual [0-9.]+ TiB  resident [0-9.]+ [KMG]iB  swapped 0 B$"
	assert_line --index 1 --regexp "^pagemap [0-9.]+ GiB in [0-9]+ reads  over the cap \(0x7ffff000\): $n  largest $(jq -r '.totals.largest | "\(.start)-\(.end)" | gsub("0x"; "")' "$TMP/j") [0-9.]+ TiB (reservation|anon)$"
	assert_line --index 2 --regexp '^backend (scan|read): [0-9]+ calls, [0-9.]+ ms \(maps [0-9.]+ ms\)  kernel: PAGEMAP_SCAN (yes|no)'
	assert_line --index 3 --regexp '^sort address ascending  snapshot [0-9]{2}:[0-9]{2}:[0-9]{2}$'
	assert_line --index 4 --regexp '^! range +size perm kind +rss +swap pagemap reads rss/size +name$'
	# one line per VMA after the header block and the title; '!' on exactly the over-cap ones
	assert_equal "$(( ${#lines[@]} - 5 ))" "$(jq '.vmas | length' "$TMP/j")"
	assert_equal "$(printf '%s\n' "${lines[@]:5}" | grep -c '^!')" "$n"
	assert_line --regexp '^! +[0-9a-f]+-[0-9a-f]+ +1\.02T ---p reservation +0 +0 +2\.04G +2 -+ *$'
	if ! holder_is_sanitized; then
		assert_line --index 0 --regexp ' virtual 1\.02 TiB '
		assert_equal "$n" 1
	fi
}

@test "stdout not a terminal: the batch table is the default" {
	start_holder
	run -0 --separate-stderr "$BIN/vmainspect" "$HOLDER"
	assert_line --index 4 --regexp '^! range +size '
	# plain text: no escape sequence at all
	run grep -c $'\e' <<<"$output"
	assert_output 0
}

@test "--sort, --reverse and --filter order and select rows in JSON and batch" {
	require_x86_64_4k
	start_holder
	local res j
	res=$("$BIN/vmainspect" --json "$HOLDER" | jq -r --argjson size "$RESERVATION_SIZE" \
		'.vmas[] | select(.size == $size) | .start')
	# by pagemap cost, biggest first: the reservation first (after ASan's shadow, if any)
	j=$("$BIN/vmainspect" --json --sort pagemap "$HOLDER")
	assert_equal "$(jq -r '[.sort, .reverse] | join(" ")' <<<"$j")" "pagemap false"
	assert_equal "$(jq '[.vmas[].pagemap_bytes] == ([.vmas[].pagemap_bytes] | sort | reverse)' <<<"$j")" true
	assert_equal "$(row_of "$j" "$res")" "$(rank "$j" "$res" pagemap_bytes)"
	holder_is_sanitized || assert_equal "$(jq -r '.vmas[0].start' <<<"$j")" "$res"
	# reversed: the same place from the end
	j=$("$BIN/vmainspect" --json --sort pagemap --reverse "$HOLDER")
	assert_equal "$(( $(jq '.vmas | length' <<<"$j") - 1 - $(row_of "$j" "$res") ))" \
		"$(rank "$j" "$res" pagemap_bytes)"
	holder_is_sanitized || assert_equal "$(jq -r '.vmas[-1].start' <<<"$j")" "$res"
	j=$("$BIN/vmainspect" --json --sort size "$HOLDER")
	assert_equal "$(row_of "$j" "$res")" "$(rank "$j" "$res" size)"
	j=$("$BIN/vmainspect" --json --sort resident "$HOLDER")
	assert_equal "$(jq '[.vmas[].present] == ([.vmas[].present] | sort | reverse)' <<<"$j")" true
	# address order is the kernel's: the same as maps
	j=$("$BIN/vmainspect" --json "$HOLDER")
	assert_equal "$(jq -r '.vmas[].start' <<<"$j" | sed 's/^0x//')" \
		"$(awk '{ split($1, r, "-"); print r[1] }' "/proc/$HOLDER/maps" | sed 's/^0*//')"
	# filter by kind, any case: only reservations, ours among them; totals stay whole
	j=$("$BIN/vmainspect" --json --filter RESERVATION "$HOLDER")
	assert_equal "$(jq -c '[.filter, ([.vmas[].kind] | unique)]' <<<"$j")" '["RESERVATION",["reservation"]]'
	assert_equal "$(jq '.shown' <<<"$j")" "$(jq '.vmas | length' <<<"$j")"
	[ "$(row_of "$j" "$res")" != null ] || fail "the reservation was filtered out"
	[ "$(jq '.totals.vmas' <<<"$j")" -gt "$(jq '.shown' <<<"$j")" ] || fail "totals cover only the filtered rows"
	# filter by name
	j=$("$BIN/vmainspect" --json --filter libc "$HOLDER")
	assert_equal "$(jq '[.vmas[] | select(.name | test("libc") | not)] | length' <<<"$j")" 0
	[ "$(jq '.shown' <<<"$j")" -gt 0 ] || fail "no libc VMA"
	# the batch table says what it shows
	run -0 "$BIN/vmainspect" --batch --filter libc --sort pagemap "$HOLDER"
	assert_line --index 3 --regexp "^sort pagemap descending  filter \"libc\": $(jq .shown <<<"$j") of [0-9]+ shown  snapshot "
	assert_equal "${#lines[@]}" "$(( 5 + $(jq .shown <<<"$j") ))"
}

@test "--iterations N with -d: N snapshots, one JSON document per line" {
	start_holder
	run -0 --separate-stderr "$BIN/vmainspect" --json --iterations 3 -d 0.05 "$HOLDER"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(jq -s 'map(.pid) | unique | length' <<<"$output")" 1
	assert_equal "$(jq -s 'map(.totals.vmas > 0 and .totals.over_cap > 0) | unique' <<<"$output" | jq -c .)" "[true]"
	run -0 --separate-stderr "$BIN/vmainspect" --batch -n 2 -d 0.05 "$HOLDER"
	assert_equal "$(grep -c '^! range' <<<"$output")" 2
}

@test "--iterations: a process that exits ends the run early, saying so" {
	sleep 0.5 &
	local p=$!
	run -0 --separate-stderr "$BIN/vmainspect" --json --iterations 1000 -d 0.2 "$p"
	wait "$p" || true
	[ "${#lines[@]}" -ge 1 ] || fail "no snapshot at all"
	[ "${#lines[@]}" -lt 1000 ] || fail "did not notice the exit"
	assert_equal "$stderr" "vmainspect: PID $p: the process exited after ${#lines[@]} snapshots"
}

@test "--backend forces the backend; scan says so where the kernel lacks PAGEMAP_SCAN" {
	start_holder
	run -0 "$BIN/vmainspect" --json --backend read "$HOLDER"
	assert_equal "$(jq -r .backend <<<"$output")" read
	if kernel_has_pagemap_scan; then
		run -0 "$BIN/vmainspect" --json --backend scan "$HOLDER"
		assert_equal "$(jq -r .backend <<<"$output")" scan
		run -0 "$BIN/vmainspect" --json "$HOLDER"
		assert_equal "$(jq -r .backend <<<"$output")" scan
	else
		run -2 --separate-stderr "$BIN/vmainspect" --backend scan "$HOLDER"
		assert_equal "$stderr" "vmainspect: --backend scan: this kernel has no PAGEMAP_SCAN (ENOTTY; Linux 6.7+)"
	fi
	run -2 --separate-stderr "$BIN/vmainspect" --backend single "$HOLDER"
	assert_equal "$stderr" "vmainspect: --backend: unknown backend 'single' (auto, scan, read)"
}

# --- errors ------------------------------------------------------------------------

# error_case EXPECTED_MESSAGE ERRNO_NAME ARGS...: one line on stderr, exit 2, nothing on
# stdout; with --json the same message in an empty but valid document.
error_case() {
	local msg=$1 err=$2
	shift 2
	run -2 --separate-stderr "$BIN/vmainspect" "$@"
	assert_output ""
	assert_equal "$stderr" "vmainspect: $msg"
	run -2 --separate-stderr "$BIN/vmainspect" --json "$@"
	assert_equal "$stderr" "vmainspect: $msg"
	assert_equal "$(jq -r '.error' <<<"$output")" "$msg"
	assert_equal "$(jq -r '.errno' <<<"$output")" "$err"
	assert_equal "$(jq -c '.vmas' <<<"$output")" "[]"
}

@test "errors: not a number" {
	error_case "invalid PID 'abc': not a number" EINVAL abc
	error_case "invalid PID '12x': not a number" EINVAL 12x
	error_case "invalid PID '': not a number" EINVAL ""
	error_case "invalid PID '99999999999': out of range" ERANGE 99999999999
}

@test "errors: PID 0" {
	error_case "invalid PID '0': PID 0 is not a process" EINVAL 0
}

@test "errors: no such process" {
	sleep 0 &
	local dead=$!
	wait "$dead"
	error_case "PID $dead: no such process" ESRCH "$dead"
}

@test "errors: a kernel thread has no VMAs, and says so" {
	[ -r /proc/2/stat ] && grep -qx kthreadd /proc/2/comm || skip "PID 2 is not kthreadd here"
	error_case "PID 2 (kthreadd): a kernel thread has no VMAs" null 2
}

@test "errors: permission denied names the missing privilege" {
	start_holder
	nobody_stage
	run_as_nobody "$NBIN/vmainspect" "$HOLDER" >"$TMP/out" 2>"$TMP/err" && fail "succeeded as nobody"
	local msg="PID $HOLDER (repro-giant-vma): permission denied: reading its maps and pagemap needs PTRACE_MODE_READ (the same uid, or CAP_SYS_PTRACE)"
	assert_equal "$(cat "$TMP/err")" "vmainspect: $msg"
	assert_equal "$(cat "$TMP/out")" ""
	local status=0
	run_as_nobody "$NBIN/vmainspect" --json "$HOLDER" >"$TMP/out" 2>/dev/null || status=$?
	assert_equal "$status" 2
	assert_equal "$(jq -r '[.error, .errno, (.vmas | length)] | join("|")' "$TMP/out")" "$msg|EACCES|0"
}

@test "errors: usage" {
	error_case "missing PID (see --help)" null
	error_case "too many arguments: one PID only" null 1 2
	error_case "unknown option '--nope' (see --help)" null --nope 1
	error_case "--sort: unknown key 'name' (address, size, pagemap, resident)" null --sort name 1
	error_case "--delay: 'x' is not a number of seconds > 0" null -d x 1
	error_case "--iterations: '0' is not a number >= 1" null -n 0 1
}

@test "--help, --version, and a man page" {
	run -0 "$BIN/vmainspect" --help
	assert_line --index 0 "Usage: vmainspect [OPTIONS] PID"
	run -0 "$BIN/vmainspect" --version
	assert_output --regexp '^vmainspect [0-9]+\.[0-9]+\.[0-9]+$'
	assert_file_exists "$ROOT/src/vmainspect/vmainspect.1"
	if command -v man >/dev/null && command -v nroff >/dev/null; then
		run -0 --separate-stderr man -l "$ROOT/src/vmainspect/vmainspect.1"
		assert_output --partial "vmainspect"
	fi
}

# --- the TUI in tmux ---------------------------------------------------------------

# tui_start [ENV=VALUE...]: a private tmux server with one 120x40 window running an
# interactive bash (prompt "vi$ ") with ENV set, in $TMP. capture-pane drops trailing
# spaces: an idle prompt reads "vi$".
tui_start() { tui_shell 120 40 "$@"; }

# wait_gone ERE: until no line of the pane matches ERE
wait_gone() {
	local i
	for i in $(seq 200); do
		screen | grep -qE -- "$1" || return 0
		sleep 0.05
	done
	echo "the pane still shows /$1/:" >&2
	screen >&2
	return 1
}

# The shell is back and sane: the prompt on the last line, nothing left of the inspector
# (its header, its title line), and the tty in canonical mode with echo. Each check
# prints a numbered line, so an earlier check's answer is never taken for this one's.
assert_shell_back() {
	CHECKS=$((${CHECKS:-0} + 1))
	keys "echo tty$CHECKS: \$(stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | paste -sd' ' -)" Enter
	wait_screen "^tty$CHECKS: "
	run screen
	assert_line "tty$CHECKS: icanon echo"
	refute_output --partial 'rss/size'
	refute_output --partial 'over the cap'
	wait_screen '^vi\$ *$'
	assert_equal "$(screen | grep -v '^$' | tail -1 | sed 's/ *$//')" 'vi$'
}

# start_tui [ARGS...]: run vmainspect ARGS on the holder, from the shell in the pane,
# its shell PID in $TMP/tui.pid, status echoed as "rc=N" when it ends.
start_tui() {
	start_tui_on "$HOLDER" repro-giant-vma "$@"
}

# start_tui_on PID COMM [ARGS...]: the same on any process; waits for its header
start_tui_on() {
	local pid=$1 comm=$2
	shift 2
	keys "bash -c 'echo \$\$ >$TMP/tui.pid; exec \"\$0\" \"\$@\"' $(printf %q "$BIN/vmainspect") $* $pid; echo rc=\$?" Enter
	wait_screen "^$comm \[$pid\]"
}

@test "TUI: header and flagged row; sort by cost, filter, detail, resize, help; q gives the shell back" {
	require_x86_64_4k
	start_holder
	local j n res k
	j=$("$BIN/vmainspect" --json --sort pagemap "$HOLDER")
	n=$(jq '.totals.over_cap' <<<"$j")
	res=$(reservation "$j" | jq -r '.[0].start')
	k=$(rank "$j" "$res" pagemap_bytes) # 0, or ASan's shadow VMAs before it
	holder_is_sanitized || assert_equal "$n $k" "1 0"
	tui_start
	start_tui
	run screen
	assert_line --index 0 --regexp "^repro-giant-vma \[$HOLDER\]  [0-9]+ VMAs  virtual [0-9.]+ TiB  resident [0-9.]+ [KMG]iB  swapped 0 B$"
	assert_line --index 1 --regexp "^pagemap [0-9.]+ GiB in [0-9]+ reads  over the cap \(0x7ffff000\): $n  largest $(jq -r '.totals.largest | "\(.start)-\(.end)" | gsub("0x"; "")' <<<"$j") [0-9.]+ TiB (reservation|anon)$"
	assert_line --index 2 --regexp '^backend (scan|read): [0-9]+ calls, [0-9.]+ ms \(maps [0-9.]+ ms\)  kernel: PAGEMAP_SCAN (yes|no)'
	assert_line --index 3 --regexp '^sort address ascending  snapshot [0-9:]+$'
	assert_line --index 4 --regexp '^! range +size perm kind +rss +swap pagemap reads rss/size +name$'
	assert_line --regexp '^q quit  \? help  / filter .* 1/[0-9]+$'
	# the flagged row (under ASan, hundreds of shadow VMAs push it below the first page)
	if ! holder_is_sanitized; then
		assert_line --regexp '^! +[0-9a-f]+-[0-9a-f]+ +1\.02T ---p reservation +0 +0 +2\.04G +2 -+ *$'
		assert_line --index 0 --regexp ' virtual 1\.02 TiB '
		assert_line --index 1 --regexp ' largest [0-9a-f]+-[0-9a-f]+ 1\.02 TiB reservation$'
	fi

	# p: by pagemap cost, the reservation first (after ASan's shadow, if any)
	keys p
	wait_screen '^sort pagemap descending'
	run screen
	assert_line --index $((5 + k)) --regexp "^! +${res#0x}-[0-9a-f]+ +1\.02T ---p reservation +0 +0 +2\.04G +2 -+ *$"
	local i
	for ((i = 0; i < k; i++)); do
		keys j
	done
	wait_screen " $((k + 1))/[0-9]+$"

	# Enter: its detail, the arithmetic spelled out
	keys Enter
	wait_screen '^VMA detail'
	run screen
	assert_line --regexp '^  bytes +273678140 pages x 8 = 2189425120 bytes \(0x827ff9e0, 2\.04 GiB\)$'
	assert_line --regexp '^  reads +ceil\(2189425120 / 2147479552\) = 2$'
	assert_line --partial '! OVER THE CAP: one read() of this pagemap returns at most 0x7ffff000 of its 0x827ff9e0 bytes'
	assert_line --regexp '^  kind +reservation$'
	keys q
	wait_screen '^sort pagemap descending'

	# /: a live filter by name; Esc cancels back to no filter
	keys / l i b c
	wait_screen '^filter: libc$'
	wait_screen 'filter "libc": [0-9]+ of [0-9]+ shown'
	run screen
	refute_line --regexp -- '---p reservation'
	assert_line --regexp 'libc[^ ]*$'
	keys Escape
	wait_gone '^filter: '
	wait_gone 'filter "libc"'
	keys / r e s e r v Enter
	wait_screen "filter \"reserv\": $("$BIN/vmainspect" --json --filter reserv "$HOLDER" | jq .shown) of [0-9]+ shown"
	run screen
	assert_line --regexp '^! +[0-9a-f]+-[0-9a-f]+ +1\.02T ---p reservation'
	refute_line --regexp ' (anon|file|heap|stack|vdso) '
	keys Escape
	wait_gone 'filter "reserv"'

	# resize: too small says so, big enough draws the table again
	tmux -S "$SOCK" resize-window -x 50 -y 8
	wait_screen '^terminal too small$'
	run screen
	assert_line 'this is 50x8'
	tmux -S "$SOCK" resize-window -x 80 -y 24
	wait_screen '^! start +size'
	run screen
	assert_line --index $((5 + k)) --regexp "^! +${res#0x} +1\.02T reservation +0 +2\.04G +2 -+ *$"
	tmux -S "$SOCK" resize-window -x 120 -y 40
	wait_screen '^! range +size perm'

	# ?: help, and back
	keys '?'
	wait_screen '^vmainspect help'
	keys q
	wait_screen '^! range'

	keys q
	wait_screen '^rc=0$'
	assert_shell_back
}

@test "TUI: SIGINT and SIGTERM restore the terminal" {
	start_holder
	tui_start
	start_tui
	keys C-c
	wait_screen '^vi\$ *$'
	assert_shell_back
	start_tui
	kill -TERM "$(cat "$TMP/tui.pid")"
	wait_screen '^rc=143$'
	assert_shell_back
}

@test "TUI: a fatal error and a crash restore the terminal" {
	start_holder
	tui_start
	keys "VMAINSPECT_FAULT=fatal $(printf %q "$BIN/vmainspect") $HOLDER; echo rc=\$?" Enter
	wait_screen '^rc=2$'
	run screen
	assert_line 'vmainspect: injected fatal error (VMAINSPECT_FAULT=fatal)'
	assert_shell_back
	keys clear Enter
	keys "VMAINSPECT_FAULT=segv $(printf %q "$BIN/vmainspect") $HOLDER; echo rc=\$?" Enter
	wait_screen '^rc=139$'
	run screen
	assert_line 'vmainspect: fatal signal SIGSEGV: terminal restored'
	assert_shell_back
}

@test "TUI: when the process exits, the last snapshot stays with 'process exited'" {
	start_holder
	tui_start
	start_tui
	kill -TERM "$HOLDER"
	wait "$BG_PID" || true
	wait_screen 'process exited *$'
	run screen
	assert_line --index 0 --regexp "^repro-giant-vma \[$HOLDER\] .* process exited *$"
	assert_line --regexp ' reservation '
	keys r
	wait_screen '^process exited: showing the last snapshot'
	keys q
	wait_screen '^rc=0$'
	assert_shell_back
}

# colour_sgr: the pane with escapes, reduced to the SGR codes that set a colour
colour_sgr() {
	tmux -S "$SOCK" capture-pane -p -e | grep -oE $'\e\\[[0-9;]*m' |
		grep -E '[[;](3[0-7]|4[0-7]|38|48|9[0-7])[;m]' || true
}

@test "TUI: colours by default, none with NO_COLOR or --no-color" {
	start_holder
	tui_start
	start_tui
	[ -n "$(colour_sgr)" ] || fail "no colour on a 256-colour terminal"
	keys q
	wait_screen '^rc=0$'
	keys clear Enter
	start_tui --no-color
	assert_equal "$(colour_sgr)" ""
	keys q
	wait_screen '^rc=0$'
	keys clear Enter
	keys "export NO_COLOR=1" Enter
	start_tui --sort pagemap
	assert_equal "$(colour_sgr)" ""
	# the over-cap row is still marked, with '!'
	run screen
	assert_line --regexp '^! +[0-9a-f]+-[0-9a-f]+ +1\.02T ---p reservation'
	keys q
	wait_screen '^rc=0$'
}

@test "TUI: -d refreshes by itself and --iterations ends it; r rescans" {
	start_holder
	tui_start
	# three refresh periods of 0.1 s, then it quits on its own and gives the shell back
	start_tui -d 0.1 -n 3
	wait_screen '^rc=0$'
	assert_shell_back
	keys clear Enter
	# a process that changes under the inspector: bash, which execs sleep on SIGUSR1 (and
	# takes its child along on SIGTERM, so nothing is left behind)
	start_bg "$TMP/target.pid" bash -c 'echo $$ >"$0"; sleep 1000 & c=$!; trap "kill $c; exit 0" TERM; trap "kill $c; exec sleep 1000" USR1; wait' "$TMP/target.pid"
	local target i
	target=$(cat "$TMP/target.pid")
	start_tui_on "$target" bash
	kill -USR1 "$target"
	for i in $(seq 200); do
		[ "$(cat "/proc/$target/comm")" = sleep ] && break
		sleep 0.05
	done
	assert_equal "$(cat "/proc/$target/comm")" sleep
	# the screen shows its snapshot, not /proc as it is now...
	run screen
	assert_line --index 0 --regexp "^bash \[$target\] "
	# ...until r takes a new one
	keys r
	wait_screen "^sleep \[$target\] "
	run screen
	assert_line --regexp ' /usr/bin/sleep$'
	refute_line --regexp ' /usr/bin/bash$'
	keys q
	wait_screen '^rc=0$'
	assert_shell_back
}
