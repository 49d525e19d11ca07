#!/usr/bin/env bash
# Every input the fuzzer kept (corpus) or that ever crashed the reader (crashers),
# through the fuzz target built with gcc: prints one "ok" line, or crashes visibly.
set -u
replay=${BUILD:-build/release}/tests/fuzz/replay
if [ ! -x "$replay" ]; then echo "not ok - fuzz replay: $replay not built"; exit 1; fi
"$replay" tests/fuzz/corpus tests/fuzz/crashers
