# Shared by every *.bats file: libraries, program locations, a temp dir per test, and
bats_require_minimum_version 1.5.0
# background processes that are always stopped in teardown.
#   load helpers/common      (in each .bats file)
#   setup()    { common_setup; }
#   teardown() { common_teardown; }

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${CRDIAG_BIN:-$ROOT/bin}
TBIN=${CRDIAG_TBIN:-$ROOT/build/normal/t}
FIXTURES=$BATS_TEST_DIRNAME/fixtures
# Real CRIU logs (each directory's README says what ran); part of the repository.
CRIU_LOGS=$FIXTURES/criu-logs
CRIU_FAILURES=$FIXTURES/criu-failures

common_setup() {
	TMP=$(mktemp -d "${BATS_RUN_TMPDIR:-/tmp}/crdiag.XXXXXX")
	BG_PIDS=()
	SOCK=
}

common_teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ -z "${SOCK:-}" ] || tmux -S "$SOCK" kill-server 2>/dev/null || true
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	[ -z "${NOBODY_DIR:-}" ] || rm -rf "$NOBODY_DIR"
}

# start_bg PIDFILE CMD...: start CMD in the background (fd 3 closed, or bats hangs),
# wait up to 10 s for it to write PIDFILE; sets BG_PID, and BG_OUT and BG_ERR (its
# stdout and stderr: files of their own for each call, so a second start_bg in a test
# keeps the first's). Fails if it exits first, showing its stderr.
start_bg() {
	local pidfile=$1 i
	shift
	BG_N=$((${BG_N:-0} + 1))
	BG_OUT=$TMP/bg.$BG_N.out BG_ERR=$TMP/bg.$BG_N.err
	"$@" >"$BG_OUT" 2>"$BG_ERR" 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
	for i in $(seq 200); do
		[ -s "$pidfile" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || { cat "$BG_ERR" >&2; return 1; }
		sleep 0.05
	done
	echo "start_bg: $1 did not write $pidfile in 10 s; its stderr:" >&2
	cat "$BG_ERR" >&2
	return 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# run_as_nobody CMD...: run CMD without privileges (setpriv drops every capability).
run_as_nobody() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	require_root
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- "$@"
}

# nobody_stage: copy what nobody runs to a fresh directory nobody can reach, since the
# checkout may lie where nobody cannot (a clone in /root, 0700; a mktemp -d directory):
# $BIN, $TBIN and bats/helpers (fake-criu) go to NBIN, NTBIN and NHELPERS, read-only,
# under NOBODY_DIR (/tmp/crdiag-nobody.*, 1777: nobody writes its pidfiles there).
# common_teardown removes it. Skips, saying why, where nobody cannot run the copies.
nobody_stage() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	require_root
	NOBODY_DIR=$(mktemp -d /tmp/crdiag-nobody.XXXXXX)
	chmod 1777 "$NOBODY_DIR"
	NBIN=$NOBODY_DIR/bin NTBIN=$NOBODY_DIR/t NHELPERS=$NOBODY_DIR/helpers
	cp -R "$BIN" "$NBIN"
	cp -R "$TBIN" "$NTBIN"
	cp -R "$BATS_TEST_DIRNAME/helpers" "$NHELPERS"
	# a clone made under umask 077 has no bits for others: give read (and x where set)
	chmod -R a+rX,go-w "$NBIN" "$NTBIN" "$NHELPERS"
	run_as_nobody "$NBIN/crdiag-scan" --version >/dev/null 2>&1 ||
		skip "nobody cannot run programs copied to $NOBODY_DIR (is /tmp noexec or private?)"
}

kernel_has_pagemap_scan() {
	"$BIN/crdiag-scan" --probe --json | jq -e '.kernel.pagemap_scan' >/dev/null
}

# PROCMAP_QUERY came with Linux 6.11 (by the kernel's version: a backport is not seen)
kernel_has_procmap_query() {
	local v
	v=$(uname -r)
	v=${v%%[-+]*}
	[ "$(printf '%s\n' 6.11 "$v" | sort -V | head -1)" = 6.11 ]
}

require_x86_64_4k() {
	[ "$(uname -m)" = x86_64 ] && [ "$(getconf PAGESIZE)" -eq 4096 ] ||
		skip "the exact numbers are for x86_64 with 4 KiB pages"
}

# bg_wait: wait for the last start_bg process; its exit status lands in BG_STATUS
bg_wait() {
	BG_STATUS=0
	wait "$BG_PID" || BG_STATUS=$?
}

# readelf_build_id FILE: the GNU build-id as binutils prints it
readelf_build_id() { readelf -n "$1" | awk '/Build ID:/ { print $3; exit }'; }

# The terminal UI in a private tmux server whose socket is $SOCK: common_teardown kills it.
# tmux_new COLS ROWS CMD...: that server, its one pane running CMD (skips without tmux)
tmux_new() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	local cols=$1 rows=$2
	shift 2
	SOCK=$TMP/tmux.sock
	tmux -S "$SOCK" -f /dev/null new-session -d -x "$cols" -y "$rows" "$@" 3>&-
}

# tui_shell COLS ROWS [NAME=VALUE...]: tmux_new with an interactive bash (prompt "vi$ ",
# colours on, TERM=tmux-256color, the environment given), once its prompt shows
tui_shell() {
	local cols=$1 rows=$2
	shift 2
	tmux_new "$cols" "$rows" env -u NO_COLOR TERM=tmux-256color PS1='vi$ ' "$@" \
		bash --norc --noprofile -i
	wait_screen '^vi\$ *$'
}

screen() { tmux -S "$SOCK" capture-pane -p; }
keys() { tmux -S "$SOCK" send-keys "$@"; }

# wait_screen ERE: until the pane shows a line matching ERE (at most 10 s, then fail)
wait_screen() {
	local i
	for i in $(seq 200); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	echo "the pane never showed /$1/; it shows:" >&2
	screen >&2
	return 1
}
