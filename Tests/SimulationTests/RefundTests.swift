import Foundation
import Records
import Simulation
import Testing

/// The refunds stream on a fixed seed: every refund belongs to an approved payment and agrees
/// with it, comes within its window, at most one per payment; the rates, reasons and waits follow
/// `RefundPolicy` (99.9 % intervals and a Kolmogorov–Smirnov test); a history cut into runs with
/// the state saved and read back between them gives the same refunds; and drawing refunds leaves
/// the other streams alone.
@Suite struct RefundTests {
    static let seed: UInt64 = 5
    static let first = Day(iso: "2024-01-01")!
    /// 110 days at scale 1: about 926,000 payments and 33,000 refunds; those of its first 50 days
    /// (about 395,000 approved payments) have all fallen due.
    static let days = 110
    static let run: (days: [DayEvents], state: SimulationState) = {
        var simulator = Simulator(state: SimulationState(seed: seed, lifecycle: true))
        let output = (0..<days).map { simulator.simulate(first.adding(days: $0)) }
        return (output, simulator.state)
    }()
    static let transactions = run.days.flatMap(\.transactions)
    static let refunds = run.days.flatMap(\.refunds)
    /// The payments made early enough that all their refunds fell due within the run (60 days at most).
    static let settledPayments = transactions.filter { $0.timestamp < first.adding(days: days - 60).startSecond && $0.approved }

    @Test func everyRefundAgreesWithItsApprovedPaymentAndComesInItsWindow() throws {
        let payments = Dictionary(uniqueKeysWithValues: Self.transactions.map { ($0.paymentNumber, $0) })
        #expect(Self.refunds.count > 25_000)
        #expect(Set(Self.refunds.map(\.paymentNumber)).count == Self.refunds.count, "at most one refund per payment")
        for refund in Self.refunds {
            let payment = try #require(payments[refund.paymentNumber])
            #expect(payment.approved, "only approved payments are refunded")
            #expect(refund.merchantNumber == payment.merchantNumber && refund.cardNumber == payment.card.number)
            #expect(refund.paymentTime == payment.timestamp && refund.paymentCents == payment.amountCents)
            #expect((1...refund.paymentCents).contains(refund.cents), "never more than the payment, never nothing")
            #expect(refund.time >= payment.timestamp + 86_400 && refund.time < payment.timestamp + 60 * 86_400)
            switch refund.reason {
            case .cancelledOrder, .duplicateCharge: #expect(!refund.isPartial)
            case .priceAdjustment: #expect(refund.isPartial || refund.paymentCents < 2)
            case .returnedGoods: break
            }
        }
    }

    @Test func aDaysRefundsFallOnItInTimeOrder() {
        for events in Self.run.days {
            #expect(events.refunds.allSatisfy { $0.time >= events.day.startSecond && $0.time < events.day.adding(days: 1).startSecond })
            #expect(zip(events.refunds, events.refunds.dropFirst()).allSatisfy { Refund.inOrder($0, $1) })
        }
        #expect(Self.run.days[0].refunds.isEmpty, "the first day has no earlier payment to refund")
    }

    /// What is still to come at the end is exactly the refunds of the run's payments after its last day.
    @Test func thePendingRefundsAreTheOnesStillToCome() {
        let end = Self.first.adding(days: Self.days).startSecond
        let decided = Self.transactions.compactMap { RefundPolicy.refund(of: $0, seed: Self.seed) }
        #expect(decided.filter { $0.time < end } == Self.refunds.sorted { $0.paymentNumber < $1.paymentNumber })
        #expect(Self.run.state.pendingRefunds == decided.filter { $0.time >= end }.sorted(by: Refund.inOrder))
        #expect(Self.run.state.problem == nil)
    }

