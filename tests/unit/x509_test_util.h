/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the tests/unit/test_x509_*.c files. */
#ifndef TLCP_X509_TEST_UTIL_H
#define TLCP_X509_TEST_UTIL_H

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "x509/x509.h"

#define UNUSED_OK __attribute__((unused))

/* The interop README: pin verification of the recorded chains to this day. */
#define PIN_2026_11_28 ((time_t)1795824000)
#define PIN_2040_01_01 ((time_t)2208988800)
#define PIN_2026_01_01 ((time_t)1767225600)

UNUSED_OK static const char *fx_path(const char *fixture, const char *file)
{
    static char buf[4096];
    char rel[1024];
    snprintf(rel, sizeof(rel), "interop/%s/%s", fixture, file);
    snprintf(buf, sizeof(buf), "%s", tu_data_path(rel));
    return buf;
}

UNUSED_OK static int fx_has(const char *fixture, const char *file)
{
    struct stat st;
    return stat(fx_path(fixture, file), &st) == 0;
}

/* Fixtures whose server certificates are SM2 (all but the RSA ones). */
UNUSED_OK static int fx_is_sm2_server(const char *fixture)
{
    return fx_has(fixture, "server-sign.pem") && fx_has(fixture, "server-enc.pem") &&
           strstr(fixture, "-rsa-") == NULL;
}

UNUSED_OK static tlcp_cert *fx_cert(const char *fixture, const char *file)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_cert_load_file(fx_path(fixture, file), &err);
    if (c == NULL)
        fprintf(stderr, "%s/%s: %s\n", fixture, file, tlcp_error_message(&err));
    assert_non_null(c);
    return c;
}

UNUSED_OK static tlcp_trust_store *fx_store(const char *fixture)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *s = tlcp_trust_store_new(&err);
    assert_non_null(s);
    assert_true(tlcp_trust_store_load_file(s, fx_path(fixture, "ca.pem"), &err));
    return s;
}

/* A fresh temporary directory; static buffer. */
UNUSED_OK static const char *tmp_dir(void)
{
    static char dir[256];
    snprintf(dir, sizeof(dir), "/tmp/tlcp-x509-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

UNUSED_OK static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

UNUSED_OK static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Asserts an error slot holds `reason` and its message contains `needle`. */
#define assert_err(errp, want_reason, needle)                                                      \
    do {                                                                                           \
        if ((errp)->reason != (want_reason) || strstr((errp)->message, (needle)) == NULL)          \
            fprintf(stderr, "got reason %d: %s\n", (errp)->reason, (errp)->message);               \
        assert_int_equal((errp)->reason, (want_reason));                                           \
        assert_non_null(strstr((errp)->message, (needle)));                                        \
    } while (0)

#endif
