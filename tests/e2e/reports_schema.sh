#!/usr/bin/env bash
# SARIF and GitLab reports validate against their official schemas (ajv-cli,
# tests/schemas/) and meet GitHub's extra rules (github-sarif-rules.jq) on
# clean, findings, warnings-only, error and non-UTF-8-path scans; jsonl and
# --report FMT:PATH write several reports from one scan.
. "$(dirname "$0")/lib.sh"
SCHEMAS="$SFMC_SOURCE_DIR/tests/schemas"
RULES_JQ="$SFMC_SOURCE_DIR/tests/e2e/github-sarif-rules.jq"

# ajv-cli: $SFMC_AJV (set by .ci/run) or installed now with npm. No ajv is a failure, not a skip.
if [ -z "${SFMC_AJV:-}" ]; then
	SFMC_AJV=$(bash "$SFMC_SOURCE_DIR/ci/install-ajv.sh" "${TMPDIR:-/tmp}/sfmc-ajv-$(id -u)") || {
		echo "FAIL: ajv-cli is not available and npm could not install it (set SFMC_AJV)" >&2
		exit 1
	}
fi
"$SFMC_AJV" migrate --spec=draft7 -s "$SCHEMAS/sarif-schema-2.1.0.json" -o "$T/sarif.draft7.json" >/dev/null || {
	echo "FAIL: $SFMC_AJV cannot migrate the SARIF schema to draft-07" >&2
	exit 1
}

# Reports are collected and validated in one ajv run per schema (node starts slowly).
mkdir "$T/valid-sarif" "$T/valid-gl" "$T/broken-sarif" "$T/broken-gl"
# ajv_all SCHEMA DIR MODE: every DIR/*.json must be valid (MODE --valid) or invalid (--invalid).
ajv_all() {
	"$SFMC_AJV" test "$3" --spec=draft7 -c ajv-formats --strict=false --errors=text -s "$1" -d "$2/*.json" \
		>"$T/ajv.log" 2>&1 || fail "ajv $3 $(basename "$2"): $(cat "$T/ajv.log")"
	[ "$(grep -c "$2/" "$T/ajv.log")" -eq "$(ls "$2" | wc -l)" ] || fail "ajv did not check every file of $2"
}
github_rules() {
	local v
	v=$(jq -r -f "$RULES_JQ" "$1" 2>&1) || { fail "$2: jq: $v"; return; }
	[ -z "$v" ] || fail "$2: GitHub rules: $v"
}
# jqf FILE FILTER EXPECTED WHAT
jqf() {
	local got
	got=$(jq -r "$2" "$1" 2>&1) || { fail "$4: jq $2: $got"; return; }
	[ "$got" = "$3" ] || fail "$4: jq $2: got '$got', expected '$3'"
}
# scan NAME ARGS...: one scan writing NAME.sarif and NAME.gl.json, both checked.
scan() {
	local name=$1
	shift
	run "$SFMC" dir -q --report "sarif:$T/$name.sarif" --report "gitlab:$T/$name.gl.json" "$@"
	cp "$T/$name.sarif" "$T/valid-sarif/$name.json"
	cp "$T/$name.gl.json" "$T/valid-gl/$name.json"
	github_rules "$T/$name.sarif" "$name sarif"
}

cd "$T"
good=$(tok)
fp=$(printf '%s' "$good" | sha256sum | cut -c1-64)
lookalike=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd

# Clean.
mkdir clean && echo 'nothing here' >clean/a.txt
scan clean clean
expect_rc 0 "clean scan"
jqf clean.sarif '.runs[0].results | length' 0 clean
jqf clean.sarif '.runs[0].invocations[0].executionSuccessful' true clean
jqf clean.gl.json '"\(.scan.status) \(.vulnerabilities | length)"' 'success 0' clean
jqf clean.gl.json '[.scan.start_time, .scan.end_time] | map(test("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$")) | all' true clean

