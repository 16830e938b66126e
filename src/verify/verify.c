#define _GNU_SOURCE
#include "verify/verify.h"

#include <arpa/inet.h>
#define CURL_DISABLE_TYPECHECK /* calls go through the table below */
#include <curl/curl.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/bounds.h"
#include "detect/context.h"
#include "util/error.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

/* The reasons, in the user's terms (docs/verification.md lists them). */
#define R_LIVE "the token endpoint issued an access token (discarded unread): rotate this secret now"
#define R_INVALID                                                                                     \
	"wrong credentials, the secret was rotated or expired, or the package has no access to this " \
	"Business Unit (Access tab)"
#define R_NOANSWER "no answer (timeout, DNS or connection failure): not the tenant's Authentication Base URI?"
#define R_TLS "TLS failure: the server's certificate was not trusted or the handshake failed"
#define R_GRANT "not a server-to-server package (the grant was refused)"
#define R_FORBIDDEN "missing scope or Business Unit access"
#define R_BUSY "rate limited or unavailable, try later"
#define R_NOTJSON                                                                              \
	"the answer was not the token endpoint's JSON (HTML or other text): not the tenant's " \
	"Authentication Base URI?"
#define R_BIG "the answer was too large for a token endpoint"
#define R_OTHER "unexpected answer from the token endpoint"
#define R_INTERNAL "the request could not be prepared"
#define R_NOCLIENT "no client id found near the secret: no request sent"
#define R_NOSUB "no tenant subdomain (Authentication Base URI) found near the secret: no request sent"

/* libcurl, loaded with dlopen only when --verify asks: a scan without it
 * neither loads libcurl and its dozen libraries nor pays for their start. */
static struct curl_api {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} api;

/* Fills api from libcurl.so.4 (Debian's libcurl4, OpenSSL); kept loaded for the process. */
static int load_curl(void)
{
	static const char *const names[] = { "curl_global_init",         "curl_global_cleanup", "curl_easy_init",
					     "curl_easy_cleanup",        "curl_easy_setopt",    "curl_easy_getinfo",
					     "curl_multi_init",          "curl_multi_cleanup",  "curl_multi_add_handle",
					     "curl_multi_remove_handle", "curl_multi_perform",  "curl_multi_poll",
					     "curl_multi_info_read",     "curl_slist_append",   "curl_slist_free_all" };
	void **slots = (void **)&api;
	void *lib;

	if (api.global_init)
		return 0;
	if (!(lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)))
		return sfmc_error_set("--verify needs libcurl (Debian: apt-get install libcurl4): %s", dlerror());
	_Static_assert(sizeof(api) == sizeof(names) / sizeof(names[0]) * sizeof(void *), "one slot per name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!(slots[i] = dlsym(lib, names[i])))
			return sfmc_error_set("--verify: libcurl.so.4 lacks %s (libcurl 7.66 or later needed)",
					      names[i]);
	return 0;
}

enum {
	C_PENDING,
	C_RUNNING,
	C_DONE
};

/* One distinct (subdomain, client id, secret); strings borrowed from its first finding. */
typedef struct cred {
	const sfmc_finding *f;
	size_t first, n; /* its findings: idx[first, first + n) */
	int state, attempts;
	double not_before;   /* monotonic seconds: a 429's Retry-After */
	double *tenant_next; /* when the tenant may get its next request */
	sfmc_verify_status status;
	const char *reason;
	long http;
} cred;

/* One request in flight. */
typedef struct xfer {
	CURL *h;
	cred *c;
	char *body;
	size_t body_len;
	struct curl_slist *hdrs;
	char resp[SFMC_VERIFY_MAX_BODY];
	size_t nresp;
	bool overflow;
} xfer;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sfmc_verify_opts_init(sfmc_verify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = SFMC_VERIFY_JOBS;
	o->rate = SFMC_VERIFY_RATE;
	o->timeout = SFMC_VERIFY_TIMEOUT;
}

