#!/usr/bin/env bash
# A 2 GiB sparse file: scanned whole in 8 MiB chunks with bounded memory
# (peak RSS measured by /usr/bin/time), secrets found across a chunk edge and
# at the very end; with --max-file-size it is skipped and reported instead.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || { echo "FAIL: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
mkdir "$T/sparse"
f="$T/sparse/big.bin"
truncate -s 2G "$f"
t1=$(tok) t2=$(tok)
chunk=$((8 << 20)) # SFMC_CHUNK_SIZE
printf 'x=%s\n' "$t1" | dd of="$f" bs=1 seek=$((chunk - 30)) conv=notrunc status=none
printf '\nk=%s\n' "$t2" | dd of="$f" bs=1 seek=$(((2 << 30) - 100)) conv=notrunc status=none
[ "$(stat -c %s "$f")" -eq $((2 << 30)) ] || fail "the file is not 2 GiB"

run /usr/bin/time -o "$T/rss" -f '%M' "$SFMC" dir -f json "$T/sparse"
expect_rc 1 "2 GiB sparse file"
expect_jq '.stats.bytes' $((2 << 30)) "every byte read"
expect_jq '[.findings[] | "\(.line):\(.column)"] | join(",")' "1:$((chunk - 30 + 3)),3:3"
expect_jq '.errors | length' 0
rss_kb=$(tail -n 1 "$T/rss")
echo "peak RSS scanning 2 GiB: $rss_kb KiB"
limit_kb=65536
case "$(ldd "$SFMC" 2>/dev/null)" in *libasan*) limit_kb=$((1024 * 1024)) ;; esac # ASan's shadow memory and quarantine (not `| grep -q`: SIGPIPE under pipefail)
[ "$rss_kb" -lt "$limit_kb" ] || fail "peak RSS $rss_kb KiB, expected under $limit_kb KiB"

run "$SFMC" dir -f json --max-file-size 1G "$T/sparse"
expect_rc 0 "skipped as too large"
expect_jq '[.skipped[] | "\(.path)=\(.reason)"] | join(",")' \
	"big.bin=larger than --max-file-size (2147483648 > 1073741824 bytes)"
expect_jq '[.stats.files, .stats.bytes, .stats.skipped, (.findings | length)] | join(",")' '0,0,1,0'
run "$SFMC" dir --max-file-size 1G "$T/sparse"
expect_err_has '1 skipped'
finish
