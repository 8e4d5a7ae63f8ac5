#!/usr/bin/env bats
# repro-udp-restore: a connected UDP socket restored where its source address is gone,
# in private network namespaces. The premises of the verdict (every cell is recorded),
# the captured state, parallel runs, and that nothing is left behind on any exit path.

load helpers/common

setup() {
	common_setup
	KEPT=()
}

teardown() {
	local n
	for n in "${KEPT[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	common_teardown
}

# udp_json ARGS...: run the repro with --json as root; skip when namespaces cannot be
# made here (exit 77 says why); sets J to the document.
udp_json() {
	require_root
	run --separate-stderr "$BIN/repro-udp-restore" --json "$@"
	if [ "$status" -eq 77 ]; then
		skip "$(jq -r .reason <<<"$output")"
	fi
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; echo "$output"; return 1; }
	J=$output
}

# cells: one line per row: family strategy env bind connect send out in round_trip dropped
cells() {
	jq -r '.rows[] | [.family, .strategy, .env, (.bind // "-"), (.connect // "-"),
		(.send // "-"), (if .out == null then "-" else .out end), (.in // "-"),
		.round_trip, .dropped] | map(tostring) | join(" ")' <<<"$J"
}

# What Linux 6.18 did in every cell. Only the premises of the verdict are asserted
# (premises below); the other cells are the kernel's business and are recorded, so
# the suite holds on other kernels (inside 6.1, say) for the right reasons.
CELLS_618='ipv4 bind-original control ok ok ok true back true false
ipv4 skip-bind control - ok ok true back true false
ipv4 close control ok ok ok true back true false
ipv4 freebind control ok ok ok true back true false
ipv4 bind-original moved EADDRNOTAVAIL - - - - false false
ipv4 skip-bind moved - ok ok true back true false
ipv4 close moved EADDRNOTAVAIL - EBADF - - false true
ipv4 freebind moved ok ENETUNREACH - - - false false
ipv6 bind-original control ok ok ok true back true false
ipv6 skip-bind control - ok ok true back true false
ipv6 close control ok ok ok true back true false
ipv6 freebind control ok ok ok true back true false
ipv6 bind-original moved ok ok ok true old-host false false
ipv6 skip-bind moved - ok ok true back true false
ipv6 close moved EADDRNOTAVAIL - EBADF - - false true
ipv6 freebind moved ok ok ok true old-host false false'

# row JSONDOC FAMILY STRATEGY ENV FIELD
row() {
	jq -r --arg f "$2" --arg s "$3" --arg e "$4" \
		".rows[] | select(.family == \$f and .strategy == \$s and .env == \$e) | .$5" <<<"$1"
}

# nothing_left RUN_ID [PID...]: no ip netns name, no host link, no process of that run
nothing_left() {
	local id=$1 p
	shift
	run -0 ip netns list
	refute_output --partial "$id"
	run -0 ip -o link show
	refute_output --partial "to-peer"
	refute_output --partial "to-before"
	refute_output --partial "to-after"
	for p in "$@"; do
		run kill -0 "$p"
		assert_failure
	done
}

# start_paused ARGS...: the repro stopped after set-up; sets PID, ECHO, RUN, NSFD_BEFORE
start_paused() {
	require_root
	"$BIN/repro-udp-restore" --pause "$@" >"$TMP/out" 2>"$TMP/err" 3>&- &
	PID=$!
	BG_PIDS+=("$PID")
	local i
	for i in $(seq 200); do
		grep -q 'SIGINT or SIGTERM ends the run' "$TMP/err" && break
		if ! kill -0 "$PID" 2>/dev/null; then
			wait "$PID" && status=0 || status=$?
			[ "$status" -eq 77 ] && skip "$(sed -n 's/^verdict: skipped: //p' "$TMP/out")"
			cat "$TMP/err" >&2
			return 1
		fi
		sleep 0.05
	done
	ECHO=$(sed -n 's/.*echo peer pid \([0-9]*\),.*/\1/p' "$TMP/err")
	RUN=$(sed -n 's/.*, run \(crdiag-[0-9a-f-]*\)$/\1/p' "$TMP/err")
	NSFD_BEFORE=$(sed -n 's|.*before nsenter --net=/proc/[0-9]*/fd/\([0-9]*\)$|\1|p' "$TMP/err")
	[ -n "$ECHO" ] && [ -n "$RUN" ] && [ -n "$NSFD_BEFORE" ]
}

