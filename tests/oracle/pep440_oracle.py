"""Batch oracle for the Pep440 scheme: Debian's python3-packaging.

stdin: "HEX(a) HEX(b)" per line (UTF-8). stdout per line:
"VALID_A VALID_B CMP HEX(str(a)) HEX(str(b))", validity as 1/0, CMP as
-1/0/1 or x, and "-" for the normal form of a version that does not parse.
Run with Debian's /usr/bin/python3, not a virtualenv's.
"""
import sys

from packaging.version import InvalidVersion, Version


def parse(text):
    try:
        return Version(text)
    except InvalidVersion:
        return None


def main():
    out = []
    for line in sys.stdin.buffer.read().decode("ascii").splitlines():
        if not line:
            continue
        ha, hb = line.split(" ")
        a = bytes.fromhex(ha).decode("utf-8")
        b = bytes.fromhex(hb).decode("utf-8")
        va, vb = parse(a), parse(b)
        if va is not None and vb is not None:
            cmp = "-1" if va < vb else ("1" if va > vb else "0")
        else:
            cmp = "x"
        norm_a = str(va).encode("utf-8").hex() if va is not None else "-"
        norm_b = str(vb).encode("utf-8").hex() if vb is not None else "-"
        out.append(f"{int(va is not None)} {int(vb is not None)} {cmp} {norm_a} {norm_b}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
