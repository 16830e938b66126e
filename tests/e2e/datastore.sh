#!/usr/bin/env bash
# --datastore: what a scan records, incremental git runs (same report, no
# blob read twice; other rules rescan), triage (prefixes, reasons, status
# kept across scans, reintroduced), report filters, kill -9 in the middle of
# the write, and two processes on one datastore.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git_lib.bash"

DB=$T/audit.db
git init -q "$T/r"
cd "$T/r"
A=$(tok)
B=$(tok)
put a.env "key=$A\n" "first"
put "dir/<script>b.txt" "k=$B\n" "second"
put c.txt "nothing here\n" "third"
git remote add origin https://user:pw@gitlab.example.com/acme/app.git
cd "$T"

# A run without a datastore is the reference.
run "$SFMC" git r -f json
expect_rc 1 "git"
jq -S '[.findings[] | {path, line, column, commit, rule_id, fingerprint}] | sort_by(.path)' "$T/out" >"$T/ref.json"

run "$SFMC" git r --datastore "$DB" -f json
expect_rc 1 "first run with --datastore"
jq -S '[.findings[] | {path, line, column, commit, rule_id, fingerprint}] | sort_by(.path)' "$T/out" >"$T/first.json"
cmp -s "$T/ref.json" "$T/first.json" || fail "the datastore changed the report"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] || fail "not in WAL mode"
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 2 ] || fail "schema version not 2"
[ "$(sqlite3 "$DB" 'SELECT blobs_scanned, blobs_reused FROM scans')" = "3|0" ] || fail "first run: blobs scanned"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM findings')" = 2 ] || fail "two secrets recorded"
[ "$(sqlite3 "$DB" 'SELECT remote_url FROM repositories')" = "https://gitlab.example.com/acme/app" ] ||
	fail "forge address (without credentials)"
# No whole secret in the file, ever.
sqlite3 "$DB" .dump >"$T/dump.sql"
! grep -qF -- "$A" "$T/dump.sql" || fail "the datastore holds a whole secret"

# Second run: reads no blob, same report.
run "$SFMC" git r --datastore "$DB" -f json
expect_rc 1 "second run"
jq -S '[.findings[] | {path, line, column, commit, rule_id, fingerprint}] | sort_by(.path)' "$T/out" >"$T/second.json"
cmp -s "$T/ref.json" "$T/second.json" || fail "the incremental run's report differs"
expect_err_has "3 blobs scanned before"
[ "$(sqlite3 "$DB" 'SELECT blobs_scanned, blobs_reused FROM scans WHERE id = 2')" = "0|3" ] ||
	fail "second run read blobs again"
# The redacted form is the same.
run "$SFMC" git r --datastore "$DB"
expect_out_has "${A:0:9}…"

# A new commit: only its blob is read.
cd r && put d.txt "more\n" "fourth" && cd ..
run "$SFMC" git r --datastore "$DB" -q
[ "$(sqlite3 "$DB" 'SELECT blobs_scanned, blobs_reused FROM scans WHERE id = 4')" = "1|3" ] ||
	fail "a new blob: $(sqlite3 "$DB" 'SELECT blobs_scanned, blobs_reused FROM scans')"

# Other rules: everything is read again.
cp "$SFMC_SOURCE_DIR/rules/sfmc.yaml" "$T/rules.yaml"
printf '  - id: extra\n    name: extra\n    severity: low\n    regex: "XYZZY[0-9]{8}"\n    keywords: [XYZZY]\n' \
	>>"$T/rules.yaml"
run "$SFMC" git r --datastore "$DB" --rules "$T/rules.yaml" -q
[ "$(sqlite3 "$DB" 'SELECT blobs_scanned, blobs_reused FROM scans ORDER BY id DESC LIMIT 1')" = "4|0" ] ||
	fail "changed rules did not rescan"

