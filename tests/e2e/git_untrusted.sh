#!/usr/bin/env bash
# An untrusted repository is safe to scan: nothing it configures runs (hooks,
# clean/smudge filters, fsmonitor, textconv, external diff), and notes are scanned.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"
git init -q "$T/repo"
cd "$T/repo"
S=$(tok) N=$(tok) X=$(tok)
put app.cfg "s=$S\n" "add"; c_add=$C
git notes add -m "note=$N" HEAD
c_note=$(git rev-parse refs/notes/commits)
printf 'x=%s\n' "$X" >staged.cfg && git add staged.cfg
# Configure every way git could run a command, after the commits were made.
mkdir -p .git/hooks
for h in pre-commit post-checkout post-index-change reference-transaction fsmonitor-watchman; do
	printf '#!/bin/sh\ntouch "%s/ran-hook-%s"\n' "$T" "$h" >".git/hooks/$h"
	chmod +x ".git/hooks/$h"
done
git config core.fsmonitor "touch $T/ran-fsmonitor; false"
git config filter.evil.clean "touch $T/ran-clean; cat"
git config filter.evil.smudge "touch $T/ran-smudge; cat"
git config filter.evil.process "touch $T/ran-process"
git config diff.evil.textconv "touch $T/ran-textconv; cat"
git config diff.external "touch $T/ran-diff"
printf '* filter=evil diff=evil\n' >.gitattributes

run "$SFMC" git -f json .
expect_rc 1 "history"
at app.cfg "1:3:$c_add"
# The note is a blob named after the annotated commit, in the notes commit.
at "$c_add" "1:6:$c_note"
run "$SFMC" staged -f json .
expect_rc 1 "staged"
at staged.cfg "1:3:-"
ran=$(cd "$T" && ls -d ran-* 2>/dev/null || true)
[ -z "$ran" ] || fail "the scan ran repository-configured commands: $ran"
finish
