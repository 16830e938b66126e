#!/usr/bin/env bash
# The man page (docs/man/sfmc-scan.1.scd, rendered by scdoc) and the help never
# drift: every option and command that `--help` (and each `COMMAND --help`)
# names is documented in the man page, and the page renders.
. "$(dirname "$0")/lib.sh"
scd=$SFMC_SOURCE_DIR/docs/man/sfmc-scan.1.scd
command -v scdoc >/dev/null || { echo "scdoc is not installed (ci/deps.sh installs it)" >&2; exit 1; }
scdoc <"$scd" >"$T/sfmc-scan.1" || fail "scdoc cannot render $scd"
MANWIDTH=100 man -l "$T/sfmc-scan.1" >"$T/man.txt" 2>/dev/null || fail "man cannot render the page"

run "$SFMC" --help
expect_rc 0 "--help"
cp "$T/out" "$T/help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/help" | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
[ -n "$cmds" ] || fail "--help lists no command"
for c in $cmds; do
	run "$SFMC" "$c" --help
	[ "$rc" -eq 0 ] && cat "$T/out" >>"$T/help"
	grep -qE "^\\*$c\\*" "$scd" || fail "command '$c' is not in the man page"
done
# Options are the first column of the "Options" sections.
opts=$(sed -n '/^Options/,/^$/p' "$T/help" | grep -oE '^ +(-[a-zA-Z], )?--?[a-zA-Z][a-z-]*' | tr ',' '\n' | tr -d ' ' | sort -u)
[ "$(echo "$opts" | wc -l)" -ge 20 ] || fail "found only $(echo "$opts" | wc -l) options in --help"
for o in $opts; do
	grep -qF -- "*$o*" "$scd" || fail "option $o (in --help) is not in the man page"
done
grep -q 'EXIT STATUS' "$T/man.txt" || fail "the rendered page has no EXIT STATUS"
finish
