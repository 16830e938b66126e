#include "git/revwalk.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "git/object.h"
#include "util/bounds.h"
#include "git/pack.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/oidmap.h"

enum {
	UNINTERESTING = 1, /* reachable from an exclude tip */
	QUEUED = 2,        /* has been pushed on the queue (once) */
	IN_QUEUE = 4,
	EXPANDED = 8,      /* parents resolved to nodes */
	BROKEN = 16,       /* could not be read */
	SHALLOW = 32,      /* a shallow boundary: its parents are absent on purpose */
};

typedef struct node {
	git_oid id, tree;
	int64_t time;
	git_oid *parent_ids; /* all nall parents the commit names */
	uint32_t *parents;   /* node indices of the first nparents, once EXPANDED */
	uint32_t nparents, nall;
	uint32_t flags;
} node;

/* Commits read and parsed by a second thread ahead of the walk (long
 * walks): inflating them is half of the walk's time. It reads the parents
 * of what the walk reads, most recently posted first, and their parents in
 * turn; the walk takes what is ready and reads the rest itself. */
typedef struct ahead_ent {
	git_oid tree;
	git_oid *parents; /* malloc'd; handed to the walk that takes it */
	size_t nparents;  /* SIZE_MAX: taken, or read by the walk itself */
	int64_t time;
} ahead_ent;

typedef struct ahead {
	pthread_mutex_t lock; /* everything below but pack and thread */
	pthread_cond_t more;
	sfmc_oidmap index;    /* id -> v[] */
	ahead_ent *v;
	size_t n, a;
	git_oid *todo;        /* ids to read, last first */
	size_t ntodo, atodo;
	bool stop;            /* the walk is done */
	sfmc_packreader *pack;
	const sfmc_gitwalk_msgs *msgs; /* or NULL */
	pthread_t thread;
} ahead;

typedef struct walk {
	git_repository *repo;
	sfmc_packset *packs; /* the caller's: every pack reader of the walk reads through it */
	sfmc_results *out;
	node *nodes;
	size_t n, a;
	sfmc_oidmap index;   /* id -> node */
	sfmc_oidmap shallow; /* boundary commits of a shallow clone */
	uint32_t *heap;      /* node indices; see heap_less */
	size_t nheap, aheap;
	size_t interesting;  /* interesting nodes in the queue */
	bool oldest_first;   /* heap order: false = newest first (the limiting walk) */
	sfmc_gittree_reader *reader; /* packed commits in canonical form, once the walk is long */
	sfmc_packguard *guard;       /* until then: delta chains checked before libgit2 reads */
	size_t slow_reads;           /* commits read through libgit2 */
	ahead *ahead;                /* the read-ahead thread (NULL: none) */
	const sfmc_gitwalk_msgs *msgs; /* or NULL */
} walk;

/* The message of a raw commit: what follows the first blank line (none: empty). */
static void message_of(const unsigned char *data, size_t len, const unsigned char **msg, size_t *n)
{
	const unsigned char *p = data;

	*msg = data + len;
	*n = 0;
	while ((p = memchr(p, '\n', (size_t)(data + len - p))) && p + 1 < data + len) {
		if (p[1] == '\n') {
			*msg = p + 2;
			*n = (size_t)(data + len - *msg);
			return;
		}
		p++;
	}
}

/* Shows msgs the message of a raw commit. */
static int show_raw(const sfmc_gitwalk_msgs *m, unsigned slot, const git_oid *id, const unsigned char *data, size_t len)
{
	const unsigned char *msg;
	size_t n;

	if (!m)
		return 0;
	message_of(data, len, &msg, &n);
	return m->fn(m->payload, slot, id, msg, n);
}

/* sfmc_gittree_raw_fn of the walk's own fast reads. */
static int show_walk_raw(void *payload, const git_oid *id, const unsigned char *data, size_t len)
{
	return show_raw(payload, 0, id, data, len);
}

/* Reads the commit ids listed in the repository's "shallow" file, into the walk and the results. */
static int load_shallow(walk *w)
{
	char path[4096], line[128];
	FILE *f;
	git_oid id;
	uint32_t v = 0;
	int rc = 0;

	snprintf(path, sizeof(path), "%sshallow", git_repository_commondir(w->repo));
	if (!(f = fopen(path, "re")))
		return 0; /* not shallow */
	while (rc >= 0 && fgets(line, sizeof(line), f))
		if (git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0 &&
		    (rc = sfmc_oidmap_put(&w->shallow, &id, 0, &v)) == 0)
			rc = sfmc_results_add_shallow(w->out,
						      git_oid_tostr_s(&id)); /* the report says history is cut */
	fclose(f);
	return rc < 0 ? -1 : 0;
}