bool sfmc_verify_connect_to_ok(const char *s)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	char host[64];
	struct in_addr a4;
	struct in6_addr a6;
	char *end;
	long port;
	size_t n;

	if (!colon || (n = (size_t)(colon - s)) == 0 || n >= sizeof(host))
		return false;
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!strcmp(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return false;
}

/* Appends s as a JSON string body (quotes, backslashes and controls escaped). */
static void json_str(char *out, size_t *at, const char *s, size_t len)
{
	out[(*at)++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			out[(*at)++] = '\\', out[(*at)++] = (char)ch;
		else if (ch < 0x20)
			*at += (size_t)snprintf(out + *at, 7, "\\u%04x", ch);
		else
			out[(*at)++] = (char)ch;
	}
	out[(*at)++] = '"';
}

/* {"grant_type":"client_credentials","client_id":..,"client_secret":..[,"account_id":N]} */
static char *request_body(const sfmc_finding *f, size_t *len)
{
	const char *cid = f->context[SFMC_CONTEXT_CLIENT_ID].value, *mid = f->context[SFMC_CONTEXT_ACCOUNT_ID].value;
	size_t cap = 128 + 6 * (strlen(cid) + f->secret_len) + (mid ? strlen(mid) : 0), at = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	at += (size_t)snprintf(b, cap, "{\"grant_type\":\"client_credentials\",\"client_id\":");
	json_str(b, &at, cid, strlen(cid));
	at += (size_t)snprintf(b + at, cap - at, ",\"client_secret\":");
	json_str(b, &at, f->secret, f->secret_len);
	if (mid) /* digits only (the context rule's value): a JSON number */
		at += (size_t)snprintf(b + at, cap - at, ",\"account_id\":%s", mid);
	at += (size_t)snprintf(b + at, cap - at, "}");
	*len = at;
	return b;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;

	if (len > sizeof(x->resp) - x->nresp) {
		x->overflow = true;
		return 0; /* aborts the transfer */
	}
	memcpy(x->resp + x->nresp, p, len);
	x->nresp += len;
	return len;
}

static void xfer_free(xfer *x)
{
	if (!x)
		return;
	if (x->h)
		api.easy_cleanup(x->h);
	api.slist_free_all(x->hdrs);
	if (x->body) /* the body holds the secret */
		memset(x->body, 0, x->body_len);
	free(x->body);
	memset(x->resp, 0, x->nresp); /* may hold an access token */
	free(x);
}

/* https://<sub>.auth.marketingcloudapis.com/v2/token: sub is checked again
 * here, so nothing but a bare tenant subdomain ever reaches the URL. */
static int token_url(char *out, size_t cap, const char *sub)
{
	if (!sfmc_context_subdomain_ok(sub))
		return -1;
	snprintf(out, cap, "https://%s.auth.marketingcloudapis.com/v2/token", sub);
	return 0;
}

static int setup(xfer *x, const sfmc_verify_opts *o, struct curl_slist *connect_to)
{
	char url[128];
	CURL *h = x->h;
	int bad = 0;

	if (token_url(url, sizeof(url), x->c->f->context[SFMC_CONTEXT_SUBDOMAIN].value) < 0)
		return -1;
	x->hdrs = api.slist_append(NULL, "Content-Type: application/json");
	if (x->hdrs)
		x->hdrs = api.slist_append(x->hdrs, "Accept: application/json");
	if (!x->hdrs || !(x->body = request_body(x->c->f, &x->body_len)))
		return -1;
	bad |= api.easy_setopt(h, CURLOPT_URL, url);
	bad |= api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	bad |= api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= api.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= api.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	bad |= api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	bad |= api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->timeout);
	bad |= api.easy_setopt(h, CURLOPT_TIMEOUT, o->timeout);
	bad |= api.easy_setopt(h, CURLOPT_USERAGENT, "sfmc-scan/" SFMC_VERSION " (secret verification)");
	bad |= api.easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	bad |= api.easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
	bad |= api.easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)x->body_len);
	bad |= api.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	bad |= api.easy_setopt(h, CURLOPT_WRITEDATA, x);
	bad |= api.easy_setopt(h, CURLOPT_PRIVATE, x);
	if (o->cacert) {
		bad |= api.easy_setopt(h, CURLOPT_CAINFO, o->cacert);
		bad |= api.easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (connect_to)
		bad |= api.easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
	return bad ? -1 : 0;
}

