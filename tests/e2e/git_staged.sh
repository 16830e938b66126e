#!/usr/bin/env bash
# sfmc-scan staged: the index's added or changed entries, read from the
# staged blobs (not the working tree), and nothing else.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

# No commit yet: every staged entry.
git init -q "$T/new"
cd "$T/new"
N=$(tok)
printf '  n=%s\n' "$N" >first.txt && git add first.txt
run "$SFMC" staged -f json
expect_rc 1 "repository without HEAD"
at first.txt "1:5:-"
expect_jq '.findings[0].blob' "$(git rev-parse :first.txt)"

git init -q "$T/repo"
cd "$T/repo"
O=$(tok)
put old.txt "o=$O\n" "committed secret"
for i in $(seq 1 40); do echo "file $i" >"f$i.txt"; done
put mod.txt "a\nb\n" "many files"
# Staged then edited: the staged content is what counts.
S=$(tok)
printf 'x\ns=%s\n' "$S" >staged.txt && git add staged.txt
printf 'x\ns=REMOVED\n' >staged.txt
# A staged modification of a tracked file.
M=$(tok)
printf 'a\nb\nm=%s\n' "$M" >mod.txt && git add mod.txt
# An unstaged change is not reported.
U=$(tok)
printf 'u=%s\n' "$U" >>old.txt
printf 'u=%s\n' "$U" >untracked.txt

run "$SFMC" staged -f json "$T/repo"
expect_rc 1 "staged"
at staged.txt "2:3:-"
at mod.txt "3:3:-"
expect_jq '[.findings[].path] | join(" ")' "mod.txt staged.txt" "committed, unstaged and untracked secrets are not staged changes"
# Cost follows the change: only the two staged blobs are read.
expect_jq '.stats.files' 2

# Nothing staged: clean.
git reset -q
run "$SFMC" staged -f json "$T/repo"
expect_rc 0 "nothing staged"
expect_jq '.stats.files' 0

# A bare repository has no index.
git clone -q --bare "$T/repo" "$T/bare.git"
run "$SFMC" staged "$T/bare.git"
expect_rc 2 "staged in a bare repository"
expect_err_has "no index"
finish
