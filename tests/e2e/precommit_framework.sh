#!/usr/bin/env bash
# .pre-commit-hooks.yaml with the real pre-commit framework (Debian 12: 3.0.4):
# the hook repository is this source tree (committed to a temp repository and
# tagged, as users pin it), the sfmc-scan on PATH is the built binary. A commit
# staging a secret is blocked, a clean one passes, unstaged secrets do not
# block, and `pre-commit run --all-files` scans every tracked file.
. "$(dirname "$0")/lib.sh"
command -v pre-commit >/dev/null || { echo "pre-commit is not installed (ci/deps.sh installs it)" >&2; exit 1; }
export PRE_COMMIT_HOME="$T/pre-commit-home"
mkdir -p "$T/bin"
ln -s "$SFMC" "$T/bin/sfmc-scan"
export PATH="$T/bin:$PATH"

# The hook repository: only .pre-commit-hooks.yaml matters for language: system.
git init -q "$T/hooks"
cp "$SFMC_SOURCE_DIR/.pre-commit-hooks.yaml" "$T/hooks/"
git -C "$T/hooks" add .pre-commit-hooks.yaml
git -C "$T/hooks" commit -q -m hooks
git -C "$T/hooks" tag v0.2.0

git init -q "$T/repo"
cd "$T/repo"
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $T/hooks
    rev: v0.2.0
    hooks:
      - id: sfmc-scan
YAML
echo hello >README
git add .pre-commit-config.yaml README
git commit -q -m init
run pre-commit install
expect_rc 0 "pre-commit install (the framework accepts .pre-commit-hooks.yaml)"

# A staged secret: the commit is refused and says where.
printf 'SFMC_CLIENT_SECRET=%s\n' "$(tok)" >app.env
git add app.env
run git commit -m "add app.env"
expect_rc 1 "git commit with a staged secret"
grep -q 'app.env:1:20' "$T/out" "$T/err" || fail "the hook's output does not name app.env:1:20"
[ "$(git rev-list --count HEAD)" = 1 ] || fail "the commit with a secret was made"

# Clean content passes.
git rm -q --cached app.env
rm app.env
echo world >>README
git add README
run git commit -m "clean change"
expect_rc 0 "git commit of a clean change"
[ "$(git rev-list --count HEAD)" = 2 ] || fail "the clean commit was not made"

# A secret only in the work tree (unstaged) does not block a clean commit:
# the framework stashes it while the hooks run.
echo more >>README
git add README
printf 'k=%s\n' "$(tok)" >>README
run git commit -m "clean staged, secret unstaged"
expect_rc 0 "a commit whose unstaged changes hold a secret"
git checkout -q README

# --all-files scans the tracked files, not only the index's changes.
printf 'old=%s\n' "$(tok)" >legacy.cfg
git add legacy.cfg
git -c core.hooksPath=/dev/null commit -q -m "legacy (hooks bypassed)"
run pre-commit run --all-files
expect_rc 1 "pre-commit run --all-files with a committed secret"
grep -q 'legacy.cfg:1:5' "$T/out" "$T/err" || fail "--all-files does not report legacy.cfg"
finish
