# crdiag-report: the Markdown report from report.json, after termsafe.jq (its md, cell,
# code, fence and ts). Built into bin/crdiag-report; `crdiag-report --render FILE`
# runs it alone.
def row(c): "| " + (c | map(cell) | join(" | ")) + " |";
def secs: if . == null then null else . * 100 | round / 100 end;
def lines($n): if $n == 1 then "1 line" else "\($n) lines" end;
def hex: if . == null then null else
	[recurse(if . >= 16 then (. / 16 | floor) else empty end) % 16]
	| reverse | map("0123456789abcdef"[.:.+1]) | "0x" + join("") end;
def yesno: if . == true then "yes" elif . == false then "no" else "unknown" end;
def details($title; $l):
	if $l == null then empty else
	"<details><summary>" + ($title | ts | @html) + " (" + ($l.file | ts | @html) + ", "
	+ (if $l.shown < $l.lines then "last \($l.shown) of \(lines($l.lines))" else lines($l.lines) end)
	+ ")</summary>\n\n" + fence($l.text) + "\n\n</details>\n" end;
def size: if . == null then "-" else
	[., 0] | until(.[0] < 1024 or .[1] == 5; [.[0] / 1024, .[1] + 1])
	| if .[1] == 0 then "\(.[0]) B" else
	  "\(.[0] * 100 | round / 100) \(["B", "KiB", "MiB", "GiB", "TiB", "PiB"][.[1]])" end end;
def endpoint: if . == null then "-" elif (.address | test(":")) then "[\(.address)]:\(.port)"
	else "\(.address):\(.port)" end;

