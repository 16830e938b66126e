#!/usr/bin/env bash
# Real git, real hooks: pre-commit blocks a staged secret and names the file;
# pre-push blocks a secret in an older commit of the pushed range and scans
# only what the remote lacks; pre-receive rejects the same push in a bare
# repository (ref not updated) and never re-scans history the server has;
# install refuses to clobber, --chain runs both hooks, uninstall restores,
# core.hooksPath is honoured.
. "$(dirname "$0")/lib.sh"
good=$(tok)
cd "$T"
# gitq ARGS...: git with output captured like run. Hooks are silent when they
# let a change through; SFMC_SCAN_VERBOSE=1 makes them print the summary, which
# the checks below read (the silence itself is checked at the end).
gitq() { run env SFMC_SCAN_VERBOSE=1 git "$@"; }
tip() { git -C "$1" rev-parse --verify -q "$2" || echo none; }

git init -q work
cd work
run "$SFMC" hook install
expect_rc 0 "hook install"
expect_out_has ".git/hooks/pre-commit"
expect_out_has ".git/hooks/pre-push"
grep -qF "$(realpath "$SFMC")" .git/hooks/pre-commit || fail "the hook does not call this binary by absolute path"

# pre-commit: clean commit passes, staged secret is blocked with advice.
echo hello >a.txt
git add a.txt
gitq commit -m clean
expect_rc 0 "clean commit"
mkdir conf
printf 'one\nclient_secret=%s\n' "$good" >conf/app.env
git add conf/app.env
gitq commit -m "add config"
[ "$rc" -ne 0 ] || fail "a commit with a staged secret was not blocked"
expect_err_has "conf/app.env:2:15"
expect_err_has "commit blocked"
expect_err_has "Rotate the secret"
expect_err_has "sfmc-scan:allow"
expect_err_has "- fingerprint: $(printf '%s' "$good" | sha256sum | cut -c1-64)"
expect_out_lacks "$good"
expect_err_lacks "$good"
[ "$(git rev-list --count HEAD)" = 1 ] || fail "the blocked commit was created"
# `commit -a` and `commit PATH` stage through a temporary index (GIT_INDEX_FILE).
git reset -q
printf 'again=%s\n' "$good" >>a.txt
gitq commit -a -m "commit -a"
[ "$rc" -ne 0 ] || fail "commit -a with a secret was not blocked"
expect_err_has "a.txt:2:7"
gitq commit -m "commit PATH" a.txt
[ "$rc" -ne 0 ] || fail "commit PATH with a secret was not blocked"
expect_err_has "a.txt:2:7"
# A linked worktree shares the hooks.
git worktree add -q ../linked
printf 'k=%s\n' "$good" >../linked/w.txt
git -C ../linked add w.txt
run git -C ../linked commit -m "from a worktree"
[ "$rc" -ne 0 ] || fail "a commit in a linked worktree was not blocked"
expect_err_has "w.txt:1:3"
git checkout -q a.txt
git add conf/app.env
[ "$(git rev-list --count HEAD)" = 1 ] || fail "a blocked commit was created"

# pre-push: the secret is in an older commit of the range; the tip is clean.
git init -q --bare ../remote.git
git remote add origin ../remote.git
gitq push -u origin main
expect_rc 0 "clean push"
git commit -q --no-verify -m "add config"
git rm -q conf/app.env
git commit -q -m "remove config"
echo more >>a.txt
git commit -q -am more
before=$(tip ../remote.git main)
gitq push origin main
[ "$rc" -ne 0 ] || fail "pre-push let a secret in an older commit through"
expect_err_has "push blocked"
expect_err_has "conf/app.env:2:15"
expect_err_has "in commit $(git rev-parse --short=12 HEAD~2)"
expect_err_has "git rebase -i $(git rev-parse --short=12 HEAD~2)^"
expect_err_lacks "$good"
[ "$(tip ../remote.git main)" = "$before" ] || fail "pre-push: the remote ref moved"

# A new branch scans only commits no refs/remotes/origin/* ref reaches.
git checkout -q -b feature "$before"
echo feature >f.txt
git add f.txt
git commit -q -m feature
gitq push origin feature
expect_rc 0 "clean new branch"
expect_err_has "scanned 1 blob"
# Deleting a branch scans nothing.
gitq push origin --delete feature
expect_rc 0 "branch deletion"
expect_err_has "scanned 0 blobs"
[ "$(tip ../remote.git feature)" = none ] || fail "the branch was not deleted"

