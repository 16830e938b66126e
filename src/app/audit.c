/* audit.c - --datastore on scans, `triage` and `report` (audit.h). */
#define _GNU_SOURCE
#include "app/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "git/repo.h"
#include "util/error.h"

static const char *store_path(const sfmc_cli *cli)
{
	const char *e = getenv("SFMC_DATASTORE");
	return cli->datastore ? cli->datastore : e && *e ? e : ".sfmc-scan.db";
}

/* What the scan read, as one stable name: a remote repository's URL
 * (without credentials; its clone may be temporary), a repository's common
 * git directory (any worktree or subdirectory names the same one), else the
 * first directory scanned. */
static char *canonical_root(const sfmc_source_ctx *ctx)
{
	const char *p = ctx->repo ? git_repository_commondir(ctx->repo) : ctx->nroots ? ctx->roots[0] : ".";
	char *r;
	size_t n;

	if (sfmc_source_repository(ctx))
		return strdup(sfmc_source_repository(ctx));
	r = realpath(p ? p : ".", NULL);
	if (!r)
		r = strdup(p ? p : ".");
	if (r && (n = strlen(r)) > 1 && r[n - 1] == '/')
		r[n - 1] = '\0';
	return r;
}

static const char *triage_cb(void *ctx, const sfmc_finding *f, const char **reason)
{
	sfmc_audit *a = ctx;
	sfmc_triage_info t;

	if (sfmc_datastore_triage_get(a->ds, f->fingerprint, &t) < 0) {
		*reason = NULL;
		return NULL;
	}
	*reason = t.reason;
	return t.status;
}

static const char *origin_cb(void *ctx, const sfmc_finding *f, const char **web_url)
{
	sfmc_audit *a = ctx;
	const char *repo;

	if (a->loaded && f >= a->loaded->findings && f < a->loaded->findings + a->loaded->nfindings &&
	    sfmc_datastore_origin(a->ds, (size_t)(f - a->loaded->findings), &repo, web_url) == 0)
		return repo;
	*web_url = a->web_url;
	return a->root;
}

static void set_context(sfmc_audit *a, sfmc_report_opts *ropts)
{
	a->rctx = (sfmc_report_context){ .triage = triage_cb, .origin = origin_cb, .ctx = a };
	ropts->context = &a->rctx;
}

int sfmc_audit_open(sfmc_audit *a, const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_source_ctx *ctx,
		    const sfmc_source_type *type)
{
	const sfmc_blobset_hooks *hooks = NULL;

	memset(a, 0, sizeof(*a));
	a->quiet = cli->quiet;
	a->partial = cli->range != NULL;
	if (sfmc_datastore_open(&a->ds, cli->datastore) < 0 || sfmc_datastore_rules_hash(rules, a->rules_hash) < 0)
		return -1;
	if (!(a->root = canonical_root(ctx)))
		return sfmc_error_set("out of memory");
	if (ctx->repo)
		a->web_url = sfmc_gitrepo_web_url(ctx->repo);
	/* Findings read back are redacted: --show-secrets reads every blob again,
	 * and so does --verify (it sends the whole secret, which is never stored). */
	if (type->git && !cli->show_secrets && !cli->verify) {
		if (sfmc_datastore_blob_hooks(a->ds, a->rules_hash, rules, &hooks) < 0)
			return -1;
		ctx->blob_hooks = hooks;
	}
	return 0;
}

int sfmc_audit_record(sfmc_audit *a, const sfmc_scan_meta *meta, const sfmc_results *res, sfmc_report_opts *ropts)
{
	sfmc_datastore_scan sc = {
		.repository = a->root,
		.mode = meta->mode,
		.remote_url = a->web_url,
		.head_commit = meta->head_commit,
		.rules_hash = a->rules_hash,
		.started = meta->start_time,
		.finished = meta->end_time,
		.partial = a->partial,
	};

	size_t reused = sfmc_datastore_reused(a->ds);

	set_context(a, ropts);
	/* The report is the same as a full scan's; say why it came faster. */
	if (reused && !a->quiet)
		fprintf(stderr,
			"sfmc-scan: %zu blob%s scanned before with the same rules: findings read back from %s\n",
			reused, reused == 1 ? "" : "s", sfmc_datastore_path(a->ds));
	return sfmc_datastore_record(a->ds, &sc, res);
}

sfmc_level sfmc_audit_untriaged_level(sfmc_audit *a, const sfmc_results *res)
{
	sfmc_level max = SFMC_LEVEL_NONE;
	const char *reason;

	for (size_t i = 0; i < res->nfindings; i++) {
		const sfmc_finding *f = &res->findings[i];
		if (!f->suppressed && f->level > max && !sfmc_triage_settled(triage_cb(a, f, &reason)))
			max = f->level;
	}
	return max;
}

void sfmc_audit_close(sfmc_audit *a)
{
	sfmc_datastore_close(a->ds);
	free(a->root);
	free(a->web_url);
	memset(a, 0, sizeof(*a));
}

