/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_selftest through the public API: every primitive reports one "ok" line. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "tlcp/tlcp.h"

struct lines {
    int count;
    int ok;
    char first[128];
};

static void collect(void *arg, const char *line)
{
    struct lines *l = arg;
    if (l->count == 0)
        snprintf(l->first, sizeof(l->first), "%s", line);
    l->count++;
    size_t n = strlen(line);
    if (n > 3 && strcmp(line + n - 3, " ok") == 0)
        l->ok++;
    else
        print_error("self-test line: %s\n", line);
}

static void test_all_pass(void **state)
{
    (void)state;
    struct lines l = {0};
    assert_int_equal(tlcp_selftest(collect, &l), TLCP_OK);
    assert_int_equal(l.count, 9);
    assert_int_equal(l.ok, 9);
    assert_true(strncmp(l.first, "SM3 ...", 7) == 0);
}

static void test_null_report(void **state)
{
    (void)state;
    assert_int_equal(tlcp_selftest(NULL, NULL), TLCP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_pass),
        cmocka_unit_test(test_null_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
