// Database's domain-check methods (issue 21): one row per case, the latest
// check's verdict, written by the classification run that made it.

#include "database.h"

#include "transaction.h"

namespace cytodiff::db {

Result<void> Database::storeDomainCheck(qint64 caseId, const QString &modelId, bool outside, const QString &verdictJson)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    // Delete + insert rather than an upsert: the same SQL runs on PostgreSQL.
    auto remove = prepare("DELETE FROM case_domain_checks WHERE case_id = ?");
    auto insert = prepare("INSERT INTO case_domain_checks (case_id, model_id, outside, verdict, checked_at) "
                          "VALUES (?, ?, ?, ?, ?)");
    if (!remove || !insert)
        return makeError(!remove ? remove.error() : insert.error());
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    remove->bind(1, caseId);
    insert->bind(1, caseId).bind(2, modelId).bind(3, outside ? 1 : 0).bind(4, verdictJson).bind(5, nowText());
    if (auto removed = remove->exec(); !removed)
        return makeError("cannot store the domain check of case " + std::to_string(caseId) + ": " + removed.error());
    if (auto inserted = insert->exec(); !inserted)
        return makeError("cannot store the domain check of case " + std::to_string(caseId) + ": " + inserted.error());
    return transaction->commit();
}

Result<std::optional<DomainCheckRow>> Database::domainCheck(qint64 caseId) const
{
    auto query = prepare("SELECT case_id, model_id, outside, verdict, checked_at FROM case_domain_checks WHERE case_id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return std::optional<DomainCheckRow>();
    DomainCheckRow check;
    check.caseId = query->int64(0);
    check.modelId = query->text(1);
    check.outside = query->int64(2) != 0;
    check.verdictJson = query->text(3);
    check.checkedAt = query->text(4);
    return std::optional<DomainCheckRow>(check);
}

} // namespace cytodiff::db
