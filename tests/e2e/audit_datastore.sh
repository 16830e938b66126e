#!/usr/bin/env bash
# audit --datastore: children writing one SQLite datastore at once (--jobs 2)
# record every repository, a second audit reads no blob, triage and context
# survive the audit JSONL and merge (every format, --group); two `git
# --datastore` processes at once on different repositories (a new file, then
# an existing one) both succeed or one says "datastore busy", and the file
# stays sound; children outwait each other's write transactions.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3"; exit 0; }
cd "$T"

# mkrepo NAME CONTENT: a bare repository NAME.git whose one commit holds s.env = CONTENT.
mkrepo() {
	git init -q "w$1"
	printf '%s\n' "$2" >"w$1/s.env"
	echo "readme $1" >"w$1/README"
	git -C "w$1" add . && git -C "w$1" commit -qm "init $1"
	git init -q --bare "$1.git"
	git -C "w$1" push -q "../$1.git" main
}
shared=$(tok)
mkrepo alpha "$(printf 'SFMC_CLIENT_ID=%s\nSFMC_MID=510001234\nkey=%s' abcdefghijklmnopqrstuvwx "$shared")"
mkrepo beta "$(printf 'SFMC_CLIENT_ID=%s\nkey=%s' betaclientid000000000001 "$(tok)")"
mkrepo gamma "nothing here"
mkrepo delta "copied=$shared"
mkrepo eps "key=$(tok)"
mkrepo zeta "key=$(tok)"
for r in alpha beta gamma delta eps zeta; do echo "$T/$r.git"; done >repos.txt
norm() { sed -E 's/("duration_ms": ?)[0-9]+/\10/g; s/("(start|end)_?[Tt]ime(Utc)?": ?)"[^"]*"/\1""/g' "$@"; }

# First audit, 2 children at once on one new datastore: every repository recorded, every blob read.
DB=$T/audit.db
run timeout 120 "$SFMC" audit --repos repos.txt --jobs 2 --datastore "$DB" -o first.jsonl
expect_rc 1 "first audit with --datastore"
expect_err_has "6 repositories, 0 not scanned completely"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM repositories')" = 6 ] || fail "6 repositories recorded"
[ "$(sqlite3 "$DB" 'SELECT count(*), sum(blobs_scanned), sum(blobs_reused) FROM scans')" = "6|12|0" ] ||
	fail "first audit: $(sqlite3 "$DB" 'SELECT count(*), sum(blobs_scanned), sum(blobs_reused) FROM scans')"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM findings')" = 4 ] || fail "4 secrets recorded"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after the first audit"
[ "$(jq -s '[.[] | select(.type == "finding") | .triage.status] | unique | join(",")' first.jsonl)" = '"open"' ] ||
	fail "first audit: every finding's triage is open"

# Triage the shared secret; the second audit reads no blob and shows the triage.
fp=$(jq -r --arg r "$T/alpha.git" 'select(.type == "finding" and .repository == $r) | .fingerprint' first.jsonl)
run "$SFMC" triage "${fp:0:12}" --status rotated --reason 'INC-7: rotated <b>now</b>' --datastore "$DB"
expect_rc 0 "triage"
run timeout 120 "$SFMC" audit --repos repos.txt --jobs 2 --datastore "$DB" -o second.jsonl
expect_rc 1 "second audit"
[ "$(sqlite3 "$DB" 'SELECT count(*), sum(blobs_scanned), sum(blobs_reused) FROM scans WHERE id > 6')" = "6|0|12" ] ||
	fail "second audit read blobs: $(sqlite3 "$DB" 'SELECT id, blobs_scanned, blobs_reused FROM scans')"
cmp -s <(jq -c 'select(.type == "finding") | del(.triage)' first.jsonl) \
	<(jq -c 'select(.type == "finding") | del(.triage)' second.jsonl) || fail "the second audit's findings differ (besides triage)"
tri() { jq -r --arg r "$T/$2.git" 'select(.type == "finding" and .repository == $r) | "\(.triage.status)|\(.triage.reason)"' "$1"; }
[ "$(tri second.jsonl alpha)" = "rotated|INC-7: rotated <b>now</b>" ] || fail "alpha: $(tri second.jsonl alpha)"
[ "$(tri second.jsonl delta)" = "rotated|INC-7: rotated <b>now</b>" ] || fail "delta: $(tri second.jsonl delta)"
[ "$(tri second.jsonl beta)" = "open|null" ] || fail "beta: $(tri second.jsonl beta)"

# merge reads triage and context back: JSONL byte for byte, json, text, --group, html.
run "$SFMC" merge second.jsonl -o merged.jsonl
expect_rc 1 "merge"
cmp -s second.jsonl merged.jsonl || fail "merge changed the audit's JSONL (triage or context lost?)"
[ "$(jq -r --arg r "$T/alpha.git" 'select(.type == "finding" and .repository == $r) | "\(.context.client_id.value) \(.context.account_id.value)"' merged.jsonl)" = \
	"abcdefghijklmnopqrstuvwx 510001234" ] || fail "merge kept the context"
