/* Unit tests: pack order on real repositories made with the git CLI
 * (offsets checked against `git show-index`), several packs, loose objects,
 * and hand-written indexes with 8-byte offsets or a corrupt header. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "git/pack.h"
#include "shell.h"

#define MAXOBJ 4096

static char dir[64];

/* Reads lines "A B ...": the oid is field oid_field (0 or 1), the number the other. */
static size_t read_pairs(const char *path, git_oid *oids, uint64_t *nums, int oid_field)
{
	char a[128], b[128];
	size_t n = 0;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (n < MAXOBJ && fscanf(f, "%127s %127s%*[^\n]", a, b) == 2) {
		assert_int_equal(git_oid_fromstr(&oids[n], oid_field ? b : a), 0);
		nums[n] = strtoull(oid_field ? a : b, NULL, 10);
		n++;
	}
	fclose(f);
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/sfmc-packorder.XXXXXX");
	assert_non_null(mkdtemp(dir));
	git_libgit2_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	git_libgit2_shutdown();
	return 0;
}

/* A history with deltas: a.txt grows in every commit, b$i.txt are new files,
 * c.txt gains one edited line per commit (so its versions form a delta chain). */
static void make_history(const char *name, int from, int to)
{
	sh("cd %s && { [ -d %s ] || git init -q %s; } && cd %s && git config user.name t && git config user.email t@e &&"
	   "for i in $(seq %d %d); do seq 1 $((i * 300)) > a.txt; seq $i 2000 > b$i.txt;"
	   " seq 1 3000 | awk -v i=$i 'NR %% 10 == 0 && NR / 10 <= i { print \"edit\", NR; next } { print }' > c.txt;"
	   " git add . && git commit -qm c$i; done",
	   dir, name, name, name, from, to);
}

/* Blob ids (shuffled: a deterministic rotation of object-id order) and, per
 * pack in name order, `git show-index` output in show/<n>. */
static size_t list_blobs(const char *name, git_oid *oids)
{
	static uint64_t unused[MAXOBJ];
	git_oid tmp[MAXOBJ];
	char path[256];
	size_t n;

	sh("cd %s/%s && git cat-file --batch-all-objects --batch-check='%%(objectname) %%(objecttype)' | "
	   "grep ' blob$' | sed 's/ blob$/ 0/' > ../blobs",
	   dir, name);
	snprintf(path, sizeof(path), "%s/blobs", dir);
	n = read_pairs(path, tmp, unused, 0);
	for (size_t i = 0; i < n; i++)
		oids[i] = tmp[(i * 7 + 3) % n];
	assert_true(n > 10 && n % 7 != 0);
	return n;
}

/* Offset of oid in pack number p (by name order) per `git show-index`, or -1. */
static int64_t show_index_offset(const char *name, uint32_t p, const git_oid *oid)
{
	static git_oid ids[MAXOBJ];
	static uint64_t offs[MAXOBJ];
	char path[256];
	size_t n;

	sh("cd %s/%s/.git/objects/pack && ls pack-*.idx | sort | sed -n %up > ../../../../idxname &&"
	   "git show-index < $(cat ../../../../idxname) > ../../../../show",
	   dir, name, p + 1);
	snprintf(path, sizeof(path), "%s/show", dir);
	n = read_pairs(path, ids, offs, 1);
	for (size_t i = 0; i < n; i++)
		if (git_oid_equal(&ids[i], oid))
			return (int64_t)offs[i];
	return -1;
}

static git_repository *open_repo(const char *name)
{
	git_repository *repo;
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(git_repository_open(&repo, path), 0);
	return repo;
}

/* Checks the order: packs ascending, offsets ascending in a pack, loose last,
 * and every position against `git show-index`. Returns the loose count. */
