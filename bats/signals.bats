#!/usr/bin/env bats
# Signals: SIGINT and SIGTERM delivered to each repro at random points, and at chosen
# system calls (strace raises the signal at the Nth call), leave nothing behind: no
# child, no network namespace (so no veth), no temp file, no stopped task.
# The checking is done by bats/helpers/sigrun.c; each test asserts its summary line.

load helpers/common

setup() { common_setup; }
teardown() {
	[ -z "${NETNS_SELFTEST:-}" ] || ip netns del "$NETNS_SELFTEST" 2>/dev/null || true
	common_teardown
}

# sigrun ARGS... -- CMD...: run the helper; it fails on any leftover, hang or bad exit.
# Prints the figures as TAP comments.
sigrun() {
	run -0 "$TBIN/sigrun" --dir "$TMP" "$@"
	assert_line --regexp '^sigrun: runs [0-9]+, signals delivered [0-9]+, .* leftovers 0, hangs 0, bad 0$'
	refute_line --regexp "^run [0-9]+: leftover "
	DELIVERED=$(sed -n 's/^sigrun: runs [0-9]*, signals delivered \([0-9]*\),.*/\1/p' <<<"$output")
	KILLED=$(sed -n 's/.*, killed by it \([0-9]*\),.*/\1/p' <<<"$output")
	echo "# ${BATS_TEST_DESCRIPTION%%:*}: $(tail -1 <<<"$output" | sed 's/^sigrun: //')" >&3
}

# duration_us CMD...: how long one undisturbed run takes here (to spread the signals
# over the whole run, whatever the build: ASan is slower).
duration_us() {
	local t0=$EPOCHREALTIME t1
	"$@" >/dev/null 2>&1 3>&- || true
	t1=$EPOCHREALTIME
	echo $((${t1/./} - ${t0/./}))
}

require_strace() {
	command -v strace >/dev/null || skip "strace is not installed (it raises the signal at a chosen call)"
}

# no_host_links: the repro's veths never appear in our own namespace
no_host_links() {
	run -0 ip -o link show
	refute_output --regexp 'to-(peer|before|after)'
}

udp_or_skip() {
	require_root
	run "$BIN/repro-udp-restore" --family 4
	[ "$status" -ne 77 ] || skip "$(tail -1 <<<"$output")"
}

@test "repro-udp-restore: 40 signals at random points of a run leave nothing" {
	udp_or_skip
	local d
	d=$(duration_us "$BIN/repro-udp-restore")
	sigrun --runs 40 --max-delay-us "$d" -- "$BIN/repro-udp-restore" --json
	# most runs are cut short (how many depends on the machine's load); those that end
	# first must end with a verdict
	[ "$KILLED" -ge 10 ] || fail "only $KILLED of 40 runs died of the signal"
	no_host_links
}

@test "repro-udp-restore: a signal at each step of namespace set-up and of the run leaves nothing" {
	udp_or_skip
	require_strace
	# unshare 1-3: each namespace; setns/socket/sendto: links, addresses, routes over
	# rtnetlink (about 54 requests: one socket per namespace, no index lookups); clone:
	# the echo peer starting; bind/connect and sendto 60, 68: the restore rows (IPv4,
	# IPv6).
	local at
	for at in unshare:1 unshare:2 unshare:3 setns:2 socket:1 sendto:2 sendto:10 sendto:25 \
		socket:10 clone:1 sendto:60 bind:1 connect:3 sendto:68; do
		sigrun --runs 2 --inject "$at" -- "$BIN/repro-udp-restore"
		assert_equal "$KILLED" 2
	done
	no_host_links
}

@test "repro-udp-restore --keep: a signal before the names are made leaves no ip netns name" {
	udp_or_skip
	require_strace
	ip netns list >"$TMP/before"
	# --keep names the namespaces with a bind mount at the very end: stop it at the
	# first unshare and at its last rtnetlink request, before any name exists
	sigrun --runs 2 --inject unshare:1 -- "$BIN/repro-udp-restore" --keep --family 4
	sigrun --runs 2 --inject sendto:40 -- "$BIN/repro-udp-restore" --keep --family 4
	ip netns list >"$TMP/after"
	run diff <(grep -o 'crdiag-[0-9a-f-]*' "$TMP/before" | sort -u) \
		<(grep -o 'crdiag-[0-9a-f-]*' "$TMP/after" | sort -u)
	refute_output --partial '>'
}

