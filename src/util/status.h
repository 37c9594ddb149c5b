/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_status: the internal result of the handshake handlers and driver
 * steps. It is a struct so that the compiler keeps it apart from the public
 * tlcp_result (where TLCP_OK == 0) and from the int 1/0 of the lower
 * layers: returning one where the other is expected does not compile.
 * Bit 0 is success; the handshake uses the other bits to tell the driver
 * what to do next (handshake/context.h, enum tlcp_hs_action).
 */
#ifndef TLCP_UTIL_STATUS_H
#define TLCP_UTIL_STATUS_H

#include "util/safety.h"

typedef struct tlcp_status {
    unsigned v;
} tlcp_status;

#define TLCP_STATUS_OK_BIT 1u

static inline tlcp_status tlcp_ok(void)
{
    tlcp_status s = {TLCP_STATUS_OK_BIT};
    return s;
}

static inline tlcp_status tlcp_fail(void)
{
    tlcp_status s = {0};
    return s;
}

/* From the 1/0 convention of util/crypto/x509/record. */
static inline tlcp_status tlcp_status_of(int ok)
{
    return ok ? tlcp_ok() : tlcp_fail();
}

static inline int tlcp_is_ok(tlcp_status s)
{
    return (s.v & TLCP_STATUS_OK_BIT) != 0;
}

/* The guard macros of util/safety.h for functions returning tlcp_status. */
#define S_GUARD(x)                                                                                 \
    do {                                                                                           \
        if (!(x))                                                                                  \
            return tlcp_fail();                                                                    \
    } while (0)

#define S_GUARD_PTR(x)                                                                             \
    do {                                                                                           \
        if ((x) == NULL)                                                                           \
            return tlcp_fail();                                                                    \
    } while (0)

/* Propagates a failed status (and drops the actions of a successful one). */
#define S_TRY(s)                                                                                   \
    do {                                                                                           \
        if (!tlcp_is_ok(s))                                                                        \
            return tlcp_fail();                                                                    \
    } while (0)

#define S_ENSURE_ALERT(cond, err, reason, alert, ...)                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            TLCP_ERR_ALERT((err), (reason), (alert), __VA_ARGS__);                                 \
            return tlcp_fail();                                                                    \
        }                                                                                          \
    } while (0)

#endif
