#define _GNU_SOURCE
#include "verify/verify.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/bounds.h"
#include "util/curl.h"
#include "detect/context.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strtab.h"

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

enum {
	C_PENDING,
	C_RUNNING,
	C_DONE
};

/* One distinct (subdomain, client id, secret), with copies of what its request sends. */
typedef struct cred {
	char *sub, *cid, *mid; /* mid: the account id, or NULL */
	char *secret;
	size_t secret_len;
	size_t tenant; /* index of its tenant's rate slot */
	int state, attempts;
	double not_before; /* monotonic seconds: a 429's Retry-After */
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
static char *request_body(const cred *c, size_t *len)
{
	const char *cid = c->cid, *mid = c->mid;
	size_t cap = 128 + 6 * (strlen(cid) + c->secret_len) + (mid ? strlen(mid) : 0), at = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	at += (size_t)snprintf(b, cap, "{\"grant_type\":\"client_credentials\",\"client_id\":");
	json_str(b, &at, cid, strlen(cid));
	at += (size_t)snprintf(b + at, cap - at, ",\"client_secret\":");
	json_str(b, &at, c->secret, c->secret_len);
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
		sfmc_curl.easy_cleanup(x->h);
	sfmc_curl.slist_free_all(x->hdrs);
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

	if (token_url(url, sizeof(url), x->c->sub) < 0)
		return -1;
	x->hdrs = sfmc_curl.slist_append(NULL, "Content-Type: application/json");
	if (x->hdrs)
		x->hdrs = sfmc_curl.slist_append(x->hdrs, "Accept: application/json");
	if (!x->hdrs || !(x->body = request_body(x->c, &x->body_len)))
		return -1;
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_URL, url);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->timeout);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_TIMEOUT, o->timeout);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_USERAGENT, "sfmc-scan/" SFMC_VERSION " (secret verification)");
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)x->body_len);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_WRITEDATA, x);
	bad |= sfmc_curl.easy_setopt(h, CURLOPT_PRIVATE, x);
	if (o->cacert) {
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_CAINFO, o->cacert);
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (connect_to)
		bad |= sfmc_curl.easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
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

	sfmc_curl.easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &http);
	sfmc_curl.easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ctype);
	c->http = http;
	if (cc == CURLE_OK && http == 429 && c->attempts < 2) {
		if (sfmc_curl.easy_getinfo(x->h, CURLINFO_RETRY_AFTER, &after) != CURLE_OK || after <= 0)
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

/* The verifier: scanning threads hand it credentials (submit, under lock);
 * one thread of its own drives libcurl. The lock guards the credentials and
 * counters; libcurl is only ever touched by that thread. */
struct sfmc_verifier {
	sfmc_verify_opts o;
	pthread_mutex_t lock;
	pthread_t thread;
	bool started, closing;
	sfmc_strtab keys; /* "sub\0cid\0secret": its id is its credential's index */
	cred **creds;
	size_t ncreds, acreds, done, cursor;
	sfmc_strtab tenant_names; /* subdomains: id -> tenant_next[id] */
	double *tenant_next;      /* when each tenant may get its next request */
	size_t ntenants, atenants;
	unsigned running;
	bool too_many;
	char *error; /* set by the thread when libcurl could not start */
	CURLM *m;
	struct curl_slist *connect_to;
};

/* Starts c's request; a request that cannot be prepared ends it as unknown. */
static void start(sfmc_verifier *v, cred *c)
{
	xfer *x = calloc(1, sizeof(*x));

	c->attempts++;
	if (x) {
		x->c = c;
		x->h = sfmc_curl.easy_init();
	}
	if (!x || !x->h || setup(x, &v->o, v->connect_to) < 0 || sfmc_curl.multi_add_handle(v->m, x->h) != CURLM_OK) {
		xfer_free(x);
		c->state = C_DONE, c->status = SFMC_VERIFY_UNKNOWN, c->reason = R_INTERNAL;
		v->done++;
		return;
	}
	c->state = C_RUNNING;
	v->tenant_next[c->tenant] = mono() + 1.0 / v->o.rate;
	v->running++;
}

/* Starts what the job limit, each tenant's rate and Retry-After allow. */
static void start_ready(sfmc_verifier *v)
{
	double now = mono();

	while (v->cursor < v->ncreds && v->creds[v->cursor]->state == C_DONE)
		v->cursor++;
	for (size_t i = v->cursor; i < v->ncreds && v->running < v->o.jobs; i++) {
		cred *c = v->creds[i];
		if (c->state == C_PENDING && c->not_before <= now && v->tenant_next[c->tenant] <= now)
			start(v, c);
	}
}

static void finish(sfmc_verifier *v, CURLMsg *msg)
{
	xfer *x = NULL;
	cred *c;

	sfmc_curl.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
	c = x->c;
	sfmc_curl.multi_remove_handle(v->m, x->h);
	v->running--;
	if (classify(c, msg->data.result, x))
		c->state = C_PENDING; /* a 429: once more, after Retry-After */
	else {
		c->state = C_DONE;
		v->done++;
	}
	xfer_free(x);
}

/* Milliseconds until a pending credential may start (0..50: the loop also
 * wakes on any socket, and looks for new credentials at least that often). */
static int wait_ms(const sfmc_verifier *v)
{
	double now = mono(), next = now + 0.05;

	for (size_t i = v->cursor; i < v->ncreds && v->running < v->o.jobs; i++) {
		const cred *c = v->creds[i];
		double tn = v->tenant_next[c->tenant], at = c->not_before > tn ? c->not_before : tn;
		if (c->state == C_PENDING && at < next)
			next = at;
	}
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

static struct curl_slist *connect_to_list(const char *addr)
{
	char spec[96];

	if (!addr)
		return NULL;
	snprintf(spec, sizeof(spec), "::%s", addr); /* any host, any port: there */
	return sfmc_curl.slist_append(NULL, spec);
}

static int start_curl(sfmc_verifier *v)
{
	if (sfmc_curl_load("--verify") < 0)
		return -1;
	if (v->o.connect_to && !(v->connect_to = connect_to_list(v->o.connect_to)))
		return sfmc_error_set("out of memory");
	if (sfmc_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(v->m = sfmc_curl.multi_init()))
		return sfmc_error_set("--verify: libcurl could not be started");
	return 0;
}

/* Until closed and every credential has its answer. */
static int loop(sfmc_verifier *v)
{
	bool finished = true;

	for (;;) {
		int still = 0, q = 0, ms;
		bool stop;
		CURLMsg *msg;

		pthread_mutex_lock(&v->lock);
		start_ready(v);
		ms = finished ? 0 : wait_ms(v);
		stop = v->closing && v->done == v->ncreds;
		pthread_mutex_unlock(&v->lock);
		if (stop)
			return 0;
		/* A freed slot is filled at once; else wait for a socket, the next start or new work. */
		if (ms && sfmc_curl.multi_poll(v->m, NULL, 0, ms, NULL) != CURLM_OK)
			return sfmc_error_set("--verify: libcurl failed");
		if (sfmc_curl.multi_perform(v->m, &still) != CURLM_OK)
			return sfmc_error_set("--verify: libcurl failed");
		finished = false;
		while ((msg = sfmc_curl.multi_info_read(v->m, &q)))
			if (msg->msg == CURLMSG_DONE) {
				pthread_mutex_lock(&v->lock);
				finish(v, msg);
				pthread_mutex_unlock(&v->lock);
				finished = true;
			}
	}
}

static void *verifier_main(void *arg)
{
	sfmc_verifier *v = arg;

	if (start_curl(v) < 0 || loop(v) < 0) {
		pthread_mutex_lock(&v->lock);
		v->error = strdup(sfmc_error_last());
		pthread_mutex_unlock(&v->lock);
	}
	return NULL;
}

int sfmc_verifier_new(sfmc_verifier **out, const sfmc_verify_opts *o)
{
	sfmc_verifier *v;

	*out = NULL;
	if (o->connect_to && !sfmc_verify_connect_to_ok(o->connect_to))
		return sfmc_error_set("--verify-connect-to: expected a loopback ADDR:PORT");
	if (!(v = calloc(1, sizeof(*v))))
		return sfmc_error_set("out of memory");
	v->o = *o;
	pthread_mutex_init(&v->lock, NULL);
	sfmc_strtab_init(&v->keys);
	sfmc_strtab_init(&v->tenant_names);
	*out = v;
	return 0;
}

/* Whether f names a credential a request can be built for. */
static bool verifiable(const sfmc_finding *f)
{
	return f->context[SFMC_CONTEXT_CLIENT_ID].value &&
	       sfmc_context_subdomain_ok(f->context[SFMC_CONTEXT_SUBDOMAIN].value);
}

/* "sub\0cid\0secret" in key. */
static int triple_key(sfmc_buf *key, const sfmc_finding *f)
{
	const char *sub = f->context[SFMC_CONTEXT_SUBDOMAIN].value, *cid = f->context[SFMC_CONTEXT_CLIENT_ID].value;

	return sfmc_buf_put(key, sub, strlen(sub) + 1) < 0 || sfmc_buf_put(key, cid, strlen(cid) + 1) < 0 ||
			       sfmc_buf_put(key, f->secret, f->secret_len) < 0
		       ? -1
		       : 0;
}

static void cred_free(cred *c)
{
	if (!c)
		return;
	if (c->secret)
		memset(c->secret, 0, c->secret_len);
	free(c->secret);
	free(c->sub);
	free(c->cid);
	free(c->mid);
	free(c);
}

/* A new credential for f (lock held): copies, its tenant's rate slot. */
static int add_cred(sfmc_verifier *v, const sfmc_finding *f)
{
	const char *sub = f->context[SFMC_CONTEXT_SUBDOMAIN].value, *mid = f->context[SFMC_CONTEXT_ACCOUNT_ID].value;
	cred *c = calloc(1, sizeof(*c));
	uint32_t tid;

	if (!c || !(c->sub = strdup(sub)) || !(c->cid = strdup(f->context[SFMC_CONTEXT_CLIENT_ID].value)) ||
	    (mid && !(c->mid = strdup(mid))) || !(c->secret = malloc(f->secret_len ? f->secret_len : 1)) ||
	    sfmc_strtab_intern(&v->tenant_names, sub, strlen(sub), &tid) < 0 ||
	    SFMC_ARRAY_RESERVE(v->tenant_next, (size_t)tid + 1, v->atenants) < 0 ||
	    SFMC_ARRAY_GROW(v->creds, v->ncreds, v->acreds) < 0) {
		cred_free(c);
		return -1;
	}
	memcpy(c->secret, f->secret, f->secret_len);
	c->secret_len = f->secret_len;
	c->tenant = tid;
	if (tid == v->ntenants) /* a new tenant: free to start */
		v->tenant_next[v->ntenants++] = 0;
	v->creds[v->ncreds++] = c;
	return 0;
}

/* The index of f's credential, added when new (lock held); -1 when it cannot be. */
static long find_or_add(sfmc_verifier *v, const sfmc_finding *f)
{
	sfmc_buf key = SFMC_BUF_INIT;
	uint32_t id;
	long at = -1;

	if (v->too_many || triple_key(&key, f) < 0 || sfmc_strtab_intern(&v->keys, key.ptr, key.size, &id) < 0)
		goto cleanup;
	if (id < v->ncreds) {
		at = (long)id;
		goto cleanup;
	}
	/* id == ncreds: every key interned before has its credential */
	if (v->ncreds >= SFMC_VERIFY_MAX_CREDENTIALS)
		v->too_many = true;
	else if (add_cred(v, f) == 0)
		at = (long)id;
	else
		v->too_many = true; /* out of memory: ids and credentials must stay aligned */
cleanup:
	if (key.ptr)
		memset(key.ptr, 0, key.size);
	sfmc_buf_dispose(&key);
	return at;
}

void sfmc_verifier_submit(sfmc_verifier *v, const sfmc_finding *f)
{
	if (!v || f->suppressed || !verifiable(f))
		return;
	pthread_mutex_lock(&v->lock);
	if (!v->closing && find_or_add(v, f) >= 0 && !v->started)
		v->started = pthread_create(&v->thread, NULL, verifier_main, v) == 0;
	pthread_mutex_unlock(&v->lock);
}

/* Every finding of a credential gets its verdict; a live warning becomes an error. */
static void apply(sfmc_verifier *v, sfmc_results *res)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		sfmc_finding *f = &res->findings[i];
		long at;
		if (f->suppressed || !verifiable(f) || (at = find_or_add(v, f)) < 0 || v->creds[at]->state != C_DONE)
			continue;
		f->verify = v->creds[at]->status;
		f->verify_reason = v->creds[at]->reason;
		f->verify_http = v->creds[at]->http;
		if (f->verify == SFMC_VERIFY_LIVE)
			f->level = SFMC_LEVEL_ERROR;
	}
}

