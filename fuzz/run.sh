#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds each (N = first argument, default 60), one after
# another, and exits non-zero if any of them crashed. Installs cargo-fuzz when it is missing.
#
#   fuzz/run.sh                   # 60 s per target
#   fuzz/run.sh 10                # a quick pass
#   fuzz/run.sh 300 http_request  # one target (or several), 5 minutes each
#
# Each target's corpus lives in fuzz/corpus/<target> (ignored by git) and is seeded from
# fuzz/seeds; crashes land in fuzz/artifacts/<target>/. Reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# and shrink it with `cargo fuzz tmin <target> <file>`.
set -euo pipefail

secs="${1:-60}"
shift || true
case "$secs" in
'' | *[!0-9]*)
    echo "usage: $0 [seconds per target]" >&2
    exit 2
    ;;
esac

cd "$(dirname "${BASH_SOURCE[0]}")"

# cargo-fuzz needs nightly flags (-Zsanitizer); this lets a stable toolchain accept them.
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

if [ $# -eq 0 ]; then
    cargo fuzz build
else
    for target in "$@"; do cargo fuzz build "$target"; done  # build takes one target at a time
fi

# Seeds are whole documents. read_stream spends its first byte on the reader's buffer
# capacity (high bit: move the document past the 256-byte sniffing window), so its copies get
# a prefix: capacity 4, and capacity 3 moved past the window.
seed() {
    local target="$1" corpus="corpus/$1" f name
    mkdir -p "$corpus"
    for f in seeds/*; do
        name="$(basename "$f")"
        if [ "$target" = read_stream ]; then
            { printf '\004'; cat "$f"; } >"$corpus/cap4-$name"
            { printf '\203'; cat "$f"; } >"$corpus/cap3-padded-$name"
        elif [ "$target" = http_request ]; then
            # The first byte is the request's shape (see the target): a POST of the
            # document, gzipped, chunked, to the guarded server with and without good
            # credentials, and the whole request raw.
            { printf '\001'; cat "$f"; } >"$corpus/post-$name"
            { printf '\003'; cat "$f"; } >"$corpus/gzip-$name"
            { printf '\005'; cat "$f"; } >"$corpus/chunked-$name"
            { printf '\051'; cat "$f"; } >"$corpus/authed-$name"
            { printf '\041'; cat "$f"; } >"$corpus/anonymous-$name"
            {
                printf '\000POST /RPC2 HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n' "$(wc -c <"$f")"
                cat "$f"
            } >"$corpus/raw-$name"
        elif [ "$target" = scgi_request ]; then
            # The first byte is the shape (see the target): the document after a good
            # header block, with its length right or off by a few bytes.
            { printf '\001'; cat "$f"; } >"$corpus/scgi-$name"
            { printf '\003\375'; cat "$f"; } >"$corpus/short-$name"
        elif [ "$target" = cgi_request ]; then
            {
                printf 'REQUEST_METHOD=POST\nCONTENT_TYPE=text/xml\nCONTENT_LENGTH=%d\nSCRIPT_NAME=/rpc.cgi\n\n' "$(wc -c <"$f")"
                cat "$f"
            } >"$corpus/cgi-$name"
        elif [ "$target" = scgi_reply ]; then
            {
                printf 'Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n' "$(wc -c <"$f")"
                cat "$f"
            } >"$corpus/reply-$name"
        else
            cp "$f" "$corpus/$name"
        fi
    done
}

status=0
failed=()
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
for target in "${targets[@]}"; do
    seed "$target"
    echo "=== $target: ${secs}s ==="
    if ! cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$secs" -dict=xmlrpc.dict -print_final_stats=1; then
        status=1
        failed+=("$target")
    fi
done

if [ "$status" -ne 0 ]; then
    echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
fi
exit "$status"