# premises: what the verdict stands on, asserted on any kernel. IPv4 bind-original
# fails with EADDRNOTAVAIL where the address moved; every control row (address
# unchanged) round-trips, so the lab works; skip-bind round-trips where it moved (the
# way past works); the verdict follows.
premises() {
	local f st
	assert_equal "$(row "$J" ipv4 bind-original moved bind)" EADDRNOTAVAIL
	assert_equal "$(row "$J" ipv4 bind-original moved round_trip)" false
	for f in $(jq -r '[.rows[].family] | unique[]' <<<"$J"); do
		for st in bind-original skip-bind close freebind; do
			assert_equal "$f $st control: $(row "$J" "$f" "$st" control round_trip)" \
				"$f $st control: true"
		done
		assert_equal "$f skip-bind moved: $(row "$J" "$f" skip-bind moved connect) $(row "$J" "$f" skip-bind moved round_trip)" \
			"$f skip-bind moved: ok true"
	done
	assert_equal "$(jq -r .verdict <<<"$J")" reproduced
	assert_equal "$(jq -r .exit_code <<<"$J")" 0
}

# record_cells: every cell as a TAP comment, and where this kernel differs from 6.18
record_cells() {
	local differ
	differ=$(diff <(echo "$CELLS_618") <(cells) | grep '^[<>]' || true)
	if [ -z "$differ" ]; then
		echo "# $(uname -r): all $(cells | wc -l) cells as on Linux 6.18" >&3
	else
		echo "# $(uname -r): cells that differ from Linux 6.18 (< 6.18, > here):" >&3
		sed 's/^/#   /' <<<"$differ" >&3
	fi
}

# bats test_tags=user, quick
@test "the table, both families, implicit source: the verdict's premises hold; every cell recorded" {
	udp_json
	premises
	assert_equal "$(jq -r .bind <<<"$J")" implicit
	record_cells
}

@test "the table, explicit bind() before connect(): the same premises; every cell recorded" {
	udp_json --bind explicit
	premises
	assert_equal "$(jq -r .bind <<<"$J")" explicit
	record_cells
}

@test "where the datagrams went: sources the peer saw, local addresses after restore" {
	udp_json
	local f st
	for f in ipv4 ipv6; do
		for st in bind-original skip-bind close freebind; do
			assert_equal "$(row "$J" $f $st control peer_saw_from)" \
				"$(jq -r --arg f $f '.network[] | select(.family == $f) | .old_source' <<<"$J")"
		done
	done
	# the kernel picks the new address when the bind is skipped
	assert_equal "$(row "$J" ipv4 skip-bind moved local.address)" 198.51.100.2
	assert_equal "$(row "$J" ipv4 skip-bind moved peer_saw_from)" 198.51.100.2
	assert_equal "$(row "$J" ipv6 skip-bind moved local.address)" 2001:db8:2::2
	# IPv6 with IP_FREEBIND sends from the old address; the peer answers it, and the
	# echo lands where that address still is, on the old host
	assert_equal "$(row "$J" ipv6 bind-original moved peer_saw_from)" 2001:db8:1::2
	assert_equal "$(row "$J" ipv6 bind-original moved local.port)" \
		"$(jq -r '.captured[1].local.port' <<<"$J")"
	# IPv4 with IP_FREEBIND binds the old address and port, then connect() fails
	assert_equal "$(row "$J" ipv4 freebind moved local.address)" 192.0.2.2
	assert_equal "$(row "$J" ipv4 freebind moved local.port)" \
		"$(jq -r '.captured[0].local.port' <<<"$J")"
	assert_equal "$(row "$J" ipv4 bind-original moved local)" null
}

@test "captured state: getsockname/getpeername/getsockopt and sock_diag agree" {
	udp_json
	assert_equal "$(jq -r '[.captured[].family] | join(" ")' <<<"$J")" "ipv4 ipv6"
	assert_equal "$(jq -c '[.captured[] | [.local.address, .peer.address, .peer.port]]' <<<"$J")" \
		'[["192.0.2.2","203.0.113.1",7],["2001:db8:1::2","2001:db8:3::1",7]]'
	assert_equal "$(jq -c '[.captured[].sockopt]' <<<"$J")" \
		'[{"so_reuseaddr":0,"so_bindtodevice":"","ip_freebind":0,"so_broadcast":0},{"so_reuseaddr":0,"so_bindtodevice":"","ip_freebind":0,"so_broadcast":0}]'
	local i
	for i in 0 1; do
		assert_equal "$(jq -c ".captured[$i] | [.sock_diag.local, .sock_diag.peer, .sock_diag.inode] == [.local, .peer, .inode]" <<<"$J")" true
		[ "$(jq ".captured[$i].local.port" <<<"$J")" -gt 0 ]
		assert_equal "$(jq -c ".captured[$i].sock_diag | [.error, .state, .ifindex, .freebind, .by_address_same, .agrees]" <<<"$J")" \
			'[null,"ESTABLISHED",0,false,true,true]'
		[ "$(jq ".captured[$i].inode" <<<"$J")" -gt 0 ]
	done
}

