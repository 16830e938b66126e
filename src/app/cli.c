#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/cli.h"
#include "app/audit.h"
#include "app/commands.h"
#include "app/hook_install.h"
#include "app/merge.h"
#include "app/org.h"
#include "util/bounds.h"
#include "report/report.h"
#include "source/source.h"
#include "triage/datastore.h"
#include "util/error.h"
#include "util/text.h"
#include "verify/verify.h"

/* Which commands an option applies to: one bit per command row. */
enum {
	C_DIR = 1 << 0,
	C_STDIN = 1 << 1,
	C_GIT = 1 << 2,
	C_STAGED = 1 << 3,
	C_HOOK = 1 << 4,
	C_PRE_COMMIT = 1 << 5,
	C_PRE_PUSH = 1 << 6,
	C_PRE_RECEIVE = 1 << 7,
	C_CHECK = 1 << 8,
	C_GENERATE = 1 << 9,
	C_COMPLETION = 1 << 10,
	C_META = 1 << 11, /* help, version */
	C_COMMIT_MSG = 1 << 12,
	C_TRIAGE = 1 << 13,
	C_REPORT = 1 << 14,
	C_AUDIT = 1 << 15,
	C_MERGE = 1 << 16,
	C_HOOKS = C_PRE_COMMIT | C_PRE_PUSH | C_PRE_RECEIVE | C_COMMIT_MSG,
	C_SCAN = C_DIR | C_STDIN | C_GIT | C_STAGED | C_HOOKS,
	C_ANY = (1 << 17) - 1,
};

