/* main.c - main and the one pipeline every scan shares: source -> detector
 * -> findings -> filters -> reporters -> exit code. The command's row
 * (cli.c) names the source type; nothing here compares command names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/audit.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/hook_install.h"
#include "util/bounds.h"
#include "core/rules.h"
#include "git/clone.h"
#include "report/report.h"
#include "source/source.h"
#include "triage/baseline.h"
#include "triage/config.h"
#include "triage/filter.h"
#include "triage/group.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/text.h"
#include "verify/verify.h"

/* One scan: the flags, what the config changed, and every stage's state. */
typedef struct scan_run {
	const sfmc_cli *cli;
	const sfmc_command *cmd;
	const sfmc_source_type *type;
	sfmc_source_ctx ctx;
	sfmc_source_desc desc;
	char *open_error;     /* the source could not be opened: recorded as the scan's error */
	sfmc_level fail_on;   /* --fail-on, else the config's */
	sfmc_config cfg;
	sfmc_filter filter;
	sfmc_groups groups;
	sfmc_ruleset rules;
	sfmc_results res;
	sfmc_scan_meta meta;
	sfmc_report_opts ropts;
	sfmc_audit audit; /* --datastore */
	bool audit_open;
	sfmc_verifier *verifier; /* --verify: started before the scan, fed while it runs */
	sfmc_finding_tap tap;
	int64_t t0;
} scan_run;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* -v, or SFMC_SCAN_VERBOSE=1 for hooks that git runs with fixed arguments. */
static bool verbose(const sfmc_cli *cli)
{
	const char *v = getenv("SFMC_SCAN_VERBOSE");
	return cli->verbose || (v && *v && strcmp(v, "0"));
}

/* TERM=dumb: a terminal that shows escape sequences as text. */
static bool term_dumb(void)
{
	const char *t = getenv("TERM");
	return t && !strcmp(t, "dumb");
}

/* Writes each --report FMT:PATH; returns -1 when one could not be written (all are tried). */
static int write_extra_reports(const sfmc_cli *cli, const sfmc_scan_meta *meta, const sfmc_report_opts *base,
			       const sfmc_results *res)
{
	sfmc_report_opts ropts = *base;
	int rc = 0;

	ropts.color = false;
	for (int i = 0; i < cli->nreports; i++) {
		FILE *out = sfmc_app_open_output(cli->reports[i].path, cli->show_secrets);
		if (!out || sfmc_report_write(cli->reports[i].format, out, meta, &ropts, res) < 0) {
			sfmc_app_fail(sfmc_error_last());
			rc = -1;
		}
		if (out && out != stdout && fclose(out) != 0) {
			fprintf(stderr, "sfmc-scan: %s: cannot write the report\n", cli->reports[i].path);
			rc = -1;
		}
	}
	return rc;
}

static int exit_code(scan_run *r)
{
	sfmc_level max = r->cli->fail_on_untriaged && r->audit_open ? sfmc_audit_untriaged_level(&r->audit, &r->res)
								    : sfmc_results_max_level(&r->res);
	if (r->cli->fail_on_live)
		return sfmc_results_any_live(&r->res) ? SFMC_EXIT_FINDINGS
		       : r->res.nerrors               ? SFMC_EXIT_ERROR
						      : SFMC_EXIT_CLEAN;
	if (r->fail_on != SFMC_LEVEL_NONE && max >= r->fail_on)
		return SFMC_EXIT_FINDINGS;
	if (r->cli->fail_on_skipped && r->res.nskipped)
		return SFMC_EXIT_ERROR;
	return r->res.nerrors ? SFMC_EXIT_ERROR : SFMC_EXIT_CLEAN;
}

static bool config_excludes(const char *rel, bool is_dir, void *config)
{
	return sfmc_config_excludes(config, rel, is_dir);
}

/* --config, else ROOT/.sfmc-scan.yaml at the source's config root (a git
 * source's work tree; none for stdin or a bare repository); the file fills
 * in what flags left unset, since flags override it. */
