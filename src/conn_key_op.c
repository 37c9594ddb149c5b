/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public side of delegated private keys: completing a pending
 * operation, the time left for it, and tlcp_private_key, a loaded key that
 * performs requests itself (key servers, tests, worker-thread callbacks).
 */
#include <stdio.h>
#include <stdlib.h>

#include "conn_internal.h"
#include "crypto/key_store.h"
#include "handshake/key_op.h"

tlcp_result tlcp_conn_key_operation_done(tlcp_conn *conn, const uint8_t *result, size_t len)
{
    if (conn == NULL || conn->phase != TLCP_PHASE_HANDSHAKE)
        return TLCP_ERROR;
    int r = tlcp_hs_key_op_deliver(&conn->hc, result, len);
    return r == 1 ? TLCP_OK : TLCP_ERROR;
}

long tlcp_conn_key_operation_wait_ms(const tlcp_conn *conn)
{
    if (conn == NULL || conn->phase != TLCP_PHASE_HANDSHAKE)
        return -1;
    return tlcp_hs_key_op_wait_ms(&conn->hc);
}

struct tlcp_private_key {
    tlcp_keypair pair;
    uint8_t point[TLCP_SM2_POINT_LEN];
    struct tlcp_store_key *uri; /* tlcp_private_key_load_uri: the provider's key */
};

static void put_error(char *err_buf, size_t err_cap, const char *text)
{
    if (err_buf != NULL && err_cap > 0)
        snprintf(err_buf, err_cap, "%s", text);
}

tlcp_private_key *tlcp_private_key_load(const char *cert_file, const char *key_file,
                                        const char *passphrase, char *err_buf, size_t err_cap)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_private_key *key = calloc(1, sizeof(*key));
    int ok = key != NULL &&
             tlcp_keypair_load_files(&key->pair, cert_file, key_file, passphrase, &err) &&
             tlcp_pkey_get_point(key->pair.key, key->point, &err);
    if (!ok) {
        put_error(err_buf, err_cap, key == NULL ? "out of memory" : tlcp_error_message(&err));
        tlcp_private_key_free(key);
        return NULL;
    }
    return key;
}

tlcp_private_key *tlcp_private_key_load_uri(const char *cert_file, const char *key_uri,
                                            const char *passphrase, char *err_buf, size_t err_cap)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_private_key *key = calloc(1, sizeof(*key));
    tlcp_pkey *pub = NULL;
    int ok = key != NULL &&
             tlcp_keypair_load_uri(&key->pair, &key->uri, NULL, NULL, cert_file, key_uri,
                                   passphrase, &err) &&
             (pub = tlcp_cert_public_key(key->pair.cert, &err)) != NULL &&
             tlcp_pkey_get_point(pub, key->point, &err);
    tlcp_pkey_free(pub);
    if (!ok) {
        put_error(err_buf, err_cap, key == NULL ? "out of memory" : tlcp_error_message(&err));
        tlcp_private_key_free(key);
        return NULL;
    }
    return key;
}

void tlcp_private_key_free(tlcp_private_key *key)
{
    if (key == NULL)
        return;
    tlcp_keypair_clear(&key->pair);
    tlcp_store_key_free(key->uri);
    free(key);
}

const uint8_t *tlcp_private_key_point(const tlcp_private_key *key)
{
    return key != NULL ? key->point : NULL;
}

int tlcp_private_key_perform(const tlcp_private_key *key, const tlcp_key_op *op, uint8_t *out,
                             size_t *out_len)
{
    if (key == NULL || op == NULL)
        return TLCP_KEY_OP_FAILED;
    if (key->uri != NULL)
        return tlcp_uri_key_perform(key->uri, op, out, out_len);
    tlcp_error err;
    tlcp_error_clear(&err);
    return tlcp_key_op_perform_local(key->pair.key, op, out, out_len, &err) ? TLCP_KEY_OP_DONE
                                                                            : TLCP_KEY_OP_FAILED;
}
