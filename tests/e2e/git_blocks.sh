#!/usr/bin/env bash
# A history longer than the walk's block of 1024 commits (SFMC_WALK_BLOCK_COMMITS),
# made with git fast-import: tokens added in different blocks, one deleted and
# restored two blocks later (still attributed to its first commit), one copied
# to a new path, one only on a side branch merged across a block boundary, one in
# the first commit of each later block.
# Every finding names the commit that first put the token at its path, and the
# report is the same for 1 and 3 threads.
. "$(dirname "$0")/lib.sh"

mapfile -t toks < <("$SFMC" generate -n 4)
git init -q --bare "$T/repo.git"
E2E_DIR="$(dirname "$0")" python3 - "${toks[@]}" >"$T/stream" <<'PY'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.environ["E2E_DIR"])
from fastimport import commit, write
toks = sys.argv[1:]
secret = {0: "secrets/s0.txt", 1: "secrets/s1.txt"}
for i in range(1, 2601):
    files = [(f"f{i % 50}.txt", f"commit {i}\n")]
    dels = []
    if i == 5:
        files.append((secret[0], f"k={toks[0]}\n"))
    if i == 1030:
        files.append((secret[1], f"k={toks[1]}\n"))
    if i == 1500:
        dels.append(secret[0])
    if i == 2200:
        files.append((secret[0], f"k={toks[0]}\n"))
    if i == 2300:
        files.append(("copy/s1.txt", f"k={toks[1]}\n"))
    if i in (1025, 2019):  # the first commits of the second and third blocks (30 side commits come first)
        files.append((f"edge/{i}.txt", f"k={toks[3]}\n"))
    parents = [i - 1] if i > 1 else []
    if i == 1100:  # merges the side branch: 30 commits forked from commit 1000
        for s in range(1, 31):
            sf = [(f"side/g{s % 7}.txt", f"side {s}\n")]
            if s == 10:
                sf.append(("side/secret.txt", f"k={toks[2]}\n"))
            commit(10000 + s, "refs/heads/side", [1000 if s == 1 else 10000 + s - 1], sf)
        parents.append(10030)
    commit(i, "refs/heads/main", parents, files, dels)
write()
PY
git -C "$T/repo.git" fast-import --quiet --export-marks="$T/marks" <"$T/stream"
git -C "$T/repo.git" repack -adq
mark() { awk -v m=":$1" '$1 == m { print $2 }' "$T/marks"; }
[ "$(git -C "$T/repo.git" rev-list --count main)" -gt 2600 ] || fail "history shorter than planned"

run "$SFMC" git -f json --threads 1 "$T/repo.git"
expect_rc 1 "git --threads 1"
expect_jq '.findings | length' 6
expect_jq '[.findings[] | select(.path == "edge/1025.txt") | .commit] | join(",")' "$(mark 1025)"
expect_jq '[.findings[] | select(.path == "edge/2019.txt") | .commit] | join(",")' "$(mark 2019)"
expect_jq '[.findings[] | select(.path == "secrets/s0.txt") | .commit] | join(",")' "$(mark 5)"
expect_jq '[.findings[] | select(.path == "secrets/s1.txt") | .commit] | join(",")' "$(mark 1030)"
expect_jq '[.findings[] | select(.path == "copy/s1.txt") | .commit] | join(",")' "$(mark 2300)"
expect_jq '[.findings[] | select(.path == "side/secret.txt") | .commit] | join(",")' "$(mark 10010)"
expect_jq '.errors | length' 0
jq 'del(.stats.duration_ms)' "$T/out" >"$T/one.json"
run "$SFMC" git -f json --threads 3 "$T/repo.git"
expect_rc 1 "git --threads 3"
jq 'del(.stats.duration_ms)' "$T/out" >"$T/three.json"
cmp -s "$T/one.json" "$T/three.json" || fail "--threads 3 differs from --threads 1: $(diff "$T/one.json" "$T/three.json" | head -5)"

# Only what the second half of the history introduces: the copy, not the restored file.
run "$SFMC" git -f json --range "$(mark 1300)..main" "$T/repo.git"
expect_rc 1 "--range"
expect_jq '[.findings[] | .path] | sort | join(",")' "copy/s1.txt,edge/2019.txt,secrets/s0.txt"
expect_jq '[.findings[] | select(.path == "secrets/s0.txt") | .commit] | join(",")' "$(mark 2200)"
finish
