// FloatKernels: TensorCore's float32 direct convolution and 2×2 max pooling for inference, in three variants
// (AVX-512, AVX2 + FMA, portable C) compiled function by function with `target` attributes, so that the rest of the
// binary stays baseline x86-64, and chosen at run time.
//
// The convolution reads each output pixel's window from a zero-padded copy of the input (NCHW, each plane with its
// border): a tile is 16 output pixels of one image against 16 output channels, and for every tap and input channel
// ("step") one 16-channel row of the packed filters is multiplied by each pixel's input value (a broadcast) into that
// pixel's accumulator. No im2col matrix is written, and the filters are read once per tile. The tile is then
// transposed to 16 channel rows of 16 pixels, which in NCHW are contiguous runs of the output planes. On AVX-512,
// output rows of 4, 8 or 16 pixels at stride 1 along x (the digits CNN's) take the other orientation instead: a
// tile is whole rows, its inputs per step are runs of the padded copy, and each accumulator is 16 pixels of one
// output channel (no transpose; 12 against 13 µs and 46.0 against 46.4 µs on the CNN's layers at batch 32).
//
// Measured alternatives (digits CNN, batch 32, AVX-512 on the shared EPYC): the 16 pixels' values per step by one
// `vgatherdps` and the accumulators per channel (no transpose) took twice as long (91 against 46 µs for the 16 → 32
// channel layer); a padded NHWC copy cost 6 µs more than this one (a strided scalar scatter), and rows copied with
// computed masks 5 µs more than one full-width store per row; 8 pixels × 32 channels per tile (two filter rows per
// broadcast, no spilled pointers) ran no faster than 16 × 16 (47 µs): the layer is bound by the FMA port, at about
// 85 % of the `vfmadd231ps` peak measured on this machine.
//
// Two later steps (same machine, batch 32, in a C timing harness): pooling in the convolution's epilogue when a
// 2×2 max pooling follows (the first layer 12.4 → 10.3 µs for convolution and pooling: its 131 KB output is no
// longer written and read back), and Winograd F(2×2, 3×3) for the 3×3 stride-1 layers over ≥ 8 channels on AVX-512
// (the second layer with its pooling 45.7 → 28.7 µs; its multiply-adds 2.25 times fewer). Winograd's input
// transform first gathered each patch value across 16 tiles with `vgatherdps` (39 µs for that layer: the compiler
// split the gathers into scalar loads), then each tile's patch in one register from four row loads (29.5 µs), then
// with masked row loads straight from the input instead of a padded copy (28.7 µs).
#include "CFloatKernels.h"

#include <stdlib.h>
#include <string.h>

#define RIGOR_TILE 16

static long rounded_to_16(long count) { return (count + 15) / 16 * 16; }

/// Whether the packed filters carry a Winograd F(2×2, 3×3) copy: 3×3 filters at stride 1 over at least 8 input
/// channels (with fewer, the transforms cost more than the multiplications they save: the digits CNN's first layer).
static bool winograd_packed(const RigorConvolutionShape *s) {
    return s->kernelHeight == 3 && s->kernelWidth == 3 && s->strideY == 1 && s->strideX == 1 && s->channels >= 8;
}

/// Whether this call takes Winograd (AVX-512 only): the filters have their copy, and there are at least 16 tiles
/// (2×2 output blocks) to fill the 16 lanes (the digits CNN's second layer at batch 1 has 4: the direct kernel).
static bool winograd_used(RigorFloatKernel kernel, const RigorConvolutionShape *s) {
    const long tiles = s->batch * ((s->outputHeight + 1) / 2) * ((s->outputWidth + 1) / 2);
    return kernel == RIGOR_FLOAT_KERNEL_AVX512 && winograd_packed(s) && tiles >= 16;
}

long rigor_float_conv_packed_count(const RigorConvolutionShape *s) {
    const long channels = rounded_to_16(s->outputChannels);
    const long direct = s->kernelHeight * s->kernelWidth * s->channels * channels + channels;
    return direct + (winograd_packed(s) ? 16 * s->channels * channels : 0);
}

