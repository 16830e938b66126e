/* gittree.c - raw commits and trees (see gittree.h). */
#define _GNU_SOURCE
#include "git/object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "git/repo.h"
#include "util/bounds.h"
#include "git/pack.h"
#include "util/error.h"
#include "util/lru.h"

#define MODE_TYPE 0170000u
#define MODE_TREE 0040000u
#define MODE_GITLINK 0160000u
#define MAX_MODE_DIGITS 7 /* libgit2 takes any octal up to 0xffff */
#define READER_BUCKETS 16384u
#define WRONG_TYPE "the requested type does not match the type in the ODB" /* libgit2's words */

sfmc_gittree_kind sfmc_gittree_kind_of(uint32_t mode)
{
	if ((mode & MODE_TYPE) == MODE_GITLINK)
		return SFMC_GITTREE_GITLINK;
	if ((mode & MODE_TYPE) == MODE_TREE)
		return SFMC_GITTREE_TREE;
	return SFMC_GITTREE_BLOB;
}

/* SFMC_EINVALID with a message naming the entry's byte offset. */
static int malformed(const unsigned char *base, const unsigned char *start, const char *why)
{
	sfmc_error_set("malformed tree entry at byte %zu: %s", (size_t)(start - base), why);
	return SFMC_EINVALID;
}

int sfmc_gittree_next(sfmc_gittree_entry *e, const unsigned char *base, const unsigned char *p,
		      const unsigned char *end)
{
	const unsigned char *start = p, *nul;
	uint32_t mode = 0;
	size_t digits = 0;

	if (p >= end)
		return SFMC_ENOTFOUND;
	while (p < end && *p >= '0' && *p <= '7' && digits < MAX_MODE_DIGITS) {
		mode = mode << 3 | (uint32_t)(*p++ - '0');
		digits++;
	}
	if (!digits || mode > 0xffffu || p >= end || *p != ' ')
		return malformed(base, start, "bad mode");
	/* Names are short: a plain loop beats a memchr call. */
	for (nul = ++p; nul < end && *nul; nul++)
		;
	if (nul == end)
		return malformed(base, start, "name not terminated");
	if ((size_t)(end - nul - 1) < GIT_OID_RAWSZ)
		return malformed(base, start, "truncated id");
	e->name = (const char *)p;
	e->namelen = (size_t)(nul - p);
	e->id = nul + 1;
	e->mode = mode;
	e->size = (size_t)(nul + 1 + GIT_OID_RAWSZ - start);
	return SFMC_OK;
}

int sfmc_gittree_check(const unsigned char *data, size_t len)
{
	const unsigned char *p = data, *end = data + len;
	sfmc_gittree_entry e;
	int rc;

	while ((rc = sfmc_gittree_next(&e, data, p, end)) == SFMC_OK)
		p += e.size;
	return rc == SFMC_ENOTFOUND ? SFMC_OK : rc;
}

/* The byte after a name's common part: its next character, else '/' for a
 * directory and NUL for anything else (git's base_name_compare). */
static unsigned tail_char(const sfmc_gittree_entry *e, size_t n)
{
	if (e->namelen > n)
		return (unsigned char)e->name[n];
	return sfmc_gittree_kind_of(e->mode) == SFMC_GITTREE_TREE ? '/' : '\0';
}

int sfmc_gittree_cmp(const sfmc_gittree_entry *a, const sfmc_gittree_entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c;
	/* merged names mostly differ at once: spare the memcmp call */
	if (n && a->name[0] != b->name[0])
		return (int)(unsigned char)a->name[0] - (int)(unsigned char)b->name[0];
	if ((c = memcmp(a->name, b->name, n)))
		return c;
	if ((c = (int)tail_char(a, n) - (int)tail_char(b, n)))
		return c;
	/* "d" (a directory) and "d/" tie in git's order; only malformed trees have the latter */
	return (a->namelen > b->namelen) - (a->namelen < b->namelen);
}

