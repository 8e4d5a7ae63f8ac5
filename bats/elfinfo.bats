#!/usr/bin/env bats
# elfinfo: build-ids, PT_LOAD/section attribution, modules and thread stacks, driven
# through crdiag-scan --elf / --stacks on bats/helpers/elfsubject.c.

load helpers/common

setup() {
	common_setup
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
}
teardown() {
	common_teardown
	[ -z "${NB:-}" ] || rm -rf "$NB"
}

# start_subject [ARGS...]: run elfsubject; sets SUBJ (PID) and its printed layout in $TMP/layout
start_subject() {
	start_bg "$TMP/pid" "$TBIN/elfsubject" --pidfile "$TMP/pid" "$@"
	SUBJ=$(cat "$TMP/pid")
	cp "$BG_OUT" "$TMP/layout"
}

layout() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/layout"; }

# the VMA (as JSON) of the scan in file $1 that contains address $2 (user addresses
# are below 2^53: exact in jq's numbers)
vma_at() {
	jq -c --arg a "$2" 'def hex: ltrimstr("0x") | explode
			| reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		($a | hex) as $x | .vmas[] | select((.start | hex) <= $x and (.end | hex) > $x)' "$1"
}

# segment numbers that readelf's "Section to Segment mapping" lists for section $2
readelf_segments_of() {
	readelf -lW "$1" | awk -v s="$2" '/Section to Segment mapping/ { m = 1; next }
		m && NF > 1 { for (i = 2; i <= NF; i++) if ($i == s) print $1 + 0 }'
}

# stop_tracer PID: end a tracer before teardown signals its tracee. A signal that reaches
# the tracee while its tracer is dying can be lost (strace swallowed teardown's SIGTERM,
# and the wait for the tracee hung), so the tracer goes first and the tracee is checked.
stop_tracer() {
	local i
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	for i in $(seq 100); do
		[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$SUBJ/status")" = 0 ] && return 0
		sleep 0.05
	done
	fail "PID $SUBJ is still traced after its tracer exited"
}

ptrace_allowed() {
	local scope
	scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
	[ "$(id -u)" -eq 0 ] || [ "$scope" -eq 0 ] || skip "Yama ptrace_scope=$scope forbids attaching"
}

@test "--elf: every build-id shown equals the one readelf -n prints for that file" {
	start_subject
	run -0 --separate-stderr "$BIN/crdiag-scan" --elf --json "$SUBJ"
	echo "$output" >"$TMP/scan.json"
	local own
	own=$(vma_at "$TMP/scan.json" "$(layout text)" | jq -r '.elf.build_id')
	[ -n "$(readelf_build_id "$TBIN/elfsubject")" ] || fail "the helper has no build-id note"
	assert_equal "$own" "$(readelf_build_id "$TBIN/elfsubject")"
	local n=0 path id
	while IFS=' ' read -r id path; do
		assert_equal "$id" "$(readelf_build_id "$path")"
		n=$((n + 1))
	done < <(jq -r '.elf.files[] | select(.build_id) | "\(.build_id) \(.path)"' "$TMP/scan.json")
	[ "$n" -ge 3 ] || fail "only $n ELF files with a build-id (helper, libc, ld.so expected)"
	# modules carry the build-id of their file
	assert_equal "$(jq -r --arg p "$TBIN/elfsubject" '.elf.modules[] | select(.name == $p) | .build_id' "$TMP/scan.json")" "$own"
}

@test "--elf: each file is read once per snapshot, whatever the number of its VMAs" {
	start_subject
	"$BIN/crdiag-scan" --elf --json "$SUBJ" >"$TMP/scan.json"
	assert_equal "$(jq '.elf.files | length' "$TMP/scan.json")" \
		"$(jq '[.vmas[] | select(.inode != 0 and (.name | startswith("/"))) | "\(.dev) \(.inode)"] | unique | length' "$TMP/scan.json")"
	[ "$(jq --arg p "$TBIN/elfsubject" '[.vmas[] | select(.name == $p)] | length' "$TMP/scan.json")" -ge 4 ]
}

