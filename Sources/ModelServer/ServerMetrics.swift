// ServerMetrics: Prometheus counters, latency histograms and input-drift gauges of a running server.
import Deployment
import Foundation
import Prometheus
import Synchronization

/// The server's metrics in one swift-prometheus registry, rendered by `GET /metrics`:
///
/// * `rigor_requests_total{route, status}`: requests answered, by route and HTTP status;
/// * `rigor_request_errors_total{route, reason}`: requests refused or failed, by reason (`invalid_json`,
///   `wrong_shape`, `too_large`, `busy`, …);
/// * `rigor_request_duration_seconds{route}`: latency histogram;
/// * `rigor_predictions_total`: samples predicted;
/// * `rigor_predict_handler_total{thread}`: predict requests by where their handler ran: `connection_loop` (on the
///   event loop that owns the connection from start to answer: the request never changed threads; `rigor serve`,
///   but for a connection's first request when its bytes were read before the connection's task waited for them)
///   or `other` (elsewhere: the request crossed threads twice; every request in the `serve` builtin);
/// * drift, when the model carries the training data's ``FeatureSummary``: `rigor_input_drift_mean_shift{feature}`
///   (the served inputs' running mean minus the training mean, in training standard deviations),
///   `rigor_input_drift_max_mean_shift` (the largest of those in absolute value),
///   `rigor_input_out_of_range_ratio` (the fraction of served values outside the training minimum–maximum), and
///   `rigor_input_drift_samples_total`.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let summary: FeatureSummary?
    private let drift: Mutex<DriftState>
    private let predictions: Counter
    private let maximumShift: Gauge?
    private let outOfRange: Gauge?
    private let driftSamples: Counter?
    private let featureShifts: [Gauge]
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    struct DriftState {
        var count = 0
        var sums: [Double]
        var outside = 0
        var values = 0
    }

    init(summary: FeatureSummary?) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.summary = summary
        drift = Mutex(DriftState(sums: [Double](repeating: 0, count: summary?.mean.count ?? 0)))
        predictions = registry.makeCounter(
            descriptor: .init(
                namespace: "rigor", metricName: "predictions", unitName: "total", helpText: "Samples predicted."),
            labels: [])
        // The drift series exist only when the model carries a training summary to compare against.
        let drifts = summary != nil
        maximumShift =
            !drifts
            ? nil
            : registry.makeGauge(
                descriptor: .init(
                    namespace: "rigor", subsystem: "input_drift", metricName: "max_mean", unitName: "shift",
                    helpText: "Largest |served mean - training mean| / training std over the features."),
                labels: [])
        outOfRange =
            !drifts
            ? nil
            : registry.makeGauge(
                descriptor: .init(
                    namespace: "rigor", subsystem: "input", metricName: "out_of_range", unitName: "ratio",
                    helpText: "Fraction of served input values outside the training minimum-maximum."),
                labels: [])
        driftSamples =
            !drifts
            ? nil
            : registry.makeCounter(
                descriptor: .init(
                    namespace: "rigor", subsystem: "input_drift", metricName: "samples", unitName: "total",
                    helpText: "Samples included in the drift statistics."),
                labels: [])
        featureShifts = (0..<(summary?.mean.count ?? 0)).map { feature in
            registry.makeGauge(
                descriptor: .init(
                    namespace: "rigor", subsystem: "input_drift", metricName: "mean", unitName: "shift",
                    helpText: "(served mean - training mean) / training std of one input feature."),
                labels: [("feature", String(feature))])
        }
    }

    /// Counts an answered request and its latency.
    func record(route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "rigor", metricName: "requests", unitName: "total", helpText: "Requests answered."),
            labels: [("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "rigor", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from request to response."),
            labels: [("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Counts a predict request by the thread its handler ran on.
    func recordHandlerThread(onConnectionLoop: Bool) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "rigor", metricName: "predict_handler", unitName: "total",
                helpText: "Predict requests by where the handler ran: the connection's event loop, or another thread."),
            labels: [("thread", onConnectionLoop ? "connection_loop" : "other")]
        ).increment()
    }

    /// Counts a refused or failed request by reason.
    func recordError(route: String, reason: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "rigor", metricName: "request_errors", unitName: "total",
                helpText: "Requests refused or failed, by reason."),
            labels: [("route", route), ("reason", reason)]
        ).increment()
    }

    /// Adds a validated batch (`rows` samples of `width` features) to the prediction count and drift statistics.
    func observe(_ values: [Float], rows: Int, width: Int) {
        predictions.increment(by: Int64(rows))
        guard let summary, summary.mean.count == width, rows > 0 else { return }
        let (shifts, outsideRatio) = drift.withLock { state -> ([Double], Double) in
            for row in 0..<rows {
                for feature in 0..<width {
                    let value = Double(values[row * width + feature])
                    state.sums[feature] += value
                    if value < summary.minimum[feature] || value > summary.maximum[feature] { state.outside += 1 }
                }
            }
            state.count += rows
            state.values += rows * width
            let shifts = (0..<width).map { feature in
                let deviation = summary.standardDeviation[feature] > 0 ? summary.standardDeviation[feature] : 1
                return (state.sums[feature] / Double(state.count) - summary.mean[feature]) / deviation
            }
            return (shifts, Double(state.outside) / Double(state.values))
        }
        driftSamples?.increment(by: Int64(rows))
        for (gauge, shift) in zip(featureShifts, shifts) { gauge.set(shift) }
        maximumShift?.set(shifts.map(abs).max() ?? 0)
        outOfRange?.set(outsideRatio)
    }

    /// The exposition text.
    func render() -> String { registry.emitToString() }
}