static const sfmc_command commands[] = {
	{ "dir", &sfmc_source_type_dir, NULL, 0, C_DIR, "dir [PATH...]", "scan files under each PATH (default .)",
	  "  sfmc-scan dir                          the current directory\n"
	  "  sfmc-scan dir src config/prod.env      several roots\n"
	  "  sfmc-scan dir -f json -o report.json --fail-on warning .\n" },
	{ "stdin", &sfmc_source_type_stdin, NULL, 0, C_STDIN, "stdin [--label NAME]", "scan standard input",
	  "  kubectl get secret app -o yaml | sfmc-scan stdin --label k8s/app\n" },
	{ "git", &sfmc_source_type_git, NULL, 0, C_GIT, "git [REPO|URL]",
	  "scan every blob in a repository's history (a URL: a bare clone of every ref)",
	  "  sfmc-scan git                          the whole history of the repository here\n"
	  "  sfmc-scan git --range origin/main..HEAD --report sarif:sfmc-scan.sarif\n"
	  "  sfmc-scan git --group -f json -o audit.json /srv/repos/app.git\n"
	  "  sfmc-scan git --git-token-env GH_TOKEN https://github.com/org/app.git\n"
	  "  sfmc-scan git --clone-dir /var/cache/sfmc/app.git git@github.com:org/app.git\n" },
	{ "staged", &sfmc_source_type_staged, NULL, 0, C_STAGED, "staged [REPO]", "scan the index (pre-commit)",
	  "  sfmc-scan staged                       what the next commit would add\n" },
	{ "hook", NULL, sfmc_cmd_hook, 0, C_HOOK, "hook install|uninstall [REPO]",
	  "add or remove the git hooks that run sfmc-scan (core.hooksPath aware)",
	  "  sfmc-scan hook install                 pre-commit and pre-push in this clone\n"
	  "  sfmc-scan hook install --pre-receive /srv/git/app.git\n"
	  "  sfmc-scan hook install --commit-msg     also block secrets in commit messages\n"
	  "  sfmc-scan hook uninstall\n" },
	{ "pre-commit", &sfmc_source_type_pre_commit, NULL, SFMC_HOOK_PRE_COMMIT, C_PRE_COMMIT, "pre-commit",
	  "the pre-commit hook: scan the index, say what to do on a hit",
	  "  (run by .git/hooks/pre-commit after `sfmc-scan hook install`)\n" },
	{ "pre-push", &sfmc_source_type_pre_push, NULL, SFMC_HOOK_PRE_PUSH, C_PRE_PUSH, "pre-push [REMOTE]",
	  "the pre-push hook: scan the commits being pushed (git's stdin protocol)",
	  "  (run by .git/hooks/pre-push after `sfmc-scan hook install`)\n" },
	{ "pre-receive", &sfmc_source_type_pre_receive, NULL, SFMC_HOOK_PRE_RECEIVE, C_PRE_RECEIVE, "pre-receive",
	  "the server hook: scan only the pushed commits new to the repository",
	  "  (run by hooks/pre-receive of a bare repository; see ci/pre-receive/README.md)\n" },
	{ "commit-msg", &sfmc_source_type_commit_msg, NULL, SFMC_HOOK_COMMIT_MSG, C_COMMIT_MSG, "commit-msg FILE",
	  "the commit-msg hook: scan the message of the commit being made",
	  "  (run by .git/hooks/commit-msg after `sfmc-scan hook install --commit-msg`)\n" },
	{ "check", NULL, sfmc_cmd_check, 0, C_CHECK, "check [TOKEN...]",
	  "valid / invalid checksum / not a token, per argument or stdin line",
	  "  sfmc-scan check \"$SFMC_CLIENT_SECRET\"\n"
	  "  cut -d= -f2 secrets.env | sfmc-scan check\n" },
	{ "generate", NULL, sfmc_cmd_generate, 0, C_GENERATE, "generate [-n N]",
	  "print N fresh valid tokens (tests, canaries)", "  sfmc-scan generate -n 3\n" },
	{ "completion", NULL, sfmc_cmd_completion, 0, C_COMPLETION, "completion bash|zsh|fish",
	  "print a shell completion script",
	  "  sfmc-scan completion bash > ~/.local/share/bash-completion/completions/sfmc-scan\n" },
	{ "triage", NULL, sfmc_cmd_triage, 0, C_TRIAGE, "triage FINGERPRINT --status S",
	  "record what was done about a secret in the datastore (fingerprint prefixes work)",
	  "  sfmc-scan triage 3f2a9c01 --status rotated --reason \"rotated 2026-05-02, INC-1234\"\n"
	  "  sfmc-scan triage 3f2a9c01 --status false-positive --reason \"test fixture\" --datastore audit.db\n" },
	{ "report", NULL, sfmc_cmd_report, 0, C_REPORT, "report [--datastore FILE]",
	  "render a report of what the datastore recorded, without scanning",
	  "  sfmc-scan report --datastore audit.db -f html -o audit.html\n"
	  "  sfmc-scan report --datastore audit.db --status open --since 2026-01-01 -f json\n" },
	{ "audit", NULL, sfmc_cmd_audit, 0, C_AUDIT, "audit --repos FILE | --github-org ORG | --gitlab-group GROUP",
	  "scan the whole history of many repositories, --jobs at a time (JSONL per finding and per repository)",
	  "  sfmc-scan audit --repos repos.txt --jobs 4 -o audit.jsonl\n"
	  "  GITHUB_TOKEN=... sfmc-scan audit --github-org acme --skip-forks -f sarif -o acme.sarif\n"
	  "  sfmc-scan audit --repos repos.txt --shard 2/3 -o shard2.jsonl     (one of 3 machines)\n" },
	{ "merge", NULL, sfmc_cmd_merge, 0, C_MERGE, "merge FILE...",
	  "combine audit JSONL files (shards) into one sorted report in any format",
	  "  sfmc-scan merge shard1.jsonl shard2.jsonl shard3.jsonl -f sarif -o audit.sarif\n"
	  "  sfmc-scan merge --group audit.jsonl\n" },
	{ "help", NULL, sfmc_cmd_help, 0, C_META, NULL, NULL, NULL },
	{ "version", NULL, sfmc_cmd_version, 0, C_META, NULL, NULL, NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

enum {
	OPT_RULES = 256,
	OPT_FAIL_ON,
	OPT_SHOW_SECRETS,
	OPT_MAX_FILE_SIZE,
	OPT_LABEL,
	OPT_NO_COLOR,
	OPT_RANGE,
	OPT_ALL_OBJECTS,
	OPT_REPORT,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
	OPT_GROUP,
	OPT_PRE_COMMIT,
	OPT_PRE_PUSH,
	OPT_PRE_RECEIVE,
	OPT_COMMIT_MSG,
	OPT_CHAIN,
	OPT_NO_DECODE,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_NO_COLOUR,
	OPT_ARCHIVE_DEPTH,
	OPT_ARCHIVE_MAX_BYTES,
	OPT_ARCHIVE_MAX_RATIO,
	OPT_ARCHIVE_MAX_MEMBERS,
	OPT_FAIL_ON_SKIPPED,
	OPT_VERIFY,
	OPT_VERIFY_JOBS,
	OPT_VERIFY_RATE,
	OPT_VERIFY_TIMEOUT,
	OPT_VERIFY_CACERT,
	OPT_VERIFY_CONNECT_TO,
	OPT_CLIENT_ID,
	OPT_SUBDOMAIN,
	OPT_ACCOUNT_ID,
	OPT_DATASTORE,
	OPT_FAIL_ON_UNTRIAGED,
	OPT_STATUS,
	OPT_REASON,
	OPT_REPOSITORY,
	OPT_SINCE,
	OPT_REPOS,
	OPT_GITHUB_ORG,
	OPT_GITLAB_GROUP,
	OPT_SKIP_FORKS,
	OPT_SKIP_ARCHIVED,
	OPT_GITHUB_API,
	OPT_GITLAB_API,
	OPT_API_CACERT,
	OPT_API_MAX_WAIT,
	OPT_JOBS,
	OPT_SHARD,
	OPT_CLONE_DIR,
	OPT_GIT_TOKEN_ENV,
	OPT_GIT_CACERT,
};

/* One row per option: getopt's entry, the commands it applies to, its help. */
typedef struct cli_option {
	struct option opt;
	unsigned applies;  /* C_* bits */
	const char *spell; /* as --help shows it; NULL: not listed (an alias) */
	const char *help;  /* "{formats}" stands for the list of report formats */
} cli_option;

static const cli_option options[] = {
	{ { "format", required_argument, NULL, 'f' },
	  C_SCAN | C_REPORT | C_AUDIT | C_MERGE,
	  "-f, --format FMT",
	  "report format: {formats} (default text)" },
	{ { "output", required_argument, NULL, 'o' },
	  C_SCAN | C_REPORT | C_AUDIT | C_MERGE,
	  "-o, --output FILE",
	  "write the report to FILE instead of stdout" },
	{ { "report", required_argument, NULL, OPT_REPORT },
	  C_SCAN | C_AUDIT | C_MERGE,
	  "    --report FMT:PATH",
	  "also write a FMT report to PATH (repeatable, e.g. sarif:out.sarif)" },
	{ { "rules", required_argument, NULL, OPT_RULES },
	  C_SCAN | C_CHECK | C_GENERATE | C_REPORT | C_AUDIT | C_MERGE,
	  "    --rules FILE",
	  "use FILE instead of the built-in rules" },
	{ { "fail-on", required_argument, NULL, OPT_FAIL_ON },
	  C_SCAN | C_REPORT | C_AUDIT | C_MERGE,
	  "    --fail-on LEVEL",
	  "error|warning|never|live: what makes exit code 1 (default error; live needs --verify, merge reads it back)" },
	{ { "verify", no_argument, NULL, OPT_VERIFY },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify",
	  "ask each tenant's token endpoint whether a secret found with its client id and subdomain works (network)" },
	{ { "verify-jobs", required_argument, NULL, OPT_VERIFY_JOBS },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify-jobs N",
	  "--verify: requests in flight at once (default 4)" },
	{ { "verify-rate", required_argument, NULL, OPT_VERIFY_RATE },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify-rate N",
	  "--verify: requests per second per tenant (default 2)" },
	{ { "verify-timeout", required_argument, NULL, OPT_VERIFY_TIMEOUT },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify-timeout SECONDS",
	  "--verify: connect and total timeout per request (default 10)" },
	{ { "verify-cacert", required_argument, NULL, OPT_VERIFY_CACERT },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify-cacert FILE",
	  "--verify: trust the CA certificates in FILE instead of the system's" },
	{ { "verify-connect-to", required_argument, NULL, OPT_VERIFY_CONNECT_TO },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --verify-connect-to ADDR:PORT",
	  "--verify: connect to this loopback address instead of resolving the tenant (tests, local proxies)" },
	{ { "client-id", required_argument, NULL, OPT_CLIENT_ID },
	  C_CHECK,
	  "    --client-id ID",
	  "check --verify: the token's client id" },
	{ { "subdomain", required_argument, NULL, OPT_SUBDOMAIN },
	  C_CHECK,
	  "    --subdomain SUB",
	  "check --verify: the tenant subdomain (mc + 26 characters)" },
	{ { "account-id", required_argument, NULL, OPT_ACCOUNT_ID },
	  C_CHECK,
	  "    --account-id MID",
	  "check --verify: the Business Unit MID (optional)" },
	{ { "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	  C_SCAN | C_CHECK | C_AUDIT | C_MERGE,
	  "    --show-secrets",
	  "print secrets whole (default: redacted)" },
	{ { "no-decode", no_argument, NULL, OPT_NO_DECODE },
	  C_SCAN | C_CHECK | C_AUDIT,
	  "    --no-decode",
	  "do not look inside base64, UTF-16, percent- or \\u-escaped text" },
	{ { "threads", required_argument, NULL, 'j' },
	  C_SCAN | C_AUDIT,
	  "-j, --threads N",
	  "worker threads (default: number of CPUs)" },
	{ { "max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE },
	  C_SCAN | C_AUDIT,
	  "    --max-file-size N",
	  "skip (and report) files larger than N bytes (K, M, G suffixes)" },
	{ { "archive-depth", required_argument, NULL, OPT_ARCHIVE_DEPTH },
	  C_SCAN | C_AUDIT,
	  "    --archive-depth N",
	  "nested archives and compressed files opened (default 4; 0: none)" },
	{ { "archive-max-bytes", required_argument, NULL, OPT_ARCHIVE_MAX_BYTES },
	  C_SCAN | C_AUDIT,
	  "    --archive-max-bytes N",
	  "decompressed bytes read from one file's archives (default 2G; K, M, G suffixes)" },
	{ { "archive-max-ratio", required_argument, NULL, OPT_ARCHIVE_MAX_RATIO },
	  C_SCAN | C_AUDIT,
	  "    --archive-max-ratio N",
	  "stop an archive that decompresses to more than N times its size (default 200)" },
	{ { "archive-max-members", required_argument, NULL, OPT_ARCHIVE_MAX_MEMBERS },
	  C_SCAN | C_AUDIT,
	  "    --archive-max-members N",
	  "members read from one file's archives (default 100000)" },
	{ { "fail-on-skipped", no_argument, NULL, OPT_FAIL_ON_SKIPPED },
	  C_SCAN | C_AUDIT,
	  "    --fail-on-skipped",
	  "exit 2 when anything was skipped (limits, encrypted or damaged archives)" },
	{ { "label", required_argument, NULL, OPT_LABEL },
	  C_STDIN,
	  "    --label NAME",
	  "name of the standard-input stream (default stdin)" },
	{ { "range", required_argument, NULL, OPT_RANGE },
	  C_GIT,
	  "    --range A..B",
	  "git: scan only what commits in A..B introduce" },
	{ { "all-objects", no_argument, NULL, OPT_ALL_OBJECTS },
	  C_GIT | C_AUDIT,
	  "    --all-objects",
	  "git: also scan objects no ref reaches" },
	{ { "clone-dir", required_argument, NULL, OPT_CLONE_DIR },
	  C_GIT | C_AUDIT,
	  "    --clone-dir DIR",
	  "git URL: keep the bare clone in DIR; the next run fetches only what is new (default: a temporary clone); "
	  "audit: one clone per repository under DIR" },
	{ { "git-token-env", required_argument, NULL, OPT_GIT_TOKEN_ENV },
	  C_GIT | C_AUDIT,
	  "    --git-token-env NAME",
	  "git URL: the HTTPS token is in environment variable NAME (user x-access-token or the URL's)" },
	{ { "git-cacert", required_argument, NULL, OPT_GIT_CACERT },
	  C_GIT | C_AUDIT,
	  "    --git-cacert FILE",
	  "git URL: trust the CA certificates in FILE (PEM) instead of the system's for HTTPS" },
	{ { "config", required_argument, NULL, OPT_CONFIG },
	  C_SCAN | C_AUDIT,
	  "    --config FILE",
	  "read FILE instead of ROOT/.sfmc-scan.yaml" },
	{ { "no-config", no_argument, NULL, OPT_NO_CONFIG },
	  C_SCAN | C_AUDIT,
	  "    --no-config",
	  "ignore .sfmc-scan.yaml" },
	{ { "baseline", required_argument, NULL, OPT_BASELINE },
	  C_SCAN | C_AUDIT,
	  "    --baseline FILE",
	  "suppress findings already in FILE (an earlier JSON report)" },
	{ { "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
	  C_SCAN,
	  "    --write-baseline FILE",
	  "write the findings as a baseline (secrets redacted)" },
	{ { "group", no_argument, NULL, OPT_GROUP },
	  C_SCAN | C_AUDIT | C_MERGE,
	  "    --group",
	  "one entry per distinct secret with all its locations" },
	{ { "pre-commit", no_argument, NULL, OPT_PRE_COMMIT },
	  C_HOOK,
	  "    --pre-commit",
	  "hook: the pre-commit hook (default with --pre-push; pre-receive in a bare repository)" },
	{ { "pre-push", no_argument, NULL, OPT_PRE_PUSH }, C_HOOK, "    --pre-push", "hook: the pre-push hook" },
	{ { "pre-receive", no_argument, NULL, OPT_PRE_RECEIVE },
	  C_HOOK,
	  "    --pre-receive",
	  "hook: the pre-receive hook" },
	{ { "commit-msg", no_argument, NULL, OPT_COMMIT_MSG },
	  C_HOOK,
	  "    --commit-msg",
	  "hook: the commit-msg hook (commit messages; not a default)" },
	{ { "chain", no_argument, NULL, OPT_CHAIN },
	  C_HOOK,
	  "    --chain",
	  "hook install: keep an existing hook and run it before sfmc-scan" },
	{ { "datastore", required_argument, NULL, OPT_DATASTORE },
	  C_DIR | C_GIT | C_TRIAGE | C_REPORT | C_AUDIT,
	  "    --datastore FILE",
	  "record the audit in SQLite FILE; git rescans only new blobs (triage, report: default .sfmc-scan.db)" },
	{ { "fail-on-untriaged", no_argument, NULL, OPT_FAIL_ON_UNTRIAGED },
	  C_DIR | C_GIT | C_REPORT,
	  "    --fail-on-untriaged",
	  "with --datastore: the exit code ignores secrets triaged rotated, false-positive or accepted" },
	{ { "status", required_argument, NULL, OPT_STATUS },
	  C_TRIAGE | C_REPORT,
	  "    --status S",
	  "triage: open|rotated|false-positive|accepted; report: only secrets with that status (or reintroduced)" },
	{ { "reason", required_argument, NULL, OPT_REASON },
	  C_TRIAGE,
	  "    --reason TEXT",
	  "triage: why (required for any status but open)" },
	{ { "repository", required_argument, NULL, OPT_REPOSITORY },
	  C_REPORT,
	  "    --repository TEXT",
	  "report: only repositories whose path contains TEXT" },
	{ { "since", required_argument, NULL, OPT_SINCE },
	  C_REPORT,
	  "    --since DATE",
	  "report: only locations from commits (or scans) on or after DATE (YYYY-MM-DD)" },
	{ { "repos", required_argument, NULL, OPT_REPOS },
	  C_AUDIT,
	  "    --repos FILE",
	  "audit: the repositories in FILE, one URL or path a line (# comments)" },
	{ { "github-org", required_argument, NULL, OPT_GITHUB_ORG },
	  C_AUDIT,
	  "    --github-org ORG",
	  "audit: every repository of a GitHub organisation (network; token from $GITHUB_TOKEN)" },
	{ { "gitlab-group", required_argument, NULL, OPT_GITLAB_GROUP },
	  C_AUDIT,
	  "    --gitlab-group GROUP",
	  "audit: every project of a GitLab group and its subgroups (network; token from $GITLAB_TOKEN)" },
	{ { "skip-forks", no_argument, NULL, OPT_SKIP_FORKS },
	  C_AUDIT,
	  "    --skip-forks",
	  "audit: leave out forks the forge lists" },
	{ { "skip-archived", no_argument, NULL, OPT_SKIP_ARCHIVED },
	  C_AUDIT,
	  "    --skip-archived",
	  "audit: leave out archived repositories the forge lists" },
	{ { "github-api", required_argument, NULL, OPT_GITHUB_API },
	  C_AUDIT,
	  "    --github-api URL",
	  "audit: GitHub API base URL (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)" },
	{ { "gitlab-api", required_argument, NULL, OPT_GITLAB_API },
	  C_AUDIT,
	  "    --gitlab-api URL",
	  "audit: GitLab API base URL (default https://gitlab.com/api/v4)" },
	{ { "api-cacert", required_argument, NULL, OPT_API_CACERT },
	  C_AUDIT,
	  "    --api-cacert FILE",
	  "audit: trust the CA certificates in FILE for the forge API instead of the system's" },
	{ { "api-max-wait", required_argument, NULL, OPT_API_MAX_WAIT },
	  C_AUDIT,
	  "    --api-max-wait SECONDS",
	  "audit: longest total wait on forge rate limits before failing (default 60)" },
	{ { "jobs", required_argument, NULL, OPT_JOBS },
	  C_AUDIT,
	  "    --jobs N",
	  "audit: repositories scanned at once (default 2; each with --threads)" },
	{ { "shard", required_argument, NULL, OPT_SHARD },
	  C_AUDIT,
	  "    --shard K/N",
	  "audit: only the repositories of shard K of N (stable hash of the URL)" },
	{ { NULL, 0, NULL, 'n' }, C_GENERATE, "-n N", "generate: how many tokens (default 1)" },
	{ { "quiet", no_argument, NULL, 'q' },
	  C_SCAN | C_HOOK | C_REPORT | C_AUDIT | C_MERGE,
	  "-q, --quiet",
	  "no summary on stderr (errors are still printed)" },
	{ { "verbose", no_argument, NULL, 'v' },
	  C_SCAN,
	  "-v, --verbose",
	  "hooks: print the summary on a clean run too (default: nothing)" },
	{ { "progress", no_argument, NULL, OPT_PROGRESS },
	  C_SCAN,
	  "    --progress",
	  "live progress line on stderr (default when stderr is a terminal and not --quiet)" },
	{ { "no-progress", no_argument, NULL, OPT_NO_PROGRESS }, C_SCAN, "    --no-progress", "no progress line" },
	{ { "no-color", no_argument, NULL, OPT_NO_COLOR },
	  C_SCAN | C_CHECK | C_AUDIT | C_MERGE,
	  "    --no-color",
	  "no colour (also when NO_COLOR is set or TERM is dumb)" },
	{ { "no-colour", no_argument, NULL, OPT_NO_COLOUR }, C_SCAN | C_CHECK | C_AUDIT | C_MERGE, NULL, NULL },
	{ { "version", no_argument, NULL, 'V' }, C_ANY, "-V, --version", "print the version and the libraries'" },
	{ { "help", no_argument, NULL, 'h' }, C_ANY, "-h, --help", "print this help (COMMAND --help: that command's)" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

const sfmc_command *sfmc_command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Levenshtein distance of a and b, capped at 3 (enough to suggest or not). */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64], prev, cur;

	if (la >= 64 || lb >= 64)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb] < 3 ? row[lb] : 3;
}

/* The name nearest to s among names (by edit distance, at most 2), or NULL. */
static const char *nearest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < n; i++) {
		unsigned d = names[i] ? edit_distance(s, names[i]) : 3;
		if (d < best_d || (names[i] && !best && !strncmp(s, names[i], strlen(s)) && strlen(s) >= 2))
			best = names[i], best_d = d < best_d ? d : best_d;
	}
	return best;
}

const char *sfmc_command_suggest(const char *name)
{
	const char *names[NCOMMANDS];

	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	return nearest(name, names, NCOMMANDS);
}

static const char *option_suggest(const char *name)
{
	const char *names[NOPTIONS];

	for (size_t i = 0; i < NOPTIONS; i++)
		names[i] = options[i].opt.name;
	return nearest(name, names, NOPTIONS);
}

/* An option's help line, "{formats}" replaced by the report formats. */
static void print_help_text(FILE *out, const char *help)
{
	const char *mark = strstr(help, "{formats}");

	if (mark)
		fprintf(out, "%.*s%s%s\n", (int)(mark - help), help, sfmc_report_names(), mark + strlen("{formats}"));
	else
		fprintf(out, "%s\n", help);
}

static void print_options(FILE *out, unsigned mask)
{
	for (size_t i = 0; i < NOPTIONS; i++) {
		const cli_option *o = &options[i];
		int w;

		if (!o->spell || !(o->applies & mask))
			continue;
		w = fprintf(out, "  %s", o->spell);
		fprintf(out, "%*s", w < 25 ? 25 - w : 1, "");
		print_help_text(out, o->help);
	}
}

void sfmc_cli_usage(FILE *out)
{
	fprintf(out, "usage: sfmc-scan COMMAND [OPTIONS] [ARGS]\n"
		     "\n"
		     "Finds Salesforce Marketing Cloud client secrets (SFMC_ + 51 + checksum).\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!commands[i].synopsis)
			continue;
		if (strlen(commands[i].synopsis) > 22)
			fprintf(out, "  %s\n  %22s %s\n", commands[i].synopsis, "", commands[i].summary);
		else
			fprintf(out, "  %-22s %s\n", commands[i].synopsis, commands[i].summary);
	}
	fprintf(out, "\nOptions (sfmc-scan COMMAND --help lists those of one command):\n");
	print_options(out, C_ANY);
	fprintf(out,
		"\nExit status: 0 clean, 1 findings at or above --fail-on, 2 error (usage, rules, unreadable input).\n");
}

void sfmc_cli_command_usage(FILE *out, const sfmc_command *cmd)
{
	if (!cmd->synopsis) {
		sfmc_cli_usage(out);
		return;
	}
	fprintf(out, "usage: sfmc-scan %s [OPTIONS]\n\n%c%s.\n\nOptions:\n", cmd->synopsis,
		toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	print_options(out, cmd->applies);
	fprintf(out, "\nExamples:\n%s", cmd->examples);
	if (cmd->source)
		fprintf(out, "\nExit status: 0 clean, 1 findings at or above --fail-on, 2 error (usage, rules, "
			     "unreadable input).\n");
}

/* --report FMT:PATH */
static int parse_report(sfmc_cli *cli, const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : 0;

	if (!colon || !colon[1])
		return sfmc_error_set("--report: expected FORMAT:PATH (e.g. sarif:out.sarif), not '%s'", arg);
	if (cli->nreports == SFMC_MAX_REPORTS)
		return sfmc_error_set("--report: at most %d reports", SFMC_MAX_REPORTS);
	if (n >= sizeof(cli->reports[0].format))
		n = sizeof(cli->reports[0].format) - 1;
	memcpy(cli->reports[cli->nreports].format, arg, n);
	cli->reports[cli->nreports].format[n] = '\0';
	if ((size_t)(colon - arg) != n || !sfmc_report_known(cli->reports[cli->nreports].format))
		return sfmc_error_set("--report: unknown format '%.*s' (expected %s)", (int)(colon - arg), arg,
				      sfmc_report_names());
	cli->reports[cli->nreports++].path = colon + 1;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_level(const char *s, sfmc_level *out)
{
	if (!strcmp(s, "error"))
		*out = SFMC_LEVEL_ERROR;
	else if (!strcmp(s, "warning"))
		*out = SFMC_LEVEL_WARNING;
	else if (!strcmp(s, "never"))
		*out = SFMC_LEVEL_NONE;
	else
		return -1;
	return 0;
}

/* --verify-jobs, --verify-rate, --verify-timeout. */
static int parse_verify_number(sfmc_cli *cli, int c, const char *arg)
{
	long n, max = c == OPT_VERIFY_JOBS   ? SFMC_VERIFY_MAX_JOBS
		      : c == OPT_VERIFY_RATE ? SFMC_VERIFY_MAX_RATE
					     : SFMC_VERIFY_MAX_TIMEOUT;
	const char *name = c == OPT_VERIFY_JOBS   ? "--verify-jobs"
			   : c == OPT_VERIFY_RATE ? "--verify-rate"
						  : "--verify-timeout";

	if (parse_long(arg, 1, max, &n) < 0)
		return sfmc_error_set("%s: expected a number from 1 to %ld, not '%s'", name, max, arg);
	if (c == OPT_VERIFY_JOBS)
		cli->verify_jobs = (unsigned)n;
	else if (c == OPT_VERIFY_RATE)
		cli->verify_rate = (unsigned)n;
	else
		cli->verify_timeout = n;
	return SFMC_OK;
}

/* --jobs N, --api-max-wait SECONDS, --shard K/N. */
static int parse_audit_number(sfmc_cli *cli, int c, const char *arg)
{
	char k[16], *slash = strchr(arg, '/');
	long a, b;

	if (c == OPT_JOBS) {
		if (parse_long(arg, 1, SFMC_AUDIT_MAX_JOBS, &a) < 0)
			return sfmc_error_set("--jobs: expected a number from 1 to %d, not '%s'", SFMC_AUDIT_MAX_JOBS,
					      arg);
		cli->jobs = (unsigned)a;
	} else if (c == OPT_API_MAX_WAIT) {
		if (parse_long(arg, 0, 3600, &cli->api_max_wait) < 0)
			return sfmc_error_set("--api-max-wait: expected seconds from 0 to 3600, not '%s'", arg);
	} else {
		snprintf(k, sizeof(k), "%.*s", slash ? (int)(slash - arg) : 0, arg);
		if (!slash || (size_t)(slash - arg) >= sizeof(k) || parse_long(k, 1, 100000, &a) < 0 ||
		    parse_long(slash + 1, 1, 100000, &b) < 0 || a > b)
			return sfmc_error_set("--shard: expected K/N with 1 <= K <= N (e.g. 2/3), not '%s'", arg);
		cli->shard_k = (unsigned)a;
		cli->shard_n = (unsigned)b;
	}
	return SFMC_OK;
}

/* --since YYYY-MM-DD (UTC midnight). */
static int parse_date(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%d", &tm);

	if (!end || *end)
		return sfmc_error_set("--since: expected a date YYYY-MM-DD, not '%s'", s);
	*out = (int64_t)timegm(&tm);
	return SFMC_OK;
}

/* Options that need their value checked. */
static int parse_valued(sfmc_cli *cli, int c, const char *arg)
{
	char word[32];
	long n;

	switch (c) {
	case 'f':
		if (!sfmc_report_known(arg))
			return sfmc_error_set("--format: unknown format '%s' (expected %s)", arg, sfmc_report_names());
		cli->format = arg;
		cli->format_set = true;
		return SFMC_OK;
	case OPT_REPORT:
		return parse_report(cli, arg);
	case OPT_FAIL_ON:
		cli->fail_on_live = !strcmp(arg, "live");
		if (cli->fail_on_live)
			cli->fail_on = SFMC_LEVEL_ERROR;
		else if (parse_level(arg, &cli->fail_on) < 0)
			return sfmc_error_set("--fail-on: expected error, warning, never or live, not '%s'", arg);
		cli->fail_on_set = true;
		return SFMC_OK;
	case OPT_VERIFY_JOBS:
	case OPT_VERIFY_RATE:
	case OPT_VERIFY_TIMEOUT: return parse_verify_number(cli, c, arg);
	case 'j':
		if (parse_long(arg, 1, SFMC_MAX_THREADS, &n) < 0)
			return sfmc_error_set("--threads: expected a number from 1 to %d, not '%s'", SFMC_MAX_THREADS, arg);
		cli->threads = (unsigned)n;
		return SFMC_OK;
	case OPT_ARCHIVE_DEPTH:
		if (parse_long(arg, 0, SFMC_ARCHIVE_MAX_DEPTH, &n) < 0)
			return sfmc_error_set("--archive-depth: expected a number from 0 to %d, not '%s'",
					      SFMC_ARCHIVE_MAX_DEPTH, arg);
		cli->archive_depth = (unsigned)n;
		return SFMC_OK;
	case OPT_ARCHIVE_MAX_BYTES:
		if (sfmc_text_parse_size(arg, &cli->archive_max_bytes) < 0 || !cli->archive_max_bytes)
			return sfmc_error_set("--archive-max-bytes: expected bytes above 0 (e.g. 500M), not '%s'", arg);
		return SFMC_OK;
	case OPT_ARCHIVE_MAX_RATIO:
	case OPT_ARCHIVE_MAX_MEMBERS:
		if (parse_long(arg, 1, 100000000, &n) < 0)
			return sfmc_error_set(
				"%s: expected a number from 1 to 100000000, not '%s'",
				c == OPT_ARCHIVE_MAX_RATIO ? "--archive-max-ratio" : "--archive-max-members", arg);
		*(c == OPT_ARCHIVE_MAX_RATIO ? &cli->archive_max_ratio : &cli->archive_max_members) = (unsigned)n;
		return SFMC_OK;
	case OPT_MAX_FILE_SIZE:
		if (sfmc_text_parse_size(arg, &cli->max_file_size) < 0)
			return sfmc_error_set("--max-file-size: expected bytes (e.g. 1048576 or 10M), not '%s'", arg);
		cli->max_file_size_set = true;
		return SFMC_OK;
	case OPT_STATUS:
		snprintf(word, sizeof(word), "|%s|", arg);
		if (!strstr("|" SFMC_TRIAGE_STATUSES "|reintroduced|", word))
			return sfmc_error_set("--status: expected %s, not '%s'", SFMC_TRIAGE_STATUSES, arg);
		cli->status = arg;
		return SFMC_OK;
	case OPT_SINCE: return parse_date(arg, &cli->since);
	case OPT_JOBS:
	case OPT_API_MAX_WAIT:
	case OPT_SHARD: return parse_audit_number(cli, c, arg);
	default: /* 'n' */
		if (parse_long(arg, 0, 1000000, &cli->count) < 0)
			return sfmc_error_set("-n: expected a number from 0 to 1000000, not '%s'", arg);
		return SFMC_OK;
	}
}

/* Where an option was seen, to check later that it applies to the command. */
typedef struct seen_opts {
	const cli_option *opt[SFMC_MAX_CLI_OPTIONS];
	const char *spelled[SFMC_MAX_CLI_OPTIONS];
	size_t n;
} seen_opts;

static const cli_option *option_of(int c)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].opt.val == c)
			return &options[i];
	return NULL;
}

/* An unknown option, with the nearest known one when there is one. */
static int unknown_option(const char *arg)
{
	char name[64];
	const char *sug;
	size_t n;

	if (strncmp(arg, "--", 2)) {
		sfmc_error_set("unknown option '%s' (see sfmc-scan --help)", arg);
		return SFMC_EUSAGE;
	}
	n = strcspn(arg + 2, "=");
	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) - 1 ? n : sizeof(name) - 1), arg + 2);
	if ((sug = option_suggest(name)))
		sfmc_error_set("unknown option '%s': did you mean '--%s'? (see sfmc-scan --help)", arg, sug);
	else
		sfmc_error_set("unknown option '%s' (see sfmc-scan --help)", arg);
	return SFMC_EUSAGE;
}

