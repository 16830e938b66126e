/* stdin.c - the stdin source (see stdin.h); split out of dir.c. */
#include "source/stdin.h"

#include <string.h>

#include "detect/scan.h"
#include "source/source.h"
#include "util/error.h"

int sfmc_source_fd_scan(int fd, const char *label, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_scanner s;
	sfmc_provenance prov = { label, strlen(label), NULL, NULL, NULL, 0 };
	int rc = 0;

	if (sfmc_scanner_init(&s, rules) < 0) {
		sfmc_scanner_dispose(&s);
		return -1;
	}
	if (sfmc_scanner_scan_fd(&s, fd, &prov, out) < 0)
		rc = sfmc_results_add_error(out, label, sfmc_error_last());
	sfmc_scanner_dispose(&s);
	return rc;
}

/* ---- the `stdin` source type (source.h) ---- */

static int stdin_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	(void)ctx;
	(void)args;
	if (nargs) {
		sfmc_error_set("stdin takes no arguments (use --label NAME to name the stream)");
		return SFMC_EUSAGE;
	}
	return SFMC_OK;
}

/* A stream has no root: no .sfmc-scan.yaml is looked for. */
static void stdin_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	(void)ctx;
	(void)desc;
}

static int stdin_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	return sfmc_source_fd_scan(fileno(ctx->in), ctx->label, ctx->rules, out);
}

/* Counted as a blob, as reports always have ("1 blob"). */
const sfmc_source_type sfmc_source_type_stdin = {
	.name = "stdin",
	.unit = "blob",
	.units = "blobs",
	.git = false,
	.check_args = stdin_args,
	.describe = stdin_describe,
	.scan = stdin_scan,
	.scan_current = NULL,
};
