#!/usr/bin/env bash
# `audit --repos` over local bare repositories (secrets, a clean one, a
# corrupt one, a missing one), --jobs 1 and 2 agree, --shard K/N unions
# merged equal the unsharded audit byte for byte (run-varying fields
# normalised: docs/audit.md), merge into every format (schemas with
# $SFMC_AJV), --group across repositories, list and JSONL errors.
. "$(dirname "$0")/lib.sh"
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
mkrepo alpha "key=$shared"
mkrepo beta "key=$(tok)"
mkrepo gamma "nothing here"
mkrepo delta "copied=$shared"
mkrepo eps "key=$(tok)"
for i in 1 2 3 4 5 6; do mkrepo "r$i" "k$i=$(tok)"; done
# corrupt: a blob of its history is gone
b=$(git -C weps rev-parse HEAD:README)
rm "eps.git/objects/${b:0:2}/${b:2}"

{
	echo "# the audit list"
	for r in alpha beta gamma delta eps r1 r2 r3 r4 r5 r6; do echo "$T/$r.git"; done
	echo
	echo "  $T/missing.git   "
} >repos.txt

norm() { sed -E 's/("duration_ms": ?)[0-9]+/\10/g; s/("(start|end)_?[Tt]ime(Utc)?": ?)"[^"]*"/\1""/g' "$@"; }

# The whole list, 2 jobs (the default): failures recorded, the audit goes on, exit 2.
run timeout 120 "$SFMC" audit --repos repos.txt -o all.jsonl
expect_rc 2 "audit with a corrupt and a missing repository"
[ "$(grep -c '"type":"repository"' all.jsonl)" = 12 ] || fail "12 repository lines expected"
[ "$(grep -c '"type":"finding"' all.jsonl)" = 10 ] || fail "10 finding lines expected"
[ "$(jq -r 'select(.type=="repository" and .status=="error") | .repository' all.jsonl | sort | tr '\n' ' ')" = \
	"$T/eps.git $T/missing.git " ] || fail "eps and missing are the repositories in error"
