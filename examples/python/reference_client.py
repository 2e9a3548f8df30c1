#!/usr/bin/env python3
"""A reference AgentMesh client written from Proto/ and Proto/CONTRACT.md alone.

    reference_client.py vectors Proto/vectors
        checks every test vector: key ring, accept/reject outcomes with reasons, derived ids,
        the approval manifest and its signature, partitions, headers.

    reference_client.py run --home .agentmesh --catalog Topics [--playbook single-task]
        submits an objective signed with the meshctl key of <home>/keys to the broker of
        <home>/broker.properties (what `meshctl broker` writes), follows it on every topic that
        carries it, verifies every envelope as a role process would, and exits 0 when the plan
        completes (1 failed, 2 timed out, 3 an envelope failed verification).
"""

import argparse
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import agentmesh_contract as contract  # noqa: E402
import agentmesh_pb2 as pb  # noqa: E402


def check_vectors(directory):
    failures = []

    def expect(condition, what):
        if not condition:
            failures.append(what)

    ring = os.path.join(directory, "keyring")
    # Git does not keep 0600 modes; the vector keys are public test material.
    trust = contract.load_trust(ring, check_modes=False)
    with open(os.path.join(directory, "envelopes.json"), encoding="utf-8") as f:
        vectors = json.load(f)
    catalog = contract.Catalog.load(os.path.join(directory, "..", "..", "Topics"))
    expect(catalog.partitioner == vectors["partitioner"], "the catalog states the vectors' partitioner")
    for case in vectors["cases"]:
        value = bytes.fromhex(case["sealed"])
        expected = case["expected"]
        try:
            envelope, signer = contract.judge(value, case["topic"], case["partition"], trust, catalog, vectors["partitions"])
            outcome = None
        except contract.Rejected as rejected:
            outcome = rejected.reason
        expect(outcome == expected.get("reason"), f"{case['name']}: judged {outcome or 'accept'}, vector says {expected.get('reason') or 'accept'}")
        expect(hashlib.sha256(bytes.fromhex(case["envelope"])).hexdigest() == case["envelopeSHA256"], f"{case['name']}: envelope sha256")
        if outcome is None and expected["accept"]:
            expect(signer.principal == expected["signer"] and signer.key_id == expected["keyID"], f"{case['name']}: signer")
            expect((envelope.id, envelope.type, envelope.correlation_id, envelope.source)
                   == (expected["id"], expected["type"], expected["correlationID"], expected["source"]), f"{case['name']}: fields")
            if case.get("headers"):
                expect([list(h) for h in contract.cloud_event_headers(envelope)] == case["headers"], f"{case['name']}: headers")
            # What we seal must open the same way (our encoder is not byte-identical to Swift's, and need not be).
            if expected["signer"] == "meshctl":
                resealed, _ = contract.seal(envelope, contract.Signer(ring, "meshctl", check_modes=False))
                reopened, _, _ = contract.open_sealed(resealed, trust)
                expect(reopened == envelope, f"{case['name']}: re-sealed envelope differs")

    with open(os.path.join(directory, "derived-ids.json"), encoding="utf-8") as f:
        for row in json.load(f):
            got = contract.derived_id(row["causeID"], row["role"], row["output"], row["discriminator"])
            expect(got == row["id"], f"derived id {row}: got {got}")

    with open(os.path.join(directory, "approval-manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    decision = pb.ApprovalDecision(approval_id=m["approvalID"], decision=m["decision"], signer_id=m["signerID"],
                                   printed_name=m["printedName"], meaning=m["meaning"],
                                   signed_at_unix_micros=m["signedAtUnixMicros"], reason=m["reason"],
                                   result_sha256=bytes.fromhex(m["resultSHA256"]))
    manifest = contract.approval_manifest(decision)
    expect(manifest.hex() == m["manifest"], "approval manifest bytes")
    key = trust[m["signatureKeyID"]]
    expect(key.kind == "person" and key.verifies(bytes.fromhex(m["signature"]), manifest), "approval manifest signature")
    result = next(c for c in vectors["cases"] if c["name"] == "task-result-hmac")
    expect(hashlib.sha256(bytes.fromhex(result["envelope"])).hexdigest() == m["resultSHA256"], "result_sha256")

    with open(os.path.join(directory, "partitions.json"), encoding="utf-8") as f:
        table = json.load(f)
    for row in table["keys"]:
        import zlib
        expect(f"{zlib.crc32(row['key'].encode()):08x}" == row["crc32"], f"crc32 of {row['key']!r}")
        for count, partition in row["partitions"].items():
            expect(contract.partition_for(row["key"], int(count)) == partition, f"partition of {row['key']!r} over {count}")

    for failure in failures:
        print("FAIL", failure)
    print(f"vectors: {len(vectors['cases'])} envelopes, {len(failures)} failure(s)")
    return 0 if not failures else 1


# ---------------------------------------------------------------------------------------------


def read_properties(path):
    properties = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "!")) and "=" in line:
                key, value = line.split("=", 1)
                properties[key.strip()] = value.strip()
    return properties


