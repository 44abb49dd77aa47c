import Foundation
import RigorLibrary
import RigorScript
import Testing

/// A session with the prelude and the library, as the kernel will make it.
func librarySession() -> Session {
    let registry = BuiltinRegistry()
    RigorLibrary.register(in: registry)
    return Session(registry: registry)
}

/// Runs `code` and returns its value's description, failing the test on an error.
func run(_ session: Session, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let outcome = session.execute(code)
    if let error = outcome.error {
        Issue.record("\(session.render(error))", sourceLocation: sourceLocation)
        return nil
    }
    return outcome.value?.description
}

@Suite("Tensors")
struct TensorTests {
    @Test("creation, arithmetic with broadcasting, reductions, shapes")
    func basics() {
        let s = librarySession()
        #expect(run(s, "let t = Tensor([[1, 2], [3, 4]])\nt") == "Tensor(shape: [2, 2], [[1.0, 2.0], [3.0, 4.0]])")
        #expect(run(s, "t.shape") == "[2, 2]")
        #expect(run(s, "(t + Tensor([10, 20])).toArray()") == "[[11.0, 22.0], [13.0, 24.0]]")
        #expect(run(s, "(2 * t - 1).toArray()") == "[[1.0, 3.0], [5.0, 7.0]]")
        #expect(run(s, "t.adding(Tensor([1])).multiplied(by: t).toArray()") == "[[2.0, 6.0], [12.0, 20.0]]")
        #expect(run(s, "t.matmul(t).toArray()") == "[[7.0, 10.0], [15.0, 22.0]]")
        #expect(run(s, "matmul(t, Tensor([[1], [1]])).toArray()") == "[[3.0], [7.0]]")
        #expect(run(s, "t.sum().item()") == "10.0")
        #expect(run(s, "t.sum(axis: 0).toArray()") == "[4.0, 6.0]")
        #expect(run(s, "t.mean().item()") == "2.5")
        #expect(run(s, "t.max(axis: 1).toArray()") == "[2.0, 4.0]")
        #expect(run(s, "Tensor([[1, 5, 2], [7, 0, 1]]).argmax()") == "[1, 0]")
        #expect(run(s, "Tensor([3, 9, 1]).argmax()") == "1")
        #expect(run(s, "t.transposed().toArray()") == "[[1.0, 3.0], [2.0, 4.0]]")
        #expect(run(s, "Tensor.zeros([2, 3]).reshaped([3, -1]).shape") == "[3, 2]")
        #expect(run(s, "Tensor.ones([2]).toArray()") == "[1.0, 1.0]")
        #expect(run(s, "Tensor([-1, 2]).relu().toArray()") == "[0.0, 2.0]")
        #expect(run(s, "Tensor([[0, 0]]).softmax(axis: 1).toArray()") == "[[0.5, 0.5]]")
        #expect(
            run(s, "Tensor.random([2, 3], seed: 42).toArray() == Tensor.random([2, 3], seed: 42).toArray()") == "true")
        #expect(run(s, "t[1]") == "Tensor(shape: [2], [3.0, 4.0])")
        #expect(run(s, "t[1, 0]") == "3.0")
        #expect(run(s, "t[0..<1].shape") == "[1, 2]")
        #expect(run(s, "var total = 0.0\nfor row in t { total += row.sum().item() }\ntotal") == "10.0")
        #expect(run(s, "\"\\(Tensor.zeros([100, 100]))\".hasPrefix(\"Tensor(shape: [100, 100], min 0.0\")") == "true")
    }

    @Test("autodiff: requiresGrad, backward, grad")
    func autodiff() {
        let s = librarySession()
        #expect(
            run(s, "let w = Tensor([1, 2, 3])\nw.requiresGrad = true\n(w * w).sum().backward()\nw.grad.toArray()")
                == "[2.0, 4.0, 6.0]")
        #expect(run(s, "w.requiresGrad") == "true")
        #expect(
            run(s, "let v = Tensor([1, 2]).requiringGrad()\n(v * 3).sum().backward()\nv.grad.toArray()") == "[3.0, 3.0]"
        )
        #expect(run(s, "Tensor([1]).grad == nil") == "true")
    }

    @Test("a shape mismatch is a ShapeError at the user's call, naming the op and shapes")
    func shapeErrors() throws {
        let s = librarySession()
        let matmul = try #require(
            s.execute("let a = Tensor.zeros([2, 3])\nlet b = a.matmul(Tensor.zeros([4, 2]))").error)
        #expect(matmul.kind.name == "ShapeError")
        #expect(matmul.message == "matmul: [2, 3] × [4, 2]: inner dimensions 3 and 4 differ")
        #expect(s.render(matmul).hasPrefix("In[1]:2:11: error: matmul: [2, 3] × [4, 2]"))
        let add = try #require(s.execute("Tensor.zeros([2, 3]) + Tensor.zeros([4])").error)
        #expect(add.kind.name == "ShapeError")
        #expect(add.message.contains("[2, 3] × [4]"))
        let ragged = try #require(s.execute("Tensor([[1, 2], [3]])").error)
        #expect(ragged.message.contains("ragged"))
    }
}

