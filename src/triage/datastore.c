/* datastore.c - the SQLite datastore (datastore.h; schema in docs/datastore.md). */
#define _GNU_SOURCE
#include "triage/datastore.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

/* One finding of a blob scanned before, as stored. */
typedef struct known_finding {
	char blob[41];
	sfmc_finding f; /* owned strings; secret is the redacted placeholder */
} known_finding;

typedef struct triage_row {
	char fingerprint[65];
	char *status, *reason;
} triage_row;

struct sfmc_datastore {
	sqlite3 *db;
	char *path;
	/* incremental git scans (sfmc_datastore_blob_hooks) */
	char rules_hash[65];
	const sfmc_ruleset *rules;
	char (*known)[41]; /* sorted */
	size_t nknown, aknown;
	known_finding *kf; /* sorted by blob */
	size_t nkf, akf;
	size_t reused;
	char (*scanned)[41];
	size_t nscanned, ascanned;
	sfmc_results pending; /* findings of the blobs scanned now, per blob */
	sfmc_blobset_hooks hooks;
	/* sfmc_datastore_load: the repository of each finding read back */
	struct origin {
		int64_t id;
		char *root, *remote_url;
	} * repos;
	size_t nrepos, arepos;
	uint32_t *origin; /* per finding read back: index in repos */
	size_t norigin, aorigin;
	/* triage, loaded on first use */
	triage_row *triage;
	size_t ntriage, atriage;
	bool triage_loaded;
};

/* Migrations: schema_version N is reached by running migrations[N - 1]. */
static const char *const migrations[] = {
	"CREATE TABLE repositories(id INTEGER PRIMARY KEY, root TEXT NOT NULL UNIQUE, mode TEXT NOT NULL,"
	" remote_url TEXT);"
	"CREATE TABLE scans(id INTEGER PRIMARY KEY, repository_id INTEGER NOT NULL REFERENCES repositories(id),"
	" mode TEXT NOT NULL, rules_hash TEXT NOT NULL, head_commit TEXT, started INTEGER NOT NULL,"
	" finished INTEGER NOT NULL, blobs_scanned INTEGER NOT NULL, blobs_reused INTEGER NOT NULL,"
	" findings INTEGER NOT NULL, errors INTEGER NOT NULL, tool_version TEXT NOT NULL);"
	"CREATE TABLE blobs(blob TEXT NOT NULL, rules_hash TEXT NOT NULL, scan_id INTEGER NOT NULL,"
	" PRIMARY KEY(rules_hash, blob)) WITHOUT ROWID;"
	"CREATE TABLE blob_findings(blob TEXT NOT NULL, rules_hash TEXT NOT NULL, rule_id TEXT NOT NULL,"
	" level INTEGER NOT NULL, checksum_valid INTEGER NOT NULL, offset INTEGER NOT NULL, line INTEGER NOT NULL,"
	" col INTEGER NOT NULL, end_col INTEGER NOT NULL, shown TEXT NOT NULL, secret_len INTEGER NOT NULL,"
	" fingerprint TEXT NOT NULL, encoding TEXT, suppressed INTEGER NOT NULL, suppress_reason TEXT);"
	"CREATE INDEX blob_findings_blob ON blob_findings(rules_hash, blob);"
	"CREATE TABLE findings(fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, shown TEXT NOT NULL,"
	" secret_len INTEGER NOT NULL, first_seen INTEGER, last_seen INTEGER) WITHOUT ROWID;"
	"CREATE TABLE locations(id INTEGER PRIMARY KEY, repository_id INTEGER NOT NULL REFERENCES repositories(id),"
	" scan_id INTEGER NOT NULL REFERENCES scans(id), fingerprint TEXT NOT NULL REFERENCES findings(fingerprint),"
	" rule_id TEXT NOT NULL, level INTEGER NOT NULL, checksum_valid INTEGER NOT NULL, path BLOB NOT NULL,"
	" offset INTEGER NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, end_col INTEGER NOT NULL,"
	" shown TEXT NOT NULL, secret_len INTEGER NOT NULL, encoding TEXT, blob TEXT, commit_id TEXT, author_name TEXT, author_email TEXT, commit_time INTEGER,"
	" summary TEXT, suppressed INTEGER NOT NULL, suppress_reason TEXT);"
	"CREATE INDEX locations_repository ON locations(repository_id);"
	"CREATE INDEX locations_fingerprint ON locations(fingerprint);"
	"CREATE TABLE triage(fingerprint TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT,"
	" updated INTEGER NOT NULL, reintroduced INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
	/* 2: a blob's findings keep their credential context (client id, subdomain, MID); the blobs
	 * recorded without it are read again once */
	"ALTER TABLE blob_findings ADD COLUMN context TEXT;"
	"DELETE FROM blob_findings;"
	"DELETE FROM blobs;",
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int db_fail(sfmc_datastore *ds, const char *what)
{
	int code = sqlite3_errcode(ds->db);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
		sfmc_error_set("%s: datastore busy (another sfmc-scan is writing it; try again)", ds->path);
		return SFMC_EBUSY;
	}
	return sfmc_error_set("%s: %s: %s", ds->path, what, sqlite3_errmsg(ds->db));
}

