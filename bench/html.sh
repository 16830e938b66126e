#!/usr/bin/env bash
# bench/html.sh [N] [BIN]: the HTML report of N (default 10000) findings, one
# distinct secret each, rendered by Debian's chromium headless. Not a test:
# prints how long sfmc-scan took to write the page, and the page's own clock in
# chromium (navigation start to the load event, and to the first frame after
# it: parse, inline script, style and layout of every row) for that page and
# for an empty one (the browser's floor), measured in the same run.
# The bench copy drops the page's Content-Security-Policy so that one extra
# script can read the clock; the report itself is unchanged.
set -euo pipefail
N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${2:-$ROOT/build/sfmc-scan}
T=$(mktemp -d /tmp/sfmc-bench-html.XXXXXX)
trap 'rm -rf "$T"' EXIT

mkdir "$T/tree"
"$BIN" generate -n "$N" | awk -v dir="$T/tree" '{
	f = sprintf("%s/d%03d/%05d.env", dir, NR % 100, NR)
	if (NR <= 100) system("mkdir -p " dir sprintf("/d%03d", NR % 100))
	printf "# service %d\nSFMC_CLIENT_SECRET=%s\n", NR, $0 > f
	close(f)
}'
start=$(date +%s.%N)
"$BIN" dir -q -f html -o "$T/report.html" "$T/tree" || [ $? = 1 ]
end=$(date +%s.%N)
rows=$(grep -o '<tr data-status=' "$T/report.html" | wc -l)

# At the load event: DOMContentLoaded (parse and inline script), load, then a forced style and layout of the whole page.
clock='<script>addEventListener("load",function(){var t=performance.timing,d=t.domContentLoadedEventEnd-t.navigationStart,l=performance.now();document.body.getBoundingClientRect();void document.body.offsetHeight;document.title="parsed="+d+" load="+l.toFixed(0)+" layout="+performance.now().toFixed(0)})</script>'
sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$T/report.html" >"$T/bench.html"
printf '%s\n' "$clock" >>"$T/bench.html"
printf '<!doctype html><title>x</title><p>empty</p>%s\n' "$clock" >"$T/empty.html"
measure() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chr$RANDOM" \
		--host-resolver-rules="MAP * ~NOTFOUND" --window-size=1280,900 --dump-dom "file://$1" 2>/dev/null |
		grep -o 'parsed=[0-9]* load=[0-9]* layout=[0-9]*' | head -1
}
echo "findings: $N, rows: $rows, page: $(stat -c %s "$T/report.html") bytes, written in $(echo "$end - $start" | bc) s"
for i in 1 2 3; do
	echo "round $i: report $(measure "$T/bench.html") ms; empty page $(measure "$T/empty.html") ms"
done
