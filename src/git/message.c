/* message.c - commit and annotated tag messages scanned as text (see message.h). */
#define _GNU_SOURCE
#include "git/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/oidmap.h"

/* Scans one message into out with the logical path and commit given; a
 * message the scanner cannot finish is an error naming it, not a failure. */
static int scan_one(sfmc_scanner *s, const void *msg, size_t len, const char *path, const sfmc_commit_info *ci,
		    sfmc_results *out)
{
	sfmc_provenance prov = { path, strlen(path), NULL, ci, NULL, 0 };
	char why[1024];
	uint64_t files = out->stats.files, bytes = out->stats.bytes;

	if (sfmc_scanner_scan_mem(s, msg, len, &prov, out) < 0) {
		snprintf(why, sizeof(why), "cannot scan the message: %s", sfmc_error_last());
		if (sfmc_results_add_error(out, path, why) < 0)
			return -1;
	}
	out->stats.files = files; /* a message is not a blob */
	out->stats.bytes = bytes;
	return 0;
}

/* sfmc_gitwalk_msgs.fn: one commit's message. */
static int on_commit(void *payload, unsigned slot, const git_oid *id, const unsigned char *msg, size_t len)
{
	sfmc_gitmsg *m = payload;
	sfmc_commit_info ci = { 0 };
	char path[64];

	git_oid_tostr(ci.commit, sizeof(ci.commit), id);
	snprintf(path, sizeof(path), "commit/%s/message", ci.commit);
	return scan_one(&m->scanners[slot], msg, len, path, &ci, &m->found[slot]);
}

int sfmc_gitmsg_init(sfmc_gitmsg *m, const sfmc_ruleset *rules)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < 2; i++) {
		sfmc_results_init(&m->found[i]);
		if (sfmc_scanner_init(&m->scanners[i], rules) < 0) {
			sfmc_gitmsg_dispose(m);
			return -1;
		}
		m->ready[i] = true;
	}
	m->walk.fn = on_commit;
	m->walk.payload = m;
	return 0;
}

void sfmc_gitmsg_dispose(sfmc_gitmsg *m)
{
	for (int i = 0; i < 2; i++) {
		if (m->ready[i])
			sfmc_scanner_dispose(&m->scanners[i]);
		m->ready[i] = false;
		sfmc_results_dispose(&m->found[i]);
	}
}

/* The commit's author, time and summary (only its id when it cannot be read again). */
static int load_commit(git_repository *repo, const char *hex, sfmc_commit_info **out)
{
	git_commit *c = NULL;
	git_oid id;
	sfmc_commit_info ci = { 0 };
	const git_signature *a;
	int rc;

	snprintf(ci.commit, sizeof(ci.commit), "%s", hex);
	if (git_oid_fromstr(&id, hex) < 0 || git_commit_lookup(&c, repo, &id) < 0)
		return sfmc_commit_info_copy(out, &ci);
	a = git_commit_author(c);
	ci.author_name = (char *)(a && a->name ? a->name : "");
	ci.author_email = (char *)(a && a->email ? a->email : "");
	ci.summary = (char *)(git_commit_summary(c) ? git_commit_summary(c) : "");
	ci.time = (int64_t)git_commit_time(c);
	rc = sfmc_commit_info_copy(out, &ci);
	git_commit_free(c);
	return rc;
}

/* Whether the finding's commit is one of the selected (a map of them is made on first use). */
static int is_selected(sfmc_oidmap *sel, const sfmc_gitwalk_commit *commits, size_t n, const sfmc_finding *f)
{
	git_oid id;
	uint32_t v;

	if (!sel->n)
		for (size_t k = 0; k < n; k++) {
			v = (uint32_t)k;
			if (sfmc_oidmap_put(sel, &commits[k].id, 0, &v) < 0)
				return -1;
		}
	return f->commit && git_oid_fromstr(&id, f->commit->commit) == 0 && sfmc_oidmap_get(sel, &id, 0, &v);
}

