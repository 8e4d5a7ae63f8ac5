#!/usr/bin/env bash
# make demo: what the kernel supports, then the engine's report on a process that holds
# a Chrome-sized PROT_NONE reservation. Everything started here is stopped on exit.
set -euo pipefail
bin=${1:?usage: demo.sh BINDIR}
tmp=$(mktemp -d)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$bin/crdiag-scan" --probe
echo
if [ -x "$bin/repro-giant-vma" ]; then
	"$bin/repro-giant-vma" --hold --pidfile "$tmp/pid" >"$tmp/out" &
	holder=$!
	for _ in $(seq 100); do [ -s "$tmp/pid" ] && break; sleep 0.05; done
	"$bin/crdiag-scan" "$(cat "$tmp/pid")"
else
	"$bin/crdiag-scan" $$
fi
