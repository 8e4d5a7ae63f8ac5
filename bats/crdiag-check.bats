#!/usr/bin/env bats
# crdiag-check PID: each test subject (helpers/checksubject.c MODE) holds exactly one
# thing CRIU trips on; crdiag-check names it with the catalogue's id, CRIU's line filled
# in with the subject's PIDs, inodes and paths, and the options that get past it; those
# options, passed with --options, make the finding "handled". Where a real CRIU log of
# the same situation is kept (bats/fixtures/criu-failures), it classifies to the same id.

load helpers/common

setup() {
	common_setup
	# the findings that depend on it are tested with --criu-version; the rest must
	# not depend on which CRIU this machine has
	export CRIU=/nonexistent/criu
}

teardown() { common_teardown; }

# subject MODE: start checksubject MODE, SUBJ is the root to check, HOLDER the helper
subject() {
	rm -f "$TMP/subject.pid"
	start_bg "$TMP/subject.pid" "$TBIN/checksubject" "$1" "$TMP/subject.pid" "$TMP" ||
		{ [ -s "$TMP/bg.$$.err" ] && grep -q . "$TMP/bg.$$.err"; bg_wait;
		  [ "$BG_STATUS" -eq 77 ] && skip "$1: $(cat "$TMP/bg.$$.err")"; fail "subject $1 failed"; }
	SUBJ=$(cat "$TMP/subject.pid")
	HOLDER=$BG_PID
}

# check [ARGS...]: crdiag-check --json ARGS SUBJ into $output (status kept)
check() {
	run --separate-stderr "$BIN/crdiag-check" --json "$@" "$SUBJ"
}

# check_path DIR [ARGS...]: check with PATH=DIR for crdiag-check only
check_path() {
	local dir=$1
	shift
	run --separate-stderr env PATH="$dir" "$BIN/crdiag-check" --json "$@" "$SUBJ"
}

# finding ID [JQ]: the first finding with that id, or a field of it
finding() {
	jq -r --arg id "$1" "[.findings[] | select(.id == \$id)][0]${2:-}" <<<"$output"
}

# log_class FILE: the class crdiag-criu gives a real CRIU log of the same situation
log_class() {
	"$BIN/crdiag-criu" --log "$CRIU_FAILURES/$1" --json | jq -r .class
}

@test "check: a sleeping session leader has nothing that fails a dump (0), summary last" {
	subject plain
	run -0 "$BIN/crdiag-check" "$SUBJ"
	assert_line --index 0 --regexp "^crdiag check $SUBJ \\(checksubject\\): 1 process, 1 thread; CRIU 4\\.2 \\(no CRIU found: assuming the newest release\\)$"
	assert_line --index -1 --regexp '^summary: 0 fail the dump, 0 the restore, [0-9]+ notes?, 0 handled by the options: nothing fails the dump$'
	check
	assert_equal "$status" 0
	assert_equal "$(jq -c '[.pid, .criu_version, .criu_version_from, .tree.processes, .summary.dump, .summary.dump_fails]' <<<"$output")" \
		"[$SUBJ,\"4.2\",\"newest\",1,0,false]"
	assert_equal "$(jq '[.findings[] | select(.severity == "dump")] | length' <<<"$output")" 0
}

@test "check: not a session leader names its session leader and --shell-job" {
	subject no-setsid
	local sid
	sid=$(ps -o sid= -p "$SUBJ" | tr -d ' ')
	assert_equal "$sid" "$HOLDER" # its session leader is the holder, whatever session we run in
	check
	assert_equal "$status" 1
	assert_equal "$(finding not-session-leader '| [.severity, .peer.pid, .criu_says, .options] | @json')" \
		"[\"dump\",$sid,\"The root process $SUBJ is not a session leader. Consider using --shell-job option\",\"--shell-job\"]"
	assert_equal "$(log_class criu-4.2_dump_no-setsid.log)" not-session-leader
	check --options "--shell-job"
	assert_equal "$status" 0
	assert_equal "$(finding not-session-leader .handled)" true
	check --options "-j"
	assert_equal "$(finding not-session-leader .handled)" true
}

