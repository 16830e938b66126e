/* listing.c - forge listings (listing.h). */
#include "app/listing.h"

#include <stdlib.h>

#include "util/error.h"

int sfmc_listing_github(sfmc_listing *out, const char *org, const sfmc_listing_opts *o)
{
	(void)out;
	(void)o;
	return sfmc_error_set("--github-org %s: not implemented yet", org);
}

int sfmc_listing_gitlab(sfmc_listing *out, const char *group, const sfmc_listing_opts *o)
{
	(void)out;
	(void)o;
	return sfmc_error_set("--gitlab-group %s: not implemented yet", group);
}

void sfmc_listing_dispose(sfmc_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->urls[i]);
	free(l->urls);
}
