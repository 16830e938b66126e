#!/usr/bin/env bash
# Archives and compressed files, recognised by their first bytes, in every
# mode (dir, git, staged, stdin): members under "outer!member" paths, line and
# column in the member, a secret seen raw and in a member reported once,
# nested archives (a docker save image), --archive-depth, and what is not
# read (bombs, damage, encryption) listed in skipped, bounded in time and memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

# payload DIR NAME: DIR/NAME holds a fresh token on line 2, column 10; the token in $P.
payload() {
	P=$(tok)
	mkdir -p "$(dirname "$1/$2")"
	printf 'a=1\nSFMC_KEY=%s\n' "$P" >"$1/$2"
}

K="$T/kinds"
W="$T/work"
mkdir -p "$K" "$W"
declare -a PATHS=()
# expect PATH: a finding at PATH, line 2, column 10.
expect() { PATHS+=("$1"); }

payload "$W/zip" etc/app.env && (cd "$W/zip" && zip -q -r "$K/app.zip" etc) && expect 'app.zip!etc/app.env'
payload "$W/stored" app.env && (cd "$W/stored" && zip -q -0 "$K/stored.zip" app.env) && expect 'stored.zip!app.env'
payload "$W/jar" BOOT-INF/classes/application.properties &&
	(cd "$W/jar" && zip -q -r "$K/app.jar" BOOT-INF) && expect 'app.jar!BOOT-INF/classes/application.properties'
payload "$W/whl" pkg/config.py && python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2], "pkg/config.py")' "$K/pkg.whl" "$W/whl/pkg/config.py" && expect 'pkg.whl!pkg/config.py'
payload "$W/tar" etc/app.env && tar cf "$K/plain.tar" -C "$W/tar" etc && expect 'plain.tar!etc/app.env'
for c in gz bz2 xz zst lz4; do
	payload "$W/t$c" etc/app.env
	case $c in
	gz) tar czf "$K/app.tar.gz" -C "$W/t$c" etc ;;
	bz2) tar cjf "$K/app.tar.bz2" -C "$W/t$c" etc ;;
	xz) tar cJf "$K/app.tar.xz" -C "$W/t$c" etc ;;
	zst) tar cf - -C "$W/t$c" etc | zstd -q -c >"$K/app.tar.zst" ;;
	lz4) tar cf - -C "$W/t$c" etc | lz4 -q -c >"$K/app.tar.lz4" ;;
	esac
	expect "app.tar.$c!etc/app.env"
done
payload "$W/raw" big.env
gzip -c "$W/raw/big.env" >"$K/big.env.gz" && expect 'big.env.gz!big.env'
payload "$W/raw" big2.env && xz -c "$W/raw/big2.env" >"$K/big2.env.xz" && expect 'big2.env.xz!big2.env'
payload "$W/raw" big3.env && bzip2 -c "$W/raw/big3.env" >"$K/big3.env.bz2" && expect 'big3.env.bz2!big3.env'
payload "$W/raw" big4.env && zstd -q -c "$W/raw/big4.env" >"$K/big4.env.zst" && expect 'big4.env.zst!big4.env'
# Zero blocks first: libarchive reads that as an empty tar; it is a compressed file all the same.
P=$(tok) && (head -c 4096 /dev/zero && printf '\nSFMC_KEY=%s\n' "$P") | gzip -c >"$K/zeros.bin.gz" &&
	expect 'zeros.bin.gz!zeros.bin'
payload "$W/7z" app.env && (cd "$W/7z" && 7z a -bd -bso0 -bsp0 "$K/app.7z" app.env) && expect 'app.7z!app.env'
payload "$W/cpio" app.env && (cd "$W/cpio" && echo app.env | cpio -o -H newc --quiet >"$K/app.cpio") &&
	expect 'app.cpio!app.env'
