"""The window's three columns (sign-in, request, result) side by side in a splitter, each scrolling
vertically; below `NARROW_WIDTH` the result column moves under the request column so that every
control stays on screen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLayout, QScrollArea, QSplitter, QVBoxLayout, QWidget

COLUMN_WIDTHS = (330, 520, 430)  # sign-in, request, result


class _FillHolder(QWidget):
    """Holds a column's content in a `ColumnScroll`. It asks for no more height than its content's
    minimum at the given width, so the column fills the viewport and scrolls only when the
    viewport is shorter than that minimum (word-wrapped labels would otherwise make the scroll
    area size it at its preferred height and scroll at once)."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{content.objectName() or 'column'}Holder")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return super().heightForWidth(width)
        first = layout.itemAt(0)
        content = first.widget() if first is not None else None
        enforced = _enforced_height(content.layout(), width) if content is not None else 0
        return max(layout.totalMinimumHeightForWidth(width), enforced)


def _enforced_height(layout: QLayout | None, width: int) -> int:
    """The height a vertical box layout squeezes its items below: when it lays out items that have
    a height-for-width (wrapped labels, boxes holding them), it takes that height as their minimum,
    which `totalMinimumHeightForWidth` does not count. Less room than this and parts overlap."""
    if not isinstance(layout, QBoxLayout) or layout.direction() not in (
        QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop
    ):
        return 0
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    heights = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None or item.isEmpty():
            continue
        if item.hasHeightForWidth():
            item_width = max(item.minimumSize().width(), min(inner, item.maximumSize().width()))
            heights.append(item.heightForWidth(item_width))
        else:
            heights.append(item.minimumSize().height())
    spacing = max(layout.spacing(), 0) * max(len(heights) - 1, 0)
    return sum(heights) + spacing + margins.top() + margins.bottom()


class ColumnScroll(QScrollArea):
    """A vertically scrolling column that is never narrower than its content (no clipped
    buttons): its minimum width follows the content's, e.g. when a challenge form appears.
    Its minimum height is small whatever the content holds (messages, challenge forms), so no
    column raises the window's minimum height. The content fills the viewport, and is as tall
    as its minimum at that width when that is more (then it scrolls): sized here rather than by
    `widgetResizable`, which misses a content whose minimum grew while its size did not change,
    and then squeezes it until its parts overlap."""

    def __init__(self, widget: QWidget, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = widget
        holder = _FillHolder(widget)
        self.setWidget(holder)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls, not the frame
        widget.installEventFilter(self)
        holder.installEventFilter(self)  # the last of a change's layout requests reaches it

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 80)

    def fit_content(self) -> None:
        holder = self.widget()
        if holder is None:
            return
        viewport = self.viewport()
        width = max(viewport.width(), holder.minimumSizeHint().width())
        needed = holder.heightForWidth(width) if holder.hasHeightForWidth() else -1
        if needed < 0:
            needed = holder.minimumSizeHint().height()
        size = QSize(width, max(viewport.height(), needed))
        if holder.size() != size:
            holder.resize(size)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LayoutRequest and watched in (self.content, self.widget()):
            self.updateGeometry()
            self.fit_content()  # a message appeared or went: the content's minimum changed
        return super().eventFilter(watched, event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.fit_content()
        return super().viewportEvent(event)


class PinnedColumn(QWidget):
    """A scrolling column with a footer pinned below the part that scrolls (Send and what it
    says): however tall the grid and its messages, the footer stays in view."""

    def __init__(self, scroll: ColumnScroll, footer: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{scroll.objectName()}Column")
        self.column_scroll, self.content = scroll, scroll.content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(scroll, 1)
        frame = QWidget()
        frame.setObjectName(f"{scroll.objectName()}Footer")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(10, 0, 10, 4)
        inner.addWidget(footer)  # taken out of the scrolling content's layout
        layout.addWidget(frame)


class ColumnsArea(QWidget):
    """Holds the columns' splitter. Wide enough for the three side by side, they stand side by
    side; narrower, the result column goes under the request column (a vertical splitter), so
    the window fits a 1024-pixel-wide screen. Its minimum width is that of the narrow layout."""

    def __init__(self, columns: tuple[QWidget, QWidget, QWidget]) -> None:
        super().__init__()
        self.setObjectName("columnsArea")
        self.columns = columns
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("topSplitter")
        self.stack = QSplitter(Qt.Orientation.Vertical)
        self.stack.setObjectName("requestResultSplitter")
        self.stack.setChildrenCollapsible(False)
        for column in columns:
            self.splitter.addWidget(column)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes(list(COLUMN_WIDTHS))
        self.splitter.setChildrenCollapsible(False)
        self.narrow = False

    def _wide_minimum(self) -> int:
        handles = self.splitter.handleWidth() * 2
        return sum(column.minimumSizeHint().width() for column in self.columns) + handles

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        left, request, result = (column.minimumSizeHint() for column in self.columns)
        width = left.width() + max(request.width(), result.width()) + self.splitter.handleWidth()
        height = max(left.height(), request.height() + result.height() + self.stack.handleWidth())
        return QSize(width, height)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.splitter.sizeHint().expandedTo(self.minimumSizeHint())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a column's minimum changed
            self.updateGeometry()
            self._arrange()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        self._arrange()
        super().resizeEvent(event)

    def _arrange(self) -> None:
        narrow = self.width() < self._wide_minimum()
        if narrow != self.narrow:
            self.narrow = narrow
            _left, request, result = self.columns
            if narrow:
                self.stack.addWidget(request)
                self.stack.addWidget(result)
                self.splitter.addWidget(self.stack)
                self.stack.show()
            else:
                self.splitter.addWidget(request)
                self.splitter.addWidget(result)
                self.stack.setParent(None)
            self.fit()
        self.splitter.setGeometry(self.rect())

    def fit(self) -> None:
        """Column widths in the default proportions of the splitter's actual width."""
        if self.narrow:
            left = self.columns[0].minimumSizeHint().width()
            rest = max(self.width() - left - self.splitter.handleWidth(), 0)
            self.splitter.setSizes([left, rest])
            return
        total = self.splitter.width() - self.splitter.handleWidth() * 2
        scale = total / sum(COLUMN_WIDTHS)
        sizes = [round(width * scale) for width in COLUMN_WIDTHS]
        sizes[1] += total - sum(sizes)
        self.splitter.setSizes(sizes)