/* One option. Returns SFMC_OK or SFMC_EUSAGE (message set). */
static int parse_option(sfmc_cli *cli, int c, char **argv)
{
	switch (c) {
	case 'f':
	case OPT_REPORT:
	case OPT_FAIL_ON:
	case 'j':
	case OPT_MAX_FILE_SIZE:
	case OPT_ARCHIVE_DEPTH:
	case OPT_ARCHIVE_MAX_BYTES:
	case OPT_ARCHIVE_MAX_RATIO:
	case OPT_ARCHIVE_MAX_MEMBERS:
	case OPT_VERIFY_JOBS:
	case OPT_VERIFY_RATE:
	case OPT_VERIFY_TIMEOUT:
	case OPT_STATUS:
	case OPT_SINCE:
	case OPT_JOBS:
	case OPT_API_MAX_WAIT:
	case OPT_SHARD:
	case 'n': return parse_valued(cli, c, optarg) < 0 ? SFMC_EUSAGE : SFMC_OK;
	case OPT_VERIFY: cli->verify = true; break;
	case OPT_VERIFY_CACERT: cli->verify_cacert = optarg; break;
	case OPT_VERIFY_CONNECT_TO: cli->verify_connect_to = optarg; break;
	case OPT_CLIENT_ID: cli->client_id = optarg; break;
	case OPT_SUBDOMAIN: cli->subdomain = optarg; break;
	case OPT_ACCOUNT_ID: cli->account_id = optarg; break;
	case OPT_DATASTORE: cli->datastore = optarg; break;
	case OPT_FAIL_ON_UNTRIAGED: cli->fail_on_untriaged = true; break;
	case OPT_REASON: cli->reason = optarg; break;
	case OPT_REPOSITORY: cli->repository = optarg; break;
	case OPT_REPOS: cli->repos_file = optarg; break;
	case OPT_GITHUB_ORG: cli->github_org = optarg; break;
	case OPT_GITLAB_GROUP: cli->gitlab_group = optarg; break;
	case OPT_SKIP_FORKS: cli->skip_forks = true; break;
	case OPT_SKIP_ARCHIVED: cli->skip_archived = true; break;
	case OPT_GITHUB_API: cli->github_api = optarg; break;
	case OPT_GITLAB_API: cli->gitlab_api = optarg; break;
	case OPT_API_CACERT: cli->api_cacert = optarg; break;
	case 'o': cli->output = optarg; break;
	case OPT_RULES: cli->rules_file = optarg; break;
	case OPT_SHOW_SECRETS: cli->show_secrets = true; break;
	case OPT_LABEL: cli->label = optarg; break;
	case OPT_RANGE: cli->range = optarg; break;
	case OPT_ALL_OBJECTS: cli->all_objects = true; break;
	case OPT_CLONE_DIR: cli->clone_dir = optarg; break;
	case OPT_GIT_TOKEN_ENV: cli->git_token_env = optarg; break;
	case OPT_GIT_CACERT: cli->git_cacert = optarg; break;
	case OPT_CONFIG: cli->config_file = optarg; break;
	case OPT_NO_CONFIG: cli->no_config = true; break;
	case OPT_BASELINE: cli->baseline = optarg; break;
	case OPT_WRITE_BASELINE: cli->write_baseline = optarg; break;
	case OPT_GROUP: cli->group = true; break;
	case OPT_NO_DECODE: cli->no_decode = true; break;
	case OPT_FAIL_ON_SKIPPED: cli->fail_on_skipped = true; break;
	case OPT_PRE_COMMIT: cli->hook_kinds |= SFMC_HOOK_PRE_COMMIT; break;
	case OPT_PRE_PUSH: cli->hook_kinds |= SFMC_HOOK_PRE_PUSH; break;
	case OPT_PRE_RECEIVE: cli->hook_kinds |= SFMC_HOOK_PRE_RECEIVE; break;
	case OPT_COMMIT_MSG: cli->hook_kinds |= SFMC_HOOK_COMMIT_MSG; break;
	case OPT_CHAIN: cli->chain = true; break;
	case 'q': cli->quiet = true; break;
	case 'v': cli->verbose = true; break;
	case OPT_PROGRESS: cli->progress = 1; break;
	case OPT_NO_PROGRESS: cli->progress = 0; break;
	case OPT_NO_COLOR:
	case OPT_NO_COLOUR: cli->no_color = true; break;
	case 'V': cli->version = true; break;
	case 'h': cli->help = true; break;
	case ':': sfmc_error_set("option '%s' needs a value", argv[optind - 1]); return SFMC_EUSAGE;
	default: return unknown_option(argv[optind - 1]);
	}
	return SFMC_OK;
}

