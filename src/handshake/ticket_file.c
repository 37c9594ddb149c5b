/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ticket key files, so that several servers share their keys. Text, one
 * item a line; blank lines and lines starting with '#' are ignored:
 *
 *   key NAME SECRET     NAME: 32 hex digits (16 bytes), SECRET: 32 to 128
 *                       hex digits (16 to 64 bytes); the ticket key is
 *                       derived from SECRET and NAME with HMAC-SM3
 *   lifetime SECONDS    the lifetime hint and the tickets' lifetime
 *                       (1..604800, default 7200); at most once
 *
 * Keys are listed oldest first: the last one seals new tickets, all of
 * them open tickets. At least one key, at most TLCP_TICKET_MAX_KEYS, names
 * unique. The file holds secrets: keep it readable by the servers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/ticket.h"
#include "util/hex.h"
#include "util/mem.h"

#define LINE_MAX_LEN   512
#define LIFETIME_MAX   604800
#define FILE_MAX_BYTES 65536

/* Hex of exactly 2*min..2*max digits into out; the byte count or -1. */
static int parse_hex(const char *s, uint8_t *out, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n / 2 < min)
        return -1;
    return (int)tlcp_hex_decode(s, n, out, max);
}

typedef struct key_file {
    const char *source;
    unsigned line;
    tlcp_ticket_keys *keys; /* the keys read so far */
    int have_lifetime;
    tlcp_error *err;
} key_file;

static int key_line(key_file *f, char *name_hex, char *secret_hex)
{
    uint8_t name[TLCP_TICKET_NAME_LEN], secret[TLCP_TICKET_SECRET_MAX];
    ENSURE(name_hex != NULL && parse_hex(name_hex, name, 16, 16) == 16, f->err,
           TLCP_R_TICKET_KEY_FILE, "%s:%u: key name must be 32 hex digits", f->source, f->line);
    int n = secret_hex != NULL
                ? parse_hex(secret_hex, secret, TLCP_TICKET_SECRET_MIN, TLCP_TICKET_SECRET_MAX)
                : -1;
    ENSURE(n > 0, f->err, TLCP_R_TICKET_KEY_FILE, "%s:%u: key secret must be 32 to 128 hex digits",
           f->source, f->line);
    ENSURE(f->keys->count < TLCP_TICKET_MAX_KEYS, f->err, TLCP_R_TICKET_KEY_FILE,
           "%s:%u: more than %d keys", f->source, f->line, TLCP_TICKET_MAX_KEYS);
    for (size_t i = 0; i < f->keys->count; i++)
        ENSURE(memcmp(f->keys->keys[i].name, name, 16) != 0, f->err, TLCP_R_TICKET_KEY_FILE,
               "%s:%u: key name %s appears twice", f->source, f->line, name_hex);
    int ok = tlcp_ticket_keys_add(f->keys, name, secret, (size_t)n, f->err);
    tlcp_wipe(secret, sizeof(secret));
    return ok;
}

static int lifetime_line(key_file *f, const char *value)
{
    char *end = NULL;
    unsigned long v = value != NULL ? strtoul(value, &end, 10) : 0;
    ENSURE(!f->have_lifetime, f->err, TLCP_R_TICKET_KEY_FILE, "%s:%u: lifetime given twice",
           f->source, f->line);
    ENSURE(value != NULL && *value != '\0' && *end == '\0' && v >= 1 && v <= LIFETIME_MAX, f->err,
           TLCP_R_TICKET_KEY_FILE, "%s:%u: lifetime must be 1 to %d seconds", f->source, f->line,
           LIFETIME_MAX);
    f->keys->lifetime = (uint32_t)v;
    f->have_lifetime = 1;
    return 1;
}

static int one_line(key_file *f, char *line)
{
    char *save = NULL;
    char *word = strtok_r(line, " \t\r", &save);
    if (word == NULL || word[0] == '#')
        return 1;
    char *a = strtok_r(NULL, " \t\r", &save);
    char *b = a != NULL ? strtok_r(NULL, " \t\r", &save) : NULL;
    char *extra = b != NULL ? strtok_r(NULL, " \t\r", &save) : NULL;
    ENSURE(extra == NULL, f->err, TLCP_R_TICKET_KEY_FILE, "%s:%u: unexpected '%s'", f->source,
           f->line, extra);
    if (strcmp(word, "key") == 0)
        return key_line(f, a, b);
    if (strcmp(word, "lifetime") == 0 && b == NULL)
        return lifetime_line(f, a);
    TLCP_ERR(f->err, TLCP_R_TICKET_KEY_FILE,
             "%s:%u: expected 'key NAME SECRET' or "
             "'lifetime SECONDS', found '%s'",
             f->source, f->line, word);
    return 0;
}

static int parse_lines(key_file *f, const char *text, size_t len)
{
    char line[LINE_MAX_LEN];
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        f->line++;
        ENSURE(n < sizeof(line), f->err, TLCP_R_TICKET_KEY_FILE, "%s:%u: line too long", f->source,
               f->line);
        memcpy(line, text + pos, n);
        line[n] = '\0';
        ENSURE(strlen(line) == n, f->err, TLCP_R_TICKET_KEY_FILE, "%s:%u: NUL byte", f->source,
               f->line);
        int ok = one_line(f, line);
        tlcp_wipe(line, sizeof(line));
        GUARD(ok);
        pos += n + 1;
    }
    ENSURE(f->keys->count > 0, f->err, TLCP_R_TICKET_KEY_FILE, "%s: no 'key' line", f->source);
    return 1;
}

int tlcp_ticket_keys_parse(tlcp_ticket_keys *k, const char *text, size_t len, const char *source,
                           tlcp_error *err)
{
    tlcp_ticket_keys *tmp = tlcp_ticket_keys_new();
    ENSURE(tmp != NULL, err, TLCP_R_ALLOC, "out of memory");
    key_file f = {source, 0, tmp, 0, err};
    int ok = parse_lines(&f, text, len);
    if (ok) {
        tlcp_ticket_keys_take(k, tmp);
        pthread_mutex_lock(&k->lock);
        k->lifetime = tmp->lifetime;
        pthread_mutex_unlock(&k->lock);
    }
    tlcp_ticket_keys_free(tmp);
    return ok;
}

int tlcp_ticket_keys_load_file(tlcp_ticket_keys *k, const char *path, tlcp_error *err)
{
    FILE *fp = fopen(path, "rb");
    ENSURE(fp != NULL, err, TLCP_R_FILE, "%s: cannot open the ticket key file", path);
    char *buf = malloc(FILE_MAX_BYTES + 1);
    size_t n = buf != NULL ? fread(buf, 1, FILE_MAX_BYTES + 1, fp) : 0;
    int read_error = ferror(fp);
    fclose(fp);
    int ok = buf != NULL && !read_error;
    if (!ok)
        TLCP_ERR(err, buf == NULL ? TLCP_R_ALLOC : TLCP_R_FILE, "%s: cannot read the file", path);
    if (ok && n > FILE_MAX_BYTES) {
        TLCP_ERR(err, TLCP_R_TICKET_KEY_FILE, "%s: larger than %d bytes", path, FILE_MAX_BYTES);
        ok = 0;
    }
    ok = ok && tlcp_ticket_keys_parse(k, buf, n, path, err);
    if (buf != NULL)
        tlcp_free_secret(buf, FILE_MAX_BYTES + 1);
    return ok;
}