static int load_config(scan_run *r)
{
	const sfmc_cli *cli = r->cli;
	int rc = 0;

	if (cli->no_config)
		return 0;
	if (cli->config_file)
		rc = sfmc_config_load_file(&r->cfg, cli->config_file);
	else if (r->desc.config_root)
		rc = sfmc_config_discover(&r->cfg, r->desc.config_root);
	if (rc < 0)
		return -1;
	if (!cli->fail_on_set && r->cfg.has_fail_on)
		r->fail_on = r->cfg.fail_on;
	if (!cli->max_file_size_set && r->cfg.has_max_file_size)
		r->ctx.max_file_size = r->cfg.max_file_size;
	if (r->cfg.npaths) {
		r->ctx.exclude = config_excludes;
		r->ctx.exclude_ctx = &r->cfg;
	}
	return 0;
}

/* A remote repository: what was fetched, and where to (stderr, one line). */
static void say_fetched(const scan_run *r)
{
	const sfmc_gitclone *c = r->ctx.clone;
	char *url = sfmc_text_escape(r->desc.repository, strlen(r->desc.repository));
	char *dir = c->temporary ? NULL : sfmc_text_escape(c->path, strlen(c->path)), size[32];

	if (c->bytes < 1024)
		snprintf(size, sizeof(size), "%llu B", (unsigned long long)c->bytes);
	else
		snprintf(size, sizeof(size), "%.1f %s", (double)c->bytes / (c->bytes < (1 << 20) ? 1024 : 1 << 20),
			 c->bytes < (1 << 20) ? "KiB" : "MiB");
	if (c->temporary)
		fprintf(stderr, "sfmc-scan: %s: %llu object%s received (%s) into a temporary clone\n", url ? url : "?",
			(unsigned long long)c->objects, c->objects == 1 ? "" : "s", size);
	else
		fprintf(stderr, "sfmc-scan: %s: %llu object%s received (%s) into %s%s\n", url ? url : "?",
			(unsigned long long)c->objects, c->objects == 1 ? "" : "s", size,
			c->reused ? "" : "a new clone in ", dir ? dir : "?");
	free(url);
	free(dir);
}

/* Opens the source once for the run (a failure is the scan's error, reported
 * like any other) and asks it what it reads. */
static int open_source(scan_run *r)
{
	if (sfmc_source_open(&r->ctx, r->type) < 0) {
		if (!(r->open_error = strdup(sfmc_error_last())))
			return sfmc_error_set("out of memory");
		return 0;
	}
	r->type->describe(&r->ctx, &r->desc);
	if (r->desc.repository && !r->cli->quiet)
		say_fetched(r);
	return 0;
}

/* Credentials go to the verifier as the scanners find them, unless a filter
 * might suppress them: those wait for the filtered results (never sent). */
static void tap_verify(void *payload, const sfmc_finding *f)
{
	scan_run *r = payload;

	if (!sfmc_filter_may_suppress(&r->filter, f))
		sfmc_verifier_submit(r->verifier, f);
}

/* --verify (command line only: the config cannot ask for it). */
static int start_verifier(scan_run *r)
{
	const sfmc_cli *cli = r->cli;
	sfmc_verify_opts o;

	sfmc_verify_opts_init(&o);
	o.jobs = cli->verify_jobs;
	o.rate = cli->verify_rate;
	o.timeout = cli->verify_timeout;
	o.cacert = cli->verify_cacert;
	o.connect_to = cli->verify_connect_to;
	if (sfmc_verifier_new(&r->verifier, &o) < 0)
		return -1;
	r->tap = (sfmc_finding_tap){ tap_verify, r };
	r->rules.tap = &r->tap;
	return 0;
}

/* What the source needs from the flags, before check_args (which checks their combinations). */
static void fill_ctx(scan_run *r)
{
	const sfmc_cli *cli = r->cli;

	r->ctx.label = cli->label;
	r->ctx.in = stdin;
	r->ctx.threads = cli->threads;
	r->ctx.max_file_size = cli->max_file_size;
	r->ctx.all_objects = cli->all_objects;
	r->ctx.range = cli->range;
	r->ctx.clone_dir = cli->clone_dir;
	r->ctx.git_token_env = cli->git_token_env;
	r->ctx.git_cacert = cli->git_cacert;
	/* Progress (a TTY on stderr, or asked for) is drawn while the source fetches and scans. */
	r->ctx.progress = cli->progress > 0 || (cli->progress < 0 && !cli->quiet && isatty(STDERR_FILENO));
	r->fail_on = cli->fail_on;
}

