/* org.h - `sfmc-scan audit`: many repositories (a --repos list, a GitHub
 * organisation, a GitLab group), optionally one shard of them, each
 * scanned by a child `sfmc-scan git` (--jobs at a time), the results
 * rendered by merge.c (docs/audit.md). */
#ifndef SFMC_ORG_H
#define SFMC_ORG_H

#include <stdint.h>

#include "app/cli.h"

/* A repository of an audit list: what the child scans, what reports show,
 * and the key shards hash. */
typedef struct sfmc_org_repo {
	char *target; /* as given: the argument of `sfmc-scan git` */
	char *name;   /* credentials stripped, scheme and host lowercase, no trailing '/' */
	char *key;    /* name without a trailing ".git": the same repository however written */
} sfmc_org_repo;

/* Checks one list entry (a URL: https, http, ssh, git, file, or scp-like
 * user@host:path; or a local path) and fills r. Returns 0, or SFMC_EINVALID
 * with the reason set (the caller names FILE:LINE). */
int sfmc_org_repo_parse(sfmc_org_repo *r, const char *entry);
void sfmc_org_repo_dispose(sfmc_org_repo *r);

/* Whether key falls in shard k of n (1 <= k <= n): FNV-1a 64 of key, mod n. */
bool sfmc_org_in_shard(const char *key, unsigned k, unsigned n);

/* `audit` */
int sfmc_cmd_audit(const sfmc_cli *cli);

#endif
