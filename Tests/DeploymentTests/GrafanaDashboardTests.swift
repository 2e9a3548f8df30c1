import Foundation
import MeshTestSupport
import XCTest
import Yams

/// The Grafana dashboard shipped with Compose: it parses, every panel queries the
/// provisioned Prometheus datasource, and Compose provisions both. (That every series it
/// queries exists on the roles' `/metrics` is checked against a running mesh in
/// `HealthAndMetricsTests`.)
final class GrafanaDashboardTests: XCTestCase {
    func testTheDashboardParsesAndEveryPanelQueriesTheProvisionedDatasource() throws {
        let dashboard = try DashboardFile.load()
        let panels = try XCTUnwrap(dashboard["panels"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(panels.count, 10)
        let datasources = try XCTUnwrap(try Yams.load(yaml: DeploymentFiles.text("Compose/grafana/provisioning/datasources/prometheus.yaml"))
            as? [String: Any])
        let uid = try XCTUnwrap(((datasources["datasources"] as? [[String: Any]])?.first)?["uid"] as? String)
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let targets = try XCTUnwrap(panel["targets"] as? [[String: Any]], title)
            XCTAssertFalse(targets.isEmpty, title)
            for target in targets {
                XCTAssertEqual((target["datasource"] as? [String: Any])?["uid"] as? String, uid, title)
                XCTAssertFalse(DashboardFile.series(in: target["expr"] as? String ?? "").isEmpty, "\(title) queries an agentmesh series")
            }
        }
        XCTAssertEqual(Set(panels.compactMap { $0["id"] as? Int }).count, panels.count, "panel ids are unique")
    }

    func testComposeProvisionsGrafanaWithTheDashboardAndPrometheus() throws {
        let compose = try DeploymentFiles.text("Compose/compose.yaml")
        XCTAssertTrue(compose.contains("./grafana/provisioning:/etc/grafana/provisioning:ro"))
        XCTAssertTrue(compose.contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro"))
        let provider = try DeploymentFiles.text("Compose/grafana/provisioning/dashboards/agentmesh.yaml")
        XCTAssertTrue(provider.contains("path: /var/lib/grafana/dashboards"))
    }
}
