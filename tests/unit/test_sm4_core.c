/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our SM4 core (sm4_core.c) against GB/T 32907 and OpenSSL's EVP SM4:
 * known answers on both backends, ECB/CBC/CTR for random keys at every block
 * count 0..1024 and CTR at every byte length up to 2 KiB, 64 KiB buffers,
 * in-place operation, unaligned buffers, inc32 wrap-around and stream
 * continuation, and the public SM4 API compared between the core and the EVP
 * backend. Core tests run once per kernel (AES-NI, VAES, GFNI) and are
 * skipped where the CPU lacks it.
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm4_core.h"

#define KAT_KEY    "0123456789abcdeffedcba9876543210"
#define KAT_CT     "681edf34d206965e86b3e94f536e4246"
#define MAX_BLOCKS 1024

static uint64_t g_rng = 0x243f6a8885a308d3u;

static uint64_t next_rand(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)next_rand();
}

/* The kernel under test (TLCP_SM4_KERNEL_*, see sm4_core.c). */
static int g_kernels[4] = {TLCP_SM4_KERNEL_AESNI, TLCP_SM4_KERNEL_VAES, TLCP_SM4_KERNEL_GFNI,
                           TLCP_SM4_KERNEL_GFNI512};
static int g_kernel = TLCP_SM4_KERNEL_AUTO;

static int use_kernel(void **state)
{
    g_kernel = *(int *)*state;
    tlcp_sm4_force_kernel(g_kernel);
    return 0;
}

/* Skips when the CPU cannot run the kernel under test. */
static void need_core(void)
{
    if (!tlcp_sm4_core_supported() ||
        (g_kernel != TLCP_SM4_KERNEL_AUTO && !tlcp_sm4_kernel_available(g_kernel)))
        skip();
}

static int restore_backend(void **state)
{
    (void)state;
    tlcp_sm4_force_evp(0);
    tlcp_sm4_force_kernel(TLCP_SM4_KERNEL_AUTO);
    g_kernel = TLCP_SM4_KERNEL_AUTO;
    return 0;
}

/* ---- OpenSSL EVP reference ---------------------------------------------- */

/* name: "SM4-ECB", "SM4-CBC" or "SM4-CTR"; iv ignored for ECB. */
static void evp_crypt(const char *name, int enc, const uint8_t key[16], const uint8_t iv[16],
                      const uint8_t *in, uint8_t *out, size_t len)
{
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    assert_non_null(cipher);
    assert_non_null(ctx);
    assert_int_equal(EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc), 1);
    assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
    if (len > 0)
        assert_int_equal(EVP_CipherUpdate(ctx, out, &n, in, (int)len), 1);
    assert_int_equal(EVP_CipherFinal_ex(ctx, out + n, &fin), 1);
    assert_int_equal((size_t)n + (size_t)fin, len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
}

/* ---- known answers ------------------------------------------------------ */

static void test_kat_core(void **state)
{
    uint8_t key[16], out[16];
    tlcp_sm4_key enc, dec;
    (void)state;
    need_core();
    tu_hex_into(KAT_KEY, key, 16);
    tlcp_sm4_core_expand(&enc, key, 0);
    tlcp_sm4_core_expand(&dec, key, 1);
    tlcp_sm4_core_ecb(&enc, key, out, 1);
    tu_assert_hex(out, 16, KAT_CT);
    tlcp_sm4_core_ecb(&dec, out, out, 1); /* in place */
    tu_assert_hex(out, 16, KAT_KEY);
    /* The decryption schedule is the encryption schedule reversed. */
    for (int i = 0; i < TLCP_SM4_ROUNDS; i++)
        assert_int_equal(enc.rk[i], dec.rk[TLCP_SM4_ROUNDS - 1 - i]);
}

/* A chain of single-block calls (the ECB tail path) matches EVP's. */
static void test_ecb_chain_core(void **state)
{
    uint8_t key[16], x[16], ref[16];
    tlcp_sm4_key enc;
    (void)state;
    need_core();
    tu_hex_into(KAT_KEY, key, 16);
    tlcp_sm4_core_expand(&enc, key, 0);
    memcpy(x, key, 16);
    memcpy(ref, key, 16);
    for (int i = 0; i < 1000; i++) {
        tlcp_sm4_core_ecb(&enc, x, x, 1);
        evp_crypt("SM4-ECB", 1, key, NULL, ref, ref, 16);
    }
    assert_memory_equal(x, ref, 16);
}

