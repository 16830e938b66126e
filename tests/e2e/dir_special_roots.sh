#!/usr/bin/env bash
# Special roots and .git directories: a FIFO or a process substitution named
# on the command line is read (the user named it), a FIFO met during the walk
# is not; a directory called .git that is not a repository is scanned, a real
# repository's store is left to `sfmc-scan git`.
. "$(dirname "$0")/lib.sh"
t1=$(tok)
t2=$(tok)

# Process substitution: /dev/fd/N, a pipe.
run bash -c "\"\$1\" dir <(printf 'key=%s\n' \"\$2\")" _ "$SFMC" "$t1"
expect_rc 1 "dir <(cmd)"
grep -qE '^/dev/fd/[0-9]+:1:5: error:' "$T/out" || fail "dir <(cmd): no finding at /dev/fd/N:1:5"

# A named pipe as the root, with a writer.
mkfifo "$T/pipe"
# The writer gives up after 30 s, so a scanner that never opens the pipe cannot hang the test.
timeout 30 bash -c 'printf "x\nsecret: %s\n" "$1" >"$2"' _ "$t2" "$T/pipe" &
run timeout 60 "$SFMC" dir "$T/pipe"
wait || true
expect_rc 1 "dir FIFO"
expect_out_has "$T/pipe:2:9: error:"

# The same FIFO inside a directory is listed as skipped and never opened (no writer: opening would block).
mkdir "$T/tree"
mkfifo "$T/tree/pipe"
printf 'k=%s\n' "$t1" >"$T/tree/a.env"
run timeout 60 "$SFMC" dir -f json "$T/tree"
expect_rc 1 "tree with a FIFO"
expect_jq '[.skipped[] | select(.path == "pipe") | .reason] | join(",")' "FIFO (not opened)"

# A .git directory that is not a repository is scanned like any other.
mkdir -p "$T/proj/.git"
printf 'token=%s\n' "$t2" >"$T/proj/.git/creds.env"
run "$SFMC" dir "$T/proj"
expect_rc 1 "a .git directory that is not a repository"
expect_out_has ".git/creds.env:1:7: error:"

# A real repository's store is skipped (history is the git command's job); its files are scanned.
git init -q "$T/repo"
printf 'token=%s\n' "$t1" >"$T/repo/.git/description"
printf 'token=%s\n' "$t2" >"$T/repo/app.env"
run "$SFMC" dir -f json "$T/repo"
expect_rc 1 "a checkout"
expect_jq '[.findings[].path] | join(",")' "app.env"
finish
