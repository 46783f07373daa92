#!/usr/bin/env python3
"""Writes a zip of COUNT OSV JSON records for the ingest benchmark.

The records are the real OSV records of the advisory fixtures (RustSec, PyPA, Go),
taken in turn; copies beyond the first get a suffix on their id, aliases and
package names (and purls), so every record is distinct and names other packages.

usage: gen_osv_zip.py OUT COUNT ZIP...
"""

import json
import sys
import zipfile


def real_records(paths):
    records = []
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if name.endswith(".json"):
                    records.append(json.loads(z.read(name)))
    return records


def varied(record, copy):
    if copy == 0:
        return record
    suffix = f"-b{copy}"
    r = dict(record)
    r["id"] = record["id"] + suffix.upper()
    r["aliases"] = [a + suffix.upper() for a in record.get("aliases") or []]
    affected = []
    for a in record.get("affected") or []:
        a = dict(a)
        if a.get("package"):
            p = dict(a["package"])
            old = p.get("name", "")
            p["name"] = old + suffix
            if p.get("purl"):
                p["purl"] = p["purl"].replace(old, p["name"], 1)
            a["package"] = p
        affected.append(a)
    r["affected"] = affected
    return r


def main():
    out, count, zips = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    real = real_records(zips)
    written = 0
    copy = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        while written < count:
            for record in real:
                if written >= count:
                    break
                r = varied(record, copy)
                z.writestr(f"{r['id']}.json", json.dumps(r, indent=2))
                written += 1
            copy += 1
    print(f"{out}: {written} records ({len(real)} distinct real ones)")


if __name__ == "__main__":
    main()
