/* source.h - the source interface: one static const row of operations per
 * way of reading input (dir, stdin, git, staged and the three hooks).
 *
 * The app looks a type up by name (sfmc_source_find), lets it place the
 * positional arguments (check_args), fills the rest of the context from the
 * flags and the config, opens it (sfmc_source_open: the repository of a git
 * type, once per run), asks it what it reads (describe), scans, and closes.
 * A source sees only this context, never the command line or the config.
 * Contexts and results belong to the caller; one thread drives a context
 * (sources start their own workers inside scan). */
#ifndef SFMC_SOURCE_H
#define SFMC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <git2.h>

#include "core/finding.h"
#include "core/rules.h"

/* true when a path relative to the scanned root must not be scanned (config `paths`). */
typedef bool (*sfmc_source_exclude_fn)(const char *relpath, bool is_dir, void *ctx);

typedef struct sfmc_source_ctx {
	/* Placed by check_args from the positional arguments (borrowed). */
	const char *const *roots; /* dir: PATHs (at least "."); git, staged: the repository (none: GIT_DIR or .) */
	size_t nroots;
	const char *remote;       /* pre-push: the remote's name, as git passes it */
	const char *remote_url;   /* pre-push: the URL git pushes to (asked for its refs) */
	const char *message_file; /* commit-msg: the message file git passes */
	/* Set by the app. */
	const char *label;        /* stdin: the stream's name */
	FILE *in;                 /* stdin, pre-push, pre-receive: what they read */
	const sfmc_ruleset *rules; /* before scan; not needed by describe */
	unsigned threads;         /* 0: all CPUs */
	uint64_t max_file_size;   /* 0: no limit */
	bool all_objects;         /* git */
	const char *range;        /* git */
	sfmc_source_exclude_fn exclude; /* dir; NULL: nothing excluded */
	void *exclude_ctx;
	const struct sfmc_blobset_hooks *blob_hooks; /* git: blobs scanned before (the datastore); NULL: none */
	bool progress; /* the progress line is drawn (the app's; git: also while fetching) */
	/* git: a remote repository, fetched by sfmc_source_open (git/clone.h). */
	const char *url;           /* placed by check_args from a URL argument; may hold credentials: never shown */
	const char *clone_dir;     /* set by the app: keep the clone there and reuse it; NULL: a temporary one */
	const char *git_token_env; /* set by the app: the variable holding an HTTPS token; NULL: none */
	const char *git_cacert;    /* set by the app: CA certificates for HTTPS; NULL: the system's */
	/* Set by sfmc_source_open for git types, released by sfmc_source_close. */
	git_repository *repo;
	struct sfmc_gitclone *clone; /* url: the local clone (its path is the repository path) */
} sfmc_source_ctx;

/* What a source reads, for config discovery and reports. */
typedef struct sfmc_source_desc {
	const char *config_root;  /* where .sfmc-scan.yaml is looked for; NULL: nowhere */
	const char *workdir;      /* git: the work tree's top with a trailing '/', NULL when bare (owned by ctx) */
	char head_commit[GIT_OID_HEXSZ + 1]; /* the HEAD commit reports name, "" for none */
	const char *repository;     /* a remote repository: its URL without credentials; NULL: local (owned by ctx) */
	const char *repository_uri; /* the same as an absolute URI (scp-like host:path -> ssh://host/path) */
	const char *branch;         /* a remote repository: the branch its HEAD names; NULL: unknown */
} sfmc_source_desc;

/* Called once per finding of the scanned current state (held). */
typedef void (*sfmc_source_held_fn)(const sfmc_finding *f, void *payload);

typedef struct sfmc_source_type {
	const char *name;         /* the command, and the mode reports show */
	const char *unit, *units; /* what it counts: "file(s)" or "blob(s)" */
	bool git;                 /* reads a git repository (opened by sfmc_source_open) */
	/* Checks the positional arguments and places them in ctx (roots or
	 * remote). Returns 0 or SFMC_EUSAGE (message set). */
	int (*check_args)(sfmc_source_ctx *ctx, const char *const *args, size_t nargs);
	/* Fills desc (zeroed by the caller). Never fails: what cannot be told stays empty. */
	void (*describe)(const sfmc_source_ctx *ctx, sfmc_source_desc *desc);
	/* Scans into out. Problems with single inputs land in out->errors and
	 * out->skipped; returns SFMC_ERROR only when the scan cannot run (message set). */
	int (*scan)(const sfmc_source_ctx *ctx, sfmc_results *out);
	/* --group: calls fn for each finding in the current state (HEAD's tree);
	 * NULL when the source has no such state. An unborn HEAD holds nothing.
	 * Returns 0 or SFMC_ERROR (message set). */
	int (*scan_current)(const sfmc_source_ctx *ctx, sfmc_source_held_fn fn, void *payload);
} sfmc_source_type;

extern const sfmc_source_type sfmc_source_type_dir, sfmc_source_type_stdin, sfmc_source_type_git,
	sfmc_source_type_staged, sfmc_source_type_pre_commit, sfmc_source_type_pre_push, sfmc_source_type_pre_receive,
	sfmc_source_type_commit_msg;

/* The type called name, or NULL. */
const sfmc_source_type *sfmc_source_find(const char *name);

/* Opens what a git type reads: the repository of ctx->roots[0] (none:
 * GIT_DIR or .), or for ctx->url a local clone of it (made or fetched into
 * first: git/clone.h), into ctx->repo. Other types: nothing. Returns 0 or
 * SFMC_ERROR (message set; the app records it as the scan's error). */
int sfmc_source_open(sfmc_source_ctx *ctx, const sfmc_source_type *type);
void sfmc_source_close(sfmc_source_ctx *ctx);

/* Shared by the rows. The repository path check_args placed (NULL: GIT_DIR or .), or the local clone of a URL. */
const char *sfmc_source_repo_path(const sfmc_source_ctx *ctx);
/* A remote repository's URL without credentials (after sfmc_source_open); NULL for a local one. */
const char *sfmc_source_repository(const sfmc_source_ctx *ctx);
/* git rows' describe: the work tree (also the config root) and, when head, HEAD's commit. */
void sfmc_source_describe_repo(const sfmc_source_ctx *ctx, sfmc_source_desc *desc, bool head);
/* git rows' scan_current: the blobs of HEAD's tree (git/head.h). */
int sfmc_source_scan_head(const sfmc_source_ctx *ctx, sfmc_source_held_fn fn, void *payload);

#endif
