/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the record layer, shared by the files of src/record/ only.
 *
 * One file per concern:
 *   buffer.c            growable byte queue (the only raw memory copies)
 *   record.c            object lifetime, transport, key installation
 *   keys.c              key-block layout (tlcp-protocol.md §3)
 *   protect.c           per-direction state, sequence numbers, dispatch
 *   protect_cbc.c       SM4-CBC + HMAC-SM3, constant-time open (Lucky13)
 *   protect_gcm.c       SM4-GCM
 *   input.c             reading records (header checks before the body, read-ahead)
 *   read_batch.c        opening queued CBC records together, handing them up
 *   read.c              tlcp_record_next: content-type dispatch, empty records
 *   handshake_framer.c  handshake message split/join with size limits
 *   alert.c             alert and ChangeCipherSpec payloads
 *   output.c            writing records into the output queue, flushing
 *   output_multi.c      a large CBC write as several records sealed together
 *   protect_cbc_multi.c sealing k CBC records with multi-buffer SM3 / SM4
 *   protect_cbc_open_multi.c opening k CBC records with the multi-buffer CT HMAC
 */
#ifndef TLCP_RECORD_INTERNAL_H
#define TLCP_RECORD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "record/record.h"

/* Warning alerts accepted in a row before the stream counts as a flood
 * (close_notify is not a warning we skip; any record with content resets). */
#define TLCP_MAX_WARNING_ALERTS 4

/* rl->read_ahead: 1 reads ahead once the peer sent enough (input.c); tests
 * use 2 to start at once. */
#define TLCP_READ_AHEAD_NOW 2

/* Records a large CBC write is split into by default (output_multi.c). */
#define TLCP_MULTI_RECORDS_DEFAULT 16

/* ---- byte queue ------------------------------------------------------ */

typedef struct tlcp_rbuf {
    uint8_t *data;
    size_t start; /* first unconsumed byte */
    size_t len;   /* end of valid bytes */
    size_t cap;
} tlcp_rbuf;

/* Reserves n bytes at the end; *out points to them (valid until the next reserve). */
TLCP_MUST_CHECK int tlcp_rbuf_reserve(tlcp_rbuf *b, size_t n, uint8_t **out);
/* Gives back the last n reserved bytes (a record came out shorter than reserved). */
void tlcp_rbuf_unreserve(tlcp_rbuf *b, size_t n);
TLCP_MUST_CHECK int tlcp_rbuf_append(tlcp_rbuf *b, const uint8_t *data, size_t len);
void tlcp_rbuf_consume(tlcp_rbuf *b, size_t n);
static inline size_t tlcp_rbuf_used(const tlcp_rbuf *b)
{
    return b->len - b->start;
}
void tlcp_rbuf_free(tlcp_rbuf *b);
/* Copies n bytes (tiny helper so the record files never call memcpy directly). */
void tlcp_rbuf_copy(uint8_t *dst, const uint8_t *src, size_t n);
/* The same for overlapping ranges. */
void tlcp_rbuf_move(uint8_t *dst, const uint8_t *src, size_t n);

/* ---- protection state of one direction ------------------------------ */

typedef struct tlcp_record_dir {
    int bulk; /* enum tlcp_bulk_cipher */
    uint64_t seq;
    int seq_exhausted; /* 2^64 - 1 was used: the next record would wrap */
    uint8_t mac_key[TLCP_SM3_DIGEST_LEN];
    tlcp_hmac_sm3_key mac; /* mac_key made ready for the sealing MACs */
    uint8_t salt[4];
    tlcp_sm4_cbc *cbc;
    tlcp_gcm *gcm;
} tlcp_record_dir;

/* Builds a direction from keys (encrypt = 1 for the write side). */
TLCP_MUST_CHECK int tlcp_record_dir_init(tlcp_record_dir *d, const tlcp_record_keys *k, int encrypt,
                                         tlcp_error *err);
void tlcp_record_dir_clear(tlcp_record_dir *d);

/* Most bytes protection adds to a fragment of `len` bytes. */
size_t tlcp_record_overhead(const tlcp_record_dir *d);

/*
 * Seals `len` plaintext bytes from `data` into the fragment at rec_frag
 * (room for prefix + len + overhead bytes). `data` is either the caller's
 * buffer, disjoint from the fragment (CBC and GCM encrypt from it, nothing
 * is copied first), or exactly rec_frag + tlcp_record_seal_prefix() (in
 * place). Returns the fragment's length in *out_len. Advances the sequence
 * number.
 */
