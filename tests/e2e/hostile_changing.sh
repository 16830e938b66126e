#!/usr/bin/env bash
# Files that shrink, grow or vanish while the scan runs (made to happen at a
# precise moment by the fault shim): each is an error, exit 2, never clean.
. "$(dirname "$0")/lib.sh"
: "${SFMC_FAULT_LIB:?SFMC_FAULT_LIB must point at the fault-injection shim}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
mkdir "$T/tree"
for f in a b c; do
	head -c 20000 /dev/zero | tr '\0' '.' >"$T/tree/$f.txt"
done

run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT=shrink:b.txt "$SFMC" dir -f json "$T/tree"
expect_rc 2 "a file that shrinks during the read"
expect_jq '[.errors[] | "\(.path): \(.message)"] | join(";")' \
	'b.txt: changed size during the scan (20000 bytes when opened, 10000 read)'
expect_err_has 'b.txt: changed size during the scan'
[ "$(stat -c %s "$T/tree/b.txt")" -eq 10000 ] || fail "the shim did not shrink b.txt"

head -c 20000 /dev/zero | tr '\0' '.' >"$T/tree/b.txt"
run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT=grow:c.txt "$SFMC" dir -f json "$T/tree"
expect_rc 2 "a file that grows during the read"
expect_jq '[.errors[] | "\(.path): \(.message)"] | join(";")' \
	'c.txt: changed size during the scan (20000 bytes when opened, 24096 read)'

run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT=vanish:a.txt "$SFMC" dir -f json "$T/tree"
expect_rc 2 "a file deleted between the walk and its scan"
expect_jq '[.errors[] | "\(.path): \(.message)"] | join(";")' \
	'a.txt: cannot open: No such file or directory'
[ ! -e "$T/tree/a.txt" ] || fail "the shim did not delete a.txt"
expect_jq '.stats.files' 2

# A secret in a file that changes is still reported, and the verdict is findings (1).
printf 'k=%s\n' "$(tok)" >"$T/tree/b.txt"
run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT=grow:b.txt "$SFMC" dir -f json "$T/tree"
expect_rc 1 "findings outrank the error"
expect_jq '[(.findings | length), (.errors | length)] | join(",")' '1,1'

# Without the shim the same tree scans clean.
run "$SFMC" dir -f json --fail-on never "$T/tree"
expect_rc 0 "unchanged tree"
expect_jq '.errors | length' 0
finish
