#!/usr/bin/env bash
# `sfmc-scan git URL`: a bare clone of every ref into a temporary directory
# (removed afterwards, also on failure and when the process is killed), or
# into --clone-dir (reused: the next run fetches only what is new), then the
# history scan. Served on loopback only: file://, git daemon (git://), and
# git http-backend behind an HTTPS server (tests/e2e/git_https_server.py)
# with a CA made here, Basic auth, a token from --git-token-env and
# credentials in the URL, which are never shown. Fail closed: an unknown CA,
# refused credentials or an unreachable server are exit 2, nothing scanned.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "skip: openssl/python3"; exit 0; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
# Loopback only: no proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
# Every clone goes under $TMPDIR: it must be empty again after each run.
export TMPDIR="$T/tmp"
mkdir "$TMPDIR"
cd "$T"
tmp_empty() { [ -z "$(ls -A "$TMPDIR")" ] || fail "${1:-run}: the temporary clone was left behind: $(ls -A "$TMPDIR")"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # wait_port PORT: until something listens there (10 s at most)
	for _ in $(seq 100); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "nothing listens on 127.0.0.1:$1"
}
# scan ARGS...: one run, bounded in time, the clone's $TMPDIR checked afterwards.
scan() {
	run timeout 120 "$SFMC" git "$@"
	[ "$rc" -ne 124 ] || fail "git $*: timed out"
	tmp_empty "git $*"
}
# fps FILE: the sorted fingerprints of the findings of a JSON report.
fps() { jq -r '[.findings[].fingerprint] | sort | join(",")' "$1"; }
fp() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# A repository with a secret on a branch other than the default one, and one
# only a tag reaches; its default branch is clean.
s_branch=$(tok)
s_tag=$(tok)
mkdir srv
git init -q --bare srv/app.git
git clone -q srv/app.git work 2>/dev/null
cd work
echo "nothing here" >README
git add README
git commit -q -m init
git push -q origin main
git checkout -q -b feature
printf 'SFMC_CLIENT_SECRET=%s\n' "$s_branch" >app.env
git add app.env
git commit -q -m "add app.env"
git push -q origin feature
git checkout -q --detach main
printf 'k=%s\n' "$s_tag" >tag.env
git add tag.env
git commit -q -m "tagged only"
git tag -a v1 -m "release 1"
git push -q origin v1
git checkout -q main
main_commit=$(git rev-parse HEAD)
cd "$T"
both=$( (fp "$s_branch"; fp "$s_tag") | sort | paste -sd,)

# 1. file:// : both secrets, the report names the repository.
scan -f json -o file.json "file://$T/srv/app.git"
expect_rc 1 "file:// clone"
[ "$(fps file.json)" = "$both" ] || fail "file://: expected the branch's and the tag's secrets, got $(fps file.json)"
[ "$(jq -r '[.repository] + [.findings[].repository] | unique | join(" ")' file.json)" = "file://$T/srv/app.git" ] ||
	fail "file://: the report and every finding name the repository"
jq -e '.findings[] | select(.path == "app.env") | .commit' file.json >/dev/null || fail "file://: app.env without its commit"
expect_err_has "file://$T/srv/app.git: "
expect_err_has "into a temporary clone"
# file:// starts from hard links of the source's objects (as git clones a local path): the fetch
# then finds every ref's object and downloads nothing; the clone is complete on its own.
scan -f json -o linked.json --clone-dir "$T/linked.git" "file://$T/srv/app.git"
expect_rc 1 "file:// into --clone-dir"
[ "$(fps linked.json)" = "$both" ] || fail "file:// linked: $(fps linked.json)"
expect_err_has "file://$T/srv/app.git: 0 objects received"
[ "$(find "$T/linked.git/objects" -type f -links +1 | wc -l)" -gt 0 ] || fail "file://: no object was hard-linked"
[ "$(git -C "$T/linked.git" for-each-ref --format='%(objectname) %(refname)')" = \
	"$(git -C srv/app.git for-each-ref --format='%(objectname) %(refname)')" ] || fail "file://: the clone's refs"
