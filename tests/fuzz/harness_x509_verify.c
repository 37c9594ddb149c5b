/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Peer certificate handling from the network: the input is a Certificate
 * message body. Its list is classified (tlcp_peer_certs_parse) and verified
 * against the recorded roots at a pinned time with the host "localhost", once
 * with the built-in checks alone and once each with a callback that accepts
 * and one that rejects. Properties: a refusal names a reason and an alert to
 * send; the result struct agrees with the return value; an accepted peer has
 * a sign certificate and an SM2 key in it; the callbacks decide the outcome.
 */
#include "handshake/messages.h"
#include "harness_fixtures.h"

static int accept_all(void *arg, tlcp_verify_result *result, const tlcp_peer_certs *peer)
{
    (void)result;
    (void)peer;
    ++*(int *)arg;
    return 1;
}

static int reject_all(void *arg, tlcp_verify_result *result, const tlcp_peer_certs *peer)
{
    (void)result;
    (void)peer;
    ++*(int *)arg;
    return 0;
}

static void check_refusal(const tlcp_error *err, const char *what)
{
    fuzz_require(err->reason != TLCP_R_NONE, what);
    fuzz_require(err->alert != TLCP_NO_ALERT && err->alert != TLCP_ALERT_INTERNAL_ERROR, what);
}

static void verify_with(const tlcp_peer_certs *peer, tlcp_verify_cb cb, int *calls)
{
    tlcp_verify_params params = {
        .time = FUZZ_VERIFY_TIME, .host = "localhost", .require_enc = 1, .cb = cb, .cb_arg = calls};
    tlcp_verify_result result;
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = tlcp_verify_peer(fuzz_fixture_store(), peer, &params, &result, &err);
    if (cb == accept_all)
        fuzz_require(ok, "verify callback accepted but the peer was refused");
    if (cb == reject_all)
        fuzz_require(!ok, "verify callback refused but the peer was accepted");
    if (cb != NULL)
        fuzz_require(*calls == 1, "verify callback not called exactly once");
    if (!ok) {
        check_refusal(&err, "peer certificates refused without reason and alert");
        return;
    }
    if (cb == NULL) {
        fuzz_require(result.ok && result.reason == TLCP_R_NONE,
                     "accepted peer with a failed result");
        tlcp_pkey *key = tlcp_cert_public_key(peer->sign, &err);
        fuzz_require(key != NULL, "accepted peer whose sign key is not SM2");
        tlcp_pkey_free(key);
    }
}

int fuzz_x509_verify(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_certificate_msg msg;
    tlcp_cursor body;
    tlcp_cursor_init(&body, data, len);
    tlcp_error_clear(&err);
    if (!tlcp_parse_certificate(body, &msg, &err))
        return 0;
    const uint8_t *ders[TLCP_MAX_CERTS];
    size_t lens[TLCP_MAX_CERTS];
    for (size_t i = 0; i < msg.num_certs; i++) {
        ders[i] = tlcp_cursor_data(&msg.certs[i]);
        lens[i] = tlcp_cursor_len(&msg.certs[i]);
    }
    tlcp_peer_certs peer = {0};
    if (!tlcp_peer_certs_parse(&peer, ders, lens, msg.num_certs, &err)) {
        check_refusal(&err, "certificate list refused without reason and alert");
        fuzz_require(peer.sign == NULL && peer.enc == NULL && peer.chain.num == 0,
                     "refused certificate list not left cleared");
        return 0;
    }
    fuzz_require(peer.sign != NULL, "classified list without a sign certificate");
    int calls = 0;
    verify_with(&peer, NULL, &calls);
    calls = 0;
    verify_with(&peer, accept_all, &calls);
    calls = 0;
    verify_with(&peer, reject_all, &calls);
    tlcp_peer_certs_clear(&peer);
    return 0;
}
