#!/usr/bin/env bash
# Writes DIR/openblas.pc, a pkg-config file that points the CBLAS module at a directory holding only OpenBLAS's
# static archive, so `make release` links OpenBLAS into `rigor` instead of loading libopenblas.so at start-up.
# Why: libopenblas.so's 14,000 symbol relocations (its per-CPU kernel tables) were the largest share of the dynamic
# loader's work for every `rigor run` (docs/performance.md, Interpreter: start-up). Prints DIR if the archive exists,
# nothing otherwise (then the release build links the shared library as before).
set -euo pipefail
dir=$1
libdir=$(pkg-config --variable=libdir openblas 2>/dev/null || true)
archive=""
for candidate in "$libdir/libopenblas.a" /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.a; do
    if [[ -n "$candidate" && -f "$candidate" ]]; then archive=$candidate; break; fi
done
[[ -n "$archive" ]] || exit 0
mkdir -p "$dir"
ln -sf "$archive" "$dir/libopenblas.a"
tmp=$(mktemp "$dir/openblas.pc.XXXXXX")
cat >"$tmp" <<PC
Name: openblas
Description: OpenBLAS, linked statically by make release (scripts/static-openblas-pc.sh)
Version: $(pkg-config --modversion openblas)
Libs: -L$dir -lopenblas -lpthread -lm
Cflags: $(pkg-config --cflags openblas)
PC
mv "$tmp" "$dir/openblas.pc"
echo "$dir"
