import CoreMetrics
import MeshCompliance

/// What the gate found, for `/metrics` (through swift-metrics, so the process's backend
/// shows it): `agentmesh_compliance_findings_total{class,severity}`, the class being the
/// identifier class with its Safe Harbor letter where there is one (`other` otherwise), and
/// `agentmesh_compliance_verdicts_total{decision}`.
enum ComplianceMetrics {
    static func record(_ evaluation: ComplianceEvaluation) {
        for finding in evaluation.findings {
            let identifierClass = finding.identifierClass?.label ?? "other"
            Counter(label: "agentmesh_compliance_findings_total",
                    dimensions: [("class", identifierClass), ("severity", "\(finding.severity)")]).increment()
        }
        Counter(label: "agentmesh_compliance_verdicts_total", dimensions: [("decision", "\(evaluation.decision)")]).increment()
    }
}
