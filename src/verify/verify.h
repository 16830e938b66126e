/* verify.h - live verification (--verify): asks each tenant's token endpoint
 * whether a (subdomain, client id, secret) found together still works. The
 * only code that touches the network, and only when the command line asked
 * (--verify or check --verify): libcurl is initialised here, on that path.
 * One request per distinct credential per run; the access token a live
 * credential earns is wiped unread. Single-threaded: curl multi drives the
 * concurrent requests from the calling thread. */
#ifndef SFMC_VERIFY_H
#define SFMC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"

typedef struct sfmc_verify_opts {
	unsigned jobs;          /* requests in flight at once */
	unsigned rate;          /* requests started per second per tenant */
	long timeout;           /* connect and total timeout, seconds */
	const char *cacert;     /* trust this CA file instead of the system's, or NULL */
	const char *connect_to; /* "ADDR:PORT" (loopback only) to connect to instead of resolving, or NULL */
} sfmc_verify_opts;

/* The defaults (bounds.h). */
void sfmc_verify_opts_init(sfmc_verify_opts *o);

/* "ADDR:PORT" with a loopback ADDR (127.0.0.0/8, [::1], localhost) and a port 1-65535. */
bool sfmc_verify_connect_to_ok(const char *s);

/* Verifies every unsuppressed finding of res: sets verify, verify_reason and
 * verify_http; a live warning becomes an error. Findings without a client id
 * or a valid subdomain are UNVERIFIABLE (no request). Returns 0, or -1
 * (message set) when libcurl could not be started: nothing was verified. */
int sfmc_verify_results(sfmc_results *res, const sfmc_verify_opts *o);

#endif