git -C "$T/linked.git" fsck --connectivity-only --no-progress >fsck.out 2>&1 || fail "file://: the linked clone is not complete: $(cat fsck.out)"
# A source whose objects are mostly elsewhere (alternates): what the links lack is fetched.
git clone -q --bare --shared srv/app.git shared.git
s_shared=$(tok)
(cd work && printf 'k=%s\n' "$s_shared" >shared.env && git add shared.env && git commit -qm shared &&
	git push -q ../shared.git HEAD:refs/heads/shared && git reset -q --hard HEAD~1)
scan -f json -o shared.json "file://$T/shared.git"
expect_rc 1 "file:// of a repository with alternates"
[ "$(fps shared.json)" = "$( (fp "$s_branch"; fp "$s_tag"; fp "$s_shared") | sort | paste -sd,)" ] ||
	fail "file:// with alternates: $(fps shared.json)"
# A local scan's report has no repository key (its outputs are unchanged).
scan -f json -o local.json srv/app.git
expect_rc 1 "local bare repository"
[ "$(jq -r '[has("repository")] + [.findings[] | has("repository")] | unique | join(",")' local.json)" = false ] ||
	fail "a local scan's report names a repository"

# --datastore: the repository is the URL (its clone is temporary), so a second run reuses the first.
for i in 1 2; do scan --datastore "$T/audit.db" "file://$T/srv/app.git"; done
expect_rc 1 "file:// with --datastore"
expect_err_has "scanned before with the same rules"
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select group_concat(root) from repositories").fetchone()[0])' "$T/audit.db")" = \
	"file://$T/srv/app.git" ] || fail "--datastore: the repository is not the URL"

# An existing local path wins over the scp-like form; other schemes are usage errors.
git clone -q --bare srv/app.git "host:app.git"
scan -f json -o scp.json "host:app.git"
expect_rc 1 "a local directory named like host:path"
jq -e 'has("repository") | not' scp.json >/dev/null || fail "host:app.git (a local directory) was taken for a URL"
scan "ftp://127.0.0.1/app.git"
expect_rc 2 "ftp://"
expect_err_has "not a URL scheme git can fetch from"
scan --clone-dir "$T/nowhere" srv/app.git
expect_rc 2 "--clone-dir with a local repository"
expect_err_has "--clone-dir needs a repository URL"
[ ! -e "$T/nowhere" ] || fail "--clone-dir was made for a local repository"

# 2. git daemon (git://).
gport=$(free_port)
timeout 300 git daemon --export-all --base-path="$T/srv" --listen=127.0.0.1 --port="$gport" --reuseaddr \
	2>"$T/daemon.log" &
PIDS+=($!)
wait_port "$gport"
scan -f json -o daemon.json "git://127.0.0.1:$gport/app.git"
expect_rc 1 "git:// clone"
[ "$(fps daemon.json)" = "$both" ] || fail "git://: expected both secrets, got $(fps daemon.json)"
scan "git://127.0.0.1:$gport/missing.git"
expect_rc 2 "git:// repository that does not exist"
expect_err_has "git://127.0.0.1:$gport/missing.git: cannot clone"

# 3. HTTPS (git http-backend) with a CA made here, and Basic auth.
mkca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null; }
mkca testca
mkca otherca
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/testca.pem" -CAkey "$T/testca.key" -CAcreateserial -days 2 \
	-extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
token="ghs_$(openssl rand -hex 20)"
password="pw-$(openssl rand -hex 12)"
LOG="$T/https.log"
: >"$LOG"
timeout 300 python3 "$SFMC_SOURCE_DIR/tests/e2e/git_https_server.py" "$T/srv" "$T/srv.pem" "$T/srv.key" "$T/port" \
	"$LOG" 280 "x-access-token:$token" "alice:$password" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { fail "the HTTPS server did not start"; finish; }
