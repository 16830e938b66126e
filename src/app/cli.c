#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/hook.h"
#include "core/bounds.h"
#include "report/report.h"
#include "util/error.h"
#include "util/text.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

const char *sfmc_cli_version(void)
{
	return SFMC_VERSION;
}

void sfmc_cli_usage(FILE *out)
{
	fprintf(out,
		"usage: sfmc-scan COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Finds Salesforce Marketing Cloud client secrets (SFMC_ + 51 + checksum).\n"
		"\n"
		"Commands:\n"
		"  dir [PATH...]          scan files under each PATH (default .)\n"
		"  stdin [--label NAME]   scan standard input\n"
		"  git [REPO]             scan every blob in a repository's history\n"
		"  staged [REPO]          scan the index (pre-commit)\n"
		"  hook install|uninstall [REPO]\n"
		"                         add or remove the git hooks that run sfmc-scan (core.hooksPath aware)\n"
		"  pre-commit             the pre-commit hook: scan the index, say what to do on a hit\n"
		"  pre-push [REMOTE]      the pre-push hook: scan the commits being pushed (git's stdin protocol)\n"
		"  pre-receive            the server hook: scan only the pushed commits new to the repository\n"
		"  check [TOKEN...]       valid / invalid checksum / not a token, per argument or stdin line\n"
		"  generate [-n N]        print N fresh valid tokens (tests, canaries)\n"
		"\n"
		"Options:\n"
		"  -f, --format FMT       report format: %s (default text)\n"
		"  -o, --output FILE      write the report to FILE instead of stdout\n"
		"      --report FMT:PATH  also write a FMT report to PATH (repeatable, e.g. sarif:out.sarif)\n"
		"      --rules FILE       use FILE instead of the built-in rules\n"
		"      --fail-on LEVEL    error|warning|never: what makes exit code 1 (default error)\n"
		"      --show-secrets     print secrets whole (default: redacted)\n"
		"      --no-decode        do not look inside base64, UTF-16, percent- or \\u-escaped text\n"
		"  -j, --threads N        worker threads (default: number of CPUs)\n"
		"      --max-file-size N  skip (and report) files larger than N bytes (K, M, G suffixes)\n"
		"      --label NAME       name of the standard-input stream (default stdin)\n"
		"      --range A..B       git: scan only what commits in A..B introduce\n"
		"      --all-objects      git: also scan objects no ref reaches\n"
		"      --config FILE      read FILE instead of ROOT/.sfmc-scan.yaml\n"
		"      --no-config        ignore .sfmc-scan.yaml\n"
		"      --baseline FILE    suppress findings already in FILE (an earlier JSON report)\n"
		"      --write-baseline FILE  write the findings as a baseline (secrets redacted)\n"
		"      --group            one entry per distinct secret with all its locations\n"
		"      --pre-commit, --pre-push, --pre-receive\n"
		"                         hook install/uninstall: which hooks (default pre-commit and pre-push;\n"
		"                         pre-receive in a bare repository)\n"
		"      --chain            hook install: keep an existing hook and run it before sfmc-scan\n"
		"  -n N                   generate: how many tokens (default 1)\n"
		"  -q, --quiet            no summary on stderr (errors are still printed)\n"
		"      --progress         live progress line on stderr (default when stderr is a\n"
		"                         terminal and not --quiet); --no-progress: never\n"
		"      --no-color         no colour (also when NO_COLOR is set)\n"
		"  -V, --version          print the version\n"
		"  -h, --help             print this help\n"
		"\n"
		"Exit status: 0 clean, 1 findings at or above --fail-on, 2 error (usage, rules, unreadable input).\n",
		sfmc_report_names());
}

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
	OPT_CHAIN,
	OPT_NO_DECODE,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
};

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	{ "threads", required_argument, NULL, 'j' },
	{ "max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "all-objects", no_argument, NULL, OPT_ALL_OBJECTS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "pre-commit", no_argument, NULL, OPT_PRE_COMMIT },
	{ "pre-push", no_argument, NULL, OPT_PRE_PUSH },
	{ "pre-receive", no_argument, NULL, OPT_PRE_RECEIVE },
	{ "chain", no_argument, NULL, OPT_CHAIN },
	{ "no-decode", no_argument, NULL, OPT_NO_DECODE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

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

/* long: one option loop; being split into named steps on the app branch (issue 12). */
int sfmc_cli_parse(sfmc_cli *cli, int argc, char **argv)
{
	long n;
	int c;

	memset(cli, 0, sizeof(*cli));
	cli->format = "text";
	cli->fail_on = SFMC_LEVEL_ERROR;
	cli->label = "stdin";
	cli->count = 1;
	cli->progress = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:o:j:n:qVh", long_opts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* A positional argument: the command first, then its arguments. */
			if (!cli->command)
				cli->command = argv[optind];
			else
				argv[cli->nargs++ + 0] = argv[optind]; /* compacted below */
			optind++;
			continue;
		}
		switch (c) {
		case 'f':
			if (!sfmc_report_known(optarg))
				return sfmc_error_set("--format: unknown format '%s' (expected %s)", optarg, sfmc_report_names());
			cli->format = optarg;
			break;
		case 'o': cli->output = optarg; break;
		case OPT_REPORT:
			if (parse_report(cli, optarg) < 0)
				return -1;
			break;
		case OPT_RULES: cli->rules_file = optarg; break;
		case OPT_FAIL_ON:
			if (parse_level(optarg, &cli->fail_on) < 0)
				return sfmc_error_set("--fail-on: expected error, warning or never, not '%s'", optarg);
			cli->fail_on_set = true;
			break;
		case OPT_SHOW_SECRETS: cli->show_secrets = true; break;
		case 'j':
			if (parse_long(optarg, 1, SFMC_MAX_THREADS, &n) < 0)
				return sfmc_error_set("--threads: expected a number from 1 to %d, not '%s'", SFMC_MAX_THREADS, optarg);
			cli->threads = (unsigned)n;
			break;
		case OPT_MAX_FILE_SIZE:
			if (sfmc_text_parse_size(optarg, &cli->max_file_size) < 0)
				return sfmc_error_set("--max-file-size: expected bytes (e.g. 1048576 or 10M), not '%s'", optarg);
			cli->max_file_size_set = true;
			break;
		case OPT_LABEL: cli->label = optarg; break;
		case OPT_RANGE: cli->range = optarg; break;
		case OPT_ALL_OBJECTS: cli->all_objects = true; break;
		case OPT_CONFIG: cli->config_file = optarg; break;
		case OPT_NO_CONFIG: cli->no_config = true; break;
		case OPT_BASELINE: cli->baseline = optarg; break;
		case OPT_WRITE_BASELINE: cli->write_baseline = optarg; break;
		case OPT_GROUP: cli->group = true; break;
		case OPT_NO_DECODE: cli->no_decode = true; break;
		case 'n':
			if (parse_long(optarg, 0, 1000000, &cli->count) < 0)
				return sfmc_error_set("-n: expected a number from 0 to 1000000, not '%s'", optarg);
			break;
		case OPT_PRE_COMMIT: cli->hook_kinds |= SFMC_HOOK_PRE_COMMIT; break;
		case OPT_PRE_PUSH: cli->hook_kinds |= SFMC_HOOK_PRE_PUSH; break;
		case OPT_PRE_RECEIVE: cli->hook_kinds |= SFMC_HOOK_PRE_RECEIVE; break;
		case OPT_CHAIN: cli->chain = true; break;
		case 'q': cli->quiet = true; break;
		case OPT_PROGRESS: cli->progress = 1; break;
		case OPT_NO_PROGRESS: cli->progress = 0; break;
		case OPT_NO_COLOR: cli->no_color = true; break;
		case 'V':
			printf("sfmc-scan %s\n", SFMC_VERSION);
			return 1;
		case 'h':
			sfmc_cli_usage(stdout);
			return 1;
		case ':':
			return sfmc_error_set("option '%s' needs a value", argv[optind - 1]);
		default:
			return sfmc_error_set("unknown option '%s' (see sfmc-scan --help)", argv[optind - 1]);
		}
	}
	/* Positional arguments were compacted to the front of argv. */
	cli->args = argv;
	if (!cli->command)
		return sfmc_error_set("no command given (see sfmc-scan --help)");
	if (cli->config_file && cli->no_config)
		return sfmc_error_set("--config and --no-config exclude each other");
	return 0;
}
