#!/usr/bin/env bash
# dir on a hostile tree: symlink loops, links out of the tree, a FIFO, a
# non-UTF-8 name, a binary file, hidden/ignored files, .git, size limit,
# and identical JSON whatever the thread count.
. "$(dirname "$0")/lib.sh"
t1=$(tok) t2=$(tok) t3=$(tok) t4=$(tok) out_tok=$(tok)
R="$T/tree"
mkdir -p "$R/sub/deeper" "$R/.hidden" "$R/.git" "$T/outside"
printf 'key=%s\n' "$t1" >"$R/sub/deeper/config.ini"
printf '%s\n' "$out_tok" >"$T/outside/secret.txt"
ln -s "$T/outside/secret.txt" "$R/link-out"            # a file outside the tree
ln -s "$T/outside" "$R/dir-out"                        # a directory outside the tree
ln -s .. "$R/sub/up"                                   # a loop through an ancestor
ln -s self "$R/self"                                   # a link to itself
mkfifo "$R/pipe"                                       # opening it would block
printf 'ignored.txt\n' >"$R/.gitignore"
printf 'x = "%s"\n' "$t2" >"$R/ignored.txt"            # git-ignored: still scanned
printf '%s\n' "$t3" >"$R/.hidden/env"                  # hidden: still scanned
printf '[remote]\n url = %s\n' "$(tok)" >"$R/.git/config" # a repository's store is not scanned as files
mkdir "$R/.git/objects" "$R/.git/refs" && echo 'ref: refs/heads/main' >"$R/.git/HEAD"
name=$(printf 'bad\377\376 name.txt')
printf 'A %s\n' "$t4" >"$R/$name"
printf '\0\1\2\3\377\376\0%s\0\0\211PNG' "$t1" >"$R/blob.bin"

# The FIFO must never be opened: a hang is a failure, not a slow pass.
run timeout 60 "$SFMC" dir -f json "$R"
expect_rc 1 "dir on the hostile tree"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.end_column)"] | join(" ")' \
	".hidden/env:1:1:64 $(printf 'bad\357\277\275\357\277\275 name.txt'):1:3:66 blob.bin:1:8:71 ignored.txt:1:6:69 sub/deeper/config.ini:1:5:68" \
	"findings, sorted by path bytes"
expect_jq '[.skipped[] | "\(.path)=\(.reason)"] | join(",")' \
	'dir-out=symbolic link (not followed),link-out=symbolic link (not followed),pipe=FIFO (not opened),self=symbolic link (not followed),sub/up=symbolic link (not followed)' \
	"skipped entries"
expect_jq '.stats.skipped' 5
expect_jq '.stats.files' 6 "files scanned (.gitignore, ignored.txt, .hidden/env, bad name, blob.bin, config.ini)"
expect_jq '.errors | length' 0
expect_out_lacks "$(printf '%s' "$out_tok" | cut -c1-20)"
# the non-UTF-8 name: exact bytes from path_bytes
jq -r '.findings[] | select(.path_bytes) | .path_bytes' <"$T/out" | base64 -d >"$T/name.got"
printf '%s' "$name" >"$T/name.want"
cmp -s "$T/name.got" "$T/name.want" || fail "path_bytes does not decode to the file name"
expect_jq '[.findings[] | select(.path_bytes)] | length' 1 "only the non-UTF-8 path has path_bytes"

# Text: the same name escaped, editors' path:line:column: level: format.
run timeout 60 "$SFMC" dir "$R"
expect_rc 1 "text report"
expect_out_has 'bad\xff\xfe name.txt:1:3: error: '
expect_out_has 'blob.bin:1:8: error: '
[ "$(grep -c ': error: ' "$T/out")" -eq 5 ] || fail "text report: expected 5 error lines"
LC_ALL=C grep -q $'\377' "$T/out" && fail "text report contains a raw invalid byte"

# The root itself may be a FIFO (read as a stream: dir_special_roots.sh) or a link: links named by the user are followed.
run timeout 60 "$SFMC" dir -f json "$R/link-out" "$R/dir-out"
expect_rc 1 "links named on the command line are followed"
expect_jq '[.findings[] | .path] | join(",")' "$R/dir-out/secret.txt,$R/link-out"

# Paths: relative to a single root (default "."), prefixed by the root when there are several.
mkdir -p "$T/roots/a" "$T/roots/b"
printf '%s\n' "$t1" >"$T/roots/a/x.txt"
printf '%s\n' "$t2" >"$T/roots/b/y.txt"
(cd "$T/roots/a" && "$SFMC" dir -f json) >"$T/out" 2>"$T/err" || true
expect_jq '[.findings[].path] | join(",")' 'x.txt' "dir with no PATH"
(cd "$T/roots" && "$SFMC" dir -f json a b/) >"$T/out" 2>"$T/err" || true
expect_jq '[.findings[].path] | join(",")' 'a/x.txt,b/y.txt' "two roots"
(cd "$T/roots/a" && "$SFMC" dir -f json x.txt) >"$T/out" 2>"$T/err" || true
expect_jq '[.findings[].path] | join(",")' 'x.txt' "a single file as the root"

# --max-file-size: the big file is skipped and reported, not silently dropped.
mkdir "$T/sized"
{ printf '%s\n' "$t1"; head -c 3000 /dev/zero | tr '\0' '.'; } >"$T/sized/big.txt"
printf 'small\n' >"$T/sized/small.txt"
run "$SFMC" dir -f json --max-file-size 1K "$T/sized"
expect_rc 0 "a skipped file does not count as a finding"
expect_jq '.skipped[0].path' big.txt
expect_jq '.skipped[0].reason' 'larger than --max-file-size (3065 > 1024 bytes)'
expect_jq '[.stats.files, .stats.skipped, (.findings | length)] | join(",")' '1,1,0'
run "$SFMC" dir -f json --max-file-size 3065 "$T/sized"
expect_rc 1 "a file exactly at the limit is scanned"
run "$SFMC" dir --max-file-size 10X "$T/sized"
expect_rc 2 "a bad size is a usage error"

# Threads: many files in many directories, the same report for 1 and 4 threads.
for d in 1 2 3 4 5 6 7 8; do
	mkdir -p "$T/many/d$d/e"
	for f in 1 2 3 4 5; do
		printf 'a\n%s %s\n' "$(tok)" "$t2" >"$T/many/d$d/e/f$f"
		printf 'SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd\n' >"$T/many/d$d/w$f"
	done
done
"$SFMC" dir -f json --fail-on never --threads 1 "$T/many" | jq -S 'del(.stats.duration_ms)' >"$T/j1"
"$SFMC" dir -f json --fail-on never --threads 4 "$T/many" | jq -S 'del(.stats.duration_ms)' >"$T/j4"
cmp -s "$T/j1" "$T/j4" || fail "--threads 1 and --threads 4 reports differ"
[ "$(jq '.findings | length' "$T/j1")" -eq 120 ] || fail "expected 120 findings in the many-file tree"
jq -e '[.findings[] | [.path, .line, .column]] | . == sort' "$T/j1" >/dev/null || fail "findings not sorted"
finish
