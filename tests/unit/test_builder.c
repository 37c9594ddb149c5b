/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_builder: big-endian values, nested length prefixes, bounds and poisoning. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/bytes.h"

/* Finishes a heap builder and compares the whole output with `hex`. */
static void finish_and_check(tlcp_builder *b, const char *hex)
{
    uint8_t *out = NULL;
    size_t len = 0;
    assert_true(tlcp_builder_finish(b, &out, &len));
    tu_assert_hex(out, len, hex);
    free(out);
    tlcp_builder_cleanup(b); /* harmless after finish */
}

static void test_values_big_endian(void **state)
{
    (void)state;
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_int_equal(tlcp_builder_len(&b), 0);
    assert_true(tlcp_builder_add_u8(&b, 0x01));
    assert_true(tlcp_builder_add_u16(&b, 0x0203));
    assert_true(tlcp_builder_add_u24(&b, 0x040506));
    assert_true(tlcp_builder_add_u32(&b, 0x0708090A));
    assert_true(tlcp_builder_add_u64(&b, 0x0B0C0D0E0F101112ull));
    assert_true(tlcp_builder_add_u64(&b, 0xFFFFFFFFFFFFFFFFull));
    assert_true(tlcp_builder_add_u24(&b, 0xFFFFFF));
    assert_int_equal(tlcp_builder_len(&b), 1 + 2 + 3 + 4 + 8 + 8 + 3);
    finish_and_check(&b, "01 0203 040506 0708090A 0B0C0D0E0F101112 FFFFFFFFFFFFFFFF FFFFFF");
}

static void test_add_u24_out_of_range_poisons(void **state)
{
    (void)state;
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_builder_add_u8(&b, 0xAA));
    assert_false(tlcp_builder_add_u24(&b, 0x1000000));
    assert_int_equal(tlcp_builder_len(&b), 1);
    assert_false(tlcp_builder_add_u8(&b, 0xBB)); /* poisoned */
    assert_false(tlcp_builder_flush(&b));
    uint8_t *out = NULL;
    size_t len = 0;
    assert_false(tlcp_builder_finish(&b, &out, &len));
    assert_null(out);
    tlcp_builder_cleanup(&b);
}

static void test_add_bytes_and_space(void **state)
{
    (void)state;
    tlcp_builder b;
    static const uint8_t abc[] = {0xA, 0xB, 0xC};
    uint8_t *p = NULL;
    assert_true(tlcp_builder_init(&b, 4, 0));
    assert_true(tlcp_builder_add_bytes(&b, abc, sizeof(abc)));
    assert_true(tlcp_builder_add_bytes(&b, NULL, 0));
    assert_true(tlcp_builder_add_space(&b, &p, 5));
    assert_non_null(p);
    assert_ptr_equal(p, tlcp_builder_data(&b) + 3); /* right behind what was written */
    memcpy(p, "\x11\x22\x33\x44\x55", 5);
    assert_true(tlcp_builder_add_space(&b, &p, 0));
    assert_int_equal(tlcp_builder_len(&b), 8);
    finish_and_check(&b, "0A0B0C 1122334455");
}

/* Three levels, each prefix width: u24 { u16 { u8 { ... } } }. */
static void test_nested_three_levels(void **state)
{
    (void)state;
    tlcp_builder b, l1, l2, l3;
    assert_true(tlcp_builder_init(&b, 2, 0));
    assert_true(tlcp_builder_add_u8(&b, 0x16));
    assert_true(tlcp_builder_open_u24(&b, &l1));
    assert_true(tlcp_builder_add_u8(&l1, 0x01));
    assert_true(tlcp_builder_open_u16(&l1, &l2));
    assert_true(tlcp_builder_add_u16(&l2, 0xBEEF));
    assert_true(tlcp_builder_open_u8(&l2, &l3));
    assert_true(tlcp_builder_add_bytes(&l3, (const uint8_t *)"\xC1\xC2\xC3", 3));
    assert_int_equal(tlcp_builder_len(&l3), 3);
    tu_assert_hex(tlcp_builder_data(&l3), tlcp_builder_len(&l3), "C1C2C3");
    assert_int_equal(tlcp_builder_len(&l2), 2 + 1 + 3);
    assert_int_equal(tlcp_builder_len(&l1), 1 + 2 + 6);
    /* Writing to a parent closes the open children below it. */
    assert_true(tlcp_builder_add_u8(&l2, 0xD1));
    assert_false(tlcp_builder_add_u8(&l3, 0xEE)); /* l3 is closed now */
    assert_true(tlcp_builder_add_u8(&b, 0x99));
    assert_false(tlcp_builder_add_u8(&l1, 0xEE)); /* so are l1 and l2 */
    assert_false(tlcp_builder_add_u8(&l2, 0xEE));
    finish_and_check(&b, "16"
                         "00000A" /* l1: 10 bytes */
                         "01"
                         "0007" /* l2: 7 bytes */
                         "BEEF"
                         "03C1C2C3" /* l3 */
                         "D1"
                         "99");
}

