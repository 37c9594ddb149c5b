/* SPDX-License-Identifier: Apache-2.0 */
/* File reading, PEM detection, names and error translation for src/x509. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>

#include "x509/x509_internal.h"

int tlcp_x509_read_file(const char *path, const char *what, uint8_t **out, size_t *out_len,
                        tlcp_error *err)
{
    ENSURE(path != NULL && path[0] != '\0', err, TLCP_R_INVALID_ARGUMENT, "no %s file given", what);
    FILE *f = fopen(path, "rb");
    ENSURE(f != NULL, err, TLCP_R_FILE, "cannot open %s file %s: %s", what, path, strerror(errno));
    struct stat st;
    int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (!regular || (uintmax_t)st.st_size > TLCP_X509_MAX_FILE) {
        fclose(f);
        TLCP_ERR(err, TLCP_R_FILE, "%s file %s is %s", what, path,
                 regular ? "too large" : "not a regular file");
        return 0;
    }
    /* One byte more than the size so a file that grew meanwhile is noticed. */
    size_t cap = (size_t)st.st_size + 1;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory reading %s file %s", what, path);
        return 0;
    }
    size_t n = fread(buf, 1, cap, f);
    int read_error = ferror(f);
    fclose(f);
    if (read_error || n == cap) {
        free(buf);
        TLCP_ERR(err, TLCP_R_FILE, "cannot read %s file %s%s", what, path,
                 read_error ? "" : " (it changed while being read)");
        return 0;
    }
    if (n == 0) {
        free(buf);
        TLCP_ERR(err, TLCP_R_DECODE, "%s file %s is empty", what, path);
        return 0;
    }
    *out = buf;
    *out_len = n;
    return 1;
}

int tlcp_x509_is_pem(const uint8_t *data, size_t len)
{
    static const char marker[] = "-----BEGIN";
    size_t mlen = sizeof(marker) - 1;
    for (size_t i = 0; i + mlen <= len; i++) {
        if (memcmp(data + i, marker, mlen) == 0)
            return 1;
    }
    return 0;
}

void tlcp_x509_name_line(const X509_NAME *name, char *buf, size_t cap)
{
    static const char fallback[] = "(unprintable name)";
    /* Forward order (C first), ", " between RDNs, short names, UTF-8 kept as
     * is but control characters escaped so a name cannot break a log line. */
    unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
                          (ASN1_STRFLGS_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB);
    if (cap == 0)
        return;
    buf[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
        BIO_free(bio);
        ERR_clear_error();
        snprintf(buf, cap, "%s", fallback);
        return;
    }
    char *text = NULL;
    long n = BIO_get_mem_data(bio, &text);
    if (n <= 0) {
        snprintf(buf, cap, "%s", n == 0 ? "(empty name)" : fallback);
    } else {
        size_t copy = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
        memcpy(buf, text, copy);
        buf[copy] = '\0';
    }
    BIO_free(bio);
}

void tlcp_x509_openssl_detail(char *buf, size_t cap)
{
    unsigned long code = ERR_peek_error();
    if (code != 0)
        ERR_error_string_n(code, buf, cap);
    else
        snprintf(buf, cap, "no detail");
    ERR_clear_error();
}
