#!/usr/bin/env bash
# One secret at one place is one finding (issue 13 item 3): a base64 value
# in a file that also holds a percent- or escape-encoded keyword is found by
# the base64 decoder and again inside the percent/escape window; it must be
# reported once, as `base64` (the fewest layers), in stdin, dir and git
# modes alike, and be one SARIF result.
. "$(dirname "$0")/lib.sh"
b64() { printf '%s' "$1" | base64 -w0; }

mkdir "$T/repo"
git -C "$T/repo" init -q
declare -A TOK
i=0
for near in 'see SFMC%5Fdocs' 'see SFMC\x5Fdocs' 'see SFMC\u005fdocs'; do
	for order in before after; do
		i=$((i + 1))
		TOK[$i]=$(tok)
		if [ $order = before ]; then
			printf '%s\nv: %s\n' "$near" "$(b64 "${TOK[$i]}")" >"$T/repo/f$i.txt"
		else
			printf 'v: %s\n%s\n' "$(b64 "${TOK[$i]}")" "$near" >"$T/repo/f$i.txt"
		fi
	done
done
git -C "$T/repo" add -A
git -C "$T/repo" commit -qm "encoded config"

# path:line:column:encoding of each finding, sorted.
want=$(for f in 1 2 3 4 5 6; do
	[ $((f % 2)) = 1 ] && echo "f$f.txt:2:4:base64" || echo "f$f.txt:1:4:base64"
done | sort | tr '\n' ' ')
places='[.findings[] | "\(.path | sub(".*/"; "")):\(.line):\(.column):\(.encoding)"] | sort | join(" ") + " "'

run "$SFMC" dir -f json "$T/repo"
expect_rc 1 "dir"
expect_jq "$places" "$want" "dir: one base64 finding per file"

run "$SFMC" git -f json "$T/repo"
expect_rc 1 "git"
expect_jq "$places" "$want" "git: one base64 finding per file"

run "$SFMC" git -f sarif "$T/repo"
expect_rc 1 "git sarif"
expect_jq '[.runs[].results[]] | length' 6 "git: one SARIF result per secret"

run "$SFMC" dir -f sarif "$T/repo"
expect_rc 1 "dir sarif"
expect_jq '[.runs[].results[]] | length' 6 "dir: one SARIF result per secret"

for f in 1 2 3 4 5 6; do
	run "$SFMC" stdin -f json <"$T/repo/f$f.txt"
	expect_rc 1 "stdin f$f"
	expect_jq '[.findings[].encoding] | join(" ")' base64 "stdin f$f: one base64 finding"
	fp=$(printf '%s' "${TOK[$f]}" | sha256sum | cut -d' ' -f1)
	expect_jq ".findings[0].fingerprint" "$fp" "stdin f$f: the file's token"
done
finish
