/* Tokens as Python's str.split() sees them, on UTF-8 bytes.
 *
 * One rule for every C tokeniser (corpus scanning, phrase detection), so a
 * file yields exactly the tokens that `line.split()` yields for the same text
 * given as Python strings (gensim's LineSentence splits that way too).
 *
 * Invariant for callers: the buffer never ends inside a multi-byte character
 * (readers cut buffers after an ASCII whitespace byte).
 */
#ifndef FW2V_WHITESPACE_H
#define FW2V_WHITESPACE_H

#include "fw2v_common.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Length of the whitespace character at p (UTF-8), or 0. The set is Python's
 * Py_UNICODE_ISSPACE: ASCII \t\n\v\f\r, \x1c-\x1f and space, then U+0085,
 * U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
 * (tests check the list against str.isspace). */
FW2V_INLINE int fw2v_space_len(const unsigned char *p, int64_t left)
{
    unsigned char c = p[0];
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
    if (c == 0xc2) return left >= 2 && (p[1] == 0x85 || p[1] == 0xa0) ? 2 : 0;
    if (left < 3) return 0;
    if (c == 0xe1) return p[1] == 0x9a && p[2] == 0x80 ? 3 : 0;
    if (c == 0xe2) {
        if (p[1] == 0x80) return (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf) ? 3 : 0;
        return p[1] == 0x81 && p[2] == 0x9f ? 3 : 0;
    }
    if (c == 0xe3) return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    return 0;
}

/* Finds the next token in buf[*i:n]: sets *start and returns its end, or -1
 * at the end of the buffer. *newline is set when a "\n" was crossed first. */
FW2V_INLINE int64_t fw2v_next_token(const char *buf, int64_t n, int64_t *i, int64_t *start, int *newline)
{
    const unsigned char *u = (const unsigned char *)buf;
    int64_t k = *i;
    int s;
    *newline = 0;
    while (k < n && (s = fw2v_space_len(u + k, n - k)) > 0) {
        *newline |= u[k] == '\n';
        k += s;
    }
    if (k >= n) { *i = k; return -1; }
    *start = k;
    for (;;) {
        /* Bytes above 0x20 and below 0x80 are never whitespace: as signed chars
         * the candidates (controls, space, every non-ASCII byte) are exactly
         * those below 0x21, so one signed compare finds the next one, 16 bytes
         * at a time where SSE2 is there (every x86-64). */
#if defined(__SSE2__)
        while (k + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(u + k));
            unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)));
            if (bits) { k += __builtin_ctz(bits); goto candidate; }
            k += 16;
        }
#endif
        while (k < n && (signed char)u[k] > 0x20) k++;
        if (k >= n) break;
#if defined(__SSE2__)
    candidate:
#endif
        if (u[k] < 0x80 ? fw2v_space_len(u + k, 1) : fw2v_space_len(u + k, n - k)) break;
        k++;
    }
    *i = k;
    return k;
}

#endif
