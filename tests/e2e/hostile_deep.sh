#!/usr/bin/env bash
# 10,000 directories deep (paths of 20,000 bytes, far past PATH_MAX) with
# secrets at the bottom, in the middle and in side branches: every one is
# found, with at most 32 descriptors open.
# tmpfs when it is roomy: creating and deleting 10k directories is slow on disk
if [ -w /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -n 1)" -gt 1048576 ]; then export TMPDIR=/dev/shm; fi
. "$(dirname "$0")/lib.sh"
t1=$(tok) t2=$(tok) t3=$(tok)
python3 - "$T/deep" "$t1" "$t2" "$t3" <<'PY'
import os, sys
root, t1, t2, t3 = sys.argv[1:]
os.mkdir(root)
os.chdir(root)
for i in range(1, 10001):
    os.mkdir('d')
    if i % 2500 == 0:  # a side branch every 2,500 levels
        os.mkdir('side')
        open('side/s.txt', 'w').write('x\n')
    os.chdir('d')
    if i == 5000:
        open('mid.txt', 'w').write('m=%s\n' % t2)
open('bottom.txt', 'w').write('b=%s\n' % t1)
os.chdir(root)
open('top.txt', 'w').write('%s\n' % t3)
PY
run bash -c 'ulimit -n 32 && exec "$@"' - "$SFMC" dir -f json "$T/deep"
expect_rc 1 "secrets in a 10,000-deep tree"
expect_jq '.errors | length' 0
expect_jq '.stats.files' 7 "top, mid, bottom and four side files"
expect_jq '[.findings[] | .path | length] | join(",")' '20010,10007,7' "paths of 20,010, 10,007 and 7 bytes"
expect_jq '[.findings[] | .path | split("/") | length] | join(",")' '10001,5001,1' "path depths"
expect_jq '.findings[0].path | endswith("d/d/bottom.txt")' true

# The text report names the deep file too (one line, not cut).
run bash -c 'ulimit -n 32 && exec "$@"' - "$SFMC" dir "$T/deep"
expect_rc 1 "text report"
[ "$(grep -c ': error: ' "$T/out")" -eq 3 ] || fail "text report: expected 3 findings"
finish
