# tests/e2e/git_lib.bash - helpers for the git tests, sourced after lib.sh.
# Commits get increasing fixed dates so their order never depends on the clock.
NCOMMIT=0

# gcommit MSG [git commit options...]: commits what is staged, prints nothing.
gcommit() {
	local msg=$1
	shift
	NCOMMIT=$((NCOMMIT + 1))
	GIT_AUTHOR_DATE="@$((1700000000 + NCOMMIT * 60)) +0000" \
	GIT_COMMITTER_DATE="@$((1700000000 + NCOMMIT * 60)) +0000" \
		git commit -q -m "$msg" "$@"
}

# put FILE TEXT MSG: writes TEXT (printf %b) to FILE, stages and commits it; $C is the new commit.
put() {
	mkdir -p "$(dirname "$1")"
	printf '%b' "$2" >"$1"
	git add -- "$1"
	gcommit "$3"
	C=$(git rev-parse HEAD)
}

# at PATH EXPECTED: the "line:column:commit" of every finding at PATH in $T/out.
at() {
	expect_jq "[.findings[] | select(.path == \"$1\") | \"\(.line):\(.column):\(.commit // \"-\")\"] | join(\",\")" \
		"$2" "findings at $1"
}

# badtok: a token whose checksum does not verify (a warning, not an error).
badtok() {
	local t
	t=$(tok)
	case "${t: -1}" in 0) echo "${t%?}1" ;; *) echo "${t%?}0" ;; esac
}
