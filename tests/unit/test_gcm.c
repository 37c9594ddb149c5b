/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM4-GCM: known answers (RFC 8998 A.1, zero-key checks, the TLCP record
 * example of tlcp-protocol.md §9), round trips, aliasing, and every way open()
 * must refuse. Each test runs once per GHASH path (PCLMULQDQ where the CPU
 * has it, and the portable multiply) and SM4 backend (our core where the CPU
 * has AES-NI, and EVP).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/ghash.h"
#include "crypto/sm4_core.h"

/* Bit 0: portable GHASH; bit 1: EVP SM4 instead of our core. */
static int g_path_state[4] = {0, 1, 2, 3};

static int use_path(void **state)
{
    int path = *(int *)*state;
    /* Where the CPU lacks PCLMULQDQ or AES-NI, the "fast" runs repeat the other path. */
    tlcp_ghash_force_portable(path & 1);
    tlcp_sm4_force_evp((path >> 1) & 1);
    return 0;
}

static int restore_path(void **state)
{
    (void)state;
    tlcp_ghash_force_portable(0);
    tlcp_sm4_force_evp(0);
    return 0;
}

static uint64_t g_rng = 0x13198a2e03707344u;

static uint8_t next_byte(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint8_t)(g_rng >> 24);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = next_byte();
}

static tlcp_gcm *new_ctx_hex(const char *key_hex)
{
    uint8_t key[16];
    tlcp_error err = {0};
    tu_hex_into(key_hex, key, sizeof(key));
    tlcp_gcm *ctx = tlcp_gcm_new(key, &err);
    assert_non_null(ctx);
    return ctx;
}

/* Seals and opens one vector, comparing both directions with the hex. */
static void check_vector(const char *key_hex, const char *nonce_hex, const char *aad_hex,
                         const char *pt_hex, const char *ct_hex, const char *tag_hex)
{
    uint8_t nonce[12], tag[16];
    size_t aad_len, pt_len, ct_len;
    uint8_t *aad = tu_hex(aad_hex, &aad_len);
    uint8_t *pt = tu_hex(pt_hex, &pt_len);
    uint8_t *ct = tu_hex(ct_hex, &ct_len);
    uint8_t *buf = malloc(pt_len + 1);
    tlcp_error err = {0};
    tlcp_gcm *ctx = new_ctx_hex(key_hex);
    assert_int_equal(pt_len, ct_len);
    tu_hex_into(nonce_hex, nonce, sizeof(nonce));

    assert_true(tlcp_gcm_seal(ctx, nonce, aad, aad_len, pt, pt_len, buf, tag, &err));
    tu_assert_hex(buf, pt_len, ct_hex);
    tu_assert_hex(tag, sizeof(tag), tag_hex);

    memset(buf, 0x5a, pt_len);
    assert_true(tlcp_gcm_open(ctx, nonce, aad, aad_len, ct, ct_len, tag, buf, &err));
    tu_assert_hex(buf, pt_len, pt_hex);

    tlcp_gcm_free(ctx);
    free(aad);
    free(pt);
    free(ct);
    free(buf);
}

static void test_rfc8998_a1(void **state)
{
    (void)state;
    check_vector("0123456789ABCDEFFEDCBA9876543210", "00001234567800000000ABCD",
                 "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2",
                 "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                 "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
                 "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
                 "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
                 "83DE3541E4C2B58177E065A9BF7B62EC");
}

static void test_zero_key_empty(void **state)
{
    (void)state;
    check_vector("00000000000000000000000000000000", "000000000000000000000000", "", "", "",
                 "232F0CFE308B49EA6FC88229B5DC858D");
}

static void test_zero_key_one_block(void **state)
{
    (void)state;
    check_vector("00000000000000000000000000000000", "000000000000000000000000", "",
                 "00000000000000000000000000000000", "7DE2AA7F1110188218063BE1BFEB6D89",
                 "B851B5F39493752BE508F1BB4482C557");
}

static void test_tlcp_record_example(void **state)
{
    (void)state;
    /* §9 example record: client key, salt 957c63b8 || explicit nonce 0,
     * AAD = seq(0) || type 0x17 || version 0x0101 || length 5, "hello". */
    check_vector("e41131a49d4d2a4b720062f4628d57ed", "957c63b80000000000000000",
                 "0000000000000000 17 0101 0005", "68656c6c6f", "8d7a95bb03",
                 "ed626c42841252603f3445dab33b1994");
}

