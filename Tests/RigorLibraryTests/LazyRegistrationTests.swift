import RigorScript
import Testing

@testable import RigorLibrary

/// The library's families register on first need (`BuiltinRegistry.registerLazily`): a script that only computes
/// never pays for them, and everything a user can observe is as if they had registered at once.
@Suite("Lazy library registration")
struct LazyRegistrationTests {
    @Test("a script that uses no library name leaves the families unregistered")
    func computeOnly() {
        let s = librarySession()
        #expect(s.registry.hasPendingRegistrations)
        #expect(
            run(s, "var xs: [Int] = []\nfor i in 0..<10 { xs.append(i * i) }\nxs.filter { $0 % 2 == 0 }.count") == "5")
        #expect(run(s, "func fib(_ n: Int) -> Int { n < 2 ? n : fib(n - 1) + fib(n - 2) }\nfib(10)") == "55")
        #expect(s.registry.hasPendingRegistrations)
    }

    @Test("the first library name a script reads registers them: functions, types, calls and member chains")
    func firstUse() {
        let s = librarySession()
        #expect(run(s, "let before = 1") == nil)
        #expect(run(s, "Tensor([[1, 2], [3, 4]]).sum().item()") == "10.0")
        #expect(!s.registry.hasPendingRegistrations)
        #expect(run(s, "memoryInUse() >= 0") == "true")

        let called = librarySession()
        #expect(run(called, "memoryLimit() > 0") == "true")
        let typed = librarySession()
        #expect(run(typed, "let ts: [Tensor] = []\nts.count") == "0")
        #expect(!typed.registry.hasPendingRegistrations)
    }

    @Test("a name the user defined first stays the user's when the library registers later")
    func userNamesWin() {
        let s = librarySession()
        #expect(run(s, "func accuracy() -> Int { 7 }\nvar memoryInUse = 3") == nil)
        #expect(run(s, "Tensor.zeros([2]).shape") == "[2]")
        #expect(!s.registry.hasPendingRegistrations)
        #expect(run(s, "accuracy() + memoryInUse") == "10")
        // Names the user did not define are the library's.
        #expect(run(s, "memoryLimit() > 0") == "true")
    }

    @Test("completion, inspection, suggestions and the registry's listings see every family before any ran")
    func listings() {
        let s = librarySession()
        #expect(s.completions(in: "memoryLi", cursor: 8).matches.contains("memoryLimit"))
        #expect(s.inspection(in: "memoryInUse", cursor: 3)?.contains("The bytes live tensors hold now.") == true)

        let misspelled = librarySession()
        let outcome = misspelled.execute("memoryLimt()")
        let rendered = outcome.error.map { misspelled.render($0) } ?? ""
        #expect(rendered.contains("cannot find 'memoryLimt' in scope"), "\(rendered)")
        #expect(rendered.contains("did you mean 'memoryLimit'?"), "\(rendered)")

        let lazy = BuiltinRegistry()
        RigorLibrary.register(in: lazy)
        // The families registered at once, as before they were lazy.
        let eager = BuiltinRegistry()
        Prelude.register(in: eager)
        RigorLibrary.registerFamilies(in: eager)
        #expect(!eager.hasPendingRegistrations)
        #expect(lazy.families.map(\.name) == eager.families.map(\.name))
        #expect(lazy.families.map(\.name).last == "Memory")
        #expect(Set(lazy.functions.keys) == Set(eager.functions.keys))
        #expect(Set(lazy.types.keys) == Set(eager.types.keys))
        #expect(lazy.implicitMembers == eager.implicitMembers)
        #expect(lazy.markdownReference() == eager.markdownReference())
    }

    @Test("the memory limit applies to the prelude's collections before the families register")
    func memoryLimitFirst() {
        let s = librarySession()
        let outcome = s.execute("let a = Array(repeating: 0, count: 100_000_000_000)")
        let rendered = outcome.error.map { s.render($0) } ?? ""
        #expect(rendered.contains("cannot allocate 2.2 TiB"), "\(rendered)")
        #expect(rendered.contains("memory limit is available"), "\(rendered)")
        #expect(s.registry.hasPendingRegistrations)
    }

    @Test("a builtin registered directly while families are pending comes after them, as before")
    func directRegistrationKeepsOrder() {
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        registry.beginFamily("Mine")
        registry.register(Signature("mine", [], doc: "Mine.")) { _, _ in .int(1) }
        #expect(!registry.hasPendingRegistrations)
        #expect(registry.families.map(\.name).suffix(2) == ["Memory", "Mine"])
    }
}