def run(args):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

    keys = os.path.join(args.home, "keys")
    trust = contract.load_trust(keys)
    signer = contract.Signer(keys, "meshctl")
    catalog = contract.Catalog.load(args.catalog)
    kafka = read_properties(os.path.join(args.home, "broker.properties"))

    correlation_id = contract.new_root_id()
    envelope_id = contract.new_root_id()
    envelope = pb.Envelope(id=envelope_id, source="/mesh/meshctl/reference-client", spec_version="1.0",
                           traceparent=contract.traceparent_of(envelope_id, "", correlation_id),
                           type=contract.PAYLOAD_TYPES["objective_submitted"], time_unix_micros=time.time_ns() // 1000,
                           correlation_id=correlation_id, schema_version=contract.SCHEMA_VERSION)
    envelope.objective_submitted.objective_id = correlation_id
    envelope.objective_submitted.title = args.title
    envelope.objective_submitted.playbook = args.playbook
    envelope.objective_submitted.submitted_by = "reference-client"
    value, _ = contract.seal(envelope, signer)

    # The catalog's partitioner, set explicitly: records of one objective must share a partition number.
    producer = Producer({**kafka, "partitioner": catalog.partitioner, "enable.idempotence": True})
    delivered = {}
    producer.produce("mesh.objectives", key=correlation_id.encode(), value=value,
                     headers=[(k, v.encode()) for k, v in contract.cloud_event_headers(envelope)],
                     on_delivery=lambda err, msg: delivered.update(err=err, partition=msg.partition()))
    producer.flush(30)
    if delivered.get("err") is not None or "partition" not in delivered:
        print(f"submit failed: {delivered.get('err')}", file=sys.stderr)
        return 3
    print(f"submitted objective {correlation_id} (envelope {envelope.id}) to mesh.objectives[{delivered['partition']}]", flush=True)

    consumer = Consumer({**kafka, "group.id": f"reference-client-{correlation_id}", "enable.auto.commit": False})
    metadata = consumer.list_topics(timeout=30)
    partitions = {name: len(topic.partitions) for name, topic in metadata.topics.items()}
    followed = [t for t in ("mesh.objectives", "mesh.plans", "mesh.results", "mesh.verdicts", "mesh.approvals")
                if t in partitions] + sorted(t for t in partitions if t.startswith("mesh.tasks."))
    consumer.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t in followed for p in range(partitions[t])])

    verified, refused, outcome = 0, [], None
    seen_ids = set()
    trace_id = contract.parse_traceparent(envelope.traceparent)[0]
    deadline = time.monotonic() + args.timeout
    while outcome is None and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        try:
            event, who = contract.judge(message.value(), message.topic(), message.partition(), trust, catalog, partitions)
        except contract.Rejected as rejected:
            if message.key() == correlation_id.encode():
                refused.append(f"{message.topic()}[{message.partition()}]@{message.offset()}: {rejected}")
            continue
        if event.correlation_id != correlation_id:
            continue
        if message.key() != correlation_id.encode():
            refused.append(f"{event.id}: record key is not the correlation id")
        # Every hop continues the objective's trace with a span named by its own id.
        if event.traceparent != f"00-{trace_id}-{contract.span_id_of(event.id)}-01":
            refused.append(f"{event.id}: traceparent {event.traceparent!r} does not continue trace {trace_id}")
        verified += 1
        seen_ids.add(event.id)
        member = event.WhichOneof("payload")
        print(f"{message.topic()}: {event.type} from {event.source} (key {who.key_id}, {who.algorithm})", flush=True)
        if member == "plan_completed":
            outcome = "completed"
        elif member == "plan_failed":
            outcome = "failed"
        elif member == "approval_decision":
            decision = event.approval_decision
            manifest = contract.approval_manifest(decision)
            key = trust.get(decision.signature.key_id)
            if not (key and key.kind == "person" and key.principal == decision.signer_id
                    and key.verifies(decision.signature.signature, manifest)):
                refused.append(f"{event.id}: approval manifest signature does not verify")
    consumer.close()
    for problem in refused:
        print("REFUSED", problem, flush=True)
    print(f"verified {verified} envelope(s) of objective {correlation_id}; outcome {outcome or 'timed out'}", flush=True)
    if refused:
        return 3
    return {"completed": 0, "failed": 1}.get(outcome, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    vectors = commands.add_parser("vectors", help="check Proto/vectors")
    vectors.add_argument("directory")
    submit = commands.add_parser("run", help="submit an objective, follow and verify it")
    submit.add_argument("--home", required=True)
    submit.add_argument("--catalog", required=True)
    submit.add_argument("--playbook", default="single-task")
    submit.add_argument("--title", default="Reference client objective")
    submit.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    if args.command == "vectors":
        return check_vectors(args.directory)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
