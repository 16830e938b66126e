/* fuzz_baseline.c - the --baseline reader on arbitrary bytes; a baseline
 * that loads is then looked up (sorted entries, bsearch). */
#include <stdint.h>
#include <string.h>

#include "triage/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_rule rule = { .id = "sfmc-client-secret" };
	sfmc_finding f;
	sfmc_baseline b;

	sfmc_baseline_init(&b);
	memset(&f, 0, sizeof(f));
	f.rule = &rule;
	f.path = "src/a.py";
	f.path_len = strlen(f.path);
	memset(f.fingerprint, '0', 64);
	if (sfmc_baseline_load_buffer(&b, (const char *)data, size, "fuzz.json") == 0)
		(void)sfmc_baseline_has(&b, &f);
	sfmc_baseline_dispose(&b);
	return 0;
}
