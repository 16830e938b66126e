#!/usr/bin/env bash
# stdin, check, generate, the JSON report's shape and redaction.
. "$(dirname "$0")/lib.sh"
V1=SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953
V2=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc
V3=SFMC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA35994afa
BAD=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd

# stdin with --label: the label is the path; CRLF lines.
run "$SFMC" stdin -f json --label deploy.log < <(printf 'start\r\n  token=%s\r\nend %s\r\n' "$V1" "$BAD")
expect_rc 1 "stdin"
expect_jq '.mode' stdin
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.level)"] | join(" ")' \
	'deploy.log:2:9:error deploy.log:3:5:warning'
run "$SFMC" stdin < <(printf '%s' "$V2")
expect_rc 1 "stdin without --label"
expect_out_has 'stdin:1:1: error: '
run "$SFMC" stdin -f json </dev/null
expect_rc 0 "empty stdin"
expect_jq '[.stats.files, .stats.bytes, (.findings|length)] | join(",")' '1,0,0'

run "$SFMC" stdin -f json </
expect_rc 2 "stdin that cannot be read"
expect_jq '.errors[0].message' 'read failed at byte 0: Is a directory'

# JSON: every key of the report, with its type.
mkdir "$T/tree"
printf 'a=%s\nb=%s\n' "$V1" "$BAD" >"$T/tree/f.env"
run "$SFMC" dir -f json "$T/tree"
expect_rc 1 "dir -f json"
expect_jq '.tool.name' sfmc-scan
expect_jq '.tool.version' "$("$SFMC" --version | head -1 | cut -d' ' -f2)"
expect_jq '.mode' dir
expect_jq '.findings[0] | [has("rule_id", "level", "checksum_valid", "path", "line", "column", "end_column", "secret", "fingerprint")] | all' true
expect_jq '.findings[0] | [(.rule_id|type), (.level|type), (.checksum_valid|type), (.path|type), (.line|type), (.column|type), (.end_column|type), (.secret|type), (.fingerprint|type)] | join(",")' \
	'string,string,boolean,string,number,number,number,string,string'
expect_jq '[.findings[] | "\(.rule_id) \(.level) \(.checksum_valid) \(.path) \(.line) \(.column) \(.end_column) \(.secret)"] | join("; ")' \
	'sfmc-client-secret error true f.env 1 3 66 SFMC_0123…; sfmc-client-secret warning false f.env 2 3 66 SFMC_bBRs…'
expect_jq '.findings[0].fingerprint' "$(printf '%s' "$V1" | sha256sum | cut -d' ' -f1)"
expect_jq '.findings[1].fingerprint' "$(printf '%s' "$BAD" | sha256sum | cut -d' ' -f1)"
expect_jq '.stats | [has("files", "bytes", "skipped", "duration_ms")] | all' true
expect_jq '[.stats.files, .stats.bytes, .stats.skipped] | join(",")' "1,$(stat -c %s "$T/tree/f.env"),0"
expect_jq '[(.skipped|type), (.errors|type)] | join(",")' 'array,array'

# Redaction: the whole secret appears nowhere (stdout or stderr) by default.
for fmt in text json; do
	run "$SFMC" dir -f "$fmt" "$T/tree"
	expect_out_lacks "$V1"
	expect_err_lacks "$V1"
	expect_out_lacks "$BAD"
	run "$SFMC" dir -f "$fmt" --show-secrets "$T/tree"
	expect_out_has "$V1"
	expect_out_has "$BAD"
done
run "$SFMC" dir "$T/tree"
expect_out_has 'f.env:1:3: error: Salesforce Marketing Cloud client secret (checksum valid) [sfmc-client-secret]: SFMC_0123…'
expect_out_has 'f.env:2:3: warning: Salesforce Marketing Cloud client secret (checksum mismatch) [sfmc-client-secret]: SFMC_bBRs…'

# Colour only on a terminal (script gives the scanner a pty), never with NO_COLOR or --no-color.
tty_run() { env "$@" script -qec "$SFMC dir $T/tree" /dev/null >"$T/out" 2>&1 || true; }
tty_run -u NO_COLOR
grep -q $'\e\\[1;31merror:' "$T/out" || fail "no colour on a terminal"
tty_run NO_COLOR=1
grep -q $'\e' "$T/out" && fail "colour despite NO_COLOR"
env -u NO_COLOR script -qec "$SFMC dir --no-color $T/tree" /dev/null >"$T/out" 2>&1 || true
grep -q $'\e' "$T/out" && fail "colour despite --no-color"
expect_out_has 'f.env:1:3: error: '
env -u NO_COLOR "$SFMC" dir "$T/tree" >"$T/out" 2>&1 || true
grep -q $'\e' "$T/out" && fail "colour on a pipe"

# check: arguments.
run "$SFMC" check "$V1" "$V2" "$V3"
expect_rc 0 "check: three valid vectors"
[ "$(grep -c ': valid (sfmc-client-secret)$' "$T/out")" -eq 3 ] || fail "check: three 'valid' lines expected"
expect_out_has 'argument 1: SFMC_0123…: valid (sfmc-client-secret)'
expect_out_lacks "$V1"
run "$SFMC" check "$V1" "$BAD"
expect_rc 1 "check: one invalid checksum"
expect_out_has 'argument 2: SFMC_bBRs…: invalid checksum (sfmc-client-secret)'
run "$SFMC" check "$V1" "hello world" "x$V1"
expect_rc 1 "check: not tokens"
expect_out_has 'argument 2: hello wo…: not a token'
expect_out_has 'argument 3: xSFMC_01…: not a token'
# check: lines of stdin (CRLF tolerated).
run "$SFMC" check < <(printf '%s\r\n%s\n' "$V2" "$V3")
expect_rc 0 "check: stdin lines"
expect_out_has 'line 2: SFMC_AAAA…: valid'
run "$SFMC" check < <(printf '%s\n%s\n' "$V2" "$BAD")
expect_rc 1 "check: an invalid stdin line"
expect_out_has 'line 2: SFMC_bBRs…: invalid checksum'
run "$SFMC" check </dev/null
expect_rc 1 "check: nothing to check is not 'all valid'"

# generate: N distinct valid tokens, each accepted by check and by dir.
run "$SFMC" generate -n 100
expect_rc 0 "generate -n 100"
cp "$T/out" "$T/tokens"
[ "$(wc -l <"$T/tokens")" -eq 100 ] || fail "generate -n 100: not 100 lines"
[ "$(sort -u "$T/tokens" | wc -l)" -eq 100 ] || fail "generate -n 100: duplicates"
grep -qvE '^SFMC_[A-Za-z0-9]{51}[0-9a-f]{8}$' "$T/tokens" && fail "generate: a token of the wrong shape"
run "$SFMC" check <"$T/tokens"
expect_rc 0 "check on 100 generated tokens"
[ "$(grep -c ': valid (sfmc-client-secret)$' "$T/out")" -eq 100 ] || fail "check: not 100 valid"
run "$SFMC" stdin -f json <"$T/tokens"
expect_jq '[.findings[] | select(.level == "error")] | length' 100 "dir finds all 100 as errors"
run "$SFMC" generate
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "generate: one token by default"
run "$SFMC" generate -n 0
expect_rc 0 "generate -n 0"
[ ! -s "$T/out" ] || fail "generate -n 0 printed something"
finish