run "$SFMC" merge second.jsonl -f json
expect_jq '[.findings[] | select(.triage.status == "rotated") | .repository] | sort | join(" ")' "$T/alpha.git $T/delta.git"
expect_jq '[.findings[] | select(.triage.status == "open")] | length' 3
run "$SFMC" merge second.jsonl -f text
expect_out_has "triage: rotated: INC-7: rotated <b>now</b>"
expect_out_has "client id abcdefghijklmnopqrstuvwx (line 1)"
run "$SFMC" merge second.jsonl --group -f json
expect_jq '[.groups[] | select(.repositories | length == 2) | .locations[].triage.status] | join(",")' "rotated,rotated"
expect_jq '[.groups[].contexts[]?.client_id] | map(select(. != null)) | sort | join(",")' \
	abcdefghijklmnopqrstuvwx,betaclientid000000000001
run "$SFMC" merge second.jsonl -f html -o merged.html
expect_rc 1 "merge -f html"
grep -qF 'class="s-rotated"' merged.html || fail "html: the rotated status"
grep -qF 'INC-7: rotated &lt;b&gt;now&lt;/b&gt;' merged.html || fail "html: the reason, escaped"
grep -qF 'betaclientid000000000001' merged.html || fail "html: the client id"
! grep -qF "$shared" merged.jsonl merged.html "$T/out" || fail "a secret was printed whole"
# A triage that is not one: FILE:LINE.
sed '2s/"status":"rotated"/"status":"done"/' second.jsonl >badtriage.jsonl
run "$SFMC" merge badtriage.jsonl
expect_rc 2 "a bad triage status"
expect_err_has 'badtriage.jsonl:2: bad "triage"'

# Children outwait each other: each holds the write lock 6 s, longer than a
# lone scan waits (5 s); both are recorded.
printf '%s\n' "$T/beta.git" "$T/gamma.git" >two.txt
run timeout 120 env SFMC_TEST_DATASTORE_STALL_MS=6000 "$SFMC" audit --repos two.txt --jobs 2 --datastore "$T/slow.db" -q
expect_rc 1 "children that wait for each other's write"
expect_err_lacks "datastore busy"
[ "$(sqlite3 "$T/slow.db" 'SELECT count(*) FROM repositories')" = 2 ] || fail "both children recorded"
# SFMC_DATASTORE_BUSY_MS still wins: a short wait makes one child fail, named.
run timeout 120 env SFMC_TEST_DATASTORE_STALL_MS=3000 SFMC_DATASTORE_BUSY_MS=200 "$SFMC" audit --repos two.txt --jobs 2 \
	--datastore "$T/slow2.db" -q -o busy.jsonl
expect_rc 2 "SFMC_DATASTORE_BUSY_MS=200"
expect_err_has "datastore busy"
[ "$(jq -s '[.[] | select(.type == "repository" and .status == "error")] | length' busy.jsonl)" = 1 ] ||
	fail "one repository in error"
[ "$(sqlite3 "$T/slow2.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity after a busy child"

# Two `git --datastore` processes at once on different repositories, on a new file (10 rounds: two
# processes making one file used to race into an immediate "busy" on the WAL switch) and then on an
# existing one. Each succeeds (1: findings); "datastore busy" (2) is accepted only under SFMC_WRAP
# (valgrind), where a write can outlast the 5 s wait. The file stays sound.
for round in $(seq 1 12); do
	db=$T/same$((round > 10 ? 0 : round)).db
	"$SFMC" git --datastore "$db" -q "$T/beta.git" >/dev/null 2>"$T/p1.err" &
	p1=$!
	set +e
	"$SFMC" git --datastore "$db" -q "$T/eps.git" >/dev/null 2>"$T/p2.err"
	r2=$?
	wait "$p1"
	r1=$?
	set -e
	for k in 1 2; do
		r=$([ $k = 1 ] && echo "$r1" || echo "$r2")
		case $r in
		1) ;;
		2) [ -n "${SFMC_WRAP:-}" ] && grep -q "datastore busy" "$T/p$k.err" ||
			fail "round $round: process $k failed: $(cat "$T/p$k.err")" ;;
		*) fail "round $round: process $k exited $r: $(cat "$T/p$k.err")" ;;
		esac
	done
	[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "round $round: integrity"
	[ -n "${SFMC_WRAP:-}" ] || [ "$(sqlite3 "$db" 'SELECT count(*) FROM repositories')" = 2 ] ||
		fail "round $round: both repositories recorded"
done
finish
