/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crypto figures: SM2 operations (ops/s) and bulk SM3 / HMAC-SM3 / SM4-CBC /
 * SM4-GCM at 16 KiB, the largest TLCP record payload (MB/s). OpenSSL's
 * AES-128-GCM and SHA-256 run in the same process as baselines so the ratios
 * mean something on a shared, noisy machine. Only this file includes OpenSSL
 * in bench/, and only for those baselines.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "crypto/sm3_core.h"
#include "crypto/crypto.h"
#include "crypto/sm2_internal.h"
#include "crypto/sm4_core.h"
#include "timing_sm2.h"

#define BULK_LEN       (16 * 1024)
#define RECORD_AAD_LEN 13

/* ---- SM2 ------------------------------------------------------------ */

struct sm2_state {
    tlcp_pkey *key;      /* private + public */
    tlcp_pkey *eph;      /* second key pair for the key exchange */
    tlcp_pkey *peer;     /* peer static, public only */
    tlcp_pkey *peer_eph; /* peer ephemeral, public only */
    uint8_t msg[32];
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    uint8_t pre_master[TLCP_PRE_MASTER_LEN];
    uint8_t ct[TLCP_PRE_MASTER_LEN + TLCP_SM2_CIPHERTEXT_OVERHEAD];
    size_t ct_len;
};

static int op_sm2_sign(void *arg)
{
    struct sm2_state *s = arg;
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN]; /* not s->sig: the verify figure uses that one */
    size_t len;
    return tlcp_sm2_sign(s->key, NULL, 0, s->msg, sizeof(s->msg), sig, &len, sizeof(sig), NULL);
}

static int op_sm2_verify(void *arg)
{
    struct sm2_state *s = arg;
    return tlcp_sm2_verify(s->key, NULL, 0, s->msg, sizeof(s->msg), s->sig, s->sig_len, NULL);
}

static int op_sm2_encrypt(void *arg)
{
    struct sm2_state *s = arg;
    uint8_t ct[sizeof(s->ct)];
    size_t len;
    return tlcp_sm2_encrypt(s->key, s->pre_master, sizeof(s->pre_master), ct, &len, sizeof(ct),
                            NULL);
}

static int op_sm2_decrypt(void *arg)
{
    struct sm2_state *s = arg;
    uint8_t pt[TLCP_PRE_MASTER_LEN];
    size_t len;
    return tlcp_sm2_decrypt(s->key, s->ct, s->ct_len, pt, &len, sizeof(pt), NULL) &&
           len == sizeof(pt);
}

static int op_sm2_keygen(void *arg)
{
    (void)arg;
    tlcp_pkey *k = tlcp_pkey_generate(NULL);
    tlcp_pkey_free(k);
    return k != NULL;
}

static int op_sm2_kx(void *arg)
{
    struct sm2_state *s = arg;
    uint8_t out[48];
    return tlcp_sm2_kx(1, s->key, s->eph, NULL, 0, s->peer, s->peer_eph, NULL, 0, out, sizeof(out),
                       NULL);
}

/* A public-only copy of a key pair, as a peer's key would be. */
static tlcp_pkey *public_only(const tlcp_pkey *key)
{
    uint8_t point[TLCP_SM2_POINT_LEN];
    if (!tlcp_pkey_get_point(key, point, NULL))
        return NULL;
    return tlcp_pkey_from_point(point, sizeof(point), NULL);
}

/* Verify and encrypt with a public key object made for this one operation
 * (a client meeting a server's certificate for the first time): point
 * decoding and Z included, no per-key table. */
static int op_sm2_verify_new_key(void *arg)
{
    struct sm2_state *s = arg;
    tlcp_pkey *pub = public_only(s->key);
    int ok = pub != NULL &&
             tlcp_sm2_verify(pub, NULL, 0, s->msg, sizeof(s->msg), s->sig, s->sig_len, NULL);
    tlcp_pkey_free(pub);
    return ok;
}

