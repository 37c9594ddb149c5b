/* SPDX-License-Identifier: Apache-2.0 */
/* SM2 key exchange (GB/T 32918.3, TLCP profile): the Annex A vector on both
 * sides, random agreement, roles and IDs, and rejection of bad peers. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "crypto/crypto.h"

#define DA "81EB26E941BB5AF16DF116495F90695272AE2CD63D6C4AE1678418BE48230029"
#define PA                                                                                         \
    "04 160E12897DF4EDB61DD812FEB96748FBD3CCF4FFE26AA6F6DB9540AF49C94232"                          \
    "   4A7DAD08BB9A459531694BEB20AA489D6649975E1BFCF8C4741B78B4B223007F"
#define RA_SCALAR "D4DE15474DB74D06491C440D305E012400990F3E390C7E87153C12DB2EA60BB3"
#define RA                                                                                         \
    "04 64CED1BDBC99D590049B434D0FD73428CF608A5DB8FE5CE07F15026940BAE40E"                          \
    "   376629C7AB21E7DB260922499DDB118F07CE8EAAE3E7720AFEF6A5CC062070C0"
#define DB "785129917D45A9EA5437A59356B82338EAADDA6CEB199088F14AE10DEFA229B5"
#define PB                                                                                         \
    "04 6AE848C57C53C7B1B5FA99EB2286AF078BA64C64591B8B566F7357D576F16DFB"                          \
    "   EE489D771621A27B36C5C7992062E9CD09A9264386F3FBEA54DFF69305621C4D"
#define RB_SCALAR "7E07124814B309489125EAED101113164EBF0F3458C5BD88335C1F9D596243D6"
#define RB                                                                                         \
    "04 ACC27688A6F7B706098BC91FF3AD1BFF7DC2802CDB14CCCCDB0A90471F9BD707"                          \
    "   2FEDAC0494B2FFC4D6853876C79B8F301C6573AD0AA50F39FC87181E1A1B46FE"
#define ZA  "3B85A57179E11E7E513AA622991F2CA74D1807A0BD4D4B38F90987A17AC245B1"
#define ZB  "79C988D63229D97EF19FE02CA1056E01E6A7411ED24694AA8F834F4A4AB022F7"
#define K16 "6C89347354DE2484C60B4AB1FDE4C6E5"
#define K48                                                                                        \
    "6c89347354de2484c60b4ab1fde4c6e579391a21fa6cb72ae8754ec21ad8b703"                             \
    "4692f6ba1fa89d3cf33128f1a9028710"

#define EXPECT_KX_FAIL(call, want_reason)                                                          \
    do {                                                                                           \
        tlcp_error_clear(&err);                                                                    \
        assert_false(call);                                                                        \
        if (err.reason != (want_reason))                                                           \
            fprintf(stderr, "got reason %d: %s\n", err.reason, tlcp_error_message(&err));          \
        assert_int_equal(err.reason, (want_reason));                                               \
        assert_int_equal(ERR_peek_error(), 0);                                                     \
    } while (0)

static tlcp_pkey *scalar_key(const char *hex, const char *want_point)
{
    uint8_t d[32];
    tu_hex_into(hex, d, sizeof(d));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, &err);
    assert_non_null(key);
    if (want_point != NULL) {
        uint8_t p[65];
        assert_true(tlcp_pkey_get_point(key, p, &err));
        tu_assert_hex(p, sizeof(p), want_point);
    }
    return key;
}

static tlcp_pkey *point_key(const char *hex)
{
    uint8_t p[65];
    tu_hex_into(hex, p, sizeof(p));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_point(p, sizeof(p), &err);
    assert_non_null(key);
    return key;
}

struct annex {
    tlcp_pkey *a_static, *a_eph, *b_static, *b_eph;                 /* private */
    tlcp_pkey *a_static_pub, *a_eph_pub, *b_static_pub, *b_eph_pub; /* public only */
};

static int annex_setup(void **state)
{
    struct annex *k = calloc(1, sizeof(*k));
    assert_non_null(k);
    k->a_static = scalar_key(DA, PA);
    k->a_eph = scalar_key(RA_SCALAR, RA);
    k->b_static = scalar_key(DB, PB);
    k->b_eph = scalar_key(RB_SCALAR, RB);
    k->a_static_pub = point_key(PA);
    k->a_eph_pub = point_key(RA);
    k->b_static_pub = point_key(PB);
    k->b_eph_pub = point_key(RB);
    *state = k;
    return 0;
}

static int annex_teardown(void **state)
{
    struct annex *k = *state;
    tlcp_pkey *all[] = {k->a_static,     k->a_eph,     k->b_static,     k->b_eph,
                        k->a_static_pub, k->a_eph_pub, k->b_static_pub, k->b_eph_pub};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(all); i++)
        tlcp_pkey_free(all[i]);
    free(k);
    return 0;
}

