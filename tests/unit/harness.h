/* Shared cmocka fixture pieces for the unit tests: the built-in ruleset, an
 * optional scanner over it and an optional result set. The caller owns the
 * structs (usually fields of its own fixture); these only init/dispose them. */
#ifndef SFMC_TEST_HARNESS_H
#define SFMC_TEST_HARNESS_H

#include <stddef.h>

#include "core/finding.h"
#include "core/rules.h"
#include "detect/scan.h"

/* Loads the default rules, then (when non-NULL) makes `scanner` over them and
 * empties `res`. Returns 0, or -1 with everything it made disposed again. */
static inline int harness_open(sfmc_ruleset *rules, sfmc_scanner *scanner, sfmc_results *res)
{
	sfmc_rules_init(rules);
	if (sfmc_rules_add_default(rules) < 0)
		goto cleanup;
	if (scanner && sfmc_scanner_init(scanner, rules) < 0) {
		sfmc_scanner_dispose(scanner);
		goto cleanup;
	}
	if (res)
		sfmc_results_init(res);
	return 0;
cleanup:
	sfmc_rules_dispose(rules);
	return -1;
}

/* Undoes harness_open with the same arguments (results and scanner first: they point into the rules). */
static inline void harness_close(sfmc_ruleset *rules, sfmc_scanner *scanner, sfmc_results *res)
{
	if (res)
		sfmc_results_dispose(res);
	if (scanner)
		sfmc_scanner_dispose(scanner);
	sfmc_rules_dispose(rules);
}

#endif
