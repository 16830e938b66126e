#!/usr/bin/env bash
# Suppression in dir mode: inline marker, config allow by fingerprint, by
# path glob + rule_id, config `paths`; suppressed findings are reported with
# their reason and never change the exit code; flags override the config.
. "$(dirname "$0")/lib.sh"
R="$T/repo"
mkdir -p "$R/app" "$R/docs/api" "$R/fixtures/deep" "$R/web/node_modules/x"
A=$(tok); B=$(tok); C=$(tok); D=$(tok); E=$(tok)
FP_B=$(printf %s "$B" | sha256sum | cut -c1-64)
echo "live = '$A'" >"$R/app/live.py"
echo "old = '$B'" >"$R/app/old.py"
echo "again = '$B'" >"$R/app/copy.py"
echo "x = '$C'  # sfmc-scan:allow test double" >"$R/app/inline.py"
echo "Example: $D" >"$R/docs/api/guide.md"
echo "$E" >"$R/fixtures/deep/tok.txt"
echo "$E" >"$R/web/node_modules/x/a.min.js"
cat >"$R/.sfmc-scan.yaml" <<YAML
paths:
  - "fixtures/**"
  - node_modules/
allow:
  - fingerprint: $FP_B
    reason: "revoked 2026-10-01, ticket SEC-12"
  - path: "docs/**"
    rule_id: sfmc-client-secret
    reason: documentation examples
YAML

run "$SFMC" dir -f json "$R"
expect_rc 1 "one live secret"
expect_jq '[.findings[].path] | join(",")' 'app/live.py'
expect_jq '[.suppressed[] | "\(.path)=\(.suppression.kind):\(.suppression.reason)"] | join(",")' \
	'app/copy.py=config:revoked 2026-10-01, ticket SEC-12,app/inline.py=inline:inline sfmc-scan:allow,app/old.py=config:revoked 2026-10-01, ticket SEC-12,docs/api/guide.md=config:documentation examples'
# `paths` are never scanned: not found, not suppressed, not counted.
expect_jq '.stats.files' '6'
expect_out_lacks 'fixtures/'
expect_out_lacks 'node_modules'
expect_err_has '1 finding (1 error, 0 warnings), 4 suppressed'

# Text: suppressed findings are not listed, only counted.
run "$SFMC" dir "$R"
expect_rc 1 "text"
expect_out_has 'app/live.py:1:9: error'
expect_out_lacks 'old.py'
expect_out_lacks 'guide.md'

# Without the live secret everything left is suppressed: exit 0.
rm "$R/app/live.py"
run "$SFMC" dir -f json "$R"
expect_rc 0 "only suppressed findings"
expect_jq '.findings | length' '0'
expect_jq '.suppressed | length' '4'

# rule_id narrows: an entry for another rule does not apply.
sed -i 's/rule_id: sfmc-client-secret/rule_id: some-other-rule/' "$R/.sfmc-scan.yaml"
run "$SFMC" dir -f json "$R"
expect_rc 1 "allow entry for another rule"
expect_jq '[.findings[].path] | join(",")' 'docs/api/guide.md'

# --no-config: everything is found again (inline markers still hold).
run "$SFMC" dir -f json --no-config "$R"
expect_rc 1 "--no-config"
expect_jq '[.findings[].path] | join(",")' 'app/copy.py,app/old.py,docs/api/guide.md,fixtures/deep/tok.txt,web/node_modules/x/a.min.js'
expect_jq '[.suppressed[].path] | join(",")' 'app/inline.py'

# --config FILE elsewhere; relative rule files resolve against it.
mkdir "$T/cfg"
sed 's/id: sfmc-client-secret/id: sfmc-copy/' "$SFMC_SOURCE_DIR/rules/sfmc.yaml" >"$T/cfg/extra.yaml"
cat >"$T/cfg/other.yaml" <<YAML
rules: [extra.yaml]
allow:
  - rule_id: sfmc-client-secret
    reason: "only the copied rule counts here"
YAML
run "$SFMC" dir -f json --config "$T/cfg/other.yaml" "$R"
expect_rc 1 "--config with an extra rule"
expect_jq '[.findings[].rule_id] | unique | join(",")' 'sfmc-copy'
expect_jq '[.suppressed[] | select(.rule_id == "sfmc-client-secret") | .suppression.kind] | sort | join(",")' \
	'config,config,config,config,config,inline'
finish
