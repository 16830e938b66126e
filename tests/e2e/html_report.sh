#!/usr/bin/env bash
# --format html in a real browser (Debian's chromium, headless): the page
# loads from file:// with no network, its inline script runs under the
# page's CSP, the DOM holds one row per secret and the counts; everything
# from scanned content is escaped and redacted; --show-secrets is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

command -v chromium >/dev/null || { fail "chromium is not installed (ci/deps.sh installs it)"; finish; }

DB=$T/audit.db
git init -q "$T/r"
cd "$T/r"
A=$(tok)
B=$(tok)
put "<script>alert(1)</script>.env" "key=$A\n" "<script>alert(2)</script> add config"
git config user.name "Eve \"&amp;\" O'Brien"
put "b.txt" "other=$B\nagain=$A\n" "second"
git remote add origin git@github.com:acme/app.git
cd "$T"

run "$SFMC" git r -f html --show-secrets
expect_rc 2 "--show-secrets with html"
expect_err_has "never shows whole secrets"
run "$SFMC" git r --report "html:$T/x.html" --show-secrets
expect_rc 2 "--show-secrets with an html --report"

run "$SFMC" git r --datastore "$DB" -f html -o "$T/scan.html"
expect_rc 1 "git -f html"
FA=$(printf '%s' "$A" | sha256sum | cut -c1-12)
run "$SFMC" triage "$FA" --status rotated --reason "<script>alert(3)</script> done" --datastore "$DB"
expect_rc 0 "triage"
run "$SFMC" report --datastore "$DB" -f html -o "$T/report.html"
expect_rc 1 "report -f html"

for page in scan report; do
	f=$T/$page.html
	# Self-contained: one script (ours), no element that loads anything, no remote style.
	[ "$(grep -o '<script' "$f" | wc -l)" = 1 ] || fail "$page: scripts other than the page's own"
	! grep -Eiq '<(img|link|iframe|object|embed|video|audio|source|base)[ >]' "$f" || fail "$page: a loading element"
	! grep -Eq '<[a-z]+ [^>]*src=' "$f" || fail "$page: a src attribute"
	! grep -qi '@import\|url(' "$f" || fail "$page: a style that loads"
	grep -q "Content-Security-Policy" "$f" || fail "$page: no CSP"
	# Escaped and redacted.
	! grep -qF -- "$A" "$f" || fail "$page: a whole secret"
	! grep -qF "<script>alert" "$f" || fail "$page: unescaped scanned content"
	grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;.env" "$f" || fail "$page: the escaped path"
	grep -qF "&lt;script&gt;alert(2)&lt;/script&gt; add config" "$f" || fail "$page: the escaped commit subject"
	grep -qF "Eve &quot;&amp;amp;&quot; O&#39;Brien" "$f" || fail "$page: the escaped author"
	grep -qF "https://github.com/acme/app/commit/" "$f" || fail "$page: commit links"

	mkdir -p "$T/chr-$page"
	set +e
	timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chr-$page" \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 --virtual-time-budget=2000 \
		--dump-dom "file://$f" >"$T/$page.dom" 2>"$T/$page.chromium.err"
	crc=$?
	set -e
	[ "$crc" = 0 ] || { fail "$page: chromium exit $crc: $(tail -5 "$T/$page.chromium.err")"; continue; }
	grep -q 'data-js="1"' "$T/$page.dom" || fail "$page: the inline script did not run (CSP hash?)"
	! grep -q "Refused to" "$T/$page.chromium.err" || fail "$page: CSP refused something: $(grep 'Refused to' "$T/$page.chromium.err" | head -2)"
	[ "$(grep -o '<tr data-status=' "$T/$page.dom" | wc -l)" = 2 ] || fail "$page: expected 2 secret rows"
	grep -q 'id="count-secrets"><b>2</b>' "$T/$page.dom" || fail "$page: secrets count"
	grep -q 'id="count-locations"><b>3</b>' "$T/$page.dom" || fail "$page: locations count"
	grep -q '<svg id="timeline"' "$T/$page.dom" || fail "$page: timeline"
	grep -q "SFMC_${A:5:4}…" "$T/$page.dom" || fail "$page: redacted secret"
done
grep -q 'id="count-rotated"><b>1</b>' "$T/report.dom" || fail "report: the rotated count"
grep -qF "&lt;script&gt;alert(3)&lt;/script&gt; done" "$T/report.html" || fail "report: the escaped reason"

# A screenshot, as docs/make-screenshot.sh makes it.
set +e
timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chr-shot" \
	--host-resolver-rules="MAP * ~NOTFOUND" --window-size=1280,900 --screenshot="$T/shot.png" \
	"file://$T/report.html" >/dev/null 2>&1
set -e
[ "$(head -c 8 "$T/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "no screenshot"
finish
