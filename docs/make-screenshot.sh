#!/usr/bin/env bash
# Makes docs/html-report.png, the screenshot docs/datastore.md shows: the demo
# history (fixtures/demo.bundle) plus a few later leaks (fresh tokens, fixed
# dates), audited into a datastore, two secrets triaged, rendered with
# `sfmc-scan report -f html` and photographed by headless Chromium (no network).
# Usage: docs/make-screenshot.sh [OUT.png]   (needs build/sfmc-scan and chromium)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/docs/html-report.png}
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
sfmc=${SFMC:-$src/build/sfmc-scan}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home" TZ=UTC
mkdir -p "$HOME"
git clone -q "$src/fixtures/demo.bundle" "$work/demo"
cd "$work/demo"
git config user.name "Demo Developer"
git config user.email dev@example.com
git remote set-url origin https://github.com/example/demo.git
leak() { # leak DATE PATH AUTHOR
	mkdir -p "$(dirname "$2")"
	printf 'SFMC_CLIENT_SECRET=%s\n' "$("$sfmc" generate)" >>"$2"
	git add "$2"
	GIT_AUTHOR_DATE="$1 10:00:00 +0000" GIT_COMMITTER_DATE="$1 10:00:00 +0000" \
		git -c user.name="$3" commit -q -m "update $2"
}
leak 2024-06-12 deploy/prod.env "Ops Bot"
leak 2024-11-03 scripts/sync.sh "Alex Example"
leak 2025-02-20 deploy/staging.env "Ops Bot"
leak 2025-09-14 tests/fixtures/token.txt "Sam Tester"
db=$work/audit.db
"$sfmc" git --datastore "$db" -q . >/dev/null || [ $? -eq 1 ]
fp() { "$sfmc" report --datastore "$db" -f json -q | jq -r --arg p "$1" '.findings[] | select(.path == $p) | .fingerprint' | head -1; }
"$sfmc" triage "$(fp app/settings.env)" --status rotated --reason "rotated 2024-03-05 (INC-4711)" --datastore "$db" >/dev/null
"$sfmc" triage "$(fp tests/fixtures/token.txt)" --status false-positive --reason "test fixture, never deployed" \
	--datastore "$db" >/dev/null
"$sfmc" report --datastore "$db" -f html -o "$work/audit.html" -q || [ $? -eq 1 ]
timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
	--host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars --window-size=1280,1000 \
	--screenshot="$out" "file://$work/audit.html" >/dev/null 2>&1
echo "wrote $out"
