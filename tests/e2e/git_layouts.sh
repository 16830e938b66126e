#!/usr/bin/env bash
# sfmc-scan git on a bare repository, a worktree (.git file), a shallow clone
# and an empty repository; REPO may be omitted (current directory).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
git init -q "$T/repo"
cd "$T/repo"
K=$(tok) R=$(tok)
put keep.txt "k=$K\n" "keep"; c_keep=$C
put removed.txt "r=$R\n" "removed later"; c_rem=$C
git rm -q removed.txt && gcommit "remove"
put other.txt "no secret\n" "other"; c_head=$C

# Bare clone: same findings, same commits.
git clone -q --bare "$T/repo" "$T/bare.git"
run "$SFMC" git -f json "$T/bare.git"
expect_rc 1 "bare"
at keep.txt "1:3:$c_keep"
at removed.txt "1:3:$c_rem"

# Worktree: its .git is a file; history is the shared one; staged sees its own index.
git worktree add -q "$T/wt" -b wtb
[ -f "$T/wt/.git" ] || fail "worktree has no .git file"
cd "$T/wt"
run "$SFMC" git -f json
expect_rc 1 "worktree, no REPO argument"
at keep.txt "1:3:$c_keep"
at removed.txt "1:3:$c_rem"
W=$(tok)
printf 'w=%s\n' "$W" >wt.txt && git add wt.txt
run "$SFMC" staged -f json
expect_rc 1 "staged in a worktree"
at wt.txt "1:3:-"
cd "$T"

# Shallow clone of depth 1: the boundary commit introduces its whole tree;
# what only older commits held is absent, and no missing parent is an error.
git clone -q --depth 1 "file://$T/repo" "$T/shallow"
[ -f "$T/shallow/.git/shallow" ] || fail "clone is not shallow"
run "$SFMC" git -f json "$T/shallow"
expect_rc 1 "shallow"
at keep.txt "1:3:$c_head"
expect_jq '[(.findings | length), (.errors | length)] | @tsv' "1	0" "shallow: one finding, no error"

# Empty repository: nothing to scan is clean, not an error.
git init -q "$T/empty"
run "$SFMC" git -f json "$T/empty"
expect_rc 0 "empty repository"
expect_jq '[(.findings | length), (.errors | length), .stats.files] | @tsv' "0	0	0"

# Not a repository: exit 2 with a message.
mkdir "$T/plain"
run "$SFMC" git "$T/plain"
expect_rc 2 "not a repository"
expect_err_has "not a git repository"
finish
