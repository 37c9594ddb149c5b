/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLCP record layer: framing, protection (null, SM4-CBC + HMAC-SM3,
 * SM4-GCM), sequence numbers, alerts, and handshake-message framing above the
 * records. All I/O goes through the transport callbacks; reads are
 * reassembled from arbitrary chunks and writes are queued so that
 * WANT_WRITE neither loses nor repeats a byte.
 */
#ifndef TLCP_RECORD_H
#define TLCP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "suite/suite.h"
#include "tlcp/tlcp.h"
#include "util/bytes.h"
#include "util/error.h"

enum tlcp_content_type {
    TLCP_CT_CHANGE_CIPHER_SPEC = 20,
    TLCP_CT_ALERT = 21,
    TLCP_CT_HANDSHAKE = 22,
    TLCP_CT_APPLICATION_DATA = 23
};

enum tlcp_alert_level { TLCP_ALERT_LEVEL_WARNING = 1, TLCP_ALERT_LEVEL_FATAL = 2 };

#define TLCP_RECORD_HEADER_LEN    5
#define TLCP_MAX_PLAINTEXT        16384
#define TLCP_MAX_CIPHERTEXT       (16384 + 2048)
#define TLCP_MAX_EMPTY_RECORDS    32
#define TLCP_HANDSHAKE_HEADER_LEN 4

/* Bulk protection of a cipher suite: enum tlcp_bulk_cipher (suite/suite.h). */

/* Keys for one direction, cut from the key block by the handshake. */
typedef struct tlcp_record_keys {
    int bulk;            /* enum tlcp_bulk_cipher */
    uint8_t mac_key[32]; /* CBC only */
    uint8_t key[16];
    uint8_t iv[16]; /* CBC: unused (explicit IVs); GCM: first 4 bytes = implicit salt */
} tlcp_record_keys;

/* Key block layout (tlcp-protocol.md §3, lengths from the suite table):
 * returns the length the protection needs (128 for CBC, 40 for GCM) and
 * fills both directions from `key_block`. */
size_t tlcp_key_block_len(int bulk);
TLCP_MUST_CHECK int tlcp_record_keys_from_block(int bulk, const uint8_t *key_block, size_t len,
                                                tlcp_record_keys *client_write,
                                                tlcp_record_keys *server_write);

/* What tlcp_record_next() hands up. */
enum tlcp_record_item_kind {
    TLCP_ITEM_HANDSHAKE = 1, /* one whole handshake message: header(4) + body */
    TLCP_ITEM_CHANGE_CIPHER_SPEC = 2,
    TLCP_ITEM_ALERT = 3, /* level, description */
    TLCP_ITEM_APPLICATION_DATA = 4
};

typedef struct tlcp_record_item {
    int kind;
    uint8_t alert_level;
    uint8_t alert_description;
    uint8_t hs_type;  /* handshake message type */
    tlcp_cursor data; /* whole handshake message (with header), or app data; valid
                         until the next call into the record layer */
} tlcp_record_item;

/* Per-message maximum body length for incoming handshake messages, asked
 * after the 4-byte header arrives and before any body is buffered. */
typedef size_t (*tlcp_hs_max_len_fn)(void *arg, uint8_t msg_type);

typedef struct tlcp_record_layer tlcp_record_layer;

/* A record layer with an error slot of its own (`err` only hears of an
 * allocation failure). */
tlcp_record_layer *tlcp_record_new(tlcp_error *err);
/* A record layer that records every failure in `slot` (which must outlive
 * it): a connection passes its own, so there is one error slot per
 * connection and nothing is copied. NULL = a slot of its own. */
tlcp_record_layer *tlcp_record_new_with_slot(tlcp_error *slot);
void tlcp_record_free(tlcp_record_layer *rl);
void tlcp_record_set_transport(tlcp_record_layer *rl, tlcp_read_fn read, tlcp_write_fn write,
                               void *ctx);
void tlcp_record_set_hs_limit(tlcp_record_layer *rl, tlcp_hs_max_len_fn fn, void *arg);
/* Server answering TLS ClientHellos with TLCP (tlcp_config_accept_tls_hello_for_tlcp):
 * unprotected records may carry the TLS versions 0x0301..0x0303 too. */
void tlcp_record_accept_tls_versions(tlcp_record_layer *rl, int on);
/* The error slot the record layer writes into (reason, alert to send, message). */
tlcp_error *tlcp_record_error(tlcp_record_layer *rl);

