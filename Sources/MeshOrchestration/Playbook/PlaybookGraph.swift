import Yams

/// Checks across the tasks of one playbook: duplicate ids, unknown dependencies and cycles.
struct PlaybookGraph {
    let issues: IssueList

    func check(_ tasks: [ParsedTask]) {
        var firstMark: [String: Mark?] = [:]
        for task in tasks {
            guard let id = task.id else { continue }
            if let earlier = firstMark[id] {
                issues.add(task.idMark, "task \"\(id)\"", field: "id",
                           "duplicate task id (first defined at line \(earlier?.line ?? 0)); task ids must be unique")
            } else {
                firstMark[id] = task.idMark
            }
        }
        let ids = tasks.compactMap(\.id)
        var edges: [String: [String]] = [:]
        for task in tasks {
            guard let id = task.id else { continue }
            var seen: Set<String> = []
            for dependency in task.dependencies {
                if !seen.insert(dependency.name).inserted {
                    issues.add(dependency.mark, "task \"\(id)\"", field: "depends_on", "\"\(dependency.name)\" listed twice")
                } else if firstMark[dependency.name] == nil {
                    issues.add(dependency.mark, "task \"\(id)\"", field: "depends_on",
                               "unknown dependency \"\(dependency.name)\"" + Suggestion.hint(for: dependency.name, in: ids))
                } else if edges[id, default: []].contains(dependency.name) == false {
                    edges[id, default: []].append(dependency.name)
                }
            }
        }
        reportCycles(in: tasks, edges: edges)
    }

    /// Depth-first search in file order; every back edge closes a cycle, reported once at
    /// the `depends_on` entry that closes it, e.g. `a -> b -> c -> a`.
    private func reportCycles(in tasks: [ParsedTask], edges: [String: [String]]) {
        enum Color { case grey, black }
        var color: [String: Color] = [:]
        var path: [String] = []
        let byID = Dictionary(tasks.compactMap { task in task.id.map { ($0, task) } }, uniquingKeysWith: { first, _ in first })

        func visit(_ id: String) {
            color[id] = .grey
            path.append(id)
            for next in edges[id] ?? [] {
                switch color[next] {
                case .grey:
                    let start = path.lastIndex(of: next) ?? 0
                    let cycle = path[start...] + [next]
                    let mark = byID[id]?.dependencies.first { $0.name == next }?.mark
                    issues.add(mark, "task \"\(id)\"", field: "depends_on",
                               "dependency cycle \(cycle.joined(separator: " -> ")); a task cannot wait for itself")
                case .black:
                    continue
                case nil:
                    visit(next)
                }
            }
            path.removeLast()
            color[id] = .black
        }

        for task in tasks {
            if let id = task.id, color[id] == nil { visit(id) }
        }
    }
}
