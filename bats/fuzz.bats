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
	run -0 "$FUZZ/fuzz-maps" -max_total_time=10 -print_final_stats=1 \
		-artifact_prefix="$TMP/crash-" "$TMP/corpus"
	local execs
	execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' <<<"$output")
	[ "${execs:-0}" -gt 1000 ] || fail "only ${execs:-0} inputs executed"
	assert_file_not_exists "$TMP"/crash-*
}
