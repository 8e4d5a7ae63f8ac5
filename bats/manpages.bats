#!/usr/bin/env bats
# Every program has a man page, beside its source, that renders without a warning, has
# the sections a user looks for, and lists the same long options as its --help. A new
# program joins by a row in PAGES (and fails the first test until it has one).

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

# PROGRAM PAGE (relative to the tree)
PAGES="
crdiag src/crdiag/crdiag.1
crdiag-check src/crdiag-check/crdiag-check.1
crdiag-scan src/crdiag-scan/crdiag-scan.1
crdiag-sockets src/crdiag-sockets/crdiag-sockets.1
crdiag-criu src/crdiag-criu/crdiag-criu.1
crdiag-report src/crdiag-report/crdiag-report.1
crdiag-test src/crdiag-test/crdiag-test.1
restore-check src/restore-check/restore-check.1
vmainspect src/vmainspect/vmainspect.1
repro-giant-vma repro/giant-vma/repro-giant-vma.1
repro-pagemap-read repro/pagemap-read/repro-pagemap-read.1
repro-udp-restore repro/udp-restore/repro-udp-restore.1
repro-chromium repro/chromium/repro-chromium.1
"
SECTIONS=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES FILES "SEE ALSO")

rows() { grep -v '^$' <<<"$PAGES"; }

# help_options PROG: the long options its --help defines (an option line starts with
# spaces, then "-x, --name" or "--name"), sorted
help_options() {
	"$BIN/$1" --help | sed -nE 's/^ +(-[A-Za-z0-9], )?--([a-z0-9][a-z0-9-]*).*/\2/p' | sort -u
}

# man_options PAGE: the long options in the tags (the line after .TP) of its OPTIONS
# section, sorted
man_options() {
	awk '/^\.SH/ { on = ($0 ~ /^\.SH "?OPTIONS"?$/) } on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' "$1" |
		grep -oE '\\-\\-[a-z0-9][a-z0-9\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u
}

@test "every program in bin/ has a row and a man page beside its source" {
	local p missing=()
	for p in "$BIN"/*; do
		[ -x "$p" ] || continue
		grep -q "^$(basename "$p") " <<<"$PAGES" || missing+=("$(basename "$p"): no row in PAGES")
	done
	while read -r p page; do
		[ -f "$ROOT/$page" ] || missing+=("$p: $page does not exist")
	done < <(rows)
	[ ${#missing[@]} -eq 0 ] || fail "$(printf '%s\n' "${missing[@]}")"
}

@test "every man page renders with no warning (groff -ww, man --warnings)" {
	command -v groff >/dev/null || skip "groff is not installed (groff-base)"
	command -v man >/dev/null || skip "man is not installed (man-db)"
	local p page err n=0
	while read -r p page; do
		[ -f "$ROOT/$page" ] || continue
		err=$(groff -ww -man -z "$ROOT/$page" 2>&1)
		[ -z "$err" ] || fail "$page: groff: $err"
		err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$ROOT/$page" 2>&1 >/dev/null)
		[ -z "$err" ] || fail "$page: man: $err"
		n=$((n + 1))
	done < <(rows)
	[ "$n" -ge 10 ] || fail "only $n pages checked"
}

@test "every man page has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, EXAMPLES, FILES, SEE ALSO" {
	local p page s missing=()
	while read -r p page; do
		[ -f "$ROOT/$page" ] || continue
		head -n 1 "$ROOT/$page" | grep -q "^\.TH ${p^^} 1 " || missing+=("$page: .TH is not ${p^^} 1")
		grep -q "^$p \\\\- " "$ROOT/$page" || missing+=("$page: NAME is not '$p \\- ...'")
		for s in "${SECTIONS[@]}"; do
			grep -qE "^\.SH \"?$s\"?$" "$ROOT/$page" || missing+=("$page: no $s")
		done
	done < <(rows)
	[ ${#missing[@]} -eq 0 ] || fail "$(printf '%s\n' "${missing[@]}")"
}

@test "--help and the man page list the same long options" {
	local p page diffs=()
	while read -r p page; do
		[ -f "$ROOT/$page" ] && [ -x "$BIN/$p" ] || continue
		help_options "$p" >"$TMP/help"
		man_options "$ROOT/$page" >"$TMP/man"
		[ -s "$TMP/help" ] || diffs+=("$p: no option found in --help")
		cmp -s "$TMP/help" "$TMP/man" ||
			diffs+=("$p (< --help, > $page): $(diff "$TMP/help" "$TMP/man" | grep '^[<>]' | tr '\n' ' ')")
	done < <(rows)
	[ ${#diffs[@]} -eq 0 ] || fail "$(printf '%s\n' "${diffs[@]}")"
}