void rigor_float_conv_pack(const RigorConvolutionShape *s, const float *weight, const float *bias, float *packed) {
    const long padded = rounded_to_16(s->outputChannels);
    const long taps = s->kernelHeight * s->kernelWidth;
    for (long tap = 0; tap < taps; tap++) {
        for (long c = 0; c < s->channels; c++) {
            float *row = packed + (tap * s->channels + c) * padded;
            for (long o = 0; o < padded; o++) {
                row[o] = o < s->outputChannels ? weight[(o * s->channels + c) * taps + tap] : 0;
            }
        }
    }
    float *biasRow = packed + taps * s->channels * padded;
    for (long o = 0; o < padded; o++) biasRow[o] = bias != NULL && o < s->outputChannels ? bias[o] : 0;
    if (!winograd_packed(s)) return;
    // Winograd: U = G g Gᵀ per filter (4 × 4), G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], stored
    // u[(ξ · C + c) · P + o] with ξ = 4i + j.
    float *u = biasRow + padded;
    memset(u, 0, sizeof(float) * (size_t)(16 * s->channels * padded));
    for (long o = 0; o < s->outputChannels; o++) {
        for (long c = 0; c < s->channels; c++) {
            const float *g = weight + (o * s->channels + c) * 9;
            float t[4][3];  // G g
            for (long j = 0; j < 3; j++) {
                t[0][j] = g[j];
                t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
                t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
                t[3][j] = g[6 + j];
            }
            for (long i = 0; i < 4; i++) {
                const float v[4] = {
                    t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
                for (long j = 0; j < 4; j++) u[((4 * i + j) * s->channels + c) * padded + o] = v[j];
            }
        }
    }
}

long rigor_float_conv_scratch_count(const RigorConvolutionShape *s) {
    const long direct = s->batch * s->channels * (s->height + 2 * s->paddingY) * (s->width + 2 * s->paddingX) + 16;
    // Winograd: the transformed inputs of 16 tiles (16 · C · 16) and their products for one block of 16 output
    // channels (16 · 16 · 16).
    const long winograd = winograd_packed(s) ? 256 * s->channels + 4096 : 0;
    return winograd > direct ? winograd : direct;
}

/// NCHW → zero-padded NCHW, plane by plane (portable: zero fill, then the rows); `extra` more zero rows at the
/// bottom and columns at the right (Winograd's last tile can reach one past the padding).
static void pad_portable(const RigorConvolutionShape *s, const float *input, float *padded, long extra) {
    const long paddedHeight = s->height + 2 * s->paddingY + extra, paddedWidth = s->width + 2 * s->paddingX + extra;
    memset(padded, 0, sizeof(float) * (size_t)(s->batch * s->channels * paddedHeight * paddedWidth + 16));
    for (long plane = 0; plane < s->batch * s->channels; plane++) {
        const float *source = input + plane * s->height * s->width;
        float *destination = padded + (plane * paddedHeight + s->paddingY) * paddedWidth + s->paddingX;
        for (long y = 0; y < s->height; y++) {
            for (long x = 0; x < s->width; x++) destination[y * paddedWidth + x] = source[y * s->width + x];
        }
    }
}

/// What a tile needs: where each of its 16 pixels' windows start in the padded input (a tile past the image's last
/// pixel repeats that pixel, whose result is not stored), and where its output goes.
///
/// With `pool`, the tile's 16 pixels are the 2×2 windows of 4 consecutive outputs of the pooled plane, corner-major
/// (pixel `corner · 4 + q`, corners top left, top right, bottom left, bottom right), `count` is the pooled outputs
/// stored (≤ 4), and `out` and `plane` are the pooled plane's.
typedef struct {
    const float *window[RIGOR_TILE];
    long count;          // pixels stored (≤ 16), or pooled outputs (≤ 4)
    long channels;       // output channels stored from this block (≤ 16)
    float *out;          // out[n, block, p0]: channel rows `plane` apart
    long plane;          // outputHeight · outputWidth, or the pooled plane's size
    bool pool;           // 2×2 max pooling of the activated results before the store
} Tile;

/// The larger of a window's running maximum and a new value, a NaN winning: TensorCore's scalar pooling rule.
static inline float larger(float best, float value) {
    const float maximum = value > best ? value : best;
    return value != value ? value : maximum;
}

/// The scalar epilogue of the AVX2 and portable tiles: `sums[pixel][channel]` plus bias, activation, pooled when
/// `t->pool` (the scalar loop's order of comparisons), stored channel by channel.
static void store_tile(const Tile *t, const float sums[RIGOR_TILE][16], const float *bias, bool relu) {
    if (t->pool) {
        for (long o = 0; o < t->channels; o++) {
            float *row = t->out + o * t->plane;
            for (long q = 0; q < t->count; q++) {
                float y[4];
                for (long corner = 0; corner < 4; corner++) {
                    const float v = sums[4 * corner + q][o] + bias[o];
                    y[corner] = relu ? (v > 0 ? v : 0) : v;
                }
                row[q] = larger(larger(larger(y[0], y[1]), y[2]), y[3]);
            }
        }
        return;
    }
    for (long o = 0; o < t->channels; o++) {
        float *row = t->out + o * t->plane;
        for (long r = 0; r < t->count; r++) {
            const float y = sums[r][o] + bias[o];
            row[r] = relu ? (y > 0 ? y : 0) : y;
        }
    }
}

static void tile_portable(
    const Tile *t, const float *filters, long steps, const long *offsets, long rowStride, const float *bias, bool relu) {
    float sums[RIGOR_TILE][16];
    memset(sums, 0, sizeof sums);
    for (long k = 0; k < steps; k++) {
        const float *w = filters + k * rowStride;
        for (long r = 0; r < RIGOR_TILE; r++) {
            const float v = t->window[r][offsets[k]];
            for (long o = 0; o < 16; o++) sums[r][o] += v * w[o];
        }
    }
    store_tile(t, sums, bias, relu);
}

#if defined(__x86_64__)
#include <immintrin.h>

RigorFloatKernel rigor_float_kernel_best(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return RIGOR_FLOAT_KERNEL_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RIGOR_FLOAT_KERNEL_AVX2;
    return RIGOR_FLOAT_KERNEL_PORTABLE;
}

#define RIGOR_AVX2 __attribute__((target("avx2,fma")))
#define RIGOR_AVX512 __attribute__((target("avx512f,avx2,fma")))

// The mask of the first `n` of 16 lanes (none for n <= 0, all for n >= 16): AVX-512's masked loads and stores.
static inline unsigned short first_lanes(long n) {
    return n <= 0 ? 0 : n >= 16 ? 0xFFFF : (unsigned short)((1u << n) - 1);
}

// AVX2: 16 channels are two ymm registers; four pixels at a time (eight accumulators, as many as FMA's latency
// times its two ports want) over the tile's 16.
RIGOR_AVX2 static void tile_avx2(
    const Tile *t, const float *filters, long steps, const long *offsets, long rowStride, const float *bias, bool relu) {
    float sums[RIGOR_TILE][16];
    for (long r0 = 0; r0 < RIGOR_TILE; r0 += 4) {
        __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        const float *x0 = t->window[r0], *x1 = t->window[r0 + 1], *x2 = t->window[r0 + 2], *x3 = t->window[r0 + 3];
        const float *w = filters;
        for (long k = 0; k < steps; k++, w += rowStride) {
            const long at = offsets[k];
            const __m256 wa = _mm256_load_ps(w), wb = _mm256_load_ps(w + 8);
            __m256 v = _mm256_broadcast_ss(x0 + at);
            a0 = _mm256_fmadd_ps(v, wa, a0), b0 = _mm256_fmadd_ps(v, wb, b0);
            v = _mm256_broadcast_ss(x1 + at);
            a1 = _mm256_fmadd_ps(v, wa, a1), b1 = _mm256_fmadd_ps(v, wb, b1);
            v = _mm256_broadcast_ss(x2 + at);
            a2 = _mm256_fmadd_ps(v, wa, a2), b2 = _mm256_fmadd_ps(v, wb, b2);
            v = _mm256_broadcast_ss(x3 + at);
            a3 = _mm256_fmadd_ps(v, wa, a3), b3 = _mm256_fmadd_ps(v, wb, b3);
        }
        _mm256_storeu_ps(sums[r0], a0), _mm256_storeu_ps(sums[r0] + 8, b0);
        _mm256_storeu_ps(sums[r0 + 1], a1), _mm256_storeu_ps(sums[r0 + 1] + 8, b1);
        _mm256_storeu_ps(sums[r0 + 2], a2), _mm256_storeu_ps(sums[r0 + 2] + 8, b2);
        _mm256_storeu_ps(sums[r0 + 3], a3), _mm256_storeu_ps(sums[r0 + 3] + 8, b3);
    }
    store_tile(t, sums, bias, relu);
}

/// Rows `r[k]` (pixels) of 16 lanes (channels) become rows of channels: after it, `r[o]` lane `k` is the old `r[k]`
/// lane `o`. Unpack pairs, shuffle quadruples within 128-bit lanes, then transpose the 4 × 4 grid of 128-bit lanes.
RIGOR_AVX512 static inline void transpose_16x16(__m512 r[16]) {
    __m512 t[16], q[16];
    for (int k = 0; k < 8; k++) {
        t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    // q[4g + m], 128-bit lane L: rows 4g…4g+3 of column 4L + m.
    for (int g = 0; g < 4; g++) {
        q[4 * g] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        q[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        q[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        q[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    for (int m = 0; m < 4; m++) {
        const __m512 u0 = _mm512_shuffle_f32x4(q[m], q[4 + m], 0x44);
        const __m512 u1 = _mm512_shuffle_f32x4(q[m], q[4 + m], 0xEE);
        const __m512 u2 = _mm512_shuffle_f32x4(q[8 + m], q[12 + m], 0x44);
        const __m512 u3 = _mm512_shuffle_f32x4(q[8 + m], q[12 + m], 0xEE);
        r[m] = _mm512_shuffle_f32x4(u0, u2, 0x88);
        r[4 + m] = _mm512_shuffle_f32x4(u0, u2, 0xDD);
        r[8 + m] = _mm512_shuffle_f32x4(u1, u3, 0x88);
        r[12 + m] = _mm512_shuffle_f32x4(u1, u3, 0xDD);
    }
}

/// `larger(best, value)`: `value > best ? value : best`, and a NaN `value` wins (a NaN `best` stays: `max_ps`
/// returns its second operand when either is NaN).
RIGOR_AVX512 static inline __m512 larger_avx512(__m512 best, __m512 value) {
    const __m512 maximum = _mm512_max_ps(value, best);
    return _mm512_mask_mov_ps(maximum, _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q), value);
}

// Winograd F(2×2, 3×3) on AVX-512 (Lavin and Gray, 2016): each 2×2 block of outputs ("tile") comes from the 4×4
// input patch above it, V = Bᵀ d B per input channel, M = Σ_c U ⊙ V (16 products per channel instead of the 36 of
// four 3 × 3 windows: 2.25 times fewer multiply-adds), Y = Aᵀ M A. Sixteen tiles are transformed together (one
// lane each, the patch's values gathered from the padded copy), the sums over channels are the direct kernel's
// broadcast loop (per ξ, 16 tiles × 16 output channels in 16 accumulators), and the output transform adds bias and
// activation and, pooled, keeps the maximum of the 2×2 block (which is exactly a pooling window). A different
// summation from the direct kernel (the transforms round): results agree with it to a few units in the last place
// of the transformed sums.
RIGOR_AVX512 static void winograd_avx512(
    const RigorConvolutionShape *s, const float *input, const float *packed, float *scratch, float *out, bool relu,
    bool pool) {
    const long C = s->channels, P = rounded_to_16(s->outputChannels), plane = s->height * s->width;
    const float *bias = packed + 9 * C * P, *u = bias + P;
    float *transformed = scratch;                // [c][16 tiles][ξ]
    float *products = transformed + 256 * C;     // [ξ][16 tiles][16 channels]
    // Pooled, only the tiles inside the pooled plane (floor); otherwise every tile, the last row and column of
    // tiles partial when the output's side is odd.
    const long tilesY = pool ? s->outputHeight / 2 : (s->outputHeight + 1) / 2;
    const long tilesX = pool ? s->outputWidth / 2 : (s->outputWidth + 1) / 2;
    const long tilesPerImage = tilesY * tilesX, tiles = s->batch * tilesPerImage;
    const long outputPlane = pool ? tilesPerImage : s->outputHeight * s->outputWidth;
    const __m512 zero = _mm512_setzero_ps();
    for (long first = 0; first < tiles; first += 16) {
        const long count = tiles - first < 16 ? tiles - first : 16;
        // Each tile's patch rows in the input (channel 0) with the mask of their columns inside it (the padding is
        // the masked-off lanes: no padded copy), and where its outputs go.
        const float *patch[16][4];
        __mmask16 valid[16][4];
        long image[16], tileY[16], tileX[16];
        for (long r = 0; r < 16; r++) {
            const long tile = first + (r < count ? r : count - 1);
            image[r] = tile / tilesPerImage;
            tileY[r] = tile % tilesPerImage / tilesX;
            tileX[r] = tile % tilesX;
            const long x0 = 2 * tileX[r] - s->paddingX;
            __mmask16 columns = 0;
            for (long j = 0; j < 4; j++) columns |= (__mmask16)((x0 + j >= 0 && x0 + j < s->width) << j);
            for (long i = 0; i < 4; i++) {
                const long y = 2 * tileY[r] + i - s->paddingY;
                const bool inside = y >= 0 && y < s->height;
                valid[r][i] = inside ? columns : 0;
                // Lane j reads column x0 + j; a row outside the input reads nothing (mask 0) from the image's start.
                patch[r][i] = input + image[r] * C * plane + (inside ? y * s->width + x0 : 0);
            }
        }
        // V = Bᵀ d B, Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]], for each tile and channel
        // in one register: the patch's four rows are its 128-bit lanes; the rows combine as `a + sign · b` with
        // a = rows (0, 1, 2, 1), b = rows (2, 2, 1, 3), sign (−1, 1, −1, −1) (an FMA by ±1 is exact), then the
        // columns the same way within each lane. Stored at transformed[(c · 16 + r) · 16 + ξ].
        const __m512 sign = _mm512_set_ps(-1, -1, 1, -1, -1, -1, 1, -1, -1, -1, 1, -1, -1, -1, 1, -1);
        const __m512 rowSign = _mm512_set_ps(-1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1);
        for (long c = 0; c < C; c++) {
            for (long r = 0; r < 16; r++) {
                const long at = c * plane;
                __m512 rows = _mm512_maskz_loadu_ps(valid[r][0], patch[r][0] + at);
                rows = _mm512_insertf32x4(
                    rows, _mm512_castps512_ps128(_mm512_maskz_loadu_ps(valid[r][1], patch[r][1] + at)), 1);
                rows = _mm512_insertf32x4(
                    rows, _mm512_castps512_ps128(_mm512_maskz_loadu_ps(valid[r][2], patch[r][2] + at)), 2);
                rows = _mm512_insertf32x4(
                    rows, _mm512_castps512_ps128(_mm512_maskz_loadu_ps(valid[r][3], patch[r][3] + at)), 3);
                const __m512 a = _mm512_shuffle_f32x4(rows, rows, 0x64);  // lanes 0, 1, 2, 1
                const __m512 b = _mm512_shuffle_f32x4(rows, rows, 0xDA);  // lanes 2, 2, 1, 3
                const __m512 w = _mm512_fmadd_ps(b, rowSign, a);
                const __m512 columns = _mm512_fmadd_ps(
                    _mm512_permute_ps(w, 0xDA), sign, _mm512_permute_ps(w, 0x64));
                _mm512_store_ps(transformed + (c * 16 + r) * 16, columns);
            }
        }
        for (long block = 0; block < s->outputChannels; block += 16) {
            // M[ξ] for 16 tiles × 16 channels: per channel, one row of U and 16 broadcast FMAs.
            for (int xi = 0; xi < 16; xi++) {
                __m512 s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero;
                __m512 s8 = zero, s9 = zero, s10 = zero, s11 = zero, s12 = zero, s13 = zero, s14 = zero, s15 = zero;
                const float *v = transformed + xi, *f = u + xi * C * P + block;
                for (long c = 0; c < C; c++, v += 256, f += P) {
                    const __m512 row = _mm512_load_ps(f);
#define RIGOR_FMA(r) s##r = _mm512_fmadd_ps(_mm512_set1_ps(v[16 * r]), row, s##r)
                    RIGOR_FMA(0), RIGOR_FMA(1), RIGOR_FMA(2), RIGOR_FMA(3), RIGOR_FMA(4), RIGOR_FMA(5);
                    RIGOR_FMA(6), RIGOR_FMA(7), RIGOR_FMA(8), RIGOR_FMA(9), RIGOR_FMA(10), RIGOR_FMA(11);
                    RIGOR_FMA(12), RIGOR_FMA(13), RIGOR_FMA(14), RIGOR_FMA(15);
#undef RIGOR_FMA
                }
                float *m = products + xi * 256;
                _mm512_store_ps(m, s0), _mm512_store_ps(m + 16, s1), _mm512_store_ps(m + 32, s2);
                _mm512_store_ps(m + 48, s3), _mm512_store_ps(m + 64, s4), _mm512_store_ps(m + 80, s5);
                _mm512_store_ps(m + 96, s6), _mm512_store_ps(m + 112, s7), _mm512_store_ps(m + 128, s8);
                _mm512_store_ps(m + 144, s9), _mm512_store_ps(m + 160, s10), _mm512_store_ps(m + 176, s11);
                _mm512_store_ps(m + 192, s12), _mm512_store_ps(m + 208, s13), _mm512_store_ps(m + 224, s14);
                _mm512_store_ps(m + 240, s15);
            }
            // Y = Aᵀ M A per tile, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]; bias, activation, pooling; the stores.
            const long channels = s->outputChannels - block < 16 ? s->outputChannels - block : 16;
            const __m512 b = _mm512_load_ps(bias + block);
            for (long r = 0; r < count; r++) {
                __m512 t[4][2];
                for (int i = 0; i < 4; i++) {
                    const float *m = products + (4 * i) * 256 + r * 16;
                    const __m512 m0 = _mm512_load_ps(m), m1 = _mm512_load_ps(m + 256);
                    const __m512 m2 = _mm512_load_ps(m + 512), m3 = _mm512_load_ps(m + 768);
                    t[i][0] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
                    t[i][1] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
                }
                __m512 y[4];  // (0, 0), (0, 1), (1, 0), (1, 1)
                for (int k = 0; k < 2; k++) {
                    y[k] = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(t[0][k], t[1][k]), t[2][k]), b);
                    y[2 + k] = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(t[1][k], t[2][k]), t[3][k]), b);
                }
                if (relu) {
                    for (int k = 0; k < 4; k++) y[k] = _mm512_max_ps(y[k], zero);
                }
                float values[4][16];
                float *target = out + (image[r] * s->outputChannels + block) * outputPlane;
                if (pool) {
                    const __m512 best = relu ? _mm512_max_ps(y[3], _mm512_max_ps(y[2], _mm512_max_ps(y[1], y[0])))
                                             : larger_avx512(larger_avx512(larger_avx512(y[0], y[1]), y[2]), y[3]);
                    _mm512_storeu_ps(values[0], best);
                    const long at = tileY[r] * tilesX + tileX[r];
                    for (long o = 0; o < channels; o++) target[o * outputPlane + at] = values[0][o];
                    continue;
                }
                for (int k = 0; k < 4; k++) _mm512_storeu_ps(values[k], y[k]);
                for (int k = 0; k < 4; k++) {
                    const long oy = 2 * tileY[r] + k / 2, ox = 2 * tileX[r] + k % 2;
                    if (oy >= s->outputHeight || ox >= s->outputWidth) continue;
                    const long at = oy * s->outputWidth + ox;
                    for (long o = 0; o < channels; o++) target[o * outputPlane + at] = values[k][o];
                }
            }
        }
    }
}


/// Stores the pooled tile: `p[q]` lane `o` is pooled output `q` of channel `o`; each channel's `t->count` (≤ 4)
/// outputs are consecutive in its pooled plane. A 4 × 16 transpose within 128-bit lanes puts channel `4L + m` in
/// lane `L` of `u[m]`.
RIGOR_AVX512 static inline void store_pooled_avx512(const Tile *t, const __m512 p[4]) {
    const __m512 t0 = _mm512_unpacklo_ps(p[0], p[1]), t1 = _mm512_unpackhi_ps(p[0], p[1]);
    const __m512 t2 = _mm512_unpacklo_ps(p[2], p[3]), t3 = _mm512_unpackhi_ps(p[2], p[3]);
    const __m512 u[4] = {
        _mm512_shuffle_ps(t0, t2, 0x44), _mm512_shuffle_ps(t0, t2, 0xEE), _mm512_shuffle_ps(t1, t3, 0x44),
        _mm512_shuffle_ps(t1, t3, 0xEE)};
    float lanes[4][16];
    if (t->count < 4) {
        for (int m = 0; m < 4; m++) _mm512_storeu_ps(lanes[m], u[m]);
    }
    for (long o = 0; o < t->channels; o++) {
        float *row = t->out + o * t->plane;
        if (t->count == 4) {
            __m128 quad;
            // The lane index of an extract must be a constant.
            switch (o >> 2) {
            case 0: quad = _mm512_extractf32x4_ps(u[o & 3], 0); break;
            case 1: quad = _mm512_extractf32x4_ps(u[o & 3], 1); break;
            case 2: quad = _mm512_extractf32x4_ps(u[o & 3], 2); break;
            default: quad = _mm512_extractf32x4_ps(u[o & 3], 3);
            }
            _mm_storeu_ps(row, quad);
        } else {
            for (long q = 0; q < t->count; q++) row[q] = lanes[o & 3][4 * (o >> 2) + q];
        }
    }
}

// AVX-512: the 16 × 16 tile is 16 zmm accumulators; each filter row is one aligned load that serves 16 FMAs whose
// other operand is a broadcast from memory.
RIGOR_AVX512 static void tile_avx512(
    const Tile *t, const float *filters, long steps, const long *offsets, long rowStride, const float *bias, bool relu) {
    // Sixteen named accumulators: in an array, the compiler kept them in memory (the transpose takes its address).
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    __m512 s8 = s0, s9 = s0, s10 = s0, s11 = s0, s12 = s0, s13 = s0, s14 = s0, s15 = s0;
    const float *const *x = t->window;
    const float *w = filters;
    for (long k = 0; k < steps; k++, w += rowStride) {
        const __m512 v = _mm512_load_ps(w);
        const long at = offsets[k];
#define RIGOR_FMA(r) s##r = _mm512_fmadd_ps(_mm512_set1_ps(x[r][at]), v, s##r)
        RIGOR_FMA(0), RIGOR_FMA(1), RIGOR_FMA(2), RIGOR_FMA(3), RIGOR_FMA(4), RIGOR_FMA(5), RIGOR_FMA(6);
        RIGOR_FMA(7), RIGOR_FMA(8), RIGOR_FMA(9), RIGOR_FMA(10), RIGOR_FMA(11), RIGOR_FMA(12), RIGOR_FMA(13);
        RIGOR_FMA(14), RIGOR_FMA(15);
#undef RIGOR_FMA
    }
    __m512 s[RIGOR_TILE] = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    const __m512 b = _mm512_loadu_ps(bias), zero = _mm512_setzero_ps();
    for (int r = 0; r < RIGOR_TILE; r++) {
        s[r] = _mm512_add_ps(s[r], b);
        // max(y, 0) returns its second operand when y is NaN: 0, as `y > 0 ? y : 0`.
        if (relu) s[r] = _mm512_max_ps(s[r], zero);
    }
    if (t->pool) {
        // s[corner · 4 + q] holds pixel (corner, q) over the 16 channels: four window maxima in four registers.
        __m512 p[4];
        for (int q = 0; q < 4; q++) {
            // After ReLU no value is NaN (nor −0): `max_ps(value, best)` is `larger` then, in one instruction.
            p[q] = relu ? _mm512_max_ps(s[12 + q], _mm512_max_ps(s[8 + q], _mm512_max_ps(s[4 + q], s[q])))
                        : larger_avx512(larger_avx512(larger_avx512(s[q], s[4 + q]), s[8 + q]), s[12 + q]);
        }
        store_pooled_avx512(t, p);
        return;
    }
    transpose_16x16(s);
    const __mmask16 pixels = first_lanes(t->count);
    for (long o = 0; o < t->channels; o++) _mm512_mask_storeu_ps(t->out + o * t->plane, pixels, s[o]);
}

/// `pad_portable` with masks: each padded row is one masked load (zeros outside the row) and one store, no fill.
RIGOR_AVX512 static void pad_avx512(const RigorConvolutionShape *s, const float *input, float *padded, long extra) {
    const long paddedHeight = s->height + 2 * s->paddingY + extra, paddedWidth = s->width + 2 * s->paddingX + extra;
    const __m512 zero = _mm512_setzero_ps();
    if (paddedWidth <= 16) {
        // Narrow planes: each row is one full 16-lane store, the zeros past its end overwritten by the next row's
        // (the scratch has 16 scalars of slack for the last); the load's mask is the same for every inner row.
        const __mmask16 valid = (__mmask16)(((1u << s->width) - 1) << s->paddingX);
        for (long plane = 0; plane < s->batch * s->channels; plane++) {
            const float *source = input + plane * s->height * s->width - s->paddingX;
            float *destination = padded + plane * paddedHeight * paddedWidth;
            long y = 0;
            for (; y < s->paddingY; y++, destination += paddedWidth) _mm512_storeu_ps(destination, zero);
            for (; y < s->paddingY + s->height; y++, destination += paddedWidth, source += s->width) {
                _mm512_storeu_ps(destination, _mm512_maskz_loadu_ps(valid, source));
            }
            for (; y < paddedHeight; y++, destination += paddedWidth) _mm512_storeu_ps(destination, zero);
        }
        return;
    }
    for (long plane = 0; plane < s->batch * s->channels; plane++) {
        const float *source = input + plane * s->height * s->width;
        float *destination = padded + plane * paddedHeight * paddedWidth;
        for (long y = 0; y < paddedHeight; y++) {
            const long sourceY = y - s->paddingY;
            const bool inside = sourceY >= 0 && sourceY < s->height;
            // Lane l of the chunk at x0 holds source column x0 + l − paddingX.
            for (long x0 = 0; x0 < paddedWidth; x0 += 16) {
                const long lanes = paddedWidth - x0 < 16 ? paddedWidth - x0 : 16;
                long first = s->paddingX - x0, end = s->paddingX + s->width - x0;
                first = first < 0 ? 0 : first;
                end = end > lanes ? lanes : end;
                const __mmask16 valid =
                    inside && end > first ? (__mmask16)(first_lanes(end) & ~first_lanes(first)) : 0;
                const __m512 row = valid ? _mm512_maskz_loadu_ps(valid, source + sourceY * s->width + x0 - s->paddingX)
                                         : zero;
                _mm512_mask_storeu_ps(destination + y * paddedWidth + x0, first_lanes(lanes), row);
            }
        }
    }
}

/// The pooled epilogue of `tile_avx512_rows` (rows of 4 or 8 pixels: the tile's 16 pixels are 2 or 4 rows, whose
/// 2×2 windows are 4 consecutive pooled outputs). Per four channels, two `vpermt2ps` gather each channel's window
/// corners into 128-bit lanes, `vshuff32x4` regroups them by corner, and the scalar loop's three comparisons give the
/// four channels' four outputs, one 128-bit lane per channel.
RIGOR_AVX512 static void pool_rows_avx512(const Tile *t, const __m512 s[RIGOR_TILE], const float *bias, bool relu,
                                          long width) {
    // Lane q of each corner: pooled output q's window corner in the tile (row pair q / (width/2), column q % it).
    int top[16], bottom[16];
    for (int q = 0; q < 4; q++) {
        const int corner = (int)(2 * (q / (width / 2)) * width + 2 * (q % (width / 2)));
        top[q] = corner, top[4 + q] = corner + 1, top[8 + q] = 16 + corner, top[12 + q] = 17 + corner;
        bottom[q] = corner + (int)width, bottom[4 + q] = corner + (int)width + 1;
        bottom[8 + q] = 16 + corner + (int)width, bottom[12 + q] = 17 + corner + (int)width;
    }
    const __m512i topIndex = _mm512_loadu_si512(top), bottomIndex = _mm512_loadu_si512(bottom);
    const __m512 zero = _mm512_setzero_ps();
    __m512 y[RIGOR_TILE];
    for (int o = 0; o < RIGOR_TILE; o++) {
        y[o] = _mm512_add_ps(s[o], _mm512_set1_ps(bias[o]));
        if (relu) y[o] = _mm512_max_ps(y[o], zero);
    }
    float lanes[16];
    for (long o = 0; o < t->channels; o += 4) {
        // [TL, TR] of channels o and o + 1, then of o + 2 and o + 3; likewise [BL, BR].
        const __m512 x01 = _mm512_permutex2var_ps(y[o], topIndex, y[o + 1]);
        const __m512 x23 = _mm512_permutex2var_ps(y[o + 2], topIndex, y[o + 3]);
        const __m512 b01 = _mm512_permutex2var_ps(y[o], bottomIndex, y[o + 1]);
        const __m512 b23 = _mm512_permutex2var_ps(y[o + 2], bottomIndex, y[o + 3]);
        // Lane k of each: channel o + k.
        const __m512 topLeft = _mm512_shuffle_f32x4(x01, x23, 0x88), topRight = _mm512_shuffle_f32x4(x01, x23, 0xDD);
        const __m512 bottomLeft = _mm512_shuffle_f32x4(b01, b23, 0x88);
        const __m512 bottomRight = _mm512_shuffle_f32x4(b01, b23, 0xDD);
        // After ReLU no value is NaN (nor −0): `max_ps(value, best)` is `larger` then, in one instruction.
        const __m512 best =
            relu ? _mm512_max_ps(bottomRight, _mm512_max_ps(bottomLeft, _mm512_max_ps(topRight, topLeft)))
                 : larger_avx512(larger_avx512(larger_avx512(topLeft, topRight), bottomLeft), bottomRight);
        const long channels = t->channels - o < 4 ? t->channels - o : 4;
        if (t->count == 4 && channels == 4) {
            _mm_storeu_ps(t->out + o * t->plane, _mm512_castps512_ps128(best));
            _mm_storeu_ps(t->out + (o + 1) * t->plane, _mm512_extractf32x4_ps(best, 1));
            _mm_storeu_ps(t->out + (o + 2) * t->plane, _mm512_extractf32x4_ps(best, 2));
            _mm_storeu_ps(t->out + (o + 3) * t->plane, _mm512_extractf32x4_ps(best, 3));
            continue;
        }
        _mm512_storeu_ps(lanes, best);
        for (long k = 0; k < channels; k++) {
            float *row = t->out + (o + k) * t->plane;
            for (long q = 0; q < t->count; q++) row[q] = lanes[4 * k + q];
        }
    }
}

// AVX-512, the other orientation, for stride 1 along x and output rows of 4, 8 or 16 pixels: a tile is whole
// output rows, so for each step its 16 pixels' inputs are 16/width runs of `width` contiguous scalars of the padded
// copy (one to four loads). The accumulators are then 16 output channels × 16 pixels: each step is 16 FMAs with the
// filter row's scalars broadcast, and each accumulator is a run of one output plane (no transpose).
RIGOR_AVX512 static void tile_avx512_rows(
    const Tile *t, const float *filters, long steps, const long *offsets, long rowStride, const float *bias, bool relu,
    long width, long rowPitch) {
    // The rows of the tile (the last one repeated past the image's end; pooled, the rows of its pooled outputs).
    const long rows = 16 / width;
    const long stored = t->pool ? 2 * ((t->count + width / 2 - 1) / (width / 2)) : (t->count + width - 1) / width;
    const float *row[4];
    for (long g = 0; g < 4; g++) row[g] = t->window[0] + (g < stored ? g : stored - 1) * rowPitch;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    __m512 s8 = s0, s9 = s0, s10 = s0, s11 = s0, s12 = s0, s13 = s0, s14 = s0, s15 = s0;
    const float *w = filters;
    for (long k = 0; k < steps; k++, w += rowStride) {
        const long at = offsets[k];
        __m512 v;
        if (rows == 1) {
            v = _mm512_loadu_ps(row[0] + at);
        } else if (rows == 2) {
            // insertf64x4 is AVX-512F (insertf32x8 would need DQ); the bits are the same.
            const __m512d low = _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(row[0] + at)));
            v = _mm512_castpd_ps(_mm512_insertf64x4(low, _mm256_castps_pd(_mm256_loadu_ps(row[1] + at)), 1));
        } else {
            v = _mm512_castps128_ps512(_mm_loadu_ps(row[0] + at));
            v = _mm512_insertf32x4(v, _mm_loadu_ps(row[1] + at), 1);
            v = _mm512_insertf32x4(v, _mm_loadu_ps(row[2] + at), 2);
            v = _mm512_insertf32x4(v, _mm_loadu_ps(row[3] + at), 3);
        }
#define RIGOR_FMA(o) s##o = _mm512_fmadd_ps(_mm512_set1_ps(w[o]), v, s##o)
        RIGOR_FMA(0), RIGOR_FMA(1), RIGOR_FMA(2), RIGOR_FMA(3), RIGOR_FMA(4), RIGOR_FMA(5), RIGOR_FMA(6);
        RIGOR_FMA(7), RIGOR_FMA(8), RIGOR_FMA(9), RIGOR_FMA(10), RIGOR_FMA(11), RIGOR_FMA(12), RIGOR_FMA(13);
        RIGOR_FMA(14), RIGOR_FMA(15);
#undef RIGOR_FMA
    }
    const __m512 s[RIGOR_TILE] = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    const __mmask16 pixels = first_lanes(t->count);
    const __m512 zero = _mm512_setzero_ps();
    if (t->pool) {
        pool_rows_avx512(t, s, bias, relu, width);
        return;
    }
    for (long o = 0; o < t->channels; o++) {
        __m512 y = _mm512_add_ps(s[o], _mm512_set1_ps(bias[o]));
        if (relu) y = _mm512_max_ps(y, zero);
        _mm512_mask_storeu_ps(t->out + o * t->plane, pixels, y);
    }
}

