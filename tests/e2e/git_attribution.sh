#!/usr/bin/env bash
# sfmc-scan git against a brute force over the git CLI: a random history
# (fixed seed) of adds, edits, copies, renames, deletes and merges on three
# branches. For every (secret, path) the scanner must name the oldest commit
# whose tree holds the secret at that path, and nothing else.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
RANDOM=4242
git init -q "$T/repo"
cd "$T/repo"
for i in 1 2 3 4 5 6; do tok; done >"$T/toks"
mapfile -t TOKS <"$T/toks"
put base.txt "base\n" "base"
git branch b1 && git branch b2
files() { git ls-files; }
step() {
	local f n
	mapfile -t have < <(files)
	n=${#have[@]}
	f=${have[RANDOM % n]}
	case $((RANDOM % 6)) in
	0) d="d$((RANDOM % 3))" && mkdir -p "$d" && printf 'k%d=%s\n' "$RANDOM" "${TOKS[RANDOM % 6]}" >"$d/f$RANDOM.txt" ;;
	1) printf 'line %d\n' "$RANDOM" >>"$f" ;;
	2) printf '%s\n' "${TOKS[RANDOM % 6]}" >>"$f" ;;
	3) mkdir -p "mv$((RANDOM % 2))" && git mv -k "$f" "mv$((RANDOM % 2))/$(basename "$f")" ;;
	4) if [ "$n" -gt 2 ]; then git rm -q "$f"; fi ;;
	5) cp "$f" "copy$RANDOM.txt" ;;
	esac
	git add -A
	git diff --cached --quiet || gcommit "step $1"
}
for s in $(seq 1 45); do
	git checkout -q "$(printf 'main\nb1\nb2' | sed -n "$((RANDOM % 3 + 1))p")"
	if [ $((RANDOM % 7)) -eq 0 ]; then
		other=$(printf 'main\nb1\nb2' | grep -vx "$(git branch --show-current)" | sed -n "$((RANDOM % 2 + 1))p")
		NCOMMIT=$((NCOMMIT + 1))
		GIT_AUTHOR_DATE="@$((1700000000 + NCOMMIT * 60)) +0000" GIT_COMMITTER_DATE="@$((1700000000 + NCOMMIT * 60)) +0000" \
			git merge -q --no-edit -X theirs "$other" >/dev/null 2>&1 || { git merge --abort 2>/dev/null || true; }
	else
		step "$s"
	fi
done

# Brute force: commits oldest first (dates strictly increase), every blob of every tree.
for c in $(git rev-list --all --date-order --reverse); do
	git ls-tree -r -z "$c" | while IFS= read -r -d '' entry; do
		blob=${entry#* blob }
		blob=${blob%%	*}
		path=${entry#*	}
		content=$(git cat-file blob "$blob")
		for t in "${TOKS[@]}"; do
			if [[ $content == *"$t"* ]]; then printf '%s %s %s\n' "$t" "$path" "$c"; fi
		done
	done
done | sort -k1,2 -s | awk '!seen[$1 " " $2]++' | sort >"$T/expected"
[ -s "$T/expected" ] || fail "the random history holds no secret"

run "$SFMC" git --show-secrets -f json .
jq -r '.findings[] | "\(.secret) \(.path) \(.commit)"' <"$T/out" | sort >"$T/got"
diff "$T/expected" "$T/got" >"$T/diff" || fail "scanner differs from the brute force: $(cat "$T/diff")"
echo "$(wc -l <"$T/expected") (secret, path) pairs over $(git rev-list --all | wc -l) commits, $(git rev-list --all --merges | wc -l) merges" && finish
