#pragma once
// The bold, slightly larger title above a pane (case list, differential),
// the same everywhere.

class QLabel;
class QString;

namespace cytodiff::ui {

QLabel *makePaneTitle(const QString &text);

} // namespace cytodiff::ui
