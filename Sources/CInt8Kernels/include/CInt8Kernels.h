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

/// A 2-D convolution in int8 read straight from its input (no im2col), AVX-512 VNNI: for every output pixel
/// `(n, y, x)` and output channel `o < outputChannelsPadded`,
/// `out[((n·outputHeight + y)·outputWidth + x)·outputChannelsPadded + o] =
///  Σ_{i, j, c} input[((n·paddedHeight + y·strideY + i)·paddedWidth + x·strideX + j)·channelsPadded + c]
///            · weights[((i·kernelWidth + j)·channelsPadded/4 + c/4)·outputChannelsPadded·4 + o·4 + c%4]`
/// in int32. `input` is unsigned (the caller adds 128 to each code and stores the padding as the zero point's
/// code), NHWC with the zero padding already in place and channels padded to a multiple of 4; `weights` are signed,
/// packed so that one 64-byte load holds 16 output channels × 4 input channels; `outputChannelsPadded` is a
/// multiple of 16. Call only when `rigor_int8_vnni_available()`.
void rigor_int8_conv_vnni(
    const uint8_t *input, const int8_t *weights, int32_t *out, long batch, long paddedHeight, long paddedWidth,
    long channelsPadded, long kernelHeight, long kernelWidth, long strideY, long strideX, long outputHeight,
    long outputWidth, long outputChannelsPadded);

#endif
