/* source.c - the table of source types and what the git rows share (see source.h). */
#include "source/source.h"

#include <stdlib.h>
#include <string.h>

#include "git/clone.h"
#include "git/head.h"
#include "git/repo.h"
#include "util/error.h"

static const sfmc_source_type *const types[] = {
	&sfmc_source_type_dir,         &sfmc_source_type_stdin,      &sfmc_source_type_git,
	&sfmc_source_type_staged,      &sfmc_source_type_pre_commit, &sfmc_source_type_pre_push,
	&sfmc_source_type_pre_receive, &sfmc_source_type_commit_msg,
};

const sfmc_source_type *sfmc_source_find(const char *name)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

const char *sfmc_source_repo_path(const sfmc_source_ctx *ctx)
{
	if (ctx->clone)
		return ctx->clone->path;
	return ctx->nroots ? ctx->roots[0] : NULL;
}

const char *sfmc_source_repository(const sfmc_source_ctx *ctx)
{
	return ctx->clone ? ctx->clone->shown : NULL;
}

/* A URL: its clone, made or fetched into now. */
static int open_clone(sfmc_source_ctx *ctx)
{
	sfmc_gitclone_opts o = { ctx->url, ctx->clone_dir, ctx->git_token_env, ctx->git_cacert, ctx->progress };

	if (!(ctx->clone = calloc(1, sizeof(*ctx->clone))))
		return sfmc_error_set("out of memory");
	return sfmc_gitclone_fetch(ctx->clone, &o);
}

int sfmc_source_open(sfmc_source_ctx *ctx, const sfmc_source_type *type)
{
	ctx->repo = NULL;
	if (!type->git)
		return SFMC_OK;
	if (ctx->url && open_clone(ctx) < 0)
		return SFMC_ERROR;
	return sfmc_gitrepo_open(&ctx->repo, sfmc_source_repo_path(ctx));
}

void sfmc_source_close(sfmc_source_ctx *ctx)
{
	sfmc_gitrepo_close(ctx->repo);
	ctx->repo = NULL;
	if (ctx->clone) {
		sfmc_gitclone_dispose(ctx->clone); /* a temporary clone is removed */
		free(ctx->clone);
		ctx->clone = NULL;
	}
}

void sfmc_source_describe_repo(const sfmc_source_ctx *ctx, sfmc_source_desc *desc, bool head)
{
	if (!ctx->repo)
		return;
	desc->workdir = git_repository_workdir(ctx->repo);
	desc->config_root = desc->workdir;
	if (ctx->clone) {
		desc->repository = ctx->clone->shown;
		desc->repository_uri = ctx->clone->uri;
		desc->branch = ctx->clone->branch;
	}
	if (head && sfmc_gitrepo_head(ctx->repo, desc->head_commit) < 0) {
		desc->head_commit[0] = '\0';
		sfmc_error_clear(); /* an unborn HEAD: reports name none */
	}
}

int sfmc_source_scan_head(const sfmc_source_ctx *ctx, sfmc_source_held_fn fn, void *payload)
{
	if (!ctx->repo)
		return sfmc_error_set("no repository");
	return sfmc_githead_scan(ctx->repo, ctx->rules, ctx->max_file_size, fn, payload);
}
