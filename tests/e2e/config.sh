#!/usr/bin/env bash
# The config file: command-line flags override it, and every malformed
# config is one exact "file:line:column: message" line with exit code 2.
. "$(dirname "$0")/lib.sh"
R="$T/repo"
mkdir -p "$R"
echo "key = $(tok)" >"$R/live.txt"

# fail_on from the config, overridden by --fail-on.
printf 'fail_on: never\n' >"$R/.sfmc-scan.yaml"
run "$SFMC" dir "$R"
expect_rc 0 "config fail_on: never"
run "$SFMC" dir --fail-on error "$R"
expect_rc 1 "--fail-on error beats the config"

# A warning (checksum mismatch) fails only with fail_on: warning.
rm "$R/live.txt"
echo 'b=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd' >"$R/warn.txt"
printf 'fail_on: warning\n' >"$R/.sfmc-scan.yaml"
run "$SFMC" dir "$R"
expect_rc 1 "config fail_on: warning"
run "$SFMC" dir --fail-on error "$R"
expect_rc 0 "--fail-on error beats fail_on: warning"

# max_file_size from the config, overridden by --max-file-size.
printf 'max_file_size: 16\n' >"$R/.sfmc-scan.yaml"
printf 'max_file_size: 1K\n' >"$T/1k.yaml"
run "$SFMC" dir -f json --config "$T/1k.yaml" "$R"
expect_jq '.skipped | length' '0' "max_file_size: 1K (suffixes as for --max-file-size)"
run "$SFMC" dir -f json "$R"
expect_rc 0 "file larger than the config's max_file_size"
expect_jq '[.skipped[] | select(.path == "warn.txt") | .reason] | join(",")' 'larger than --max-file-size (67 > 16 bytes)'
run "$SFMC" dir -f json --max-file-size 1M "$R"
expect_rc 0 "a warning does not fail by default"
expect_jq '[.findings[].path] | join(",")' 'warn.txt'
expect_jq '.skipped | length' '0'

# Malformed configs: one line on stderr naming file:line:column, exit 2.
C="$T/bad.yaml"
check_bad() { # YAML EXPECTED-MESSAGE
	printf '%b' "$1" >"$C"
	run "$SFMC" dir --config "$C" "$R"
	expect_rc 2 "config: $2"
	[ "$(cat "$T/err")" = "sfmc-scan: $C:$2" ] || fail "expected 'sfmc-scan: $C:$2'"
	[ ! -s "$T/out" ] || fail "a bad config must not produce a report"
}
check_bad 'fail_on: error\nfail-on: never\n' "2:1: unknown key 'fail-on' (expected rules, fail_on, max_file_size, paths, allow)"
check_bad 'fail_on: [error]\n' '1:10: fail_on must be a scalar, not a list'
check_bad 'fail_on: sometimes\n' "1:10: fail_on must be error, warning or never, not 'sometimes'"
check_bad 'max_file_size: 10X\n' "1:16: max_file_size must be bytes (e.g. 1048576 or 10M), not '10X'"
check_bad 'max_file_size: -1\n' "1:16: max_file_size must be bytes (e.g. 1048576 or 10M), not '-1'"
check_bad 'paths: {a: b}\n' '1:8: paths must be a list, not a mapping'
check_bad 'paths:\n  - "docs/**"\n  - "[abc"\n' "3:5: paths: invalid glob '[abc': unclosed '['"
check_bad 'paths: ["a/../b"]\n' "1:9: paths: invalid glob 'a/../b': '.' and '..' segments are not allowed"
check_bad 'allow:\n  - path: "docs/**"\n    rule_id: sfmc-client-secret\n' \
	'2:5: allow entry has no reason (say why the finding is safe to ignore)'
check_bad 'allow:\n  - reason: "looks fine"\n' \
	'2:5: allow entry matches nothing (give a fingerprint, a path or a rule_id)'
check_bad 'allow:\n  - path: "docs/**"\n    reason: ""\n' '3:13: reason must not be empty'
check_bad 'allow:\n  - path: "docs/**"\n    reason: "  "\n' '3:13: reason must not be empty'
check_bad 'allow:\n  - fingerprint: abc123\n    reason: r\n' \
	'2:18: fingerprint must be 64 hexadecimal digits (the SHA-256 in reports)'
check_bad 'allow:\n  - path: "x[y"\n    reason: r\n' "2:11: path: invalid glob 'x[y': unclosed '['"
check_bad 'allow:\n  - path: "!docs"\n    reason: r\n' "2:11: path: a negated glob ('!') cannot select findings"
check_bad 'allow:\n  - path: a\n    reason: r\n    because: x\n' \
	"4:5: unknown key 'because' in an allow entry (expected fingerprint, path, rule_id, reason)"
check_bad 'allow:\n  - {path: a, reason: r, reason: s}\n' "2:26: duplicate key 'reason'"
check_bad 'allow: docs\n' '1:8: allow must be a list, not a scalar'
check_bad 'allow:\n  - docs\n' '2:5: an allow entry must be a mapping, not a scalar'
check_bad '- a\n' '1:1: a config file must be a mapping, not a list'
check_bad 'paths: [a\n' '2:1: did not find expected '"','"' or '"']'"' while parsing a flow sequence'

# A bad config found at the root fails the scan the same way.
printf 'allow:\n  - path: docs\n' >"$R/.sfmc-scan.yaml"
run "$SFMC" dir "$R"
expect_rc 2 "bad .sfmc-scan.yaml at the root"
expect_err_has "$R/.sfmc-scan.yaml:2:5: allow entry has no reason"
# ... unless --no-config.
run "$SFMC" dir --no-config "$R"
expect_rc 0 "--no-config ignores it"
# A missing --config file is an error, not "no config".
run "$SFMC" dir --config "$T/none.yaml" "$R"
expect_rc 2 "missing --config"
expect_err_has "$T/none.yaml: cannot open: No such file or directory"
# A config that is a symbolic link is not followed (it could quote any file).
printf 'fail_on: never\n' >"$T/elsewhere.yaml"
rm "$R/.sfmc-scan.yaml" && ln -s "$T/elsewhere.yaml" "$R/.sfmc-scan.yaml"
run "$SFMC" dir "$R"
expect_rc 2 "symlinked config"
[ "$(cat "$T/err")" = "sfmc-scan: $R/.sfmc-scan.yaml: a symbolic link (not followed; name the file with --config)" ] ||
	fail "symlinked config message"
run "$SFMC" dir --config "$R/.sfmc-scan.yaml" "$R"
expect_rc 0 "--config may name a link"
rm "$R/.sfmc-scan.yaml"
# An empty config (comments only) is valid.
printf '# nothing yet\n' >"$R/.sfmc-scan.yaml"
run "$SFMC" dir "$R"
expect_rc 0 "empty config"
finish