static bool is_tls_error(CURLcode cc)
{
	return cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CERTPROBLEM ||
	       cc == CURLE_SSL_CIPHER || cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_ISSUER_ERROR ||
	       cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || cc == CURLE_SSL_INVALIDCERTSTATUS;
}

static bool json_error_is(json_t *j, const char *a, const char *b)
{
	const char *e = json_string_value(json_object_get(j, "error"));
	return e && (!strcmp(e, a) || (b && !strcmp(e, b)));
}

/* An HTTP answer: its status and JSON body. */
static void classify_http(cred *c, long http, const char *ctype, xfer *x)
{
	json_t *j = NULL, *tok;

	if (!ctype || !strcasestr(ctype, "json") || !(j = json_loadb(x->resp, x->nresp, 0, NULL)) || !json_is_object(j))
		c->status = SFMC_VERIFY_UNKNOWN, c->reason = http == 429 || http >= 500 ? R_BUSY : R_NOTJSON;
	else if (http == 200 && (tok = json_object_get(j, "access_token")) && json_is_string(tok) &&
		 json_string_length(tok)) {
		memset((char *)json_string_value(tok), 0, json_string_length(tok)); /* discarded unread */
		c->status = SFMC_VERIFY_LIVE, c->reason = R_LIVE;
	} else if (http == 401)
		c->status = SFMC_VERIFY_INVALID, c->reason = R_INVALID;
	else if (json_error_is(j, "invalid_grant", "unsupported_grant_type") ||
		 json_error_is(j, "unauthorized_client", NULL))
		c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_GRANT;
	else if (http == 403)
		c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_FORBIDDEN;
	else if (http == 429 || http >= 500)
		c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_BUSY;
	else
		c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_OTHER;
	json_decref(j);
}

/* A finished transfer; true when it is to be retried (one retry, after a 429 only). */
static bool classify(cred *c, CURLcode cc, xfer *x)
{
	long http = 0;
	char *ctype = NULL;
	curl_off_t after = 0;

	api.easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &http);
	api.easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ctype);
	c->http = http;
	if (cc == CURLE_OK && http == 429 && c->attempts < 2) {
		if (api.easy_getinfo(x->h, CURLINFO_RETRY_AFTER, &after) != CURLE_OK || after <= 0)
			after = 1;
		c->not_before =
			mono() + (double)(after > SFMC_VERIFY_MAX_RETRY_AFTER ? SFMC_VERIFY_MAX_RETRY_AFTER : after);
		return true;
	}
	c->status = SFMC_VERIFY_UNKNOWN;
	if (x->overflow)
		c->reason = R_BIG;
	else if (is_tls_error(cc))
		c->reason = R_TLS;
	else if (cc != CURLE_OK)
		c->reason = R_NOANSWER;
	else
		classify_http(c, http, ctype, x);
	return false;
}

/* The request loop's state. */
typedef struct run {
	const sfmc_verify_opts *o;
	CURLM *m;
	struct curl_slist *connect_to;
	cred *creds;
	size_t ncreds, done, cursor;
	unsigned running;
} run;

