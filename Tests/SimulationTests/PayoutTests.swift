import Foundation
import Records
import Simulation
import Testing

/// The payouts stream on the refunds tests' run (110 days at scale 1): each day has one payout
/// per merchant with an event that day, at the day's last second, whose amounts are the sums of
/// that merchant's events of the day in the other streams, so that the net reconciles to the cent.
@Suite struct PayoutTests {
    static let run = RefundTests.run

    /// What the payouts must hold, worked out from the other streams' events alone.
    struct Expected: Equatable {
        var gross: Int64 = 0, mdr: Int64 = 0, refunds: Int64 = 0, chargebacks: Int64 = 0, fees: Int64 = 0, reversals: Int64 = 0
        var items = 0
    }

    static func expected(_ day: DayEvents) -> [Int32: Expected] {
        var totals: [Int32: Expected] = [:]
        for payment in day.transactions where payment.approved {
            totals[payment.merchantNumber, default: Expected()].gross += Int64(payment.amountCents)
            totals[payment.merchantNumber, default: Expected()].mdr += Int64(payment.mdrCents)
            totals[payment.merchantNumber, default: Expected()].items += 1
        }
        for refund in day.refunds {
            totals[refund.merchantNumber, default: Expected()].refunds += Int64(refund.cents)
            totals[refund.merchantNumber, default: Expected()].items += 1
        }
        for event in day.disputes {
            var total = totals[event.merchantNumber, default: Expected()]
            if event.stage == .opened {
                total.chargebacks += Int64(event.amountCents)
                total.fees += Int64(event.feeCents)
            } else if event.outcome == .won {
                total.reversals += Int64(event.amountCents)
            }
            total.items += 1
            totals[event.merchantNumber] = total
        }
        return totals
    }

    @Test func eachPayoutIsTheSumOfItsMerchantsEventsOfTheDay() {
        var reversed = 0, negative = 0
        for day in Self.run.days {
            let expected = Self.expected(day)
            #expect(day.payouts.count == expected.count, "a payout for every merchant with an event on \(day.day), and no other")
            #expect(zip(day.payouts, day.payouts.dropFirst()).allSatisfy { $0.merchantNumber < $1.merchantNumber }, "in merchant order")
            for payout in day.payouts {
                let got = Expected(gross: payout.grossCents, mdr: payout.mdrCents, refunds: payout.refundCents, chargebacks: payout.chargebackCents,
                                   fees: payout.disputeFeeCents, reversals: payout.reversalCents, items: payout.items)
                #expect(got == expected[payout.merchantNumber], "\(Merchant.id(number: Int(payout.merchantNumber))) on \(day.day)")
                #expect(payout.netCents == got.gross - got.mdr - got.refunds - got.chargebacks - got.fees + got.reversals)
                #expect(payout.settlementDay == day.day && payout.time == day.day.adding(days: 1).startSecond - 1)
                #expect(payout.payoutDate == day.day.adding(days: 1))
                reversed += payout.reversalCents > 0 ? 1 : 0
                negative += payout.netCents < 0 ? 1 : 0
            }
        }
        #expect(reversed > 0, "won disputes give money back")
        #expect(negative > 0, "a day of chargebacks can leave a merchant owing")
    }

    /// The payouts of the whole run add up to the other streams' totals, to the cent.
    @Test func theRunsPayoutsReconcileWithTheOtherStreams() {
        let payouts = Self.run.days.flatMap(\.payouts)
        let approved = Self.run.days.flatMap(\.transactions).filter(\.approved)
        let refunds = Self.run.days.flatMap(\.refunds), disputes = Self.run.days.flatMap(\.disputes)
        let opened = disputes.filter { $0.stage == .opened }, won = disputes.filter { $0.stage == .closed && $0.outcome == .won }
        let expected = approved.reduce(Int64(0)) { $0 + Int64($1.amountCents) - Int64($1.mdrCents) }
            - refunds.reduce(Int64(0)) { $0 + Int64($1.cents) }
            - opened.reduce(Int64(0)) { $0 + Int64($1.amountCents) + Int64($1.feeCents) }
            + won.reduce(Int64(0)) { $0 + Int64($1.amountCents) }
        #expect(payouts.reduce(Int64(0)) { $0 + $1.netCents } == expected)
        #expect(payouts.reduce(0) { $0 + $1.items } == approved.count + refunds.count + disputes.count)
    }

    @Test func everyFormOfTheRecordCarriesItsFields() throws {
        let stream = PayoutsStream()
        let buffer = EncodingBuffer()
        let sample = Self.run.days[40].payouts.prefix(20) + Self.run.days.flatMap(\.payouts).filter { $0.netCents < 0 }.prefix(5)
        for payout in sample {
            buffer.removeAll()
            stream.writeRow(of: payout, to: CSVLine(buffer))
            let values = String(decoding: buffer.bytes, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(values.count == PayoutRow.columns.count)
            #expect(values[0] == "PAY" + payout.settlementDay.description.replacingOccurrences(of: "-", with: "") + values[1])
            #expect(Decimal(string: values[11]) == Decimal(payout.netCents) / 100 && values[12] == String(payout.items))

            stream.encodeValue(of: payout, into: buffer, as: .json)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
            #expect(Set(object.keys) == Set(PayoutRow.columns))
            #expect((object["net_amount"] as? NSNumber)?.doubleValue == Double(payout.netCents) / 100)

            stream.encodeValue(of: payout, into: buffer, as: .avro(schemaId: 5))
            var reader = AvroReader(bytes: Array(buffer.bytes))
            #expect(reader.take(5) == [0, 0, 0, 0, 5])
            var avro: [String: String] = [:]
            for field in PayoutRow.fields.fields {
                switch field.type {
                case .text: avro[field.name] = String(decoding: try reader.bytes(), as: UTF8.self)
                case .money: avro[field.name] = String(try reader.decimal())
                case .localTimestamp, .date, .integer: avro[field.name] = String(try reader.long())
                default: Issue.record("\(field.name) has a type the payout record does not use")
                }
            }
            #expect(reader.atEnd)
            #expect(avro["net_amount"] == String(payout.netCents) && avro["item_count"] == String(payout.items))
        }
        #expect(stream.delivered == \PartialDay.payouts)
    }
}
