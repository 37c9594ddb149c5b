#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the libFuzzer seed corpora tests/fuzz/corpus/<target>/ from the
recorded interop traffic in tests/data/interop .

Every connection of every fixture is split into records; the plaintext
handshake before each ChangeCipherSpec is split into messages, and the
protected records after it are decrypted with the key block from keylog.txt.
From that each target gets the inputs it takes (see tests/fuzz/harness.h and
docs/FUZZING.md):

  client_hello ... finished   handshake message bodies (no 4-byte header)
  trace                       flags(1) | suite(2) | whole handshake message
  record                      mode(1) | transport(1) | record stream, where the
                              protected streams are re-encrypted under the
                              harness's fixed keys (harness_record.c)
  x509_cert                   certificate files: the recorded PEM files and
                              every DER certificate sent in a handshake
  pkey                        key files: each recorded key as PKCS#8 PEM/DER,
                              SEC1, encrypted PKCS#8 (passphrase "fuzz"),
                              SubjectPublicKeyInfo and raw point
  x509_verify                 Certificate message bodies
  server, client              flags(1) | transport(1) | the peer's recorded stream
                              (client's for the server target and vice versa)
  sm2                         00 | ECC ClientKeyExchange ciphertext, or
                              01 | a recorded signature (SKE, CertificateVerify)
  alpn                        00 | a ClientHello's ALPN data, or
                              01 | a ServerHello's (extension 16)
  server_name                 a ClientHello's server_name data (extension 0)

plus a few hand-made edge cases per target. File names are the SHA-1 of the
content (as libFuzzer names its own finds), so the output is deterministic
and duplicates collapse. The script replaces the generated folders wholly.

The endpoint targets also get "gen-*" seeds from tests/fuzz/seedgen.c (the
libtlcp client and server harnesses played against each other): those depend
on OpenSSL's random SM2 nonces, so they are only rewritten when asked for
with --endpoints and otherwise kept as committed (and ignored by --check).
Inputs merged back from fuzzing runs (scripts/fuzz.sh with FUZZ_MERGE=1) are
"found-*" files, always kept and ignored by --check.

Usage: scripts/fuzz-corpus.py [--check] [--endpoints build-fuzz/tests/fuzz/fuzz-seedgen]
  --check       fail if the committed corpus differs from what the recordings
                give; write nothing
  --endpoints   regenerate the gen-* endpoint seeds with that generator
"""
import hashlib
import hmac
import os
import shutil
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, 'tests', 'data')
INTEROP = os.path.join(DATA, 'interop')
CORPUS = os.path.join(REPO, 'tests', 'fuzz', 'corpus')

GCM_SUITES = {0xE051, 0xE053, 0xE059}
MSG_TARGETS = {1: 'client_hello', 2: 'server_hello', 11: 'certificate',
               12: 'server_key_exchange', 13: 'certificate_request',
               15: 'certificate_verify', 16: 'client_key_exchange', 20: 'finished',
               14: 'finished'}  # ServerHelloDone is checked by the finished harness

# The record harness's fixed keys (tests/fuzz/harness_record.c must agree).
REC_MAC_KEY = bytes(range(32))
REC_KEY = bytes(0x40 + i for i in range(16))
REC_IV = bytes(0x80 + i for i in range(16))
REC_MODE_NULL, REC_MODE_CBC, REC_MODE_GCM = 0, 1, 2  # + 2: pending until the CCS
ENDPOINT_MAX_RECORDS = 16  # a whole handshake and some application data
REC_MAX_RECORDS = 6          # keeps the seeds small: a flight or two each
VERSION = b'\x01\x01'


def sm3(data):
    return hashlib.new('sm3', data).digest()


def prf(secret, label, seed, n):
    seed = label + seed
    out, a = b'', seed
    while len(out) < n:
        a = hmac.new(secret, a, 'sm3').digest()
        out += hmac.new(secret, a + seed, 'sm3').digest()
    return out[:n]


def split_records(data):
    """[(type, fragment, raw record bytes)]; stops at the first broken header."""
    recs, off = [], 0
    while off + 5 <= len(data):
        n = int.from_bytes(data[off + 3:off + 5], 'big')
        if off + 5 + n > len(data):
            break
        recs.append((data[off], data[off + 5:off + 5 + n], data[off:off + 5 + n]))
        off += 5 + n
    return recs


def split_messages(buf):
    msgs, off = [], 0
    while off + 4 <= len(buf):
        n = int.from_bytes(buf[off + 1:off + 4], 'big')
        if off + 4 + n > len(buf):
            break
        msgs.append(buf[off:off + 4 + n])
        off += 4 + n
    return msgs


def hello_fields(msg):
    """(random, suite-or-None) of a ClientHello/ServerHello message."""
    body = msg[4:]
    random = body[2:34]
    sid_len = body[34]
    suite = int.from_bytes(body[35 + sid_len:37 + sid_len], 'big') if msg[0] == 2 else None
    return random, suite


def read_keylog(path):
    keys = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 3 and parts[0] == 'CLIENT_RANDOM':
                keys[bytes.fromhex(parts[1])] = bytes.fromhex(parts[2])
    return keys


class Direction:
    """One direction of one connection: plaintext before CCS, decrypted after."""

    def __init__(self, raw):
        self.recs = split_records(raw)
        self.plain_prefix = []   # raw records before the CCS
        self.hs_plain = b''      # handshake bytes before the CCS
        self.after = []          # (type, plaintext) after the CCS, while decryptable
        ccs = False
        for t, frag, whole in self.recs:
            if ccs:
                self.after.append((t, frag))
                continue
            if t == 20:
                ccs = True
                self.after.append((t, frag))
                continue
            self.plain_prefix.append(whole)
            if t == 22:
                self.hs_plain += frag

    def decrypt(self, keys, gcm):
        """Replaces the protected records by their plaintexts (up to the first failure)."""
        mac_key, key, salt = keys
        out, seq = [], 0
        for i, (t, frag) in enumerate(self.after):
            if i == 0:  # the CCS itself
                out.append((t, frag))
                continue
            s = seq.to_bytes(8, 'big')
            seq += 1
            try:
                if gcm:
                    ct, tag = frag[8:-16], frag[-16:]
                    d = Cipher(algorithms.SM4(key), modes.GCM(salt + frag[:8], tag)).decryptor()
                    d.authenticate_additional_data(s + bytes([t]) + VERSION +
                                                   len(ct).to_bytes(2, 'big'))
                    data = d.update(ct) + d.finalize()
                else:
                    d = Cipher(algorithms.SM4(key), modes.CBC(frag[:16])).decryptor()
                    p = d.update(frag[16:]) + d.finalize()
                    p = p[:-p[-1] - 1]
                    data, mac = p[:-32], p[-32:]
                    want = hmac.new(mac_key, s + bytes([t]) + VERSION +
                                    len(data).to_bytes(2, 'big') + data, 'sm3').digest()
                    if want != mac:
                        break
            except Exception:
                break
            out.append((t, data))
        self.after = out


def key_blocks(master, client_random, server_random, gcm):
    """(client_write, server_write) as (mac_key, key, salt)."""
    if gcm:
        kb = prf(master, b'key expansion', server_random + client_random, 40)
        return (b'', kb[0:16], kb[32:36]), (b'', kb[16:32], kb[36:40])
    kb = prf(master, b'key expansion', server_random + client_random, 128)
    return (kb[0:32], kb[64:80], b''), (kb[32:64], kb[80:96], b'')


def protect(records, mode):
    """The plaintext records as a stream under the fixed record keys, seq from 0."""
    out = b''
    for seq, (t, data) in enumerate(records):
        s = seq.to_bytes(8, 'big')
        if mode == REC_MODE_GCM:
            explicit = s
            e = Cipher(algorithms.SM4(REC_KEY), modes.GCM(REC_IV[:4] + explicit)).encryptor()
            e.authenticate_additional_data(s + bytes([t]) + VERSION + len(data).to_bytes(2, 'big'))
            frag = explicit + e.update(data) + e.finalize() + e.tag
        else:
            iv = sm3(b'iv' + s)[:16]
            mac = hmac.new(REC_MAC_KEY, s + bytes([t]) + VERSION + len(data).to_bytes(2, 'big') +
                           data, 'sm3').digest()
            p = data + mac
            pad = 15 - len(p) % 16
            p += bytes([pad]) * (pad + 1)
            e = Cipher(algorithms.SM4(REC_KEY), modes.CBC(iv)).encryptor()
            frag = iv + e.update(p) + e.finalize()
        out += bytes([t]) + VERSION + len(frag).to_bytes(2, 'big') + frag
    return out


def connection_files(fx):
    names = sorted(os.listdir(fx))
    conns = sorted({n.split('-')[0] for n in names if n.startswith('conn') and n.endswith('-c2s.bin')})
    if conns:
        return [(c + '-c2s.bin', c + '-s2c.bin') for c in conns]
    return [('c2s.bin', 's2c.bin')]


class Corpus:
    def __init__(self):
        self.files = {}  # target -> {name: bytes}

    def add(self, target, data):
        self.files.setdefault(target, {})[hashlib.sha1(data).hexdigest()] = data


def add_connection(corpus, fx, c2s_name, s2c_name, keylog):
    cd = Direction(open(os.path.join(fx, c2s_name), 'rb').read())
    sd = Direction(open(os.path.join(fx, s2c_name), 'rb').read())
    cmsgs, smsgs = split_messages(cd.hs_plain), split_messages(sd.hs_plain)
    ch = next((m for m in cmsgs if m[0] == 1), None)
    sh = next((m for m in smsgs if m[0] == 2), None)
    if ch is None or sh is None:
        return
    client_random, _ = hello_fields(ch)
    server_random, suite = hello_fields(sh)
    gcm = suite in GCM_SUITES
    master = keylog.get(client_random)
    if master is not None:
        cw, sw = key_blocks(master, client_random, server_random, gcm)
        cd.decrypt(cw, gcm)
        sd.decrypt(sw, gcm)
    else:
        cd.after, sd.after = cd.after[:1], sd.after[:1]
    # Whole endpoints: the client's stream for the server target and the other
    # way round; flag bit 0 = client authentication in this connection.
    auth = 1 if any(m[0] == 13 for m in smsgs) else 0
    for target, raw in (('server', cd), ('client', sd)):
        corpus.add(target, bytes([auth, 0]) + b''.join(w for _, _, w in raw.recs[:ENDPOINT_MAX_RECORDS]))
    for d, msgs, flags in ((cd, cmsgs, 0x01), (sd, smsgs, 0x00)):
        enc_hs = b''.join(data for t, data in d.after if t == 22)
        for msg in msgs + split_messages(enc_hs):
            if msg[0] in MSG_TARGETS:
                corpus.add(MSG_TARGETS[msg[0]], msg[4:])
            add_derived(corpus, msg, suite)
            add_extensions(corpus, msg)
            corpus.add('trace', bytes([flags]) + suite.to_bytes(2, 'big') + msg)
            if msg[0] in (1, 2):  # hellos also with the suite not yet known
                corpus.add('trace', bytes([flags | 0x04, 0, 0]) + msg)
        # Record layer: the plaintext start in the null state, the rest re-protected.
        corpus.add('record', bytes([REC_MODE_NULL, 0]) + b''.join(d.plain_prefix[:REC_MAX_RECORDS]))
        # application data cut to 1 KiB: big seeds only slow the mutations down
        protected = [(t, data[:1024] if t == 23 else data)
                     for t, data in d.after[1:1 + REC_MAX_RECORDS]]
        if protected:
            mode = REC_MODE_GCM if gcm else REC_MODE_CBC
            corpus.add('record', bytes([mode, 0]) + protect(protected, mode))
            # the same after the end of the plaintext flight and a CCS (keys pending)
            corpus.add('record', bytes([mode + 2, 0]) + b''.join(d.plain_prefix[-2:]) +
                       b'\x14\x01\x01\x00\x01\x01' + protect(protected, mode))


ECDHE_SUITES = {0xE011, 0xE051}


def u16_vector(b):
    n = int.from_bytes(b[:2], 'big')
    return b[2:2 + n] if len(b) >= 2 + n else None


def hello_extensions(msg):
    """(type, data) of each extension of a ClientHello or ServerHello."""
    body = msg[4:]
    off = 2 + 32
    off += 1 + body[off]
    if msg[0] == 1:
        off += 2 + int.from_bytes(body[off:off + 2], 'big')
        off += 1 + body[off]
    else:
        off += 3
    if off + 2 > len(body):
        return []
    end = off + 2 + int.from_bytes(body[off:off + 2], 'big')
    off += 2
    exts = []
    while off + 4 <= end:
        t = int.from_bytes(body[off:off + 2], 'big')
        n = int.from_bytes(body[off + 2:off + 4], 'big')
        exts.append((t, body[off + 4:off + 4 + n]))
        off += 4 + n
    return exts


def add_extensions(corpus, msg):
    """The ALPN and server_name data of the recorded hellos."""
    if msg[0] not in (1, 2):
        return
    for t, data in hello_extensions(msg):
        if t == 16:
            corpus.add('alpn', bytes([0 if msg[0] == 1 else 1]) + data)
        elif t == 0 and msg[0] == 1:
            corpus.add('server_name', data)


def add_derived(corpus, msg, suite):
    """Inputs of the x509 and sm2 targets found inside one handshake message."""
    body = msg[4:]
    if msg[0] == 11:
        corpus.add('x509_verify', body)
        off = 3
        while off + 3 <= len(body):
            n = int.from_bytes(body[off:off + 3], 'big')
            corpus.add('x509_cert', body[off + 3:off + 3 + n])
            off += 3 + n
    elif msg[0] == 16 and suite not in ECDHE_SUITES and suite not in (0xE019, 0xE059):
        ct = u16_vector(body)
        if ct:
            corpus.add('sm2', b'\x00' + ct)
    elif msg[0] == 12:
        sig = u16_vector(body[69:] if suite in ECDHE_SUITES else body)
        if sig and suite not in (0xE019, 0xE059):
            corpus.add('sm2', b'\x01' + sig)
    elif msg[0] == 15:
        sig = u16_vector(body)
        if sig:
            corpus.add('sm2', b'\x01' + sig)


def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + length + content


def oid(dotted):
    parts = [int(x) for x in dotted.split('.')]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return der(0x06, out)


def encrypted_pkcs8(pkcs8_der, passphrase, seed):
    """PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC) with salt and IV
    derived from `seed`, so the output is reproducible (openssl picks them at random)."""
    salt, iv = sm3(b'salt' + seed)[:16], sm3(b'iv' + seed)[:16]
    iterations = 2048
    key = hashlib.pbkdf2_hmac('sha256', passphrase, salt, iterations, 32)
    pad = 16 - len(pkcs8_der) % 16
    e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = e.update(pkcs8_der + bytes([pad]) * pad) + e.finalize()
    kdf = der(0x30, oid('1.2.840.113549.1.5.12') + der(0x30, der(0x04, salt) +
              der(0x02, iterations.to_bytes(2, 'big')) +
              der(0x30, oid('1.2.840.113549.2.9') + b'\x05\x00')))
    enc = der(0x30, oid('2.16.840.1.101.3.4.1.42') + der(0x04, iv))
    alg = der(0x30, oid('1.2.840.113549.1.5.13') + der(0x30, kdf + enc))
    return der(0x30, alg + der(0x04, ct))


def pem(label, data):
    import base64
    b = base64.b64encode(data).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return ('-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label)).encode()


def openssl(args, data):
    return subprocess.run(['openssl'] + args, input=data, capture_output=True, check=True).stdout


def add_files(corpus):
    """Certificate and key files of the recordings (each distinct file once)."""
    keys = {}
    for name in sorted(os.listdir(INTEROP)):
        fx = os.path.join(INTEROP, name)
        if not os.path.isdir(fx):
            continue
        for f in sorted(os.listdir(fx)):
            data = open(os.path.join(fx, f), 'rb').read()
            if f.endswith('.pem'):
                corpus.add('x509_cert', data)
            elif f.endswith('.key'):
                keys[hashlib.sha1(data).hexdigest()] = data
    for digest in sorted(keys):
        key = keys[digest]
        corpus.add('pkey', key)
        p8 = openssl(['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], key)
        corpus.add('pkey', p8)
        corpus.add('pkey', openssl(['pkey', '-outform', 'DER'], key))  # SEC1 for EC keys
        corpus.add('pkey', pem('ENCRYPTED PRIVATE KEY', encrypted_pkcs8(p8, b'fuzz', p8)))
        corpus.add('pkey', encrypted_pkcs8(p8, b'fuzz', p8 + b'der'))
        corpus.add('pkey', openssl(['pkey', '-pubout'], key))
        if b'BEGIN PRIVATE KEY' in key and len(p8) < 200:  # SM2/EC, not RSA
            corpus.add('pkey', openssl(['ec', '-outform', 'PEM'], key))
            spki = openssl(['pkey', '-pubout', '-outform', 'DER'], key)
            corpus.add('pkey', spki[-65:])


def add_edge_cases(corpus):
    """Shapes the recordings lack: limits, empties, the other key-exchange forms."""
    point = b'\x04' + bytes(range(1, 65))
    params = b'\x03\x00\x29\x41' + point
    corpus.add('client_key_exchange', params)                    # ECDHE form A
    corpus.add('client_key_exchange', b'\x00\x45' + params)      # ECDHE form B
    corpus.add('client_key_exchange', b'\x03\x00\x1e\x41' + point)  # GmSSL 2 curve 30
    corpus.add('server_key_exchange', params + b'\x00\x01\x30')
    corpus.add('certificate', b'\x00\x00\x00')                    # no certificate
    corpus.add('alpn', b'\x00\x00\x0c\x02h2\x08http/1.1')        # two names
    corpus.add('alpn', b'\x00\x01\x00\xff' + b'p' * 255)          # a 255-byte name
    corpus.add('alpn', b'\x00\x00\x01\x00')                      # an empty name
    corpus.add('alpn', b'\x01\x00\x03\x02h2')                     # an answer
    corpus.add('server_name', b'\x00\x00')                        # empty list
    corpus.add('server_name', b'\x00\x0c\x01\x00\x01x\x00\x00\x05a.b.c')  # other type first
    corpus.add('certificate', b'\x00\x00\x28' + b'\x00\x00\x01\x30' * 10)  # ten, the maximum
    corpus.add('certificate_request', b'\x01\x40\x00\x00')
    corpus.add('finished', bytes(12))
    corpus.add('finished', b'')
    sid = bytes(32)
    hello = b'\x01\x01' + bytes(32) + b'\x20' + sid
    suites = b''.join((0xE000 + i).to_bytes(2, 'big') for i in range(256))
    corpus.add('client_hello', hello + b'\x02\x00' + suites + b'\x01\x00')
    corpus.add('server_hello', hello + b'\xe0\x13\x00\x00\x00')  # empty extension block
    # Record layer edge cases: an alert, an empty-record run, 1-byte transport reads.
    corpus.add('record', bytes([REC_MODE_NULL, 0]) + b'\x15\x01\x01\x00\x02\x01\x00')
    corpus.add('record', bytes([REC_MODE_NULL, 0]) + b'\x17\x01\x01\x00\x00' * 40)
    corpus.add('record', bytes([REC_MODE_CBC, 1]) +
               protect([(23, b'x' * 100), (21, b'\x01\x00')], REC_MODE_CBC))
    corpus.add('record', bytes([REC_MODE_GCM, 3]) +
               protect([(22, b'\x14\x00\x00\x0c' + bytes(12)), (23, b'')], REC_MODE_GCM))


def ks_request(op, payload, name=b'default', rid=1, version=1):
    """A key-server request frame (docs/KEYSERVER.md), time 1.8e12 ms."""
    body = (bytes([version, op]) + rid.to_bytes(8, 'big') + (1800000000000).to_bytes(8, 'big') +
            bytes(range(16)) + bytes([len(name)]) + name + payload)
    return len(body).to_bytes(4, 'big') + body


def ks_response(status, result, rid=1):
    body = bytes([1, status]) + rid.to_bytes(8, 'big') + result
    return len(body).to_bytes(4, 'big') + body


def add_ks_frames(corpus):
    """tlcp keyserver frames: each operation, a pipelined pair, refusals."""
    point = b'\x04' + bytes(range(1, 65))
    ident = bytes([16]) + b'1234567812345678'
    kx = b'\x01\x30' + bytes(range(32)) + point + point + ident + ident
    sign = ks_request(1, bytes(range(32)))
    corpus.add('ks_frame', b'\x00' + sign)
    corpus.add('ks_frame', b'\x00' + ks_request(2, b'\x00\x10' + b'1234567812345678' + b'msg'))
    corpus.add('ks_frame', b'\x00' + ks_request(3, bytes(range(120))))
    corpus.add('ks_frame', b'\x00' + ks_request(4, kx, name=b'k' * 64))
    corpus.add('ks_frame', b'\x00' + sign + ks_request(3, b'\x30\x00', rid=2))
    corpus.add('ks_frame', b'\x00' + ks_request(9, b''))                 # unknown op
    corpus.add('ks_frame', b'\x00' + ks_request(1, bytes(32), version=2))  # bad version
    corpus.add('ks_frame', b'\x00' + sign[:-5])                          # truncated
    corpus.add('ks_frame', b'\x01' + ks_response(0, bytes(72)))
    corpus.add('ks_frame', b'\x01' + ks_response(4, b'', rid=7) + ks_response(0, b'\x30\x02'))


def build():
    corpus = Corpus()
    for name in sorted(os.listdir(INTEROP)):
        fx = os.path.join(INTEROP, name)
        if not os.path.isdir(fx):
            continue
        keylog = read_keylog(os.path.join(fx, 'keylog.txt'))
        for c2s, s2c in connection_files(fx):
            add_connection(corpus, fx, c2s, s2c, keylog)
    add_files(corpus)
    add_edge_cases(corpus)
    add_ks_frames(corpus)
    return corpus


GEN_PREFIX = 'gen-'
FOUND_PREFIX = 'found-'
KEPT_PREFIXES = (GEN_PREFIX, FOUND_PREFIX)


def add_generated(corpus, seedgen):
    out = subprocess.run([seedgen], capture_output=True, check=True, text=True).stdout
    for line in out.splitlines():
        target, hexdata = line.split()
        data = bytes.fromhex(hexdata)
        corpus.files.setdefault(target, {})[GEN_PREFIX + hashlib.sha1(data).hexdigest()] = data


def keep_generated(corpus, root):
    """The committed gen-* seeds stay unless they are being regenerated, and
    found-* inputs (merged from fuzzing runs by FUZZ_MERGE=1) always stay."""
    for target in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        d = os.path.join(root, target)
        regenerating = any(n.startswith(GEN_PREFIX) for n in corpus.files.get(target, {}))
        for name in os.listdir(d):
            if name.startswith(FOUND_PREFIX) or (name.startswith(GEN_PREFIX) and not regenerating):
                corpus.files.setdefault(target, {})[name] = open(os.path.join(d, name), 'rb').read()


def write(corpus, root):
    for target in sorted(corpus.files):
        d = os.path.join(root, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in sorted(corpus.files[target].items()):
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


def same_tree(a, b):
    for dirpath, _, files in os.walk(a):
        other = os.path.join(b, os.path.relpath(dirpath, a))
        if not os.path.isdir(other):
            return False
        theirs = [n for n in os.listdir(other) if not n.startswith(KEPT_PREFIXES)]
        files = [n for n in files if not n.startswith(KEPT_PREFIXES)]
        if sorted(theirs) != sorted(files):
            return False
        for f in files:
            if open(os.path.join(dirpath, f), 'rb').read() != open(os.path.join(other, f), 'rb').read():
                return False
    return True


def main():
    if not os.path.isdir(INTEROP):
        sys.exit("fuzz-corpus: no recordings at %s (the repository's tests/data/interop)" % INTEROP)
    corpus = build()
    if '--check' in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            write(corpus, tmp)
            ok = all(same_tree(os.path.join(tmp, t), os.path.join(CORPUS, t)) for t in corpus.files)
        print('fuzz-corpus: committed corpus is %s' % ('up to date' if ok else 'STALE'))
        sys.exit(0 if ok else 1)
    if '--endpoints' in sys.argv[1:]:
        add_generated(corpus, sys.argv[sys.argv.index('--endpoints') + 1])
    keep_generated(corpus, CORPUS)
    write(corpus, CORPUS)
    total = 0
    for target in sorted(corpus.files):
        size = sum(len(v) for v in corpus.files[target].values())
        total += size
        print('%-22s %4d files %8d bytes' % (target, len(corpus.files[target]), size))
    print('%-22s %4s       %8d bytes' % ('total', '', total))


if __name__ == '__main__':
    main()