static int exec(sfmc_datastore *ds, const char *sql)
{
	return sqlite3_exec(ds->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(ds, "cannot update");
}

static int prepare(sfmc_datastore *ds, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v2(ds->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : db_fail(ds, "cannot read");
}

/* The test hook for kill -9 and concurrency tests: stall inside the write transaction. */
static void test_stall(void)
{
	const char *ms = getenv("SFMC_TEST_DATASTORE_STALL_MS");

	if (ms && *ms) {
		fprintf(stderr, "sfmc-scan: datastore: stalling before commit\n");
		usleep((useconds_t)strtoul(ms, NULL, 10) * 1000);
	}
}

static int schema_version(sfmc_datastore *ds, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(ds, &st, "PRAGMA user_version")) < 0)
		return rc;
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : db_fail(ds, "cannot read the schema version");
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* Brings the schema to the newest version, one transaction per migration. */
static int migrate(sfmc_datastore *ds)
{
	char sql[64];
	int v, rc;

	/* Up to date: no write lock taken, so readers never wait for a writer. */
	if ((rc = schema_version(ds, &v)) < 0 || v == (int)NMIGRATIONS)
		return rc;
	if ((rc = exec(ds, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = schema_version(ds, &v)) < 0)
		goto fail;
	if (v > (int)NMIGRATIONS) {
		rc = sfmc_error_set("%s: schema version %d is newer than this sfmc-scan knows (%zu)", ds->path, v,
				    NMIGRATIONS);
		goto fail;
	}
	for (; v < (int)NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(ds, migrations[v])) < 0 || (rc = exec(ds, sql)) < 0)
			goto fail;
	}
	return exec(ds, "COMMIT");
fail:
	sqlite3_exec(ds->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int busy_ms(void)
{
	const char *e = getenv("SFMC_DATASTORE_BUSY_MS");
	return e && *e ? atoi(e) : SFMC_DATASTORE_BUSY_MS;
}

/* WAL mode, once per file. Two processes converting a new file at once can
 * deadlock on its locks, and SQLite then answers busy at once, without the
 * busy handler: try again for as long as the busy wait. */
static int set_wal(sfmc_datastore *ds)
{
	int limit = busy_ms();

	for (int waited = 0;; waited += 10) {
		sqlite3_stmt *st = NULL;
		int s = sqlite3_prepare_v2(ds->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		const unsigned char *mode;

		if (s == SQLITE_OK)
			s = sqlite3_step(st);
		mode = s == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
		if (mode && !strcmp((const char *)mode, "wal")) {
			sqlite3_finalize(st);
			return 0;
		}
		sqlite3_finalize(st);
		if (s == SQLITE_ROW)
			return sfmc_error_set("%s: cannot use the WAL journal here", ds->path);
		if ((s != SQLITE_BUSY && s != SQLITE_LOCKED) || waited >= limit)
			return db_fail(ds, "cannot open");
		usleep(10000);
	}
}

int sfmc_datastore_open(sfmc_datastore **out, const char *path)
{
	sfmc_datastore *ds = calloc(1, sizeof(*ds));
	int rc;

	*out = NULL;
	if (!ds || !(ds->path = strdup(path))) {
		free(ds);
		return sfmc_error_set("out of memory");
	}
	sfmc_results_init(&ds->pending);
	if (sqlite3_open_v2(path, &ds->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) !=
	    SQLITE_OK) {
		rc = sfmc_error_set("%s: cannot open the datastore: %s", path,
				    ds->db ? sqlite3_errmsg(ds->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(ds->db, busy_ms());
	if ((rc = set_wal(ds)) < 0 || (rc = exec(ds, "PRAGMA synchronous=NORMAL")) < 0 ||
	    (rc = exec(ds, "PRAGMA foreign_keys=ON")) < 0 || (rc = migrate(ds)) < 0)
		goto fail;
	*out = ds;
	return 0;
fail:
	sfmc_datastore_close(ds);
	return rc;
}

const char *sfmc_datastore_path(const sfmc_datastore *ds)
{
	return ds->path;
}

static void free_triage(sfmc_datastore *ds)
{
	for (size_t i = 0; i < ds->ntriage; i++) {
		free(ds->triage[i].status);
		free(ds->triage[i].reason);
	}
	free(ds->triage);
	ds->triage = NULL;
	ds->ntriage = ds->atriage = 0;
	ds->triage_loaded = false;
}

void sfmc_datastore_close(sfmc_datastore *ds)
{
	if (!ds)
		return;
	sqlite3_close(ds->db);
	for (size_t i = 0; i < ds->nkf; i++)
		sfmc_finding_dispose(&ds->kf[i].f);
	free(ds->kf);
	free(ds->known);
	free(ds->scanned);
	sfmc_results_dispose(&ds->pending);
	free_triage(ds);
	for (size_t i = 0; i < ds->nrepos; i++) {
		free(ds->repos[i].root);
		free(ds->repos[i].remote_url);
	}
	free(ds->repos);
	free(ds->origin);
	free(ds->path);
	free(ds);
}

static int hash_rule(sfmc_buf *b, const sfmc_rule *r)
{
	int rc = sfmc_buf_printf(b, "%s\n%s\n%d %d %u %u %zu %u %s\n", r->id, r->regex ? r->regex : "", r->has_checksum,
				 r->body_group, r->placeholder_min_distinct, r->max_lifetime_days, r->window,
				 r->decoders, r->severity ? r->severity : "");

	if (r->context)
		rc |= sfmc_buf_printf(b, "c %d %d %u\n", (int)r->context, r->value_group, r->context_lines);
	for (size_t k = 0; k < r->nkeywords; k++)
		rc |= sfmc_buf_printf(b, "k %s\n", r->keywords[k]);
	return rc;
}

int sfmc_datastore_rules_hash(const sfmc_ruleset *rules, char out[65])
{
	sfmc_buf b;
	int rc = 0;

	sfmc_buf_init(&b, 0);
	rc |= sfmc_buf_printf(&b, "sfmc-scan %s\n", SFMC_VERSION);
	for (size_t i = 0; i < rules->nrules; i++)
		rc |= hash_rule(&b, &rules->rules[i]);
	/* Context rules too: a blob's stored findings carry what they found. */
	for (size_t i = 0; i < rules->ncontext; i++)
		rc |= hash_rule(&b, &rules->context[i]);
	if (rc == 0)
		rc = sfmc_fingerprint_hex(b.ptr ? b.ptr : "", b.size, out);
	sfmc_buf_dispose(&b);
	return rc < 0 ? sfmc_error_set("cannot hash the rules") : 0;
}

static int cmp_hex(const void *a, const void *b)
{
	return memcmp(a, b, 40);
}

static int cmp_kf(const void *a, const void *b)
{
	return memcmp(((const known_finding *)a)->blob, ((const known_finding *)b)->blob, 40);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

/* A finding from a row: rule_id, level, checksum_valid, offset, line, col,
 * end_col, shown, secret_len, fingerprint, encoding, suppressed,
 * suppress_reason from column c on. The secret is the shown characters
 * padded to its length: redacting it shows what redacting the secret did. */
static int finding_from_row(sqlite3_stmt *st, int c, const sfmc_ruleset *rules, sfmc_finding *f)
{
	const char *shown = (const char *)sqlite3_column_text(st, c + 7);
	size_t len = (size_t)sqlite3_column_int64(st, c + 8), sl = shown ? strlen(shown) : 0;

	memset(f, 0, sizeof(*f));
	if (!(f->rule = sfmc_rules_find(rules, (const char *)sqlite3_column_text(st, c))))
		return SFMC_ENOTFOUND;
	f->level = (sfmc_level)sqlite3_column_int(st, c + 1);
	f->checksum_valid = sqlite3_column_int(st, c + 2) != 0;
	f->offset = (uint64_t)sqlite3_column_int64(st, c + 3);
	f->line = (uint64_t)sqlite3_column_int64(st, c + 4);
	f->column = (uint64_t)sqlite3_column_int64(st, c + 5);
	f->end_column = (uint64_t)sqlite3_column_int64(st, c + 6);
	if (len < sl || len > SFMC_DATASTORE_MAX_SECRET || !(f->secret = malloc(len + 1)))
		return sfmc_error_set("datastore: a finding of %zu bytes cannot be read back", len);
	memcpy(f->secret, shown, sl);
	memset(f->secret + sl, '*', len - sl);
	f->secret[len] = '\0';
	f->secret_len = len;
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", (const char *)sqlite3_column_text(st, c + 9));
	f->encoding = col_dup(st, c + 10);
	f->suppressed = (sfmc_suppress_kind)sqlite3_column_int(st, c + 11);
	f->suppress_reason = col_dup(st, c + 12);
	return 0;
}

#define FINDING_COLS                                                                                             \
	"rule_id, level, checksum_valid, offset, line, col, end_col, shown, secret_len, fingerprint, encoding, " \
	"suppressed, suppress_reason"

/* A finding's context as stored: {"client_id": [value, line, others], ...};
 * *out NULL when it has none. Returns 0, or -1 (out of memory). */
static int context_text(const sfmc_finding *f, char **out)
{
	json_t *o = json_object();
	int rc = o ? 0 : -1, n = 0;

	*out = NULL;
	for (int k = 1; k < SFMC_CONTEXT_KINDS && rc == 0; k++)
		if (f->context[k].value && ++n)
			rc = json_object_set_new(o, sfmc_context_kind_name((sfmc_context_kind)k),
						 json_pack("[s, I, i]", f->context[k].value,
							   (json_int_t)f->context[k].line, (int)f->context[k].others));
	if (rc == 0 && n && !(*out = json_dumps(o, JSON_COMPACT)))
		rc = -1;
	json_decref(o);
	return rc < 0 ? sfmc_error_set("out of memory") : 0;
}

/* The context a stored finding had (context_text's form). */
static int context_from_text(sfmc_finding *f, const char *s)
{
	json_t *o = s ? json_loads(s, 0, NULL) : NULL;
	int rc = 0;

	for (int k = 1; k < SFMC_CONTEXT_KINDS && o && rc == 0; k++) {
		json_t *e = json_object_get(o, sfmc_context_kind_name((sfmc_context_kind)k));
		const char *v = json_string_value(json_array_get(e, 0));
		if (!e)
			continue;
		if (!v || !(f->context[k].value = strdup(v))) {
			rc = sfmc_error_set("datastore: a finding's context cannot be read back");
			break;
		}
		f->context[k].line = (uint64_t)json_integer_value(json_array_get(e, 1));
		f->context[k].others = (unsigned)json_integer_value(json_array_get(e, 2));
	}
	if (s && !o)
		rc = sfmc_error_set("datastore: a finding's context cannot be read back");
	json_decref(o);
	return rc;
}

/* Loads the blobs scanned with ds->rules_hash, and their findings. */
static int load_known(sfmc_datastore *ds)
{
	sqlite3_stmt *st = NULL;
	int rc, s;

	if ((rc = prepare(ds, &st, "SELECT blob FROM blobs WHERE rules_hash = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, ds->rules_hash, -1, SQLITE_STATIC);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 0);
		if (!b || strlen(b) != 40 || (rc = SFMC_ARRAY_GROW(ds->known, ds->nknown, ds->aknown)) < 0)
			continue;
		memcpy(ds->known[ds->nknown++], b, 41);
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_fail(ds, "cannot read the blobs scanned before");
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = prepare(ds, &st, "SELECT blob, " FINDING_COLS ", context FROM blob_findings WHERE rules_hash = ?1")) <
		    0)
		return rc;
	sqlite3_bind_text(st, 1, ds->rules_hash, -1, SQLITE_STATIC);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		known_finding *k;
		if ((rc = SFMC_ARRAY_GROW(ds->kf, ds->nkf, ds->akf)) < 0)
			break;
		k = &ds->kf[ds->nkf];
		snprintf(k->blob, sizeof(k->blob), "%s", (const char *)sqlite3_column_text(st, 0));
		if ((rc = finding_from_row(st, 1, ds->rules, &k->f)) == 0 &&
		    (rc = context_from_text(&k->f, (const char *)sqlite3_column_text(st, 14))) == 0)
			ds->nkf++;
		else
			sfmc_finding_dispose(&k->f);
	}
	sqlite3_finalize(st);
	/* qsort's array may not be NULL, even for no element (UBSan). */
	if (ds->nknown)
		qsort(ds->known, ds->nknown, sizeof(*ds->known), cmp_hex);
	if (ds->nkf)
		qsort(ds->kf, ds->nkf, sizeof(*ds->kf), cmp_kf);
	return rc == SFMC_ENOTFOUND ? sfmc_error_set("datastore: a rule of the same rule set is missing") : rc;
}

static int hook_known(void *ctx, const char *hex, sfmc_results *into)
{
	sfmc_datastore *ds = ctx;
	known_finding key;
	size_t lo = 0, hi = ds->nkf;

	if (!ds->nknown || !bsearch(hex, ds->known, ds->nknown, sizeof(*ds->known), cmp_hex))
		return 0;
	memcpy(key.blob, hex, 41);
	while (lo < hi) { /* the first finding of hex */
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_kf(&ds->kf[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ds->nkf && !cmp_kf(&ds->kf[lo], &key); lo++) {
		sfmc_finding f = ds->kf[lo].f;
		f.path = (char *)hex;
		f.path_len = 40;
		memcpy(f.blob, hex, 41);
		if (sfmc_results_add_finding(into, &f) < 0)
			return -1;
	}
	ds->reused++;
	return 1;
}

static int hook_scanned(void *ctx, const char *hex)
{
	sfmc_datastore *ds = ctx;

	if (SFMC_ARRAY_GROW(ds->scanned, ds->nscanned, ds->ascanned) < 0)
		return -1;
	memcpy(ds->scanned[ds->nscanned++], hex, 41);
	return 0;
}

static int hook_finding(void *ctx, const sfmc_finding *f)
{
	return sfmc_results_add_finding(&((sfmc_datastore *)ctx)->pending, f);
}

int sfmc_datastore_blob_hooks(sfmc_datastore *ds, const char *rules_hash, const sfmc_ruleset *rules,
			      const sfmc_blobset_hooks **hooks)
{
	snprintf(ds->rules_hash, sizeof(ds->rules_hash), "%s", rules_hash);
	ds->rules = rules;
	ds->hooks = (sfmc_blobset_hooks){ hook_known, hook_scanned, hook_finding, ds };
	*hooks = &ds->hooks;
	return load_known(ds);
}

size_t sfmc_datastore_reused(const sfmc_datastore *ds)
{
	return ds->reused;
}

/* Binds the columns of FINDING_COLS from index i on. */
static int bind_finding(sqlite3_stmt *st, int i, const sfmc_finding *f)
{
	char *shown = sfmc_finding_redact(f);
	size_t sl;

	if (!shown)
		return sfmc_error_set("out of memory");
	sl = strlen(shown);
	if (sl >= 3 && !memcmp(shown + sl - 3, "\xe2\x80\xa6", 3))
		shown[sl - 3] = '\0'; /* the ellipsis is the report's */
	sqlite3_bind_text(st, i, f->rule->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i + 1, (int)f->level);
	sqlite3_bind_int(st, i + 2, f->checksum_valid);
	sqlite3_bind_int64(st, i + 3, (sqlite3_int64)f->offset);
	sqlite3_bind_int64(st, i + 4, (sqlite3_int64)f->line);
	sqlite3_bind_int64(st, i + 5, (sqlite3_int64)f->column);
	sqlite3_bind_int64(st, i + 6, (sqlite3_int64)f->end_column);
	sqlite3_bind_text(st, i + 7, shown, -1, free);
	sqlite3_bind_int64(st, i + 8, (sqlite3_int64)f->secret_len);
	sqlite3_bind_text(st, i + 9, f->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i + 10, f->encoding, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i + 11, (int)f->suppressed);
	sqlite3_bind_text(st, i + 12, f->suppress_reason, -1, SQLITE_STATIC);
	return 0;
}

/* Runs st once and resets it for the next row. */
static int step(sfmc_datastore *ds, sqlite3_stmt *st)
{
	int s = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return s == SQLITE_DONE || s == SQLITE_ROW ? 0 : db_fail(ds, "cannot write");
}

/* The repository's row (made or updated) and a new scan row. */
static int add_scan(sfmc_datastore *ds, const sfmc_datastore_scan *sc, const sfmc_results *res, int64_t *repo,
		    int64_t *scan)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(ds, &st,
			  "INSERT INTO repositories(root, mode, remote_url) VALUES(?1, ?2, ?3) ON CONFLICT(root) DO "
			  "UPDATE SET mode = ?2, remote_url = coalesce(?3, remote_url) RETURNING id")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, sc->repository, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sc->mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sc->remote_url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : db_fail(ds, "cannot write");
	*repo = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = prepare(ds, &st,
			  "INSERT INTO scans(repository_id, mode, rules_hash, head_commit, started, finished, "
			  "blobs_scanned, blobs_reused, findings, errors, tool_version) "
			  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, *repo);
	sqlite3_bind_text(st, 2, sc->mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sc->rules_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sc->head_commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, sc->started);
	sqlite3_bind_int64(st, 6, sc->finished);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)ds->nscanned);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)ds->reused);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)res->nfindings);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)res->nerrors);
	sqlite3_bind_text(st, 11, SFMC_VERSION, -1, SQLITE_STATIC);
	rc = step(ds, st);
	*scan = sqlite3_last_insert_rowid(ds->db);
	sqlite3_finalize(st);
	return rc;
}

