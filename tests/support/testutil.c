/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *tu_hex(const char *hex, size_t *out_len)
{
    size_t n = strlen(hex);
    uint8_t *out = malloc(n / 2 + 1);
    assert_non_null(out);
    size_t len = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (hex[i] == ' ' || hex[i] == '\n' || hex[i] == ':')
            continue;
        int v = hexval(hex[i]);
        assert_true(v >= 0);
        if (hi < 0) {
            hi = v;
        } else {
            out[len++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_true(hi < 0);
    *out_len = len;
    return out;
}

void tu_hex_into(const char *hex, uint8_t *out, size_t len)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    assert_int_equal(n, len);
    memcpy(out, b, n);
    free(b);
}

void tu_assert_hex(const uint8_t *got, size_t len, const char *hex)
{
    size_t n;
    uint8_t *want = tu_hex(hex, &n);
    if (n != len || memcmp(got, want, n) != 0) {
        fprintf(stderr, "expected %s\n     got ", hex);
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, "%02x", got[i]);
        fprintf(stderr, "\n");
    }
    assert_int_equal(n, len);
    assert_memory_equal(got, want, n);
    free(want);
}

uint8_t *tu_read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *out_len = len;
    return buf;
}

const char *tu_data_path(const char *rel)
{
    static char path[4096];
    const char *base = TLCP_DATA_DIR;
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    return path;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t tu_list_fixtures(char ***out_names)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_data_path("interop"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof(*names));
    assert_non_null(names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[8192];
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s/manifest.json", dir, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (n == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof(*names));
            assert_non_null(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    *out_names = names;
    return n;
}

void tu_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
