/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake table and its sequences: sizes and names from the design
 * trace, writers, handler presence, and the "receive first, then decide"
 * alternatives.
 */
#include "testutil.h"

#include <string.h>

#include "handshake/handshake.h"
#include "handshake/messages.h"
#include "handshake/table.h"
#include "record/record.h"
#include "tlcp/tlcp.h"

static void test_rows_match_the_trace(void **state)
{
    (void)state;
    static const struct {
        int id;
        uint8_t type;
        int writer;
        size_t max;
        const char *w, *r;
    } want[] = {
        {TLCP_ROW_CLIENT_HELLO, TLCP_HS_CLIENT_HELLO, TLCP_CLIENT, 131396, "TLS_ST_CW_CLNT_HELLO",
         "TLS_ST_SR_CLNT_HELLO"},
        {TLCP_ROW_SERVER_HELLO, TLCP_HS_SERVER_HELLO, TLCP_SERVER, 20000, "TLS_ST_SW_SRVR_HELLO",
         "TLS_ST_CR_SRVR_HELLO"},
        {TLCP_ROW_SERVER_KEY_EXCH, TLCP_HS_SERVER_KEY_EXCHANGE, TLCP_SERVER, 102400,
         "TLS_ST_SW_KEY_EXCH", "TLS_ST_CR_KEY_EXCH"},
        {TLCP_ROW_SERVER_DONE, TLCP_HS_SERVER_HELLO_DONE, TLCP_SERVER, 0, "TLS_ST_SW_SRVR_DONE",
         "TLS_ST_CR_SRVR_DONE"},
        {TLCP_ROW_CLIENT_KEY_EXCH, TLCP_HS_CLIENT_KEY_EXCHANGE, TLCP_CLIENT, 2048,
         "TLS_ST_CW_KEY_EXCH", "TLS_ST_SR_KEY_EXCH"},
        {TLCP_ROW_CLIENT_CCS, 0, TLCP_CLIENT, 1, "TLS_ST_CW_CHANGE", "TLS_ST_SR_CHANGE"},
        {TLCP_ROW_CLIENT_FINISHED, TLCP_HS_FINISHED, TLCP_CLIENT, 64, "TLS_ST_CW_FINISHED",
         "TLS_ST_SR_FINISHED"},
        {TLCP_ROW_SERVER_CCS, 0, TLCP_SERVER, 1, "TLS_ST_SW_CHANGE", "TLS_ST_CR_CHANGE"},
        {TLCP_ROW_SERVER_FINISHED, TLCP_HS_FINISHED, TLCP_SERVER, 64, "TLS_ST_SW_FINISHED",
         "TLS_ST_CR_FINISHED"},
        {TLCP_ROW_CERT_REQUEST, TLCP_HS_CERTIFICATE_REQUEST, TLCP_SERVER, 102400,
         "TLS_ST_SW_CERT_REQ", "TLS_ST_CR_CERT_REQ"},
        {TLCP_ROW_CERT_VERIFY, TLCP_HS_CERTIFICATE_VERIFY, TLCP_CLIENT, 2048, "TLS_ST_CW_CERT_VRFY",
         "TLS_ST_SR_CERT_VRFY"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const tlcp_hs_row *r = tlcp_hs_row_get(want[i].id);
        assert_non_null(r);
        assert_int_equal(r->writer, want[i].writer);
        assert_int_equal(r->max_body, want[i].max);
        assert_string_equal(r->write_name, want[i].w);
        assert_string_equal(r->read_name, want[i].r);
        if (want[i].max == 1)
            assert_int_equal(r->content_type, TLCP_CT_CHANGE_CIPHER_SPEC);
        else
            assert_int_equal(r->msg_type, want[i].type);
    }
    /* Certificate limits come from the config (max_cert_list). */
    assert_true(tlcp_hs_row_get(TLCP_ROW_SERVER_CERT)->max_from_config);
    assert_true(tlcp_hs_row_get(TLCP_ROW_CLIENT_CERT)->max_from_config);
    assert_null(tlcp_hs_row_get(TLCP_ROW_COUNT));
    assert_null(tlcp_hs_row_get(-1));
}

static void test_every_row_has_its_handlers(void **state)
{
    (void)state;
    for (int id = 0; id < TLCP_ROW_COUNT; id++) {
        const tlcp_hs_row *r = tlcp_hs_row_get(id);
        assert_non_null(r->process);
        assert_non_null(r->label);
        /* CCS has no construct handler: the driver writes the byte; nor
         * have the rows outside the sequences, which we only receive. */
        if (r->content_type == TLCP_CT_HANDSHAKE && r->when == TLCP_WHEN_SEQUENCE)
            assert_non_null(r->construct);
        else
            assert_null(r->construct);
    }
}

static size_t seq_len(int seq)
{
    size_t n = 0;
    while (tlcp_hs_seq_row(seq, n) != TLCP_ROW_END)
        n++;
    return n;
}

static void test_sequences(void **state)
{
    (void)state;
    assert_int_equal(seq_len(TLCP_SEQ_FULL), 10);
    assert_int_equal(seq_len(TLCP_SEQ_CLIENT_AUTH), 13);
    assert_int_equal(seq_len(TLCP_SEQ_CLIENT_AUTH_NO_CV), 12);
    assert_int_equal(seq_len(TLCP_SEQ_RESUMED), 6);
    for (int s = 0; s < TLCP_SEQ_COUNT; s++) {
        assert_int_equal(tlcp_hs_seq_row(s, 0), TLCP_ROW_CLIENT_HELLO);
        assert_int_equal(tlcp_hs_seq_row(s, 1), TLCP_ROW_SERVER_HELLO);
        /* Every sequence ends with a Finished. */
        int last = tlcp_hs_seq_row(s, seq_len(s) - 1);
        assert_true(last == TLCP_ROW_SERVER_FINISHED || last == TLCP_ROW_CLIENT_FINISHED);
        /* Past the end stays at the end. */
        assert_int_equal(tlcp_hs_seq_row(s, seq_len(s) + 3), TLCP_ROW_END);
    }
    assert_int_equal(tlcp_hs_seq_row(TLCP_SEQ_RESUMED, 2), TLCP_ROW_SERVER_CCS);
    assert_int_equal(tlcp_hs_seq_row(TLCP_SEQ_COUNT, 0), TLCP_ROW_END);
}

static void test_alternatives(void **state)
{
    (void)state;
    /* A CertificateRequest where the full sequence expects ServerHelloDone. */
    assert_int_equal(
        tlcp_hs_seq_alternative(TLCP_SEQ_FULL, 4, TLCP_CT_HANDSHAKE, TLCP_HS_CERTIFICATE_REQUEST),
        TLCP_SEQ_CLIENT_AUTH);
    /* A CCS right after ServerHello: the abbreviated handshake. */
    assert_int_equal(tlcp_hs_seq_alternative(TLCP_SEQ_FULL, 2, TLCP_CT_CHANGE_CIPHER_SPEC, 0),
                     TLCP_SEQ_RESUMED);
    /* Nothing fits a Finished where a Certificate is due. */
    assert_int_equal(tlcp_hs_seq_alternative(TLCP_SEQ_FULL, 2, TLCP_CT_HANDSHAKE, TLCP_HS_FINISHED),
                     -1);
    /* A CCS where CertificateVerify is due: the client sent no certificate. */
    assert_int_equal(
        tlcp_hs_seq_alternative(TLCP_SEQ_CLIENT_AUTH, 8, TLCP_CT_CHANGE_CIPHER_SPEC, 0),
        TLCP_SEQ_CLIENT_AUTH_NO_CV);
    /* No sequence has a CertificateVerify where the full one has CKE. */
    assert_int_equal(
        tlcp_hs_seq_alternative(TLCP_SEQ_FULL, 5, TLCP_CT_HANDSHAKE, TLCP_HS_CERTIFICATE_VERIFY),
        -1);
}

static void test_sequences_from_flags(void **state)
{
    (void)state;
    assert_int_equal(tlcp_hs_seq_for_flags(0), TLCP_SEQ_FULL);
    assert_int_equal(tlcp_hs_seq_for_flags(TLCP_HS_F_CLIENT_AUTH), TLCP_SEQ_CLIENT_AUTH);
    assert_int_equal(tlcp_hs_seq_for_flags(TLCP_HS_F_CLIENT_AUTH | TLCP_HS_F_NO_CLIENT_CERT),
                     TLCP_SEQ_CLIENT_AUTH_NO_CV);
    for (unsigned f = 0; f <= TLCP_HS_F_ALL; f++) {
        int seq = tlcp_hs_seq_for_flags(f);
        assert_true(seq >= 0 && seq < TLCP_SEQ_COUNT);
        if (f & TLCP_HS_F_RESUMED)
            assert_int_equal(seq,
                             (f & TLCP_HS_F_TICKET) ? TLCP_SEQ_RESUMED_TICKET : TLCP_SEQ_RESUMED);
        /* The ticket flag adds a NewSessionTicket right before the
         * server's ChangeCipherSpec and changes nothing else. */
        int plain = tlcp_hs_seq_for_flags(f & ~TLCP_HS_F_TICKET);
        int has_nst = 0;
        for (size_t i = 0, j = 0; tlcp_hs_seq_row(seq, i) != TLCP_ROW_END; i++) {
            int row = tlcp_hs_seq_row(seq, i);
            if (row == TLCP_ROW_NEW_SESSION_TICKET) {
                has_nst = 1;
                assert_int_equal(tlcp_hs_seq_row(seq, i + 1), TLCP_ROW_SERVER_CCS);
                continue;
            }
            assert_int_equal(row, tlcp_hs_seq_row(plain, j++));
        }
        assert_int_equal(has_nst, (f & TLCP_HS_F_TICKET) != 0);
    }
}

static void test_optional_and_unsequenced_messages(void **state)
{
    (void)state;
    /* Only the client receives a CertificateRequest, and learns client auth from it. */
    const tlcp_hs_optional *o =
        tlcp_hs_optional_for(TLCP_CLIENT, TLCP_CT_HANDSHAKE, TLCP_HS_CERTIFICATE_REQUEST);
    assert_non_null(o);
    assert_int_equal(o->row, TLCP_ROW_CERT_REQUEST);
    assert_int_equal(o->flag, TLCP_HS_F_CLIENT_AUTH);
    assert_null(tlcp_hs_optional_for(TLCP_SERVER, TLCP_CT_HANDSHAKE, TLCP_HS_CERTIFICATE_REQUEST));
    assert_null(tlcp_hs_optional_for(TLCP_CLIENT, TLCP_CT_CHANGE_CIPHER_SPEC, 0));
    /* HelloRequest: the client's, during and after the handshake. */
    const tlcp_hs_row *hr = tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_HELLO_REQUEST, 0);
    assert_ptr_equal(hr, tlcp_hs_row_get(TLCP_ROW_HELLO_REQUEST));
    assert_ptr_equal(hr, tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_HELLO_REQUEST, 1));
    assert_int_equal(hr->max_body, 0);
    assert_null(tlcp_hs_unsequenced_row(TLCP_SERVER, TLCP_HS_HELLO_REQUEST, 1));
    /* A ClientHello outside the sequence: the server's, after the handshake only. */
    assert_null(tlcp_hs_unsequenced_row(TLCP_SERVER, TLCP_HS_CLIENT_HELLO, 0));
    assert_ptr_equal(tlcp_hs_unsequenced_row(TLCP_SERVER, TLCP_HS_CLIENT_HELLO, 1),
                     tlcp_hs_row_get(TLCP_ROW_RENEGOTIATION));
    assert_null(tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_CLIENT_HELLO, 1));
    /* Nothing else (NewSessionTicket comes with issue 11 item 2). */
    assert_null(tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_NEW_SESSION_TICKET, 1));
    assert_null(tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_FINISHED, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_match_the_trace),
        cmocka_unit_test(test_every_row_has_its_handlers),
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_alternatives),
        cmocka_unit_test(test_sequences_from_flags),
        cmocka_unit_test(test_optional_and_unsequenced_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
