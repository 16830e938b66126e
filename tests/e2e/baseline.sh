#!/usr/bin/env bash
# Baselines: --write-baseline then --baseline suppresses what was known
# (exit 0), a new secret still fails, the file holds no secret and no
# absolute path, so it works in another checkout; bad baselines exit 2.
. "$(dirname "$0")/lib.sh"
R="$T/repo"
mkdir -p "$R/src" "$R/docs"
A=$(tok); B=$(tok); N=$(tok)
echo "a = '$A'" >"$R/src/a.py"
echo "b = '$B'" >"$R/docs/b.md"
echo 'w=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd' >"$R/docs/warn.txt"

# --show-secrets applies to the report, never to the baseline.
run "$SFMC" dir --show-secrets --write-baseline "$T/base.json" "$R"
expect_rc 1 "writing a baseline still reports the findings"
expect_out_has "$A"
for s in "$A" "$B"; do
	! grep -qF "$s" "$T/base.json" || fail "the baseline holds a whole secret"
done
jq -e '[.findings[].path] == ["docs/b.md", "docs/warn.txt", "src/a.py"]' "$T/base.json" >/dev/null ||
	fail "baseline paths: $(jq -c '[.findings[].path]' "$T/base.json")"
! grep -qF "$T" "$T/base.json" || fail "the baseline holds an absolute path"

run "$SFMC" dir -f json --fail-on warning --baseline "$T/base.json" "$R"
expect_rc 0 "everything is in the baseline"
expect_jq '.findings | length' '0'
expect_jq '[.suppressed[] | "\(.path)=\(.suppression.kind):\(.suppression.reason)"] | join(",")' \
	"docs/b.md=baseline:in baseline $T/base.json,docs/warn.txt=baseline:in baseline $T/base.json,src/a.py=baseline:in baseline $T/base.json"

# The same baseline in another checkout (another absolute path).
cp -r "$R" "$T/elsewhere"
run "$SFMC" dir --baseline "$T/base.json" "$T/elsewhere"
expect_rc 0 "baseline in another checkout"

# A new secret fails, and only it is reported; so does a known secret in a new file.
echo "n = '$N'" >"$R/src/new.py"
echo "again = '$A'" >"$R/src/moved.py"
run "$SFMC" dir -f json --baseline "$T/base.json" "$R"
expect_rc 1 "new secrets fail"
expect_jq '[.findings[].path] | join(",")' 'src/moved.py,src/new.py'
expect_jq '.suppressed | length' '3'

# A config allow entry takes precedence over the baseline as the reason.
printf 'allow:\n  - path: docs/\n    reason: "docs are examples"\n' >"$R/.sfmc-scan.yaml"
run "$SFMC" dir -f json --baseline "$T/base.json" "$R"
expect_jq '[.suppressed[] | select(.path == "docs/b.md") | .suppression.kind] | join(",")' 'config'
rm "$R/.sfmc-scan.yaml"

# Rewriting the baseline keeps what the old one suppressed.
run "$SFMC" dir --baseline "$T/base.json" --write-baseline "$T/base2.json" "$R"
run "$SFMC" dir --baseline "$T/base2.json" "$R"
expect_rc 0 "the rewritten baseline covers old and new findings"

# An ordinary JSON report is a baseline too.
run "$SFMC" dir -f json -o "$T/report.json" "$R"
run "$SFMC" dir --baseline "$T/report.json" "$R"
expect_rc 0 "a --format json report as the baseline"

# Absolute paths are refused rather than written.
run "$SFMC" dir --write-baseline "$T/abs.json" "$R/src/a.py"
expect_rc 2 "absolute path in a baseline"
expect_err_has "--write-baseline: '$R/src/a.py' is an absolute path; scan a directory so that paths are relative to it"

# Bad baselines: exit 2 with the file named, no report.
check_bad() { # CONTENT EXPECTED-STDERR
	printf '%s' "$1" >"$T/bad.json"
	run "$SFMC" dir --baseline "$T/bad.json" "$R"
	expect_rc 2 "baseline: $2"
	[ "$(cat "$T/err")" = "sfmc-scan: $T/bad.json$2" ] || fail "expected 'sfmc-scan: $T/bad.json$2'"
	[ ! -s "$T/out" ] || fail "a bad baseline must not produce a report"
}
check_bad '{"findings": [}' ":1:15: unexpected token near '}'"
check_bad '[]' ': not an sfmc-scan JSON report (not an object)'
check_bad '{"runs": []}' ": not an sfmc-scan JSON report (no 'findings' array); write one with --write-baseline"
check_bad '{"findings": [{"path": "a"}]}' ": findings[0]: 'fingerprint' must be 64 lowercase hexadecimal digits"
check_bad "{\"findings\": [], \"suppressed\": [{\"fingerprint\": \"$(printf %064d 0)\"}]}" ": suppressed[0]: no 'path' string"
run "$SFMC" dir --baseline "$T/missing.json" "$R"
expect_rc 2 "missing baseline"
expect_err_has "$T/missing.json: cannot open the baseline: No such file or directory"
finish
