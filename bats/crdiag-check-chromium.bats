#!/usr/bin/env bats
# bats file_tags=chromium
# crdiag-check on a real Chromium (Debian's chromium), in a lab that sends no packet off
# the machine (helpers/chromium-lab: own network namespace, private mount namespace with
# its own /etc/resolv.conf naming 203.0.113.53, background services off).
#   plain  the browser as the root: its crashpad helper double-forks out of the tree
#          holding the peer of a socket every Chromium process has
#   pidns  the browser as PID 1 of its own PID namespace: crashpad stays inside, and
#          with the usual options nothing fails a CRIU >= 4.0 dump; the renderers' V8
#          cages are over the read cap for CRIU < 4.0

load helpers/common

LAB=$BATS_TEST_DIRNAME/helpers/chromium-lab

setup() {
	common_setup
	export CRIU=/nonexistent/criu
	command -v chromium >/dev/null || skip "chromium is not installed (Debian package chromium)"
	require_root
}

teardown() {
	[ -n "${TMP:-}" ] && [ -d "$TMP/lab" ] && "$LAB" stop "$TMP/lab"
	common_teardown
}

lab() {
	run "$LAB" start "$1" "$TMP/lab" 3>&-
	[ "$status" -eq 77 ] && skip "$output"
	assert_success
	ROOT_PID=$(cat "$TMP/lab/root.pid")
}

@test "chromium started plainly: the crashpad finding names chrome_crashpad and its PID" {
	lab plain
	run --separate-stderr "$BIN/crdiag-check" --json "$ROOT_PID"
	assert_equal "$status" 1
	local pad
	pad=$(jq -r '[.findings[] | select(.id == "unix-external-peer")][0].peer.pid' <<<"$output")
	assert_equal "$(jq -r '[.findings[] | select(.id == "unix-external-peer")][0].peer.comm' <<<"$output")" chrome_crashpad
	assert_equal "$(cat "/proc/$pad/comm")" chrome_crashpad
	assert_equal "$(jq --argjson p "$pad" '.tree.pids | index($p)' <<<"$output")" null
	assert_equal "$(jq -r --argjson p "$pad" '.findings[] | select(.id == "tree-outsider" and .pid == $p) | .what' <<<"$output" | grep -c 'double-forked out of the tree')" 1
	# with the usual options the socket is still CRIU's "half of stream" (SOCK_SEQPACKET)
	run --separate-stderr "$BIN/crdiag-check" --json --options "--ext-unix-sk --tcp-established --file-locks" "$ROOT_PID"
	assert_equal "$status" 1
	assert_equal "$(jq -r '[.findings[] | select(.id == "unix-stream-external-peer")][0].peer.comm' <<<"$output")" chrome_crashpad
	assert_equal "$(zcat "$CRIU_FAILURES/criu-4.2_dump_chromium-renderer_shell-job_ext-unix-sk.log.gz" | "$BIN/crdiag-criu" --log - --json | jq -r .class)" unix-stream-external-peer
	run -1 "$BIN/crdiag-check" "$ROOT_PID"
	assert_output --regexp "peer $pad \\(chrome_crashpad\\): unix-external-peer"
}

@test "chromium as PID 1 of its own PID namespace: nothing fails CRIU >= 4.0, the V8 cages fail CRIU < 4.0" {
	lab pidns
	local opts="--ext-unix-sk --tcp-established --file-locks"
	run --separate-stderr "$BIN/crdiag-check" --json --criu-version 4.2 --options "$opts" "$ROOT_PID"
	assert_equal "$(jq -c '[.findings[] | select(.severity == "dump" and (.handled | not))]' <<<"$output")" '[]'
	assert_equal "$status" 0
	# crashpad is inside now
	local p n=0
	for p in $(jq -r '.tree.pids[]' <<<"$output"); do
		[ "$(cat "/proc/$p/comm")" = chrome_crashpad ] && n=$((n + 1))
	done
	assert [ "$n" -ge 1 ]
	assert_equal "$(zcat "$CRIU_FAILURES/criu-4.2_dump_chromium-pidns.log.gz" | "$BIN/crdiag-criu" --log - --json | jq -r .class)" ok
	# without --file-locks CRIU stops on the profile's locks first
	run --separate-stderr "$BIN/crdiag-check" --json --criu-version 4.2 "$ROOT_PID"
	assert_equal "$status" 1
	assert [ "$(jq '[.findings[] | select(.id == "file-locks")] | length' <<<"$output")" -ge 1 ]
	# CRIU < 4.0: each renderer's cage (a ---p VMA of over 1 TiB) is the short-read bug
	run --separate-stderr "$BIN/crdiag-check" --json --criu-version 3.17.1 --options "$opts" "$ROOT_PID"
	assert_equal "$status" 1
	assert_equal "$(jq -r '[.findings[] | select(.severity == "dump" and (.handled | not)) | .id] | unique | @json' <<<"$output")" '["short-read-bug"]'
	local pid addr
	while read -r pid addr; do
		grep -qa -- --type=renderer "/proc/$pid/cmdline" || fail "$pid is not a renderer"
		# the renderer commits pages in its cage as it runs, so the VMA may be split by
		# now: the cage itself is still a ---p VMA of over 1 TiB
		local range perms rest cage=0
		while read -r range perms rest; do
			[ "$perms" = ---p ] && [ $((0x${range#*-} - 0x${range%-*})) -ge $((1 << 40)) ] && cage=1
		done <"/proc/$pid/maps"
		assert_equal "$pid cage $cage" "$pid cage 1"
		assert [ $((0x${addr#*-} - 0x${addr%-*})) -ge $((1 << 40)) ]
	done < <(jq -r '.findings[] | select(.id == "short-read-bug") | "\(.pid) \(.address)"' <<<"$output")
}