/* The blobs scanned whole now, and what they held, for the next run. */
static int add_blobs(sfmc_datastore *ds, int64_t scan)
{
	sqlite3_stmt *b = NULL, *f = NULL;
	int rc;

	if ((rc = prepare(ds, &b, "INSERT OR REPLACE INTO blobs(blob, rules_hash, scan_id) VALUES(?1, ?2, ?3)")) < 0 ||
	    (rc = prepare(ds, &f,
			  "INSERT INTO blob_findings(blob, rules_hash, " FINDING_COLS
			  ", context) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")) <
		    0)
		goto cleanup;
	if (ds->nscanned) /* in key order: appends to the table's b-tree, twice as fast as random inserts */
		qsort(ds->scanned, ds->nscanned, sizeof(*ds->scanned), cmp_hex);
	for (size_t i = 0; rc == 0 && i < ds->nscanned; i++) {
		sqlite3_bind_text(b, 1, ds->scanned[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(b, 2, ds->rules_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(b, 3, scan);
		rc = step(ds, b);
	}
	for (size_t i = 0; rc == 0 && i < ds->pending.nfindings; i++) {
		const sfmc_finding *x = &ds->pending.findings[i];
		char *ctx;
		if ((rc = context_text(x, &ctx)) < 0)
			break;
		sqlite3_bind_text(f, 1, x->blob, -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 2, ds->rules_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 16, ctx, -1, free);
		if ((rc = bind_finding(f, 3, x)) == 0)
			rc = step(ds, f);
	}
cleanup:
	sqlite3_finalize(b);
	sqlite3_finalize(f);
	return rc;
}

static void bind_commit(sqlite3_stmt *st, int i, const sfmc_commit_info *c)
{
	if (!c)
		return;
	sqlite3_bind_text(st, i, c->commit[0] ? c->commit : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i + 1, c->author_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i + 2, c->author_email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i + 3, c->time);
	sqlite3_bind_text(st, i + 4, c->summary, -1, SQLITE_STATIC);
}

/* One location: the secret's row (first and last seen widened) and the place. */
static int add_location(sfmc_datastore *ds, sqlite3_stmt *sec, sqlite3_stmt *loc, const sfmc_finding *f, int64_t repo,
			int64_t scan, int64_t when)
{
	int rc;

	if ((rc = bind_finding(sec, 1, f)) < 0)
		return rc;
	sqlite3_bind_int64(sec, 14, f->commit && f->commit->time ? f->commit->time : when);
	if ((rc = step(ds, sec)) < 0 || (rc = bind_finding(loc, 1, f)) < 0)
		return rc;
	sqlite3_bind_int64(loc, 14, repo);
	sqlite3_bind_int64(loc, 15, scan);
	sqlite3_bind_blob(loc, 16, f->path, (int)f->path_len, SQLITE_STATIC);
	sqlite3_bind_text(loc, 17, f->blob[0] ? f->blob : NULL, -1, SQLITE_STATIC);
	bind_commit(loc, 18, f->commit);
	return step(ds, loc);
}

/* The repository's locations, replaced by this scan's. */
static int add_locations(sfmc_datastore *ds, const sfmc_results *res, int64_t repo, int64_t scan, int64_t when,
			 bool partial)
{
	sqlite3_stmt *del = NULL, *sec = NULL, *loc = NULL;
	int rc;

	if ((rc = prepare(ds, &del, "DELETE FROM locations WHERE repository_id = ?1")) < 0 ||
	    (rc = prepare(ds, &sec,
			  "INSERT INTO findings(rule_id, shown, secret_len, fingerprint, first_seen, last_seen) "
			  "VALUES(?1, ?8, ?9, ?10, ?14, ?14) ON CONFLICT(fingerprint) DO UPDATE SET first_seen = "
			  "min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)")) <
		    0 ||
	    (rc = prepare(
		     ds, &loc,
		     "INSERT INTO locations(" FINDING_COLS ", repository_id, scan_id, path, blob, commit_id, "
		     "author_name, author_email, commit_time, summary) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		     "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22 WHERE NOT EXISTS (SELECT 1 "
		     "FROM locations WHERE fingerprint = ?10 AND repository_id = ?14 AND path = ?16 AND line = ?5 AND "
		     "col = ?6 AND commit_id IS ?18)")) < 0)
		goto cleanup;
	sqlite3_bind_int64(del, 1, repo);
	if (!partial)
		rc = step(ds, del);
	for (size_t i = 0; rc == 0 && i < res->nfindings; i++)
		rc = add_location(ds, sec, loc, &res->findings[i], repo, scan, when);
cleanup:
	sqlite3_finalize(del);
	sqlite3_finalize(sec);
	sqlite3_finalize(loc);
	return rc;
}

/* A rotated secret seen in a commit made after it was triaged is back. */
static int flag_reintroduced(sfmc_datastore *ds, int64_t repo)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(ds, &st,
			  "UPDATE triage SET reintroduced = 1 WHERE status = 'rotated' AND EXISTS (SELECT 1 FROM "
			  "locations l WHERE l.repository_id = ?1 AND l.fingerprint = triage.fingerprint AND "
			  "l.commit_time > triage.updated)")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, repo);
	rc = step(ds, st);
	sqlite3_finalize(st);
	return rc;
}

int sfmc_datastore_record(sfmc_datastore *ds, const sfmc_datastore_scan *sc, const sfmc_results *res)
{
	int64_t repo = 0, scan = 0;
	int rc;

	if ((rc = exec(ds, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = add_scan(ds, sc, res, &repo, &scan)) < 0 || (rc = add_blobs(ds, scan)) < 0 ||
	    (rc = add_locations(ds, res, repo, scan, sc->finished, sc->partial || res->nerrors)) < 0 ||
	    (rc = flag_reintroduced(ds, repo)) < 0)
		goto fail;
	test_stall();
	if ((rc = exec(ds, "COMMIT")) < 0)
		goto fail;
	free_triage(ds); /* reintroduced flags may have changed */
	return 0;
fail:
	sqlite3_exec(ds->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

bool sfmc_triage_settled(const char *status)
{
	return status && strcmp(status, "open") && strcmp(status, "reintroduced");
}

/* The full fingerprint a prefix names: SFMC_ENOTFOUND, or SFMC_EINVALID when ambiguous. */
static int resolve(sfmc_datastore *ds, const char *prefix, char full[65])
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (strlen(prefix) < 8 || strlen(prefix) > 64 || strspn(prefix, "0123456789abcdef") != strlen(prefix))
		return sfmc_error_set("'%s': expected a fingerprint (at least 8 lowercase hex digits)", prefix),
		       SFMC_EINVALID;
	if ((rc = prepare(ds, &st,
			  "SELECT fingerprint FROM findings WHERE substr(fingerprint, 1, length(?1)) = ?1 "
			  "LIMIT 2")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (n++ == 0)
			snprintf(full, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (n == 0)
		return sfmc_error_set("%s: no secret with fingerprint %s in the datastore", ds->path, prefix),
		       SFMC_ENOTFOUND;
	if (n > 1)
		return sfmc_error_set("fingerprint prefix %s names more than one secret: give more digits", prefix),
		       SFMC_EINVALID;
	return 0;
}

int sfmc_datastore_triage(sfmc_datastore *ds, const char *fingerprint, const char *status, const char *reason,
			  char full[65])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = resolve(ds, fingerprint, full)) < 0)
		return rc;
	if ((rc = prepare(
		     ds, &st,
		     "INSERT INTO triage(fingerprint, status, reason, updated, reintroduced) VALUES(?1, ?2, ?3, ?4, 0) "
		     "ON CONFLICT(fingerprint) DO UPDATE SET status = ?2, reason = ?3, updated = ?4, "
		     "reintroduced = 0")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	rc = step(ds, st);
	sqlite3_finalize(st);
	free_triage(ds);
	return rc;
}

static int cmp_triage(const void *a, const void *b)
{
	return strcmp(((const triage_row *)a)->fingerprint, ((const triage_row *)b)->fingerprint);
}

static int load_triage(sfmc_datastore *ds)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(ds, &st,
			  "SELECT fingerprint, CASE WHEN reintroduced THEN 'reintroduced' ELSE status END, "
			  "reason FROM triage ORDER BY fingerprint")) < 0)
		return rc;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		triage_row *t;
		if ((rc = SFMC_ARRAY_GROW(ds->triage, ds->ntriage, ds->atriage)) < 0)
			break;
		t = &ds->triage[ds->ntriage++];
		snprintf(t->fingerprint, sizeof(t->fingerprint), "%s", (const char *)sqlite3_column_text(st, 0));
		t->status = col_dup(st, 1);
		t->reason = col_dup(st, 2);
		if (!t->status)
			rc = sfmc_error_set("out of memory");
	}
	sqlite3_finalize(st);
	if (ds->ntriage)
		qsort(ds->triage, ds->ntriage, sizeof(*ds->triage), cmp_triage);
	ds->triage_loaded = rc == 0;
	return rc;
}

int sfmc_datastore_triage_get(sfmc_datastore *ds, const char *fingerprint, sfmc_triage_info *out)
{
	triage_row key, *t;

	out->status = "open";
	out->reason = NULL;
	if (!ds->triage_loaded && load_triage(ds) < 0)
		return -1;
	snprintf(key.fingerprint, sizeof(key.fingerprint), "%s", fingerprint);
	if (ds->ntriage && (t = bsearch(&key, ds->triage, ds->ntriage, sizeof(*ds->triage), cmp_triage))) {
		out->status = t->status;
		out->reason = t->reason;
	}
	return 0;
}

/* Index in ds->repos of the repository of row st (column c: id, root, remote_url). */
static int origin_of(sfmc_datastore *ds, sqlite3_stmt *st, int c, uint32_t *idx)
{
	int64_t id = sqlite3_column_int64(st, c);
	struct origin *o;

	for (size_t i = 0; i < ds->nrepos; i++)
		if (ds->repos[i].id == id) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (SFMC_ARRAY_GROW(ds->repos, ds->nrepos, ds->arepos) < 0)
		return -1;
	o = &ds->repos[ds->nrepos];
	o->id = id;
	o->root = col_dup(st, c + 1);
	o->remote_url = col_dup(st, c + 2);
	if (!o->root)
		return sfmc_error_set("out of memory");
	*idx = (uint32_t)ds->nrepos++;
	return 0;
}

/* Fills commit info of f from columns c.. (commit_id, author_name, author_email, commit_time, summary). */
static int commit_from_row(sqlite3_stmt *st, int c, sfmc_finding *f)
{
	const char *id = (const char *)sqlite3_column_text(st, c);

	if (!id)
		return 0;
	if (!(f->commit = calloc(1, sizeof(*f->commit))))
		return sfmc_error_set("out of memory");
	snprintf(f->commit->commit, sizeof(f->commit->commit), "%s", id);
	f->commit->author_name = col_dup(st, c + 1);
	f->commit->author_email = col_dup(st, c + 2);
	f->commit->time = sqlite3_column_int64(st, c + 3);
	f->commit->summary = col_dup(st, c + 4);
	return 0;
}

/* One row of the report query as a finding appended to out. */
static int load_row(sfmc_datastore *ds, sqlite3_stmt *st, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_finding f;
	const void *path = sqlite3_column_blob(st, 13);
	size_t plen = (size_t)sqlite3_column_bytes(st, 13);
	uint32_t idx = 0;
	int rc;

	if ((rc = finding_from_row(st, 0, rules, &f)) == SFMC_ENOTFOUND) {
		sfmc_finding_dispose(&f);
		return sfmc_results_add_error(out, ds->path, "a recorded finding's rule is not in the rules in use");
	}
	if (rc == 0 && !(f.path = malloc(plen + 1)))
		rc = sfmc_error_set("out of memory");
	if (rc == 0) {
		memcpy(f.path, path ? path : "", plen);
		f.path[plen] = '\0';
		f.path_len = plen;
		snprintf(f.blob, sizeof(f.blob), "%s",
			 sqlite3_column_text(st, 14) ? (const char *)sqlite3_column_text(st, 14) : "");
		rc = commit_from_row(st, 15, &f);
	}
	if (rc == 0 && (rc = origin_of(ds, st, 20, &idx)) == 0 &&
	    (rc = SFMC_ARRAY_GROW(ds->origin, ds->norigin, ds->aorigin)) == 0 &&
	    (rc = sfmc_results_add_finding(out, &f)) == 0)
		ds->origin[ds->norigin++] = idx;
	sfmc_finding_dispose(&f);
	return rc;
}

int sfmc_datastore_load(sfmc_datastore *ds, const sfmc_datastore_query *q, const sfmc_ruleset *rules, sfmc_results *out,
			size_t *nrepos)
{
	sqlite3_stmt *st = NULL;
	int rc, s;

	if ((rc = prepare(ds, &st,
			  "SELECT l.rule_id, l.level, l.checksum_valid, l.offset, l.line, l.col, l.end_col, f.shown, "
			  "f.secret_len, l.fingerprint, l.encoding, l.suppressed, l.suppress_reason, l.path, l.blob, "
			  "l.commit_id, l.author_name, l.author_email, l.commit_time, l.summary, r.id, r.root, "
			  "r.remote_url FROM locations l JOIN findings f ON f.fingerprint = l.fingerprint "
			  "JOIN repositories r ON r.id = l.repository_id JOIN scans s ON s.id = l.scan_id "
			  "LEFT JOIN triage t ON t.fingerprint = l.fingerprint WHERE (?1 IS NULL OR coalesce(CASE "
			  "WHEN t.reintroduced THEN 'reintroduced' ELSE t.status END, 'open') = ?1) AND (?2 IS NULL OR "
			  "instr(r.root, ?2) > 0) AND coalesce(l.commit_time, s.finished) >= ?3 "
			  "ORDER BY r.root, l.path, l.line, l.col, l.rule_id")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, q->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->repository, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, q->since);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
		rc = load_row(ds, st, rules, out);
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_fail(ds, "cannot read");
	sqlite3_finalize(st);
	*nrepos = ds->nrepos;
	return rc;
}

int sfmc_datastore_origin(const sfmc_datastore *ds, size_t i, const char **repository, const char **remote_url)
{
	if (i >= ds->norigin)
		return SFMC_ENOTFOUND;
	*repository = ds->repos[ds->origin[i]].root;
	*remote_url = ds->repos[ds->origin[i]].remote_url;
	return 0;
}
