/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-key precomputation, built lazily and published once: (1 + d)^-1 for
 * signing, and a point table for keys that verify or encrypt many times
 * (our own keys, CA keys, peers met again). Two threads may both build a
 * value; the compare-exchange keeps the first and the loser frees its own,
 * so readers never see a half-built value. Tables count against a
 * process-wide budget so many short-lived keys cannot hold unbounded memory.
 */
#include <stdlib.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/mem.h"

/* A table's size as the budget counts it (the interface bounds it). */
#define TABLE_COST (64u * 1024u)

static atomic_uint g_table_bytes;

const uint8_t *tlcp_sm2_key_d1_inv(const tlcp_pkey *key, tlcp_error *err)
{
    tlcp_pkey *k = (tlcp_pkey *)key; /* the cache is not part of the key's value */
    uint8_t *have = atomic_load_explicit(&k->d1_inv, memory_order_acquire);
    if (have != NULL)
        return have;
    static const uint8_t one[32] = {[31] = 1};
    uint8_t *fresh = malloc(32);
    if (fresh == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM2 signing key");
        return NULL;
    }
    sm2_scalar_add(fresh, key->d, one);
    int invertible = !sm2_scalar_is_zero(fresh);
    tlcp_sm2_declassify(&invertible, sizeof(invertible));
    if (!invertible) {
        tlcp_free_secret(fresh, 32);
        TLCP_ERR(err, TLCP_R_BAD_KEY, "SM2 private scalar n-1 cannot sign (1 + d = 0 mod n)");
        return NULL;
    }
    sm2_scalar_inv(fresh, fresh);
    uint8_t *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&k->d1_inv, &expected, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        tlcp_free_secret(fresh, 32);
        return expected;
    }
    return fresh;
}

/* Reserves one table's worth of the budget; 0 when it is spent. */
static int reserve_table(void)
{
    unsigned used = atomic_load_explicit(&g_table_bytes, memory_order_relaxed);
    do {
        if (used + TABLE_COST > TLCP_SM2_TABLE_BUDGET)
            return 0;
    } while (!atomic_compare_exchange_weak_explicit(&g_table_bytes, &used, used + TABLE_COST,
                                                    memory_order_relaxed, memory_order_relaxed));
    return 1;
}

static void release_table(void)
{
    atomic_fetch_sub_explicit(&g_table_bytes, TABLE_COST, memory_order_relaxed);
}

const struct sm2_point_table *tlcp_sm2_key_table(const tlcp_pkey *key)
{
    tlcp_pkey *k = (tlcp_pkey *)key;
    sm2_point_table *have = atomic_load_explicit(&k->table, memory_order_acquire);
    if (have != NULL)
        return have;
    /* Only keys that keep coming back earn a table. */
    unsigned uses = atomic_fetch_add_explicit(&k->uses, 1, memory_order_relaxed) + 1;
    if (uses < TLCP_SM2_TABLE_AFTER_USES || !reserve_table())
        return NULL;
    sm2_point_table *fresh = sm2_point_table_new(key->point);
    if (fresh == NULL) {
        release_table();
        return NULL;
    }
    sm2_point_table *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&k->table, &expected, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        sm2_point_table_free(fresh);
        release_table();
        return expected;
    }
    return fresh;
}

void tlcp_sm2_key_caches_free(tlcp_pkey *key)
{
    uint8_t *inv = atomic_exchange(&key->d1_inv, NULL);
    tlcp_free_secret(inv, 32);
    sm2_point_table *table = atomic_exchange(&key->table, NULL);
    if (table != NULL) {
        sm2_point_table_free(table);
        release_table();
    }
}
