/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ChangeCipherSpec and Finished. Sending CCS switches our write keys;
 * receiving it switches the read keys (only once the keys exist: an early
 * CCS is unexpected). Finished carries PRF(master, label, SM3(transcript)).
 */
#include "handshake/handlers.h"
#include "handshake/messages.h"
#include "util/mem.h"

int tlcp_hs_ccs_post_work(tlcp_conn *conn)
{
    if (!tlcp_record_activate_write(conn->rl)) {
        tlcp_conn_take_record_error(conn);
        return 0;
    }
    tlcp_conn_trace(conn, "key schedule: write keys active, write sequence number reset");
    return 1;
}

int tlcp_hs_ccs_process(tlcp_conn *conn, tlcp_cursor body)
{
    /* The record layer already checked the single 0x01 byte and hands up an
     * empty item; a body, if given, must be that byte. */
    uint8_t value = 1;
    if (!tlcp_cursor_is_empty(&body))
        ENSURE_ALERT(tlcp_cursor_get_u8(&body, &value) && value == 1 && tlcp_cursor_is_empty(&body),
                     &conn->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                     "ChangeCipherSpec must be the single byte 0x01");
    ENSURE_ALERT(conn->hs->keys_ready, &conn->err, TLCP_R_UNEXPECTED_MESSAGE,
                 TLCP_ALERT_UNEXPECTED_MESSAGE, "ChangeCipherSpec before the key exchange");
    if (!tlcp_record_activate_read(conn->rl)) {
        tlcp_conn_take_record_error(conn);
        return 0;
    }
    tlcp_conn_trace(conn, "key schedule: read keys active, read sequence number reset");
    return 1;
}

/* verify_data for the Finished sent by the client (is_client=1) or server. */
static int compute_verify_data(tlcp_conn *conn, int is_client, uint8_t out[TLCP_VERIFY_DATA_LEN])
{
    uint8_t hash[TLCP_SM3_DIGEST_LEN];
    GUARD(tlcp_transcript_hash(&conn->hs->transcript, hash, &conn->err));
    return tlcp_prf_finished(conn->hs->master, is_client, hash, out, &conn->err);
}

int tlcp_hs_finished_construct(tlcp_conn *conn, tlcp_builder *body)
{
    uint8_t vd[TLCP_VERIFY_DATA_LEN];
    GUARD(compute_verify_data(conn, !conn->is_server, vd));
    return tlcp_build_finished(body, vd);
}

int tlcp_hs_finished_process(tlcp_conn *conn, tlcp_cursor body)
{
    tlcp_finished m;
    GUARD(tlcp_parse_finished(body, &m, &conn->err));
    uint8_t expected[TLCP_VERIFY_DATA_LEN];
    GUARD(compute_verify_data(conn, conn->is_server, expected));
    int ok = tlcp_ct_equal(expected, m.verify_data, TLCP_VERIFY_DATA_LEN);
    tlcp_wipe(expected, sizeof(expected));
    ENSURE_ALERT(ok, &conn->err, TLCP_R_BAD_FINISHED, TLCP_ALERT_DECRYPT_ERROR,
                 "%s Finished verify_data does not match the handshake",
                 conn->is_server ? "client" : "server");
    tlcp_conn_trace(conn, "%s Finished verified", conn->is_server ? "client" : "server");
    return 1;
}
