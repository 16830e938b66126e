# tests/e2e/lib.sh - sourced by every end-to-end test.
# Gives: $SFMC (the binary), $T (a fresh temp dir, removed on exit),
# tok (a fresh valid token), run (captures out/err/rc), and assertions.
set -euo pipefail
: "${SFMC:?SFMC must point at the sfmc-scan binary}"
: "${SFMC_SOURCE_DIR:?SFMC_SOURCE_DIR must point at the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sfmc-e2e.XXXXXX")
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 HOME="$T/home"
mkdir -p "$HOME"
git config --global user.name "Test User"
git config --global user.email test@example.com
git config --global init.defaultBranch main
FAILS=0

# SFMC_WRAP (e.g. "valgrind --error-exitcode=99 ..."): every run of $SFMC goes through it.
if [ -n "${SFMC_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s %q "$@"\n' "$SFMC_WRAP" "$SFMC" >"$T/sfmc-wrapped"
	chmod +x "$T/sfmc-wrapped"
	SFMC="$T/sfmc-wrapped"
fi

tok() { "$SFMC" generate; }

# run CMD...: stores stdout in $T/out, stderr in $T/err, exit code in $rc.
run() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

fail() {
	echo "FAIL: $*" >&2
	echo "--- stdout:" >&2; head -c 4000 "$T/out" >&2 || true
	echo "--- stderr:" >&2; head -c 4000 "$T/err" >&2 || true
	FAILS=$((FAILS + 1))
}

expect_rc() { [ "$rc" -eq "$1" ] || fail "${2:-command}: exit code $rc, expected $1"; }
# expect_jq FILTER EXPECTED [what]: jq -r FILTER on $T/out must print EXPECTED.
expect_jq() {
	local got
	got=$(jq -r "$1" <"$T/out" 2>&1) || { fail "${3:-jq $1}: output is not valid JSON"; return; }
	[ "$got" = "$2" ] || fail "${3:-jq $1}: got '$got', expected '$2'"
}
expect_out_has() { grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1'"; }
expect_err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1'"; }
expect_out_lacks() { ! grep -qF -- "$1" "$T/out" || fail "stdout contains '$1'"; }
expect_err_lacks() { ! grep -qF -- "$1" "$T/err" || fail "stderr contains '$1'"; }

# Call at the end of every test.
finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed" >&2
		exit 1
	fi
	echo "ok"
}
