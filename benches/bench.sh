#!/usr/bin/env bash
# Benchmark of cargo-soup against cargo-audit, side by side in one run.
#
#   benches/bench.sh           the full benchmark (release build; needs cargo-audit,
#                              hyperfine and GNU time, installed here when absent)
#   benches/bench.sh --smoke   everything once on tiny inputs, without cargo-audit,
#                              with the debug build, offline: proves the script works
#
# Cases: `audit` on the largest real lockfile and on a synthetic one of ~8,000
# packages, three ways: warm (register and advisory store filled by an earlier
# run), ci (a fresh CI clone: the record and the cached advisory store are there,
# the register is not) and cold (a fresh CI clone with no store either: the
# store is first made from the bundled snapshot); cargo-audit on the same lockfiles and the
# same RustSec snapshot in its native form; the fleet: `audit --all-releases`
# over 10, 25 and 50 generated release baselines, against cargo-audit once on
# each of the 50 releases' lockfiles, and `report --release` on the largest;
# `import` of a generated CycloneDX SBOM; `fetch --from` of a generated zip of
# OSV records.
# Both tools are run as their binaries (`cargo-audit audit` is what `cargo audit`
# runs), so neither pays for cargo's own start-up.
#
# Each case with a cargo-audit baseline is also timed in turns with it, fifteen
# rounds of one run each (benches/turns.py): its ratio "in turns" is the steadier
# one where the machine's speed drifts between one case and the next.
#
# Prints a table of medians, ratios to cargo-audit (of the medians, and in turns)
# and peak memory, and writes it as JSON to target/bench/results.json
# (results-smoke.json for --smoke).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=false
if [[ "${1:-}" == "--smoke" ]]; then SMOKE=true; fi

FIX=$ROOT/tests/fixtures
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/data   # measurements: one hyperfine JSON and one .rss per case
mkdir -p "$DATA"
: >"$DATA/cases.tsv"

say() { echo "bench: $*" >&2; }

# --- tools ---------------------------------------------------------------------
if $SMOKE; then
    cargo build --locked --quiet
    SOUP=$ROOT/target/debug/cargo-soup
    LOCK_REAL=$FIX/lockfiles/nextest-dd29d36577.Cargo.lock
    LOCK_SOURCES=("$LOCK_REAL" "$FIX/lockfiles/rustsec-7b7478e631.Cargo.lock")
    LOCK_BIG_COUNT=300
    SBOM_COUNT=100
    RECORD_COUNT=500
    FLEET_COUNT=3
    FLEET_STEPS=(1 3)
    WARM_RUNS=(--runs 1)
    COLD_RUNS=(--runs 1)
    SLOW_RUNS=(--runs 1)
