#!/usr/bin/env bats
# Nothing the target controls reaches the terminal raw. helpers/escsubject names its
# files, its cwd and a unix socket with escape sequences (SGR, an OSC that retitles the
# terminal, BEL, a C1 CSI as UTF-8 and as a raw byte, a byte that is not UTF-8) and sets
# its comm to "a\e[31mX\a"; every program's text output about it must hold no control
# byte (below 0x20 other than \n, DEL, a C1 control, invalid UTF-8) and must hold the
# escaped form (so it cannot pass by printing nothing). JSON stays exact. A new program
# joins by adding a row to the table in the first test.

load helpers/common

setup() {
	common_setup
	ESC_DIR=$TMP/esc
	mkdir -p "$ESC_DIR"
	start_bg "$TMP/subject.pid" "$TBIN/escsubject" --dir "$ESC_DIR" --pidfile "$TMP/subject.pid"
	PID=$(cat "$TMP/subject.pid")
	# its 1100 GiB mapping of the escaped file (an ASan build has larger VMAs of its own)
	RES=$(awk '$1 == "reservation" { print $2 }' "$BG_OUT")
}

teardown() {
	common_teardown
}

# The subject's names, raw (for JSON exactness) and escaped as termsafe.h writes them.
RAW_NAME=$'x\e[31mRED\e]0;pwned\a'
RAW_COMM=$'a\e[31mX\a'

# want WORD: the text a row's output must contain
want() {
	case $1 in
	name) printf '%s' "$ESC_DIR/"'x\e[31mRED\e]0;pwned\x07' ;;
	c1) printf '%s' "$ESC_DIR/"'c1\u{009b}7m\x9b1m\xff' ;;
	comm) printf '%s' 'a\e[31mX\x07' ;;
	cwd) printf '%s' "$ESC_DIR/"'d\e]0;cwd\x07' ;;
	logline) printf '%s' 'Can'\''t open file tmp/esc/x\e[31mRED\e]0;pwned\x07 on restore' ;;
	criuline) printf '%s' 'ghost file /tmp/esc/x\e[31mRED\e]0;pwned\x07 of 5000' ;;
	jname) printf '%s' "$ESC_DIR/"'x\u001b[31mRED\u001b]0;pwned\u0007' ;;
	mdname) printf '%s' "$ESC_DIR/"'x\\e[31mRED\\e]0;pwned\\x07' ;;
	mdcomm) printf '%s' 'a\\e[31mX\\x07' ;;
	mdpoison) printf '%s' '\\e]0;pwned\\x07\|\`\<\\u{009b}' ;;
	*) echo "want: unknown word $1" >&2; return 1 ;;
	esac
}

