/* shortread: one judge of the single pread. */
#include "shortread.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum repro_status shortread_judge(const struct pm_single *r, uint64_t cap, char *why,
				  size_t size)
{
	if (r->read_errno) {
		snprintf(why, size, "the single pread failed (%s) instead of coming back short",
			 strerror(r->read_errno));
		return REPRO_ERROR;
	}
	if (r->got < r->asked && r->got == cap) {
		snprintf(why, size, "one pread of 0x%" PRIx64 " bytes came back short at "
			 "MAX_RW_COUNT 0x%" PRIx64, r->asked, cap);
		return REPRO_REPRODUCED;
	}
	if (r->got == r->asked) {
		snprintf(why, size, "one pread got the whole pagemap (0x%" PRIx64 " bytes): this "
			 "VMA is not above the 0x%" PRIx64 " cap", r->asked, cap);
		return REPRO_NOT_REPRODUCED;
	}
	snprintf(why, size, "the single pread came back short at 0x%" PRIx64 ", not at the cap "
		 "0x%" PRIx64, r->got, cap);
	return REPRO_NOT_REPRODUCED;
}
