import Foundation
import Records
import Simulation
import Testing

/// The authorizations stream: each transaction's response agrees with its status, declines follow
/// `AuthorizationResponse.declineShares`, the draw leaves the transactions alone, and every form of
/// the record (CSV row, JSON value, Avro value) carries its fields.
@Suite struct AuthorizationTests {
    static let seed: UInt64 = 7
    /// Over 100 000 transactions (about 3 000 declines), so that each decline code's share is
    /// checked against a binomial interval a few of its standard deviations wide.
    static let run = simulate(seed: seed, from: "2024-03-01", days: 8, scale: 2)
    static let transactions = run.days.flatMap(\.transactions)

    @Test func coversEnoughTransactions() {
        #expect(Self.transactions.count >= 100_000)
    }

    @Test func approvedExactlyWhenTheCodeIs00() {
        let disagreeing = Self.transactions.filter { transaction in
            let response = AuthorizationResponse.of(transaction, seed: Self.seed)
            return (response == .approved) != transaction.approved || (response.declineKind == .none) != transaction.approved
        }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(3).map(\.paymentNumber))")
    }

    @Test func sharesSumToOneAndNameEveryDeclineOnce() {
        let shares = AuthorizationResponse.declineShares
        #expect(shares.reduce(0) { $0 + $1.share } == 1)
        #expect(shares.allSatisfy { $0.share > 0 })
        #expect(Set(shares.map(\.response)) == Set(AuthorizationResponse.allCases.filter { $0 != .approved }))
        #expect(shares.count == AuthorizationResponse.allCases.count - 1)
    }

    /// Each code's share of the declines lies within z = 3.29 (99.9 %) binomial standard deviations
    /// of its configured share.
    @Test func declineCodesFollowTheirShares() {
        let declined = Self.transactions.filter { !$0.approved }
        var counts: [AuthorizationResponse: Int] = [:]
        for transaction in declined { counts[AuthorizationResponse.of(transaction, seed: Self.seed), default: 0] += 1 }
        let n = Double(declined.count)
        #expect(n > 2_000)
        for (response, share) in AuthorizationResponse.declineShares {
            let observed = Double(counts[response] ?? 0) / n
            let margin = 3.29 * (share * (1 - share) / n).squareRoot()
            #expect(abs(observed - share) <= margin, "\(response.code): \(observed) against \(share) ± \(margin)")
        }
    }

    /// The same seed answers the same; another seed changes only the draw of declined payments'
    /// codes, never whether a payment is approved.
    @Test func responsesFollowTheSeedOnly() {
        let again = simulate(seed: Self.seed, from: "2024-03-01", days: 1, scale: 2).days[0].transactions
        let first = Self.run.days[0].transactions
        #expect(again == first)
        #expect(again.map { AuthorizationResponse.of($0, seed: Self.seed) } == first.map { AuthorizationResponse.of($0, seed: Self.seed) })
        let declined = Self.transactions.filter { !$0.approved }
        let other = declined.map { AuthorizationResponse.of($0, seed: Self.seed + 1) }
        #expect(other != declined.map { AuthorizationResponse.of($0, seed: Self.seed) })
        #expect(other.allSatisfy { $0 != .approved })
    }

    /// The response draws from a stream of its own: simulating with every response drawn between
    /// the days gives the very transactions and state of a run that draws none.
    @Test func drawingResponsesLeavesTheTransactionsAlone() {
        var simulator = Simulator(state: SimulationState(seed: Self.seed, scale: 2))
        let first = Day(iso: "2024-03-01")!
        var declines = 0
        for offset in 0..<3 {
            let events = simulator.simulate(first.adding(days: offset))
            for transaction in events.transactions where AuthorizationResponse.of(transaction, seed: Self.seed) != .approved { declines += 1 }
            #expect(events.transactions == Self.run.days[offset].transactions)
        }
        #expect(declines > 0)
        #expect(simulator.state == simulate(seed: Self.seed, from: "2024-03-01", days: 3, scale: 2).state)
    }

    @Test func csvRowHasAFieldPerColumn() {
        #expect(AuthorizationRow.columns == AuthorizationRow.fields.fields.map(\.name))
        #expect(AuthorizationRow.columns == ["authorization_id", "payment_id", "authorization_timestamp", "merchant_id", "terminal_id",
                                             "card_profile_id", "card_brand", "payment_type", "amount", "response_code",
                                             "response_reason", "decline_type", "payment_status"])
        let stream = AuthorizationsStream(seed: Self.seed)
        let buffer = EncodingBuffer()
        for transaction in Self.sample {
            buffer.removeAll()
            stream.writeRow(of: transaction, to: CSVLine(buffer))
            let row = String(decoding: buffer.bytes, as: UTF8.self)
            // No field holds a comma or a quote ("American Express" has a space only).
            let values = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(values.count == AuthorizationRow.columns.count, "\(row)")
            let response = AuthorizationResponse.of(transaction, seed: Self.seed)
            #expect(values[0] == "AUTH" + String(zeroPadded: Int(transaction.paymentNumber), width: 10))
            #expect(values[1] == "TXN" + String(zeroPadded: Int(transaction.paymentNumber), width: 10))
            #expect(values[9] == response.code && values[10] == response.reason && values[11] == response.declineKind.name)
            #expect(values[12] == (transaction.approved ? "approved" : "declined"))
        }
    }

    @Test func jsonValueParsesWithEveryKey() throws {
        let stream = AuthorizationsStream(seed: Self.seed)
        let buffer = EncodingBuffer()
        let fields = AuthorizationRow.fields.fields
        for transaction in Self.sample {
            stream.encodeValue(of: transaction, into: buffer, as: .json)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
            #expect(Set(object.keys) == Set(AuthorizationRow.columns))
            for field in fields {
                if let values = field.values { #expect(values.contains(object[field.name] as? String ?? ""), "\(field.name)") }
            }
            let code = try #require(object["response_code"] as? String)
            #expect((code == "00") == (object["payment_status"] as? String == "approved"))
            #expect((object["amount"] as? NSNumber)?.doubleValue == Double(transaction.amountCents) / 100)
        }
    }

    /// The Avro value read back field by field with the record's Avro types (`Field.avroType`):
    /// every field decodes and the value ends exactly after the last one.
    @Test func avroValueDecodesByTheSchema() throws {
        let stream = AuthorizationsStream(seed: Self.seed)
        let buffer = EncodingBuffer()
        for transaction in Self.sample {
            stream.encodeValue(of: transaction, into: buffer, as: .avro(schemaId: 9))
            var reader = AvroReader(bytes: Array(buffer.bytes))
            #expect(reader.take(5) == [0, 0, 0, 0, 9])
            var values: [String: String] = [:]
            for field in AuthorizationRow.fields.fields {
                #expect(!field.nullable)
                switch field.type {
                case .text: values[field.name] = String(decoding: try reader.bytes(), as: UTF8.self)
                case .money: values[field.name] = String(try reader.decimal())
                case .localTimestamp: values[field.name] = String(try reader.long())
                default: Issue.record("\(field.name) has a type the authorization record does not use")
                }
            }
            #expect(reader.atEnd)
            let response = AuthorizationResponse.of(transaction, seed: Self.seed)
            #expect(values["authorization_timestamp"] == String(transaction.timestamp * 1_000))
            #expect(values["amount"] == String(transaction.amountCents))
            #expect(values["response_code"] == response.code)
            #expect(values["payment_status"] == (transaction.approved ? "approved" : "declined"))
        }
    }

    /// A scenario's shares decide the codes (here two codes, half each, within 3.29 σ); the
    /// default scenario draws what the defaults draw; approvals never change.
    @Test func aScenarioDecidesTheDeclineCodes() throws {
        let halves = try LifecycleScenario(declineShares: [("05", 0.5), ("51", 0.5)])
        let declined = Self.transactions.filter { !$0.approved }
        let codes = declined.map { AuthorizationResponse.of($0, seed: Self.seed, scenario: halves) }
        #expect(Set(codes) == [.doNotHonor, .insufficientFunds])
        let share = Double(codes.filter { $0 == .doNotHonor }.count) / Double(codes.count)
        #expect(abs(share - 0.5) <= 3.29 * (0.25 / Double(codes.count)).squareRoot(), "\(share)")
        #expect(Self.transactions.filter(\.approved).allSatisfy { AuthorizationResponse.of($0, seed: Self.seed, scenario: halves) == .approved })
        #expect(declined.allSatisfy { AuthorizationResponse.of($0, seed: Self.seed, scenario: .standard) == AuthorizationResponse.of($0, seed: Self.seed) })
        #expect(try LifecycleScenario(declineShares: LifecycleScenario.standard.declineCodeShares) == .standard)

        // Other rates make other authorization records: another Kafka run id, the default rates the same one as before.
        let day = Day(iso: "2024-03-01")!
        let plain = RecordIdentity.runId(seed: 7, scale: 1, firstDay: day, timeZone: "UTC")
        #expect(RecordIdentity.runId(seed: 7, scale: 1, firstDay: day, timeZone: "UTC", scenario: .standard) == plain)
        #expect(RecordIdentity.runId(seed: 7, scale: 1, firstDay: day, timeZone: "UTC", scenario: halves) != plain)
        #expect(halves.description == "decline_shares 51=0.5,05=0.5")
    }

    @Test func streamIsDeclaredLikeTheTransactions() {
        let stream = AuthorizationsStream(seed: Self.seed)
        let day = Self.run.days[0]
        #expect(stream.name == "authorizations" && stream.defaultTopic == "payments.authorizations")
        #expect(stream.batchFile.stem == "authorizations")
        #expect(stream.events(of: day) == day.transactions)
        #expect(day.transactions.allSatisfy { stream.eventTime(of: $0) == $0.timestamp })
        // A part of a day after some transactions starts after as many authorizations (DayParts counts both).
        var earlier = PartialDay(date: day.day, merchantEvents: day.merchantEvents.count, transactions: 0)
        earlier.add(transactions: 250)
        #expect(earlier.transactions == 250 && earlier.authorizations == 250)
        #expect(stream.delivered == \PartialDay.authorizations)
    }

    /// Every declined payment and the approved ones among the first thousand: each code appears.
    static let sample = Array(transactions.prefix(1_000)) + transactions.dropFirst(1_000).filter { !$0.approved }
}

/// Reads Avro's binary encoding (zig-zag varint longs, length-prefixed bytes) from a value.
struct AvroReader {
    struct Truncated: Error {}

    let data: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { data = bytes }

    var atEnd: Bool { position == data.count }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(data.count, position + count)
        defer { position = end }
        return Array(data[position..<end])
    }

    mutating func long() throws -> Int64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count, shift < 64 else { throw Truncated() }
            let byte = data[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    mutating func bytes() throws -> [UInt8] {
        let count = Int(try long())
        guard count >= 0, position + count <= data.count else { throw Truncated() }
        return take(count)
    }

    /// A `decimal` on `bytes`: the unscaled big-endian two's-complement value.
    mutating func decimal() throws -> Int {
        let content = try bytes()
        guard let first = content.first else { throw Truncated() }
        return content.dropFirst().reduce(Int(Int8(bitPattern: first))) { $0 << 8 | Int($1) }
    }
}