static size_t check_order(const char *name, const git_oid *oids, const sfmc_pack_pos *pos, size_t n)
{
	size_t loose = 0;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			assert_true(pos[i - 1].pack <= pos[i].pack);
			if (pos[i - 1].pack == pos[i].pack && pos[i].pack != SFMC_PACKORDER_LOOSE)
				assert_true(pos[i - 1].offset < pos[i].offset);
		}
		if (pos[i].pack == SFMC_PACKORDER_LOOSE) {
			loose++;
			continue;
		}
		assert_int_equal(show_index_offset(name, pos[i].pack, &oids[i]), (int64_t)pos[i].offset);
	}
	return loose;
}

static void one_pack_and_loose(void **state)
{
	static git_oid oids[MAXOBJ];
	static sfmc_pack_pos pos[MAXOBJ];
	git_repository *repo;
	size_t n;
	(void)state;

	make_history("one", 1, 12);
	sh("cd %s/one && git repack -adfq && echo loose-only > l.txt && git add l.txt && git commit -qm loose", dir);
	n = list_blobs("one", oids);
	repo = open_repo("one");
	assert_int_equal(sfmc_packorder_sort(repo, oids, n, pos), 0);
	assert_int_equal(check_order("one", oids, pos, n), 1); /* l.txt's blob */
	git_repository_free(repo);
}

static void several_packs(void **state)
{
	static git_oid oids[MAXOBJ], again[MAXOBJ];
	static sfmc_pack_pos pos[MAXOBJ];
	git_repository *repo;
	size_t n, *order;
	(void)state;

	make_history("two", 1, 6);
	sh("cd %s/two && git repack -adfq", dir);
	make_history("two", 7, 10);
	sh("cd %s/two && git repack -dq && test $(ls .git/objects/pack/*.idx | wc -l) = 2", dir);
	n = list_blobs("two", oids);
	repo = open_repo("two");
	assert_int_equal(sfmc_packorder_sort(repo, oids, n, pos), 0);
	assert_int_equal(check_order("two", oids, pos, n), 0);
	assert_int_equal(pos[n - 1].pack, 1);
	/* Sorting is a function of the set: another input order gives the same result. */
	for (size_t i = 0; i < n; i++)
		again[i] = oids[n - 1 - i];
	assert_int_equal(sfmc_packorder_sort(repo, again, n, NULL), 0);
	assert_memory_equal(again, oids, n * sizeof(*oids));
	/* The permutation form names the same order without moving the ids. */
	for (size_t i = 0; i < n; i++)
		again[i] = oids[n - 1 - i];
	assert_int_equal(sfmc_packorder_index(repo, again, n, &order), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(git_oid_equal(&again[order[i]], &oids[i]));
	free(order);
	git_repository_free(repo);
}

static void put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
	fwrite(b, 1, 4, f);
}

/* Writes a v2 index of three objects 0x01.., 0x80.., 0xff.. at the given
 * offsets (>= 2^31 goes to the 8-byte table), and an empty .pack beside it. */
static void write_idx(const char *objdir, const char *base, const uint64_t off[3], int corrupt)
{
	char path[512];
	unsigned char ids[3] = { 0x01, 0x80, 0xff };
	uint32_t nlarge = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pack/%s.pack", objdir, base);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/pack/%s.idx", objdir, base);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(corrupt ? "\377tOc\0\0\0\3" : "\377tOc\0\0\0\2", 1, 8, f);
	for (unsigned b = 0; b < 256; b++)
		put32(f, (b >= 0x01) + (b >= 0x80) + (b >= 0xff));
	for (int i = 0; i < 3; i++) {
		unsigned char oid[GIT_OID_RAWSZ];
		memset(oid, 0x11, sizeof(oid));
		oid[0] = ids[i];
		fwrite(oid, 1, sizeof(oid), f);
	}
	for (int i = 0; i < 3; i++)
		put32(f, 0); /* CRC-32s: unused here */
	for (int i = 0; i < 3; i++)
		put32(f, off[i] >= 0x80000000u ? 0x80000000u | nlarge++ : (uint32_t)off[i]);
	for (int i = 0; i < 3; i++)
		if (off[i] >= 0x80000000u) {
			put32(f, (uint32_t)(off[i] >> 32));
			put32(f, (uint32_t)off[i]);
		}
	for (int i = 0; i < 40; i++)
		fputc(0, f); /* trailer checksums: not verified here */
	fclose(f);
}

