/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libtlcp's crypto interface. Only src/crypto/ and src/x509/ include OpenSSL
 * headers; the rest of the library calls these functions. All functions return
 * 1 on success and 0 on failure; on failure they record a reason in `err`
 * (which may be NULL) and leave OpenSSL's error queue empty.
 */
#ifndef TLCP_CRYPTO_H
#define TLCP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/safety.h"

#define TLCP_SM3_DIGEST_LEN          32
#define TLCP_SM3_BLOCK_LEN           64
#define TLCP_SM4_KEY_LEN             16
#define TLCP_SM4_BLOCK_LEN           16
#define TLCP_GCM_NONCE_LEN           12
#define TLCP_GCM_TAG_LEN             16
#define TLCP_SM2_POINT_LEN           65  /* 04 || X || Y */
#define TLCP_SM2_MAX_SIG_LEN         72  /* DER SEQUENCE { r, s } */
#define TLCP_SM2_CIPHERTEXT_OVERHEAD 112 /* upper bound of DER form minus plaintext */
#define TLCP_SM2_DEFAULT_ID          "1234567812345678"
#define TLCP_SM2_DEFAULT_ID_LEN      16
#define TLCP_MASTER_SECRET_LEN       48
#define TLCP_PRE_MASTER_LEN          48
#define TLCP_RANDOM_LEN              32
#define TLCP_VERIFY_DATA_LEN         12

/* ---- SM3 ------------------------------------------------------------ */

typedef struct tlcp_sm3_ctx tlcp_sm3_ctx; /* opaque running hash */

tlcp_sm3_ctx *tlcp_sm3_new(tlcp_error *err);
void tlcp_sm3_free(tlcp_sm3_ctx *ctx);
TLCP_MUST_CHECK int tlcp_sm3_update(tlcp_sm3_ctx *ctx, const uint8_t *data, size_t len,
                                    tlcp_error *err);
/* Finishes; the context may then be reused after tlcp_sm3_reset. */
TLCP_MUST_CHECK int tlcp_sm3_final(tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                   tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm3_reset(tlcp_sm3_ctx *ctx, tlcp_error *err);
/* Copies the running state: the transcript needs the hash "so far". */
TLCP_MUST_CHECK int tlcp_sm3_copy(tlcp_sm3_ctx *dst, const tlcp_sm3_ctx *src, tlcp_error *err);
/* Digest of everything so far without disturbing the running state. */
TLCP_MUST_CHECK int tlcp_sm3_peek(const tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                  tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm3(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN],
                             tlcp_error *err);

/* ---- HMAC-SM3 ------------------------------------------------------- */

TLCP_MUST_CHECK int tlcp_hmac_sm3(const uint8_t *key, size_t key_len, const uint8_t *data,
                                  size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err);

/* A key made ready once (the chaining values after K0 ^ ipad and K0 ^ opad),
 * for the record layer's many MACs under one key. Secret: wipe when done. */
typedef struct tlcp_hmac_sm3_key {
    uint32_t ipad[8];
    uint32_t opad[8];
} tlcp_hmac_sm3_key;

void tlcp_hmac_sm3_key_init(tlcp_hmac_sm3_key *k, const uint8_t *key, size_t key_len);
/* HMAC of data[0..len) under a prepared key. */
void tlcp_hmac_sm3_keyed(const tlcp_hmac_sm3_key *k, const uint8_t *data, size_t len,
                         uint8_t out[TLCP_SM3_DIGEST_LEN]);
/* HMAC of header(13) || data[0..len) under a prepared key (the same bytes
 * as tlcp_hmac_sm3_keyed over the two joined; only one block is assembled). */
void tlcp_hmac_sm3_keyed_hdr(const tlcp_hmac_sm3_key *k, const uint8_t header[13],
                             const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN]);