# Triage: prefixes, reasons, errors.
FA=$(jq -r '.[] | select(.path == "a.env") | .fingerprint' "$T/first.json")
run "$SFMC" triage "${FA:0:10}" --status rotated --datastore "$DB"
expect_rc 2 "rotated without a reason"
expect_err_has "--reason"
run "$SFMC" triage 00000000 --status accepted --reason x --datastore "$DB"
expect_rc 2 "unknown fingerprint"
expect_err_has "no secret"
run "$SFMC" triage "${FA:0:10}" --status bogus --reason x --datastore "$DB"
expect_rc 2 "bad status"
run "$SFMC" triage "${FA:0:10}" --status rotated --reason "rotated in INC-1" --datastore "$T/none.db"
expect_rc 2 "missing datastore"
[ ! -e "$T/none.db" ] || fail "triage created a datastore"
run "$SFMC" triage "${FA:0:10}" --status rotated --reason "rotated in INC-1" --datastore "$DB"
expect_rc 0 "triage"
expect_out_has "$FA: rotated"

# --fail-on-untriaged: B is still open.
run "$SFMC" git r --datastore "$DB" --fail-on-untriaged -q
expect_rc 1 "one untriaged secret left"
FB=$(jq -r '.[] | select(.path != "a.env") | .fingerprint' "$T/first.json")
run env SFMC_DATASTORE="$DB" "$SFMC" triage "${FB:0:12}" --status false-positive --reason "test fixture"
expect_rc 0 "triage through SFMC_DATASTORE"
run "$SFMC" git r --datastore "$DB" --fail-on-untriaged -q
expect_rc 0 "everything triaged"
run "$SFMC" dir r --fail-on-untriaged
expect_rc 2 "--fail-on-untriaged without --datastore"

# report: filters, formats, status kept across the scans above.
run "$SFMC" report --datastore "$DB" -f json
expect_rc 1 "report"
expect_jq '.findings | length' 2
run "$SFMC" report --datastore "$DB" --status rotated -f jsonl
[ "$(jq -rs 'map(.path) | join(",")' "$T/out")" = a.env ] || fail "report --status"
run "$SFMC" report --datastore "$DB" --repository nowhere -f json
expect_jq '.findings | length' 0 "report --repository"
run "$SFMC" report --datastore "$DB" --since 2030-01-01 -f json
expect_jq '.findings | length' 0 "report --since"
run "$SFMC" report --datastore "$DB" --since 2001-01-01 -f sarif
expect_rc 1 "report sarif"
run "$SFMC" report --datastore "$DB" --since yesterday
expect_rc 2 "bad date"
run "$SFMC" report --datastore "$DB" --show-secrets
expect_rc 2 "report never shows secrets"

# Reintroduced: the rotated secret comes back in a commit made after the triage.
cd r
printf 'again=%s\n' "$A" >e.env
git add e.env
FUT=$(($(date +%s) + 86400))
GIT_AUTHOR_DATE="@$FUT +0000" GIT_COMMITTER_DATE="@$FUT +0000" git commit -qm "oops"
cd ..
run "$SFMC" git r --datastore "$DB" --fail-on-untriaged -q
expect_rc 1 "a reintroduced secret fails again"
run "$SFMC" report --datastore "$DB" --status reintroduced -f json
expect_jq '[.findings[].path] | sort | join(",")' "a.env,e.env" "reintroduced"
expect_jq '[.findings[].triage.status] | unique | join(",")' "reintroduced" "JSON triage status"
run "$SFMC" git r --datastore "$DB" -f json
expect_jq '[.findings[] | "\(.path)=\(.triage.status)"] | sort | join(",")' \
	"a.env=reintroduced,dir/<script>b.txt=false-positive,e.env=reintroduced" "triage in a scan's JSON"
expect_jq '[.findings[] | select(.path | endswith("b.txt")) | .triage.reason] | join(",")' "test fixture" "triage reason"
run "$SFMC" report --datastore "$DB"
expect_err_has "read back 3 locations from the datastore, nothing scanned"
expect_out_has "    triage: reintroduced"
run "$SFMC" git r --datastore "$DB" -f sarif
expect_jq '[.runs[0].results[].properties.triage.status] | sort | join(",")' \
	"false-positive,reintroduced,reintroduced" "triage in SARIF properties"
run "$SFMC" git r --datastore "$DB"
expect_out_has "    triage: false-positive: test fixture"
run "$SFMC" git r -f json
expect_jq '[.findings[] | select(has("triage"))] | length' 0 "no triage without a datastore"

