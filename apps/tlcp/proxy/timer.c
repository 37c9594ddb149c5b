/* SPDX-License-Identifier: Apache-2.0 */
/* Timeouts of one worker: an indexed binary min-heap of deadlines. Each
 * connection owns one timer; moving a deadline is O(log n). */
#include <stdint.h>
#include <stdlib.h>

#include "proxy.h"

void px_heap_init(struct px_heap *h)
{
    h->items = NULL;
    h->len = h->cap = 0;
}

void px_heap_free(struct px_heap *h)
{
    free(h->items);
    px_heap_init(h);
}

static void place(struct px_heap *h, size_t i, struct px_timer *t)
{
    h->items[i] = t;
    t->index = i;
}

static void sift_up(struct px_heap *h, size_t i)
{
    struct px_timer *t = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent]->deadline_ms <= t->deadline_ms)
            break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct px_heap *h, size_t i)
{
    struct px_timer *t = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && h->items[child + 1]->deadline_ms < h->items[child]->deadline_ms)
            child++;
        if (h->items[child]->deadline_ms >= t->deadline_ms)
            break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, t);
}

int px_heap_set(struct px_heap *h, struct px_timer *t, int64_t deadline_ms)
{
    if (t->index != SIZE_MAX) {
        int64_t old = t->deadline_ms;
        t->deadline_ms = deadline_ms;
        if (deadline_ms < old)
            sift_up(h, t->index);
        else
            sift_down(h, t->index);
        return 1;
    }
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct px_timer **grown = realloc(h->items, cap * sizeof(*grown));
        if (grown == NULL)
            return 0;
        h->items = grown;
        h->cap = cap;
    }
    t->deadline_ms = deadline_ms;
    place(h, h->len++, t);
    sift_up(h, t->index);
    return 1;
}

void px_heap_remove(struct px_heap *h, struct px_timer *t)
{
    if (t->index == SIZE_MAX)
        return;
    size_t i = t->index;
    t->index = SIZE_MAX;
    struct px_timer *last = h->items[--h->len];
    if (i == h->len)
        return;
    place(h, i, last);
    sift_down(h, i);
    sift_up(h, last->index);
}

struct px_timer *px_heap_top(const struct px_heap *h)
{
    return h->len > 0 ? h->items[0] : NULL;
}
