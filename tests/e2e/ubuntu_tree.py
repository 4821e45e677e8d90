#!/usr/bin/env python3
"""ubuntu_tree.py — reshape one real Debian kernel (arch headers, -common
headers, kbuild, image) into the package trees of an Ubuntu kernel, so the
Ubuntu-layout e2e mirror carries content that really builds modules.

usage: ubuntu_tree.py SRC OUT ABI INDEP FLAVOUR IMAGE_DEB

  SRC    root where the Debian headers, -common and kbuild .debs were extracted
  OUT    gets indep/, gen/, img/, mod/: the roots of the four packages
  ABI    Ubuntu ABI, e.g. 5.15.0-91; the release is ABI-FLAVOUR
  INDEP  the all-arch package and its /usr/src folder, e.g. linux-headers-5.15.0-91
         or linux-hwe-6.8-headers-6.8.0-40

Ubuntu's layout (debian/scripts/link-headers in Ubuntu's kernel packaging):
/usr/src/INDEP holds the source-side tree; /usr/src/linux-headers-ABI-FLAVOUR
holds what the build made (.config, Module.symvers, include/generated,
include/config, arch/*/include/generated, scripts and tools binaries) and,
for everything else, relative symlinks at the highest missing folder into
../INDEP/…; /lib/modules/ABI-FLAVOUR/build points at it. The release string
is rewritten so a module built against the tree says ABI-FLAVOUR."""
import os
import re
import shutil
import subprocess
import sys
import tarfile


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def copy_file(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
    else:
        shutil.copy2(src, dst)


def one_dir(pattern, base):
    hits = [d for d in sorted(os.listdir(base)) if re.fullmatch(pattern, d)]
    if len(hits) != 1:
        sys.exit(f"ubuntu_tree: want one {pattern} in {base}, found {hits}")
    return os.path.join(base, hits[0])


def main():
    src, out, abi, indep_name, flavour, image_deb = sys.argv[1:7]
    rel = f"{abi}-{flavour}"
    usrsrc = os.path.join(src, "usr/src")
    common = one_dir(r"linux-headers-.*-common", usrsrc)
    arch = one_dir(r"linux-headers-(?!.*-common$).*", usrsrc)
    kbuild = one_dir(r"linux-kbuild-.*", os.path.join(src, "usr/lib"))
    ind = os.path.join(out, "indep/usr/src", indep_name)
    gen = os.path.join(out, "gen/usr/src", f"linux-headers-{rel}")

    # The all-arch tree: Debian's -common, with kbuild's non-binary scripts
    # in place of the symlinks into /usr/lib/linux-kbuild-*.
    shutil.copytree(common, ind, symlinks=True, ignore=lambda d, n: [
        x for x in n if d == common and x in ("scripts", "tools")])
    for dirpath, _, files in os.walk(os.path.join(kbuild, "scripts")):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p) and not is_elf(p):
                copy_file(p, os.path.join(ind, os.path.relpath(p, kbuild)))

    # The flavour tree: what the build made, plus kbuild's binaries.
    shutil.copytree(arch, gen, symlinks=True, ignore=lambda d, n: [
        x for x in n if d == arch and x in ("Makefile", ".kernelvariables", "scripts", "tools")])
    for top in ("scripts", "tools", "certs"):
        for dirpath, _, files in os.walk(os.path.join(kbuild, top)):
            for f in files:
                p = os.path.join(dirpath, f)
                if top != "scripts" or is_elf(p):
                    copy_file(p, os.path.join(gen, os.path.relpath(p, kbuild)))
    abinum = abi.rsplit("-", 1)[1]
    with open(os.path.join(gen, "include/generated/utsrelease.h"), "w") as f:
        f.write(f'#define UTS_RELEASE "{rel}"\n#define UTS_UBUNTU_RELEASE_ABI {abinum}\n')
    with open(os.path.join(gen, "include/config/kernel.release"), "w") as f:
        f.write(rel + "\n")

    # link-headers: every path of the all-arch tree the flavour tree lacks
    # becomes a relative symlink at its highest missing folder.
    for dirpath, dirs, files in os.walk(ind):
        for f in files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
            parts = os.path.relpath(os.path.join(dirpath, f), ind).split(os.sep)
            for i in range(1, len(parts) + 1):
                cand = os.path.join(gen, *parts[:i])
                if os.path.islink(cand):
                    break
                if not os.path.exists(cand):
                    target = "../" * i + indep_name + "/" + "/".join(parts[:i])
                    os.makedirs(os.path.dirname(cand), exist_ok=True)
                    os.symlink(target, cand)
                    break
    build = os.path.join(out, "gen/lib/modules", rel, "build")
    os.makedirs(os.path.dirname(build))
    os.symlink(f"/usr/src/linux-headers-{rel}", build)

    # Image and modules: vmlinuz in linux-image-unsigned; System.map,
    # config, the module indexes and a few modules in linux-modules.
    img = os.path.join(out, "img")
    mod = os.path.join(out, "mod")
    feed = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", image_deb], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=feed.stdout, mode="r|") as t:
        for m in t:
            name = m.name.lstrip("./")
            b = re.fullmatch(r"boot/(vmlinuz|config|System\.map)-.*", name)
            lm = re.fullmatch(r"(?:usr/)?lib/modules/[^/]+/(modules\.(?:order|builtin|builtin\.modinfo)"
                              r"|kernel/lib/[^/]+\.ko(?:\.xz|\.zst)?)", name)
            if not m.isfile() or not (b or lm):
                continue
            if b:
                dst = os.path.join(img if b.group(1) == "vmlinuz" else mod, "boot", f"{b.group(1)}-{rel}")
            else:
                dst = os.path.join(mod, "lib/modules", rel, lm.group(1))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as w:
                shutil.copyfileobj(t.extractfile(m), w)
            os.chmod(dst, 0o600 if b and b.group(1) == "vmlinuz" else 0o644)
    if feed.wait() != 0:
        sys.exit(f"ubuntu_tree: dpkg-deb --fsys-tarfile {image_deb} failed")
    if not os.path.exists(os.path.join(img, "boot", f"vmlinuz-{rel}")):
        sys.exit(f"ubuntu_tree: no vmlinuz in {image_deb}")


if __name__ == "__main__":
    main()
