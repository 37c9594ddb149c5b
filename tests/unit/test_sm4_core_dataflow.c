/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of the SM4 core (the "ctgrind" method): the key and the
 * data are marked undefined for Valgrind's memcheck, which then reports any
 * branch or memory address that depends on them, through the key schedule,
 * ECB, CBC both ways (also multi-chain), CTR, the public SM4-CBC API and
 * SM4-GCM sealing.
 *
 * Valgrind hides GFNI and VAES from the program, so this covers the AES-NI
 * kernel; the others have the same structure (register-only operations,
 * branches and addresses on lengths only). The test re-runs itself under valgrind when it
 * is installed; without valgrind, when valgrind cannot run the binary, in
 * sanitizer builds, or on CPUs without the core, it runs the same calls as a
 * plain correctness check and exits 77, which CTest reports as skipped
 * (tu_dataflow_main).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/sm4_core.h"

#include "dataflow.h"

/* 21 blocks: the 8-block loops, a 4-block step and a 1-block tail; CTR also
 * gets a partial final block. */
#define NBLOCKS 21
#define LEN     (NBLOCKS * 16)
#define CTR_LEN (LEN - 5)

typedef struct outputs {
    uint8_t ecb[LEN], cbc[LEN], cbc_back[LEN], ctr[LEN], api_cbc[LEN], gcm[LEN], tag[16];
    uint8_t multi[LEN], multi_back[LEN];
} outputs;

/* Two chains over the data, 17 and 4 blocks: multi-chain encryption, then
 * decryption (a 16-block head, and the tails of both in one batch). */
static void run_multi(const tlcp_sm4_key *enc, const tlcp_sm4_key *dec, const uint8_t iv[16],
                      const uint8_t *data, outputs *o)
{
    const uint8_t *ivs[2] = {iv, iv};
    const uint8_t *in[2] = {data, data + 17 * 16};
    uint8_t *out[2] = {o->multi, o->multi + 17 * 16};
    const uint8_t *ct[2] = {o->multi, o->multi + 17 * 16};
    uint8_t *back[2] = {o->multi_back, o->multi_back + 17 * 16};
    const size_t nblocks[2] = {17, 4};
    tlcp_sm4_core_cbc_encrypt_multi(enc, 2, ivs, in, out, nblocks);
    tlcp_sm4_core_cbc_decrypt_multi(dec, 2, ivs, ct, back, nblocks);
}

/* Everything the check runs; key and data may be marked secret by the caller. */
static void run_all(const uint8_t key[16], const uint8_t *data, outputs *o)
{
    static const uint8_t iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t nonce[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
    uint8_t ctr[16];
    tlcp_sm4_key enc, dec;
    tlcp_error err = {0};

    tlcp_sm4_core_expand(&enc, key, 0);
    tlcp_sm4_core_expand(&dec, key, 1);
    tlcp_sm4_core_ecb(&enc, data, o->ecb, NBLOCKS);
    tlcp_sm4_core_cbc_encrypt(&enc, iv, data, o->cbc, NBLOCKS);
    tlcp_sm4_core_cbc_decrypt(&dec, iv, o->cbc, o->cbc_back, NBLOCKS);
    memcpy(ctr, iv, 16);
    memset(o->ctr, 0, LEN);
    tlcp_sm4_core_ctr32(&enc, ctr, data, o->ctr, CTR_LEN);
    run_multi(&enc, &dec, iv, data, o);

    tlcp_sm4_cbc *cbc = tlcp_sm4_cbc_new(key, 1, &err);
    assert_non_null(cbc);
    assert_int_equal(tlcp_sm4_cbc_crypt(cbc, iv, data, o->api_cbc, LEN, &err), 1);
    tlcp_sm4_cbc_free(cbc);

    tlcp_gcm *gcm = tlcp_gcm_new(key, &err);
    assert_non_null(gcm);
    assert_int_equal(tlcp_gcm_seal(gcm, nonce, iv, 13, data, LEN, o->gcm, o->tag, &err), 1);
    tlcp_gcm_free(gcm);
}

static void check_kernel(int kernel)
{
    uint8_t key[16], data[LEN];
    outputs *want = calloc(1, sizeof(*want)), *got = calloc(1, sizeof(*got));
    assert_true(want != NULL && got != NULL);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 37 + 11);
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 101 + 7);

    tlcp_sm4_force_kernel(kernel);
    run_all(key, data, want);
    MAKE_SECRET(key, sizeof(key));
    MAKE_SECRET(data, sizeof(data));
    run_all(key, data, got);
    MAKE_PUBLIC(got, sizeof(*got));
    MAKE_PUBLIC(key, sizeof(key));
    MAKE_PUBLIC(data, sizeof(data));
    tlcp_sm4_force_kernel(TLCP_SM4_KERNEL_AUTO);

    assert_memory_equal(got, want, sizeof(*got));
    assert_memory_equal(want->cbc_back, data, LEN);
    assert_memory_equal(want->multi_back, data, LEN);
    assert_memory_equal(want->api_cbc, want->cbc, LEN);
    free(want);
    free(got);
}

static void test_secrets_never_steer(void **state)
{
    (void)state;
    if (!tlcp_sm4_core_enabled())
        skip();
    check_kernel(TLCP_SM4_KERNEL_AESNI);
    /* Outside valgrind these also run VAES and GFNI where the CPU has them. */
    check_kernel(TLCP_SM4_KERNEL_VAES);
    /* GFNI and GFNI512 where the CPU (as valgrind shows it: no AVX-512)
     * runs them; AUTO is the best of those */
    if (tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI))
        check_kernel(TLCP_SM4_KERNEL_GFNI);
    if (tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_GFNI512))
        check_kernel(TLCP_SM4_KERNEL_GFNI512);
    check_kernel(TLCP_SM4_KERNEL_AUTO);
}

static int dataflow_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secrets_never_steer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], dataflow_tests,
                            tlcp_sm4_core_enabled() ? NULL
                                                    : "the CPU has no AES-NI kernel to check");
}