RIGOR_AVX512 static void max_pool_avx512(const float *input, float *out, long planes, long height, long width) {
    const long outputHeight = height / 2, outputWidth = width / 2;
    if (height % 2 == 0 && width % 2 == 0 && 8 % outputWidth == 0) {
        // Narrow planes (the 8×8 and 4×4 maps of small CNNs): with even sides, all planes are one run of 2·width
        // chunks [top row | bottom row], each giving outputWidth outputs; 8 outputs come from 32 consecutive
        // inputs, their window corners picked by four fixed permutations.
        int corners[4][16] = {{0}};
        for (int j = 0; j < 8; j++) {
            const int chunk = j / (int)outputWidth, x = j % (int)outputWidth;
            corners[0][j] = chunk * 2 * (int)width + 2 * x;
            corners[1][j] = corners[0][j] + 1;
            corners[2][j] = corners[0][j] + (int)width;
            corners[3][j] = corners[2][j] + 1;
        }
        const __m512i topLeft = _mm512_loadu_si512(corners[0]), topRight = _mm512_loadu_si512(corners[1]);
        const __m512i bottomLeft = _mm512_loadu_si512(corners[2]), bottomRight = _mm512_loadu_si512(corners[3]);
        const long total = planes * outputHeight * outputWidth;
        for (long k = 0; k < total; k += 8) {
            const long count = total - k < 8 ? total - k : 8, inputs = 4 * count;
            const __mmask16 low = first_lanes(inputs);
            const __mmask16 high = first_lanes(inputs - 16);
            const __m512 v0 = _mm512_maskz_loadu_ps(low, input + 4 * k);
            const __m512 v1 = _mm512_maskz_loadu_ps(high, input + 4 * k + 16);
            __m512 best = larger_avx512(
                _mm512_permutex2var_ps(v0, topLeft, v1), _mm512_permutex2var_ps(v0, topRight, v1));
            best = larger_avx512(best, _mm512_permutex2var_ps(v0, bottomLeft, v1));
            best = larger_avx512(best, _mm512_permutex2var_ps(v0, bottomRight, v1));
            _mm512_mask_storeu_ps(out + k, first_lanes(count), best);
        }
        return;
    }
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    for (long plane = 0; plane < planes; plane++) {
        for (long y = 0; y < outputHeight; y++) {
            const float *top = input + (plane * height + 2 * y) * width, *bottom = top + width;
            float *row = out + (plane * outputHeight + y) * outputWidth;
            // 16 outputs from 32 inputs of each row per step; masked loads and stores for the rest.
            for (long x = 0; x < outputWidth; x += 16) {
                const long count = outputWidth - x < 16 ? outputWidth - x : 16;
                const long inputs = 2 * count;
                const __mmask16 low = first_lanes(inputs);
                const __mmask16 high = first_lanes(inputs - 16);
                const __m512 t0 = _mm512_maskz_loadu_ps(low, top + 2 * x);
                const __m512 t1 = _mm512_maskz_loadu_ps(high, top + 2 * x + 16);
                const __m512 b0 = _mm512_maskz_loadu_ps(low, bottom + 2 * x);
                const __m512 b1 = _mm512_maskz_loadu_ps(high, bottom + 2 * x + 16);
                // The scalar loop's order: top left, top right, bottom left, bottom right.
                __m512 best = larger_avx512(
                    _mm512_permutex2var_ps(t0, even, t1), _mm512_permutex2var_ps(t0, odd, t1));
                best = larger_avx512(best, _mm512_permutex2var_ps(b0, even, b1));
                best = larger_avx512(best, _mm512_permutex2var_ps(b0, odd, b1));
                _mm512_mask_storeu_ps(row + x, first_lanes(count), best);
            }
        }
    }
}

