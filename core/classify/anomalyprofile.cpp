#include "anomalyprofile.h"

#include "optionnames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace cytodiff::classify {
namespace {

constexpr int kJsonVersion = 1;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The profile of a call: e_k - e_pred for k != pred ([K-1]); nullopt when
// the errors do not fit the classes or are not finite.
std::optional<std::vector<double>> profileOf(const std::vector<double> &errors, int predicted, std::size_t classes)
{
    if (errors.size() != classes || predicted < 0 || std::size_t(predicted) >= classes)
        return std::nullopt;
    std::vector<double> d;
    d.reserve(classes - 1);
    for (std::size_t k = 0; k < classes; ++k) {
        if (!std::isfinite(errors[k]))
            return std::nullopt;
        if (int(k) != predicted)
            d.push_back(errors[k] - errors[std::size_t(predicted)]);
    }
    return d;
}

// The inverse of a symmetric positive-definite matrix (row-major [n][n])
// through its Cholesky factor A = L L^T; nullopt when it is not positive
// definite, or so near singular (a pivot below 1e-12 of its diagonal
// entry) that the inverse would be noise. Written here because Debian 12's Boost.uBLAS (1.74) does not
// build as C++20 and the matrices are tiny ([K-1][K-1], K <= 8 classes).
std::optional<std::vector<double>> inverse(const std::vector<double> &a, std::size_t n)
{
    std::vector<double> l(n * n, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        double diagonal = a[j * n + j];
        for (std::size_t k = 0; k < j; ++k)
            diagonal -= l[j * n + k] * l[j * n + k];
        if (!(diagonal > 1e-12 * a[j * n + j]) || !(diagonal > 0.0))
            return std::nullopt;
        l[j * n + j] = std::sqrt(diagonal);
        for (std::size_t i = j + 1; i < n; ++i) {
            double sum = a[i * n + j];
            for (std::size_t k = 0; k < j; ++k)
                sum -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = sum / l[j * n + j];
        }
    }
    // Column by column: solve L y = e_c, then L^T x = y.
    std::vector<double> out(n * n, 0.0), column(n);
    for (std::size_t c = 0; c < n; ++c) {
        for (std::size_t i = 0; i < n; ++i) {
            double sum = i == c ? 1.0 : 0.0;
            for (std::size_t k = 0; k < i; ++k)
                sum -= l[i * n + k] * column[k];
            column[i] = sum / l[i * n + i];
        }
        for (std::size_t i = n; i-- > 0;) {
            double sum = column[i];
            for (std::size_t k = i + 1; k < n; ++k)
                sum -= l[k * n + i] * out[k * n + c];
            out[i * n + c] = sum / l[i * n + i];
        }
    }
    return out;
}

// Mean and precision of one class's profiles (rows of [K-1]); the
// covariance (n - 1 denominator) is shrunk towards its diagonal, so a
// handful of cells in K-1 dimensions still gives a usable inverse.
std::optional<AnomalyProfile::ClassProfile> fitClass(const std::vector<const std::vector<double> *> &rows,
                                                     std::size_t dims, double shrink)
{
    if (rows.size() < 2)
        return std::nullopt;
    AnomalyProfile::ClassProfile fitted;
    fitted.cells = int(rows.size());
    fitted.mean.assign(dims, 0.0);
    for (const auto *row : rows)
        for (std::size_t i = 0; i < dims; ++i)
            fitted.mean[i] += (*row)[i] / double(rows.size());
    std::vector<double> covariance(dims * dims, 0.0);
    for (const auto *row : rows)
        for (std::size_t i = 0; i < dims; ++i)
            for (std::size_t j = 0; j < dims; ++j)
                covariance[i * dims + j] +=
                    ((*row)[i] - fitted.mean[i]) * ((*row)[j] - fitted.mean[j]) / double(rows.size() - 1);
    // A dimension without spread (every cell alike) would have no inverse:
    // a ridge far below any real variance keeps it finite.
    double largest = 0;
    for (std::size_t i = 0; i < dims; ++i)
        largest = std::max(largest, covariance[i * dims + i]);
    const double ridge = 1e-9 * std::max(largest, 1e-12);
    for (std::size_t i = 0; i < dims; ++i)
        for (std::size_t j = 0; j < dims; ++j)
            covariance[i * dims + j] = (i == j ? covariance[i * dims + j] + ridge : (1.0 - shrink) * covariance[i * dims + j]);
    auto precision = inverse(covariance, dims);
    if (!precision || !std::all_of(precision->begin(), precision->end(), [](double v) { return std::isfinite(v); }))
        return std::nullopt;
    // The column-by-column solve leaves rounding asymmetry; the card stores
    // the symmetric matrix its reader checks for.
    for (std::size_t i = 0; i < dims; ++i)
        for (std::size_t j = 0; j < i; ++j) {
            const double mean = 0.5 * ((*precision)[i * dims + j] + (*precision)[j * dims + i]);
            (*precision)[i * dims + j] = (*precision)[j * dims + i] = mean;
        }
    fitted.precision = std::move(*precision);
    return fitted;
}

double mahalanobis(const AnomalyProfile::ClassProfile &fitted, const std::vector<double> &profile)
{
    const std::size_t n = profile.size();
    if (fitted.mean.size() != n || fitted.precision.size() != n * n)
        return kInfinity;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            sum += (profile[i] - fitted.mean[i]) * fitted.precision[i * n + j] * (profile[j] - fitted.mean[j]);
    return std::isfinite(sum) ? std::max(sum, 0.0) : kInfinity;
}

// Linear interpolation between order statistics (R's type 7).
double quantileOf(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    const double position = q * double(values.size() - 1);
    const auto below = std::size_t(std::floor(position));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    if (!std::isfinite(values[above]))
        return values[above];
    return values[below] + (position - double(below)) * (values[above] - values[below]);
}

double scoreOf(double distance, double threshold)
{
    if (!(distance < kInfinity))
        return AnomalyProfile::kScoreLimit;
    const double score = std::log(std::max(distance, 1e-300) / threshold);
    return std::clamp(score, -AnomalyProfile::kScoreLimit, AnomalyProfile::kScoreLimit);
}

QJsonArray numbers(const std::vector<double> &values)
{
    QJsonArray array;
    for (double v : values)
        array.append(v);
    return array;
}

std::optional<std::vector<double>> readNumbers(const QJsonValue &value, std::size_t size)
{
    const QJsonArray array = value.toArray();
    if (std::size_t(array.size()) != size)
        return std::nullopt;
    std::vector<double> out;
    for (const auto &v : array) {
        if (!v.isDouble() || !std::isfinite(v.toDouble()))
            return std::nullopt;
        out.push_back(v.toDouble());
    }
    return out;
}

// The options that shape a call's class errors (not its seed, nor what
// else the engine measures beside them).
QJsonObject optionsJson(const engine::ClassifyOptions &o)
{
    QJsonObject json;
    json[QStringLiteral("protocol")] = QLatin1String(engine::protocolName(o.protocol));
    json[QStringLiteral("trials_min")] = o.trialsMin;
    json[QStringLiteral("trials_max")] = o.trialsMax;
    json[QStringLiteral("trials_per_round")] = o.trialsPerRound;
    json[QStringLiteral("p_value")] = o.pValue;
    json[QStringLiteral("t_min")] = o.tMin;
    json[QStringLiteral("t_max")] = o.tMax;
    json[QStringLiteral("views")] = o.views;
    json[QStringLiteral("weighting")] = QLatin1String(engine::weightingName(o.weighting));
    json[QStringLiteral("class_offsets")] = o.classOffsets;
    json[QStringLiteral("mask_radius")] = o.maskRadius;
    return json;
}

std::optional<engine::ClassifyOptions> optionsFromJson(const QJsonValue &value)
{
    const QJsonObject json = value.toObject();
    engine::ClassifyOptions o;
    const QString protocol = json.value(QStringLiteral("protocol")).toString();
    if (protocol != QLatin1String("fast") && protocol != QLatin1String("paper"))
        return std::nullopt;
    o.protocol = protocol == QLatin1String("paper") ? engine::Protocol::Paper : engine::Protocol::Fast;
    o.trialsMin = json.value(QStringLiteral("trials_min")).toInt(-1);
    o.trialsMax = json.value(QStringLiteral("trials_max")).toInt(-1);
    o.trialsPerRound = json.value(QStringLiteral("trials_per_round")).toInt(-1);
    o.pValue = json.value(QStringLiteral("p_value")).toDouble(-1);
    o.tMin = json.value(QStringLiteral("t_min")).toDouble(-1);
    o.tMax = json.value(QStringLiteral("t_max")).toDouble(-1);
    o.views = json.value(QStringLiteral("views")).toInt(-1);
    o.weighting = engine::weightingFromName(json.value(QStringLiteral("weighting")).toString().toStdString());
    o.classOffsets = json.value(QStringLiteral("class_offsets")).toBool(true);
    o.maskRadius = json.value(QStringLiteral("mask_radius")).toDouble(-1);
    if (o.trialsMin < 1 || o.trialsMax < 1 || o.trialsPerRound < 1 || !(o.pValue > 0) || o.tMin < 0 || o.tMax < o.tMin
        || o.views < 1 || o.weighting == engine::Weighting::Default || !(o.maskRadius > 0))
        return std::nullopt;
    return o.resolved();
}

} // namespace