static int op_sm2_encrypt_new_key(void *arg)
{
    struct sm2_state *s = arg;
    uint8_t ct[sizeof(s->ct)];
    size_t len;
    tlcp_pkey *pub = public_only(s->key);
    int ok = pub != NULL && tlcp_sm2_encrypt(pub, s->pre_master, sizeof(s->pre_master), ct, &len,
                                             sizeof(ct), NULL);
    tlcp_pkey_free(pub);
    return ok;
}

static int sm2_setup(struct sm2_state *s)
{
    tlcp_pkey *peer_priv = NULL, *peer_eph_priv = NULL;
    int ok = 0;
    memset(s, 0, sizeof(*s));
    memset(s->msg, 0x61, sizeof(s->msg));
    memset(s->pre_master, 0x01, sizeof(s->pre_master));
    s->key = tlcp_pkey_generate(NULL);
    s->eph = tlcp_pkey_generate(NULL);
    peer_priv = tlcp_pkey_generate(NULL);
    peer_eph_priv = tlcp_pkey_generate(NULL);
    if (s->key == NULL || s->eph == NULL || peer_priv == NULL || peer_eph_priv == NULL)
        goto out;
    s->peer = public_only(peer_priv);
    s->peer_eph = public_only(peer_eph_priv);
    ok = s->peer != NULL && s->peer_eph != NULL &&
         tlcp_sm2_sign(s->key, NULL, 0, s->msg, sizeof(s->msg), s->sig, &s->sig_len, sizeof(s->sig),
                       NULL) &&
         tlcp_sm2_encrypt(s->key, s->pre_master, sizeof(s->pre_master), s->ct, &s->ct_len,
                          sizeof(s->ct), NULL);
out:
    tlcp_pkey_free(peer_priv);
    tlcp_pkey_free(peer_eph_priv);
    return ok;
}

static void sm2_cleanup(struct sm2_state *s)
{
    tlcp_pkey_free(s->key);
    tlcp_pkey_free(s->eph);
    tlcp_pkey_free(s->peer);
    tlcp_pkey_free(s->peer_eph);
}

/* 1 when the filter selects any of the names: spares key setup otherwise. */
static int any_selected(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (bench_selected(names[i]))
            return 1;
    }
    return 0;
}

struct sm2_figure {
    const char *name;
    bench_op op;
};

/* Every figure runs on our SM2 ("name"), then on OpenSSL's ("name_evp"),
 * then "name_ours_vs_evp" gives the ratio of the two rates. Keys used over
 * and over (sm2_verify, sm2_encrypt) get their point table after a few uses,
 * as a server's or a trust store's keys do. */
static const struct sm2_figure sm2_figures[] = {
    {"sm2_sign", op_sm2_sign},
    {"sm2_verify", op_sm2_verify},
    {"sm2_verify_new_key", op_sm2_verify_new_key},
    {"sm2_encrypt", op_sm2_encrypt},
    {"sm2_encrypt_new_key", op_sm2_encrypt_new_key},
    {"sm2_decrypt", op_sm2_decrypt},
    {"sm2_keygen", op_sm2_keygen},
    {"sm2_kx", op_sm2_kx},
};
#define SM2_FIGURES (sizeof(sm2_figures) / sizeof(sm2_figures[0]))

static void bench_sm2_both_paths(const struct sm2_figure *f, struct sm2_state *s)
{
    char name[64];
    tlcp_sm2_force_evp(0);
    double ours = bench_ops(f->name, f->op, s);
    tlcp_sm2_force_evp(1);
    snprintf(name, sizeof(name), "%s_evp", f->name);
    double evp = bench_ops(name, f->op, s);
    tlcp_sm2_force_evp(0);
    snprintf(name, sizeof(name), "%s_ours_vs_evp", f->name);
    if (ours > 0 && evp > 0)
        bench_report(name, "ratio", ours / evp);
}

static void bench_sm2(void)
{
    struct sm2_state s;
    const char *names[SM2_FIGURES];
    for (size_t i = 0; i < SM2_FIGURES; i++)
        names[i] = sm2_figures[i].name;
    if (!any_selected(names, SM2_FIGURES))
        return;
    if (!sm2_setup(&s)) {
        bench_fail("sm2", "cannot set up keys");
        sm2_cleanup(&s);
        return;
    }
    for (size_t i = 0; i < SM2_FIGURES; i++)
        if (bench_selected(sm2_figures[i].name))
            bench_sm2_both_paths(&sm2_figures[i], &s);
    sm2_cleanup(&s);
}