TLCP_MUST_CHECK int tlcp_record_seal(tlcp_record_dir *d, uint8_t type, uint8_t *rec_frag,
                                     const uint8_t *data, size_t len, size_t *out_len,
                                     tlcp_error *err);
/* Bytes between the start of the protected fragment and the plaintext. */
size_t tlcp_record_seal_prefix(const tlcp_record_dir *d);

/* Opens a protected fragment in place; *out gets the plaintext (inside frag). */
TLCP_MUST_CHECK int tlcp_record_open(tlcp_record_dir *d, uint8_t type, uint8_t *frag, size_t len,
                                     tlcp_cursor *out, tlcp_error *err);

/* The check after opening: a plaintext over 2^14 is record_overflow. */
TLCP_MUST_CHECK int tlcp_record_plaintext_ok(const tlcp_cursor *pt, tlcp_error *err);

/* Sequence number handling shared by CBC and GCM. */
TLCP_MUST_CHECK int tlcp_record_seq_take(tlcp_record_dir *d, uint64_t *out, tlcp_error *err);
/* seq(8) || type(1) || version(2) || length(2) */
void tlcp_record_pseudo_header(uint8_t out[13], uint64_t seq, uint8_t type, size_t len);

TLCP_MUST_CHECK int tlcp_cbc_seal(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *rec_frag,
                                  const uint8_t *data, size_t len, size_t *out_len,
                                  tlcp_error *err);
/*
 * Seals k (<= TLCP_SM3_MB_MAX) CBC records at once, byte for byte what k
 * tlcp_cbc_seal calls in a row would give (sequence numbers and IVs taken in
 * record order): record i's plaintext data[i] of len[i] bytes (the caller's
 * buffer, or in place at rec_frag[i] + 16) is sealed into rec_frag[i] (room
 * for IV, data, MAC and padding); out_len[i] gets the fragment length. The MACs run through the
 * multi-buffer SM3, the CBC chains side by side through the multi-chain SM4 (protect_cbc_multi.c).
 */
TLCP_MUST_CHECK int tlcp_cbc_seal_multi(tlcp_record_dir *d, uint8_t type, uint8_t *const rec_frag[],
                                        const uint8_t *const data[], const size_t len[], size_t k,
                                        size_t out_len[], tlcp_error *err);
/* Exact CBC fragment length for len plaintext bytes (IV, MAC, minimal padding). */
size_t tlcp_cbc_fragment_len(size_t len);
/* Plaintext bytes of a record that fill whole blocks (encrypted straight
 * from the caller's buffer). */
size_t tlcp_cbc_whole(size_t len);
/* Lays out a record's tail in its fragment (the plaintext's last partial
 * block, the padding after the MAC's place) and its MAC pseudo-header;
 * returns the number of bytes to encrypt (protect_cbc.c). */
size_t tlcp_cbc_frame(uint8_t *rec_frag, const uint8_t *data, size_t len, uint64_t seq,
                      uint8_t type, uint8_t header[13]);
/* The CBC chaining value before the tail of a record of len bytes: the last
 * whole-block ciphertext, or the IV when there is none. */
const uint8_t *tlcp_cbc_tail_iv(const uint8_t *rec_frag, size_t len);
TLCP_MUST_CHECK int tlcp_cbc_open(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *frag,
                                  size_t len, tlcp_cursor *out, tlcp_error *err);
/*
 * The constant-time part of CBC opening, on the decrypted p[0..n) (n >= 48):
 * padding check and MAC check with no branch or address depending on the
 * padding or data length. *out_good is all-ones when both hold; *out_data_len
 * is only meaningful then. Returns 0 only if the HMAC itself failed.
 */
TLCP_MUST_CHECK int tlcp_cbc_verify(const tlcp_hmac_sm3_key *mac_key, uint64_t seq, uint8_t type,
                                    const uint8_t *p, size_t n, size_t *out_data_len,
                                    size_t *out_good);
/* The two halves of tlcp_cbc_verify around its HMAC, for opening several
 * records with one multi-buffer HMAC (protect_cbc_open_multi.c). */
typedef struct tlcp_cbc_check {
    uint8_t header[13]; /* pseudo-header with the (secret) data length */
    size_t good;        /* all-ones while padding (then MAC) hold */
    size_t data_len;    /* secret */
    size_t min_data, max_data;
} tlcp_cbc_check;
/* Padding check, data length and MAC input of the decrypted p[0..n). */
void tlcp_cbc_check_begin(tlcp_cbc_check *c, uint64_t seq, uint8_t type, const uint8_t *p,
                          size_t n);