@test "sigrun: a signal sent before the child execs is not lost, even with SIGINT ignored" {
	# a non-interactive shell starts its background jobs with SIGINT ignored (CI's
	# runner may too); a SIGINT in the instant between fork and exec then vanished and
	# the run hung: a --hold that never saw its signal
	run -0 env --ignore-signal=INT "$TBIN/sigrun" --dir "$TMP" --runs 6 --min-delay-us 0 \
		--max-delay-us 60 --signals INT --timeout 5 -- sleep 30
	assert_line "sigrun: runs 6, signals delivered 6, killed by it 6, ended normally 0, leftovers 0, hangs 0, bad 0"
}

@test "repro-giant-vma: signals at random points of the check leave nothing" {
	local d
	d=$(duration_us "$BIN/repro-giant-vma")
	# within the first half of a measured run, so that a run up to twice as fast (the
	# measure was taken under load, the runs are not) is still cut short; most runs
	# must be, or this tested nothing (a run that ends first only proves it ends)
	sigrun --runs 4 --max-delay-us $((d / 2)) -- "$BIN/repro-giant-vma"
	[ "$KILLED" -ge 2 ] || fail "only $KILLED of 4 runs died of the signal"
}

@test "repro-giant-vma --hold --pidfile: signals at random points remove the pidfile" {
	# it holds within a few milliseconds: before the reservation, during it, before
	# and after the pidfile appears (SIGTERM while held is a clean exit 0)
	sigrun --runs 12 --max-delay-us 6000 -- \
		sh -c 'exec "$0" --size 64G --hold --pidfile "$TMPDIR/pid"' "$BIN/repro-giant-vma"
}

@test "repro-giant-vma --pidfile without --hold: a signal as the pidfile appears leaves no pidfile" {
	require_strace
	# rename() is the instant the pidfile appears; before the fix the signal killed the
	# process between rename() and unlink() and the file stayed
	sigrun --runs 2 --inject rename:1 -- \
		sh -c 'exec "$0" --size 64G --pidfile "$TMPDIR/pid"' "$BIN/repro-giant-vma"
	assert_equal "$KILLED" 2
}

@test "repro-pagemap-read: signals at random points reap its child" {
	local d
	d=$(duration_us "$BIN/repro-pagemap-read")
	sigrun --runs 4 --max-delay-us $((d / 2)) -- "$BIN/repro-pagemap-read"
	[ "$KILLED" -ge 2 ] || fail "only $KILLED of 4 runs died of the signal (as above)"
}

@test "repro-pagemap-read: a signal as the child is forked, mapping, or being read leaves nothing" {
	require_strace
	# clone: the child is being made; pread64:30: inside the chunked loop (the loader's
	# and ASan's own calls come first, so only that one is counted loosely);
	# kill/wait4: the child is being stopped at the end
	local at
	for at in clone:1 pread64:30 kill:1 wait4:1; do
		sigrun --runs 2 --inject "$at" -- "$BIN/repro-pagemap-read" --size 64G
		[ "$at" = pread64:30 ] || assert_equal "$KILLED" 2
	done
}

@test "crdiag-check: signals at random points: it dies of the signal and leaves nothing" {
	[ -x "$BIN/crdiag-check" ] || skip "crdiag-check is not built"
	local d
	# it only reads /proc and sock_diag: no handler, the default action is the convention
	d=$(duration_us "$BIN/crdiag-check" $$)
	sigrun --runs 4 --max-delay-us $((d / 2)) -- "$BIN/crdiag-check" $$
	[ "$KILLED" -ge 2 ] || fail "only $KILLED of 4 runs died of the signal (as above)"
}

