#!/usr/bin/env bash
# The CI templates and .pre-commit-hooks.yaml parse (python3-yaml), have the
# shape GitHub, GitLab and pre-commit expect, and the commands they run work:
# each build script is extracted from the YAML and run as written (this Debian
# 12 machine stands in for the runner; apt-get only checks that what it is told
# to install is installed, since tests stay off the network) on a tagged copy
# of this source tree, and each scan script then runs with the binary that
# build made, with the CI variables set, against a git repository with a
# secret in an older commit.
. "$(dirname "$0")/lib.sh"
S=$SFMC_SOURCE_DIR
yaml2json() { python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1"; }
for f in ci/github/sfmc-scan.yml ci/gitlab/sfmc-scan.gitlab-ci.yml .pre-commit-hooks.yaml action.yml; do
	yaml2json "$S/$f" >"$T/$(basename "$f").json" 2>"$T/err" || { fail "$f does not parse: $(cat "$T/err")"; finish; }
done
GH=$T/sfmc-scan.yml.json GL=$T/sfmc-scan.gitlab-ci.yml.json PC=$T/.pre-commit-hooks.yaml.json AC=$T/action.yml.json
# jqf FILE FILTER EXPECTED WHAT
jqf() {
	local got
	got=$(jq -r "$2" "$1" 2>&1) || { fail "$4: jq $2: $got"; return; }
	[ "$got" = "$3" ] || fail "$4: got '$got', expected '$3'"
}

# Shapes.
jqf "$PC" '.[0] | "\(.id)|\(.entry)|\(.language)|\(.pass_filenames)"' 'sfmc-scan|sfmc-scan dir|system|true' \
	".pre-commit-hooks.yaml"
# `stages: [pre-commit]` needs pre-commit >= 3.2.0; Debian 12 has 3.0.4 (precommit_framework.sh runs it).
jqf "$PC" '[.[] | select(has("stages"))] | length' 0 ".pre-commit-hooks.yaml without stages"
jqf "$PC" '[.[].id] | join(",")' 'sfmc-scan,sfmc-scan-docker' ".pre-commit-hooks.yaml hook ids"
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
jqf "$GH" '.permissions.actions' read "workflow lets upload-sarif read the run (private repositories)"
jqf "$GH" '[.jobs[].steps[].uses // empty | select(startswith("github/codeql-action/upload-sarif@"))] | length' 1 "one upload"
# Third-party actions pinned by a full commit id (the tag is a comment), upload-sarif v4.
for f in ci/github/sfmc-scan.yml action.yml; do
	bad=$(grep -E '^\s*(- )?uses:' "$S/$f" | grep -vE 'uses: [^@ ]+@[0-9a-f]{40} # v[0-9]' || true)
	[ -z "$bad" ] || fail "$f: actions not pinned by commit with a tag comment: $bad"
done
grep -qE 'upload-sarif@[0-9a-f]{40} # v4\.' "$S/ci/github/sfmc-scan.yml" || fail "upload-sarif is not v4"
# The scanner is built from a release tag, never a moving branch.
jqf "$GH" '.env.SFMC_SCAN_REF | test("^v[0-9]+\\.[0-9]+\\.[0-9]+$")' true "GitHub builds a tagged release"
jqf "$GL" '.["sfmc-scan"].variables.SFMC_SCAN_REF | test("^v[0-9]+\\.[0-9]+\\.[0-9]+$")' true "GitLab builds a tagged release"
jqf "$AC" '.runs.using' composite "action.yml is a composite action"
jqf "$AC" '.inputs | keys | join(",")' "fail-on,path,range,sarif" "action inputs"
jqf "$AC" '[.runs.steps[].run // empty | select(contains("${{"))] | length' 0 "action scripts without \${{ }}"

# GitLab rules: exactly one pipeline runs the job for each kind of event (no
# duplicate branch + merge request pipelines). A small evaluator of the rule
# forms the template uses: `$V == "x"`, `$V`, `A && B`, `when: never`.
jq -c '.["sfmc-scan"].rules' "$GL" >"$T/gl-rules.json"
cat >"$T/rules.py" <<'PY'
import json, re, sys
rules = json.load(open(sys.argv[1]))
def ev(expr, env):
    def atom(a):
        a = a.strip()
        m = re.fullmatch(r'\$(\w+)\s*==\s*"([^"]*)"', a)
        if m: return env.get(m.group(1), "") == m.group(2)
        m = re.fullmatch(r'\$(\w+)', a)
        if m: return env.get(m.group(1), "") != ""
        raise SystemExit("unsupported rule expression: " + a)
    return all(atom(p) for p in expr.split("&&"))
def runs(env):
    for r in rules:
        if "if" not in r or ev(r["if"], env):
            return r.get("when", "on_success") != "never"
    return False
cases = {  # event -> (env, expected: does the job run)
  "merge request pipeline": ({"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "1"}, True),
  "branch push with an open merge request": ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "f", "CI_OPEN_MERGE_REQUESTS": "g/p!1"}, False),
  "branch push without a merge request": ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}, True),
  "tag push": ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1"}, False),
}
bad = [k for k, (env, want) in cases.items() if runs(env) != want]
print("\n".join(bad))
PY
bad=$(python3 "$T/rules.py" "$T/gl-rules.json")
[ -z "$bad" ] || fail "GitLab rules run the job wrongly for: $bad"