/* Parses "<key><40 hex>\n" at *p. */
static bool header_oid(const unsigned char **p, const unsigned char *end, const char *key, git_oid *id)
{
	size_t k = strlen(key);
	if ((size_t)(end - *p) < k + GIT_OID_HEXSZ + 1 || memcmp(*p, key, k) || (*p)[k + GIT_OID_HEXSZ] != '\n' ||
	    git_oid_fromstrn(id, (const char *)*p + k, GIT_OID_HEXSZ) < 0)
		return false;
	*p += k + GIT_OID_HEXSZ + 1;
	return true;
}

int sfmc_gittree_commit_parse(const unsigned char *data, size_t len, git_oid *tree, git_oid **parents,
			      size_t *nparents)
{
	const unsigned char *p = data, *end = data + len, *first;
	git_oid id;
	size_t n = 0;

	*parents = NULL;
	*nparents = 0;
	if (!header_oid(&p, end, "tree ", tree))
		return sfmc_error_set("malformed commit: no tree line");
	/* Counted first: the walk keeps every commit's parents, so exactly as many as there are. */
	for (first = p; header_oid(&p, end, "parent ", &id);)
		n++;
	if (n && !(*parents = malloc(n * sizeof(**parents))))
		return sfmc_error_set("out of memory");
	for (p = first; *nparents < n && header_oid(&p, end, "parent ", &(*parents)[*nparents]);)
		++*nparents;
	return 0;
}

/* A signature line [p, eol) in git's canonical form: "<key><name> <<email>>
 * <seconds> <+|-hhmm>", the time after the last '>' (where libgit2 reads it). */
static bool canonical_signature(const unsigned char *p, const unsigned char *eol, const char *key, int64_t *time)
{
	size_t k = strlen(key), digits = 0;
	const unsigned char *lt = NULL, *gt = NULL, *q;
	int64_t t = 0;

	if ((size_t)(eol - p) < k || memcmp(p, key, k))
		return false;
	for (q = p + k; q < eol; q++) {
		if (*q == '<')
			lt = q;
		else if (*q == '>')
			gt = q;
	}
	if (!lt || !gt || lt > gt || lt == p + k || lt[-1] != ' ' || gt + 1 >= eol || gt[1] != ' ')
		return false;
	for (q = gt + 2; q < eol && *q >= '0' && *q <= '9' && digits < 18; q++, digits++)
		t = t * 10 + (*q - '0');
	if (!digits || eol - q != 6 || q[0] != ' ' || (q[1] != '+' && q[1] != '-'))
		return false;
	for (int i = 2; i < 6; i++)
		if (q[i] < '0' || q[i] > '9')
			return false;
	*time = t;
	return true;
}

int sfmc_gittree_commit_time(const unsigned char *data, size_t len, int64_t *time)
{
	const unsigned char *p = data, *end = data + len, *eol;
	int64_t author_time;
	git_oid id;

	if (!header_oid(&p, end, "tree ", &id))
		return SFMC_EDECLINED;
	while (header_oid(&p, end, "parent ", &id))
		;
	if (!(eol = memchr(p, '\n', (size_t)(end - p))) || !canonical_signature(p, eol, "author ", &author_time))
		return SFMC_EDECLINED;
	p = eol + 1;
	if (!(eol = memchr(p, '\n', (size_t)(end - p))) || !canonical_signature(p, eol, "committer ", time))
		return SFMC_EDECLINED;
	return SFMC_OK;
}

/* ---- comparing a tree with its parents' ------------------------------------ */

/* A parent tree read alongside the tree being walked (git's diff-tree merge). */
typedef struct cursor {
	const unsigned char *base, *p, *end; /* NULL base: no such parent tree */
	size_t suffix;                       /* bytes equal at the end of both trees */
	size_t run_t, run_b, run_end;        /* t's bytes [run_t, run_end) equal the parent's from run_b */
	sfmc_gittree_entry e;
	bool parsed;                         /* e is the entry at p */
} cursor;

