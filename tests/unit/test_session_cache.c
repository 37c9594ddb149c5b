/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's session cache (src/handshake/session_cache.c): a keyed hash
 * table of bounded size with age-ordered eviction. Tested at its maximum
 * size (2^20 entries): every entry is found, unknown IDs are not, the
 * oldest entry goes first; the time is printed, not asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/session.h"
#include "testutil.h"

/* Distinct IDs from a counter and a tag byte (for "never stored"). */
static void make_id(uint8_t id[TLCP_SESSION_ID_LEN], uint32_t n, uint8_t tag)
{
    memset(id, tag, TLCP_SESSION_ID_LEN);
    for (int i = 0; i < 4; i++)
        id[i] = (uint8_t)(n >> (8 * i));
}

static void make_master(uint8_t m[TLCP_MASTER_SECRET_LEN], uint32_t n)
{
    for (size_t i = 0; i < TLCP_MASTER_SECRET_LEN; i++)
        m[i] = (uint8_t)(n * 7 + i);
}

static void store(tlcp_session_cache *c, uint32_t n, const char *sni)
{
    uint8_t id[TLCP_SESSION_ID_LEN], m[TLCP_MASTER_SECRET_LEN];
    make_id(id, n, 0);
    make_master(m, n);
    tlcp_session_cache_store(c, id, (uint16_t)(n & 0xffff), m, sni);
}

/* 1 when entry n is found with its own suite and master. */
static int has(tlcp_session_cache *c, uint32_t n, const char *sni)
{
    uint8_t id[TLCP_SESSION_ID_LEN], m[TLCP_MASTER_SECRET_LEN], want[TLCP_MASTER_SECRET_LEN];
    uint16_t suite = 0;
    make_id(id, n, 0);
    make_master(want, n);
    if (!tlcp_session_cache_lookup(c, id, sizeof(id), sni, &suite, m))
        return 0;
    assert_int_equal(suite, n & 0xffff);
    assert_memory_equal(m, want, sizeof(m));
    return 1;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_maximum_size(void **state)
{
    (void)state;
    const uint32_t max = TLCP_SESSION_CACHE_MAX;
    tlcp_session_cache *c = tlcp_session_cache_new(max, 0);
    assert_non_null(c);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint32_t n = 0; n < max; n++)
        store(c, n, (n & 1) ? "localhost" : NULL);
    double t_store = seconds_since(&t0);
    assert_int_equal(c->count, max);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint32_t n = 0; n < max; n++)
        if (!has(c, n, (n & 1) ? "localhost" : NULL))
            fail_msg("entry %u not found", n);
    double t_hit = seconds_since(&t0);

    /* IDs never stored: each must come back "not found" (the scan of all
     * 2^20 slots this replaces made each of these the worst case). */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint8_t id[TLCP_SESSION_ID_LEN], m[TLCP_MASTER_SECRET_LEN];
    uint16_t suite;
    for (uint32_t n = 0; n < max; n++) {
        make_id(id, n, 0xEE);
        assert_false(tlcp_session_cache_lookup(c, id, sizeof(id), NULL, &suite, m));
    }
    double t_miss = seconds_since(&t0);

    /* Full: each new entry evicts the oldest, and only that one. */
    store(c, max, NULL);
    store(c, max + 1, "localhost");
    assert_int_equal(c->count, max);
    assert_false(has(c, 0, NULL));
    assert_false(has(c, 1, "localhost"));
    assert_true(has(c, 2, NULL));
    assert_true(has(c, max, NULL));
    assert_true(has(c, max + 1, "localhost"));
    assert_true(has(c, max - 1, "localhost"));

    /* The longest bucket chain stays short with 2^20 entries in 2^20 buckets. */
    size_t longest = 0;
    for (size_t b = 0; b < c->nbuckets; b++) {
        size_t len = 0;
        for (uint32_t l = c->buckets[b]; l != 0; l = c->entries[l - 1].chain)
            len++;
        longest = len > longest ? len : longest;
    }
    assert_true(longest < 16);
    printf("2^20 entries: store %.0f ns, hit %.0f ns, miss %.0f ns per operation; "
           "longest chain %zu\n",
           t_store * 1e9 / max, t_hit * 1e9 / max, t_miss * 1e9 / max, longest);
    tlcp_session_cache_free(c);
}

/* Moves every entry's creation time by `delta` seconds. */
static void age(tlcp_session_cache *c, time_t delta)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->entries[i].used)
            c->entries[i].created += delta;
}

static void test_expiry_and_names(void **state)
{
    (void)state;
    tlcp_session_cache *c = tlcp_session_cache_new(8, 60);
    assert_non_null(c);
    store(c, 1, "a.example");
    store(c, 2, NULL);
    assert_true(has(c, 1, "a.example"));
    assert_false(has(c, 1, "b.example")); /* another server_name */
    assert_false(has(c, 1, NULL));
    assert_true(has(c, 1, "a.example")); /* ... and the entry stays */
    assert_false(has(c, 2, "a.example"));
    uint8_t id[TLCP_SESSION_ID_LEN], m[TLCP_MASTER_SECRET_LEN];
    uint16_t suite;
    make_id(id, 1, 0);
    assert_false(tlcp_session_cache_lookup(c, id, 31, "a.example", &suite, m));

    /* Expired entries are dropped when looked up and when a store passes. */
    age(c, -61);
    assert_false(has(c, 1, "a.example"));
    assert_int_equal(c->count, 1);
    store(c, 3, NULL);
    assert_int_equal(c->count, 1);
    assert_false(has(c, 2, NULL));
    assert_true(has(c, 3, NULL));

    /* Dated in the future (the clock went back): not resumed either. */
    age(c, 3600);
    assert_false(has(c, 3, NULL));
    assert_int_equal(c->count, 0);

    /* Storing an ID again replaces the entry; freed slots are reused. */
    for (uint32_t n = 0; n < 20; n++)
        store(c, n % 5, NULL);
    assert_int_equal(c->count, 5);
    assert_true(c->high_water <= 8);
    for (uint32_t n = 0; n < 5; n++)
        assert_true(has(c, n, NULL));

    /* A name longer than a server_name is never stored. */
    char long_name[TLCP_SESSION_SNI_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    store(c, 9, long_name);
    assert_true(has(c, 9, NULL));
    tlcp_session_cache_free(c);

    assert_null(tlcp_session_cache_new(0, 0));
    assert_null(tlcp_session_cache_new(TLCP_SESSION_CACHE_MAX + 1, 0));
}

/* Two caches use different keys: the bucket of an ID is not predictable. */
static void test_key_per_cache(void **state)
{
    (void)state;
    tlcp_session_cache *a = tlcp_session_cache_new(4, 0), *b = tlcp_session_cache_new(4, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_not_equal(a->key, b->key, sizeof(a->key));
    tlcp_session_cache_free(a);
    tlcp_session_cache_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maximum_size),
        cmocka_unit_test(test_expiry_and_names),
        cmocka_unit_test(test_key_per_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
