#!/usr/bin/env bash
# A commit git accepts but libgit2 refuses (author date "unknown", no author
# line) must not hide the history behind it: its tree and parents are read
# by sfmc-scan's own parser, the older secret is found with its own commit's
# attribution, and the unparseable metadata is reported in errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

# bad_commit HEADER_LINES: a commit on top of HEAD with those author/committer lines; prints its id.
bad_commit() {
	printf 'tree %s\nparent %s\n%b\nbad metadata\n' "$(git rev-parse HEAD^{tree})" "$(git rev-parse HEAD)" "$1" |
		git hash-object -t commit --literally -w --stdin
}

for kind in unknown-date no-author; do
	git init -q "$T/$kind" && cd "$T/$kind"
	put old.txt "k=$(tok)\n" "old secret"
	old=$C
	put plain.txt "hello\n" "plain"
	case $kind in
	unknown-date) lines='author A U Thor <a@example.com> unknown +0000\ncommitter C <c@example.com> 1700000500 +0000' ;;
	no-author) lines='committer C <c@example.com> 1700000500 +0000' ;;
	esac
	bad=$(bad_commit "$lines")
	git update-ref refs/heads/main "$bad"
	[[ $(git log -p) == *k=SFMC_* ]] || fail "git log -p shows the old secret ($kind)"
	for threads in 1 2; do
		run timeout 60 "$SFMC" git -f json --threads "$threads" .
		expect_jq "[.findings[] | \"\(.path):\(.commit)\"] | join(\",\")" "old.txt:$old" "older secret found, attributed ($kind)"
		expect_jq '[.findings[] | .summary] | join(",")' "old secret" "older secret's summary ($kind)"
		expect_jq "[.errors[] | (.path + \" \" + .message) | contains(\"$bad\")] | any" true "metadata problem named ($kind)"
		expect_jq '[.errors[] | .message | startswith("warning:")] | all' true "reported as a warning ($kind)"
	done
	run timeout 60 "$SFMC" git -f json --fail-on never .
	expect_rc 2 "the warning keeps exit 2 ($kind)"
done
finish