ProtocolDifferences AnomalyProfile::differencesFrom(const engine::ClassifyOptions &options) const
{
    return protocolDifferences(m_fittedWith, options);
}

ProtocolDifferences protocolDifferences(const engine::ClassifyOptions &fittedOptions, const engine::ClassifyOptions &options)
{
    const engine::ClassifyOptions fitted = fittedOptions.resolved();
    const engine::ClassifyOptions used = options.resolved();
    ProtocolDifferences out;
    if (used.protocol != fitted.protocol)
        out.scale.push_back("protocol");
    if (used.tMin != fitted.tMin || used.tMax != fitted.tMax)
        out.scale.push_back("time range");
    if (used.weighting != fitted.weighting || used.classOffsets != fitted.classOffsets)
        out.scale.push_back("weighting");
    if (used.maskRadius != fitted.maskRadius)
        out.scale.push_back("judged disk");
    if (used.trialsMin != fitted.trialsMin || used.trialsMax != fitted.trialsMax || used.trialsPerRound != fitted.trialsPerRound)
        out.noise.push_back("trials");
    if (used.pValue != fitted.pValue)
        out.noise.push_back("p-value");
    if (used.views != fitted.views)
        out.noise.push_back("views");
    return out;
}

std::string joinedSettings(const std::vector<std::string> &names)
{
    std::string text;
    for (const auto &name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

ProfileUse profileUse(const engine::Model &model, const engine::ClassifyOptions &options)
{
    ProfileUse use;
    const engine::ModelCard &card = model.card();
    if (card.anomalyProfile.empty())
        return use;
    use.profile = AnomalyProfile::fromJson(card.anomalyProfile, card.classNames);
    if (!*use.profile)
        return use; // every call fails with its error
    use.applies = true;
    if (!model.isDiffusion())
        return use;
    use.differences = (*use.profile)->differencesFrom(options);
    const ProtocolDifferences &differences = use.differences;
    const std::string id = card.modelId();
    if (!differences.scale.empty()) {
        use.applies = false;
        use.notice = id + "'s error profile was fitted on calls made with other classifier settings (" + joinedSettings(differences.scale)
                     + " differ), whose errors are on another scale: Unidentified falls back to the engine's own anomaly "
                       "score (zeta) for these calls. Fit a profile for these settings with `cytodiff-cli anomaly-profile`, "
                       "or classify with the application's defaults.";
    } else if (!differences.noise.empty()) {
        use.notice = id + "'s error profile was fitted on calls made with other classifier settings (" + joinedSettings(differences.noise)
                     + " differ): it still scores these calls, but the share of normal cells it shows as Unidentified is no "
                       "longer the " + std::to_string(int(std::lround((1.0 - (*use.profile)->quantile()) * 100))) + "% it was set for.";
    }
    return use;
}

Result<AnomalyProfile::Fit> AnomalyProfile::fit(const std::vector<ProfileSample> &samples,
                                                const std::vector<std::string> &classNames,
                                                const ProfileFitOptions &options)
{
    const std::size_t classes = classNames.size();
    if (classes < 2)
        return makeError("An anomaly profile needs a model of at least two classes.");
    if (options.folds < 2 || !(options.quantile > 0.0 && options.quantile < 1.0) || !(options.shrink >= 0.0 && options.shrink <= 1.0))
        return makeError("An anomaly profile needs at least 2 folds, a quantile between 0 and 1 and a shrinkage in [0, 1].");
    std::vector<std::vector<double>> profiles;
    std::vector<int> classOf, foldOf;
    std::vector<int> count(classes, 0);
    for (const auto &sample : samples) {
        auto profile = profileOf(sample.errors, sample.predicted, classes);
        if (!profile)
            return makeError("A call's class errors do not fit the model's " + std::to_string(classes)
                             + " classes or are not finite numbers.");
        profiles.push_back(std::move(*profile));
        classOf.push_back(sample.predicted);
        // Folds within each class, so every fold's fit sees every class.
        foldOf.push_back(count[std::size_t(sample.predicted)]++ % options.folds);
    }
    for (std::size_t c = 0; c < classes; ++c)
        if (count[c] < std::max(options.minCellsPerClass, 2 * options.folds))
            return makeError("Only " + std::to_string(count[c]) + " of the cells were called '" + classNames[c]
                             + "' by the model (at least " + std::to_string(std::max(options.minCellsPerClass, 2 * options.folds))
                             + " needed to know what its calls look like): give more cells per class, or labelled "
                               "cells of that class from another part (--split all).");

    const std::size_t dims = classes - 1;
    const auto fitAll = [&](int leftOutFold) -> Result<std::vector<ClassProfile>> {
        std::vector<ClassProfile> fitted(classes);
        for (std::size_t c = 0; c < classes; ++c) {
            std::vector<const std::vector<double> *> rows;
            for (std::size_t i = 0; i < profiles.size(); ++i)
                if (classOf[i] == int(c) && foldOf[i] != leftOutFold)
                    rows.push_back(&profiles[i]);
            auto one = fitClass(rows, dims, options.shrink);
            if (!one)
                return makeError("The calls of class '" + classNames[c]
                                 + "' leave a spread with no inverse (identical errors?); the profile cannot be fitted.");
            fitted[c] = std::move(*one);
        }
        return fitted;
    };

    std::vector<double> outOfFold(profiles.size(), kInfinity);
    for (int fold = 0; fold < options.folds; ++fold) {
        auto fitted = fitAll(fold);
        if (!fitted)
            return makeError(fitted.error());
        for (std::size_t i = 0; i < profiles.size(); ++i)
            if (foldOf[i] == fold)
                outOfFold[i] = mahalanobis((*fitted)[std::size_t(classOf[i])], profiles[i]);
    }
    auto fitted = fitAll(-1);
    if (!fitted)
        return makeError(fitted.error());

    Fit result;
    AnomalyProfile &profile = result.profile;
    profile.m_classNames = classNames;
    profile.m_classes = std::move(*fitted);
    profile.m_quantile = options.quantile;
    profile.m_shrink = options.shrink;
    profile.m_threshold = quantileOf(outOfFold, options.quantile);
    if (!(profile.m_threshold > 0.0 && profile.m_threshold < kInfinity))
        return makeError("The normal cells' profile distances give no usable threshold.");
    for (double d : outOfFold)
        result.outOfFoldScores.push_back(scoreOf(d, profile.m_threshold));
    return result;
}

int AnomalyProfile::cells() const
{
    int total = 0;
    for (const auto &c : m_classes)
        total += c.cells;
    return total;
}

double AnomalyProfile::distance(const std::vector<double> &errors, int predicted) const
{
    auto profile = profileOf(errors, predicted, m_classes.size());
    if (!profile)
        return kInfinity;
    return mahalanobis(m_classes[std::size_t(predicted)], *profile);
}

double AnomalyProfile::score(const std::vector<double> &errors, int predicted) const
{
    return scoreOf(distance(errors, predicted), m_threshold);
}

std::string AnomalyProfile::toJson() const
{
    QJsonObject root;
    root[QStringLiteral("version")] = kJsonVersion;
    QJsonArray names;
    for (const auto &name : m_classNames)
        names.append(QString::fromStdString(name));
    root[QStringLiteral("classes")] = names;
    root[QStringLiteral("threshold")] = m_threshold;
    root[QStringLiteral("quantile")] = m_quantile;
    root[QStringLiteral("shrink")] = m_shrink;
    root[QStringLiteral("provenance")] = QString::fromStdString(m_provenance);
    root[QStringLiteral("fitted_with")] = optionsJson(m_fittedWith);
    QJsonArray profiles;
    for (const auto &c : m_classes) {
        QJsonObject one;
        one[QStringLiteral("cells")] = c.cells;
        one[QStringLiteral("mean")] = numbers(c.mean);
        one[QStringLiteral("precision")] = numbers(c.precision);
        profiles.append(one);
    }
    root[QStringLiteral("profiles")] = profiles;
    return QJsonDocument(root).toJson(QJsonDocument::Compact).toStdString();
}

Result<AnomalyProfile> AnomalyProfile::fromJson(const std::string &json, const std::vector<std::string> &classNames)
{
    const auto unreadable = [](const std::string &why) {
        return makeError("The model's anomaly profile " + why
                         + "; fit it again with `cytodiff-cli anomaly-profile` or use another model file.");
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return unreadable("is unreadable");
    const QJsonObject root = document.object();
    if (root.value(QStringLiteral("version")).toInt(-1) != kJsonVersion)
        return unreadable("was written by another version of CytoDiff");
    const QJsonArray names = root.value(QStringLiteral("classes")).toArray();
    bool sameClasses = std::size_t(names.size()) == classNames.size();
    for (std::size_t c = 0; sameClasses && c < classNames.size(); ++c)
        sameClasses = names.at(qsizetype(c)).toString().toStdString() == classNames[c];
    if (!sameClasses)
        return unreadable("was fitted for other classes than the model's");
    AnomalyProfile profile;
    profile.m_classNames = classNames;
    profile.m_threshold = root.value(QStringLiteral("threshold")).toDouble(-1);
    profile.m_quantile = root.value(QStringLiteral("quantile")).toDouble(-1);
    profile.m_shrink = root.value(QStringLiteral("shrink")).toDouble(-1);
    profile.m_provenance = root.value(QStringLiteral("provenance")).toString().toStdString();
    if (!(profile.m_threshold > 0 && profile.m_threshold < kInfinity) || !(profile.m_quantile > 0 && profile.m_quantile < 1))
        return unreadable("has no valid threshold");
    if (root.contains(QStringLiteral("fitted_with"))) {
        auto fittedWith = optionsFromJson(root.value(QStringLiteral("fitted_with")));
        if (!fittedWith)
            return unreadable("does not say which classifier settings it was fitted with");
        profile.m_fittedWith = *fittedWith;
    }
    const QJsonArray profiles = root.value(QStringLiteral("profiles")).toArray();
    if (std::size_t(profiles.size()) != classNames.size())
        return unreadable("does not have one entry per class");
    const std::size_t dims = classNames.size() - 1;
    for (const auto &entry : profiles) {
        const QJsonObject one = entry.toObject();
        ClassProfile c;
        c.cells = one.value(QStringLiteral("cells")).toInt(0);
        auto mean = readNumbers(one.value(QStringLiteral("mean")), dims);
        auto precision = readNumbers(one.value(QStringLiteral("precision")), dims * dims);
        // A precision that is not positive definite would score every
        // call as typical: as damaged as a missing one.
        // Symmetric up to rounding of the matrix's largest entry (an entry
        // near zero may differ from its mirror by more than its own size).
        bool symmetric = precision.has_value();
        double largest = 0.0;
        for (std::size_t i = 0; symmetric && i < dims * dims; ++i)
            largest = std::max(largest, std::abs((*precision)[i]));
        for (std::size_t i = 0; symmetric && i < dims; ++i)
            for (std::size_t j = 0; symmetric && j < i; ++j)
                symmetric = std::abs((*precision)[i * dims + j] - (*precision)[j * dims + i]) <= 1e-9 * largest;
        if (!mean || !precision || c.cells < 2 || !symmetric || !inverse(*precision, dims))
            return unreadable("has a damaged class entry");
        c.mean = std::move(*mean);
        c.precision = std::move(*precision);
        profile.m_classes.push_back(std::move(c));
    }
    return profile;
}

} // namespace cytodiff::classify
