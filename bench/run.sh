#!/usr/bin/env bash
# bench/run.sh - sfmc-scan against its floors and peers, side by side.
#
#   bench/run.sh [--repo REPO] [--dir DIR] [--staged REPO] [--threads N]
#                [--rounds N] [--naive-rounds N] [--sfmc PATH]
#
# Every round runs each command once (hyperfine --runs 1), so the commands
# alternate and a noisy neighbour slows all of them alike; the table gives
# medians over the rounds, MB/s over the same byte count for every row
# (inflated object bytes for REPO, file bytes for DIR), peak RSS
# (/usr/bin/time) and the ratio to the floor (cat-file / ripgrep).
# --staged REPO (a repository with a staged change, see gen.py staged)
# compares `sfmc-scan staged` with `sfmc-scan stdin` on the staged blob (the
# floor) and `git diff --cached --name-only`, in milliseconds: each round is
# one hyperfine run of the three (3 warm-ups, 10 runs each).
# Needs: hyperfine, ripgrep, GNU time (Debian: hyperfine ripgrep time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sfmc="$here/../build/sfmc-scan"
repo="" dir="" staged="" threads=2 rounds=5 naive_rounds=1
while [ $# -gt 0 ]; do
	case "$1" in
	--repo) repo=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--staged) staged=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--naive-rounds) naive_rounds=$2; shift 2 ;;
	--sfmc) sfmc=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$repo$dir$staged" ] || { echo "run.sh: give --repo REPO, --dir DIR and/or --staged REPO" >&2; exit 2; }
for tool in hyperfine rg /usr/bin/time python3; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install hyperfine ripgrep time)" >&2; exit 2; }
done
sfmc=$(realpath "$sfmc")
work=$(mktemp -d "${TMPDIR:-/tmp}/sfmc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
re='SFMC_[A-Za-z0-9]{59}'

# rows: "group|name|command" ; the first row of a group is its floor.
rows=()
if [ -n "$repo" ]; then
	repo=$(realpath "$repo")
	bytes=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objectsize)' | awk '{s += $1} END {printf "%.0f\n", s}')
	echo "git|bytes|$bytes" >"$work/bytes.git"
	rows+=("git|git cat-file --batch-all-objects --batch --unordered|git -C '$repo' cat-file --batch-all-objects --batch --unordered >/dev/null")
	rows+=("git|sfmc-scan git --threads $threads|'$sfmc' git --threads $threads --quiet --no-progress --no-config --fail-on never '$repo' >/dev/null")
	[ "$naive_rounds" -gt 0 ] &&
		rows+=("git|git log -p --all --full-history piped to rg|git -C '$repo' log -p --all --full-history | rg -a -c '$re' >/dev/null; true")
fi
if [ -n "$dir" ]; then
	dir=$(realpath "$dir")
	bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
	echo "dir|bytes|$bytes" >"$work/bytes.dir"
	rows+=("dir|rg -uuu -a -c -j$threads|rg -uuu -a -c -j$threads '$re' '$dir' >/dev/null; true")
	rows+=("dir|sfmc-scan dir --threads $threads|'$sfmc' dir --threads $threads --quiet --no-progress --no-config --fail-on never '$dir' >/dev/null")
	rows+=("dir|sfmc-scan dir --threads $threads --no-decode|'$sfmc' dir --threads $threads --no-decode --quiet --no-progress --no-config --fail-on never '$dir' >/dev/null")
	rows+=("dir|cat (every file, $threads processes)|find '$dir' -type f -print0 | xargs -0 -P$threads -n 512 cat >/dev/null")
fi

