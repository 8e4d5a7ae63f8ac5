#!/usr/bin/env bash
# make demo: a process holding a Chrome-sized PROT_NONE reservation (repro-giant-vma
# --hold), opened in the inspector sorted by pagemap cost, so the reservation that
# breaks a single read is the first row. On a terminal vmainspect is interactive (Enter
# for the detail, q to quit); otherwise it prints its batch table. The holder is stopped
# on every exit path, Ctrl-C and SIGTERM included.
set -euo pipefail
bin=${1:?usage: demo.sh BINDIR}
tmp=$(mktemp -d)
holder=
cleanup() {
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null || true
		wait "$holder" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$bin/repro-giant-vma" --hold --pidfile "$tmp/pid" >"$tmp/out" 2>&1 &
holder=$!
for _ in $(seq 200); do
	[ -s "$tmp/pid" ] && break
	if ! kill -0 "$holder" 2>/dev/null; then
		cat "$tmp/out" >&2
		echo "demo: repro-giant-vma exited before holding its reservation" >&2
		exit 2
	fi
	sleep 0.05
done
if [ ! -s "$tmp/pid" ]; then
	echo "demo: repro-giant-vma wrote no PID file in 10 s" >&2
	exit 2
fi
cat "$tmp/out"
echo
if [ -t 0 ] && [ -t 1 ]; then
	"$bin/vmainspect" --sort pagemap "$(cat "$tmp/pid")"
else
	"$bin/vmainspect" --batch --sort pagemap "$(cat "$tmp/pid")"
fi