@test "check: a PID namespace's init that is not a session leader" {
	require_root
	subject pidns-init
	check
	assert_equal "$status" 1
	assert_equal "$(finding pidns-init-not-session-leader '| [.severity, .criu_says, .options] | @json')" \
		"[\"dump\",\"A session leader of $SUBJ(1) is outside of its pid namespace\",\"\"]"
	assert_equal "$(finding pidns-init-not-session-leader .otherwise)" \
		"start the root as a session leader: setsid CMD (a namespace's init: unshare --pid --fork setsid CMD)"
	# no option gets past it
	check --options "--shell-job"
	assert_equal "$status" 1
}

@test "check: a stream socket whose peer is outside: holder named, --external unix[INODE], not --ext-unix-sk" {
	subject unix-stream
	local ino
	ino=$(readlink "/proc/$SUBJ/fd/3" | tr -dc 0-9)
	check
	assert_equal "$status" 1
	assert_equal "$(finding unix-external-peer '| [.fd, .inode, .peer.pid, .peer.comm, .criu_says, .options] | @json')" \
		"[3,$ino,$HOLDER,\"checksubject\",\"External socket is used. Consider using --ext-unix-sk option.\",\"--external unix[$ino]\"]"
	assert_equal "$(log_class criu-4.2_dump_ext-unix-stream.log)" unix-external-peer
	# the outsider, and the ancestor whose tree holds both ends
	assert_equal "$(finding tree-outsider '| [.pid, .otherwise] | @json')" \
		"[$HOLDER,\"dump $HOLDER (checksubject) instead: its tree holds them all\"]"
	# --ext-unix-sk does not get past a stream socket: CRIU's next line
	check --options "--ext-unix-sk"
	assert_equal "$status" 1
	assert_equal "$(finding unix-stream-external-peer '| [.criu_says, .options, .handled] | @json')" \
		"[\"Can't dump half of stream unix connection. name: (null); peer name: (null)\",\"--external unix[$ino]\",false]"
	assert_equal "$(log_class criu-4.2_dump_ext-unix-stream_ext-unix-sk.log)" unix-stream-external-peer
	check --options "--ext-unix-sk --external unix[$ino]"
	assert_equal "$status" 0
	assert_equal "$(finding unix-stream-external-peer .handled)" true
}

@test "check: a crashpad-like helper that double-forked out of the tree is named with PID and comm" {
	subject unix-crashpad
	local pad
	check
	assert_equal "$status" 1
	pad=$(finding unix-external-peer .peer.pid)
	assert_equal "$(finding unix-external-peer .peer.comm)" chrome_crashpad
	assert_equal "$(cat "/proc/$pad/comm")" chrome_crashpad
	# it is not in the tree: its parent is not the root's descendant
	run -0 jq -e --argjson p "$pad" '.tree.pids | index($p) == null' <<<"$output"
	check
	assert_equal "$(finding tree-outsider '| [.pid, .severity] | @json')" "[$pad,\"note\"]"
	assert_equal "$(finding tree-outsider .what | grep -c 'double-forked out of the tree')" 1
	run -1 "$BIN/crdiag-check" "$SUBJ"
	assert_output --regexp "dump +$SUBJ \\(checksubject\\) fd 3 inode [0-9]+ peer $pad \\(chrome_crashpad\\): unix-external-peer"
}

@test "check: a datagram socket connected to a named socket outside: --ext-unix-sk" {
	subject unix-dgram-named
	check
	assert_equal "$status" 1
	assert_equal "$(finding unix-external-peer '| [.peer.pid, .options] | @json')" "[$HOLDER,\"--ext-unix-sk\"]"
	assert_equal "$(log_class criu-4.2_dump_ext-unix-dgram-named.log)" unix-external-peer
	check --options "-x"
	assert_equal "$status" 0
	assert_equal "$(finding unix-external-peer .handled)" true
	assert_equal "$(log_class criu-4.2_dump_ext-unix-dgram-named_ext-unix-sk.log)" ok
}

