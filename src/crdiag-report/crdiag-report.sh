#!/usr/bin/env bash
# crdiag-report: what a CRIU maintainer asks for first, in one Markdown file ready to
# paste into an issue, and its JSON twin. It builds nothing: it runs what `make` built
# or installed (the programs next to it) and, through crdiag-test, the user's suite (the
# tests that describe this system), installed or in the tree they were built from.
#
# The JSON is written first and the Markdown is rendered from it, so the two cannot
# disagree. Every step that runs something is bounded by a timeout, and SIGINT/SIGTERM
# stop the running step before the script exits.
set -uo pipefail
shopt -s nullglob

PROG=crdiag-report
VERSION='@VERSION@'
# Kernel config items a CRIU maintainer checks first.
CONFIG_ITEMS=(CONFIG_CHECKPOINT_RESTORE CONFIG_MEM_SOFT_DIRTY CONFIG_USERFAULTFD)
LOG_LINES=${CRDIAG_REPORT_LOG_LINES:-200}

usage() {
	cat <<EOF
Usage: $PROG [OPTIONS]
Write a bug report for CRIU: this system's facts (kernel, config, PAGEMAP_SCAN, CRIU
and \`criu check\`, sysctls), every reproducer's verdict, the CRIU tier's classes, the
bats suite's results (TAP and JUnit), and with --pid what crdiag sees in a process.
One Markdown file ready to paste into an issue (DIR/report.md) and its JSON twin
(DIR/report.json); full logs in DIR/logs, TAP in DIR/tests.tap, JUnit in DIR/junit.

  -o, --output DIR        where to write (default ./crdiag-report; created)
  -p, --pid PID           add that process: over-cap VMAs (vmainspect) and its UDP
                          sockets bound to a source address (crdiag-sockets)
  -q, --quick             run only the quickest of the user's tests (crdiag-test --quick)
  -F, --full              run the whole suite (crdiag-test --all; in a clone: the
                          development suite, minutes)
  -t, --tests FILE        run these bats files instead (repeatable)
  -n, --no-tests          run no tests
  -T, --timeout S         limit for each reproducer and CRIU run (default 120)
      --tests-timeout S   limit for the whole test run (default 1800)
      --render FILE       only print the Markdown of FILE (a report.json) on stdout
      --tap-json FILE     only print the tests JSON the report makes of FILE (bats TAP)
  -h, --help              this help
  -V, --version           version

CRIU is \$CRIU if set, else criu on PATH (as bin/crdiag-criu finds it). The kernel
config is the first of CRDIAG_REPORT_CONFIG (FILE[:FILE...], default
/boot/config-\$(uname -r):/proc/config.gz) that exists; "unknown" when none does.
Programs are found next to this script (CRDIAG_BIN overrides); crdiag-test runs the
tests: by default the user's suite (kernel facts, each reproducer's verdict, the CRIU
tier with your CRIU), well under a minute; the report says how long it took.

Exit status: 0 report written and no test failed, 1 report written but tests failed
(or timed out), 2 error (no report).
EOF
}

die() {
	echo "$PROG: $*" >&2
	cleanup
	exit 2
}

is_count() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ] 2>/dev/null; }

# --- options ---------------------------------------------------------------------
OUT=crdiag-report PID_ARG="" RENDER_FILE="" TAP_FILE="" TIMEOUT=120 TESTS_TIMEOUT=1800 MODE=user TEST_ARGS=() MODES=()
ARGV=("$@")
while [ $# -gt 0 ]; do
	opt=$1 val=""
	case $opt in
	--*=*) val=${opt#*=} opt=${opt%%=*} ;;
	esac
	case $opt in
	-o | --output | -p | --pid | -t | --tests | -T | --timeout | --tests-timeout | --render | --tap-json)
		if [ -z "$val" ]; then
			[ $# -ge 2 ] || { echo "$PROG: option '$opt' needs an argument" >&2; exit 2; }
			val=$2
			shift
		fi ;;
	esac
	case $opt in
	-o | --output) OUT=$val ;;
	-p | --pid) PID_ARG=$val ;;
	-t | --tests) TEST_ARGS+=("$val") MODES+=(chosen) MODE=chosen ;;
	-q | --quick) MODES+=(quick) MODE=quick ;;
	-F | --full) MODES+=(full) MODE=full ;;
	-n | --no-tests) MODES+=(none) MODE=none ;;
	-T | --timeout) TIMEOUT=$val ;;
	--tests-timeout) TESTS_TIMEOUT=$val ;;
	--render) RENDER_FILE=$val ;;
	--tap-json) TAP_FILE=$val ;;
	-h | --help) usage; exit 0 ;;
	-V | --version) echo "$PROG $VERSION"; exit 0 ;;
	-*) echo "$PROG: unknown option '$opt' (see --help)" >&2; exit 2 ;;
	*) echo "$PROG: unexpected argument '$opt'" >&2; exit 2 ;;
	esac
	shift
done
if [ "$(printf '%s\n' ${MODES[@]+"${MODES[@]}"} | sort -u | wc -l)" -gt 1 ]; then
	echo "$PROG: --quick, --full, --tests and --no-tests exclude each other" >&2
	exit 2
fi
is_count "$TIMEOUT" || { echo "$PROG: --timeout: '$TIMEOUT' is not a number of seconds > 0" >&2; exit 2; }
is_count "$TESTS_TIMEOUT" ||
	{ echo "$PROG: --tests-timeout: '$TESTS_TIMEOUT' is not a number of seconds > 0" >&2; exit 2; }
if [ -n "$PID_ARG" ] && ! is_count "$PID_ARG"; then
	echo "$PROG: --pid: '$PID_ARG' is not a PID" >&2
	exit 2
fi
if [ -n "$PID_ARG" ] && [ ! -d "/proc/$PID_ARG" ]; then
	echo "$PROG: --pid: PID $PID_ARG: no such process" >&2
	exit 2
fi

# --- running things, bounded and interruptible ---------------------------------------
WORK="" CHILD=""
cleanup() {
	[ -n "$WORK" ] && rm -rf "$WORK" "$OUT/report.json.tmp" "$OUT/report.md.tmp"
	WORK=""
}
on_signal() {
	if [ -n "$CHILD" ]; then
		kill -TERM "$CHILD" 2>/dev/null
		wait "$CHILD" 2>/dev/null
	fi
	echo "$PROG: interrupted by SIG$1: no report written" >&2
	cleanup
	exit 2
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap cleanup EXIT

# run_bounded SECONDS OUT ERR CMD...: CMD with stdin from /dev/null, stdout to OUT and
# stderr to ERR (ERR "=" joins it to OUT), killed after SECONDS (SIGKILL 10 s later).
# Returns CMD's status; 124 or 137 when the time ran out. In the background so that a
# signal to this script is handled at once, not when the step ends.
run_bounded() {
	local t=$1 out=$2 err=$3 rc
	shift 3
	if [ "$err" = "=" ]; then
		timeout -k 10 "$t" "$@" </dev/null >"$out" 2>&1 &
	else
		timeout -k 10 "$t" "$@" </dev/null >"$out" 2>"$err" &
	fi
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=""
	return "$rc"
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# log_json FILE: {"file": relative path, "lines": N, "text": the last LOG_LINES lines}
log_json() {
	local f=$1 n
	n=$(wc -l <"$f" | tr -d ' ')
	tail -n "$LOG_LINES" "$f" | jq -R -s --arg file "${f#"$OUT"/}" --argjson lines "$n" \
		--argjson max "$LOG_LINES" \
		'{file: $file, lines: $lines, shown: ([$lines, $max] | min), text: .}'
}

last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1; }

# --- where things are ---------------------------------------------------------------
command -v jq >/dev/null || die "jq is not installed (apt-get install jq, or make deps)"
command -v timeout >/dev/null || die "timeout (coreutils) is not installed"
SELF=$(readlink -f "$0")
BIN=${CRDIAG_BIN:-$(dirname "$SELF")}
[ -x "$BIN/crdiag-scan" ] || die "$BIN/crdiag-scan: not found: build crdiag first (make)"
BIN=$(cd "$BIN" && pwd)
SRC=${CRDIAG_SRC:-}
if [ -z "$SRC" ]; then
	for d in "$BIN/.." "$BIN/../../.."; do
		if [ -f "$d/bats/helpers/common.bash" ]; then
			SRC=$(cd "$d" && pwd)
			break
		fi
	done
fi
TBIN=${CRDIAG_TBIN:-}
if [ -z "$TBIN" ]; then
	if [ -d "$BIN/../t" ]; then
		TBIN=$(cd "$BIN/../t" && pwd)
	elif [ -n "$SRC" ]; then
		TBIN=$SRC/build/normal/t
	fi
fi
SANITIZE=0
case $BIN in */build/asan/bin) SANITIZE=1 ;; esac

if [ -z "$RENDER_FILE$TAP_FILE" ]; then
	mkdir -p "$OUT/logs" "$OUT/junit" 2>/dev/null || die "$OUT: cannot create the output directory"
	OUT=$(cd "$OUT" && pwd)
	[ -w "$OUT" ] || die "$OUT: not writable"
	# Only the files this program writes: DIR may be a directory of the user's.
	rm -f "$OUT/report.md" "$OUT/report.json" "$OUT/tests.tap" "$OUT"/logs/*.log \
		"$OUT"/logs/*.json "$OUT/junit/report.xml"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/crdiag-report.XXXXXX") || die "mktemp: cannot create a work directory"
fi
STARTED=$(now)

# --- facts --------------------------------------------------------------------------
# config_value TEXT NAME: the item's value in config TEXT: y, m, a string, or "not set".
config_value() {
	local line
	line=$(grep -E "^($2=|# $2 is not set)" <<<"$1" | head -n 1)
	case $line in
	"$2="*) echo "${line#*=}" ;;
	*) echo "not set" ;; # "is not set", or absent: not selectable on this arch
	esac
}

facts() {
	local release cfg="" src="" probe os commit="" items='{}' name v candidates c
	release=$(uname -r)
	IFS=: read -r -a candidates <<<"${CRDIAG_REPORT_CONFIG:-/boot/config-$release:/proc/config.gz}"
	for c in "${candidates[@]}"; do
		[ -r "$c" ] || continue
		case $c in
		*.gz) cfg=$(gzip -dc "$c" 2>/dev/null) || continue ;;
		*) cfg=$(cat "$c") || continue ;;
		esac
		src=$c
		break
	done
	for name in "${CONFIG_ITEMS[@]}"; do
		v=unknown
		[ -n "$src" ] && v=$(config_value "$cfg" "$name")
		items=$(jq -c --arg k "$name" --arg v "$v" '. + {($k): $v}' <<<"$items")
	done
	if ! probe=$("$BIN/crdiag-scan" --probe --json 2>"$WORK/probe.err"); then
		probe=$(jq -n --arg e "$(last_line "$WORK/probe.err")" '{kernel: null, error: $e}')
	fi
	os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
	if [ -n "$SRC" ] && command -v git >/dev/null; then
		commit=$(git -C "$SRC" describe --always --dirty 2>/dev/null || true)
	fi
	jq -n --arg release "$release" --arg kver "$(uname -v)" --arg arch "$(uname -m)" \
		--arg page "$(getconf PAGESIZE)" --arg os "$os" --arg src "$src" \
		--argjson items "$items" --argjson probe "$probe" \
		--argjson searched "$(printf '%s\n' "${candidates[@]}" | jq -R . | jq -s -c .)" \
		--arg mmc "$(cat /proc/sys/vm/max_map_count 2>/dev/null)" \
		--arg oc "$(cat /proc/sys/vm/overcommit_memory 2>/dev/null)" \
		--arg uid "$(id -u)" --arg version "$VERSION" --arg commit "$commit" '
		def num: if . == "" then null else tonumber end;
		def str: if . == "" then null else . end;
		{
			kernel_release: $release,
			kernel_version: $kver,
			architecture: $arch,
			page_size: ($page | num),
			os: ($os | str),
			kernel_config: ({source: ($src | str), searched: $searched} + $items),
			pagemap_scan: $probe.kernel.pagemap_scan,
			pagemap_scan_categories: $probe.kernel.scan_categories,
			pagemap_probe_error: $probe.error,
			max_rw_count: $probe.kernel.max_rw_count,
			vm_max_map_count: ($mmc | num),
			vm_overcommit_memory: ($oc | num),
			uid: ($uid | num),
			crdiag_version: $version,
			crdiag_commit: ($commit | str)
		}'
}

# --- CRIU: bin/crdiag-criu decides which CRIU and whether it is usable ---------------------
criu_section() {
	local probe rc path status vout="" cout="" vrc="" crc=""
	# crdiag-criu bounds each of its two CRIU runs by --timeout.
	run_bounded $((TIMEOUT * 2 + 10)) "$WORK/criu.json" "$WORK/criu.err" \
		"$BIN/crdiag-criu" --json --timeout "$TIMEOUT"
	rc=$?
	if [ "$rc" -gt 1 ] || ! probe=$(jq -c . "$WORK/criu.json" 2>/dev/null) || [ -z "$probe" ]; then
		jq -n --arg e "crdiag-criu failed (exit $rc): $(last_line "$WORK/criu.err")" \
			'{status: "error", path: null, found: false, version: null, check_status: null,
			  usable: false, reason: $e, version_output: null, check_output: null}'
		return
	fi
	path=$(jq -r '.path // empty' <<<"$probe")
	if [ "$(jq -r .found <<<"$probe")" = true ]; then
		# The raw output a maintainer asks for; crdiag-criu keeps only the decisive line.
		run_bounded "$TIMEOUT" "$OUT/logs/criu-version.log" = "$path" --version
		vrc=$?
		run_bounded "$TIMEOUT" "$OUT/logs/criu-check.log" = "$path" check
		crc=$?
		vout=$(log_json "$OUT/logs/criu-version.log")
		cout=$(log_json "$OUT/logs/criu-check.log")
		status=unusable
		[ "$(jq -r .usable <<<"$probe")" = true ] && status=usable
	else
		status="not found"
	fi
	jq --arg status "$status" --argjson v "${vout:-null}" --argjson c "${cout:-null}" \
		--arg vrc "$vrc" --arg crc "$crc" '
		{status: $status} + . + {
			version_output: (if $v then $v + {exit_code: ($vrc | tonumber)} else null end),
			check_output: (if $c then $c + {exit_code: ($crc | tonumber)} else null end)
		}' <<<"$probe"
}

# --- reproducers: each one's verdict line ---------------------------------------------
repro_one() { # repro_one NAME: its human run, judged by its verdict line
	local name=$1 log="$OUT/logs/$1.log" start rc line verdict reason timed_out=false
	start=$(now)
	run_bounded "$TIMEOUT" "$log" = "$BIN/$name"
	rc=$?
	line=$(grep -E '^verdict: ' "$log" | tail -n 1)
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		timed_out=true verdict=error reason="timed out after $TIMEOUT s"
	elif [ -n "$line" ]; then
		line=${line#verdict: }
		verdict=${line%%:*}
		reason=${line#"$verdict"}
		reason=${reason#: }
	else
		verdict=error reason="no verdict line (exit $rc): $(last_line "$log")"
	fi
	jq -n --arg name "$name" --arg rc "$rc" --arg verdict "$verdict" --arg reason "$reason" \
		--arg seconds "$(since "$start")" --argjson timed_out "$timed_out" \
		--argjson log "$(log_json "$log")" '
		{name: $name, command: $name, exit_code: ($rc | tonumber), verdict: $verdict,
		 reason: $reason, seconds: ($seconds | tonumber), timed_out: $timed_out, log: $log}'
}

# The CRIU tier: `--criu --json`, its verdict and the class of every CRIU run it made.
criu_tier_one() {
	local name=$1 json="$OUT/logs/$1-criu.json" err="$OUT/logs/$1-criu.log" start rc doc
	start=$(now)
	# Each CRIU run is bounded by --criu-timeout; a repro makes at most three.
	run_bounded $((TIMEOUT * 3 + 30)) "$json" "$err" "$BIN/$name" --criu --json \
		--criu-timeout "$TIMEOUT"
	rc=$?
	if ! doc=$(jq -c . "$json" 2>/dev/null) || [ -z "$doc" ]; then
		local why="no JSON document (exit $rc): $(last_line "$err")"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="timed out after $((TIMEOUT * 3 + 30)) s"
		doc=$(jq -n --arg r "$why" '{verdict: "error", reason: $r}')
	fi
	# Keep the document as the log: it is what the tier says, classes included.
	jq -n --arg name "$name" --arg rc "$rc" --arg seconds "$(since "$start")" \
		--argjson doc "$doc" --argjson log "$(log_json "$json")" \
		--argjson stderr "$(log_json "$err")" '
		def run(step): {step: step, exit_code, class, line, seconds, timed_out};
		{
			name: $name, command: ($name + " --criu"), exit_code: ($rc | tonumber),
			verdict: $doc.verdict, reason: $doc.reason, seconds: ($seconds | tonumber),
			criu: $doc.criu,
			runs: [
				(($doc.dumps // [])[] | run("dump " + .name)),
				($doc.restore // null | objects | run("restore from " + (.from // "dump"))),
				(($doc.cases // [])[] | .name as $c |
					(.dump | objects | run($c + ": dump")),
					(.restore | objects | run($c + ": restore")))
			],
			log: $log, stderr: $stderr
		}'
}

# --- tests ----------------------------------------------------------------------------
# tap_json TAPFILE: counts, failures with their output, skips with reasons. The JUnit
# reporter turns bats timing on: results end in " # in N ms", which is not the name.
# The parser: src/crdiag-report/tap.jq, put here by make (tested alone: --tap-json).
read -r -d '' TAP_JQ <<'JQ'
@include tap.jq
JQ
tap_json() {
	jq -R -s "$TAP_JQ" "$1"
}

tests_section() {
	local files=() f rc start reason="" cmd=(crdiag-test)
	case $MODE in
	none) reason="not run (--no-tests)" ;;
	*)
		if [ ! -x "$BIN/crdiag-test" ]; then
			reason="not run: $BIN/crdiag-test is not installed"
		elif ! command -v bats >/dev/null; then
			reason="not run: bats is not installed (make deps, or apt-get install bats bats-assert bats-support bats-file)"
		fi ;;
	esac
	if [ -n "$reason" ]; then
		jq -n --arg r "$reason" '{ran: false, reason: $r}'
		return 0
	fi
	case $MODE in
	quick) cmd+=(--quick) ;;
	full) cmd+=(--all) ;;
	chosen) files=("${RESOLVED_TESTS[@]}") cmd+=("${RESOLVED_TESTS[@]}") ;;
	esac
	# crdiag-test finds the suite itself (an install's or the clone's), or CRDIAG_TESTS.
	local envs=(CRDIAG_BIN="$BIN" CRDIAG_SANITIZE="$SANITIZE")
	[ -n "$TBIN" ] && envs+=(CRDIAG_TBIN="$TBIN")
	[ -n "${CRDIAG_SRC:-}" ] && envs+=(CRDIAG_TESTS="$CRDIAG_SRC/bats")
	start=$(now)
	run_bounded "$TESTS_TIMEOUT" "$OUT/tests.tap" "$OUT/logs/bats.log" \
		env "${envs[@]}" "$BIN/${cmd[0]}" --junit "$OUT/junit" "${cmd[@]:1}"
	rc=$?
	local shown=() listed='[]'
	for f in ${files[@]+"${files[@]}"}; do
		[ -d "$f" ] && f=${f%/}/
		shown+=("${f#"$SRC"/}")
	done
	[ ${#shown[@]} -gt 0 ] && listed=$(printf '%s\n' "${shown[@]}" | jq -R . | jq -s -c .)
	jq -n --arg rc "$rc" --arg seconds "$(since "$start")" --arg mode "$MODE" \
		--arg command "$(printf '%q ' crdiag test "${cmd[@]:1}" | sed 's/ $//')" \
		--argjson counts "$(tap_json "$OUT/tests.tap")" \
		--argjson files "$listed" \
		--argjson tap "$(log_json "$OUT/tests.tap")" \
		--argjson stderr "$(log_json "$OUT/logs/bats.log")" \
		--arg junit "$([ -s "$OUT/junit/report.xml" ] && echo junit/report.xml)" \
		--argjson limit "$TESTS_TIMEOUT" '
		($rc | tonumber) as $rc
		| {ran: true, mode: $mode, command: $command, files: $files, exit_code: $rc,
		   timed_out: ($rc == 124 or $rc == 137), seconds: ($seconds | tonumber),
		   timeout: $limit, tap: "tests.tap", junit: (if $junit == "" then null else $junit end)}
		  + $counts + {log: $tap, stderr: $stderr}'
}

# --- one process: what crdiag knows breaks CRIU --------------------------------------------
process_section() {
	local pid=$1 vi="" vrc so="" src
	run_bounded 60 "$OUT/logs/vmainspect.json" "$WORK/vi.err" "$BIN/vmainspect" --json "$pid"
	vrc=$?
	[ "$vrc" -eq 0 ] && vi=$(jq -c . "$OUT/logs/vmainspect.json" 2>/dev/null)
	run_bounded 60 "$OUT/logs/sockets.json" "$WORK/so.err" "$BIN/crdiag-sockets" --json "$pid"
	src=$?
	[ "$src" -eq 0 ] && so=$(jq -c . "$OUT/logs/sockets.json" 2>/dev/null)
	jq -n --argjson pid "$pid" --argjson vi "${vi:-null}" --argjson so "${so:-null}" \
		--arg verr "$(last_line "$WORK/vi.err")" --arg serr "$(last_line "$WORK/so.err")" '
		{
			pid: $pid,
			comm: ($vi.comm // $so.comm),
			vmas: (if $vi then {
				count: $vi.totals.vmas, virtual: $vi.totals.virt,
				resident: $vi.totals.resident, pagemap_bytes: $vi.totals.pagemap_bytes,
				reads: $vi.totals.reads, max_rw_count: $vi.kernel.max_rw_count,
				over_cap: [$vi.vmas[] | select(.over_cap)
					| {start, "end": .["end"], size, perms, kind, name, pagemap_bytes, reads}]
			} else null end),
			vmas_error: (if $vi then null else $verr end),
			sockets: (if $so then {
				inet: ($so.inet | length), other: $so.other_sockets,
				tcp: ([$so.inet[] | select(.protocol == "tcp")] | length),
				udp: [$so.inet[] | select(.protocol == "udp")
					| {fd, family, local, peer, state, bound_source}],
				udp_bound_source: $so.udp_bound_source
			} else null end),
			sockets_error: (if $so then null else $serr end)
		}'
}

# --- the Markdown, from the JSON ---------------------------------------------------------
# Everything a process or CRIU controls goes through md, cell, code or fence
# (termsafe.jq): escaped for a terminal and for Markdown.
read -r -d '' RENDER <<'JQ'
@include termsafe.jq
@include render.jq
JQ

# --tap-json FILE: the parser alone on a TAP file (its test needs no report run).
if [ -n "$TAP_FILE" ]; then
	[ -r "$TAP_FILE" ] && [ -f "$TAP_FILE" ] || die "--tap-json: $TAP_FILE: not a readable file"
	jq -R -s "$TAP_JQ" "$TAP_FILE" || die "--tap-json: $TAP_FILE: not a TAP file"
	exit 0
fi

# --render FILE: the Markdown of a report already written (e.g. after editing its JSON).
if [ -n "$RENDER_FILE" ]; then
	[ -r "$RENDER_FILE" ] && [ -f "$RENDER_FILE" ] || die "--render: $RENDER_FILE: not a readable file"
	# the Markdown to stdout as it is; jq's complaint, if any, kept for the one error line
	{ err=$(jq -r "$RENDER" "$RENDER_FILE" 2>&1 >&3); } 3>&1 ||
		die "--render: $RENDER_FILE: not a report.json: $(head -n 1 <<<"$err")"
	exit 0
fi

# --- main -----------------------------------------------------------------------------
RESOLVED_TESTS=()
for f in "${TEST_ARGS[@]}"; do
	if [ -e "$f" ]; then
		RESOLVED_TESTS+=("$(readlink -f "$f")")
	elif [ -n "$SRC" ] && [ -e "$SRC/$f" ]; then
		RESOLVED_TESTS+=("$SRC/$f")
	elif [ -n "$SRC" ] && [ -e "$SRC/bats/$f" ]; then
		RESOLVED_TESTS+=("$SRC/bats/$f")
	else
		die "--tests: $f: no such file"
	fi
done

echo "$PROG: facts" >&2
facts >"$WORK/facts.json" || die "collecting the facts failed"
echo "$PROG: CRIU" >&2
criu_section >"$WORK/criu.json.out" || die "probing CRIU failed"
REPROS=()
for r in "$BIN"/repro-*; do [ -x "$r" ] && REPROS+=("$(basename "$r")"); done
: >"$WORK/repros.jsonl"
: >"$WORK/tier.jsonl"
for r in "${REPROS[@]}"; do
	echo "$PROG: $r" >&2
	repro_one "$r" >>"$WORK/repros.jsonl" || die "$r: recording its verdict failed"
done
for r in "${REPROS[@]}"; do
	"$BIN/$r" --help 2>/dev/null | grep -q -- '--criu' || continue
	echo "$PROG: $r --criu" >&2
	criu_tier_one "$r" >>"$WORK/tier.jsonl" || die "$r --criu: recording its verdict failed"
done
echo "$PROG: tests" >&2
tests_section >"$WORK/tests.json" || die "recording the test run failed"
echo null >"$WORK/process.json"
if [ -n "$PID_ARG" ]; then
	echo "$PROG: process $PID_ARG" >&2
	process_section "$PID_ARG" >"$WORK/process.json" || die "--pid $PID_ARG: recording it failed"
fi

cmd=$PROG
for a in ${ARGV[@]+"${ARGV[@]}"}; do cmd+=" $(printf '%q' "$a")"; done
jq -n --arg version "$VERSION" --arg generated "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg seconds "$(since "$STARTED")" --arg command "$cmd" --arg out "$OUT" \
	--slurpfile facts "$WORK/facts.json" --slurpfile criu "$WORK/criu.json.out" \
	--slurpfile repros "$WORK/repros.jsonl" --slurpfile tier "$WORK/tier.jsonl" \
	--slurpfile tests "$WORK/tests.json" --slurpfile process "$WORK/process.json" '
	{
		report: {tool: "crdiag-report", version: $version, generated: $generated,
			 seconds: ($seconds | tonumber), command: $command, output: $out},
		facts: $facts[0], criu: $criu[0], repros: $repros, criu_tier: $tier,
		tests: $tests[0], process: $process[0]
	}' >"$OUT/report.json.tmp" || die "writing $OUT/report.json failed"
jq -r "$RENDER" "$OUT/report.json.tmp" >"$OUT/report.md.tmp" || die "writing $OUT/report.md failed"
mv "$OUT/report.json.tmp" "$OUT/report.json"
mv "$OUT/report.md.tmp" "$OUT/report.md"

echo "$PROG: wrote $OUT/report.md and $OUT/report.json in $(jq -r .report.seconds "$OUT/report.json") s" >&2
# bats exits non-zero on a failed test, and when it could not run them all.
if [ "$(jq -r '.tests.ran and .tests.exit_code != 0' "$OUT/report.json")" = true ]; then
	echo "$PROG: the test run did not pass: see the Tests section" >&2
	exit 1
fi
exit 0