/* Queues ids for the read-ahead thread (under its lock). */
static int post_locked(ahead *a, const git_oid *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (sfmc_array_reserve((void **)&a->todo, a->ntodo, &a->atodo, sizeof(*a->todo)) < 0)
			return -1;
		git_oid_cpy(&a->todo[a->ntodo++], &ids[i]);
	}
	pthread_cond_signal(&a->more);
	return 0;
}

static int post(ahead *a, const git_oid *ids, size_t n)
{
	int rc;
	pthread_mutex_lock(&a->lock);
	rc = post_locked(a, ids, n);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* Takes the commit from the read-ahead thread: 1, or 0 (not read yet: the
 * walk reads it, and the thread will skip it). -1: out of memory. */
static int take_ahead(walk *w, node *nd)
{
	ahead *a = w->ahead;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&a->lock);
	i = (uint32_t)a->n;
	if ((rc = sfmc_array_reserve((void **)&a->v, a->n, &a->a, sizeof(*a->v))) == 0 &&
	    (rc = sfmc_oidmap_put(&a->index, &nd->id, 0, &i)) == 0) {
		a->v[a->n++] = (ahead_ent){ .nparents = SIZE_MAX };
	} else if (rc == 1 && a->v[i].nparents != SIZE_MAX) {
		ahead_ent *e = &a->v[i];
		git_oid_cpy(&nd->tree, &e->tree);
		nd->time = e->time;
		nd->parent_ids = e->parents;
		nd->nall = (uint32_t)e->nparents;
		e->parents = NULL;
		e->nparents = SIZE_MAX;
	} else {
		rc = rc < 0 ? -1 : 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* A packed commit in canonical form (as sfmc_gittree_read_commit_fast, on
 * the thread's own reader): 1, 0 (left to the walk) or -1. */
static int read_packed(sfmc_packreader *pack, const sfmc_gitwalk_msgs *msgs, const git_oid *id, ahead_ent *e)
{
	unsigned char *data = NULL;
	git_object_t type;
	size_t len;
	int rc = 0;

	if (sfmc_packreader_read(pack, id, &type, &data, &len) != SFMC_OK)
		return 0;
	if (type == GIT_OBJECT_COMMIT && sfmc_gittree_commit_time(data, len, &e->time) == SFMC_OK)
		rc = sfmc_gittree_commit_parse(data, len, &e->tree, &e->parents, &e->nparents) < 0 ? -1 : 1;
	/* A message that fails here is read again by the walk, which reports the failure. */
	if (rc == 1 && show_raw(msgs, 1, id, data, len) < 0)
		rc = 0;
	free(data);
	return rc;
}

/* Publishes e (taking its parents) unless the walk got there first, and queues its parents. */
static int publish(ahead *a, const git_oid *id, ahead_ent *e)
{
	uint32_t i;
	int rc;

	pthread_mutex_lock(&a->lock);
	i = (uint32_t)a->n;
	if ((rc = sfmc_array_reserve((void **)&a->v, a->n, &a->a, sizeof(*a->v))) == 0 &&
	    (rc = sfmc_oidmap_put(&a->index, id, 0, &i)) == 0) {
		rc = post_locked(a, e->parents, e->nparents);
		a->v[a->n++] = *e;
		e->parents = NULL;
	}
	pthread_mutex_unlock(&a->lock);
	free(e->parents);
	e->parents = NULL;
	return rc < 0 ? -1 : 0;
}

static void *read_ahead(void *p)
{
	ahead *a = p;

	for (;;) {
		ahead_ent e = { 0 };
		git_oid id;
		uint32_t dummy;
		bool known;
		pthread_mutex_lock(&a->lock);
		while (!a->ntodo && !a->stop)
			pthread_cond_wait(&a->more, &a->lock);
		if (a->stop) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		git_oid_cpy(&id, &a->todo[--a->ntodo]);
		known = sfmc_oidmap_get(&a->index, &id, 0, &dummy);
		pthread_mutex_unlock(&a->lock);
		if (known)
			continue;
		if (read_packed(a->pack, a->msgs, &id, &e) != 1 || publish(a, &id, &e) < 0)
			free(e.parents); /* the walk reads it (and reports what is wrong) */
	}
	return NULL;
}

static void ahead_stop(ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].parents);
	free(a->v);
	free(a->todo);
	sfmc_oidmap_dispose(&a->index);
	sfmc_packreader_free(a->pack);
	pthread_cond_destroy(&a->more);
	pthread_mutex_destroy(&a->lock);
}

/* Starts the read-ahead thread; false when it could not start (the walk reads everything). */
static bool ahead_start(ahead *a, sfmc_packset *packs, const sfmc_gitwalk_msgs *msgs)
{
	memset(a, 0, sizeof(*a));
	a->msgs = msgs;
	sfmc_oidmap_init(&a->index);
	if (!packs || sfmc_packreader_new(&a->pack, packs, SFMC_WALK_COMMIT_CACHE_BYTES) < 0) {
		sfmc_oidmap_dispose(&a->index);
		return false;
	}
	if (pthread_mutex_init(&a->lock, NULL) == 0) {
		if (pthread_cond_init(&a->more, NULL) == 0) {
			if (pthread_create(&a->thread, NULL, read_ahead, a) == 0)
				return true;
			pthread_cond_destroy(&a->more);
		}
		pthread_mutex_destroy(&a->lock);
	}
	sfmc_packreader_free(a->pack);
	sfmc_oidmap_dispose(&a->index);
	return false;
}

/* The walk read nd itself: the read-ahead thread goes on from its parents. */
static int post_parents(walk *w, const node *nd)
{
	if (!w->ahead || (nd->flags & SHALLOW) || !nd->nall)
		return 0;
	return post(w->ahead, nd->parent_ids, nd->nall);
}

/* Fills nd from the pack reader when the commit is packed and canonical
 * (libgit2's parser, with its own SHA-1, is the slow part of a long walk).
 * Returns SFMC_OK (filled), SFMC_EDECLINED (use libgit2), SFMC_ELIMIT
 * (a looping delta chain: message set) or SFMC_ERROR (out of memory). */
static int read_fast(walk *w, node *nd)
{
	size_t np;
	int rc;

	if (w->ahead && (rc = take_ahead(w, nd)) != 0) {
		nd->nparents = nd->flags & SHALLOW ? 0 : nd->nall;
		return rc < 0 ? SFMC_ERROR : SFMC_OK;
	}
	if (!w->reader && ++w->slow_reads >= SFMC_WALK_PACKREADER_MIN_COMMITS &&
	    sfmc_gittree_reader_new(&w->reader, w->repo, 0, w->packs, SFMC_WALK_COMMIT_CACHE_BYTES) < 0)
		return SFMC_ERROR;
	if (!w->reader)
		return SFMC_EDECLINED;
	if ((rc = sfmc_gittree_read_commit_fast_raw(w->reader, &nd->id, &nd->tree, &nd->parent_ids, &np, &nd->time,
						    w->msgs ? show_walk_raw : NULL, (void *)w->msgs)) != SFMC_OK)
		return rc;
	nd->nall = (uint32_t)np;
	nd->nparents = nd->flags & SHALLOW ? 0 : nd->nall;
	return post_parents(w, nd) < 0 ? SFMC_ERROR : SFMC_OK;
}

/* The raw commit id (malloc'd) when it is one; false otherwise. */
static bool raw_commit(walk *w, const git_oid *id, unsigned char **data, size_t *len)
{
	git_odb *odb = NULL;
	git_odb_object *o = NULL;
	bool ok = false;

	*data = NULL;
	if (git_repository_odb(&odb, w->repo) == 0 && git_odb_read(&o, odb, id) == 0 &&
	    git_odb_object_type(o) == GIT_OBJECT_COMMIT && (*data = malloc(git_odb_object_size(o) + 1))) {
		*len = git_odb_object_size(o);
		memcpy(*data, git_odb_object_data(o), *len);
		ok = true;
	}
	git_odb_object_free(o);
	git_odb_free(odb);
	return ok;
}

/* libgit2 refused the commit: git accepts commits libgit2 does not (an author
 * date "unknown", no author line), and hiding the history behind one hides
 * secrets. Its tree and parents are read by our own parser, the walk goes
 * on, and the refusal is reported (a warning in errors: what the commit
 * introduces has no author or date). Unreadable even so: a BROKEN node. */
static int read_own(walk *w, node *nd, bool report)
{
	char why[512], msg[1024], hex[GIT_OID_HEXSZ + 1];
	unsigned char *data;
	size_t len, np;

	git_oid_tostr(hex, sizeof(hex), &nd->id);
	snprintf(why, sizeof(why), "%s", git_error_last() ? git_error_last()->message : "unknown error");
	if (!raw_commit(w, &nd->id, &data, &len) ||
	    sfmc_gittree_commit_parse(data, len, &nd->tree, &nd->parent_ids, &np) < 0) {
		free(data);
		nd->flags |= BROKEN;
		snprintf(msg, sizeof(msg), "cannot read commit %s: %s", hex, why);
		return report ? sfmc_results_add_error(w->out, hex, msg) : 0;
	}
	if (sfmc_gittree_commit_time(data, len, &nd->time) != SFMC_OK)
		nd->time = 0; /* only orders the walk */
	if (show_raw(w->msgs, 0, &nd->id, data, len) < 0) {
		free(data);
		return -1;
	}
	free(data);
	nd->nall = (uint32_t)np;
	nd->nparents = nd->flags & SHALLOW ? 0 : nd->nall;
	snprintf(msg, sizeof(msg),
		 "warning: commit %s: libgit2 cannot parse its metadata (%s); its tree and parents were read and "
		 "the history behind it scanned, but what it introduces has no author or date",
		 hex, why);
	if (report && sfmc_results_add_error(w->out, hex, msg) < 0)
		return -1;
	return post_parents(w, nd);
}

/* Index of the node for id, reading the commit when it is new. A commit that
 * cannot be read becomes a BROKEN node (and an error when report is set). */
static int get_node(walk *w, const git_oid *id, uint32_t *idx, bool report)
{
	git_commit *c = NULL;
	node *nd;
	uint32_t v = (uint32_t)w->n, dummy;
	int rc;

	if ((rc = sfmc_oidmap_put(&w->index, id, 0, &v)) != 0) {
		*idx = v;
		return rc < 0 ? -1 : 0;
	}
	if (sfmc_array_reserve((void **)&w->nodes, w->n, &w->a, sizeof(*w->nodes)) < 0)
		return -1;
	nd = &w->nodes[w->n];
	memset(nd, 0, sizeof(*nd));
	git_oid_cpy(&nd->id, id);
	*idx = (uint32_t)w->n++;
	if (sfmc_oidmap_get(&w->shallow, id, 0, &dummy))
		nd->flags |= SHALLOW;
	/* Declined by a pack reader: it checked the delta chain; else the guard does. */
	if ((rc = read_fast(w, nd)) == SFMC_EDECLINED && !w->reader && sfmc_packguard_check(w->guard, id) < 0)
		rc = SFMC_ELIMIT;
	if (rc == SFMC_ELIMIT) {
		nd->flags |= BROKEN; /* libgit2 would loop on it */
		return report ? sfmc_results_add_error(w->out, git_oid_tostr_s(id), sfmc_error_last()) : 0;
	}
	if (rc != SFMC_EDECLINED)
		return rc < 0 ? -1 : 0;
	if (git_commit_lookup(&c, w->repo, id) < 0)
		return read_own(w, nd, report);
	nd->time = (int64_t)git_commit_time(c);
	git_oid_cpy(&nd->tree, git_commit_tree_id(c));
	nd->nall = git_commit_parentcount(c);
	nd->nparents = nd->flags & SHALLOW ? 0 : nd->nall;
	if (nd->nall && !(nd->parent_ids = malloc(nd->nall * sizeof(git_oid)))) {
		git_commit_free(c);
		return sfmc_error_set("out of memory");
	}
	for (uint32_t i = 0; i < nd->nall; i++)
		git_oid_cpy(&nd->parent_ids[i], git_commit_parent_id(c, i));
	rc = w->msgs && git_commit_message_raw(c)
		     ? w->msgs->fn(w->msgs->payload, 0, id, (const unsigned char *)git_commit_message_raw(c),
				   strlen(git_commit_message_raw(c)))
		     : 0;
	git_commit_free(c);
	if (rc < 0)
		return -1;
	return post_parents(w, nd);
}

static bool heap_less(const walk *w, uint32_t x, uint32_t y)
{
	const node *a = &w->nodes[x], *b = &w->nodes[y];
	int c;
	if (a->time != b->time)
		return w->oldest_first ? a->time < b->time : a->time > b->time;
	c = git_oid_cmp(&a->id, &b->id);
	return c < 0;
}

static int heap_push(walk *w, uint32_t x)
{
	size_t i;
	if (sfmc_array_reserve((void **)&w->heap, w->nheap, &w->aheap, sizeof(*w->heap)) < 0)
		return -1;
	for (i = w->nheap++; i && heap_less(w, x, w->heap[(i - 1) / 2]); i = (i - 1) / 2)
		w->heap[i] = w->heap[(i - 1) / 2];
	w->heap[i] = x;
	return 0;
}

static uint32_t heap_pop(walk *w)
{
	uint32_t top = w->heap[0], last = w->heap[--w->nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= w->nheap)
			break;
		if (c + 1 < w->nheap && heap_less(w, w->heap[c + 1], w->heap[c]))
			c++;
		if (!heap_less(w, w->heap[c], last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->nheap)
		w->heap[i] = last;
	return top;
}

static int enqueue(walk *w, uint32_t x)
{
	node *nd = &w->nodes[x];
	if (nd->flags & (QUEUED | BROKEN))
		return 0;
	nd->flags |= QUEUED | IN_QUEUE;
	if (!(nd->flags & UNINTERESTING))
		w->interesting++;
	return heap_push(w, x);
}

/* Marks x and its already-expanded ancestors uninteresting. */
static int mark_uninteresting(walk *w, uint32_t x)
{
	uint32_t *stack = NULL;
	size_t n = 0, a = 0;
	int rc = 0;

	for (;;) {
		node *nd = &w->nodes[x];
		if (!(nd->flags & UNINTERESTING)) {
			nd->flags |= UNINTERESTING;
			if (nd->flags & IN_QUEUE)
				w->interesting--;
			for (uint32_t i = 0; (nd->flags & EXPANDED) && i < nd->nparents; i++) {
				if (sfmc_array_reserve((void **)&stack, n, &a, sizeof(*stack)) < 0) {
					rc = -1;
					goto cleanup;
				}
				stack[n++] = nd->parents[i];
			}
		}
		if (!n)
			break;
		x = stack[--n];
	}
cleanup:
	free(stack);
	return rc;
}

/* Resolves x's parents to nodes and queues them, passing on uninterest. */
static int expand(walk *w, uint32_t x)
{
	uint32_t np = w->nodes[x].nparents, p;

	if (np && !(w->nodes[x].parents = malloc(np * sizeof(uint32_t))))
		return sfmc_error_set("out of memory");
	for (uint32_t i = 0; i < np; i++) {
		if (get_node(w, &w->nodes[x].parent_ids[i], &p, true) < 0)
			return -1;
		w->nodes[x].parents[i] = p; /* nodes may have moved: index again */
		if ((w->nodes[x].flags & UNINTERESTING) && mark_uninteresting(w, p) < 0)
			return -1;
		if (enqueue(w, p) < 0)
			return -1;
	}
	w->nodes[x].flags |= EXPANDED;
	return 0;
}

static int push_tips(walk *w, const git_oid *ids, size_t n, bool uninteresting)
{
	uint32_t x;
	for (size_t i = 0; i < n; i++) {
		if (git_oid_is_zero(&ids[i]))
			continue;
		/* A missing exclude tip (a remote commit never fetched) only excludes less. */
		if (get_node(w, &ids[i], &x, !uninteresting) < 0)
			return -1;
		if (uninteresting && mark_uninteresting(w, x) < 0)
			return -1;
		if (enqueue(w, x) < 0)
			return -1;
	}
	return 0;
}

/* Walks newest first until only uninteresting commits are queued (git's
 * limit_list): every interesting commit is then expanded. */
static int limit(walk *w)
{
	while (w->nheap && w->interesting) {
		uint32_t x = heap_pop(w);
		w->nodes[x].flags &= ~IN_QUEUE;
		if (!(w->nodes[x].flags & UNINTERESTING))
			w->interesting--;
		if (expand(w, x) < 0)
			return -1;
	}
	return 0;
}

static bool selected(const node *nd)
{
	return (nd->flags & (UNINTERESTING | BROKEN | EXPANDED)) == EXPANDED;
}

/* Selected children of each selected node (CSR: child[start[x] .. start[x + 1]))
 * and the number of selected parents of each. */
typedef struct edges {
	size_t *start;
	uint32_t *child;
	uint32_t *pending;
} edges;

static void edges_dispose(edges *g)
{
	free(g->start);
	free(g->child);
	free(g->pending);
}

static int build_edges(const walk *w, edges *g)
{
	size_t nedges = 0, *fill;

	g->start = calloc(w->n + 1, sizeof(*g->start));
	g->pending = calloc(w->n ? w->n : 1, sizeof(*g->pending));
	if (!g->start || !g->pending)
		return sfmc_error_set("out of memory");
	for (size_t x = 0; x < w->n; x++)
		for (uint32_t i = 0; selected(&w->nodes[x]) && i < w->nodes[x].nparents; i++)
			if (selected(&w->nodes[w->nodes[x].parents[i]])) {
				g->start[w->nodes[x].parents[i] + 1]++;
				g->pending[x]++;
				nedges++;
			}
	for (size_t x = 0; x < w->n; x++)
		g->start[x + 1] += g->start[x];
	g->child = malloc((nedges ? nedges : 1) * sizeof(*g->child));
	fill = calloc(w->n ? w->n : 1, sizeof(*fill));
	if (!g->child || !fill) {
		free(fill);
		return sfmc_error_set("out of memory");
	}
	for (size_t x = 0; x < w->n; x++)
		for (uint32_t i = 0; selected(&w->nodes[x]) && i < w->nodes[x].nparents; i++) {
			uint32_t p = w->nodes[x].parents[i];
			if (selected(&w->nodes[p]))
				g->child[g->start[p] + fill[p]++] = (uint32_t)x;
		}
	free(fill);
	return 0;
}

/* Kahn's algorithm over the selected nodes: parents first, oldest first. */
static int order(walk *w, sfmc_gitwalk_commit **commits, size_t *ncommits)
{
	edges g = { 0 };
	size_t k = 0;
	int rc = -1;

	*commits = malloc((w->n ? w->n : 1) * sizeof(**commits));
	if (!*commits) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (build_edges(w, &g) < 0)
		goto cleanup;
	w->oldest_first = true;
	w->nheap = 0;
	for (size_t x = 0; x < w->n; x++)
		if (selected(&w->nodes[x]) && !g.pending[x] && heap_push(w, (uint32_t)x) < 0)
			goto cleanup;
	while (w->nheap) {
		uint32_t x = heap_pop(w);
		sfmc_gitwalk_commit *out = &(*commits)[k++];
		git_oid_cpy(&out->id, &w->nodes[x].id);
		git_oid_cpy(&out->tree, &w->nodes[x].tree);
		out->parents = w->nodes[x].parent_ids; /* handed over */
		out->nparents = w->nodes[x].nall;
		w->nodes[x].parent_ids = NULL;
		for (size_t e = g.start[x]; e < g.start[x + 1]; e++)
			if (--g.pending[g.child[e]] == 0 && heap_push(w, g.child[e]) < 0)
				goto cleanup;
	}
	*ncommits = k;
	rc = 0;
cleanup:
	edges_dispose(&g);
	if (rc < 0) {
		sfmc_gitwalk_free(*commits, k);
		*commits = NULL;
	}
	return rc;
}

static void walk_dispose(walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->nodes[i].parent_ids);
		free(w->nodes[i].parents);
	}
	free(w->nodes);
	free(w->heap);
	sfmc_oidmap_dispose(&w->index);
	sfmc_oidmap_dispose(&w->shallow);
	sfmc_gittree_reader_free(w->reader);
	sfmc_packguard_free(w->guard);
}