    /// The share of approved payments refunded, and each reason's share of the refunds, lie within
    /// z = 3.29 (99.9 %) binomial standard deviations of `RefundPolicy`'s.
    @Test func ratesAndReasonsFollowThePolicy() {
        let payments = Set(Self.settledPayments.map(\.paymentNumber))
        let refunded = Self.refunds.filter { payments.contains($0.paymentNumber) }
        func within(_ observed: Int, of n: Int, share: Double, _ what: String) {
            let margin = 3.29 * (share * (1 - share) / Double(n)).squareRoot()
            #expect(abs(Double(observed) / Double(n) - share) <= margin, "\(what): \(Double(observed) / Double(n)) against \(share) ± \(margin)")
        }
        #expect(payments.count > 350_000)
        within(refunded.count, of: payments.count, share: RefundPolicy.standard.rate, "refund rate")
        for (reason, share) in RefundPolicy.reasonShares {
            within(refunded.filter { $0.reason == reason }.count, of: refunded.count, share: share, reason.name)
        }
        let returns = refunded.filter { $0.reason == .returnedGoods }
        within(returns.filter(\.isPartial).count, of: returns.count, share: RefundPolicy.partialReturnChance, "partial returns")
    }

    /// The waits after the first day follow the truncated exponential distribution: the
    /// Kolmogorov–Smirnov distance stays below its 0.1 % critical value, 1.95 / √n.
    @Test func waitsFollowTheirDistribution() {
        let payments = Set(Self.settledPayments.map(\.paymentNumber))
        let waits = Self.refunds.filter { payments.contains($0.paymentNumber) }
            .map { Double($0.time - $0.paymentTime - 86_400) / 86_400 }.sorted()
        let n = Double(waits.count)
        var distance = 0.0
        for (index, wait) in waits.enumerated() {
            let expected = RefundPolicy.wait(RefundPolicy.standard).distribution(atDays: wait)
            distance = max(distance, abs(Double(index + 1) / n - expected), abs(Double(index) / n - expected))
        }
        #expect(distance < 1.95 / n.squareRoot(), "D = \(distance) over \(waits.count) waits")
        #expect(waits.first! >= 0 && waits.last! < RefundPolicy.latestDays - 1)
        // The sampler is the distribution's inverse.
        for quantile in [0.1, 0.5, 0.9, 0.999] {
            for mean in [0.5, 6, 30] {
                let wait = TruncatedWait(meanDays: mean, latestDays: 60)
                #expect(abs(wait.distribution(atDays: wait.days(quantile: quantile)) - quantile) < 1e-9)
            }
        }
    }

    /// A history cut into three runs, its state written as JSON and read back between them, gives
    /// the refunds, the dispute events and the state of one run: follow-ups decided in one run fall
    /// due in the next.
    @Test func runsThatContinueTheStateGiveTheSameRefunds() throws {
        var state = SimulationState(seed: Self.seed, lifecycle: true)
        var refunds: [Refund] = []
        var disputes: [DisputeEvent] = []
        var transactions: [Transaction] = []
        for (from, to) in [(0, 20), (20, 21), (21, 45)] {
            var simulator = Simulator(state: try JSONDecoder().decode(SimulationState.self, from: JSONEncoder().encode(state)))
            for offset in from..<to {
                let events = simulator.simulate(Self.first.adding(days: offset))
                refunds += events.refunds
                disputes += events.disputes
                transactions += events.transactions
            }
            state = simulator.state
            #expect(!state.pendingRefunds.isEmpty && !state.pendingDisputes.isEmpty)
        }
        #expect(refunds == Array(Self.run.days.prefix(45).flatMap(\.refunds)))
        #expect(disputes == Array(Self.run.days.prefix(45).flatMap(\.disputes)) && !disputes.isEmpty)
        #expect(transactions == Array(Self.run.days.prefix(45).flatMap(\.transactions)))
    }

