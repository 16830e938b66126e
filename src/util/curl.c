/* curl.c - libcurl loaded with dlopen (curl.h). */
#include "util/curl.h"

#include <dlfcn.h>

#include "util/error.h"

sfmc_curl_api sfmc_curl;

int sfmc_curl_load(const char *who)
{
	static const char *const names[] = {
		"curl_global_init",    "curl_global_cleanup", "curl_easy_init",        "curl_easy_cleanup",
		"curl_easy_setopt",    "curl_easy_getinfo",   "curl_easy_perform",     "curl_easy_strerror",
		"curl_multi_init",     "curl_multi_cleanup",  "curl_multi_add_handle", "curl_multi_remove_handle",
		"curl_multi_perform",  "curl_multi_poll",     "curl_multi_info_read",  "curl_slist_append",
		"curl_slist_free_all",
	};
	void **slots = (void **)&sfmc_curl;
	void *lib;

	if (sfmc_curl.global_init)
		return 0;
	if (!(lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)))
		return sfmc_error_set("%s needs libcurl (Debian: apt-get install libcurl4): %s", who, dlerror());
	_Static_assert(sizeof(sfmc_curl) == sizeof(names) / sizeof(names[0]) * sizeof(void *), "one slot per name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!(slots[i] = dlsym(lib, names[i]))) {
			while (i)
				slots[--i] = NULL;
			return sfmc_error_set("%s: libcurl.so.4 lacks %s (libcurl 7.66 or later needed)", who,
					      names[i]);
		}
	return 0;
}
