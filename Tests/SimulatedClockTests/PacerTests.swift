import SimulatedClock
import Testing

/// A clock that moves only when the pacer sleeps on it.
final class ManualClock: WallClock {
    var current: Double
    var sleeps: [Double] = []

    init(at start: Double) { current = start }

    func now() -> Double { current }

    func sleep(until instant: Double) {
        sleeps.append(instant)
        current = max(current, instant)
    }
}

@Suite struct PacerTests {
    @Test func mapsSimulatedTimeToWallTimeByThePace() {
        let clock = ManualClock(at: 100)
        let pacer = Pacer(pace: .factor(3600), clock: clock)
        pacer.anchor(at: 86_400)                      // simulated midnight is wall 100
        #expect(pacer.wallTime(of: 86_400 + 7_200) == 102)
        pacer.wait(until: 86_400 + 7_200)             // two simulated hours = two wall seconds
        #expect(clock.current == 102)
        #expect(pacer.simulatedNow() == 86_400 + 7_200)
        #expect(pacer.lag(of: 86_400 + 7_200) == 0)
        pacer.wait(until: 86_400)                     // already past: no sleep
        #expect(clock.current == 102)
    }

    /// While it waits, the pacer tells where the schedule is: the simulated clock moves with the
    /// wall clock though no event is due, and never reaches the awaited event early.
    @Test func tellsTheScheduleWhileItWaits() {
        let clock = ManualClock(at: 100)
        var told: [Double] = []
        let pacer = Pacer(pace: .factor(3600), clock: clock, whileWaiting: { told.append($0) })
        pacer.anchor(at: 86_400)
        pacer.wait(until: 86_400 + 3_600)              // one simulated hour, one wall second, 50 ms slices
        #expect((20...21).contains(told.count), "a slice of 50 ms each (the last may be a sliver)")
        #expect(told.first == 86_400 && told == told.sorted() && told.last! < 86_400 + 3_600)
        #expect(zip(told, told.dropFirst()).allSatisfy { $1 - $0 > 0 && $1 - $0 < 180 + 1e-6 }, "a slice moves the schedule at most 50 ms × 3600")
        told = []
        pacer.wait(until: 86_400)                      // already past: nothing to wait for, nothing told
        #expect(told.isEmpty)
    }

    @Test func sleepsInShortSlicesAndStopsWhenInterrupted() {
        let clock = ManualClock(at: 0)
        var interrupted = false
        let pacer = Pacer(pace: .factor(1), clock: clock, isInterrupted: { interrupted })
        pacer.anchor(at: 0)
        pacer.wait(until: 1)
        #expect(clock.current == 1 && clock.sleeps.count == 20) // 50 ms slices
        interrupted = true
        pacer.wait(until: 3_600)
        #expect(clock.current == 1)
    }

    @Test func realtimeIsOneToOneAndMaxNeverWaits() {
        let clock = ManualClock(at: 5)
        let realtime = Pacer(pace: Pace(argument: "realtime")!, clock: clock)
        realtime.anchor(at: 1_000)
        #expect(realtime.wallTime(of: 1_060) == 65)
        let fastest = Pacer(pace: .max, clock: clock)
        fastest.wait(until: 1e12)
        #expect(clock.sleeps.isEmpty && fastest.simulatedNow() == .infinity)
    }

    @Test(arguments: ["max", "realtime", "60", "3600", "0.5"])
    func parsesPaces(_ text: String) { #expect(Pace(argument: text) != nil) }

    @Test(arguments: ["0", "-1", "fast", "", "nan", "inf"])
    func refusesBadPaces(_ text: String) { #expect(Pace(argument: text) == nil) }
}

@Suite struct LazyAnchorTests {
    @Test func anchorsAtTheFirstWaitWhenAsked() {
        let clock = ManualClock(at: 10)
        let pacer = Pacer(pace: .factor(2), clock: clock)
        pacer.anchor(at: 1_000, atFirstWait: true)
        clock.current = 50                      // preparing the events took 40 s
        pacer.wait(until: 1_000)               // due now: the schedule starts here
        #expect(clock.current == 50)
        pacer.wait(until: 1_010)               // 10 simulated seconds at x2 = 5 wall seconds
        #expect(clock.current == 55)
    }
}
