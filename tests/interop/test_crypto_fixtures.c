/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The crypto primitives against real peers: for every recorded full handshake
 * in tests/data/interop that succeeded, take the master secret from keylog.txt,
 * derive the key block with tlcp_prf_key_block, open every protected record
 * of both directions (SM4-CBC through one reused context per direction and
 * the constant-time HMAC, cross-checked with the plain HMAC; or SM4-GCM),
 * check both Finished messages with SM3 + tlcp_prf_finished, and compare the
 * application data with what each side says it sent.
 *
 * This is a test of src/crypto only: the record and handshake parsing here
 * is the minimum needed to find the bytes.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/bytes.h"

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APP = 23 };
enum { HS_SERVER_HELLO_DONE = 14, HS_FINISHED = 20 };

typedef struct {
    uint8_t type;
    const uint8_t *frag;
    size_t len;
} record;

typedef struct {
    record *recs;
    size_t n;
    size_t first_protected; /* index after the CCS record; n when none */
} stream;

typedef struct {
    int gcm;
    uint64_t seq;
    tlcp_sm4_cbc *cbc;
    tlcp_gcm *aead;
    uint8_t mac_key[32];
    uint8_t salt[4];
} direction;

static void split_records(const uint8_t *data, size_t len, stream *s)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, data, len);
    s->recs = calloc(len / 5 + 1, sizeof(record));
    assert_non_null(s->recs);
    s->n = 0;
    s->first_protected = (size_t)-1;
    while (!tlcp_cursor_is_empty(&c)) {
        uint8_t type;
        uint16_t version;
        tlcp_cursor frag;
        assert_true(tlcp_cursor_get_u8(&c, &type));
        assert_true(tlcp_cursor_get_u16(&c, &version));
        assert_int_equal(version, 0x0101);
        assert_true(tlcp_cursor_get_u16_prefixed(&c, &frag));
        if (type == CT_CCS && s->first_protected == (size_t)-1)
            s->first_protected = s->n + 1;
        s->recs[s->n++] = (record){type, tlcp_cursor_data(&frag), tlcp_cursor_len(&frag)};
    }
    if (s->first_protected == (size_t)-1)
        s->first_protected = s->n;
}

/* The plaintext handshake bytes (record boundaries removed) before the CCS. */
static uint8_t *plain_handshake(const stream *s, size_t *out_len)
{
    size_t total = 0;
    for (size_t i = 0; i < s->first_protected; i++)
        if (s->recs[i].type == CT_HANDSHAKE)
            total += s->recs[i].len;
    uint8_t *out = malloc(total + 1);
    assert_non_null(out);
    size_t off = 0;
    for (size_t i = 0; i < s->first_protected; i++) {
        if (s->recs[i].type != CT_HANDSHAKE)
            continue;
        memcpy(out + off, s->recs[i].frag, s->recs[i].len);
        off += s->recs[i].len;
    }
    *out_len = total;
    return out;
}

/* Length of the leading messages up to and including the first of `type`
 * (or of the first message when type < 0). */
static size_t prefix_through(const uint8_t *hs, size_t len, int type)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, hs, len);
    while (!tlcp_cursor_is_empty(&c)) {
        uint8_t t;
        tlcp_cursor body;
        assert_true(tlcp_cursor_get_u8(&c, &t));
        assert_true(tlcp_cursor_get_u24_prefixed(&c, &body));
        if (type < 0 || t == type)
            return len - tlcp_cursor_len(&c);
    }
    fail_msg("handshake message %d not found", type);
    return 0;
}

/* Hello random: after msg_type(1) length(3) version(2). */
static void hello_random(const uint8_t *hs, size_t len, uint8_t out[32])
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, hs, len);
    assert_true(tlcp_cursor_skip(&c, 6));
    assert_true(tlcp_cursor_copy_bytes(&c, out, 32));
}

