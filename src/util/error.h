/* SPDX-License-Identifier: Apache-2.0 */
/* The error slot every object carries: reason, optional alert, message, where. */
#ifndef TLCP_UTIL_ERROR_H
#define TLCP_UTIL_ERROR_H

#include "tlcp/tlcp.h"

#define TLCP_NO_ALERT (-1)
#define TLCP_ERROR_MESSAGE_MAX 1024

typedef struct tlcp_error {
    int reason;  /* tlcp_reason; TLCP_R_NONE when clear */
    int alert;   /* alert to send, or TLCP_NO_ALERT */
    const char *file;
    int line;
    char message[TLCP_ERROR_MESSAGE_MAX];
} tlcp_error;

void tlcp_error_clear(tlcp_error *err);

/* Records the first failure only: later calls while a reason is set are
 * ignored, so the root cause survives the unwinding. `err` may be NULL. */
void tlcp_error_set(tlcp_error *err, int reason, int alert, const char *file, int line,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

int tlcp_error_is_set(const tlcp_error *err);

/* Cuts a NUL-terminated text that filled all `cap` bytes of its buffer
 * back to a word boundary and appends " ..." (what tlcp_error_set does with
 * a sentence that does not fit). */
void tlcp_error_shorten(char *text, size_t cap);

/* The recorded sentence; the reason's phrase when no sentence was given;
 * "no error" when clear. Never NULL. */
const char *tlcp_error_message(const tlcp_error *err);

/* Writes "message (reason) at file:line" for logs into buf (always
 * NUL-terminated when cap > 0, truncated if needed); returns buf. */
char *tlcp_error_format(const tlcp_error *err, char *buf, size_t cap);

#define TLCP_ERR(err, reason, ...)                                                               \
    tlcp_error_set((err), (reason), TLCP_NO_ALERT, __FILE__, __LINE__, __VA_ARGS__)
#define TLCP_ERR_ALERT(err, reason, alert, ...)                                                  \
    tlcp_error_set((err), (reason), (alert), __FILE__, __LINE__, __VA_ARGS__)

#endif