/* Compares the computed mac (wiped here) with the record's. */
void tlcp_cbc_check_end(tlcp_cbc_check *c, const uint8_t *p, size_t n,
                        uint8_t mac[TLCP_SM3_DIGEST_LEN]);
/* 1 when a CBC fragment of len bytes is IV plus whole blocks (>= 48); else
 * bad_record_mac (the length is public). */
TLCP_MUST_CHECK int tlcp_cbc_shape_ok(size_t len, tlcp_error *err);
int tlcp_cbc_shape_valid(size_t len);
/* The error a record's verdict gives, the same from every open path. */
TLCP_MUST_CHECK int tlcp_cbc_verdict(int mac_ok, size_t good, tlcp_error *err);
/* A CBC record opened ahead of its turn (protect_cbc_open_multi.c). */
typedef struct tlcp_cbc_opened {
    size_t data_len; /* plaintext at the fragment + 16 */
    size_t good;     /* the verdict mask: branched on only when handed up */
    int mac_ok;
    int crypt_ok; /* SM4 succeeded (its failure is reported when handed up) */
} tlcp_cbc_opened;
/*
 * Opens k (<= TLCP_SM3_MB_MAX) CBC records of type `type` in place, each of a
 * valid shape (tlcp_cbc_shape_ok), taking their sequence numbers in order:
 * decryption per record, the k MACs through the multi-buffer constant-time
 * HMAC. Each record's verdict lands in res[i] (nothing is branched on it);
 * the plaintext and verdicts are those of k tlcp_cbc_open calls in a row.
 * Returns how many records were opened: fewer than k only when the sequence
 * number ran out (the rest are left for the serial path, which reports it).
 */
/* The constant-time check of k (<= TLCP_SM3_MB_MAX) decrypted records
 * p[i][0..n[i]) (n[i] >= 48) with sequence numbers seq[i]: res[i] as
 * tlcp_cbc_verify gives it (crypt_ok untouched). */
void tlcp_cbc_verify_multi(const tlcp_hmac_sm3_key *mac_key, const uint64_t seq[], uint8_t type,
                           const uint8_t *const p[], const size_t n[], size_t k,
                           tlcp_cbc_opened res[]);
size_t tlcp_cbc_open_multi(tlcp_record_dir *d, uint8_t type, uint8_t *const frag[],
                           const size_t len[], size_t k, tlcp_cbc_opened res[]);