/* GB/T 32907 A.1 and A.2 through the public API on one backend: the block
 * function, and 1,000,000 encryptions as CBC over zero blocks with IV = P,
 * which chains exactly E(E(...E(P))) (on the core: its serial CBC path). */
static void kat_public(int evp)
{
    enum { N = 1000000 };
    uint8_t key[16], out[16];
    tlcp_error err = {0};
    uint8_t *buf = calloc(N, 16);
    assert_non_null(buf);
    tlcp_sm4_force_evp(evp);
    assert_int_equal(tlcp_sm4_core_enabled(), !evp && tlcp_sm4_core_supported());
    tu_hex_into(KAT_KEY, key, 16);
    assert_int_equal(tlcp_sm4_encrypt_block(key, key, out, &err), 1);
    tu_assert_hex(out, 16, KAT_CT);
    if (g_kernel == TLCP_SM4_KERNEL_VAES) {
        /* Its CBC encryption is the AES-NI kernel's, tested on its own run. */
        tlcp_sm4_force_evp(0);
        free(buf);
        return;
    }
    assert_int_equal(tlcp_sm4_cbc_encrypt(key, key, buf, buf, (size_t)N * 16, &err), 1);
    tu_assert_hex(buf + (size_t)(N - 1) * 16, 16, "595298c7c6fd271f0402f804c33d3f66");
    tu_assert_hex(buf, 16, KAT_CT);
    tlcp_sm4_force_evp(0);
    free(buf);
}

static void test_kat_public_core(void **state)
{
    (void)state;
    need_core();
    kat_public(0);
}

static void test_kat_public_evp(void **state)
{
    (void)state;
    kat_public(1);
}

/* ---- differential against EVP ------------------------------------------- */

typedef struct buffers {
    uint8_t *in, *ours, *ref, *back;
} buffers;

static buffers alloc_buffers(size_t len)
{
    buffers b = {malloc(len + 1), malloc(len + 1), malloc(len + 1), malloc(len + 1)};
    assert_true(b.in && b.ours && b.ref && b.back);
    return b;
}

static void free_buffers(buffers *b)
{
    free(b->in);
    free(b->ours);
    free(b->ref);
    free(b->back);
}

/* ECB, CBC and CTR of nblocks random blocks under a random key, out of place
 * and in place, against EVP; decryption must restore the input. */
static void compare_blocks(size_t nblocks, buffers *b)
{
    size_t len = nblocks * 16;
    uint8_t key[16], iv[16], ctr[16];
    tlcp_sm4_key enc, dec;
    fill_random(key, 16);
    fill_random(iv, 16);
    fill_random(b->in, len);
    tlcp_sm4_core_expand(&enc, key, 0);
    tlcp_sm4_core_expand(&dec, key, 1);

    evp_crypt("SM4-ECB", 1, key, NULL, b->in, b->ref, len);
    tlcp_sm4_core_ecb(&enc, b->in, b->ours, nblocks);
    assert_memory_equal(b->ours, b->ref, len);
    tlcp_sm4_core_ecb(&dec, b->ours, b->ours, nblocks);
    assert_memory_equal(b->ours, b->in, len);

    evp_crypt("SM4-CBC", 1, key, iv, b->in, b->ref, len);
    tlcp_sm4_core_cbc_encrypt(&enc, iv, b->in, b->ours, nblocks);
    assert_memory_equal(b->ours, b->ref, len);
    tlcp_sm4_core_cbc_decrypt(&dec, iv, b->ours, b->back, nblocks);
    assert_memory_equal(b->back, b->in, len);
    memcpy(b->back, b->in, len);
    tlcp_sm4_core_cbc_encrypt(&enc, iv, b->back, b->back, nblocks);
    assert_memory_equal(b->back, b->ref, len);
    tlcp_sm4_core_cbc_decrypt(&dec, iv, b->back, b->back, nblocks);
    assert_memory_equal(b->back, b->in, len);

    /* A counter whose low word cannot wrap here, where EVP's 128-bit
     * increment and inc32 agree. */
    memcpy(ctr, iv, 16);
    ctr[12] &= 0x7f;
    evp_crypt("SM4-CTR", 1, key, ctr, b->in, b->ref, len);
    memcpy(b->back, b->in, len);
    tlcp_sm4_core_ctr32(&enc, ctr, b->back, b->back, len);
    assert_memory_equal(b->back, b->ref, len);
}

