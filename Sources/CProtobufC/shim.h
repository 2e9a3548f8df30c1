#ifndef AGENTMESH_CPROTOBUFC_SHIM_H
#define AGENTMESH_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
