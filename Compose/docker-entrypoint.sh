#!/bin/sh
# Container entry point: the first argument names what to run.
#
#   meshctl | mesh-orchestrator | mesh-agent | mesh-reviewer | mesh-compliance | mesh-audit-sink | mesh-console
#       run that executable with the remaining arguments
#   orchestrator | agent | reviewer | compliance | audit-sink | console
#       short names for the mesh-* executables
#   keys-init [meshctl keys init options]
#       create the key ring under $AGENTMESH_HOME/keys unless one is already there
#       (a one-shot service may run on every `compose up`)
#   unpack-keys ARCHIVE
#       extract a key ring tarball (e.g. from a Kubernetes Secret) into $AGENTMESH_HOME/keys
#
# Every replica needs a unique instance id; unless AGENTMESH_INSTANCE is set it is the
# container's host name (the container id under Compose, the pod name under Kubernetes).
set -eu

if [ -z "${AGENTMESH_INSTANCE:-}" ]; then
    AGENTMESH_INSTANCE="${HOSTNAME:-$(cat /etc/hostname)}"
fi
export AGENTMESH_INSTANCE

keys_dir="${AGENTMESH_HOME:-/var/lib/agentmesh}/keys"

if [ "$#" -eq 0 ]; then set -- meshctl --help; fi
command="$1"
shift

case "$command" in
    meshctl|mesh-orchestrator|mesh-agent|mesh-reviewer|mesh-compliance|mesh-audit-sink|mesh-console)
        exec "/usr/local/bin/$command" "$@" ;;
    orchestrator|agent|reviewer|compliance|audit-sink|console)
        exec "/usr/local/bin/mesh-$command" "$@" ;;
    keys-init)
        if [ -f "$keys_dir/trust.json" ]; then
            echo "key ring present in $keys_dir; leaving it alone"
            exit 0
        fi
        exec /usr/local/bin/meshctl keys init "$@" ;;
    unpack-keys)
        archive="${1:?unpack-keys needs the archive path}"
        mkdir -p "$keys_dir"
        umask 077
        tar -xf "$archive" -C "$keys_dir" --no-same-owner
        echo "key ring unpacked into $keys_dir"
        exit 0 ;;
    *)
        echo "agentmesh: unknown command '$command'" >&2
        echo "use one of: meshctl mesh-orchestrator mesh-agent mesh-reviewer mesh-compliance mesh-audit-sink mesh-console" >&2
        echo "            orchestrator agent reviewer compliance audit-sink console keys-init unpack-keys" >&2
        exit 64 ;;
esac