@test "--elf: the helper's .text, .rodata, .data and .bss land in the right segments and VMAs" {
	start_subject
	"$BIN/crdiag-scan" --elf --json "$SUBJ" >"$TMP/scan.json"
	local exe=$TBIN/elfsubject what sect flags v seg
	for what in "text .text r-x" "rodata .rodata r--" "data .data rw-"; do
		read -r what sect flags <<<"$what"
		v=$(vma_at "$TMP/scan.json" "$(layout "$what")")
		assert_equal "$(jq -r '"\(.name) \(.elf.role) \(.elf.state)"' <<<"$v")" "$exe mapped elf"
		jq -e --arg s "$sect" '.elf.sections | index($s)' <<<"$v" >/dev/null ||
			fail "$sect not among the sections of its VMA: $v"
		assert_equal "$(jq -r '.elf.segment.flags' <<<"$v")" "$flags"
		seg=$(jq -r '.elf.segment.index' <<<"$v")
		readelf_segments_of "$exe" "$sect" | grep -qx "$seg" ||
			fail "$sect: segment $seg, readelf says $(readelf_segments_of "$exe" "$sect" | xargs)"
	done
	# the middle of 4 MiB of .bss: the anonymous VMA right after the .data mapping
	v=$(vma_at "$TMP/scan.json" "$(layout bss)")
	assert_equal "$(jq -c '[.kind, .inode, .elf.role, .elf.file, .elf.sections]' <<<"$v")" \
		"[\"anon\",0,\"bss\",\"$exe\",[\".bss\"]]"
	assert_equal "$(jq -r '.elf.segment.index' <<<"$v")" \
		"$(vma_at "$TMP/scan.json" "$(layout data)" | jq -r '.elf.segment.index')"
	assert_equal "$(readelf_segments_of "$exe" .bss | grep -cx "$(jq -r '.elf.segment.index' <<<"$v")")" 1
	# a non-ELF file and a device mapping are states, not errors
	echo hello >"$TMP/plain.txt"
	start_bg "$TMP/pid2" "$TBIN/elfsubject" --pidfile "$TMP/pid2" --map "$TMP/plain.txt" --map /dev/zero
	run -0 --separate-stderr "$BIN/crdiag-scan" --elf --json "$(cat "$TMP/pid2")"
	assert_equal "$(jq -r --arg p "$TMP/plain.txt" '.vmas[] | select(.name == $p) | "\(.elf.state) \(.elf.segment)"' <<<"$output")" "not-elf null"
	assert_equal "$(jq -r '.vmas[] | select(.name == "/dev/zero") | .elf.state' <<<"$output")" "not-regular"
}

