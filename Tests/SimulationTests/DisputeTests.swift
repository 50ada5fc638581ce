import Foundation
import Records
import Simulation
import Testing

/// The disputes stream on the refunds tests' run (110 days at scale 1): every dispute follows an
/// approved payment that was not refunded, opens at least a day after it and closes after that
/// within 120 days, for the payment's amount; rates, reasons, outcomes and opening waits follow
/// `DisputePolicy` (99.9 % intervals, a Kolmogorov–Smirnov test of the openings and chi-square
/// tests of the closings); the events given are exactly
/// those decided that fell in the run, and the rest wait in the state.
@Suite struct DisputeTests {
    static let seed = RefundTests.seed
    static let run = RefundTests.run
    static let transactions = RefundTests.transactions
    static let events = run.days.flatMap(\.disputes)
    static let end = RefundTests.first.adding(days: RefundTests.days).startSecond
    /// Every approved payment's dispute as the policy decides it, refunded payments left out.
    static let decided: [(opened: DisputeEvent, closed: DisputeEvent)] = transactions.compactMap { payment in
        let refunded = RefundPolicy.refund(of: payment, seed: seed) != nil
        return DisputePolicy.dispute(of: payment, refunded: refunded, seed: seed)
    }

    @Test func theEventsGivenAreTheDecidedOnesThatFellInTheRunAndTheRestWait() {
        let all = Self.decided.flatMap { [$0.opened, $0.closed] }
        #expect(Self.events.sorted(by: DisputeEvent.inOrder) == all.filter { $0.time < Self.end }.sorted(by: DisputeEvent.inOrder))
        #expect(Self.run.state.pendingDisputes == all.filter { $0.time >= Self.end }.sorted(by: DisputeEvent.inOrder))
        #expect(Self.run.state.problem == nil)
        for day in Self.run.days {
            #expect(day.disputes.allSatisfy { $0.time >= day.day.startSecond && $0.time < day.day.adding(days: 1).startSecond })
            #expect(zip(day.disputes, day.disputes.dropFirst()).allSatisfy { DisputeEvent.inOrder($0, $1) })
        }
        #expect(Self.events.filter { $0.stage == .closed }.count > 1_000)
    }

    @Test func everyDisputeFollowsAnApprovedPaymentWithoutARefundAndClosesWithin120Days() throws {
        let payments = Dictionary(uniqueKeysWithValues: Self.transactions.map { ($0.paymentNumber, $0) })
        let refunded = Set(RefundTests.refunds.map(\.paymentNumber))
        #expect(Set(Self.decided.map(\.opened.paymentNumber)).count == Self.decided.count, "at most one dispute per payment")
        for (opened, closed) in Self.decided {
            let payment = try #require(payments[opened.paymentNumber])
            #expect(payment.approved && !refunded.contains(payment.paymentNumber))
            #expect(opened.stage == .opened && closed.stage == .closed && opened.time == opened.openedTime && closed.openedTime == opened.time)
            #expect(opened.time >= payment.timestamp + 86_400 && closed.time > opened.time)
            #expect(closed.time < payment.timestamp + Int64(DisputePolicy.latestDays) * 86_400, "none after 120 days")
            #expect(opened.amountCents == payment.amountCents && opened.feeCents == 1_500)
            #expect(opened.merchantNumber == payment.merchantNumber && opened.cardNumber == payment.card.number)
            #expect(opened.evidenceDueDate == Day(containing: opened.time).adding(days: 30))
            let days = (closed.time - opened.time) / 86_400
            #expect(closed.outcome == .accepted ? (1...10).contains(days) : (30...44).contains(days), "\(closed.outcome.name) after \(days) days")
            if opened.reason.family == .fraud {
                #expect((opened.reason == .fraudCardAbsent) == (payment.paymentType == .cardNotPresent))
            }
        }
    }

    /// The dispute rate of approved payments without a refund, each family's and outcome's share
    /// lie within z = 3.29 (99.9 %) binomial standard deviations of the policy's.
    @Test func ratesFamiliesAndOutcomesFollowThePolicy() {
        let refunded = Set(RefundTests.refunds.map(\.paymentNumber))
        let eligible = Self.transactions.filter { $0.approved && RefundPolicy.refund(of: $0, seed: Self.seed) == nil }.count
        #expect(!refunded.isEmpty && eligible > 800_000)
        func within(_ observed: Int, of n: Int, share: Double, _ what: String) {
            let margin = 3.29 * (share * (1 - share) / Double(n)).squareRoot()
            #expect(abs(Double(observed) / Double(n) - share) <= margin, "\(what): \(Double(observed) / Double(n)) against \(share) ± \(margin)")
        }
        within(Self.decided.count, of: eligible, share: DisputePolicy.standard.rate, "dispute rate")
        for (family, share) in DisputePolicy.familyShares {
            within(Self.decided.filter { $0.opened.reason.family == family }.count, of: Self.decided.count, share: share, family.name)
        }
        for (outcome, share) in DisputePolicy.outcomeShares {
            within(Self.decided.filter { $0.closed.outcome == outcome }.count, of: Self.decided.count, share: share, outcome.name)
        }
    }

