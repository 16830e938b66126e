#!/usr/bin/env bash
# The archive limits can be set on the command line: --archive-max-members,
# --archive-max-bytes and --archive-max-ratio stop reading at the limit, list
# the archive in `skipped` with the reason, and still scan what was read.
. "$(dirname "$0")/lib.sh"
cd "$T"
# Compressible members, so zip deflates them (a stored member's token is also seen in the raw bytes).
for i in 1 2 3 4 5; do { printf 'k=%s\n' "$(tok)"; printf 'padding\n%.0s' {1..200}; } >"m$i.env"; done
zip -q members.zip m1.env m2.env m3.env m4.env m5.env
run "$SFMC" dir -f json members.zip
expect_rc 1 "zip of 5 members"
expect_jq '.findings | length' 5
run "$SFMC" dir -f json --archive-max-members 2 members.zip
expect_rc 1 "--archive-max-members 2"
expect_jq '[.findings[].path] | join(",")' "members.zip!m1.env,members.zip!m2.env" "only the first 2 members are read"
expect_jq '[.skipped[].reason] | join(",")' "archive limit: more than 2 members in one file, the rest not read"

# 3 MiB of zeros, then a token: found whole, not with a 1 MiB budget.
{ head -c 3145728 /dev/zero; printf '\nk=%s\n' "$(tok)"; } | gzip -c >late.env.gz
run "$SFMC" dir -f json late.env.gz
expect_rc 1 "a token after 3 MiB"
run "$SFMC" dir -f json --archive-max-bytes 1M late.env.gz
expect_rc 0 "--archive-max-bytes 1M"
expect_jq '[.skipped[].reason] | join(",")' \
	"archive limit: more than 1048576 decompressed bytes from one file, the rest not read"
run "$SFMC" dir -f json --archive-max-bytes 1M --fail-on-skipped late.env.gz
expect_rc 2 "--fail-on-skipped with a limit reached"

if [ -z "${SFMC_WRAP:-}" ]; then # 100 MiB through valgrind would take minutes
	head -c 104857600 /dev/zero | gzip -c >zeros.gz
	run "$SFMC" dir -f json --archive-max-ratio 10 zeros.gz
	expect_rc 0 "--archive-max-ratio 10"
	expect_jq '[.skipped[].reason] | join(",")' \
		"archive limit: decompresses to more than 10 times its size (a bomb?), the rest not read"
fi

for bad in "--archive-max-members 0" "--archive-max-ratio x" "--archive-max-bytes 0"; do
	run "$SFMC" dir $bad .
	expect_rc 2 "$bad"
done
run "$SFMC" generate --archive-max-bytes 1M
expect_rc 2 "--archive-max-bytes does not apply to generate"
finish