/* ---- bulk: SM3, HMAC-SM3, SM4-CBC, SM4-GCM -------------------------- */

struct bulk_state {
    uint8_t *in;
    uint8_t *out;
    uint8_t *gcm_ct; /* sealed once in setup for the decrypt figure */
    uint8_t key[32];
    uint8_t iv[16];
    uint8_t aad[RECORD_AAD_LEN];
    uint8_t tag[TLCP_GCM_TAG_LEN];
    uint8_t gcm_ct_tag[TLCP_GCM_TAG_LEN];
    tlcp_sm4_cbc *cbc_enc;
    tlcp_sm4_cbc *cbc_dec;
    tlcp_gcm *gcm;
    EVP_CIPHER_CTX *aes;
    EVP_MD *sha256;
    EVP_MD *sm3_evp;
};

static int op_sm3(void *arg)
{
    struct bulk_state *s = arg;
    uint8_t d[TLCP_SM3_DIGEST_LEN];
    return tlcp_sm3(s->in, BULK_LEN, d, NULL);
}

/* The old path: OpenSSL's SM3 through EVP, as tlcp_sm3 was before. */
static int op_sm3_evp(void *arg)
{
    struct bulk_state *s = arg;
    uint8_t d[TLCP_SM3_DIGEST_LEN];
    return EVP_Digest(s->in, BULK_LEN, d, NULL, s->sm3_evp, NULL) == 1;
}

/* Prints a/b when both figures ran. */
static void ratio(const char *name, double a, double b)
{
    if (a > 0 && b > 0)
        bench_report(name, "x", a / b);
}

/* Multi-buffer SM3: BULK_LEN split into mb_lanes messages hashed side by side. */
static size_t mb_lanes = 16;

static int op_sm3_mb(void *arg)
{
    struct bulk_state *s = arg;
    const uint8_t *data[TLCP_SM3_MB_MAX];
    size_t len[TLCP_SM3_MB_MAX];
    uint8_t d[TLCP_SM3_MB_MAX][TLCP_SM3_DIGEST_LEN];
    uint8_t *out[TLCP_SM3_MB_MAX];
    for (size_t i = 0; i < mb_lanes; i++) {
        data[i] = s->in + i * (BULK_LEN / mb_lanes);
        len[i] = BULK_LEN / mb_lanes;
        out[i] = d[i];
    }
    tlcp_sm3_mb(mb_lanes, data, len, out);
    return 1;
}

/* The same messages one after the other through the single-stream SM3. */
static int op_sm3_serial(void *arg)
{
    struct bulk_state *s = arg;
    uint8_t d[TLCP_SM3_DIGEST_LEN];
    for (size_t i = 0; i < mb_lanes; i++)
        if (!tlcp_sm3(s->in + i * (BULK_LEN / mb_lanes), BULK_LEN / mb_lanes, d, NULL))
            return 0;
    return 1;
}

static void bench_sm3_mb(struct bulk_state *s)
{
    static const struct {
        size_t lanes;
        int mask;
        const char *name;
    } runs[] = {
        {16, -1, "sm3_mb_16x1k"},
        {16, TLCP_SM3_FEAT_AVX2 | TLCP_SM3_FEAT_BMI2, "sm3_mb_16x1k_avx2"},
        {8, -1, "sm3_mb_8x2k"},
        {8, TLCP_SM3_FEAT_AVX512 | TLCP_SM3_FEAT_BMI2, "sm3_mb_8x2k_avx512"},
        {4, -1, "sm3_mb_4x4k"},
    };
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        char name[64];
        mb_lanes = runs[r].lanes;
        tlcp_sm3_force_features(runs[r].mask);
        double mb = bench_throughput(runs[r].name, op_sm3_mb, s, BULK_LEN);
        tlcp_sm3_force_features(-1);
        snprintf(name, sizeof(name), "%s_serial", runs[r].name);
        double serial = bench_throughput(name, op_sm3_serial, s, BULK_LEN);
        snprintf(name, sizeof(name), "ratio_%s_vs_serial", runs[r].name);
        ratio(name, mb, serial);
    }
}

