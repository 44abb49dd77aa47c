#!/usr/bin/env bash
# Writes DIR/openblas.pc, a pkg-config file that points the CBLAS module at DIR, a directory holding only static
# archives, so `make release` links them into `rigor` instead of loading their shared libraries at start-up. The
# directory comes first among the linker's search paths, so every `-lNAME` with a libNAME.a here is linked statically:
# - OpenBLAS: libopenblas.so's 14,000 symbol relocations (its per-CPU kernel tables) were the largest share of the
#   dynamic loader's work for every `rigor run`;
# - SQLite (GRDB's `-lsqlite3`) and libstdc++ (the Swift runtime's C++ library): each binds ~1,500-1,700 of its own
#   symbols by name at every start (Debian builds them without -Bsymbolic), 2.9 M of an empty script's 10.3 M
#   instructions. libzmq, opened only by the kernel, still loads its own libstdc++.so; nothing C++ crosses between
#   the two (the ZeroMQ API is C).
# See docs/performance.md, Interpreter: start-up. Prints DIR if the OpenBLAS archive exists, nothing otherwise (then the
# release build links the shared libraries as before); SQLite and libstdc++ are each linked statically when their
# archive is found.
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
sqlite=/usr/lib/x86_64-linux-gnu/libsqlite3.a
if [[ -f "$sqlite" ]]; then ln -sf "$sqlite" "$dir/libsqlite3.a"; else rm -f "$dir/libsqlite3.a"; fi
# The libstdc++.a of the GCC whose libraries the toolchain's clang links against.
cxx=$(clang -print-file-name=libstdc++.a 2>/dev/null || true)
if [[ "$cxx" == /* && -f "$cxx" ]]; then ln -sf "$cxx" "$dir/libstdc++.a"; else rm -f "$dir/libstdc++.a"; fi
tmp=$(mktemp "$dir/openblas.pc.XXXXXX")
cat >"$tmp" <<PC
Name: openblas
Description: OpenBLAS, linked statically by make release (scripts/static-libs-pc.sh)
Version: $(pkg-config --modversion openblas)
Libs: -L$dir -lopenblas -lpthread -lm
Cflags: $(pkg-config --cflags openblas)
PC
mv "$tmp" "$dir/openblas.pc"
echo "$dir"
