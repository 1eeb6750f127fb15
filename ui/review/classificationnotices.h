#pragma once
// What a classification run tells the user before its first cell (the
// error profile does not apply as fitted; the domain check leaves out some
// of the classifier's figures), in the user's language. The core words the
// same in English for the CLI and the worker's journal
// (ClassificationService::profileNotice, domainCheckNotice).

#include "anomalyprofile.h"
#include "classificationservice.h"

#include <QCoreApplication>
#include <QString>

#include <string>
#include <vector>

namespace cytodiff::ui {

class ClassificationNotices {
    Q_DECLARE_TR_FUNCTIONS(ClassificationNotices)
public:
    // Empty when the profile applies as fitted, or there is none.
    static QString profile(const classify::ProfileUse &use, const QString &modelId);
    // Empty when the check compares everything the model's card allows.
    static QString domainCheck(const classify::DomainCheckGap &gap);
    // ProtocolDifferences' setting names ("protocol", "trials"...), joined.
    static QString settings(const std::vector<std::string> &names);
};

} // namespace cytodiff::ui
