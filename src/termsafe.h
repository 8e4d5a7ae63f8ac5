/* termsafe: untrusted bytes made safe for a terminal, as ls -b and ps do.
 *
 * What a target process controls (its comm, the names of its mappings and files, socket
 * paths, the lines CRIU logs about it) must not reach the operator's terminal raw: an
 * ESC or a C1 control can retitle, recolour or worse. Printable ASCII and valid UTF-8
 * go out as they are; everything else is shown escaped so the bytes stay readable:
 *   \\ for a backslash, \n \r \t for those, \e for ESC, \xHH for any other control
 *   byte, DEL, or byte that is not part of valid UTF-8; \u{HHHH} for the code points
 *   that are controls or reorder text (C1 U+0080-U+009F, bidi overrides and
 *   isolates, line and paragraph separators).
 * The result holds no byte below 0x20 and no 0x7f. JSON output does not use this: it
 * escapes exactly by itself (json.h).
 */
#ifndef CRDIAG_TERMSAFE_H
#define CRDIAG_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

/* The escaped form of the n bytes at src (NUL bytes included) into dst, as snprintf:
 * at most size-1 bytes and a NUL (when size > 0), and returns the length the whole
 * escaped form needs (so size 0 measures). An escape never splits at the cut. */
size_t ts_escape(char *dst, size_t size, const char *src, size_t n);

/* The escaped form of the string s, malloc'ed (free it); NULL with errno ENOMEM.
 * s NULL gives "". */
char *ts_dup(const char *s);

/* Write the escaped form of s (of n bytes) to f. 0, or -1 with errno on a write
 * error. s NULL writes nothing. */
int ts_fputs(const char *s, FILE *f);
int ts_fwrite(const char *s, size_t n, FILE *f);

/* The escaped form of s in buf (truncated to size, as ts_escape), returned: for a
 * field in a printf. */
const char *ts_str(const char *s, char *buf, size_t size);

#endif
