#!/usr/bin/env bash
# Two REF_DELTA objects of one pack naming each other as base (a copied or
# hand-made repository): reading either loops inside libgit2 with unbounded
# memory. The scan must name the object as an error (exit 2), stay bounded in
# time and memory, and still scan the rest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

git init -q "$T/r" && cd "$T/r"
put secret.txt "k=$(tok)\n" "a readable secret"
mkdir -p .git/objects/pack
read -r ida idb < <(python3 "$SFMC_SOURCE_DIR/tests/e2e/cyclic_pack.py" .git/objects "first $(tok)" "second")
# A tree naming blob A, committed on a branch of its own.
tree=$(python3 -c 'import sys; sys.stdout.buffer.write(b"100644 cyc.txt\0" + bytes.fromhex(sys.argv[1]))' "$ida" |
	git hash-object -t tree --literally -w --stdin)
git update-ref refs/heads/cycle "$(git commit-tree "$tree" -p HEAD -m cycle)"

# scan ARGS...: bounded in time (60 s) and memory (2 GiB of address space; under ASan, whose shadow
# memory needs more than that, 2 GiB resident; under a SFMC_WRAP such as valgrind, time alone).
limit='ulimit -v 2097152'
if [ -n "${SFMC_WRAP:-}" ]; then
	limit=:
elif grep -qa __asan_init "$SFMC"; then
	limit=:
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=2048"
fi
scan() { run bash -c "$limit"'; exec timeout 60 "$@"' scan "$SFMC" "${@:1:1}" --fail-on never "${@:2}"; }

for threads in 1 2; do
	scan git -f json --threads "$threads" .
	expect_rc 2 "cyclic deltas, --threads $threads"
	expect_jq "[.errors[] | .message | contains(\"$ida\") and contains(\"delta chain\")] | any" true "error names blob A ($threads)"
	expect_jq '[.findings[] | .path] | join(",")' secret.txt "the readable secret ($threads)"
done

# Enough blobs that the scan reads them with its own pack reader (SFMC_PACKREADER_MIN_BLOBS).
mkdir many && for i in $(seq 300); do echo "$i" >"many/$i"; done
git add many && gcommit many && git repack -q -d
scan git -f json .
expect_rc 2 "cyclic deltas, pack reader"
expect_jq "[.errors[] | .message | contains(\"$ida\") and contains(\"delta chain\")] | any" true "error names blob A (reader)"
expect_jq '[.findings[] | .path] | join(",")' secret.txt "the readable secret (reader)"

# --all-objects reads every object's header, blob B's too.
scan git -f json --all-objects .
expect_rc 2 "cyclic deltas, --all-objects"
expect_jq "[.errors[] | .message | contains(\"$idb\")] | any" true "error names blob B"

# The ref names the blob directly.
echo "$idb" >.git/refs/tags/cyc # git update-ref would read the blob (and loop)
scan git -f json .
expect_rc 2 "cyclic delta as a ref's target"
expect_jq "[.errors[] | .message | contains(\"$idb\")] | any" true "error names the tag's blob"

# A pre-push style range over the cycle commit (few objects: libgit2 alone).
scan git -f json --range cycle .
expect_rc 2 "cyclic deltas, --range"
expect_jq "[.errors[] | .message | contains(\"$ida\")] | any" true "error names blob A (range)"
finish
