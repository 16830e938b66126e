/* curl.h - libcurl, loaded with dlopen the first time a command line asks
 * for the network (--verify, audit's forge listings): a scan without it
 * neither loads libcurl and its dozen libraries nor pays for their start.
 * Calls go through the table sfmc_curl. */
#ifndef SFMC_UTIL_CURL_H
#define SFMC_UTIL_CURL_H

#define CURL_DISABLE_TYPECHECK /* calls go through the table below */
#include <curl/curl.h>

typedef struct sfmc_curl_api {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} sfmc_curl_api;

/* Filled by sfmc_curl_load; all NULL before. */
extern sfmc_curl_api sfmc_curl;

/* Loads libcurl.so.4 (Debian's libcurl4, OpenSSL) once for the process;
 * who ("--verify", "--github-org") names what needs it in the message.
 * Returns 0 or SFMC_ERROR (message set). */
int sfmc_curl_load(const char *who);

#endif
