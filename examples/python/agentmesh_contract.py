"""The AgentMesh wire contract (Proto/CONTRACT.md), implemented from the contract alone.

Pure functions over bytes: key rings, sealing, the acceptance rules a receiver applies, the
partitioner, derived ids and the approval manifest. No Kafka here (see reference_client.py).
"""

import base64
import hashlib
import hmac
import json
import os
import stat
import struct
import uuid
import zlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from google.protobuf.message import DecodeError

import agentmesh_pb2 as pb

MAX_ENVELOPE_BYTES = 1 << 20
MAX_SEALED_BYTES = MAX_ENVELOPE_BYTES + 64 * 1024
SPEC_VERSION = "1.0"
SCHEMA_VERSION = 1
SEALED_FORMAT_VERSION = 1
HMAC_SHA256 = pb.SIGNATURE_ALGORITHM_HMAC_SHA256
ED25519 = pb.SIGNATURE_ALGORITHM_ED25519

# CloudEvents `type` of each payload oneof member (Proto/agentmesh.proto).
PAYLOAD_TYPES = {
    "objective_submitted": "agentmesh.objective.submitted.v1",
    "objective_cancel_requested": "agentmesh.objective.cancel_requested.v1",
    "plan_created": "agentmesh.plan.created.v1",
    "plan_status": "agentmesh.plan.status.v1",
    "plan_completed": "agentmesh.plan.completed.v1",
    "plan_failed": "agentmesh.plan.failed.v1",
    "task_assigned": "agentmesh.task.assigned.v1",
    "task_result": "agentmesh.task.result.v1",
    "verdict": "agentmesh.verdict.v1",
    "approval_requested": "agentmesh.approval.requested.v1",
    "approval_decision": "agentmesh.approval.decision.v1",
    "agent_heartbeat": "agentmesh.agent.heartbeat.v1",
    "replay_requested": "agentmesh.replay.requested.v1",
    "orchestrator_snapshot": "agentmesh.orchestrator.snapshot.v1",
}
# Payloads whose objective_id must equal the envelope's correlation_id.
OBJECTIVE_FIELDS = {"objective_submitted", "objective_cancel_requested", "plan_created"}


class Rejected(Exception):
    """A record a receiver refuses; `reason` is the dead-letter reason (dlq_reason)."""

    def __init__(self, reason, detail):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# ---------------------------------------------------------------------------------------------
# Key rings


class Key:
    def __init__(self, key_id, algorithm, principal, kind, status, public_key=None, secret=None):
        self.key_id, self.algorithm, self.principal = key_id, algorithm, principal
        self.kind, self.status = kind, status
        self.public_key, self.secret = public_key, secret

    def verifies(self, signature, message):
        if self.algorithm == "hmac-sha256":
            return hmac.compare_digest(hmac.new(self.secret, message, hashlib.sha256).digest(), signature)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
            return True
        except InvalidSignature:
            return False


def read_key_file(path, length, check_mode=True):
    """A key file: one line of base64 (Ed25519 seed or HMAC secret), owner-only (0600)."""
    if check_mode and os.stat(path).st_mode & 0o077:
        raise ValueError(f"{path}: readable by group or others; chmod 600")
    with open(path, "rb") as f:
        key = base64.b64decode(f.read().strip(), validate=True)
    if len(key) != length:
        raise ValueError(f"{path}: key is {len(key)} bytes, expected {length}")
    return key


def load_trust(directory, check_modes=True):
    """trust.json of a key ring: key id -> Key (every status; revoked keys stay known)."""
    with open(os.path.join(directory, "trust.json"), encoding="utf-8") as f:
        document = json.load(f)
    if document.get("format") != "agentmesh-trust/1":
        raise ValueError("trust.json: format must be agentmesh-trust/1")
    keys = {}
    active = {}
    for key_id, entry in document["keys"].items():
        algorithm, principal, kind = entry["algorithm"], entry["principal"], entry["principalKind"]
        if algorithm not in ("hmac-sha256", "ed25519") or kind not in ("role", "person"):
            raise ValueError(f"trust.json: key {key_id}: unknown algorithm or principalKind")
        if entry["status"] not in ("active", "retired", "revoked"):
            raise ValueError(f"trust.json: key {key_id}: unknown status")
        if kind == "person" and algorithm != "ed25519":
            raise ValueError(f"trust.json: key {key_id}: people sign with ed25519")
        key = Key(key_id, algorithm, principal, kind, entry["status"])
        if algorithm == "ed25519":
            key.public_key = base64.b64decode(entry["publicKey"], validate=True)
            if len(key.public_key) != 32:
                raise ValueError(f"trust.json: key {key_id}: public key is not 32 bytes")
        else:
            relative = entry["secretFile"]
            if relative.startswith("/") or ".." in relative.split("/"):
                raise ValueError(f"trust.json: key {key_id}: secretFile must stay inside the ring")
            key.secret = read_key_file(os.path.join(directory, relative), 32, check_modes)
        if key.status == "active":
            if principal in active:
                raise ValueError(f"trust.json: {principal} has more than one active key")
            active[principal] = key_id
        keys[key_id] = key
    return keys


