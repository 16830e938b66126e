/* listing.h - the repositories of a GitHub organisation or a GitLab group,
 * from the forge's REST API (network: only when the command line names
 * one). libcurl is loaded with dlopen (util/curl.h); answers are parsed
 * with jansson. Pages are followed to the end or the listing fails: never
 * a silent partial list. Tokens come from the environment and are never
 * printed. */
#ifndef SFMC_LISTING_H
#define SFMC_LISTING_H

#include <stdbool.h>
#include <stddef.h>

#define SFMC_GITHUB_API "https://api.github.com"
#define SFMC_GITLAB_API "https://gitlab.com/api/v4"

typedef struct sfmc_listing_opts {
	const char *api;    /* base URL; NULL: the forge's public one */
	const char *cacert; /* trust these CAs instead of the system's, or NULL */
	bool skip_forks, skip_archived;
	long max_wait; /* seconds waited on rate limits in all, then fail */
} sfmc_listing_opts;

/* A listing: clone URLs (https), owned. */
typedef struct sfmc_listing {
	char **urls;
	size_t n, alloc;
} sfmc_listing;

/* GET /orgs/{org}/repos?per_page=100 ($GITHUB_TOKEN as a Bearer token when
 * set), every page; clone_url of each. Returns 0 or -1 (message set). */
int sfmc_listing_github(sfmc_listing *out, const char *org, const sfmc_listing_opts *o);
/* GET /groups/:id/projects?include_subgroups=true&per_page=100
 * ($GITLAB_TOKEN as PRIVATE-TOKEN when set), every page; http_url_to_repo. */
int sfmc_listing_gitlab(sfmc_listing *out, const char *group, const sfmc_listing_opts *o);
void sfmc_listing_dispose(sfmc_listing *l);

#endif