else
    need_apt=()
    command -v hyperfine >/dev/null || need_apt+=(hyperfine)
    [[ -x /usr/bin/time ]] || need_apt+=(time)
    if ((${#need_apt[@]})); then
        say "installing ${need_apt[*]} with apt-get"
        apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
    if ! command -v cargo-audit >/dev/null; then
        say "installing cargo-audit with cargo install --locked cargo-audit"
        cargo install --locked cargo-audit
    fi
    cargo build --release --locked --quiet
    SOUP=$ROOT/target/release/cargo-soup
    LOCK_REAL=$FIX/lockfiles/deno-f74b15c304.Cargo.lock
    LOCK_SOURCES=("$FIX"/lockfiles/*.Cargo.lock)
    LOCK_BIG_COUNT=8000
    SBOM_COUNT=10000
    RECORD_COUNT=50000
    FLEET_COUNT=50
    FLEET_STEPS=(10 25 50)
    WARM_RUNS=(--warmup 3 --min-runs 20)
    # A fresh clone's audit takes tens of milliseconds, and on a shared machine
    # ten runs of it left medians a quarter apart from one benchmark to the next.
    COLD_RUNS=(--min-runs 30)
    SLOW_RUNS=(--min-runs 5)
fi
TURNS=15   # rounds in turns, for the cases with a cargo-audit baseline
HAVE_HYPERFINE=false
command -v hyperfine >/dev/null && HAVE_HYPERFINE=true
HAVE_TIME=false
[[ -x /usr/bin/time ]] && HAVE_TIME=true

# --- inputs ----------------------------------------------------------------------
say "generating inputs in $WORK"
LOCK_BIG=$WORK/synthetic.Cargo.lock
python3 benches/gen_lockfile.py "$LOCK_BIG" "$LOCK_BIG_COUNT" "${LOCK_SOURCES[@]}" >&2
SBOM=$WORK/release.cdx.json
python3 benches/gen_sbom.py "$SBOM" "$SBOM_COUNT" "$FIX" >&2
FLEET=$WORK/fleet
python3 benches/gen_fleet.py "$FLEET" "$FLEET_COUNT" "${LOCK_SOURCES[@]}" >"$WORK/fleet.txt"
tail -n 1 "$WORK/fleet.txt" >&2
RECORDS=$WORK/records.zip
python3 benches/gen_osv_zip.py "$RECORDS" "$RECORD_COUNT" \
    "$FIX"/advisories/rustsec-osv-*.zip "$FIX"/advisories/pypa-osv-*.zip "$FIX"/advisories/go-vulndb-osv-*.zip >&2
if ! $SMOKE; then
    # cargo-audit reads the RustSec database as a directory of markdown files.
    AUDIT_DB=$WORK/advisory-db
    mkdir -p "$AUDIT_DB"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$FIX"/advisories/rustsec-advisory-db-*.zip "$AUDIT_DB"
    # The zip may hold the database in one top-level folder.
    if [[ ! -d $AUDIT_DB/crates ]]; then AUDIT_DB=$(dirname "$(find "$AUDIT_DB" -maxdepth 2 -type d -name crates | head -1)"); fi
fi
# Audits run in an empty directory: no record, no Cargo.toml above to find.
RUN_DIR=$WORK/run
mkdir -p "$RUN_DIR"

# --- measuring -------------------------------------------------------------------
# case NAME TOOL INPUT WHAT BASELINE ITEMS PREPARE -- COMMAND...
# Times COMMAND (after PREPARE, each run), then measures its peak memory once.
case_() {
    local name=$1 tool=$2 input=$3 what=$4 baseline=$5 items=$6 prepare=$7
    shift 8
    local runs=("${RUNS[@]}")
    say "$name: $*"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tool" "$input" "$what" "$baseline" "$items" >>"$DATA/cases.tsv"
    if $HAVE_HYPERFINE; then
        local prep=()
        [[ -n $prepare ]] && prep=(--prepare "$prepare")
        (cd "$RUN_DIR" && hyperfine -N -i --style none "${runs[@]}" "${prep[@]}" \
            --export-json "$DATA/$name.json" "$*" >&2)
    else
        (cd "$RUN_DIR" && python3 "$ROOT/benches/measure.py" "$DATA/$name.json" "${runs[-1]}" "$prepare" "$*")
    fi
    printf '%q ' "$@" >"$DATA/$name.cmd"
    # A case with a baseline is timed again in turns with it (benches/turns.py).
    if [[ $baseline != - && -f $DATA/$baseline.cmd ]]; then
        (cd "$RUN_DIR" && python3 "$ROOT/benches/turns.py" "$DATA/$name.turns.json" "$TURNS" \
            "$prepare" "$DATA/$baseline.cmd" -- "$@")
    fi
    if $HAVE_TIME; then
        [[ -n $prepare ]] && bash -c "$prepare"
        (cd "$RUN_DIR" && /usr/bin/time -v -o "$DATA/$name.time" "$@" >/dev/null 2>&1 || true)
        awk -F': ' '/Maximum resident set size/ {print $2}' "$DATA/$name.time" >"$DATA/$name.rss"
    fi
}

audit_cmd() { echo "$SOUP" audit --offline --allow-stale --no-prompt --format json --lockfile "$1"; }

# peer_case LABEL INPUT LOCK: cargo-audit on LOCK (not in --smoke), and sets
# `baseline` to its case, or "-", for the cargo-soup cases that follow.
peer_case() {
    baseline=-
    if $SMOKE; then return; fi
    baseline=cargo-audit:$1
    RUNS=("${WARM_RUNS[@]}")
    case_ "$baseline" cargo-audit "$2" - - - "" -- \
        cargo-audit audit --db "$AUDIT_DB" --no-fetch --no-yanked --json -f "$3"
}

# A project with a record, as a CI clone has it: `init` wrote it beside the lockfile.
CI=$WORK/ci
mkdir -p "$CI"
"$SOUP" --record "$CI/soup-register.toml" init --class B >/dev/null

for lock in "$LOCK_REAL" "$LOCK_BIG"; do
    label=$(basename "$lock" .Cargo.lock)
    packages=$(grep -c '^\[\[package\]\]' "$lock")
    input="$label ($packages packages)"
    peer_case "$label" "$input" "$lock"
    ci_cmd=("$SOUP" --record "$CI/soup-register.toml" audit --offline --allow-stale --no-prompt --format json --lockfile "$lock")

    export SOUP_REGISTER=$WORK/warm/register.db SOUP_ADVISORY_DB=$WORK/warm/advisories.db
    (cd "$RUN_DIR" && $(audit_cmd "$lock") >/dev/null 2>&1 || true)   # fills the register and the store
    RUNS=("${WARM_RUNS[@]}")
    # shellcheck disable=SC2046
    case_ "audit-warm:$label" cargo-soup "$input" - "$baseline" - "" -- $(audit_cmd "$lock")

    # The fresh clone: the store is the warm one (CI caches it), the register is new.
    export SOUP_REGISTER=$CI/.soup/register.db
    RUNS=("${COLD_RUNS[@]}")
    case_ "audit-ci:$label" cargo-soup "$input" - "$baseline" - "rm -rf $CI/.soup" -- "${ci_cmd[@]}"

    export SOUP_ADVISORY_DB=$WORK/cold/advisories.db
    case_ "audit-cold:$label" cargo-soup "$input" - "$baseline" - "rm -rf $CI/.soup $WORK/cold" -- "${ci_cmd[@]}"
done

# The fleet: one record per size, each with its first N releases imported.
for n in "${FLEET_STEPS[@]}"; do
    "$SOUP" --record "$WORK/fleet-$n/soup-register.toml" init --class B >/dev/null
    for lock in $(head -n "$n" "$WORK/fleet.txt" | cut -d: -f1); do
        SOUP_REGISTER=$WORK/fleet-$n/.soup/register.db SOUP_ADVISORY_DB=$WORK/warm/advisories.db \
            "$SOUP" --record "$WORK/fleet-$n/soup-register.toml" import "$lock.cdx.json" \
            --release "$(basename "$lock")" >/dev/null
    done
done
largest=$(tail -n 1 "$WORK/fleet.txt" | cut -d: -f1)
largest_size=$(tail -n 1 "$WORK/fleet.txt" | cut -d: -f2 | sed "s/^ //")
baseline=-
if ! $SMOKE; then
    # cargo-audit keeps nothing between runs: the fleet costs it one run per release.
    {
        echo "set -e"
        for lock in $(cut -d: -f1 "$WORK/fleet.txt"); do
            echo "cargo-audit audit --db $AUDIT_DB --no-fetch --no-yanked --json -f $lock.Cargo.lock >/dev/null || true"
        done
    } >"$WORK/audit-fleet.sh"
    baseline=cargo-audit:fleet-$FLEET_COUNT
    RUNS=("${SLOW_RUNS[@]}")
    case_ "$baseline" cargo-audit "$FLEET_COUNT releases, once each" releases - "$FLEET_COUNT" "" -- \
        bash "$WORK/audit-fleet.sh"
fi
fleet_baseline=$baseline
export SOUP_ADVISORY_DB=$WORK/warm/advisories.db
for n in "${FLEET_STEPS[@]}"; do
    export SOUP_REGISTER=$WORK/fleet-$n/.soup/register.db
    fleet_cmd=("$SOUP" --record "$WORK/fleet-$n/soup-register.toml" audit --all-releases --offline --allow-stale --no-prompt --format json)
    (cd "$RUN_DIR" && "${fleet_cmd[@]}" >/dev/null 2>&1 || true)   # the scheduled check ran before
    baseline=-
    [[ $n == "$FLEET_COUNT" ]] && baseline=$fleet_baseline
    RUNS=("${SLOW_RUNS[@]}")
    case_ "audit-fleet:$n" cargo-soup "$n releases" releases "$baseline" "$n" "" -- "${fleet_cmd[@]}"
done
version=$(basename "$largest")
input="release $version ($largest_size)"
peer_case "release-$version" "$input" "$largest.Cargo.lock"
export SOUP_REGISTER=$WORK/fleet-$FLEET_COUNT/.soup/register.db
RUNS=("${WARM_RUNS[@]}")
case_ "report:release-$version" cargo-soup "$input" - "$baseline" - "" -- \
    "$SOUP" --record "$WORK/fleet-$FLEET_COUNT/soup-register.toml" report --release "$version" \
    --allow-stale --format md -o "$WORK/report.md"

# This repository as its users run the tool: `audit` finds Cargo.toml and its
# record, and reads the project through `cargo metadata` (offline, where the
# crates of other platforms were never downloaded, through its Cargo.lock); what
# it read is kept in the register after the first run.
packages=$(grep -c '^\[\[package\]\]' "$ROOT/Cargo.lock")
input="cargo-soup itself ($packages packages)"
peer_case cargo-soup "$input" "$ROOT/Cargo.lock"
export SOUP_REGISTER=$WORK/self/register.db SOUP_ADVISORY_DB=$WORK/warm/advisories.db
project_cmd=("$SOUP" --manifest-path "$ROOT/Cargo.toml" audit --offline --allow-stale --no-prompt --format json)
(cd "$RUN_DIR" && "${project_cmd[@]}" >/dev/null 2>&1 || true)
RUNS=("${WARM_RUNS[@]}")
case_ "audit-warm:cargo-soup" cargo-soup "$input" - "$baseline" - "" -- "${project_cmd[@]}"

# import: each run into a freshly started record.
PROJECT=$WORK/project
export SOUP_REGISTER=$PROJECT/.soup/register.db SOUP_ADVISORY_DB=$WORK/warm/advisories.db
cat >"$WORK/new-project.sh" <<SH
rm -rf "$PROJECT" && mkdir -p "$PROJECT" && cd "$PROJECT" && "$SOUP" --record "$PROJECT/soup-register.toml" init --class A >/dev/null
SH
RUNS=("${SLOW_RUNS[@]}")
case_ "import:$SBOM_COUNT" cargo-soup "CycloneDX 1.5 JSON, $SBOM_COUNT components" components - "$SBOM_COUNT" \
    "bash $WORK/new-project.sh" -- \
    "$SOUP" --record "$PROJECT/soup-register.toml" import "$SBOM" --release 1.0.0

# ingest: each run into a fresh advisory store.
export SOUP_ADVISORY_DB=$WORK/ingest/advisories.db
case_ "ingest:$RECORD_COUNT" cargo-soup "zip of $RECORD_COUNT OSV records" records - "$RECORD_COUNT" \
    "rm -rf $WORK/ingest" -- \
    "$SOUP" fetch --from "$RECORDS"

# --- the table -------------------------------------------------------------------
OUT=$ROOT/target/bench/results.json
$SMOKE && OUT=$ROOT/target/bench/results-smoke.json
python3 benches/report.py "$DATA" "$OUT" "$($SMOKE && echo smoke || echo full)"
