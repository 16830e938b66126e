/* fuzz_rules.c - the rules YAML loader on arbitrary bytes; rules that load
 * are then run over the same bytes (PCRE2 limits must turn a hostile
 * pattern into an error, never a hang or a crash). */
#include <stdint.h>

#include "core/rules.h"
#include "detect/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_provenance prov = { "fuzz", 4, NULL, NULL, NULL, 0 };
	sfmc_ruleset rules;
	sfmc_scanner s;
	sfmc_results res;
	int have_scanner = 0;

	sfmc_rules_init(&rules);
	sfmc_results_init(&res);
	if (sfmc_rules_add_buffer(&rules, (const char *)data, size, "fuzz.yaml") == 0 && rules.nrules &&
	    (have_scanner = 1, sfmc_scanner_init(&s, &rules) == 0))
		(void)sfmc_scanner_scan_mem(&s, data, size, &prov, &res);
	if (have_scanner)
		sfmc_scanner_dispose(&s);
	sfmc_results_dispose(&res);
	sfmc_rules_dispose(&rules);
	return 0;
}