#ifdef __SSE2__
/* Bit i set where a[i] != b[i], for 16 bytes. */
static unsigned differ16(const unsigned char *a, const unsigned char *b)
{
	__m128i x = _mm_loadu_si128((const __m128i *)a), y = _mm_loadu_si128((const __m128i *)b);
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) ^ 0xffffu;
}
#endif

static size_t common_prefix(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
#ifdef __SSE2__
	for (unsigned d; i + 16 <= n; i += 16)
		if ((d = differ16(a + i, b + i)))
			return i + (size_t)__builtin_ctz(d);
#endif
	uint64_t x, y;
	while (i + 8 <= n) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
#ifdef __SSE2__
	for (unsigned d; i + 16 <= n; i += 16)
		if ((d = differ16(a + na - i - 16, b + nb - i - 16)))
			return i + (size_t)__builtin_clz(d) - 16; /* the highest differing byte is the nearest the end */
#endif
	uint64_t x, y;
	while (i + 8 <= n) {
		memcpy(&x, a + na - i - 8, 8);
		memcpy(&y, b + nb - i - 8, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < n && a[na - 1 - i] == b[nb - 1 - i])
		i++;
	return i;
}

static void cursor_open(cursor *cu, const sfmc_gitobj *parent, const sfmc_gitobj *t)
{
	memset(cu, 0, sizeof(*cu));
	if (!parent)
		return;
	cu->base = cu->p = parent->data;
	cu->end = parent->data + parent->len;
	cu->run_end = common_prefix(t->data, t->len, parent->data, parent->len);
	cu->suffix = common_suffix(t->data, t->len, parent->data, parent->len);
}

/* Parses the entry at p when not done yet. False at the end, or where the
 * parent does not parse: its rest counts as absent (so more differs). */
static bool cursor_entry(cursor *cu)
{
	if (cu->parsed)
		return true;
	if (cu->p >= cu->end || sfmc_gittree_next(&cu->e, cu->base, cu->p, cu->end) != SFMC_OK) {
		cu->p = cu->end;
		return false;
	}
	cu->parsed = true;
	return true;
}

static void cursor_skip(cursor *cu, size_t n)
{
	cu->p += n;
	cu->parsed = false;
}

/* True when some parent's entries from its cursor on are byte for byte t's
 * from off on (so it holds them all); no parsing. */
static bool ends_held(const cursor *cu, size_t np, size_t off, size_t tlen)
{
	for (size_t i = 0; i < np; i++) {
		size_t b = (size_t)(cu[i].p - cu[i].base), plen = (size_t)(cu[i].end - cu[i].base);
		if (cu[i].base && tlen - off == plen - b && tlen - off <= cu[i].suffix)
			return true;
	}
	return false;
}

/* Moves cu past e's name (git order), parsing the parent. Returns 1 when the
 * parent holds e itself (same name, kind and id), else 0 with *same_name set
 * to the parent's entry of that name, if any. */
static int cursor_match(cursor *cu, const sfmc_gittree_entry *e, const sfmc_gittree_entry **same_name)
{
	int cmp = 1;

	*same_name = NULL;
	if (!cu->base)
		return 0;
	while (cursor_entry(cu) && (cmp = sfmc_gittree_cmp(&cu->e, e)) < 0)
		cursor_skip(cu, cu->e.size);
	if (!cu->parsed || cmp != 0)
		return 0;
	*same_name = &cu->e;
	if (sfmc_gittree_kind_of(cu->e.mode) == sfmc_gittree_kind_of(e->mode) && !memcmp(cu->e.id, e->id, GIT_OID_RAWSZ)) {
		cursor_skip(cu, cu->e.size); /* e stays valid for the caller until the next parse */
		return 1;
	}
	return 0;
}

/* The end of the well-formed entry at off when it ends by limit (<= the
 * tree's length), else 0 (let sfmc_gittree_next judge it). The same checks
 * as sfmc_gittree_next, without filling an entry. */
static size_t entry_end(const unsigned char *data, size_t off, size_t limit)
{
	const unsigned char *p = data + off, *end = data + limit;
	uint32_t mode = 0;
	size_t digits = 0;

	while (p < end && *p >= '0' && *p <= '7' && digits < MAX_MODE_DIGITS) {
		mode = mode << 3 | (uint32_t)(*p++ - '0');
		digits++;
	}
	if (!digits || mode > 0xffffu || p >= end || *p++ != ' ')
		return 0;
	/* A run of equal bytes holds many entries: memchr's vector loop pays off here. */
	if (!(p = memchr(p, 0, (size_t)(end - p))) || (size_t)(end - p) < 1 + GIT_OID_RAWSZ)
		return 0;
	return (size_t)(p + 1 + GIT_OID_RAWSZ - data);
}

/* Where the run of t's bytes from off equal to the parent's from its entry
 * at p ends (off when none): the last run found while it lasts, else a new
 * compare (after a change both trees often line up again). */
static size_t cursor_run(cursor *cu, const sfmc_gitobj *t, size_t off)
{
	size_t b = (size_t)(cu->p - cu->base);

	if (!cu->base)
		return off;
	if (off >= cu->run_t && b >= cu->run_b && off - cu->run_t == b - cu->run_b && off < cu->run_end)
		return cu->run_end;
	cu->run_t = off;
	cu->run_b = b;
	cu->run_end = off + common_prefix(t->data + off, t->len - off, cu->p, (size_t)(cu->end - cu->p));
	return cu->run_end;
}

/* Skips t's entries from off that end inside the longest run of bytes equal
 * to a parent's from its current entry: that parent holds them as they are
 * (the same bytes parse into the same entries from a boundary of both).
 * Parents left behind catch up when next asked (cursor_match). */
static size_t skip_common(const sfmc_gitobj *t, size_t off, cursor *cu, size_t np)
{
	size_t limit = off, from = off, q, r;

	for (size_t i = 0; i < np; i++)
		if ((r = cursor_run(&cu[i], t, off)) > limit)
			limit = r;
	while (limit > off && (q = entry_end(t->data, off, limit)) != 0)
		off = q;
	for (size_t i = 0; off != from && i < np; i++) {
		/* cursor_run left run_t == from or a run holding from on the same diagonal */
		if (cu[i].base && cu[i].run_end >= off) {
			cu[i].p += off - from;
			cu[i].parsed = false;
		}
	}
	return off;
}

int sfmc_gittree_diff(const sfmc_gitobj *t, const sfmc_gitobj *const *parents, size_t np,
		      sfmc_gittree_changed_fn fn, void *ctx)
{
	cursor local[2], *cu = np <= 2 ? local : calloc(np, sizeof(*cu));
	const sfmc_gittree_entry *plocal[2], **pe = np <= 2 ? plocal : calloc(np, sizeof(*pe));
	sfmc_gittree_entry e;
	size_t off = 0;
	int rc = 0, r;

	if (!cu || !pe) {
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < np; i++)
		cursor_open(&cu[i], parents ? parents[i] : NULL, t);
	for (;;) {
		int m = ends_held(cu, np, off, t->len);
		if (!m) {
			off = skip_common(t, off, cu, np);
			m = ends_held(cu, np, off, t->len);
		}
		if (rc < 0 || (r = sfmc_gittree_next(&e, t->data, t->data + off, t->data + t->len)) == SFMC_ENOTFOUND)
			break;
		if (r < 0) {
			rc = SFMC_EINVALID;
			break;
		}
		if (m)
			break; /* every entry left is a parent's too */
		/* one parent holding e is enough: the others catch up when next asked */
		for (size_t i = 0; i < np && !m; i++)
			m = cursor_match(&cu[i], &e, &pe[i]);
		if (!m && fn(ctx, &e, pe) < 0)
			rc = -1;
		off += e.size;
	}
cleanup:
	if (cu != local)
		free(cu);
	if (pe != plocal)
		free(pe);
	return rc;
}

/* ---- the reader ---------------------------------------------------------- */

typedef struct tree_ent {
	sfmc_gitobj obj; /* first: handed out as sfmc_gitobj * */
	git_oid id;
	unsigned refs;
	sfmc_lru_link lru;
	struct tree_ent *chain; /* hash bucket; the spare list's link */
} tree_ent;

struct sfmc_gittree_reader {
	git_odb *odb;
	sfmc_packreader *pack;
	sfmc_packguard *guard; /* without pack: checks delta chains before libgit2 reads */
	tree_ent **buckets;
	sfmc_lru lru;    /* cached trees, most recent first */
	tree_ent *spare; /* dropped entries kept for reuse (chained by chain): one malloc less per tree */
	size_t cached, budget;
};

int sfmc_gittree_reader_new(sfmc_gittree_reader **out, git_repository *repo, size_t cache_bytes, sfmc_packset *packs,
			    size_t pack_cache_bytes)
{
	sfmc_gittree_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->buckets = calloc(READER_BUCKETS, sizeof(*r->buckets)))) {
		free(r);
		return sfmc_error_set("out of memory");
	}
	r->budget = cache_bytes;
	if (git_repository_odb(&r->odb, repo) < 0) {
		sfmc_gittree_reader_free(r);
		return sfmc_gitrepo_error("cannot open the object database");
	}
	if (pack_cache_bytes && packs ? sfmc_packreader_new(&r->pack, packs, pack_cache_bytes) < 0
				      : sfmc_packguard_new(&r->guard, repo) < 0) {
		sfmc_gittree_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static tree_ent **bucket(sfmc_gittree_reader *r, const git_oid *id)
{
	uint32_t h;
	memcpy(&h, id->id, sizeof(h));
	return &r->buckets[h % READER_BUCKETS];
}

static void drop(sfmc_gittree_reader *r, tree_ent *e)
{
	tree_ent **pp = bucket(r, &e->id);
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	sfmc_lru_unlink(&r->lru, &e->lru);
	r->cached -= e->obj.len;
	free((void *)e->obj.data);
	e->chain = r->spare;
	r->spare = e;
}

/* Evicts the least recent trees nobody holds until the cache fits. */
static void shrink(sfmc_gittree_reader *r)
{
	tree_ent *e = SFMC_LRU_ENTRY(r->lru.tail, tree_ent, lru);
	while (r->cached > r->budget && e) {
		tree_ent *prev = SFMC_LRU_ENTRY(e->lru.prev, tree_ent, lru);
		if (!e->refs)
			drop(r, e);
		e = prev;
	}
}

void sfmc_gittree_reader_free(sfmc_gittree_reader *r)
{
	if (!r)
		return;
	while (r->lru.head)
		drop(r, SFMC_LRU_ENTRY(r->lru.head, tree_ent, lru));
	while (r->spare) {
		tree_ent *e = r->spare;
		r->spare = e->chain;
		free(e);
	}
	free(r->buckets);
	sfmc_packreader_free(r->pack);
	sfmc_packguard_free(r->guard);
	git_odb_free(r->odb);
	free(r);
}

/* Prefixes the current message with the object it is about. */
static int about(const char *what, const git_oid *id)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", sfmc_error_last());
	return sfmc_error_set("cannot read %s %s: %s", what, git_oid_tostr_s(id), msg);
}

