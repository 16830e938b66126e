/* main.c - dispatches a command: source -> detector -> findings -> filters
 * -> reporters -> exit code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "triage/baseline.h"
#include "app/cli.h"
#include "triage/config.h"
#include "detect/detect.h"
#include "triage/filter.h"
#include "triage/group.h"
#include "app/hook.h"
#include "core/bounds.h"
#include "report/report.h"
#include "core/rules.h"
#include "source/dir.h"
#include "source/git.h"
#include "source/staged.h"
#include "git/repo.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/text.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(const char *msg)
{
	fprintf(stderr, "sfmc-scan: %s\n", msg);
	return SFMC_EXIT_ERROR;
}

static int load_rules(const sfmc_cli *cli, sfmc_ruleset *rules)
{
	int rc;

	sfmc_rules_init(rules);
	rc = cli->rules_file ? sfmc_rules_add_file(rules, cli->rules_file) : sfmc_rules_add_default(rules);
	/* --no-decode: no rule asks for decoding, so the decode stage is never built. */
	for (size_t i = 0; rc == 0 && cli->no_decode && i < rules->nrules; i++)
		rules->rules[i].decoders = 0;
	return rc;
}

/* Opens a report path (0600 when it may hold whole secrets) or returns stdout for none or "-". */
static FILE *open_output(const char *path, bool show_secrets)
{
	int fd;
	FILE *f;

	struct stat st;

	if (!path || !strcmp(path, "-"))
		return stdout;
	/* A link planted in an untrusted checkout must not redirect the report
	 * (and its secrets) onto another file; /dev/stdout and the like are fine. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (strncmp(path, "/dev/", 5) ? O_NOFOLLOW : 0),
		  show_secrets ? 0600 : 0644);
	if (fd < 0) {
		sfmc_error_set_errno("%s: cannot create%s", path,
				     errno == ELOOP ? " (a symbolic link: not followed for reports)" : "");
		return NULL;
	}
	if (show_secrets && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(fd, 0600); /* an existing file keeps its mode otherwise */
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		sfmc_error_set_errno("%s: cannot open", path);
	}
	return f;
}

/* Writes each --report FMT:PATH; returns -1 when one could not be written (all are tried). */
static int write_extra_reports(const sfmc_cli *cli, const sfmc_scan_meta *meta, const sfmc_report_opts *base,
			       const sfmc_results *res)
{
	sfmc_report_opts ropts = *base;
	int rc = 0;

	ropts.color = false;
	for (int i = 0; i < cli->nreports; i++) {
		FILE *out = open_output(cli->reports[i].path, cli->show_secrets);
		if (!out || sfmc_report_write(cli->reports[i].format, out, meta, &ropts, res) < 0) {
			fail(sfmc_error_last());
			rc = -1;
		}
		if (out && out != stdout && fclose(out) != 0) {
			fprintf(stderr, "sfmc-scan: %s: cannot write the report\n", cli->reports[i].path);
			rc = -1;
		}
	}
	return rc;
}

static int exit_code(const sfmc_cli *cli, const sfmc_results *res)
{
	sfmc_level max = sfmc_results_max_level(res);
	if (cli->fail_on != SFMC_LEVEL_NONE && max >= cli->fail_on)
		return SFMC_EXIT_FINDINGS;
	return res->nerrors ? SFMC_EXIT_ERROR : SFMC_EXIT_CLEAN;
}

/* Every mode but dir and stdin reads a git repository (git, staged, hooks). */
static bool git_mode(const char *mode)
{
	return strcmp(mode, "dir") && strcmp(mode, "stdin");
}

/* --config, else ROOT/.sfmc-scan.yaml (the working tree's top in git modes
 * and hooks, none for stdin); the file fills in
 * what flags left unset, since flags override it. */
static int load_config(sfmc_cli *cli, const char *mode, sfmc_config *cfg)
{
	int rc = 0;

	if (cli->no_config)
		return 0;
	if (cli->config_file)
		rc = sfmc_config_load_file(cfg, cli->config_file);
	else if (git_mode(mode))
		rc = sfmc_config_discover_git(cfg, cli->nargs ? cli->args[0] : NULL);
	else if (!strcmp(mode, "dir"))
		rc = sfmc_config_discover(cfg, cli->nargs ? cli->args[0] : ".");
	if (rc < 0)
		return -1;
	if (!cli->fail_on_set && cfg->has_fail_on)
		cli->fail_on = cfg->fail_on;
	if (!cli->max_file_size_set && cfg->has_max_file_size)
		cli->max_file_size = cfg->max_file_size;
	cli->config = cfg;
	return 0;
}