# staged_table REPO: the --staged comparison (milliseconds; sub-second
# commands need warm-ups and many runs, not the rounds of single runs below).
staged_table() {
	local r=$1 path i
	path=$(git -C "$r" diff --cached --name-only --diff-filter=AM | head -n 1)
	[ -n "$path" ] || { echo "run.sh: nothing staged in $r" >&2; exit 2; }
	git -C "$r" show ":$path" >"$work/staged.blob"
	local opts="--quiet --no-progress --no-config --fail-on never"
	for i in $(seq 1 "$rounds"); do
		(cd "$r" && hyperfine -i --style none --warmup 3 --runs 10 --export-json "$work/staged.$i.json" \
			-n "sfmc-scan stdin < the staged blob" "'$sfmc' stdin $opts < '$work/staged.blob' >/dev/null" \
			-n "sfmc-scan staged" "'$sfmc' staged $opts >/dev/null" \
			-n "git diff --cached --name-only" "git diff --cached --name-only >/dev/null") >/dev/null 2>>"$work/hyperfine.log"
	done
	python3 - "$work" "$(git -C "$r" ls-files | wc -l)" "$path" <<'EOF'
import glob, json, os, statistics, sys
work, nfiles, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
wall, cpu, order = {}, {}, []
for f in sorted(glob.glob(os.path.join(work, "staged.*.json"))):
    for res in json.load(open(f))["results"]:
        n = res["command"]
        if n not in wall:
            order.append(n)
        wall.setdefault(n, []).extend(res["times"])
        cpu.setdefault(n, []).append(res["user"] + res["system"])
print("staged: %s in a %d-file index" % (path, nfiles))
print("| command | runs | median wall ms | mean CPU ms | wall vs stdin | CPU vs stdin |")
print("| --- | --- | --- | --- | --- | --- |")
w0, c0 = statistics.median(wall[order[0]]), statistics.mean(cpu[order[0]])
for n in order:
    w, c = statistics.median(wall[n]), statistics.mean(cpu[n])
    print("| %s | %d | %.1f | %.1f | %.2fx | %.2fx |" % (n, len(wall[n]), w * 1e3, c * 1e3, w / w0, c / c0))
EOF
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "$staged" ]; then
	staged_table "$(realpath "$staged")"
	[ ${#rows[@]} -gt 0 ] || exit 0
fi
# Warm the page cache so every row reads from memory.
[ -n "$repo" ] && cat "$repo"/objects/pack/*.pack "$repo"/.git/objects/pack/*.pack >/dev/null 2>&1 || true
[ -n "$dir" ] && find "$dir" -type f -print0 | xargs -0 cat >/dev/null
for r in $(seq 1 "$rounds"); do
	args=()
	i=0
	for row in "${rows[@]}"; do
		name=$(cut -d'|' -f2 <<<"$row")
		cmd=$(cut -d'|' -f3- <<<"$row")
		if [[ "$name" == "git log -p"* ]] && [ "$r" -gt "$naive_rounds" ]; then
			i=$((i + 1))
			continue
		fi
		args+=(-n "$i" "/usr/bin/time -f %M -a -o '$work/rss.$i' sh -c \"${cmd//\"/\\\"}\"")
		i=$((i + 1))
	done
	echo "round $r/$rounds (load $(cut -d' ' -f1 /proc/loadavg))" >&2
	hyperfine --runs 1 -i --style none --export-json "$work/round.$r.json" "${args[@]}" >/dev/null
done
printf '%s\n' "${rows[@]}" >"$work/rows"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$work" "$rounds" <<'EOF'
import glob, json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rows = [l.rstrip("\n").split("|", 2) for l in open(os.path.join(work, "rows"))]
times = {}
for f in glob.glob(os.path.join(work, "round.*.json")):
    for res in json.load(open(f))["results"]:
        t = times.setdefault(int(res["command"]), {"wall": [], "cpu": []})
        t["wall"] += res["times"]
        t["cpu"].append(res["user"] + res["system"])
nbytes = {}
for f in glob.glob(os.path.join(work, "bytes.*")):
    g, _, b = open(f).read().strip().split("|")
    nbytes[g] = int(float(b))
floor = {}
print("| input | command | runs | median wall s | median CPU s | MB/s | peak RSS MiB | wall vs floor |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for i, (group, name, _) in enumerate(rows):
    t = times.get(i)
    if not t:
        continue
    wall, cpu = statistics.median(t["wall"]), statistics.median(t["cpu"])
    rss = max((int(l) for l in open(os.path.join(work, "rss.%d" % i)) if l.strip().isdigit()), default=0)
    floor.setdefault(group, wall)
    mbs = nbytes.get(group, 0) / 1e6 / wall if wall else 0
    print("| %s | %s | %d | %.2f | %.2f | %.0f | %.0f | %.2fx |" % (
        group, name, len(t["wall"]), wall, cpu, mbs, rss / 1024, wall / floor[group]))
for g, b in sorted(nbytes.items()):
    print("\n%s bytes: %d (%.2f GB)" % (g, b, b / 1e9), end="")
print()
EOF