. as $r
| $r.facts as $f
| $r.criu as $c
| [
"# crdiag report",
"",
"Written by \("crdiag-report " + $r.report.version | code) on \($r.report.generated | md) in \($r.report.seconds) s: \($r.report.command | code).",
"",
"## Summary",
"",
"- Reproducers: " + ([$r.repros[] | "\(.name | md) **\(.verdict | md)**"] | join(", ")),
"- CRIU: " + (if $c.status == "not found" then "not found (\($c.reason | md))"
	elif $c.status == "usable" then "\($c.version // "version unknown" | md) at \($c.path | code), usable"
	elif $c.status == "unusable" then "\($c.version // "version unknown" | md) at \($c.path | code), unusable: \($c.reason | md)"
	else "error: \($c.reason | md)" end),
"- Tests: " + (if $r.tests.ran then "\($r.tests.passed) passed, \($r.tests.failed) failed, \($r.tests.skipped) skipped"
	+ (if $r.tests.timed_out then " (timed out after \($r.tests.timeout) s)" else "" end)
	else $r.tests.reason | md end),
"",
"## Facts",
"",
"| fact | value |",
"|---|---|",
row(["kernel release", $f.kernel_release]),
row(["kernel version", $f.kernel_version]),
row(["architecture", $f.architecture]),
row(["page size", $f.page_size]),
row(["distribution", $f.os]),
row(["kernel config", $f.kernel_config.source // "unknown (none of \($f.kernel_config.searched | join(", ")))"]),
($f.kernel_config | to_entries[] | select(.key | startswith("CONFIG_")) | row([.key, .value])),
row(["PAGEMAP_SCAN", if $f.pagemap_scan == null then "unknown: \($f.pagemap_probe_error)"
	elif $f.pagemap_scan then "supported (categories \($f.pagemap_scan_categories))"
	else "not supported" end]),
row(["MAX_RW_COUNT", if $f.max_rw_count then "\($f.max_rw_count | hex) (\($f.max_rw_count) bytes per read)" else null end]),
row(["vm.max_map_count", $f.vm_max_map_count]),
row(["vm.overcommit_memory", $f.vm_overcommit_memory]),
row(["uid", $f.uid]),
row(["crdiag", $f.crdiag_version + (if $f.crdiag_commit then " (\($f.crdiag_commit))" else "" end)]),
"",
"## CRIU",
"",
"| criu | value |",
"|---|---|",
row(["status", $c.status]),
row(["path", $c.path]),
row(["version", $c.version]),
row(["criu check", if $c.check_status == null then "not run" elif $c.check_status == 0 then "passed"
	else "failed (exit \($c.check_status))" end]),
row(["reason", $c.reason]),
"",
(if $c.status == "not found" then "`criu --version` and `criu check`: not run, CRIU not found.\n" else empty end),
details("criu --version"; $c.version_output),
details("criu check"; $c.check_output),
"## Reproducers",
"",
"| reproducer | verdict | exit | seconds | reason |",
"|---|---|---|---|---|",
($r.repros[] | row([.command, .verdict, .exit_code, .seconds, .reason])),
"",
"## CRIU tier",
"",
"| run | verdict | exit | seconds | reason |",
"|---|---|---|---|---|",
($r.criu_tier[] | row([.command, .verdict, .exit_code, .seconds, .reason])),
"",
(if ([$r.criu_tier[].runs[]] | length) == 0 then "No CRIU run was made (each says why above)."
 else "| reproducer | CRIU run | exit | seconds | class | decisive line |\n|---|---|---|---|---|---|\n"
	+ ([$r.criu_tier[] | .command as $n | .runs[]
		| row([$n, .step, .exit_code, (.seconds | secs), .class, .line])] | join("\n")) end),
"",
"## Tests",
"",
(if $r.tests.ran | not then $r.tests.reason | md else
	"\($r.tests.command | code): \($r.tests.total) of \($r.tests.planned // "?") tests ran in \($r.tests.seconds) s: "
	+ "**\($r.tests.passed) passed, \($r.tests.failed) failed, \($r.tests.skipped) skipped**"
	+ (if $r.tests.timed_out then ", timed out after \($r.tests.timeout) s" else "" end)
	+ ". TAP: \($r.tests.tap | code), JUnit: \($r.tests.junit // "none" | code).\n"
	+ (if $r.tests.failed > 0 then "\nFailed:\n\n" + ([$r.tests.failures[]
		| "- \(.number) \(.name | md)" + (if .output != "" then "\n\n" + ("  " + fence(.output) | gsub("\n"; "\n  ")) else "" end)]
		| join("\n")) + "\n" else "" end)
	+ (if $r.tests.skipped > 0 then "\nSkipped:\n\n" + ([$r.tests.skips[]
		| "- \(.number) \(.name | md): \(if .reason == "" then "(no reason given)" else .reason | md end)"] | join("\n")) + "\n" else "" end)
	end),
"",
"## Process",
"",
(if $r.process == null then "No process given (`--pid PID` adds one)." else
	($r.process as $p |
	"PID \($p.pid) (\($p.comm // "?" | md))\n\n"
	+ (if $p.vmas then
		"VMAs: \($p.vmas.count), virtual \($p.vmas.virtual | size), resident \($p.vmas.resident | size), "
		+ "pagemap \($p.vmas.pagemap_bytes | size) in \($p.vmas.reads) reads; "
		+ "**\($p.vmas.over_cap | length) over the read cap** (\($p.vmas.max_rw_count | hex) bytes per read)\n"
		+ (if ($p.vmas.over_cap | length) > 0 then
			"\n| VMA | size | perms | kind | pagemap bytes | reads | name |\n|---|---|---|---|---|---|---|\n"
			+ ([$p.vmas.over_cap[] | row(["\(.start)-\(.["end"])", (.size | size), .perms, .kind,
				"\(.pagemap_bytes | hex) (\(.pagemap_bytes | size))", .reads, .name])] | join("\n")) + "\n" else "" end)
	  else "VMAs: not read: \($p.vmas_error | md)\n" end)
	+ "\n"
	+ (if $p.sockets then
		"Sockets: \($p.sockets.inet) inet (\($p.sockets.udp | length) UDP, \($p.sockets.tcp) TCP), \($p.sockets.other) other; "
		+ "**\($p.sockets.udp_bound_source) UDP bound to a source address**\n"
		+ (if ($p.sockets.udp | length) > 0 then
			"\n| fd | family | local | peer | state | bound source |\n|---|---|---|---|---|---|\n"
			+ ([$p.sockets.udp[] | row([.fd, .family, (.local | endpoint), (.peer | endpoint),
				.state, (.bound_source | yesno)])] | join("\n")) + "\n" else "" end)
	  else "Sockets: not read: \($p.sockets_error | md)\n" end))
	end),
"",
"## Logs",
"",
($r.repros[] | details(.command; .log)),
($r.criu_tier[] | details(.command + " (JSON)"; .log), (if .stderr.lines > 0 then details(.command + " (stderr)"; .stderr) else empty end)),
(if $r.tests.ran then details("bats (TAP)"; $r.tests.log),
	(if $r.tests.stderr.lines > 0 then details("bats (stderr)"; $r.tests.stderr) else empty end) else empty end)
] | join("\n")
