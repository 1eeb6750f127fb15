#pragma once
// The SQL that differs between SQLite and PostgreSQL, in one place: the
// placeholder style of statements and the DDL of the numbered migrations
// (issue 23: "the same numbered migrations create both schemas").

#include <string>
#include <string_view>

namespace cytodiff::db {

struct Migration;

// `?` and `?N` placeholders (SQLite) become `$N` (PostgreSQL); text in
// quotes and comments is left alone. parameterCount gets the highest N.
std::string postgresPlaceholders(std::string_view sql, int *parameterCount);

// A migration's script for PostgreSQL: rowid keys become identity columns,
// INTEGER becomes BIGINT, BLOB BYTEA and VARCHAR(n) TEXT (as on SQLite,
// lengths are not enforced); SQLite's RAISE() triggers are
// replaced by PL/pgSQL ones, and tables that other stations watch notify
// on change (LISTEN/NOTIFY, item 4).
std::string postgresMigrationSql(const Migration &migration);

// The channel those notifications use.
inline constexpr std::string_view kChangeChannel = "cytodiff_changes";

} // namespace cytodiff::db
