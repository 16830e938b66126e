#!/usr/bin/env bash
# bench/verify.sh [N] [BIN]: --verify on N (default 1000) distinct credentials
# (each its own tenant subdomain, client id and secret) against the mock token
# endpoint of tests/e2e/verify_mock.py on 127.0.0.1. Not a test: prints the
# wall time and the requests the mock saw (expected: exactly N).
set -euo pipefail
N=${1:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${2:-$ROOT/build/sfmc-scan}
T=$(mktemp -d /tmp/sfmc-bench-verify.XXXXXX)
MOCK=
trap '[ -z "$MOCK" ] || kill $MOCK 2>/dev/null; rm -rf "$T"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=benchca -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=*.auth.marketingcloudapis.com" -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:*.auth.marketingcloudapis.com\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 1 -extfile "$T/ext" \
	-out "$T/srv.pem" 2>/dev/null
: >"$T/log"
timeout 600 python3 "$ROOT/tests/e2e/verify_mock.py" "$T/srv.pem" "$T/srv.key" "$T/port" "$T/log" &
MOCK=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done

mkdir "$T/tree"
"$BIN" generate -n "$N" | awk -v dir="$T/tree" '{
	f = sprintf("%s/%05d.env", dir, NR)
	printf "SFMC_CLIENT_ID=live%020d\nSFMC_AUTH_BASE_URI=https://mc%026d.auth.marketingcloudapis.com/\nSFMC_CLIENT_SECRET=%s\n", NR, NR, $0 > f
	close(f)
}'
start=$(date +%s.%N)
set +e
${SFMC_BENCH_TIME:-} "$BIN" dir -q -f json --verify --verify-cacert "$T/ca.pem" --verify-connect-to "127.0.0.1:$(cat "$T/port")" \
	--verify-jobs "${SFMC_BENCH_JOBS:-8}" "$T/tree" >"$T/out"
set -e
end=$(date +%s.%N)
echo "credentials: $N, wall: $(echo "$end - $start" | bc) s, requests seen: $(wc -l <"$T/log")," \
	"live: $(jq '[.findings[] | select(.verification.status == "live")] | length' "$T/out")"