# ctl_bytes FILE FORMAT: the first forbidden byte of FILE with its offset and context,
# exit 1; exit 0 when there is none. text and md: no byte below 0x20 but \n, no DEL, no
# C1 control (U+0080-U+009F), no byte outside valid UTF-8. json: no control byte and
# no DEL either (JSON escapes them); valid UTF-8 goes through as it is, C1 included:
# JSON is exact, it is not meant for a terminal's eyes.
ctl_bytes() {
	perl -e '
		my ($file, $format) = @ARGV;
		open(my $h, "<:raw", $file) or die "$file: $!\n";
		local $/;
		my $d = <$h> // "";
		sub bad { my ($at, $what) = @_;
			my $ctx = substr($d, $at > 30 ? $at - 30 : 0, 60);
			$ctx =~ s/([^\x20-\x7e])/sprintf("<%02x>", ord($1))/ge;
			print "byte $at: $what, near: $ctx\n"; exit 1; }
		bad($-[0], "control byte") if $d =~ /[\x00-\x09\x0b-\x1f\x7f]/;
		exit 0 if $format eq "json";
		bad($-[0], "C1 control as UTF-8") if $d =~ /\xc2[\x80-\x9f]/;
		(my $rest = $d) =~ s/[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/u/g;
		bad(-1, sprintf("a byte 0x%02x outside valid UTF-8 (offset in the output with UTF-8 sequences as one byte: %d)", ord($&), $-[0])) if $rest =~ /[\x80-\xff]/;
		exit 0;' "$1" "$2"
}

# Programs the table can name that are not in $BIN: each prints its text output.
manifest_of_subject() { "$BIN/restore-check" manifest "$PID" >"$TMP/manifest.json" && cat "$TMP/manifest.json"; }
verify_of_subject() { manifest_of_subject >/dev/null && "$BIN/restore-check" verify "$TMP/manifest.json"; }
criu_log_of_subject() {
	printf '(00.000001) Version: 4.2 (gitid v4.2)\n(00.100000) Error (criu/files-reg.c:2154): Can'\''t open file tmp/esc/%s on restore: No such file or directory\n(00.100100) Error (criu/cr-restore.c:2447): Restoring FAILED.\n' \
		"$RAW_NAME" >"$TMP/restore.log"
	"$BIN/crdiag-criu" --log "$TMP/restore.log"
}
# A --criu mode quoting CRIU's decisive line (a fake CRIU replays a log naming the file).
giant_criu_fake() {
	printf '(00.000001) Version: 4.2 (gitid v4.2)\n(00.200000) Error (criu/files-reg.c:1100): Can'\''t dump ghost file /tmp/esc/%s of 5000 size, increase limit\n(00.300000) Error (criu/cr-dump.c:2100): Dumping FAILED.\n' \
		"$RAW_NAME" >"$TMP/dump.log"
	CRIU=$BATS_TEST_DIRNAME/helpers/fake-criu FAKE_CRIU_VERSION=$'4.2\e]0;v\a' \
		FAKE_CRIU_DUMP_LOG=$TMP/dump.log FAKE_CRIU_DUMP_STATUS=1 \
		FAKE_CRIU_DUMP_LOG_FAULT=$TMP/dump.log FAKE_CRIU_DUMP_STATUS_FAULT=1 \
		"$BIN/repro-giant-vma" --criu --criu-timeout 30
}
# crdiag-report --pid on the subject (the real crdiag programs, no repro, no tests).
report_of_subject() {
	mkdir -p "$TMP/rbin"
	local p
	for p in crdiag-scan crdiag-criu vmainspect crdiag-sockets; do
		ln -sf "$BIN/$p" "$TMP/rbin/$p"
	done
	CRDIAG_BIN=$TMP/rbin "$BIN/crdiag-report" --no-tests --pid "$PID" --output "$TMP/report" \
		>/dev/null 2>"$TMP/report.err" && cat "$TMP/report/report.md"
}
# Its JSON with every string poisoned, rendered again: every field of the renderer.
report_poisoned() {
	report_of_subject >/dev/null || return
	jq 'walk(if type == "string" then . + "\u001b]0;pwned\u0007|`<\u009b" else . end)' \
		"$TMP/report/report.json" >"$TMP/poisoned.json" &&
		"$BIN/crdiag-report" --render "$TMP/poisoned.json"
}

# escape_table: "FORMAT WANT,... PROG ARGS..." lines (@PID@ is the subject, @RES@ the
# start of its mapping of the escaped file); each
# program's stdout and stderr are checked; exit 0 or 1 are fine (a finding), 77 too
# (a repro that skips still prints what it saw). Prints the number of rows.
escape_table() {
	local line format wants prog w n=0 failures=() out err rc
	local -a words args
	while IFS= read -r line; do
		[[ -z "$line" || "$line" == \#* ]] && continue
		read -r -a words <<<"$line"
		format=${words[0]} wants=${words[1]} prog=${words[2]}
		args=("${words[@]:3}")
		args=("${args[@]/@PID@/$PID}")
		args=("${args[@]/@RES@/$RES}")
		out=$TMP/row$n.out err=$TMP/row$n.err
		rc=0
		if [ -x "$BIN/$prog" ]; then
			timeout 60 "$BIN/$prog" "${args[@]}" >"$out" 2>"$err" || rc=$?
		elif declare -F "$prog" >/dev/null; then
			"$prog" "${args[@]}" >"$out" 2>"$err" || rc=$?
		else
			failures+=("$line: $prog is neither built nor a function here")
			continue
		fi
		n=$((n + 1))
		if [ "$rc" -gt 1 ] && [ "$rc" -ne 77 ]; then
			failures+=("$line: exit $rc; stderr: $(head -c 400 "$err" | cat -v)")
			continue
		fi
		ctl_bytes "$out" "$format" >"$TMP/why" || failures+=("$line: stdout: $(cat "$TMP/why")")
		ctl_bytes "$err" text >"$TMP/why" || failures+=("$line: stderr: $(cat "$TMP/why")")
		for w in ${wants//,/ }; do
			grep -qF -- "$(want "$w")" "$out" ||
				failures+=("$line: stdout lacks the escaped $w: $(want "$w"); it has: $(grep -a esc "$out" | head -n 3 | cat -v)")
		done
	done
	echo "# ${BATS_TEST_DESCRIPTION%%:*}: $n outputs" >&3
	if [ "${#failures[@]}" -gt 0 ]; then
		printf '%s\n' "${failures[@]}"
		return 1
	fi
}

@test "termsafe: every program's text output about a hostile process is escaped" {
	escape_table <<-'ROWS'
	# FORMAT WANT              PROG ARGS...
	text   name,c1             crdiag-scan @PID@
	text   name,c1             crdiag-scan --elf @PID@
	text   name,c1,comm        vmainspect --batch @PID@
	text   name,c1,comm        vmainspect --batch --sort pagemap --filter esc @PID@
	text   comm                crdiag-sockets @PID@
	text   name,c1,comm        crdiag-check @PID@
	text   name,comm           crdiag-check --criu-version 3.17.1 --options --shell-job @PID@
	json   jname               manifest_of_subject
	text   name,c1,comm,cwd    verify_of_subject
	text   logline             criu_log_of_subject
	text   name                repro-pagemap-read --pid @PID@ --vma @RES@ --strategy scan
	text   criuline            giant_criu_fake
	md     mdname,mdcomm       report_of_subject
	md     mdpoison            report_poisoned
	ROWS
}

@test "termsafe: JSON stays exact: the raw names decode back from every --json" {
	local name=$ESC_DIR/$RAW_NAME
	run -0 "$BIN/crdiag-scan" --json "$PID"
	assert_equal "$(jq -r --arg n "$name" '[.vmas[] | select(.name == $n)] | length' <<<"$output")" 1
	run -0 "$BIN/vmainspect" --json "$PID"
	assert_equal "$(jq -r .comm <<<"$output")" "$RAW_COMM"
	assert_equal "$(jq -r --arg n "$name" '[.vmas[] | select(.name == $n)] | length' <<<"$output")" 1
	run -0 "$BIN/crdiag-sockets" --json "$PID"
	assert_equal "$(jq -r .comm <<<"$output")" "$RAW_COMM"
	run -0 "$BIN/restore-check" manifest "$PID"
	assert_equal "$(jq -r --arg n "$name" '[.files[] | select(.path == $n)] | length' <<<"$output")" 1
}

@test "termsafe: the TUI shows the escaped comm and names; the terminal keeps its title" {
	tmux_new 160 40 env TERM=tmux-256color "$BIN/vmainspect" --filter RED "$PID"
	tmux -S "$SOCK" select-pane -T crdiag-test
	wait_screen 'VMAs'
	run screen
	assert_line --partial "$(want comm) [$PID]"
	# the list clips a name from the left: its end is what shows
	assert_line --partial 'esc/x\e[31mRED\e]0;pwned\x07'
	keys Enter
	wait_screen '^VMA [0-9a-f]+-'
	run screen
	assert_line --partial "name          $(want name)"
	assert_equal "$(tmux -S "$SOCK" display -p '#{pane_title}')" crdiag-test
	keys q
}

@test "termsafe: termsafe.jq escapes as termsafe.h does" {
	local s c j
	for s in "$RAW_NAME" $'tab\there\r\n' 'back\slash' $'\x7f\x01' $'c1 \u009b bidi \u202e lsep \u2028 ok \u00e9 \u4e2d' plain ''; do
		c=$("$TBIN/tsecho" "$s")
		j=$(jq -rn --arg s "$s" "$(sed -n '/^def /,$p' "$BATS_TEST_DIRNAME/../src/crdiag-report/termsafe.jq") \$s | ts")
		assert_equal "$j" "$c"
	done
	# and what only the C side can see: bytes that are not UTF-8
	assert_equal "$("$TBIN/tsecho" $'\x9b\xff\xc3')" '\x9b\xff\xc3'
}
