#!/usr/bin/env bash
# --threads: the same report for 1 and N threads (dir and git history);
# --progress: a live line when asked or on a terminal, never otherwise.
. "$(dirname "$0")/lib.sh"

# A tree with findings spread over many files and directories, a file larger
# than the read chunk with a token across the chunk boundary, and skips.
mkdir -p "$T/tree"
for d in $(seq 1 12); do
	mkdir -p "$T/tree/d$d/sub"
	for f in $(seq 1 15); do
		{ seq 1 $((d * f)); [ $(((d + f) % 4)) = 0 ] && echo "key = \"$(tok)\""; } >"$T/tree/d$d/sub/f$f.txt"
	done
done
{ head -c 1048540 /dev/zero | tr '\0' 'x'; echo; echo " $(tok)"; head -c 2000000 /dev/zero | tr '\0' 'y'; echo " $(tok)"; } >"$T/tree/big.txt"
head -c 5000 /dev/zero >"$T/tree/too-big.bin"
ln -s d1 "$T/tree/link"
json_without_time() { jq -S 'del(.stats.duration_ms)' "$T/out"; }
run "$SFMC" dir -f json --threads 1 --max-file-size 4M "$T/tree"
expect_rc 1 "dir --threads 1"
json_without_time >"$T/one.json"
n_findings=$(jq '.findings | length' "$T/one.json")
[ "$n_findings" -gt 40 ] || fail "expected many findings with one thread, got $n_findings"
for n in 2 7; do
	run "$SFMC" dir -f json --threads $n --max-file-size 4M "$T/tree"
	expect_rc 1 "dir --threads $n"
	json_without_time >"$T/n.json"
	cmp -s "$T/one.json" "$T/n.json" || fail "dir: --threads $n differs from --threads 1: $(diff "$T/one.json" "$T/n.json" | head -5)"
done
jq -e '[.findings[] | select(.path == "big.txt")] | length == 2' "$T/one.json" >/dev/null ||
	fail "the tokens of the multi-chunk file are not both found"

# Git history: more blobs than SFMC_PACKREADER_MIN_BLOBS (so they are read by the pack
# reader, through deltas), tokens added and removed; every planted token is found, and the
# report is the same for 1 and 3 threads.
git init -q "$T/repo"
planted=0
for c in $(seq 1 8); do
	for f in $(seq 1 40); do
		{ echo "file $f commit $c"; seq 1 $((c * f * 20)); if [ $(((c * f) % 23)) = 0 ]; then echo "secret=$(tok)"; planted=$((planted + 1)); fi; } >"$T/repo/f$f.txt"
	done
	git -C "$T/repo" add -A && git -C "$T/repo" commit -qm "c$c"
done
git -C "$T/repo" repack -adfq
run "$SFMC" git -f json --threads 1 "$T/repo"
expect_rc 1 "git --threads 1"
json_without_time >"$T/one.json"
[ "$(jq '.stats.files' "$T/one.json")" -gt 256 ] || fail "git: expected more than 256 blobs"
[ "$(jq '.findings | length' "$T/one.json")" = "$planted" ] || fail "git: $planted tokens planted, $(jq '.findings | length' "$T/one.json") found"
run "$SFMC" git -f json --threads 3 "$T/repo"
expect_rc 1 "git --threads 3"
json_without_time >"$T/n.json"
cmp -s "$T/one.json" "$T/n.json" || fail "git: --threads 3 differs from --threads 1: $(diff "$T/one.json" "$T/n.json" | head -5)"

# --progress: the final count is drawn (then erased) on stderr; the summary has a throughput.
nfiles=$(jq '.stats.files' "$T/one.json")
run "$SFMC" dir --progress --threads 2 --max-file-size 4M "$T/tree"
total=$(($(find "$T/tree" -type f | wc -l)))
grep -qa "sfmc-scan: $total/$total files, " "$T/err" || fail "--progress: no final '$total/$total files' line"
expect_err_has 'MiB/s)'
run "$SFMC" git --progress "$T/repo"
grep -qa "blobs, " "$T/err" || fail "git --progress: no progress line"
[ "$nfiles" -gt 0 ] || fail "no blobs scanned"
# Off when stderr is not a terminal, with --no-progress, and with --quiet on a terminal.
run "$SFMC" dir "$T/tree"
expect_err_lacks "/$total files"
tty_err() { script -qec "$SFMC dir $* $T/tree >/dev/null" /dev/null >"$T/err" 2>&1 || true; }
tty_err
grep -qa "$total/$total files" "$T/err" || fail "no progress on a terminal"
tty_err --no-progress
expect_err_lacks "/$total files"
tty_err --quiet
expect_err_lacks "/$total files"
finish
