/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_selftest: a known-answer test of every primitive behind crypto.h, one
 * report line each ("SM3 ............... ok"). It exists so an operator can
 * check, on the target machine and with the OpenSSL it actually loads, that
 * the algorithms TLCP needs are present and correct before trusting a link.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "selftest_vectors.h"
#include "tlcp/tlcp.h"
#include "util/hex.h"
#include "util/mem.h"

#define KAT_MAX      256 /* largest vector, in bytes */
#define LINE_DOTS_TO 22  /* column where the verdict starts */

/* Decodes a vector; a malformed or oversized one is our bug, reported as such. */
static int unhex(const char *hex, uint8_t out[KAT_MAX], size_t *out_len, tlcp_error *err)
{
    long n = tlcp_hex_decode(hex, strlen(hex), out, KAT_MAX);
    ENSURE(n >= 0, err, TLCP_R_INTERNAL, "self-test vector malformed");
    *out_len = (size_t)n;
    return 1;
}

/* got[0..len) must equal the vector. */
static int expect(const uint8_t *got, size_t len, const char *hex, const char *what,
                  tlcp_error *err)
{
    uint8_t want[KAT_MAX];
    size_t want_len;
    GUARD(unhex(hex, want, &want_len, err));
    ENSURE(len == want_len && memcmp(got, want, len) == 0, err, TLCP_R_CRYPTO, "%s: wrong answer",
           what);
    return 1;
}

/* A vector of exactly `len` bytes into a fixed-size buffer. */
static int load(const char *hex, uint8_t *out, size_t len, tlcp_error *err)
{
    uint8_t tmp[KAT_MAX];
    size_t n;
    GUARD(unhex(hex, tmp, &n, err));
    ENSURE(n == len, err, TLCP_R_INTERNAL, "self-test vector has the wrong length");
    memcpy(out, tmp, len);
    return 1;
}

static int kat_sm3(tlcp_error *err)
{
    uint8_t d[TLCP_SM3_DIGEST_LEN];
    GUARD(tlcp_sm3((const uint8_t *)KAT_SM3_MSG, strlen(KAT_SM3_MSG), d, err));
    GUARD(expect(d, sizeof(d), KAT_SM3_DIGEST, "SM3(\"abc\")", err));
    /* The incremental path must agree with the one-shot. */
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(err);
    GUARD_PTR(ctx);
    int ok = tlcp_sm3_update(ctx, (const uint8_t *)"a", 1, err) &&
             tlcp_sm3_update(ctx, (const uint8_t *)"bc", 2, err) && tlcp_sm3_final(ctx, d, err) &&
             expect(d, sizeof(d), KAT_SM3_DIGEST, "incremental SM3(\"abc\")", err);
    tlcp_sm3_free(ctx);
    return ok;
}

static int kat_sm4(tlcp_error *err)
{
    uint8_t key[16], in[16], out[16];
    GUARD(load(KAT_SM4_KEY, key, sizeof(key), err));
    GUARD(load(KAT_SM4_PLAIN, in, sizeof(in), err));
    GUARD(tlcp_sm4_encrypt_block(key, in, out, err));
    return expect(out, sizeof(out), KAT_SM4_CIPHER, "SM4 block", err);
}

/*
 * CBC against the block KAT: with a zero IV the first block is E(P), the
 * second E(P xor C1); then a round trip of a longer message through the keyed
 * context (encrypt) and the one-shot helper (decrypt).
 */
