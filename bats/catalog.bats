#!/usr/bin/env bats
# The catalogue of CRIU failure classes (src/catalog.c) explains real logs: every log in
# bats/fixtures/criu-failures classifies to the class its README's outcome names, and
# crdiag-criu --log says what it means and the way past, in text and JSON.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# classify FILE: crdiag-criu --log --json on a log, gzip'ed or not
classify() {
	if [[ $1 == *.gz ]]; then
		zcat "$1" | "$BIN/crdiag-criu" --log - --json
	else
		"$BIN/crdiag-criu" --log "$1" --json
	fi
}

@test "catalogue: every real failure log classifies to the class of its README outcome" {
	local f cls n=0 got line status
	while read -r f cls; do
		run classify "$CRIU_FAILURES/$f"
		status=$([ "$cls" = ok ] && echo 0 || echo 1)
		assert_equal "$f: $status $(jq -r .class <<<"$output")" "$f: $status $cls"
		# the README's decisive line (its backquoted text, up to a <placeholder>) is
		# the one the classifier chose
		line=$(grep -F "| $f |" "$CRIU_FAILURES/README.md" | sed -n 's/.*exit 1: `\([^`<]*\).*/\1/p')
		if [ -n "$line" ]; then
			got=$(jq -r .decisive.text <<<"$output")
			[[ $got == *"${line%% }"* ]] || fail "$f: decisive '$got' is not README's '$line'"
		fi
		n=$((n + 1))
	done <<-'TABLE'
	criu-4.2_dump_plain.log ok
	criu-4.2_dump_no-setsid.log not-session-leader
	criu-4.2_dump_no-setsid_shell-job.log ok
	criu-4.2_dump_ext-unix-stream.log unix-external-peer
	criu-4.2_dump_ext-unix-stream_ext-unix-sk.log unix-stream-external-peer
	criu-4.2_dump_ext-unix-dgram-named.log unix-external-peer
	criu-4.2_dump_ext-unix-dgram-named_ext-unix-sk.log ok
	criu-4.2_dump_tcp-established.log tcp-established
	criu-4.2_dump_tcp-established_tcp-established.log network-lock-iptables
	criu-4.2_dump_ghost-big.log ghost-limit
	criu-4.2_dump_ghost-big_ghost-limit-4M.log ok
	criu-4.2_dump_io-uring.log io-uring
	criu-4.2-without-short-read-fix_dump_chromium-renderer_CRIU_FAULT-135.log.gz short-read-bug
	criu-4.2_dump_chromium-renderer_shell-job_ext-unix-sk.log.gz unix-stream-external-peer
	criu-4.2_dump_chromium-pidns.log.gz ok
	criu-4.2_restore_chromium-pidns.log.gz ok
	criu-4.2_dump_chromium-pod.log.gz ok
	criu-4.2_restore_chromium-pod.log.gz ok
	criu-4.2_restore_chromium-pod_address-moved.log.gz bind-eaddrnotavail
	TABLE
	# every log there is in the table
	assert_equal "$n" "$(find "$CRIU_FAILURES" -name '*.log*' | wc -l)"
}

@test "catalogue: the way past, and a cause one line above, in text and JSON" {
	run -1 "$BIN/crdiag-criu" --log "$CRIU_FAILURES/criu-4.2_dump_ext-unix-stream_ext-unix-sk.log"
	assert_line --index 0 --partial ": unix-stream-external-peer"
	assert_line --regexp '^  means \(dump fails\): the peer of stream/seqpacket unix socket INODE is held by the holder, outside the tree'
	assert_line --regexp '^  way past: --external unix\[INODE\]; restore with --inherit-fd'
	run -1 classify "$CRIU_FAILURES/criu-4.2_dump_io-uring.log"
	assert_equal "$(jq -c '[.class, .stage, .options, .cause.line, .cause.text]' <<<"$output")" \
		'["io-uring","dump","",743,"pie: 11003: Error (criu/pie/parasite.c:588): send_fds failed (-22)"]'
	run -1 classify "$CRIU_FAILURES/criu-4.2_dump_tcp-established_tcp-established.log"
	assert_equal "$(jq -c '[.class, .options, .cause.text]' <<<"$output")" \
		'["network-lock-iptables","--network-lock nftables","(00.046172) Error (criu/util.c:657): exited, status=127"]'
	run -1 classify "$CRIU_FAILURES/criu-4.2_dump_ghost-big.log"
	assert_equal "$(jq -c '[.class, .options]' <<<"$output")" '["ghost-limit","--ghost-limit <limit>"]'
	# a failure the catalogue does not know has no advice, and says so by nulls
	run -1 "$BIN/crdiag-criu" --log "$FIXTURES/criu-3.17.1_check_vvar-vclock.log" --json
	assert_equal "$(jq -c '[.class, .stage, .meaning, .options, .cause]' <<<"$output")" \
		'["other-failure",null,null,null,null]'
}

@test "catalogue: lines CRIU logs for classes no fixture holds classify too" {
	local msg cls
	while IFS='|' read -r cls msg; do
		printf '(00.1) Error (criu/x.c:1): %s\n(00.2) Error (criu/cr-dump.c:2128): Dumping FAILED.\n' "$msg" >"$TMP/l.log"
		run -1 "$BIN/crdiag-criu" --log "$TMP/l.log" --json
		assert_equal "$(jq -r .class <<<"$output")" "$cls"
	done <<-'TABLE'
	pidns-init-not-session-leader|A session leader of 4242(1) is outside of its pid namespace
	file-locks|Some file locks are hold by dumping tasks! You can try --file-locks to dump them.
	mount-outside|Can't lookup mount=24 for fd=10 path=/dev/null
	file-bad-size|File /p/segmentation_platform/ukm_db has bad size 49152 (expect 4096)
	fd-unsupported|Can't dump file 5 of that type [600] (anon anon_inode:[perf_event])
	ptraced|Unseizable non-zombie 4242 found, state t, err -1/10
	tcp-in-flight|inet: In-flight connection (l) for 3bcd3
	unix-dgram-nameless-peer|unix: Can't dump name-less external socket.
	mount-unreachable-sharing|mnt: Mount 123 ./ (@./) has unreachable sharing. Try --enable-external-masters.
	TABLE
}
