// ImageAugmentation: seeded random flips, shifts, small rotations, crops and noise for [N, C, H, W] batches.
import Foundation
import TensorCore

/// Random image transformations applied per image (the same transformation to all of an image's channels).
/// Pixels moved in from outside the image are `fill`. Nearest-neighbour resampling.
public struct ImageAugmentation: Sendable, Equatable {
    /// Probability of a left–right flip.
    public var horizontalFlipProbability: Float = 0
    /// Probability of an up–down flip.
    public var verticalFlipProbability: Float = 0
    /// Maximum shift in pixels along each axis (uniform integer in `−s…s`).
    public var maximumShift: Int = 0
    /// Maximum rotation in degrees (uniform in `−r…r`, about the centre).
    public var maximumRotationDegrees: Float = 0
    /// Random crop: pad by this many pixels on each side, then crop back to the original size at a random offset.
    public var cropPadding: Int = 0
    /// Standard deviation of added Gaussian noise.
    public var noiseStandardDeviation: Float = 0
    /// The value of pixels that come from outside the image.
    public var fill: Float = 0

    public init(
        horizontalFlipProbability: Float = 0, verticalFlipProbability: Float = 0, maximumShift: Int = 0,
        maximumRotationDegrees: Float = 0, cropPadding: Int = 0, noiseStandardDeviation: Float = 0, fill: Float = 0
    ) {
        self.horizontalFlipProbability = horizontalFlipProbability
        self.verticalFlipProbability = verticalFlipProbability
        self.maximumShift = maximumShift
        self.maximumRotationDegrees = maximumRotationDegrees
        self.cropPadding = cropPadding
        self.noiseStandardDeviation = noiseStandardDeviation
        self.fill = fill
    }

    /// The augmented batch. - Shape: `[N, C, H, W]`, unchanged.
    public func apply(to images: Tensor, using generator: inout RandomGenerator) throws -> Tensor {
        guard images.rank == 4 else {
            throw NeuralNetworkError(
                "ImageAugmentation", "expected [N, C, H, W], got \(TensorError.format(shape: images.shape))")
        }
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let source = images.scalars
        var result = [Float](repeating: fill, count: source.count)
        for image in 0..<n {
            let flipX = generator.nextUniform() < horizontalFlipProbability
            let flipY = generator.nextUniform() < verticalFlipProbability
            var shiftY = maximumShift > 0 ? generator.nextInt(below: 2 * maximumShift + 1) - maximumShift : 0
            var shiftX = maximumShift > 0 ? generator.nextInt(below: 2 * maximumShift + 1) - maximumShift : 0
            if cropPadding > 0 {
                shiftY += generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
                shiftX += generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
            }
            let angle =
                maximumRotationDegrees > 0
                ? Double((2 * generator.nextUniform() - 1) * maximumRotationDegrees) * Double.pi / 180 : 0
            let (cosine, sine) = (cos(angle), sin(angle))
            let (centerY, centerX) = (Double(h - 1) / 2, Double(w - 1) / 2)
            for y in 0..<h {
                for x in 0..<w {
                    // Inverse map: output (y, x) samples the input at the un-shifted, un-rotated, un-flipped point.
                    let dy = Double(y - shiftY) - centerY
                    let dx = Double(x - shiftX) - centerX
                    var sy = Int((cosine * dy + sine * dx + centerY).rounded())
                    var sx = Int((-sine * dy + cosine * dx + centerX).rounded())
                    if flipY { sy = h - 1 - sy }
                    if flipX { sx = w - 1 - sx }
                    guard (0..<h).contains(sy), (0..<w).contains(sx) else { continue }
                    for channel in 0..<c {
                        let plane = (image * c + channel) * h * w
                        result[plane + y * w + x] = source[plane + sy * w + sx]
                    }
                }
            }
        }
        if noiseStandardDeviation > 0 {
            for index in result.indices { result[index] += noiseStandardDeviation * generator.nextNormal() }
        }
        return try Tensor(shape: images.shape, scalars: result)
    }
}
