/// Plot+Training: the chart of a training run (a metric per epoch, train against validation,
/// the best epoch marked), as the kernel shows for a `History` and updates live during `fit`.
extension Plot {
    /// Train and validation curves of one metric, epochs (or batches, with `x: "batch"`) counted from one.
    ///
    ///     Plot.training(metric: "loss", train: [0.9, 0.5, 0.4], validation: [1.0, 0.7, 0.8], bestEpoch: 2)
    public static func training(
        metric: String, train: [Double], validation: [Double] = [], bestEpoch: Int? = nil, title: String? = nil,
        x: String = "epoch"
    ) -> Plot {
        var chart = Plot(title: title ?? "\(metric) per \(x)", x: x, y: metric)
        if !train.isEmpty { chart.line(train, label: "train", marker: train.count <= 20 ? .circle : .none) }
        if !validation.isEmpty {
            chart.line(
                validation, label: "validation", style: .dashed, marker: validation.count <= 20 ? .circle : .none)
        }
        if let bestEpoch { chart.markX(Double(bestEpoch), label: "best epoch \(bestEpoch)") }
        return chart
    }
}
