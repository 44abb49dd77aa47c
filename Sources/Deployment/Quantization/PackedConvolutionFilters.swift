// PackedConvolutionFilters: a QuantizedConv2D's int8 filters in the layout of the direct AVX-512 VNNI convolution.
import CInt8Kernels

/// The int8 filters `[O, C, kh, kw]` of a convolution, packed for `rigor_int8_conv_vnni`: `[kh·kw, Cp/4, Op, 4]`,
/// with `Cp` the input channels rounded up to 4 and `Op` the output channels rounded up to 16, zeros in the padding.
/// One 64-byte load then holds 4 input channels of 16 filters at one kernel tap: the operand of one `vpdpbusd`
/// against a pixel's 4 input bytes broadcast to every lane.
struct PackedConvolutionFilters: Sendable {
    /// Input channels rounded up to a multiple of 4 (the NHWC input's channel stride).
    let channelsPadded: Int
    /// Output channels rounded up to a multiple of 16 (the int32 result's row length).
    let outputChannelsPadded: Int
    let values: [Int8]

    /// Packs `weights` (`[O, C·kh·kw]`, PyTorch's order). With `widened`, the `kw` taps of a kernel row become
    /// channels: filter `(o, c, i, j)` is stored as channel `j·C + c` of a `kh × 1` kernel, for an input whose slot
    /// `j·C + c` at column `x` holds channel `c` at column `x + j` (see ``QuantizedConv2D``); a 1-channel 3×3
    /// convolution then takes 3 taps of 4 channels instead of 9 taps of 1 (padded to 4).
    init(_ weights: QuantizedWeights, inputChannels: Int, kernelSize: (Int, Int), widened: Bool = false) {
        let (kh, kw) = kernelSize
        let (channels, width) = widened ? (inputChannels * kw, 1) : (inputChannels, kw)
        let channelsPadded = (channels + 3) / 4 * 4
        let outputChannelsPadded = (weights.rows + 15) / 16 * 16
        var values = [Int8](repeating: 0, count: kh * width * channelsPadded * outputChannelsPadded)
        for o in 0..<weights.rows {
            for c in 0..<inputChannels {
                for i in 0..<kh {
                    for j in 0..<kw {
                        let (slot, tap) = widened ? (j * inputChannels + c, i) : (c, i * kw + j)
                        let packed = ((tap * (channelsPadded / 4) + slot / 4) * outputChannelsPadded + o) * 4 + slot % 4
                        values[packed] = weights.value(row: o, column: (c * kh + i) * kw + j)
                    }
                }
            }
        }
        self.channelsPadded = channelsPadded
        self.outputChannelsPadded = outputChannelsPadded
        self.values = values
    }
}
