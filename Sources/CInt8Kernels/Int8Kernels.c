// Int8Kernels: Int8GEMM's product with AVX-512 VNNI (`vpdpbusd`), compiled for that instruction set function by
// function (`target` attributes) so that the rest of the binary stays baseline x86-64, and chosen at run time.
//
// `vpdpbusd` multiplies unsigned by signed bytes and adds each group of four products into an int32 lane. The
// activations are signed, so the kernel flips their sign bit (x + 128, unsigned) and subtracts 128 · Σₚ b[j, p]
// afterwards: exact, because |Σ (x + 128) · w| ≤ 255 · 127 · k stays far inside int32 for any k a layer has.
#include "CInt8Kernels.h"

#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

bool rigor_int8_vnni_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl");
}

#define RIGOR_VNNI __attribute__((target("avx512f,avx512vl,avx512vnni")))

RIGOR_VNNI static inline int32_t lane_sum(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return _mm_cvtsi128_si32(v);
}

RIGOR_VNNI void rigor_int8_gemm_vnni(
    const int8_t *a, const int8_t *b, int32_t *c, long m, long n, long row_length) {
    const __m128i flip = _mm_set1_epi8((char)0x80);
    const __m128i ones = _mm_set1_epi8(1);
    // Register blocking as the Swift kernel: two rows of a against four rows of b, eight accumulators; the four
    // weight rows stay in L1 while every row of a passes.
    for (long j = 0; j < n; j += 4) {
        const long columns = n - j < 4 ? n - j : 4;
        const int8_t *w[4];
        int32_t correction[4];
        for (long q = 0; q < 4; q++) {
            w[q] = b + (j + (q < columns ? q : columns - 1)) * row_length;
            __m128i sum = _mm_setzero_si128();
            for (long p = 0; p < row_length; p += 16) {
                sum = _mm_dpbusd_epi32(sum, ones, _mm_loadu_si128((const __m128i *)(w[q] + p)));
            }
            correction[q] = 128 * lane_sum(sum);
        }
        for (long i = 0; i < m; i += 2) {
            const int pair = i + 1 < m;
            const int8_t *x0 = a + i * row_length;
            const int8_t *x1 = a + (pair ? i + 1 : i) * row_length;
            __m128i s00 = _mm_setzero_si128(), s01 = s00, s02 = s00, s03 = s00;
            __m128i s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            for (long p = 0; p < row_length; p += 16) {
                const __m128i u0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(x0 + p)), flip);
                const __m128i u1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(x1 + p)), flip);
                __m128i v = _mm_loadu_si128((const __m128i *)(w[0] + p));
                s00 = _mm_dpbusd_epi32(s00, u0, v);
                s10 = _mm_dpbusd_epi32(s10, u1, v);
                v = _mm_loadu_si128((const __m128i *)(w[1] + p));
                s01 = _mm_dpbusd_epi32(s01, u0, v);
                s11 = _mm_dpbusd_epi32(s11, u1, v);
                v = _mm_loadu_si128((const __m128i *)(w[2] + p));
                s02 = _mm_dpbusd_epi32(s02, u0, v);
                s12 = _mm_dpbusd_epi32(s12, u1, v);
                v = _mm_loadu_si128((const __m128i *)(w[3] + p));
                s03 = _mm_dpbusd_epi32(s03, u0, v);
                s13 = _mm_dpbusd_epi32(s13, u1, v);
            }
            const int32_t first[4] = {lane_sum(s00), lane_sum(s01), lane_sum(s02), lane_sum(s03)};
            for (long q = 0; q < columns; q++) c[i * n + j + q] = first[q] - correction[q];
            if (pair) {
                const int32_t second[4] = {lane_sum(s10), lane_sum(s11), lane_sum(s12), lane_sum(s13)};
                for (long q = 0; q < columns; q++) c[(i + 1) * n + j + q] = second[q] - correction[q];
            }
        }
    }
}

// The convolution: blocks of eight output pixels against 16 output channels (one zmm of int32 each, eight
// accumulators); per tap and group of four input channels, one 64-byte weight load serves the eight pixels, and each
// pixel's four input bytes are broadcast to all 16 lanes. A block that runs past the last pixel repeats it (not
// stored).
#define RIGOR_CONV_BLOCK 8

