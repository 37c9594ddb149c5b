#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Derives the affine maps that let AES-NI compute the SM4 S-box.

Both S-boxes are affine maps around inversion in GF(2^8), but in different
fields: SM4's S(x) = A*inv(A*x + C) + C in GF(2)[x]/(x^8+x^7+x^6+x^5+x^4+x^2+1)
with A the circulant matrix of 0xA7 and C = 0xD3 (Liu, Ji and others'
algebraic description), AES's S'(y) = M*inv'(y) + 0x63 in
GF(2)[x]/(x^8+x^4+x^3+x+1). With a field isomorphism phi (phi(inv(z)) =
inv'(phi(z))), linear over GF(2):

    S(x) = A * phi^-1 * M^-1 * (S'(phi*A*x + phi*C) + 0x63) + C

so S = OUT o S' o IN with two affine maps IN and OUT. The script checks the
formula against the first row of the published SM4 S-box and the composite
against the formula for all 256 inputs, then prints each affine map as two
16-entry tables (low nibble with the constant, high nibble) for PSHUFB, plus
the tables of the transformed round (see the comment in main, checked on
random words against the definition of SM4's T).
Usage: scripts/derive_sm4_affine.py  (prints C initialisers to stdout)
"""

SM4_POLY = 0x1F5
AES_POLY = 0x11B


def gmul(a, b, poly):
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x100:
            a ^= poly
    return r


def gpow(a, e, poly):
    r = 1
    for _ in range(e):
        r = gmul(r, a, poly)
    return r


def ginv(x, poly):
    return 0 if x == 0 else gpow(x, 254, poly)  # x^(2^8 - 2)


def parity(v):
    return bin(v).count("1") & 1


# A matrix is a list of 8 row bytes: output bit i = parity(row[i] & x).
def apply(rows, x):
    return sum(parity(rows[i] & x) << i for i in range(8))


def from_columns(cols):
    """The matrix whose column j (image of bit j) is cols[j]."""
    return [sum(((cols[j] >> i) & 1) << j for j in range(8)) for i in range(8)]


def columns(rows):
    return [apply(rows, 1 << j) for j in range(8)]


def compose(p, q):
    """p after q."""
    return from_columns([apply(p, c) for c in columns(q)])


def invert(rows):
    table = {apply(rows, x): x for x in range(256)}
    assert len(table) == 256, "matrix is singular"
    return from_columns([table[1 << j] for j in range(8)])


def rotl8(v, i):
    return ((v << i) | (v >> (8 - i))) & 0xFF


SM4_A = [rotl8(0xA7, i) for i in range(8)]
SM4_C = 0xD3
AES_M = from_columns([rotl8(0x1F, j) for j in range(8)])  # b ^ b<<<1 ^ ... ^ b<<<4


def sm4_sbox(x):
    return apply(SM4_A, ginv(apply(SM4_A, x) ^ SM4_C, SM4_POLY)) ^ SM4_C


def aes_sbox(y):
    return apply(AES_M, ginv(y, AES_POLY)) ^ 0x63


def isomorphism():
    """phi: SM4 field -> AES field, x^j -> beta^j for a root beta of the SM4 polynomial."""
    for beta in range(2, 256):
        # Evaluate x^8+x^7+x^6+x^5+x^4+x^2+1 at beta in the AES field.
        acc = 0
        for k in range(9):
            if (SM4_POLY >> k) & 1:
                acc ^= gpow(beta, k, AES_POLY)
        if acc == 0:
            return from_columns([gpow(beta, j, AES_POLY) for j in range(8)])
    raise AssertionError("no root")


def main():
    first_row = [0xD6, 0x90, 0xE9, 0xFE, 0xCC, 0xE1, 0x3D, 0xB7,
                 0x16, 0xB6, 0x14, 0xC2, 0x28, 0xFB, 0x2C, 0x05]
    assert [sm4_sbox(x) for x in range(16)] == first_row
    assert [aes_sbox(y) for y in range(4)] == [0x63, 0x7C, 0x77, 0x7B]

    phi = isomorphism()
    for a in range(256):  # phi is a field isomorphism: inversion commutes
        assert apply(phi, ginv(a, SM4_POLY)) == ginv(apply(phi, a), AES_POLY)

    in_m = compose(phi, SM4_A)
    in_c = apply(phi, SM4_C)
    out_m = compose(SM4_A, compose(invert(phi), invert(AES_M)))
    out_c = apply(out_m, 0x63) ^ SM4_C
    for x in range(256):
        y = apply(in_m, x) ^ in_c
        assert apply(out_m, aes_sbox(y)) ^ out_c == sm4_sbox(x)

    def tables(name, m, c):
        lo = [apply(m, n) ^ c for n in range(16)]
        hi = [apply(m, n << 4) for n in range(16)]
        for part, vals in (("lo", lo), ("hi", hi)):
            body = ", ".join("0x%02x" % v for v in vals)
            print("static const uint8_t %s_%s[16] = {%s};" % (name, part, body))

    tables("sbox_in", in_m, in_c)
    tables("sbox_out", out_m, out_c)

    # The rounds keep each state word w as Z = in_m(w) bytewise (no constant),
    # so the S-box input in_m(t) ^ in_c is Z1 ^ Z2 ^ Z3 ^ (in_m(rk) ^ in_c) and
    # the AES S-box applies directly. The round output in_m(L(OUT(s))) then
    # splits into three bytewise affine maps of the AES S-box output s plus
    # byte rotations R8, R16, R24 of the 32-bit word:
    #   rol2(y) byte j = (y_j << 2) ^ (y_{j-1} >> 6), so with A = OUT << 2 and
    #   B = OUT >> 6 (bytewise): rol2(y) = A(s) ^ R8 B(s), and
    #   L(y) = y ^ A ^ R8 (A ^ B) ^ R16 (A ^ B) ^ R24 (y ^ B).
    def out_byte(v):
        return apply(out_m, v) ^ out_c

    def a_map(v):
        return (out_byte(v) << 2) & 0xFF

    def b_map(v):
        return out_byte(v) >> 6

    u_map = lambda v: apply(in_m, out_byte(v) ^ a_map(v))
    v_map = lambda v: apply(in_m, a_map(v) ^ b_map(v))
    w_map = lambda v: apply(in_m, out_byte(v) ^ b_map(v))

    def fn_tables(name, f):
        lo = [f(n) for n in range(16)]
        hi = [f(n << 4) ^ f(0) for n in range(16)]
        for x in range(256):  # f must be affine for the nibble split
            assert f(x) == lo[x & 15] ^ hi[x >> 4]
        for part, vals in (("lo", lo), ("hi", hi)):
            body = ", ".join("0x%02x" % v for v in vals)
            print("static const uint8_t %s_%s[16] = {%s};" % (name, part, body))

    fn_tables("round_u", u_map)
    fn_tables("round_v", v_map)
    fn_tables("round_w", w_map)
    in_inv = invert(in_m)
    fn_tables("leave", lambda v: apply(in_inv, v))

    # GFNI (GF2P8AFFINEQB / GF2P8AFFINEINVQB): per byte x, output bit i is
    # parity(row_i & x) ^ b_i, with row_i in byte 7-i of the 64-bit matrix; the
    # INV form first inverts x in the AES field. The round parts as functions
    # of inv(z): f(AES_S(z)) = f(M * inv(z) ^ 0x63).
    def gfni_qword(f):
        c = f(0)
        cols = [f(1 << j) ^ c for j in range(8)]
        rows = from_columns(cols)
        for x in range(256):
            assert apply(rows, x) ^ c == f(x)
        return sum(rows[i] << (8 * (7 - i)) for i in range(8)), c

    def after_inverse(f):
        return lambda i: f(apply(AES_M, i) ^ 0x63)

    for name, f in (("enter", lambda v: apply(in_m, v)), ("leave", lambda v: apply(in_inv, v)),
                    ("round_u", after_inverse(u_map)), ("round_v", after_inverse(v_map)),
                    ("round_w", after_inverse(w_map))):
        q, c = gfni_qword(f)
        print("#define GFNI_%s_MATRIX 0x%016xull" % (name.upper(), q))
        print("#define GFNI_%s_CONST 0x%02x" % (name.upper(), c))

    # Check one round in the Z domain against the definition, word by word.
    def word_map(f, w):
        return sum(f((w >> (8 * j)) & 0xFF) << (8 * j) for j in range(4))

    def rot(w, n):
        return ((w << n) | (w >> (32 - n))) & 0xFFFFFFFF

    def lin_l(y):
        return y ^ rot(y, 2) ^ rot(y, 10) ^ rot(y, 18) ^ rot(y, 24)

    import random
    rng = random.Random(1)
    for _ in range(2000):
        t = rng.getrandbits(32)
        want = word_map(lambda v: apply(in_m, v), lin_l(word_map(sm4_sbox, t)))
        s = word_map(aes_sbox, word_map(lambda v: apply(in_m, v) ^ in_c, t))
        u, v, w = word_map(u_map, s), word_map(v_map, s), word_map(w_map, s)
        assert u ^ rot(v, 8) ^ rot(v, 16) ^ rot(w, 24) == want


if __name__ == "__main__":
    main()
