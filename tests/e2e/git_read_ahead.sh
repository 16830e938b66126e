#!/usr/bin/env bash
# Whole-history scans with a second thread read commits ahead of the walk
# (gitwalk.c, read_ahead). Its results must be exactly the walk's own: a
# history of many merged branches (the read-ahead order differs from the
# walk's), part packed and part loose (loose commits are left to the walk),
# a shallow clone (parents that are absent on purpose), and a commit whose
# object is gone (the walk reports it). Each is compared with --threads 1,
# where nothing is read ahead.
. "$(dirname "$0")/lib.sh"

mapfile -t toks < <("$SFMC" generate -n 3)
git init -q --bare "$T/repo.git"
E2E_DIR="$(dirname "$0")" python3 - "${toks[@]}" >"$T/stream" <<'PY'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.environ["E2E_DIR"])
from fastimport import commit, write
toks = sys.argv[1:]
mark = 1
commit(mark, "refs/heads/main", [], [("f.txt", "root\n")])
main = mark
for b in range(40):  # 40 topic branches of 8 commits, each merged into main
    fork = main
    prev = fork
    for k in range(8):
        mark += 1
        files = [(f"topic{b}/f{k % 3}.txt", f"{b} {k}\n")]
        if (b, k) == (7, 3):
            files.append(("topic7/secret.txt", f"k={toks[0]}\n"))
        commit(mark, f"refs/heads/t{b}", [prev], files)
        prev = mark
    mark += 1
    files = [("main.txt", f"main {b}\n")]
    if b == 30:
        files.append(("late.txt", f"k={toks[1]}\n"))
    commit(mark, "refs/heads/main", [main, prev], files)
    main = mark
write()
PY
git -C "$T/repo.git" fast-import --quiet --export-marks="$T/marks" <"$T/stream"
git -C "$T/repo.git" repack -adq
# Loose commits on top of the pack.
git clone -q "$T/repo.git" "$T/work"
for i in 1 2 3; do
	echo "$i" >"$T/work/loose.txt"
	[ "$i" = 2 ] && echo "k=${toks[2]}" >"$T/work/loose-secret.txt"
	git -C "$T/work" add -A && git -C "$T/work" -c user.name=t -c user.email=t@e commit -qm "loose $i"
done
git -C "$T/work" push -q origin HEAD:main
[ "$(find "$T/repo.git/objects" -path '*/objects/??/*' -type f | wc -l)" -gt 0 ] || fail "no loose objects"

# Same report with and without the read-ahead thread.
same_for_threads() { # $1: repository, $2: expected findings, $3: expected errors
	run "$SFMC" git -f json --threads 1 "$1"
	expect_jq '.findings | length' "$2"
	expect_jq '.errors | length' "$3"
	jq 'del(.stats.duration_ms)' "$T/out" >"$T/one.json"
	run "$SFMC" git -f json --threads 2 "$1"
	jq 'del(.stats.duration_ms)' "$T/out" >"$T/two.json"
	cmp -s "$T/one.json" "$T/two.json" || fail "$1: --threads 2 differs: $(diff "$T/one.json" "$T/two.json" | head -5)"
}
same_for_threads "$T/repo.git" 3 0
expect_jq '[.findings[] | select(.path == "topic7/secret.txt") | .commit] | join(",")' \
	"$(git -C "$T/repo.git" log --all --format=%H --diff-filter=A -- topic7/secret.txt)"

# A shallow clone: the read-ahead asks for the boundary's parents, which are not there.
git clone -q --depth 20 "file://$T/repo.git" "$T/shallow.git" --bare
[ -f "$T/shallow.git/shallow" ] || fail "clone is not shallow"
same_for_threads "$T/shallow.git" 2 0 # late.txt and the loose one; topic 7 is beyond the depth

# A loose commit gone from the database: one error, reported by the walk either way.
gone=$(git -C "$T/repo.git" rev-parse main~1)
rm "$T/repo.git/objects/${gone:0:2}/${gone:2}"
same_for_threads "$T/repo.git" 3 1
expect_jq '.errors[0].path' "$gone"
finish
