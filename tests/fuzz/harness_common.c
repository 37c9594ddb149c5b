/* SPDX-License-Identifier: Apache-2.0 */
/* What every harness shares: failing loudly and checking rejections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_msg.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ALLOC_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ALLOC_HOOKS 1
#endif
#endif
#if defined(FUZZ_ALLOC_HOOKS)
/* From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC 12
 * does not ship). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
#endif

_Noreturn void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz property violated: %s\n", what);
    fflush(stderr);
    abort();
}

void fuzz_setup_or_exit(const char *target, fuzz_setup_fn setup)
{
    if (setup())
        return;
    fprintf(stderr,
            "fuzz setup failed: %s: the target cannot run (see the line above); "
            "no input was tried\n",
            target);
    fflush(stderr);
    /* _exit: nothing to flush, and LeakSanitizer would only add noise about the half-built
     * setup to the message that matters. */
    _exit(1);
}

void fuzz_require(int cond, const char *what)
{
    if (!cond)
        fuzz_fail(what);
}

void fuzz_require_rejection(const tlcp_error *err, const int *alerts, const char *what)
{
    if (err->reason == TLCP_R_NONE) {
        fprintf(stderr, "%s: rejected without a reason\n", what);
        fuzz_fail("rejection without a reason");
    }
    for (const int *a = alerts; *a != -1; a++) {
        if (err->alert == *a)
            return;
    }
    fprintf(stderr, "%s: rejected with alert %d: %s\n", what, err->alert, tlcp_error_message(err));
    fuzz_fail("rejection with an unexpected alert");
}

int fuzz_same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* ---- allocation watch ---- */

/*
 * Two ways to see every allocation of the process, OpenSSL's included: under
 * ASan (the fuzz executables, `make sanitize`) through its malloc hooks; in a
 * plain glibc build (`make test`) by replacing malloc, calloc, realloc and
 * free with versions that note the size and call glibc's own allocator, which
 * glibc supports ("Replacing malloc" in its manual). Elsewhere the watch sees
 * nothing and the checks that use it pass trivially.
 */
static size_t largest_alloc;

static void note_alloc(size_t size)
{
    if (size > largest_alloc)
        largest_alloc = size;
}

#if defined(FUZZ_ALLOC_HOOKS)
static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr;
    note_alloc(size);
}

static void on_free(const volatile void *ptr)
{
    (void)ptr;
}
#elif defined(__GLIBC__)
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

void *malloc(size_t size)
{
    note_alloc(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n <= (size_t)-1 / size)
        note_alloc(n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
    note_alloc(size);
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}
#endif

/* On unless TLCP_FUZZ_STRICT_ALLOC=0 (to look past a known finding). */
int fuzz_strict_alloc(void)
{
    static int strict = -1;
    if (strict < 0) {
        const char *v = getenv("TLCP_FUZZ_STRICT_ALLOC");
        strict = v == NULL || strcmp(v, "0") != 0;
    }
    return strict;
}

void fuzz_alloc_watch_start(void)
{
#if defined(FUZZ_ALLOC_HOOKS)
    static int installed;
    if (!installed)
        installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) > 0;
#endif
    largest_alloc = 0;
}

size_t fuzz_alloc_watch_largest(void)
{
    return largest_alloc;
}

/* ---- handshake message helpers (harness_msg.h) ---- */

static const int decode_alerts[] = {TLCP_ALERT_DECODE_ERROR, TLCP_ALERT_ILLEGAL_PARAMETER, -1};

void fuzz_msg_rejected(const tlcp_error *err, const char *what)
{
    fuzz_require_rejection(err, decode_alerts, what);
}

void fuzz_msg_builder(tlcp_builder *b)
{
    fuzz_require(tlcp_builder_init(b, 256, 0), "builder allocation failed");
}

fuzz_bytes fuzz_msg_built(tlcp_builder *b, int built, const char *what)
{
    fuzz_bytes out = {NULL, 0};
    if (!built) {
        tlcp_builder_cleanup(b);
        fprintf(stderr, "%s: the builder refused a parsed message\n", what);
        fuzz_fail("rebuild of a parsed message failed");
    }
    if (!tlcp_builder_finish(b, &out.data, &out.len)) {
        tlcp_builder_cleanup(b);
        fuzz_fail("builder finish failed");
    }
    return out;
}

void fuzz_msg_same_wire(fuzz_bytes rebuilt, const uint8_t *data, size_t len, const char *what)
{
    if (!fuzz_same_bytes(rebuilt.data, rebuilt.len, data, len)) {
        fprintf(stderr, "%s: rebuilt %zu bytes differ from the %zu parsed\n", what, rebuilt.len,
                len);
        fuzz_fail("rebuilt message differs from its input");
    }
}

int fuzz_same_cursor(const tlcp_cursor *a, const tlcp_cursor *b)
{
    return fuzz_same_bytes(tlcp_cursor_data(a), tlcp_cursor_len(a), tlcp_cursor_data(b),
                           tlcp_cursor_len(b));
}

int fuzz_same_extensions(const tlcp_extension *a, size_t na, const tlcp_extension *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        if (a[i].type != b[i].type || !fuzz_same_cursor(&a[i].data, &b[i].data))
            return 0;
    }
    return 1;
}

tlcp_cursor fuzz_cursor(const uint8_t *data, size_t len)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, data, len);
    return c;
}