TLCP_MUST_CHECK int tlcp_gcm_seal_record(tlcp_record_dir *d, uint64_t seq, uint8_t type,
                                         uint8_t *rec_frag, const uint8_t *data, size_t len,
                                         size_t *out_len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_gcm_open_record(tlcp_record_dir *d, uint64_t seq, uint8_t type,
                                         uint8_t *frag, size_t len, tlcp_cursor *out,
                                         tlcp_error *err);

#define TLCP_CBC_IV_LEN       16
#define TLCP_CBC_MAC_LEN      32
#define TLCP_GCM_EXPLICIT_LEN 8
/* Smallest CBC fragment: IV + one (empty fragment + MAC + padding) of 48. */
#define TLCP_CBC_MIN_FRAGMENT (TLCP_CBC_IV_LEN + 48)

/* ---- handshake reassembly -------------------------------------------- */

typedef struct tlcp_hs_framer {
    uint8_t header[TLCP_HANDSHAKE_HEADER_LEN];
    size_t header_have;
    uint8_t *msg;   /* header + body so far, once the header passed the limit */
    size_t msg_len; /* total wanted (4 + body); 0 until the header is checked */
    size_t msg_have;
    size_t msg_cap;     /* size of msg: grows with the bytes that arrived */
    tlcp_cursor rest;   /* unread handshake bytes of the current record */
    uint8_t *delivered; /* message handed up last time, freed on the next call */
    size_t delivered_len;
} tlcp_hs_framer;

/* ---- the record layer ------------------------------------------------ */

enum tlcp_input_stage { TLCP_IN_HEADER = 0, TLCP_IN_BODY = 1 };

struct tlcp_record_layer {
    tlcp_error own_err; /* the slot when the creator gave none */
    tlcp_error *err;    /* where failures are recorded: the connection's slot */
    tlcp_read_fn read;
    tlcp_write_fn write;
    void *io_ctx;
    tlcp_hs_max_len_fn hs_max;
    void *hs_max_arg;

    /* input (input.c): records are read into in_base, which is in_fixed
     * (exactly one record at a time, header first) or, once CBC application
     * data flows, the read-ahead buffer in_ahead (whatever the transport has,
     * so that several records can be opened together, read_batch.c). The
     * current record starts at in_base + in_off; bytes read end at in_end. */
    uint8_t in_fixed[TLCP_RECORD_HEADER_LEN + TLCP_MAX_CIPHERTEXT];
    uint8_t *in_ahead;
    uint8_t *in_base;
    size_t in_cap;
    size_t in_off;
    size_t in_end;
    size_t in_need; /* length of the current record (header, then header + body) */
    int in_stage;
    uint8_t in_type;
    int read_ahead;  /* 1 (default): read ahead and open CBC records in batches */
    size_t in_total; /* bytes received, counted up to the read-ahead threshold */
    /* records of the current batch, opened together, handed up one by one */
    tlcp_cbc_opened batch[TLCP_SM3_MB_MAX];
    size_t batch_off[TLCP_SM3_MB_MAX]; /* each record's offset in in_base */
    size_t batch_len, batch_next;
    unsigned empty_run;      /* consecutive empty records (TLCP_MAX_EMPTY_RECORDS) */
    unsigned warning_run;    /* consecutive warning alerts */
    int closed;              /* close_notify or EOF seen */
    int accept_tls_versions; /* 0x0301..0x0303 allowed on unprotected records */
    int failed;              /* a fatal error happened on the read side */
#if defined(TLCP_TESTING)
    uint16_t test_version; /* unprotected records written with it; 0 = 0x0101 */
#endif

    tlcp_hs_framer hs;

    tlcp_rbuf out;

    tlcp_record_dir rd, wr;
    /* Records a large CBC write is split into and sealed side by side
     * (output_multi.c); 0: one record per 2^14 bytes, sealed one by one. */
    unsigned multi_records;
    tlcp_record_dir pending_rd, pending_wr;
    int have_pending_rd, have_pending_wr;
};

/* input.c: reads until one whole record sits at tlcp_input_record(rl).
 * TLCP_OK when done. */
tlcp_result tlcp_input_fill(tlcp_record_layer *rl);
/* Forgets any partly read record (and anything read ahead). */
void tlcp_input_reset(tlcp_record_layer *rl);
/* Frees the read-ahead buffer (wiped: it held plaintext). */
void tlcp_input_free(tlcp_record_layer *rl);
/* The current record: header(5) || fragment, rl->in_need bytes. */
static inline uint8_t *tlcp_input_record(const tlcp_record_layer *rl)
{
    return rl->in_base + rl->in_off;
}

/* read_batch.c: opening the current record. When it is CBC application
 * data and complete records of the same kind follow it in the read-ahead
 * buffer, they are opened together and handed up one by one; else the
 * record is opened alone. Same plaintext, same verdicts, same errors. */
TLCP_MUST_CHECK int tlcp_read_open_current(tlcp_record_layer *rl, uint8_t type, tlcp_cursor *out);

/* handshake_framer.c */
void tlcp_hs_framer_free(tlcp_hs_framer *f);
/* Frees the message handed up last time (it was valid until this call). */
void tlcp_hs_framer_release(tlcp_hs_framer *f);
/* 1 while a message is partly received or unread bytes remain. */
int tlcp_hs_framer_busy(const tlcp_hs_framer *f);
/* Takes the handshake bytes of one record (the cursor must stay valid until
 * the framer has consumed them or copied them out). */
void tlcp_hs_framer_feed(tlcp_hs_framer *f, tlcp_cursor data);
/* 1 with a whole message in *out, 0 when more records are needed (check the
 * error slot: set means failure). */
int tlcp_hs_framer_next(tlcp_record_layer *rl, tlcp_cursor *out);

/* alert.c */
TLCP_MUST_CHECK int tlcp_alert_parse(tlcp_record_layer *rl, tlcp_cursor frag,
                                     tlcp_record_item *out);
int tlcp_alert_is_known(uint8_t description);
TLCP_MUST_CHECK int tlcp_ccs_parse(tlcp_record_layer *rl, tlcp_cursor frag);

/* output.c */
TLCP_MUST_CHECK int tlcp_output_record(tlcp_record_layer *rl, uint8_t type, const uint8_t *data,
                                       size_t len);
void tlcp_output_put_header(uint8_t *at, uint8_t type, size_t frag_len);

/* output_multi.c: 1 when a write of len bytes of `type` goes out as several
 * CBC records sealed side by side; tlcp_output_multi then queues it. */
int tlcp_output_multi_applies(const tlcp_record_layer *rl, uint8_t type, size_t len);
TLCP_MUST_CHECK int tlcp_output_multi(tlcp_record_layer *rl, uint8_t type, const uint8_t *data,
                                      size_t len);

#endif