# pre-receive on a bare server: same push rejected, ref not updated.
git init -q --bare ../srv.git
run "$SFMC" hook install ../srv.git
expect_rc 0 "install in a bare repository"
expect_out_has "srv.git/hooks/pre-receive"
git checkout -q main
gitq push --no-verify ../srv.git main
[ "$rc" -ne 0 ] || fail "pre-receive accepted a secret"
expect_err_has "remote: sfmc-scan: push rejected by the server"
expect_err_has "conf/app.env:2:15"
expect_err_has "in commit $(git rev-parse --short=12 HEAD~2)"
expect_err_has "(pre-receive hook declined)"
expect_err_lacks "$good"
[ "$(tip ../srv.git main)" = none ] || fail "pre-receive: the ref was updated"
# A clean push is accepted; then history the server has is never scanned again.
gitq push --no-verify ../srv.git "$before:refs/heads/main"
expect_rc 0 "clean push to the server"
expect_err_has "scanned 1 blob"
[ "$(tip ../srv.git main)" = "$before" ] || fail "the clean push did not update the ref"
# The server now already holds a secret (pushed around the hook); new clean work on top passes.
mv ../srv.git/hooks/pre-receive ../srv.git/hooks/off
gitq push --no-verify ../srv.git main:refs/heads/old
expect_rc 0 "push without the hook"
mv ../srv.git/hooks/off ../srv.git/hooks/pre-receive
echo even-more >>a.txt
git commit -q -am "even more"
gitq push --no-verify ../srv.git main:refs/heads/old
expect_rc 0 "clean commit on top of a history with a secret"
expect_err_has "0 findings"
expect_err_has "scanned 1 blob"
# A tag of a commit the server has passes, and scans nothing.
git tag -a v1 -m v1 "$before"
gitq push --no-verify ../srv.git v1
expect_rc 0 "tag of an existing commit"
expect_err_has "scanned 0 blobs"
gitq push --no-verify ../srv.git :refs/heads/old
expect_rc 0 "ref deletion on the server"

# Install never clobbers a foreign hook; --chain runs both; uninstall restores it.
cd "$T"
git init -q chained
cd chained
printf '#!/bin/sh\necho "previous hook ran" >>"%s/ran"\nexit ${FAIL_PREVIOUS:-0}\n' "$T" >.git/hooks/pre-commit
chmod +x .git/hooks/pre-commit
cp .git/hooks/pre-commit "$T/original"
run "$SFMC" hook install --pre-commit
expect_rc 2 "install over a foreign hook"
expect_err_has "already exists and sfmc-scan did not write it"
expect_err_has "--chain"
cmp -s .git/hooks/pre-commit "$T/original" || fail "the refused install changed the hook"
run "$SFMC" hook install --pre-commit --chain
expect_rc 0 "install --chain"
echo ok >ok.txt
git add ok.txt
gitq commit -m ok
expect_rc 0 "clean commit through both hooks"
[ "$(grep -c 'previous hook ran' "$T/ran")" = 1 ] || fail "--chain: the previous hook did not run"
printf 'k=%s\n' "$good" >s.txt
git add s.txt
gitq commit -m secret
[ "$rc" -ne 0 ] || fail "--chain: sfmc-scan did not block"
expect_err_has "s.txt:1:3"
[ "$(grep -c 'previous hook ran' "$T/ran")" = 2 ] || fail "--chain: the previous hook did not run first"
git rm -q --cached s.txt
FAIL_PREVIOUS=3 run git commit --allow-empty -m "previous fails"
[ "$rc" -ne 0 ] || fail "--chain: a failing previous hook did not block"
run "$SFMC" hook uninstall
expect_rc 0 "uninstall"
cmp -s .git/hooks/pre-commit "$T/original" || fail "uninstall did not restore the previous hook"
[ ! -e .git/hooks/pre-commit.sfmc-scan-chained ] || fail "uninstall left the chained copy"
run "$SFMC" hook uninstall --pre-commit
expect_rc 2 "uninstall of a foreign hook"
expect_err_has "was not written by sfmc-scan"