/* Sanitizer builds run unoptimised and instrumented: there, every block
 * count up to 256 and a stride beyond (plain builds test every count). */
#if defined(__SANITIZE_ADDRESS__)
#define BLOCK_STRIDE(n) ((n) < 256 ? 1 : 13)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCK_STRIDE(n) ((n) < 256 ? 1 : 13)
#endif
#endif
#ifndef BLOCK_STRIDE
#define BLOCK_STRIDE(n) 1
#endif

static void test_every_block_count(void **state)
{
    (void)state;
    need_core(); /* before allocating: a skip does not return */
    buffers b = alloc_buffers(MAX_BLOCKS * 16);
    for (size_t n = 0; n <= MAX_BLOCKS; n += BLOCK_STRIDE(n))
        compare_blocks(n, &b);
    compare_blocks(MAX_BLOCKS, &b);
    free_buffers(&b);
}

static void test_long_buffers(void **state)
{
    enum { LONG = 64 * 1024 / 16 };
    (void)state;
    need_core(); /* before allocating: a skip does not return */
    buffers b = alloc_buffers(LONG * 16 + 16);
    for (size_t n = LONG - 1; n <= LONG + 1; n++)
        compare_blocks(n, &b);
    free_buffers(&b);
}

/* Buffers at odd addresses (the kernels use unaligned loads and stores). */
static void test_unaligned_buffers(void **state)
{
    enum { NB = 37 };
    uint8_t key[16], iv[16], ctr[16];
    (void)state;
    need_core(); /* before allocating: a skip does not return */
    uint8_t *raw_in = malloc(NB * 16 + 8), *raw_out = malloc(NB * 16 + 8);
    uint8_t ref[NB * 16];
    tlcp_sm4_key enc, dec;
    assert_true(raw_in && raw_out);
    uint8_t *in = raw_in + 1, *out = raw_out + 3;
    fill_random(key, 16);
    fill_random(iv, 16);
    fill_random(in, NB * 16);
    tlcp_sm4_core_expand(&enc, key, 0);
    tlcp_sm4_core_expand(&dec, key, 1);

    evp_crypt("SM4-ECB", 1, key, NULL, in, ref, NB * 16);
    tlcp_sm4_core_ecb(&enc, in, out, NB);
    assert_memory_equal(out, ref, NB * 16);
    evp_crypt("SM4-CBC", 1, key, iv, in, ref, NB * 16);
    tlcp_sm4_core_cbc_encrypt(&enc, iv, in, out, NB);
    assert_memory_equal(out, ref, NB * 16);
    tlcp_sm4_core_cbc_decrypt(&dec, iv, ref, out, NB);
    assert_memory_equal(out, in, NB * 16);
    memcpy(ctr, iv, 16);
    ctr[12] = 0;
    evp_crypt("SM4-CTR", 1, key, ctr, in, ref, NB * 16 - 7);
    tlcp_sm4_core_ctr32(&enc, ctr, in, out, NB * 16 - 7);
    assert_memory_equal(out, ref, NB * 16 - 7);
    free(raw_in);
    free(raw_out);
}