/* Siblings at the same level and an empty child. */
static void test_sibling_and_empty_children(void **state)
{
    (void)state;
    tlcp_builder b, c;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_open_u16(&b, &c));
    assert_true(tlcp_builder_add_u8(&c, 0xA1));
    assert_true(tlcp_builder_open_u8(&b, &c)); /* closes the first, reuses the struct */
    assert_true(tlcp_builder_open_u24(&b, &c));
    assert_int_equal(tlcp_builder_len(&c), 0);
    finish_and_check(&b, "0001A1 00 000000");
}

static void test_child_limits(void **state)
{
    (void)state;
    static uint8_t big[65536];
    tlcp_builder b, c;

    /* 255 bytes fit in a u8 prefix, 65535 in a u16 prefix. */
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_open_u8(&b, &c));
    assert_true(tlcp_builder_add_bytes(&c, big, 255));
    assert_true(tlcp_builder_open_u16(&b, &c));
    assert_true(tlcp_builder_add_bytes(&c, big, 65535));
    assert_true(tlcp_builder_flush(&b));
    assert_int_equal(tlcp_builder_len(&b), 1 + 255 + 2 + 65535);
    assert_int_equal(tlcp_builder_data(&b)[0], 0xFF);
    assert_int_equal(tlcp_builder_data(&b)[256], 0xFF);
    assert_int_equal(tlcp_builder_data(&b)[257], 0xFF);
    tlcp_builder_cleanup(&b);
}

/* A body that does not fit its prefix fails at close and poisons the tree. */
static void check_child_overflow(int prefix, size_t body)
{
    static uint8_t big[65536];
    tlcp_builder b, c;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_add_u8(&b, 0x01));
    if (prefix == 1)
        assert_true(tlcp_builder_open_u8(&b, &c));
    else
        assert_true(tlcp_builder_open_u16(&b, &c));
    assert_true(tlcp_builder_add_bytes(&c, big, body)); /* not known to be too long yet */
    assert_false(tlcp_builder_flush(&b));
    assert_false(tlcp_builder_add_u8(&b, 0x02));
    assert_false(tlcp_builder_add_u8(&c, 0x02));
    uint8_t *out = NULL;
    size_t len = 0;
    assert_false(tlcp_builder_finish(&b, &out, &len));
    assert_null(out);
    uint8_t small[8];
    assert_false(tlcp_builder_copy_out(&b, small, sizeof(small), &len));
    tlcp_builder_cleanup(&b); /* still owns the buffer: no leak */
}

static void test_child_overflow_poisons(void **state)
{
    (void)state;
    check_child_overflow(1, 256);
    check_child_overflow(2, 65536);
}

/* The overflow is found even when the parent writes (implicit close). */
static void test_child_overflow_on_parent_write(void **state)
{
    (void)state;
    static uint8_t big[300];
    tlcp_builder b, c, d;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_open_u16(&b, &c));
    assert_true(tlcp_builder_open_u8(&c, &d));
    assert_true(tlcp_builder_add_bytes(&d, big, sizeof(big)));
    assert_false(tlcp_builder_add_u8(&c, 0x00));
    assert_false(tlcp_builder_add_u8(&b, 0x00));
    assert_false(tlcp_builder_open_u8(&b, &c));
    tlcp_builder_cleanup(&b);
}

