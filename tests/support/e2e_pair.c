/* SPDX-License-Identifier: Apache-2.0 */
/* Setup shared by the end-to-end tests (see e2e_pair.h). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e_pair.h"
#include "util/mem.h"

void e2e_capture_line(void *arg, const char *line)
{
    e2e_capture *c = arg;
    size_t n = strlen(line);
    char *p = realloc(c->text, c->len + n + 2);
    assert_non_null(p);
    c->text = p;
    memcpy(c->text + c->len, line, n);
    c->len += n;
    c->text[c->len++] = '\n';
    c->text[c->len] = '\0';
    c->lines++;
}

void e2e_capture_free(e2e_capture *c)
{
    free(c->text);
    memset(c, 0, sizeof(*c));
}

int e2e_captured(const e2e_capture *c, const char *needle)
{
    return c->text != NULL && strstr(c->text, needle) != NULL;
}

char *e2e_fixture_path(const char *dir, const char *file)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "%s%s", dir, file);
    char *copy = strdup(tu_data_path(rel));
    assert_non_null(copy);
    return copy;
}

void e2e_load_pair(tlcp_config *cfg, const char *dir, const char *who, int enc)
{
    char cert[64], key[64];
    snprintf(cert, sizeof(cert), "%s-%s.pem", who, enc ? "enc" : "sign");
    snprintf(key, sizeof(key), "%s-%s.key", who, enc ? "enc" : "sign");
    char *c = e2e_fixture_path(dir, cert), *k = e2e_fixture_path(dir, key);
    tlcp_result r = enc ? tlcp_config_load_enc_pair(cfg, c, k, NULL)
                        : tlcp_config_load_sign_pair(cfg, c, k, NULL);
    if (r != TLCP_OK)
        fail_msg("loading %s: %s", c, tlcp_config_error(cfg));
    free(c);
    free(k);
}

tlcp_config *e2e_server_config(const char *dir)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, dir, "server", 0);
    e2e_load_pair(cfg, dir, "server", 1);
    char *chain = e2e_fixture_path(dir, "chain.pem");
    assert_int_equal(tlcp_config_load_chain_file(cfg, chain), TLCP_OK);
    free(chain);
    return cfg;
}

tlcp_config *e2e_client_config(const char *dir, const char *host, int64_t now)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    char *ca = e2e_fixture_path(dir, "ca.pem");
    assert_int_equal(tlcp_config_load_ca_file(cfg, ca), TLCP_OK);
    free(ca);
    assert_int_equal(tlcp_config_set_verify_time(cfg, now), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, host), TLCP_OK);
    return cfg;
}

int e2e_is_want(tlcp_result r)
{
    return r == TLCP_WANT_READ || r == TLCP_WANT_WRITE;
}

int e2e_run_handshake(mp_pair *io, tlcp_conn *client, tlcp_conn *server)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < E2E_MAX_STEPS; i++) {
        if (rc != TLCP_OK && rc != TLCP_ERROR)
            rc = tlcp_handshake(client);
        if (rs != TLCP_OK && rs != TLCP_ERROR)
            rs = tlcp_handshake(server);
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
        if (rc == TLCP_ERROR || rs == TLCP_ERROR) {
            /* Let the survivor read the alert. */
            for (int j = 0; j < 100; j++) {
                if (e2e_is_want(rc))
                    rc = tlcp_handshake(client);
                if (e2e_is_want(rs))
                    rs = tlcp_handshake(server);
            }
            return 0;
        }
        if (e2e_is_want(rc) && e2e_is_want(rs) && mp_pending(&io->client) == 0 &&
            mp_pending(&io->server) == 0 && i > 1000)
            return 0;
    }
    return 0;
}

void e2e_conns_open(mp_pair *io, tlcp_conn **client, tlcp_conn **server, tlcp_config *ccfg,
                    tlcp_config *scfg)
{
    mp_pair_init(io);
    *client = tlcp_conn_new(ccfg, TLCP_CLIENT);
    *server = tlcp_conn_new(scfg, TLCP_SERVER);
    assert_non_null(*client);
    assert_non_null(*server);
    tlcp_conn_set_io(*client, mp_read, mp_write, &io->client);
    tlcp_conn_set_io(*server, mp_read, mp_write, &io->server);
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
}

int e2e_drive_handshake(tlcp_conn *client, tlcp_conn *server)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < 200000 && (e2e_is_want(rc) || e2e_is_want(rs)); i++) {
        if (e2e_is_want(rc))
            rc = tlcp_handshake(client);
        if (e2e_is_want(rs))
            rs = tlcp_handshake(server);
        if (rc == TLCP_ERROR || rs == TLCP_ERROR)
            break;
    }
    return rc == TLCP_OK && rs == TLCP_OK;
}

void e2e_pair_open(e2e_pair *p, tlcp_config *ccfg, tlcp_config *scfg)
{
    e2e_conns_open(&p->io, &p->client, &p->server, ccfg, scfg);
}

int e2e_pair_handshake(e2e_pair *p)
{
    return e2e_run_handshake(&p->io, p->client, p->server);
}

void e2e_pair_close(e2e_pair *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    mp_pair_free(&p->io);
}

char *e2e_write_temp(const char *templ, const char *text, size_t len)
{
    char *path = strdup(templ);
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

char *e2e_cert_file(const char *templ, const tlcp_cert *cert)
{
    char *pem = NULL;
    size_t len = 0;
    assert_true(tlcp_cert_to_pem(cert, &pem, &len, NULL));
    char *path = e2e_write_temp(templ, pem, len);
    free(pem);
    return path;
}

char *e2e_key_file(const char *templ, const tlcp_pkey *key)
{
    char *pem = NULL;
    size_t len = 0;
    assert_true(tlcp_pkey_to_pem(key, &pem, &len, NULL));
    char *path = e2e_write_temp(templ, pem, len);
    tlcp_free_secret(pem, len); /* a private key: wiped, not just freed */
    return path;
}

tlcp_cert *e2e_issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                     int profile, unsigned key_usage, const char *ca_name)
{
    tlcp_certgen_params params;
    memset(&params, 0, sizeof(params));
    params.profile = profile;
    params.common_name = profile == TLCP_PROFILE_CA ? ca_name : "localhost";
    params.san = profile == TLCP_PROFILE_CA ? NULL : "DNS:localhost";
    params.days = 30;
    params.key_usage = key_usage;
    tlcp_cert *c = tlcp_certgen_issue(ca, ca_key, key, &params, NULL);
    assert_non_null(c);
    return c;
}
