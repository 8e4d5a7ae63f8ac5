/* libFuzzer target: the /proc/PID/stat parser on arbitrary bytes.
 * Invariants: on success the kept fields are non-negative, comm is NUL-free up to its
 * terminator and the state is the byte after ") "; on failure errno is EPROTO. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;

	errno = 0;
	if (proc_stat_parse((const char *)data, size, &st) < 0) {
		if (errno != EPROTO)
			abort();
		return 0;
	}
	if (st.ppid < 0 || st.pgrp < 0 || st.sid < 0 || st.threads < 0 ||
	    memchr(st.comm, '\0', sizeof(st.comm)) == NULL || st.state == ' ' ||
	    st.state == '\n' || st.state == '\0' || !memchr(data, ')', size))
		abort();
	return 0;
}
