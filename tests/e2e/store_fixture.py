#!/usr/bin/env python3
"""store_fixture.py — small bundles and indexes for the store tests, no real
packages needed:

  bundle OUT.tgz ID UNAME [BUILD_DIR [EXTRA]]
                                       a bundle with the meta files, bundle.json
                                       and usr/src/h/Makefile; BUILD_DIR is
                                       BUNDLE_BUILD_DIR's text (usr/src/h);
                                       EXTRA adds hostile entries:
                                       escape-entry  an absolute symlink whose
                                                     name holds terminal escapes
                                       builddir-link usr/src/k -> a directory
                                                     named with a newline and
                                                     ANSI escapes (BUILD_DIR
                                                     usr/src/k)
  index DIR [--v1] [ID[@PACKER_FORMAT@PACKED_AT]]...
                                       DIR/index.json (and each <id>.tgz.sha256)
                                       for the bundles DIR/<ID>.tgz (all of
                                       them when no ID is given); --v1 writes
                                       the old format (no index_format, no
                                       packer_format or packed_at per entry)
  id SALT                              a manifest-style id (64 hex digits)
  workdir WD SALT UNAME                a work directory WD/bundles/ holding the
                                       bundle of id SALT for UNAME, indexed
                                       (what publish reads); prints the id"""
import hashlib, io, json, os, sys, tarfile


def add(t, name, data=b"", kind=tarfile.REGTYPE):
    ti = tarfile.TarInfo(name)
    ti.type, ti.size, ti.mtime = kind, len(data), 0
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    t.addfile(ti, io.BytesIO(data) if data else None)


EVIL = "x\n\x1b[2J\x1b[31mred"


def bundle(out, bid, uname, build_dir="usr/src/h", extra=""):
    with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as t:
        for k, v in (("BUNDLE_ARCH", "amd64"), ("BUNDLE_BUILD_DIR", build_dir),
                     ("BUNDLE_CHECKSUM", bid), ("BUNDLE_DISTRO", "debian"),
                     ("BUNDLE_MAJOR", "9"), ("BUNDLE_MINOR", "9"), ("BUNDLE_UNAME", uname),
                     ("BUNDLE_VERSION", "9")):
            add(t, k, v.encode("utf-8", "surrogateescape"))
        add(t, "bundle.json", json.dumps({"id": bid, "uname": uname}).encode())
        for d in ("usr", "usr/src", "usr/src/h"):
            add(t, d, kind=tarfile.DIRTYPE)
        add(t, "usr/src/h/Makefile", b"VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 9\n")
        if extra == "escape-entry":
            ti = tarfile.TarInfo("usr/src/h/\x1b[31mevil\x1b[0m")
            ti.type, ti.linkname = tarfile.SYMTYPE, "/etc/passwd"
            t.addfile(ti)
        elif extra == "builddir-link":
            add(t, "usr/src/" + EVIL, kind=tarfile.DIRTYPE)
            add(t, "usr/src/" + EVIL + "/Makefile", b"VERSION = 9\n")
            ti = tarfile.TarInfo("usr/src/k")
            ti.type, ti.linkname = tarfile.SYMTYPE, EVIL
            t.addfile(ti)
        elif extra:
            sys.exit(f"unknown extra {extra}")


def meta(path, name):
    try:
        with tarfile.open(path) as t:
            return t.extractfile(name).read().decode()
    except tarfile.ReadError:	# not a bundle: a blob for the transfer tests
        return "9.9.9-blob-amd64"


def index(d, args):
    v1 = "--v1" in args
    args = [a for a in args if a != "--v1"]
    if not args:
        args = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".tgz"))
    out = []
    for a in args:
        bid, *order = a.split("@")
        p = os.path.join(d, bid + ".tgz")
        sha = hashlib.sha256(open(p, "rb").read()).hexdigest()
        with open(p + ".sha256", "w") as f:
            f.write(f"{sha}  {bid}.tgz\n")
        e = {"id": bid, "distro": "debian", "uname": meta(p, "BUNDLE_UNAME"), "arch": "amd64",
             "sha256": sha, "size": os.path.getsize(p)}
        if order and not v1:
            e["packer_format"], e["packed_at"] = int(order[0]), order[1]
        out.append(e)
    top = {"packer_format": 1, "bundles": out}
    if not v1:
        top = {"index_format": 2, **top}
    json.dump(top, open(os.path.join(d, "index.json"), "w"), indent=1)


def fixture_id(salt):
    return hashlib.sha256(("kbundle-bundle-v1\n" + salt + "\n").encode()).hexdigest()


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "bundle":
    bundle(*args)
elif cmd == "index":
    index(args[0], args[1:])
elif cmd == "id":
    print(fixture_id(args[0]))
elif cmd == "workdir":
    wd, salt, uname = args
    bid, d = fixture_id(salt), os.path.join(wd, "bundles")
    os.makedirs(d, exist_ok=True)
    bundle(os.path.join(d, bid + ".tgz"), bid, uname)
    index(d, [])
    print(bid)
else:
    sys.exit(f"unknown command {cmd}")
