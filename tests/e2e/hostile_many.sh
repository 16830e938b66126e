#!/usr/bin/env bash
# 200,000 files in one directory (and 10,000 more in 100 directories) with
# at most 64 descriptors: nothing leaks a descriptor, every file is scanned,
# every planted secret is found.
# tmpfs when it is roomy: 210k files on disk are slow to make and delete
if [ -w /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -n 1)" -gt 1048576 ]; then export TMPDIR=/dev/shm; fi
. "$(dirname "$0")/lib.sh"
t1=$(tok) t2=$(tok) t3=$(tok)
python3 - "$T" "$t1" "$t2" "$t3" <<'PY'
import os, sys
T, t1, t2, t3 = sys.argv[1:]
os.makedirs(T + '/flat')
for i in range(200000):  # empty: no tmpfs page per file
    os.close(os.open('%s/flat/f%06d' % (T, i), os.O_CREAT | os.O_WRONLY, 0o644))
for name, t in (('f000000', t1), ('f123456', t2), ('f199999', t3)):
    open('%s/flat/%s' % (T, name), 'a').write('key=%s\n' % t)
for d in range(100):
    os.makedirs('%s/tree/d%03d' % (T, d))
    for i in range(100):
        open('%s/tree/d%03d/f%02d' % (T, d, i), 'w').close()
open('%s/tree/d099/f99' % T, 'a').write(t1 + '\n')
PY
run bash -c 'ulimit -n 64 && exec "$@"' - "$SFMC" dir -f json --threads 4 "$T/flat"
expect_rc 1 "200k files under ulimit -n 64"
expect_jq '.errors | length' 0
expect_jq '.stats.files' 200000
expect_jq '[.findings[] | "\(.path):\(.line)"] | join(",")' 'f000000:1,f123456:1,f199999:1'

run bash -c 'ulimit -n 64 && exec "$@"' - "$SFMC" dir -f json --threads 4 "$T/tree"
expect_rc 1 "10k files in 100 directories under ulimit -n 64"
expect_jq '.errors | length' 0
expect_jq '.stats.files' 10000
expect_jq '[.findings[] | .path] | join(",")' 'd099/f99'
finish
