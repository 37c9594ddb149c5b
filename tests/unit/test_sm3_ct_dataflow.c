/*
 * Data-flow check of tlcp_hmac_sm3_ct (the "ctgrind" method): data_len, the
 * data and the key are marked undefined for Valgrind's memcheck, which then
 * reports any branch or memory address that depends on them. The test
 * re-runs itself under valgrind when it is installed; without valgrind, when
 * valgrind cannot run the binary, or in sanitizer builds (which cannot run
 * under valgrind), it runs the same calls as a plain correctness check and
 * says the data-flow part was skipped.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#if defined(HAVE_MEMCHECK)
#define MAKE_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define MAKE_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define UNDER_VALGRIND()  (RUNNING_ON_VALGRIND != 0)
#else
#define MAKE_SECRET(p, n) ((void)(p), (void)(n))
#define MAKE_PUBLIC(p, n) ((void)(p), (void)(n))
#define UNDER_VALGRIND()  0
#endif

static void test_secret_length_never_steers(void **state)
{
    (void)state;
    static const size_t max_lens[] = {0, 50, 64 + 51, 300};
    uint8_t key[32], header[13], data[300], want[32], got[32];
    uint8_t msg[13 + 300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 29 + 3);
    memset(key, 0x42, sizeof(key));
    memset(header, 0x17, sizeof(header));
    for (size_t m = 0; m < sizeof(max_lens) / sizeof(max_lens[0]); m++) {
        size_t max_len = max_lens[m];
        for (size_t d = 0; d <= max_len; d += 1 + max_len / 9) {
            memcpy(msg, header, 13);
            memcpy(msg + 13, data, d);
            assert_int_equal(tlcp_hmac_sm3(key, sizeof(key), msg, 13 + d, want, NULL), 1);

            /* The plaintext and the MAC key are secret as well. */
            size_t secret_len = d;
            MAKE_SECRET(&secret_len, sizeof(secret_len));
            MAKE_SECRET(data, sizeof(data));
            MAKE_SECRET(key, sizeof(key));
            int rc = tlcp_hmac_sm3_ct(key, sizeof(key), header, data, secret_len, max_len, got);
            MAKE_PUBLIC(&rc, sizeof(rc));
            MAKE_PUBLIC(got, sizeof(got));
            MAKE_PUBLIC(data, sizeof(data));
            MAKE_PUBLIC(key, sizeof(key));
            assert_int_equal(rc, 1);
            assert_memory_equal(want, got, sizeof(got));
        }
    }
    /* The contract check (data_len > max_len) must not branch on it either. */
    size_t secret_len = 301;
    MAKE_SECRET(&secret_len, sizeof(secret_len));
    int rc = tlcp_hmac_sm3_ct(key, sizeof(key), header, data, secret_len, 300, got);
    MAKE_PUBLIC(&rc, sizeof(rc));
    assert_int_equal(rc, 0);
}

#if defined(HAVE_MEMCHECK) && !defined(SANITIZED)
/*
 * Runs this program again under memcheck. The child reports through a pipe
 * that its main() started, which tells "valgrind could not run this binary"
 * (e.g. an old valgrind that cannot read clang's DWARF 5) apart from a real
 * failure. Returns 0 (clean), 1 (memcheck error or test failure) or -1
 * (valgrind unavailable or unable to run the binary).
 */
static int run_under_valgrind(const char *self)
{
    if (getenv("TLCP_NO_VALGRIND") != NULL || system("valgrind --version >/dev/null 2>&1") != 0)
        return -1;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        char fd_text[16];
        snprintf(fd_text, sizeof(fd_text), "%d", fds[1]);
        setenv("TLCP_DATAFLOW_STARTED_FD", fd_text, 1);
        char *args[] = {
            "valgrind",   "--quiet", "--error-exitcode=3", "--leak-check=no", "--track-origins=yes",
            (char *)self, NULL};
        execvp("valgrind", args);
        _exit(127);
    }
    close(fds[1]);
    char byte;
    int started = read(fds[0], &byte, 1) == 1;
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !started)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* In the child under valgrind: tell the parent that main() was reached. */
static void report_started(void)
{
    const char *fd_text = getenv("TLCP_DATAFLOW_STARTED_FD");
    if (fd_text == NULL)
        return;
    int fd = atoi(fd_text);
    if (write(fd, "s", 1) != 1)
        fprintf(stderr, "note: could not report start to the parent\n");
    close(fd);
}
#endif

int main(int argc, char **argv)
{
    (void)argc;
#if defined(HAVE_MEMCHECK) && !defined(SANITIZED)
    if (UNDER_VALGRIND()) {
        report_started();
    } else {
        int r = run_under_valgrind(argv[0]);
        if (r >= 0)
            return r;
    }
#else
    (void)argv;
#endif
    if (!UNDER_VALGRIND())
        fprintf(stderr, "note: not running under valgrind; data-flow check skipped, "
                        "correctness part only\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_length_never_steers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
