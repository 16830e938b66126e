/* fuzz_config.c - the .sfmc-scan.yaml loader on arbitrary bytes; configs
 * that load are then asked about a few paths and a finding (glob matching
 * must stay linear: no hang on '**' patterns). */
#include <stdint.h>
#include <string.h>

#include "triage/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "a", "docs/x.md", "a/b/c/d/e/f/g/h/i/j/k.min.js", "node_modules/x/y", ".env" };
	sfmc_rule rule = { .id = "sfmc-client-secret" };
	sfmc_finding f;
	sfmc_config c;

	sfmc_config_init(&c);
	memset(&f, 0, sizeof(f));
	f.rule = &rule;
	memset(f.fingerprint, 'a', 64);
	if (sfmc_config_load_buffer(&c, (const char *)data, size, "fuzz.yaml", "dir") == 0) {
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			f.path = (char *)paths[i];
			f.path_len = strlen(paths[i]);
			(void)sfmc_config_excludes(&c, paths[i], i == 0);
			(void)sfmc_config_allows(&c, &f);
		}
	}
	sfmc_config_dispose(&c);
	return 0;
}
