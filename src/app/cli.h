/* cli.h - the command line: the flags (sfmc_cli), the commands table and
 * the exit codes, in one place. Parsing only: main.c runs what it names. */
#ifndef SFMC_CLI_H
#define SFMC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/bounds.h"
#include "core/rules.h"

/* Exit codes: the contract with hooks and CI. */
enum {
	SFMC_EXIT_CLEAN = 0,    /* nothing at or above --fail-on */
	SFMC_EXIT_FINDINGS = 1, /* findings at or above --fail-on */
	SFMC_EXIT_ERROR = 2,    /* usage error, bad rules, or something unread */
};

typedef struct sfmc_cli {
	const char *command;
	char **args;          /* positional arguments after the command */
	int nargs;
	const char *format;   /* report format for stdout / --output */
	bool format_set;      /* -f given (audit and merge default to jsonl) */
	const char *output;
	/* --report FMT:PATH, repeatable: extra reports from the same scan. */
	struct sfmc_cli_report {
		char format[16];
		const char *path;
	} reports[SFMC_MAX_REPORTS];
	int nreports;
	const char *rules_file;
	sfmc_level fail_on;   /* SFMC_LEVEL_NONE means never */
	bool fail_on_set;
	bool show_secrets;
	bool quiet;
	bool verbose;         /* hooks: the summary on a clean run too */
	bool help, version;   /* --help / --version: answered by sfmc_cli_parse */
	int progress;         /* --progress 1, --no-progress 0, -1: when stderr is a TTY and not quiet */
	bool no_color;
	bool no_decode;       /* no rule decodes encoded content */
	unsigned threads;     /* 0: all CPUs */
	uint64_t max_file_size;
	bool max_file_size_set;
	unsigned archive_depth; /* --archive-depth: nested archives opened (0: none) */
	uint64_t archive_max_bytes;   /* --archive-max-bytes; 0: the default */
	unsigned archive_max_ratio;   /* --archive-max-ratio; 0: the default */
	unsigned archive_max_members; /* --archive-max-members; 0: the default */
	bool fail_on_skipped;   /* --fail-on-skipped: anything skipped is exit 2 */
	const char *label;    /* stdin */
	long count;           /* generate -n */
	/* triage and suppression */
	const char *config_file;    /* --config; NULL: look for .sfmc-scan.yaml at the root */
	bool no_config;
	const char *baseline;       /* --baseline FILE */
	const char *write_baseline; /* --write-baseline FILE */
	bool group;                 /* --group: one entry per distinct secret */
	/* git modes */
	const char *range;
	bool all_objects;
	const char *clone_dir;     /* git URL: keep the clone there */
	const char *git_token_env; /* git URL: the variable holding an HTTPS token (never the token itself) */
	const char *git_cacert;    /* git URL: CA certificates for HTTPS */
	/* hook install / uninstall */
	unsigned hook_kinds;  /* SFMC_HOOK_* bits (hook_install.h); 0: the defaults */
	bool chain;
	/* --verify: live verification (the only network use; command line only) */
	bool verify;
	bool fail_on_live; /* --fail-on live: exit 1 only for live secrets */
	unsigned verify_jobs, verify_rate;
	long verify_timeout;
	const char *verify_cacert;
	const char *verify_connect_to;
	const char *client_id, *subdomain, *account_id; /* check --verify */
	/* the datastore (triage/datastore.h): --datastore, triage, report */
	const char *datastore;  /* NULL: none for scans; triage and report: $SFMC_DATASTORE or .sfmc-scan.db */
	bool fail_on_untriaged; /* the exit code ignores triaged secrets */
	const char *status;     /* triage: the new status; report: only this status */
	const char *reason;
	const char *repository;         /* report: only repositories whose path contains this */
	int64_t since;                  /* report: only locations from this time on; 0: all */
	/* audit: which repositories, how many at once, which shard */
	const char *repos_file;   /* --repos FILE */
	const char *github_org;   /* --github-org ORG */
	const char *gitlab_group; /* --gitlab-group GROUP */
	bool skip_forks, skip_archived;
	const char *github_api, *gitlab_api; /* API base URLs (defaults in listing.h) */
	const char *api_cacert;              /* trust these CAs for the forge APIs */
	long api_max_wait;                   /* seconds waited on rate limits in all */
	unsigned jobs;                       /* repositories scanned at once */
	unsigned shard_k, shard_n;           /* --shard K/N; 0/0: all */
	const struct sfmc_command *cmd; /* the row of command, set by sfmc_cli_parse */
} sfmc_cli;

/* One row per command. A scanning command names its source and main.c's
 * pipeline runs it; the others have a handler. */
typedef struct sfmc_command {
	const char *name;
	const struct sfmc_source_type *source; /* a scan: the pipeline reads this source */
	int (*run)(const sfmc_cli *cli);       /* else: the handler; returns an exit code */
	unsigned hook;                         /* a hook (sfmc_hook_kind): say what to do when it blocks; 0: none */
	unsigned applies;                      /* its bit: options name the commands they apply to */
	const char *synopsis;                  /* "dir [PATH...]"; NULL: not listed in --help */
	const char *summary;                   /* one line */
	const char *examples;                  /* COMMAND --help: indented lines */
} sfmc_command;

/* The command called name, or NULL. */
const sfmc_command *sfmc_command_find(const char *name);
/* The command name nearest to a mistyped one (edit distance <= 2), or NULL. */
const char *sfmc_command_suggest(const char *name);

/* Parses argv (positional arguments are compacted to its front: cli->args
 * borrows it) and finds the command's row (cli->cmd). Returns SFMC_OK, with
 * *handled set when --help or --version was answered (exit 0), or
 * SFMC_EUSAGE (message set, with the nearest command or option for a typo,
 * or naming an option that does not apply to the command; exit 2). */
int sfmc_cli_parse(sfmc_cli *cli, bool *handled, int argc, char **argv);
void sfmc_cli_usage(FILE *out);
/* One command's usage, options and examples. */
void sfmc_cli_command_usage(FILE *out, const sfmc_command *cmd);
/* The version, the libraries' versions and the SIMD path in use. */
void sfmc_cli_print_version(FILE *out);
const char *sfmc_cli_version(void);

#endif
