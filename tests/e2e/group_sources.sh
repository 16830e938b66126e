#!/usr/bin/env bash
# What the app takes from a git source rather than from mode names: --group's
# "present at HEAD" for the index sources (staged, pre-commit), the work tree
# as the config root from a subdirectory, HEAD in reports, and a repository
# that cannot be opened recorded as the scan's error (fail closed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

git init -q "$T/repo"
cd "$T/repo"
K=$(tok)
put a.txt "k=$K\n" "committed secret"
N=$(tok)
printf 'k=%s\n' "$K" >b.txt
printf 'n=%s\n' "$N" >c.txt
git add b.txt c.txt
fp() { jq -r --arg p "$1" '.findings[] | select(.path == $p) | .fingerprint' "$T/out"; }

run "$SFMC" staged --group -f json
expect_rc 1 "staged --group"
FK=$(fp b.txt)
FN=$(fp c.txt)
expect_jq ".groups | length" "2"
expect_jq ".groups[] | select(.fingerprint == \"$FK\") | .present_at_head" "true" "the committed secret"
expect_jq ".groups[] | select(.fingerprint == \"$FN\") | .present_at_head" "false" "the staged-only secret"

# The hook reads the same source: same groups, and the advice.
run "$SFMC" pre-commit --group -f json
expect_rc 1 "pre-commit --group"
expect_jq "[.groups[] | .present_at_head] | sort | map(tostring) | join(\",\")" "false,true"
expect_err_has "commit blocked"

# HEAD names the staged findings' commit in GitLab's report.
run "$SFMC" staged -f gitlab
expect_rc 1 "staged gitlab"
expect_out_has "$(git rev-parse HEAD)"

# From a subdirectory, .sfmc-scan.yaml is read at the work tree's top.
printf 'fail_on: never\n' >.sfmc-scan.yaml
mkdir -p sub
cd sub
run "$SFMC" staged -q
expect_rc 0 "config found from sub/"
cd ..
rm .sfmc-scan.yaml

# No commit yet: HEAD holds nothing.
git init -q "$T/new"
cd "$T/new"
printf 'n=%s\n' "$N" >c.txt && git add c.txt
run "$SFMC" staged --group -f json
expect_rc 1 "unborn HEAD"
expect_jq "[.groups[] | .present_at_head] | map(tostring) | join(\",\")" "false"

# Not a repository: the error is the scan's, reported like any other.
mkdir -p "$T/plain"
run "$SFMC" git "$T/plain" --group -f json
expect_rc 2 "not a repository"
expect_jq ".errors | length" "1"
expect_jq ".errors[0].message | contains(\"not a git repository\")" "true"
expect_jq ".groups | length" "0"

finish