# Findings: an error at line 3 column 7 in a path with a space, and a look-alike.
mkdir -p find/sub
printf 'a\nb\nkey = %s\n' "$good" >"find/sub/my app.env"
printf 'doc: %s\n' "$lookalike" >find/README.md
scan find find
expect_rc 1 "scan with a secret"
jqf find.sarif '[.runs[0].results[] | "\(.level) \(.locations[0].physicalLocation.artifactLocation.uri)"] | sort | join(",")' \
	'error sub/my%20app.env,warning README.md' findings
jqf find.sarif '.runs[0].results[] | select(.level == "error") | .locations[0].physicalLocation.region | "\(.startLine):\(.startColumn)-\(.endLine):\(.endColumn)"' \
	'3:7-3:71' "findings region (endColumn exclusive)"
jqf find.sarif '.runs[0].results[] | select(.level == "error") | .partialFingerprints["sfmcSecretSha256/v1"]' "$fp" \
	"findings secret fingerprint"
jqf find.sarif '.runs[0].originalUriBaseIds["%SRCROOT%"].uri' "file://$T/find/" "findings SRCROOT"
jqf find.sarif '[.runs[0].tool.driver.rules[0].properties["security-severity"], .runs[0].tool.driver.rules[0].help.markdown != null] | join(" ")' \
	'9.5 true' "findings rule"
jqf find.gl.json '[.vulnerabilities[] | "\(.severity) \(.location.file):\(.location.start_line) \(.location.commit.sha)"] | sort | join(",")' \
	"Critical sub/my app.env:3 0000000000000000000000000000000000000000,Medium README.md:1 0000000000000000000000000000000000000000" \
	"findings gitlab"
jqf find.gl.json '[.vulnerabilities[].id | test("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")] | all' true \
	"gitlab ids are UUIDs"
# Rule help and GitLab solution are the rule's remediation from rules/sfmc.yaml.
python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1]))["rules"][0], sys.stdout)' \
	"$SFMC_SOURCE_DIR/rules/sfmc.yaml" >rule.json
remediation=$(jq -r .remediation rule.json)
jqf find.sarif '.runs[0].tool.driver.rules[0].help.text' "$remediation" "SARIF help.text"
jqf find.sarif '.runs[0].tool.driver.rules[0].fullDescription.text' "$(jq -r .description rule.json)" "SARIF fullDescription"
jqf find.gl.json '.vulnerabilities[0].solution' "$remediation" "GitLab solution"
grep -qF "$good" find.sarif find.gl.json && fail "a redacted report holds the whole secret"

# Warnings only: exit 0 under the default --fail-on error, level warning.
mkdir warn && printf 'doc: %s\n' "$lookalike" >warn/doc.md
scan warn warn
expect_rc 0 "warnings-only scan"
jqf warn.sarif '[.runs[0].results[].level] | join(",")' warning warnings
jqf warn.gl.json '.vulnerabilities | length' 1 warnings

# Errors: an unreadable root makes the run unsuccessful, with a notification.
scan errs clean does-not-exist
expect_rc 2 "scan with an unreadable path"
jqf errs.sarif '.runs[0].invocations[0].executionSuccessful' false errors
jqf errs.sarif '.runs[0].invocations[0].toolExecutionNotifications | map(select(.level == "error") | .message.text | test("does-not-exist")) | any' \
	true "errors notification"
jqf errs.gl.json '"\(.scan.status) \(.scan.messages | length)"' 'failure 1' "errors gitlab"

# A file name that is not UTF-8: percent-encoded in SARIF, lossy in GitLab.
mkdir bytes && printf 'k=%s\n' "$good" >"bytes/b$(printf '\377')d:x.txt"
scan bytes bytes
expect_rc 1 "non-UTF-8 path"
jqf bytes.sarif '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' './b%FFd:x.txt' "non-UTF-8 uri"
jqf bytes.gl.json '.vulnerabilities[0].location.file' "b$(printf '\357\277\275')d:x.txt" "non-UTF-8 gitlab file"