int sfmc_gitmsg_finish(sfmc_gitmsg *m, git_repository *repo, const sfmc_gitwalk_commit *commits, size_t n,
		       sfmc_results *out)
{
	sfmc_results *all = &m->found[0];
	sfmc_oidmap sel;
	int rc = 0, keep;

	sfmc_oidmap_init(&sel);
	if (sfmc_results_merge(all, &m->found[1]) < 0)
		return -1;
	sfmc_results_sort(all);
	sfmc_results_dedup(all); /* a commit both threads read */
	for (size_t i = 0; i < all->nfindings && rc == 0; i++) {
		sfmc_finding *f = &all->findings[i];
		if ((keep = is_selected(&sel, commits, n, f)) < 0) {
			rc = -1;
			break;
		}
		if (!keep)
			continue;
		sfmc_commit_info *old = f->commit;
		f->location = SFMC_LOCATION_COMMIT_MESSAGE;
		rc = load_commit(repo, old->commit, &f->commit);
		sfmc_commit_info_free(old);
		if (rc == 0)
			rc = sfmc_results_add_finding(out, f);
	}
	for (size_t i = 0; i < all->nerrors && rc == 0; i++)
		rc = sfmc_results_add_error(out, all->errors[i].path, all->errors[i].text);
	sfmc_oidmap_dispose(&sel);
	sfmc_results_dispose(all);
	sfmc_results_init(all);
	return rc;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* Scans one annotated tag's message; its findings name the tag and its id. */
static int scan_tag(sfmc_scanner *s, git_repository *repo, const git_oid *id, sfmc_results *out)
{
	sfmc_results found;
	git_tag *t = NULL;
	char *path = NULL, hex[GIT_OID_HEXSZ + 1];
	const char *msg, *name;
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), id);
	if (git_tag_lookup(&t, repo, id) < 0) {
		char why[1024];
		snprintf(why, sizeof(why), "cannot read tag %s: %s", hex,
			 git_error_last() ? git_error_last()->message : "unknown error");
		return sfmc_results_add_error(out, hex, why);
	}
	sfmc_results_init(&found);
	msg = git_tag_message(t) ? git_tag_message(t) : "";
	name = git_tag_name(t) ? git_tag_name(t) : hex;
	if (asprintf(&path, "tag/%s/message", name) < 0) {
		path = NULL;
		rc = sfmc_error_set("out of memory");
	}
	if (rc == 0)
		rc = scan_one(s, msg, strlen(msg), path, NULL, &found);
	for (size_t i = 0; rc == 0 && i < found.nfindings; i++) {
		sfmc_finding *f = &found.findings[i];
		f->location = SFMC_LOCATION_TAG_MESSAGE;
		memcpy(f->tag_id, hex, sizeof(f->tag_id));
		if (!(f->tag = strdup(name)))
			rc = sfmc_error_set("out of memory");
	}
	if (rc == 0)
		rc = sfmc_results_merge(out, &found);
	sfmc_results_dispose(&found);
	free(path);
	git_tag_free(t);
	return rc;
}

int sfmc_gitmsg_scan_tags(sfmc_gitmsg *m, git_repository *repo, const git_oid *ids, size_t n, sfmc_results *out)
{
	git_oid *v;
	int rc = 0;

	if (!n)
		return 0;
	if (!(v = malloc(n * sizeof(*v))))
		return sfmc_error_set("out of memory");
	memcpy(v, ids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_oid);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!i || git_oid_cmp(&v[i - 1], &v[i]))
			rc = scan_tag(&m->scanners[0], repo, &v[i], out);
	free(v);
	return rc;
}

int sfmc_gitmsg_scan_new(sfmc_scanner *s, const void *msg, size_t len, sfmc_results *out)
{
	size_t first = out->nfindings;

	if (scan_one(s, msg, len, "commit/new/message", NULL, out) < 0)
		return -1;
	for (size_t i = first; i < out->nfindings; i++)
		out->findings[i].location = SFMC_LOCATION_COMMIT_MESSAGE;
	return 0;
}
