import Checkpoints

/// A failure the user can act on, printed as one line.
public struct UserError: ReportableError {
    public let description: String
    public var exitStatus: Int32 = 1

    public init(_ description: String, exitStatus: Int32 = 1) {
        self.description = description
        self.exitStatus = exitStatus
    }
}
