#ifndef AGENTMESH_CSQLITE_SHIM_H
#define AGENTMESH_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
