/* seed_main.c - replays fuzz inputs without libFuzzer: each argument is a
 * file or a directory of files, fed once to LLVMFuzzerTestOneInput. A crash
 * or sanitizer report fails the run; so does finding no input at all. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file; the buffer has the input's exact size so overreads trap. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	long len;
	int rc = -1;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto cleanup;
	if (!(data = malloc(len ? (size_t)len : 1)) || fread(data, 1, (size_t)len, f) != (size_t)len)
		goto cleanup;
	LLVMFuzzerTestOneInput(data, (size_t)len);
	rc = 0;
cleanup:
	if (rc < 0)
		fprintf(stderr, "%s: cannot read\n", path);
	if (f)
		fclose(f);
	free(data);
	return rc;
}

/* Runs every regular file of a directory, in name order. */
static int run_dir(const char *dir, size_t *count)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), rc = 0;
	char path[4096];
	struct stat st;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = run_file(path);
			(*count)++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	struct stat st;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) < 0 : (count++, run_file(argv[i]) < 0))
			return 1;
	}
	if (!count) {
		fprintf(stderr, "no seed inputs found\n");
		return 1;
	}
	printf("%zu seed inputs replayed\n", count);
	return 0;
}
