#!/usr/bin/env bash
# The overhead of issue 17's limits on small calls: two `xrpc serve` (release, access log
# off), one built from the commit before the limits (BEFORE) and one from this tree
# (AFTER), driven in turn by `xrpc bench` (our AsyncClient, 1 runtime thread, 16 keep-alive
# connections, gzip off) calling add(8, 8); the rounds alternate (before, after, before,
# ...) so that the machine's other load falls on both alike. Prints each round's calls/s and
# the median of the per-round ratios after / before; raw lines go to
# target/abuse-bench/results.jsonl. With AFTER_FLAGS the second server also gets those
# flags (e.g. AFTER_FLAGS="--rate-limit 1000000 --call-timeout 30" to price the optional
# limits too).
#
#   BEFORE=path/to/old/xrpc bench/abuse.sh     # about a minute; AFTER is built here
#   LOAD_SECONDS=5 LOAD_ROUNDS=5               # per measurement, and rounds (the median is kept)
#   AFTER=path/to/xrpc                         # use this binary instead of building one
set -euo pipefail
: "${BEFORE:?set BEFORE to an xrpc binary built before the limits (e.g. git worktree add /tmp/base e3366d8 && cargo build --release -p xrpc there)}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup abuse-bench 5
LOAD_XRPC=${AFTER:-} bench_build_xrpc

bench_serve before "$BEFORE" --bind 127.0.0.1:0
# shellcheck disable=SC2086
bench_serve after "$xrpc" --bind 127.0.0.1:0 ${AFTER_FLAGS:-}
before=$(bench_url_of before)
after=$(bench_url_of after)

bench_ab before "$before" after "$after"