@test "--elf: deleted and replaced files: map_files reads the mapped inode, the path fallback says what it found" {
	# a directory nobody can reach (bats's own temp dirs are private to root), and the
	# programs nobody runs copied there
	nobody_stage
	NB=$NOBODY_DIR
	cp "$TBIN/elfsubject" "$NB/subject"
	cp "$TBIN/pattern" "$NB/gone.so"
	cp "$TBIN/pattern" "$NB/swapped.so"
	chmod 755 "$NB/subject"
	chmod 644 "$NB/gone.so" "$NB/swapped.so"
	start_bg "$NB/pid" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- \
		"$NB/subject" --pidfile "$NB/pid" --map "$NB/gone.so" --map "$NB/swapped.so"
	SUBJ=$(cat "$NB/pid")
	rm "$NB/gone.so"
	cp "$TBIN/tracer" "$NB/new.so" && mv "$NB/new.so" "$NB/swapped.so"
	local want
	want=$(readelf_build_id "$TBIN/pattern")
	# root: through /proc/PID/map_files, the inode that is mapped
	run -0 --separate-stderr "$BIN/crdiag-scan" --elf --json "$SUBJ"
	assert_equal "$(jq -r --arg p "$NB/gone.so" '.vmas[] | select(.name == $p) | "\(.deleted) \(.elf.state) \(.elf.via) \(.elf.build_id)"' <<<"$output")" \
		"true elf map_files $want"
	assert_equal "$(jq -r --arg p "$NB/swapped.so" '.vmas[] | select(.name == $p) | "\(.elf.state) \(.elf.via) \(.elf.build_id)"' <<<"$output")" \
		"elf map_files $want"
	# nobody has no map_files: the path through /proc/PID/root is missing or another inode
	run_as_nobody "$NBIN/crdiag-scan" --elf --json "$SUBJ" >"$TMP/nobody.json"
	assert_equal "$(jq -r --arg p "$NB/gone.so" '.vmas[] | select(.name == $p) | "\(.elf.state) \(.elf.error) \(.elf.via) \(.elf.build_id)"' "$TMP/nobody.json")" \
		"missing ENOENT root null"
	assert_equal "$(jq -r --arg p "$NB/swapped.so" '.vmas[] | select(.name == $p) | "\(.elf.state) \(.elf.via) \(.elf.build_id)"' "$TMP/nobody.json")" \
		"replaced root null"
	assert_equal "$(jq -r --arg p "$NB/subject" '[.vmas[] | select(.name == $p) | .elf.state] | unique | join(",")' "$TMP/nobody.json")" "elf"
}

