#!/usr/bin/env bash
# bench/datastore.sh - what --datastore costs and saves on a real history.
#
#   bench/datastore.sh [--repo REPO] [--rounds N] [--threads N] [--sfmc PATH]
#
# Each round runs, in turn: `git REPO` without a datastore, `git REPO
# --datastore NEW.db` (a fresh file: the first, full run, which records every
# blob) and `git REPO --datastore SAME.db` again (the incremental run on an
# unchanged repository: it must read no blob). Alternating rounds share any
# noise from neighbours alike. Prints each run's wall time, then the medians
# and the ratios: recording (first run / no datastore, issue 18: <= 1.10) and
# the incremental run (second / first).
# Default REPO: /work/.mirror/git+git/repo (a bare mirror of git.git).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sfmc="$here/../build/sfmc-scan"
repo=/work/.mirror/git+git/repo rounds=3 threads=2
while [ $# -gt 0 ]; do
	case "$1" in
	--repo) repo=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--sfmc) sfmc=$2; shift 2 ;;
	*) echo "usage: $0 [--repo REPO] [--rounds N] [--threads N] [--sfmc PATH]" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfmc-dsbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# secs CMD...: wall seconds of one run. Exit 1 (findings) is fine, and so is 2
# when every error is an object missing from the mirror (a snapshot may lack its
# largest blobs): those are not recorded and are tried again by every run.
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$tmp/err" || [ $? -eq 1 ] || ! grep -v 'object not found\|^sfmc-scan: [0-9]* finding' "$tmp/err" |
		grep -q 'error' || { cat "$tmp/err" >&2; exit 2; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$tmp/plain" >"$tmp/first" >"$tmp/second"
for r in $(seq 1 "$rounds"); do
	p=$(secs "$sfmc" git -j "$threads" -q --no-progress "$repo")
	rm -f "$tmp/r$r.db"*
	f=$(secs "$sfmc" git -j "$threads" -q --no-progress --datastore "$tmp/r$r.db" "$repo")
	s=$(secs "$sfmc" git -j "$threads" -q --no-progress --datastore "$tmp/r$r.db" "$repo")
	reused=$(sqlite3 "$tmp/r$r.db" 'SELECT blobs_scanned || " read, " || blobs_reused || " reused" FROM scans ORDER BY id DESC LIMIT 1')
	printf 'round %d: no datastore %.2fs, first run %.2fs, second run %.2fs (%s)\n' "$r" "$p" "$f" "$s" "$reused"
	echo "$p" >>"$tmp/plain"
	echo "$f" >>"$tmp/first"
	echo "$s" >>"$tmp/second"
done
p=$(median <"$tmp/plain")
f=$(median <"$tmp/first")
s=$(median <"$tmp/second")
printf 'medians: no datastore %.2fs, first %.2fs, second %.2fs\n' "$p" "$f" "$s"
printf 'recording overhead (first / no datastore): %.3f\n' "$(echo "$f / $p" | bc -l)"
printf 'incremental (second / first): %.3f\n' "$(echo "$s / $f" | bc -l)"