/* A = initiator (TLCP server), B = responder (TLCP client). */
static void kx_a(const struct annex *k, uint8_t *out, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, k->b_static_pub, k->b_eph_pub, NULL, 0,
                         out, len, &err);
    if (!ok)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_true(ok);
    assert_int_equal(ERR_peek_error(), 0);
}

static void kx_b(const struct annex *k, uint8_t *out, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = tlcp_sm2_kx(0, k->b_static, k->b_eph, NULL, 0, k->a_static_pub, k->a_eph_pub, NULL, 0,
                         out, len, &err);
    if (!ok)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_true(ok);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_annex_z_values(void **state)
{
    struct annex *k = *state;
    uint8_t z[32];
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_compute_z(k->a_static_pub, NULL, 0, z, &err));
    tu_assert_hex(z, sizeof(z), ZA);
    assert_true(tlcp_sm2_compute_z(k->b_static, (const uint8_t *)"1234567812345678", 16, z, &err));
    tu_assert_hex(z, sizeof(z), ZB);
}

static void test_annex_k16_both_sides(void **state)
{
    struct annex *k = *state;
    uint8_t ka[16], kb[16];
    kx_a(k, ka, sizeof(ka));
    kx_b(k, kb, sizeof(kb));
    tu_assert_hex(ka, sizeof(ka), K16);
    tu_assert_hex(kb, sizeof(kb), K16);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_annex_k48_both_sides(void **state)
{
    struct annex *k = *state;
    uint8_t ka[48], kb[48];
    kx_a(k, ka, sizeof(ka));
    kx_b(k, kb, sizeof(kb));
    tu_assert_hex(ka, sizeof(ka), K48);
    tu_assert_hex(kb, sizeof(kb), K48);
    /* Odd lengths are prefixes of the same stream (KDF counter blocks). */
    uint8_t k33[33], k1[1];
    kx_a(k, k33, sizeof(k33));
    assert_memory_equal(k33, ka, sizeof(k33));
    kx_b(k, k1, sizeof(k1));
    assert_int_equal(k1[0], 0x6C);
}

/* Peer keys that also hold a private part are used only for their points. */
static void test_annex_peer_with_private_part(void **state)
{
    struct annex *k = *state;
    uint8_t out[16];
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, k->b_static, k->b_eph, NULL, 0, out,
                            sizeof(out), &err));
    tu_assert_hex(out, sizeof(out), K16);
}

/* Both roles claiming "initiator" (or both "responder") must not agree:
 * ZA/ZB order is what binds the roles. */
static void test_role_confusion_disagrees(void **state)
{
    struct annex *k = *state;
    uint8_t ka[48], kb[48];
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_kx(1, k->b_static, k->b_eph, NULL, 0, k->a_static_pub, k->a_eph_pub, NULL,
                            0, kb, sizeof(kb), &err));
    kx_a(k, ka, sizeof(ka));
    assert_memory_not_equal(ka, kb, sizeof(ka));
    /* Swapped ephemeral and static keys on one side: no agreement either. */
    assert_true(tlcp_sm2_kx(0, k->b_eph, k->b_static, NULL, 0, k->a_static_pub, k->a_eph_pub, NULL,
                            0, kb, sizeof(kb), &err));
    assert_memory_not_equal(ka, kb, sizeof(ka));
}