static int kat_sm4_cbc(tlcp_error *err)
{
    uint8_t key[16], p[16], iv[16] = {0}, two[32], ct[32], c2[16], x[16];
    GUARD(load(KAT_SM4_KEY, key, sizeof(key), err));
    GUARD(load(KAT_SM4_PLAIN, p, sizeof(p), err));
    memcpy(two, p, 16);
    memcpy(two + 16, p, 16);
    GUARD(tlcp_sm4_cbc_encrypt(key, iv, two, ct, sizeof(two), err));
    GUARD(expect(ct, 16, KAT_SM4_CIPHER, "SM4-CBC first block", err));
    for (size_t i = 0; i < 16; i++)
        x[i] = (uint8_t)(p[i] ^ ct[i]);
    GUARD(tlcp_sm4_encrypt_block(key, x, c2, err));
    ENSURE(memcmp(ct + 16, c2, 16) == 0, err, TLCP_R_CRYPTO, "SM4-CBC chaining: wrong answer");

    uint8_t msg[80], enc[80], dec[80];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 13 + 5);
    memset(iv, 0xA5, sizeof(iv));
    tlcp_sm4_cbc *ctx = tlcp_sm4_cbc_new(key, 1, err);
    GUARD_PTR(ctx);
    int ok = tlcp_sm4_cbc_crypt(ctx, iv, msg, enc, sizeof(msg), err);
    tlcp_sm4_cbc_free(ctx);
    GUARD(ok);
    GUARD(tlcp_sm4_cbc_decrypt(key, iv, enc, dec, sizeof(enc), err));
    ENSURE(memcmp(enc, msg, sizeof(msg)) != 0 && memcmp(dec, msg, sizeof(msg)) == 0, err,
           TLCP_R_CRYPTO, "SM4-CBC round trip failed");
    return 1;
}

static int gcm_check(tlcp_gcm *gcm, tlcp_error *err)
{
    uint8_t iv[12], aad[20], p[64], c[64], t[16], back[64];
    const size_t aad_len = sizeof(aad);
    GUARD(load(KAT_GCM_IV, iv, sizeof(iv), err));
    GUARD(load(KAT_GCM_AAD, aad, sizeof(aad), err));
    GUARD(load(KAT_GCM_PLAIN, p, sizeof(p), err));
    GUARD(tlcp_gcm_seal(gcm, iv, aad, aad_len, p, sizeof(p), c, t, err));
    GUARD(expect(c, sizeof(c), KAT_GCM_CIPHER, "SM4-GCM ciphertext", err));
    GUARD(expect(t, sizeof(t), KAT_GCM_TAG, "SM4-GCM tag", err));
    GUARD(tlcp_gcm_open(gcm, iv, aad, aad_len, c, sizeof(c), t, back, err));
    ENSURE(memcmp(back, p, sizeof(p)) == 0, err, TLCP_R_CRYPTO, "SM4-GCM open: wrong plaintext");
    /* A forged tag must be refused. */
    tlcp_error ignored;
    tlcp_error_clear(&ignored);
    t[15] ^= 0x01;
    ENSURE(!tlcp_gcm_open(gcm, iv, aad, aad_len, c, sizeof(c), t, back, &ignored), err,
           TLCP_R_CRYPTO, "SM4-GCM accepted a forged tag");
    return 1;
}

static int kat_sm4_gcm(tlcp_error *err)
{
    uint8_t key[16];
    GUARD(load(KAT_GCM_KEY, key, sizeof(key), err));
    tlcp_gcm *gcm = tlcp_gcm_new(key, err);
    GUARD_PTR(gcm);
    int ok = gcm_check(gcm, err);
    tlcp_gcm_free(gcm);
    return ok;
}

static int kat_hmac_sm3(tlcp_error *err)
{
    uint8_t key[32], msg[1], tag[TLCP_SM3_DIGEST_LEN];
    GUARD(load(KAT_HMAC_KEY, key, sizeof(key), err));
    GUARD(load(KAT_HMAC_MSG, msg, sizeof(msg), err));
    GUARD(tlcp_hmac_sm3(key, sizeof(key), msg, sizeof(msg), tag, err));
    return expect(tag, sizeof(tag), KAT_HMAC_TAG, "HMAC-SM3", err);
}