int sfmc_gitwalk_select(git_repository *repo, sfmc_packset *packs, const git_oid *include, size_t ninclude,
			const git_oid *exclude, size_t nexclude, bool read_ahead, const sfmc_gitwalk_msgs *msgs,
			sfmc_results *out, sfmc_gitwalk_commit **commits, size_t *ncommits)
{
	walk w = { .repo = repo, .packs = packs, .out = out, .msgs = msgs };
	ahead a;
	int rc = -1;

	*commits = NULL;
	*ncommits = 0;
	sfmc_oidmap_init(&w.index);
	sfmc_oidmap_init(&w.shallow);
	if (read_ahead && !nexclude && ahead_start(&a, packs, msgs))
		w.ahead = &a;
	if (sfmc_packguard_new(&w.guard, repo) < 0 || load_shallow(&w) < 0 ||
	    push_tips(&w, exclude, nexclude, true) < 0 || push_tips(&w, include, ninclude, false) < 0 || limit(&w) < 0)
		goto cleanup;
	if (w.ahead) {
		ahead_stop(w.ahead);
		w.ahead = NULL;
	}
	if (order(&w, commits, ncommits) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (w.ahead)
		ahead_stop(w.ahead);
	walk_dispose(&w);
	return rc;
}

void sfmc_gitwalk_free(sfmc_gitwalk_commit *commits, size_t n)
{
	for (size_t i = 0; commits && i < n; i++)
		free(commits[i].parents);
	free(commits);
}
