#!/usr/bin/env bash
# --format html with more secrets than the first part of the table: 200 rows
# laid out at load, the rest in closed <details> of 1,000 (readable without
# JavaScript: one click each). In Debian's chromium, headless: the page's own
# script sorts across every part (keeping each part's size) and a filter opens
# the parts that hold a match. The check drives the page through a copy
# with one more script (and without the CSP, which would refuse it).
. "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || { fail "chromium is not installed (ci/deps.sh installs it)"; finish; }

mkdir "$T/tree"
"$SFMC" generate -n 1250 | awk -v dir="$T/tree" '{ f = sprintf("%s/%04d.env", dir, NR); print "SFMC_CLIENT_SECRET=" $0 > f; close(f) }'
run "$SFMC" dir -f html -o "$T/page.html" "$T/tree"
expect_rc 1 "dir -f html"
f=$T/page.html
[ "$(grep -o '<tr data-status=' "$f" | wc -l)" = 1250 ] || fail "expected 1250 rows"
[ "$(grep -o '<details class="more">' "$f" | wc -l)" = 2 ] || fail "expected two closed parts"
grep -q '<summary>Secrets 201 to 1200 of 1250</summary>' "$f" || fail "first part's summary"
grep -q '<summary>Secrets 1201 to 1250 of 1250</summary>' "$f" || fail "last part's summary"
! grep -q '<details class="more" open' "$f" || fail "a part is open at load"
# The first part: the table with the header holds 200 rows.
python3 - "$f" <<'PY' || fail "the first part does not hold 200 rows"
import re, sys
s = open(sys.argv[1]).read()
first = s[s.index('<table id="secrets"'):s.index('</table>')]
sys.exit(0 if first.count('<tr data-status=') == 200 else 1)
PY

# Drive the page: sort by the secret column (descending after two clicks), then
# filter on the fingerprint of a row that lies in the last part after the sort.
sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$f" >"$T/drive.html"
cat >>"$T/drive.html" <<JS
<script>
addEventListener('load', function () {
	var h = document.querySelector('#secrets thead th'), out = [];
	h.click(); h.click();
	var bodies = document.querySelectorAll('table.secrets>tbody');
	out.push('sizes=' + [].map.call(bodies, function (b) { return b.rows.length; }).join(','));
	var keys = [].concat.apply([], [].map.call(bodies, function (b) {
		return [].map.call(b.rows, function (r) { return r.cells[0].textContent; });
	}));
	var sorted = keys.every(function (k, i) { return i === 0 || keys[i - 1] >= k; });
	out.push('sorted=' + sorted);
	var last = bodies[bodies.length - 1].rows[0].getAttribute('data-fingerprint');
	var q = document.getElementById('q');
	q.value = last.slice(0, 12);
	q.dispatchEvent(new Event('input'));
	var shown = [].filter.call(document.querySelectorAll('table.secrets>tbody>tr'), function (r) { return !r.hidden; });
	out.push('shown=' + shown.length + ':' + (shown[0] && shown[0].getAttribute('data-fingerprint') === last));
	var open = [].filter.call(document.querySelectorAll('details.more'), function (d) { return d.open; });
	out.push('open=' + open.length + ':' + (open[0] && open[0].contains(shown[0])));
	document.title = out.join(' ');
});
</script>
JS
mkdir -p "$T/chr"
set +e
timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chr" \
	--host-resolver-rules="MAP * ~NOTFOUND" --dump-dom "file://$T/drive.html" >"$T/dom" 2>"$T/chromium.err"
crc=$?
set -e
[ "$crc" = 0 ] || fail "chromium exit $crc: $(tail -5 "$T/chromium.err")"
title=$(grep -o '<title>[^<]*</title>' "$T/dom" | head -1)
case "$title" in
"<title>sizes=200,1000,50 sorted=true shown=1:true open=1:true</title>") ;;
*) fail "the page's script: $title" ;;
esac
finish
