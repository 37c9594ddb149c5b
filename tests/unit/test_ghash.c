/* SPDX-License-Identifier: Apache-2.0 */
/* GHASH: known answers (from the GCM spec's AES test cases 2 and 4), field
 * laws of the portable multiply, and portable vs PCLMULQDQ agreement. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/ghash.h"

static uint64_t g_rng = 0x243f6a8885a308d3u;

static uint64_t next_rand(void)
{
    /* splitmix64: deterministic, so a failure reproduces */
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

static tlcp_gf128 random_element(void)
{
    tlcp_gf128 v = {next_rand(), next_rand()};
    return v;
}

static void check_kat(const char *h_hex, const char *data_hex, const char *expected_hex)
{
    uint8_t h[16], out[16];
    size_t len;
    uint8_t *data = tu_hex(data_hex, &len);
    assert_int_equal(len % 16, 0);
    tu_hex_into(h_hex, h, sizeof(h));

    for (int portable = 0; portable <= 1; portable++) {
        tlcp_ghash_key key;
        tlcp_gf128 y = {0, 0};
        tlcp_ghash_force_portable(portable);
        tlcp_ghash_init(&key, h);
        tlcp_ghash_blocks(&key, &y, data, len / 16);
        tlcp_gf128_store(out, y);
        tu_assert_hex(out, sizeof(out), expected_hex);
    }
    tlcp_ghash_force_portable(0);
    free(data);
}

static void test_ghash_kat_one_block(void **state)
{
    (void)state;
    /* AES-GCM test case 2: C = E(0...), then the lengths block. */
    check_kat("66e94bd4ef8a2c3b884cfa59ca342b2e",
              "0388dace60b6a392f328c2b971b2fe78 00000000000000000000000000000080",
              "f38cbb1ad69223dcc3457ae5b6b0f885");
}

static void test_ghash_kat_seven_blocks(void **state)
{
    (void)state;
    /* AES-GCM test case 4: 20-byte AAD, 60-byte ciphertext, lengths block;
     * seven blocks exercise the four-block stride and the single-block tail. */
    check_kat("b83b533708bf535d0aa6e52980d53b78",
              "feedfacedeadbeeffeedfacedeadbeef abaddad2000000000000000000000000"
              "42831ec2217774244b7221b784d0d49c e3aa212f2c02a4e035c17e2329aca12e"
              "21d514b25466931c7d8f6a5aac84aa05 1ba30b396a0aac973d58e09100000000"
              "00000000000000a000000000000001e0",
              "698e57f70e6ecc7fd9463b7260a9ae5f");
}

static int gf_equal(tlcp_gf128 a, tlcp_gf128 b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

static void test_gf128_field_laws(void **state)
{
    (void)state;
    /* In the reflected form the element 1 is the top bit of hi. */
    const tlcp_gf128 one = {0x8000000000000000u, 0};
    const tlcp_gf128 zero = {0, 0};
    for (int i = 0; i < 2000; i++) {
        tlcp_gf128 a = random_element(), b = random_element(), c = random_element();
        tlcp_gf128 bc = {b.hi ^ c.hi, b.lo ^ c.lo};
        tlcp_gf128 ab = tlcp_gf128_mul(a, b), ac = tlcp_gf128_mul(a, c);
        tlcp_gf128 sum = {ab.hi ^ ac.hi, ab.lo ^ ac.lo};

        assert_true(gf_equal(tlcp_gf128_mul(a, one), a));
        assert_true(gf_equal(tlcp_gf128_mul(a, zero), zero));
        assert_true(gf_equal(ab, tlcp_gf128_mul(b, a)));
        assert_true(gf_equal(tlcp_gf128_mul(a, bc), sum));
        assert_true(gf_equal(tlcp_gf128_mul(ab, c), tlcp_gf128_mul(a, tlcp_gf128_mul(b, c))));
    }
}

static void test_gf128_reduction_edge(void **state)
{
    (void)state;
    /* x^127 * x = x^128 = 1 + x + x^2 + x^7; reflected: bits 127,126,125,120. */
    const tlcp_gf128 x127 = {0, 1};
    const tlcp_gf128 x = {0x4000000000000000u, 0};
    tlcp_gf128 r = tlcp_gf128_mul(x127, x);
    assert_true(r.hi == 0xe100000000000000u && r.lo == 0);
    /* x^127 * x^127 = x^254 = 1 + x + x^2 + x^5 + x^6 + x^12 + x^126 + x^127,
     * which needs both folding steps; reflected: bits 127..125, 122, 121, 115,
     * 1 and 0. */
    r = tlcp_gf128_mul(x127, x127);
    assert_true(r.hi == 0xe608000000000000u && r.lo == 3);
}

static void test_ghash_paths_agree(void **state)
{
    (void)state;
    if (!tlcp_ghash_have_clmul())
        skip();
    uint8_t data[16 * 40];
    for (int round = 0; round < 500; round++) {
        uint8_t h[16];
        tlcp_ghash_key fast, slow;
        tlcp_gf128 y0 = random_element(), y1, y2;
        size_t len = (size_t)(next_rand() % (sizeof(data) + 1));
        fill_random(h, sizeof(h));
        fill_random(data, len);

        tlcp_ghash_force_portable(0);
        tlcp_ghash_init(&fast, h);
        tlcp_ghash_force_portable(1);
        tlcp_ghash_init(&slow, h);
        tlcp_ghash_force_portable(0);
        assert_int_equal(fast.use_clmul, 1);
        assert_int_equal(slow.use_clmul, 0);

        y1 = y0;
        y2 = y0;
        tlcp_ghash_padded(&fast, &y1, data, len);
        tlcp_ghash_padded(&slow, &y2, data, len);
        assert_true(gf_equal(y1, y2));
    }
}

static void test_ghash_padding(void **state)
{
    (void)state;
    /* A partial block hashes like the same bytes followed by zeros. */
    uint8_t h[16], data[37], padded[48] = {0};
    tlcp_ghash_key key;
    tlcp_gf128 a = {0, 0}, b = {0, 0};
    fill_random(h, sizeof(h));
    fill_random(data, sizeof(data));
    memcpy(padded, data, sizeof(data));
    tlcp_ghash_init(&key, h);
    tlcp_ghash_padded(&key, &a, data, sizeof(data));
    tlcp_ghash_blocks(&key, &b, padded, 3);
    assert_true(gf_equal(a, b));
    /* Empty input leaves the state alone. */
    tlcp_ghash_padded(&key, &a, NULL, 0);
    assert_true(gf_equal(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ghash_kat_one_block), cmocka_unit_test(test_ghash_kat_seven_blocks),
        cmocka_unit_test(test_gf128_field_laws),    cmocka_unit_test(test_gf128_reduction_edge),
        cmocka_unit_test(test_ghash_paths_agree),   cmocka_unit_test(test_ghash_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