static int op_hmac_sm3(void *arg)
{
    struct bulk_state *s = arg;
    uint8_t d[TLCP_SM3_DIGEST_LEN];
    return tlcp_hmac_sm3(s->key, 32, s->in, BULK_LEN, d, NULL);
}

static int op_sm4_cbc_encrypt(void *arg)
{
    struct bulk_state *s = arg;
    return tlcp_sm4_cbc_crypt(s->cbc_enc, s->iv, s->in, s->out, BULK_LEN, NULL);
}

static int op_sm4_cbc_decrypt(void *arg)
{
    struct bulk_state *s = arg;
    return tlcp_sm4_cbc_crypt(s->cbc_dec, s->iv, s->in, s->out, BULK_LEN, NULL);
}

/* Multi-chain SM4-CBC: BULK_LEN as mb_lanes chains encrypted side by side. */
static int op_sm4_cbc_multi(void *arg)
{
    struct bulk_state *s = arg;
    const uint8_t *iv[16], *in[16];
    uint8_t *out[16];
    size_t len[16];
    for (size_t i = 0; i < mb_lanes; i++) {
        iv[i] = s->iv;
        in[i] = s->in + i * (BULK_LEN / mb_lanes);
        out[i] = s->out + i * (BULK_LEN / mb_lanes);
        len[i] = BULK_LEN / mb_lanes;
    }
    return tlcp_sm4_cbc_encrypt_multi(s->cbc_enc, mb_lanes, iv, in, out, len, NULL);
}

static void bench_sm4_multi(struct bulk_state *s)
{
    static const size_t lanes[] = {16, 8, 4};
    static const char *const names[] = {"sm4_cbc_encrypt_multi_16x1k", "sm4_cbc_encrypt_multi_8x2k",
                                        "sm4_cbc_encrypt_multi_4x4k"};
    double serial = bench_throughput("sm4_cbc_encrypt_16k_serial", op_sm4_cbc_encrypt, s, BULK_LEN);
    for (size_t r = 0; r < 3; r++) {
        char name[80];
        mb_lanes = lanes[r];
        double multi = bench_throughput(names[r], op_sm4_cbc_multi, s, BULK_LEN);
        snprintf(name, sizeof(name), "ratio_%s_vs_serial", names[r]);
        ratio(name, multi, serial);
    }
}

/* Every SM4 core kernel the CPU runs, forced in turn (the automatic choice
 * is the rows above): serial and multi-chain CBC encryption, decryption. */
static void bench_sm4_kernels(struct bulk_state *s)
{
    static const struct {
        int id;
        const char *name;
    } kernels[] = {{TLCP_SM4_KERNEL_AESNI, "aesni"},
                   {TLCP_SM4_KERNEL_VAES, "vaes"},
                   {TLCP_SM4_KERNEL_GFNI, "gfni"},
                   {TLCP_SM4_KERNEL_GFNI512, "gfni512"}};
    if (!tlcp_sm4_core_enabled())
        return;
    for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
        if (!tlcp_sm4_kernel_available(kernels[k].id))
            continue;
        char name[80];
        tlcp_sm4_force_kernel(kernels[k].id);
        snprintf(name, sizeof(name), "sm4_cbc_encrypt_16k_%s", kernels[k].name);
        bench_throughput(name, op_sm4_cbc_encrypt, s, BULK_LEN);
        mb_lanes = 16;
        snprintf(name, sizeof(name), "sm4_cbc_encrypt_multi_16x1k_%s", kernels[k].name);
        bench_throughput(name, op_sm4_cbc_multi, s, BULK_LEN);
        mb_lanes = 8;
        snprintf(name, sizeof(name), "sm4_cbc_encrypt_multi_8x2k_%s", kernels[k].name);
        bench_throughput(name, op_sm4_cbc_multi, s, BULK_LEN);
        snprintf(name, sizeof(name), "sm4_cbc_decrypt_16k_%s", kernels[k].name);
        bench_throughput(name, op_sm4_cbc_decrypt, s, BULK_LEN);
    }
    tlcp_sm4_force_kernel(TLCP_SM4_KERNEL_AUTO);
}