class Signer:
    """A principal's active key from a key ring: private/<principal>/<key id>.key."""

    def __init__(self, directory, principal, check_modes=True):
        trust = load_trust(directory, check_modes)
        matches = [k for k in trust.values() if k.principal == principal and k.status == "active"]
        if not matches:
            raise ValueError(f"no active key for {principal}")
        self.key = matches[0]
        material = read_key_file(os.path.join(directory, "private", principal, self.key.key_id + ".key"), 32, check_modes)
        if self.key.algorithm == "ed25519":
            self.private = Ed25519PrivateKey.from_private_bytes(material)
        else:
            self.secret = material

    def sign(self, message):
        if self.key.algorithm == "ed25519":
            return ED25519, self.private.sign(message)
        return HMAC_SHA256, hmac.new(self.secret, message, hashlib.sha256).digest()


# ---------------------------------------------------------------------------------------------
# Sealing and opening


def seal(envelope, signer):
    """The record value: SealedEnvelope{format_version 1, the envelope bytes, one signature
    over exactly those bytes}."""
    body = envelope.SerializeToString(deterministic=True)
    if len(body) > MAX_ENVELOPE_BYTES:
        raise ValueError("envelope above 1 MiB")
    algorithm, signature = signer.sign(body)
    sealed = pb.SealedEnvelope(format_version=SEALED_FORMAT_VERSION, envelope=body)
    sealed.signatures.add(key_id=signer.key.key_id, algorithm=algorithm, signature=signature)
    return sealed.SerializeToString(deterministic=True), body


def _strings_with_nul(message, path=""):
    for field, value in message.ListFields():
        name = f"{path}.{field.name}" if path else field.name
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        values = value if repeated else [value]
        for item in values:
            if field.type == field.TYPE_STRING and "\x00" in item:
                return name
            if field.type == field.TYPE_MESSAGE:
                found = _strings_with_nul(item, name)
                if found:
                    return found
    return None


def _parse(message_type, data, what):
    message = message_type()
    try:
        message.ParseFromString(data)
    except DecodeError as error:  # truncated, bad wire type, invalid UTF-8 in a string, ...
        raise Rejected("malformed", f"not a valid {what}: {error}")
    return message


def _payload_field_numbers_unknown(envelope):
    try:
        from google.protobuf.unknown_fields import UnknownFieldSet
        return [f.field_number for f in UnknownFieldSet(envelope)]
    except ImportError:  # older protobuf runtimes
        return []


def decode_envelope(body):
    """The envelope rules (CONTRACT.md "Envelope acceptance", steps 4-5)."""
    if len(body) > MAX_ENVELOPE_BYTES:
        raise Rejected("oversize", f"{len(body)} envelope bytes")
    envelope = _parse(pb.Envelope, body, "Envelope")
    nul = _strings_with_nul(envelope)
    if nul:
        raise Rejected("malformed", f"string field '{nul}' contains U+0000")
    for field in ("id", "source", "spec_version"):
        if not getattr(envelope, field):
            raise Rejected("malformed", f"required field '{field}' is empty")
    if envelope.spec_version != SPEC_VERSION:
        raise Rejected("unsupported-version", f"spec_version {envelope.spec_version!r}")
    if not envelope.correlation_id:
        raise Rejected("malformed", "required field 'correlation_id' is empty")
    if envelope.schema_version != SCHEMA_VERSION:
        raise Rejected("unsupported-version", f"schema_version {envelope.schema_version}")
    if not envelope.type:
        raise Rejected("malformed", "required field 'type' is empty")
    member = envelope.WhichOneof("payload")
    if member is None:
        if any(n >= 20 for n in _payload_field_numbers_unknown(envelope)):
            raise Rejected("unsupported-version", "payload newer than this client")
        raise Rejected("malformed", "no payload")
    if envelope.type != PAYLOAD_TYPES[member]:
        raise Rejected("malformed", f"type {envelope.type!r} does not name payload {member}")
    if member in OBJECTIVE_FIELDS:
        objective_id = getattr(envelope, member).objective_id
        if objective_id != envelope.correlation_id:
            raise Rejected("malformed", f"{member}.objective_id {objective_id!r} differs from correlation_id")
    return envelope


