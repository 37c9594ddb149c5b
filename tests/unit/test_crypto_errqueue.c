/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_crypto_fail: OpenSSL's error queue becomes our reason + message, and is emptied. */
#include "testutil.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto/crypto.h"

/* Makes OpenSSL queue a real error: fetching an algorithm that does not exist. */
static void queue_openssl_error(void)
{
    EVP_MD *md = EVP_MD_fetch(NULL, "NO-SUCH-DIGEST", NULL);
    assert_null(md);
    assert_int_not_equal(ERR_peek_error(), 0);
}

static void test_fail_records_and_empties_queue(void **state)
{
    (void)state;
    tlcp_error err = {0};
    queue_openssl_error();
    assert_int_equal(CRYPTO_FAIL(&err, TLCP_R_CRYPTO, "digest fetch failed"), 0);
    assert_int_equal(err.reason, TLCP_R_CRYPTO);
    assert_non_null(strstr(err.message, "digest fetch failed"));
    assert_true(strlen(err.message) > strlen("digest fetch failed")); /* OpenSSL's detail */
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_fail_without_queue_or_slot(void **state)
{
    (void)state;
    tlcp_error err = {0};
    assert_int_equal(CRYPTO_FAIL(&err, TLCP_R_RNG, "no detail"), 0);
    assert_int_equal(err.reason, TLCP_R_RNG);
    assert_string_equal(err.message, "no detail");
    /* A NULL slot still empties the queue. */
    queue_openssl_error();
    assert_int_equal(CRYPTO_FAIL(NULL, TLCP_R_CRYPTO, "ignored"), 0);
    assert_int_equal(ERR_peek_error(), 0);
}

/* The first failure wins: a later one does not overwrite the root cause. */
static void test_first_reason_kept(void **state)
{
    (void)state;
    tlcp_error err = {0};
    assert_int_equal(CRYPTO_FAIL(&err, TLCP_R_BAD_KEY, "first"), 0);
    queue_openssl_error();
    assert_int_equal(CRYPTO_FAIL(&err, TLCP_R_CRYPTO, "second"), 0);
    assert_int_equal(err.reason, TLCP_R_BAD_KEY);
    assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_records_and_empties_queue),
        cmocka_unit_test(test_fail_without_queue_or_slot),
        cmocka_unit_test(test_first_reason_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