#define GUARD_BYTE 0xA5
#define FIXED_CAP  16
#define GUARD_LEN  16

static void fill_guard(uint8_t *mem)
{
    memset(mem, 0, FIXED_CAP);
    memset(mem + FIXED_CAP, GUARD_BYTE, GUARD_LEN);
}

static void assert_guard_intact(const uint8_t *mem)
{
    for (size_t i = 0; i < GUARD_LEN; i++)
        assert_int_equal(mem[FIXED_CAP + i], GUARD_BYTE);
}

static void test_fixed_exact_fit(void **state)
{
    (void)state;
    uint8_t mem[FIXED_CAP + GUARD_LEN];
    uint8_t out[FIXED_CAP];
    size_t len = 0;
    tlcp_builder b;
    fill_guard(mem);
    tlcp_builder_init_fixed(&b, mem, FIXED_CAP);
    assert_true(tlcp_builder_add_u64(&b, 0x0102030405060708ull));
    assert_true(tlcp_builder_add_u32(&b, 0x090A0B0C));
    assert_true(tlcp_builder_add_u24(&b, 0x0D0E0F));
    assert_true(tlcp_builder_add_u8(&b, 0x10));
    assert_ptr_equal(tlcp_builder_data(&b), mem);
    assert_int_equal(tlcp_builder_len(&b), FIXED_CAP);
    assert_true(tlcp_builder_add_space(&b, &(uint8_t *){NULL}, 0));
    assert_guard_intact(mem);
    tu_assert_hex(mem, FIXED_CAP, "0102030405060708090A0B0C0D0E0F10");

    /* copy_out: too small fails, exact fits; finish is for heap builders only. */
    assert_false(tlcp_builder_copy_out(&b, out, FIXED_CAP - 1, &len));
    assert_true(tlcp_builder_copy_out(&b, out, FIXED_CAP, &len));
    assert_int_equal(len, FIXED_CAP);
    assert_memory_equal(out, mem, FIXED_CAP);
    uint8_t *heap = NULL;
    assert_false(tlcp_builder_finish(&b, &heap, &len));
    assert_null(heap);
    tlcp_builder_cleanup(&b); /* must not free caller memory */
    assert_guard_intact(mem);
}

/* Each kind of write that would cross `cap` fails and leaves the guard alone. */
static void test_fixed_overflow_each_kind(void **state)
{
    (void)state;
    for (int kind = 0; kind < 9; kind++) {
        uint8_t mem[FIXED_CAP + GUARD_LEN];
        static const uint8_t junk[FIXED_CAP + GUARD_LEN] = {0xEE};
        tlcp_builder b, c;
        uint8_t *p = NULL;
        int ok = 0;
        fill_guard(mem);
        tlcp_builder_init_fixed(&b, mem, FIXED_CAP);
        assert_true(tlcp_builder_add_bytes(&b, junk, FIXED_CAP - 1)); /* one byte left */
        switch (kind) {
        case 0:
            ok = tlcp_builder_add_u16(&b, 0xFFFF);
            break;
        case 1:
            ok = tlcp_builder_add_u24(&b, 0xFFFFFF);
            break;
        case 2:
            ok = tlcp_builder_add_u32(&b, 0xFFFFFFFF);
            break;
        case 3:
            ok = tlcp_builder_add_u64(&b, UINT64_MAX);
            break;
        case 4:
            ok = tlcp_builder_add_bytes(&b, junk, 2);
            break;
        case 5:
            ok = tlcp_builder_add_space(&b, &p, 2);
            break;
        case 6:
            ok = tlcp_builder_open_u16(&b, &c);
            break;
        case 7:
            ok = tlcp_builder_open_u24(&b, &c);
            break;
        case 8:
            ok = tlcp_builder_add_bytes(&b, junk, SIZE_MAX);
            break;
        }
        assert_false(ok);
        assert_null(p);
        assert_guard_intact(mem);
        assert_int_equal(tlcp_builder_len(&b), FIXED_CAP - 1);
        /* Poisoned: even a write that would fit now fails. */
        assert_false(tlcp_builder_add_u8(&b, 0x00));
        assert_guard_intact(mem);
        tlcp_builder_cleanup(&b);
    }
}