@test "the human table: one row per family x strategy x environment, then the verdict" {
	require_root
	run --separate-stderr "$BIN/repro-udp-restore"
	[ "$status" -ne 77 ] || skip "$(tail -1 <<<"$output")"
	assert_equal "$status" 0
	assert_line --regexp '^FAMILY +STRATEGY +ENV +BIND +CONNECT +SEND +OUT +IN +LOCAL$'
	assert_line --regexp '^ipv4 +bind-original +moved +EADDRNOTAVAIL +- +- +- +- +-$'
	assert_line --regexp '^ipv4 +close +moved +EADDRNOTAVAIL +- +EBADF +- +- +- \(dropped\)$'
	assert_line --regexp '^ipv4 +freebind +moved +ok +ENETUNREACH +- +- +- +192\.0\.2\.2:[0-9]+$'
	assert_line --regexp '^ipv6 +bind-original +moved +ok +ok +ok +yes +old-host +\[2001:db8:1::2\]:[0-9]+$'
	assert_line --regexp '^ipv6 +skip-bind +moved +- +ok +ok +yes +yes +\[2001:db8:2::2\]:[0-9]+$'
	assert_equal "$(grep -cE '^ipv[46] ' <<<"$output")" 16
	assert_line --regexp '^  by address: the same socket; agrees with getsockname/getpeername/fstat: yes$'
	assert_regex "${lines[-1]}" '^verdict: reproduced: IPv4: .* fails with EADDRNOTAVAIL .*; IPv6: .* passes with IP_FREEBIND, but the echo goes to the old address$'
	assert_equal "$stderr" ""
}

@test "--family 4 and --family 6: one family each, each with its own verdict" {
	udp_json --family 4
	assert_equal "$(jq -r '[.rows[].family] | unique | join(" ")' <<<"$J")" ipv4
	assert_equal "$(jq '.rows | length' <<<"$J")" 8
	assert_equal "$(jq -r .verdict <<<"$J")" reproduced
	udp_json --family 6
	assert_equal "$(jq -r '[.rows[].family] | unique | join(" ")' <<<"$J")" ipv6
	assert_equal "$(jq -r .verdict <<<"$J")" reproduced
	assert_output --regexp '"reason": "IPv6: the bind\(\) of \[2001:db8:1::2\]:[0-9]+ passes with IP_FREEBIND, but the echo goes to the old address"'
}

@test "two runs in parallel both pass, each in its own namespaces" {
	require_root
	"$BIN/repro-udp-restore" --json >"$TMP/a" 2>"$TMP/a.err" 3>&- &
	local a=$!
	"$BIN/repro-udp-restore" --json >"$TMP/b" 2>"$TMP/b.err" 3>&- &
	local b=$!
	local sa=0 sb=0
	wait "$a" || sa=$?
	wait "$b" || sb=$?
	[ "$sa" -ne 77 ] || skip "$(jq -r .reason "$TMP/a")"
	assert_equal "$sa $sb" "0 0"
	# each run on its own stands, and the two saw the same kernel behave the same
	local first
	J=$(cat "$TMP/a")
	premises
	first=$(cells)
	J=$(cat "$TMP/b")
	premises
	assert_equal "$(cells)" "$first"
	[ "$(jq -r .run_id "$TMP/a")" != "$(jq -r .run_id "$TMP/b")" ]
	nothing_left "$(jq -r .run_id "$TMP/a")" "$(jq -r .echo_pid "$TMP/a")"
	nothing_left "$(jq -r .run_id "$TMP/b")" "$(jq -r .echo_pid "$TMP/b")"
}

@test "after a run: no namespace, no link, no echo peer left; the host's links untouched" {
	require_root
	ip -o link show | sed 's/ link-netnsid [0-9]*//' >"$TMP/links.before"
	ip -o addr show >"$TMP/addrs.before"
	udp_json
	nothing_left "$(jq -r .run_id <<<"$J")" "$(jq -r .echo_pid <<<"$J")"
	ip -o link show | sed 's/ link-netnsid [0-9]*//' >"$TMP/links.after"
	ip -o addr show >"$TMP/addrs.after"
	run diff "$TMP/links.before" "$TMP/links.after"
	assert_success
	run diff "$TMP/addrs.before" "$TMP/addrs.after"
	assert_success
}

