import OCISpec
import TestSupport
import Testing

/// The `oci-spec` executable, run as a user would.
@Suite struct CommandLineToolTests {
    let binary = Paths.ociSpecBinary

    @Test(arguments: Paths.fixtures(in: "valid") + Paths.fixtures(in: "extensions"))
    func formatIsSemanticallyEqual(_ path: String) throws {
        let result = try Command.check([binary, "format", path])
        let differences = try json(read(path)).differences(from: json(result.stdout))
        #expect(differences == [], "\(path): \(differences.prefix(5))")
        let compact = try Command.check([binary, "format", "--compact", path])
        #expect(!compact.stdout.dropLast().contains(UInt8(ascii: "\n")))
        #expect(try json(compact.stdout) == json(result.stdout))
    }

    @Test func formatReadsStdin() throws {
        let input = try read("\(Paths.fixtures)/valid/full-state.json")
        let result = try Command.check([binary, "format"], input: input)
        #expect(try json(result.stdout).differences(from: json(input)) == [])
    }

    @Test(arguments: Paths.fixtures(in: "valid"))
    func validateAccepts(_ path: String) throws {
        let result = try Command.run([binary, "validate", path])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("valid"))
    }

    @Test(arguments: ValidationTests.cases)
    func validateRejectsWithPaths(_ testCase: ValidationTests.Case) throws {
        let path = "\(Paths.fixtures)/invalid/\(testCase.fixture)"
        let result = try Command.run([binary, "validate", path])
        #expect(result.status == 1)
        for (expectedPath, _) in testCase.expected {
            #expect(result.output.contains(": \(expectedPath): "), "missing \(expectedPath) in \(result.output)")
        }
    }

    @Test func featuresPrintsThisHost() throws {
        let result = try Command.check([binary, "features"])
        let features = try OCIJSON.decode(Features.self, from: result.stdout)
        #expect(features.linux?.capabilities?.contains(.sysAdmin) == true)
        #expect(features.linux?.seccomp?.archs?.contains(.x86_64) == true)
        #expect(features.linux?.seccomp?.enabled == true)
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Command.run([binary]).status == 2)
        #expect(try Command.run([binary, "frobnicate"]).status == 2)
        #expect(try Command.run([binary, "validate"]).status == 2)
        #expect(try Command.run([binary, "format", "--kind", "nonsense", "x"]).status == 2)
        let missing = try Command.run([binary, "validate", "/nonexistent/config.json"])
        #expect(missing.status == 2)
        #expect(missing.errors.contains("/nonexistent/config.json"))
        #expect(missing.errors.contains("No such file"))
        let garbage = try Command.run([binary, "format", "\(Paths.fixtures)/invalid/not-json.json"])
        #expect(garbage.status == 2)
    }
}
