// CFloatKernels: the float32 direct convolution and 2×2 max pooling of TensorCore's inference path, chosen at run
// time among AVX-512, AVX2 + FMA and portable C.
#ifndef RIGOR_CFLOATKERNELS_H
#define RIGOR_CFLOATKERNELS_H

#include <stdbool.h>

/// The kernel variants, slowest first: each one's code runs only on a CPU that `rigor_float_kernel_best()` says has it.
typedef enum {
    RIGOR_FLOAT_KERNEL_PORTABLE = 0,
    RIGOR_FLOAT_KERNEL_AVX2 = 1,
    RIGOR_FLOAT_KERNEL_AVX512 = 2,
} RigorFloatKernel;

/// The fastest variant this CPU and OS run (AVX-512F for AVX-512; AVX2 and FMA for AVX2).
RigorFloatKernel rigor_float_kernel_best(void);

/// One 2-D convolution without dilation or groups: input `[batch, channels, height, width]` (NCHW), filters
/// `[outputChannels, channels, kernelHeight, kernelWidth]`, output `[batch, outputChannels, outputHeight,
/// outputWidth]`.
typedef struct {
    long batch, channels, height, width;
    long outputChannels, kernelHeight, kernelWidth;
    long strideY, strideX, paddingY, paddingX;
    long outputHeight, outputWidth;
} RigorConvolutionShape;

/// Scalars of the packed filters: `kernelHeight · kernelWidth · channels · P + P` with `P` the output channels
/// rounded up to 16 (the filters, then the bias).
long rigor_float_conv_packed_count(const RigorConvolutionShape *shape);

/// Packs `weight` `[O, C, kh, kw]` and `bias` `[O]` (or NULL: zeros) for `rigor_float_conv`:
/// `packed[((i·kw + j)·C + c)·P + o] = weight[o, c, i, j]`, zero for `o ≥ O`, then `packed[kh·kw·C·P + o] = bias[o]`.
/// `packed` must be 64-byte aligned.
void rigor_float_conv_pack(
    const RigorConvolutionShape *shape, const float *weight, const float *bias, float *packed);

/// Scalars of the scratch `rigor_float_conv` needs: the zero-padded input,
/// `batch · channels · (height + 2·paddingY) · (width + 2·paddingX)`, and 16 of slack.
long rigor_float_conv_scratch_count(const RigorConvolutionShape *shape);

/// `out[n, o, y, x] = act(bias[o] + Σ_{c, i, j} weight[o, c, i, j] · input[n, c, y·sy + i − py, x·sx + j − px])`,
/// zero outside the input, `act` the identity or, when `relu`, `v > 0 ? v : 0` (NaN to 0). Read straight from a
/// zero-padded copy of the input (no im2col): tiles of 16 output pixels of one image against 16 output channels,
/// one broadcast multiply-add per input value, tap and pixel. `packed` comes from `rigor_float_conv_pack`. `kernel` must not exceed `rigor_float_kernel_best()`.
/// `scratch` holds `rigor_float_conv_scratch_count` scalars. Returns false, having written nothing, only when the
/// table of tap offsets (one per tap and input channel, on the heap past 1,024) cannot be allocated.
bool rigor_float_conv(
    RigorFloatKernel kernel, const RigorConvolutionShape *shape, const float *input, const float *packed,
    float *scratch, float *out, bool relu);

/// The maximum of each 2×2 window at stride 2, no padding, over `planes` planes of `height × width`
/// (`outputHeight = height / 2`, `outputWidth = width / 2`); a NaN in a window wins, as in TensorCore's scalar loop.
void rigor_float_max_pool_2x2(
    RigorFloatKernel kernel, const float *input, float *out, long planes, long height, long width);

#endif