/* CTR at every byte length: partial final blocks use a whole counter value. */
static void test_ctr_every_byte_length(void **state)
{
    enum { MAX = 2048 };
    uint8_t key[16], ctr0[16], ctr[16];
    tlcp_sm4_key enc;
    (void)state;
    need_core(); /* before allocating: a skip does not return */
    buffers b = alloc_buffers(MAX);
    for (size_t len = 0; len <= MAX; len++) {
        fill_random(key, 16);
        fill_random(ctr0, 16);
        ctr0[12] = 0;
        ctr0[13] = 0;
        fill_random(b.in, len);
        tlcp_sm4_core_expand(&enc, key, 0);
        evp_crypt("SM4-CTR", 1, key, ctr0, b.in, b.ref, len);
        memcpy(ctr, ctr0, 16);
        tlcp_sm4_core_ctr32(&enc, ctr, b.in, b.ours, len);
        assert_memory_equal(b.ours, b.ref, len);
        /* The counter advanced by one per started block. */
        uint32_t used = (uint32_t)((len + 15) / 16);
        uint32_t low0 = (uint32_t)ctr0[13] << 16 | (uint32_t)ctr0[14] << 8 | ctr0[15];
        uint32_t low1 = (uint32_t)ctr[13] << 16 | (uint32_t)ctr[14] << 8 | ctr[15];
        assert_int_equal(low1, low0 + used);
        assert_memory_equal(ctr, ctr0, 12);
    }
    free_buffers(&b);
}

/* inc32 wraps the low word without carrying into the nonce, unlike EVP CTR;
 * the reference is ECB over explicitly built counter blocks. */
static void test_ctr_inc32_wrap(void **state)
{
    enum { NB = 40 };
    uint8_t key[16], ctr[16], blocks[NB * 16], ks[NB * 16], data[NB * 16], got[NB * 16];
    tlcp_sm4_key enc;
    (void)state;
    need_core();
    fill_random(key, 16);
    fill_random(ctr, 16);
    fill_random(data, sizeof(data));
    tlcp_sm4_core_expand(&enc, key, 0);
    for (uint32_t start = 0xffffffffu - 20; start != 3; start++) {
        for (uint32_t i = 0; i < NB; i++) {
            uint32_t low = start + i;
            memcpy(blocks + 16 * i, ctr, 12);
            blocks[16 * i + 12] = (uint8_t)(low >> 24);
            blocks[16 * i + 13] = (uint8_t)(low >> 16);
            blocks[16 * i + 14] = (uint8_t)(low >> 8);
            blocks[16 * i + 15] = (uint8_t)low;
        }
        tlcp_sm4_core_ecb(&enc, blocks, ks, NB);
        for (size_t i = 0; i < sizeof(data); i++)
            ks[i] ^= data[i];
        uint8_t c[16];
        memcpy(c, blocks, 16);
        tlcp_sm4_core_ctr32(&enc, c, data, got, sizeof(data));
        assert_memory_equal(got, ks, sizeof(data));
        assert_memory_equal(c, ctr, 12); /* no carry into the fixed part */
    }
}

/* Calls with whole-block lengths continue one stream. */
static void test_ctr_continuation(void **state)
{
    enum { LEN = 4096 + 200 };
    static const size_t cuts[] = {16, 48, 128, 144, 1024, 4096};
    uint8_t key[16], ctr0[16], ctr[16], in[LEN], whole[LEN], parts[LEN];
    tlcp_sm4_key enc;
    (void)state;
    need_core();
    fill_random(key, 16);
    fill_random(ctr0, 16);
    fill_random(in, LEN);
    tlcp_sm4_core_expand(&enc, key, 0);
    memcpy(ctr, ctr0, 16);
    tlcp_sm4_core_ctr32(&enc, ctr, in, whole, LEN);
    for (size_t i = 0; i < TLCP_ARRAY_LEN(cuts); i++) {
        memcpy(ctr, ctr0, 16);
        size_t off = 0;
        while (off < LEN) {
            size_t n = LEN - off < cuts[i] ? LEN - off : cuts[i];
            tlcp_sm4_core_ctr32(&enc, ctr, in + off, parts + off, n);
            off += n;
        }
        assert_memory_equal(parts, whole, LEN);
    }
}

/* The public CBC API gives the same bytes on both backends, in and out of
 * place, with one context reused across IVs and lengths. */