@Suite("Data")
struct DataTests {
    @Test("the LANGUAGE.md data cell: digits, reshaped, split, standardized")
    func dataCell() {
        let s = librarySession()
        let code = """
            let data = Dataset.digits()
                .reshaped([1, 8, 8])
                .split(train: 0.7, validation: 0.15, test: 0.15, stratified: true, seed: 42)
                .standardized()
            data
            """
        let text = run(s, code) ?? ""
        #expect(text.contains("train"))
        #expect(text.contains("[1, 8, 8]"))
        #expect(run(s, "data.train.count + data.validation.count + data.test.count") == "1797")
        #expect(run(s, "abs(data.train.features.mean().item()) < 1e-4") == "true")
        #expect(run(s, "data.test[0].features.shape") == "[1, 8, 8]")
        #expect(run(s, "let l = data.test[0].label\nl >= 0 && l < 10") == "true")
        #expect(run(s, "data.train.augmented(copies: 2, maximumShift: 1, rotation: 10, seed: 1).count") == "3777")
        #expect(run(s, "data.train.augmented(copies: 1).features.shape") == "[2518, 1, 8, 8]")
        #expect(run(s, "Dataset.iris().count") == "150")
        #expect(run(s, "Dataset.wine().featureShape") == "[13]")
        #expect(run(s, "Dataset.breastCancer().classCount") == "2")
        #expect(run(s, "Dataset.iris().shuffled(seed: 1).labels == Dataset.iris().shuffled(seed: 1).labels") == "true")
    }

    @Test("CSV with a text target")
    func csv() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-lib-\(UUID()).csv").path
        try "a,b,kind\n1,2,x\n3,4,y\n5,6,x\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = librarySession()
        #expect(run(s, "let d = Dataset.csv(\"\(path)\", target: \"kind\")\nd.labels") == "[0, 1, 0]")
        #expect(run(s, "d.features.toArray()") == "[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]")
        let missing = try #require(s.execute("Dataset.csv(\"\(path)\", target: \"nope\")").error)
        #expect(missing.message.hasPrefix("no column 'nope'"))
    }
}

@Suite("Models and training")
struct ModelTests {
    @Test("Sequential + Dense + fit + accuracy on iris, end to end")
    func irisMLP() {
        let s = librarySession()
        let code = """
            let data = Dataset.iris().split(train: 0.7, validation: 0.15, test: 0.15, seed: 42).standardized()
            let model = Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: 0)
            let history = model.fit(data.train, validation: data.validation, epochs: 30, batchSize: 16,
                                    optimizer: .adam(learningRate: 1e-2), loss: .crossEntropy,
                                    callbacks: [EarlyStopping(patience: 5)], seed: 42)
            history.epochs
            """
        #expect(run(s, code) != nil)
        #expect(run(s, "model.parameterCount") == "131")
        #expect(run(s, "accuracy(model, data.test) > 0.8") == "true")
        #expect(run(s, "history.bestValidationLoss < 1.0") == "true")
        #expect(run(s, "history.trainLoss.count == history.epochs") == "true")
        #expect(run(s, "model.evaluate(data.validation, loss: .crossEntropy) < 1.0") == "true")
        #expect(run(s, "model.predict(data.test).shape") == "[21, 3]")
        #expect(run(s, "confusionMatrix(model, data.test).counts.count") == "3")
        #expect(run(s, "classificationReport(model, data.test).accuracy == accuracy(model, data.test)") == "true")
        #expect(run(s, "rocCurve(model, data.test, positiveClass: 0).auc > 0.9") == "true")
        #expect(run(s, "\"\\(model)\".hasSuffix(\"131\")") == "true")
    }

    @Test("the LANGUAGE.md CNN cell builds and trains for an epoch")
    func cnnCell() {
        let s = librarySession()
        let code = """
            let data = Dataset.digits().reshaped([1, 8, 8]).split(train: 0.7, validation: 0.15, test: 0.15, stratified: true, seed: 42).standardized()
            func makeCNN(width: Int = 16, dropout: Double = 0.25) -> Model {
                return Sequential([
                    Conv2D(1, width, kernel: 3, padding: 1, activation: .relu),
                    MaxPool2D(2),
                    Conv2D(width, width * 2, kernel: 3, padding: 1, activation: .relu),
                    MaxPool2D(2),
                    Flatten(),
                    Dropout(dropout),
                    Dense(width * 2 * 2 * 2, 10),
                ])
            }
            let model = makeCNN(width: 4)
            model.parameterCount
            """
        #expect(run(s, code) == "666")  // 40 + 296 + 330
        let history = run(
            s,
            "let h = model.fit(data.train, validation: data.validation, epochs: 1, optimizer: .adam(learningRate: 1e-3), loss: .crossEntropy, callbacks: [EarlyStopping(patience: 3)], seed: 42)\nh.epochs"
        )
        #expect(history == "1")
        #expect(run(s, "\"\\(model)\".contains(\"[N, 10]\")") == "true")
    }

