import ArgumentParser
import Attest

/// Rules over a whole command line that ArgumentParser does not enforce, checked once after parsing:
/// an option that takes one value is given once (ArgumentParser would keep the last one silently, so
/// `--threshold 2 --threshold 1` would mean 1), and standard input is read by one option at most.
enum ArgumentRules {
    /// Short names and their long forms, so `-o a --output b` counts as one option given twice.
    static let longForms = ["-o": "--output"]
    /// Options whose '-' means standard output, not standard input.
    static let outputOptions: Set<String> = ["--output", "--html"]

    static func check(_ arguments: [String], parsed: any ParsableCommand) throws(AttestError) {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        try checkStandardInput(arguments[..<end])
        try checkRepeats(arguments, end: end, parsed: parsed)
    }

    /// The option name a token spells (`--name=value` gives `--name`), or nil for a value.
    static func optionName(_ token: String) -> String? {
        guard token.hasPrefix("-"), token != "-", !token.dropFirst().allSatisfy(\.isNumber) else { return nil }
        let name = token.hasPrefix("--") ? String(token.prefix { $0 != "=" }) : token
        return longForms[name] ?? name
    }

    private static func checkStandardInput(_ arguments: ArraySlice<String>) throws(AttestError) {
        var readers = 0
        for index in arguments.indices where arguments[index] == "-" {
            let previous = index > arguments.startIndex ? optionName(arguments[index - 1]) : nil
            if let previous, outputOptions.contains(previous) { continue }
            readers += 1
        }
        guard readers <= 1 else {
            throw AttestError(.usage, "'-' (standard input) is given \(readers) times, but standard input can be read only once")
        }
    }

    /// An occurrence that can be left out without changing what was parsed was overridden by a later one:
    /// the option takes a single value (or is a flag), and giving it twice is refused. Only names that occur
    /// twice are tried, so a usual command line costs one scan.
    private static func checkRepeats(_ arguments: [String], end: Int, parsed: any ParsableCommand) throws(AttestError) {
        var first: [String: Int] = [:]
        var repeated: [(name: String, index: Int)] = []
        for index in 0..<end {
            guard let name = optionName(arguments[index]) else { continue }
            if let earlier = first[name] {
                if !repeated.contains(where: { $0.name == name }) { repeated.append((name, earlier)) }
            } else {
                first[name] = index
            }
        }
        guard !repeated.isEmpty else { return }
        let baseline = describe(parsed)
        for (name, index) in repeated {
            // The occurrence alone (a flag, or `--name=value`), or with the value after it.
            for width in [1, 2] where index + width <= end {
                var trimmed = arguments
                trimmed.removeSubrange(index..<(index + width))
                if let again = try? AttestCommand.parseAsRoot(trimmed), describe(again) == baseline {
                    throw AttestError(.usage, "\(name) is given more than once, and it is not repeatable")
                }
            }
        }
    }

    private static func describe(_ command: any ParsableCommand) -> String {
        var text = ""
        dump(command, to: &text)
        return text
    }
}