# Every build dependency of CMakeLists.txt (its pkg-config modules) is in each
# template's apt-get line (the package that ships the module's .pc file).
mods=$(sed -n 's/^pkg_check_modules(DEPS REQUIRED IMPORTED_TARGET \(.*\))$/\1/p' "$S/CMakeLists.txt")
[ -n "$mods" ] || fail "no pkg_check_modules(DEPS ...) line in CMakeLists.txt"
need=()
for m in $mods; do
	pc=$(pkg-config --path "$m") || { fail "pkg-config does not know $m"; continue; }
	need+=("$(dpkg -S "$pc" | head -1 | cut -d: -f1)")
done
jq -r '.jobs[].steps[] | select(.name == "Build sfmc-scan") | .run' "$GH" >"$T/gh-build.sh"
jq -r '.["sfmc-scan"].before_script | join("\n")' "$GL" >"$T/gl-build.sh"
jq -r '.runs.steps[] | select(.name == "Build sfmc-scan") | .run' "$AC" >"$T/ac-build.sh"
for b in gh-build gl-build ac-build; do
	for p in "${need[@]}"; do
		grep -qw -- "$p" "$T/$b.sh" || fail "$b: the apt-get line lacks $p (needed by CMakeLists.txt)"
	done
done

# The build steps, as written. apt-get and sudo stand in for the runner's: apt-get
# checks that every package it is asked for is installed here.
mkdir -p "$T/shim"
cat >"$T/shim/apt-get" <<'SH'
#!/bin/sh
[ "$1" = install ] || exit 0
for p in "$@"; do
	case $p in -*|install) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || { echo "apt-get shim: $p is not installed" >&2; exit 100; }
done
SH
printf '#!/bin/sh\nexec "$@"\n' >"$T/shim/sudo"
chmod +x "$T/shim/apt-get" "$T/shim/sudo"
# The scanner's source as a release: this tree's files, committed and tagged.
mkdir "$T/release"
(cd "$S" && git ls-files -z -co --exclude-standard | xargs -0 tar cf -) | tar xf - -C "$T/release"
git -C "$T/release" init -q
git -C "$T/release" add -A
git -C "$T/release" commit -q -m release
ref=$(jq -r '.env.SFMC_SCAN_REF' "$GH")
git -C "$T/release" tag "$ref"
built_gh=$SFMC built_gl=$SFMC
if [ -z "${SFMC_WRAP:-}" ]; then # under valgrind, the builds add nothing to check
	# GitHub: actions/checkout puts the tagged release in .sfmc-scan; then the Build step.
	mkdir "$T/gh-ws"
	git clone -q --branch "$ref" "$T/release" "$T/gh-ws/.sfmc-scan" 2>/dev/null
	(cd "$T/gh-ws" && PATH="$T/shim:$PATH" bash -e "$T/gh-build.sh") >"$T/gh-build.log" 2>&1 ||
		fail "GitHub Build step failed: $(tail -20 "$T/gh-build.log")"
	built_gh=$T/gh-ws/.sfmc-scan/build/sfmc-scan
	# GitLab: before_script clones the tag itself.
	(cd "$T" && PATH="$T/shim:$PATH" SFMC_SCAN_REPO="file://$T/release" SFMC_SCAN_REF="$ref" SFMC_SCAN_SRC="$T/gl-src" \
		bash -e "$T/gl-build.sh") >"$T/gl-build.log" 2>&1 || fail "GitLab before_script failed: $(tail -20 "$T/gl-build.log")"
	built_gl=$T/gl-src/build/sfmc-scan
	# The composite action builds from its own checkout (github.action_path).
	mkdir "$T/ac-tmp"
	(cd "$T" && PATH="$T/shim:$PATH" SRC="$T/release" RUNNER_TEMP="$T/ac-tmp" GITHUB_ENV="$T/ac-env" \
		bash -e "$T/ac-build.sh") >"$T/ac-build.log" 2>&1 || fail "action Build step failed: $(tail -20 "$T/ac-build.log")"
	grep -qx "SFMC_SCAN=$T/ac-tmp/sfmc-scan-build/sfmc-scan" "$T/ac-env" || fail "the action does not export SFMC_SCAN"
	for b in "$built_gh" "$built_gl" "$T/ac-tmp/sfmc-scan-build/sfmc-scan"; do
		[ -x "$b" ] || fail "no binary at $b"
	done
fi

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
	run env SFMC_SCAN="$built_gh" GITHUB_OUTPUT="$T/gh-out" EVENT="$1" PR_BASE="$2" PR_HEAD="$3" PUSH_BEFORE="$4" \
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
	run env SFMC_SCAN="$built_gl" CI_PROJECT_DIR="$T/repo" SFMC_FAIL_ON="$1" CI_MERGE_REQUEST_DIFF_BASE_SHA="$2" \
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

# The composite action's Scan step, with the inputs as env.
jq -r '.runs.steps[] | select(.name == "Scan") | .run' "$AC" >"$T/ac-scan.sh"
ac_scan() {
	rm -f sfmc-scan.sarif "$T/ac-out"
	run env SFMC_SCAN="$SFMC" GITHUB_OUTPUT="$T/ac-out" RANGE="$1" FAIL_ON=error SARIF=sfmc-scan.sarif REPO=. \
		bash -e "$T/ac-scan.sh"
}
ac_scan "$base..$head"
expect_rc 1 "action Scan step on a range with a secret"
grep -qx 'rc=1' "$T/ac-out" || fail "action: rc output is not 1"
jqf sfmc-scan.sarif '[.runs[0].results[] | .properties.commit] | join(",")' "$leak" "action SARIF"
ac_scan "$leak..$head"
expect_rc 0 "action Scan step on a clean range"
finish
