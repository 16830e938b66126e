#!/usr/bin/env bash
# No whole token from history metadata or names in any output by default:
# a token in the author name and email, the commit message, a tag's name and
# message, a branch name, a file path and a stdin --label is redacted like a
# secret (also inside a longer word, "inSFMC_…x") in every report format,
# the stderr summary and errors, the hook advice and the --write-baseline
# file; the baseline still suppresses the finding it was written for.
# --show-secrets shows the secret whole.
. "$(dirname "$0")/lib.sh"
O="$T/outs"
R="$T/repo"
mkdir -p "$O"
t_name=$(tok) t_email=$(tok) t_msg=$(tok) t_body=$(tok) t_tag=$(tok) t_tagmsg=$(tok) t_branch=$(tok)
t_path=$(tok) t_label=$(tok) t_ref=$(tok) secret=$(tok)
tokens=("$t_name" "$t_email" "$t_msg" "$t_body" "$t_tag" "$t_tagmsg" "$t_branch" "$t_path" "$t_label" "$t_ref")

git init -q "$R"
mkdir -p "$R/conf-$t_path"
printf 'key=%s\n' "$secret" >"$R/conf-$t_path/$t_path.env"
git -C "$R" add .
git -C "$R" -c user.name="Dev $t_name" -c user.email="$t_email@example.com" commit -qm "add $t_msg" -m "body $t_body"
git -C "$R" tag -a "v1-$t_tag" -m "release $t_tagmsg"
git -C "$R" checkout -qb "feature/$t_branch"
printf 'again=%s\n' "$secret" >"$R/conf-$t_path/more-$t_path.txt"
git -C "$R" add . && git -C "$R" commit -qm "more $t_msg"
printf 'staged=%s\n' "$secret" >"$R/conf-$t_path/staged${t_path}0.txt"
git -C "$R" add .

n=0
# out RC CMD...: runs CMD (stdin from $T/in), keeping stdout and stderr under $O; expects exit RC.
out() {
	local want=$1 rc
	shift
	n=$((n + 1))
	set +e
	"$@" <"$T/in" >"$O/$n.out" 2>"$O/$n.err"
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || fail "$*: exit code $rc, expected $want"
}
printf 'x=%s\n' "$secret" >"$T/in"
for fmt in text json jsonl sarif gitlab; do
	out 1 "$SFMC" git "$R" -f "$fmt" --report "$fmt:$O/extra-$fmt" --write-baseline "$O/git-$fmt.baseline"
	out 1 "$SFMC" dir "$R" -f "$fmt" --write-baseline "$O/dir-$fmt.baseline"
	out 1 "$SFMC" staged "$R" -f "$fmt"
	out 1 "$SFMC" stdin --label "in${t_label}x" -f "$fmt"
	out 1 "$SFMC" git "$R" -f "$fmt" --range "v1-$t_tag..feature/$t_branch"
	out 1 "$SFMC" git "$R" -f "$fmt" --all-objects
	out 2 "$SFMC" git "$R" -f "$fmt" --range "v1-$t_tag..missing-$t_ref"
done
for fmt in text json; do
	out 1 "$SFMC" git "$R" -f "$fmt" --group
done
(cd "$R" && out 1 "$SFMC" pre-commit)
# Skipped files: the reports and the summary quote their paths.
for fmt in text json sarif gitlab; do
	out 0 "$SFMC" dir "$R" -f "$fmt" --max-file-size 10
done
grep -qF 'conf-SFMC_' "$O/$n.out" || fail "the skipped file is not in the report"
[ "$(cat "$O"/*.out | wc -c)" -gt 10000 ] || fail "suspiciously little output to search"
for needle in "Dev SFMC_" "SFMC_" "inSFMC_"; do
	grep -rqF -- "$needle" "$O" || fail "'$needle' (a redacted name) is nowhere: nothing was reported?"
done
for t in "${tokens[@]}" "$secret"; do
	for needle in "$t" "${t:5:40}"; do
		if hits=$(grep -rlF -- "$needle" "$O"); then
			fail "a token (or 40 of its characters) appears in: $(echo "$hits" | tr '\n' ' ')"
		fi
	done
done

# The redacted baseline still matches: nothing new on the next run.
run "$SFMC" git "$R" -f json --baseline "$O/git-json.baseline"
expect_rc 0 "a baseline with redacted paths suppresses its findings"
expect_jq '.findings | length' 0
expect_jq '[.suppressed[].suppression.kind] | unique | join(",")' baseline
run "$SFMC" dir "$R" -f json --baseline "$O/dir-json.baseline"
expect_rc 0 "a dir baseline with a redacted path suppresses its finding"
# ... but only for that secret at that path.
printf 'key=%s\n' "$secret" >"$R/other-$t_path.env"
run "$SFMC" dir "$R" -f json --baseline "$O/dir-json.baseline"
expect_rc 1 "the same secret at another path is new"
expect_jq '[.findings[].path] | map(startswith("other-SFMC_")) | all' true

# --show-secrets: the secret and the metadata are shown whole.
run "$SFMC" git "$R" -f json --show-secrets
expect_rc 1 "--show-secrets"
expect_out_has "$secret"
expect_out_has "$t_name"
expect_out_has "$t_path"
run "$SFMC" stdin --label "in${t_label}x" --show-secrets <"$T/in"
expect_out_has "in${t_label}x"
finish
