#!/usr/bin/env bash
# sfmc-scan git --range: only what the commits of a range introduce.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
git init -q "$T/repo"
cd "$T/repo"
A=$(tok) B=$(tok) Cs=$(tok) D=$(tok) M=$(tok)
put a.txt "a=$A\n" "a"; c_a=$C
git checkout -q -b feat
put b.txt "b=$B\n" "b"; c_b=$C
git rm -q b.txt
put c.txt "\tc=$Cs\n" "c"; c_c=$C
git checkout -q main
put d.txt "d\nd=$D\n" "d"; c_d=$C

# B is not an ancestor of main: feat..main is main's own commit only.
run "$SFMC" git --range feat..main -f json .
expect_rc 1 "feat..main"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.commit)"] | join(" ")' "d.txt:2:3:$c_d"

run "$SFMC" git --range main..feat -f json .
expect_rc 1 "main..feat"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.commit)"] | join(" ")' "b.txt:1:3:$c_b c.txt:1:4:$c_c"

run "$SFMC" git --range main...feat -f json .
expect_jq '[.findings[].path] | join(" ")' "b.txt c.txt d.txt" "symmetric range"

# A merge in the range: only what the merge itself adds is attributed to it.
git merge -q --no-ff --no-commit feat
printf 'm=%s\n' "$M" >m.txt && git add m.txt && gcommit "merge feat"; c_m=$(git rev-parse HEAD)
run "$SFMC" git --range "$c_d..main" -f json .
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.commit)"] | join(" ")' \
	"b.txt:1:3:$c_b c.txt:1:4:$c_c m.txt:1:3:$c_m" "merge of feat into main"
run "$SFMC" git --range "$c_c..main" -f json .
expect_jq '[.findings[] | "\(.path):\(.commit)"] | join(" ")' "d.txt:$c_d m.txt:$c_m" "merge, feat already seen"

# Nothing in the range: clean.
run "$SFMC" git --range main..main -f json .
expect_rc 0 "empty range"

# A revision that does not exist: exit 2, the message names it.
run "$SFMC" git --range nosuchrev..main .
expect_rc 2 "bad revision"
expect_err_has "nosuchrev"
run "$SFMC" git --range "main..$(printf '%040d' 7)" .
expect_rc 2 "unknown commit id"
finish
