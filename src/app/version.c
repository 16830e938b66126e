/* version.c - `sfmc-scan --version`: this build and what it runs on, for bug
 * reports (the version comes from `git describe` at build time, CMake). */
#include <git2.h>
#include <jansson.h>
#include <libdeflate.h>
#include <openssl/crypto.h>
#include <yaml.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "app/cli.h"
#include "detect/prefilter.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

const char *sfmc_cli_version(void)
{
	return SFMC_VERSION;
}

void sfmc_cli_print_version(FILE *out)
{
	char pcre2[64] = "?";
	uint32_t jit = 0;
	int major = 0, minor = 0, rev = 0;

	pcre2_config(PCRE2_CONFIG_VERSION, pcre2);
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	git_libgit2_version(&major, &minor, &rev);
	fprintf(out, "sfmc-scan %s\n", sfmc_cli_version());
	fprintf(out, "PCRE2 %s (JIT %s), libgit2 %d.%d.%d, libyaml %s, libdeflate %s, jansson %s, %s\n", pcre2,
		jit ? "on" : "off", major, minor, rev, yaml_get_version_string(), LIBDEFLATE_VERSION_STRING,
		jansson_version_str(), OpenSSL_version(OPENSSL_VERSION));
	fprintf(out, "SIMD: %s\n", sfmc_prefilter_isa_name());
}