/* Most messages one tlcp_hmac_sm3_mb / tlcp_sm3_mb call takes. */
#define TLCP_SM3_MB_MAX 16
/*
 * n (<= TLCP_SM3_MB_MAX) independent HMACs under one prepared key, computed
 * side by side by the multi-buffer SM3 (sm3_mb.c); lengths may differ.
 * out[i] = HMAC(k, data[i][0..len[i])), byte for byte tlcp_hmac_sm3_keyed.
 */
void tlcp_hmac_sm3_mb(const tlcp_hmac_sm3_key *k, size_t n, const uint8_t *const data[],
                      const size_t len[], uint8_t *const out[]);
/* The same over header[i](13 bytes) || data[i][0..len[i]) (a record MAC
 * without moving the data next to its pseudo-header); header NULL: none. */
void tlcp_hmac_sm3_mb_hdr(const tlcp_hmac_sm3_key *k, size_t n, const uint8_t *const header[],
                          const uint8_t *const data[], const size_t len[], uint8_t *const out[]);
/* n (<= TLCP_SM3_MB_MAX) independent SM3 digests, out[i] = SM3(data[i]). */
void tlcp_sm3_mb(size_t n, const uint8_t *const data[], const size_t len[], uint8_t *const out[]);

/*
 * Constant-time HMAC-SM3 for CBC records (Lucky13 countermeasure).
 * MACs header(13) || data[0 .. data_len) where data_len is secret and
 * data_len <= max_len; the running time and memory access pattern depend only
 * on max_len, never on data_len. `data` must be readable up to max_len.
 * Lives in sm3_ct.c with its own SM3 compression function (OpenSSL does not
 * expose one), differential-tested against tlcp_hmac_sm3.
 */
TLCP_MUST_CHECK int tlcp_hmac_sm3_ct(const uint8_t *key, size_t key_len, const uint8_t header[13],
                                     const uint8_t *data, size_t data_len, size_t max_len,
                                     uint8_t out[TLCP_SM3_DIGEST_LEN]);

/*
 * The same under a prepared key, with a public lower bound min_len <= data_len
 * (a CBC record's data is at least its longest possible length minus 255):
 * the blocks before min_len hold no secret-position byte and are hashed
 * without masks; time and memory accesses depend on min_len and max_len only.
 * Returns 0 (and a zeroed MAC) when data_len is outside [min_len, max_len].
 */
TLCP_MUST_CHECK int tlcp_hmac_sm3_ct_keyed(const tlcp_hmac_sm3_key *k, const uint8_t header[13],
                                           const uint8_t *data, size_t data_len, size_t min_len,
                                           size_t max_len, uint8_t out[TLCP_SM3_DIGEST_LEN]);

/* One MAC of tlcp_hmac_sm3_ct_keyed_mb: the arguments of tlcp_hmac_sm3_ct_keyed. */
typedef struct tlcp_hmac_ct_job {
    const uint8_t *header; /* 13 bytes */
    const uint8_t *data;   /* readable up to max_len */
    size_t data_len;       /* secret */
    size_t min_len, max_len;
} tlcp_hmac_ct_job;

/*
 * n such MACs side by side (the records of a read batch): out[i] and ok[i]
 * are exactly what tlcp_hmac_sm3_ct_keyed gives for job[i]. The unmasked
 * blocks and the masked ones both run through the multi-buffer SM3; time and
 * memory accesses depend on the jobs' min_len and max_len only.
 */
void tlcp_hmac_sm3_ct_keyed_mb(const tlcp_hmac_sm3_key *k, size_t n, const tlcp_hmac_ct_job job[],
                               uint8_t *const out[], int ok[]);

/* ---- PRF (TLS 1.2 P_SM3) -------------------------------------------- */

TLCP_MUST_CHECK int tlcp_prf_sm3(const uint8_t *secret, size_t secret_len, const char *label,
                                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len,
                                 tlcp_error *err);