/* Marks what cannot be verified, hands the rest over; false when a credential was refused. */
static bool submit_results(sfmc_verifier *v, sfmc_results *res)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		sfmc_finding *f = &res->findings[i];
		if (f->suppressed)
			continue;
		f->verify = SFMC_VERIFY_UNVERIFIABLE;
		if (!f->context[SFMC_CONTEXT_CLIENT_ID].value)
			f->verify_reason = R_NOCLIENT;
		else if (!sfmc_context_subdomain_ok(f->context[SFMC_CONTEXT_SUBDOMAIN].value))
			f->verify_reason = R_NOSUB;
		else
			sfmc_verifier_submit(v, f);
	}
	return !v->too_many;
}

int sfmc_verifier_finish(sfmc_verifier *v, sfmc_results *res)
{
	bool complete = submit_results(v, res);

	pthread_mutex_lock(&v->lock);
	v->closing = true;
	pthread_mutex_unlock(&v->lock);
	if (v->started) {
		pthread_join(v->thread, NULL);
		v->started = false;
	}
	if (v->error)
		return sfmc_error_set("%s", v->error);
	if (!complete)
		return sfmc_error_set("--verify: more than %d distinct credentials (or out of memory): not verified",
				      SFMC_VERIFY_MAX_CREDENTIALS);
	apply(v, res);
	return 0;
}

