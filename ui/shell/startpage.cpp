#include "startpage.h"

#include <QDir>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

// The classify icon lives with the review icons in this static library;
// Q_INIT_RESOURCE (global namespace only) keeps the linker from dropping it.
static void initStartPageIcons()
{
    Q_INIT_RESOURCE(uiicons);
}

namespace cytodiff::ui {

namespace {
constexpr int kCardWidth = 640;
constexpr int kButtonWidth = 290;
constexpr int kIconSize = 96;
} // namespace

// The two ways in: import an export (the default) and the demo case.
void StartPage::createChoiceButtons()
{
    m_importButton = new QPushButton(QIcon(QStringLiteral(":/icons/import.svg")),
                                     tr("Import a CellaVision export…"));
    m_importButton->setObjectName(QStringLiteral("startImportButton"));
    m_importButton->setDefault(true);
    m_importButton->setIconSize(QSize(24, 24));
    m_importButton->setMinimumHeight(44);
    m_importButton->setMinimumWidth(kButtonWidth);
    QFont buttonFont = m_importButton->font();
    buttonFont.setPointSizeF(buttonFont.pointSizeF() * 1.15);
    buttonFont.setBold(true);
    m_importButton->setFont(buttonFont);
    connect(m_importButton, &QPushButton::clicked, this, &StartPage::importRequested);

    // Second choice for someone without an export at hand: the whole
    // workflow on cells the model generates (never mistaken for real ones).
    m_demoButton = new QPushButton(QIcon(QStringLiteral(":/icons/classify.svg")),
                                   tr("Try a demo case (synthetic cells)"));
    m_demoButton->setObjectName(QStringLiteral("startDemoButton"));
    m_demoButton->setIconSize(QSize(24, 24));
    m_demoButton->setMinimumHeight(44);
    m_demoButton->setMinimumWidth(kButtonWidth);
    QFont demoFont = m_demoButton->font();
    demoFont.setPointSizeF(demoFont.pointSizeF() * 1.15);
    m_demoButton->setFont(demoFont);
    connect(m_demoButton, &QPushButton::clicked, this, &StartPage::demoRequested);

    m_demoNote = new QLabel;
    m_demoNote->setObjectName(QStringLiteral("startDemoNote"));
    m_demoNote->setWordWrap(true);
    m_demoNote->setAlignment(Qt::AlignCenter);
    m_demoNote->setForegroundRole(QPalette::PlaceholderText);
}

// Side by side while both fit the card; translated labels are often longer
// than the English ones, and then the buttons stack, equally wide.
void StartPage::addChoiceButtons(QVBoxLayout *cardLayout)
{
    constexpr int kButtonSpacing = 12;
    const int importWidth = m_importButton->sizeHint().width();
    const int demoWidth = m_demoButton->sizeHint().width();
    int left = 0, top = 0, right = 0, bottom = 0;
    cardLayout->getContentsMargins(&left, &top, &right, &bottom);
    if (importWidth + kButtonSpacing + demoWidth <= kCardWidth - left - right) {
        auto *buttonRow = new QHBoxLayout;
        buttonRow->addStretch();
        buttonRow->setSpacing(kButtonSpacing);
        buttonRow->addWidget(m_importButton);
        buttonRow->addWidget(m_demoButton);
        buttonRow->addStretch();
        cardLayout->addLayout(buttonRow);
    } else {
        const int width = qMax(importWidth, demoWidth);
        m_importButton->setMinimumWidth(width);
        m_demoButton->setMinimumWidth(width);
        auto *buttonColumn = new QVBoxLayout;
        buttonColumn->setSpacing(kButtonSpacing / 2);
        buttonColumn->addWidget(m_importButton, 0, Qt::AlignHCenter);
        buttonColumn->addWidget(m_demoButton, 0, Qt::AlignHCenter);
        cardLayout->addLayout(buttonColumn);
    }
}

QLabel *StartPage::supportedLayoutsLabel()
{
    auto *layouts = new QLabel(
        tr("<b>Supported folder layouts</b> (detected automatically)"
           "<ul style='margin-left:-20px'>"
           "<li>One folder per class: <tt>export/neutrophil/SNE_1.jpg</tt></li>"
           "<li>One folder per case, then per class: <tt>export/slide-0412/eosinophil/EO_7.jpg</tt></li>"
           "<li>A flat folder with the class code as file-name prefix: <tt>SNE_123.jpg</tt>, <tt>MYO_0001.tiff</tt></li>"
           "<li>A <tt>manifest.csv</tt> with an <tt>image_path</tt> column (optional <tt>case_id</tt>, <tt>slide_id</tt>, <tt>label_code</tt>)</li>"
           "<li>Unlabelled images, for prediction only</li>"
           "</ul>"
           "JPG, PNG, BMP and TIFF images are accepted. Unreadable files are skipped "
           "and listed; images already in the workspace are not imported twice."));
    layouts->setObjectName(QStringLiteral("startLayouts"));
    layouts->setWordWrap(true);
    layouts->setTextFormat(Qt::RichText);
    return layouts;
}

StartPage::StartPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("startPage"));
    initStartPageIcons();

    auto *icon = new QLabel;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/cytodiff.svg")).pixmap(kIconSize, kIconSize));
    icon->setAlignment(Qt::AlignCenter);

    auto *title = new QLabel(tr("No cases yet"));
    title->setObjectName(QStringLiteral("startTitle"));
    title->setAlignment(Qt::AlignCenter);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.9);
    titleFont.setBold(true);
    title->setFont(titleFont);

    auto *explanation = new QLabel(
        tr("This workspace does not contain any slides. Import the cell images "
           "exported by your CellaVision analyser (or another digital morphology "
           "system) to review and classify them. The images are copied into the "
           "workspace, so the export folder may be deleted afterwards."));
    explanation->setWordWrap(true);
    explanation->setAlignment(Qt::AlignCenter);

    createChoiceButtons();

    auto *openButton = new QPushButton(QIcon(QStringLiteral(":/icons/workspace-open.svg")),
                                       tr("Open another workspace…"));
    openButton->setFlat(true);
    openButton->setCursor(Qt::PointingHandCursor);
    connect(openButton, &QPushButton::clicked, this, &StartPage::openWorkspaceRequested);

    QLabel *layouts = supportedLayoutsLabel();

    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setObjectName(QStringLiteral("startWorkspace"));
    m_workspaceLabel->setAlignment(Qt::AlignCenter);
    m_workspaceLabel->setWordWrap(true);
    m_workspaceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_workspaceLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *card = new QWidget;
    card->setObjectName(QStringLiteral("startCard"));
    card->setMaximumWidth(kCardWidth);
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setSpacing(14);
    cardLayout->addWidget(icon);
    cardLayout->addWidget(title);
    cardLayout->addWidget(explanation);
    cardLayout->addSpacing(8);
    addChoiceButtons(cardLayout);
    cardLayout->addWidget(m_demoNote);
    auto *openRow = new QHBoxLayout;
    openRow->addStretch();
    openRow->addWidget(openButton);
    openRow->addStretch();
    cardLayout->addLayout(openRow);
    cardLayout->addSpacing(12);
    cardLayout->addWidget(layouts);
    cardLayout->addSpacing(8);
    cardLayout->addWidget(m_workspaceLabel);

    auto *outer = new QHBoxLayout(this);
    outer->addStretch();
    auto *column = new QVBoxLayout;
    column->addStretch(2);
    column->addWidget(card);
    column->addStretch(3);
    outer->addLayout(column, 1);
    outer->addStretch();
}

void StartPage::setDemoAvailable(bool available, const QString &note, const QString &details)
{
    m_demoButton->setEnabled(available);
    m_demoButton->setToolTip(details.isEmpty() ? note : note + QStringLiteral("\n\n") + details);
    m_demoNote->setText(note);
}

void StartPage::setWorkspacePath(const QString &path)
{
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(path)));
}

} // namespace cytodiff::ui
