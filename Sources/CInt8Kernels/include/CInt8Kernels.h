// CInt8Kernels: an AVX-512 VNNI int8 matrix product for Deployment's Int8GEMM, chosen at run time.
#ifndef RIGOR_CINT8KERNELS_H
#define RIGOR_CINT8KERNELS_H

#include <stdbool.h>
#include <stdint.h>

/// Whether this CPU and OS run `rigor_int8_gemm_vnni` (AVX-512 VNNI and VL, and the OS saves their registers).
bool rigor_int8_vnni_available(void);

/// `c[i, j] = Σₚ a[i, p] · b[j, p]` in int32 for int8 `a` `[m, row_length]` and `b` `[n, row_length]`, rows padded
/// to a multiple of 16 with zeros: the same contract as `Int8GEMM.multiply`. Call only when
/// `rigor_int8_vnni_available()`.
void rigor_int8_gemm_vnni(
    const int8_t *a, const int8_t *b, int32_t *c, long m, long n, long row_length);

#endif
