#!/usr/bin/env python3
"""hostile_deb.py KIND RELEASE OUT.deb — build a .deb whose data.tar holds one
hostile entry (beside a normal Makefile under usr/src/linux-headers-RELEASE/),
the way an attacker would, without dpkg-deb's checks:

  traversal   a file at usr/src/linux-headers-R/../../../../<outside>/kb-evil
  abslink     usr/src/linux-headers-R/evil -> /etc/passwd
  escape      usr/src/linux-headers-R/evil -> ../../../../../../etc/passwd
  hardlink    usr/src/linux-headers-R/evil hard-linked to /etc/passwd
  device      usr/src/linux-headers-R/evil, a character device (1, 3)
  bomb        usr/src/linux-headers-R/zeros, 300 MiB of zeros (gzip, ~300 KiB)
The OUTSIDE environment variable names the traversal's target directory."""
import gzip, io, os, sys, tarfile, time

kind, rel, out = sys.argv[1:4]
root = f"./usr/src/linux-headers-{rel}"


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def add_file(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mtime = 0
    t.addfile(ti, io.BytesIO(data))


data = io.BytesIO()
with gzip.GzipFile(fileobj=data, mode="wb", compresslevel=1, mtime=0) as gz:
    with tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as t:
        for d in ("./usr", "./usr/src", root):
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            t.addfile(ti)
        add_file(t, root + "/Makefile", b"VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 9\n")
        ti = tarfile.TarInfo(root + "/evil")
        if kind == "traversal":
            outside = os.environ["OUTSIDE"].strip("/")
            add_file(t, root + "/../../../../../../../../" + outside + "/kb-evil", b"pwned\n")
        elif kind == "abslink":
            ti.type, ti.linkname = tarfile.SYMTYPE, "/etc/passwd"
            t.addfile(ti)
        elif kind == "escape":
            ti.type, ti.linkname = tarfile.SYMTYPE, "../../../../../../etc/passwd"
            t.addfile(ti)
        elif kind == "hardlink":
            ti.type, ti.linkname = tarfile.LNKTYPE, "/etc/passwd"
            t.addfile(ti)
        elif kind == "device":
            ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            t.addfile(ti)
        elif kind == "bomb":
            ti = tarfile.TarInfo(root + "/zeros")
            ti.size = 300 << 20
            t.addfile(ti, Zeros(ti.size))
        else:
            sys.exit(f"unknown kind {kind}")

control = io.BytesIO()
with tarfile.open(fileobj=control, mode="w:gz") as t:
    add_file(t, "./control", (f"Package: linux-headers-{rel}\nVersion: 1\nArchitecture: amd64\n"
                              "Maintainer: test <t@kbundle.invalid>\nDescription: hostile\n").encode())


def ar_member(name, payload):
    hdr = f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(payload):<10}`\n".encode()
    return hdr + payload + (b"\n" if len(payload) % 2 else b"")


with open(out, "wb") as f:
    f.write(b"!<arch>\n")
    f.write(ar_member("debian-binary", b"2.0\n"))
    f.write(ar_member("control.tar.gz", control.getvalue()))
    f.write(ar_member("data.tar.gz", data.getvalue()))