/* Starts c's request; a request that cannot be prepared ends it as unknown. */
static void start(run *r, cred *c)
{
	xfer *x = calloc(1, sizeof(*x));

	c->attempts++;
	if (x) {
		x->c = c;
		x->h = api.easy_init();
	}
	if (!x || !x->h || setup(x, r->o, r->connect_to) < 0 || api.multi_add_handle(r->m, x->h) != CURLM_OK) {
		xfer_free(x);
		c->state = C_DONE, c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_INTERNAL;
		r->done++;
		return;
	}
	c->state = C_RUNNING;
	*c->tenant_next = mono() + 1.0 / r->o->rate;
	r->running++;
}

/* Starts what the job limit, each tenant's rate and Retry-After allow. */
static void start_ready(run *r)
{
	double now = mono();

	while (r->cursor < r->ncreds && r->creds[r->cursor].state == C_DONE)
		r->cursor++;
	for (size_t i = r->cursor; i < r->ncreds && r->running < r->o->jobs; i++) {
		cred *c = &r->creds[i];
		if (c->state == C_PENDING && c->not_before <= now && *c->tenant_next <= now)
			start(r, c);
	}
}

static void finish(run *r, CURLMsg *msg)
{
	xfer *x = NULL;
	cred *c;

	api.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
	c = x->c;
	api.multi_remove_handle(r->m, x->h);
	r->running--;
	if (classify(c, msg->data.result, x))
		c->state = C_PENDING; /* a 429: once more, after Retry-After */
	else {
		c->state = C_DONE;
		r->done++;
	}
	xfer_free(x);
}

