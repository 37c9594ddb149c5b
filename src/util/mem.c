/* SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void tlcp_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        explicit_bzero(p, len);
}

void tlcp_free_secret(void *p, size_t len)
{
    if (p == NULL)
        return;
    tlcp_wipe(p, len);
    free(p);
}

int tlcp_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return (int)(tlcp_ct_is_zero(diff) & 1u);
}
