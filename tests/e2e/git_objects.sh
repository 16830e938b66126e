#!/usr/bin/env bash
# sfmc-scan git: packed and loose objects, dangling blobs (--all-objects),
# a corrupt object, a submodule's gitlink.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
git init -q "$T/repo"
cd "$T/repo"

# Packed + loose: the first commit is packed by gc, the second stays loose.
P=$(tok) L=$(tok)
put packed.txt "p = \"$P\"\n" "packed"; c_p=$C
git gc -q
put loose.txt "\n\nl=$L\n" "loose"; c_l=$C
[ -n "$(ls .git/objects/pack/*.pack)" ] || fail "gc made no pack"
b_l=$(git rev-parse "$c_l:loose.txt")
[ -f ".git/objects/${b_l:0:2}/${b_l:2}" ] || fail "loose.txt's blob is not loose"
# Amended away: the old commit is reachable from no ref (only HEAD's reflog).
Q=$(tok)
put amend.txt "first\nq=$Q\n" "to be amended"; c_old=$C
printf 'first\n' >amend.txt && git add amend.txt && gcommit "amended" --amend
# Dangling blob: written, never committed.
Dg=$(tok)
b_d=$(printf 'dangling=%s\n' "$Dg" | git hash-object -w --stdin)

run "$SFMC" git -f json .
expect_rc 1 "packed + loose"
at packed.txt "1:6:$c_p"
at loose.txt "3:3:$c_l"
expect_jq '.findings | length' 2 "the dangling blob and the amended commit need --all-objects"

run "$SFMC" git --all-objects -f json .
expect_rc 1 "--all-objects"
at "$b_d" "1:10:-"
expect_jq ".findings[] | select(.path == \"$b_d\") | [.blob, has(\"commit\")] | @tsv" "$b_d	false" "dangling provenance"
at amend.txt "2:3:$c_old"
expect_jq '.findings | length' 4
# --max-file-size: larger blobs are listed as skipped (under their oldest path), not read.
run "$SFMC" git --max-file-size 60 -f json .
expect_rc 0 "blobs over --max-file-size"
expect_jq '[.skipped[].path] | join(",")' "loose.txt,packed.txt"
# ... also when the dangling blob sits in a pack.
git repack -q -a -d -k
[ ! -f ".git/objects/${b_d:0:2}/${b_d:2}" ] || fail "the dangling blob is still loose"
run "$SFMC" git --all-objects -f json .
at "$b_d" "1:10:-"

# Corrupt object: reported as an error (exit 2), the rest is still scanned.
git init -q "$T/corrupt"
cd "$T/corrupt"
W=$(badtok) X=$(tok)
put good.txt "w=$W\n" "good"; c_good=$C
put bad.txt "x=$X\n" "bad"
b_x=$(git rev-parse HEAD:bad.txt)
chmod u+w ".git/objects/${b_x:0:2}/${b_x:2}"
printf 'not zlib at all' >".git/objects/${b_x:0:2}/${b_x:2}"
run "$SFMC" git -f json .
expect_rc 2 "corrupt blob"
at good.txt "1:3:$c_good"
expect_jq '[.findings[].level] | join(",")' "warning"
expect_jq '[.errors[] | .path] | join(",")' "bad.txt"
expect_jq ".errors[0].message | contains(\"$b_x\")" "true" "the error names the blob"
expect_err_has "bad.txt"

# A corrupt tree and a missing commit: errors naming them; what the rest of
# the history holds is still found (a commit whose parent is missing
# introduces its whole tree).
git init -q "$T/broken"
cd "$T/broken"
Y=$(tok) Z=$(tok)
put a.txt "a=$Y\n" "one"
put d/b.txt "b=$Z\n" "tree"
tree_d=$(git rev-parse HEAD:d)
echo more >>a.txt && git add a.txt && gcommit "two"; c_two=$(git rev-parse HEAD)
put c.txt "c\n" "three"; c_three=$C
chmod u+w ".git/objects/${tree_d:0:2}/${tree_d:2}" ".git/objects/${c_two:0:2}/${c_two:2}"
printf 'garbage' >".git/objects/${tree_d:0:2}/${tree_d:2}"
rm ".git/objects/${c_two:0:2}/${c_two:2}"
run "$SFMC" git -f json .
expect_rc 1 "broken history with a secret still found"
at a.txt "1:3:$c_three"
# Errors are sorted by path bytes: the commit id may sort before or after "d".
expect_jq '[.errors[] | .path] | join(",")' "$(printf '%s\n' "$c_two" d | LC_ALL=C sort | paste -sd,)"
expect_jq '[.errors[] | .message | test("cannot read (commit|tree) ")] | all' true

# Submodule: the gitlink is skipped, the submodule's own history is not read.
git init -q "$T/sub"
cd "$T/sub"
put inner.txt "$(tok)\n" "inner secret"
git init -q "$T/super"
cd "$T/super"
put top.txt "top\n" "top"
git -c protocol.file.allow=always submodule add -q "$T/sub" sub
gcommit "add submodule"
[ "$(git ls-tree HEAD sub | cut -d' ' -f1)" = 160000 ] || fail "sub is not a gitlink"
run "$SFMC" git -f json .
expect_rc 0 "submodule"
expect_jq '[(.findings | length), (.errors | length), .stats.files] | @tsv' "0	0	2" "top.txt and .gitmodules only"
finish
