/* cli.h - command-line parsing and exit codes, in one place. */
#ifndef SFMC_CLI_H
#define SFMC_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bounds.h"
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
	int progress;         /* --progress 1, --no-progress 0, -1: when stderr is a TTY and not quiet */
	bool no_color;
	bool no_decode;       /* no rule decodes encoded content */
	unsigned threads;     /* 0: all CPUs */
	uint64_t max_file_size;
	bool max_file_size_set;
	const char *label;    /* stdin */
	long count;           /* generate -n */
	/* triage and suppression */
	const char *config_file;    /* --config; NULL: look for .sfmc-scan.yaml at the root */
	bool no_config;
	const char *baseline;       /* --baseline FILE */
	const char *write_baseline; /* --write-baseline FILE */
	bool group;                 /* --group: one entry per distinct secret */
	const struct sfmc_config *config; /* set by the scan pipeline, not by parsing */
	/* git modes */
	const char *range;
	bool all_objects;
	/* hook install / uninstall */
	unsigned hook_kinds;  /* SFMC_HOOK_* bits (hook.h); 0: the defaults */
	bool chain;
	const char *hook;     /* set by the hook commands: which hook this run serves */
	const char *remote;   /* pre-push: the remote's name, as git passes it */
} sfmc_cli;

/* Parses argv. Returns 0 to run cli->command, 1 when --help/--version was
 * handled (exit 0), -1 on a usage error (message set; exit 2). */
int sfmc_cli_parse(sfmc_cli *cli, int argc, char **argv);
void sfmc_cli_usage(FILE *out);
const char *sfmc_cli_version(void);

#endif
