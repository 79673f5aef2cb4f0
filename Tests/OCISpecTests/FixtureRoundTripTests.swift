import OCISpec
import Testing

/// Hand-written fixtures: together they use every field of the model (see
/// FieldCoverageTests), and each must survive decode + encode unchanged.
@Suite struct FixtureRoundTripTests {
    @Test(arguments: Paths.fixtures(in: "valid") + Paths.fixtures(in: "extensions"))
    func roundTrip(_ path: String) throws {
        let bytes = try read(path)
        guard case .object(let object) = try json(bytes) else {
            Issue.record("\(path) is not an object")
            return
        }
        switch DocumentKind.detect(object) {
        case .config: try expectRoundTrip(Spec.self, bytes, path)
        case .state: try expectRoundTrip(State.self, bytes, path)
        case .features: try expectRoundTrip(Features.self, bytes, path)
        }
    }

    @Test func fixturesExist() {
        #expect(Paths.fixtures(in: "valid").count >= 5)
        #expect(Paths.fixtures(in: "invalid").count >= 5)
    }
}