/* Seal then open at every length with three AAD sizes, out of place. */
static void round_trip(tlcp_gcm *ctx, size_t len, size_t aad_len)
{
    uint8_t nonce[12], tag[16], aad[20];
    uint8_t *pt = calloc(1, len + 1), *ct = calloc(1, len + 1), *back = calloc(1, len + 1);
    tlcp_error err = {0};
    fill_random(nonce, sizeof(nonce));
    fill_random(aad, aad_len);
    fill_random(pt, len);

    assert_true(tlcp_gcm_seal(ctx, nonce, aad, aad_len, pt, len, ct, tag, &err));
    if (len >= 8)
        assert_memory_not_equal(pt, ct, len);
    assert_true(tlcp_gcm_open(ctx, nonce, aad, aad_len, ct, len, tag, back, &err));
    assert_memory_equal(pt, back, len);
    free(pt);
    free(ct);
    free(back);
}

static void test_round_trips(void **state)
{
    static const size_t aad_lens[] = {0, 13, 20};
    tlcp_gcm *ctx = new_ctx_hex("00112233445566778899aabbccddeeff");
    (void)state;
    for (size_t a = 0; a < 3; a++) {
        for (size_t len = 0; len <= 300; len++)
            round_trip(ctx, len, aad_lens[a]);
        round_trip(ctx, 16384, aad_lens[a]);
        round_trip(ctx, 16384 + 1024 + 7, aad_lens[a]);
    }
    tlcp_gcm_free(ctx);
}

static void test_aliasing(void **state)
{
    enum { N = 1000 };
    uint8_t nonce[12], aad[13], pt[N], ct[N], buf[N], tag[16], tag2[16];
    tlcp_error err = {0};
    tlcp_gcm *ctx = new_ctx_hex("0f0e0d0c0b0a09080706050403020100");
    (void)state;
    fill_random(nonce, sizeof(nonce));
    fill_random(aad, sizeof(aad));
    fill_random(pt, sizeof(pt));

    assert_true(tlcp_gcm_seal(ctx, nonce, aad, sizeof(aad), pt, N, ct, tag, &err));
    memcpy(buf, pt, N);
    assert_true(tlcp_gcm_seal(ctx, nonce, aad, sizeof(aad), buf, N, buf, tag2, &err));
    assert_memory_equal(buf, ct, N);
    assert_memory_equal(tag, tag2, 16);
    assert_true(tlcp_gcm_open(ctx, nonce, aad, sizeof(aad), buf, N, tag, buf, &err));
    assert_memory_equal(buf, pt, N);

    /* A failed in-place open wipes the ciphertext buffer too. */
    memcpy(buf, ct, N);
    tag[0] ^= 1;
    assert_false(tlcp_gcm_open(ctx, nonce, aad, sizeof(aad), buf, N, tag, buf, &err));
    assert_int_equal(err.reason, TLCP_R_DECRYPT_FAILED);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(buf[i], 0);
    tlcp_gcm_free(ctx);
}

/* A fixture for the negative tests: one sealed message. */
typedef struct sealed {
    tlcp_gcm *ctx;
    uint8_t nonce[12];
    uint8_t aad[13];
    uint8_t pt[61];
    uint8_t ct[61];
    uint8_t tag[16];
} sealed;

static void make_sealed(sealed *s)
{
    tlcp_error err = {0};
    s->ctx = new_ctx_hex("8899aabbccddeeff0011223344556677");
    fill_random(s->nonce, sizeof(s->nonce));
    fill_random(s->aad, sizeof(s->aad));
    fill_random(s->pt, sizeof(s->pt));
    assert_true(tlcp_gcm_seal(s->ctx, s->nonce, s->aad, sizeof(s->aad), s->pt, sizeof(s->pt), s->ct,
                              s->tag, &err));
}

/* open() must fail with DECRYPT_FAILED and leave out all zero. */
static void expect_reject(sealed *s, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, const uint8_t *tag)
{
    uint8_t out[sizeof(s->pt)];
    tlcp_error err = {0};
    memset(out, 0xa5, sizeof(out));
    assert_false(tlcp_gcm_open(s->ctx, nonce, aad, aad_len, ct, len, tag, out, &err));
    assert_int_equal(err.reason, TLCP_R_DECRYPT_FAILED);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(out[i], 0);
}

static void test_reject_tag_bit_flips(void **state)
{
    sealed s;
    (void)state;
    make_sealed(&s);
    for (size_t i = 0; i < 16; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            uint8_t tag[16];
            memcpy(tag, s.tag, 16);
            tag[i] ^= (uint8_t)(1u << bit);
            expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), s.ct, sizeof(s.ct), tag);
        }
    }
    tlcp_gcm_free(s.ctx);
}

