/* json.h - JSON building blocks shared by the JSON-based formats
 * (json, jsonl, sarif, gitlab). Returned objects are new references. */
#ifndef SFMC_REPORT_JSON_H
#define SFMC_REPORT_JSON_H

#include <jansson.h>

#include "report/report.h"

/* Sets obj[key] to a valid-UTF-8 string for bytes s; when s is not valid
 * UTF-8 it also sets obj[key "_bytes"] to the exact bytes in base64. */
int sfmc_json_set_bytes(json_t *obj, const char *key, const char *s, size_t len);
/* sfmc_json_set_bytes of s as r shows it (sfmc_report_str): for every string
 * from scanned content or history. */
int sfmc_json_set_shown(const sfmc_reporter *r, json_t *obj, const char *key, const char *s, size_t len);
/* The finding as in the "findings" array of --format json. */
json_t *sfmc_json_finding(const sfmc_reporter *r, const sfmc_finding *f);
/* {"path": ..., "reason"|"message": ...} entries. */
json_t *sfmc_json_issues(const sfmc_reporter *r, const sfmc_issue *v, size_t n, const char *textkey);
/* A JSON string of valid UTF-8 s cut to at most max bytes on a character
 * boundary (GitHub and GitLab limit some fields' lengths). */
json_t *sfmc_json_string_max(const char *s, size_t max);
/* Writes j followed by a newline; steals the reference. */
int sfmc_json_dump(json_t *j, FILE *out, size_t flags);

#endif