static int kat_prf(tlcp_error *err)
{
    uint8_t pm[TLCP_PRE_MASTER_LEN], cr[TLCP_RANDOM_LEN], sr[TLCP_RANDOM_LEN];
    uint8_t ms[TLCP_MASTER_SECRET_LEN];
    GUARD(load(KAT_PRF_PRE_MASTER, pm, sizeof(pm), err));
    GUARD(load(KAT_PRF_CLIENT_RANDOM, cr, sizeof(cr), err));
    GUARD(load(KAT_PRF_SERVER_RANDOM, sr, sizeof(sr), err));
    GUARD(tlcp_prf_master_secret(pm, sizeof(pm), cr, sr, ms, err));
    int ok = expect(ms, sizeof(ms), KAT_PRF_MASTER, "PRF master secret", err);
    tlcp_wipe(ms, sizeof(ms));
    return ok;
}

/* The Annex A key pair from its private scalar; checks the public point too. */
static tlcp_pkey *annex_a_key(tlcp_error *err)
{
    uint8_t d[32], point[TLCP_SM2_POINT_LEN];
    if (!load(KAT_SM2_D, d, sizeof(d), err))
        return NULL;
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, err);
    if (key == NULL)
        return NULL;
    if (!tlcp_pkey_get_point(key, point, err) ||
        !expect(point, sizeof(point), KAT_SM2_POINT, "SM2 public key from d", err)) {
        tlcp_pkey_free(key);
        return NULL;
    }
    return key;
}

static int sm2_sign_check(const tlcp_pkey *key, tlcp_error *err)
{
    uint8_t sig[KAT_MAX];
    size_t sig_len;
    const uint8_t *m = (const uint8_t *)KAT_SM2_SIG_MSG;
    size_t m_len = strlen(KAT_SM2_SIG_MSG);
    GUARD(unhex(KAT_SM2_SIG, sig, &sig_len, err));
    GUARD(tlcp_sm2_verify(key, NULL, 0, m, m_len, sig, sig_len, err));

    /* Our own signature verifies; the same signature on another message does not. */
    GUARD(tlcp_sm2_sign(key, NULL, 0, m, m_len, sig, &sig_len, sizeof(sig), err));
    GUARD(tlcp_sm2_verify(key, NULL, 0, m, m_len, sig, sig_len, err));
    tlcp_error ignored;
    tlcp_error_clear(&ignored);
    ENSURE(!tlcp_sm2_verify(key, NULL, 0, m, m_len - 1, sig, sig_len, &ignored), err, TLCP_R_CRYPTO,
           "SM2 verified a signature over the wrong message");
    return 1;
}

static int kat_sm2_sign(tlcp_error *err)
{
    tlcp_pkey *key = annex_a_key(err);
    GUARD_PTR(key);
    int ok = sm2_sign_check(key, err);
    tlcp_pkey_free(key);
    return ok;
}

static int sm2_enc_check(const tlcp_pkey *key, tlcp_error *err)
{
    uint8_t ct[KAT_MAX], pt[KAT_MAX];
    size_t ct_len, pt_len;
    GUARD(unhex(KAT_SM2_CIPHERTEXT, ct, &ct_len, err));
    GUARD(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), err));
    ENSURE(pt_len == strlen(KAT_SM2_ENC_MSG) && memcmp(pt, KAT_SM2_ENC_MSG, pt_len) == 0, err,
           TLCP_R_CRYPTO, "SM2 decryption of the Annex A ciphertext: wrong answer");

    /* Round trip of a pre-master-sized secret. */
    uint8_t secret[TLCP_PRE_MASTER_LEN];
    for (size_t i = 0; i < sizeof(secret); i++)
        secret[i] = (uint8_t)(0xC0 + i);
    GUARD(tlcp_sm2_encrypt(key, secret, sizeof(secret), ct, &ct_len, sizeof(ct), err));
    GUARD(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), err));
    ENSURE(pt_len == sizeof(secret) && memcmp(pt, secret, sizeof(secret)) == 0, err, TLCP_R_CRYPTO,
           "SM2 encrypt/decrypt round trip failed");
    return 1;
}

static int kat_sm2_enc(tlcp_error *err)
{
    tlcp_pkey *key = annex_a_key(err);
    GUARD_PTR(key);
    int ok = sm2_enc_check(key, err);
    tlcp_pkey_free(key);
    return ok;
}

