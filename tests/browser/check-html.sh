#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and fails when the page logged a
# console message (a clean, script-free page logs none: CSP violations and failed
# loads are what would show up) or when its DOM holds a <script> element, an
# event-handler attribute such as onerror, or a javascript: URL.
#
# usage: check-html.sh [--install] <file.html>
#   --install  install Debian's chromium first when it is missing (needs root)
set -euo pipefail

if [ "${1:-}" = "--install" ]; then
    shift
    "$(dirname "$0")/install-chromium.sh"
fi
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 [--install] <file.html>" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser) || {
    echo "chromium not installed (run $0 --install)" >&2
    exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page="file://$(realpath "$1")"

timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --dump-dom "$page" >"$work/dom.html" 2>"$work/log.txt" || {
    rc=$?
    if [ "$rc" -eq 124 ]; then
        echo "FAIL: $1 did not finish rendering in 60 s (a script waiting on a dialog?)" >&2
    else
        echo "FAIL: chromium could not render $1 (exit $rc):" >&2
        cat "$work/log.txt" >&2
    fi
    exit 1
}

status=0
if [ ! -s "$work/dom.html" ]; then
    echo "FAIL: chromium dumped no DOM for $1" >&2
    status=1
fi
if grep -E ':CONSOLE[^]]*\]' "$work/log.txt" >&2; then
    echo "FAIL: the page logged console messages (above)" >&2
    status=1
fi
if grep -Eio '<script[^>]*>' "$work/dom.html" >&2; then
    echo "FAIL: the DOM holds a <script> element" >&2
    status=1
fi
if grep -Eio '<[a-z][^>]*[[:space:]]on[a-z]+[[:space:]]*=' "$work/dom.html" >&2; then
    echo "FAIL: the DOM holds an event-handler attribute" >&2
    status=1
fi
if grep -Eio '<[a-z][^>]*[[:space:]](href|src|action)[[:space:]]*=[[:space:]]*"?[[:space:]]*javascript:' "$work/dom.html" >&2; then
    echo "FAIL: the DOM holds a javascript: URL" >&2
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "ok: $1 rendered with no console message, no script and no event handler"
fi
exit "$status"