@test "check: established TCP needs --tcp-established, and then a network lock this machine has" {
	subject tcp-established
	mkdir -p "$TMP/nolock" "$TMP/lock"
	printf '#!/bin/sh\nexit 0\n' >"$TMP/lock/iptables-restore"
	chmod +x "$TMP/lock/iptables-restore"
	check_path "$TMP/nolock"
	assert_equal "$status" 1
	assert_equal "$(jq '[.findings[] | select(.id == "tcp-established")] | length' <<<"$output")" 2
	assert_equal "$(finding tcp-established '| [.criu_says, .options] | @json')" \
		'["Connected TCP socket, consider using --tcp-established option.","--tcp-established"]'
	assert_equal "$(log_class criu-4.2_dump_tcp-established.log)" tcp-established
	# without iptables-restore on PATH, CRIU's lock command exits 127
	check_path "$TMP/nolock" --options "--tcp-established"
	assert_equal "$(finding tcp-established .handled)" true
	assert_equal "$(finding network-lock-iptables '| [.severity, .handled, .criu_says] | @json')" \
		'["dump",false,"Iptables configuration failed"]'
	assert_equal "$(log_class criu-4.2_dump_tcp-established_tcp-established.log)" network-lock-iptables
	local lock
	lock=$(finding network-lock-iptables .options)
	check_path "$TMP/nolock" --options "--tcp-established $lock"
	assert_equal "$status" 0
	# with it there, no lock finding
	check_path "$TMP/lock" --options "--tcp-established"
	assert_equal "$status" 0
	assert_equal "$(finding network-lock-iptables)" null
}

@test "check: a listener with a connection not accepted: --skip-in-flight" {
	subject tcp-pending
	check --options "--tcp-established"
	assert_equal "$(finding tcp-in-flight '| [.severity, .fd, .options] | @json')" '["dump",3,"--skip-in-flight"]'
	assert_equal "$(finding tcp-in-flight .address)" "$(ss -Hltn "sport = :$(finding tcp-in-flight .address | sed 's/.*://')" | awk '{print $4}')"
}

@test "check: UDP bound to a specific IPv4 address fails a restore where it is gone; IPv6 gets IP_FREEBIND" {
	require_root
	subject udp4-bound
	check
	assert_equal "$status" 0
	assert_equal "$(finding bind-eaddrnotavail '| [.severity, .fd] | @json')" '["restore",3]'
	[[ $(finding bind-eaddrnotavail .address) == 192.0.2.1:* ]] || fail "address: $(finding bind-eaddrnotavail .address)"
	assert_equal "$(zcat "$CRIU_FAILURES/criu-4.2_restore_chromium-pod_address-moved.log.gz" | "$BIN/crdiag-criu" --log - --json | jq -r .class)" bind-eaddrnotavail
	subject udp6-bound
	check
	assert_equal "$status" 0
	assert_equal "$(finding ipv6-freebind .severity)" note
	[[ $(finding ipv6-freebind .address) == "[2001:db8::1]:"* ]] || fail "address: $(finding ipv6-freebind .address)"
}

@test "check: a packet socket is a note (CRIU dumps it; the restore needs CAP_NET_RAW)" {
	require_root
	subject packet
	check
	assert_equal "$status" 0
	assert_equal "$(finding raw-socket '| [.severity, .fd, .what] | @json')" \
		"[\"note\",3,\"packet socket $(readlink "/proc/$SUBJ/fd/3" | tr -dc 0-9): CRIU dumps it, but its restore needs CAP_NET_RAW and the same interfaces\"]"
}

@test "check: sockets of every kind in one tree: each named as alone, the netlink and unix ones not at all" {
	require_root
	subject mixed-sockets
	check --options "--tcp-established"
	# sock_diag is asked only for the protocols the tree holds: the findings are still
	# those of udp6-bound, tcp-pending and packet, plus the raw socket's; none for the
	# unbound UDP socket, the netlink socket or the socketpair inside the tree
	assert_equal "$(jq -c '[.findings[] | select(.id | test("^(tcp-|ipv6-|bind-|raw-|unix-)")) |
		[.id, .severity, (.what | split(" ")[0])]]' <<<"$output")" \
		'[["ipv6-freebind","note","IPv6"],["tcp-in-flight","dump","listening"],["tcp-established","dump","TCP"],["raw-socket","note","packet"],["raw-socket","note","raw"]]'
	[[ $(finding ipv6-freebind .address) == "[2001:db8::1]:"* ]] || fail "address: $(finding ipv6-freebind .address)"
}

