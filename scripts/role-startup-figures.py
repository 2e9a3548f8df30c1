#!/usr/bin/env python3
"""Time-to-ready (and to owning partitions) and idle RSS of every role process, on the embedded broker.

For each role: the first instance (it forms its consumer group) and a second one (it joins
the existing group, as when scaling out) are started; the time from spawning the process to
its first HTTP 200 on /readyz is recorded, then, after both sat idle for --idle seconds, each
one's VmRSS (/proc/<pid>/status). Repeated --runs times, each run on a fresh broker; prints
min/median/max per figure.

    scripts/role-startup-figures.py --bin .build/release --runs 3
    scripts/role-startup-figures.py --bin .build/release -X queued.max.messages.kbytes=1024

-X key=value settings go to every role process through a properties file
(AGENTMESH_KAFKA_CONFIG), e.g. to compare sizings in one window. --backlog N first writes N
unsigned 1 KiB records to mesh.results (with kcat) so that the roles reading it start behind:
their peak RSS (VmHWM) then shows what read-ahead costs (every such record is dead-lettered).
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = {
    "orchestrator": ("mesh-orchestrator", ["--playbooks", os.path.join(ROOT, "Playbooks")]),
    "coding": ("mesh-agent", ["--role", "coding"]),
    "reviewer": ("mesh-reviewer", ["--rules", os.path.join(ROOT, "Rules")]),
    "compliance": ("mesh-compliance", ["--policies", os.path.join(ROOT, "Policies")]),
    "audit-sink": ("mesh-audit-sink", ["--store", "sqlite:{home}/audit.sqlite"]),
}


def wait_for(what, condition, timeout=60.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def health_port(log_path):
    try:
        with open(log_path) as log:
            match = re.search(r"health_port\W+(\d+)", log.read())
        return int(match.group(1)) if match else None
    except FileNotFoundError:
        return None


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return response.status == 200
    except Exception:
        return False


def owns_partitions(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("agentmesh_assigned_partitions"):
                    return float(line.split()[-1]) > 0
    except Exception:
        pass
    return False


def memory_mib(pid):
    """VmRSS, its anonymous part (heap, stacks, librdkafka buffers: this process's own) and
    PSS (shared library pages divided among the processes mapping them)."""
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "RssAnon:", "VmHWM:")):
                figures[line.split(":")[0]] = int(line.split()[1]) / 1024
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                figures["Pss"] = int(line.split()[1]) / 1024
    return figures


def one_run(args, workdir):
    home = os.path.join(workdir, ".agentmesh")
    meshctl = os.path.join(args.bin, "meshctl")
    catalog = os.path.join(ROOT, "Topics")
    env = dict(os.environ, AGENTMESH_LOG_LEVEL="info")
    if args.X:
        properties = os.path.join(workdir, "extra.properties")
        with open(properties, "w") as out:
            out.write("\n".join(args.X) + "\n")
        env["AGENTMESH_KAFKA_CONFIG"] = properties
    processes = []
    broker = subprocess.Popen([meshctl, "broker", "--catalog", catalog, "--home", home],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    processes.append(broker)
    try:
        wait_for("the broker", lambda: os.path.exists(os.path.join(home, "broker.properties")))
        subprocess.run([meshctl, "keys", "init", "--catalog", catalog, "--home", home], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
        if args.backlog:
            with open(os.path.join(home, "broker.properties")) as properties:
                bootstrap = next(line.split("=", 1)[1].strip() for line in properties if line.startswith("bootstrap.servers="))
            record = "x" * 1024 + "\n"
            subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "mesh.results", "-X", "linger.ms=50"],
                           input=(record * args.backlog).encode(), check=True)
        figures = {}
        for role, (executable, extra) in ROLES.items():
            for instance in (1, 2):
                name = f"{role}-{instance}"
                log_path = os.path.join(workdir, name + ".log")
                command = [os.path.join(args.bin, executable)] + [a.format(home=home) for a in extra] + [
                    "--home", home, "--catalog", catalog, "--instance", name, "--health-port", "0"]
                start = time.monotonic()
                with open(log_path, "w") as log:
                    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=workdir, env=env)
                processes.append(process)
                port = wait_for(f"{name}'s health port", lambda: health_port(log_path))
                wait_for(f"{name} ready", lambda: ready(port), timeout=120)
                figure = {"ready": time.monotonic() - start, "pid": process.pid}
                # Cooperative rebalancing: a joining member is ready (in the group, polling)
                # after the first round, and gets its partitions in the second.
                wait_for(f"{name} owns partitions", lambda: owns_partitions(port), timeout=120)
                figure["owns"] = time.monotonic() - start
                figures[(role, instance)] = figure
        time.sleep(args.idle)  # idle: nothing is produced meanwhile
        for figure in figures.values():
            figure.update(memory_mib(figure["pid"]))
        return figures
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def spread(values, unit):
    return f"{min(values):6.2f} {statistics.median(values):6.2f} {max(values):6.2f} {unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before RSS is read")
    parser.add_argument("--backlog", type=int, default=0, help="1 KiB records on mesh.results before the roles start")
    parser.add_argument("-X", action="append", default=[], help="key=value for every role's Kafka clients")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="agentmesh-startup-") as workdir:
            runs.append(one_run(args, workdir))
    columns = [("ready", "start->/readyz", "s"), ("owns", "start->partitions", "s"), ("VmRSS", "idle VmRSS", "MiB"), ("RssAnon", "of it anonymous", "MiB"),
               ("Pss", "idle PSS", "MiB"), ("VmHWM", "peak RSS", "MiB")]
    print(f"{'role':<12} {'instance':<18} " + " ".join(f"{title + ' (min med max)':<28}" for _, title, _ in columns))
    for role in ROLES:
        for instance, label in ((1, "1st (forms group)"), (2, "2nd (joins group)")):
            cells = [spread([run[(role, instance)][key] for run in runs], unit) for key, _, unit in columns]
            print(f"{role:<12} {label:<18} " + " ".join(f"{cell:<28}" for cell in cells))


if __name__ == "__main__":
    sys.exit(main())