static void set_defaults(sfmc_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->format = "text";
	cli->fail_on = SFMC_LEVEL_ERROR;
	cli->archive_depth = SFMC_ARCHIVE_DEPTH;
	cli->label = "stdin";
	cli->count = 1;
	cli->progress = -1;
	cli->verify_jobs = SFMC_VERIFY_JOBS;
	cli->verify_rate = SFMC_VERIFY_RATE;
	cli->verify_timeout = SFMC_VERIFY_TIMEOUT;
	cli->jobs = SFMC_AUDIT_JOBS;
	cli->api_max_wait = SFMC_LISTING_MAX_WAIT;
}

static bool html_report(const sfmc_cli *cli)
{
	bool html = !strcmp(cli->format, "html");

	for (int i = 0; i < cli->nreports; i++)
		html |= !strcmp(cli->reports[i].format, "html");
	return html;
}

/* Names the command (with a suggestion for a typo) and refuses options that do not apply to it. */
/* The --verify-* options, --fail-on live and check's credential options mean nothing without --verify. */
static int check_verify(const sfmc_cli *cli, const seen_opts *seen)
{
	for (size_t i = 0; i < seen->n && !cli->verify; i++) {
		int v = seen->opt[i]->opt.val;
		/* merge reads the statuses back from the audit's findings. */
		if ((v >= OPT_VERIFY_JOBS && v <= OPT_ACCOUNT_ID) ||
		    (v == OPT_FAIL_ON && cli->fail_on_live && cli->cmd->applies != C_MERGE)) {
			sfmc_error_set("option '%.*s' needs --verify", (int)strcspn(seen->spelled[i], "="),
				       seen->spelled[i]);
			return SFMC_EUSAGE;
		}
	}
	if (cli->verify_connect_to && !sfmc_verify_connect_to_ok(cli->verify_connect_to)) {
		sfmc_error_set(
			"--verify-connect-to: expected a loopback ADDR:PORT (127.0.0.1:8443, [::1]:8443), not '%s'",
			cli->verify_connect_to);
		return SFMC_EUSAGE;
	}
	return SFMC_OK;
}

