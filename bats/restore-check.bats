#!/usr/bin/env bats
# restore-check: a manifest of the files a process maps or has open, verified against a
# target tree. Everything happens on copies in $TMP, never on system files.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# start_subject: a copy of elfsubject that maps b.dat and holds a.txt and c.txt open
start_subject() {
	mkdir -p "$TMP/app"
	cp "$TBIN/elfsubject" "$TMP/app/subject"
	echo "some text" >"$TMP/app/a.txt"
	echo "mapped data" >"$TMP/app/b.dat"
	echo "more text" >"$TMP/app/c.txt"
	chmod 644 "$TMP/app/a.txt" "$TMP/app/b.dat" "$TMP/app/c.txt"
	start_bg "$TMP/pid" "$TMP/app/subject" --pidfile "$TMP/pid" --threads 1 \
		--open "$TMP/app/a.txt" --map "$TMP/app/b.dat" --open "$TMP/app/c.txt" "$@"
	SUBJ=$(cat "$TMP/pid")
	cp "$BG_OUT" "$TMP/layout"
}

entry() { jq -c --arg p "$2" '.files[] | select(.path == $p)' "$1"; }

@test "manifest: every mapped and open file, exe, cwd and root, with stat data and readelf's build-ids" {
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	start_subject
	run -0 --separate-stderr "$BIN/restore-check" manifest "$SUBJ"
	echo "$output" >"$TMP/m.json"
	assert_equal "$(jq -r '"\(.format) \(.version) \(.pid) \(.root)"' "$TMP/m.json")" \
		"crdiag-restore-manifest 1 $SUBJ /"
	local exe=$TMP/app/subject fd
	assert_equal "$(entry "$TMP/m.json" "$exe" | jq -c '[(.from | sort), .state, .type, .deleted]')" \
		'[["exe","map"],"elf","file",false]'
	assert_equal "$(entry "$TMP/m.json" "$exe" | jq -r .build_id)" "$(readelf_build_id "$exe")"
	assert_equal "$(entry "$TMP/m.json" "$exe" | jq -r '"\(.size) \(.mode) \(.uid) \(.gid) \(.mtime)"')" \
		"$(stat -c '%s %04a %u %g %Y' "$exe")"
	fd=$(awk -v p="$TMP/app/a.txt" '$1 == "open" && $3 == p { print $2 }' "$TMP/layout")
	assert_equal "$(entry "$TMP/m.json" "$TMP/app/a.txt" | jq -c '[.from, .state, .size, .mode, .build_id]')" \
		"[[\"fd $fd\"],\"not-elf\",10,\"0644\",null]"
	assert_equal "$(entry "$TMP/m.json" "$TMP/app/b.dat" | jq -c '.from')" '["map"]'
	assert_equal "$(entry "$TMP/m.json" "$(readlink "/proc/$SUBJ/cwd")" | jq -c '[.from, .type]')" '[["cwd"],"dir"]'
	assert_equal "$(entry "$TMP/m.json" / | jq -c '[.from, .type]')" '[["root"],"dir"]'
	# every ELF the process maps carries the build-id readelf prints
	local id path n=0
	while IFS=' ' read -r id path; do
		assert_equal "$id" "$(readelf_build_id "$path")"
		n=$((n + 1))
	done < <(jq -r '.files[] | select(.build_id) | "\(.build_id) \(.path)"' "$TMP/m.json")
	[ "$n" -ge 3 ] || fail "only $n files with a build-id"
	# one entry per path, sorted
	assert_equal "$(jq -r '.files[].path' "$TMP/m.json")" "$(jq -r '.files[].path' "$TMP/m.json" | LC_ALL=C sort -u)"
}

@test "verify: an unchanged target is ok and exits 0, as text and as JSON" {
	start_subject
	"$BIN/restore-check" manifest "$SUBJ" >"$TMP/m.json"
	run -0 --separate-stderr "$BIN/restore-check" verify "$TMP/m.json"
	assert_line --index 0 --regexp "^manifest: PID $SUBJ \(subject\) on .*; checking under /$"
	assert_line "ok         $TMP/app/subject"
	refute_output --regexp '^(missing|mode|size|build-id|owner|type|unreadable) '
	assert_line --regexp '^summary: [0-9]+ files: [0-9]+ ok, 0 differ, 0 missing, 0 unreadable, 0 skipped$'
	run -0 --separate-stderr "$BIN/restore-check" verify --json "$TMP/m.json"
	assert_equal "$(jq -c '[.ok, .exit_code, .summary.differ, .summary.missing]' <<<"$output")" '[true,0,0,0]'
	assert_equal "$(jq '.summary.files' <<<"$output")" "$(jq '.files | length' "$TMP/m.json")"
}