@test "sigrun itself: a leaked child, temp file, named namespace, ptrace-stopped task and a hang are caught" {
	require_root
	# the checker must be able to fail: each leak below is reported and fails the run
	run -1 "$TBIN/sigrun" --dir "$TMP" --runs 1 --min-delay-us 200000 --max-delay-us 200000 \
		-- sh -c 'sleep 30 & touch "$TMPDIR/x"; exec sleep 30'
	assert_line --regexp '^run 1: leftover child: PID [0-9]+ \(sleep\) state S$'
	assert_line --regexp '^run 1: leftover tmp: .*/tmp/x$'
	assert_line --regexp 'leftovers 2, hangs 0, bad 0$'
	local name=crdiag-sigrun-selftest-$$
	NETNS_SELFTEST=$name
	mkdir -p /run/netns
	touch "/run/netns/$name" # unshare --net=FILE binds onto an existing file
	run -1 "$TBIN/sigrun" --dir "$TMP" --runs 1 --min-delay-us 300000 --max-delay-us 300000 \
		-- unshare --net="/run/netns/$name" sleep 30
	assert_line --regexp "^run 1: leftover netns: net:\[[0-9]+\] bind-mounted: .* /run/netns/$name "
	ip netns del "$name"
	run -1 "$TBIN/sigrun" --dir "$TMP" --runs 1 --min-delay-us 200000 --max-delay-us 200000 --timeout 1 \
		-- sh -c 'trap "" INT TERM; sleep 30'
	assert_line --regexp 'hangs 1, bad 1$'
	# a task left stopped under ptrace (gdb stays attached once its parent is gone)
	if command -v gdb >/dev/null; then
		run -1 "$TBIN/sigrun" --dir "$TMP" --runs 1 --signals TERM --min-delay-us 1500000 \
			--max-delay-us 1500000 \
			-- sh -c 'sleep 30 & gdb -q -nx -p $! -batch -ex "shell sleep 30" >/dev/null 2>&1'
		assert_line --regexp '^run 1: leftover child: PID [0-9]+ \(sleep\) state t \(ptrace-stopped\)$'
		assert_line --regexp '^run 1: leftover child: PID [0-9]+ \(gdb\) '
	fi
	# the helper cleaned up after what it caught
	run -0 ls "$TMP"
	refute_output --partial sigrun.
}

# ---- the inspector's terminal ----------------------------------------------------

# shell_sane N: the pane is back in the shell: main screen (not the alternate one),
# cursor shown, tty canonical with echo, and a command typed there runs
shell_sane() {
	assert_equal "$(tmux -S "$SOCK" display -p '#{alternate_on} #{cursor_flag}')" "0 1"
	keys "echo tty$1: \$(stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | paste -sd' ' -)" Enter
	wait_screen "^tty$1: "
	run screen
	assert_line "tty$1: icanon echo"
	keys clear Enter
}

