#!/usr/bin/env bash
# The audit templates parse, have the shape their engines expect, and their
# scripts work as written: ci/github/sfmc-scan-audit.yml (a matrix of shards
# and a merge job), ci/gitlab/sfmc-scan-audit.gitlab-ci.yml (`parallel:` and a
# merge job), ci/k8s/sfmc-scan-audit.yaml + sfmc-scan-merge.yaml (an Indexed
# Job and its merge Job) and ci/parallel/sfmc-scan-audit.sh (GNU parallel).
# Each shard script is extracted and run once per shard with the variables
# its engine sets, against a mock of the GitHub and GitLab listings on
# 127.0.0.1 (tests/e2e/forge_mock.py, a CA made here) or a list file; the
# merge script then combines the shards, and what it reports equals the
# audit run whole. The Kubernetes manifests are validated against the
# Kubernetes API's schemas (npm kubernetes-models, from ci/install-ajv.sh).
. "$(dirname "$0")/lib.sh"
S=$SFMC_SOURCE_DIR
cd "$T"
yaml2json() { python3 -c 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)' "$1"; }
for f in ci/github/sfmc-scan-audit.yml ci/gitlab/sfmc-scan-audit.gitlab-ci.yml ci/k8s/sfmc-scan-audit.yaml ci/k8s/sfmc-scan-merge.yaml; do
	yaml2json "$S/$f" >"$T/$(basename "$f").json" 2>"$T/err" || { fail "$f does not parse: $(cat "$T/err")"; finish; }
done
GH=$T/sfmc-scan-audit.yml.json GL=$T/sfmc-scan-audit.gitlab-ci.yml.json
K8=$T/sfmc-scan-audit.yaml.json KM=$T/sfmc-scan-merge.yaml.json
jqf() {
	local got
	got=$(jq -r "$2" "$1" 2>&1) || { fail "$4: jq $2: $got"; return; }
	[ "$got" = "$3" ] || fail "$4: got '$got', expected '$3'"
}
norm() { sed -E 's/("duration_ms": ?)[0-9]+/\10/g; s/("(start|end)_?[Tt]ime(Utc)?": ?)"[^"]*"/\1""/g' "$@"; }

# Shapes.
jqf "$GH" '.[0].jobs.shard.strategy.matrix.shard | map(tostring) | join(",")' 1,2,3,4 "GitHub matrix of shards"
jqf "$GH" '.[0].jobs.shard.strategy["fail-fast"]' false "every shard runs to the end"
jqf "$GH" '.[0].jobs.merge.needs' shard "the merge job waits for the shards"
jqf "$GH" '[.[0].jobs[].steps[] | select(.name == "Audit this shard") | .env.SHARDS] | join(",")' \
	'${{ strategy.job-total }}' "N is the matrix's length"
