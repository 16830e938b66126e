#!/usr/bin/env bash
# A 50 MB minified file that is one line (no newline at all), with secrets at
# its first byte, in the middle and ending at its last byte: exact columns,
# through dir (a file) and stdin (a pipe).
. "$(dirname "$0")/lib.sh"
a=$(tok) b=$(tok) c=$(tok)
fill1=25000000 fill2=24999800
mkdir "$T/tree"
{
	printf '%s;' "$a"
	head -c "$fill1" /dev/zero | tr '\0' ','
	printf '%s' "$b"
	head -c "$fill2" /dev/zero | tr '\0' '}'
	printf ';%s' "$c"
} >"$T/tree/app.min.js"
size=$(stat -c %s "$T/tree/app.min.js")
col_b=$((64 + 1 + fill1 + 1))
col_c=$((size - 64 + 1))
want="1:1:64:$a 1:$col_b:$((col_b + 63)):$b 1:$col_c:$size:$c"
filter='[.findings[] | "\(.line):\(.column):\(.end_column):\(.secret)"] | join(" ")'

run "$SFMC" dir -f json --show-secrets "$T/tree"
expect_rc 1 "dir on the 50 MB line"
expect_jq "$filter" "$want" "dir: three findings with exact columns"
expect_jq '.stats.bytes' "$size"

run "$SFMC" stdin -f json --show-secrets --label app.min.js <"$T/tree/app.min.js"
expect_rc 1 "stdin on the 50 MB line"
expect_jq "$filter" "$want" "stdin: three findings with exact columns"
cat "$T/tree/app.min.js" | "$SFMC" stdin -f json --show-secrets >"$T/out" 2>"$T/err" || true
expect_jq "$filter" "$want" "stdin from a pipe"
finish
