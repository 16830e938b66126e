#!/usr/bin/env bash
# audit --verify against the loopback mock of verify.sh (tests/e2e/verify_mock.py,
# HTTPS with a CA made here): two repositories holding the same live
# credential, each child verifies it (one request per distinct credential per
# repository), the statuses survive the audit JSONL, merge (jsonl, json, text,
# --group), --fail-on live on audit and merge, and no --verify sends nothing.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "skip: openssl/python3"; exit 0; }
cd "$T"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=testca" -keyout testca.key -out testca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=*.auth.marketingcloudapis.com" \
	-keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=DNS:*.auth.marketingcloudapis.com\n' >ext
openssl x509 -req -in srv.csr -CA testca.pem -CAkey testca.key -CAcreateserial -days 2 -extfile ext -out srv.pem 2>/dev/null

TOKEN="tok$(openssl rand -hex 16)"
LOG="$T/requests.log"
: >"$LOG"
timeout 300 python3 "$SFMC_SOURCE_DIR/tests/e2e/verify_mock.py" srv.pem srv.key port "$LOG" "$TOKEN" &
MOCK=$!
trap 'kill $MOCK 2>/dev/null; wait $MOCK 2>/dev/null || true; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { fail "mock server did not start"; finish; }
PORT=$(cat port)
V=(--verify --verify-cacert "$T/testca.pem" --verify-connect-to "127.0.0.1:$PORT" --verify-timeout 5)