@test "verify: a changed mode, a replaced ELF and a deleted file are each reported precisely, exit 1" {
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	start_subject
	"$BIN/restore-check" manifest "$SUBJ" >"$TMP/m.json"
	local old_id new_id old_size new_size
	old_id=$(entry "$TMP/m.json" "$TMP/app/subject" | jq -r .build_id)
	old_size=$(stat -c %s "$TMP/app/subject")
	# the "target": the same tree, changed three ways
	chmod 600 "$TMP/app/a.txt"
	cp "$TBIN/pattern" "$TMP/app/subject.new" && mv "$TMP/app/subject.new" "$TMP/app/subject"
	rm "$TMP/app/b.dat"
	new_id=$(readelf -n "$TMP/app/subject" 2>/dev/null | awk '/Build ID:/ { print $3 }')
	new_size=$(stat -c %s "$TMP/app/subject")
	[ -n "$new_id" ] && [ "$new_id" != "$old_id" ] || fail "pattern and elfsubject share a build-id?"

	run -1 --separate-stderr "$BIN/restore-check" verify "$TMP/m.json"
	assert_equal "$stderr" ""
	assert_line "mode       $TMP/app/a.txt: 0600 here, 0644 in the manifest (criu restore: \"has bad mode\", unless --skip-file-rwx-check)"
	assert_line "build-id   $TMP/app/subject: $new_id here, $old_id in the manifest (criu restore: \"has bad build-ID\")"
	assert_line "size       $TMP/app/subject: $new_size here, $old_size in the manifest (criu restore: \"has bad size\")"
	assert_line "missing    $TMP/app/b.dat: No such file or directory (criu restore: \"Can't open file\")"
	assert_line "ok         $TMP/app/c.txt"
	assert_line --regexp '^summary: [0-9]+ files: [0-9]+ ok, 2 differ, 1 missing, 0 unreadable, 0 skipped$'

	run -1 --separate-stderr "$BIN/restore-check" verify --json "$TMP/m.json"
	echo "$output" >"$TMP/v.json"
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/a.txt" | jq -c '[.status, .differences]')" \
		'["differs",[{"field":"mode","manifest":"0644","here":"0600"}]]'
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/subject" | jq -c '[.status, [.differences[].field]]')" \
		'["differs",["size","build_id"]]'
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/subject" | jq -r '.differences[] | select(.field == "build_id") | "\(.manifest) \(.here)"')" \
		"$old_id $new_id"
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/b.dat" | jq -c '[.status, .error]')" '["missing","ENOENT"]'
	# nothing else changed
	assert_equal "$(jq '[.files[] | select(.status != "ok")] | length' "$TMP/v.json")" 3
	assert_equal "$(jq -c '[.ok, .exit_code, .summary.differ, .summary.missing]' "$TMP/v.json")" '[false,1,2,1]'
}

@test "verify: a file deleted on the source is skipped; --root looks the paths up under a rootfs" {
	echo "ghost" >"$TMP/ghost.dat"
	start_subject --map "$TMP/ghost.dat"
	rm "$TMP/ghost.dat"
	"$BIN/restore-check" manifest "$SUBJ" >"$TMP/m.json"
	assert_equal "$(entry "$TMP/m.json" "$TMP/ghost.dat" | jq -c '[.deleted, .from]')" '[true,["map"]]'
	run -0 --separate-stderr "$BIN/restore-check" verify "$TMP/m.json"
	assert_line "skipped    $TMP/ghost.dat: deleted on the source: CRIU carries its contents in the image"
	# a rootfs holding only the app: the app's files are ok, everything else is missing
	mkdir "$TMP/rootfs"
	mkdir -p "$TMP/rootfs$TMP/app"
	cp -p "$TMP/app/subject" "$TMP/app/a.txt" "$TMP/app/c.txt" "$TMP/rootfs$TMP/app/"
	chmod --reference=/ "$TMP/rootfs"
	chown --reference=/ "$TMP/rootfs"
	run -1 --separate-stderr "$BIN/restore-check" verify --root "$TMP/rootfs" --json "$TMP/m.json"
	echo "$output" >"$TMP/v.json"
	assert_equal "$(jq -r .root "$TMP/v.json")" "$TMP/rootfs"
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/subject" | jq -r .status)" ok
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/a.txt" | jq -r .status)" ok
	assert_equal "$(entry "$TMP/v.json" "$TMP/app/b.dat" | jq -r .status)" missing
	assert_equal "$(entry "$TMP/v.json" /usr/lib/x86_64-linux-gnu/libc.so.6 | jq -r .status)" missing
	assert_equal "$(entry "$TMP/v.json" / | jq -r .status)" ok
}

