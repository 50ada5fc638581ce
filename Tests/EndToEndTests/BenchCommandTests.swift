import Testing

/// The benchmark (`replay-bench`, which `./replay bench` runs) prints every row of its table
/// (figures are read by people, not asserted).
@Suite struct BenchCommandTests {
    @Test func printsEveryRow() throws {
        let result = try ChildProcess(ReplayBinary.sibling("replay-bench"), ["--days", "2", "--repetitions", "1", "--pacing-seconds", "1"]).finish()
        #expect(result.status == 0, "\(result.stderr)")
        for row in ["simulation only", "files only: replay", "plain writer", "180 days", "one day at scale 100 (tx", "one day at scale 1000 (tx", "the next day at scale 100 (tx", "the next day at scale 1000 (tx", "checkpoints wrote", "values only: JSON", "values only: Avro", "embedded broker: replay",
                    "embedded broker: raw librdkafka", "`replay broker` process: replay",
                    "3-broker cluster process (6 partitions, RF 3): replay", "3-broker cluster process: raw librdkafka", "pacing lag at --pace realtime",
                    "pacing lag at --pace 1000"] {
            #expect(result.stdout.contains(row), "missing row \(row)")
        }
    }
}
