/* baseline_write.c - --write-baseline: the JSON report, written as a
 * baseline (triage/baseline.h reads it back). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report/report.h"
#include "util/error.h"

static int absolute_path(const sfmc_scan_meta *meta, const sfmc_finding *f)
{
	char *shown = sfmc_redact(meta->rules, f->path, f->path_len, NULL);

	sfmc_error_set("--write-baseline: '%s' is an absolute path; scan a directory so that paths are relative to it",
		       shown ? shown : "?");
	free(shown);
	return -1;
}

int sfmc_report_write_baseline(const char *path, const sfmc_scan_meta *meta, const sfmc_results *res)
{
	sfmc_report_opts opts = { .show_secrets = false, .quiet = true, .fail_on = SFMC_LEVEL_ERROR };
	FILE *f;
	int fd, rc;

	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].path[0] == '/')
			return absolute_path(meta, &res->findings[i]);
	/* O_NOFOLLOW: a link planted in the checkout must not aim the write at another file. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return sfmc_error_set_errno("%s: cannot create the baseline", path);
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		return sfmc_error_set_errno("%s: cannot open the baseline", path);
	}
	rc = sfmc_report_write("json", f, meta, &opts, res);
	if (fclose(f) != 0 && rc == 0)
		rc = sfmc_error_set_errno("%s: cannot write the baseline", path);
	return rc;
}
