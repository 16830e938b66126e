/* verify.h - live verification (--verify): asks each tenant's token endpoint
 * whether a (subdomain, client id, secret) found together still works. The
 * only code that touches the network, and only when the command line asked
 * (--verify or check --verify): libcurl is initialised here, on that path.
 * One request per distinct credential per run; the access token a live
 * credential earns is wiped unread. A verifier runs while the scan goes on:
 * scanning threads submit credentials as they find them (thread-safe), and
 * one thread of the verifier's own drives the requests with curl multi. */
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

typedef struct sfmc_verifier sfmc_verifier;

/* A verifier with options o (copied; its strings borrowed for its life).
 * Nothing is loaded or started until the first credential is submitted. */
int sfmc_verifier_new(sfmc_verifier **out, const sfmc_verify_opts *o);
/* Hands over f's credential when it has a client id and a valid subdomain
 * and is not suppressed: its request starts as soon as the job limit and its
 * tenant's rate allow; once per distinct credential. Copies what it keeps;
 * callable from any thread. The caller submits only findings no filter can
 * suppress later (suppressed findings are never sent). */
void sfmc_verifier_submit(sfmc_verifier *v, const sfmc_finding *f);
/* Submits every unsuppressed finding of res (the filtered results), waits for
 * every answer and sets verify, verify_reason and verify_http; a live warning
 * becomes an error; findings without a client id or a valid subdomain are
 * UNVERIFIABLE. Returns 0, or -1 (message set): nothing was verified. */
int sfmc_verifier_finish(sfmc_verifier *v, sfmc_results *res);
/* Stops the verifier (waiting for requests in flight) and wipes what it held. */
void sfmc_verifier_free(sfmc_verifier *v);

/* Verifies every unsuppressed finding of res: sets verify, verify_reason and
 * verify_http; a live warning becomes an error. Findings without a client id
 * or a valid subdomain are UNVERIFIABLE (no request). Returns 0, or -1
 * (message set) when libcurl could not be started: nothing was verified. */
int sfmc_verify_results(sfmc_results *res, const sfmc_verify_opts *o);

#endif
