#!/usr/bin/env bash
# The CI templates and .pre-commit-hooks.yaml parse (python3-yaml), have the
# shape GitHub, GitLab and pre-commit expect, and the commands they run work:
# each scan script is extracted from the YAML and run for real, with the CI
# variables set, against a git repository with a secret in an older commit.
. "$(dirname "$0")/lib.sh"
S=$SFMC_SOURCE_DIR
yaml2json() { python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1"; }
for f in ci/github/sfmc-scan.yml ci/gitlab/sfmc-scan.gitlab-ci.yml .pre-commit-hooks.yaml; do
	yaml2json "$S/$f" >"$T/$(basename "$f").json" 2>"$T/err" || { fail "$f does not parse: $(cat "$T/err")"; finish; }
done
GH=$T/sfmc-scan.yml.json GL=$T/sfmc-scan.gitlab-ci.yml.json PC=$T/.pre-commit-hooks.yaml.json
# jqf FILE FILTER EXPECTED WHAT
jqf() {
	local got
	got=$(jq -r "$2" "$1" 2>&1) || { fail "$4: jq $2: $got"; return; }
	[ "$got" = "$3" ] || fail "$4: got '$got', expected '$3'"
}

# Shapes.
jqf "$PC" '.[0] | "\(.id)|\(.entry)|\(.language)|\(.pass_filenames)"' 'sfmc-scan|sfmc-scan staged|system|false' \
	".pre-commit-hooks.yaml"
jqf "$GH" '.permissions["security-events"]' write "workflow may upload SARIF"
jqf "$GH" '(.true // .on) | keys | join(",")' pull_request,push "workflow triggers"
jqf "$GH" '[.jobs[].steps[] | select(.uses // "" | startswith("github/codeql-action/upload-sarif@")) | .with.sarif_file] | join(",")' \
	sfmc-scan.sarif "upload-sarif step"
jqf "$GH" '[.jobs[].steps[] | select(.uses // "" | startswith("actions/checkout@")) | .with["fetch-depth"] // empty] | join(",")' \
	0 "the checkout fetches the history"
# Expressions only in env/with/if, never pasted into a shell script (injection).
jqf "$GH" '[.jobs[].steps[].run // empty | select(contains("${{"))] | length' 0 "run scripts without \${{ }}"
jqf "$GL" '.["sfmc-scan"].artifacts.reports.secret_detection' gl-secret-detection-report.json "GitLab report artifact"
jqf "$GL" '.["sfmc-scan"].artifacts.when' always "GitLab report uploaded on failure"

# A repository: clean base, then a secret added and removed again (older commit of the range).
git init -q "$T/repo"
cd "$T/repo"
echo base >a.txt
git add a.txt
git commit -q -m base
base=$(git rev-parse HEAD)
printf 'k=%s\n' "$(tok)" >app.env
git add app.env
git commit -q -m "add app.env"
leak=$(git rev-parse HEAD)
git rm -q app.env
git commit -q -m "remove app.env"
echo more >>a.txt
git commit -q -am more
head=$(git rev-parse HEAD)

# GitHub: the Scan step's script, with the env the workflow gives it.
jq -r '.jobs[].steps[] | select(.name == "Scan") | .run' "$GH" >"$T/gh-scan.sh"
gh_scan() {
	rm -f sfmc-scan.sarif "$T/gh-out"
	run env SFMC_SCAN="$SFMC" GITHUB_OUTPUT="$T/gh-out" EVENT="$1" PR_BASE="$2" PR_HEAD="$3" PUSH_BEFORE="$4" \
		PUSH_AFTER="$5" bash -e "$T/gh-scan.sh"
}
gh_scan pull_request "$base" "$head" "" "$head"
expect_rc 0 "GitHub scan step (findings are failed by the next step)"
grep -qx 'rc=1' "$T/gh-out" || fail "GitHub: rc output is not 1 for a PR with a secret: $(cat "$T/gh-out")"
jqf sfmc-scan.sarif '[.runs[0].results[] | "\(.locations[0].physicalLocation.artifactLocation.uri) \(.properties.commit)"] | join(",")' \
	"app.env $leak" "GitHub PR range SARIF"
gh_scan pull_request "$leak" "$head" "" "$head"
grep -qx 'rc=0' "$T/gh-out" || fail "GitHub: a PR range after the leak is not clean"
gh_scan push "" "" 0000000000000000000000000000000000000000 "$head"
grep -qx 'rc=1' "$T/gh-out" || fail "GitHub: a new branch push does not scan its history"
gh_scan push "" "" "$leak" "$head"
grep -qx 'rc=0' "$T/gh-out" || fail "GitHub: push before..after"
jq -r '.jobs[].steps[] | select(.name == "Fail on findings") | .run' "$GH" >"$T/gh-fail.sh"
run env RC=1 bash -e "$T/gh-fail.sh"
expect_rc 1 "GitHub: the fail step fails"

# GitLab: the job script, with the predefined CI variables.
jq -r '.["sfmc-scan"].script | join("\n")' "$GL" >"$T/gl-scan.sh"
gl_scan() {
	rm -f gl-secret-detection-report.json
	run env SFMC_SCAN="$SFMC" CI_PROJECT_DIR="$T/repo" SFMC_FAIL_ON="$1" CI_MERGE_REQUEST_DIFF_BASE_SHA="$2" \
		CI_COMMIT_BEFORE_SHA="$3" CI_COMMIT_SHA="$head" bash -e "$T/gl-scan.sh"
}
gl_scan "$(jq -r '.["sfmc-scan"].variables.SFMC_FAIL_ON' "$GL")" "$base" ""
expect_rc 0 "GitLab job with the default SFMC_FAIL_ON"
jqf gl-secret-detection-report.json '[.vulnerabilities[] | "\(.location.file) \(.location.commit.sha)"] | join(",")' \
	"app.env $leak" "GitLab MR report"
gl_scan error "$base" ""
expect_rc 1 "GitLab job with SFMC_FAIL_ON=error"
gl_scan error "" "$leak"
expect_rc 0 "GitLab push job after the leak"
jqf gl-secret-detection-report.json '.vulnerabilities | length' 0 "GitLab push report"

# pre-commit framework: `language: system` runs the entry from PATH in the repository.
mkdir "$T/bin"
ln -s "$SFMC" "$T/bin/sfmc-scan"
entry=$(jq -r '.[0].entry' "$PC")
printf 'k=%s\n' "$(tok)" >staged.env
git add staged.env
run env PATH="$T/bin:$PATH" sh -c "$entry"
expect_rc 1 ".pre-commit-hooks.yaml entry with a staged secret"
expect_out_has "staged.env:1:3"
git rm -q --cached staged.env
run env PATH="$T/bin:$PATH" sh -c "$entry"
expect_rc 0 ".pre-commit-hooks.yaml entry, nothing staged"
finish
