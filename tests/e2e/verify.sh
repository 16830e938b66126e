#!/usr/bin/env bash
# --verify against a mock token endpoint on 127.0.0.1 (tests/e2e/verify_mock.py,
# HTTPS with a CA made here): each status and reason, one request per distinct
# (subdomain, client id, secret) in files and across history, none without
# --verify or from the config, none for hostile subdomains, a certificate from
# another CA refused, and neither the token nor a whole secret in any output.
# Under SFMC_WRAP (valgrind) the offline parts run wrapped; the requests use the binary itself:
# valgrind reports OpenSSL's and libcurl's own code (uninitialised-value noise in their
# assembly) and makes each TLS handshake seconds long. CI's ASan build still runs them all.
NET=${SFMC:-}
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "skip: openssl/python3"; exit 0; }

# A CA, a certificate for *.auth.marketingcloudapis.com it signs, and another CA.
mkca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null; }
mkca testca
mkca otherca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=*.auth.marketingcloudapis.com" -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:*.auth.marketingcloudapis.com\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/testca.pem" -CAkey "$T/testca.key" -CAcreateserial -days 2 \
	-extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null

TOKEN="tok$(openssl rand -hex 16)"
LOG="$T/requests.log"
: >"$LOG"
VT=2
SFMC_MOCK_SLOW=$((VT + 2)) timeout 300 python3 "$(dirname "$0")/verify_mock.py" "$T/srv.pem" "$T/srv.key" "$T/port" "$LOG" "$TOKEN" &
MOCK=$!
trap 'kill $MOCK 2>/dev/null; wait $MOCK 2>/dev/null || true; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { fail "mock server did not start"; finish; }
PORT=$(cat "$T/port")
V=(--verify --verify-cacert "$T/testca.pem" --verify-connect-to "127.0.0.1:$PORT" --verify-timeout "$VT")