hport=$(cat "$T/port")
URL="https://localhost:$hport/app.git"
# never_shown WHAT: neither the token nor the password is in stdout, stderr or the reports.
never_shown() {
	local f
	for f in "$T/out" "$T/err" "$T"/*.json "$T"/*.sarif "$T"/*.jsonl; do
		[ -e "$f" ] || continue
		! grep -qF -e "$token" -e "$password" "$f" || fail "$1: a credential is shown in $(basename "$f")"
	done
}
export SFMC_TEST_TOKEN="$token" SFMC_TEST_WRONG="ghs_wrong$(openssl rand -hex 8)"

# The token from --git-token-env, user x-access-token, as the server checks.
: >"$LOG"
scan -f json -o https.json --report "sarif:$T/https.sarif" --report "jsonl:$T/https.jsonl" --git-cacert "$T/testca.pem" \
	--git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 1 "https:// clone with the token"
[ "$(fps https.json)" = "$both" ] || fail "https://: expected both secrets, got $(fps https.json)"
grep -q "user=x-access-token" "$LOG" || fail "https://: the server never saw the token (user x-access-token): $(cat "$LOG")"
[ "$(jq -r '.repository' https.json)" = "$URL" ] || fail "https://: the report's repository"
[ "$(jq -r '.repository' https.jsonl | sort -u)" = "$URL" ] || fail "https://: jsonl findings name the repository"
[ "$(jq -r '.runs[0].versionControlProvenance[0] | "\(.repositoryUri) \(.revisionId) \(.branch)"' https.sarif)" = \
	"$URL $main_commit main" ] || fail "https://: SARIF versionControlProvenance: $(jq -c '.runs[0].versionControlProvenance' https.sarif)"
never_shown "token"
rm -f https.jsonl

# audit passes the clone options on to its children (URLs only): the token,
# the CA, and one --clone-dir per repository under DIR, reused by the next audit.
printf "%s\n" "$URL" "$T/repo.git" >audit-list.txt
[ -d "$T/repo.git" ] || git clone -q --bare work "$T/repo.git"
: >"$LOG"
run timeout 120 "$SFMC" audit --repos audit-list.txt --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN \
	--clone-dir "$T/audit-clones" -q -o audit1.jsonl
expect_rc 1 "audit of a URL and a path with the clone options"
tmp_empty "audit"
[ "$(jq -r 'select(.type == "repository") | .status' audit1.jsonl | sort -u)" = ok ] || fail "audit: $(cat audit1.jsonl "$T/err")"
grep -q "user=x-access-token" "$LOG" || fail "audit: the child did not send the token"
[ "$(ls "$T/audit-clones" | wc -l)" = 1 ] || fail "audit --clone-dir: expected one clone (the path is scanned in place): $(ls "$T/audit-clones")"
cd1=$(ls -d "$T"/audit-clones/*)
case "$cd1" in */[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*-app) ;; *) fail "audit --clone-dir name: $cd1" ;; esac
[ "$(git -C "$cd1" config remote.origin.url)" = "$URL" ] || fail "audit --clone-dir: remote.origin.url"
: >"$LOG"
run timeout 120 "$SFMC" audit --repos audit-list.txt --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN \
	--clone-dir "$T/audit-clones" -q -o audit2.jsonl
expect_rc 1 "audit again"
# Nothing new: the child asks for the refs and downloads nothing (a new clone would POST with no haves).
grep -q "GET /app.git/info/refs" "$LOG" || fail "audit --clone-dir: the second audit did not ask the server"
! grep -q "POST /app.git/git-upload-pack .*haves=0" "$LOG" || fail "audit --clone-dir: the second audit cloned again: $(cat "$LOG")"
[ "$(jq -c 'select(.type == "finding") | .fingerprint' audit2.jsonl | sort)" = "$(jq -c 'select(.type == "finding") | .fingerprint' audit1.jsonl | sort)" ] ||
	fail "audit --clone-dir: the second audit found something else"
for f in audit1.jsonl audit2.jsonl; do ! grep -qF "$token" "$f" || fail "audit: the token in $f"; done
! grep -qF "$token" "$T/out" "$T/err" || fail "audit: the token shown"

# --progress: objects received while fetching.
scan -q --progress --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 1 "--progress"
expect_err_has "objects received"
never_shown "--progress"