/* Keys: install pending keys per direction, switch at ChangeCipherSpec. */
TLCP_MUST_CHECK int tlcp_record_set_pending_read(tlcp_record_layer *rl, const tlcp_record_keys *k);
TLCP_MUST_CHECK int tlcp_record_set_pending_write(tlcp_record_layer *rl, const tlcp_record_keys *k);
/* Activate the pending keys and reset that direction's sequence number. */
TLCP_MUST_CHECK int tlcp_record_activate_read(tlcp_record_layer *rl);
TLCP_MUST_CHECK int tlcp_record_activate_write(tlcp_record_layer *rl);

/*
 * Reading. Returns TLCP_OK with one item, TLCP_WANT_READ/WANT_WRITE when the
 * transport would block (call again), TLCP_CLOSED at end of stream (item not
 * set; the error slot says whether close_notify was seen), or TLCP_ERROR with
 * the error slot set (its alert says what to send: bad_record_mac,
 * record_overflow, protocol_version, unexpected_message, decode_error ...).
 * Empty application_data records are skipped (at most 32 in a row).
 * Handshake messages are reassembled across records and split when several
 * share one record; interleaving another content type inside a fragmented
 * handshake message is unexpected_message.
 *
 * Details: application data before the read keys are active is
 * unexpected_message. A warning alert with a known description is handed up
 * as TLCP_ITEM_ALERT; close_notify gives TLCP_CLOSED (error slot reason
 * TLCP_R_CLOSED; plain end of stream gives TLCP_CLOSED with TLCP_R_EOF, and
 * end of stream inside a record TLCP_ERROR with TLCP_R_EOF); a fatal alert,
 * or one with an unknown description or level, gives TLCP_ERROR with
 * TLCP_R_PEER_ALERT, no alert to send, and the alert in *out. A handshake
 * message over its limit is illegal_parameter with TLCP_R_MESSAGE_TOO_LONG.
 * Once TLCP_ERROR or TLCP_CLOSED was returned, every later call returns it.
 */
tlcp_result tlcp_record_next(tlcp_record_layer *rl, tlcp_record_item *out);

/*
 * Writing: records are protected and appended to the output queue at once;
 * tlcp_record_flush() pushes the queue to the transport. Handshake messages go
 * one per record (GmSSL 3 needs that), split above 2^14 bytes; application
 * data is cut into records of at most 2^14. A zero-length application_data
 * write produces one empty record; other types may not be empty.
 */
TLCP_MUST_CHECK int tlcp_record_write(tlcp_record_layer *rl, uint8_t content_type,
                                      const uint8_t *data, size_t len);
TLCP_MUST_CHECK int tlcp_record_write_alert(tlcp_record_layer *rl, uint8_t level,
                                            uint8_t description);
TLCP_MUST_CHECK int tlcp_record_write_ccs(tlcp_record_layer *rl);
tlcp_result tlcp_record_flush(tlcp_record_layer *rl);
/* Bytes still queued for the transport. */
size_t tlcp_record_pending_output(const tlcp_record_layer *rl);

#if defined(TLCP_TESTING)
/* Test builds only: set or read the next sequence number of one direction
 * (write_side = 1 for writing), to reach the wrap-around and count records. */
void tlcp_record_test_set_seq(tlcp_record_layer *rl, int write_side, uint64_t seq);
uint64_t tlcp_record_test_get_seq(const tlcp_record_layer *rl, int write_side);
/* How many records a large CBC write is split into and sealed side by side
 * (0 or 1: the old path, one record per 2^14 bytes sealed one by one). */
void tlcp_record_test_set_multi(tlcp_record_layer *rl, unsigned records);
/* 0 turns read-ahead off (records read one at a time, CBC records opened
 * one by one: the serial open path); 1, the default, back on (it starts
 * once the peer has sent about 36 KiB); 2 on from the first record. */
void tlcp_record_test_set_read_ahead(tlcp_record_layer *rl, int on);
/* Unprotected records (until our ChangeCipherSpec) are written with this
 * version instead of 0x0101 (a 360-style client); 0 = back to 0x0101. */
void tlcp_record_test_set_write_version(tlcp_record_layer *rl, uint16_t version);
/* Bytes read from the transport and not yet handed up (after the record
 * the last tlcp_record_next call returned). */
size_t tlcp_record_test_input_buffered(const tlcp_record_layer *rl);
/* Process-wide: 1 makes CBC opening mask every MAC block (no public lower
 * bound on the data length), the open path before the bounded HMAC. */
void tlcp_record_test_old_cbc_open(int on);
#endif

#endif