jqf "$GH" '[.[0].jobs[].steps[].run // empty | select(contains("${{"))] | length' 0 "run scripts without \${{ }}"
jqf "$GH" '.[0].permissions | to_entries | map("\(.key)=\(.value)") | join(",")' contents=read "read-only token"
bad=$(grep -E '^\s*(- )?uses:' "$S/ci/github/sfmc-scan-audit.yml" | grep -vE 'uses: [^@ ]+@[0-9a-f]{40} # v[0-9]' || true)
[ -z "$bad" ] || fail "actions not pinned by commit with a tag comment: $bad"
# The build steps are those of ci/github/sfmc-scan.yml and ci/gitlab's job, which ci_templates.sh runs.
yaml2json "$S/ci/github/sfmc-scan.yml" >gh-main.json
yaml2json "$S/ci/gitlab/sfmc-scan.gitlab-ci.yml" >gl-main.json
want=$(jq -r '.[0].jobs[].steps[] | select(.name == "Build sfmc-scan") | .run' gh-main.json)
for j in shard merge; do
	[ "$(jq -r ".[0].jobs.$j.steps[] | select(.name == \"Build sfmc-scan\") | .run" "$GH")" = "$want" ] ||
		fail "GitHub $j job: its build step differs from ci/github/sfmc-scan.yml's"
done
[ "$(jq -c '.[0][".sfmc-build"].before_script' "$GL")" = "$(jq -c '.[0]["sfmc-scan"].before_script' gl-main.json)" ] ||
	fail "GitLab: the build differs from ci/gitlab/sfmc-scan.gitlab-ci.yml's"
jqf "$GL" '.[0]["sfmc-audit"].parallel' 4 "GitLab parallel: 4"
jqf "$GL" '.[0]["sfmc-audit-merge"].needs | join(",")' sfmc-audit "GitLab merge needs the shards"
jqf "$GL" '.[0]["sfmc-audit-merge"].artifacts.reports.secret_detection' gl-secret-detection-report.json "GitLab report"
jqf "$GL" '[.[0][] | objects | select(has("extends")) | .extends] | unique | join(",")' .sfmc-build "both jobs build alike"
jqf "$K8" '.[] | select(.kind == "Job") | .spec.completionMode' Indexed "an Indexed Job"
jqf "$K8" '.[] | select(.kind == "Job") | .spec | "\(.completions) \(.parallelism)"' "4 4" "completions = parallelism"
jqf "$K8" '.[] | select(.kind == "Job") | .spec.template.spec.containers[0].env[] | select(.name == "SFMC_SHARDS") | .value' 4 \
	"SFMC_SHARDS = completions"
jqf "$KM" '.[0].spec.template.spec.containers[0].env[] | select(.name == "SFMC_SHARDS") | .value' 4 "the merge expects 4 shards"

# The Kubernetes API's schemas (kubernetes-models validates with ajv, offline).
if [ -z "${SFMC_AJV:-}" ]; then
	SFMC_AJV=$(bash "$S/ci/install-ajv.sh" "${TMPDIR:-/tmp}/sfmc-ajv-$(id -u)") || { fail "kubernetes-models: npm failed (set SFMC_AJV)"; finish; }
fi
NODE_PATH=$(dirname "$(dirname "$SFMC_AJV")")
for m in "$K8" "$KM"; do
	NODE_PATH="$NODE_PATH" node "$S/tests/e2e/k8s_validate.js" "$m" >k8s.out 2>&1 || fail "$(basename "$m" .json): $(cat k8s.out)"
done
jq '(.[] | select(.kind == "Job") | .spec.completionMode) = "Sequential"' "$K8" >bad.json
NODE_PATH="$NODE_PATH" node "$S/tests/e2e/k8s_validate.js" bad.json >/dev/null 2>&1 && fail "the validator accepts a bad completionMode"

# Repositories, listed by the mock forge on two pages each.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=testca" -keyout testca.key -out testca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" -keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in srv.csr -CA testca.pem -CAkey testca.key -CAcreateserial -days 2 -extfile ext -out srv.pem 2>/dev/null
SHARED=$(tok)
mkrepo() {
	git init -q "w$1"
	printf '%s\n' "$2" >"w$1/s.env"
	git -C "w$1" add . && git -C "w$1" commit -qm "init $1"
	git init -q --bare "$1.git"
	git -C "w$1" push -q "../$1.git" main
}
for r in api web ops docs cli sdk; do mkrepo "$r" "key=$(tok)"; done
mkrepo shared1 "key=$SHARED"
mkrepo shared2 "again=$SHARED"
mkrepo clean "nothing"
TOKEN="tok$(openssl rand -hex 16)"
gh() { printf '{"clone_url":"%s","fork":false,"archived":false}' "$T/$1.git"; }
gl() { printf '{"http_url_to_repo":"%s","archived":false}' "$T/$1.git"; }
cat >conf.json <<JSON
{"token": "$TOKEN",
 "github": {"acme": [[$(gh api), $(gh web), $(gh ops), $(gh shared1)], [$(gh shared2), $(gh clean), $(gh docs)]]},
 "gitlab": {"top/sub": [[$(gl cli), $(gl sdk), $(gl shared1)], [$(gl shared2), $(gl clean)]]}}
JSON
: >requests.log
timeout 300 python3 "$S/tests/e2e/forge_mock.py" srv.pem srv.key port requests.log conf.json &
MOCK=$!
trap 'kill $MOCK 2>/dev/null; wait $MOCK 2>/dev/null || true; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { fail "mock server did not start"; finish; }
API="https://127.0.0.1:$(cat port)"

# compare WHAT MERGED-JSONL WHOLE-JSONL: the shards merged equal the whole audit.
compare() {
	cmp -s <(norm "$2") <(norm "$3") || fail "$1: the merged shards differ from the whole audit"
	[ "$(jq -r 'select(.type == "finding") | .repository' "$2" | sort -u | wc -l)" -ge 4 ] || fail "$1: too few repositories with findings"
}

# GitHub Actions: the shard step once per matrix entry, the artifacts gathered, the merge step.
jq -r '.[0].jobs.shard.steps[] | select(.name == "Audit this shard") | .run' "$GH" >gh-shard.sh
jq -r '.[0].jobs.merge.steps[] | select(.name == "Merge") | .run' "$GH" >gh-merge.sh
mkdir -p gh/shards
for k in 1 2 3 4; do
	mkdir -p "gh/run$k"
	(cd "gh/run$k" && env SFMC_SCAN="$SFMC" SFMC_AUDIT_ORG=acme SFMC_AUDIT_API="$API" SFMC_AUDIT_CACERT="$T/testca.pem" \
		GITHUB_TOKEN="$TOKEN" SHARD=$k SHARDS=4 timeout 120 bash --noprofile --norc -eo pipefail "$T/gh-shard.sh" \
		>out 2>err) || fail "GitHub shard $k: exit $? $(cat "gh/run$k/err")"
	cp "gh/run$k/shard-$k.jsonl" gh/shards/ 2>/dev/null || fail "GitHub shard $k: no shard-$k.jsonl"
done
: >gh/output
(cd gh && env SFMC_SCAN="$SFMC" GITHUB_OUTPUT="$T/gh/output" timeout 120 bash --noprofile --norc -eo pipefail "$T/gh-merge.sh" \
	>merge.out 2>merge.err) || fail "GitHub merge step: exit $? $(cat gh/merge.err)"
[ "$(cat gh/output)" = "rc=1" ] || fail "GitHub merge: step output $(cat gh/output), expected rc=1 (secrets found)"
for f in sfmc-scan-audit.sarif sfmc-scan-audit.html sfmc-scan-audit.txt; do [ -s "gh/$f" ] || fail "GitHub merge: no $f"; done
grep -q "in 2 repositories" gh/merge.out || fail "GitHub merge: the --group summary in the log"
GITHUB_TOKEN=$TOKEN run timeout 120 "$SFMC" audit --github-org acme --github-api "$API" --api-cacert testca.pem -q -o gh-whole.jsonl
"$SFMC" merge gh/shards/*.jsonl -q -o gh-merged.jsonl || true
compare GitHub gh-merged.jsonl gh-whole.jsonl
# (SARIF names the directory it ran in: the whole audit runs where the merge did)
(cd gh && GITHUB_TOKEN=$TOKEN timeout 120 "$SFMC" audit --github-org acme --github-api "$API" --api-cacert ../testca.pem -q -f sarif \
	-o ../gh-whole.sarif) || [ $? = 1 ] || fail "GitHub: the whole audit (SARIF)"
cmp -s <(norm gh/sfmc-scan-audit.sarif) <(norm gh-whole.sarif) || fail "GitHub: the merged SARIF differs from the whole audit's"
! grep -rqF -- "$TOKEN" gh || fail "GitHub: the token in an output"

# GitLab CI: `parallel: 4` sets CI_NODE_INDEX 1..4 and CI_NODE_TOTAL 4; the merge job gets the artifacts.
jq -r '.[0]["sfmc-audit"].script | join("\n")' "$GL" >gl-shard.sh
jq -r '.[0]["sfmc-audit-merge"].script | join("\n")' "$GL" >gl-merge.sh
mkdir -p gl/merge
for k in 1 2 3 4; do
	mkdir -p "gl/node$k"
	(cd "gl/node$k" && env SFMC_SCAN="$SFMC" SFMC_AUDIT_GROUP=top/sub SFMC_AUDIT_API="$API" SFMC_AUDIT_CACERT="$T/testca.pem" \
		SFMC_AUDIT_TOKEN="$TOKEN" CI_NODE_INDEX=$k CI_NODE_TOTAL=4 timeout 120 bash -eo pipefail "$T/gl-shard.sh" \
		>out 2>err) || fail "GitLab node $k: exit $? $(cat "gl/node$k/err")"
	cp "gl/node$k/shard-$k.jsonl" gl/merge/ 2>/dev/null || fail "GitLab node $k: no shard-$k.jsonl"
done
set +e
(cd gl/merge && env SFMC_SCAN="$SFMC" timeout 120 bash -eo pipefail "$T/gl-merge.sh" >out 2>err)
rc=$?
set -e
[ "$rc" = 1 ] || fail "GitLab merge job: exit $rc, expected 1 (secrets found): $(cat gl/merge/err)"
jq -e '.vulnerabilities | length == 4' gl/merge/gl-secret-detection-report.json >/dev/null || fail "GitLab: the merged report"
GITLAB_TOKEN=$TOKEN run timeout 120 "$SFMC" audit --gitlab-group top/sub --gitlab-api "$API" --api-cacert testca.pem -q -f gitlab -o gl-whole.json
cmp -s <(norm gl/merge/gl-secret-detection-report.json) <(norm gl-whole.json) || fail "GitLab: the merged report differs from the whole audit's"

# Kubernetes: the container's script once per completion index (0..3), /bin/sh as in the image.
mkdir -p bin k8s/results
ln -s "$SFMC" bin/sfmc-scan
printf '%s\n' "$T/api.git" "$T/web.git" "# a comment" "$T/ops.git" "$T/shared1.git" "$T/shared2.git" "$T/clean.git" >repos.txt
jq -r '.[] | select(.kind == "Job") | .spec.template.spec.containers[0].args[0]' "$K8" >k8s-shard.sh
jq -r '.[0].spec.template.spec.containers[0].args[0]' "$KM" >k8s-merge.sh
for i in 0 1 2 3; do
	env PATH="$T/bin:$PATH" JOB_COMPLETION_INDEX=$i SFMC_SHARDS=4 SFMC_REPOS="$T/repos.txt" SFMC_RESULTS="$T/k8s/results" \
		timeout 120 sh -c "$(cat k8s-shard.sh)" >"k8s/$i.out" 2>"k8s/$i.err" || fail "Kubernetes index $i: exit $? $(cat "k8s/$i.err")"
done
[ "$(ls k8s/results)" = "$(printf 'shard-%s.jsonl\n' 1 2 3 4)" ] || fail "Kubernetes: results $(ls k8s/results)"
run env PATH="$T/bin:$PATH" SFMC_SHARDS=4 SFMC_RESULTS="$T/k8s/results" timeout 120 sh -c "$(cat k8s-merge.sh)"
expect_rc 1 "Kubernetes merge: secrets found"
expect_out_has "in 2 repositories"
(cd k8s/results && timeout 120 "$SFMC" audit --repos "$T/repos.txt" -q -f sarif -o "$T/k8s-whole.sarif") || [ $? = 1 ] ||
	fail "Kubernetes: the whole audit (SARIF)"
cmp -s <(norm k8s/results/audit.sarif) <(norm k8s-whole.sarif) || fail "Kubernetes: the merged SARIF differs from the whole audit's"
mv k8s/results/shard-3.jsonl k8s/
run env PATH="$T/bin:$PATH" SFMC_SHARDS=4 SFMC_RESULTS="$T/k8s/results" timeout 120 sh -c "$(cat k8s-merge.sh)"
expect_rc 2 "Kubernetes merge with a shard missing"
expect_err_has "shard-3.jsonl is missing"

# GNU parallel on one machine.
if command -v parallel >/dev/null; then
	run env SFMC_SCAN="$SFMC" timeout 180 bash "$S/ci/parallel/sfmc-scan-audit.sh" 3 par --repos repos.txt --jobs 1
	expect_rc 1 "GNU parallel: secrets found"
	[ "$(ls par/shard-*.jsonl | wc -l)" = 3 ] || fail "GNU parallel: 3 shards"
	run timeout 120 "$SFMC" audit --repos repos.txt -q -o par-whole.jsonl
	"$SFMC" merge par/shard-*.jsonl -q -o par-merged.jsonl || true
	compare "GNU parallel" par-merged.jsonl par-whole.jsonl
	printf '%s\n' "$T/nothing-here.git" >>repos.txt
	run env SFMC_SCAN="$SFMC" timeout 180 bash "$S/ci/parallel/sfmc-scan-audit.sh" 3 par2 --repos repos.txt --jobs 1
	expect_rc 2 "GNU parallel: a repository that cannot be scanned"
else
	fail "GNU parallel is not installed (ci/deps.sh installs it)"
fi
finish