@test "--stacks: each thread's stack VMA is labelled with its TID, frames name elfsubject_park, and the helper runs on untraced" {
	ptrace_allowed
	start_subject --threads 3
	run -0 --separate-stderr "$BIN/crdiag-scan" --stacks --json "$SUBJ"
	echo "$output" >"$TMP/scan.json"
	local tids tid main
	tids=$(layout tid)
	main=$(head -1 <<<"$tids")
	assert_equal "$(wc -l <<<"$tids")" 4
	assert_equal "$(jq '.elf.threads | length' "$TMP/scan.json")" 4
	for tid in $tids; do
		# exactly one VMA holds the thread's stack pointer, and it is the one reported
		assert_equal "$(jq --argjson t "$tid" '[.vmas[] | select((.stack_of // []) | index($t))] | length' "$TMP/scan.json")" 1
		assert_equal "$(jq -r --argjson t "$tid" '.vmas[] | select((.stack_of // []) | index($t)) | .start' "$TMP/scan.json")" \
			"$(jq -r --argjson t "$tid" '.elf.threads[] | select(.tid == $t) | .stack_vma' "$TMP/scan.json")"
		jq -e --argjson t "$tid" '.elf.threads[] | select(.tid == $t) | [.frames[].symbol] | index("elfsubject_park")' \
			"$TMP/scan.json" >/dev/null || fail "thread $tid: no elfsubject_park frame: $(jq -c --argjson t "$tid" '.elf.threads[] | select(.tid == $t)' "$TMP/scan.json")"
	done
	assert_equal "$(jq -r --argjson t "$main" '.vmas[] | select((.stack_of // []) | index($t)) | .name' "$TMP/scan.json")" "[stack]"
	assert_equal "$(jq '[.vmas[] | select(.stack_of) | select(.kind == "anon")] | length' "$TMP/scan.json")" 3
	assert_equal "$(jq '.elf.detached_late' "$TMP/scan.json")" 0
	# afterwards: no thread traced, none stopped
	local t
	for t in /proc/"$SUBJ"/task/*; do
		assert_equal "$(awk '/^TracerPid:/ { print $2 }' "$t/status")" 0
		run awk '/^State:/ { print $2 }' "$t/status"
		refute_output --regexp '^[tT]$'
	done
	kill -0 "$SUBJ"
	# the text view shows the frames symbolized and labels the stacks
	run -0 --separate-stderr "$BIN/crdiag-scan" --stacks "$SUBJ"
	assert_output --partial "{stack of $main}"
	assert_output --regexp "#1  0x[0-9a-f]+ elfsubject_park\+0x[0-9a-f]+ \($TBIN/elfsubject\)"
}

@test "--stacks on a process that already has a tracer is refused and attaches nothing" {
	ptrace_allowed
	start_subject
	start_bg "$TMP/tpid" "$TBIN/tracer" --pidfile "$TMP/tpid" "$SUBJ"
	local tracer
	tracer=$(cat "$TMP/tpid")
	run -2 --separate-stderr "$BIN/crdiag-scan" --stacks "$SUBJ"
	assert_output ""
	assert_equal "$stderr" "crdiag-scan: PID $SUBJ: --stacks: already traced by PID $tracer (tracer): a process has one tracer (a running criu dump is one); nothing was attached"
	assert_equal "$(awk '/^TracerPid:/ { print $2 }' "/proc/$SUBJ/status")" "$tracer"
	# without --stacks nothing ptraces: the rest of the report still works
	run -0 --separate-stderr "$BIN/crdiag-scan" --elf --json "$SUBJ"
	assert_equal "$(jq -r '.elf.threads' <<<"$output")" null
	stop_tracer "$tracer"
}

@test "--stacks on a process under strace -f is refused too" {
	ptrace_allowed
	command -v strace >/dev/null || skip "strace is not installed"
	start_subject
	strace -f -qq -o /dev/null -p "$SUBJ" 3>&- 2>/dev/null &
	local strace=$!
	BG_PIDS+=("$strace")
	local i
	for i in $(seq 100); do
		[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$SUBJ/status")" != 0 ] && break
		sleep 0.05
	done
	run -2 --separate-stderr "$BIN/crdiag-scan" --stacks "$SUBJ"
	assert_output --partial ""
	[[ "$stderr" == "crdiag-scan: PID $SUBJ: --stacks: "*"already traced by PID "*" (strace): a process has one tracer"* ]] ||
		fail "unexpected message: $stderr"
	stop_tracer "$strace"
}

@test "--elf and --stacks: usage errors" {
	run -2 --separate-stderr "$BIN/crdiag-scan" --elf --maps "$FIXTURES/maps-kinds.txt"
	assert_equal "$stderr" "crdiag-scan: --elf and --stacks need a PID"
	run -0 "$BIN/crdiag-scan" --help
	assert_output --partial "--stacks"
}

# ---- the same view in vmainspect ------------------------------------------------------

@test "vmainspect --json: build-id, segment and sections per VMA, and the modules" {
	start_subject
	run -0 --separate-stderr "$BIN/vmainspect" --json "$SUBJ"
	echo "$output" >"$TMP/v.json"
	local v
	v=$(vma_at "$TMP/v.json" "$(layout text)")
	assert_equal "$(jq -r '.elf.build_id' <<<"$v")" "$(readelf_build_id "$TBIN/elfsubject")"
	jq -e '.elf.sections | index(".text")' <<<"$v" >/dev/null || fail "no .text: $v"
	assert_equal "$(vma_at "$TMP/v.json" "$(layout bss)" | jq -c '[.elf.role, .elf.sections]')" '["bss",[".bss"]]'
	assert_equal "$(jq -r --arg p "$TBIN/elfsubject" '.elf.modules[] | select(.name == $p) | .state' "$TMP/v.json")" elf
	assert_equal "$(jq '[.elf.threads, .stacks_error, .elf_error]' -c "$TMP/v.json")" '[null,null,null]'
	# --no-elf leaves the ELF view out
	run -0 --separate-stderr "$BIN/vmainspect" --json --no-elf "$SUBJ"
	assert_equal "$(jq -c '[.elf, ([.vmas[] | select(.elf)] | length)]' <<<"$output")" '[null,0]'
}

@test "vmainspect --json --stacks: every thread's stack labelled, elfsubject_park shown, the helper untraced after" {
	ptrace_allowed
	start_subject --threads 2
	run -0 --separate-stderr "$BIN/vmainspect" --json --stacks "$SUBJ"
	echo "$output" >"$TMP/v.json"
	local tid
	for tid in $(layout tid); do
		assert_equal "$(jq --argjson t "$tid" '[.vmas[] | select((.stack_of // []) | index($t))] | length' "$TMP/v.json")" 1
		jq -e --argjson t "$tid" '.elf.threads[] | select(.tid == $t) | [.frames[].symbol] | index("elfsubject_park")' \
			"$TMP/v.json" >/dev/null || fail "thread $tid: no elfsubject_park frame"
	done
	local t
	for t in /proc/"$SUBJ"/task/*; do
		assert_equal "$(awk '/^TracerPid:/ { print $2 }' "$t/status")" 0
		run awk '/^State:/ { print $2 }' "$t/status"
		refute_output --regexp '^[tT]$'
	done
}

@test "vmainspect --stacks on a traced process is refused with the reason, nothing attached" {
	ptrace_allowed
	start_subject
	start_bg "$TMP/tpid" "$TBIN/tracer" --pidfile "$TMP/tpid" "$SUBJ"
	run -2 --separate-stderr "$BIN/vmainspect" --batch --stacks "$SUBJ"
	assert_output ""
	assert_equal "$stderr" "vmainspect: PID $SUBJ: --stacks: already traced by PID $(cat "$TMP/tpid") (tracer): a process has one tracer (a running criu dump is one); nothing was attached"
	run -2 --separate-stderr "$BIN/vmainspect" --json --stacks "$SUBJ"
	assert_equal "$(jq -r .errno <<<"$output")" EBUSY
	run -2 --separate-stderr "$BIN/vmainspect" --stacks --no-elf "$SUBJ"
	assert_equal "$stderr" "vmainspect: --stacks needs the ELF view: drop --no-elf"
	stop_tracer "$(cat "$TMP/tpid")"
}

# tmux_wait TEXT: until the screen shows TEXT (10 s at most)
tmux_wait() {
	local i
	for i in $(seq 100); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "screen never showed '$1':" >&2
	screen >&2
	return 1
}

@test "vmainspect detail view: build-id, segment, sections, module, and the stack's frames" {
	command -v tmux >/dev/null || skip "tmux is not installed"
	ptrace_allowed
	start_subject --threads 1
	tmux_new 200 80 "TERM=xterm $(printf %q "$BIN/vmainspect") --stacks $SUBJ"
	tmux_wait "VMAs"
	# the helper's r-x mapping: filter to its file, the second row, Enter
	keys / "$(basename "$TBIN")/elfsubject" Enter
	keys j Enter
	tmux_wait "sections"
	screen >"$TMP/screen"
	grep -qE "^  build-id +$(readelf_build_id "$TBIN/elfsubject")$" "$TMP/screen" || fail "$(cat "$TMP/screen")"
	grep -qE "^  segment +PT_LOAD #[0-9]+ r-x " "$TMP/screen" || fail "$(cat "$TMP/screen")"
	grep -qE "^  sections +.* \.text( |$)" "$TMP/screen" || fail "$(cat "$TMP/screen")"
	grep -qF "  module        $TBIN/elfsubject" "$TMP/screen" || fail "$(cat "$TMP/screen")"
	# back, clear the filter (Esc), then the main thread's [stack]
	keys q
	tmux_wait "shown"
	keys Escape
	tmux_wait "ascending  snapshot "
	keys / "[stack]" Enter
	tmux_wait 'filter "[stack]": 1 of'
	keys Enter
	tmux_wait "Stack of thread $SUBJ"
	screen | grep -qE "#1 +0x[0-9a-f]+ elfsubject_park\+0x[0-9a-f]+ " || fail "$(screen)"
	keys q q
}