/* The object's bytes (malloc'd) and type: the pack reader, else libgit2. */
static int read_raw(sfmc_gittree_reader *r, const git_oid *id, const char *what, git_object_t *type,
		    unsigned char **data, size_t *len)
{
	git_odb_object *o = NULL;
	int rc = r->pack ? sfmc_packreader_read(r->pack, id, type, data, len) : sfmc_packguard_check(r->guard, id);

	if (r->pack && rc == SFMC_OK)
		return 0;
	if (rc == SFMC_ELIMIT)
		return -1;
	if (git_odb_read(&o, r->odb, id) < 0)
		return sfmc_gitrepo_error("cannot read %s %s", what, git_oid_tostr_s(id));
	*type = git_odb_object_type(o);
	*len = git_odb_object_size(o);
	if ((*data = malloc(*len ? *len : 1)))
		memcpy(*data, git_odb_object_data(o), *len);
	git_odb_object_free(o);
	return *data ? 0 : sfmc_error_set("out of memory");
}

int sfmc_gittree_read_tree(sfmc_gittree_reader *r, const git_oid *id, const sfmc_gitobj **out)
{
	tree_ent **b = bucket(r, id), *e;
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;

	for (e = *b; e && !git_oid_equal(&e->id, id); e = e->chain)
		;
	if (e) {
		e->refs++;
		sfmc_lru_touch(&r->lru, &e->lru);
		*out = &e->obj;
		return 0;
	}
	if (read_raw(r, id, "tree", &type, &data, &len) < 0)
		return -1;
	if (type != GIT_OBJECT_TREE) {
		free(data);
		return sfmc_error_set("cannot read tree %s: %s (a %s)", git_oid_tostr_s(id), WRONG_TYPE,
				      git_object_type2string(type));
	}
	if ((e = r->spare))
		r->spare = e->chain;
	else if (!(e = malloc(sizeof(*e)))) {
		free(data);
		return sfmc_error_set("out of memory");
	}
	memset(e, 0, sizeof(*e));
	e->obj.data = data;
	e->obj.len = len;
	git_oid_cpy(&e->id, id);
	e->refs = 1;
	e->chain = *b;
	*b = e;
	sfmc_lru_push_front(&r->lru, &e->lru);
	r->cached += len;
	shrink(r);
	*out = &e->obj;
	return 0;
}

