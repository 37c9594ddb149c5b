/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guard macros: internal functions return 1 on success and 0 on failure,
 * and these keep the success path straight.
 */
#ifndef TLCP_UTIL_SAFETY_H
#define TLCP_UTIL_SAFETY_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define TLCP_MUST_CHECK __attribute__((warn_unused_result))

/* Propagate a failure that was already recorded. */
#define GUARD(x)                                                                                 \
    do {                                                                                         \
        if (!(x))                                                                                \
            return 0;                                                                            \
    } while (0)

#define GUARD_PTR(x)                                                                             \
    do {                                                                                         \
        if ((x) == NULL)                                                                         \
            return 0;                                                                            \
    } while (0)

/* Check a condition; record the reason and fail when it does not hold. */
#define ENSURE(cond, err, reason, ...)                                                           \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            TLCP_ERR((err), (reason), __VA_ARGS__);                                              \
            return 0;                                                                            \
        }                                                                                        \
    } while (0)

#define ENSURE_ALERT(cond, err, reason, alert, ...)                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            TLCP_ERR_ALERT((err), (reason), (alert), __VA_ARGS__);                               \
            return 0;                                                                            \
        }                                                                                        \
    } while (0)

#define TLCP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
