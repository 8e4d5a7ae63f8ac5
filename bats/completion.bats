#!/usr/bin/env bats
# Bash completion (src/crdiag/crdiag.bash), driven as bash drives it: the script is
# sourced in a bash, COMP_WORDS and COMP_CWORD set, the function called, COMPREPLY read.

load helpers/common

setup() {
	common_setup
	COMPLETION=${CRDIAG_COMPLETION:-$ROOT/src/crdiag/crdiag.bash}
}
teardown() { common_teardown; }

# complete FUNCTION WORD...: the completions of the last WORD, one per line, sorted
complete_words() {
	local fn=$1
	shift
	bash -c 'source "$1" || exit 3; fn=$2; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$fn" || exit 4
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" "$fn" "$@" | sort
}

# expect WORDS... -- WANTED...: crdiag's completion of WORDS is exactly WANTED
expect() {
	local words=() want=()
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	want=("$@")
	run -0 complete_words _crdiag "$BIN/crdiag" "${words[@]}"
	assert_equal "$output" "$(printf '%s\n' ${want[@]+"${want[@]}"} | sort)"
}

@test "crdiag: the commands, as --list-commands has them; a prefix narrows them" {
	expect "" -- $("$BIN/crdiag" --list-commands)
	expect sc -- scan
	expect re -- repro report restore-check
	expect --v -- --version
	expect help rep -- repro report
}

@test "options come from the command's --help; an option's words from its help text" {
	expect scan --ba -- --backend
	expect scan --backend "" -- auto scan read single
	expect scan -b s -- scan single
	expect inspect --sort r -- resident
	expect inspect --no- -- --no-color --no-elf
	expect repro pagemap-read --strategy "" -- single chunked scan all
	expect repro udp-restore --family "" -- 4 6 both
	expect repro udp-restore --bind "" -- implicit explicit
	expect criu --j -- --json
	# a value that is free text completes nothing
	expect inspect --filter "" --
}

@test "repro: the reproducers, then the chosen one's options" {
	expect repro "" -- $("$BIN/crdiag" repro)
	expect repro giant -- giant-vma
	expect repro giant-vma --hold-s -- --hold-seconds
}

@test "a PID argument completes the PIDs of /proc, ours among them" {
	sleep 100 3>&- &
	local pid=$!
	BG_PIDS+=("$pid")
	run -0 complete_words _crdiag "$BIN/crdiag" scan ""
	assert_line "$pid"
	assert_line 1
	refute_line --regexp '[^0-9]'
	run -0 complete_words _crdiag "$BIN/crdiag" inspect "$pid"
	assert_output "$pid"
	run -0 complete_words _crdiag "$BIN/crdiag" restore-check manifest "$pid"
	assert_output "$pid"
	run -0 complete_words _crdiag "$BIN/crdiag" report --pid "$pid"
	assert_output "$pid"
	run -0 complete_words _crdiag_program "$BIN/repro-pagemap-read" -p "$pid"
	assert_output "$pid"
}

@test "subcommands, files and directories where the help asks for them" {
	expect restore-check "" -- manifest verify
	expect restore-check v -- verify
	mkdir "$TMP/dir"
	touch "$TMP/dump.log" "$TMP/manifest.json"
	expect criu --log "$TMP/du" -- "$TMP/dump.log"
	expect restore-check verify "$TMP/ma" -- "$TMP/manifest.json"
	expect report --output "$TMP/" -- "$TMP/dir"
}

@test "the programs' own names complete too, and every program in bin/ is registered" {
	run -0 complete_words _crdiag_program "$BIN/vmainspect" --so
	assert_output --sort
	run -0 complete_words _crdiag_program "$BIN/crdiag-scan" --backend ""
	assert_output "auto
read
scan
single"
	local p missing=()
	for p in "$BIN"/*; do
		[ -x "$p" ] || continue
		run bash -c 'source "$1"; complete -p "$2"' bash "$COMPLETION" "$(basename "$p")"
		[ "$status" -eq 0 ] || missing+=("$(basename "$p")")
	done
	[ ${#missing[@]} -eq 0 ] || fail "no completion registered for: ${missing[*]}"
}
