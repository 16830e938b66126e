#!/usr/bin/env bash
# --group in dir mode: one entry per distinct secret with all its locations,
# in text and JSON; a wholly suppressed secret is listed in JSON only.
. "$(dirname "$0")/lib.sh"
R="$T/repo"
mkdir -p "$R/a" "$R/b"
A=$(tok); B=$(tok); C=$(tok)
FP_A=$(printf %s "$A" | sha256sum | cut -c1-64)
echo "x = '$A'" >"$R/a/one.py"
printf 'pad\ny = "%s"\n' "$A" >"$R/b/two.py"
echo "$A # sfmc-scan:allow rotated" >"$R/b/three.txt"
echo "k=$B" >"$R/a/other.env"
echo "c=$C  # sfmc-scan:allow" >"$R/a/fake.txt"

run "$SFMC" dir -f json --group "$R"
expect_rc 1 "grouped scan"
expect_jq '.groups | length' '3'
expect_jq "[.groups[] | select(.fingerprint == \"$FP_A\") | .locations[] | \"\(.path):\(.line):\(.column)\"] | join(\",\")" \
	'a/one.py:1:6,b/three.txt:1:1,b/two.py:2:6'
expect_jq "[.groups[] | select(.fingerprint == \"$FP_A\") | .suppressed, .present_at_head, .first_seen, (.commits | length)] | map(tostring) | join(\",\")" \
	'false,null,null,0'
expect_jq '[.groups[] | select(.suppressed) | .locations[0].path] | join(",")' 'a/fake.txt'
expect_jq '[.groups[].secret | test("…$")] | all' 'true'
# The flat lists are still there for existing consumers.
expect_jq '.findings | length' '3'

run "$SFMC" dir --group "$R"
expect_rc 1 "grouped text"
[ "$(grep -c '^SFMC_' "$T/out")" -eq 2 ] || fail "expected two secrets in the text report"
expect_out_has "[sfmc-client-secret] error: 3 locations"
expect_out_has "    fingerprint $FP_A"
expect_out_has "    b/two.py:2:6"
expect_out_has "    b/three.txt:1:1 [suppressed, inline: inline sfmc-scan:allow]"
expect_out_lacks "a/fake.txt"
expect_out_lacks "$A"
finish
