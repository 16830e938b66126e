/* listing.c - forge listings (listing.h): GitHub and GitLab REST, every
 * page, rate limits waited out (bounded), or a clear failure. */
#define _GNU_SOURCE
#include "app/listing.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/array.h"
#include "util/bounds.h"
#include "util/buf.h"
#include "util/curl.h"
#include "util/error.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

/* What one forge needs said. */
typedef struct forge {
	const char *who;       /* "--github-org" */
	const char *token_env; /* "GITHUB_TOKEN" */
	const char *token_hdr; /* "Authorization: Bearer " */
	const char *accept;
	const char *url_key; /* "clone_url" */
	bool (*is_fork)(json_t *);
} forge;

/* One answer. */
typedef struct page {
	sfmc_buf body;
	char next[2048];    /* Link: <...>; rel="next", or "" */
	char next_page[32]; /* X-Next-Page (GitLab), or "" */
	long retry_after;   /* seconds; -1: none */
	long remaining;     /* X-RateLimit-Remaining; -1: none */
	long long reset;    /* X-RateLimit-Reset (epoch seconds); 0: none */
} page;

static bool github_fork(json_t *o)
{
	return json_is_true(json_object_get(o, "fork"));
}

static bool gitlab_fork(json_t *o)
{
	return json_is_object(json_object_get(o, "forked_from_project"));
}

static const forge github = {
	"--github-org", "GITHUB_TOKEN", "Authorization: Bearer ", "Accept: application/vnd.github+json",
	"clone_url",    github_fork
};
static const forge gitlab = { "--gitlab-group",           "GITLAB_TOKEN",     "PRIVATE-TOKEN: ",
			      "Accept: application/json", "http_url_to_repo", gitlab_fork };

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	page *pg = ud;
	return sfmc_buf_put(&pg->body, p, size * n) < 0 ? 0 : size * n;
}

/* The URL of rel="next" in a Link header value. */
static void link_next(page *pg, const char *v)
{
	for (const char *lt = strchr(v, '<'); lt; lt = strchr(lt + 1, '<')) {
		const char *gt = strchr(lt, '>'), *end = gt ? strchr(gt, ',') : NULL;
		const char *rel = gt ? strstr(gt, "rel=\"next\"") : NULL;
		if (gt && rel && (!end || rel < end) && (size_t)(gt - lt - 1) < sizeof(pg->next))
			snprintf(pg->next, sizeof(pg->next), "%.*s", (int)(gt - lt - 1), lt + 1);
	}
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	page *pg = ud;
	size_t len = size * n;
	char line[4096];

	snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncasecmp(line, "link:", 5))
		link_next(pg, line + 5);
	else if (!strncasecmp(line, "x-next-page:", 12))
		snprintf(pg->next_page, sizeof(pg->next_page), "%s", line + 12 + strspn(line + 12, " "));
	else if (!strncasecmp(line, "retry-after:", 12))
		pg->retry_after = strtol(line + 12, NULL, 10);
	else if (!strncasecmp(line, "x-ratelimit-remaining:", 22))
		pg->remaining = strtol(line + 22, NULL, 10);
	else if (!strncasecmp(line, "x-ratelimit-reset:", 18))
		pg->reset = strtoll(line + 18, NULL, 10);
	return len;
}