/* A child's body overflowing the fixed buffer. */
static void test_fixed_overflow_in_child(void **state)
{
    (void)state;
    uint8_t mem[FIXED_CAP + GUARD_LEN];
    static const uint8_t junk[FIXED_CAP] = {0xEE};
    tlcp_builder b, c;
    size_t len = 0;
    uint8_t out[64];
    fill_guard(mem);
    tlcp_builder_init_fixed(&b, mem, FIXED_CAP);
    assert_true(tlcp_builder_open_u8(&b, &c));
    assert_true(tlcp_builder_add_bytes(&c, junk, FIXED_CAP - 1));
    assert_false(tlcp_builder_add_u8(&c, 0x01));
    assert_guard_intact(mem);
    assert_false(tlcp_builder_flush(&b));
    assert_false(tlcp_builder_copy_out(&b, out, sizeof(out), &len));
    tlcp_builder_cleanup(&b);
}

static void test_fixed_null_memory(void **state)
{
    (void)state;
    tlcp_builder b;
    uint8_t *p = (uint8_t *)&b;
    tlcp_builder_init_fixed(&b, NULL, 100);
    assert_true(tlcp_builder_add_space(&b, &p, 0)); /* nothing to write, nowhere to point */
    assert_null(p);
    assert_false(tlcp_builder_add_u8(&b, 1));
    tlcp_builder_cleanup(&b);
}

/* Growth doubles up to max_len exactly, and not one byte beyond. */
static void test_growth_up_to_max(void **state)
{
    (void)state;
    tlcp_builder b;
    const size_t max = 1000;
    assert_true(tlcp_builder_init(&b, 1, max));
    for (size_t i = 0; i < max; i++)
        assert_true(tlcp_builder_add_u8(&b, (uint8_t)i));
    assert_int_equal(tlcp_builder_len(&b), max);
    const uint8_t *data = tlcp_builder_data(&b);
    for (size_t i = 0; i < max; i++)
        assert_int_equal(data[i], (uint8_t)i); /* contents survive every move */
    assert_false(tlcp_builder_add_u8(&b, 0));
    assert_int_equal(tlcp_builder_len(&b), max);
    assert_false(tlcp_builder_flush(&b));
    tlcp_builder_cleanup(&b);
}

static void test_growth_single_large_write(void **state)
{
    (void)state;
    static uint8_t big[5000];
    tlcp_builder b;
    memset(big, 0x3C, sizeof(big));
    assert_true(tlcp_builder_init(&b, 8, 5000));
    assert_true(tlcp_builder_add_bytes(&b, big, 5000)); /* grows straight to max */
    assert_memory_equal(tlcp_builder_data(&b), big, 5000);
    tlcp_builder_cleanup(&b);

    assert_true(tlcp_builder_init(&b, 8, 4999));
    assert_false(tlcp_builder_add_bytes(&b, big, 5000));
    assert_int_equal(tlcp_builder_len(&b), 0);
    tlcp_builder_cleanup(&b);

    /* An initial capacity above the limit is clamped, and the limit holds. */
    assert_true(tlcp_builder_init(&b, 4096, 10));
    assert_true(tlcp_builder_add_bytes(&b, big, 10));
    assert_false(tlcp_builder_add_u8(&b, 0));
    tlcp_builder_cleanup(&b);

    /* Sizes near SIZE_MAX never wrap the length arithmetic. */
    assert_true(tlcp_builder_init(&b, 8, 0));
    assert_true(tlcp_builder_add_u8(&b, 0));
    assert_false(tlcp_builder_add_space(&b, &(uint8_t *){NULL}, SIZE_MAX));
    tlcp_builder_cleanup(&b);
    assert_true(tlcp_builder_init(&b, 8, SIZE_MAX));
    assert_true(tlcp_builder_add_u8(&b, 0));
    assert_false(tlcp_builder_add_space(&b, &(uint8_t *){NULL}, SIZE_MAX));
    tlcp_builder_cleanup(&b);
}