    @Test("the written-out training loop: Adam, trainEpoch, evaluate, weights, load")
    func trainingLoop() {
        let s = librarySession()
        let code = """
            let data = Dataset.iris().split(train: 0.8, validation: 0.2, seed: 1).standardized()
            let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)])
            let optimizer = Adam(model.parameters, learningRate: 1e-2)
            var best = Double.infinity
            var bestWeights = nil
            for epoch in 1...5 {
                let trainLoss = model.trainEpoch(data.train, batchSize: 16, optimizer: optimizer, seed: epoch) { logits, labels in
                    crossEntropy(logits, labels)
                }
                let validLoss = model.evaluate(data.validation, loss: .crossEntropy)
                if validLoss < best {
                    best = validLoss
                    bestWeights = model.weights()
                }
            }
            model.load(bestWeights ?? model.weights())
            model.evaluate(data.validation) == best
            """
        #expect(run(s, code) == "true")
    }

    @Test("fit errors: a wrong input size names the layer and shapes; bad options point at the argument")
    func fitErrors() throws {
        let s = librarySession()
        _ = run(s, "let data = Dataset.iris().split(train: 0.8, test: 0.2)")
        let shape = try #require(s.execute("let m = Sequential([Dense(5, 3)])\nm.fit(data.train, epochs: 1)").error)
        #expect(shape.kind.name == "ShapeError")
        #expect(shape.message.contains("Dense"))
        #expect(shape.message.contains("5"))
        let optimizer = try #require(s.execute("m.fit(data.train, epochs: 1, optimizer: .adagrad)").error)
        #expect(optimizer.message.hasPrefix("unknown optimizer '.adagrad'"))
    }

    @Test("an interrupt stops fit at the next batch and keeps the history so far")
    func interrupt() throws {
        let s = librarySession()
        _ = run(s, "let data = Dataset.iris()\nlet model = Sequential([Dense(4, 3)])")
        let interrupt = s.interrupt
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { interrupt.request() }
        let error = try #require(s.execute("model.fit(data, epochs: 100000, batchSize: 8)").error)
        #expect(error.kind == .interrupted)
        #expect(error.message.contains("model.history"))
        #expect(run(s, "model.history.epochs > 0") == "true")
    }

    @Test("Dense(out) takes its input size from the first input, reproducibly, and round-trips")
    func lazyDense() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-lib-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = librarySession()
        let code = """
            let data = Dataset.iris().split(train: 0.8, test: 0.2, seed: 5).standardized()
            func make() -> Model { Sequential([Flatten(), Dense(16, activation: .relu), Dense(3)], seed: 7) }
            let model = make()
            let before = model.parameterCount
            model.fit(data.train, epochs: 20, optimizer: .adam(learningRate: 1e-2), seed: 1)
            let again = make()
            again.fit(data.train, epochs: 20, optimizer: .adam(learningRate: 1e-2), seed: 1)
            [before, model.parameterCount, again.evaluate(data.test) == model.evaluate(data.test) ? 1 : 0]
            """
        #expect(run(s, code) == "[0, 131, 1]")
        #expect(run(s, "accuracy(model, data.test) > 0.8") == "true")
        #expect(run(s, "\"\\(model)\".contains(\"1 Dense(16, activation: .relu)  [N, 16]\")") == "true")
        #expect(
            run(s, "model.save(\"\(path)\")\nModel.load(\"\(path)\").evaluate(data.test) == model.evaluate(data.test)")
                == "true")
        let early = try #require(
            s.execute(
                """
                let fresh = make()
                let optimizer = Adam(fresh.parameters)
                fresh.trainEpoch(data.train, optimizer: optimizer) { logits, labels in crossEntropy(logits, labels) }
                """
            ).error)
        #expect(early.message.contains("call model.summary(inputShape:) before making the optimizer"))
    }

    @Test("save and load a checkpoint")
    func checkpoint() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-lib-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = librarySession()
        let code = """
            let a = Sequential([Dense(2, 2)], seed: 1)
            let b = Sequential([Dense(2, 2)], seed: 2)
            a.save("\(path)")
            b.load("\(path)")
            a.predict(Tensor([[1, 2]])).toArray() == b.predict(Tensor([[1, 2]])).toArray()
            """
        #expect(run(s, code) == "true")
        let cnn = """
            let c = Sequential([Conv2D(1, 2, kernel: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(), Dropout(0.5), Dense(8, 3)], seed: 4)
            let x = Tensor.random([2, 1, 4, 4], seed: 1)
            c.save("\(path)")
            let loaded = Model.load("\(path)")
            loaded.predict(x).toArray() == c.predict(x).toArray() && loaded.parameterCount == c.parameterCount
            """
        #expect(run(s, cnn) == "true")
        let summary = run(s, "\"\\(loaded)\"") ?? ""
        #expect(summary.contains("0 Conv2D(1, 2, padding: 1, activation: .relu)  [N, 2, 4, 4]"))
    }
}
