import RigorScript
import Testing

@Suite("Tensor statistics")
struct TensorStatisticsTests {
    @Test("variance and standard deviation divide by n, overall and along an axis")
    func varianceAndStandardDeviation() {
        let s = librarySession()
        _ = s.execute("let t = Tensor([[1, 2], [3, 6]])")
        #expect(s.execute("t.variance().item()").value == .double(3.5))
        #expect(s.execute("t.standardDeviation(axis: 0).toArray()").value == .array([.double(1), .double(2)]))
        #expect(s.execute("t.variance(axis: 1).toArray()").value == .array([.double(0.25), .double(2.25)]))
    }
}