/* master_secret = PRF(pre_master, "master secret", client_random || server_random)[0..47] */
TLCP_MUST_CHECK int tlcp_prf_master_secret(const uint8_t *pre_master, size_t pre_master_len,
                                           const uint8_t client_random[TLCP_RANDOM_LEN],
                                           const uint8_t server_random[TLCP_RANDOM_LEN],
                                           uint8_t out[TLCP_MASTER_SECRET_LEN], tlcp_error *err);
/* key_block = PRF(master, "key expansion", server_random || client_random) */
TLCP_MUST_CHECK int tlcp_prf_key_block(const uint8_t master[TLCP_MASTER_SECRET_LEN],
                                       const uint8_t client_random[TLCP_RANDOM_LEN],
                                       const uint8_t server_random[TLCP_RANDOM_LEN], uint8_t *out,
                                       size_t out_len, tlcp_error *err);
/* verify_data = PRF(master, "client finished"/"server finished", hash)[0..11] */
TLCP_MUST_CHECK int tlcp_prf_finished(const uint8_t master[TLCP_MASTER_SECRET_LEN], int is_client,
                                      const uint8_t handshake_hash[TLCP_SM3_DIGEST_LEN],
                                      uint8_t out[TLCP_VERIFY_DATA_LEN], tlcp_error *err);

/* ---- SM4 ------------------------------------------------------------ */

typedef struct tlcp_sm4_cbc tlcp_sm4_cbc; /* keyed CBC context for one direction */

tlcp_sm4_cbc *tlcp_sm4_cbc_new(const uint8_t key[TLCP_SM4_KEY_LEN], int encrypt, tlcp_error *err);
void tlcp_sm4_cbc_free(tlcp_sm4_cbc *ctx);
/* Whole blocks only (len % 16 == 0); in and out may alias exactly. */
TLCP_MUST_CHECK int tlcp_sm4_cbc_crypt(tlcp_sm4_cbc *ctx, const uint8_t iv[TLCP_SM4_BLOCK_LEN],
                                       const uint8_t *in, uint8_t *out, size_t len,
                                       tlcp_error *err);
/* One-shot helpers for tests and the self-test. */
/*
 * k independent CBC encryptions under one encryption context: chain i
 * encrypts len[i] bytes (whole blocks) from in[i] to out[i] (the same buffer
 * or disjoint) with iv[i]. Same bytes as k tlcp_sm4_cbc_crypt calls; on the
 * SM4 core the chains run side by side (sixteen blocks in flight).
 */
TLCP_MUST_CHECK int tlcp_sm4_cbc_encrypt_multi(tlcp_sm4_cbc *ctx, size_t k,
                                               const uint8_t *const iv[], const uint8_t *const in[],
                                               uint8_t *const out[], const size_t len[],
                                               tlcp_error *err);
/*
 * k independent CBC decryptions under one decryption context, as k
 * tlcp_sm4_cbc_crypt calls (in[i] == out[i] allowed). On the SM4 core each
 * chain's whole 16-block batches run as usual and the short tails of all
 * chains are decrypted together in one batch (a 2-block tail alone would
 * cost a full batch's latency).
 */