static void test_random_keys_agree(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    for (int round = 0; round < 4; round++) {
        tlcp_pkey *as = tlcp_pkey_generate(&err), *ae = tlcp_pkey_generate(&err);
        tlcp_pkey *bs = tlcp_pkey_generate(&err), *be = tlcp_pkey_generate(&err);
        assert_non_null(as);
        assert_non_null(ae);
        assert_non_null(bs);
        assert_non_null(be);
        uint8_t ka[48], kb[48];
        const uint8_t *ida = NULL, *idb = NULL;
        size_t ida_len = 0, idb_len = 0;
        if (round % 2 == 1) {
            ida = (const uint8_t *)"server.example";
            ida_len = 14;
            idb = (const uint8_t *)"client";
            idb_len = 6;
        }
        assert_true(tlcp_sm2_kx(1, as, ae, ida, ida_len, bs, be, idb, idb_len, ka, 48, &err));
        assert_true(tlcp_sm2_kx(0, bs, be, idb, idb_len, as, ae, ida, ida_len, kb, 48, &err));
        assert_memory_equal(ka, kb, 48);
        if (round % 2 == 1) {
            /* The IDs are bound in: B using the default ID for A disagrees. */
            assert_true(tlcp_sm2_kx(0, bs, be, idb, idb_len, as, ae, NULL, 0, kb, 48, &err));
            assert_memory_not_equal(ka, kb, 48);
        }
        tlcp_pkey_free(as);
        tlcp_pkey_free(ae);
        tlcp_pkey_free(bs);
        tlcp_pkey_free(be);
    }
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_bad_peer_points_rejected(void **state)
{
    (void)state;
    tlcp_error err;
    uint8_t rb[65];
    tu_hex_into(RB, rb, sizeof(rb));
    rb[10] ^= 0x40; /* off the curve */
    assert_null(tlcp_pkey_from_point(rb, sizeof(rb), &err));
    uint8_t inf[65] = {0x04};
    tlcp_error_clear(&err);
    assert_null(tlcp_pkey_from_point(inf, sizeof(inf), &err));
    assert_int_equal(err.reason, TLCP_R_BAD_KEY);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_argument_checks(void **state)
{
    struct annex *k = *state;
    uint8_t out[48];
    tlcp_error err;
    /* Own keys must be private. */
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static_pub, k->a_eph, NULL, 0, k->b_static_pub, k->b_eph_pub,
                               NULL, 0, out, 48, &err),
                   TLCP_R_BAD_KEY);
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static, k->a_eph_pub, NULL, 0, k->b_static_pub, k->b_eph_pub,
                               NULL, 0, out, 48, &err),
                   TLCP_R_BAD_KEY);
    EXPECT_KX_FAIL(
        tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, NULL, k->b_eph_pub, NULL, 0, out, 48, &err),
        TLCP_R_INVALID_ARGUMENT);
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, k->b_static_pub, k->b_eph_pub,
                               NULL, 0, out, 0, &err),
                   TLCP_R_INVALID_ARGUMENT);
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, k->b_static_pub, k->b_eph_pub,
                               NULL, 0, NULL, 48, &err),
                   TLCP_R_INVALID_ARGUMENT);
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static, k->a_eph, (const uint8_t *)"x", 0, k->b_static_pub,
                               k->b_eph_pub, NULL, 0, out, 48, &err),
                   TLCP_R_INVALID_ARGUMENT);
}

/*
 * A malicious peer picks its static key so that P_peer + x̄(R_peer)·R_peer is
 * the point at infinity: with R_peer = e·G it sets P_peer = -x̄(R_peer)·e·G.
 * Then U would be infinity whatever t is; the exchange must refuse.
 */
static void test_infinity_combination_rejected(void **state)
{
    struct annex *k = *state;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
    BN_CTX *ctx = BN_CTX_new();
    assert_non_null(group);
    assert_non_null(ctx);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *eph = tlcp_pkey_generate(&err);
    assert_non_null(eph);
    uint8_t rp[65];
    assert_true(tlcp_pkey_get_point(eph, rp, &err));
    BIGNUM *x = BN_bin2bn(rp + 1, 32, NULL);
    assert_non_null(x);
    assert_int_equal(BN_mask_bits(x, 127), 1);
    assert_int_equal(BN_set_bit(x, 127), 1);
    /* P_peer = -x̄ · R_peer, computed on points: no need for e. */
    EC_POINT *r = EC_POINT_new(group), *p = EC_POINT_new(group);
    assert_int_equal(EC_POINT_oct2point(group, r, rp, 65, ctx), 1);
    assert_int_equal(EC_POINT_mul(group, p, NULL, r, x, ctx), 1);
    assert_int_equal(EC_POINT_invert(group, p, ctx), 1);
    uint8_t pp[65];
    assert_int_equal(EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, pp, 65, ctx), 65);
    tlcp_pkey *evil_static = tlcp_pkey_from_point(pp, sizeof(pp), &err);
    assert_non_null(evil_static);
    uint8_t out[48];
    memset(out, 0xAA, sizeof(out));
    EXPECT_KX_FAIL(tlcp_sm2_kx(1, k->a_static, k->a_eph, NULL, 0, evil_static, eph, NULL, 0, out,
                               sizeof(out), &err),
                   TLCP_R_BAD_KEY);
    assert_non_null(strstr(err.message, "infinity"));
    EXPECT_KX_FAIL(tlcp_sm2_kx(0, k->b_static, k->b_eph, NULL, 0, evil_static, eph, NULL, 0, out,
                               sizeof(out), &err),
                   TLCP_R_BAD_KEY);
    /* A failed exchange leaves a zeroed output, never stale or partial bytes. */
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);
    tlcp_pkey_free(evil_static);
    tlcp_pkey_free(eph);
    EC_POINT_free(r);
    EC_POINT_free(p);
    BN_free(x);
    BN_CTX_free(ctx);
    EC_GROUP_free(group);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annex_z_values),
        cmocka_unit_test(test_annex_k16_both_sides),
        cmocka_unit_test(test_annex_k48_both_sides),
        cmocka_unit_test(test_annex_peer_with_private_part),
        cmocka_unit_test(test_role_confusion_disagrees),
        cmocka_unit_test(test_random_keys_agree),
        cmocka_unit_test(test_bad_peer_points_rejected),
        cmocka_unit_test(test_argument_checks),
        cmocka_unit_test(test_infinity_combination_rejected),
    };
    return cmocka_run_group_tests(tests, annex_setup, annex_teardown);
}
