/* archive_lib.c - loads libarchive on first use (see archive_lib.h). */
#define SFMC_ARCHIVE_LIB_IMPL
#include "detect/archive_lib.h"

#include <dlfcn.h>
#include <pthread.h>

#include "util/error.h"

#define SFMC_ARCHIVE_DEFINE(f) __typeof__(f) *sfmc_lazy_##f;
SFMC_ARCHIVE_FUNCTIONS(SFMC_ARCHIVE_DEFINE)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
	void *lib = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(load_error, sizeof(load_error), "libarchive.so.13 cannot be loaded: %s", dlerror());
		return;
	}
#define SFMC_ARCHIVE_LOAD(f)                                                               \
	if (!(*(void **)&sfmc_lazy_##f = dlsym(lib, #f))) {                                \
		snprintf(load_error, sizeof(load_error), "libarchive.so.13 lacks %s", #f); \
		return;                                                                    \
	}
	SFMC_ARCHIVE_FUNCTIONS(SFMC_ARCHIVE_LOAD)
}

int sfmc_archive_lib_load(void)
{
	pthread_once(&once, load);
	if (load_error[0])
		return sfmc_error_set("%s: archives are not read", load_error);
	return 0;
}