# pre-push --chain: both hooks read the same ref lines.
git remote add origin ../remote.git
printf '#!/bin/sh\ncat >"%s/prepush-stdin"\n' "$T" >.git/hooks/pre-push
chmod +x .git/hooks/pre-push
run "$SFMC" hook install --pre-push --chain
expect_rc 0 "install pre-push --chain"
git add s.txt
git commit -q --no-verify -m secret
gitq push origin HEAD:refs/heads/chained
[ "$rc" -ne 0 ] || fail "pre-push --chain: sfmc-scan did not block"
expect_err_has "s.txt:1:3"
grep -q " $(git rev-parse HEAD) refs/heads/chained 0\{40\}$" "$T/prepush-stdin" ||
	fail "pre-push --chain: the previous hook did not get git's ref lines"

# The advice works as printed: its allow entry, pasted into .sfmc-scan.yaml, lets the commit through.
cd "$T"
git init -q advice
cd advice
"$SFMC" hook install --pre-commit >/dev/null
printf 'example=%s\n' "$good" >example.txt
git add example.txt
gitq commit -m example
[ "$rc" -ne 0 ] || fail "advice: the commit was not blocked"
sed -n '/^         allow:$/,/^             reason:/s/^         //p' "$T/err" >.sfmc-scan.yaml
[ "$(wc -l <.sfmc-scan.yaml)" = 3 ] || fail "advice: no allow entry printed"
git add .sfmc-scan.yaml
gitq commit -m "example, allowed"
expect_rc 0 "commit after following the advice"
expect_err_has "1 suppressed"

# Silent when clean: a commit and a push that pass print nothing of sfmc-scan's.
echo quiet >a.txt
git add a.txt
run git commit -q -m "quiet change"
expect_rc 0 "clean commit"
expect_err_lacks "sfmc-scan"
expect_out_lacks "sfmc-scan"
git init -q --bare "$T/quiet.git"
"$SFMC" hook install --pre-push >/dev/null
git remote add quiet "$T/quiet.git"
run git push -q quiet HEAD:refs/heads/main
expect_rc 0 "clean push"
expect_err_lacks "sfmc-scan"
[ "$(tip "$T/quiet.git" main)" = "$(git rev-parse HEAD)" ] || fail "the clean push did not land"
# -v on the command the hook runs prints it (SFMC_SCAN_VERBOSE does the same for installed hooks).
run "$SFMC" pre-commit -v
expect_rc 0 "pre-commit -v"
expect_err_has "0 findings"

# The binary the hook names is gone: sfmc-scan from PATH, else a clear error that blocks.
cd "$T"
git init -q moved
mkdir -p "$T/gone" "$T/onpath"
cp "$SFMC" "$T/gone/sfmc-scan"
(cd moved && "$T/gone/sfmc-scan" hook install --pre-commit >/dev/null)
rm "$T/gone/sfmc-scan"
printf 'k=%s\n' "$good" >moved/m.txt
git -C moved add m.txt
run env PATH="/usr/bin:/bin" git -C moved commit -m moved
[ "$rc" -ne 0 ] || fail "a hook whose binary is gone let the commit through"
expect_err_has "$T/gone/sfmc-scan is missing and sfmc-scan is not on PATH"
ln -s "$SFMC" "$T/onpath/sfmc-scan"
run env PATH="$T/onpath:/usr/bin:/bin" git -C moved commit -m moved
[ "$rc" -ne 0 ] || fail "the hook did not fall back to sfmc-scan on PATH"
expect_err_has "m.txt:1:3"

# A refusal changes nothing: pre-commit is not written when pre-push is foreign.
cd "$T"
git init -q atomic
printf '#!/bin/sh\nexit 0\n' >atomic/.git/hooks/pre-push
chmod +x atomic/.git/hooks/pre-push
run "$SFMC" hook install atomic
expect_rc 2 "install over a foreign pre-push"
[ ! -e atomic/.git/hooks/pre-commit ] || fail "a refused install still wrote pre-commit"

# core.hooksPath is honoured (relative to the work tree).
cd "$T"
git init -q custom
cd custom
git config core.hooksPath .githooks
run "$SFMC" hook install --pre-commit
expect_rc 0 "install with core.hooksPath"
[ -x .githooks/pre-commit ] && [ ! -e .git/hooks/pre-commit ] || fail "core.hooksPath was not used"
printf 'k=%s\n' "$good" >s.txt
git add s.txt
gitq commit -m secret
[ "$rc" -ne 0 ] || fail "the core.hooksPath hook did not block"
expect_err_has "s.txt:1:3"

# The protocols on their own: malformed input is an error (exit 2), not "clean".
run sh -c "echo 'garbage' | '$SFMC' pre-receive"
expect_rc 2 "malformed pre-receive input"
expect_err_has "stdin:1: expected"
finish
