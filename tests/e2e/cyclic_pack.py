#!/usr/bin/env python3
"""cyclic_pack.py OBJDIR CONTENT_A CONTENT_B: writes into OBJDIR/pack a pack
and its v2 .idx holding blobs A and B as REF_DELTAs of each other (a cycle no
object of the pack resolves), as a copied or hand-made repository can hold.
Prints the ids of A and B."""
import hashlib, struct, sys, zlib

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def header(kind, size):
    b = [(kind << 4) | (size & 15)]
    size >>= 4
    while size:
        b[-1] |= 0x80
        b.append(size & 0x7f)
        size >>= 7
    return bytes(b)

objdir, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
oid = lambda c: hashlib.sha1(b"blob %d\0" % len(c) + c).digest()
ida, idb = oid(a), oid(b)

def ref_delta(target, base, base_id):
    delta = varint(len(base)) + varint(len(target))
    for i in range(0, len(target), 127):  # insert opcodes carry up to 127 bytes
        chunk = target[i:i + 127]
        delta += bytes([len(chunk)]) + chunk
    return header(7, len(delta)) + base_id + zlib.compress(delta)

entries = [(ida, ref_delta(a, b, idb)), (idb, ref_delta(b, a, ida))]
pack = bytearray(b"PACK" + struct.pack(">II", 2, len(entries)))
rows = []
for i, raw in entries:
    rows.append((i, len(pack), zlib.crc32(raw) & 0xffffffff))
    pack += raw
pack += hashlib.sha1(pack).digest()
rows.sort()
idx = bytearray(b"\xfftOc" + struct.pack(">I", 2))
for byte in range(256):
    idx += struct.pack(">I", sum(1 for r in rows if r[0][0] <= byte))
for r in rows: idx += r[0]
for r in rows: idx += struct.pack(">I", r[2])
for r in rows: idx += struct.pack(">I", r[1])
idx += pack[-20:]
idx += hashlib.sha1(idx).digest()
name = pack[-20:].hex()
open("%s/pack/pack-%s.pack" % (objdir, name), "wb").write(pack)
open("%s/pack/pack-%s.idx" % (objdir, name), "wb").write(idx)
print(ida.hex(), idb.hex())