static int op_sm4_gcm_encrypt(void *arg)
{
    struct bulk_state *s = arg;
    return tlcp_gcm_seal(s->gcm, s->iv, s->aad, sizeof(s->aad), s->in, BULK_LEN, s->out, s->tag,
                         NULL);
}

/* Opens (tag check included) the ciphertext sealed once in setup. */
static int op_sm4_gcm_decrypt(void *arg)
{
    struct bulk_state *s = arg;
    return tlcp_gcm_open(s->gcm, s->iv, s->aad, sizeof(s->aad), s->gcm_ct, BULK_LEN, s->gcm_ct_tag,
                         s->out, NULL);
}

/* Baseline: AES-128-GCM sealing with the same record shape (12-byte nonce, 13-byte AAD). */
static int op_aes128_gcm_encrypt(void *arg)
{
    struct bulk_state *s = arg;
    int len;
    return EVP_EncryptInit_ex(s->aes, NULL, NULL, NULL, s->iv) == 1 &&
           EVP_EncryptUpdate(s->aes, NULL, &len, s->aad, (int)sizeof(s->aad)) == 1 &&
           EVP_EncryptUpdate(s->aes, s->out, &len, s->in, BULK_LEN) == 1 &&
           EVP_EncryptFinal_ex(s->aes, s->out + len, &len) == 1 &&
           EVP_CIPHER_CTX_ctrl(s->aes, EVP_CTRL_GCM_GET_TAG, TLCP_GCM_TAG_LEN, s->tag) == 1;
}

static int op_sha256(void *arg)
{
    struct bulk_state *s = arg;
    uint8_t d[32];
    return EVP_Digest(s->in, BULK_LEN, d, NULL, s->sha256, NULL) == 1;
}

static int bulk_setup(struct bulk_state *s)
{
    memset(s, 0, sizeof(*s));
    s->in = malloc(BULK_LEN);
    s->out = malloc(BULK_LEN);
    s->gcm_ct = malloc(BULK_LEN);
    if (s->in == NULL || s->out == NULL || s->gcm_ct == NULL)
        return 0;
    for (size_t i = 0; i < BULK_LEN; i++)
        s->in[i] = (uint8_t)(i * 31 + 7);
    memset(s->key, 0x4B, sizeof(s->key));
    memset(s->iv, 0x49, sizeof(s->iv));
    memset(s->aad, 0x17, sizeof(s->aad));
    s->cbc_enc = tlcp_sm4_cbc_new(s->key, 1, NULL);
    s->cbc_dec = tlcp_sm4_cbc_new(s->key, 0, NULL);
    s->gcm = tlcp_gcm_new(s->key, NULL);
    s->aes = EVP_CIPHER_CTX_new();
    s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    s->sm3_evp = EVP_MD_fetch(NULL, "SM3", NULL);
    if (s->cbc_enc == NULL || s->cbc_dec == NULL || s->gcm == NULL || s->aes == NULL ||
        s->sha256 == NULL || s->sm3_evp == NULL)
        return 0;
    if (EVP_EncryptInit_ex(s->aes, EVP_aes_128_gcm(), NULL, s->key, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->aes, EVP_CTRL_GCM_SET_IVLEN, TLCP_GCM_NONCE_LEN, NULL) != 1)
        return 0;
    return tlcp_gcm_seal(s->gcm, s->iv, s->aad, sizeof(s->aad), s->in, BULK_LEN, s->gcm_ct,
                         s->gcm_ct_tag, NULL);
}