[ "$(jq -r "select(.repository==\"$T/gamma.git\" and .type==\"repository\") | \"\(.status) \(.findings) \(.exit_code)\"" all.jsonl)" = "ok 0 0" ] ||
	fail "gamma is clean"
jq -se --arg r "$T/eps.git" 'any(.[]; .type == "repository" and .repository == $r and (.errors[0].message | test("cannot read blob")))' all.jsonl >/dev/null ||
	fail "eps's error names the unreadable blob"
expect_err_has "[12/12]"
expect_err_has "12 repositories, 2 not scanned completely"
grep -qF "$shared" all.jsonl && fail "a secret was printed whole"

# --jobs 1 gives the same report.
run timeout 120 "$SFMC" audit --repos repos.txt --jobs 1 -q -o one.jsonl
expect_rc 2 "--jobs 1"
cmp -s <(norm all.jsonl) <(norm one.jsonl) || fail "--jobs 1 and --jobs 2 differ"

# Clean repositories only: exit 0; with findings: 1; --fail-on never: 0.
printf '%s\n' "$T/gamma.git" >clean.txt
run "$SFMC" audit --repos clean.txt -q
expect_rc 0 "clean audit"
printf '%s\n' "$T/gamma.git" "$T/beta.git" >some.txt
run "$SFMC" audit --repos some.txt -q
expect_rc 1 "audit with findings"
run "$SFMC" audit --repos some.txt -q --fail-on never
expect_rc 0 "--fail-on never"
run "$SFMC" audit --repos clean.txt -q --no-config
expect_rc 0 "--no-config is passed on"

# Shards: each repository in exactly one; merged they are the unsharded audit.
for k in 1 2 3; do
	run timeout 120 "$SFMC" audit --repos repos.txt --shard "$k/3" -q -o "shard$k.jsonl"
	[ "$rc" -le 2 ] || fail "shard $k: exit $rc"
done
[ "$(cat shard?.jsonl | grep -c '"type":"repository"')" = 12 ] || fail "the shards hold 12 repositories in all"
for fmt in jsonl json sarif gitlab text; do
	run "$SFMC" merge shard1.jsonl shard2.jsonl shard3.jsonl -f "$fmt" -o "merged.$fmt"
	expect_rc 2 "merge -f $fmt"
	run "$SFMC" merge all.jsonl -f "$fmt" -o "whole.$fmt"
	cmp -s <(norm "merged.$fmt") <(norm "whole.$fmt") || fail "merged shards differ from the whole audit ($fmt)"
done
run "$SFMC" merge shard3.jsonl shard1.jsonl shard2.jsonl -o reordered.jsonl
cmp -s reordered.jsonl merged.jsonl || fail "merge depends on the order of its inputs"
cmp -s <(norm merged.jsonl) <(norm all.jsonl) || fail "merge -f jsonl of the shards differs from the audit's own JSONL"
jq -e '.findings | length == 10 and all(.repository != null)' merged.json >/dev/null || fail "json: 10 findings with repositories"
jq -e '.runs[0].results | length == 10 and all(.properties.repository != null)' merged.sarif >/dev/null ||
	fail "sarif: 10 results with properties.repository"
grep -qF "$T/alpha.git: s.env:1:5: error" merged.text || fail "text names the repository before the path"

# Schemas (ajv; skipped without $SFMC_AJV).
if [ -n "${SFMC_AJV:-}" ]; then
	SCHEMAS="$SFMC_SOURCE_DIR/tests/schemas"
	"$SFMC_AJV" migrate --spec=draft7 -s "$SCHEMAS/sarif-schema-2.1.0.json" -o sarif7.json >/dev/null
	cp merged.sarif merged-sarif.json
	cp merged.gitlab merged-gitlab.json
	"$SFMC_AJV" test --valid --spec=draft7 -c ajv-formats --strict=false -s sarif7.json -d merged-sarif.json >ajv.log 2>&1 ||
		fail "merged SARIF is not valid: $(cat ajv.log)"
	gl=$(ls "$SCHEMAS" | grep -i secret | head -1)
	"$SFMC_AJV" test --valid --spec=draft7 -c ajv-formats --strict=false -s "$SCHEMAS/$gl" -d merged-gitlab.json >ajv.log 2>&1 ||
		fail "merged GitLab report is not valid: $(cat ajv.log)"
else
	echo "note: SFMC_AJV unset: SARIF and GitLab schemas not checked"
fi

# --group: one secret in two repositories.
run "$SFMC" merge --group all.jsonl -f json
expect_rc 2 "merge --group"
expect_jq "[.groups[] | select(.repositories | length == 2)] | length" 1 "one secret in 2 repositories"
expect_jq ".groups[] | select(.repositories | length == 2) | .repositories | sort | join(\" \")" "$T/alpha.git $T/delta.git"
run "$SFMC" merge --group all.jsonl -f text
expect_out_has "in 2 repositories, first committed"

# --shard, --repos and merge input errors: one line naming FILE:LINE, exit 2.
for bad in 0/3 4/3 3 a/b 2/0; do
	run "$SFMC" audit --repos repos.txt --shard "$bad"
	expect_rc 2 "--shard $bad"
	expect_err_has "--shard: expected K/N"
done
printf '%s\n' "$T/alpha.git" "-x" >bad1.txt
printf '%s\n' "# ok" "ftp://example.com/a.git" >bad2.txt
printf '%s\n' "$T/alpha.git" "$T/alpha" >bad3.txt
printf '%s\n' "https://" >bad4.txt
printf '# nothing\n\n' >bad5.txt
printf 'a b\n' >bad6.txt
for i in 1 2 3 4 5 6; do
	run "$SFMC" audit --repos "bad$i.txt"
	expect_rc 2 "bad list $i"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "bad list $i: one line of error expected"
done
grep -q "bad1.txt:2: a repository cannot start with '-'" <(run "$SFMC" audit --repos bad1.txt; cat "$T/err") || fail "bad1: FILE:LINE"
run "$SFMC" audit --repos bad2.txt
expect_err_has "bad2.txt:2: unsupported URL scheme 'ftp'"
run "$SFMC" audit --repos bad3.txt
expect_err_has "bad3.txt:2: '$T/alpha' is already in the list"
run "$SFMC" audit --repos nonexistent.txt
expect_rc 2 "missing list"
run "$SFMC" audit
expect_rc 2 "no list"
expect_err_has "which repositories?"
run "$SFMC" audit --repos repos.txt extra-arg
expect_rc 2 "positional argument"

head -3 all.jsonl >cut.jsonl
sed -n '4,$p' all.jsonl | grep -v '"type":"finding"' >>cut.jsonl
run "$SFMC" merge cut.jsonl
expect_rc 2 "a cut file"
expect_err_has "a cut file?"
{ head -2 all.jsonl; echo '{"type":"finding",'; } >broken.jsonl
run "$SFMC" merge broken.jsonl
expect_rc 2 "malformed JSONL"
expect_err_has "broken.jsonl:3: not JSON"
echo '{"type":"other"}' >other.jsonl
run "$SFMC" merge other.jsonl
expect_err_has "other.jsonl:1: not an audit line"
run "$SFMC" merge all.jsonl all.jsonl
expect_rc 2 "a repository twice"
expect_err_has "is in more than one input"
run "$SFMC" merge
expect_rc 2 "merge without files"

# --show-secrets passes through; merge without it redacts again.
run "$SFMC" audit --repos some.txt --show-secrets -q -o shown.jsonl
grep -qF "$(sed -n 's/^key=//p' wbeta/s.env)" shown.jsonl || fail "--show-secrets: the secret is shown"
run "$SFMC" merge shown.jsonl -o again.jsonl
grep -qF "$(sed -n 's/^key=//p' wbeta/s.env)" again.jsonl && fail "merge without --show-secrets printed a secret"
cmp -s <(norm again.jsonl) <(run "$SFMC" audit --repos some.txt -q -o /dev/stdout; norm "$T/out") ||
	fail "a merged --show-secrets audit is the redacted audit"

# An empty shard (no repository fell into it) merges as nothing; text without a repository line does not.
: >empty.jsonl
run "$SFMC" merge empty.jsonl all.jsonl -q -o with-empty.jsonl
cmp -s <(norm with-empty.jsonl) <(norm all.jsonl) || fail "an empty shard changed the merge"
echo >blank.jsonl
run "$SFMC" merge blank.jsonl all.jsonl -q -o /dev/null
expect_rc 2 "a file with no repository line"
finish