static void test_finish_rules(void **state)
{
    (void)state;
    tlcp_builder b, c;
    uint8_t *out = NULL;
    size_t len = 0;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_open_u8(&b, &c));
    assert_true(tlcp_builder_add_u8(&c, 0x42));
    /* finish and copy_out are for roots only */
    assert_false(tlcp_builder_finish(&c, &out, &len));
    assert_false(tlcp_builder_copy_out(&c, (uint8_t[8]){0}, 8, &len));
    assert_null(out);
    /* finish flushes the open child */
    assert_true(tlcp_builder_finish(&b, &out, &len));
    tu_assert_hex(out, len, "0142");
    free(out);
    /* after finish the builder owns nothing and takes no more writes */
    assert_int_equal(tlcp_builder_len(&b), 0);
    assert_false(tlcp_builder_add_u8(&b, 1));
    tlcp_builder_cleanup(&b);

    /* An empty builder finishes to zero bytes. */
    assert_true(tlcp_builder_init(&b, 0, 0));
    out = NULL;
    assert_true(tlcp_builder_finish(&b, &out, &len));
    assert_int_equal(len, 0);
    free(out);
}

static void test_copy_out_heap(void **state)
{
    (void)state;
    tlcp_builder b, c;
    uint8_t out[6];
    size_t len = 99;
    assert_true(tlcp_builder_init(&b, 0, 0));
    assert_true(tlcp_builder_add_u16(&b, 0x0102));
    assert_true(tlcp_builder_open_u16(&b, &c));
    assert_true(tlcp_builder_add_u16(&c, 0x0304));
    memset(out, 0xEE, sizeof(out));
    assert_false(tlcp_builder_copy_out(&b, out, 5, &len));
    assert_int_equal(len, 99);
    assert_int_equal(out[0], 0xEE);
    assert_true(tlcp_builder_copy_out(&b, out, 6, &len));
    assert_int_equal(len, 6);
    tu_assert_hex(out, len, "0102 0002 0304");
    /* copy_out does not end the builder */
    assert_true(tlcp_builder_add_u8(&b, 0x05));
    finish_and_check(&b, "0102 0002 0304 05");
}

/* A builder abandoned halfway, with children still open: cleanup frees all (ASan checks). */
static void test_cleanup_unfinished(void **state)
{
    (void)state;
    static uint8_t big[3000];
    tlcp_builder b, c, d;
    assert_true(tlcp_builder_init(&b, 1, 0));
    assert_true(tlcp_builder_open_u24(&b, &c));
    assert_true(tlcp_builder_open_u16(&c, &d));
    assert_true(tlcp_builder_add_bytes(&d, big, sizeof(big))); /* forces several moves */
    tlcp_builder_cleanup(&b);
    assert_int_equal(tlcp_builder_len(&b), 0);
    assert_null(tlcp_builder_data(&b));
    tlcp_builder_cleanup(&b); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_big_endian),
        cmocka_unit_test(test_add_u24_out_of_range_poisons),
        cmocka_unit_test(test_add_bytes_and_space),
        cmocka_unit_test(test_nested_three_levels),
        cmocka_unit_test(test_sibling_and_empty_children),
        cmocka_unit_test(test_child_limits),
        cmocka_unit_test(test_child_overflow_poisons),
        cmocka_unit_test(test_child_overflow_on_parent_write),
        cmocka_unit_test(test_fixed_exact_fit),
        cmocka_unit_test(test_fixed_overflow_each_kind),
        cmocka_unit_test(test_fixed_overflow_in_child),
        cmocka_unit_test(test_fixed_null_memory),
        cmocka_unit_test(test_growth_up_to_max),
        cmocka_unit_test(test_growth_single_large_write),
        cmocka_unit_test(test_finish_rules),
        cmocka_unit_test(test_copy_out_heap),
        cmocka_unit_test(test_cleanup_unfinished),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