sub() { printf 'mc%026d' "$1"; }                  # a tenant subdomain, 28 characters
cid() { printf '%s%0*d' "$1" $((24 - ${#1})) "$2"; } # a client id: prefix picks the mock's answer
# triple FILE CLIENT_ID SUBDOMAIN SECRET [MID]: a .env with the three (and the MID).
triple() {
	mkdir -p "$(dirname "$1")"
	{
		echo "SFMC_CLIENT_ID=$2"
		echo "SFMC_AUTH_BASE_URI=https://$3.auth.marketingcloudapis.com/"
		[ -z "${5:-}" ] || echo "SFMC_MID=$5"
		echo "SFMC_CLIENT_SECRET=$4"
	} >"$1"
}
declare -A S
for k in live invalid slow busy grant html nocid hostile; do S[$k]=$(tok); done
triple "$T/tree/live/.env" "$(cid live 1)" "$(sub 1)" "${S[live]}" 510001234
triple "$T/tree/live-copy/.env" "$(cid live 1)" "$(sub 1)" "${S[live]}" 510001234
triple "$T/tree/invalid/.env" "$(cid invalid 2)" "$(sub 2)" "${S[invalid]}"
triple "$T/tree/slow/.env" "$(cid slow 3)" "$(sub 3)" "${S[slow]}"
triple "$T/tree/busy/.env" "$(cid busy 4)" "$(sub 4)" "${S[busy]}"
triple "$T/tree/grant/.env" "$(cid grant 5)" "$(sub 5)" "${S[grant]}"
triple "$T/tree/html/.env" "$(cid html 6)" "$(sub 6)" "${S[html]}"
# A checksum mismatch (a warning) is verified too; live, it becomes an error.
W=$(tok)
W="${W%?}$([ "${W: -1}" = 0 ] && echo 1 || echo 0)"
S[warn]=$W
triple "$T/tree/warn/.env" "$(cid live 10)" "$(sub 10)" "$W"
printf 'SFMC_AUTH_BASE_URI=https://%s.auth.marketingcloudapis.com/\nSFMC_CLIENT_SECRET=%s\n' "$(sub 7)" "${S[nocid]}" \
	>"$T/tree/nocid.env"
H=$(sub 8)
cat >"$T/tree/hostile.env" <<EOH
SFMC_CLIENT_ID=$(cid live 8)
A=https://mc123.attacker.com/
B=https://$H.auth.marketingcloudapis.com@attacker.com/
C=https://evil.com/$H.auth.marketingcloudapis.com
D=https://$H.auth.marketingcloudapis.com:8443/v2/token
E=https://$H.auth.marketingcloudapis.com.attacker.com/
SFMC_CLIENT_SECRET=${S[hostile]}
EOH

# No --verify: no request, and context is still there (offline).
run "$SFMC" dir -f json "$T/tree"
expect_rc 1
expect_jq '[.findings[] | select(.verification)] | length' 0 "no verification without --verify"
expect_jq '[.findings[] | select(.path == "live/.env")][0].context.account_id.value' 510001234
expect_jq '[.findings[] | select(.path == "hostile.env")][0].context.subdomain' null "hostile subdomains are not context"
# A repository's config cannot turn it on.
printf 'verify: true\n' >"$T/tree/.sfmc-scan.yaml"
run "$SFMC" dir -f json "$T/tree"
rm "$T/tree/.sfmc-scan.yaml"
[ ! -s "$LOG" ] || fail "requests without --verify: $(cat "$LOG")"
# Options that need --verify say so.
run "$SFMC" dir --fail-on live "$T/tree"
expect_rc 2
expect_err_has "needs --verify"
run "$SFMC" dir --verify --verify-connect-to 10.0.0.1:443 "$T/tree"
expect_rc 2 "non-loopback --verify-connect-to"
[ ! -s "$LOG" ] || fail "requests after usage errors"

# Nothing verifiable: statuses without a request (and without loading libcurl).
mkdir "$T/unv" && cp "$T/tree/hostile.env" "$T/tree/nocid.env" "$T/unv/"
run "$SFMC" dir -f json --verify "$T/unv"
expect_jq '[.findings[].verification.status] | unique | join(",")' unverifiable
[ ! -s "$LOG" ] || fail "requests for unverifiable findings"

run "$NET" dir -f json "${V[@]}" "$T/tree"
expect_rc 1
status() { jq -r --arg p "$1" '[.findings[] | select(.path == $p)][0].verification | "\(.status)|\(.http_status)|\(.reason)"' "$T/out"; }
case "$(status live/.env)" in live\|200\|*) ;; *) fail "live: $(status live/.env)" ;; esac
case "$(status live-copy/.env)" in live\|200\|*) ;; *) fail "live copy: $(status live-copy/.env)" ;; esac
case "$(status invalid/.env)" in "invalid|401|wrong credentials"*"Access tab)") ;; *) fail "invalid: $(status invalid/.env)" ;; esac
case "$(status slow/.env)" in "unknown|null|"*"not the tenant's Authentication Base URI"*) ;; *) fail "slow: $(status slow/.env)" ;; esac
case "$(status busy/.env)" in "unknown|429|rate limited or unavailable, try later") ;; *) fail "busy: $(status busy/.env)" ;; esac
case "$(status grant/.env)" in "unknown|400|not a server-to-server package"*) ;; *) fail "grant: $(status grant/.env)" ;; esac
case "$(status html/.env)" in "unknown|200|"*"not the token endpoint's JSON"*) ;; *) fail "html: $(status html/.env)" ;; esac
case "$(status warn/.env)" in live\|200\|*) ;; *) fail "warning: $(status warn/.env)" ;; esac
expect_jq '[.findings[] | select(.path == "warn/.env")][0] | "\(.level) \(.checksum_valid)"' "error false" "a live warning is an error"
case "$(status nocid.env)" in "unverifiable|null|no client id"*) ;; *) fail "nocid: $(status nocid.env)" ;; esac
case "$(status hostile.env)" in "unverifiable|null|no tenant subdomain"*) ;; *) fail "hostile: $(status hostile.env)" ;; esac
# One request per distinct triple; the 429 once more after Retry-After; none for the others.
count() { grep -c "^$1.auth.marketingcloudapis.com $2 " "$LOG" || true; }
[ "$(count "$(sub 1)" "$(cid live 1)")" = 1 ] || fail "live triple: $(count "$(sub 1)" "$(cid live 1)") requests"
grep -q "^$(sub 1).auth.marketingcloudapis.com $(cid live 1) 510001234 ok$" "$LOG" || fail "account_id not sent: $(cat "$LOG")"
[ "$(count "$(sub 4)" "$(cid busy 4)")" = 2 ] || fail "busy: $(count "$(sub 4)" "$(cid busy 4)") requests, expected 2"
for n in 2 3 5 6 10; do [ "$(grep -c "^$(sub $n)" "$LOG")" = 1 ] || fail "tenant $n: not one request"; done
[ "$(wc -l <"$LOG")" = 8 ] || fail "expected 8 requests: $(cat "$LOG")"
! grep -q "malformed\|attacker\|evil\|$(sub 7)\|$(sub 8)" "$LOG" || fail "unexpected request: $(cat "$LOG")"
# Neither the token nor a whole secret anywhere.
for s in "$TOKEN" "${S[@]}"; do
	! grep -qF -- "$s" "$T/out" "$T/err" || fail "a token or secret leaked into the report"
done