# Credentials in the URL: used, never shown (the report names the URL without them).
scan -f json -o userinfo.json --git-cacert "$T/testca.pem" "https://alice:$password@localhost:$hport/app.git"
expect_rc 1 "https://alice:password@"
grep -q "user=alice" "$LOG" || fail "https://alice:password@: the server never saw alice"
[ "$(jq -r '.repository' userinfo.json)" = "$URL" ] || fail "https://alice:password@: the report's repository"
expect_err_has "$URL: "
never_shown "password in the URL"
# Refused: the wrong password, the wrong token, none at all. Exit 2, the URL named without credentials.
scan -f json -o refused.json --git-cacert "$T/testca.pem" "https://alice:wrong-$password@localhost:$hport/app.git"
expect_rc 2 "a wrong password"
expect_err_has "$URL: cannot clone"
never_shown "a wrong password"
[ "$(jq -r '"\(.stats.files) \(.findings | length)"' refused.json)" = "0 0" ] || fail "a wrong password: something was scanned"
scan --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_WRONG "$URL"
expect_rc 2 "a wrong token"
expect_err_has "the server refused the credentials"
expect_err_lacks "$SFMC_TEST_WRONG"
scan --git-cacert "$T/testca.pem" "$URL"
expect_rc 2 "no credentials"
expect_err_has "--git-token-env"
scan --git-token-env SFMC_NO_SUCH_VARIABLE "$URL"
expect_rc 2 "an unset --git-token-env"
expect_err_has "--git-token-env SFMC_NO_SUCH_VARIABLE: the variable is not set or empty"

# A certificate from a CA that is not trusted: exit 2, nothing scanned, the URL named.
: >"$LOG"
scan -f json -o otherca.json --git-cacert "$T/otherca.pem" --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 2 "another CA"
expect_err_has "$URL: cannot clone"
[ "$(jq -r '"\(.stats.files) \(.findings | length) \(.errors | length)"' otherca.json)" = "0 0 1" ] ||
	fail "another CA: something was scanned"
[ ! -s "$LOG" ] || fail "another CA: a request went through: $(cat "$LOG")"
never_shown "another CA"
scan --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 2 "the system's CAs do not know the test CA"
expect_err_has "$URL: cannot clone"

# 4. --clone-dir: the first run clones, the next one fetches only the new objects (and prunes).
CD="$T/cache/app.git"
mkdir "$T/cache"
scan -q -f json -o cd1.json --clone-dir "$CD" --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 1 "--clone-dir: first run"
[ "$(fps cd1.json)" = "$both" ] || fail "--clone-dir: first run: $(fps cd1.json)"
[ "$(git -C "$CD" rev-parse --is-bare-repository)" = true ] || fail "--clone-dir: not a bare repository"
[ "$(git -C "$CD" config remote.origin.url)" = "$URL" ] || fail "--clone-dir: remote.origin.url"
! grep -rqF "$token" "$CD" || fail "--clone-dir: the token was written to the clone"
touch "$CD/reused-marker"
ino=$(stat -c %i "$CD")
s_new=$(tok)
(cd work && git checkout -q main && printf 'k=%s\n' "$s_new" >new.env && git add new.env && git commit -q -m new &&
	git push -q origin main && git push -q origin --delete feature)
new_commit=$(git -C work rev-parse HEAD)
: >"$LOG"
scan -f json -o cd2.json --clone-dir "$CD" --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 1 "--clone-dir: second run"
expect_err_has "$URL: 3 objects received"
[ "$(stat -c %i "$CD")" = "$ino" ] && [ -e "$CD/reused-marker" ] || fail "--clone-dir: not reused"
grep -q "POST /app.git/git-upload-pack user=x-access-token haves=[1-9]" "$LOG" ||
	fail "--clone-dir: the second run did not fetch with what it has: $(cat "$LOG")"
jq -e --arg f "$(fp "$s_new")" --arg c "$new_commit" '.findings[] | select(.fingerprint == $f and .commit == $c)' cd2.json \
	>/dev/null || fail "--clone-dir: the new commit's secret was not found"