# Suppressed findings are SARIF suppressions (inSource for the inline marker,
# external for config and baseline), with the reason as justification.
mkdir -p supp/docs && printf 'k=%s\n' "$good" >supp/old.py
run "$SFMC" dir -q --write-baseline supp-base.json supp
printf 'k=%s # sfmc-scan:allow\n' "$(tok)" >supp/inline.py
printf 'doc: %s\n' "$(tok)" >supp/docs/guide.md
printf 'allow:\n  - path: docs/\n    reason: "examples only"\n' >supp/.sfmc-scan.yaml
scan supp --baseline supp-base.json supp
expect_rc 0 "only suppressed findings"
jqf supp.sarif '[.runs[0].results[] | "\(.locations[0].physicalLocation.artifactLocation.uri)=\(.suppressions[0].kind):\(.suppressions[0].justification)"] | sort | join(",")' \
	'docs/guide.md=external:examples only,inline.py=inSource:inline sfmc-scan:allow,old.py=external:in baseline supp-base.json' \
	"sarif suppressions"
jqf supp.gl.json '.vulnerabilities | length' 0 "gitlab leaves suppressed findings out"

# Rule texts longer than GitHub's and GitLab's limits are cut (on a UTF-8 boundary), not rejected.
python3 - "$SFMC_SOURCE_DIR/rules/sfmc.yaml" long.yaml <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
rule = doc["rules"][0]
rule["name"] = "N" * 254 + "\u00e9" * 10
rule["description"] = "D" * 1023 + "\u00e9" * 10
rule["remediation"] = "R" * 6999 + "\u00e9" * 10
yaml.safe_dump(doc, open(sys.argv[2], "w"), allow_unicode=True)
PY
mkdir long && printf 'k=%s\n' "$good" >long/a.txt
scan long --rules long.yaml long
expect_rc 1 "long rule texts"
jqf long.sarif '.runs[0].tool.driver.rules[0] | "\(.name | length) \(.fullDescription.text | length) \(.help.text | length)"' \
	"254 1023 7009" "SARIF limits"
jqf long.gl.json '.vulnerabilities[0] | "\(.name | length) \(.solution | length)"' "254 6999" "GitLab limits"

# Git history: commit and author in SARIF result properties, the commit in GitLab.
git init -q repo
printf 'k=%s\n' "$good" >repo/app.env
git -C repo add app.env
git -C repo commit -q -m "add app.env"
commit=$(git -C repo rev-parse HEAD)
run "$SFMC" git -q --report "sarif:$T/git.sarif" --report "gitlab:$T/git.gl.json" repo
expect_rc 1 "git scan with a secret"
cp git.sarif valid-sarif/git.json
cp git.gl.json valid-gl/git.json
github_rules git.sarif "git sarif"
jqf git.sarif '.runs[0].results[0].properties | "\(.commit) \(.author_name) \(.author_email)"' \
	"$commit Test User test@example.com" "git result properties"
jqf git.sarif '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' app.env "git uri"
jqf git.sarif '.runs[0].originalUriBaseIds["%SRCROOT%"].uri' "file://$T/repo/" "git SRCROOT"
# A remote repository (file:// here): versionControlProvenance names it, its HEAD and branch.
TMPDIR="$T" run "$SFMC" git -q --report "sarif:$T/remote.sarif" --report "gitlab:$T/remote.gl.json" "file://$T/repo"
expect_rc 1 "git scan of a URL"
cp remote.sarif valid-sarif/remote.json
cp remote.gl.json valid-gl/remote.json
github_rules remote.sarif "remote sarif"
jqf remote.sarif '.runs[0].versionControlProvenance[0] | "\(.repositoryUri) \(.revisionId) \(.branch)"' \
	"file://$T/repo $commit main" "remote versionControlProvenance"
jqf git.sarif '.runs[0] | has("versionControlProvenance")' false "a local scan has no versionControlProvenance"
mkdir repo/sub
(cd repo/sub && "$SFMC" git -q -f sarif >"$T/gitsub.sarif") || true
jqf gitsub.sarif '.runs[0].originalUriBaseIds["%SRCROOT%"].uri' "file://$T/repo/" "git SRCROOT from a subdirectory"
jqf git.gl.json '.vulnerabilities[0].location.commit | "\(.sha) \(.author) \(.message)"' \
	"$commit Test User add app.env" "git gitlab commit"

