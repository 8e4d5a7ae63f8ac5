#!/usr/bin/env bash
# seeds.sh DIR: a seed corpus for fuzz-maps: real maps files of this machine's processes
# and crafted edge cases. Generated, not committed: the machine's own maps are the best seeds.
set -euo pipefail
dir=${1:?usage: seeds.sh DIR}
mkdir -p "$dir"
n=0
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
