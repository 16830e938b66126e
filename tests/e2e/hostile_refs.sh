#!/usr/bin/env bash
# Refs that cannot be read: an empty or garbage branch file, a bad
# packed-refs line, HEAD holding garbage, refs/heads unreadable by the
# scanning user. Each is an error naming the ref (exit 2 with --fail-on
# never) while every other ref is still scanned: never "clean, 0 blobs".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

# base DIR: main with a secret, a branch "other" and a tag "t" with secrets of their own, a branch "broken".
base() {
	git init -q "$1" && cd "$1"
	put main.txt "k=$(tok)\n" main
	git branch broken
	git checkout -q -b other && put other.txt "k=$(tok)\n" other
	git tag t && git checkout -q main
}
# scanned: the secrets of main and other were found.
scanned() {
	expect_jq '[.findings[] | .path] | sort | join(",")' main.txt,other.txt "the readable refs' secrets ($1)"
}
# names_ref WHAT: an error's path or message names WHAT.
names_ref() {
	expect_jq "[.errors[] | (.path + \" \" + .message) | contains(\"$1\")] | any" true "error names $1"
}
scan() { run timeout 60 "$SFMC" git -f json --fail-on never "$@"; }

base "$T/empty"
: >.git/refs/heads/broken
scan .
expect_rc 2 "empty branch file"
names_ref refs/heads/broken
scanned empty

base "$T/garbage"
echo 'not a ref at all' >.git/refs/heads/broken
scan .
expect_rc 2 "garbage branch file"
names_ref refs/heads/broken
scanned garbage

base "$T/packed"
git pack-refs --all
printf 'this line is garbage\n' >>.git/packed-refs
scan .
expect_rc 2 "bad packed-refs line"
names_ref packed-refs
scanned packed

base "$T/head"
echo 'garbage' >.git/HEAD
scan "$T/head/.git"
expect_rc 2 "garbage HEAD"
names_ref HEAD

# A dangling symbolic ref and an unborn HEAD stay what they are: nothing to scan, no error.
base "$T/unborn"
git symbolic-ref HEAD refs/heads/nothing-yet
scan .
expect_rc 0 "unborn HEAD"
expect_jq '.errors | length' 0 "no error for an unborn HEAD"

# refs/heads and the stash's reflog unreadable by the (non-root) scanning user.
if [ "$(id -u)" -ne 0 ]; then
	echo "not root: the unreadable-ref case needs another user to run as; skipped"
elif ! command -v setpriv >/dev/null && ! command -v runuser >/dev/null; then
	echo "neither setpriv nor runuser: the unreadable-ref case is skipped"
else
	base "$T/perm/r"
	echo "k=$(tok)" >stashed.txt && git add stashed.txt && git stash -q
	chmod 755 "$T" "$T/perm"
	chown -R nobody "$T/perm/r" # libgit2 refuses a repository its user does not own
	chmod 000 .git/refs/heads .git/logs/refs/stash
	if command -v setpriv >/dev/null; then
		as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	else
		as_nobody=(runuser -u nobody --)
	fi
	run timeout 60 "${as_nobody[@]}" env HOME=/ "$SFMC" git -f json --fail-on never .
	expect_rc 2 "unreadable refs/heads"
	names_ref refs/heads
	names_ref refs/stash
	expect_jq '[.findings[] | .path] | sort | join(",")' main.txt,other.txt,stashed.txt "the tag's and the stash's secrets are still found"
	chmod 755 .git/refs/heads .git/logs/refs/stash
fi
finish