@test "SIGINT mid-way: exit by the signal, namespaces and echo peer gone" {
	start_paused
	# the namespaces exist while it runs...
	run -0 nsenter --net="/proc/$PID/fd/$NSFD_BEFORE" ip -o addr show dev to-peer
	assert_output --partial "192.0.2.2/24"
	# the echo peer lives in the peer namespace: lsns sees it through that process
	local ns
	ns=$(stat -L -c %i "/proc/$ECHO/ns/net")
	run -0 lsns -t net -n -o NS
	assert_line "$ns"
	kill -INT "$PID"
	local st=0
	wait "$PID" || st=$?
	assert_equal "$st" 130
	assert_equal "$(tail -1 "$TMP/err")" \
		"repro-udp-restore: interrupted by SIGINT: namespaces, links and the echo peer removed"
	nothing_left "$RUN" "$ECHO"
	# ...and no process holds them any more
	run -0 lsns -t net -n -o NS
	refute_line "$ns"
}

@test "SIGTERM mid-way, JSON mode: the same, nothing on stdout" {
	start_paused --json
	kill -TERM "$PID"
	local st=0
	wait "$PID" || st=$?
	assert_equal "$st" 143
	assert_equal "$(tail -1 "$TMP/err")" \
		"repro-udp-restore: interrupted by SIGTERM: namespaces, links and the echo peer removed"
	assert_equal "$(cat "$TMP/out")" ""
	nothing_left "$RUN" "$ECHO"
}

@test "the echo peer crashes: an error naming it, and nothing left" {
	start_paused --json
	kill -KILL "$ECHO"
	local st=0
	wait "$PID" || st=$?
	assert_equal "$st" 2
	assert_equal "$(tail -1 "$TMP/err")" \
		"repro-udp-restore: echo peer (pid $ECHO) died: killed by signal 9 (SIGKILL)"
	assert_equal "$(jq -r '[.verdict, .exit_code, .reason] | join("|")' "$TMP/out")" \
		"error|2|echo peer (pid $ECHO) died: killed by signal 9 (SIGKILL)"
	nothing_left "$RUN" "$ECHO"
}

@test "--keep leaves the three namespaces under ip netns and says how to remove them" {
	require_root
	run --separate-stderr "$BIN/repro-udp-restore" --keep --family 4
	[ "$status" -ne 77 ] || skip "$(tail -1 <<<"$output")"
	local id
	id=$(sed -n 's/.*: run \(crdiag-[0-9a-f-]*\), bind.*/\1/p' <<<"$output")
	KEPT=("$id-before" "$id-after" "$id-peer")
	assert_equal "$status" 0
	assert_line "kept: the namespaces are in \`ip netns list\`; remove them with:"
	assert_line "  ip netns del $id-before"
	assert_line "  ip netns del $id-after"
	assert_line "  ip netns del $id-peer"
	run -0 ip netns list
	assert_output --partial "$id-before"
	run -0 ip -n "$id-after" -o addr show dev to-peer
	assert_output --partial "198.51.100.2/24"
	run -0 ip -n "$id-peer" -o addr show dev lo
	assert_output --partial "203.0.113.1/32"
	local n
	for n in "${KEPT[@]}"; do
		run -0 ip netns del "$n"
	done
	KEPT=()
	nothing_left "$id"
}

@test "without privileges: exit 77 naming CAP_NET_ADMIN" {
	nobody_stage
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-udp-restore"
	assert_output "verdict: skipped: needs CAP_NET_ADMIN (network namespaces, veths, addresses, routes)"
	run -77 --separate-stderr run_as_nobody "$NBIN/repro-udp-restore" --json
	assert_equal "$(jq -r '[.verdict, .exit_code, .reason] | join("|")' <<<"$output")" \
		"skipped|77|needs CAP_NET_ADMIN (network namespaces, veths, addresses, routes)"
}

@test "usage: errors are one line and exit 2; --help and --version exit 0" {
	run -2 --separate-stderr "$BIN/repro-udp-restore" --family 5
	assert_equal "$stderr" "repro-udp-restore: --family: '5': must be 4, 6 or both"
	assert_output ""
	run -2 --separate-stderr "$BIN/repro-udp-restore" --bind sometimes
	assert_equal "$stderr" "repro-udp-restore: --bind: 'sometimes': must be implicit or explicit"
	run -2 --separate-stderr "$BIN/repro-udp-restore" --family
	assert_equal "$stderr" "repro-udp-restore: option '--family' needs an argument (see --help)"
	run -2 --separate-stderr "$BIN/repro-udp-restore" --bogus
	assert_equal "$stderr" "repro-udp-restore: unknown option '--bogus' (see --help)"
	run -2 --separate-stderr "$BIN/repro-udp-restore" extra
	assert_equal "$stderr" "repro-udp-restore: unexpected argument 'extra' (see --help)"
	run -0 "$BIN/repro-udp-restore" --help
	assert_line --partial "Usage: repro-udp-restore [OPTIONS]"
	run -0 "$BIN/repro-udp-restore" --version
	assert_output --regexp '^repro-udp-restore [0-9]+\.[0-9]+\.[0-9]+$'
}
