#!/usr/bin/env bash
# --rules FILE replaces the built-in rules: a custom keyword with a
# crc32c / hex-upper checksum works end to end; bad files exit 2 with
# file:line:column.
. "$(dirname "$0")/lib.sh"

# CRC-32C (Castagnoli), written independently of the scanner's table.
crc32c_hex_upper() {
	python3 -c '
import sys
crc = 0xFFFFFFFF
for b in sys.argv[1].encode():
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
print("%08X" % (crc ^ 0xFFFFFFFF))' "$1"
}
[ "$(crc32c_hex_upper 123456789)" = E3069283 ] || fail "test's own CRC-32C is wrong"

cat >"$T/acme.yaml" <<'YAML'
rules:
  - id: acme-api-key
    name: ACME API key
    keywords: [ACME_]
    regex: '(?<![A-Za-z0-9])(?<payload>ACME_(?<body>[A-Za-z0-9]{20}))(?<check>[0-9A-F]{8})(?![A-Za-z0-9])'
    checksum:
      algorithm: crc32c
      encoding: hex-upper
    severity: high
YAML
payload=ACME_k3J9x2LmQ7pR4sT8vW1z
good="$payload$(crc32c_hex_upper "$payload")"
badck="${payload}00000000"
mkdir "$T/tree"
printf 'acme=%s\nother=%s\nsfmc=%s\n' "$good" "$badck" "$(tok)" >"$T/tree/keys.txt"

run "$SFMC" dir -f json --rules "$T/acme.yaml" "$T/tree"
expect_rc 1 "custom rule"
expect_jq '[.findings[] | "\(.rule_id):\(.line):\(.column):\(.level):\(.checksum_valid)"] | join(" ")' \
	'acme-api-key:1:6:error:true acme-api-key:2:7:warning:false' \
	"ACME keys found, SFMC rule replaced"
expect_jq '.findings[0].secret' 'ACME_k3J9…'
run "$SFMC" check --rules "$T/acme.yaml" "$good" "$badck"
expect_rc 1 "check with custom rules"
expect_out_has 'argument 1: ACME_k3J9…: valid (acme-api-key)'
expect_out_has 'argument 2: ACME_k3J9…: invalid checksum (acme-api-key)'
run "$SFMC" dir -f json "$T/tree"
expect_jq '[.findings[].rule_id] | join(",")' 'sfmc-client-secret' "without --rules only the built-in rule runs"
run "$SFMC" generate --rules "$T/acme.yaml"
expect_rc 2 "generate needs the sfmc-client-secret rule"

# Changing the SFMC checksum rule itself: generate and check follow the file.
sed -e 's/algorithm: crc32 .*/algorithm: crc32c/' -e 's/encoding: hex .*/encoding: hex-upper/' \
	-e "s/(?<check>\[A-Za-z0-9\]{8})/(?<check>[0-9A-F]{8})/" \
	"$SFMC_SOURCE_DIR/rules/sfmc.yaml" >"$T/sfmc-c.yaml"
grep -q 'algorithm: crc32c' "$T/sfmc-c.yaml" || fail "could not derive the crc32c rules file"
run "$SFMC" generate --rules "$T/sfmc-c.yaml" -n 5
expect_rc 0 "generate with a crc32c rule"
cp "$T/out" "$T/ctoks"
while read -r t; do
	[ "${t:56}" = "$(crc32c_hex_upper "${t:0:56}")" ] || fail "generated $t is not SFMC_+51+CRC32C(hex-upper)"
done <"$T/ctoks"
run "$SFMC" check --rules "$T/sfmc-c.yaml" <"$T/ctoks"
expect_rc 0 "check with the crc32c rule"
run "$SFMC" check <"$T/ctoks"
expect_rc 1 "the default crc32 rule rejects crc32c tokens"

# Bad rules files: exit 2, one line naming file:line:column, for every command.
printf 'rules:\n  - id: x\n    regex: K_[0-9]+\n    severty: high\n' >"$T/typo.yaml"
for cmd in "dir $T/tree" "stdin" "check $good" "generate"; do
	run "$SFMC" $cmd --rules "$T/typo.yaml" </dev/null
	expect_rc 2 "bad rules: $cmd"
	expect_err_has "sfmc-scan: $T/typo.yaml:4:5: unknown rule key 'severty'"
	[ ! -s "$T/out" ] || fail "bad rules: $cmd wrote a report"
done
printf 'rules:\n  - id: x\n    regex: K_(\n' >"$T/re.yaml"
run "$SFMC" dir --rules "$T/re.yaml" "$T/tree"
expect_rc 2 "regex error"
expect_err_has "sfmc-scan: $T/re.yaml:3:15: regex error at offset 3: missing closing parenthesis"
printf 'rules:\n  - id: x\n   regex: y\n' >"$T/yaml.yaml"
run "$SFMC" dir --rules "$T/yaml.yaml" "$T/tree"
expect_rc 2 "YAML syntax error"
grep -qE "^sfmc-scan: $T/yaml.yaml:3:[0-9]+: " "$T/err" || fail "YAML syntax error lacks file:line:column"
printf 'rules:\n  - id: x\n    regex: y\n    checksum: {algorithm: crc99}\n' >"$T/ck.yaml"
run "$SFMC" dir --rules "$T/ck.yaml" "$T/tree"
expect_rc 2 "unknown checksum algorithm"
expect_err_has "$T/ck.yaml:4:27: unknown checksum algorithm 'crc99'"
run "$SFMC" dir --rules "$T/missing.yaml" "$T/tree"
expect_rc 2 "missing rules file"
expect_err_has "$T/missing.yaml: cannot open: No such file or directory"
finish
