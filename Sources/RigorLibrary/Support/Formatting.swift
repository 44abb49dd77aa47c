// Formatting: numbers and padding for the text views of library objects.
import Foundation

func format(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.description }
    let scale = pow(10.0, Double(digits))
    let rounded = (value * scale).rounded() / scale
    // A tiny negative value (a standardized mean) rounds to -0.0; show it as 0.0.
    return (rounded == 0 ? 0.0 : rounded).description
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
