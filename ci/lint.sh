#!/usr/bin/env bash
# Lint for sfmc-scan, run by .ci/run after the main build. Three checks:
#  1. no banned function (util/banned.h) in src/ tests/ fuzz/ bench/: the
#     compile-time ban catches uses in built files, this catches the rest;
#  2. clang-format (.clang-format) on the lines of C files changed since a
#     base: $SFMC_LINT_BASE, else the merge base with origin/main, else HEAD~1.
#     Only changed lines are checked, so untouched code keeps its layout and
#     no one has to reformat whole files that other branches also edit;
#  3. no function in src/ over 80 lines without a `long:` reason on the line
#     before it (ci/fnsize.py).
# Usage: ci/lint.sh          fail (exit 1) on any violation
#        ci/lint.sh --all    clang-format every C file; report, never fail
set -uo pipefail
cd "$(dirname "$0")/.."
all=0
[ "${1:-}" = --all ] && all=1
CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format)}
fail=0

# 1. Banned functions (snprintf and friends are fine: \b stops at 'snprintf').
banned='\b(strcpy|strncpy|strcat|strncat|sprintf|vsprintf|gets)[[:space:]]*\('
if hits=$(grep -rnE --include='*.c' --include='*.h' "$banned" src tests fuzz bench |
	grep -v '^src/util/banned.h:'); then
	echo "lint: banned functions (see src/util/banned.h for what to use instead):"
	echo "$hits"
	fail=1
fi

# 2. Formatting.
if [ -z "$CLANG_FORMAT" ]; then
	echo "lint: clang-format not found (apt-get install clang-format-14)"
	fail=1
elif [ "$all" = 1 ]; then
	# Each file with how many places clang-format would change, most first.
	git ls-files '*.c' '*.h' | xargs "$CLANG_FORMAT" --dry-run 2>&1 | sed -n 's/:[0-9]*:[0-9]*: warning:.*//p' |
		sort | uniq -c | sort -rn | sed 's/^/lint --all: /'
else
	base=${SFMC_LINT_BASE:-}
	if [ -z "$base" ]; then
		base=$(git merge-base HEAD origin/main 2>/dev/null) || base=HEAD~1
		# A fresh clone of main (CI) has nothing past origin/main: check the last commit.
		[ "$base" != "$(git rev-parse HEAD)" ] || base=HEAD~1
	fi
	fmt_fail=0
	if ! git rev-parse --verify -q "$base^{commit}" >/dev/null; then
		echo "lint: no base commit '$base' (shallow clone?): format not checked; set SFMC_LINT_BASE"
		base=HEAD
	fi
	while IFS= read -r f; do
		[ -f "$f" ] || continue
		# The new side's line ranges of each hunk: "@@ -a,b +c,d @@".
		lines=()
		while read -r start count; do
			[ "$count" = 0 ] && continue
			lines+=("--lines=$start:$((start + count - 1))")
		done < <(git diff -U0 "$base" -- "$f" | sed -nE 's/^@@ [^+]*\+([0-9]+)(,([0-9]+))? @@.*/\1 \3/p' |
			awk '{ print $1, ($2 == "" ? 1 : $2) }')
		[ ${#lines[@]} -gt 0 ] || continue
		"$CLANG_FORMAT" --dry-run -Werror "${lines[@]}" "$f" || fmt_fail=1
	done < <(git diff --name-only --diff-filter=AMR "$base" -- '*.c' '*.h')
	if [ "$fmt_fail" = 1 ]; then
		echo "lint: to format your changed lines: git clang-format-14 $base"
		fail=1
	fi
fi

# 3. Function length.
if ! python3 ci/fnsize.py src/*/*.c; then
	fail=1
fi

if [ "$all" = 1 ]; then
	exit 0
fi
[ "$fail" = 0 ] && echo "lint: clean"
exit "$fail"
