/* pmjson: the JSON form of what the kernel supports (struct pm_kernel), one shape for
 * every program that reports it: a "kernel" member of the current object; and the
 * scan's statistics (struct pm_stats), the same way. */
#ifndef CRDIAG_PMJSON_H
#define CRDIAG_PMJSON_H

#include "json.h"
#include "pagemap.h"

void pm_json_kernel(struct json *j, const struct pm_kernel *k);

/* The scan's members of the current object: backend, calls, regions, bytes_read,
 * scan_seconds. */
void pm_json_stats(struct json *j, const struct pm_stats *st);

#endif