/* GET url into pg. Returns the HTTP status, or -1 (message set). */
static long get(const forge *f, const char *url, const sfmc_listing_opts *o, page *pg)
{
	CURL *h = sfmc_curl.easy_init();
	struct curl_slist *hdrs = NULL;
	const char *token = getenv(f->token_env);
	char auth[4096];
	long status = -1;
	CURLcode cc;
	int bad = !h;

	sfmc_buf_clear(&pg->body);
	pg->next[0] = pg->next_page[0] = '\0';
	pg->retry_after = pg->remaining = -1;
	pg->reset = 0;
	hdrs = sfmc_curl.slist_append(NULL, f->accept);
	if (token && *token) { /* never printed: only this header holds it */
		snprintf(auth, sizeof(auth), "%s%s", f->token_hdr, token);
		hdrs = hdrs ? sfmc_curl.slist_append(hdrs, auth) : NULL;
		memset(auth, 0, sizeof(auth));
	}
	bad |= !hdrs;
	if (!bad) {
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_URL, url);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_TIMEOUT, (long)SFMC_LISTING_TIMEOUT);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_USERAGENT, "sfmc-scan/" SFMC_VERSION " (repository listing)");
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_WRITEDATA, pg);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_HEADERDATA, pg);
		if (o->cacert) {
			bad |= sfmc_curl.easy_setopt(h, CURLOPT_CAINFO, o->cacert);
			bad |= sfmc_curl.easy_setopt(h, CURLOPT_CAPATH, NULL);
		}
	}
	if (bad)
		sfmc_error_set("%s: the request could not be prepared", f->who);
	else if ((cc = sfmc_curl.easy_perform(h)) != CURLE_OK)
		sfmc_error_set("%s: %s: %s", f->who, url, sfmc_curl.easy_strerror(cc));
	else
		sfmc_curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (hdrs)
		sfmc_curl.slist_free_all(hdrs);
	if (h)
		sfmc_curl.easy_cleanup(h);
	return status;
}

/* Seconds a rate-limited answer asks to wait; -1: not a rate limit. */
static long rate_wait(long status, const page *pg)
{
	long long now = (long long)time(NULL);

	if (status != 403 && status != 429)
		return -1;
	if (pg->retry_after >= 0)
		return pg->retry_after;
	if (pg->remaining == 0 && pg->reset)
		return pg->reset > now ? (long)(pg->reset - now) : 1;
	return status == 429 ? 1 : -1;
}

/* GET url, waiting out rate limits while *waited stays within max_wait. */
static long get_patient(const forge *f, const char *url, const sfmc_listing_opts *o, page *pg, long *waited)
{
	for (;;) {
		long status = get(f, url, o, pg), wait;
		struct timespec ts;

		if (status < 0 || (wait = rate_wait(status, pg)) < 0)
			return status;
		if (*waited + wait > o->max_wait) {
			sfmc_error_set("%s: %s: rate limited (HTTP %ld); waited %lds, the next wait (%lds) would pass "
				       "--api-max-wait %ld: try later or with a token",
				       f->who, url, status, *waited, wait, o->max_wait);
			return -1;
		}
		ts.tv_sec = wait;
		ts.tv_nsec = 0;
		while (nanosleep(&ts, &ts) < 0)
			;
		*waited += wait;
	}
}

/* The repositories of one page. */
static int add_page(sfmc_listing *out, const forge *f, const char *url, const page *pg, const sfmc_listing_opts *o)
{
	json_error_t jerr;
	json_t *a = json_loadb(pg->body.ptr ? pg->body.ptr : "", pg->body.size, 0, &jerr), *e;
	size_t i;
	int rc = 0;

	if (!json_is_array(a)) {
		json_decref(a);
		return sfmc_error_set("%s: %s: the answer is not a JSON list of repositories", f->who, url);
	}
	json_array_foreach(a, i, e)
	{
		const char *clone = json_string_value(json_object_get(e, f->url_key));
		if (!clone) {
			rc = sfmc_error_set("%s: %s: a repository without \"%s\"", f->who, url, f->url_key);
			break;
		}
		if ((o->skip_forks && f->is_fork(e)) ||
		    (o->skip_archived && json_is_true(json_object_get(e, "archived"))))
			continue;
		if (out->n >= SFMC_LISTING_MAX_REPOS) {
			rc = sfmc_error_set("%s: more than %d repositories", f->who, SFMC_LISTING_MAX_REPOS);
			break;
		}
		if (SFMC_ARRAY_GROW(out->urls, out->n, out->alloc) < 0 || !(out->urls[out->n] = strdup(clone))) {
			rc = sfmc_error_set("out of memory");
			break;
		}
		out->n++;
	}
	json_decref(a);
	return rc;
}

/* scheme://host[:port] of url: its length. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : 0;
}

/* The next page's URL: Link rel="next", else X-Next-Page into url's page=.
 * It must stay on the API's origin (the token goes with it). */