void sfmc_gittree_release(sfmc_gittree_reader *r, const sfmc_gitobj *obj)
{
	tree_ent *e = (tree_ent *)obj;
	if (!e)
		return;
	e->refs--;
	if (r->cached > r->budget)
		shrink(r);
}

int sfmc_gittree_read_commit(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
			     size_t *nparents)
{
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;
	int rc;

	if (read_raw(r, id, "commit", &type, &data, &len) < 0)
		return -1;
	if (type != GIT_OBJECT_COMMIT)
		rc = sfmc_error_set("cannot read commit %s: %s (a %s)", git_oid_tostr_s(id), WRONG_TYPE,
				    git_object_type2string(type));
	else if ((rc = sfmc_gittree_commit_parse(data, len, tree, parents, nparents)) < 0)
		rc = about("commit", id);
	free(data);
	return rc;
}

int sfmc_gittree_read_commit_fast(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
				  size_t *nparents, int64_t *time)
{
	return sfmc_gittree_read_commit_fast_raw(r, id, tree, parents, nparents, time, NULL, NULL);
}

int sfmc_gittree_read_commit_fast_raw(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
				      size_t *nparents, int64_t *time, sfmc_gittree_raw_fn fn, void *payload)
{
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;
	int rc;

	*parents = NULL;
	*nparents = 0;
	if (!r->pack)
		return SFMC_EDECLINED;
	if ((rc = sfmc_packreader_read(r->pack, id, &type, &data, &len)) != SFMC_OK)
		return rc == SFMC_ELIMIT ? rc : SFMC_EDECLINED;
	rc = SFMC_EDECLINED;
	if (type == GIT_OBJECT_COMMIT && sfmc_gittree_commit_time(data, len, time) == SFMC_OK)
		rc = sfmc_gittree_commit_parse(data, len, tree, parents, nparents) < 0 ? SFMC_ERROR : SFMC_OK;
	if (rc == SFMC_OK && fn && fn(payload, id, data, len) < 0) {
		free(*parents);
		*parents = NULL;
		rc = SFMC_ERROR;
	}
	free(data);
	return rc;
}
