import SimulatedClock
import Foundation
import Simulation
import Testing

/// The simulated clock's wall-clock seconds map to instants as Python's `zoneinfo` (and `java.time`)
/// maps them: a repeated hour's first pass, a skipped hour read with the offset before the jump.
@Suite struct SimulatedTimeZoneTests {
    /// Local `YYYY-MM-DDTHH:MM:SS` as simulated seconds.
    func local(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return Int64(formatter.date(from: text)!.timeIntervalSince1970)
    }

    @Test func turnsLocalWallClockSecondsIntoUTCAcrossDaylightSaving() {
        let newYork = SimulatedTimeZone(identifier: "America/New_York")!
        let januaryNoon: Int64 = 1_704_888_000       // 2024-01-10T12:00:00 as local wall-clock time
        #expect(newYork.utcSecond(ofLocal: januaryNoon) == januaryNoon + 5 * 3600)
        let julyNoon: Int64 = 1_720_612_800          // 2024-07-10T12:00:00
        #expect(newYork.utcSecond(ofLocal: julyNoon) == julyNoon + 4 * 3600)
        #expect(SimulatedTimeZone(identifier: "UTC")!.utcSecond(ofLocal: julyNoon) == julyNoon)
        #expect(SimulatedTimeZone(identifier: "Mars/Olympus") == nil)
    }

    @Test func skippedAndRepeatedHoursInNewYork() {
        let zone = SimulatedTimeZone(identifier: "America/New_York")!
        // 2024-03-10 02:31 does not exist: the offset before the jump (EST) makes it 07:31Z, 03:31 EDT.
        #expect(zone.utcSecond(ofLocal: local("2024-03-10T02:31:00")) == local("2024-03-10T07:31:00"))
        #expect(zone.utcSecond(ofLocal: local("2024-03-10T01:59:59")) == local("2024-03-10T06:59:59"))
        #expect(zone.utcSecond(ofLocal: local("2024-03-10T03:00:00")) == local("2024-03-10T07:00:00"))
        // 2024-11-03 01:30 happens twice: its first pass, EDT.
        #expect(zone.utcSecond(ofLocal: local("2024-11-03T01:30:00")) == local("2024-11-03T05:30:00"))
        #expect(zone.utcSecond(ofLocal: local("2024-11-03T02:00:00")) == local("2024-11-03T07:00:00"))
        // And back: the second pass of 01:30 is 06:30Z.
        #expect(zone.localSecond(ofUTC: local("2024-11-03T06:30:00")) == local("2024-11-03T01:30:00"))
        #expect(zone.localSecond(ofUTC: local("2024-03-10T07:00:00")) == local("2024-03-10T03:00:00"))
    }

    /// Thousands of local times around every change of offset of several zones, 1890 to 2040, against
    /// Python's zoneinfo with fold=0 (the same rule java.time applies).
    @Test func everyReadingAgreesWithPythonsZoneinfo() throws {
        let zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "Pacific/Apia",
                     "Europe/Dublin", "America/St_Johns", "Africa/Casablanca", "UTC"]
        var generator = SystemRandomNumberGenerator()
        let start = local("1890-01-01T00:00:00"), end = local("2040-01-01T00:00:00")
        var cases: [(zone: String, local: Int64)] = []
        for zone in zones {
            let timeZone = TimeZone(identifier: zone)!
            // Two hours either side of every change of offset, and random times between.
            var instant = Date(timeIntervalSince1970: Double(start))
            var changes = 0
            while let next = timeZone.nextDaylightSavingTimeTransition(after: instant), next.timeIntervalSince1970 < Double(end), changes < 300 {
                let localChange = Int64(next.timeIntervalSince1970) + Int64(timeZone.secondsFromGMT(for: next))
                for delta in stride(from: -7_200, through: 7_200, by: 900) { cases.append((zone, localChange + Int64(delta))) }
                instant = next.addingTimeInterval(1)
                changes += 1
            }
            for _ in 0..<200 { cases.append((zone, Int64.random(in: start..<end, using: &generator))) }
        }
        let expected = try pythonUTCSeconds(of: cases)
        var mismatches: [String] = []
        for ((zone, localSecond), utc) in zip(cases, expected) {
            let ours = SimulatedTimeZone(identifier: zone)!.utcSecond(ofLocal: localSecond)
            if ours != utc { mismatches.append("\(zone) \(localSecond): \(ours) against zoneinfo's \(utc)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count): \(mismatches.prefix(5))")
        // And the way back: the local time of each instant.
        let times = SimulatedTimeZone(identifier: "America/New_York")!
        for (_, localSecond) in cases.prefix(2_000) {
            let instant = times.utcSecond(ofLocal: localSecond)
            #expect(times.utcSecond(ofLocal: times.localSecond(ofUTC: instant)) == instant)
        }
    }

    /// The UTC second Python's zoneinfo gives each (zone, local wall-clock second), fold=0.
    func pythonUTCSeconds(of cases: [(zone: String, local: Int64)]) throws -> [Int64] {
        let script = """
        import sys, datetime, zoneinfo
        out = []
        for line in sys.stdin:
            zone, local = line.split()
            naive = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=int(local))
            aware = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0)
            out.append(str(int(aware.timestamp())))
        print("\\n".join(out))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let text = cases.map { "\($0.zone) \($0.local)\n" }.joined()
        DispatchQueue.global().async {
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { Int64($0)! }
    }
}