@test "manifest and verify: a path with a tab and a non-UTF-8 byte survives the JSON round trip" {
	local weird
	weird=$TMP/app/$'we\tird\xffname'
	mkdir -p "$TMP/app"
	echo x >"$weird"
	start_subject --open "$weird"
	"$BIN/restore-check" manifest "$SUBJ" >"$TMP/m.json"
	grep -qF 'we\tird\u00ffname' "$TMP/m.json" || fail "path not escaped as json.c does: $(grep ird "$TMP/m.json")"
	# verify finds the file (the JSON round trip is exact); its text shows the path
	# escaped (termsafe.h), as it shows every path
	run -0 --separate-stderr "$BIN/restore-check" verify "$TMP/m.json"
	assert_line "ok         $TMP/app/we\tird\xffname"
	rm "$weird"
	run -1 --separate-stderr "$BIN/restore-check" verify "$TMP/m.json"
	assert_line --partial "missing    $TMP/app/we\tird\xffname: "
}

@test "errors: unreadable, malformed and foreign manifests; dead PIDs; usage" {
	run -2 --separate-stderr "$BIN/restore-check" verify "$TMP/nope.json"
	assert_equal "$stderr" "restore-check: $TMP/nope.json: No such file or directory"
	printf '{"format": "crdiag-restore-manifest",\n "version": 1,\n "files": [,]}\n' >"$TMP/bad.json"
	run -2 --separate-stderr "$BIN/restore-check" verify "$TMP/bad.json"
	assert_equal "$stderr" "restore-check: $TMP/bad.json: line 3: not valid JSON"
	# nesting deeper than the reader's bound is an error, not a stack overflow
	printf '%*s' 100000 '' | tr ' ' '[' >"$TMP/deep.json"
	run -2 --separate-stderr "$BIN/restore-check" verify "$TMP/deep.json"
	assert_equal "$stderr" "restore-check: $TMP/deep.json: line 1: not valid JSON"
	echo '{"vmas": []}' >"$TMP/other.json"
	run -2 --separate-stderr "$BIN/restore-check" verify "$TMP/other.json"
	assert_equal "$stderr" "restore-check: $TMP/other.json: not a restore-check manifest (no \"format\": \"crdiag-restore-manifest\")"
	echo '{"format": "crdiag-restore-manifest", "version": 1, "files": [{"path": "relative"}]}' >"$TMP/rel.json"
	run -2 --separate-stderr "$BIN/restore-check" verify "$TMP/rel.json"
	assert_equal "$stderr" "restore-check: $TMP/rel.json: files[0]: no absolute \"path\""
	sleep 0 & local dead=$!
	wait "$dead"
	run -2 --separate-stderr "$BIN/restore-check" manifest "$dead"
	assert_equal "$stderr" "restore-check: PID $dead: no such process"
	run -2 --separate-stderr "$BIN/restore-check" manifest 0
	assert_equal "$stderr" "restore-check: invalid PID '0': must be a positive number"
	run -2 --separate-stderr "$BIN/restore-check"
	assert_equal "$stderr" "restore-check: missing command: manifest or verify (see --help)"
	run -2 --separate-stderr "$BIN/restore-check" frobnicate x
	assert_equal "$stderr" "restore-check: unknown command 'frobnicate': manifest or verify (see --help)"
	run -2 --separate-stderr "$BIN/restore-check" verify
	assert_equal "$stderr" "restore-check: verify: missing manifest file"
	run -2 --separate-stderr "$BIN/restore-check" manifest --root / 1
	assert_equal "$stderr" "restore-check: --root is for verify"
	run -0 "$BIN/restore-check" --help
	assert_output --partial "Usage: restore-check manifest"
	run -0 "$BIN/restore-check" --version
	assert_output --regexp '^restore-check [0-9]+\.[0-9]+\.[0-9]+$'
}
