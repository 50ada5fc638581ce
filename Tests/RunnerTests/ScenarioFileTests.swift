import Engine
import Foundation
import Runner
import Simulation
import Testing

/// `--scenario FILE`: the lifecycle's rates read from YAML, and every mistake refused in one line
/// naming the file and, where it can, the line.
@Suite struct ScenarioFileTests {
    @Test func aFileSetsTheDeclineShares() throws {
        let scenario = try ScenarioFile.parse("""
            # the declines of a prepaid-card program
            authorizations:
              decline_shares:
                "51": 0.7   # insufficient funds
                05: 0.25    # do not honor, unquoted: still the code 05
                N7: 0.05
            """, named: "prepaid.yaml")
        let shares = Dictionary(uniqueKeysWithValues: scenario.declineCodeShares.map { ($0.code, $0.share) })
        #expect(shares["51"] == 0.7 && shares["05"] == 0.25 && shares["N7"] == 0.05)
        #expect(shares.values.reduce(0, +) == 1 && shares.filter { $0.value > 0 }.count == 3)
        #expect(try ScenarioFile.parse("# nothing changed\n", named: "empty.yaml") == .standard)
        #expect(try ScenarioFile.parse("authorizations: {}\n", named: "empty.yaml") == .standard)
        #expect(try ScenarioFile.parse("---\n", named: "empty.yaml") == .standard)
        #expect(try ScenarioFile.parse("authorizations:\n  decline_shares: {\"51\": .5, \"05\": 5e-1}\n", named: "flow.yaml").declineCodeShares
                    .filter { $0.share > 0 }.map(\.code) == ["51", "05"])
        #expect(scenario.refunds == RefundPolicy.standard, "what the file leaves out keeps its default")
    }

    @Test func aFileSetsTheRefundRates() throws {
        let scenario = try ScenarioFile.parse("refunds:\n  rate: 0.1\n  mean_wait_days: 2.5\n", named: "returns.yaml")
        #expect(scenario.refunds.rate == 0.1 && scenario.refunds.meanWaitDays == 2.5)
        #expect(scenario.declineShares == LifecycleScenario.standard.declineShares)
        #expect(scenario != .standard && scenario.description.hasSuffix(" refunds rate=0.1,mean_wait_days=2.5"))
        let rateOnly = try ScenarioFile.parse("refunds:\n  rate: 0\n", named: "none.yaml")
        #expect(rateOnly.refunds.rate == 0 && rateOnly.refunds.meanWaitDays == RefundPolicy.standard.meanWaitDays)
        #expect(try ScenarioFile.parse("refunds:\n  rate: 0.04\n  mean_wait_days: 6\n", named: "defaults.yaml") == .standard)
    }

    @Test(arguments: [
        ("authorizations: [1, 2", "prepaid.yaml: not YAML"),
        ("- 1\n", "prepaid.yaml line 1: expected a mapping"),
        ("authorizations:\r\n  decline_shares: [1\r\n", "prepaid.yaml: not YAML"),
        ("chargebacks:\n  rate: 0.1\n", "prepaid.yaml line 1: unknown key \"chargebacks\": the keys are authorizations, refunds, disputes"),
        ("refunds:\n  rate: 1.1\n", "prepaid.yaml: the refund rate is 1.1, not from 0 to 1"),
        ("refunds:\n  rate: ten\n", "prepaid.yaml line 2: refunds.\"rate\" is \"ten\", not a number"),
        ("refunds:\n  mean_wait_days: 0\n", "prepaid.yaml: the refunds' mean wait is 0.0 days, not from 0.1 to 30"),
        ("refunds:\n  wait: 3\n", "prepaid.yaml line 2: unknown key refunds.\"wait\": the keys are rate, mean_wait_days"),
        ("refunds: 0.1\n", "prepaid.yaml line 1: refunds must be a mapping"),
        ("authorizations:\n  decline_rate: 0.1\n", "prepaid.yaml line 2: unknown key authorizations.\"decline_rate\""),
        ("authorizations:\n  decline_shares:\n    \"52\": 1\n", "prepaid.yaml line 3: \"52\" is not a decline code"),
        ("authorizations:\n  decline_shares:\n    \"5\\n1\": 1\n", "prepaid.yaml line 3: \"5\\n1\" is not a decline code"),
        ("authorizations:\n  decline_shares:\n    \"00\": 1\n", "prepaid.yaml line 3: \"00\" is not a decline code"),
        ("authorizations:\n  decline_shares:\n    \"51\": 1.5\n", "prepaid.yaml line 3: the share of 51 is \"1.5\", not a number from 0 to 1"),
        ("authorizations:\n  decline_shares:\n    \"51\": lots\n", "prepaid.yaml line 3: the share of 51 is \"lots\", not a number from 0 to 1"),
        ("authorizations:\n  decline_shares:\n    \"51\": \"1\"\n", "prepaid.yaml line 3: the share of 51 is \"1\", not a number from 0 to 1"),
        ("authorizations:\n  decline_shares:\n    \"51\": 0x1\n", "prepaid.yaml line 3: the share of 51 is \"0x1\", not a number from 0 to 1"),
        ("authorizations:\n  decline_shares:\n    \"51\": 0.5\n    \"05\": 0.4\n", "prepaid.yaml: the decline shares add up to 0.9"),
        ("authorizations:\n  decline_shares:\n    \"51\": 0.5\n    51: 0.5\n", "prepaid.yaml line 4: the code 51 appears twice"),
    ])
    func eachMistakeIsRefusedInOneLine(text: String, says: String) {
        let error = #expect(throws: UserError.self) { try ScenarioFile.parse(text, named: "prepaid.yaml") }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("--scenario " + says) && !message.contains("\n"), "\(message)")
    }

    @Test func aFileThatCannotBeReadIsRefused() {
        let error = #expect(throws: UserError.self) { try ScenarioFile.read("/nonexistent/prepaid.yaml") }
        #expect(error?.description == "--scenario /nonexistent/prepaid.yaml: cannot read the file")
    }

    /// Only a regular file of at most 64 KiB is read: a device or a pipe could feed the run without
    /// end or keep it waiting, and is refused before it is opened.
    @Test func aDeviceAPipeOrALargeFileIsRefusedAndAnEmptyOneKeepsTheDefaults() throws {
        let device = #expect(throws: UserError.self) { try ScenarioFile.read("/dev/zero") }
        #expect(device?.description == "--scenario /dev/zero: cannot read the file (not a regular file)")
        let folder = try ScratchFolder()
        let pipe = folder.path + "/scenario.fifo"
        #expect(mkfifo(pipe, 0o600) == 0)
        let waiting = #expect(throws: UserError.self) { try ScenarioFile.read(pipe) }
        #expect(waiting?.description == "--scenario \(pipe): cannot read the file (not a regular file)")
        let large = folder.path + "/large.yaml"
        try String(repeating: "# a comment line\n", count: 5_000).write(toFile: large, atomically: true, encoding: .utf8)
        let tooLarge = #expect(throws: UserError.self) { try ScenarioFile.read(large) }
        #expect(tooLarge?.description == "--scenario \(large): larger than 64 KiB, which no scenario needs")
        let empty = folder.path + "/empty.yaml"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(try ScenarioFile.read(empty) == .standard)
    }
}
