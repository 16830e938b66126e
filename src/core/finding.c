#include "core/finding.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/error.h"

void sfmc_results_init(sfmc_results *r)
{
	memset(r, 0, sizeof(*r));
}

void sfmc_commit_info_free(sfmc_commit_info *c)
{
	if (!c)
		return;
	free(c->author_name);
	free(c->author_email);
	free(c->summary);
	free(c);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = true;
	return d;
}

int sfmc_commit_info_copy(sfmc_commit_info **dst, const sfmc_commit_info *src)
{
	sfmc_commit_info *c;
	bool oom = false;

	*dst = NULL;
	if (!src)
		return 0;
	if (!(c = calloc(1, sizeof(*c))))
		return sfmc_error_set("out of memory");
	memcpy(c->commit, src->commit, sizeof(c->commit));
	c->time = src->time;
	c->author_name = dup_or_null(src->author_name, &oom);
	c->author_email = dup_or_null(src->author_email, &oom);
	c->summary = dup_or_null(src->summary, &oom);
	if (oom) {
		sfmc_commit_info_free(c);
		return sfmc_error_set("out of memory");
	}
	*dst = c;
	return 0;
}

const char *sfmc_location_name(sfmc_location l)
{
	return l == SFMC_LOCATION_COMMIT_MESSAGE ? "commit-message"
	       : l == SFMC_LOCATION_TAG_MESSAGE  ? "tag-message"
						 : "file";
}

void sfmc_finding_dispose(sfmc_finding *f)
{
	free(f->path);
	if (f->secret) /* wipe: findings hold live credentials */
		memset(f->secret, 0, f->secret_len);
	free(f->secret);
	free(f->encoding);
	sfmc_commit_info_free(f->commit);
	free(f->suppress_reason);
	free(f->member);
	free(f->tag);
	free(f->repository);
	for (int k = 0; k < SFMC_CONTEXT_KINDS; k++)
		free(f->context[k].value);
	memset(f, 0, sizeof(*f));
}

const char *sfmc_verify_status_name(sfmc_verify_status s)
{
	static const char *const names[] = { NULL, "live", "invalid", "unknown", "unverifiable" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

static char *memdup0(const char *p, size_t n, bool *oom)
{
	char *d;
	if (!p)
		return NULL;
	if (!(d = malloc(n + 1))) {
		*oom = true;
		return NULL;
	}
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

int sfmc_finding_copy(sfmc_finding *dst, const sfmc_finding *src)
{
	bool oom = false;

	*dst = *src;
	dst->path = memdup0(src->path, src->path_len, &oom);
	dst->secret = memdup0(src->secret, src->secret_len, &oom);
	dst->encoding = dup_or_null(src->encoding, &oom);
	dst->suppress_reason = dup_or_null(src->suppress_reason, &oom);
	dst->member = memdup0(src->member, src->member_len, &oom);
	dst->tag = dup_or_null(src->tag, &oom);
	dst->repository = dup_or_null(src->repository, &oom);
	for (int k = 0; k < SFMC_CONTEXT_KINDS; k++)
		dst->context[k].value = dup_or_null(src->context[k].value, &oom);
	dst->commit = NULL;
	if (oom || sfmc_commit_info_copy(&dst->commit, src->commit) < 0) {
		sfmc_finding_dispose(dst);
		return sfmc_error_set("out of memory");
	}
	return 0;
}

int sfmc_results_add_finding(sfmc_results *r, const sfmc_finding *f)
{
	if (SFMC_ARRAY_GROW(r->findings, r->nfindings, r->afindings) < 0)
		return SFMC_ERROR;
	if (sfmc_finding_copy(&r->findings[r->nfindings], f) < 0)
		return -1;
	r->nfindings++;
	return 0;
}

static int add_issue(sfmc_issue **arr, size_t *n, size_t *a, const char *path, const char *text)
{
	sfmc_issue *it;
	if (SFMC_ARRAY_GROW(*arr, *n, *a) < 0)
		return SFMC_ERROR;
	it = &(*arr)[*n];
	it->path = strdup(path ? path : "");
	it->text = strdup(text ? text : "");
	if (!it->path || !it->text) {
		free(it->path);
		free(it->text);
		return sfmc_error_set("out of memory");
	}
	(*n)++;
	return 0;
}

int sfmc_results_add_skipped(sfmc_results *r, const char *path, const char *reason)
{
	r->stats.skipped++;
	return add_issue(&r->skipped, &r->nskipped, &r->askipped, path, reason);
}

int sfmc_results_add_error(sfmc_results *r, const char *path, const char *message)
{
	return add_issue(&r->errors, &r->nerrors, &r->aerrors, path, message);
}

static void issues_free(sfmc_issue *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].text);
	}
	free(v);
}

void sfmc_results_dispose(sfmc_results *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		sfmc_finding_dispose(&r->findings[i]);
	free(r->findings);
	issues_free(r->skipped, r->nskipped);
	issues_free(r->errors, r->nerrors);
	free(r->shallow_commits);
	sfmc_results_init(r);
}

int sfmc_results_add_shallow(sfmc_results *r, const char *hex)
{
	if (SFMC_ARRAY_GROW(r->shallow_commits, r->nshallow, r->ashallow) < 0)
		return -1;
	snprintf(r->shallow_commits[r->nshallow++], sizeof(*r->shallow_commits), "%s", hex);
	r->shallow = true;
	return 0;
}