static void large_offsets_and_corrupt_index(void **state)
{
	static const uint64_t off[3] = { (uint64_t)5 << 32, 12, 0x90000000u };
	git_oid oids[4];
	sfmc_pack_pos pos[4];
	git_repository *repo;
	char objdir[256];
	(void)state;

	sh("cd %s && git init -q --bare big.git", dir);
	snprintf(objdir, sizeof(objdir), "%s/big.git/objects", dir);
	write_idx(objdir, "pack-a", off, 0);
	for (int i = 0; i < 3; i++) {
		memset(oids[i].id, 0x11, GIT_OID_RAWSZ);
		oids[i].id[0] = (unsigned char[]){ 0x01, 0x80, 0xff }[i];
	}
	memset(oids[3].id, 0x22, GIT_OID_RAWSZ); /* in no pack */
	snprintf(objdir, sizeof(objdir), "%s/big.git", dir);
	assert_int_equal(git_repository_open(&repo, objdir), 0);
	assert_int_equal(sfmc_packorder_sort(repo, oids, 4, pos), 0);
	assert_int_equal(oids[0].id[0], 0x80);
	assert_int_equal(pos[0].offset, 12);
	assert_int_equal(oids[1].id[0], 0xff);
	assert_int_equal(pos[1].offset, 0x90000000u);
	assert_int_equal(oids[2].id[0], 0x01);
	assert_int_equal(pos[2].offset, (uint64_t)5 << 32);
	assert_int_equal(pos[3].pack, SFMC_PACKORDER_LOOSE);
	/* An index of an unknown version costs order, not correctness. */
	snprintf(objdir, sizeof(objdir), "%s/big.git/objects", dir);
	write_idx(objdir, "pack-a", off, 1);
	assert_int_equal(sfmc_packorder_sort(repo, oids, 4, pos), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pos[i].pack, SFMC_PACKORDER_LOOSE);
	assert_int_equal(oids[0].id[0], 0x01); /* loose objects sort by id */
	git_repository_free(repo);
}

