/// Every plan with its state, tasks and what waits on a person; kept live by `/static/plans.js`
/// over server-sent events. The server draws only the newest `firstRows` plans, so the page
/// answers fast with thousands of plans; the live stream's first event fills in the rest.
enum PlansPage {
    static let firstRows = 200

    static func render(_ plans: [PlanSummary], user: ConsoleUser, csrf: String) -> String {
        let rows = plans.suffix(firstRows).reversed().map { plan in
            [
                "<a href=\"/plans/\(HTML.escape(plan.id))\">\(HTML.escape(plan.id))</a>",
                HTML.escape(plan.title), HTML.escape(plan.playbook),
                "<span class=\"state\">\(HTML.escape(plan.state))</span>",
                HTML.escape(plan.tasks.map { "\($0.task): \($0.state)" }.joined(separator: ", ")),
                plan.waitingOnApproval.map { "<a href=\"/approvals/\(HTML.escape($0))\">\(HTML.escape($0))</a>" }.joined(separator: " "),
            ]
        }
        return HTML.page(title: "Plans", user: user, csrf: csrf, body: """
            <p class="live" id="live-status">live</p>
            \(plans.count > firstRows ? "<p id=\"plans-count\">\(plans.count) plans; the newest \(firstRows) are drawn first, the rest arrive live.</p>" : "")
            \(HTML.table(["Objective", "Title", "Playbook", "State", "Tasks", "Waiting on a person"], rows, id: "plans"))
            <script src="/static/plans.js"></script>
            """)
    }

    /// Builds the table from the `plans` event and updates rows in place from each `changed`
    /// event, with textContent only (no HTML from data).
    static let script = """
        "use strict";
        const status = document.getElementById("live-status");
        const body = document.querySelector("#plans tbody");
        const rows = new Map();
        const source = new EventSource("/events/plans");
        function cell(row, text, href) {
          const td = row.insertCell();
          if (href) { const a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); }
          else { td.textContent = text; }
          return td;
        }
        function fill(row, plan) {
          row.replaceChildren();
          cell(row, plan.id, "/plans/" + encodeURIComponent(plan.id));
          cell(row, plan.title); cell(row, plan.playbook);
          cell(row, plan.state).className = "state";
          cell(row, plan.tasks.map((t) => t.task + ": " + t.state).join(", "));
          const waiting = row.insertCell();
          for (const id of plan.waitingOnApproval) {
            const a = document.createElement("a"); a.href = "/approvals/" + encodeURIComponent(id); a.textContent = id;
            waiting.appendChild(a);
          }
        }
        function upsert(plan, newest) {
          let row = rows.get(plan.id);
          if (!row) { row = newest ? body.insertRow(0) : body.insertRow(); rows.set(plan.id, row); }
          fill(row, plan);
        }
        function updated() { status.textContent = "live · updated " + new Date().toLocaleTimeString(); }
        source.addEventListener("plans", (event) => {
          body.replaceChildren(); rows.clear();
          for (const plan of JSON.parse(event.data).reverse()) { upsert(plan, false); }
          updated();
        });
        source.addEventListener("changed", (event) => {
          for (const plan of JSON.parse(event.data)) { upsert(plan, true); }
          updated();
        });
        source.onerror = () => { status.textContent = "reconnecting…"; };
        """

    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; }
        nav { background: #24292f; color: #fff; padding: .6em 1em; } nav a { color: #fff; margin-right: 1em; }
        nav .who { margin-left: 2em; } form.inline { display: inline; margin-left: 1em; }
        main { padding: 1em 2em; } table { border-collapse: collapse; margin: 1em 0; }
        td, th { border: 1px solid #d0d7de; padding: .3em .6em; vertical-align: top; text-align: left; }
        pre { background: #f6f8fa; padding: .6em; overflow: auto; max-height: 30em; }
        .error { color: #b00020; font-weight: bold; } .ok { color: #116329; font-weight: bold; }
        label { display: block; margin: .5em 0; } .manifest th { width: 12em; }
        table.source td, table.diff td { border: none; padding: 0 .5em; } td.ln { color: #57606a; text-align: right; }
        table.source code, table.diff code { white-space: pre; } tr.flagged { background: #fff8c5; } tr.finding-at-line td { color: #b00020; } tr.added { background: #dafbe1; }
        tr.removed { background: #ffebe9; } #causal-tree ul { list-style: none; border-left: 1px solid #d0d7de; padding-left: 1em; }
        #causal-tree .headline { color: #57606a; } #causal-tree .finding { color: #b00020; }
        """
}