#else

RigorFloatKernel rigor_float_kernel_best(void) { return RIGOR_FLOAT_KERNEL_PORTABLE; }

#endif

static void max_pool_portable(const float *input, float *out, long planes, long height, long width) {
    const long outputHeight = height / 2, outputWidth = width / 2;
    for (long plane = 0; plane < planes; plane++) {
        for (long y = 0; y < outputHeight; y++) {
            const float *top = input + (plane * height + 2 * y) * width, *bottom = top + width;
            float *row = out + (plane * outputHeight + y) * outputWidth;
            for (long x = 0; x < outputWidth; x++) {
                const float left = larger(top[2 * x], top[2 * x + 1]);
                row[x] = larger(larger(left, bottom[2 * x]), bottom[2 * x + 1]);
            }
        }
    }
}

void rigor_float_max_pool_2x2(
    RigorFloatKernel kernel, const float *input, float *out, long planes, long height, long width) {
#if defined(__x86_64__)
    if (kernel == RIGOR_FLOAT_KERNEL_AVX512) {
        max_pool_avx512(input, out, planes, height, width);
        return;
    }
#endif
    (void)kernel;
    max_pool_portable(input, out, planes, height, width);
}

bool rigor_float_conv(
    RigorFloatKernel kernel, const RigorConvolutionShape *s, const float *input, const float *packed, float *scratch,
    float *out, bool relu, bool pool) {
    const long paddedHeight = s->height + 2 * s->paddingY, paddedWidth = s->width + 2 * s->paddingX;
    const long C = s->channels, taps = s->kernelHeight * s->kernelWidth;
    const long rowStride = rounded_to_16(s->outputChannels);
    const long plane = s->outputHeight * s->outputWidth;
    const float *bias = packed + taps * C * rowStride;
#if defined(__x86_64__)
    if (winograd_used(kernel, s)) {
        winograd_avx512(s, input, packed, scratch, out, relu, pool);
        return true;
    }
    if (kernel == RIGOR_FLOAT_KERNEL_AVX512) {
        pad_avx512(s, input, scratch, 0);
    } else {
        pad_portable(s, input, scratch, 0);
    }
#else
    pad_portable(s, input, scratch, 0);
#endif
    // One step per tap and input channel, in the packed filters' order: where its value sits from a window's start.
    const long steps = taps * C;
    long stackOffsets[1024];
    long *offsets = steps <= 1024 ? stackOffsets : malloc(sizeof(long) * (size_t)steps);
    if (offsets == NULL) return false;
    for (long i = 0, k = 0; i < s->kernelHeight; i++) {
        for (long j = 0; j < s->kernelWidth; j++) {
            for (long c = 0; c < C; c++) offsets[k++] = (c * paddedHeight + i) * paddedWidth + j;
        }
    }
    // Rows of 4, 8 or 16 pixels at stride 1 along x: the tiles are whole rows, read as runs (tile_avx512_rows);
    // pooled, rows of 4 or 8 (a tile is then 4 or 2 whole rows, their windows 4 consecutive pooled outputs).
    const bool byRows = kernel == RIGOR_FLOAT_KERNEL_AVX512 && s->strideX == 1 &&
                        (s->outputWidth == 4 || s->outputWidth == 8 || (s->outputWidth == 16 && !pool));
    // Pooled: tiles of 4 outputs of the pooled plane (the conv's last row or column dropped when odd, as pooling's
    // floor does); otherwise tiles of 16 pixels of the output plane.
    const long pooledWidth = s->outputWidth / 2, pooledPlane = (s->outputHeight / 2) * pooledWidth;
    const long stored = pool ? pooledPlane : plane, perTile = pool ? 4 : RIGOR_TILE;
    for (long n = 0; n < s->batch; n++) {
        const float *image = scratch + n * C * paddedHeight * paddedWidth;
        long y = 0, x = 0;
        for (long first = 0; first < stored; first += perTile) {
            Tile t;
            t.count = stored - first < perTile ? stored - first : perTile;
            t.plane = stored;
            t.pool = pool;
            if (byRows) {
                // Only the first pixel's window: the tile is whole rows from there.
                t.window[0] = image + y * s->strideY * paddedWidth;
                y += RIGOR_TILE / s->outputWidth;
            } else if (pool) {
                // Pixel corner · 4 + q: corner (dy, dx) of pooled output first + q's window; past the last output,
                // the last one's window again (not stored).
                for (long q = 0; q < t.count; q++) {
                    const float *window = image + (2 * y * s->strideY) * paddedWidth + 2 * x * s->strideX;
                    t.window[q] = window;
                    t.window[4 + q] = window + s->strideX;
                    t.window[8 + q] = window + s->strideY * paddedWidth;
                    t.window[12 + q] = window + s->strideY * paddedWidth + s->strideX;
                    if (++x == pooledWidth) x = 0, y++;
                }
                for (long q = t.count; q < 4; q++) {
                    for (long corner = 0; corner < 4; corner++) t.window[4 * corner + q] = t.window[4 * corner + q - 1];
                }
            } else {
                // The pixels' coordinates advance one by one (a division per pixel cost as much as a 1-channel tile).
                for (long r = 0; r < t.count; r++) {
                    t.window[r] = image + y * s->strideY * paddedWidth + x * s->strideX;
                    if (++x == s->outputWidth) x = 0, y++;
                }
                for (long r = t.count; r < RIGOR_TILE; r++) t.window[r] = t.window[t.count - 1];
            }
            for (long block = 0; block < s->outputChannels; block += 16) {
                t.channels = s->outputChannels - block < 16 ? s->outputChannels - block : 16;
                t.out = out + (n * s->outputChannels + block) * stored + first;
                const float *filters = packed + block;
                switch (kernel) {
#if defined(__x86_64__)
                case RIGOR_FLOAT_KERNEL_AVX512:
                    if (byRows) {
                        tile_avx512_rows(
                            &t, filters, steps, offsets, rowStride, bias + block, relu, s->outputWidth,
                            s->strideY * paddedWidth);
                    } else {
                        tile_avx512(&t, filters, steps, offsets, rowStride, bias + block, relu);
                    }
                    break;
                case RIGOR_FLOAT_KERNEL_AVX2:
                    tile_avx2(&t, filters, steps, offsets, rowStride, bias + block, relu);
                    break;
#endif
                default:
                    tile_portable(&t, filters, steps, offsets, rowStride, bias + block, relu);
                }
            }
        }
    }
    if (offsets != stackOffsets) free(offsets);
    return true;
}
