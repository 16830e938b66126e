#!/usr/bin/env bash
# The README's quick start: the demo tree has one valid secret (error) and one
# documentation example with a wrong checksum (warning); exit code 1.
. "$(dirname "$0")/lib.sh"
cd "$SFMC_SOURCE_DIR"
run "$SFMC" dir fixtures/demo
expect_rc 1 "sfmc-scan dir fixtures/demo"
expect_out_has 'app/settings.env:3:20: error: '
expect_out_has 'docs/setup.md:5:24: warning: '
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "demo: expected exactly two findings"
expect_err_has '2 findings (1 error, 1 warning)'
# the README's checksum example
sed -e 's/algorithm: crc32 .*/algorithm: crc32c/' rules/sfmc.yaml >"$T/crc32c.yaml"
"$SFMC" generate --rules "$T/crc32c.yaml" >"$T/tok"
run "$SFMC" check --rules "$T/crc32c.yaml" <"$T/tok"
expect_rc 0 "README: crc32c tokens check under the crc32c rules"
run "$SFMC" check <"$T/tok"
expect_rc 1 "README: crc32c tokens fail the default rules"
finish
