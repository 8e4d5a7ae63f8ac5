/* pmjson: the JSON form of what the kernel supports (struct pm_kernel), one shape for
 * every program that reports it: a "kernel" member of the current object. */
#ifndef CRDIAG_PMJSON_H
#define CRDIAG_PMJSON_H

#include "json.h"
#include "pagemap.h"

void pm_json_kernel(struct json *j, const struct pm_kernel *k);

#endif