def verify(body, signatures, trust):
    """The signature rules (CONTRACT.md "Signatures"); returns the signing Key."""
    if not signatures:
        raise Rejected("no-signature", "no signatures")
    for s in signatures:
        if s.algorithm not in (HMAC_SHA256, ED25519):
            raise Rejected("bad-signature", f"key {s.key_id}: algorithm {s.algorithm} is not supported")
    signers, unknown = [], None
    for s in signatures:
        key = trust.get(s.key_id)
        if key is None:
            unknown = unknown or s.key_id
            continue
        if key.status == "revoked":
            raise Rejected("revoked-key", f"key {key.key_id} is revoked")
        expected = HMAC_SHA256 if key.algorithm == "hmac-sha256" else ED25519
        if s.algorithm != expected:
            raise Rejected("bad-signature", f"key {key.key_id} is {key.algorithm}, the signature says otherwise")
        if not key.verifies(s.signature, body):
            raise Rejected("bad-signature", f"bad signature for key {key.key_id}")
        signers.append(key)
    if not signers:
        raise Rejected("unknown-key", f"unknown key id {unknown}")
    return signers[0]


def source_mismatch(source, signer):
    """The `source` rule: /mesh/<role>/<instance>; a role key must name its role, a person's
    key must name the person as instance."""
    if not source.startswith("/mesh/"):
        return f"source {source!r} is not a mesh source"
    parts = source[len("/mesh/"):].split("/")
    role, instance = parts[0], (parts[1] if len(parts) > 1 else "")
    if signer.kind == "role" and role != signer.principal:
        return f"source {source!r} claims role {role} but is signed by {signer.principal}"
    if signer.kind == "person" and instance != signer.principal:
        return f"source {source!r} does not name person {signer.principal}"
    if not role:
        return f"source {source!r} names no role"
    return None


def open_sealed(value, trust):
    """Framing, then signature over the exact envelope bytes, then decoding, then `source`.
    Returns (envelope, signing Key, envelope bytes)."""
    if len(value) > MAX_SEALED_BYTES:
        raise Rejected("oversize", f"{len(value)} bytes")
    sealed = _parse(pb.SealedEnvelope, value, "SealedEnvelope")
    if _strings_with_nul(sealed):
        raise Rejected("malformed", "a signature key_id contains U+0000")
    if sealed.format_version != SEALED_FORMAT_VERSION:
        raise Rejected("unsupported-version", f"sealed format_version {sealed.format_version}")
    if not sealed.envelope:
        raise Rejected("malformed", "required field 'envelope' is empty")
    if not sealed.signatures:
        raise Rejected("malformed", "required field 'signatures' is empty")
    signer = verify(sealed.envelope, sealed.signatures, trust)
    envelope = decode_envelope(sealed.envelope)
    mismatch = source_mismatch(envelope.source, signer)
    if mismatch:
        raise Rejected("source-mismatch", mismatch)
    mismatch = derived_id_mismatch(envelope, signer.principal if signer.kind == "role" else None)
    if mismatch:
        raise Rejected("bad-derived-id", mismatch)
    return envelope, signer, sealed.envelope


# ---------------------------------------------------------------------------------------------
# Catalog rules: authorization and routing


