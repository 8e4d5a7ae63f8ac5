# termsafe.jq: src/termsafe.h for jq, and what Markdown needs on top of it.
#
# The report quotes what the inspected process and CRIU control (a comm, VMA names,
# CRIU's log lines, reasons that quote them): someone will `cat report.md` on a
# terminal, so those strings get the escapes termsafe.h gives them:
#   \\ for a backslash, \n \r \t, \e for ESC, \xHH for any other control or DEL,
#   \u{HHHH} for C1 controls (U+0080-U+009F), bidi overrides and isolates, line and
#   paragraph separators. (JSON carries a raw non-UTF-8 byte as \u00XX: jq sees the
#   code point, so a raw 0x9b shows as \u{009b} here where termsafe.h shows \x9b.)
# The result holds no character below U+0020, no U+007F and no C1 control.
# Markdown then: md escapes a backslash, a backtick (a stray one opens a code span)
# and '<' (raw HTML); cell also escapes '|', which ends a table cell; code makes a
# code span that no backtick inside can close; fence a fenced block no line can end.
# build: the Makefile puts this file into bin/crdiag-report at its "@include" line.

def ts_hex($w): [recurse(if . >= 16 then (. / 16 | floor) else empty end) % 16]
	| reverse | map("0123456789abcdef"[.:.+1]) | join("")
	| ("0" * ([$w - length, 0] | max) // "") + .;
def ts_unsafe: (. >= 128 and . <= 159) or . == 1564 or . == 8206 or . == 8207
	or (. >= 8232 and . <= 8238) or (. >= 8294 and . <= 8297);
def ts_char:
	if . == 92 then "\\\\" elif . == 10 then "\\n" elif . == 13 then "\\r"
	elif . == 9 then "\\t" elif . == 27 then "\\e"
	elif . < 32 or . == 127 then "\\x" + ts_hex(2)
	elif ts_unsafe then "\\u{" + ts_hex(4) + "}"
	else [.] | implode end;
# A string (anything else as tostring) made safe for a terminal.
def ts: tostring | if test("^[ -\\[\\]-~]*$") then . else [explode[] | ts_char] | join("") end;
# The same line by line: newlines stay (for fenced blocks of logs).
def ts_lines: split("\n") | map(ts) | join("\n");

# Markdown text (a paragraph, a list item).
def md: ts | gsub("(?<c>[\\\\`<])"; "\\\(.c)");
# A table cell: "-" for null.
def cell: if . == null then "-" else md | gsub("\\|"; "\\|") end;
# A code span whose fence is longer than any run of backticks inside (CommonMark).
def code: ts | ([scan("`+") | length] | max // 0) as $n | ("`" * ($n + 1)) as $f
	| if test("^`|`$") then $f + " " + . + " " + $f else $f + . + $f end;
# A fenced block of text: the fence is longer than any run of backticks in it.
def fence($t): ($t | ts_lines) as $s | ([$s | scan("`+") | length] | max // 0) as $n
	| ("`" * ([$n + 1, 3] | max)) as $f
	| $f + "text\n" + $s + (if ($s | endswith("\n")) or $s == "" then "" else "\n" end) + $f;