@test "check: a file in flight in a unix queue with no peer in the tree fails a restore by CRIU < 4.0, a note after" {
	local ino fd mode
	# the sender closed, or a named socket whose client sends (3.17.1 fails both)
	for mode in unix-scm-orphan unix-scm-named; do
		subject "$mode"
		check --criu-version 3.17.1 # (status: ASan's shadow is a giant VMA for 3.17.1)
		fd=$(finding unix-scm-no-sender .fd)
		ino=$(stat -L -c %i "/proc/$SUBJ/fd/$fd")
		assert_equal "$(readlink "/proc/$SUBJ/fd/$fd")" "socket:[$ino]"
		assert_equal "$(finding unix-scm-no-sender '| [.severity, .inode, .criu_says, .options]' | jq -c .)" \
			"[\"restore\",$ino,\"Can't find sender for 0xN\",\"\"]"
		assert_regex "$(finding unix-scm-no-sender .what)" "^unix socket $ino holds 1 fd\\(s\\) in flight .* no peer in the tree"
		assert_equal "$(jq -r .summary.restore <<<"$output")" 1
		check --criu-version 4.0
		assert_equal "$(finding unix-scm-no-sender)" null
		assert_equal "$(finding unix-scm-in-flight '| [.severity, .inode] | @csv')" "\"note\",$ino"
		kill -TERM "$HOLDER"
		wait "$HOLDER"
	done
}

@test "check: a file in flight from the socket's peer in the tree is a note for every CRIU" {
	subject unix-scm
	check --criu-version 3.17.1
	assert_equal "$(finding unix-scm-no-sender)" null
	assert_equal "$(finding unix-scm-in-flight .severity)" note
	assert_equal "$(jq '[.findings[] | select(.id | startswith("unix-"))] | length' <<<"$output")" 1
}

@test "check: an unlinked 2 MiB file is over the ghost limit; --ghost-limit 4M handles it, 1M does not" {
	subject ghost
	check
	assert_equal "$status" 1
	assert_equal "$(finding ghost-limit '| [.fd, .criu_says, .options] | @json')" \
		"[3,\"Can't dump ghost file $TMP/ghost of 2097152 size, increase limit\",\"--ghost-limit 2M\"]"
	assert_equal "$(log_class criu-4.2_dump_ghost-big.log)" ghost-limit
	check --options "--ghost-limit 4M"
	assert_equal "$status" 0
	check --options "--ghost-limit=1M"
	assert_equal "$status" 1
	assert_equal "$(log_class criu-4.2_dump_ghost-big_ghost-limit-4M.log)" ok
}

@test "check: an unlinked 2 MiB file mapped with no fd left is over the ghost limit too, named by its VMA" {
	require_root # map_files
	subject ghost-mapped
	local range
	range=$(awk '/ghost-mapped \(deleted\)$/ { print $1 }' "/proc/$SUBJ/maps")
	[ -n "$range" ] || fail "the subject maps no deleted ghost-mapped: $(cat "/proc/$SUBJ/maps")"
	check
	assert_equal "$status" 1
	assert_equal "$(finding ghost-limit '| [.fd, .address, .criu_says, .options] | @json')" \
		"[null,\"$range\",\"Can't dump ghost file $TMP/ghost-mapped of 2097152 size, increase limit\",\"--ghost-limit 2M\"]"
	check --options "--ghost-limit 2M"
	assert_equal "$status" 0
	assert_equal "$(finding ghost-limit .handled)" true
}

@test "check: without PROCMAP_QUERY (Linux < 6.11, helpers/nosys) maps speak: the same mapped ghost and giant VMA" {
	require_root # map_files
	subject ghost-mapped
	check
	local want
	want=$(jq -c '[.findings[] | select(.id == "ghost-limit")]' <<<"$output")
	run --separate-stderr strace -f -e trace=ioctl -o "$TMP/strace" "$TBIN/nosys" "$BIN/crdiag-check" --json "$SUBJ"
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.findings[] | select(.id == "ghost-limit")]' <<<"$output")" "$want"
	grep -q 'ioctl(.*= -1 ENOTTY' "$TMP/strace" || fail "no PROCMAP_QUERY was refused: $(cat "$TMP/strace")"
	subject giant-vma
	check --criu-version 3.17.1
	want=$(jq -c '[.findings[] | select(.id == "short-read-bug") | .address]' <<<"$output")
	[ "$want" != "[]" ] || fail "no short-read-bug with PROCMAP_QUERY: $output"
	run --separate-stderr "$TBIN/nosys" "$BIN/crdiag-check" --json --criu-version 3.17.1 "$SUBJ"
	assert_equal "$(jq -c '[.findings[] | select(.id == "short-read-bug") | .address]' <<<"$output")" "$want"
}

