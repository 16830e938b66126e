#include "triage/filter.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"

int sfmc_filter_init(sfmc_filter *f, const sfmc_config *config, const char *baseline_file, bool filter_paths)
{
	memset(f, 0, sizeof(*f));
	f->config = config;
	f->filter_paths = filter_paths;
	sfmc_baseline_init(&f->baseline);
	return baseline_file ? sfmc_baseline_load_file(&f->baseline, baseline_file) : 0;
}

void sfmc_filter_dispose(sfmc_filter *f)
{
	sfmc_baseline_dispose(&f->baseline);
	memset(f, 0, sizeof(*f));
}

/* Records why fi is suppressed: prefix followed by text. */
static int suppress(sfmc_finding *fi, sfmc_suppress_kind kind, const char *prefix, const char *text)
{
	sfmc_buf b = SFMC_BUF_INIT;

	if (sfmc_buf_puts(&b, prefix) < 0 || sfmc_buf_puts(&b, text) < 0) {
		sfmc_buf_dispose(&b);
		return -1;
	}
	free(fi->suppress_reason);
	fi->suppress_reason = sfmc_buf_detach(&b);
	fi->suppressed = kind;
	return 0;
}

/* Marks one finding; returns 0 or -1. */
static int mark(const sfmc_filter *f, sfmc_finding *fi)
{
	const sfmc_allow *a;

	if (fi->suppressed)
		return 0; /* inline: the most specific reason */
	if ((a = sfmc_config_allows(f->config, fi)))
		return suppress(fi, SFMC_SUPPRESS_CONFIG, "", a->reason);
	if (sfmc_baseline_has(&f->baseline, fi))
		return suppress(fi, SFMC_SUPPRESS_BASELINE, "in baseline ", f->baseline.file);
	return 0;
}

bool sfmc_filter_may_suppress(const sfmc_filter *f, const sfmc_finding *fi)
{
	const sfmc_config *c = f->config;

	if (fi->suppressed || (f->filter_paths && c && c->npaths) ||
	    sfmc_baseline_has_fingerprint(&f->baseline, fi->fingerprint))
		return true;
	for (size_t i = 0; c && i < c->nallow; i++) /* any path: the finding's may not be its last */
		if ((!c->allow[i].fingerprint || !strcmp(c->allow[i].fingerprint, fi->fingerprint)) &&
		    (!c->allow[i].rule_id || !strcmp(c->allow[i].rule_id, fi->rule->id)))
			return true;
	return false;
}

int sfmc_filter_apply(const sfmc_filter *f, sfmc_results *res)
{
	size_t w = 0;
	int rc = 0;

	sfmc_results_sort(res);
	sfmc_results_dedup(res);
	for (size_t i = 0; i < res->nfindings; i++) {
		sfmc_finding *fi = &res->findings[i];
		/* `paths` names files of the tree: a message has none. */
		if (f->filter_paths && fi->location == SFMC_LOCATION_FILE &&
		    sfmc_config_excludes(f->config, fi->path, false)) {
			sfmc_finding_dispose(fi);
			continue;
		}
		if (rc == 0)
			rc = mark(f, fi);
		res->findings[w++] = *fi;
	}
	res->nfindings = w;
	return rc;
}