/* Source, config, rules and filters, before anything is scanned. */
static int prepare(scan_run *r)
{
	const sfmc_cli *cli = r->cli;

	if (open_source(r) < 0 || load_config(r) < 0 || sfmc_app_load_rules(cli, &r->rules) < 0 ||
	    sfmc_config_add_rules(&r->cfg, &r->rules) < 0 ||
	    sfmc_filter_init(&r->filter, &r->cfg, cli->baseline, r->type->git) < 0)
		return -1;
	r->ctx.rules = &r->rules;
	if (cli->verify && start_verifier(r) < 0)
		return -1;
	if (cli->datastore) {
		r->audit_open = true; /* closed by run_dispose even when opening fails half-way */
		return sfmc_audit_open(&r->audit, cli, &r->rules, &r->ctx, r->type);
	}
	return 0;
}

static void fill_meta(scan_run *r)
{
	r->meta.mode = r->type->name;
	r->meta.unit = r->type->unit;
	r->meta.units = r->type->units;
	r->meta.git = r->type->git;
	r->meta.workdir = r->desc.workdir;
	r->meta.roots = r->ctx.roots;
	r->meta.nroots = r->ctx.nroots;
	r->meta.rules = &r->rules;
	r->meta.head_commit = r->desc.head_commit[0] ? r->desc.head_commit : NULL;
	r->meta.repository = r->desc.repository;
	r->meta.repository_uri = r->desc.repository_uri;
	r->meta.branch = r->desc.branch;
	r->meta.start_time = (int64_t)time(NULL);
}

/* Runs the source; what it cannot do is recorded and the run goes on (fail closed: still report). */
static void scan(scan_run *r)
{
	const char *mode = r->type->name;

	if (sfmc_progress_start(r->type->units, r->ctx.progress) < 0)
		sfmc_results_add_error(&r->res, mode, sfmc_error_last());
	if (r->open_error)
		sfmc_results_add_error(&r->res, mode, r->open_error);
	else if (r->type->scan(&r->ctx, &r->res) < 0)
		sfmc_results_add_error(&r->res, mode, sfmc_error_last());
	sfmc_progress_stop();
}

/* --group: findings per secret; for sources with a current state (git:
 * HEAD), whether it still holds each one (a failure to tell is recorded:
 * fail closed). */
static int build_groups(scan_run *r)
{
	if (sfmc_groups_build(&r->groups, &r->res) < 0)
		return sfmc_results_add_error(&r->res, "--group", sfmc_error_last());
	if (!r->type->scan_current || !r->groups.n)
		return 0;
	sfmc_groups_set_at_head(&r->groups, SFMC_AT_HEAD_NO);
	if (r->type->scan_current(&r->ctx, sfmc_groups_mark_held, &r->groups) < 0) {
		sfmc_groups_set_at_head(&r->groups, SFMC_AT_HEAD_UNKNOWN);
		return sfmc_results_add_error(&r->res, "--group", sfmc_error_last());
	}
	return 0;
}

/* --verify: the rest of the filtered findings, then every answer; a failure is the run's error. */
static void verify(scan_run *r)
{
	if (!r->verifier)
		return;
	r->rules.tap = NULL; /* --group's look at HEAD finds nothing new */
	if (sfmc_verifier_finish(r->verifier, &r->res) < 0)
		sfmc_results_add_error(&r->res, "--verify", sfmc_error_last());
}

/* Filters, verification, timing and groups: the results as reports show them. */
static int triage(scan_run *r)
{
	if (sfmc_filter_apply(&r->filter, &r->res) < 0)
		return -1;
	verify(r);
	r->res.stats.duration_ms = (uint64_t)(now_ms() - r->t0);
	r->meta.end_time = (int64_t)time(NULL);
	r->ropts.show_secrets = r->cli->show_secrets;
	r->ropts.quiet = r->cli->quiet;
	r->ropts.fail_on = r->fail_on;
	if (r->cli->group && build_groups(r) == 0)
		r->ropts.groups = &r->groups;
	/* One transaction per repository: an interrupted run leaves the datastore as it was. */
	if (r->audit_open && sfmc_audit_record(&r->audit, &r->meta, &r->res, &r->ropts) < 0)
		return -1;
	return 0;
}

