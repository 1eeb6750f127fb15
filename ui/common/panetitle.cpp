#include "panetitle.h"

#include <QLabel>

namespace cytodiff::ui {

QLabel *makePaneTitle(const QString &text)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.1);
    label->setFont(font);
    return label;
}

} // namespace cytodiff::ui
