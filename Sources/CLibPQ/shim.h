#ifndef AGENTMESH_CLIBPQ_SHIM_H
#define AGENTMESH_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