@test "vmainspect TUI: Ctrl-C and SIGTERM at random points give the shell back sane" {
	command -v tmux >/dev/null || skip "tmux is not installed"
	[ -x "$BIN/vmainspect" ] || skip "vmainspect is not built"
	start_bg "$TMP/pattern.pid" "$TBIN/pattern" --pidfile "$TMP/pattern.pid"
	local target i state sig delay rc
	target=$(cat "$TMP/pattern.pid")
	tui_shell 120 40
	# start-up (no screen yet), the table, the detail view, help, the live filter
	# line, a re-sort; refreshing every 50 ms so some signals land mid-scan
	local states=(startup table detail help filter sort)
	for i in $(seq 12); do
		state=${states[$(((i - 1) % ${#states[@]}))]}
		sig=$([ "$i" -le ${#states[@]} ] && echo INT || echo TERM)
		delay=$((RANDOM % 300))
		rm -f "$TMP/tui.pid"
		# (no "; echo \$?" here: bash drops the rest of a line whose job died of SIGINT)
		keys "bash -c 'echo \$\$ >$TMP/tui.pid; exec \"\$0\" \"\$@\"' $(printf %q "$BIN/vmainspect") -d 0.05 $target" Enter
		if [ "$state" != startup ]; then
			wait_screen "^pattern \[$target\]"
			case $state in
			detail) keys Enter ;;
			help) keys '?' ;;
			filter) keys / s p a ;;
			sort) keys p ;;
			esac
		else
			until [ -s "$TMP/tui.pid" ]; do sleep 0.01; done
			delay=$((delay / 5))
		fi
		sleep "$(printf '0.%03d' "$delay")"
		if [ "$sig" = INT ]; then keys C-c; else kill -TERM "$(cat "$TMP/tui.pid")"; fi
		wait_screen '^vi\$ *$'
		keys "echo rc$i=\$?" Enter
		wait_screen "^rc$i=[0-9]+$"
		rc=$(screen | sed -n "s/^rc$i=//p")
		assert_equal "$rc" "$([ "$sig" = INT ] && echo 130 || echo 143)"
		shell_sane "$i"
		echo "# vmainspect TUI: SIG$sig in $state after ${delay} ms: exit $rc, shell sane" >&3
	done
}

# ---- the CRIU modes (a fake CRIU replaying real logs: no CRIU works on this kernel) ---

LOGS=$CRIU_LOGS

# criu_signals MODE: signals at random points of `MODE --criu` and at each of its steps
# (probe, image directory, holder or client, every dump and restore, the final
# clean-up), as INJECT points "SYSCALL:NTH ...". The CRIU modes, like the plain repros,
# die of the signal once everything they started is stopped (sigrun counts a run
# "killed by it" only then; any other exit after the signal is bad); the images live
# in sigrun's TMPDIR, so a left image directory is a leftover.
criu_signals() {
	local prog=$1 points=$2 d at
	shift 2
	d=$(duration_us "$BIN/$prog" --criu)
	sigrun --runs 16 --max-delay-us "$d" -- "$BIN/$prog" --criu
	[ "$KILLED" -ge 4 ] || fail "only $KILLED of 16 runs died of the signal"
	for at in $points; do
		sigrun --runs 2 --inject "$at" -- "$BIN/$prog" --criu
		assert_equal "$DELIVERED" 2
		assert_equal "$KILLED" 2
	done
}

@test "repro-giant-vma --criu: signals at random points and at every step leave no holder, CRIU or image" {
	export CRIU=$BATS_TEST_DIRNAME/helpers/fake-criu
	export FAKE_CRIU_DUMP_LOG_FAULT=$LOGS/criu-4.2-without-short-read-fix_dump_giant-vma_CRIU_FAULT-135.log
	export FAKE_CRIU_DUMP_STATUS_FAULT=1 FAKE_CRIU_DUMP_STATUS=0
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_giant-vma_pagemap-scan.log
	# clone 1-2: criu --version, criu check; mkdir 1: the image directory; clone 3: the
	# holder; clone 4-5: the two dumps; kill 1: stopping the holder after the verdict
	criu_signals repro-giant-vma "clone:1 clone:2 mkdir:1 clone:3 clone:4 clone:5 kill:1"
	# a dump that hangs: the signal must stop CRIU too
	export FAKE_CRIU_DUMP_HANG=1 FAKE_CRIU_SLEEP=$((600 + RANDOM % 1000))
	sigrun --runs 4 --min-delay-us 200000 --max-delay-us 400000 -- "$BIN/repro-giant-vma" --criu
	refute_line --regexp 'ended before the signal'
	assert_equal "$KILLED" 4
}

@test "repro-udp-restore --criu: signals at random points and at every step leave no client, netns or image" {
	udp_or_skip
	export CRIU=$BATS_TEST_DIRNAME/helpers/fake-criu
	export FAKE_CRIU_DUMP_LOG=$LOGS/criu-4.2_dump_udp.log FAKE_CRIU_DUMP_KILLS=1
	export FAKE_CRIU_RESTORE_LOG=$LOGS/criu-4.2_restore_udp_source-address-present.log
	export FAKE_CRIU_RESTORE_NEEDS_ADDR=192.0.2.2
	export FAKE_CRIU_RESTORE_LOG_GONE=$LOGS/criu-4.2_restore_udp_source-address-moved.log
	export FAKE_CRIU_RESTORE_CMD="exec $(printf %q "$TBIN/udpping") \$(cat \$FAKE_CRIU_DIR/fake-pid) 203.0.113.1 7"
	# unshare 1-2: the namespaces; clone 3-4: echo peer, control client; clone 5-6: its
	# dump and restore; kill 2: stopping the restored client; clone 7-9: the moved
	# client, its dump and its restore; kill 4: the end
	criu_signals repro-udp-restore \
		"clone:2 mkdir:1 unshare:1 unshare:2 clone:3 clone:4 clone:5 clone:6 kill:2 mkdir:3 clone:7 clone:8 clone:9 kill:4"
	no_host_links
}
