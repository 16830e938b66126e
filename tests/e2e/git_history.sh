#!/usr/bin/env bash
# sfmc-scan git: whole history, each (secret, path) once at its oldest commit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
git init -q "$T/repo"
cd "$T/repo"

# Deleted file: still found, in the commit that added it.
A=$(tok)
put gone.txt "x\nkey=$A\n" "add gone"; c_gone=$C
git rm -q gone.txt && gcommit "delete gone"
# Removed line.
B=$(tok)
put conf.yml "one\ntwo\n  token: $B\n" "conf"; c_conf=$C
put conf.yml "one\ntwo\n" "remove the token line"
# Many edits of one file with the secret untouched: one finding.
S=$(tok)
put app.env "s=$S\n" "env"; c_env=$C
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >>app.env; git add app.env; gcommit "edit $i"; done
# Rename: a second finding at the new path, in the rename commit.
mkdir config && git mv app.env config/app.env && gcommit "move"; c_move=$(git rev-parse HEAD)
# Unmerged branch.
git checkout -q -b feature
D=$(tok)
put feat.txt "feature\n\tD=$D\n" "feature work"; c_feat=$C
git checkout -q main
# Tag-only orphan commit (annotated tag; the branch is deleted).
git checkout -q --orphan tmp && git rm -rqf .
E=$(tok)
put orphan.txt "$E\n" "orphan"; c_orph=$C
git tag -a v-orphan -m "orphan tag"
git checkout -q main && git branch -q -D tmp
# Merge: the side branch's secret stays with the side commit; the merge's own
# (evil) change is attributed to the merge.
git checkout -q -b side
F=$(tok)
put side.txt "side=$F\n" "side"; c_side=$C
git checkout -q main
G=$(tok)
git merge -q --no-ff --no-commit side
printf 'evil\nevil=%s\n' "$G" >evil.txt && git add evil.txt && gcommit "merge side"; c_merge=$(git rev-parse HEAD)
# Stash: the newest in refs/stash, an older one only in its reflog.
put stash.txt "clean\n" "stash base"
H1=$(tok) H2=$(tok)
printf 'clean\n%s\n' "$H1" >stash.txt && git stash -q && c_st1=$(git rev-parse refs/stash)
printf 'clean\n  %s\n' "$H2" >stash.txt && git stash -q && c_st2=$(git rev-parse refs/stash)
# CRLF and binary blobs.
J=$(tok) K=$(tok)
put crlf.txt "a\r\nb\r\nj=$J\r\n" "crlf"; c_crlf=$C
put bin.dat "\x00\x01\x02\xff\nbin\x00k=$K\x00" "binary"; c_bin=$C
# Non-UTF-8 path and author name (git commit would re-encode the name: write the object by hand).
I=$(tok)
printf 'i=%s\n' "$I" >"$(printf 'caf\xe9.txt')"
git add -A -- .
c_lat=$(printf 'tree %s\nparent %s\nauthor J\xf6rg <j@example.com> 1700009000 +0000\ncommitter J\xf6rg <j@example.com> 1700009000 +0000\n\nlatin-1\n' \
	"$(git write-tree)" "$(git rev-parse HEAD)" | git hash-object -t commit -w --stdin)
git update-ref refs/heads/main "$c_lat"

run "$SFMC" git -f json .
expect_rc 1 "history with secrets"
at gone.txt "2:5:$c_gone"
at conf.yml "3:10:$c_conf"
at app.env "1:3:$c_env"
at config/app.env "1:3:$c_move"
at feat.txt "2:4:$c_feat"
at orphan.txt "1:1:$c_orph"
at side.txt "1:6:$c_side"
at evil.txt "2:6:$c_merge"
expect_jq '[.findings[] | select(.path == "stash.txt") | "\(.line):\(.column):\(.commit)"] | sort | join(",")' \
	"$(printf '2:1:%s\n2:3:%s\n' "$c_st1" "$c_st2" | sort | paste -sd,)" "both stashes"
at crlf.txt "3:3:$c_crlf"
at bin.dat "2:7:$c_bin"
expect_jq '.findings | length' 13 "number of findings"
expect_jq '.errors | length' 0
# Provenance fields.
expect_jq '.findings[] | select(.path == "gone.txt") | [.blob, .summary, .author_name, .author_email, .commit_time, .likely_expired] | @tsv' \
	"$(git rev-parse "$c_gone:gone.txt")	add gone	Test User	test@example.com	$(date -u -d @"$(git show -s --format=%ct "$c_gone")" +%FT%TZ)	true"
expect_jq '.findings[] | select(.commit == "'"$c_lat"'") | [.path_bytes, .author_name_bytes, .line, .column] | @tsv' \
	"$(printf 'caf\xe9.txt' | base64)	$(printf 'J\xf6rg' | base64)	1	3" "non-UTF-8 path and author"
expect_out_lacks "$A"
# Each blob is read once however many commits hold it.
expect_jq '.stats.files' "$(git rev-list --objects --all $(git log -g --format=%H refs/stash) | cut -d' ' -f1 |
	git cat-file --batch-check='%(objecttype)' | grep -c blob)" "blobs read"

# Text output shows the commit, author and date under each finding.
run "$SFMC" git .
expect_rc 1
expect_out_has "commit ${c_gone:0:12} by Test User <test@example.com> on $(date -u -d @"$(git show -s --format=%ct "$c_gone")" +%FT%TZ)"
expect_out_has 'commit '"${c_lat:0:12}"' by J\xf6rg <j@example.com>'
finish