git -C "$CD" rev-parse -q --verify refs/heads/feature >/dev/null && fail "--clone-dir: refs/heads/feature was not pruned"
[ "$(git -C "$CD" rev-parse HEAD)" = "$new_commit" ] || fail "--clone-dir: HEAD does not follow the remote's"
never_shown "--clone-dir"
# Another repository's URL, or a directory that is no clone: exit 2, left as they are.
scan --clone-dir "$CD" "git://127.0.0.1:$gport/app.git"
expect_rc 2 "--clone-dir of another URL"
expect_err_has "--clone-dir $CD holds a clone of $URL, not of git://127.0.0.1:$gport/app.git"
mkdir "$T/notaclone" && echo x >"$T/notaclone/file"
scan --clone-dir "$T/notaclone" "git://127.0.0.1:$gport/app.git"
expect_rc 2 "--clone-dir of a directory that is not a repository"
[ "$(ls "$T/notaclone")" = file ] || fail "--clone-dir: a directory that is not a clone was changed"
# Two runs cannot share a --clone-dir at once.
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(60)' \
	"$CD" "$T/locked" &
locker=$!
PIDS+=($locker)
for _ in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
scan --clone-dir "$CD" --git-cacert "$T/testca.pem" --git-token-env SFMC_TEST_TOKEN "$URL"
expect_rc 2 "--clone-dir in use"
expect_err_has "--clone-dir $CD: in use by another sfmc-scan"
kill "$locker"
wait "$locker" 2>/dev/null || true
# A first clone that fails leaves no directory behind.
scan --clone-dir "$T/cache/failed.git" --git-cacert "$T/otherca.pem" "$URL"
expect_rc 2 "--clone-dir: a failed first clone"
[ ! -e "$T/cache/failed.git" ] || fail "--clone-dir: a failed first clone left its directory"

# The branch the remote's HEAD names comes from the remote: redacted like any ref in reports.
b_tok=$(tok)
git init -q --bare leaky.git
git -C work push -q "$T/leaky.git" "main:refs/heads/$b_tok"
git -C leaky.git symbolic-ref HEAD "refs/heads/$b_tok"
scan -q -f sarif -o leaky.sarif "file://$T/leaky.git"
expect_rc 1 "a branch named like a secret"
! grep -qF "$b_tok" leaky.sarif || fail "SARIF shows the remote's branch name whole"
[ "$(jq -r '.runs[0].versionControlProvenance[0].branch' leaky.sarif)" = "${b_tok:0:9}…" ] ||
	fail "the redacted branch: $(jq -r '.runs[0].versionControlProvenance[0].branch' leaky.sarif)"

# 5. Killed while fetching (a server that never answers): the watcher removes the temporary clone.
sport=$(free_port)
timeout 300 python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); held = []
while True: held.append(s.accept())' "$sport" &
PIDS+=($!)
wait_port "$sport"
for sig in TERM INT; do
	# SIGINT is ignored by background jobs of a script: restore the default before exec.
	python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$SFMC" git "git://127.0.0.1:$sport/app.git" >/dev/null 2>&1 &
	victim=$!
	for _ in $(seq 600); do [ -n "$(ls -A "$TMPDIR")" ] && break; sleep 0.1; done
	[ -n "$(ls -A "$TMPDIR")" ] || fail "SIG$sig: no temporary clone appeared"
	sleep 0.5
	kill -"$sig" "$victim"
	wait "$victim" 2>/dev/null || true
	for _ in $(seq 100); do [ -z "$(ls -A "$TMPDIR")" ] && break; sleep 0.1; done
	tmp_empty "killed with SIG$sig"
done

# 6. Nothing listening: exit 2 at once, the URL named.
dport=$(free_port)
for u in "git://127.0.0.1:$dport/app.git" "https://127.0.0.1:$dport/app.git" "ssh://git@127.0.0.1:$dport/app.git"; do
	start=$(date +%s)
	scan "$u"
	expect_rc 2 "$u (nothing listening)"
	expect_err_has "$(sed 's,//git@,//,' <<<"$u"): cannot clone"
	[ $(($(date +%s) - start)) -lt 60 ] || fail "$u: took too long"
done
finish
