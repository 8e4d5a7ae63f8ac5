#!/usr/bin/env bash
# seeds.sh DIR [TARGET]: a seed corpus for a fuzz target (default fuzz-maps), written to
# DIR. Generated, not committed: the machine's own files are the best seeds. Prints the
# directories to read in place as further corpora (never written to), one per line.
#   fuzz-maps     real maps files of this machine's processes, crafted edge cases
#   fuzz-catalog  templates, versions and log messages for the catalogue
#   fuzz-procstat this machine's /proc/PID/stat lines, crafted edge cases
#   fuzz-criulog  crafted edge cases; the real CRIU logs of bats/fixtures (criu-logs read
#                 in place, criu-failures' plain logs copied into DIR)
set -euo pipefail
dir=${1:?usage: seeds.sh DIR [TARGET]}
target=${2:-fuzz-maps}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"

maps_seeds() {
	local n=0 f good
	for f in /proc/[0-9]*/maps; do
		cat "$f" >"$dir/proc-$n" 2>/dev/null || rm -f "$dir/proc-$n"
		n=$((n + 1))
		[ "$n" -ge 40 ] && break
	done
	good='7f0000000000-7f0000001000 rw-p 00000000 00:00 0'
	printf '%s %s\n' "$good" "/$(head -c 8192 /dev/zero | tr '\0' 'a')" >"$dir/long-path"
	printf '%s\n' "$good" "$good" | head -c 70 >"$dir/cut-mid-line"
	printf '%s /a\0b\n' "$good" >"$dir/nul-in-path"
	printf 'ffffffffffffffff-fffffffffffffffff ---p 00000000 00:00 0\n' >"$dir/huge-hex"
	printf '7f0000002000-7f0000001000 rw-p 00000000 00:00 0\n' >"$dir/end-below-start"
	printf '7f0000001000-7f0000002000 rw-p\n' >"$dir/missing-fields"
	printf '7f0000001000-7f0000002000 rw-p 00000000 00:00 0 /x (deleted)\n' >"$dir/deleted"
	awk 'BEGIN { for (i = 0; i < 65530; i++) printf "%x-%x rw-p 00000000 00:00 0\n", 0x10000 + i * 8192, 0x11000 + i * 8192 }' >"$dir/max-map-count"
}

criulog_seeds() {
	local logs=$root/bats/fixtures/criu-logs f
	: >"$dir/empty"
	printf '\n\n\n' >"$dir/blank-lines"
	printf '(00.000001) Version: 4.2 (gitid 0)\n(00.100000) Dumping finished successfully\n' >"$dir/ok-dump"
	printf 'Looks good.\n' >"$dir/ok-check"
	printf '(00.039032)  16594: Error (criu/sk-inet.c:1059): inet: Can'"'"'t bind inet socket (id 13): Cannot assign requested address\n(00.04) Error (criu/cr-restore.c:2447): Restoring FAILED.\n' >"$dir/bind"
	printf '(01.234567) Error (criu/pagemap-cache.c:181): pagemap-cache: Can'"'"'t read 9397'"'"'s pagemap file: No such file or directory\n(01.3) Error (criu/cr-dump.c:2100): Dumping FAILED.\n' >"$dir/short-read"
	printf '(00.000100) Error (criu/util.c:1) rlimit: Can'"'"'t setup RLIMIT_NOFILE for self\nError (x.c:1): exited, status=3\nError (y.c:2): CRIU_FAULT out of bounds\n' >"$dir/noise-generic-fault"
	printf 'Error (\nError (a): \n(\n(1.\n(00.1)\n  12: \n12:\nVersion: \nVersion:\tx\n' >"$dir/truncated-prefixes"
	printf '(00.1) Error (a.c:1): bad\r\n(00.2) Dumping finished successfully\r\n' >"$dir/crlf"
	printf '(00.1) Error (a.c:1): x\0pagemap-cache: Can'"'"'t read 1'"'"'s pagemap file\n' >"$dir/nul-in-line"
	{ printf '(00.1) Error (a.c:1): '; head -c 65536 /dev/zero | tr '\0' 'e'; printf '\n'; } >"$dir/long-line"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "(%02d.%06d) %d: Error (f.c:%d): e%d\n", i / 1000000, i % 1000000, i, i, i }' >"$dir/many-errors"
	# the other failures' plain logs (the 3-5 MB .log.gz would slow every mutation)
	cp "$root"/bats/fixtures/criu-failures/*.log "$dir/"
	[ -d "$logs" ] || { echo "seeds.sh: $logs is missing" >&2; return 1; }
	echo "$logs"
}

catalog_seeds() {
	: >"$dir/empty"
	printf 'Can'"'"'t dump ghost file <path> of <size> size, increase limit' >"$dir/template"
	printf '<a><pid><<a>>>4.2.1' >"$dir/nested"
	printf '3.17.1\0004.0' >"$dir/versions"
	printf '<' >"$dir/open"
	printf '99999999999999999999999.1.x' >"$dir/huge-version"
	printf 'unix: External socket is used. Consider using --ext-unix-sk option.' >"$dir/message"
}

procstat_seeds() {
	local n=0 f ok='42 (a b) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 0 0'
	for f in /proc/[0-9]*/stat /proc/self/task/*/stat; do
		cat "$f" >"$dir/proc-$n" 2>/dev/null || rm -f "$dir/proc-$n"
		n=$((n + 1))
		[ "$n" -ge 40 ] && break
	done
	printf '%s\n' "$ok" >"$dir/ok"
	printf '42 (x) (y)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1\n' >"$dir/parens-in-comm"
	printf '42 (%s) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 7\n' "$(head -c 300 /dev/zero | tr '\0' c)" >"$dir/long-comm"
	printf '42 (a\0b) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1\n' >"$dir/nul-in-comm"
	printf '42 (a) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0\n' >"$dir/one-field-short"
	printf '42 (a) S 99999999999999999999999 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1\n' >"$dir/huge-ppid"
	printf '42 (a) S -1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1\n' >"$dir/negative-ppid"
	printf '42 (a)' >"$dir/comm-only"
	printf '42 (a) S 1 2 3 0 -1 0x10 0 0 0 0 0 0 0 0 20 0 1\n' >"$dir/hex-flags"
}

case $target in
fuzz-maps) maps_seeds ;;
fuzz-criulog) criulog_seeds ;;
fuzz-catalog) catalog_seeds ;;
fuzz-procstat) procstat_seeds ;;
*) echo "seeds.sh: no seeds for '$target'" >&2; exit 2 ;;
esac