class Catalog:
    """The parts of Topics/*.yaml a receiver needs: roles, producers, keys, partitions."""

    def __init__(self, document):
        self.partitioner = document.get("partitioner", "consistent_random")
        if self.partitioner != "consistent_random":
            raise ValueError(f"unknown partitioner {self.partitioner}")
        self.role_kinds = {r["name"]: r["kind"] for r in document["roles"]}
        self.topics = {t["name"]: t for t in document["topics"]}
        # Per topic: role -> the types its grant names, or None for every type the topic carries.
        self.grants = {t["name"]: self._grants(t) for t in document["topics"]}

    @staticmethod
    def load(directory):
        import yaml
        roles, topics, partitioner = [], [], None
        for name in sorted(os.listdir(directory)):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    document = yaml.safe_load(f)
                roles += document.get("roles") or []
                topics += document.get("topics") or []
                partitioner = partitioner or document.get("partitioner")
        return Catalog({"roles": roles, "topics": topics, "partitioner": partitioner or "consistent_random"})

    def may_produce(self, role, type_, topic):
        declared = self.topics.get(topic)
        if declared is None:
            return False
        types = declared["types"]
        if types != "any" and type_ not in types:
            return False
        grants = self.grants[topic]
        return role in grants and (grants[role] is None or type_ in grants[role])

    KIND_PREFIX = "kind:"
    KINDS = ("orchestrator", "agent", "reviewer", "compliance", "audit", "operator", "person")

    def roles(self, entry):
        """The roles a producers/consumers entry names: `kind:<kind>` names every role of
        that kind (role names cannot contain ':'), anything else names one role."""
        if not entry.startswith(self.KIND_PREFIX):
            return [entry]
        kind = entry[len(self.KIND_PREFIX):]
        if kind not in self.KINDS:
            raise ValueError(f"unknown role kind {kind!r} in {entry!r}")
        return [name for name, role_kind in self.role_kinds.items() if role_kind == kind]

    def _grants(self, topic):
        producers = topic["producers"]
        entries = producers.items() if isinstance(producers, dict) else ((entry, None) for entry in producers)
        return {role: types for entry, types in entries for role in self.roles(entry)}


def authorization(envelope, signer, topic, catalog):
    """Who may emit what: the acting role (the key's role, or for a person the person role in
    the source) must be a producer of the type on the topic."""
    if signer.kind == "role":
        role = signer.principal
    else:
        parts = envelope.source.split("/")
        role = parts[2] if len(parts) > 2 and parts[1] == "mesh" else ""
        if catalog.role_kinds.get(role) != "person":
            return f"person {signer.principal} signed an envelope from {envelope.source}, which is not a person role"
    if not catalog.may_produce(role, envelope.type, topic):
        return f"{role} (key {signer.key_id}) may not emit {envelope.type} on {topic}"
    return None


def partition_for(key, partitions):
    """librdkafka's consistent_random for a non-empty key: CRC-32 (zlib's) modulo the count."""
    return zlib.crc32(key.encode("utf-8") if isinstance(key, str) else key) % partitions


def judge(value, topic, partition, trust, catalog, partitions):
    """Everything a role process checks before its handler: returns (envelope, signer) or
    raises Rejected. `partitions` maps topic -> partition count."""
    envelope, signer, _ = open_sealed(value, trust)
    refused = authorization(envelope, signer, topic, catalog)
    if refused:
        raise Rejected("unauthorized", refused)
    declared = catalog.topics.get(topic)
    if declared and declared["key"] == "correlation_id":
        expected = partition_for(envelope.correlation_id, partitions[topic])
        if expected != partition:
            raise Rejected("misrouted", f"belongs on partition {expected} of {topic}, arrived on {partition}")
    return envelope, signer


# ---------------------------------------------------------------------------------------------
# Ids and approvals


