#!/usr/bin/env bash
# A shallow clone's history is truncated: the report says so (JSON "shallow"
# and its boundary commits, a summary line), so nobody takes it for a full audit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

git init -q "$T/full" && cd "$T/full"
put old.txt "k=$(tok)\n" "old secret"
put new.txt "hello\n" "newer"
git clone -q --depth 1 "file://$T/full" "$T/shallow"
head=$(git -C "$T/shallow" rev-parse HEAD)

run timeout 60 "$SFMC" git -f json "$T/shallow"
expect_rc 1 "shallow clone: the secret is in the one commit's tree"
expect_jq '.shallow' true "shallow flag"
expect_jq '.shallow_commits | join(",")' "$head" "boundary commits"
run timeout 60 "$SFMC" git "$T/shallow"
expect_err_has "history is shallow (1 boundary commit): not a full audit"

run timeout 60 "$SFMC" git -f json "$T/full"
expect_rc 1 "full clone"
expect_jq '.shallow // "absent"' absent "no shallow flag on a full clone"
expect_err_lacks "history is shallow"
finish
