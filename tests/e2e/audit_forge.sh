#!/usr/bin/env bash
# `audit --github-org` / `--gitlab-group` against a mock of the two listing
# APIs on 127.0.0.1 (tests/e2e/forge_mock.py, a test CA): pagination over 2
# pages (Link and X-Next-Page), --skip-forks / --skip-archived, the token
# checked by the server and never printed, a 403 rate limit retried after
# Retry-After, a persistent one failing with exit 2. The listed clone URLs
# are local paths of test repositories (a `git URL` clone is not needed).
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "skip: openssl/python3"; exit 0; }
cd "$T"

mkca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null; }
mkca testca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" -keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in srv.csr -CA testca.pem -CAkey testca.key -CAcreateserial -days 2 -extfile ext -out srv.pem 2>/dev/null

mkrepo() {
	git init -q "w$1"
	printf '%s\n' "$2" >"w$1/s.env"
	git -C "w$1" add . && git -C "w$1" commit -qm "init $1"
	git init -q --bare "$1.git"
	git -C "w$1" push -q "../$1.git" main
}
for r in api web fork old; do mkrepo "$r" "key=$(tok)"; done
mkrepo clean "nothing"

TOKEN="tok$(openssl rand -hex 16)"
gh() { printf '{"clone_url":"%s","fork":%s,"archived":%s}' "$T/$1.git" "$2" "$3"; }
gl() { printf '{"http_url_to_repo":"%s","archived":%s%s}' "$T/$1.git" "$3" "$([ "$2" = true ] && echo ',"forked_from_project":{"id":1}')"; }
cat >conf.json <<EOF
{"token": "$TOKEN",
 "github": {"acme": [[$(gh api false false), $(gh fork true false)], [$(gh old false true), $(gh clean false false)]]},
 "gitlab": {"top/sub": [[$(gl web false false), $(gl fork true false)], [$(gl old false true)]]}}
EOF
LOG="$T/requests.log"
: >"$LOG"
timeout 300 python3 "$SFMC_SOURCE_DIR/tests/e2e/forge_mock.py" srv.pem srv.key port "$LOG" conf.json &
MOCK=$!
trap 'kill $MOCK 2>/dev/null; wait $MOCK 2>/dev/null || true; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { fail "mock server did not start"; finish; }
API="https://127.0.0.1:$(cat port)"
GH=(--github-api "$API" --api-cacert testca.pem)
GL=(--gitlab-api "$API" --api-cacert testca.pem)
repos() { jq -r 'select(.type == "repository") | .repository' "$1" | sed "s|^$T/||" | sort | tr '\n' ' '; }

# GitHub: two pages, everything listed.
export GITHUB_TOKEN="$TOKEN" GITLAB_TOKEN="$TOKEN"
run timeout 60 "$SFMC" audit --github-org acme "${GH[@]}" -q -o gh.jsonl
expect_rc 1 "github listing"
[ "$(repos gh.jsonl)" = "api.git clean.git fork.git old.git " ] || fail "github: 4 repositories over 2 pages, got $(repos gh.jsonl)"
grep -q '^/orgs/acme/repos?per_page=100&page=2 token=ok' "$LOG" || fail "github: page 2 asked with the token"
run timeout 60 "$SFMC" audit --github-org acme "${GH[@]}" --skip-forks --skip-archived -q -o gh2.jsonl
[ "$(repos gh2.jsonl)" = "api.git clean.git " ] || fail "github --skip-forks --skip-archived: got $(repos gh2.jsonl)"

# GitLab: a group path URL-encoded, X-Next-Page.
run timeout 60 "$SFMC" audit --gitlab-group top/sub "${GL[@]}" -q -o gl.jsonl
expect_rc 1 "gitlab listing"
[ "$(repos gl.jsonl)" = "fork.git old.git web.git " ] || fail "gitlab: 3 repositories over 2 pages, got $(repos gl.jsonl)"
grep -q '^/groups/top%2Fsub/projects?include_subgroups=true&per_page=100&page=2 token=ok' "$LOG" ||
	fail "gitlab: page 2 asked with the token"
run timeout 60 "$SFMC" audit --gitlab-group top/sub "${GL[@]}" --skip-forks --skip-archived -q -o gl2.jsonl
[ "$(repos gl2.jsonl)" = "web.git " ] || fail "gitlab --skip-forks --skip-archived: got $(repos gl2.jsonl)"

# Both at once, and a --repos file: one list.
printf '%s\n' "$T/clean.git" >list.txt
run timeout 60 "$SFMC" audit --repos list.txt --github-org acme --gitlab-group top/sub "${GH[@]}" "${GL[@]}" --skip-forks -q -o both.jsonl
expect_rc 2 "the clean repository twice (file and GitHub)"
expect_err_has "already in the list"

# A wrong token: HTTP 401, exit 2, the token never printed.
GITHUB_TOKEN=wrong run timeout 60 "$SFMC" audit --github-org acme "${GH[@]}"
expect_rc 2 "bad token"
expect_err_has "HTTP 401"
GITHUB_TOKEN=wrong run timeout 60 "$SFMC" audit --github-org nobody "${GH[@]}"
expect_rc 2 "bad token, unknown org"
run timeout 60 "$SFMC" audit --github-org nobody "${GH[@]}"
expect_rc 2 "unknown organisation"
expect_err_has "HTTP 404"

# Rate limits: Retry-After: 1 once, then the list; always limited: exit 2, clearly.
run timeout 60 "$SFMC" audit --github-org limited-once "${GH[@]}" -q -o once.jsonl
expect_rc 1 "rate limited once"
[ "$(repos once.jsonl)" = "api.git clean.git fork.git old.git " ] || fail "after the wait, the whole list"
[ "$(grep -c '^/orgs/limited-once/repos?per_page=100 ' "$LOG")" = 2 ] || fail "the first page asked twice"
run timeout 60 "$SFMC" audit --github-org limited "${GH[@]}" --api-max-wait 2
expect_rc 2 "rate limited"
expect_err_has "rate limited (HTTP 403)"
expect_err_has "--api-max-wait 2"
[ ! -s "$T/out" ] || fail "no partial report after a failed listing"

# TLS: without the test CA the server is not trusted; http:// is refused.
run timeout 60 "$SFMC" audit --github-org acme --github-api "$API"
expect_rc 2 "untrusted certificate"
run "$SFMC" audit --github-org acme --github-api "http://127.0.0.1:1"
expect_rc 2 "http API"
expect_err_has "must be https://"
run "$SFMC" audit --repos list.txt --skip-forks
expect_rc 2 "--skip-forks without a forge"

# The token is never printed, in any output of this test.
grep -rqF "$TOKEN" "$T"/*.jsonl "$T/err" "$T/out" && fail "the token was printed"
grep -c "token=bad" "$LOG" >/dev/null || fail "the server saw the wrong token"

finish
