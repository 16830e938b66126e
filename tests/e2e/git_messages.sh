#!/usr/bin/env bash
# Commit and annotated tag messages are scanned (issue 16): a secret in a
# subject, a body line (line and column), a tag message and a merge message
# is found, each commit once however many branches reach it; --range scans
# only the range's messages, --all-objects an unreachable commit's; real
# pushes are blocked by a message (pre-push, pre-receive on a bare
# repository), the commit-msg hook blocks `git commit -m` with a secret and
# is silent on a clean message; SARIF puts messages on a logical location
# GitHub's rules accept; allow, baseline and GitLab work; no whole token is
# printed without --show-secrets.
. "$(dirname "$0")/lib.sh"
RULES_JQ="$SFMC_SOURCE_DIR/tests/e2e/github-sarif-rules.jq"
cd "$T"
s1=$(tok) s2=$(tok) s3=$(tok) s4=$(tok) s5=$(tok) s6=$(tok)
fp() { printf '%s' "$1" | sha256sum | cut -c1-64; }
gitq() { run env SFMC_SCAN_VERBOSE=1 git "$@"; }
tip() { git -C "$1" rev-parse --verify -q "$2" || echo none; }
# count FILTER EXPECTED WHAT: over the findings of a JSON report in $T/out.
count() { expect_jq "[.findings[] | select($1)] | length" "$2" "$3"; }

git init -q repo
cd repo
echo a >a.txt
git add a.txt
git commit -q -m "add a with $s1"
c_subject=$(git rev-parse HEAD)
printf 'body commit\n\nfirst body line\n  token: %s here\n' "$s2" | git commit -q --allow-empty -F -
c_body=$(git rev-parse HEAD)
git tag -a v1 -m "release notes
key=$s3"
tag_id=$(git rev-parse v1)
git checkout -q -b side
echo b >b.txt
git add b.txt
git commit -q -m "side work"
git checkout -q main
echo c >c.txt
git add c.txt
git commit -q -m "main work"
git merge -q --no-ff side -m "merge side: $s4"
c_merge=$(git rev-parse HEAD)
git branch other "$c_merge" # the merge is reachable from two branches and HEAD
cd ..

run "$SFMC" git -f json repo
expect_rc 1 "git with secrets in messages"
count '.location == "commit-message" and .commit == "'"$c_subject"'" and .line == 1 and .column == 12' 1 "subject"
count '.location == "commit-message" and .commit == "'"$c_body"'" and .line == 4 and .column == 10' 1 "body line"
count '.location == "tag-message" and .tag.name == "v1" and .tag.id == "'"$tag_id"'" and .line == 2 and .column == 5' \
	1 "tag message"
count '.location == "commit-message" and .commit == "'"$c_merge"'" and .line == 1' 1 "merge message, once"
count '.location != null' 4 "messages found"
count '.location != null and has("path")' 0 "messages have no path"
count '.location == null and .path == null' 0 "files keep their path"
expect_jq '[.findings[] | select(.commit == "'"$c_subject"'")][0] | "\(.author_name) \(.summary)"' \
	"Test User add a with ${s1:0:9}…" "commit metadata, summary redacted"
expect_jq '.stats.files' 3 "messages are not counted as blobs"
expect_out_lacks "$s1"
expect_out_lacks "$s3"

# Text: where the secret is.
run "$SFMC" git repo
expect_out_has "commit ${c_body:0:12} message:4:10: error"
expect_out_has "tag v1 (${tag_id:0:12}) message:2:5: error"
for s in "$s1" "$s2" "$s3" "$s4"; do
	expect_out_lacks "$s"
	expect_err_lacks "$s"
done
run "$SFMC" git --show-secrets -f jsonl repo
expect_out_has "$s2"

# --range scans the messages of the range's commits only (and no tags).
run "$SFMC" git -f json --range "$c_body..main" repo
expect_rc 1 "range"
count '.location == "commit-message"' 1 "range: the merge only"
count '.commit == "'"$c_merge"'"' 1 "range: the merge"
count '.location == "tag-message"' 0 "range: no tag"
run "$SFMC" git -f json --range "$c_merge..main" repo
expect_rc 0 "empty range"

# --all-objects: an amended-away commit's message.
cd repo
git commit -q --allow-empty -m "oops $s5"
lost=$(git rev-parse HEAD)
git reset -q --hard HEAD~1
git reflog expire --expire=now --all
cd ..
run "$SFMC" git -f json repo
count '.commit == "'"$lost"'"' 0 "unreachable commit without --all-objects"
run "$SFMC" git -f json --all-objects repo
count '.location == "commit-message" and .commit == "'"$lost"'"' 1 "--all-objects: unreachable commit message"
count '.location == "tag-message"' 1 "--all-objects: the tag once"

# SARIF: a logical location; the schema-level checks GitHub makes pass.
run "$SFMC" git -f sarif repo
v=$(jq -r -f "$RULES_JQ" "$T/out" 2>&1) || fail "jq rules: $v"
[ -z "$v" ] || fail "GitHub rules: $v"
expect_jq '[.runs[0].results[].locations[0].logicalLocations[0].fullyQualifiedName] | map(select(. != null)) | sort | join(" ")' \
	"$(printf '%s\n' "commit/$c_body/message" "commit/$c_merge/message" "commit/$c_subject/message" tag/v1/message |
		LC_ALL=C sort | paste -sd' ')" "logical locations"
