#!/usr/bin/env bash
# Exit codes: 0/1/2 for every --fail-on, unreadable files (fail closed),
# usage errors, --output and --quiet.
. "$(dirname "$0")/lib.sh"
BAD=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd
mkdir "$T/clean" "$T/valid" "$T/warn"
printf 'nothing here: SFMC_ alone, SFMC_short\n' >"$T/clean/a.txt"
printf 'k=%s\n' "$(tok)" >"$T/valid/a.txt"
printf 'example: %s\n' "$BAD" >"$T/warn/a.txt"

# expect_codes TREE ERROR WARNING NEVER: exit code for each --fail-on.
expect_codes() {
	local tree=$1 lvl want
	shift
	for lvl in error warning never; do
		want=$1
		shift
		run "$SFMC" dir -q --fail-on "$lvl" "$tree"
		expect_rc "$want" "dir --fail-on $lvl on $(basename "$tree")"
	done
}
expect_codes "$T/clean" 0 0 0
expect_codes "$T/valid" 1 1 0
expect_codes "$T/warn" 0 1 0
run "$SFMC" dir -q "$T/valid"
expect_rc 1 "--fail-on defaults to error"
run "$SFMC" dir -q "$T/warn"
expect_rc 0 "a warning alone passes by default"

# Unreadable input. Root ignores permission bits, so as root the scanner runs
# as nobody (setpriv) to make chmod 000 bite; the failure is then real EACCES.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "FAIL: running as root needs setpriv (util-linux)" >&2; exit 1; }
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chmod 755 "$T"
	chmod -R a+rX "$T"
fi
mkdir "$T/unread" "$T/mixed" "$T/unread/locked"
printf 'x\n' >"$T/unread/ok.txt"
printf '%s\n' "$(tok)" >"$T/unread/secret.txt"
printf '%s\n' "$(tok)" >"$T/unread/locked/inside.txt"
chmod 000 "$T/unread/secret.txt" "$T/unread/locked"
run "${as_user[@]}" "$SFMC" dir -f json "$T/unread"
expect_rc 2 "unreadable file and directory, nothing found"
expect_jq '[.errors[] | "\(.path): \(.message)"] | join("; ")' \
	'locked: cannot open directory: Permission denied; secret.txt: cannot open: Permission denied'
expect_err_has 'sfmc-scan: error: secret.txt: cannot open: Permission denied'
expect_err_has 'sfmc-scan: error: locked: cannot open directory: Permission denied'
run "${as_user[@]}" "$SFMC" dir -q --fail-on never "$T/unread"
expect_rc 2 "an error is never exit 0, even with --fail-on never"
expect_err_has 'secret.txt: cannot open: Permission denied'
cp "$T/valid/a.txt" "$T/unread/found.txt"
chmod a+r "$T/unread/found.txt"
for lvl in error warning; do
	run "${as_user[@]}" "$SFMC" dir -q --fail-on "$lvl" "$T/unread"
	expect_rc 1 "findings outrank the read error (--fail-on $lvl)"
done
run "${as_user[@]}" "$SFMC" dir -q --fail-on never "$T/unread"
expect_rc 2 "findings below --fail-on leave the read error's 2"
chmod 755 "$T/unread/locked"

run "$SFMC" dir -q "$T/does-not-exist"
expect_rc 2 "a missing PATH"
expect_err_has 'does-not-exist: cannot stat: No such file or directory'
run "$SFMC" dir -q "$T/clean" "$T/does-not-exist"
expect_rc 2 "a missing PATH among good ones"

# Usage errors.
for args in "" "frobnicate" "dir --bogus" "dir --fail-on sometimes" "dir --threads 0" "dir --format xml" \
	"dir --rules" "stdin extra-arg" "generate -n -1"; do
	run "$SFMC" $args
	expect_rc 2 "usage error: sfmc-scan $args"
	[ -s "$T/err" ] || fail "usage error without a message: sfmc-scan $args"
done
run "$SFMC" --help
expect_rc 0 "--help"
expect_out_has 'usage: sfmc-scan COMMAND'
run "$SFMC" --version
expect_rc 0 "--version"
expect_out_has "sfmc-scan "

# --output FILE: the report goes there, the summary still to stderr.
run "$SFMC" dir -f json --output "$T/report.json" "$T/valid"
expect_rc 1 "--output"
[ ! -s "$T/out" ] || fail "--output: stdout is not empty"
expect_err_has '1 finding (1 error, 0 warnings)'
jq -e '.findings | length == 1' "$T/report.json" >/dev/null || fail "--output: report file is not the JSON report"
run "$SFMC" dir -o "$T/report.txt" "$T/valid"
expect_rc 1 "-o text"
grep -q '^a.txt:1:3: error: ' "$T/report.txt" || fail "-o: text report file lacks the finding"
run "$SFMC" dir -o "$T/no/such/dir/report" "$T/valid"
expect_rc 2 "--output into a missing directory"
expect_err_has 'cannot create'

# --show-secrets: the report file is private, even when it existed before.
printf 'old\n' >"$T/secrets.json"
chmod 644 "$T/secrets.json"
run "$SFMC" dir -f json --show-secrets -o "$T/secrets.json" "$T/valid"
expect_rc 1 "--show-secrets --output"
[ "$(stat -c %a "$T/secrets.json")" = 600 ] || fail "--show-secrets report is not mode 600"
jq -e '.findings[0].secret | length == 64' "$T/secrets.json" >/dev/null || fail "--show-secrets report lacks the secret"

# Output that cannot be written is an error, for every command.
for cmd in "dir $T/valid" "dir -f json $T/valid" "dir --fail-on never $T/valid" "generate -n 3" \
	"check $(tok)"; do
	run sh -c "\"\$0\" $cmd >/dev/full" "$SFMC"
	expect_rc 2 "$cmd >/dev/full"
	expect_err_has 'cannot write'
done

# --quiet: no summary, but errors are still printed.
run "$SFMC" dir --quiet "$T/valid"
expect_rc 1 "--quiet"
[ ! -s "$T/err" ] || fail "--quiet printed a summary"
run "$SFMC" dir --quiet "$T/does-not-exist"
expect_err_has 'cannot stat'
finish
