#!/usr/bin/env bash
# No full secret in any output by default: every command and every report
# format (stdout, stderr, --output, --report, baselines), plain and base64-
# encoded secrets, grepped for the planted tokens. --show-secrets does print
# them (so the grep can see a leak) and its report files are created 0600.
. "$(dirname "$0")/lib.sh"
O="$T/outs"
R="$T/repo"
mkdir -p "$O"
t_hist=$(tok) t_staged=$(tok) t_work=$(tok) t_stdin=$(tok) t_b64=$(tok) t_check=$(tok)
git init -q "$R"
printf 'old=%s\n' "$t_hist" >"$R/history.txt"
git -C "$R" add . && git -C "$R" commit -qm one
printf 'gone\n' >"$R/history.txt" && git -C "$R" commit -qam two # the secret lives only in history
printf 'new=%s\n' "$t_staged" >"$R/staged.txt" && git -C "$R" add staged.txt
printf 'local=%s\n' "$t_work" >"$R/untracked.txt"
printf 'blob: %s\n' "$(printf '%s' "$t_b64" | base64 -w0)" >"$R/encoded.yaml"
tokens=("$t_hist" "$t_staged" "$t_work" "$t_stdin" "$t_b64" "$t_check")

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
printf 'x=%s\n' "$t_stdin" >"$T/in"
for fmt in text json jsonl sarif gitlab; do
	for mode in "dir $R" "git $R" "staged $R" "stdin"; do
		# shellcheck disable=SC2086
		out 1 "$SFMC" $mode -f "$fmt"
		# shellcheck disable=SC2086
		out 1 "$SFMC" $mode -f "$fmt" -o "$O/$n.report" --report "$fmt:$O/$n.extra" --write-baseline "$O/$n.baseline"
	done
done
for fmt in text json; do
	out 1 "$SFMC" git "$R" -f "$fmt" --group
	out 1 "$SFMC" dir "$R" -f "$fmt" --group --quiet
done
(cd "$R" && out 1 "$SFMC" pre-commit)
out 1 "$SFMC" check "$t_check" "${t_check%?}x"
printf '%s\n' "$t_check" >"$T/in" && out 0 "$SFMC" check
[ "$(cat "$O"/*.out | wc -c)" -gt 10000 ] || fail "suspiciously little output to search"
grep -rlF "$(printf '%s' "$t_hist" | cut -c1-9)" "$O" >/dev/null || fail "the redacted history secret is nowhere: nothing was found?"
for t in "${tokens[@]}"; do
	for needle in "$t" "$(printf '%s' "$t" | base64 -w0)" "${t:5:40}"; do
		if hits=$(grep -rlF -- "$needle" "$O"); then
			fail "a secret (or 40 of its characters) appears in: $(echo "$hits" | tr '\n' ' ')"
		fi
	done
done

# --show-secrets prints them, and files holding them are 0600 (even one that existed as 0644).
printf 'ok\n' >"$O/show.json" && chmod 644 "$O/show.json"
run "$SFMC" git "$R" -f json --show-secrets -o "$O/show.json" --report "sarif:$O/show.sarif"
expect_rc 1 "--show-secrets"
grep -qF "$t_hist" "$O/show.json" || fail "--show-secrets: the JSON report lacks the secret"
grep -qF "$t_hist" "$O/show.sarif" || fail "--show-secrets: the SARIF report lacks the secret"
for f in show.json show.sarif; do
	[ "$(stat -c %a "$O/$f")" = 600 ] || fail "$f has mode $(stat -c %a "$O/$f"), expected 600"
done
# A report path that is a symbolic link (planted in an untrusted checkout) is not followed.
printf 'victim\n' >"$T/victim" && ln -s "$T/victim" "$T/link.json"
run "$SFMC" git "$R" -f json --show-secrets -o "$T/link.json"
expect_rc 2 "--output through a symbolic link"
expect_err_has 'a symbolic link: not followed for reports'
run "$SFMC" git "$R" -f json --report "sarif:$T/link.json"
expect_rc 2 "--report through a symbolic link"
run "$SFMC" git "$R" -f json --write-baseline "$T/link.json"
expect_rc 2 "--write-baseline through a symbolic link"
[ "$(cat "$T/victim")" = victim ] && [ "$(stat -c %a "$T/victim")" = 644 ] || fail "the link's target was written or chmod-ed"
run "$SFMC" git "$R" -f json -o /dev/stdout
expect_rc 1 "/dev/stdout is a link that may be used"
expect_jq '.findings | length' 1
run "$SFMC" git "$R" -f json -o "$O/redacted.json"
[ "$(stat -c %a "$O/redacted.json")" != 600 ] || fail "a redacted report need not be private (mode 600)"
finish