@test "check: a sparse unlinked file: CRIU >= 3.18 counts its blocks (nothing), 3.17 its size (over the limit)" {
	subject ghost-sparse
	check --criu-version 4.2
	assert_equal "$status" 0
	assert_equal "$(finding ghost-limit)" null
	check --criu-version 3.18
	assert_equal "$(finding ghost-limit)" null
	check --criu-version 3.17.1
	assert_equal "$status" 1
	assert_equal "$(finding ghost-limit '| [.fd, .criu_says, .options] | @json')" \
		"[3,\"Can't dump ghost file $TMP/ghost-sparse of 2097152 size, increase limit\",\"--ghost-limit 2M\"]"
}

@test "check: a file open for writing is a note, a restore risk with --leave-running" {
	subject write-open
	check
	assert_equal "$(jq -r --arg p "$TMP/written" '.findings[] | select(.id == "file-bad-size" and (.criu_says | startswith("File " + $p + " has bad size"))) | .severity' <<<"$output")" note
	check --options "--leave-running"
	assert_equal "$(jq -r --arg p "$TMP/written" '.findings[] | select(.id == "file-bad-size" and (.criu_says | startswith("File " + $p + " "))) | .severity' <<<"$output")" restore
}

@test "check: an fd on a mount the tree's mount namespace does not have" {
	require_root
	subject mount-outside
	local mnt
	mnt=$(awk '/^mnt_id:/ { print $2 }' "/proc/$SUBJ/fdinfo/3")
	check
	assert_equal "$status" 1
	assert_equal "$(jq -r '.findings[] | select(.id == "mount-outside" and .fd == 3) | .criu_says' <<<"$output")" \
		"Can't lookup mount=$mnt for fd=3 path=/dev/null"
	assert_equal "$(jq -r '.findings[] | select(.id == "mount-outside" and .fd == 3) | .options' <<<"$output")" \
		"--external file[$(printf %x "$mnt"):$(printf %x "$(stat -Lc %i /dev/null)")]"
	grep -q "^$mnt " "/proc/$SUBJ/mountinfo" && fail "mount $mnt is in the subject's namespace"
	assert_equal "$(finding mount-outside .otherwise | grep -c restore-check)" 1
}

@test "check: io_uring, perf events and BPF maps: fds no option gets past" {
	local mode id
	while read -r mode id; do
		subject "$mode"
		check
		assert_equal "$status" 1
		assert_equal "$(finding "$id" '| [.severity, .fd, .options] | @json')" '["dump",3,""]'
		kill "$HOLDER"
		wait "$HOLDER" || true
	done <<-'TABLE'
	io-uring io-uring
	perf-event fd-unsupported
	bpf-map fd-unsupported
	TABLE
	assert_equal "$(log_class criu-4.2_dump_io-uring.log)" io-uring
}

@test "check: a file lock needs --file-locks" {
	subject flock
	check
	assert_equal "$status" 1
	assert_equal "$(finding file-locks '| [.fd, .criu_says, .options] | @json')" \
		'[3,"Some file locks are hold by dumping tasks! You can try --file-locks to dump them.","--file-locks"]'
	check --options "--file-locks"
	assert_equal "$status" 0
}