static int check_command(sfmc_cli *cli, const seen_opts *seen)
{
	const char *sug;

	if (!(cli->cmd = sfmc_command_find(cli->command))) {
		if ((sug = sfmc_command_suggest(cli->command)))
			sfmc_error_set("unknown command '%s': did you mean '%s'? (see sfmc-scan --help)", cli->command,
				       sug);
		else
			sfmc_error_set("unknown command '%s' (see sfmc-scan --help)", cli->command);
		return SFMC_EUSAGE;
	}
	for (size_t i = 0; i < seen->n; i++)
		if (!(seen->opt[i]->applies & cli->cmd->applies)) {
			sfmc_error_set("option '%.*s' does not apply to '%s' (see sfmc-scan %s --help)",
				       (int)strcspn(seen->spelled[i], "="), seen->spelled[i], cli->command,
				       cli->command);
			return SFMC_EUSAGE;
		}
	if (cli->show_secrets && html_report(cli)) {
		sfmc_error_set("--format html never shows whole secrets (a page is shared and archived): "
			       "drop --show-secrets, or use another format");
		return SFMC_EUSAGE;
	}
	if (cli->config_file && cli->no_config) {
		sfmc_error_set("--config and --no-config exclude each other");
		return SFMC_EUSAGE;
	}
	return check_verify(cli, seen);
}