/* Bytes of the repository's pack files together. */
static size_t pack_bytes(const char *name)
{
	char path[256];
	size_t n = 0;
	FILE *f;

	sh("cd %s/%s && cat .git/objects/pack/*.pack | wc -c > ../packbytes", dir, name);
	snprintf(path, sizeof(path), "%s/packbytes", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%zu", &n), 1);
	fclose(f);
	return n;
}

/* Every object of the repository, read by the pack reader and by libgit2:
 * same type, same bytes. Half the reads go through a second reader of the
 * same set (shared indexes, own cache, the pack-order cache policy) and the view API. window: bytes of pack read
 * at once (0: the default). */
static void read_all_both_ways(const char *name, size_t cache_bytes, size_t window)
{
	static git_oid ids[MAXOBJ];
	static uint64_t unused[MAXOBJ];
	git_repository *repo = open_repo(name);
	sfmc_packreader *r, *r2;
	sfmc_packset *set;
	git_odb *odb;
	char path[256];
	size_t n, fast = 0;

	sh("cd %s/%s && git cat-file --batch-all-objects --batch-check='%%(objectname) 0' > ../all", dir, name);
	snprintf(path, sizeof(path), "%s/all", dir);
	n = read_pairs(path, ids, unused, 0);
	assert_int_equal(sfmc_packset_new(&set, repo), 0);
	assert_int_equal(sfmc_packreader_new(&r, set, cache_bytes), 0);
	assert_int_equal(sfmc_packreader_new(&r2, set, cache_bytes), 0);
	sfmc_packreader_in_pack_order(r2); /* not true here: bases dropped too early are read again */
	if (window) {
		sfmc_packreader_set_window(r, window);
		sfmc_packreader_set_window(r2, window);
	}
	assert_int_equal(git_repository_odb(&odb, repo), 0);
	for (size_t k = 0; k < 2 * n; k++) { /* twice: bases dropped once their deltas were built are read again */
		const git_oid *id = &ids[(k * 7 + 3) % n];
		git_odb_object *o;
		unsigned char *data;
		const unsigned char *view;
		size_t len;
		git_object_t type;
		assert_int_equal(git_odb_read(&o, odb, id), 0);
		if (k % 2 == 0 && sfmc_packreader_read(r, id, &type, &data, &len) == SFMC_OK) {
			fast++;
			assert_int_equal(type, git_odb_object_type(o));
			assert_int_equal(len, git_odb_object_size(o));
			assert_memory_equal(data, git_odb_object_data(o), len);
			free(data);
		} else if (k % 2 == 1 && sfmc_packreader_view(r2, id, &type, &view, &len) == SFMC_OK) {
			fast++;
			assert_int_equal(type, git_odb_object_type(o));
			assert_int_equal(len, git_odb_object_size(o));
			assert_memory_equal(view, git_odb_object_data(o), len);
		}
		git_odb_object_free(o);
	}
	git_odb_free(odb);
	sfmc_packreader_free(r); /* readers of a set are freed in any order, the set last */
	sfmc_packreader_free(r2);
	sfmc_packset_free(set);
	git_repository_free(repo);
	assert_int_equal(fast, 2 * n); /* everything is packed: nothing left to libgit2 */
}

/* Every object of ids read by r in pack order: the same bytes as libgit2's. */
static void check_in_pack_order(sfmc_packreader *r, git_odb *odb, const git_oid *ids, size_t n)
{
	size_t *order;
	assert_int_equal(sfmc_packreader_order(r, ids, n, &order), 0);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *view;
		git_odb_object *o;
		size_t len;
		git_object_t type;
		assert_int_equal(git_odb_read(&o, odb, &ids[order[i]]), 0);
		assert_int_equal(sfmc_packreader_view(r, &ids[order[i]], &type, &view, &len), SFMC_OK);
		assert_int_equal(type, git_odb_object_type(o));
		assert_int_equal(len, git_odb_object_size(o));
		assert_memory_equal(view, git_odb_object_data(o), len);
		git_odb_object_free(o);
	}
	free(order);
}

/* Reads every blob in pack order (sfmc_packreader_order), as the scan does:
 * forward through the window, bases behind it read alone. */
static void read_in_pack_order(const char *name, size_t window)
{
	static git_oid ids[MAXOBJ];
	static uint64_t unused[MAXOBJ];
	git_repository *repo = open_repo(name);
	sfmc_packreader *r, *r0;
	sfmc_packset *set;
	git_odb *odb;
	size_t n;
	char path[256];

	sh("cd %s/%s && git cat-file --batch-all-objects --batch-check='%%(objectname) 0' > ../all", dir, name);
	snprintf(path, sizeof(path), "%s/all", dir);
	n = read_pairs(path, ids, unused, 0);
	assert_int_equal(sfmc_packset_new(&set, repo), 0);
	assert_int_equal(sfmc_packreader_new(&r0, set, 1 << 20), 0); /* indexes the set... */
	assert_int_equal(sfmc_packreader_new(&r, set, 1 << 20), 0);  /* ...r shares the indexes... */
	sfmc_packreader_free(r0);                                    /* ...which outlive r0 */
	sfmc_packreader_set_window(r, window);
	sfmc_packreader_in_pack_order(r);
	assert_int_equal(git_repository_odb(&odb, repo), 0);
	check_in_pack_order(r, odb, ids, n);
	git_odb_free(odb);
	sfmc_packreader_free(r);
	sfmc_packset_free(set);
	git_repository_free(repo);
}