static void bulk_cleanup(struct bulk_state *s)
{
    free(s->in);
    free(s->out);
    free(s->gcm_ct);
    tlcp_sm4_cbc_free(s->cbc_enc);
    tlcp_sm4_cbc_free(s->cbc_dec);
    tlcp_gcm_free(s->gcm);
    EVP_CIPHER_CTX_free(s->aes);
    EVP_MD_free(s->sha256);
    EVP_MD_free(s->sm3_evp);
}

/* Every single-stream kernel the CPU runs, each against the portable one
 * (the last of tlcp_sm3_kernels), then the one tlcp_sm3 picks by timing
 * them; returns that one's figure and stores the portable one's. */
static double bench_sm3_kernels(struct bulk_state *s, double *portable)
{
    int cpu = tlcp_sm3_cpu_features();
    const tlcp_sm3_kernel *ref = &tlcp_sm3_kernels[tlcp_sm3_nkernels - 1];
    tlcp_sm3_force_features(ref->features);
    *portable = bench_throughput("sm3_16k_portable", op_sm3, s, BULK_LEN);
    for (size_t i = 0; i + 1 < tlcp_sm3_nkernels; i++) {
        const tlcp_sm3_kernel *k = &tlcp_sm3_kernels[i];
        if ((k->features & cpu) != k->features)
            continue;
        char name[64], rname[96];
        snprintf(name, sizeof(name), "sm3_16k_%s", k->name);
        snprintf(rname, sizeof(rname), "ratio_%s_vs_portable", name);
        tlcp_sm3_force_features(k->features);
        ratio(rname, bench_throughput(name, op_sm3, s, BULK_LEN), *portable);
    }
    tlcp_sm3_force_features(-1);
    double best = bench_throughput("sm3_16k", op_sm3, s, BULK_LEN);
    ratio("ratio_sm3_vs_portable", best, *portable);
    if (bench_selected("sm3_16k")) {
        char name[64];
        snprintf(name, sizeof(name), "sm3_16k_picks_%s", tlcp_sm3_kernel_for(BULK_LEN / 64)->name);
        bench_report(name, "x", 1.0);
    }
    return best;
}

static void bench_bulk(void)
{
    struct bulk_state s;
    if (!bulk_setup(&s)) {
        bench_fail("bulk", "cannot set up keys and buffers");
        bulk_cleanup(&s);
        return;
    }
    double sm3_portable = 0.0;
    double sm3 = bench_sm3_kernels(&s, &sm3_portable);
    double sm3_evp = bench_throughput("sm3_16k_old_evp", op_sm3_evp, &s, BULK_LEN);
    ratio("ratio_sm3_vs_old_evp", sm3, sm3_evp);
    bench_sm3_mb(&s);
    bench_sm4_multi(&s);
    bench_sm4_kernels(&s);
    bench_throughput("hmac_sm3_16k", op_hmac_sm3, &s, BULK_LEN);
    bench_throughput("sm4_cbc_encrypt_16k", op_sm4_cbc_encrypt, &s, BULK_LEN);
    bench_throughput("sm4_cbc_decrypt_16k", op_sm4_cbc_decrypt, &s, BULK_LEN);
    double gcm = bench_throughput("sm4_gcm_encrypt_16k", op_sm4_gcm_encrypt, &s, BULK_LEN);
    bench_throughput("sm4_gcm_decrypt_16k", op_sm4_gcm_decrypt, &s, BULK_LEN);
    double aes =
        bench_throughput("baseline_aes128_gcm_encrypt_16k", op_aes128_gcm_encrypt, &s, BULK_LEN);
    double sha = bench_throughput("baseline_sha256_16k", op_sha256, &s, BULK_LEN);
    ratio("ratio_sm4_gcm_vs_aes128_gcm", gcm, aes);
    ratio("ratio_sm3_vs_sha256", sm3, sha);
    bulk_cleanup(&s);
}

void bench_crypto(void)
{
    bench_sm2();
    bench_bulk();
    /* Long: only when asked for by name (`tlcp-bench timing_sm2_sign`), not
     * by a filter such as "sm2_" or "sign" that also selects sm2_sign. */
    if (bench_selected("timing_sm2_sign") && !bench_selected("sm2_sign"))
        bench_timing_sm2();
}
