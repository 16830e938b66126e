#!/usr/bin/env bash
# Linked worktrees: a detached HEAD's commits and refs/worktree/* refs of a
# linked worktree are tips like any ref (git log --all shows them), whether
# the scan runs from the main checkout or from inside the linked worktree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

git init -q "$T/main" && cd "$T/main"
put main.txt "k=$(tok)\n" main
git worktree add -q --detach ../wt
cd ../wt
put detached.txt "k=$(tok)\n" "on the detached HEAD"
put wtref.txt "k=$(tok)\n" "under refs/worktree"
git update-ref refs/worktree/mine HEAD
git checkout -q --detach "$C~1" # HEAD on detached.txt's commit; wtref.txt only in refs/worktree/mine
cd ../main
[[ $'\n'$(git log --all --format=%s)$'\n' == *$'\non the detached HEAD\n'* ]] || fail "git log --all shows the detached commit"

for dir in "$T/main" "$T/wt"; do
	run timeout 60 "$SFMC" git -f json "$dir"
	expect_rc 1 "scan from $dir"
	expect_jq '[.findings[] | .path] | sort | join(",")' detached.txt,main.txt,wtref.txt "every worktree's tips ($dir)"
	expect_jq '.errors | length' 0 "no error ($dir)"
done
finish
