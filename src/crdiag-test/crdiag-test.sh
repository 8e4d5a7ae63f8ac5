#!/usr/bin/env bash
# crdiag-test: the suite that describes the user's system (kernel facts, each repro's
# verdict, the CRIU tier with their CRIU), run against the installed programs. The
# tests are the development suite's own, tagged `# bats test_tags=user` (and `quick`
# for the fastest); an install carries only the files that hold such tests.
#
# It finds the programs next to itself (a clone's bin/, an install's libexec/crdiag,
# where vmainspect and the repros are links to ../../bin), the suite in the install's
# share/crdiag/tests or the clone's bats/, and runs bats with TAP on stdout.
set -uo pipefail

PROG=crdiag-test
VERSION='@VERSION@'

usage() {
	cat <<EOF
Usage: $PROG [OPTIONS] [FILE...]
Run the tests that describe this system: kernel facts, each reproducer's verdict
and the CRIU tier with your CRIU (\$CRIU, else criu on PATH), against the installed
programs. TAP on stdout; a summary with the time taken on stderr.

  -q, --quick         only the quickest of them (kernel facts, the CRIU probe)
  -a, --all           every test of the suite, not only the user's (in a clone: the
                      whole development suite)
  -J, --junit DIR     also write a JUnit report to DIR/report.xml (DIR is created)
  -h, --help          this help
  -V, --version       version

FILE... runs all the tests of those bats files instead. The suite is CRDIAG_TESTS if
set, else PREFIX/share/crdiag/tests of an install, else bats/ of a clone; programs are
next to this one (CRDIAG_BIN overrides), test helpers in PREFIX/libexec/crdiag/tests or
a clone's build/*/t (CRDIAG_TBIN overrides).

Exit status: 0 every test passed (or skipped, saying why), 1 a test failed, 2 error
(no suite, bats not installed, bad usage).
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 2
}

QUICK=0 ALL=0 JUNIT="" FILES=()
while [ $# -gt 0 ]; do
	opt=$1 val="" has_val=0
	case $opt in
	--*=*) val=${opt#*=} opt=${opt%%=*} has_val=1 ;;
	esac
	case $opt in
	-J | --junit)
		if [ "$has_val" = 0 ]; then
			[ $# -ge 2 ] || die "option '$opt' needs an argument"
			val=$2
			shift
		fi
		[ -n "$val" ] || die "option '$opt': the directory name is empty" ;;
	*) [ "$has_val" = 0 ] || die "option '$opt' takes no value" ;;
	esac
	case $opt in
	-q | --quick) QUICK=1 ;;
	-a | --all) ALL=1 ;;
	-J | --junit) JUNIT=$val ;;
	-h | --help) usage; exit 0 ;;
	-V | --version) echo "$PROG $VERSION"; exit 0 ;;
	--) shift; FILES+=("$@"); break ;;
	-*) die "unknown option '$opt' (see --help)" ;;
	*) FILES+=("$opt") ;;
	esac
	shift
done
[ "$QUICK$ALL" != 11 ] || die "--quick and --all exclude each other"
[ ${#FILES[@]} -eq 0 ] || [ "$QUICK$ALL" = 00 ] || die "FILE... and --quick or --all exclude each other"
command -v bats >/dev/null || die "bats is not installed (apt-get install bats bats-assert bats-support bats-file)"

# --- where things are -------------------------------------------------------------
HERE=$(dirname "$(readlink -f "$0")")
BIN=${CRDIAG_BIN:-$HERE}
[ -d "$BIN" ] || die "$BIN: no such directory (CRDIAG_BIN)"
BIN=$(cd "$BIN" && pwd)
SUITE=${CRDIAG_TESTS:-}
if [ -z "$SUITE" ]; then
	# an install's share, a clone's bin/.. or build/asan/bin/../../..
	for d in "$HERE/../../share/crdiag/tests" "$HERE/../bats" "$HERE/../../../bats"; do
		if [ -f "$d/helpers/common.bash" ]; then
			SUITE=$d
			break
		fi
	done
	[ -n "$SUITE" ] || die "no test suite found (looked in $HERE/../../share/crdiag/tests and $HERE/../bats; set CRDIAG_TESTS)"
fi
[ -d "$SUITE" ] || die "$SUITE: no such directory (CRDIAG_TESTS)"
SUITE=$(cd "$SUITE" && pwd)
TBIN=${CRDIAG_TBIN:-}
if [ -z "$TBIN" ]; then
	for d in "$HERE/tests" "$HERE/../t" "$HERE/../build/normal/t"; do
		if [ -d "$d" ]; then
			TBIN=$(cd "$d" && pwd)
			break
		fi
	done
fi
SANITIZE=${CRDIAG_SANITIZE:-0}
case $BIN in */build/asan/bin) SANITIZE=1 ;; esac

ARGS=()
if [ ${#FILES[@]} -gt 0 ]; then
	for f in "${FILES[@]}"; do
		if [ -z "$f" ]; then
			die "an empty FILE name"
		elif [ -e "$f" ]; then
			ARGS+=("$f")
		elif [ -e "$SUITE/$f" ]; then
			ARGS+=("$SUITE/$f")
		else
			die "$f: no such file (nor in $SUITE)"
		fi
	done
elif [ "$ALL" = 1 ]; then
	ARGS=("$SUITE")
elif [ "$QUICK" = 1 ]; then
	ARGS=(--filter-tags user,quick "$SUITE")
else
	ARGS=(--filter-tags user "$SUITE")
fi

FLAGS=(--tap --print-output-on-failure)
if [ -n "$JUNIT" ]; then
	{ mkdir -p "$JUNIT" && [ -w "$JUNIT" ]; } 2>/dev/null || die "$JUNIT: cannot create or write the directory"
	FLAGS+=(--report-formatter junit --output "$JUNIT")
fi

TAP=$(mktemp "${TMPDIR:-/tmp}/crdiag-test.XXXXXX") || die "mktemp: cannot create a temporary file"
child=""
# bats and its tests run in a process group of their own (set -m), so a signal to this
# script reaches all of them, also what a test started: SIGINT/SIGTERM go to the whole
# group, then this script dies of the signal, as the shell's convention has it.
on_signal() {
	[ -n "$child" ] && kill "-$1" -- "-$child" 2>/dev/null && wait "$child"
	rm -f "$TAP"
	trap - "$1"
	kill "-$1" $$
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'rm -f "$TAP"' EXIT
start=$EPOCHREALTIME
# In the background and waited for, so that a signal is handled at once.
set -m
CRDIAG_BIN=$BIN CRDIAG_TBIN=$TBIN CRDIAG_SANITIZE=$SANITIZE \
	bats "${FLAGS[@]}" "${ARGS[@]}" </dev/null >"$TAP" &
child=$!
tail -n +1 -s 0.2 --pid="$child" -f "$TAP" 2>/dev/null &
tailer=$!
set +m
wait "$child"
rc=$?
child=""
wait "$tailer"
passed=$(grep -cE '^ok [0-9]+' "$TAP")
skipped=$(grep -cE '^ok [0-9]+ .*# (skip|SKIP)' "$TAP")
failed=$(grep -cE '^not ok [0-9]+' "$TAP")
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "$PROG: $((passed - skipped)) passed, $failed failed, $skipped skipped in $secs s ($SUITE)" >&2
[ "$failed" -gt 0 ] && exit 1
if [ "$rc" -ne 0 ]; then
	echo "$PROG: bats exited $rc without a failed test (the suite could not run)" >&2
	exit 2
fi
[ "$passed" -gt 0 ] || die "no test ran: nothing in $SUITE is selected"
exit 0
