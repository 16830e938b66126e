#!/usr/bin/env bash
# Suppression in git and staged modes: inline, config fingerprint, config
# path glob + rule_id, config `paths`, baseline; and --group over history
# (commits, first/last seen, present at HEAD). The config is read from the
# top of the working tree even when the scan starts in a subdirectory.
. "$(dirname "$0")/lib.sh"
R="$T/repo"
git init -q "$R"
mkdir -p "$R/app" "$R/docs" "$R/fixtures/deep"
A=$(tok); B=$(tok); C=$(tok); D=$(tok); E=$(tok); L=$(tok)
FP_A=$(printf %s "$A" | sha256sum | cut -c1-64)
FP_L=$(printf %s "$L" | sha256sum | cut -c1-64)
commit() { # DATE MESSAGE
	git -C "$R" add -A
	GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git -C "$R" commit -qm "$2"
}
echo "old = '$A'" >"$R/app/old.py"
echo "x = '$C'  # sfmc-scan:allow test double" >"$R/app/inline.py"
echo "Example: $D" >"$R/docs/guide.md"
echo "$E" >"$R/fixtures/deep/tok.txt"
echo "live = '$L'" >"$R/app/live.py"
commit 2026-01-01T00:00:00Z one
cp "$R/app/old.py" "$R/app/copy.py"
commit 2026-02-01T00:00:00Z two
git -C "$R" rm -q app/old.py app/copy.py
commit 2026-03-01T00:00:00Z three
C1=$(git -C "$R" rev-parse HEAD~2); C2=$(git -C "$R" rev-parse HEAD~1)
cat >"$R/.sfmc-scan.yaml" <<YAML
paths: ["fixtures/**"]
allow:
  - fingerprint: $FP_A
    reason: "revoked 2026-10-01, ticket SEC-12"
  - path: "docs/**"
    rule_id: sfmc-client-secret
    reason: documentation examples
YAML

# git: every suppression path over the history; `paths` drop findings.
run "$SFMC" git -f json "$R"
expect_rc 1 "git: one live secret"
expect_jq '[.findings[].path] | join(",")' 'app/live.py'
expect_jq '[.suppressed[] | "\(.path)=\(.suppression.kind):\(.suppression.reason)"] | join(",")' \
	'app/copy.py=config:revoked 2026-10-01, ticket SEC-12,app/inline.py=inline:inline sfmc-scan:allow,app/old.py=config:revoked 2026-10-01, ticket SEC-12,docs/guide.md=config:documentation examples'
expect_out_lacks 'fixtures/'

# From a subdirectory, the config at the top of the working tree applies.
run env -C "$R/app" "$SFMC" git -f json
expect_rc 1 "git from a subdirectory"
expect_jq '.suppressed | length' '4'

# --group: the revoked secret was in two commits at two paths and is gone at HEAD.
run "$SFMC" git -f json --group "$R"
expect_jq "[.groups[] | select(.fingerprint == \"$FP_A\") | .first_seen.commit, .first_seen.time, .last_seen.commit, .last_seen.time, (.commits | join(\"+\")), .present_at_head, .suppressed] | map(tostring) | join(\",\")" \
	"$C1,2026-01-01T00:00:00Z,$C2,2026-02-01T00:00:00Z,$C1+$C2,false,true"
expect_jq "[.groups[] | select(.fingerprint == \"$FP_L\") | .present_at_head, (.locations | length)] | map(tostring) | join(\",\")" 'true,1'
run "$SFMC" git --group --no-config "$R"
expect_out_has "error: 2 locations in 2 commits, not present at HEAD"
expect_out_has "    first seen 2026-01-01T00:00:00Z (commit ${C1:0:12}), last seen 2026-02-01T00:00:00Z (commit ${C2:0:12})"
expect_out_has "    app/copy.py:1:8 (commit ${C2:0:12})"
expect_out_has "error: 1 location in 1 commit, still present at HEAD"

# Baseline over history: accept what is there, then a new commit fails alone.
run "$SFMC" git --write-baseline "$T/base.json" "$R"
run "$SFMC" git --baseline "$T/base.json" "$R"
expect_rc 0 "git with a baseline of the whole history"
N=$(tok)
echo "n = '$N'" >"$R/app/new.py"
commit 2026-04-01T00:00:00Z four
run "$SFMC" git -f json --baseline "$T/base.json" "$R"
expect_rc 1 "a new commit with a new secret"
expect_jq '[.findings[].path] | join(",")' 'app/new.py'
expect_jq '[.suppressed[] | select(.path == "app/live.py") | .suppression.kind] | join(",")' 'baseline'

# staged: the same config and markers apply to what is about to be committed.
git -C "$R" rm -q app/new.py
commit 2026-05-01T00:00:00Z five
S=$(tok)
echo "y = '$C' # sfmc-scan:allow" >"$R/app/inline2.py"
echo "doc: $D" >"$R/docs/more.md"
echo "$E" >"$R/fixtures/deep/more.txt"
echo "again = '$A'" >"$R/app/again.py"
git -C "$R" add -A
run "$SFMC" staged -f json "$R"
expect_rc 0 "staged: everything staged is suppressed or excluded"
expect_jq '.findings | length' '0'
expect_jq '[.suppressed[] | "\(.path)=\(.suppression.kind)"] | join(",")' 'app/again.py=config,app/inline2.py=inline,docs/more.md=config'
echo "s = '$S'" >"$R/app/staged.py"
git -C "$R" add app/staged.py
run "$SFMC" staged -f json --baseline "$T/base.json" "$R"
expect_rc 1 "staged: a new secret"
expect_jq '[.findings[].path] | join(",")' 'app/staged.py'
# The pre-commit hook command applies the same config and markers.
run env -C "$R" "$SFMC" pre-commit
expect_rc 1 "pre-commit: the new staged secret blocks"
git -C "$R" rm -q --cached app/staged.py
run env -C "$R/app" "$SFMC" pre-commit
expect_rc 0 "pre-commit: only suppressed or excluded changes"
git -C "$R" add app/staged.py
# A baseline holding the staged file suppresses it.
run "$SFMC" staged --write-baseline "$T/staged.json" "$R"
run "$SFMC" staged --baseline "$T/staged.json" "$R"
expect_rc 0 "staged with its own baseline"
finish