# A --range scan is a part of the history: it adds, never drops, locations.
n=$(sqlite3 "$DB" 'SELECT count(*) FROM locations')
run "$SFMC" git r --datastore "$DB" --range HEAD~1..HEAD -f json
expect_jq '[.findings[].path] | join(",")' "e.env" "--range"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM locations')" = "$n" ] || fail "--range changed the locations"

# kill -9 while the scan's transaction is open: nothing of it is kept.
before=$(sqlite3 "$DB" 'SELECT count(*) FROM scans')
cd r && put f.txt "new\n" "fifth" && cd ..
SFMC_TEST_DATASTORE_STALL_MS=20000 "$SFMC" git r --datastore "$DB" -q >/dev/null 2>"$T/stall.err" &
pid=$!
for _ in $(seq 1 200); do grep -q stalling "$T/stall.err" 2>/dev/null && break; sleep 0.1; done
grep -q stalling "$T/stall.err" || fail "the scan never reached its commit"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after kill -9"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM scans')" = "$before" ] || fail "a killed scan left a row"
run "$SFMC" git r --datastore "$DB" -q
[ "$(sqlite3 "$DB" 'SELECT blobs_scanned FROM scans ORDER BY id DESC LIMIT 1')" = 1 ] ||
	fail "the run after kill -9 did not redo exactly the new blob"

# Two processes: the second waits, then works or says "datastore busy"; never corrupts.
# Under valgrind (SFMC_WRAP) the second process starts slowly: the first holds the lock longer.
stall=3000
[ -z "${SFMC_WRAP:-}" ] || stall=30000
SFMC_TEST_DATASTORE_STALL_MS=$stall "$SFMC" git r --datastore "$DB" -q >/dev/null 2>"$T/one.err" &
pid=$!
for _ in $(seq 1 200); do grep -q stalling "$T/one.err" 2>/dev/null && break; sleep 0.1; done
run env SFMC_DATASTORE_BUSY_MS=200 "$SFMC" git r --datastore "$DB" -q
expect_rc 2 "second writer while the first holds the lock"
expect_err_has "datastore busy"
run env SFMC_DATASTORE_BUSY_MS=200 "$SFMC" report --datastore "$DB" -f json
expect_rc 1 "a reader is not blocked by a writer"
wait "$pid" || [ $? -eq 1 ] || fail "the first writer failed"
"$SFMC" git r --datastore "$DB" -q >/dev/null 2>"$T/one.err" &
pid=$!
set +e
"$SFMC" git r --datastore "$DB" -q >/dev/null 2>"$T/two.err"
echo $? >"$T/two.rc"
wait "$pid"
[ $? -le 1 ] || fail "the first of two concurrent runs failed"
set -e
[ "$(cat "$T/two.rc")" -le 2 ] || fail "concurrent run crashed"
[ "$(cat "$T/two.rc")" != 2 ] || grep -q "datastore busy" "$T/two.err" || fail "concurrent failure is not 'busy'"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after concurrent runs"

# Schema 1 (before blob findings kept their context) is brought to 2; its blobs are read again once.
sqlite3 "$DB" ".backup '$T/v1.db'"
sqlite3 "$T/v1.db" 'ALTER TABLE blob_findings DROP COLUMN context; PRAGMA user_version = 1'
run "$SFMC" git r --datastore "$T/v1.db" -q
expect_rc 1 "a schema 1 datastore"
[ "$(sqlite3 "$T/v1.db" 'PRAGMA user_version')" = 2 ] || fail "schema 1 not migrated"
[ "$(sqlite3 "$T/v1.db" 'SELECT blobs_reused FROM scans ORDER BY id DESC LIMIT 1')" = 0 ] ||
	fail "blobs recorded without context were read back"
[ "$(sqlite3 "$T/v1.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity after the migration"

# A file that is not a datastore: a clear error.
echo "not sqlite" >"$T/bad.db"
run "$SFMC" git r --datastore "$T/bad.db"
expect_rc 2 "not a datastore"
expect_err_has "bad.db"
finish