static void reader_matches_libgit2(void **state)
{
	(void)state;
	/* Deep delta chains with offset deltas, then with reference deltas. */
	make_history("rd", 1, 40);
	sh("cd %s/rd && git repack -adfq --depth=100 --window=50 && "
	   "git verify-pack -v .git/objects/pack/*.idx | grep -q 'chain length = 5:'", dir);
	read_all_both_ways("rd", 64 << 20, 0);
	read_all_both_ways("rd", 1, 0); /* no cache: every chain resolved from its start */
	sh("cd %s/rd && git -c repack.useDeltaBaseOffset=false repack -adfq --depth=100 --window=50", dir);
	read_all_both_ways("rd", 64 << 20, 0);
}

/* A pack many windows long: objects straddle window edges, some are larger
 * than a window, bases sit behind it; every object still reads the same. */
static void reader_small_windows(void **state)
{
	(void)state;
	make_history("win", 1, 30);
	sh("cd %s/win && git repack -adfq --depth=100 --window=50", dir);
	assert_true(pack_bytes("win") > 4 * 4096);
	for (size_t w = 1; w <= 4096; w *= 16) {
		read_all_both_ways("win", 64 << 20, w);
		read_all_both_ways("win", 1, w + 7);
		read_in_pack_order("win", w + 1);
	}
}

/* As a whole-history scan does: the set's delta children are counted on a
 * second thread (sfmc_packset_prepare) while readers of the same set are
 * made and read; every read still matches libgit2, and a reader set to pack
 * order after the count shares it. */
static void readers_while_kids_are_counted(void **state)
{
	static git_oid ids[MAXOBJ];
	static uint64_t unused[MAXOBJ];
	git_repository *repo;
	sfmc_packset *set;
	sfmc_packreader *r, *late;
	git_odb *odb;
	char path[256];
	size_t n;
	(void)state;

	make_history("kids", 1, 25);
	sh("cd %s/kids && git repack -adfq --depth=50 --window=50", dir);
	repo = open_repo("kids");
	sh("cd %s/kids && git cat-file --batch-all-objects --batch-check='%%(objectname) 0' > ../all", dir);
	snprintf(path, sizeof(path), "%s/all", dir);
	n = read_pairs(path, ids, unused, 0);
	assert_int_equal(sfmc_packset_new(&set, repo), 0);
	sfmc_packset_prepare(set, true);
	assert_int_equal(sfmc_packreader_new(&r, set, 1 << 20), 0); /* shares the set being counted */
	assert_int_equal(git_repository_odb(&odb, repo), 0);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *view;
		git_odb_object *o;
		size_t len;
		git_object_t type;
		assert_int_equal(git_odb_read(&o, odb, &ids[i]), 0);
		assert_int_equal(sfmc_packreader_view(r, &ids[i], &type, &view, &len), SFMC_OK);
		assert_int_equal(type, git_odb_object_type(o));
		assert_int_equal(len, git_odb_object_size(o));
		assert_memory_equal(view, git_odb_object_data(o), len);
		git_odb_object_free(o);
	}
	assert_int_equal(sfmc_packreader_new(&late, set, 1 << 20), 0);
	sfmc_packreader_in_pack_order(late); /* waits for the count, then shares it */
	check_in_pack_order(late, odb, ids, n);
	git_odb_free(odb);
	sfmc_packreader_free(r);
	sfmc_packreader_free(late);
	sfmc_packset_free(set); /* joins the counting thread (long done) */
	git_repository_free(repo);
}

/* The blob id that a test's shell command wrote to DIR/file. */
static void read_id(const char *file, git_oid *id)
{
	char hex[128];
	FILE *f;

	snprintf(hex, sizeof(hex), "%s/%s", dir, file);
	f = fopen(hex, "r");
	assert_non_null(f);
	assert_non_null(fgets(hex, sizeof(hex), f));
	fclose(f);
	hex[GIT_OID_HEXSZ] = '\0';
	assert_int_equal(git_oid_fromstr(id, hex), 0);
}

