/* commands.c - check, generate, hook, help and version (see commands.h). */
#define _GNU_SOURCE
#include "app/commands.h"
#include "app/completion.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/hook_install.h"
#include "util/bounds.h"
#include "detect/context.h"
#include "detect/detect.h"
#include "util/error.h"
#include "util/text.h"
#include "verify/verify.h"

int sfmc_app_fail(const char *msg)
{
	fprintf(stderr, "sfmc-scan: %s\n", msg);
	return SFMC_EXIT_ERROR;
}

int sfmc_app_load_rules(const sfmc_cli *cli, sfmc_ruleset *rules)
{
	int rc;

	sfmc_rules_init(rules);
	rc = cli->rules_file ? sfmc_rules_add_file(rules, cli->rules_file) : sfmc_rules_add_default(rules);
	/* --no-decode: no rule asks for decoding, so the decode stage is never built. */
	for (size_t i = 0; rc == 0 && cli->no_decode && i < rules->nrules; i++)
		rules->rules[i].decoders = 0;
	rules->archive_depth = cli->archive_depth;
	if (cli->archive_max_bytes)
		rules->archive_max_bytes = cli->archive_max_bytes;
	if (cli->archive_max_ratio)
		rules->archive_max_ratio = cli->archive_max_ratio;
	if (cli->archive_max_members)
		rules->archive_max_members = cli->archive_max_members;
	return rc;
}

/* Opens a report path (0600 when it may hold whole secrets) or returns stdout for none or "-". */
FILE *sfmc_app_open_output(const char *path, bool show_secrets)
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

