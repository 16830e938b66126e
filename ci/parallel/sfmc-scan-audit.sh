#!/usr/bin/env bash
# ci/parallel/sfmc-scan-audit.sh N OUTDIR AUDIT-ARGS...: one big machine, N
# shards at once with GNU parallel (Debian: apt-get install parallel), then
# one merged report. Each shard is `sfmc-scan audit AUDIT-ARGS --shard K/N`
# writing OUTDIR/shard-K.jsonl; a shard that could not scan everything (exit
# 2) is retried once; the merge writes OUTDIR/audit.sarif, audit.html and
# audit.txt (--group) and its exit code is the script's: 0 clean, 1 secrets
# found, 2 something could not be scanned or merged.
#   ci/parallel/sfmc-scan-audit.sh 8 out --repos repos.txt --jobs 1
#   GITHUB_TOKEN=... ci/parallel/sfmc-scan-audit.sh 8 out --github-org acme --git-token-env GITHUB_TOKEN
# `audit --jobs N` alone already scans N repositories at once; shards add a
# retry per shard and split the list the same way N machines would.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 N OUTDIR AUDIT-ARGS..." >&2; exit 2; }
n=$1 out=$2
shift 2
SFMC_SCAN=${SFMC_SCAN:-sfmc-scan}
mkdir -p "$out"
rm -f "$out"/shard-*.jsonl

# shard K AUDIT-ARGS...: exit 0 when the shard is complete (findings or not).
shard() {
	local k=$1 rc=0
	shift
	"$SFMC_SCAN" audit "$@" --shard "$k/$SFMC_SHARDS" -q --output "$SFMC_OUT/shard-$k.jsonl.part" || rc=$?
	[ "$rc" -le 1 ] || return "$rc"
	mv "$SFMC_OUT/shard-$k.jsonl.part" "$SFMC_OUT/shard-$k.jsonl"
}
export -f shard
export SFMC_SCAN SFMC_SHARDS="$n" SFMC_OUT="$out"
# -q: AUDIT-ARGS reach the shard as they are (no second parsing by a shell).
seq "$n" | parallel --will-cite -q --jobs "$n" --retries 2 --halt never --joblog "$out/joblog" shard {} "$@" || true
for k in $(seq "$n"); do
	[ -f "$out/shard-$k.jsonl" ] || { echo "sfmc-scan-audit: shard $k of $n failed (see $out/joblog)" >&2; exit 2; }
done
rc=0
"$SFMC_SCAN" merge "$out"/shard-*.jsonl -q --format sarif --output "$out/audit.sarif" || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
"$SFMC_SCAN" merge "$out"/shard-*.jsonl -q --format html --output "$out/audit.html" || [ $? -le 1 ]
"$SFMC_SCAN" merge "$out"/shard-*.jsonl --format text --group --output "$out/audit.txt" || [ $? -le 1 ]
exit "$rc"
