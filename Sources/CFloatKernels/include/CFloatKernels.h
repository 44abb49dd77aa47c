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
/// rounded up to 16 (the filters, then the bias), and for 3×3 filters at stride 1 over at least 8 channels
/// `16 · channels · P` more (their Winograd F(2×2, 3×3) transforms).
long rigor_float_conv_packed_count(const RigorConvolutionShape *shape);

/// Packs `weight` `[O, C, kh, kw]` and `bias` `[O]` (or NULL: zeros) for `rigor_float_conv`:
/// `packed[((i·kw + j)·C + c)·P + o] = weight[o, c, i, j]`, zero for `o ≥ O`, then `packed[kh·kw·C·P + o] = bias[o]`,
/// then (Winograd shapes) `U = G g Gᵀ` of each filter `g`, `packed[kh·kw·C·P + P + (ξ·C + c)·P + o] = U[o, c][ξ]`.
/// `packed` must be 64-byte aligned.
void rigor_float_conv_pack(
    const RigorConvolutionShape *shape, const float *weight, const float *bias, float *packed);

/// Scalars of the scratch `rigor_float_conv` needs: the zero-padded input,
/// `batch · channels · (height + 2·paddingY) · (width + 2·paddingX)`, and 16 of slack (or, if larger, Winograd's
/// `256 · channels + 4096`).
long rigor_float_conv_scratch_count(const RigorConvolutionShape *shape);

/// `out[n, o, y, x] = act(bias[o] + Σ_{c, i, j} weight[o, c, i, j] · input[n, c, y·sy + i − py, x·sx + j − px])`,
/// zero outside the input, `act` the identity or, when `relu`, `v > 0 ? v : 0` (NaN to 0). Read straight from a
/// zero-padded copy of the input (no im2col): tiles of 16 output pixels of one image against 16 output channels,
/// one broadcast multiply-add per input value, tap and pixel. `packed` comes from `rigor_float_conv_pack`. `kernel`
/// must not exceed `rigor_float_kernel_best()`.
/// `scratch` holds `rigor_float_conv_scratch_count` scalars. Returns false, having written nothing, only when the
/// table of tap offsets (one per tap and input channel, on the heap past 1,024) cannot be allocated.
///
/// On AVX-512, a 3×3 convolution at stride 1 over at least 8 input channels with at least 16 output blocks of 2×2
/// (`batch · ⌈outputHeight / 2⌉ · ⌈outputWidth / 2⌉`) takes Winograd F(2×2, 3×3) instead: 2.25 times fewer
/// multiply-adds, a different rounding (within a few units in the last place of the direct kernel's sums).
///
/// With `pool`, the activated results go through a 2×2 max pooling at stride 2 in registers and only the pooled
/// values are written: `out` is `[batch, outputChannels, outputHeight / 2, outputWidth / 2]` (floor: an odd last row
/// or column is not computed), each value the one `rigor_float_max_pool_2x2` gives on the unpooled output (the same
/// comparisons in the same order, so the same bits, the sums being the same).
bool rigor_float_conv(
    RigorFloatKernel kernel, const RigorConvolutionShape *shape, const float *input, const float *packed,
    float *scratch, float *out, bool relu, bool pool);

/// The maximum of each 2×2 window at stride 2, no padding, over `planes` planes of `height × width`
/// (`outputHeight = height / 2`, `outputWidth = width / 2`); a NaN in a window wins, as in TensorCore's scalar loop.
void rigor_float_max_pool_2x2(
    RigorFloatKernel kernel, const float *input, float *out, long planes, long height, long width);

#endif
