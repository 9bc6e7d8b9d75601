"""Checks an archive with Python's own readers (zipfile, tarfile), nothing
of ours: every member's data is read and its CRC checked (zip), and each
member is printed as `kind size name-in-hex`, one a line, in archive
order, then `ok`. Exit 1 with the reason when the archive is not valid.

usage: archive_check.py zip|tar FILE
"""

import sys
import tarfile
import zipfile


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad is not None:
            sys.exit(f"bad CRC in {bad!r}")
        for info in z.infolist():
            # Names without the UTF-8 flag are taken as cp437 by zipfile;
            # encoding back gives the bytes that were stored.
            raw = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
            kind = "dir" if info.is_dir() else "file"
            yield kind, info.file_size, raw


def tar_members(path):
    with tarfile.open(path, encoding="utf-8", errors="surrogateescape") as t:
        for m in t:
            raw = m.name.encode("utf-8", "surrogateescape")
            if m.isdir():
                yield "dir", 0, raw + b"/"
            elif m.isfile():
                f = t.extractfile(m)
                n = 0
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    n += len(chunk)
                if n != m.size:
                    sys.exit(f"{raw!r}: read {n} of {m.size}")
                yield "file", m.size, raw
            else:
                sys.exit(f"{raw!r}: unexpected member type {m.type!r}")


def main():
    kind, path = sys.argv[1], sys.argv[2]
    members = zip_members(path) if kind == "zip" else tar_members(path)
    for k, size, raw in members:
        print(k, size, raw.hex())
    print("ok")


main()