/* triage and report read a datastore a scan made: a missing file is an error, never a new empty one. */
static int open_existing(sfmc_audit *a, const sfmc_cli *cli)
{
	const char *path = store_path(cli);
	struct stat st;

	memset(a, 0, sizeof(*a));
	if (stat(path, &st) < 0)
		return sfmc_error_set("%s: no datastore here (make one with `sfmc-scan git --datastore %s`, or give "
				      "--datastore FILE)",
				      path, path);
	return sfmc_datastore_open(&a->ds, path);
}

int sfmc_cmd_triage(const sfmc_cli *cli)
{
	sfmc_audit a;
	char full[65];
	int rc;

	if (cli->nargs != 1)
		return sfmc_app_fail("usage: sfmc-scan triage FINGERPRINT --status S [--reason TEXT]");
	if (!cli->status || !strcmp(cli->status, "reintroduced"))
		return sfmc_app_fail("triage: --status " SFMC_TRIAGE_STATUSES " is required");
	if (strcmp(cli->status, "open") && (!cli->reason || !*cli->reason))
		return sfmc_app_fail("triage: --reason TEXT is required for any status but open");
	if (open_existing(&a, cli) < 0 ||
	    (rc = sfmc_datastore_triage(a.ds, cli->args[0], cli->status, cli->reason, full)) < 0) {
		sfmc_app_fail(sfmc_error_last());
		sfmc_audit_close(&a);
		return SFMC_EXIT_ERROR;
	}
	printf("%s: %s\n", full, cli->status);
	sfmc_audit_close(&a);
	return fflush(stdout) == 0 ? SFMC_EXIT_CLEAN : sfmc_app_fail("cannot write to standard output");
}

/* -o FILE (never through a symbolic link) or stdout. */
static FILE *report_output(const char *path)
{
	int fd;
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (strncmp(path, "/dev/", 5) ? O_NOFOLLOW : 0), 0644);
	if (fd < 0) {
		sfmc_error_set_errno("%s: cannot create", path);
		return NULL;
	}
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		sfmc_error_set_errno("%s: cannot open", path);
	}
	return f;
}

/* Writes the report of what was read back; returns the exit code. */
static int write_loaded(sfmc_audit *a, const sfmc_cli *cli, const sfmc_scan_meta *meta, const sfmc_results *res)
{
	sfmc_report_opts ropts = { .quiet = cli->quiet, .fail_on = cli->fail_on };
	FILE *out = report_output(cli->output);
	sfmc_level max;
	int rc;

	if (!out)
		return sfmc_app_fail(sfmc_error_last());
	a->loaded = res;
	set_context(a, &ropts);
	rc = sfmc_report_write(cli->format, out, meta, &ropts, res) < 0 ? sfmc_app_fail(sfmc_error_last())
									: SFMC_EXIT_CLEAN;
	if (out != stdout && fclose(out) != 0 && rc == SFMC_EXIT_CLEAN)
		rc = sfmc_app_fail("cannot write the report");
	if (rc != SFMC_EXIT_CLEAN)
		return rc;
	sfmc_report_summary(meta, &ropts, res);
	max = cli->fail_on_untriaged ? sfmc_audit_untriaged_level(a, res) : sfmc_results_max_level(res);
	if (cli->fail_on != SFMC_LEVEL_NONE && max >= cli->fail_on)
		return SFMC_EXIT_FINDINGS;
	return res->nerrors ? SFMC_EXIT_ERROR : SFMC_EXIT_CLEAN;
}

int sfmc_cmd_report(const sfmc_cli *cli)
{
	sfmc_datastore_query q = { cli->status, cli->repository, cli->since };
	const char *path = store_path(cli);
	sfmc_scan_meta meta = { .mode = "datastore",
				.unit = "location",
				.units = "locations",
				.git = true,
				.roots = &path,
				.nroots = 1,
				.stored = true };
	sfmc_ruleset rules;
	sfmc_results res;
	sfmc_audit a;
	size_t nrepos = 0;
	int rc = SFMC_EXIT_ERROR;

	if (cli->nargs)
		return sfmc_app_fail("usage: sfmc-scan report [--datastore FILE] [-f FORMAT] (no arguments)");
	sfmc_results_init(&res);
	sfmc_rules_init(&rules);
	meta.start_time = meta.end_time = (int64_t)time(NULL);
	meta.rules = &rules;
	if (open_existing(&a, cli) < 0 || sfmc_app_load_rules(cli, &rules) < 0 ||
	    sfmc_datastore_load(a.ds, &q, &rules, &res, &nrepos) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	res.stats.files = res.nfindings;
	rc = write_loaded(&a, cli, &meta, &res);
cleanup:
	sfmc_results_dispose(&res);
	sfmc_rules_dispose(&rules);
	sfmc_audit_close(&a);
	return rc;
}
