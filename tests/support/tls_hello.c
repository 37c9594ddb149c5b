/* SPDX-License-Identifier: Apache-2.0 */
#include "tls_hello.h"

#include <string.h>

typedef struct w {
    uint8_t *p;
    size_t len, cap;
} w;

static void put8(w *b, unsigned v)
{
    if (b->len < b->cap)
        b->p[b->len] = (uint8_t)v;
    b->len++;
}

static void put16(w *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v & 0xff);
}

static void put_bytes(w *b, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, d[i]);
}

static void patch16(w *b, size_t at, size_t v)
{
    b->p[at] = (uint8_t)(v >> 8);
    b->p[at + 1] = (uint8_t)v;
}

static void extensions(w *b)
{
    static const uint8_t sni[] = {0x00, 0x0c, 0x00, 0x00, 0x09, 'l', 'o',
                                  'c',  'a',  'l',  'h',  'o',  's', 't'};
    static const uint8_t groups[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x29};
    static const uint8_t formats[] = {0x01, 0x00};
    static const uint8_t sigalgs[] = {0x00, 0x06, 0x07, 0x08, 0x04, 0x03, 0x08, 0x04};
    static const uint8_t reneg[] = {0x00};
    size_t at = b->len;
    put16(b, 0);
    put16(b, 0x0000), put16(b, sizeof(sni)), put_bytes(b, sni, sizeof(sni));
    put16(b, 0x000a), put16(b, sizeof(groups)), put_bytes(b, groups, sizeof(groups));
    put16(b, 0x000b), put16(b, sizeof(formats)), put_bytes(b, formats, sizeof(formats));
    put16(b, 0x000d), put16(b, sizeof(sigalgs)), put_bytes(b, sigalgs, sizeof(sigalgs));
    put16(b, 0xff01), put16(b, sizeof(reneg)), put_bytes(b, reneg, sizeof(reneg));
    put16(b, 0x0017), put16(b, 0);
    put16(b, 0x0023), put16(b, 0);
    patch16(b, at, b->len - at - 2);
}

size_t tu_tls_client_hello(uint8_t *out, size_t cap, uint16_t record_version,
                           uint16_t hello_version, const uint16_t *suites, size_t num_suites)
{
    w b = {out, 0, cap};
    put8(&b, 22);
    put16(&b, record_version);
    put16(&b, 0);              /* record length, patched */
    put8(&b, 1);               /* client_hello */
    put8(&b, 0), put16(&b, 0); /* body length, patched */
    put16(&b, hello_version);
    for (unsigned i = 0; i < 32; i++)
        put8(&b, 0xa0 + i); /* random */
    put8(&b, 32);
    for (unsigned i = 0; i < 32; i++)
        put8(&b, 0x50 + i); /* session ID: browsers send one */
    put16(&b, num_suites * 2);
    for (size_t i = 0; i < num_suites; i++)
        put16(&b, suites[i]);
    put8(&b, 1), put8(&b, 0); /* compression: null */
    extensions(&b);
    if (b.len > cap)
        return 0;
    patch16(&b, 3, b.len - 5);
    out[6] = (uint8_t)((b.len - 9) >> 16);
    patch16(&b, 7, b.len - 9);
    return b.len;
}
