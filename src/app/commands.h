/* commands.h - the commands that are not scans (check, generate, hook,
 * help, version, completion; rows of cli.c's table) and what they share with main.c's
 * pipeline. Handlers return an exit code (cli.h). */
#ifndef SFMC_COMMANDS_H
#define SFMC_COMMANDS_H

#include "app/cli.h"
#include "core/rules.h"

int sfmc_cmd_check(const sfmc_cli *cli);
int sfmc_cmd_generate(const sfmc_cli *cli);
int sfmc_cmd_hook(const sfmc_cli *cli);
int sfmc_cmd_help(const sfmc_cli *cli);
int sfmc_cmd_version(const sfmc_cli *cli);
int sfmc_cmd_completion(const sfmc_cli *cli);

/* Prints "sfmc-scan: msg" on stderr; returns SFMC_EXIT_ERROR. */
int sfmc_app_fail(const char *msg);
/* The built-in rules or --rules FILE, with --no-decode applied. Returns 0 or -1 (message set). */
int sfmc_app_load_rules(const sfmc_cli *cli, sfmc_ruleset *rules);
/* Opens a report path for writing (0600 when it may hold whole secrets; never
 * through a symbolic link), or returns stdout for NULL or "-". NULL: message set. */
FILE *sfmc_app_open_output(const char *path, bool show_secrets);

#endif