static int next_url(sfmc_buf *url, const forge *f, const page *pg, const char *api)
{
	char *q;
	size_t n = origin_len(api);

	if (pg->next[0]) {
		if (origin_len(pg->next) != n || strncasecmp(pg->next, api, n))
			return sfmc_error_set("%s: the next page is on another host (%s): refused", f->who, pg->next);
		sfmc_buf_clear(url);
		return sfmc_buf_puts(url, pg->next);
	}
	if (!pg->next_page[0] || strspn(pg->next_page, "0123456789") != strlen(pg->next_page)) {
		sfmc_buf_clear(url);
		return 0;
	}
	if ((q = strstr(url->ptr, "&page=")))
		url->size = (size_t)(q - url->ptr);
	url->ptr[url->size] = '\0';
	return sfmc_buf_printf(url, "&page=%s", pg->next_page);
}

static int list_all(sfmc_listing *out, const forge *f, const char *api, const char *first, const sfmc_listing_opts *o)
{
	sfmc_buf url = SFMC_BUF_INIT;
	page pg = { .body = SFMC_BUF_INIT };
	long waited = 0, status;
	int rc = sfmc_buf_puts(&url, first), pages = 0;

	sfmc_buf_init(&pg.body, SFMC_LISTING_MAX_BODY);
	while (rc == 0 && url.size) {
		if (++pages > SFMC_LISTING_MAX_PAGES) {
			rc = sfmc_error_set("%s: more than %d pages", f->who, SFMC_LISTING_MAX_PAGES);
			break;
		}
		if ((status = get_patient(f, url.ptr, o, &pg, &waited)) < 0)
			rc = -1;
		else if (status != 200)
			rc = sfmc_error_set("%s: %s: HTTP %ld%s", f->who, url.ptr, status,
					    status == 401 || status == 403
						    ? " (check the token in $GITHUB_TOKEN / $GITLAB_TOKEN)"
					    : status == 404 ? " (no such organisation or group, or no access)"
							    : "");
		else if ((rc = add_page(out, f, url.ptr, &pg, o)) == 0)
			rc = next_url(&url, f, &pg, api);
	}
	sfmc_buf_dispose(&url);
	sfmc_buf_dispose(&pg.body);
	return rc;
}

/* The API base without trailing '/', https only. */
static int api_base(char *out, size_t cap, const char *api, const char *dflt, const char *who)
{
	size_t n;

	api = api ? api : dflt;
	n = strlen(api);
	while (n && api[n - 1] == '/')
		n--;
	if (strncasecmp(api, "https://", 8) || n <= 8 || n >= cap)
		return sfmc_error_set("%s: the API URL must be https://HOST[/PATH], not '%s'", who, api);
	snprintf(out, cap, "%.*s", (int)n, api);
	return sfmc_curl_load(who) < 0 || sfmc_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ? -1 : 0;
}

/* name with every byte but unreserved ones percent-encoded ("a/b" -> "a%2Fb"). */
static void url_encode(char *out, size_t cap, const char *name)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < cap; p++)
		n += (size_t)snprintf(out + n, cap - n, isalnum(*p) || strchr("-._~", *p) ? "%c" : "%%%02X", *p);
	out[n] = '\0';
}

int sfmc_listing_github(sfmc_listing *out, const char *org, const sfmc_listing_opts *o)
{
	char api[1024], enc[512], *first = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (api_base(api, sizeof(api), o->api, SFMC_GITHUB_API, github.who) < 0)
		return -1;
	url_encode(enc, sizeof(enc), org);
	if (asprintf(&first, "%s/orgs/%s/repos?per_page=100", api, enc) < 0)
		return sfmc_error_set("out of memory");
	rc = list_all(out, &github, api, first, o);
	free(first);
	return rc;
}

int sfmc_listing_gitlab(sfmc_listing *out, const char *group, const sfmc_listing_opts *o)
{
	char api[1024], enc[512], *first = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (api_base(api, sizeof(api), o->api, SFMC_GITLAB_API, gitlab.who) < 0)
		return -1;
	url_encode(enc, sizeof(enc), group);
	if (asprintf(&first, "%s/groups/%s/projects?include_subgroups=true&per_page=100", api, enc) < 0)
		return sfmc_error_set("out of memory");
	rc = list_all(out, &gitlab, api, first, o);
	free(first);
	return rc;
}

void sfmc_listing_dispose(sfmc_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->urls[i]);
	free(l->urls);
	memset(l, 0, sizeof(*l));
}