/* --group: findings per secret; in git modes, whether HEAD still holds
 * each one (a failure to tell is recorded: fail closed). */
static int build_groups(const sfmc_cli *cli, const char *mode, const sfmc_ruleset *rules, sfmc_results *res,
			sfmc_groups *groups)
{
	if (sfmc_groups_build(groups, res) < 0)
		return sfmc_results_add_error(res, "--group", sfmc_error_last());
	if (!git_mode(mode) || !groups->n)
		return 0;
	if (sfmc_groups_mark_head(groups, cli->nargs ? cli->args[0] : NULL, rules, cli->max_file_size) < 0)
		return sfmc_results_add_error(res, "--group", sfmc_error_last());
	return 0;
}

typedef int (*source_fn)(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out);

/* The one pipeline every scanning command shares. */
static int run_scan(const sfmc_cli *cli_given, const char *mode, source_fn source)
{
	sfmc_cli eff = *cli_given, *cli = &eff; /* flags plus what the config fills in */
	sfmc_config cfg;
	sfmc_filter filter = { 0 };
	sfmc_groups groups = { 0 };
	sfmc_ruleset rules;
	sfmc_results res;
	sfmc_report_opts ropts = { 0 };
	sfmc_scan_meta meta = { 0 };
	char head[GIT_OID_HEXSZ + 1];
	FILE *out = NULL;
	char *workdir = NULL;
	int64_t t0 = now_ms();
	int rc = SFMC_EXIT_ERROR;

	sfmc_results_init(&res);
	sfmc_config_init(&cfg);
	sfmc_rules_init(&rules);
	if (load_config(cli, mode, &cfg) < 0 || load_rules(cli, &rules) < 0 || sfmc_config_add_rules(&cfg, &rules) < 0 ||
	    sfmc_filter_init(&filter, &cfg, cli->baseline, git_mode(mode)) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	meta.mode = mode;
	meta.git = git_mode(mode);
	meta.unit = strcmp(mode, "dir") ? "blob" : "file";
	meta.units = strcmp(mode, "dir") ? "blobs" : "files";
	if (meta.git && sfmc_gitrepo_workdir(&workdir, cli->nargs ? cli->args[0] : NULL) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	meta.workdir = workdir;
	meta.roots = (const char *const *)cli->args;
	meta.nroots = (size_t)cli->nargs;
	meta.rules = &rules;
	meta.start_time = (int64_t)time(NULL);
	/* Progress (a TTY on stderr, or asked for) is drawn while the source runs. */
	if (sfmc_progress_start(strcmp(mode, "dir") ? "blobs" : "files",
				cli->progress > 0 || (cli->progress < 0 && !cli->quiet && isatty(STDERR_FILENO))) < 0)
		sfmc_results_add_error(&res, mode, sfmc_error_last());
	if (source(cli, &rules, &res) < 0)
		sfmc_results_add_error(&res, mode, sfmc_error_last()); /* fail closed: still report */
	if ((!strcmp(mode, "git") || !strcmp(mode, "staged")) &&
	    sfmc_source_git_head(cli->nargs ? cli->args[0] : NULL, head) == 0)
		meta.head_commit = head;
	sfmc_progress_stop();
	if (sfmc_filter_apply(&filter, &res) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	res.stats.duration_ms = (uint64_t)(now_ms() - t0);
	meta.end_time = (int64_t)time(NULL);
	ropts.show_secrets = cli->show_secrets;
	ropts.quiet = cli->quiet;
	ropts.fail_on = cli->fail_on;
	if (cli->group && build_groups(cli, mode, &rules, &res, &groups) == 0)
		ropts.groups = &groups;
	if (cli->write_baseline && sfmc_baseline_write(cli->write_baseline, &meta, &res) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	if (!(out = open_output(cli->output, cli->show_secrets))) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	ropts.color = out == stdout && isatty(STDOUT_FILENO) && !cli->no_color && !getenv("NO_COLOR");
	if (sfmc_report_write(cli->format, out, &meta, &ropts, &res) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	/* The summary goes to stderr once, whatever the report formats. */
	sfmc_report_summary(&meta, &ropts, &res);
	if (write_extra_reports(cli, &meta, &ropts, &res) < 0)
		goto cleanup;
	rc = exit_code(cli, &res);
	if (cli->hook && rc == SFMC_EXIT_FINDINGS)
		sfmc_hook_advice(cli->hook, &rules, &res, cli->fail_on, stderr);
cleanup:
	if (out && out != stdout && fclose(out) != 0 && rc != SFMC_EXIT_ERROR) {
		fail("cannot write the report");
		rc = SFMC_EXIT_ERROR;
	}
	sfmc_results_dispose(&res);
	sfmc_rules_dispose(&rules);
	sfmc_groups_dispose(&groups);
	sfmc_filter_dispose(&filter);
	sfmc_config_dispose(&cfg);
	free(workdir);
	return rc;
}

static bool dir_exclude(const char *rel, bool is_dir, void *config)
{
	return sfmc_config_excludes(config, rel, is_dir);
}

static int source_dir(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	static char *dot[] = { "." };
	char **roots = cli->nargs ? cli->args : dot;
	int n = cli->nargs ? cli->nargs : 1;
	sfmc_dir_opts o = { 0 };

	o.threads = cli->threads;
	o.max_file_size = cli->max_file_size;
	o.prefix_root = n > 1;
	if (cli->config && cli->config->npaths) {
		o.exclude = dir_exclude;
		o.exclude_ctx = (void *)cli->config;
	}
	for (int i = 0; i < n; i++)
		if (sfmc_source_dir_scan(roots[i], rules, &o, out) < 0)
			return -1;
	return 0;
}

static int source_stdin(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	return sfmc_source_fd_scan(STDIN_FILENO, cli->label, rules, out);
}

static sfmc_git_opts git_opts(const sfmc_cli *cli)
{
	sfmc_git_opts o = { cli->threads, cli->max_file_size, cli->all_objects };
	return o;
}

static int source_git(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_git_opts o = git_opts(cli);
	const char *repo = cli->nargs ? cli->args[0] : NULL;

	if (cli->range)
		return sfmc_source_git_scan_range(repo, cli->range, rules, &o, out);
	return sfmc_source_git_scan(repo, rules, &o, out);
}

static int source_staged(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_git_opts o = git_opts(cli);
	return sfmc_source_index_scan(cli->nargs ? cli->args[0] : NULL, rules, &o, out);
}

static int cmd_git(const sfmc_cli *cli)
{
	if (cli->nargs > 1)
		return fail("git takes at most one repository");
	if (cli->range && cli->all_objects)
		return fail("--range and --all-objects cannot be combined");
	return run_scan(cli, "git", source_git);
}

static int cmd_staged(const sfmc_cli *cli)
{
	if (cli->nargs > 1)
		return fail("staged takes at most one repository");
	if (cli->range || cli->all_objects)
		return fail("--range and --all-objects apply to `git`, not `staged`");
	return run_scan(cli, "staged", source_staged);
}

static int cmd_dir(const sfmc_cli *cli)
{
	return run_scan(cli, "dir", source_dir);
}

static int cmd_stdin(const sfmc_cli *cli)
{
	if (cli->nargs)
		return fail("stdin takes no arguments (use --label NAME to name the stream)");
	return run_scan(cli, "stdin", source_stdin);
}

static int source_pre_push(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_git_opts o = git_opts(cli);
	return sfmc_hook_pre_push_scan(cli->remote, stdin, rules, &o, out);
}

static int source_pre_receive(const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_git_opts o = git_opts(cli);
	return sfmc_hook_pre_receive_scan(stdin, rules, &o, out);
}

/* The hook commands: the usual pipeline in the repository git runs the hook
 * in (no path arguments), plus advice when they block. */
static int run_hook(const sfmc_cli *cli, const char *hook, source_fn source)
{
	sfmc_cli c = *cli;
	c.hook = hook;
	c.nargs = 0;
	return run_scan(&c, hook, source);
}

static int cmd_pre_commit(const sfmc_cli *cli)
{
	if (cli->nargs)
		return fail("pre-commit takes no arguments (it scans the index of the current repository)");
	return run_hook(cli, "pre-commit", source_staged);
}

static int cmd_pre_push(const sfmc_cli *cli)
{
	sfmc_cli c = *cli;
	if (cli->nargs > 2)
		return fail("pre-push takes at most REMOTE and URL (git passes them)");
	c.remote = cli->nargs ? cli->args[0] : NULL;
	return run_hook(&c, "pre-push", source_pre_push);
}

static int cmd_pre_receive(const sfmc_cli *cli)
{
	if (cli->nargs)
		return fail("pre-receive takes no arguments (git feeds '<old> <new> <ref>' lines on stdin)");
	return run_hook(cli, "pre-receive", source_pre_receive);
}

static int cmd_hook(const sfmc_cli *cli)
{
	sfmc_hook_opts o = { cli->hook_kinds, cli->chain, NULL };
	char *exe = NULL;
	int rc;

	if (cli->nargs < 1 || cli->nargs > 2 || (strcmp(cli->args[0], "install") && strcmp(cli->args[0], "uninstall")))
		return fail("usage: sfmc-scan hook install|uninstall [--pre-commit] [--pre-push] [--pre-receive] [--chain] [REPO]");
	if (!strcmp(cli->args[0], "install")) {
		/* The hooks run this very binary, by absolute path. */
		if (!(exe = realpath("/proc/self/exe", NULL)))
			return fail("hook install: cannot find the path of this sfmc-scan binary");
		o.exe = exe;
		rc = sfmc_hook_install(cli->nargs == 2 ? cli->args[1] : NULL, &o, stdout);
	} else {
		rc = sfmc_hook_uninstall(cli->nargs == 2 ? cli->args[1] : NULL, &o, stdout);
	}
	free(exe);
	if (rc < 0)
		return fail(sfmc_error_last());
	return SFMC_EXIT_CLEAN;
}

/* Prints one check verdict; returns true when the token is valid. */
static bool check_one(sfmc_detector *d, const char *s, size_t len, const char *where)
{
	sfmc_match m;
	sfmc_finding f = { 0 };
	char *shown = NULL, *esc;
	bool ok = false;

	if (sfmc_detector_classify(d, (const unsigned char *)s, len, &m)) {
		f.rule = m.rule;
		f.secret = (char *)s;
		f.secret_len = len;
		shown = sfmc_finding_redact(&f);
		ok = m.checksum_valid || !m.rule->has_checksum;
		printf("%s: %s: %s (%s)\n", where, shown ? shown : "?",
		       ok ? "valid" : "invalid checksum", m.rule->id);
	} else {
		esc = sfmc_text_escape(s, len > 8 ? 8 : len);
		printf("%s: %s%s: not a token\n", where, esc ? esc : "?", len > 8 ? "\xe2\x80\xa6" : "");
		free(esc);
	}
	free(shown);
	return ok;
}

static int cmd_check(const sfmc_cli *cli)
{
	sfmc_ruleset rules;
	sfmc_detector *d = NULL;
	char where[64], *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	bool all = true;
	int rc = SFMC_EXIT_ERROR;

	if (load_rules(cli, &rules) < 0 || sfmc_detector_new(&d, &rules) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	for (int i = 0; i < cli->nargs; i++) {
		snprintf(where, sizeof(where), "argument %d", i + 1);
		all &= check_one(d, cli->args[i], strlen(cli->args[i]), where);
	}
	if (!cli->nargs) {
		errno = 0;
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			lineno++;
			while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			snprintf(where, sizeof(where), "line %zu", lineno);
			all &= check_one(d, line, (size_t)n, where);
		}
		if (ferror(stdin)) {
			fail("cannot read standard input");
			goto cleanup;
		}
		if (!lineno)
			all = false; /* nothing checked is not "all valid" */
	}
	rc = all ? SFMC_EXIT_CLEAN : SFMC_EXIT_FINDINGS;
	/* A verdict nobody could read is not a pass. */
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = fail("cannot write to standard output");
cleanup:
	free(line);
	sfmc_detector_free(d);
	sfmc_rules_dispose(&rules);
	return rc;
}

/* Uniform random alphanumerics from the kernel CSPRNG (rejection sampling). */
static int random_alnum(char *out, size_t n)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char buf[256];
	size_t have = 0, used = 0;

	for (size_t i = 0; i < n;) {
		if (used == have) {
			ssize_t got = getrandom(buf, sizeof(buf), 0);
			if (got <= 0)
				return sfmc_error_set_errno("getrandom failed");
			have = (size_t)got;
			used = 0;
		}
		if (buf[used] < 248) /* 248 = 4 * 62: keeps the draw uniform */
			out[i++] = alnum[buf[used] % 62];
		used++;
	}
	return 0;
}

static int cmd_generate(const sfmc_cli *cli)
{
	sfmc_ruleset rules;
	sfmc_detector *d = NULL;
	const sfmc_rule *r;
	char tok[256];
	size_t plen;
	int rc = SFMC_EXIT_ERROR;

	if (load_rules(cli, &rules) < 0 || sfmc_detector_new(&d, &rules) < 0) {
		fail(sfmc_error_last());
		goto cleanup;
	}
	r = sfmc_rules_find(&rules, "sfmc-client-secret");
	if (!r || !r->has_checksum || !r->nkeywords) {
		fail("generate needs a rule 'sfmc-client-secret' with a keyword and a checksum");
		goto cleanup;
	}
	plen = strlen(r->keywords[0]);
	if (plen + SFMC_TOKEN_BODY_LEN + r->checksum.width >= sizeof(tok)) {
		fail("generate: token too long");
		goto cleanup;
	}
	for (long i = 0; i < cli->count; i++) {
		sfmc_match m;
		size_t len = plen + SFMC_TOKEN_BODY_LEN;
		memcpy(tok, r->keywords[0], plen);
		if (random_alnum(tok + plen, SFMC_TOKEN_BODY_LEN) < 0 ||
		    sfmc_checksum_compute(&r->checksum, tok, len, tok + len) < 0) {
			fail(sfmc_error_last()[0] ? sfmc_error_last() : "generate: checksum does not fit");
			goto cleanup;
		}
		len += r->checksum.width;
		tok[len] = '\0';
		/* The token must satisfy the rule it was made from; if not, the rule changed shape. */
		if (!sfmc_detector_classify(d, (unsigned char *)tok, len, &m) || !m.checksum_valid) {
			fail("generate: the rule 'sfmc-client-secret' does not accept SFMC_ + 51 + checksum tokens");
			goto cleanup;
		}
		printf("%s\n", tok);
	}
	rc = fflush(stdout) == 0 && !ferror(stdout) ? SFMC_EXIT_CLEAN : fail("cannot write to standard output");
cleanup:
	sfmc_detector_free(d);
	sfmc_rules_dispose(&rules);
	return rc;
}

static const struct {
	const char *name;
	int (*run)(const sfmc_cli *cli);
} commands[] = {
	{ "dir", cmd_dir },
	{ "stdin", cmd_stdin },
	{ "check", cmd_check },
	{ "generate", cmd_generate },
	{ "git", cmd_git },
	{ "staged", cmd_staged },
	{ "hook", cmd_hook },
	{ "pre-commit", cmd_pre_commit },
	{ "pre-push", cmd_pre_push },
	{ "pre-receive", cmd_pre_receive },
};

int main(int argc, char **argv)
{
	sfmc_cli cli;
	int rc = sfmc_cli_parse(&cli, argc, argv);

	if (rc == 0 && sfmc_fingerprint_init() < 0)
		return fail(sfmc_error_last());
	if (rc > 0)
		return SFMC_EXIT_CLEAN;
	if (rc < 0)
		return fail(sfmc_error_last());
	if (!strcmp(cli.command, "help")) {
		sfmc_cli_usage(stdout);
		return SFMC_EXIT_CLEAN;
	}
	if (!strcmp(cli.command, "version")) {
		printf("sfmc-scan %s\n", sfmc_cli_version());
		return SFMC_EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cli.command))
			return commands[i].run(&cli);
	fprintf(stderr, "sfmc-scan: unknown command '%s' (see sfmc-scan --help)\n", cli.command);
	return SFMC_EXIT_ERROR;
}