payload "$W/ar" app.env && (cd "$W/ar" && ar rc "$K/app.a" app.env) && expect 'app.a!app.env'
# A fake `docker save` image: a tar holding a gzipped layer tar holding etc/app.env.
payload "$W/layer" etc/app.env
tar czf "$W/layer.tar.gz" -C "$W/layer" etc
SHA=$(sha256sum "$W/layer.tar.gz" | cut -c1-64)
mkdir -p "$W/img/blobs/sha256" && cp "$W/layer.tar.gz" "$W/img/blobs/sha256/$SHA"
echo "[{\"Layers\":[\"blobs/sha256/$SHA\"]}]" >"$W/img/manifest.json"
tar cf "$K/image.tar" -C "$W/img" blobs manifest.json
DOCKER="image.tar!blobs/sha256/$SHA!etc/app.env" && expect "$DOCKER"
N=${#PATHS[@]}

# check MODE: every expected path once, at 2:10, and nothing else.
check() {
	expect_jq '.findings | length' "$N" "$1: one finding per archive"
	for p in "${PATHS[@]}"; do
		expect_jq "[.findings[] | select(.path == \"$p\") | \"\(.line):\(.column)\"] | join(\",\")" 2:10 "$1: $p"
	done
}

run "$SFMC" dir -f json "$K"
expect_rc 1 "dir"
check dir
expect_jq ".findings[] | select(.path == \"$DOCKER\") | .archive_path | join(\"|\")" \
	"image.tar|blobs/sha256/$SHA|etc/app.env" "archive_path of the nested member"
expect_jq '.skipped | length' 0 "dir: nothing skipped"
run "$SFMC" dir --archive-depth 1 -f json "$K"
expect_jq "[.findings[] | select(.path | startswith(\"image.tar\"))] | length" 0 "depth 1: the layer is not opened"
expect_jq '[.skipped[] | .path + " " + .reason] | join(",")' \
	"image.tar!blobs/sha256/$SHA archive limit: nested deeper than --archive-depth, not opened" "depth 1: skipped"
run "$SFMC" dir --archive-depth 0 -q "$K/big.env.gz"
expect_rc 0 "--archive-depth 0 finds nothing in a .gz"

# git history: commit and blob are the outer file's.
git init -q "$T/repo" && cd "$T/repo"
cp -r "$K"/. . && git add . && gcommit archives
C=$(git rev-parse HEAD)
run "$SFMC" git -f json .
expect_rc 1 "git"
check git
expect_jq "[.findings[] | .commit == \"$C\"] | all" true "git: the outer file's commit"
expect_jq ".findings[] | select(.path == \"app.zip!etc/app.env\") | .blob" "$(git rev-parse HEAD:app.zip)" "git: blob"

# staged: the index's blobs.
git init -q "$T/staged" && cd "$T/staged"
cp -r "$K"/. . && git add .
run "$SFMC" staged -f json .
expect_rc 1 "staged"
check staged
cd "$T"

# stdin: a pipe is copied aside when it is an archive.
for p in "${PATHS[@]}"; do
	f=${p%%!*}
	run bash -c 'cat "$1" | exec "$2" stdin --label "$3" -f json' - "$K/$f" "$SFMC" "$f"
	expect_rc 1 "stdin $f"
	expect_jq "[.findings[] | select(.path == \"$p\") | \"\(.line):\(.column)\"] | join(\",\")" 2:10 "stdin: $p"
done

# stdin redirected from a regular file (read again, not copied), also from past its start.
run bash -c 'exec "$1" stdin --label app.jar -f json <"$2"' - "$SFMC" "$K/app.jar"
expect_jq '[.findings[] | .path] | join(",")' 'app.jar!BOOT-INF/classes/application.properties' "stdin < file"
(echo header && cat "$K/app.7z") >"$T/prefixed"
run bash -c '{ read -r _; exec "$1" stdin --label app.7z -f json; } <"$2"' - "$SFMC" "$T/prefixed"
expect_jq '[.findings[] | .path] | join(",")' 'app.7z!app.env' "stdin < file, past its start"

cd "$T"
# Encrypted member: skipped, named; --fail-on-skipped makes it exit 2.
payload "$W/enc" app.env && (cd "$W/enc" && zip -q -P secret "$T/enc.zip" app.env)
run "$SFMC" dir -f json enc.zip
expect_rc 0 "encrypted zip"
expect_jq '.skipped[0].path + " " + .skipped[0].reason' "enc.zip!app.env encrypted archive member: not read"
run "$SFMC" dir -q --fail-on-skipped enc.zip
expect_rc 2 "--fail-on-skipped"

# Truncated tar.gz: the first member is still found, the damage is listed.
payload "$W/trunc" a.env
head -c 3000000 /dev/urandom | base64 >"$W/trunc/b.txt"
tar czf "$W/full.tar.gz" -C "$W/trunc" a.env b.txt
head -c $(($(stat -c %s "$W/full.tar.gz") / 2)) "$W/full.tar.gz" >"$T/trunc.tar.gz"
# bounded SECONDS ARGS...: in time, and in memory (address space) unless under ASan or a SFMC_WRAP.
limit='ulimit -v 2097152'
if [ -n "${SFMC_WRAP:-}" ] || grep -qa __asan_init "$SFMC"; then limit=:; fi
bounded() { run bash -c "$limit"'; exec timeout "$@"' - "$@"; }
bounded 60 "$SFMC" dir -f json --threads 2 trunc.tar.gz
expect_rc 1 "truncated tar.gz"
expect_jq '.findings[0].path + ":" + (.findings[0].line | tostring)' "trunc.tar.gz!a.env:2"
expect_jq '[.skipped[] | select(.path == "trunc.tar.gz!b.txt" and (.reason | startswith("damaged archive")))] | length' 1

# A zip whose central directory names the same data 2000 times (overlapping entries).
python3 - "$W/trunc/a.env" "$T/overlap.zip" <<'EOF'
import struct, sys, zipfile, io
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.env", open(sys.argv[1], "rb").read() + b"x" * 100000)
data = buf.getvalue()
eocd = data.rindex(b"PK\5\6")
cd_size, cd_off = struct.unpack("<II", data[eocd + 12:eocd + 20])
cd = data[cd_off:cd_off + cd_size]
n = 2000
out = data[:cd_off] + cd * n + struct.pack("<4s4H2IH", b"PK\5\6", 0, 0, n, n, cd_size * n, cd_off, 0)
open(sys.argv[2], "wb").write(out)
EOF
bounded 60 "$SFMC" dir -f json overlap.zip
[ "$rc" -le 2 ] || fail "overlapping zip: exit $rc"
expect_jq '[.findings[] | select(.path | startswith("overlap.zip!"))] | length > 0' true "overlapping zip: found"

if [ -z "${SFMC_WRAP:-}" ]; then # valgrind would take minutes over a gigabyte
	# A gzip bomb: a token, then 1 GB of zeros, streamed (memory stays bounded).
	payload "$W/bomb" bomb
	(cat "$W/bomb/bomb" && head -c 1000000000 /dev/zero) | gzip -1 >"$T/bomb.gz"
	bounded 120 "$SFMC" dir -f json bomb.gz
	expect_rc 1 "gzip bomb"
	expect_jq '.findings[0].path' "bomb.gz!bomb"
	expect_jq '.skipped[0].path' "bomb.gz!bomb"
	expect_jq '.skipped[0].reason | contains("times its size")' true "gzip bomb: ratio"
	# 42.zip-style: zips of zips of zeros, 8 wide and 4 deep (within --archive-depth).
	python3 - "$T/nested.zip" <<'EOF'
import io, sys, zipfile
def z(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as f:
        for name, data in members:
            f.writestr(name, data)
    return b.getvalue()
data = z([("zeros.bin", b"\0" * (64 << 20))])
for level in range(3):
    data = z([("l%d_%d.zip" % (level, i), data) for i in range(8)])
open(sys.argv[1], "wb").write(data)
EOF
	[ "$(stat -c %s "$T/nested.zip")" -lt 4000000 ] || fail "nested.zip is not small"
	bounded 120 "$SFMC" dir -f json --fail-on-skipped nested.zip
	expect_rc 2 "nested bomb: skipped, --fail-on-skipped"
	expect_jq '[.skipped[] | .reason | startswith("archive limit")] | any' true "nested bomb: a limit"
fi
finish