/* `help [COMMAND]`. */
int sfmc_cmd_help(const sfmc_cli *cli)
{
	const sfmc_command *cmd;
	const char *sug;

	if (cli->nargs > 1)
		return sfmc_app_fail("help takes at most one command");
	if (!cli->nargs) {
		sfmc_cli_usage(stdout);
		return SFMC_EXIT_CLEAN;
	}
	if (!(cmd = sfmc_command_find(cli->args[0]))) {
		sug = sfmc_command_suggest(cli->args[0]);
		fprintf(stderr, "sfmc-scan: unknown command '%s'%s%s%s (see sfmc-scan --help)\n", cli->args[0],
			sug ? ": did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		return SFMC_EXIT_ERROR;
	}
	sfmc_cli_command_usage(stdout, cmd);
	return SFMC_EXIT_CLEAN;
}

int sfmc_cmd_version(const sfmc_cli *cli)
{
	(void)cli;
	sfmc_cli_print_version(stdout);
	return SFMC_EXIT_CLEAN;
}

int sfmc_cmd_completion(const sfmc_cli *cli)
{
	if (cli->nargs != 1)
		return sfmc_app_fail("usage: sfmc-scan completion bash|zsh|fish");
	if (sfmc_completion_print(stdout, cli->args[0]) < 0)
		return sfmc_app_fail(sfmc_error_last());
	return fflush(stdout) == 0 ? SFMC_EXIT_CLEAN : sfmc_app_fail("cannot write to standard output");
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

/* check --verify: --client-id and --subdomain, checked like scanned context. */
static int verify_args(const sfmc_cli *cli, char sub[29])
{
	size_t n = cli->subdomain ? strlen(cli->subdomain) : 0;

	if (!cli->client_id || !cli->subdomain || !cli->nargs)
		return sfmc_error_set("check --verify needs --client-id ID, --subdomain SUB and the TOKEN");
	for (size_t i = 0; i < n && n == 28; i++)
		sub[i] = (char)((cli->subdomain[i] >= 'A' && cli->subdomain[i] <= 'Z') ? cli->subdomain[i] + 32
										       : cli->subdomain[i]);
	sub[n == 28 ? 28 : 0] = '\0';
	if (!sfmc_context_subdomain_ok(sub))
		return sfmc_error_set("--subdomain: expected the tenant subdomain (mc and 26 letters, digits or '-'), "
				      "not the URL or anything else");
	if (strspn(cli->client_id, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(cli->client_id) ||
	    strlen(cli->client_id) > SFMC_CONTEXT_MAX_VALUE || !*cli->client_id)
		return sfmc_error_set("--client-id: expected lowercase letters and digits");
	if (cli->account_id && (strspn(cli->account_id, "0123456789") != strlen(cli->account_id) || !*cli->account_id ||
				strlen(cli->account_id) > 12))
		return sfmc_error_set("--account-id: expected the Business Unit MID (digits)");
	return 0;
}

/* One finding per TOKEN with the given context, verified together. */
static int check_verify(const sfmc_cli *cli)
{
	sfmc_results res;
	sfmc_verify_opts o;
	char sub[29];
	bool live = true;

	if (verify_args(cli, sub) < 0)
		return sfmc_app_fail(sfmc_error_last());
	sfmc_results_init(&res);
	for (int i = 0; i < cli->nargs; i++) {
		sfmc_finding f = { .secret = cli->args[i], .secret_len = strlen(cli->args[i]), .line = 1 };
		f.context[SFMC_CONTEXT_CLIENT_ID].value = (char *)cli->client_id;
		f.context[SFMC_CONTEXT_SUBDOMAIN].value = sub;
		f.context[SFMC_CONTEXT_ACCOUNT_ID].value = (char *)cli->account_id;
		if (sfmc_results_add_finding(&res, &f) < 0) {
			sfmc_results_dispose(&res);
			return sfmc_app_fail(sfmc_error_last());
		}
	}
	sfmc_verify_opts_init(&o);
	o.jobs = cli->verify_jobs, o.rate = cli->verify_rate, o.timeout = cli->verify_timeout;
	o.cacert = cli->verify_cacert, o.connect_to = cli->verify_connect_to;
	if (sfmc_verify_results(&res, &o) < 0) {
		sfmc_results_dispose(&res);
		return sfmc_app_fail(sfmc_error_last());
	}
	for (size_t i = 0; i < res.nfindings; i++) {
		const sfmc_finding *f = &res.findings[i];
		printf("argument %zu: %s", i + 1, sfmc_verify_status_name(f->verify));
		if (f->verify_http)
			printf(" (HTTP %ld)", f->verify_http);
		printf(": %s\n", f->verify_reason ? f->verify_reason : "");
		live &= f->verify == SFMC_VERIFY_LIVE;
	}
	sfmc_results_dispose(&res);
	return live ? SFMC_EXIT_CLEAN : SFMC_EXIT_FINDINGS;
}

int sfmc_cmd_check(const sfmc_cli *cli)
{
	sfmc_ruleset rules;
	sfmc_detector *d = NULL;
	char where[64], *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	bool all = true;
	int rc = SFMC_EXIT_ERROR;

	if (cli->verify)
		return check_verify(cli);
	if (sfmc_app_load_rules(cli, &rules) < 0 || sfmc_detector_new(&d, &rules) < 0) {
		sfmc_app_fail(sfmc_error_last());
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
			sfmc_app_fail("cannot read standard input");
			goto cleanup;
		}
		if (!lineno)
			all = false; /* nothing checked is not "all valid" */
	}
	rc = all ? SFMC_EXIT_CLEAN : SFMC_EXIT_FINDINGS;
	/* A verdict nobody could read is not a pass. */
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = sfmc_app_fail("cannot write to standard output");
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

int sfmc_cmd_generate(const sfmc_cli *cli)
{
	sfmc_ruleset rules;
	sfmc_detector *d = NULL;
	const sfmc_rule *r;
	char tok[256];
	size_t plen;
	int rc = SFMC_EXIT_ERROR;

	if (sfmc_app_load_rules(cli, &rules) < 0 || sfmc_detector_new(&d, &rules) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	r = sfmc_rules_find(&rules, "sfmc-client-secret");
	if (!r || !r->has_checksum || !r->nkeywords) {
		sfmc_app_fail("generate needs a rule 'sfmc-client-secret' with a keyword and a checksum");
		goto cleanup;
	}
	plen = strlen(r->keywords[0]);
	if (plen + SFMC_TOKEN_BODY_LEN + r->checksum.width >= sizeof(tok)) {
		sfmc_app_fail("generate: token too long");
		goto cleanup;
	}
	for (long i = 0; i < cli->count; i++) {
		sfmc_match m;
		size_t len = plen + SFMC_TOKEN_BODY_LEN;
		memcpy(tok, r->keywords[0], plen);
		if (random_alnum(tok + plen, SFMC_TOKEN_BODY_LEN) < 0 ||
		    sfmc_checksum_compute(&r->checksum, tok, len, tok + len) < 0) {
			sfmc_app_fail(sfmc_error_last()[0] ? sfmc_error_last() : "generate: checksum does not fit");
			goto cleanup;
		}
		len += r->checksum.width;
		tok[len] = '\0';
		/* The token must satisfy the rule it was made from; if not, the rule changed shape. */
		if (!sfmc_detector_classify(d, (unsigned char *)tok, len, &m) || !m.checksum_valid) {
			sfmc_app_fail("generate: the rule 'sfmc-client-secret' does not accept SFMC_ + 51 + checksum tokens");
			goto cleanup;
		}
		printf("%s\n", tok);
	}
	rc = fflush(stdout) == 0 && !ferror(stdout) ? SFMC_EXIT_CLEAN : sfmc_app_fail("cannot write to standard output");
cleanup:
	sfmc_detector_free(d);
	sfmc_rules_dispose(&rules);
	return rc;
}

int sfmc_cmd_hook(const sfmc_cli *cli)
{
	sfmc_hook_opts o = { cli->hook_kinds, cli->chain, NULL };
	char *exe = NULL;
	int rc;

	if (cli->nargs < 1 || cli->nargs > 2 || (strcmp(cli->args[0], "install") && strcmp(cli->args[0], "uninstall")))
		return sfmc_app_fail(
			"usage: sfmc-scan hook install|uninstall [--pre-commit] [--pre-push] [--pre-receive] [--commit-msg] [--chain] [REPO]");
	if (!strcmp(cli->args[0], "install")) {
		/* The hooks run this very binary, by absolute path. */
		if (!(exe = realpath("/proc/self/exe", NULL)))
			return sfmc_app_fail("hook install: cannot find the path of this sfmc-scan binary");
		o.exe = exe;
		rc = sfmc_hook_install(cli->nargs == 2 ? cli->args[1] : NULL, &o, stdout);
	} else {
		rc = sfmc_hook_uninstall(cli->nargs == 2 ? cli->args[1] : NULL, &o, stdout);
	}
	free(exe);
	if (rc < 0)
		return sfmc_app_fail(sfmc_error_last());
	return SFMC_EXIT_CLEAN;
}

