#!/usr/bin/env bash
# Fail closed under allocation failure: the fault shim fails one allocation
# at a time - every one after start-up, and a sample of those inside
# libcrypto's own initialisation - with a secret planted in the tree. No run
# may exit 0; past start-up every run must end in 1 (the secret) or 2 (an
# error, said on stderr), never in a crash. A sample over `git` (where
# libgit2 may crash, but must not end in 0), then a failure inside a worker
# thread only, where the error must appear in the JSON report.
. "$(dirname "$0")/lib.sh"
: "${SFMC_FAULT_LIB:?SFMC_FAULT_LIB must point at the fault-injection shim}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
mkdir -p "$T/tree/a" "$T/tree/b"
printf 'k=%s\n' "$(tok)" >"$T/tree/a/secret.env"
for i in $(seq 1 20); do printf 'nothing here %s\n' "$i" >"$T/tree/b/f$i"; done
# A clean tree of many files, so that the second worker thread surely gets some.
mkdir -p "$T/big"
head -c $((1000 * 16384)) /dev/zero | tr '\0' '.' | (cd "$T/big" && split -b 16384 -a 3 - f)
step=1 asan=0
# (not `ldd | grep -q`: grep may exit first, ldd die of SIGPIPE, and pipefail say "no")
case "$(ldd "$SFMC" 2>/dev/null)" in *libasan*) step=7 asan=1 ;; esac # sanitized runs are slow: sample

# count CMD...: allocations CMD makes under the shim.
count() {
	env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_COUNT="$T/count" "$@" >/dev/null 2>&1 || true
	cut -d' ' -f1 "$T/count"
}
startup=$(count "$SFMC" version)
total=$(count "$SFMC" dir -f json --threads 2 "$T/tree")
[ "$total" -gt "$startup" ] || fail "allocation counts: startup $startup, scan $total"

# inject SPEC [TREE]: one scan with the fault SPEC.
inject() {
	run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT="$1" "$SFMC" dir -f json --threads 2 "$T/${2:-tree}"
}
twos=0
for n in $(seq 1 97 "$startup"); do
	inject "alloc:$n"
	[ "$rc" -ne 0 ] || fail "alloc:$n (in start-up) exited 0"
done
for n in $(seq $((startup + 1)) "$step" "$total"); do
	inject "alloc:$n"
	case $rc in
	1) ;;
	2) twos=$((twos + 1)); [ -s "$T/err" ] || fail "alloc:$n: exit 2 without a message" ;;
	*) fail "alloc:$n: exit code $rc (crash or clean)" ;;
	esac
done
[ "$twos" -gt 0 ] || fail "no allocation failure after start-up led to an error exit"

# git: libgit2 1.5 is not safe against allocation failure (some failures crash
# inside it), but no failure may turn the history's secret into exit 0.
git init -q "$T/repo"
cp "$T/tree/a/secret.env" "$T/repo/" && git -C "$T/repo" add . && git -C "$T/repo" commit -qm secret
gtotal=$(count "$SFMC" git -f json "$T/repo")
for n in $(seq $((startup + 1)) $(((gtotal - startup) / 150 + 1)) "$gtotal"); do
	run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT="alloc:$n" "$SFMC" git -f json "$T/repo"
	[ "$rc" -ne 0 ] || fail "git with alloc:$n exited 0"
done

# A worker thread dies of an allocation failure in a clean tree: whenever
# the fault fired (which files the thread takes depends on scheduling), the
# scan must end in 2 with the error in the report, never in "clean".
# (Not under ASan: its own thread set-up allocates first, and fails.)
fired=0
[ "$asan" -eq 1 ] && fired=skipped
for n in $([ "$asan" -eq 1 ] || echo 1 1 1 2 3 5 8); do
	run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT="alloc-worker:$n" SFMC_FAULT_COUNT="$T/count" \
		"$SFMC" dir -f json --threads 2 "$T/big"
	if [ "$(cut -d' ' -f2 "$T/count")" = 1 ]; then
		fired=$((fired + 1))
		expect_rc 2 "alloc-worker:$n fired"
		expect_err_has ': out of memory'
		expect_jq '[.errors[] | .message] | unique | join(",")' 'out of memory' "alloc-worker:$n: the error is in the JSON report"
	else
		expect_rc 0 "alloc-worker:$n did not fire"
	fi
done
[ "$fired" != 0 ] || fail "the worker thread never took a file"
finish
