# crdiag-report: a bats TAP file as JSON (jq -R -s -f tap.jq FILE): counts, failures
# with their output, skips with reasons. Built into bin/crdiag-report; `crdiag-report
# --tap-json FILE` runs it alone.
	split("\n") as $l
	| ([$l[] | capture("^1\\.\\.(?<n>[0-9]+)$") | .n | tonumber] | first) as $plan
	| [ $l | to_entries[] | .key as $i | .value
	    | capture("^(?<ok>ok|not ok) (?<num>[0-9]+) (?<rest>.*)$")
	    | .rest |= sub(" # in [0-9]+ ms$"; "")
	    | . + {at: $i} ] as $r
	| [ $r[] | . as $t
	    | ($t.rest | capture("^(?<name>.*) # (?i:skip)(?: (?<why>.*))?$")) as $s
	    | {number: ($t.num | tonumber), name: $s.name, reason: ($s.why // "")} ] as $skips
	| [ range(0; $r | length) as $k | $r[$k] | select(.ok == "not ok")
	    | {number: (.num | tonumber), name: .rest,
	       output: ([$l[(.at + 1):($r[$k + 1].at // ($l | length))][]
	                 | select(startswith("#")) | sub("^# ?"; "")] | join("\n"))} ] as $fails
	| {
		planned: $plan,
		total: ($r | length),
		passed: (([$r[] | select(.ok == "ok")] | length) - ($skips | length)),
		failed: ($fails | length),
		skipped: ($skips | length),
		failures: $fails,
		skips: $skips
	}