static int append(void **dst, size_t *dn, size_t *da, void *src, size_t sn, size_t size)
{
	if (sn > SIZE_MAX - *dn || sfmc_array_reserve_n(dst, *dn + sn, da, size) < 0)
		return sfmc_error_set("out of memory");
	if (sn)
		memcpy((char *)*dst + *dn * size, src, sn * size);
	*dn += sn;
	return 0;
}

int sfmc_results_merge(sfmc_results *dst, sfmc_results *src)
{
	if (append((void **)&dst->findings, &dst->nfindings, &dst->afindings, src->findings, src->nfindings,
		   sizeof(sfmc_finding)) < 0 ||
	    append((void **)&dst->skipped, &dst->nskipped, &dst->askipped, src->skipped, src->nskipped,
		   sizeof(sfmc_issue)) < 0 ||
	    append((void **)&dst->errors, &dst->nerrors, &dst->aerrors, src->errors, src->nerrors, sizeof(sfmc_issue)) <
		    0 ||
	    append((void **)&dst->shallow_commits, &dst->nshallow, &dst->ashallow, src->shallow_commits, src->nshallow,
		   sizeof(*src->shallow_commits)) < 0)
		return -1;
	dst->shallow |= src->shallow;
	dst->stats.files += src->stats.files;
	dst->stats.bytes += src->stats.bytes;
	dst->stats.skipped += src->stats.skipped;
	free(src->findings);
	free(src->skipped);
	free(src->errors);
	free(src->shallow_commits);
	sfmc_results_init(src);
	return 0;
}

static int cmp_path(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const sfmc_finding *a = pa, *b = pb;
	int c = strcmp(a->repository ? a->repository : "", b->repository ? b->repository : "");
	if (!c)
		c = cmp_path(a->path, a->path_len, b->path, b->path_len);
	if (!c)
		c = cmp_u64(a->line, b->line);
	if (!c)
		c = cmp_u64(a->column, b->column);
	if (!c)
		c = strcmp(a->rule->id, b->rule->id);
	if (!c)
		c = strcmp(a->encoding ? a->encoding : "", b->encoding ? b->encoding : "");
	if (!c)
		c = strcmp(a->blob, b->blob);
	if (!c)
		c = strcmp(a->commit ? a->commit->commit : "", b->commit ? b->commit->commit : "");
	return c;
}

static int cmp_issue(const void *pa, const void *pb)
{
	const sfmc_issue *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);
	return c ? c : strcmp(a->text, b->text);
}

void sfmc_results_sort(sfmc_results *r)
{
	if (r->nfindings)
		qsort(r->findings, r->nfindings, sizeof(*r->findings), cmp_finding);
	if (r->nskipped)
		qsort(r->skipped, r->nskipped, sizeof(*r->skipped), cmp_issue);
	if (r->nerrors)
		qsort(r->errors, r->nerrors, sizeof(*r->errors), cmp_issue);
}

void sfmc_results_dedup(sfmc_results *r)
{
	size_t w = 0;
	for (size_t i = 0; i < r->nfindings; i++) {
		if (w && cmp_finding(&r->findings[w - 1], &r->findings[i]) == 0) {
			sfmc_finding_dispose(&r->findings[i]);
			continue;
		}
		r->findings[w++] = r->findings[i];
	}
	r->nfindings = w;
}

int sfmc_fingerprint_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		/* e.g. out of memory: a made-up fingerprint could match a baseline entry */
		memset(out, '0', 64);
		out[64] = '\0';
		return sfmc_error_set("cannot compute a SHA-256 fingerprint");
	}
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

int sfmc_fingerprint_init(void)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!OPENSSL_init_crypto(0, NULL) || !EVP_Digest("", 0, md, &mdlen, EVP_sha256(), NULL))
		return sfmc_error_set("cannot initialise libcrypto (SHA-256)");
	return 0;
}

int sfmc_finding_fingerprint(sfmc_finding *f)
{
	return sfmc_fingerprint_hex(f->secret, f->secret_len, f->fingerprint);
}

char *sfmc_finding_redact(const sfmc_finding *f)
{
	size_t keep = 0, show, n;
	char *out;

	for (size_t k = 0; k < f->rule->nkeywords; k++) {
		size_t kl = strlen(f->rule->keywords[k]);
		if (kl <= f->secret_len && kl > keep && !memcmp(f->secret, f->rule->keywords[k], kl))
			keep = kl;
	}
	/* Show at most 4 characters, and never more than a quarter of the rest. */
	show = (f->secret_len - keep) / 4;
	if (show > SFMC_REDACT_SHOW)
		show = SFMC_REDACT_SHOW;
	n = keep + show;
	if (!(out = malloc(n + sizeof("\xe2\x80\xa6"))))
		return NULL;
	memcpy(out, f->secret, n);
	memcpy(out + n, "\xe2\x80\xa6", sizeof("\xe2\x80\xa6"));
	return out;
}

sfmc_level sfmc_results_max_level(const sfmc_results *r)
{
	sfmc_level max = SFMC_LEVEL_NONE;
	for (size_t i = 0; i < r->nfindings; i++)
		if (!r->findings[i].suppressed && r->findings[i].level > max)
			max = r->findings[i].level;
	return max;
}

bool sfmc_results_any_live(const sfmc_results *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (!r->findings[i].suppressed && r->findings[i].verify == SFMC_VERIFY_LIVE)
			return true;
	return false;
}

const char *sfmc_suppress_kind_name(sfmc_suppress_kind k)
{
	switch (k) {
	case SFMC_SUPPRESS_INLINE: return "inline";
	case SFMC_SUPPRESS_CONFIG: return "config";
	case SFMC_SUPPRESS_BASELINE: return "baseline";
	default: return "none";
	}
}