TLCP_MUST_CHECK int tlcp_sm4_cbc_decrypt_multi(tlcp_sm4_cbc *ctx, size_t k,
                                               const uint8_t *const iv[], const uint8_t *const in[],
                                               uint8_t *const out[], const size_t len[],
                                               tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm4_cbc_encrypt(const uint8_t key[TLCP_SM4_KEY_LEN],
                                         const uint8_t iv[TLCP_SM4_BLOCK_LEN], const uint8_t *in,
                                         uint8_t *out, size_t len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm4_cbc_decrypt(const uint8_t key[TLCP_SM4_KEY_LEN],
                                         const uint8_t iv[TLCP_SM4_BLOCK_LEN], const uint8_t *in,
                                         uint8_t *out, size_t len, tlcp_error *err);
/* Single-block ECB encryption (for KATs and GCM). */
TLCP_MUST_CHECK int tlcp_sm4_encrypt_block(const uint8_t key[TLCP_SM4_KEY_LEN],
                                           const uint8_t in[16], uint8_t out[16], tlcp_error *err);

/* ---- SM4-GCM (ours: CTR from EVP SM4 + constant-time GHASH) ---------- */

typedef struct tlcp_gcm tlcp_gcm; /* keyed GCM context */

tlcp_gcm *tlcp_gcm_new(const uint8_t key[TLCP_SM4_KEY_LEN], tlcp_error *err);
void tlcp_gcm_free(tlcp_gcm *ctx);
/* out gets len bytes of ciphertext; tag gets 16 bytes. in/out may alias exactly. */
TLCP_MUST_CHECK int tlcp_gcm_seal(tlcp_gcm *ctx, const uint8_t nonce[TLCP_GCM_NONCE_LEN],
                                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                                  uint8_t *out, uint8_t tag[TLCP_GCM_TAG_LEN], tlcp_error *err);
/* Verifies the tag in constant time before releasing plaintext; on a bad tag
 * returns 0 with TLCP_R_DECRYPT_FAILED and out is zeroed. */
TLCP_MUST_CHECK int tlcp_gcm_open(tlcp_gcm *ctx, const uint8_t nonce[TLCP_GCM_NONCE_LEN],
                                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                                  const uint8_t tag[TLCP_GCM_TAG_LEN], uint8_t *out,
                                  tlcp_error *err);

/* ---- SM2 ------------------------------------------------------------ */

typedef struct tlcp_pkey tlcp_pkey; /* SM2 key: private+public or public only */

/* PEM or DER (detected), PKCS#8, SEC1 or encrypted PKCS#8 (passphrase may be
 * NULL for unencrypted keys). Rejects non-SM2 keys with TLCP_R_BAD_KEY. */
tlcp_pkey *tlcp_pkey_load_private(const uint8_t *data, size_t len, const char *passphrase,
                                  tlcp_error *err);
tlcp_pkey *tlcp_pkey_load_private_file(const char *path, const char *passphrase, tlcp_error *err);
/* SubjectPublicKeyInfo, PEM or DER. */
tlcp_pkey *tlcp_pkey_load_public(const uint8_t *data, size_t len, tlcp_error *err);
/* From an uncompressed point 04||X||Y; rejects points not on the curve. */
tlcp_pkey *tlcp_pkey_from_point(const uint8_t *point, size_t len, tlcp_error *err);
/* Fresh SM2 key pair. */
tlcp_pkey *tlcp_pkey_generate(tlcp_error *err);
/* From a raw 32-byte private scalar (tests and KATs). */
tlcp_pkey *tlcp_pkey_from_private_scalar(const uint8_t d[32], tlcp_error *err);
/* The 32-byte private scalar (big-endian); for ephemeral keys handed to a
 * delegated key exchange. Fails with TLCP_R_BAD_KEY for a public key. */
TLCP_MUST_CHECK int tlcp_pkey_get_private_scalar(const tlcp_pkey *key, uint8_t out[32],
                                                 tlcp_error *err);
tlcp_pkey *tlcp_pkey_up_ref(tlcp_pkey *key);
void tlcp_pkey_free(tlcp_pkey *key);
int tlcp_pkey_has_private(const tlcp_pkey *key);
TLCP_MUST_CHECK int tlcp_pkey_get_point(const tlcp_pkey *key, uint8_t out[TLCP_SM2_POINT_LEN],
                                        tlcp_error *err);
/* 1 when both keys have the same public point. */
int tlcp_pkey_public_equal(const tlcp_pkey *a, const tlcp_pkey *b);
/* PKCS#8 PEM of the private key (unencrypted), for certgen. Caller frees. */
TLCP_MUST_CHECK int tlcp_pkey_to_pem(const tlcp_pkey *key, char **out_pem, size_t *out_len,
                                     tlcp_error *err);

/* Z = SM3(ENTL || ID || a || b || Gx || Gy || Px || Py) */
TLCP_MUST_CHECK int tlcp_sm2_compute_z(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                       uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err);
/* SM2 signature over e = SM3(Z || msg); DER output; id NULL = default ID. */
TLCP_MUST_CHECK int tlcp_sm2_sign(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                  const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len,
                                  size_t sig_cap, tlcp_error *err);
/* Verifies strictly (rejects trailing bytes after the DER). 0 with
 * TLCP_R_BAD_SIGNATURE on mismatch. */
TLCP_MUST_CHECK int tlcp_sm2_verify(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                    const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                    size_t sig_len, tlcp_error *err);
/* SM2 signature whose e is the given 32 bytes as they are: no Z, no hashing
 * (GmSSL 2's CertificateVerify). DER output. The caller decides what the
 * digest binds; prefer tlcp_sm2_sign wherever the peer allows. */
TLCP_MUST_CHECK int tlcp_sm2_sign_digest(const tlcp_pkey *key,
                                         const uint8_t digest[TLCP_SM3_DIGEST_LEN], uint8_t *sig,
                                         size_t *sig_len, size_t sig_cap, tlcp_error *err);
/* Verifies such a signature strictly (canonical DER, no trailing bytes); 0
 * with TLCP_R_BAD_SIGNATURE on mismatch. */
TLCP_MUST_CHECK int tlcp_sm2_verify_digest(const tlcp_pkey *key,
                                           const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                                           const uint8_t *sig, size_t sig_len, tlcp_error *err);
/* GM/T 0009 DER SEQUENCE { x, y, hash(C3), ciphertext(C2) }. */
TLCP_MUST_CHECK int tlcp_sm2_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t *out_len, size_t out_cap,
                                     tlcp_error *err);
/* Rejects malformed DER, trailing bytes, points off the curve and a wrong C3
 * (TLCP_R_DECRYPT_FAILED). */
TLCP_MUST_CHECK int tlcp_sm2_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t *out_len, size_t out_cap,
                                     tlcp_error *err);