    /// The waits from payments to openings follow the truncated exponential distribution: the
    /// Kolmogorov–Smirnov distance stays below its 0.1 % critical value, 1.95 / √n.
    @Test func openingWaitsFollowTheirDistribution() {
        let waits = Self.decided.map { Double($0.opened.time - $0.opened.paymentTime - 86_400) / 86_400 }.sorted()
        let n = Double(waits.count)
        var distance = 0.0
        for (index, wait) in waits.enumerated() {
            let expected = DisputePolicy.openingWait.distribution(atDays: wait)
            distance = max(distance, abs(Double(index + 1) / n - expected), abs(Double(index) / n - expected))
        }
        #expect(n > 3_000 && distance < 1.95 / n.squareRoot(), "D = \(distance) over \(waits.count) waits")
    }

    /// The closings' day offsets after their openings are uniform over their ranges (accepted
    /// disputes 1–10 days, contested ones 30–44): a chi-square test of each stays below its 0.1 %
    /// critical value (27.88 with 9 degrees of freedom, 36.12 with 14).
    @Test func closingDelaysFollowTheirDistribution() {
        func chiSquare(_ days: [Int64], over range: ClosedRange<Int>) -> Double {
            var counts = [Int: Int]()
            for day in days { counts[Int(day), default: 0] += 1 }
            let expected = Double(days.count) / Double(range.count)
            #expect(counts.keys.allSatisfy(range.contains))
            return range.reduce(0.0) { $0 + pow(Double(counts[$1] ?? 0) - expected, 2) / expected }
        }
        let offsets = Self.decided.map { ($0.closed.outcome, ($0.closed.time - $0.opened.time) / 86_400) }
        let accepted = offsets.filter { $0.0 == .accepted }.map(\.1), contested = offsets.filter { $0.0 != .accepted }.map(\.1)
        #expect(accepted.count > 500 && contested.count > 1_500)
        let acceptedStatistic = chiSquare(accepted, over: DisputePolicy.acceptedCloseDays)
        let contestedStatistic = chiSquare(contested, over: DisputePolicy.contestedCloseDays)
        #expect(acceptedStatistic < 27.88, "χ² = \(acceptedStatistic) over \(accepted.count) accepted disputes")
        #expect(contestedStatistic < 36.12, "χ² = \(contestedStatistic) over \(contested.count) contested disputes")
    }

    @Test func everyFormOfTheRecordCarriesItsFields() throws {
        let stream = DisputesStream()
        let buffer = EncodingBuffer()
        for event in Self.events.prefix(40) {
            buffer.removeAll()
            stream.writeRow(of: event, to: CSVLine(buffer))
            let values = String(decoding: buffer.bytes, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(values.count == DisputeRow.columns.count)
            #expect(values[0] == "DSP" + String(zeroPadded: Int(event.paymentNumber), width: 10))
            #expect(values[5] == event.stage.name && values[7] == event.reason.code)
            #expect(values[11] == (event.stage == .closed ? event.outcome.name : ""), "the outcome is unknown when it opens")

            stream.encodeValue(of: event, into: buffer, as: .json)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
            #expect(Set(object.keys) == Set(DisputeRow.columns))
            #expect(event.stage == .closed ? object["outcome"] as? String == event.outcome.name : object["outcome"] is NSNull)

            stream.encodeValue(of: event, into: buffer, as: .avro(schemaId: 4))
            var reader = AvroReader(bytes: Array(buffer.bytes))
            #expect(reader.take(5) == [0, 0, 0, 0, 4])
            var avro: [String: String] = [:]
            for field in DisputeRow.fields.fields {
                if field.nullable, try reader.long() == 0 { continue }
                switch field.type {
                case .text: avro[field.name] = String(decoding: try reader.bytes(), as: UTF8.self)
                case .money: avro[field.name] = String(try reader.decimal())
                case .localTimestamp: avro[field.name] = String(try reader.long())
                case .date: avro[field.name] = String(try reader.long())
                default: Issue.record("\(field.name) has a type the dispute record does not use")
                }
            }
            #expect(reader.atEnd)
            #expect(avro["event_timestamp"] == String(event.time * 1_000) && avro["disputed_amount"] == String(event.amountCents))
            #expect(avro["evidence_due_date"] == String(event.evidenceDueDate.ordinal) && avro["outcome"] == (event.stage == .closed ? event.outcome.name : nil))
        }
        #expect(stream.delivered == \PartialDay.disputes)
        #expect(EventStreams.of(Self.run.state).map(\.name) == ["merchants", "transactions", "authorizations", "refunds", "disputes", "payouts"])
    }
}
