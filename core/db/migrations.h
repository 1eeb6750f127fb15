#pragma once
// The schema as an ordered list of numbered migrations. Migration N brings
// a database from user_version N-1 to N; each runs in one transaction
// together with "PRAGMA user_version = N". Never edit a released migration:
// add the next one.

#include <vector>

namespace cytodiff::db {

struct Migration {
    int version;
    const char *description;
    const char *sql; // one or more statements
};

const std::vector<Migration> &migrations();

// The schema version this build writes (the last migration's number).
int latestSchemaVersion();

} // namespace cytodiff::db
