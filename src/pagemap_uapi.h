/* pagemap_uapi: the PAGEMAP_SCAN ioctl definitions of Linux 6.7+ (include/uapi/linux/fs.h),
 * for systems whose kernel headers predate it (Debian 12 ships 6.1 headers). Whether the
 * running kernel supports it is a run-time question: see pm_probe(). */
#ifndef CRDIAG_PAGEMAP_UAPI_H
#define CRDIAG_PAGEMAP_UAPI_H

#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef PAGEMAP_SCAN
#define PAGE_IS_WPALLOWED  (1 << 0)
#define PAGE_IS_WRITTEN    (1 << 1)
#define PAGE_IS_FILE       (1 << 2)
#define PAGE_IS_PRESENT    (1 << 3)
#define PAGE_IS_SWAPPED    (1 << 4)
#define PAGE_IS_PFNZERO    (1 << 5)
#define PAGE_IS_HUGE       (1 << 6)
#define PAGE_IS_SOFT_DIRTY (1 << 7)

struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

#define PM_SCAN_WP_MATCHING   (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_IOCTL_MAGIC 'f'
#define PAGEMAP_SCAN _IOWR(PAGEMAP_IOCTL_MAGIC, 16, struct pm_scan_arg)
#endif

#ifndef PAGE_IS_GUARD
#define PAGE_IS_GUARD (1 << 8) /* Linux 6.15+ */
#endif

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_ENTRY_SOFT_DIRTY (1ULL << 55)
#define PM_ENTRY_EXCLUSIVE  (1ULL << 56)
#define PM_ENTRY_FILE       (1ULL << 61)
#define PM_ENTRY_SWAPPED    (1ULL << 62)
#define PM_ENTRY_PRESENT    (1ULL << 63)

#endif
