/* commit_msg.c - the commit-msg hook's source: the message file git passes,
 * scanned as a commit message (git/message.h) before the commit exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "git/message.h"
#include "source/source.h"
#include "util/error.h"

/* What git drops after `git commit -v`'s scissors line is the diff, not the message. */
static size_t before_scissors(const char *msg, size_t len)
{
	static const char cut[] = " ------------------------ >8 ------------------------\n";
	for (size_t i = 0; i + sizeof(cut) <= len; i++)
		if ((i == 0 || msg[i - 1] == '\n') && !memcmp(msg + i + 1, cut, sizeof(cut) - 1))
			return i;
	return len;
}

/* Reads the whole file (at most SFMC_COMMIT_MSG_MAX_FILE bytes) into *data. */
static int read_message(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	size_t cap = SFMC_COMMIT_MSG_MAX_FILE + 1;

	*data = NULL;
	if (!f)
		return sfmc_error_set_errno("%s: cannot open the commit message", path);
	if (!(*data = malloc(cap))) {
		fclose(f);
		return sfmc_error_set("out of memory");
	}
	*len = fread(*data, 1, cap, f);
	if (ferror(f) || *len == cap) {
		int e = ferror(f);
		fclose(f);
		free(*data);
		*data = NULL;
		if (e)
			return sfmc_error_set_errno("%s: cannot read the commit message", path);
		return sfmc_error_set("%s: commit message larger than %zu bytes", path, SFMC_COMMIT_MSG_MAX_FILE);
	}
	fclose(f);
	return 0;
}

static int commit_msg_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	sfmc_scanner s;
	char *msg;
	size_t len = 0;
	int rc;

	if (read_message(ctx->message_file, &msg, &len) < 0)
		return sfmc_results_add_error(out, ctx->message_file, sfmc_error_last());
	if (sfmc_scanner_init(&s, ctx->rules) < 0) {
		sfmc_scanner_dispose(&s);
		free(msg);
		return -1;
	}
	len = before_scissors(msg, len);
	rc = sfmc_gitmsg_scan_new(&s, msg, len, out);
	out->stats.files++; /* the one message */
	out->stats.bytes += len;
	sfmc_scanner_dispose(&s);
	free(msg);
	return rc;
}

static int commit_msg_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	if (nargs != 1) {
		sfmc_error_set("commit-msg takes the message FILE (git passes it)");
		return SFMC_EUSAGE;
	}
	ctx->message_file = args[0];
	return SFMC_OK;
}

/* The repository git runs the hook in: its work tree holds .sfmc-scan.yaml; no HEAD (the commit is new). */
static void commit_msg_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	sfmc_source_describe_repo(ctx, desc, false);
}

const sfmc_source_type sfmc_source_type_commit_msg = {
	.name = "commit-msg",
	.unit = "message",
	.units = "messages",
	.git = true,
	.check_args = commit_msg_args,
	.describe = commit_msg_describe,
	.scan = commit_msg_scan,
	.scan_current = sfmc_source_scan_head, /* --group: is the secret also in HEAD's tree */
};
