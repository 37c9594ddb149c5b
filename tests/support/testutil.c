/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "util/hex.h"

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
        int v = tlcp_hex_digit(hex[i]);
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

/* Every file the inventory names must exist under dir (the hashes are checked by
 * tests/cli/fixtures.sh; a missing file is what would make a loop skip silently). */
static int check_inventory(const char *dir, const char *inventory, char *why, size_t why_len)
{
    FILE *f = fopen(inventory, "r");
    if (f == NULL) {
        snprintf(why, why_len, "the fixture inventory %s is missing", inventory);
        return 0;
    }
    char line[1024];
    size_t listed = 0;
    int ok = 1;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        char *name = strstr(line, "  ");
        if (name == NULL) {
            snprintf(why, why_len, "%s: malformed line: %s", inventory, line);
            ok = 0;
            break;
        }
        name += 2;
        name[strcspn(name, "\r\n")] = 0;
        char p[8192];
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(why, why_len, "fixture file %s is missing (listed in %s)", p, inventory);
            ok = 0;
        }
        listed++;
    }
    fclose(f);
    if (ok && listed == 0) {
        snprintf(why, why_len, "the fixture inventory %s lists no file", inventory);
        ok = 0;
    }
    return ok;
}

/* Appends the fixture folder `name`; 0 with a reason when it has no manifest.json. */
static int add_fixture(const char *dir, const char *name, char ***names, size_t *n, size_t *cap,
                       char *why, size_t why_len)
{
    char p[8192];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
        return 1; /* README.md, verify_fixtures.py */
    snprintf(p, sizeof(p), "%s/%s/manifest.json", dir, name);
    if (stat(p, &st) != 0) {
        snprintf(why, why_len, "fixture folder %s/%s has no manifest.json", dir, name);
        return 0;
    }
    if (*n == *cap) {
        *cap *= 2;
        *names = realloc(*names, *cap * sizeof(**names));
        assert_non_null(*names);
    }
    (*names)[(*n)++] = strdup(name);
    return 1;
}

int tu_scan_fixtures(const char *dir, const char *inventory, size_t expected, char ***out_names,
                     size_t *out_n, char *why, size_t why_len)
{
    if (inventory != NULL && !check_inventory(dir, inventory, why, why_len))
        return 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(why, why_len, "fixture folder %s is missing (the repository is incomplete)", dir);
        return 0;
    }
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof(*names));
    assert_non_null(names);
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            ok = add_fixture(dir, e->d_name, &names, &n, &cap, why, why_len);
    }
    closedir(d);
    if (ok && n != expected) {
        snprintf(why, why_len, "%s holds %zu fixtures, expected %zu", dir, n, expected);
        ok = 0;
    }
    if (!ok) {
        tu_free_list(names, n);
        return 0;
    }
    qsort(names, n, sizeof(*names), cmp_names);
    *out_names = names;
    *out_n = n;
    return 1;
}

size_t tu_list_fixtures(char ***out_names)
{
    char dir[4096], inventory[4096], why[9000];
    snprintf(dir, sizeof(dir), "%s", tu_data_path("interop"));
    snprintf(inventory, sizeof(inventory), "%s", tu_data_path("interop.sha256"));
    size_t n = 0;
    if (!tu_scan_fixtures(dir, inventory, TU_INTEROP_FIXTURES, out_names, &n, why, sizeof(why)))
        fail_msg("interop recordings: %s", why);
    return n;
}

void tu_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
