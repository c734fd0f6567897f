import AttestTestSupport
import Foundation
import Testing

/// A whole trust chain (root, delegation, manifest, device facts) built by an independent Python script from
/// DESIGN.md's formats alone — `cryptography` + `rfc8785`, no attest code — verifies with `attest verify`, and each
/// wrong fact is denied by exactly the check that names it.
@Suite("documents built independently in Python", .enabled(if: Python.has("rfc8785") && Python.has("cryptography")))
struct DocumentInteropTests {
    static let script = Vectors.repositoryRoot.appendingPathComponent("Tests/Interop/build_chain.py").path

    /// What `attest verify --json` printed.
    struct Report {
        let decision: String
        let manifest: [String: Any]
        let statuses: [String: String]
        var failed: Set<String> { Set(statuses.filter { $0.value == "fail" }.keys) }
    }

    /// The chain the script wrote, and how to verify against it.
    struct Chain {
        let dir: TemporaryDirectory
        let summary: [String: Any]

        init(delegationKey: String) throws {
            dir = try TemporaryDirectory()
            let built = try Python.run([DocumentInteropTests.script, dir.path("chain"), "--delegation-key", delegationKey])
            try #require(built.status == 0, "build_chain.py failed: \(built)")
            summary = try #require(try JSONSerialization.jsonObject(with: dir.read("chain/chain.json")) as? [String: Any])
        }

        func path(_ name: String) -> String { dir.path("chain/\(name)") }

        func verify(device: String = "device.json", workload: String, model: String? = nil) throws -> (CLI.Outcome, Report) {
            var args = ["verify", "--root", path("root.json"), "--delegation", path("delegation.json"),
                        "--device", path(device), "--workload", workload]
            if let model { args += ["--model", path(model)] }
            args += ["--json", path("manifest.json")]
            let outcome = try CLI.run(args)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any],
                                    "attest verify --json did not print a JSON object: \(outcome)")
            let decision = try #require(json["decision"] as? String)
            let manifest = try #require(json["manifest"] as? [String: Any])
            let checks = try #require(json["checks"] as? [[String: Any]])
            var statuses: [String: String] = [:]
            for check in checks {
                let id = try #require(check["id"] as? String)
                let status = try #require(check["status"] as? String)
                #expect(statuses[id] == nil, "check \(id) reported twice")
                #expect(["pass", "fail", "skip"].contains(status), "check \(id) has status \(status)")
                #expect(check["detail"] is String, "check \(id) has no detail")
                statuses[id] = status
            }
            return (outcome, Report(decision: decision, manifest: manifest, statuses: statuses))
        }

        /// Exit 1, decision deny, and exactly `ids` failed.
        func expectDenied(device: String = "device.json", workload: String, model: String? = nil, failing ids: Set<String>) throws {
            let (outcome, report) = try verify(device: device, workload: workload, model: model)
            #expect(outcome.status == 1, "\(outcome)")
            #expect(report.decision == "deny")
            #expect(report.failed == ids, "\(outcome)")
        }
    }

    static let allChecks: Set<String> = [
        "envelope.format", "root.signature", "root.expiry",
        "delegation.signature", "delegation.expiry", "delegation.revoked", "delegation.rollback", "revocation.freshness",
        "manifest.signature", "manifest.scope", "manifest.validity", "manifest.revoked", "manifest.rollback",
        "region.denied", "device.chip", "device.region", "job.workload", "job.model",
    ]

    @Test("a Python-built chain is allowed; a wrong model, serial, region or workload fails exactly its check",
          arguments: ["rsa", "ed25519"])
    func chain(delegationKey: String) throws {
        let chain = try Chain(delegationKey: delegationKey)

        // The manifest attest reports is the one the script built, with the digest computed on the Python side.
        let (allowed, report) = try chain.verify(workload: "industrial-inspection")
        #expect(allowed.status == 0, "\(allowed)")
        #expect(report.decision == "allow")
        #expect(Set(report.statuses.keys) == Self.allChecks, "\(allowed)")
        #expect(report.statuses.values.allSatisfy { $0 == "pass" || $0 == "skip" }, "\(allowed)")
        // With device facts and a workload, only the rollback counters (no state directory) may be skipped.
        #expect(report.statuses.filter { $0.value == "skip" }.keys.sorted() == ["delegation.rollback", "manifest.rollback"], "\(allowed)")
        let built = try #require(chain.summary["manifest"] as? [String: Any])
        #expect(report.manifest["id"] as? String == built["id"] as? String)
        #expect(report.manifest["digest"] as? String == built["digest"] as? String)
        #expect(report.manifest["issuer"] as? String == "acme-integration")

        let (pinned, pinnedReport) = try chain.verify(workload: "public-safety", model: "model.bin")
        #expect(pinned.status == 0, "\(pinned)")
        #expect(pinnedReport.decision == "allow")
        #expect(pinnedReport.statuses["job.model"] == "pass", "\(pinned)")

        try chain.expectDenied(workload: "public-safety", model: "other-model.bin", failing: ["job.model"])
        try chain.expectDenied(device: "device-wrong-serial.json", workload: "industrial-inspection", failing: ["device.chip"])
        try chain.expectDenied(device: "device-wrong-region.json", workload: "industrial-inspection", failing: ["device.region"])
        try chain.expectDenied(workload: "frontier-training", failing: ["job.workload"])
    }
}