expect_jq '[.runs[0].results[].locations[0] | select(.logicalLocations) | .physicalLocation.artifactLocation | has("uriBaseId")] | unique | join(",")' \
	false "a message is not under %SRCROOT%"
expect_out_lacks "$s1"

# GitLab: the commit, no file.
run "$SFMC" git -f gitlab repo
expect_jq '[.vulnerabilities[] | select(.location.commit.sha == "'"$c_body"'") | .location | has("file")] | join(",")' \
	false "gitlab: a message has no file"
expect_jq '[.vulnerabilities[] | select(.location.file == null)] | length' 4 "gitlab: four messages"

# allow by fingerprint and by a path glob on the logical name; baseline by fingerprint.
printf 'allow:\n  - fingerprint: %s\n    reason: example\n  - path: "tag/*/message"\n    reason: tags\n' \
	"$(fp "$s2")" >repo/.sfmc-scan.yaml
run "$SFMC" git -f json --config repo/.sfmc-scan.yaml repo
count '.location != null' 2 "allowed: body and tag suppressed"
expect_jq '[.suppressed[] | select(.location != null)] | length' 2 "suppressed messages listed"
rm repo/.sfmc-scan.yaml
run "$SFMC" git -q --write-baseline "$T/base.json" repo
run "$SFMC" git -f json --baseline "$T/base.json" repo
expect_rc 0 "baseline suppresses message findings"
count 'true' 0 "baseline: nothing new"
# The same secret in a file, baselined there, suppresses it in a message too.
mkdir d && printf 'k=%s\n' "$s6" >d/f.txt
run "$SFMC" dir -q --write-baseline "$T/dir-base.json" d
cd repo && git commit -q --allow-empty -m "again $s6" && cd ..
run "$SFMC" git -f json --baseline "$T/dir-base.json" repo
count '.location != null' 4 "other messages still reported"
expect_jq '[.suppressed[] | select(.location == "commit-message" and .suppression.kind == "baseline")] | length' 1 \
	"the same secret anywhere in the baseline"

# --group: one entry per secret, messages among the locations.
run "$SFMC" git -f json --group repo
expect_rc 1 "group"

# pre-push: a real push blocked by a message alone.
git init -q work
cd work
run "$SFMC" hook install
git init -q --bare ../remote.git
git remote add origin ../remote.git
echo x >x.txt
git add x.txt
git commit -q -m clean
gitq push -q -u origin main
expect_rc 0 "clean push"
git commit -q --allow-empty -m "deploy" -m "password is $s1"
gitq push origin main
[ "$rc" -ne 0 ] || fail "pre-push let a secret in a message through"
expect_err_has "push blocked"
expect_err_has "commit $(git rev-parse --short=12 HEAD) message:3:13"
expect_err_has "reword"
expect_err_lacks "$s1"
git commit -q --amend --allow-empty -m deploy
# An annotated tag's message is scanned when the tag is pushed.
git tag -a v2 -m "tagged $s3"
gitq push origin v2
[ "$rc" -ne 0 ] || fail "pre-push let a secret in a tag message through"
expect_err_has "tag v2 message:1:8"
gitq push origin main
expect_rc 0 "clean push after the amend"

# pre-receive on a bare server rejects a pushed commit whose message holds a secret.
git init -q --bare ../srv.git
run "$SFMC" hook install ../srv.git
git commit -q --allow-empty -m "server $s2"
gitq push --no-verify ../srv.git main
[ "$rc" -ne 0 ] || fail "pre-receive accepted a secret in a message"
expect_err_has "push rejected by the server"
expect_err_has "commit $(git rev-parse --short=12 HEAD) message:1:8"
expect_err_lacks "$s2"
[ "$(tip ../srv.git main)" = none ] || fail "pre-receive: the ref was updated"
git reset -q --hard HEAD~1

# commit-msg: blocks `git commit -m` with a secret, silent on a clean message.
run "$SFMC" hook install --commit-msg
expect_out_has ".git/hooks/commit-msg"
echo y >y.txt
git add y.txt
run git commit -m "add y $s4"
[ "$rc" -ne 0 ] || fail "commit-msg let a secret through"
expect_err_has "commit blocked: 1 secret found in the commit message"
expect_err_has "commit message:1:7"
expect_err_has "COMMIT_EDITMSG"
expect_err_lacks "$s4"
expect_out_lacks "$s4"
[ "$(git rev-list --count HEAD)" = 2 ] || fail "the blocked commit was created"
run git commit -q -m "add y"
expect_rc 0 "clean message"
[ -s "$T/out" ] && fail "commit-msg printed something on a clean message"
[ -s "$T/err" ] && fail "commit-msg printed on stderr on a clean message"
# The verbose diff under the scissors line is not the message.
printf 'msg\n# ------------------------ >8 ------------------------\n+k=%s\n' "$s5" >"$T/m.txt"
run "$SFMC" commit-msg "$T/m.txt"
expect_rc 0 "scissors"
printf 'msg %s # sfmc-scan:allow\n' "$s5" >"$T/m.txt"
run "$SFMC" commit-msg "$T/m.txt"
expect_rc 0 "inline allow in a message"
run "$SFMC" commit-msg
expect_rc 2 "commit-msg without FILE"
run "$SFMC" commit-msg "$T/missing"
expect_rc 2 "commit-msg of a missing file"
run "$SFMC" hook uninstall
expect_rc 0 "uninstall"
[ ! -e .git/hooks/commit-msg ] || fail "uninstall left commit-msg"

finish
