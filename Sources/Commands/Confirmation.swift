import Engine
import Foundation
import Checkpoints

/// Asks the person at the terminal to confirm a run; never waits on a stdin that is not a terminal.
enum Confirmation {
    static func ask(_ plan: String) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw UserError("\(plan) Not confirmed: stdin is not a terminal; pass -f/--force to run without confirmation")
        }
        StandardError.write("\(plan)\nProceed? [y/N] ")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else { throw UserError("cancelled; nothing was written") }
    }
}