static void test_reject_ciphertext_flips(void **state)
{
    sealed s;
    (void)state;
    make_sealed(&s);
    for (size_t i = 0; i < sizeof(s.ct); i++) {
        uint8_t ct[sizeof(s.ct)];
        memcpy(ct, s.ct, sizeof(ct));
        ct[i] ^= (uint8_t)(0x80u >> (i % 8));
        expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), ct, sizeof(ct), s.tag);
    }
    tlcp_gcm_free(s.ctx);
}

static void test_reject_aad_and_nonce_flips(void **state)
{
    sealed s;
    (void)state;
    make_sealed(&s);
    for (size_t i = 0; i < sizeof(s.aad); i++) {
        uint8_t aad[sizeof(s.aad)];
        memcpy(aad, s.aad, sizeof(aad));
        aad[i] ^= 0x01;
        expect_reject(&s, s.nonce, aad, sizeof(aad), s.ct, sizeof(s.ct), s.tag);
    }
    for (size_t i = 0; i < sizeof(s.nonce); i++) {
        uint8_t nonce[12];
        memcpy(nonce, s.nonce, sizeof(nonce));
        nonce[i] ^= 0x10;
        expect_reject(&s, nonce, s.aad, sizeof(s.aad), s.ct, sizeof(s.ct), s.tag);
    }
    tlcp_gcm_free(s.ctx);
}

static void test_reject_truncation_and_wrong_key(void **state)
{
    sealed s;
    tlcp_gcm *other;
    (void)state;
    make_sealed(&s);
    /* Shorter ciphertext, shorter or missing AAD, empty message. */
    expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), s.ct, sizeof(s.ct) - 1, s.tag);
    expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), s.ct, 16, s.tag);
    expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), s.ct, 0, s.tag);
    expect_reject(&s, s.nonce, s.aad, sizeof(s.aad) - 1, s.ct, sizeof(s.ct), s.tag);
    expect_reject(&s, s.nonce, NULL, 0, s.ct, sizeof(s.ct), s.tag);
    /* Moving bytes between AAD and ciphertext changes the length block. */
    {
        uint8_t joined[sizeof(s.aad) + sizeof(s.ct)];
        memcpy(joined, s.aad, sizeof(s.aad));
        memcpy(joined + sizeof(s.aad), s.ct, sizeof(s.ct));
        expect_reject(&s, s.nonce, joined, sizeof(s.aad) + 1, joined + sizeof(s.aad) + 1,
                      sizeof(s.ct) - 1, s.tag);
    }
    /* The right tag under another key. */
    other = new_ctx_hex("8899aabbccddeeff0011223344556676");
    tlcp_gcm_free(s.ctx);
    s.ctx = other;
    expect_reject(&s, s.nonce, s.aad, sizeof(s.aad), s.ct, sizeof(s.ct), s.tag);
    tlcp_gcm_free(s.ctx);
}

static void test_bad_arguments(void **state)
{
    uint8_t key[16] = {0}, nonce[12] = {0}, tag[16] = {0}, buf[64] = {0};
    tlcp_error err = {0};
    tlcp_gcm *ctx;
    (void)state;

    assert_null(tlcp_gcm_new(NULL, &err));
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    ctx = tlcp_gcm_new(key, NULL);
    assert_non_null(ctx);

#define EXPECT_INVALID(call)                                                                       \
    do {                                                                                           \
        tlcp_error_clear(&err);                                                                    \
        assert_false(call);                                                                        \
        assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);                                     \
    } while (0)
    EXPECT_INVALID(tlcp_gcm_seal(NULL, nonce, NULL, 0, buf, 16, buf, tag, &err));
    EXPECT_INVALID(tlcp_gcm_seal(ctx, NULL, NULL, 0, buf, 16, buf, tag, &err));
    EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 0, buf, 16, buf, NULL, &err));
    EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 5, buf, 16, buf, tag, &err));
    EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 0, NULL, 16, buf, tag, &err));
    EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 0, buf, 16, NULL, tag, &err));
    EXPECT_INVALID(tlcp_gcm_open(ctx, nonce, NULL, 0, buf, 16, NULL, buf, &err));
    EXPECT_INVALID(tlcp_gcm_open(ctx, nonce, NULL, 0, NULL, 16, tag, buf, &err));
    /* Partial overlap is refused; exact aliasing is fine (tested above). */
    EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 0, buf, 32, buf + 1, tag, &err));
    EXPECT_INVALID(tlcp_gcm_open(ctx, nonce, NULL, 0, buf + 16, 32, tag, buf, &err));
    /* Beyond the GCM length limit (2^36 - 32 bytes): refused before any access. */
    if (sizeof(size_t) >= 8) {
        volatile size_t huge_v = (size_t)((((uint64_t)1) << 36) - 31);
        size_t huge = huge_v; /* opaque, so the compiler cannot flag the overread */
        EXPECT_INVALID(tlcp_gcm_seal(ctx, nonce, NULL, 0, buf, huge, buf, tag, &err));
        EXPECT_INVALID(tlcp_gcm_open(ctx, nonce, NULL, 0, buf, huge, tag, buf, &err));
    }
