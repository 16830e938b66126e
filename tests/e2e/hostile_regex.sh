#!/usr/bin/env bash
# A rule with a catastrophically backtracking regex: PCRE2's match limit
# turns it into an error naming the rule (exit 2), not a hang and not "clean".
. "$(dirname "$0")/lib.sh"
cat >"$T/slow.yaml" <<'YAML'
rules:
  - id: slow-keyword
    keywords: [aaaa]
    regex: '(a+)+$'
    window: 65536
YAML
cat >"$T/slow-nokw.yaml" <<'YAML'
rules:
  - id: slow-everywhere
    regex: '(?:a|a)+$'
YAML
mkdir "$T/tree"
python3 -c "print('a' * 5000 + 'b')" >"$T/tree/a.txt"

for rules in slow slow-nokw; do
	run timeout 120 "$SFMC" dir -f json --rules "$T/$rules.yaml" "$T/tree"
	expect_rc 2 "$rules: catastrophic backtracking"
	expect_jq '[.errors[] | .path] | join(",")' a.txt
	expect_jq '.errors[0].message | test("^rule slow[a-z-]* \\(.*'"$rules"'.yaml:2\\): regex failed: match limit exceeded$")' true
	run timeout 120 "$SFMC" stdin --rules "$T/$rules.yaml" <"$T/tree/a.txt"
	expect_rc 2 "$rules: the same on standard input"
	expect_err_has 'regex failed: match limit exceeded'
done

# The error does not hide a secret found elsewhere: exit 1, the error still reported.
cat "$T/slow.yaml" >"$T/both.yaml"
sed -n '/^  - id:/,$p' "$SFMC_SOURCE_DIR/rules/sfmc.yaml" >>"$T/both.yaml"
printf 'k=%s\n' "$(tok)" >"$T/tree/secret.txt"
run timeout 120 "$SFMC" dir -f json --rules "$T/both.yaml" "$T/tree"
expect_rc 1 "a secret plus a regex failure"
expect_jq '[(.findings | length), (.errors | length)] | join(",")' '1,1'
finish
