/* utf8: how long the valid UTF-8 sequence at s is, for the writers that let valid
 * text through whole and escape everything else (json, termsafe).
 * Returns 2, 3 or 4 for a valid multi-byte sequence within the n bytes at s, 0 for
 * anything else: ASCII, a stray continuation byte, an overlong form, a surrogate, a
 * code point past U+10FFFF or a sequence cut short by n. */
#ifndef CRDIAG_UTF8_H
#define CRDIAG_UTF8_H

#include <stddef.h>
#include <stdint.h>

size_t utf8_len(const unsigned char *s, size_t n);

/* The code point of a sequence utf8_len() accepted (len is what it returned). */
uint32_t utf8_decode(const unsigned char *s, size_t len);

#endif