    /// A scenario's rates decide how many payments are refunded and how long refunds take; the
    /// state keeps them (JSON round trip) and the run's identity names them.
    @Test func aScenarioSetsTheRefundRates() throws {
        let rates = try RefundRates(rate: 0.2, meanWaitDays: 1)
        let scenario = LifecycleScenario.standard.with(refunds: rates)
        var simulator = Simulator(state: SimulationState(seed: Self.seed, lifecycle: true, scenario: scenario))
        let days = (0..<30).map { simulator.simulate(Self.first.adding(days: $0)) }
        // Payments of the first 10 days: their refunds are all out within 30 days only if they
        // come early, so count those decided instead, from the policy with the same rates.
        let early = days.prefix(10).flatMap(\.transactions).filter(\.approved)
        let decided = early.compactMap { RefundPolicy.refund(of: $0, seed: Self.seed, rates: rates) }
        let share = Double(decided.count) / Double(early.count)
        #expect(abs(share - 0.2) <= 3.29 * (0.2 * 0.8 / Double(early.count)).squareRoot(), "\(share)")
        let given = Set(days.flatMap(\.refunds).map(\.paymentNumber))
        let dueInRun = decided.filter { $0.time < Self.first.adding(days: 30).startSecond }
        #expect(dueInRun.allSatisfy { given.contains($0.paymentNumber) } && dueInRun.count > decided.count * 9 / 10,
                "with a mean wait of a day, nearly all of them come within the run")
        let meanWait = decided.map { Double($0.time - $0.paymentTime - 86_400) / 86_400 }.reduce(0, +) / Double(decided.count)
        #expect(abs(meanWait - 1) < 0.05, "\(meanWait)")

        let decoded = try JSONDecoder().decode(SimulationState.self, from: JSONEncoder().encode(simulator.state))
        #expect(decoded.scenario.refunds == rates && decoded == simulator.state)
        let day = Self.first
        #expect(RecordIdentity.runId(seed: 5, scale: 1, firstDay: day, timeZone: "UTC", scenario: scenario)
                != RecordIdentity.runId(seed: 5, scale: 1, firstDay: day, timeZone: "UTC"))
    }

    /// Drawing refunds changes no other stream: the lifecycle's transactions and merchant events are
    /// those of a simulation without it.
    @Test func refundsLeaveTheOtherStreamsAlone() {
        var plain = Simulator(state: SimulationState(seed: Self.seed))
        for events in Self.run.days.prefix(10) {
            let without = plain.simulate(events.day)
            #expect(without.transactions == events.transactions)
            #expect(without.merchantEvents.map(\.version) == events.merchantEvents.map(\.version))
            #expect(without.refunds.isEmpty)
        }
    }

    @Test func everyFormOfTheRecordCarriesItsFields() throws {
        let stream = RefundsStream()
        #expect(RefundRow.columns == ["refund_id", "payment_id", "refund_timestamp", "merchant_id", "card_profile_id", "refund_amount",
                                      "payment_amount", "refund_type", "refund_reason", "payment_timestamp"])
        let buffer = EncodingBuffer()
        let sample = Self.refunds.filter { $0.isPartial }.prefix(20) + Self.refunds.filter { !$0.isPartial }.prefix(20)
        for refund in sample {
            buffer.removeAll()
            stream.writeRow(of: refund, to: CSVLine(buffer))
            let values = String(decoding: buffer.bytes, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(values.count == RefundRow.columns.count)
            #expect(values[0] == "RFD" + String(zeroPadded: Int(refund.paymentNumber), width: 10))
            #expect(values[1] == Transaction.id(number: refund.paymentNumber))
            #expect(values[7] == (refund.isPartial ? "partial" : "full") && values[8] == refund.reason.name)

            stream.encodeValue(of: refund, into: buffer, as: .json)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
            #expect(Set(object.keys) == Set(RefundRow.columns))
            #expect((object["refund_amount"] as? NSNumber)?.doubleValue == Double(refund.cents) / 100)

            stream.encodeValue(of: refund, into: buffer, as: .avro(schemaId: 3))
            var reader = AvroReader(bytes: Array(buffer.bytes))
            #expect(reader.take(5) == [0, 0, 0, 0, 3])
            var avro: [String: String] = [:]
            for field in RefundRow.fields.fields {
                switch field.type {
                case .text: avro[field.name] = String(decoding: try reader.bytes(), as: UTF8.self)
                case .money: avro[field.name] = String(try reader.decimal())
                case .localTimestamp: avro[field.name] = String(try reader.long())
                default: Issue.record("\(field.name) has a type the refund record does not use")
                }
            }
            #expect(reader.atEnd)
            #expect(avro["refund_timestamp"] == String(refund.time * 1_000) && avro["refund_amount"] == String(refund.cents))
        }
        #expect(stream.delivered == \PartialDay.refunds)
    }
}