RIGOR_VNNI void rigor_int8_conv_vnni(
    const uint8_t *input, const int8_t *weights, int32_t *out, long batch, long paddedHeight, long paddedWidth,
    long channelsPadded, long kernelHeight, long kernelWidth, long strideY, long strideX, long outputHeight,
    long outputWidth, long outputChannelsPadded) {
    const long pixels = batch * outputHeight * outputWidth;
    const long groups = channelsPadded / 4;
    const long tapStride = groups * outputChannelsPadded * 4;
    // The next pixel's coordinates, advanced by one per pixel (no division in the loop).
    long nextX = 0, nextY = 0, nextN = 0;
    for (long first = 0; first < pixels; first += RIGOR_CONV_BLOCK) {
        const long count = pixels - first < RIGOR_CONV_BLOCK ? pixels - first : RIGOR_CONV_BLOCK;
        const uint8_t *base[RIGOR_CONV_BLOCK];
        for (long r = 0; r < RIGOR_CONV_BLOCK; r++) {
            if (r >= count) {
                base[r] = base[count - 1];
                continue;
            }
            base[r] = input +
                      ((nextN * paddedHeight + nextY * strideY) * paddedWidth + nextX * strideX) * channelsPadded;
            if (++nextX == outputWidth) {
                nextX = 0;
                if (++nextY == outputHeight) {
                    nextY = 0;
                    nextN++;
                }
            }
        }
        for (long block = 0; block < outputChannelsPadded; block += 16) {
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (long tap = 0, i = 0, j = 0; tap < kernelHeight * kernelWidth; tap++) {
                const long offset = (i * paddedWidth + j) * channelsPadded;
                if (++j == kernelWidth) {
                    j = 0;
                    i++;
                }
                const int8_t *w = weights + tap * tapStride + block * 4;
                for (long g = 0; g < groups; g++) {
                    const __m512i v = _mm512_loadu_si512((const void *)(w + g * outputChannelsPadded * 4));
                    const long at = offset + 4 * g;
#define RIGOR_LANE(r) _mm512_set1_epi32(*(const int32_t *)(base[r] + at))
                    s0 = _mm512_dpbusd_epi32(s0, RIGOR_LANE(0), v);
                    s1 = _mm512_dpbusd_epi32(s1, RIGOR_LANE(1), v);
                    s2 = _mm512_dpbusd_epi32(s2, RIGOR_LANE(2), v);
                    s3 = _mm512_dpbusd_epi32(s3, RIGOR_LANE(3), v);
                    s4 = _mm512_dpbusd_epi32(s4, RIGOR_LANE(4), v);
                    s5 = _mm512_dpbusd_epi32(s5, RIGOR_LANE(5), v);
                    s6 = _mm512_dpbusd_epi32(s6, RIGOR_LANE(6), v);
                    s7 = _mm512_dpbusd_epi32(s7, RIGOR_LANE(7), v);
#undef RIGOR_LANE
                }
            }
            const __m512i sums[RIGOR_CONV_BLOCK] = {s0, s1, s2, s3, s4, s5, s6, s7};
            for (long r = 0; r < count; r++) {
                _mm512_storeu_si512((void *)(out + (first + r) * outputChannelsPadded + block), sums[r]);
            }
        }
    }
}

#else

bool rigor_int8_vnni_available(void) { return false; }

void rigor_int8_conv_vnni(
    const uint8_t *input, const int8_t *weights, int32_t *out, long batch, long paddedHeight, long paddedWidth,
    long channelsPadded, long kernelHeight, long kernelWidth, long strideY, long strideX, long outputHeight,
    long outputWidth, long outputChannelsPadded) {
    (void)input, (void)weights, (void)out, (void)batch, (void)paddedHeight, (void)paddedWidth, (void)channelsPadded;
    (void)kernelHeight, (void)kernelWidth, (void)strideY, (void)strideX, (void)outputHeight, (void)outputWidth;
    (void)outputChannelsPadded;
    abort();  // never chosen: rigor_int8_vnni_available() is false
}

void rigor_int8_gemm_vnni(
    const int8_t *a, const int8_t *b, int32_t *c, long m, long n, long row_length) {
    (void)a, (void)b, (void)c, (void)m, (void)n, (void)row_length;
    abort();  // never chosen: rigor_int8_vnni_available() is false
}

#endif
