#!/usr/bin/env python3
"""Writes a fleet of COUNT releases of one product for the benchmark: for each
release, its Cargo.lock (what cargo-audit reads) and its CycloneDX 1.5 JSON SBOM
(what `cargo soup import` makes its baseline), listing the same crates.

The crates are the registry packages of the real lockfiles given. The first
release holds 1,000 of them; each later one changes as a project's dependencies
do between releases: about 6% of its crates move to a newer patch release, 1.5%
to a newer minor release, 1% are dropped and 1.8% are added from the rest of the
corpus, so the fleet grows to about 1,500 crates by the fiftieth release. Every
crate keeps its real dependencies that are in the same release. The choices
come from a fixed seed: every run writes the same fleet.

Writes OUT/<version>.Cargo.lock and OUT/<version>.cdx.json for versions 1.0.0,
1.1.0, ..., and prints one line per release.

usage: gen_fleet.py OUT COUNT LOCKFILE...
"""

import pathlib
import random
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from gen_lockfile import load, write  # noqa: E402
from gen_sbom import write_bom  # noqa: E402

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
FIRST_SIZE = 1000


def bumped(version, minor):
    """The next patch (or minor) release after version; pre-release tags are dropped."""
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        return version + ".1"
    major, mid, patch = (int(part) for part in match.groups())
    return f"{major}.{mid + 1}.0" if minor else f"{major}.{mid}.{patch + 1}"


def corpus(lockfiles):
    """The registry crates of the lockfiles by name: one version each, the first seen."""
    crates = {}
    for lockfile in lockfiles:
        for p in load(lockfile):
            if p["source"] == CRATES_IO:
                crates.setdefault(p["name"], p)
    return crates


def release_packages(crates, versions):
    """The release's lockfile packages: each crate at its version in this release."""
    packages = []
    for name in sorted(versions):
        real = crates[name]
        packages.append(
            {
                "name": name,
                "version": versions[name],
                "source": CRATES_IO,
                "checksum": real["checksum"] if versions[name] == real["version"] else None,
                "dependencies": [(d, versions[d]) for d, _ in real["dependencies"] if d in versions],
            }
        )
    root = {
        "name": "bench-product",
        "version": "1.0.0",
        "source": None,
        "checksum": None,
        "dependencies": [(p["name"], p["version"]) for p in packages],
    }
    return [root] + packages


def components(versions):
    return [
        {
            "type": "library",
            "name": name,
            "version": version,
            "purl": f"pkg:cargo/{name}@{version}",
            "bom-ref": f"pkg:cargo/{name}@{version}",
        }
        for name, version in sorted(versions.items())
    ]


def main():
    out, count, lockfiles = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    crates = corpus(lockfiles)
    rng = random.Random(62304)
    names = sorted(crates)
    rng.shuffle(names)
    versions = {name: crates[name]["version"] for name in names[:FIRST_SIZE]}
    pool = names[FIRST_SIZE:]
    for number in range(count):
        if number > 0:
            for name in sorted(versions):
                roll = rng.random()
                if roll < 0.01:
                    del versions[name]
                    pool.append(name)
                elif roll < 0.025:
                    versions[name] = bumped(versions[name], minor=True)
                elif roll < 0.085:
                    versions[name] = bumped(versions[name], minor=False)
            for _ in range(min(len(pool), round(len(versions) * 0.018))):
                name = pool.pop(rng.randrange(len(pool)))
                versions[name] = crates[name]["version"]
        version = f"1.{number}.0"
        write(out / f"{version}.Cargo.lock", release_packages(crates, versions))
        write_bom(out / f"{version}.cdx.json", components(versions))
        print(f"{out}/{version}: {len(versions)} crates")


if __name__ == "__main__":
    main()
