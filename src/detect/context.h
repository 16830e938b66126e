/* context.h - credential context: the client id, tenant subdomain and
 * Business Unit MID that context rules find near a secret, in the same
 * buffer, within each rule's line window. Offline, always on; runs only
 * around matches, so a blob without secrets costs nothing. One sfmc_context
 * per thread (it owns PCRE2 match data); it borrows the ruleset. */
#ifndef SFMC_CONTEXT_H
#define SFMC_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rules.h"

typedef struct sfmc_context sfmc_context;

/* *out stays NULL (and 0 is returned) when the ruleset has no context rules. */
int sfmc_context_new(sfmc_context **out, const sfmc_ruleset *rules);
void sfmc_context_free(sfmc_context *c);

/* Fills f->context (malloc'd values, freed by the caller or
 * sfmc_finding_dispose) for the secret at buf[at], which is on line f->line:
 * per kind the nearest candidate by lines (then bytes), and how many other
 * distinct values were seen. Returns 0 or -1 (message set). */
int sfmc_context_find(sfmc_context *c, sfmc_finding *f, const unsigned char *buf, size_t len, size_t at);

/* true when s is a tenant subdomain: ^mc[a-z0-9-]{26}$ (lowercase). The
 * only text that may become a verification host. */
bool sfmc_context_subdomain_ok(const char *s);

#endif
