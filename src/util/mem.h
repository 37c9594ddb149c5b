/* SPDX-License-Identifier: Apache-2.0 */
/* Secret hygiene: wiping and constant-time comparison. */
#ifndef TLCP_UTIL_MEM_H
#define TLCP_UTIL_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Overwrites `len` bytes with zeros in a way the compiler may not elide. */
void tlcp_wipe(void *p, size_t len);

/* Wipes then frees; NULL is a no-op. */
void tlcp_free_secret(void *p, size_t len);

/* 1 if equal, 0 otherwise; time depends only on `len`. */
int tlcp_ct_equal(const void *a, const void *b, size_t len);

/* Hides a value from the optimiser: it cannot know that a mask is all-ones
 * or all-zeros, so it cannot turn the masked selections below back into
 * branches (compilers do this to "x ? a : b"-shaped arithmetic). */
static inline size_t tlcp_ct_barrier(size_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
    return x;
#else
    volatile size_t v = x;
    return v;
#endif
}

/* Constant-time helpers on machine words: all-ones or all-zeros masks. */
static inline size_t tlcp_ct_is_zero(size_t x)
{
    x = tlcp_ct_barrier(x);
    return tlcp_ct_barrier((size_t)0 -
                           (size_t)(((x | ((size_t)0 - x)) >> (sizeof(size_t) * 8 - 1)) ^ 1u));
}
static inline size_t tlcp_ct_eq(size_t a, size_t b)
{
    return tlcp_ct_is_zero(a ^ b);
}
/* all-ones when a < b */
static inline size_t tlcp_ct_lt(size_t a, size_t b)
{
    a = tlcp_ct_barrier(a);
    return tlcp_ct_barrier((size_t)0 -
                           ((a ^ ((a ^ b) | ((a - b) ^ b))) >> (sizeof(size_t) * 8 - 1)));
}
static inline size_t tlcp_ct_ge(size_t a, size_t b)
{
    return ~tlcp_ct_lt(a, b);
}
static inline size_t tlcp_ct_select(size_t mask, size_t a, size_t b)
{
    mask = tlcp_ct_barrier(mask);
    return (mask & a) | (~mask & b);
}

#endif
