import Testing
@testable import ModelServer
