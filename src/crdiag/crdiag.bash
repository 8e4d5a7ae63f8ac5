# bash completion for crdiag and its programs                      -*- shell-script -*-
#
# Installed as share/bash-completion/completions/crdiag, with one link per program
# name, so bash-completion loads it on the first <Tab> after any of them. Nothing is
# hard-coded about options: they come from the program's own --help (an option line
# is "  -x, --name ARG  text"; ARG PID completes PIDs, FILE and DIR paths, a|b|c its
# words), and the positional PID of "Usage: prog [OPTIONS] PID" completes PIDs too.

# _crdiag_pids: the PIDs of /proc, as words
_crdiag_pids() {
	local d pids=()
	for d in /proc/[0-9]*; do pids+=("${d#/proc/}"); done
	printf '%s\n' "${pids[@]}"
}

# _crdiag_reply WORDS...: COMPREPLY = the WORDS starting with $cur
_crdiag_reply() {
	local w
	COMPREPLY=()
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_crdiag_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -"${1:-f}" -- "$cur")
}

# _crdiag_words TEXT: the one-word choices an option's help lists ("auto (default),
# scan (PAGEMAP_SCAN), read", "single, chunked, scan or all"), one per line
_crdiag_words() {
	sed -E 's/\([^)]*\)//g; s/ or /,/g' <<<"$1" | tr ',' '\n' |
		sed -E 's/^ +//; s/ +$//' | grep -E '^[a-z][a-z0-9-]*$'
}

# _crdiag_value ARG TEXT: complete the value ARG (as --help names it) of an option
# whose help text is TEXT
_crdiag_value() {
	local _w
	case $1 in
	PID) mapfile -t _w < <(_crdiag_pids); _crdiag_reply "${_w[@]}" ;;
	DIR) _crdiag_files d ;;
	FILE | *.json) _crdiag_files f ;;
	*'|'*) local IFS='|'; _crdiag_reply $1 ;;
	*) mapfile -t _w < <(_crdiag_words "$2"); _crdiag_reply "${_w[@]}" ;;
	esac
}

# _crdiag_complete_help START CMD...: complete COMP_WORDS[START..] as the arguments of
# the program whose --help `CMD... --help` prints
_crdiag_complete_help() {
	local start=$1 help opts=() line name short arg i word prev sub="" usage
	shift
	help=$("$@" --help 2>/dev/null) || return 0
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	[ "$COMP_CWORD" -gt "$start" ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# the option before the cursor takes a value: complete that, from its help text
	# (its line and the deeper-indented lines that continue it)
	local lines=() n text j
	mapfile -t lines <<<"$help"
	for ((n = 0; n < ${#lines[@]}; n++)); do
		line=${lines[n]}
		[[ $line =~ ^\ +(-([A-Za-z0-9]),\ )?--([a-z0-9][a-z0-9-]*)(\ ([^ ]+))? ]] || continue
		short=${BASH_REMATCH[2]} name=${BASH_REMATCH[3]} arg=${BASH_REMATCH[5]}
		opts+=("--$name")
		if [ -n "$arg" ] && [ -n "$prev" ] &&
			{ [ "$prev" = "--$name" ] || { [ -n "$short" ] && [ "$prev" = "-$short" ]; }; }; then
			text=${line#*--$name $arg}
			for ((j = n + 1; j < ${#lines[@]}; j++)); do
				[[ ${lines[j]} =~ ^\ {8,}[^\ -] ]] || break
				text+=" ${lines[j]}"
			done
			_crdiag_value "$arg" "$text"
			return 0
		fi
	done
	if [[ $cur == -* ]]; then
		_crdiag_reply "${opts[@]}"
		return 0
	fi
	# a subcommand ("Usage: restore-check manifest ...", "       PROG verify ...") first
	local subs=() me
	me=$(sed -nE 's/^Usage: ([^ ]+).*/\1/p' <<<"$help" | head -n 1)
	[ -n "$me" ] || return 0
	while read -r word; do subs+=("$word"); done < <(sed -nE \
		"s/^(Usage:)? +$me ([a-z][a-z0-9-]*)( .*)?\$/\\2/p" <<<"$help" | sort -u)
	for ((i = start; i < COMP_CWORD; i++)); do
		for word in "${subs[@]}"; do
			[ "${COMP_WORDS[i]}" = "$word" ] && sub=$word
		done
	done
	if [ ${#subs[@]} -gt 0 ] && [ -z "$sub" ]; then
		_crdiag_reply "${subs[@]}"
		return 0
	fi
	# the positional argument: a PID when the usage line ends in PID, else a file
	usage=$(grep -E "^(Usage:)? +$me${sub:+ $sub}( |\$)" <<<"$help" | head -n 1)
	if [[ $usage =~ [[:space:]]PID([[:space:]]|$) ]]; then
		_crdiag_value PID
	elif [[ $usage =~ [[:space:]](FILE|[a-z.]+\.json)([[:space:]]|$) ]]; then
		_crdiag_files f
	else
		COMPREPLY=()
	fi
}

# crdiag COMMAND ...: commands first, then the command's program, through crdiag itself
_crdiag() {
	local crdiag=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} cmd
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		if [[ $cur == -* ]]; then
			_crdiag_reply --list-commands --help --version
		else
			mapfile -t _w < <("$crdiag" --list-commands 2>/dev/null)
			_crdiag_reply "${_w[@]}"
		fi
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case $cmd in
	help)
		if [ "$COMP_CWORD" -eq 2 ]; then
			mapfile -t _w < <("$crdiag" --list-commands 2>/dev/null)
			_crdiag_reply "${_w[@]}"
		fi ;;
	repro)
		if [ "$COMP_CWORD" -eq 2 ]; then
			mapfile -t _w < <("$crdiag" repro 2>/dev/null)
			_crdiag_reply "${_w[@]}"
		else
			_crdiag_complete_help 3 "$crdiag" repro "${COMP_WORDS[2]}"
		fi ;;
	*) _crdiag_complete_help 2 "$crdiag" "$cmd" ;;
	esac
	return 0
}

# PROG ...: the program's own name (vmainspect, repro-*, or a clone's bin/crdiag-*)
_crdiag_program() {
	local cur
	_crdiag_complete_help 1 "${COMP_WORDS[0]}"
}

complete -F _crdiag crdiag
complete -F _crdiag_program vmainspect crdiag-check crdiag-scan crdiag-sockets \
	crdiag-criu crdiag-report crdiag-test restore-check repro-giant-vma \
	repro-pagemap-read repro-udp-restore repro-chromium
