#!/usr/bin/env python3
"""hostile_bundle.py KIND ID UNAME OUT.tgz — build a bundle the way an
attacker would: a normal-looking skeleton (BUNDLE_BUILD_DIR, BUNDLE_CHECKSUM
= ID, BUNDLE_DISTRO, BUNDLE_UNAME = UNAME, usr/src/h/Makefile), then one
hostile sequence of entries that every per-entry, lexical check accepts:

  updir-chain      d/up1 -> .., then d/upN -> up{N-1}/.. for N = 2..15 (each
                   one lexically inside d), then the regular file
                   d/up15/tmp/KBUNDLE_VMTEST_ESCAPED: an extractor that
                   follows links writes it into the host's /tmp
  hardlink-symlink a/b/l -> ../.. (the root: inside), then a hard link x to
                   a/b/l: a second name for the symlink, at the root, where
                   ../.. leads out of the tree"""
import io, sys, tarfile

kind, bid, uname, out = sys.argv[1:5]


def add(t, name, data=b"", kind=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.size, ti.mtime = kind, link, len(data), 0
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    t.addfile(ti, io.BytesIO(data) if data else None)


with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as t:
    add(t, "BUNDLE_BUILD_DIR", b"usr/src/h")
    add(t, "BUNDLE_CHECKSUM", bid.encode())
    add(t, "BUNDLE_DISTRO", b"debian")
    add(t, "BUNDLE_UNAME", uname.encode())
    for d in ("usr", "usr/src", "usr/src/h"):
        add(t, d, kind=tarfile.DIRTYPE)
    add(t, "usr/src/h/Makefile", b"VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 9\n")
    if kind == "updir-chain":
        add(t, "d", kind=tarfile.DIRTYPE)
        add(t, "d/up1", kind=tarfile.SYMTYPE, link="..")
        for n in range(2, 16):
            add(t, f"d/up{n}", kind=tarfile.SYMTYPE, link=f"up{n - 1}/..")
        add(t, "d/up15/tmp/KBUNDLE_VMTEST_ESCAPED", b"escaped\n")
    elif kind == "hardlink-symlink":
        for d in ("a", "a/b"):
            add(t, d, kind=tarfile.DIRTYPE)
        add(t, "a/b/l", kind=tarfile.SYMTYPE, link="../..")
        add(t, "x", kind=tarfile.LNKTYPE, link="a/b/l")
    else:
        sys.exit(f"unknown kind {kind}")