/* ---- SM2 key exchange (GB/T 32918.3, TLCP profile) ------------------- */

/*
 * One side of the exchange. initiator = 1 for A (the TLCP server), 0 for B
 * (the TLCP client). self_static/self_ephemeral hold private keys; peer keys
 * are public. Z_A is always first in the KDF input. Rejects peer points not on
 * the curve and a shared point at infinity. out_len is 48 for TLCP.
 */
TLCP_MUST_CHECK int tlcp_sm2_kx(int initiator, const tlcp_pkey *self_static,
                                const tlcp_pkey *self_ephemeral, const uint8_t *self_id,
                                size_t self_id_len, const tlcp_pkey *peer_static,
                                const tlcp_pkey *peer_ephemeral, const uint8_t *peer_id,
                                size_t peer_id_len, uint8_t *out, size_t out_len, tlcp_error *err);

/* ---- RNG ------------------------------------------------------------ */

TLCP_MUST_CHECK int tlcp_random_bytes(uint8_t *out, size_t len, tlcp_error *err);

#if defined(TLCP_TESTING)
/* Test and fuzz builds only: makes tlcp_random_bytes deterministic (a counter
 * stream from `seed`), or restores RAND_bytes when enabled is 0. SM2 nonces
 * inside OpenSSL stay random; tests compare SM2 outputs by verifying them. */
void tlcp_random_set_deterministic(int enabled, uint64_t seed);
/* Test only: the next `len` bytes returned by tlcp_random_bytes (once). */
void tlcp_random_queue(const uint8_t *bytes, size_t len);
#endif

/* Records `reason` with `what` plus OpenSSL's first queued error, then empties
 * the queue. Always returns 0 so callers can `return tlcp_crypto_fail(...)`. */
int tlcp_crypto_fail(tlcp_error *err, int reason, const char *file, int line, const char *what);
#define CRYPTO_FAIL(err, reason, what) tlcp_crypto_fail((err), (reason), __FILE__, __LINE__, (what))

#endif
