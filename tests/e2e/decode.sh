#!/usr/bin/env bash
# Encoded secrets: Kubernetes Secret, base64 .env at each alignment, wrapped
# YAML, base64 in base64, UTF-16LE .reg with BOM (iconv), UTF-16BE without
# BOM, percent-encoded URL, JSON \u005f, decoys; exact line:column of where
# the encoded text starts; --no-decode; a chunk edge.
. "$(dirname "$0")/lib.sh"
b64() { printf '%s' "$1" | base64 -w0; }
# A token with a wrong checksum: the last hex digit changed.
badtok() { local t; t=$(tok); printf '%s' "${t%?}$([ "${t: -1}" = 0 ] && echo 1 || echo 0)"; }

mkdir "$T/tree"
K=$(tok)
cat >"$T/tree/secret.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: marketing-cloud
  namespace: crm
type: Opaque
data:
  client-id: $(b64 "4f8c2a1e9b7d4c3f8a6e5d2b1c0a9f8e")
  client-secret: $(b64 "$K")
EOF

# .env dumps whose token starts at byte offsets 20, 21, 22 (all three alignments):
# decoded byte d starts in base64 character floor(4d/3).
E0=$(tok) E1=$(tok) E2=$(tok)
b64 "$(printf 'FOO=bar\nSFMC_SECRET=%s\n' "$E0")" >"$T/tree/a0.env.b64"
b64 "$(printf 'FOO=barx\nSFMC_SECRET=%s\n' "$E1")" >"$T/tree/a1.env.b64"
b64 "$(printf 'FOO=barxy\nSFMC_SECRET=%s\n' "$E2")" >"$T/tree/a2.env.b64"

# A YAML block scalar wrapped at 20 columns (the keyword's encoding is cut by a line break).
W=$(tok)
{ printf 'config:\n  env: |\n'; printf 'APP=1\nTOKEN=%s\n' "$W" | base64 -w 20 | sed 's/^/    /'; } >"$T/tree/wrapped.yaml"

N=$(tok)
printf 'payload=%s\n' "$(b64 "$(b64 "$N")")" >"$T/tree/nested.txt"

R=$(tok)
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme\\Sync]\r\n"ClientSecret"="%s"\r\n' "$R" |
	iconv -f UTF-8 -t UTF-16 >"$T/tree/export.reg"
[ "$(head -c 2 "$T/tree/export.reg" | od -An -tx1 | tr -d ' ')" = fffe ] || fail "iconv wrote no UTF-16LE BOM"
B=$(tok)
printf '[sync]\nsecret=%s\n' "$B" | iconv -f UTF-8 -t UTF-16BE >"$T/tree/settings.ini"

P=$(tok)
printf 'curl "https://auth.example.com/v2/token?client_id=abc&client_secret=SFMC%%5F%s"\n' "${P#SFMC_}" >"$T/tree/call.sh"
J=$(tok)
printf '{\n  "sfmc": {"secret": "SFMC\\u005f%s"}\n}\n' "${J#SFMC_}" >"$T/tree/settings.json"

run "$SFMC" dir -f json "$T/tree"
expect_rc 1 "encoded secrets"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.encoding):\(.level)"] | join(" ")' \
	"a0.env.b64:1:27:base64:error a1.env.b64:1:29:base64:error a2.env.b64:1:30:base64:error call.sh:1:69:percent:error export.reg:4:34:utf16le:error nested.txt:1:9:base64>base64:error secret.yaml:9:18:base64:error settings.ini:2:15:utf16be:error settings.json:2:23:escape:error wrapped.yaml:3:21:base64:error"
# Each finding is the decoded token: its fingerprint is that of the plain token.
for v in K E0 E1 E2 W N R B P J; do
	fp=$(printf '%s' "${!v}" | sha256sum | cut -d' ' -f1)
	expect_jq "[.findings[] | select(.fingerprint == \"$fp\")] | length" 1 "fingerprint of $v"
	expect_out_lacks "${!v}"
done

# The text report names the encoding; --show-secrets prints the decoded token.
run "$SFMC" dir --show-secrets "$T/tree/export.reg"
expect_rc 1 "text report"
expect_out_has "encoding utf16le"
expect_out_has "$R"

