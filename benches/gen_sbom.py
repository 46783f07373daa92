#!/usr/bin/env python3
"""Writes a synthetic CycloneDX 1.5 JSON SBOM of COUNT components for the benchmark.

The components are real ones: those of the CycloneDX fixtures (npm, PyPI and Cargo,
with their licenses and descriptions) and the crates of the real lockfiles given.
Copies beyond the first vary the version (the last numeric part is raised), so every
purl is distinct. A product component depends on all of them.

usage: gen_sbom.py OUT COUNT FIXTURES_DIR
"""

import json
import pathlib
import re
import sys
import tomllib

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def real_components(fixtures):
    components = []
    for path in sorted((fixtures / "sboms").glob("*.cdx-1.6.json")):
        for c in json.loads(path.read_text()).get("components", []):
            if c.get("purl") and c.get("version"):
                components.append(c)
    seen = {c["purl"] for c in components}
    for path in sorted((fixtures / "lockfiles").glob("*.Cargo.lock")):
        with open(path, "rb") as f:
            for p in tomllib.load(f).get("package", []):
                if p.get("source") != CRATES_IO:
                    continue
                purl = f"pkg:cargo/{p['name']}@{p['version']}"
                if purl in seen:
                    continue
                seen.add(purl)
                components.append(
                    {
                        "type": "library",
                        "name": p["name"],
                        "version": p["version"],
                        "purl": purl,
                        "hashes": [{"alg": "SHA-256", "content": p["checksum"]}]
                        if p.get("checksum")
                        else [],
                    }
                )
    return components


def varied(component, copy):
    if copy == 0:
        c = dict(component)
    else:
        version = component["version"]
        match = re.search(r"(\d+)(?!.*\d)", version)
        if match:
            new = version[: match.start()] + str(int(match.group(1)) + 100 * copy) + version[match.end() :]
        else:
            new = f"{version}.{copy}"
        c = dict(component)
        c["version"] = new
        c["purl"] = component["purl"].replace("@" + version, "@" + new)
        c.pop("hashes", None)
    c["bom-ref"] = c["purl"]
    return c


def write_bom(out, components):
    """Writes components (each with its bom-ref) as a CycloneDX 1.5 JSON SBOM of
    one product that depends on all of them."""
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-08-21T00:00:00Z",
            "component": {
                "type": "application",
                "bom-ref": "bench-product",
                "name": "bench-product",
                "version": "1.0.0",
            },
        },
        "components": components,
        "dependencies": [
            {"ref": "bench-product", "dependsOn": [c["bom-ref"] for c in components]}
        ]
        + [{"ref": c["bom-ref"], "dependsOn": []} for c in components],
    }
    pathlib.Path(out).write_text(json.dumps(bom, indent=1))


def main():
    out, count, fixtures = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3])
    real = real_components(fixtures)
    components = []
    copy = 0
    while len(components) < count:
        for c in real:
            if len(components) >= count:
                break
            components.append(varied(c, copy))
        copy += 1
    write_bom(out, components)
    print(f"{out}: {len(components)} components ({len(real)} distinct real ones)")


if __name__ == "__main__":
    main()