/* A pack reader of repo declines id (for libgit2 to read it): no data. */
static void assert_reader_declines(git_repository *repo, const git_oid *id)
{
	sfmc_packreader *r;
	sfmc_packset *set;
	unsigned char *data;
	size_t len;
	git_object_t type;

	assert_int_equal(sfmc_packset_new(&set, repo), 0);
	assert_int_equal(sfmc_packreader_new(&r, set, 1 << 20), 0);
	assert_int_equal(sfmc_packreader_read(r, id, &type, &data, &len), SFMC_EDECLINED);
	assert_null(data);
	sfmc_packreader_free(r);
	sfmc_packset_free(set);
}

/* A damaged pack: the reader declines (0) instead of returning wrong bytes. */
static void reader_declines_damaged_pack(void **state)
{
	git_repository *repo;
	git_oid id;
	(void)state;

	make_history("bad", 1, 3);
	/* The largest blob (a.txt of the last commit), damaged in the middle of its zlib data. */
	sh("cd %s/bad && git repack -adfq && git rev-parse HEAD:a.txt > ../badid && "
	   "idx=$(ls .git/objects/pack/*.idx) && off=$(git show-index < $idx | grep $(cat ../badid) | cut -d' ' -f1) && "
	   "p=$(ls .git/objects/pack/*.pack) && chmod u+w $p && "
	   "printf '\\377\\377\\377\\377' | dd of=$p bs=1 seek=$((off + 40)) conv=notrunc status=none", dir);
	read_id("badid", &id);
	repo = open_repo("bad");
	assert_reader_declines(repo, &id);
	git_repository_free(repo);
}

/* Intact stored bytes but a different CRC-32 in the .idx: the reader
 * declines (it checks stored bytes against the .idx instead of re-hashing);
 * libgit2, which does not check it on read, still has the blob. */
static void reader_checks_idx_crc(void **state)
{
	git_repository *repo;
	git_blob *blob = NULL;
	git_oid id;
	(void)state;

	make_history("crc", 1, 3);
	/* idx v2: 8-byte header, 1024-byte fanout, n ids, then n CRC-32s in id
	 * order; the last byte of the blob's CRC is inverted. */
	sh("cd %s/crc && git repack -adfq && git rev-parse HEAD:a.txt > ../crcid && "
	   "idx=$(ls .git/objects/pack/*.idx) && n=$(git show-index < $idx | wc -l) && "
	   "pos=$(git show-index < $idx | cut -d' ' -f2 | sort | grep -n $(cat ../crcid) | cut -d: -f1) && "
	   "at=$((8 + 1024 + 20 * n + 4 * (pos - 1) + 3)) && b=$(od -An -tu1 -j $at -N1 $idx) && "
	   "chmod u+w $idx && printf \"\\\\$(printf %%03o $((b ^ 255)))\" | dd of=$idx bs=1 seek=$at conv=notrunc status=none && "
	   "[ $(od -An -tu1 -j $at -N1 $idx) -ne $b ]",
	   dir);
	read_id("crcid", &id);
	repo = open_repo("crc");
	assert_int_equal(git_blob_lookup(&blob, repo, &id), 0);
	git_blob_free(blob);
	assert_reader_declines(repo, &id);
	git_repository_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_pack_and_loose),
		cmocka_unit_test(several_packs),
		cmocka_unit_test(large_offsets_and_corrupt_index),
		cmocka_unit_test(reader_matches_libgit2),
		cmocka_unit_test(reader_small_windows),
		cmocka_unit_test(readers_while_kids_are_counted),
		cmocka_unit_test(reader_declines_damaged_pack),
		cmocka_unit_test(reader_checks_idx_crc),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