# SARIF carries the same field, and the region starts where the encoded text does.
run "$SFMC" dir -f sarif "$T/tree/settings.ini"
expect_jq '.runs[0].results[0] | "\(.properties.encoding):\(.locations[0].physicalLocation.region.startLine):\(.locations[0].physicalLocation.region.startColumn)"' "utf16be:2:15" "SARIF"

# --no-decode: only plain text is searched.
run "$SFMC" dir --no-decode -f json "$T/tree"
expect_rc 0 "--no-decode"
expect_jq '.findings | length' 0 "--no-decode"

# A rule can limit its decoders.
sed 's/^    keywords: \[SFMC_\]$/    keywords: [SFMC_]\n    decoders: [utf16]/' "$SFMC_SOURCE_DIR/rules/sfmc.yaml" >"$T/utf16.yaml"
grep -q 'decoders: \[utf16\]' "$T/utf16.yaml" || fail "could not add decoders to the rules"
run "$SFMC" dir --rules "$T/utf16.yaml" -f json "$T/tree"
expect_jq '[.findings[].encoding] | unique | join(",")' "utf16be,utf16le" "decoders: [utf16]"

# Decoys: a wrong checksum in each encoding is a warning; a too-short token is nothing.
mkdir "$T/decoys"
D=$(badtok)
b64 "token=$D" >"$T/decoys/bad.b64"
printf 'secret=%s\n' "$D" | iconv -f UTF-8 -t UTF-16 >"$T/decoys/bad.reg"
printf 'x?k=SFMC%%5F%s\n' "${D#SFMC_}" >"$T/decoys/bad.url"
printf '{"k": "SFMC\\u005f%s"}\n' "${D#SFMC_}" >"$T/decoys/bad.json"
b64 "token=SFMC_abcdef0123456789" >"$T/decoys/short.b64"
printf 'secret=SFMC_abcdef0123456789\n' | iconv -f UTF-8 -t UTF-16 >"$T/decoys/short.reg"
printf 'x?k=SFMC%%5Fabcdef0123456789\n' >"$T/decoys/short.url"
printf '{"k": "SFMC\\u005fabcdef0123456789"}\n' >"$T/decoys/short.json"
run "$SFMC" dir -f json "$T/decoys"
expect_rc 0 "decoys are warnings"
expect_jq '[.findings[] | "\(.path):\(.encoding):\(.level)"] | join(" ")' \
	"bad.b64:base64:warning bad.json:escape:warning bad.reg:utf16le:warning bad.url:percent:warning"

# A plain token next to its percent-encoded twin: two findings, not three.
printf 'a=%s&b=SFMC%%5F%s\n' "$P" "${P#SFMC_}" >"$T/both.txt"
run "$SFMC" dir -f json "$T/both.txt"
expect_jq '[.findings[] | "\(.column):\(.encoding)"] | join(" ")' "3:plain 70:percent"

# Git history: a base64 value committed and later removed is still found, at its commit.
G=$(tok)
git init -q "$T/repo"
printf 'apiVersion: v1\nkind: Secret\ndata:\n  token: %s\n' "$(b64 "$G")" >"$T/repo/secret.yaml"
git -C "$T/repo" add secret.yaml && git -C "$T/repo" commit -qm "add secret"
git -C "$T/repo" rm -q secret.yaml && git -C "$T/repo" commit -qm "remove secret"
run "$SFMC" git -f json "$T/repo"
expect_rc 1 "git history"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.encoding)"] | join(" ")' "secret.yaml:4:10:base64"

# A file larger than one read chunk, with encoded tokens across the first chunk's edge.
chunk=$(sed -n 's/^#define SFMC_CHUNK_SIZE ((size_t)\([0-9]*\) << \([0-9]*\))$/\1 << \2/p' "$SFMC_SOURCE_DIR/src/util/bounds.h")
[ -n "$chunk" ] || fail "SFMC_CHUNK_SIZE not found in src/util/bounds.h"
C1=$(tok) C2=$(tok)
{
	head -c $((chunk - 60)) /dev/zero | tr '\0' 'x'
	printf '\n%s\n' "$(b64 "id=$C1")"
	printf 'secret=%s\n' "$C2" | iconv -f UTF-8 -t UTF-16LE
} >"$T/big.bin"
run "$SFMC" dir -f json "$T/big.bin"
expect_rc 1 "chunk edge"
expect_jq '[.findings[] | "\(.line):\(.column):\(.encoding)"] | join(" ")' "2:5:base64 3:15:utf16le"
finish