static int keylog_master(const char *dir, const uint8_t cr[32], uint8_t master[48])
{
    char path[4096], line[512], want[65];
    snprintf(path, sizeof(path), "%s/keylog.txt", dir);
    for (int i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", cr[i]);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int found = 0;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        char crhex[80], mshex[120];
        if (sscanf(line, "CLIENT_RANDOM %79s %119s", crhex, mshex) != 2)
            continue;
        for (char *p = crhex; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
        if (strcmp(crhex, want) == 0) {
            tu_hex_into(mshex, master, 48);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static void put_header(uint8_t h[13], uint64_t seq, uint8_t type, size_t len)
{
    for (int i = 0; i < 8; i++)
        h[i] = (uint8_t)(seq >> (56 - 8 * i));
    h[8] = type;
    h[9] = 1;
    h[10] = 1;
    h[11] = (uint8_t)(len >> 8);
    h[12] = (uint8_t)len;
}

/* IV(16) || SM4-CBC(data || MAC(32) || padding || padding_length). */
static size_t open_cbc(direction *d, const record *r, uint8_t *out)
{
    tlcp_error err = {0};
    assert_true(r->len >= 64 && r->len % 16 == 0);
    size_t ct_len = r->len - 16;
    assert_int_equal(tlcp_sm4_cbc_crypt(d->cbc, r->frag, r->frag + 16, out, ct_len, &err), 1);
    size_t pad = out[ct_len - 1];
    assert_true(pad + 1 + 32 <= ct_len);
    for (size_t i = 0; i <= pad; i++)
        assert_int_equal(out[ct_len - 1 - i], pad);
    size_t data_len = ct_len - 1 - pad - 32, max_len = ct_len - 1 - 32;

    uint8_t header[13], mac_ct[32], mac_ref[32];
    put_header(header, d->seq, r->type, data_len);
    assert_int_equal(tlcp_hmac_sm3_ct(d->mac_key, 32, header, out, data_len, max_len, mac_ct), 1);
    assert_memory_equal(mac_ct, out + data_len, 32);
    uint8_t *msg = malloc(13 + data_len);
    assert_non_null(msg);
    memcpy(msg, header, 13);
    memcpy(msg + 13, out, data_len);
    assert_int_equal(tlcp_hmac_sm3(d->mac_key, 32, msg, 13 + data_len, mac_ref, &err), 1);
    assert_memory_equal(mac_ref, mac_ct, 32);
    free(msg);
    return data_len;
}

/* explicit_nonce(8) || ciphertext || tag(16); nonce = salt(4) || explicit(8). */
static size_t open_gcm(direction *d, const record *r, uint8_t *out)
{
    tlcp_error err = {0};
    assert_true(r->len >= 24);
    size_t len = r->len - 24;
    uint8_t nonce[12], aad[13];
    memcpy(nonce, d->salt, 4);
    memcpy(nonce + 4, r->frag, 8);
    put_header(aad, d->seq, r->type, len);
    assert_int_equal(
        tlcp_gcm_open(d->aead, nonce, aad, 13, r->frag + 8, len, r->frag + 8 + len, out, &err), 1);
    return len;
}

static size_t open_record(direction *d, const record *r, uint8_t *out)
{
    size_t n = d->gcm ? open_gcm(d, r, out) : open_cbc(d, r, out);
    d->seq++;
    return n;
}

static void setup_direction(direction *d, int gcm, const uint8_t *kb, int client)
{
    tlcp_error err = {0};
    memset(d, 0, sizeof(*d));
    d->gcm = gcm;
    if (gcm) {
        d->aead = tlcp_gcm_new(kb + (client ? 0 : 16), &err);
        assert_non_null(d->aead);
        memcpy(d->salt, kb + (client ? 32 : 36), 4);
    } else {
        memcpy(d->mac_key, kb + (client ? 0 : 32), 32);
        d->cbc = tlcp_sm4_cbc_new(kb + (client ? 64 : 80), 0, &err);
        assert_non_null(d->cbc);
    }
}

static void free_direction(direction *d)
{
    tlcp_sm4_cbc_free(d->cbc);
    tlcp_gcm_free(d->aead);
}

/* Opens the first protected record (Finished) and checks verify_data. */
static void check_finished(direction *d, const stream *s, const uint8_t master[48], int is_client,
                           const uint8_t hash[32], uint8_t fin_msg[16])
{
    assert_true(s->first_protected < s->n);
    const record *r = &s->recs[s->first_protected];
    assert_int_equal(r->type, CT_HANDSHAKE);
    uint8_t *plain = malloc(r->len);
    assert_non_null(plain);
    size_t n = open_record(d, r, plain);
    assert_int_equal(n, 16);
    assert_int_equal(plain[0], HS_FINISHED);
    uint8_t want[12];
    tlcp_error err = {0};
    assert_int_equal(tlcp_prf_finished(master, is_client, hash, want, &err), 1);
    assert_memory_equal(plain + 4, want, 12);
    memcpy(fin_msg, plain, 16);
    free(plain);
}

/* Opens the remaining records; returns the application data bytes. */
static uint8_t *open_rest(direction *d, const stream *s, size_t *out_len)
{
    size_t cap = 1, total = 0;
    for (size_t i = s->first_protected + 1; i < s->n; i++)
        cap += s->recs[i].len;
    uint8_t *app = malloc(cap), *buf = malloc(cap + 32);
    assert_true(app != NULL && buf != NULL);
    for (size_t i = s->first_protected + 1; i < s->n; i++) {
        const record *r = &s->recs[i];
        size_t n = open_record(d, r, buf);
        if (r->type == CT_APP) {
            memcpy(app + total, buf, n);
            total += n;
        }
    }
    free(buf);
    *out_len = total;
    return app;
}

static void compare_sent(const char *dir, const char *prefix, const char *who, const uint8_t *got,
                         size_t got_len)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/%s%s-sent.bin", dir, prefix, who);
    uint8_t *want = tu_read_file(path, &len);
    if (want == NULL) {
        assert_int_equal(got_len, 0);
        return;
    }
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
    free(want);
}

static uint8_t *read_stream(const char *dir, const char *prefix, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s%s", dir, prefix, name);
    uint8_t *data = tu_read_file(path, len);
    assert_non_null(data);
    return data;
}

/* Returns 1 when the fixture was checked, 0 when it is not a full handshake
 * that succeeded (those are for the handshake tests). */
static int check_fixture(const char *name)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof(dir), "%s", tu_data_path("interop"));
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", name);
    size_t mlen;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    char *manifest = (char *)tu_read_file(path, &mlen);
    assert_non_null(manifest);
    manifest = realloc(manifest, mlen + 1);
    manifest[mlen] = 0;
    int ok = strstr(manifest, "\"expect\": \"handshake-ok\"") != NULL;
    int gcm = strstr(manifest, "_GCM_") != NULL;
    free(manifest);
    if (!ok)
        return 0;
    snprintf(path, sizeof(path), "%s/conn1-c2s.bin", dir);
    FILE *probe = fopen(path, "rb");
    const char *prefix = probe != NULL ? "conn1-" : "";
    if (probe != NULL)
        fclose(probe);

    size_t c2s_len, s2c_len;
    uint8_t *c2s = read_stream(dir, prefix, "c2s.bin", &c2s_len);
    uint8_t *s2c = read_stream(dir, prefix, "s2c.bin", &s2c_len);
    stream cs, ss;
    split_records(c2s, c2s_len, &cs);
    split_records(s2c, s2c_len, &ss);

    size_t chs_len, shs_len;
    uint8_t *chs = plain_handshake(&cs, &chs_len), *shs = plain_handshake(&ss, &shs_len);
    uint8_t cr[32], sr[32], master[48], kb[128];
    hello_random(chs, chs_len, cr);
    hello_random(shs, shs_len, sr);
    assert_true(keylog_master(dir, cr, master));
    tlcp_error err = {0};
    assert_int_equal(tlcp_prf_key_block(master, cr, sr, kb, gcm ? 40 : 128, &err), 1);

    /* Transcript: ClientHello, server flight to ServerHelloDone, client flight. */
    size_t ch_len = prefix_through(chs, chs_len, -1);
    size_t sflight = prefix_through(shs, shs_len, HS_SERVER_HELLO_DONE);
    tlcp_sm3_ctx *th = tlcp_sm3_new(&err);
    assert_non_null(th);
    assert_true(tlcp_sm3_update(th, chs, ch_len, &err));
    assert_true(tlcp_sm3_update(th, shs, sflight, &err));
    assert_true(tlcp_sm3_update(th, chs + ch_len, chs_len - ch_len, &err));

    direction cd, sd;
    setup_direction(&cd, gcm, kb, 1);
    setup_direction(&sd, gcm, kb, 0);
    uint8_t hash[32], fin[16];
    assert_true(tlcp_sm3_peek(th, hash, &err));
    check_finished(&cd, &cs, master, 1, hash, fin);
    /* Server side adds the client Finished and anything sent after its
     * ServerHelloDone (NewSessionTicket). */
    assert_true(tlcp_sm3_update(th, fin, sizeof(fin), &err));
    assert_true(tlcp_sm3_update(th, shs + sflight, shs_len - sflight, &err));
    assert_true(tlcp_sm3_final(th, hash, &err));
    check_finished(&sd, &ss, master, 0, hash, fin);

    size_t capp_len, sapp_len;
    uint8_t *capp = open_rest(&cd, &cs, &capp_len), *sapp = open_rest(&sd, &ss, &sapp_len);
    compare_sent(dir, prefix, "client", capp, capp_len);
    compare_sent(dir, prefix, "server", sapp, sapp_len);
    assert_false(tlcp_error_is_set(&err));

    free(capp), free(sapp), free(chs), free(shs), free(c2s), free(s2c);
    free(cs.recs), free(ss.recs);
    free_direction(&cd), free_direction(&sd);
    tlcp_sm3_free(th);
    return 1;
}

static void test_all_fixtures(void **state)
{
    (void)state;
    char **names;
    size_t n = tu_list_fixtures(&names);
    size_t checked = 0, cbc = 0;
    for (size_t i = 0; i < n; i++) {
        if (check_fixture(names[i])) {
            checked++;
            cbc += strstr(names[i], "-cbc-") != NULL;
            printf("checked %s\n", names[i]);
        }
    }
    tu_free_list(names, n);
    /* Every recording whose manifest says handshake-ok (27 of the 31; 17 of them CBC):
     * one that stopped being checked must fail here, not shorten the loop. */
    assert_int_equal(checked, 27);
    assert_int_equal(cbc, 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