def derived_id(cause_id, role, output, discriminator=""):
    """UUIDv8 over SHA-256("agentmesh-derived-id-v1\\0" + 4-byte big-endian length + UTF-8 for
    each of cause id, role, output, discriminator)."""
    data = b"agentmesh-derived-id-v1\x00"
    for part in (cause_id, role, output, discriminator):
        encoded = part.encode("utf-8")
        data += struct.pack(">I", len(encoded)) + encoded
    digest = bytearray(hashlib.sha256(data).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def expected_derived_id(envelope, role):
    """The id `role` derives for `envelope` from its cause and payload (CONTRACT.md §8), or
    None when the role derives no envelope of this type."""
    cause = envelope.causation_id
    if not cause:
        return None
    member = envelope.WhichOneof("payload")
    if role == "orchestrator":
        if member in ("plan_created", "plan_status", "plan_completed", "plan_failed"):
            return derived_id(cause, role, envelope.type)
        if member == "task_assigned":
            task = envelope.task_assigned
            return derived_id(cause, role, envelope.type, f"{task.task_id}#{task.attempt}")
        if member == "approval_requested":
            request = envelope.approval_requested
            return derived_id(cause, role, envelope.type, f"{request.task_id}#{request.attempt}")
        if member == "orchestrator_snapshot":
            return derived_id(cause, role, "snapshot")
        if member == "approval_decision":
            return derived_id(cause, role, envelope.type, "expired")
        if member == "task_result":
            return derived_id(cause, role, envelope.type, "timed-out")
        return None
    if role in ("reviewer", "compliance") and member == "verdict":
        return derived_id(cause, role, "verdict")
    if member == "task_result":
        return derived_id(cause, role, "result")
    return None


def has_derived_form(identifier):
    """Whether an id is a UUID of version 8, the form of derived ids."""
    return len(identifier) == 36 and identifier[14] == "8"


def derived_id_mismatch(envelope, role):
    """Why an envelope's id cannot be its signer's, or None: an id of the derived form must be
    exactly the one its signing role derives; a person derives nothing."""
    if not has_derived_form(envelope.id):
        return None
    expected = expected_derived_id(envelope, role) if role else None
    if expected is None:
        return f"id {envelope.id} has the derived form but {role or 'a person'} derives no {envelope.type} from its cause"
    if envelope.id != expected:
        return f"id {envelope.id} is not the id derived from cause {envelope.causation_id} ({expected})"
    return None


def _trace_digest(purpose, value):
    return hashlib.sha256(b"agentmesh-trace-v1\x00" + purpose.encode() + b"\x00" + value.encode("utf-8")).digest()


def _non_zero_hex(raw):
    raw = bytearray(raw)
    if not any(raw):
        raw[-1] = 1
    return raw.hex()


def parse_traceparent(value):
    """(trace_id, span_id, flags) of a W3C traceparent, or None where the W3C rules say to ignore it."""
    parts = value.split("-")
    if len(value) < 55 or len(parts) < 4 or value[2] != "-" or value[35] != "-" or value[52] != "-":
        return None
    version, trace_id, span_id, flags = value[:2], value[3:35], value[36:52], value[53:55]
    lower_hex = set("0123456789abcdef")
    if not all(set(p) <= lower_hex for p in (version, trace_id, span_id, flags)) or version == "ff":
        return None
    if set(trace_id) == {"0"} or set(span_id) == {"0"} or (version == "00" and len(value) != 55):
        return None
    return trace_id, span_id, int(flags, 16)


def traceparent_of(envelope_id, parent_traceparent, correlation_id):
    """The traceparent an envelope carries (CONTRACT.md section 8): its cause's trace id and flags
    (the objective's derived trace when the cause has none) and a span id derived from its own id."""
    parent = parse_traceparent(parent_traceparent) if parent_traceparent else None
    trace_id = parent[0] if parent else _non_zero_hex(_trace_digest("trace", correlation_id)[:16])
    flags = parent[2] if parent else 1
    return f"00-{trace_id}-{span_id_of(envelope_id)}-{flags:02x}"


def span_id_of(envelope_id):
    """The span id that stands for envelope `envelope_id`."""
    return _non_zero_hex(_trace_digest("span", envelope_id)[:8])


def new_root_id():
    """A fresh UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, random bits."""
    import time
    millis = time.time_ns() // 1_000_000
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def approval_manifest(decision):
    """The bytes a person's Ed25519 key signs for an ApprovalDecision."""
    out = b"agentmesh-approval-manifest-v1\x00"
    for part in (decision.approval_id.encode(), str(decision.decision).encode(), decision.signer_id.encode(),
                 decision.printed_name.encode(), decision.meaning.encode(), str(decision.signed_at_unix_micros).encode(),
                 decision.reason.encode(), bytes(decision.result_sha256)):
        out += struct.pack(">I", len(part)) + part
    return out


def cloud_event_headers(envelope):
    """Kafka headers of a mesh record (CloudEvents binary mode), in the order mesh producers send."""
    from datetime import datetime, timezone
    micros = envelope.time_unix_micros
    stamp = datetime.fromtimestamp(micros // 1_000_000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    headers = [
        ("ce_specversion", envelope.spec_version), ("ce_id", envelope.id), ("ce_source", envelope.source),
        ("ce_type", envelope.type), ("ce_time", f"{stamp}.{micros % 1_000_000:06d}Z"),
        ("ce_correlationid", envelope.correlation_id),
        ("content-type", "application/vnd.agentmesh.sealed-envelope+protobuf"),
    ]
    if envelope.subject:
        headers.append(("ce_subject", envelope.subject))
    if envelope.causation_id:
        headers.append(("ce_causationid", envelope.causation_id))
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent))
    return headers
