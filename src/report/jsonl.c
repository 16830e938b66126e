/* jsonl.c - --format jsonl: one finding per line (the object of
 * --format json), written as each finding arrives, for piping into other
 * tools. Suppressed findings are included with their "suppression". */
#include "report/json.h"

static int jsonl_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	json_t *o = sfmc_json_finding(r, f);
	if (!o)
		return -1;
	if (sfmc_json_dump(o, r->out, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
		return -1;
	return fflush(r->out) == 0 ? 0 : -1;
}

const sfmc_report_type sfmc_report_type_jsonl = {
	.name = "jsonl",
	.finding = jsonl_finding,
};