/* Milliseconds until a pending credential may start (0..50: the loop also wakes on any socket). */
static int wait_ms(const run *r)
{
	double now = mono(), next = now + 0.05;

	for (size_t i = r->cursor; i < r->ncreds && r->running < r->o->jobs; i++) {
		const cred *c = &r->creds[i];
		double at = c->not_before > *c->tenant_next ? c->not_before : *c->tenant_next;
		if (c->state == C_PENDING && at < next)
			next = at;
	}
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

static int loop(run *r)
{
	while (r->done < r->ncreds) {
		int still = 0, q = 0;
		bool finished = false;
		CURLMsg *msg;

		start_ready(r);
		if (api.multi_perform(r->m, &still) != CURLM_OK)
			return sfmc_error_set("--verify: libcurl failed");
		while ((msg = api.multi_info_read(r->m, &q)))
			if (msg->msg == CURLMSG_DONE) {
				finish(r, msg);
				finished = true;
			}
		/* A freed slot is filled at once; else wait for a socket or the next start. */
		if (!finished && r->done < r->ncreds && api.multi_poll(r->m, NULL, 0, wait_ms(r), NULL) != CURLM_OK)
			return sfmc_error_set("--verify: libcurl failed");
	}
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* By (subdomain, client id, secret): one credential's findings are adjacent. */
static int cmp_triple(const void *pa, const void *pb)
{
	const sfmc_finding *a = *(const sfmc_finding *const *)pa, *b = *(const sfmc_finding *const *)pb;
	int c = cmp_str(a->context[SFMC_CONTEXT_SUBDOMAIN].value, b->context[SFMC_CONTEXT_SUBDOMAIN].value);

	if (!c)
		c = cmp_str(a->context[SFMC_CONTEXT_CLIENT_ID].value, b->context[SFMC_CONTEXT_CLIENT_ID].value);
	if (!c && a->secret_len != b->secret_len)
		c = a->secret_len < b->secret_len ? -1 : 1;
	return c ? c : memcmp(a->secret, b->secret, a->secret_len);
}

/* Marks what cannot be verified; returns the findings that can, sorted. */
static sfmc_finding **verifiable(sfmc_results *res, size_t *n)
{
	sfmc_finding **idx = malloc((res->nfindings ? res->nfindings : 1) * sizeof(*idx));

	*n = 0;
	for (size_t i = 0; idx && i < res->nfindings; i++) {
		sfmc_finding *f = &res->findings[i];
		if (f->suppressed)
			continue;
		f->verify = SFMC_VERIFY_UNVERIFIABLE;
		if (!f->context[SFMC_CONTEXT_CLIENT_ID].value)
			f->verify_reason = R_NOCLIENT;
		else if (!sfmc_context_subdomain_ok(f->context[SFMC_CONTEXT_SUBDOMAIN].value))
			f->verify_reason = R_NOSUB;
		else
			idx[(*n)++] = f;
	}
	if (idx && *n > 1)
		qsort(idx, *n, sizeof(*idx), cmp_triple);
	return idx;
}

/* One cred per distinct triple, each tenant's rate slot shared by its creds. */
static int group_creds(run *r, sfmc_finding **idx, size_t n, double **tenants)
{
	size_t nt = 0;

	r->creds = calloc(n ? n : 1, sizeof(*r->creds));
	*tenants = calloc(n ? n : 1, sizeof(**tenants));
	if (!r->creds || !*tenants)
		return sfmc_error_set("out of memory");
	for (size_t i = 0; i < n; i++) {
		cred *prev = r->ncreds ? &r->creds[r->ncreds - 1] : NULL;
		if (prev && cmp_triple(&idx[prev->first], &idx[i]) == 0) {
			prev->n++;
			continue;
		}
		if (r->ncreds >= SFMC_VERIFY_MAX_CREDENTIALS)
			return sfmc_error_set("--verify: more than %d distinct credentials",
					      SFMC_VERIFY_MAX_CREDENTIALS);
		if (!prev || strcmp(prev->f->context[SFMC_CONTEXT_SUBDOMAIN].value,
				    idx[i]->context[SFMC_CONTEXT_SUBDOMAIN].value))
			nt++;
		r->creds[r->ncreds++] = (cred){ .f = idx[i], .first = i, .n = 1, .tenant_next = &(*tenants)[nt - 1] };
	}
	return 0;
}

/* Every finding of a credential gets its verdict; a live warning becomes an error. */
static void apply(run *r, sfmc_finding **idx)
{
	for (size_t i = 0; i < r->ncreds; i++) {
		const cred *c = &r->creds[i];
		for (size_t k = c->first; k < c->first + c->n; k++) {
			sfmc_finding *f = idx[k];
			f->verify = c->status;
			f->verify_reason = c->reason;
			f->verify_http = c->http;
			if (c->status == SFMC_VERIFY_LIVE)
				f->level = SFMC_LEVEL_ERROR;
		}
	}
}

static struct curl_slist *connect_to_list(const char *addr)
{
	char spec[96];

	if (!addr)
		return NULL;
	snprintf(spec, sizeof(spec), "::%s", addr); /* any host, any port: there */
	return api.slist_append(NULL, spec);
}

int sfmc_verify_results(sfmc_results *res, const sfmc_verify_opts *o)
{
	run r = { .o = o };
	size_t n = 0;
	double *tenants = NULL;
	sfmc_finding **idx = verifiable(res, &n);
	int rc = -1;

	if (!idx)
		return sfmc_error_set("out of memory");
	if (group_creds(&r, idx, n, &tenants) < 0)
		goto cleanup;
	if (!r.ncreds) { /* nothing to ask: libcurl is not even loaded */
		rc = 0;
		goto cleanup;
	}
	if (load_curl() < 0)
		goto cleanup;
	if (o->connect_to && !sfmc_verify_connect_to_ok(o->connect_to)) {
		sfmc_error_set("--verify-connect-to: expected a loopback ADDR:PORT");
		goto cleanup;
	}
	if (o->connect_to && !(r.connect_to = connect_to_list(o->connect_to))) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(r.m = api.multi_init())) {
		sfmc_error_set("--verify: libcurl could not be started");
		goto cleanup;
	}
	if ((rc = loop(&r)) == 0)
		apply(&r, idx);
	api.multi_cleanup(r.m);
	api.global_cleanup();
cleanup:
	if (r.connect_to)
		api.slist_free_all(r.connect_to);
	free(r.creds);
	free(tenants);
	free(idx);
	return rc;
}
