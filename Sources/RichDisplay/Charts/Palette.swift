import Foundation

/// Palette: colours that stay distinct for colour-blind readers.
///
/// Series colours are the Okabe–Ito palette (Okabe & Ito, 2008), reordered so the first ones
/// are the most distinct on white and yellow comes last; the heat map uses viridis, which is
/// perceptually uniform and readable in grayscale.
public enum Palette {
    /// Series colours in the order series are given them.
    public static let series: [String] = [
        "#0072B2",  // blue
        "#E69F00",  // orange
        "#009E73",  // bluish green
        "#D55E00",  // vermillion
        "#CC79A7",  // reddish purple
        "#56B4E9",  // sky blue
        "#000000",  // black
        "#F0E442",  // yellow
    ]

    /// The colour of the `index`-th series, cycling.
    public static func color(at index: Int) -> String {
        series[((index % series.count) + series.count) % series.count]
    }

    /// Ink for text, axes and grid.
    static let text = "#222222"
    static let axis = "#555555"
    static let grid = "#e6e6e6"
    static let reference = "#666666"

    /// Viridis sampled at nine stops; `viridis(t)` interpolates linearly between them.
    private static let viridisStops: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]

    /// Paul Tol's "sunset" diverging scheme (blue, pale yellow, red), safe for colour-blind
    /// readers; used for signed values such as attributions, centred on zero.
    private static let sunsetStops: [(Double, Double, Double)] = [
        (54, 75, 154), (74, 123, 183), (110, 166, 205), (152, 202, 225), (194, 228, 239), (234, 236, 204),
        (254, 218, 139), (253, 179, 102), (246, 126, 75), (221, 61, 45), (165, 0, 38),
    ]

    /// The viridis colour at `t` in 0...1 (clamped) as `#rrggbb`, and whether text on it
    /// should be white (dark background) or black.
    static func viridis(_ t: Double) -> (hex: String, textIsWhite: Bool) {
        interpolate(viridisStops, t)
    }

    /// The sunset colour at `t` in 0...1 (0.5 is the neutral middle).
    static func sunset(_ t: Double) -> (hex: String, textIsWhite: Bool) {
        interpolate(sunsetStops, t)
    }

    private static func interpolate(
        _ stops: [(Double, Double, Double)], _ t: Double
    ) -> (hex: String, textIsWhite: Bool) {
        let clamped = t.isFinite ? min(1, max(0, t)) : 0
        let position = clamped * Double(stops.count - 1)
        let index = min(stops.count - 2, Int(position))
        let fraction = position - Double(index)
        let a = stops[index]
        let b = stops[index + 1]
        let r = a.0 + (b.0 - a.0) * fraction
        let g = a.1 + (b.1 - a.1) * fraction
        let bl = a.2 + (b.2 - a.2) * fraction
        return (hex(r, g, bl), luminance(r, g, bl) < 0.2)
    }

    /// A gray level `t` in 0...1 (0 black, 1 white) as `#rrggbb`.
    static func gray(_ t: Double) -> String {
        let clamped = t.isFinite ? min(1, max(0, t)) : 0
        let level = clamped * 255
        return hex(level, level, level)
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for channel in [r, g, b] {
            let value = Int(min(255, max(0, channel.rounded())))
            text.append(digits[value / 16])
            text.append(digits[value % 16])
        }
        return text
    }

    /// Relative luminance (sRGB, WCAG) of a colour given in 0...255 channels.
    static func luminance(_ r: Double, _ g: Double, _ b: Double) -> Double {
        func linear(_ channel: Double) -> Double {
            let c = channel / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }
}