sub() { printf 'mc%026d' "$1"; }
cid() { printf '%s%0*d' "$1" $((24 - ${#1})) "$2"; }
# mkrepo NAME CLIENT_ID SUBDOMAIN SECRET: a bare repository whose one commit holds .env with the triple.
mkrepo() {
	git init -q "w$1"
	printf 'SFMC_CLIENT_ID=%s\nSFMC_AUTH_BASE_URI=https://%s.auth.marketingcloudapis.com/\nSFMC_CLIENT_SECRET=%s\n' \
		"$2" "$3" "$4" >"w$1/.env"
	git -C "w$1" add . && git -C "w$1" commit -qm "init $1"
	git init -q --bare "$1.git"
	git -C "w$1" push -q "../$1.git" main
}
LIVE=$(tok)
BAD=$(tok)
mkrepo one "$(cid live 1)" "$(sub 1)" "$LIVE"
mkrepo two "$(cid live 1)" "$(sub 1)" "$LIVE"
mkrepo three "$(cid invalid 2)" "$(sub 2)" "$BAD"
printf '%s\n' "$T/one.git" "$T/two.git" "$T/three.git" >repos.txt
printf '%s\n' "$T/three.git" >invalid.txt

# Without --verify: no request, no verification; the options that need it say so.
run timeout 120 "$SFMC" audit --repos repos.txt -q -o plain.jsonl
expect_rc 1 "audit without --verify"
[ "$(jq -s '[.[] | select(.type == "finding" and .verification)] | length' plain.jsonl)" = 0 ] ||
	fail "verification without --verify"
[ "$(jq -s '[.[] | select(.type == "finding")][0].context.client_id.value' plain.jsonl)" = "\"$(cid live 1)\"" ] ||
	fail "context is found offline"
for opt in "--fail-on live" "--verify-jobs 2" "--verify-rate 1" "--verify-timeout 3" "--verify-cacert x.pem" \
	"--verify-connect-to 127.0.0.1:1"; do
	# shellcheck disable=SC2086
	run "$SFMC" audit --repos repos.txt $opt
	expect_rc 2 "audit $opt without --verify"
	expect_err_has "needs --verify"
done
run "$SFMC" audit --repos repos.txt --verify --verify-connect-to 10.0.0.1:443
expect_rc 2 "audit: non-loopback --verify-connect-to"
[ ! -s "$LOG" ] || fail "requests without --verify: $(cat "$LOG")"

# --verify: every child asks; the live credential once per repository that holds it.
run timeout 120 "$SFMC" audit --repos repos.txt "${V[@]}" -o audit.jsonl
expect_rc 1 "audit --verify"
expect_err_has "verification: 2 live, 1 invalid, 0 unknown, 0 unverifiable"
st() { jq -r --arg r "$T/$2.git" 'select(.type == "finding" and .repository == $r) | .verification | "\(.status)|\(.http_status)|\(.reason != null)"' "$1"; }
[ "$(st audit.jsonl one)" = "live|200|true" ] || fail "one: $(st audit.jsonl one)"
[ "$(st audit.jsonl two)" = "live|200|true" ] || fail "two: $(st audit.jsonl two)"
[ "$(st audit.jsonl three)" = "invalid|401|true" ] || fail "three: $(st audit.jsonl three)"
[ "$(grep -c "^$(sub 1).auth.marketingcloudapis.com $(cid live 1) " "$LOG")" = 2 ] ||
	fail "the live credential: one request per repository expected: $(cat "$LOG")"
[ "$(wc -l <"$LOG")" = 3 ] || fail "3 requests expected: $(cat "$LOG")"
for s in "$TOKEN" "$LIVE" "$BAD"; do ! grep -qF -- "$s" audit.jsonl "$T/err" || fail "a token or secret leaked"; done

# --fail-on live: 1 with a live secret, 0 without (invalid only); errors still 2.
: >"$LOG"
run timeout 120 "$SFMC" audit --repos repos.txt "${V[@]}" --fail-on live -q
expect_rc 1 "audit --fail-on live with live secrets"
run timeout 120 "$SFMC" audit --repos invalid.txt "${V[@]}" --fail-on live -q -o invalid.jsonl
expect_rc 0 "audit --fail-on live without a live secret"
printf '%s\n' "$T/three.git" "$T/missing.git" >witherr.txt
run timeout 120 "$SFMC" audit --repos witherr.txt "${V[@]}" --fail-on live -q
expect_rc 2 "audit --fail-on live with a repository in error"

# With a datastore, a second audit still verifies: --verify reads every blob (the datastore holds no whole secret).
for i in 1 2; do
	: >"$LOG"
	run timeout 120 "$SFMC" audit --repos repos.txt "${V[@]}" --datastore "$T/audit.db" -q -o "ds$i.jsonl"
	expect_rc 1 "audit --verify --datastore, run $i"
	[ "$(st "ds$i.jsonl" one)|$(st "ds$i.jsonl" three)" = "live|200|true|invalid|401|true" ] ||
		fail "run $i: $(st "ds$i.jsonl" one) $(st "ds$i.jsonl" three)"
	[ "$(wc -l <"$LOG")" = 3 ] || fail "run $i: 3 requests expected: $(cat "$LOG")"
done
! command -v sqlite3 >/dev/null || [ "$(sqlite3 "$T/audit.db" 'SELECT sum(blobs_reused) FROM scans')" = 0 ] ||
	fail "--verify reused blobs"

# merge reads the statuses back: jsonl byte-identical, json, text, --group; --fail-on live.
: >"$LOG"
run "$SFMC" merge audit.jsonl -o merged.jsonl
expect_rc 1 "merge"
cmp -s audit.jsonl merged.jsonl || fail "merge changed the audit's JSONL (verification lost?)"
run "$SFMC" merge audit.jsonl --fail-on live
expect_rc 1 "merge --fail-on live (no --verify needed)"
run "$SFMC" merge invalid.jsonl --fail-on live
expect_rc 0 "merge --fail-on live without a live secret"
run "$SFMC" merge audit.jsonl -f json
expect_jq '[.findings[].verification.status] | sort | join(",")' "invalid,live,live" "merge -f json"
run "$SFMC" merge audit.jsonl -f text
grep -q "^LIVE $T/one.git: .env:3:" "$T/out" || fail "text: LIVE first"
expect_out_has "verification: invalid (HTTP 401)"
run "$SFMC" merge audit.jsonl --group -f json
expect_jq '[.groups[] | select(.repositories | length == 2)] | length' 1 "--group: the live secret in two repositories"
expect_jq '[.groups[] | select(.repositories | length == 2) | .locations[].verification.status] | join(",")' "live,live" \
	"--group keeps the verification"
run "$SFMC" merge audit.jsonl --group -f text
expect_out_has "verification: live (HTTP 200)"
[ ! -s "$LOG" ] || fail "merge sent a request: $(cat "$LOG")"
for s in "$TOKEN" "$LIVE" "$BAD"; do ! grep -qF -- "$s" merged.jsonl "$T/out" "$T/err" || fail "leak after merge"; done
finish