void sfmc_verifier_free(sfmc_verifier *v)
{
	if (!v)
		return;
	if (v->started) { /* finish was not called: stop the thread first */
		pthread_mutex_lock(&v->lock);
		v->closing = true;
		pthread_mutex_unlock(&v->lock);
		pthread_join(v->thread, NULL);
	}
	if (v->m) {
		sfmc_curl.multi_cleanup(v->m);
		sfmc_curl.global_cleanup();
	}
	if (v->connect_to)
		sfmc_curl.slist_free_all(v->connect_to);
	for (size_t i = 0; i < v->ncreds; i++)
		cred_free(v->creds[i]);
	free(v->creds);
	if (v->keys.bytes.ptr) /* the keys hold secrets */
		memset(v->keys.bytes.ptr, 0, v->keys.bytes.size);
	sfmc_strtab_dispose(&v->keys);
	sfmc_strtab_dispose(&v->tenant_names);
	free(v->tenant_next);
	free(v->error);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

int sfmc_verify_results(sfmc_results *res, const sfmc_verify_opts *o)
{
	sfmc_verifier *v;
	int rc;

	if (sfmc_verifier_new(&v, o) < 0)
		return -1;
	rc = sfmc_verifier_finish(v, res);
	sfmc_verifier_free(v);
	return rc;
}
