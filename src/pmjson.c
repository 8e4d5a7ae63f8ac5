/* pmjson: kernel facts as JSON. */
#include "pmjson.h"

#include <string.h>

#include "cost.h"

void pm_json_kernel(struct json *j, const struct pm_kernel *k)
{
	json_key(j, "kernel");
	json_obj_begin(j);
	json_ku64(j, "page_size", (uint64_t)k->page_size);
	json_ku64(j, "max_rw_count", cost_max_rw(k->page_size));
	json_kbool(j, "pagemap_scan", k->scan);
	if (!k->scan)
		json_kstr(j, "pagemap_scan_error", strerrorname_np(k->scan_errno));
	json_khex(j, "scan_categories", k->scan_categories);
	json_kbool(j, "zero_pfn_known", k->zero_pfn != 0);
	json_obj_end(j);
}

void pm_json_stats(struct json *j, const struct pm_stats *st)
{
	json_kstr(j, "backend", pm_backend_name(st->backend));
	json_ku64(j, "calls", st->calls);
	json_ku64(j, "regions", st->regions);
	json_ku64(j, "bytes_read", st->bytes);
	json_kdouble(j, "scan_seconds", st->seconds);
}