#undef EXPECT_INVALID

    /* Empty messages with NULL buffers are valid. */
    tlcp_error_clear(&err);
    assert_true(tlcp_gcm_seal(ctx, nonce, NULL, 0, NULL, 0, NULL, tag, &err));
    assert_true(tlcp_gcm_open(ctx, nonce, NULL, 0, NULL, 0, tag, NULL, &err));
    tlcp_gcm_free(ctx);
    tlcp_gcm_free(NULL);
}

static void test_long_message_paths_agree(void **state)
{
    /* 70000 bytes: many 4 KiB chunks and a partial tail; the fast paths
     * (PCLMULQDQ GHASH, our SM4 core) and the slow ones (portable GHASH, EVP
     * SM4) must produce the same output (the gcrypt test checks the value). */
    enum { N = 70000 };
    uint8_t nonce[12], aad[20], tag_fast[16], tag_slow[16];
    uint8_t *pt = malloc(N), *ct_fast = malloc(N), *ct_slow = malloc(N);
    uint8_t key[16];
    tlcp_error err = {0};
    tlcp_gcm *fast, *slow;
    (void)state;
    fill_random(key, sizeof(key));
    fill_random(nonce, sizeof(nonce));
    fill_random(aad, sizeof(aad));
    fill_random(pt, N);
    tlcp_ghash_force_portable(0);
    tlcp_sm4_force_evp(0);
    fast = tlcp_gcm_new(key, &err);
    tlcp_ghash_force_portable(1);
    tlcp_sm4_force_evp(1);
    slow = tlcp_gcm_new(key, &err);
    tlcp_ghash_force_portable(0);
    tlcp_sm4_force_evp(0);
    assert_non_null(fast);
    assert_non_null(slow);
    assert_true(tlcp_gcm_seal(fast, nonce, aad, sizeof(aad), pt, N, ct_fast, tag_fast, &err));
    assert_true(tlcp_gcm_seal(slow, nonce, aad, sizeof(aad), pt, N, ct_slow, tag_slow, &err));
    assert_memory_equal(ct_fast, ct_slow, N);
    assert_memory_equal(tag_fast, tag_slow, 16);
    assert_true(tlcp_gcm_open(slow, nonce, aad, sizeof(aad), ct_fast, N, tag_fast, ct_fast, &err));
    assert_memory_equal(ct_fast, pt, N);
    tlcp_gcm_free(fast);
    tlcp_gcm_free(slow);
    free(pt);
    free(ct_fast);
    free(ct_slow);
}

/* Every combination of GHASH path and SM4 backend. */
#define ALL_PATHS(f)                                                                               \
    cmocka_unit_test_prestate_setup_teardown(f, use_path, restore_path, &g_path_state[0]),         \
        cmocka_unit_test_prestate_setup_teardown(f, use_path, restore_path, &g_path_state[1]),     \
        cmocka_unit_test_prestate_setup_teardown(f, use_path, restore_path, &g_path_state[2]),     \
        cmocka_unit_test_prestate_setup_teardown(f, use_path, restore_path, &g_path_state[3])

int main(void)
{
    const struct CMUnitTest tests[] = {
        ALL_PATHS(test_rfc8998_a1),
        ALL_PATHS(test_zero_key_empty),
        ALL_PATHS(test_zero_key_one_block),
        ALL_PATHS(test_tlcp_record_example),
        ALL_PATHS(test_round_trips),
        ALL_PATHS(test_aliasing),
        ALL_PATHS(test_reject_tag_bit_flips),
        ALL_PATHS(test_reject_ciphertext_flips),
        ALL_PATHS(test_reject_aad_and_nonce_flips),
        ALL_PATHS(test_reject_truncation_and_wrong_key),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_long_message_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