@test "check: a VMA over the read cap fails CRIU < 4.0 (short-read-bug) and is a note for 4.0 and later" {
	subject giant-vma
	check --criu-version 3.17.1
	assert_equal "$status" 1
	assert_equal "$(finding short-read-bug '| [.severity, .criu_says] | @json')" \
		"[\"dump\",\"pagemap-cache: Can't read $SUBJ's pagemap file\"]"
	local addr start end found=
	# the subject's 1 TiB reservation among them (an ASan build has its own giant VMAs)
	for addr in $(jq -r '.findings[] | select(.id == "short-read-bug") | .address' <<<"$output"); do
		start=$((0x${addr%-*})); end=$((0x${addr#*-}))
		[ "$((end - start))" -eq $((1 << 40)) ] && found=$addr
	done
	[ -n "$found" ] || fail "no short-read-bug finding is the 1 TiB reservation: $output"
	grep -q "^${found} ---p" "/proc/$SUBJ/maps" || fail "$found is not a ---p VMA of the subject"
	assert_equal "$(zcat "$CRIU_FAILURES/criu-4.2-without-short-read-fix_dump_chromium-renderer_CRIU_FAULT-135.log.gz" | "$BIN/crdiag-criu" --log - --json | jq -r .class)" short-read-bug
	check --criu-version 4.0
	assert_equal "$status" 0
	assert_equal "$(finding giant-vma .severity)" note
	assert_equal "$(finding short-read-bug)" null
	# the CRIU it finds decides: a fake one that says it is 3.17.1
	printf '#!/bin/sh\necho "Version: 3.17.1"\n' >"$TMP/criu"
	chmod +x "$TMP/criu"
	CRIU=$TMP/criu check
	assert_equal "$(jq -r '[.criu_version, .criu_version_from] | @json' <<<"$output")" "[\"3.17.1\",\"$TMP/criu\"]"
	assert_equal "$(finding short-read-bug .severity)" dump
}

@test "check: a traced thread cannot be seized; the tracer is named" {
	subject plain
	"$TBIN/tracer" --pidfile "$TMP/tracer.pid" "$SUBJ" 3>&- &
	local tr=$!
	BG_PIDS=("$tr" "${BG_PIDS[@]}")
	for _ in $(seq 100); do [ -s "$TMP/tracer.pid" ] && break; sleep 0.05; done
	check
	assert_equal "$status" 1
	assert_equal "$(finding ptraced '| [.tid, .peer.pid, .peer.comm] | @json')" "[$SUBJ,$tr,\"tracer\"]"
	kill "$tr"; wait "$tr" || true
}

@test "check: comm and paths the target controls are escaped in text, exact in JSON" {
	cp "$TBIN/checksubject" "$TMP/$(printf 'x\033[31my')"
	rm -f "$TMP/subject.pid"
	start_bg "$TMP/subject.pid" "$TMP/$(printf 'x\033[31my')" write-open "$TMP/subject.pid" "$TMP"
	SUBJ=$(cat "$TMP/subject.pid")
	run -0 "$BIN/crdiag-check" "$SUBJ"
	assert_line --index 0 --partial "$SUBJ (x\\e[31my)"
	refute_output --partial $'\033'
	check
	assert_equal "$(jq -r .comm <<<"$output")" "$(printf 'x\033[31my')"
}

@test "check: a comm that looks like the stat fields after it is read whole (the last ')' ends it)" {
	local name='a) R 1 (b'
	cp "$TBIN/checksubject" "$TMP/$name"
	rm -f "$TMP/subject.pid"
	start_bg "$TMP/subject.pid" "$TMP/$name" plain "$TMP/subject.pid" "$TMP"
	SUBJ=$(cat "$TMP/subject.pid")
	check
	assert_equal "$status" 0
	# the session it leads is its own: ppid, pgrp and session read after the real ')'
	assert_equal "$(jq -c '[.comm, .tree.processes, .tree.pids]' <<<"$output")" "[\"$name\",1,[$SUBJ]]"
	assert_equal "$(jq '[.findings[] | select(.id | test("session"))] | length' <<<"$output")" 0
}

@test "check: usage errors, a PID that does not exist, --catalog" {
	run -2 --separate-stderr "$BIN/crdiag-check"
	assert_equal "$stderr" "crdiag-check: which PID? (see --help)"
	run -2 --separate-stderr "$BIN/crdiag-check" 12x
	assert_equal "$stderr" "crdiag-check: '12x' is not a PID"
	run -2 --separate-stderr "$BIN/crdiag-check" --criu-version x 1
	run -2 --separate-stderr "$BIN/crdiag-check" 2147483647
	assert_equal "$stderr" "crdiag-check: PID 2147483647: No such process"
	assert_equal "$output" ""
	run -0 "$BIN/crdiag-check" --help
	assert_line --partial "Exit status: 0 nothing fails the dump, 1 something will, 2 error."
	run -0 "$BIN/crdiag-check" --catalog --json
	# ids are unique, every class has a meaning, and every id a finding can carry is there
	assert_equal "$(jq '[.[].id] | length == (unique | length)' <<<"$output")" true
	assert_equal "$(jq '[.[] | select(.meaning == "")] | length' <<<"$output")" 0
	local id
	for id in $(grep -ho 'finding_add(c, "[a-z0-9-]*"' "$ROOT"/src/crdiag-check/*.c | sed 's/.*"\(.*\)"/\1/' | sort -u); do
		jq -e --arg id "$id" 'map(.id) | index($id)' <<<"$output" >/dev/null || fail "$id is not in the catalogue"
	done
}
