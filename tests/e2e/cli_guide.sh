#!/usr/bin/env bash
# A CLI that guides: COMMAND --help shows that command's usage, options and
# examples; a typo in a command or option gets the nearest suggestion; an option
# that does not apply to the command is an error naming both (exit 2);
# TERM=dumb means no colour; completion scripts and --version.
. "$(dirname "$0")/lib.sh"

# Per-command help: its own synopsis, only its options, examples; exit 0.
run "$SFMC" dir --help
expect_rc 0 "dir --help"
expect_out_has "usage: sfmc-scan dir [PATH...]"
expect_out_has "--max-file-size"
expect_out_has "Examples:"
expect_out_lacks "--range"
expect_out_lacks "--chain"
run "$SFMC" git -h
expect_out_has "usage: sfmc-scan git [REPO|URL]"
expect_out_has "--range A..B"
expect_out_has "--clone-dir DIR"
expect_out_has "--all-objects"
expect_out_lacks "--label"
run "$SFMC" --help hook
expect_out_has "usage: sfmc-scan hook install|uninstall"
expect_out_has "--chain"
expect_out_lacks "--format"
run "$SFMC" help stdin
expect_rc 0 "help stdin"
expect_out_has "usage: sfmc-scan stdin"
expect_out_has "--label NAME"
run "$SFMC" --help
expect_out_has "Commands:"
expect_out_has "completion bash|zsh|fish"

# Typos: the nearest command or option.
run "$SFMC" dri .
expect_rc 2 "unknown command"
expect_err_has "unknown command 'dri': did you mean 'dir'?"
run "$SFMC" stagde
expect_err_has "did you mean 'staged'?"
run "$SFMC" frobnicate
expect_rc 2 "far-off command"
expect_err_has "unknown command 'frobnicate' (see sfmc-scan --help)"
expect_err_lacks "did you mean"
run "$SFMC" dir --formt json .
expect_rc 2 "unknown option"
expect_err_has "unknown option '--formt': did you mean '--format'?"
run "$SFMC" git --ranges=a..b
expect_err_has "did you mean '--range'?"

# Options that do not apply: an error naming the option and the command.
check_na() {
	local what=$1
	shift
	run "$@"
	expect_rc 2 "$what"
	expect_err_has "$what"
}
check_na "option '--range' does not apply to 'dir'" "$SFMC" dir --range a..b .
check_na "option '--all-objects' does not apply to 'stdin'" "$SFMC" stdin --all-objects
check_na "option '-f' does not apply to 'generate'" "$SFMC" generate -f json
check_na "option '--label' does not apply to 'git'" "$SFMC" git --label=x .
check_na "option '--chain' does not apply to 'dir'" "$SFMC" --chain dir .
check_na "option '-n' does not apply to 'check'" "$SFMC" check -n 3 x
# ... and what does apply still works.
run "$SFMC" generate -n 2
expect_rc 0 "generate -n 2"
[ "$(wc -l <"$T/out")" = 2 ] || fail "generate -n 2 printed $(wc -l <"$T/out") lines"

# Colour: on a terminal by default, never with TERM=dumb, NO_COLOR or --no-color.
mkdir "$T/tree"
printf 'k=%s\n' "$(tok)" >"$T/tree/a.env"
color_run() { # TERM [ARGS...]: the scan's output on a pseudo-terminal
	local term=$1
	shift
	env -u NO_COLOR TERM="$term" script -qec "$(printf '%q ' "$SFMC" dir "$@" "$T/tree")" /dev/null >"$T/tty" 2>&1 || true
}
if command -v script >/dev/null; then
	color_run xterm
	grep -q $'\e\\[' "$T/tty" || fail "no colour on a terminal with TERM=xterm"
	color_run dumb
	grep -q $'\e\\[' "$T/tty" && fail "colour with TERM=dumb"
	color_run xterm --no-color
	grep -q $'\e\\[' "$T/tty" && fail "colour with --no-color"
else
	echo "script (util-linux) missing: colour checks skipped" >&2
fi

# Completion scripts; --version names the libraries and the SIMD path.
run "$SFMC" completion bash
expect_rc 0 "completion bash"
bash -n "$T/out" || fail "the bash completion script does not parse"
expect_out_has "complete -o filenames -F _sfmc_scan sfmc-scan"
run "$SFMC" completion zsh
expect_out_has "#compdef sfmc-scan"
run "$SFMC" completion fish
expect_out_has "complete -c sfmc-scan"
run "$SFMC" completion tcsh
expect_rc 2 "completion for an unknown shell"
expect_err_has "no script for 'tcsh'"
run "$SFMC" --version
expect_rc 0 "--version"
for lib in "PCRE2 " "libgit2 " "libyaml " "libdeflate " "jansson " "SIMD: "; do
	expect_out_has "$lib"
done
head -1 "$T/out" | grep -qE '^sfmc-scan [0-9]+\.[0-9]+\.[0-9]+' || fail "--version's first line: $(head -1 "$T/out")"
finish