/* The baseline, the main report, the stderr summary, every --report and a
 * hook's advice when it blocks. Returns the exit code (SFMC_EXIT_ERROR when something was not written). */
static int report(scan_run *r)
{
	const sfmc_cli *cli = r->cli;
	FILE *out;
	int rc = SFMC_EXIT_ERROR;

	if (cli->write_baseline && sfmc_report_write_baseline(cli->write_baseline, &r->meta, &r->res) < 0)
		return sfmc_app_fail(sfmc_error_last());
	if (!(out = sfmc_app_open_output(cli->output, cli->show_secrets)))
		return sfmc_app_fail(sfmc_error_last());
	r->ropts.color =
		out == stdout && isatty(STDOUT_FILENO) && !cli->no_color && !getenv("NO_COLOR") && !term_dumb();
	if (sfmc_report_write(cli->format, out, &r->meta, &r->ropts, &r->res) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	rc = exit_code(r);
	/* The summary goes to stderr once, whatever the report formats; a hook
	 * says nothing when it lets the commit or push through (unless -v). */
	if (!r->cmd->hook || rc != SFMC_EXIT_CLEAN || verbose(cli))
		sfmc_report_summary(&r->meta, &r->ropts, &r->res);
	if (write_extra_reports(cli, &r->meta, &r->ropts, &r->res) < 0) {
		rc = SFMC_EXIT_ERROR;
		goto cleanup;
	}
	if (r->cmd->hook && rc == SFMC_EXIT_FINDINGS)
		sfmc_hook_advice((sfmc_hook_kind)r->cmd->hook, &r->rules, &r->res, r->fail_on, stderr);
cleanup:
	if (out != stdout && fclose(out) != 0 && rc != SFMC_EXIT_ERROR)
		rc = sfmc_app_fail("cannot write the report");
	return rc;
}

static void run_dispose(scan_run *r)
{
	sfmc_verifier_free(r->verifier);
	sfmc_source_close(&r->ctx);
	free(r->open_error);
	sfmc_results_dispose(&r->res);
	sfmc_rules_dispose(&r->rules);
	sfmc_groups_dispose(&r->groups);
	sfmc_filter_dispose(&r->filter);
	sfmc_config_dispose(&r->cfg);
	if (r->audit_open)
		sfmc_audit_close(&r->audit);
}

/* The one pipeline every scanning command shares. */
static int run_scan(const sfmc_cli *cli, const sfmc_command *cmd)
{
	scan_run r = { .cli = cli, .cmd = cmd, .type = cmd->source, .t0 = now_ms() };
	int rc = SFMC_EXIT_ERROR;

	/* Arguments first: a usage error reads nothing. */
	if (cli->fail_on_untriaged && !cli->datastore)
		return sfmc_app_fail("--fail-on-untriaged needs --datastore FILE (where the triage is kept)");
	fill_ctx(&r);
	if (r.type->check_args(&r.ctx, (const char *const *)cli->args, (size_t)cli->nargs) < 0)
		return sfmc_app_fail(sfmc_error_last());
	sfmc_results_init(&r.res);
	sfmc_config_init(&r.cfg);
	sfmc_rules_init(&r.rules);
	if (prepare(&r) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	fill_meta(&r);
	scan(&r);
	if (triage(&r) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	rc = report(&r);
cleanup:
	run_dispose(&r);
	return rc;
}

int main(int argc, char **argv)
{
	const sfmc_command *cmd;
	sfmc_cli cli;
	bool handled;

	if (sfmc_cli_parse(&cli, &handled, argc, argv) < 0)
		return sfmc_app_fail(sfmc_error_last());
	if (handled)
		return SFMC_EXIT_CLEAN;
	if (sfmc_fingerprint_init() < 0)
		return sfmc_app_fail(sfmc_error_last());
	cmd = cli.cmd;
	return cmd->source ? run_scan(&cli, cmd) : cmd->run(&cli);
}
