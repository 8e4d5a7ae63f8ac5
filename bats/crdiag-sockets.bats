#!/usr/bin/env bats
# crdiag-sockets: a process's inet sockets by fd, as sock_diag sees them, with the UDP
# sockets bound to a source address flagged. Driven against helpers/subject, whose
# sockets are known in advance.

load helpers/common

setup() {
	common_setup
	PUB=
}
teardown() {
	common_teardown
	if [ -n "$PUB" ]; then rm -rf "$PUB"; fi
}

# start_subject [CMD-PREFIX...]: run helpers/subject (behind the prefix, e.g. unshare);
# sets SUBJECT (its PID) and FD_<name> for each socket it printed. It writes its pidfile
# in $PUB when set (a directory nobody can write to), else in $TMP.
start_subject() {
	local pidfile=${PUB:-$TMP}/subject.pid
	start_bg "$pidfile" "$@" "$TBIN/subject" --pidfile "$pidfile"
	SUBJECT=$(cat "$pidfile")
	local name fd
	while read -r name fd; do
		name=${name//-/_}
		printf -v "FD_$name" '%s' "$fd"
	done <"$BG_OUT"
}

inode_of() { # inode_of PID FD: from the fd's link "socket:[INODE]"
	local l
	l=$(readlink "/proc/$1/fd/$2")
	l=${l#socket:[}
	echo "${l%]}"
}

sock() { # sock JSON FD: the inet entry of that fd, compact
	jq -c --argjson fd "$2" '.inet[] | select(.fd == $fd)' <<<"$1"
}

@test "sockets: every inet socket by fd with its inode and addresses; UDP bound to a source flagged" {
	start_subject
	run -0 --separate-stderr "$BIN/crdiag-sockets" --json "$SUBJECT"
	local j=$output
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .comm <<<"$j")" subject
	assert_equal "$(jq .netns_entered <<<"$j")" false
	# connected to 127.0.0.1:9: the kernel bound its source to 127.0.0.1
	local s
	s=$(sock "$j" "$FD_udp4_connected")
	assert_equal "$(jq -r .inode <<<"$s")" "$(inode_of "$SUBJECT" "$FD_udp4_connected")"
	assert_equal "$(jq -c '[.protocol, .family, .local.address, .peer, .state, .bound_source]' <<<"$s")" \
		'["udp","ipv4","127.0.0.1",{"address":"127.0.0.1","port":9},"connected",true]'
	[ "$(jq .local.port <<<"$s")" -gt 0 ] || fail "no source port: $s"
	# bound to 0.0.0.0: nothing to lose on restore
	s=$(sock "$j" "$FD_udp4_wildcard")
	assert_equal "$(jq -c '[.protocol, .local.address, .peer, .state, .bound_source]' <<<"$s")" \
		'["udp","0.0.0.0",null,"unconnected",false]'
	# TCP is listed, never flagged
	s=$(sock "$j" "$FD_tcp4_listen")
	assert_equal "$(jq -c '[.protocol, .local.address, .state, .bound_source]' <<<"$s")" \
		'["tcp","127.0.0.1","LISTEN",false]'
	# the unix socketpair (two fds) is counted, not listed
	assert_equal "$(sock "$j" "$FD_unix")" ""
	local inet=3 bound=1
	if [ -n "${FD_udp6_bound:-}" ]; then
		s=$(sock "$j" "$FD_udp6_bound")
		assert_equal "$(jq -c '[.family, .local.address, .bound_source]' <<<"$s")" '["ipv6","::1",true]'
		inet=4 bound=2
	fi
	assert_equal "$(jq -c '[(.inet | length), .other_sockets, .udp_bound_source, .sockets]' <<<"$j")" \
		"[$inet,2,$bound,$((inet + 2))]"
	# every fd is one of the process's own
	assert_equal "$(jq .fds <<<"$j")" "$(ls "/proc/$SUBJECT/fd" | wc -l)"
}

@test "sockets: the table says what the JSON says, and marks the bound ones" {
	start_subject
	run -0 --separate-stderr "$BIN/crdiag-sockets" "$SUBJECT"
	assert_line --index 0 --regexp "^PID $SUBJECT \\(subject\\): [0-9]+ fds, [0-9]+ sockets, [0-9]+ inet, 2 other; [12] UDP sockets? bound to a source address$"
	assert_line --regexp "^$FD_udp4_connected +udp +ipv4 +127\\.0\\.0\\.1:[0-9]+ +127\\.0\\.0\\.1:9 +connected +[0-9]+  ! bound source$"
	assert_line --regexp "^$FD_udp4_wildcard +udp +ipv4 +0\\.0\\.0\\.0:[0-9]+ +- +unconnected +[0-9]+$"
	assert_line --regexp "^$FD_tcp4_listen +tcp +ipv4 +127\\.0\\.0\\.1:[0-9]+ +- +LISTEN +[0-9]+$"
	assert_line "! bound source: on restore CRIU binds this address again; where it is gone,"
}

@test "sockets: a process in another network namespace is seen from inside it" {
	require_root
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	start_subject unshare --net sh -c 'ip link set lo up && exec "$@"' sh
	[ "$(readlink "/proc/$SUBJECT/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
		fail "the subject is in our network namespace"
	run -0 --separate-stderr "$BIN/crdiag-sockets" --json "$SUBJECT"
	assert_equal "$(jq .netns_entered <<<"$output")" true
	assert_equal "$(sock "$output" "$FD_udp4_connected" | jq -c '[.local.address, .bound_source]')" \
		'["127.0.0.1",true]'
	# and our own namespace is where we left it
	run -0 "$BIN/crdiag-sockets" --json $$
	assert_equal "$(jq .netns_entered <<<"$output")" false
}

@test "sockets: looking into another network namespace without CAP_SYS_ADMIN is refused, said so" {
	require_root
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	nobody_stage
	PUB=$NOBODY_DIR
	# nobody's own process (so its fds are readable), in a network namespace of its own;
	# a copy nobody can reach (NTBIN)
	local TBIN=$NTBIN
	start_subject unshare --net sh -c 'ip link set lo up && exec "$@"' sh \
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-sockets" "$SUBJECT"
	assert_output ""
	assert_equal "$stderr" "crdiag-sockets: PID $SUBJECT (subject): permission denied: it is in another network namespace: looking inside needs CAP_SYS_ADMIN"
}

@test "sockets: a process without sockets has zero inet sockets" {
	start_bg "$TMP/pattern.pid" "$TBIN/pattern" --pidfile "$TMP/pattern.pid"
	run -0 --separate-stderr "$BIN/crdiag-sockets" --json "$(cat "$TMP/pattern.pid")"
	assert_equal "$(jq -c '[(.inet | length), .sockets, .other_sockets, .udp_bound_source]' <<<"$output")" \
		'[0,0,0,0]'
	run -0 "$BIN/crdiag-sockets" "$(cat "$TMP/pattern.pid")"
	assert_equal "${#lines[@]}" 1
}

@test "sockets: usage errors and processes it cannot read are one line on stderr, exit 2" {
	run -2 --separate-stderr "$BIN/crdiag-sockets"
	assert_equal "$stderr" "crdiag-sockets: missing PID (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-sockets" 1 2
	assert_equal "$stderr" "crdiag-sockets: too many arguments: one PID only"
	run -2 --separate-stderr "$BIN/crdiag-sockets" abc
	assert_equal "$stderr" "crdiag-sockets: invalid PID 'abc': must be a positive number"
	run -2 --separate-stderr "$BIN/crdiag-sockets" --frob 1
	assert_equal "$stderr" "crdiag-sockets: unknown option '--frob' (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-sockets" 99999999999
	assert_equal "$stderr" "crdiag-sockets: invalid PID '99999999999': must be a positive number"
	local gone
	gone=$(sh -c 'echo $$')
	run -2 --separate-stderr "$BIN/crdiag-sockets" --json "$gone"
	assert_output ""
	assert_equal "$stderr" "crdiag-sockets: PID $gone: no such process"
	# another user's process: its fds are PTRACE_MODE_READ-protected
	start_subject
	nobody_stage
	run -2 --separate-stderr run_as_nobody "$NBIN/crdiag-sockets" "$SUBJECT"
	assert_equal "$stderr" "crdiag-sockets: PID $SUBJECT (subject): permission denied: reading its fds needs PTRACE_MODE_READ (the same uid, or CAP_SYS_PTRACE)"
	run -0 "$BIN/crdiag-sockets" --help
	assert_line --index 0 "Usage: crdiag-sockets [--json] PID"
	run -0 "$BIN/crdiag-sockets" --version
	assert_output "crdiag-sockets 0.1.0"
}
