/* jsonread: parse a JSON document into a tree, to read back what json.c wrote.
 *
 * Strict RFC 8259 syntax (no comments, no trailing commas, one value, nothing after it
 * but white space), nesting bounded by JR_MAX_DEPTH, no other caps. Strings keep their
 * length (a \u0000 survives). "\u0080".."\u00ff" decode to that single raw byte, the
 * inverse of json.c, which writes the invalid-UTF-8 bytes of a path that way; other
 * escapes decode to UTF-8. Numbers keep their text; jr_u64/jr_i64 convert exactly.
 *
 * Ownership: jr_parse fills *out, which owns everything below it; jr_free releases it
 * and is safe on a zeroed value. Returned pointers live as long as the tree.
 * jr_parse returns 0, or -1 with errno EINVAL (syntax; *err_off, if not NULL, is the
 * byte offset where it went wrong) or ENOMEM.
 */
#ifndef CRDIAG_JSONREAD_H
#define CRDIAG_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_MAX_DEPTH 64

enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING, JR_ARRAY, JR_OBJECT };

struct jr_val {
	enum jr_type type;
	bool b;                  /* JR_BOOL */
	char *s;                 /* JR_STRING: decoded, NUL-terminated; JR_NUMBER: its text */
	size_t len;              /* length of s */
	struct jr_val *item;     /* JR_ARRAY elements, JR_OBJECT values */
	char **key;              /* JR_OBJECT keys, parallel to item */
	size_t n;
};

int jr_parse(const char *text, size_t len, struct jr_val *out, size_t *err_off);
void jr_free(struct jr_val *v);

/* The value of key in an object (the last one when repeated); NULL when v is not an
 * object or has no such key. */
const struct jr_val *jr_get(const struct jr_val *v, const char *key);
/* The string, or NULL when v is NULL or not a string. */
const char *jr_str(const struct jr_val *v);
/* An integer number that fits; -1 with EINVAL (not an integer) or ERANGE otherwise. */
int jr_u64(const struct jr_val *v, uint64_t *out);
int jr_i64(const struct jr_val *v, int64_t *out);

#endif
