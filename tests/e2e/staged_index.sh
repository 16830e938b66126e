#!/usr/bin/env bash
# sfmc-scan staged reads the index file itself and skips directories whose
# cache-tree matches HEAD: the same report from every index layout it reads,
# and from a commit hook, where git sets GIT_INDEX_FILE. Layouts it leaves
# to libgit2 that libgit2 1.5 cannot read either (split index, sparse index)
# fail closed: exit 2 naming the extension, never a clean report.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

git init -q "$T/repo"
cd "$T/repo"
for d in a b c; do for e in 1 2 3; do mkdir -p "$d/$e" && echo "$d$e" >"$d/$e/f.txt"; done; done
O=$(tok)
printf 'old=%s\n' "$O" >b/2/old.txt
git add -A && gcommit "tree"
S=$(tok)
printf 'x\nnew=%s\n' "$S" >>b/3/f.txt
git add b/3/f.txt
N=$(tok)
printf 'n=%s\n' "$N" >c/new.txt
git add c/new.txt

# same_report WHAT: the two staged secrets, and not the committed one.
same_report() {
	run "$SFMC" staged -f json
	expect_rc 1 "$1"
	expect_jq '[.findings[] | "\(.path):\(.line):\(.column)"] | join(" ")' "b/3/f.txt:3:5 c/new.txt:1:3" "$1"
	expect_jq '.stats.files' "2" "$1: only the staged blobs are read"
}

same_report "index version 2 with its cache-tree"
git update-index --index-version 4
same_report "index version 4 (path prefix compression)"
git update-index --index-version 2
git write-tree >/dev/null
same_report "cache-tree valid everywhere, different from HEAD where staged"
git update-index --split-index
run "$SFMC" staged -f json
expect_rc 2 "split index"
expect_jq '.errors[0].message' "cannot read the index: unsupported mandatory extension: 'link'" "split index"
git update-index --no-split-index
same_report "back to one index file"
git sparse-checkout set --sparse-index b c
run "$SFMC" staged -f json
expect_rc 2 "sparse index"
expect_jq '.errors[0].message' "cannot read the index: unsupported mandatory extension: 'sdir'" "sparse index"
git sparse-checkout disable
same_report "sparse checkout disabled"

# A hook: git commit runs pre-commit with GIT_INDEX_FILE set; the commit is refused.
mkdir -p .git/hooks
printf '#!/bin/sh\nexec "%s" pre-commit\n' "$SFMC" >.git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
if gcommit "with secrets" 2>"$T/hook.err"; then
	fail "the pre-commit hook let the staged secrets through"
fi
grep -qF "b/3/f.txt" "$T/hook.err" || fail "the hook did not name b/3/f.txt"
grep -qF "old.txt" "$T/hook.err" && fail "the hook reported a committed secret"
finish
