// TrainingDisplay: a History as an SVG loss chart.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension HistoryObject: MIMERepresentable {
    /// The loss per epoch, train against validation, the best epoch marked (an SVG chart).
    var mimeBundle: MIMEBundle {
        let chart = Plot.training(
            metric: "loss", train: history["loss"], validation: history["val_loss"], bestEpoch: bestEpoch)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}
