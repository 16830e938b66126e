#!/usr/bin/env bash
# pre-push asks the remote for its refs (libgit2 ls-remote) instead of trusting
# refs/remotes/*, which may be stale: a secret force-pushed off the remote and
# pushed again on a new branch from a clone that has not fetched is caught.
# When the remote does not answer, it falls back to refs/remotes/* and says so.
. "$(dirname "$0")/lib.sh"
cd "$T"
git init -q --bare remote.git
git clone -q remote.git a 2>/dev/null
cd a
echo base >README
git add README
git commit -q -m base
git push -q origin main
printf 'k=%s\n' "$(tok)" >app.env
git add app.env
git commit -q -m "add app.env"
leak=$(git rev-parse HEAD)
git push -q origin main # no hook yet: the secret reaches the remote
# Someone else rewrites main without the secret and force-pushes.
git clone -q ../remote.git ../b 2>/dev/null
(cd ../b && git reset -q --hard HEAD~1 && echo fixed >>README && git commit -q -am fixed && git push -q -f origin main)
# Clone a has not fetched: refs/remotes/origin/main still names the leaked commit.
[ "$(git rev-parse origin/main)" = "$leak" ] || fail "setup: origin/main is not stale"
"$SFMC" hook install --pre-push >/dev/null
git checkout -q -b again "$leak"
run git push origin again
[ "$rc" -ne 0 ] || fail "pre-push let the secret through on stale tracking refs"
grep -q 'app.env:1:3' "$T/err" || fail "pre-push did not name app.env:1:3"
[ "$(git -C ../remote.git rev-parse -q --verify again || echo none)" = none ] || fail "the branch reached the remote"

# A branch on top of what the remote really has passes (and scans only the new commit).
git fetch -q origin
git checkout -q -b clean origin/main
echo ok >ok.txt
git add ok.txt
git commit -q -m ok
run env SFMC_SCAN_VERBOSE=1 git push origin clean
expect_rc 0 "clean push"
grep -q 'scanned 1 blob' "$T/err" || fail "clean push: expected exactly the new blob scanned: $(cat "$T/err")"

# The remote does not answer: refs/remotes/* are used, and the hook says so.
git remote add gone "$T/nowhere.git"
git update-ref refs/remotes/gone/main "$leak"
printf 'refs/heads/again %s refs/heads/again %s\n' "$leak" 0000000000000000000000000000000000000000 >"$T/lines"
run "$SFMC" pre-push gone "$T/nowhere.git" <"$T/lines"
expect_rc 0 "fallback: the tracking ref covers the leaked commit"
expect_err_has "cannot ask the remote for its refs"
expect_err_has "comparing with refs/remotes/gone/*, which may be stale"
finish
