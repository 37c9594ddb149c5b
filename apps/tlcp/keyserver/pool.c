/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's worker threads: they take jobs in arrival order and
 * hand them back as each completes, so answers leave out of order and a
 * slow operation delays only itself. The loop thread owns every job
 * before and after; the pool touches only the request and the result. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "keyserver.h"

#ifdef TLCP_KS_TESTING
void (*ks_test_hold)(const struct ks_job *job);
#endif

static void perform(struct ks_job *job)
{
#ifdef TLCP_KS_TESTING
    if (ks_test_hold != NULL)
        ks_test_hold(job); /* the test's release point (keyserver.h) */
#endif
    const tlcp_private_key *key =
        job->req.kop.key == TLCP_CERT_SIGN ? job->key->sign : job->key->enc;
    job->req.kop.public_point = tlcp_private_key_point(key);
    job->out_len = 0;
    int r = tlcp_private_key_perform(key, &job->req.kop, job->out, &job->out_len);
    job->status = r == TLCP_KEY_OP_DONE ? KS_ST_OK : KS_ST_FAILED;
}

static void *pool_main(void *arg)
{
    struct ks_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->todo == NULL && !p->stop)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stop)
            break;
        struct ks_job *job = p->todo;
        p->todo = job->next;
        if (p->todo == NULL)
            p->todo_tail = NULL;
        pthread_mutex_unlock(&p->lock);
        perform(job);
        pthread_mutex_lock(&p->lock);
        job->next = p->done;
        p->done = job;
        uint64_t one = 1;
        ssize_t n = write(p->wake_fd, &one, sizeof(one));
        (void)n; /* a full counter still wakes the loop */
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int ks_pool_start(struct ks_pool *p, size_t threads)
{
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->wake_fd < 0)
        return 0;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (p->num = 0; p->num < threads; p->num++) {
        if (pthread_create(&p->threads[p->num], NULL, pool_main, p) != 0)
            return p->num > 0;
    }
    return 1;
}

void ks_pool_submit(struct ks_pool *p, struct ks_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->todo_tail != NULL)
        p->todo_tail->next = job;
    else
        p->todo = job;
    p->todo_tail = job;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

struct ks_job *ks_pool_take_done(struct ks_pool *p)
{
    uint64_t v;
    ssize_t n = read(p->wake_fd, &v, sizeof(v));
    (void)n;
    pthread_mutex_lock(&p->lock);
    struct ks_job *list = p->done, *rev = NULL;
    p->done = NULL;
    pthread_mutex_unlock(&p->lock);
    while (list != NULL) { /* pushed newest first: restore completion order */
        struct ks_job *j = list;
        list = j->next;
        j->next = rev;
        rev = j;
    }
    return rev;
}

struct ks_job *ks_pool_stop(struct ks_pool *p)
{
    if (p->wake_fd < 0)
        return NULL;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->num; i++)
        pthread_join(p->threads[i], NULL);
    struct ks_job *left = p->done;
    for (struct ks_job **j = &left;; j = &(*j)->next) {
        if (*j == NULL) {
            *j = p->todo; /* the ones never run go after the finished ones */
            break;
        }
    }
    p->todo = p->todo_tail = p->done = NULL;
    close(p->wake_fd);
    p->wake_fd = -1;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    return left;
}
