/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader every interop test loops with (tu_list_fixtures): the real set has exactly
 * TU_INTEROP_FIXTURES recordings, and a damaged set (a fixture folder gone, a listed file
 * gone, a folder without manifest.json, no folder at all) is an error with a sentence that
 * names it, never a shorter loop. The damaged sets are built in a scratch folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define FAKE_FIXTURES 3

typedef struct scratch {
    char root[256];      /* the fixture folder */
    char inventory[300]; /* its file list */
} scratch;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* FAKE_FIXTURES folders fx0.. with manifest.json and c2s.bin, plus a README, all listed. */
static void make_scratch(scratch *s)
{
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    snprintf(s->root, sizeof(s->root), "%s/tlcp-fixtures.XXXXXX", tmp);
    assert_non_null(mkdtemp(s->root));
    snprintf(s->inventory, sizeof(s->inventory), "%s.sha256", s->root);
    FILE *inv = fopen(s->inventory, "w");
    assert_non_null(inv);
    char p[512];
    snprintf(p, sizeof(p), "%s/README.md", s->root);
    write_file(p, "fixtures\n");
    fprintf(inv, "00  README.md\n");
    for (int i = 0; i < FAKE_FIXTURES; i++) {
        snprintf(p, sizeof(p), "%s/fx%d", s->root, i);
        assert_int_equal(mkdir(p, 0700), 0);
        snprintf(p, sizeof(p), "%s/fx%d/manifest.json", s->root, i);
        write_file(p, "{}\n");
        snprintf(p, sizeof(p), "%s/fx%d/c2s.bin", s->root, i);
        write_file(p, "x");
        fprintf(inv, "00  fx%d/manifest.json\n00  fx%d/c2s.bin\n", i, i);
    }
    fclose(inv);
}

static void remove_scratch(const scratch *s)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", s->root, s->inventory);
    assert_int_equal(system(cmd), 0);
}

/* Scans the scratch set; returns 1 on success, else 0 and asserts `why` has `needle`. */
static int scan(const scratch *s, const char *inventory, size_t expected, const char *needle)
{
    char **names = NULL, why[9000] = "";
    size_t n = 0;
    int ok = tu_scan_fixtures(s->root, inventory, expected, &names, &n, why, sizeof(why));
    if (ok) {
        assert_int_equal(n, expected);
        tu_free_list(names, n);
        return 1;
    }
    print_message("refused as expected: %s\n", why);
    if (strstr(why, needle) == NULL)
        fail_msg("reason '%s' does not say '%s'", why, needle);
    return 0;
}

static void test_the_real_set_has_every_recording(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    assert_int_equal(n, TU_INTEROP_FIXTURES);
    assert_int_equal(n, 31);
    assert_string_equal(names[0], "gmssl2-ecc-sm4-cbc-sm3");
    assert_string_equal(names[n - 1], "tongsuo-rsa-sm4-gcm-sm3");
    tu_free_list(names, n);
}

static void test_intact_scratch_set_is_accepted(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    assert_true(scan(&s, s.inventory, FAKE_FIXTURES, ""));
    remove_scratch(&s);
}

static void test_missing_fixture_folder_fails(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/fx1'", s.root);
    assert_int_equal(system(cmd), 0);
    /* Without the inventory the count catches it; with it, the first listed file does. */
    assert_false(scan(&s, NULL, FAKE_FIXTURES, "holds 2 fixtures, expected 3"));
    assert_false(scan(&s, s.inventory, FAKE_FIXTURES, "fx1/manifest.json is missing"));
    remove_scratch(&s);
}

static void test_missing_listed_file_fails(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    char p[600];
    snprintf(p, sizeof(p), "%s/fx2/c2s.bin", s.root);
    assert_int_equal(unlink(p), 0);
    assert_false(scan(&s, s.inventory, FAKE_FIXTURES, "fx2/c2s.bin is missing"));
    remove_scratch(&s);
}

static void test_folder_without_manifest_fails(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    char p[600];
    snprintf(p, sizeof(p), "%s/stray", s.root);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_false(scan(&s, s.inventory, FAKE_FIXTURES, "stray has no manifest.json"));
    remove_scratch(&s);
}

static void test_extra_fixture_fails(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    assert_false(scan(&s, s.inventory, FAKE_FIXTURES - 1, "holds 3 fixtures, expected 2"));
    remove_scratch(&s);
}

static void test_missing_folder_or_inventory_fails(void **state)
{
    (void)state;
    scratch s;
    make_scratch(&s);
    char inv[400];
    snprintf(inv, sizeof(inv), "%s.absent", s.inventory);
    assert_false(scan(&s, inv, FAKE_FIXTURES, "inventory"));
    write_file(inv, "");
    assert_false(scan(&s, inv, FAKE_FIXTURES, "lists no file"));
    unlink(inv);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s.root);
    assert_int_equal(system(cmd), 0);
    assert_false(scan(&s, NULL, FAKE_FIXTURES, "is missing (the repository is incomplete)"));
    remove_scratch(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_real_set_has_every_recording),
        cmocka_unit_test(test_intact_scratch_set_is_accepted),
        cmocka_unit_test(test_missing_fixture_folder_fails),
        cmocka_unit_test(test_missing_listed_file_fails),
        cmocka_unit_test(test_folder_without_manifest_fails),
        cmocka_unit_test(test_extra_fixture_fails),
        cmocka_unit_test(test_missing_folder_or_inventory_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
