# GitHub code scanning's SARIF rules that the JSON schema cannot check
# (shared/schemas/REQUIREMENTS.md 2-11). Prints one line per violation;
# nothing when the log is acceptable. Used by tests/e2e/reports_schema.sh.
def str: type == "string" and length > 0;
def within(n): str and length <= n;
def pos: type == "number" and . >= 1;

(if .["$schema"] | str then empty else "no $schema" end),
(if .version == "2.1.0" then empty else "version is not 2.1.0" end),
(if (.runs | length) == 1 then empty else "expected exactly one run, got \(.runs | length)" end),
([.. | strings | select(. == "")] | if length > 0 then "\(length) empty string(s) in the log" else empty end),
(.runs[] as $run
 | ($run.tool.driver.rules // []) as $rules
 | ($rules | map(.id)) as $ids
 | (if ($rules | length) > 0 then empty else "no tool.driver.rules" end),
   (if ($run.results | length) <= 25000 then empty else "more than 25000 results" end),
   (if ($run.invocations[0].executionSuccessful | type) == "boolean" then empty
    else "invocations[0].executionSuccessful missing" end),
   (if ($ids | unique | length) == ($ids | length) then empty else "duplicate rule ids" end),
   ($rules[]
    | (if .id | str then empty else "rule without id" end),
      (if .shortDescription.text | within(1024) then empty else "rule \(.id): shortDescription.text" end),
      (if .fullDescription.text | within(1024) then empty else "rule \(.id): fullDescription.text" end),
      (if .help.text | str then empty else "rule \(.id): help.text" end),
      (if .help.markdown | str then empty else "rule \(.id): help.markdown" end),
      (if (.name // "x") | within(255) then empty else "rule \(.id): name" end),
      (if (.defaultConfiguration.level // "warning") | IN("note", "warning", "error") then empty
       else "rule \(.id): defaultConfiguration.level" end),
      (if (.properties.tags // []) | (index("security") != null and index("secret") != null and length <= 20)
       then empty else "rule \(.id): tags must hold security and secret" end),
      (if (.properties["security-severity"] | type == "string" and (tonumber > 0 and tonumber <= 10))
       then empty else "rule \(.id): security-severity must be a string score in (0, 10]" end),
      (if (.properties.precision // "") | IN("very-high", "high", "medium", "low") then empty
       else "rule \(.id): precision" end)),
   ($run.results[]
    | (.locations[0].physicalLocation) as $p
    | (if .message.text | str then empty else "result without message.text" end),
      (if .ruleId as $id | $ids | index($id) != null then empty else "ruleId \(.ruleId) is not a rule" end),
      (if has("ruleIndex") | not then empty
       elif $rules[.ruleIndex].id == .ruleId then empty else "ruleIndex does not point at \(.ruleId)" end),
      (if .level | IN("none", "note", "warning", "error") then empty else "level \(.level)" end),
      (if $p.artifactLocation.uri | (str and (test("^[A-Za-z][A-Za-z0-9+.-]*:") | not) and (contains("\\") | not)
                                     and (startswith("/") | not))
       then empty else "uri \($p.artifactLocation.uri) is not relative" end),
      (if ($p.artifactLocation.uriBaseId // null) as $b | $b == null or
          ($run.originalUriBaseIds[$b].uri // "" | test("^file:///.*/$"))
       then empty else "uriBaseId \($p.artifactLocation.uriBaseId) is not defined" end),
      (if [$p.region.startLine, $p.region.startColumn, $p.region.endLine, $p.region.endColumn] | all(pos)
       then empty else "region of \($p.artifactLocation.uri) lacks a line or column" end),
      (if $p.region.endLine > $p.region.startLine or $p.region.endColumn > $p.region.startColumn then empty
       else "empty region (SARIF endColumn is exclusive)" end),
      (if .partialFingerprints.primaryLocationLineHash | str then empty else "no primaryLocationLineHash" end)))