static void test_public_cbc_backends_agree(void **state)
{
    enum { MAX = 300 * 16 };
    uint8_t key[16], iv[16];
    tlcp_error err = {0};
    (void)state;
    need_core();
    buffers b = alloc_buffers(MAX);
    fill_random(key, 16);
    tlcp_sm4_force_evp(1);
    tlcp_sm4_cbc *evp_enc = tlcp_sm4_cbc_new(key, 1, &err);
    tlcp_sm4_cbc *evp_dec = tlcp_sm4_cbc_new(key, 0, &err);
    tlcp_sm4_force_evp(0);
    tlcp_sm4_cbc *enc = tlcp_sm4_cbc_new(key, 1, &err);
    tlcp_sm4_cbc *dec = tlcp_sm4_cbc_new(key, 0, &err);
    assert_true(evp_enc && evp_dec && enc && dec);
    for (size_t len = 0; len <= MAX; len += 16 * (1 + len / 512)) {
        fill_random(iv, 16);
        fill_random(b.in, len);
        assert_int_equal(tlcp_sm4_cbc_crypt(evp_enc, iv, b.in, b.ref, len, &err), 1);
        assert_int_equal(tlcp_sm4_cbc_crypt(enc, iv, b.in, b.ours, len, &err), 1);
        assert_memory_equal(b.ours, b.ref, len);
        assert_int_equal(tlcp_sm4_cbc_crypt(dec, iv, b.ours, b.ours, len, &err), 1);
        assert_memory_equal(b.ours, b.in, len);
        assert_int_equal(tlcp_sm4_cbc_crypt(evp_dec, iv, b.ref, b.back, len, &err), 1);
        assert_memory_equal(b.back, b.in, len);
    }
    /* Argument checks hold on the core backend too. */
    assert_int_equal(tlcp_sm4_cbc_crypt(enc, iv, b.in, b.ours, 15, &err), 0);
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_error_clear(&err);
    assert_int_equal(tlcp_sm4_cbc_crypt(dec, iv, b.in, b.in + 16, 64, &err), 0);
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_sm4_cbc_free(evp_enc);
    tlcp_sm4_cbc_free(evp_dec);
    tlcp_sm4_cbc_free(enc);
    tlcp_sm4_cbc_free(dec);
    free_buffers(&b);
}

static void test_force_switch(void **state)
{
    (void)state;
    tlcp_sm4_force_evp(1);
    assert_int_equal(tlcp_sm4_core_enabled(), 0);
    tlcp_sm4_force_evp(0);
    assert_int_equal(tlcp_sm4_core_enabled(), tlcp_sm4_core_supported());
    /* Every kernel needs AES-NI (the key schedule); AES-NI alone is enough. */
    assert_int_equal(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_AESNI), tlcp_sm4_core_supported());
    if (!tlcp_sm4_core_supported()) {
        assert_false(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_VAES));
        assert_false(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI));
        assert_false(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI512));
    }
    /* the AVX-512 kernel extends the 256-bit GFNI one */
    if (tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI512))
        assert_true(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI));
    assert_false(tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_AUTO));
}

#define TEST(f) cmocka_unit_test_teardown(f, restore_backend)
/* Once per kernel. */
#define KERNELS(f)                                                                                 \
    cmocka_unit_test_prestate_setup_teardown(f, use_kernel, restore_backend, &g_kernels[0]),       \
        cmocka_unit_test_prestate_setup_teardown(f, use_kernel, restore_backend, &g_kernels[1]),   \
        cmocka_unit_test_prestate_setup_teardown(f, use_kernel, restore_backend, &g_kernels[2]),   \
        cmocka_unit_test_prestate_setup_teardown(f, use_kernel, restore_backend, &g_kernels[3])

int main(void)
{
    const struct CMUnitTest tests[] = {
        KERNELS(test_kat_core),
        KERNELS(test_ecb_chain_core),
        KERNELS(test_kat_public_core),
        TEST(test_kat_public_evp),
        KERNELS(test_every_block_count),
        KERNELS(test_long_buffers),
        KERNELS(test_unaligned_buffers),
        KERNELS(test_ctr_every_byte_length),
        KERNELS(test_ctr_inc32_wrap),
        KERNELS(test_ctr_continuation),
        KERNELS(test_public_cbc_backends_agree),
        TEST(test_force_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