# Text: LIVE first, the summary counts; --fail-on live.
: >"$LOG"
run "$NET" dir "${V[@]}" --fail-on live "$T/tree/live" "$T/tree/invalid"
expect_rc 1 "--fail-on live with a live secret"
grep -q "^LIVE live/.env:4:" "$T/out" || grep -q "^LIVE .*\.env:4:" "$T/out" || fail "no LIVE line"
expect_err_has "verification: 1 live, 1 invalid, 0 unknown, 0 unverifiable"
run "$NET" dir "${V[@]}" --fail-on live "$T/tree/invalid"
expect_rc 0 "--fail-on live without a live secret"
for s in "$TOKEN" "${S[@]}"; do ! grep -qF -- "$s" "$T/out" "$T/err" || fail "leak in text"; done

# A certificate signed by another CA: unknown, TLS reason, no HTTP request.
: >"$LOG"
run "$NET" dir -f json --verify --verify-cacert "$T/otherca.pem" --verify-connect-to "127.0.0.1:$PORT" "$T/tree/live"
case "$(status .env)" in "unknown|null|TLS failure"*) ;; *) fail "other CA: $(status .env)" ;; esac
[ ! -s "$LOG" ] || fail "a request went through an untrusted certificate"

# History repeating a triple across commits: one request.
: >"$LOG"
R="$T/repo"
git init -q "$R"
cp "$T/tree/invalid/.env" "$R/.env"
git -C "$R" add .env && git -C "$R" commit -qm one
cp "$T/tree/invalid/.env" "$R/copy.env"
echo "# touched" >>"$R/.env"
git -C "$R" add . && git -C "$R" commit -qm two
run "$NET" git -f json "${V[@]}" "$R"
expect_jq '[.findings[] | .verification.status] | unique | join(",")' invalid
[ "$(wc -l <"$LOG")" = 1 ] || fail "history: $(wc -l <"$LOG") requests, expected 1"

# Suppressed findings are never sent, although requests start during the
# scan: an allow entry (by path) and a baseline, in history and in a tree.
: >"$LOG"
Q="$T/quiet"
git init -q "$Q"
cp "$T/tree/live/.env" "$Q/.env"
printf 'allow:\n  - path: ".env"\n    reason: test double\n' >"$Q/.sfmc-scan.yaml"
git -C "$Q" add . && git -C "$Q" commit -qm allowed
run "$NET" git -f json "${V[@]}" "$Q"
expect_rc 0 "allowed: git --verify"
run "$NET" dir -f json "${V[@]}" "$Q"
expect_rc 0 "allowed: dir --verify"
mkdir -p "$T/based"
cp "$T/tree/invalid/.env" "$T/based/.env"
run "$SFMC" dir --write-baseline "$T/base.json" "$T/based"
run "$NET" dir -f json "${V[@]}" --baseline "$T/base.json" "$T/based"
expect_rc 0 "baselined: dir --verify"
[ ! -s "$LOG" ] || fail "requests for suppressed findings: $(cat "$LOG")"

# While the scan goes on: stdin from a FIFO whose writer holds it open until
# the mock has seen the request (after the triple, 4 MiB of filler: the scan
# reads 1 MiB chunks, so the first one is scanned while the stream is open).
# Verifying after the scan would never ask (the scan cannot end first).
: >"$LOG"
mkfifo "$T/fifo"
"$NET" stdin -f json "${V[@]}" <"$T/fifo" >"$T/fifo.out" 2>"$T/fifo.err" &
SCAN=$!
exec 7>"$T/fifo"
cat "$T/tree/invalid/.env" >&7
head -c 4194304 /dev/zero | tr '\0' 'x' | fold -w 100 >&7
for _ in $(seq 200); do [ -s "$LOG" ] && break; sleep 0.05; done
[ -s "$LOG" ] || fail "no request while the scan was still reading its input"
kill -0 $SCAN 2>/dev/null || fail "the scan ended before its input did"
exec 7>&-
wait $SCAN || true
[ "$(jq -r '[.findings[] | .verification.status] | join(",")' "$T/fifo.out")" = invalid ] ||
	fail "streamed verification: $(cat "$T/fifo.out" "$T/fifo.err")"
[ "$(wc -l <"$LOG")" = 1 ] || fail "streamed: $(wc -l <"$LOG") requests, expected 1"

# check --verify: one credential by hand.
: >"$LOG"
run "$NET" check --verify --verify-cacert "$T/testca.pem" --verify-connect-to "127.0.0.1:$PORT" \
	--client-id "$(cid live 9)" --subdomain "$(sub 9)" "${S[live]}"
expect_rc 0 "check --verify live"
expect_out_has "live"
for s in "$TOKEN" "${S[live]}"; do ! grep -qF -- "$s" "$T/out" "$T/err" || fail "leak in check"; done
run "$SFMC" check --verify --client-id "$(cid live 9)" --subdomain "evil.com/$(sub 9)" "${S[live]}"
expect_rc 2 "check --verify hostile subdomain"
[ "$(wc -l <"$LOG")" = 1 ] || fail "check: $(wc -l <"$LOG") requests, expected 1"
finish
