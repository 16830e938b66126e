#!/usr/bin/env bash
# The README's first quick-start command: clone fixtures/demo.bundle and scan
# its history; the secret was committed, moved, then deleted; the placeholder
# in docs is not reported.
. "$(dirname "$0")/lib.sh"
cd "$SFMC_SOURCE_DIR"
cmd=$(sed -n '/^## Quick start/,/^## /{/^bash ci\/deps.sh/p}' README.md)
case "$cmd" in
*'git clone -q fixtures/demo.bundle "$d" && build/sfmc-scan git "$d"') ;;
*) fail "README quick start no longer clones the demo bundle: $cmd" ;;
esac
d="$T/demo"
git clone -q fixtures/demo.bundle "$d"
added=$(git -C "$d" log --format=%H --diff-filter=A -- config/settings.env)
moved=$(git -C "$d" log --format=%H --diff-filter=A -- app/settings.env)
run "$SFMC" git -f json "$d"
expect_rc 1 "demo history"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.commit):\(.level)"] | join(" ")' \
	"app/settings.env:3:20:$moved:error config/settings.env:3:20:$added:error"
run "$SFMC" git "$d"
expect_out_has "commit ${moved:0:12} by Demo Developer <dev@example.com> on 2024-03-03T10:00:00Z"
# The committed bundle is what the script makes (same commits).
bash fixtures/make-demo-bundle.sh "$T/again.bundle" >/dev/null
[ "$(git bundle list-heads fixtures/demo.bundle)" = "$(git bundle list-heads "$T/again.bundle")" ] ||
	fail "fixtures/demo.bundle differs from what fixtures/make-demo-bundle.sh makes"
finish