/* One side of the Annex A exchange; the shared key must be the published K. */
static int kx_side(int initiator, const char *d_hex, const char *r_hex, const char *peer_p_hex,
                   const char *peer_r_hex, tlcp_error *err)
{
    uint8_t d[32], r[32], pp[TLCP_SM2_POINT_LEN], pr[TLCP_SM2_POINT_LEN], k[16];
    GUARD(load(d_hex, d, sizeof(d), err));
    GUARD(load(r_hex, r, sizeof(r), err));
    GUARD(load(peer_p_hex, pp, sizeof(pp), err));
    GUARD(load(peer_r_hex, pr, sizeof(pr), err));
    tlcp_pkey *self_static = tlcp_pkey_from_private_scalar(d, err);
    tlcp_pkey *self_eph = tlcp_pkey_from_private_scalar(r, err);
    tlcp_pkey *peer_static = tlcp_pkey_from_point(pp, sizeof(pp), err);
    tlcp_pkey *peer_eph = tlcp_pkey_from_point(pr, sizeof(pr), err);
    int ok = self_static != NULL && self_eph != NULL && peer_static != NULL && peer_eph != NULL &&
             tlcp_sm2_kx(initiator, self_static, self_eph, NULL, 0, peer_static, peer_eph, NULL, 0,
                         k, sizeof(k), err) &&
             expect(k, sizeof(k), KAT_KX_K16,
                    initiator ? "SM2 key exchange (A)" : "SM2 key exchange (B)", err);
    tlcp_pkey_free(self_static);
    tlcp_pkey_free(self_eph);
    tlcp_pkey_free(peer_static);
    tlcp_pkey_free(peer_eph);
    return ok;
}

static int kat_sm2_kx(tlcp_error *err)
{
    GUARD(kx_side(1, KAT_KX_DA, KAT_KX_RA, KAT_KX_PB, KAT_KX_RB_POINT, err));
    GUARD(kx_side(0, KAT_KX_DB, KAT_KX_RB, KAT_KX_PA, KAT_KX_RA_POINT, err));
    return 1;
}

static const struct {
    const char *name;
    int (*run)(tlcp_error *err);
} kats[] = {
    {"SM3", kat_sm3},
    {"SM4", kat_sm4},
    {"SM4-CBC", kat_sm4_cbc},
    {"SM4-GCM", kat_sm4_gcm},
    {"HMAC-SM3", kat_hmac_sm3},
    {"PRF (SM3)", kat_prf},
    {"SM2 sign/verify", kat_sm2_sign},
    {"SM2 encrypt/decrypt", kat_sm2_enc},
    {"SM2 key exchange", kat_sm2_kx},
};

/* "NAME ......... ok" or "NAME ......... FAILED: why" */
static void report_line(void (*report)(void *arg, const char *line), void *arg, const char *name,
                        const tlcp_error *err)
{
    char line[TLCP_ERROR_MESSAGE_MAX + 64];
    int n = snprintf(line, sizeof(line), "%s ", name);
    size_t len = n < 0 ? 0 : (size_t)n;
    while (len < LINE_DOTS_TO && len + 1 < sizeof(line))
        line[len++] = '.';
    line[len] = '\0';
    if (tlcp_error_is_set(err))
        snprintf(line + len, sizeof(line) - len, " FAILED: %s", tlcp_error_message(err));
    else
        snprintf(line + len, sizeof(line) - len, " ok");
    report(arg, line);
}

tlcp_result tlcp_selftest(void (*report)(void *arg, const char *line), void *arg)
{
    int all_ok = 1;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(kats); i++) {
        tlcp_error err;
        tlcp_error_clear(&err);
        if (!kats[i].run(&err)) {
            all_ok = 0;
            /* A check that fails without a reason is still a failure. */
            TLCP_ERR(&err, TLCP_R_INTERNAL, "failed without a recorded reason");
        }
        if (report != NULL)
            report_line(report, arg, kats[i].name, &err);
    }
    return all_ok ? TLCP_OK : TLCP_ERROR;
}