# Commit and tag messages: no file, a logical location in SARIF, no location.file in GitLab.
git -C repo commit -q --allow-empty -m "rotate" -m "old key: $good"
git -C repo tag -a v1 -m "tag key: $good"
run "$SFMC" git -q --report "sarif:$T/msg.sarif" --report "gitlab:$T/msg.gl.json" repo
expect_rc 1 "git scan with secrets in messages"
cp msg.sarif valid-sarif/msg.json
cp msg.gl.json valid-gl/msg.json
github_rules msg.sarif "messages sarif"
jqf msg.sarif '[.runs[0].results[].locations[0].logicalLocations[0].fullyQualifiedName // empty] | length' 2 \
	"messages: logical locations"
jqf msg.gl.json '[.vulnerabilities[] | select(.location | has("file") | not)] | length' 2 "messages: no file"

# GitHub rejects more than 25,000 results per run: the rest is left out, with a notification.
mkdir many
"$SFMC" generate -n 25002 | sed 's/^/k=/' >many/a.txt
run "$SFMC" dir -q -f sarif many
expect_rc 1 "25,002 findings"
expect_jq '"\(.runs[0].results | length): \(.runs[0].invocations[0].toolExecutionNotifications[0].message.text)"' \
	"25000: 2 more results were left out: GitHub accepts at most 25000 per run" "SARIF results are capped, and it says so"
rm -r many

# The checks can fail: broken copies are rejected.
jq 'del(.runs[0].results[0].message)' find.sarif >broken-sarif/no-message.json
jq '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = "my file.env"' find.sarif \
	>broken-sarif/space-uri.json
jq 'del(.vulnerabilities[0].location.commit)' find.gl.json >broken-gl/no-commit.json
jq '.scan.start_time += "Z"' find.gl.json >broken-gl/zoned-time.json
jq '.runs[0].results[0].ruleIndex = 3 | .runs[0].tool.driver.rules[0].properties.tags = ["secret"]' find.sarif >broken4.sarif
[ "$(jq -r -f "$RULES_JQ" broken4.sarif | wc -l)" -eq 2 ] || fail "github-sarif-rules.jq missed a broken ruleIndex or tag"

# One scan, several reports, text on stdout; --show-secrets files are 0600.
run "$SFMC" dir --show-secrets --report json:multi.json --report sarif:multi.sarif --report jsonl:multi.jsonl \
	--report text:multi.txt find
expect_rc 1 "--report"
expect_out_has "sub/my app.env:3:7: error"
[ "$(grep -c "2 findings" "$T/err")" = 1 ] || fail "--report: the summary is not printed exactly once"
cmp -s "$T/out" multi.txt || fail "--report text: differs from the text report on stdout"
jqf multi.json '.findings | length' 2 "--report json"
jqf multi.sarif '.runs[0].results | length' 2 "--report sarif"
[ "$(jq -c . multi.jsonl | wc -l)" -eq 2 ] || fail "jsonl: expected 2 lines"
jqf multi.jsonl 'select(.level == "error") | .secret' "$good" "jsonl --show-secrets"
for f in multi.json multi.sarif multi.jsonl multi.txt; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f: mode $(stat -c %a "$f") with --show-secrets, expected 600"
done
run "$SFMC" dir --report nosuch:x.json find
expect_rc 2 "--report with an unknown format"
expect_err_has "unknown format 'nosuch'"
run "$SFMC" dir -q --report sarif:no/such/dir/x.sarif find
expect_rc 2 "--report into a missing directory"

ajv_all "$T/sarif.draft7.json" "$T/valid-sarif" --valid
ajv_all "$SCHEMAS/gitlab-secret-detection-report-format-15.2.1.json" "$T/valid-gl" --valid
ajv_all "$T/sarif.draft7.json" "$T/broken-sarif" --invalid
ajv_all "$SCHEMAS/gitlab-secret-detection-report-format-15.2.1.json" "$T/broken-gl" --invalid
finish