/* --help and --version answer at once, whatever else is on the line. */
static int answer_meta(sfmc_cli *cli, bool *handled)
{
	const sfmc_command *cmd = cli->command ? sfmc_command_find(cli->command) : NULL;

	*handled = cli->version || cli->help;
	if (cli->version)
		sfmc_cli_print_version(stdout);
	else if (cli->help && cmd)
		sfmc_cli_command_usage(stdout, cmd);
	else if (cli->help && cli->command)
		return check_command(cli, &(seen_opts){ .n = 0 }); /* an unknown command: say so */
	else if (cli->help)
		sfmc_cli_usage(stdout);
	return SFMC_OK;
}

int sfmc_cli_parse(sfmc_cli *cli, bool *handled, int argc, char **argv)
{
	struct option long_opts[NOPTIONS + 1] = { { 0 } };
	seen_opts seen = { .n = 0 };
	size_t nlong = 0;
	int c;

	*handled = false;
	set_defaults(cli);
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].opt.name)
			long_opts[nlong++] = options[i].opt;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:o:j:n:qvVh", long_opts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* A positional argument: the command first, then its arguments. */
			if (!cli->command)
				cli->command = argv[optind];
			else
				argv[cli->nargs++ + 0] = argv[optind]; /* compacted below */
			optind++;
			continue;
		}
		if (parse_option(cli, c, argv) < 0)
			return SFMC_EUSAGE;
		if (option_of(c) && seen.n < SFMC_MAX_CLI_OPTIONS) {
			seen.opt[seen.n] = option_of(c);
			seen.spelled[seen.n++] = argv[optind - 1 - (optarg && optarg == argv[optind - 1])];
		}
	}
	/* Positional arguments were compacted to the front of argv. */
	cli->args = argv;
	if (cli->help || cli->version)
		return answer_meta(cli, handled);
	if (!cli->command) {
		sfmc_error_set("no command given (see sfmc-scan --help)");
		return SFMC_EUSAGE;
	}
	return check_command(cli, &seen);
}
