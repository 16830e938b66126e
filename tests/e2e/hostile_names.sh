#!/usr/bin/env bash
# File names with newlines, tabs, ANSI escape sequences and C1 controls: the
# text report and the error lines neutralise them (one line per finding, no
# raw control byte reaches the terminal); JSON keeps the exact name. Device
# nodes, sockets and FIFOs are never opened.
. "$(dirname "$0")/lib.sh"
: "${SFMC_FAULT_LIB:?SFMC_FAULT_LIB must point at the fault-injection shim}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
R="$T/tree"
mkdir "$R"
names=(
	$'new\nline.txt'
	$'tab\there.txt'
	$'\e[2J\e[1;1Hclear.txt'
	$'\e]0;title\acsi.txt'
	$'c1\xc2\x9b31mred.txt'
	$'cr\rreturn.txt'
	$'bidi\xe2\x80\xaetxt.exe'
	$'iso\xe2\x81\xa6late\xe2\x81\xa9.txt'
)
for n in "${names[@]}"; do printf 'k=%s\n' "$(tok)" >"$R/$n"; done

run "$SFMC" dir "$R"
expect_rc 1 "hostile names"
[ "$(wc -l <"$T/out")" -eq "${#names[@]}" ] || fail "text report: expected ${#names[@]} lines, one per finding"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/out" && fail "text report contains a raw control byte"
LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$T/out" && fail "text report contains a raw C1 control"
LC_ALL=C grep -q $'\xe2\x80[\xaa-\xae]\|\xe2\x81[\xa6-\xa9]' "$T/out" && fail "text report contains a raw bidi control"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err" && fail "stderr contains a raw control byte"
expect_out_has 'new\nline.txt:1:3: error:'
expect_out_has 'tab\there.txt:1:3: error:'
expect_out_has '\x1b[2J\x1b[1;1Hclear.txt:1:3: error:'
expect_out_has '\x1b]0;title\x07csi.txt:1:3: error:'
expect_out_has 'c1\u009b31mred.txt:1:3: error:'
expect_out_has 'cr\rreturn.txt:1:3: error:'
expect_out_has 'bidi\u202etxt.exe:1:3: error:'
expect_out_has 'iso\u2066late\u2069.txt:1:3: error:'

# JSON keeps the exact names.
run "$SFMC" dir -f json "$R"
for n in "${names[@]}"; do
	jq -e --arg n "$n" '[.findings[] | .path] | index($n) != null' "$T/out" >/dev/null || fail "JSON lacks the exact name $(printf %q "$n")"
done

# An error about a hostile name is escaped on stderr too.
run env LD_PRELOAD="$SFMC_FAULT_LIB" SFMC_FAULT_INJECT=$'grow:\e[2J\e[1;1Hclear.txt' "$SFMC" dir "$R"
expect_rc 1 "findings and an error"
expect_err_has 'sfmc-scan: error: \x1b[2J\x1b[1;1Hclear.txt: changed size during the scan'
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err" && fail "an error line contains a raw control byte"

# check: an argument with escapes is echoed escaped.
run "$SFMC" check $'\e[31mSFMC_'
expect_rc 1 "check of a non-token"
LC_ALL=C grep -q $'\x1b' "$T/out" && fail "check echoed a raw escape"

# Special files: never opened (a character device reading zeros forever would hang the scan).
mkdir "$T/special"
mkfifo "$T/special/fifo"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/special/sock"
want='fifo=FIFO (not opened),sock=socket (not opened)'
if mknod "$T/special/zero" c 1 5 2>/dev/null; then
	want="$want,zero=device (not opened)"
else
	echo "note: no permission to mknod; the device node case needs root"
fi
run timeout 60 "$SFMC" dir -f json "$T/special"
expect_rc 0 "special files only"
expect_jq '[.skipped[] | "\(.path)=\(.reason)"] | join(",")' "$want"
expect_jq '.stats.files' 0
finish
