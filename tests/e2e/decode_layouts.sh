#!/usr/bin/env bash
# A base64/base64url value next to ordinary lines (issue 13 item 2): the
# decoder must not take a neighbouring line for a wrapped continuation and
# lose the token. Matrix: alphabet x wrap width (none, 64, 76) x the token's
# alignment in the encoded bytes (prefix of 0..3 bytes, `key=`) x the
# neighbouring line's shape x placed before/after/around x .env, YAML,
# JSON-like, PEM-like and bare layouts. Each file must give exactly one
# finding, of that file's token, labelled base64.
. "$(dirname "$0")/lib.sh"

mkdir "$T/tree"
"$SFMC" generate -n 3150 >"$T/tokens"
python3 - "$T/tokens" "$T/tree" "$T/expect" <<'EOF'
import base64, hashlib, itertools, os, sys
tokens = open(sys.argv[1]).read().split()
tree, expect = sys.argv[2], sys.argv[3]
neighbours = ["end", "echo", "db_host=localhost", "}", "name: app", "-----END CERTIFICATE-----", ""]
prefixes = ["", "=", ": ", "k: ", "key="]  # 0..3 bytes before the token, and a key

def wrap(s, width):
    return [s] if not width else [s[i:i + width] for i in range(0, len(s), width)]

def layout(kind, lines, nb, na):
    v = "\n".join(lines)
    if kind == "env":
        body = "CONFIG_B64=%s" % v if len(lines) == 1 else 'CONFIG_B64="%s"' % v
    elif kind == "yaml":
        body = "  data: %s" % v if len(lines) == 1 else "  data: |\n" + "\n".join("    " + l for l in lines)
    elif kind == "json":
        body = '  "data": "%s",' % v
    elif kind == "pem":
        body = "-----BEGIN SFMC CONFIG-----\n%s\n-----END SFMC CONFIG-----" % v
    else:
        body = v
    return "".join(x + "\n" for x in [nb, body, na] if x is not None)

out = []
combos = itertools.product(["base64", "base64url"], [0, 64, 76], range(len(prefixes)), range(len(neighbours)),
                           ["before", "after", "around"], ["env", "yaml", "json", "pem", "bare"])
for i, (alpha, width, p, n, place, kind) in enumerate(combos):
    tok = tokens[i]
    enc = base64.b64encode((prefixes[p] + tok + ("\n" if i % 2 else "")).encode()).decode()
    if alpha == "base64url":
        enc = enc.translate(str.maketrans("+/", "-_")).rstrip("=")
    nb = neighbours[n] if place in ("before", "around") else None
    na = neighbours[n] if place in ("after", "around") else None
    name = "%s-w%d-p%d-n%d-%s.%s" % (alpha, width, p, n, place, kind)
    with open(os.path.join(tree, name), "w") as f:
        f.write(layout(kind, wrap(enc, width), nb, na))
    out.append("%s %s" % (name, hashlib.sha256(tok.encode()).hexdigest()))
open(expect, "w").write("\n".join(sorted(out)) + "\n")
EOF

run "$SFMC" dir -f json "$T/tree"
expect_rc 1 "encoded tokens next to ordinary lines"
jq -r '.findings[] | "\(.path) \(.fingerprint) \(.encoding)"' <"$T/out" | sort >"$T/got"
# Exactly one finding per file, of its token, as base64.
sed 's/$/ base64/' "$T/expect" >"$T/want"
if ! diff "$T/want" "$T/got" >"$T/diff"; then
	fail "not one base64 finding per file: $(grep -c '^<' "$T/diff") missing," \
		"$(grep -c '^>' "$T/diff") extra; first: $(head -5 "$T/diff" | tr '\n' ' ')"
fi
finish
