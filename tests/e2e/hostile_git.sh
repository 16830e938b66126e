#!/usr/bin/env bash
# Broken and hostile repositories: a truncated pack, a missing object, objects
# whose type lies, .git files pointing elsewhere, link loops in the worktree.
# Each ends in 2 (or 1 when a readable secret was found) with an error naming
# the object, never a crash and never 0.
. "$(dirname "$0")/lib.sh"

# repo DIR: a fresh repository with one commit holding a secret and a plain file.
repo() {
	git init -q "$1"
	printf 'k=%s\n' "$(tok)" >"$1/secret.txt"
	printf 'hello\n' >"$1/plain.txt"
	git -C "$1" add . && git -C "$1" commit -qm one
}
# expect_error TEXT: the JSON report's errors name TEXT, and so does stderr.
expect_error() {
	expect_jq "[.errors[] | .message | contains(\"$1\")] | any" true "error mentions '$1'"
	expect_err_has "$1"
}

# A pack cut short: nothing past the cut can be read.
repo "$T/pack"
for i in 1 2 3; do head -c 3000 /dev/urandom | base64 >"$T/pack/pad$i"; done
git -C "$T/pack" add . && git -C "$T/pack" commit -qm pad && git -C "$T/pack" gc -q
pack=$(ls "$T"/pack/.git/objects/pack/*.pack)
truncate -s $(($(stat -c %s "$pack") - 40)) "$pack"
run timeout 60 "$SFMC" git -f json "$T/pack"
expect_rc 2 "truncated pack"
expect_error "object not found"
expect_jq '.findings | length' 0

# A blob deleted from the object store: the rest is scanned, the hole is an error.
repo "$T/missing"
b=$(git -C "$T/missing" rev-parse HEAD:plain.txt)
rm -f "$T/missing/.git/objects/${b:0:2}/${b:2}"
run timeout 60 "$SFMC" git -f json "$T/missing"
expect_rc 1 "missing object, secret still found"
expect_jq '[.findings[] | .path] | join(",")' secret.txt
expect_jq '[.errors[] | .path] | join(",")' plain.txt
expect_error "cannot read blob $b"

# A loose object rewritten as a tree under the blob's id: the hash check catches it.
repo "$T/rewritten"
b=$(git -C "$T/rewritten" rev-parse HEAD:plain.txt)
python3 -c 'import sys, zlib; body = b"100644 x\0" + b"\1" * 20
open(sys.argv[1], "wb").write(zlib.compress(b"tree %d\0" % len(body) + body))' "$T/x"
chmod u+w "$T/rewritten/.git/objects/${b:0:2}/${b:2}" && mv "$T/x" "$T/rewritten/.git/objects/${b:0:2}/${b:2}"
run timeout 60 "$SFMC" git -f json "$T/rewritten"
expect_rc 1 "object with a lying header"
expect_error "object hash mismatch"

# A tree entry that says blob but names a tree, and a commit whose tree is a blob.
repo "$T/lies"
mkdir "$T/lies/d" && printf 'x\n' >"$T/lies/d/x" && git -C "$T/lies" add . && git -C "$T/lies" commit -qm d
python3 -c 'import sys; sys.stdout.buffer.write(b"100644 lies.txt\0" + bytes.fromhex(sys.argv[1]))' \
	"$(git -C "$T/lies" rev-parse HEAD:d)" >"$T/rawtree"
tree=$(git -C "$T/lies" hash-object -t tree --literally -w "$T/rawtree")
git -C "$T/lies" update-ref refs/heads/lie1 "$(git -C "$T/lies" commit-tree "$tree" -m lie)"
printf 'tree %s\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\nlie\n' \
	"$(git -C "$T/lies" rev-parse HEAD:plain.txt)" >"$T/rawcommit"
git -C "$T/lies" update-ref refs/heads/lie2 "$(git -C "$T/lies" hash-object -t commit --literally -w "$T/rawcommit")"
run timeout 60 "$SFMC" git -f json "$T/lies"
expect_rc 1 "objects whose type lies"
expect_error "is a tree, not a blob"
expect_error "the requested type does not match"
expect_jq '[.findings[] | .path] | join(",")' secret.txt

# .git files: pointing nowhere, at a directory that is no repository, at garbage.
mkdir -p "$T/gitfile/a" "$T/gitfile/b" "$T/gitfile/c" "$T/gitfile/notrepo"
printf 'gitdir: %s\n' "$T/nonexistent" >"$T/gitfile/a/.git"
printf 'gitdir: ../notrepo\n' >"$T/gitfile/b/.git"
printf 'garbage\n' >"$T/gitfile/c/.git"
for d in a b c; do
	for mode in git staged; do
		run timeout 60 "$SFMC" "$mode" -f json "$T/gitfile/$d"
		expect_rc 2 "$mode on a .git file in $d"
		expect_error "not a git repository"
	done
done
# One pointing at a real repository elsewhere is followed, like git does: its secret is found.
mkdir "$T/gitfile/d" && printf 'gitdir: %s\n' "$T/missing/.git" >"$T/gitfile/d/.git"
run timeout 60 "$SFMC" git -f json "$T/gitfile/d"
expect_rc 1 ".git file pointing at another repository"

# Link loops in the worktree and in history: never followed, never hang.
repo "$T/links"
mkdir "$T/links/d"
ln -s . "$T/links/d/self" && ln -s .. "$T/links/d/up"
ln -s loop2 "$T/links/loop1" && ln -s loop1 "$T/links/loop2" && ln -s /etc/passwd "$T/links/out"
git -C "$T/links" add . && git -C "$T/links" commit -qm links
printf 'k=%s\n' "$(tok)" >"$T/links/d/staged.txt" && git -C "$T/links" add d/staged.txt
run timeout 60 "$SFMC" git -f json "$T/links"
expect_rc 1 "git history with link loops"
expect_jq '.errors | length' 0
run timeout 60 "$SFMC" staged -f json "$T/links"
expect_rc 1 "staged with link loops"
expect_jq '[.findings[] | .path] | join(",")' d/staged.txt
run timeout 60 "$SFMC" dir -f json "$T/links"
expect_rc 1 "dir on the worktree with link loops"
expect_jq '[.skipped[] | .path] | join(",")' 'd/self,d/up,loop1,loop2,out'
finish
