#!/usr/bin/env bats
# The Debian package: make deb builds it lintian-clean into build/deb, then it is
# installed on this machine, crdiag test and crdiag report --quick run from /usr
# outside the clone, and it is removed and purged with nothing left behind.
# It installs a package system-wide, so it runs only when asked: CRDIAG_DEB=1 (.ci/run
# sets it), as root, in the normal (not the sanitizer) pass.

load helpers/common

gate() {
	[ "${CRDIAG_DEB:-}" = 1 ] || skip "builds and installs the Debian package: set CRDIAG_DEB=1 (.ci/run does)"
	[ "${CRDIAG_SANITIZE:-}" != 1 ] || skip "the package is built once, in the normal pass"
}

setup_file() {
	[ "${CRDIAG_DEB:-}" = 1 ] && [ "${CRDIAG_SANITIZE:-}" != 1 ] || return 0
	local rc=0
	ls -a "$ROOT/.." >"$BATS_FILE_TMPDIR/parent.before"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" deb \
		>"$BATS_FILE_TMPDIR/deb.log" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/deb.status"
}

teardown_file() {
	# whatever failed, a package this file installed does not stay
	if [ -e "$BATS_FILE_TMPDIR/installed" ]; then
		apt-get purge -y -q -o DPkg::Lock::Timeout=300 crdiag >/dev/null 2>&1 || true
	fi
}

setup() {
	common_setup
	gate
	VERSION=$("$BIN/crdiag" --version | cut -d' ' -f2)
	DEB=$ROOT/build/deb/crdiag_${VERSION}_$(dpkg --print-architecture).deb
}
teardown() { common_teardown; }

# as_user CMD...: CMD from $TMP with nothing of the clone's in the environment
as_user() {
	(cd "$TMP" && env -u CRDIAG_BIN -u CRDIAG_TBIN -u CRDIAG_SANITIZE -u CRDIAG_TESTS "$@")
}

@test "deb: make deb builds crdiag_VERSION_ARCH.deb in build/deb, lintian-clean, nothing beside the checkout" {
	local rc
	rc=$(cat "$BATS_FILE_TMPDIR/deb.status")
	[ "$rc" -eq 0 ] || fail "make deb exited $rc: $(tail -n 30 "$BATS_FILE_TMPDIR/deb.log")"
	assert_file_exists "$DEB"
	# lintian's own report, kept beside the package: no error, no warning (make deb
	# fails on one too; this says which)
	assert_file_exists "$ROOT/build/deb/lintian.txt"
	run -1 grep -E '^[EW]: ' "$ROOT/build/deb/lintian.txt"
	# dpkg-buildpackage wrote nothing beside the checkout
	run -0 ls -a "$ROOT/.."
	assert_equal "$output" "$(cat "$BATS_FILE_TMPDIR/parent.before")"
}

@test "deb: Depends from shlibs, the Recommends and Suggests promised, the version of the programs" {
	run -0 dpkg-deb -f "$DEB" Package Version Depends Recommends Suggests
	assert_line "Package: crdiag"
	assert_line "Version: $VERSION"
	assert_line --regexp '^Depends: .*libc6 \(>= [0-9.]+\).*libdw1 .*libelf1 .*libncursesw6'
	assert_line "Recommends: bats, bats-assert, bats-file, bats-support, criu, jq"
	assert_line "Suggests: chromium"
}

@test "deb: installs; crdiag test runs the installed suite from /usr, outside the clone" {
	require_root
	if dpkg-query -W -f='${Status}' crdiag 2>/dev/null | grep -q 'install ok installed'; then
		skip "a crdiag package is already installed here: not replacing it"
	fi
	touch "$BATS_FILE_TMPDIR/installed"
	run -0 apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$DEB"
	dpkg-query -L crdiag >"$BATS_FILE_TMPDIR/files"
	run -0 --separate-stderr as_user crdiag test
	refute_line --regexp '^not ok '
	assert_regex "${stderr##*$'\n'}" '^crdiag-test: [0-9]+ passed, 0 failed, [0-9]+ skipped in [0-9.]+ s \(/usr/share/crdiag/tests\)$'
	run -0 man -w crdiag
	assert_output /usr/share/man/man1/crdiag.1.gz
}

@test "deb: crdiag report --quick from the package" {
	[ -e "$BATS_FILE_TMPDIR/installed" ] || skip "the package was not installed by this file"
	run -0 --separate-stderr as_user crdiag report --quick --output "$TMP/report"
	assert_equal "$(jq -r '[.tests.ran, .tests.failed, (.tests.total > 0), (.repros | length > 0)] | @json' \
		"$TMP/report/report.json")" '[true,0,true,true]'
	assert_regex "${stderr##*$'\n'}" '^crdiag-report: wrote .* in [0-9.]+ s$'
}

@test "deb: removed and purged, nothing of it is left" {
	[ -e "$BATS_FILE_TMPDIR/installed" ] || skip "the package was not installed by this file"
	run -0 apt-get remove -y -q -o DPkg::Lock::Timeout=300 crdiag
	local f left=()
	while read -r f; do
		[ -d "$f" ] && [ ! -L "$f" ] && continue # /usr/bin and the like stay
		[ -e "$f" ] || [ -L "$f" ] && left+=("$f")
	done <"$BATS_FILE_TMPDIR/files"
	[ ${#left[@]} -eq 0 ] || fail "left after dpkg -r: ${left[*]}"
	# apt no longer knows a removed local package; dpkg purges what remains (it has no
	# conffiles: nothing), waiting for the lock an apt run elsewhere may hold
	local i
	for i in $(seq 60); do
		run dpkg --purge crdiag
		[[ $output == *"lock"* ]] || break
		sleep 5
	done
	assert_success
	rm "$BATS_FILE_TMPDIR/installed"
	run dpkg-query -W -f='${Status}' crdiag
	[ "$status" -ne 0 ] || [[ $output == *not-installed* ]] || fail "dpkg still knows crdiag: $output"
	assert_dir_not_exists /usr/share/crdiag
	assert_dir_not_exists /usr/libexec/crdiag
	assert_file_not_exists /usr/share/doc/crdiag/copyright
	run -0 ls -a "$ROOT/.."
	assert_equal "$output" "$(cat "$BATS_FILE_TMPDIR/parent.before")"
}
