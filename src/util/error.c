/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

void tlcp_error_clear(tlcp_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->alert = TLCP_NO_ALERT;
}

void tlcp_error_set(tlcp_error *err, int reason, int alert, const char *file, int line,
                    const char *fmt, ...)
{
    if (err == NULL || err->reason != TLCP_R_NONE)
        return;
    err->reason = reason;
    err->alert = alert;
    err->file = file;
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(err->message))
        tlcp_error_shorten(err->message, sizeof(err->message));
}

/* A sentence too long for its buffer ends at a word boundary with "...",
 * never in the middle of a word (or of a UTF-8 sequence). */
void tlcp_error_shorten(char *text, size_t cap)
{
    static const char more[] = " ...";
    if (cap < sizeof(more) + 1)
        return;
    size_t end = cap - sizeof(more); /* room for " ..." and the NUL */
    while (end > 0 && text[end] != ' ')
        end--;
    if (end == 0) /* one huge word: cut at a character boundary instead */
        for (end = cap - sizeof(more); end > 0 && ((unsigned char)text[end] & 0xC0) == 0x80;)
            end--;
    memcpy(text + end, more, sizeof(more));
}

int tlcp_error_is_set(const tlcp_error *err)
{
    return err != NULL && err->reason != TLCP_R_NONE;
}

const char *tlcp_error_message(const tlcp_error *err)
{
    if (err == NULL || err->reason == TLCP_R_NONE)
        return "no error";
    return err->message[0] != '\0' ? err->message : tlcp_reason_string(err->reason);
}

char *tlcp_error_format(const tlcp_error *err, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0)
        return buf;
    if (!tlcp_error_is_set(err)) {
        snprintf(buf, cap, "no error");
        return buf;
    }
    snprintf(buf, cap, "%s (%s) at %s:%d", tlcp_error_message(err), tlcp_reason_string(err->reason),
             err->file != NULL ? err->file : "?", err->line);
    return buf;
}
