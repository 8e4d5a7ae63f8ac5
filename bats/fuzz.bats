#!/usr/bin/env bats
# Fuzzing smoke (the long runs are `make fuzz`): each libFuzzer target for a few seconds
# from real and crafted seeds, and every crafted edge case replayed once.

load helpers/common

setup() {
	common_setup
	FUZZ=$ROOT/build/fuzz
}
teardown() { common_teardown; }

fuzz_target() {
	[ -x "$FUZZ/$1" ] || skip "$1 not built (needs clang with libFuzzer: make fuzzers)"
}

# fuzz_10s TARGET [DIR...]: TARGET for 10 s from the seeds in $TMP/corpus (the only
# directory libFuzzer writes to) and DIRs read in place: 1,000 inputs at least, no crash
fuzz_10s() {
	local t=$1 execs
	shift
	run -0 "$FUZZ/$t" -max_total_time=10 -print_final_stats=1 \
		-artifact_prefix="$TMP/crash-" "$TMP/corpus" "$@"
	execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' <<<"$output")
	echo "# $t: $execs inputs in 10 s" >&3
	[ "${execs:-0}" -gt 1000 ] || fail "only ${execs:-0} inputs executed"
	assert_file_not_exists "$TMP"/crash-*
}

@test "fuzz-maps: the crafted edge cases and this machine's maps parse without a crash" {
	fuzz_target fuzz-maps
	"$ROOT/bats/fuzz/seeds.sh" "$TMP/seeds"
	run -0 "$FUZZ/fuzz-maps" "$TMP"/seeds/*
	assert_output --partial "Executed $TMP/seeds/max-map-count"
	assert_output --partial "Executed $TMP/seeds/nul-in-path"
}

@test "fuzz-maps: 10 s of coverage-guided fuzzing finds no crash" {
	fuzz_target fuzz-maps
	"$ROOT/bats/fuzz/seeds.sh" "$TMP/corpus"
	fuzz_10s fuzz-maps
}

@test "fuzz-criulog: the crafted edge cases and the real CRIU logs classify without a crash" {
	fuzz_target fuzz-criulog
	local extra
	extra=$("$ROOT/bats/fuzz/seeds.sh" "$TMP/seeds" fuzz-criulog)
	run -0 "$FUZZ/fuzz-criulog" "$TMP"/seeds/* "$extra"/*.log
	assert_output --partial "Executed $TMP/seeds/nul-in-line"
	assert_output --partial "Executed $TMP/seeds/many-errors"
	assert_output --partial "criu-4.2_restore_udp_source-address-moved.log"
}

@test "fuzz-criulog: 10 s of coverage-guided fuzzing finds no crash" {
	fuzz_target fuzz-criulog
	local extra
	extra=$("$ROOT/bats/fuzz/seeds.sh" "$TMP/corpus" fuzz-criulog)
	fuzz_10s fuzz-criulog "$extra" # the fixture logs, read in place
}

@test "fuzz-catalog: 10 s of the catalogue's template filler and version comparison finds no crash" {
	fuzz_target fuzz-catalog
	"$ROOT/bats/fuzz/seeds.sh" "$TMP/corpus" fuzz-catalog
	fuzz_10s fuzz-catalog
}

@test "fuzz-procstat: the crafted edge cases and this machine's stat lines parse without a crash" {
	fuzz_target fuzz-procstat
	"$ROOT/bats/fuzz/seeds.sh" "$TMP/seeds" fuzz-procstat
	run -0 "$FUZZ/fuzz-procstat" "$TMP"/seeds/*
	assert_output --partial "Executed $TMP/seeds/parens-in-comm"
	assert_output --partial "Executed $TMP/seeds/nul-in-comm"
}

@test "fuzz-procstat: 10 s of coverage-guided fuzzing finds no crash" {
	fuzz_target fuzz-procstat
	"$ROOT/bats/fuzz/seeds.sh" "$TMP/corpus" fuzz-procstat
	fuzz_10s fuzz-procstat
}
