"""The history pane driven as a tester would, over a real history file."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.aws_cli_command import command_for_record
from app.core.error_catalogue import lookup
from app.core.history import AttemptCompletion, AttemptStart, HistoryFilter, HistoryRecord, HistoryStore
from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome
from app.ui.history.cells import outcome_state
from app.ui.history.model import COUNT_CAP, PAGE_SIZE, RECORD_ROLE, HistoryModel
from app.ui.history.view import SEARCH_DELAY_MS, HistoryView

pytestmark = pytest.mark.gui

INFO = ConnectionInfo("eu-west-1", "http://127.0.0.1:5000", "eu-west-1_Pool", "client1", "sandbox")
CODES = ("LimitExceededException", "CodeDeliveryFailureException", "NotAuthorizedException")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo")
CONTROL_NAMES = (
    "historyTable", "historyFilterEdit", "historyOutcomeCombo", "historyErrorCodeCombo",
    "historyAttributeCombo", "historyDetails", "rerunHistoryButton", "exportHistoryButton",
    "copyHistoryCliButton",
)


def attempts(count: int, *, seed: int = 3) -> Iterator[tuple[AttemptStart, AttemptCompletion]]:
    """`count` finished attempts, oldest first: every 5th an error, campaigns from WORDS."""
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for index in range(count):
        metadata = {"campaign": WORDS[index % len(WORDS)], "run": str(index)}
        begun = AttemptStart(SEND_OPERATION, INFO, f"user{index % 50}", ("email", "phone_number")[index % 2],
                             metadata, started_at=start + timedelta(seconds=index))
        if index % 5 == 0:
            done = AttemptCompletion(Outcome.ERROR, error_code=CODES[index % 3], error_message=f"failed {index}",
                                     http_status=400, request_id=f"req-{index}", latency_ms=rng.uniform(20, 300),
                                     attempts=1)
        else:
            done = AttemptCompletion(Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", "u***@e***"),
                                     http_status=200, request_id=f"req-{index}",
                                     latency_ms=rng.uniform(20, 300), attempts=1)
        yield begun, done


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        history.bulk_insert_for_benchmark(attempts(500))
        yield history


@pytest.fixture
def view(qtbot: QtBot, store: HistoryStore) -> HistoryView:
    widget = HistoryView(store)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def table(view: HistoryView) -> QTableView:
    found = view.findChild(QTableView, "historyTable")
    assert found is not None
    return found


def child(view: HistoryView, cls: type, name: str):  # type: ignore[no-untyped-def]
    found = view.findChild(cls, name)
    assert found is not None, name
    return found


def shown_records(view: HistoryView) -> list[HistoryRecord]:
    model = table(view).model()
    rows = [model.index(row, 0).data(RECORD_ROLE) for row in range(model.rowCount())]
    return [record for record in rows if record is not None]


def click_row(qtbot: QtBot, view: HistoryView, row: int) -> None:
    grid = table(view)
    grid.scrollTo(grid.model().index(row, 1))
    rect = grid.visualRect(grid.model().index(row, 1))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an item the way a keyboard user does: focus the combo and type its first letters."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setFocus()
    combo.showPopup()
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(popup.model().index(index, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: combo.currentIndex() == index)


def test_every_control_has_its_object_name_and_an_accessible_name(view: HistoryView) -> None:
    for name in CONTROL_NAMES:
        widget = view.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_opens_newest_first_with_one_page_loaded_and_the_full_count(view: HistoryView) -> None:
    records = shown_records(view)
    assert len(records) == PAGE_SIZE
    assert [r.id for r in records] == sorted((r.id for r in records), reverse=True)
    assert records[0].request_id == "req-499"
    assert view.count_label.text() == "500 records"


def test_scrolling_to_the_bottom_fetches_the_next_page(qtbot: QtBot, view: HistoryView) -> None:
    bar = table(view).verticalScrollBar()
    for loaded in (2 * PAGE_SIZE, 500):
        end = bar.maximum()
        bar.setValue(end)  # dragging the scroll bar to the bottom: the view asks for more
        qtbot.waitUntil(lambda loaded=loaded: view.model.loaded == loaded)
        qtbot.waitUntil(lambda end=end: bar.maximum() > end)  # the bar grows with the rows
    ids = [r.id for r in shown_records(view)]
    assert ids == list(range(500, 0, -1))
    assert not view.model.canFetchMore()


def test_the_cancelled_choice_shows_only_cancelled_sends(qtbot: QtBot, store: HistoryStore) -> None:
    begun, done = next(attempts(1))
    late = store.complete(store.begin(begun), dataclasses.replace(done, cancelled=True))
    widget = HistoryView(store)
    qtbot.addWidget(widget)
    widget.show()
    choose(qtbot, child(widget, QComboBox, "historyOutcomeCombo"), "Cancelled")
    qtbot.waitUntil(lambda: [r.id for r in shown_records(widget)] == [late.id])
    assert widget.count_label.text() == "1 matching record"


def test_outcome_error_code_and_attribute_filters_combine(qtbot: QtBot, view: HistoryView) -> None:
    choose(qtbot, child(view, QComboBox, "historyOutcomeCombo"), "Error")
    records = shown_records(view)
    assert len(records) == 100
    assert {r.outcome for r in records} == {Outcome.ERROR}
    assert view.count_label.text() == "100 matching records"

    error_combo = child(view, QComboBox, "historyErrorCodeCombo")
    assert [error_combo.itemText(i) for i in range(error_combo.count())] == ["All error codes", *sorted(CODES)]
    choose(qtbot, error_combo, "LimitExceededException")
    assert {r.error_code for r in shown_records(view)} == {"LimitExceededException"}

    choose(qtbot, child(view, QComboBox, "historyAttributeCombo"), "phone_number")
    records = shown_records(view)
    assert records
    assert {(r.error_code, r.attribute_name) for r in records} == {("LimitExceededException", "phone_number")}
    assert len(records) == view.model.total == 17  # index % 5 == 0, % 3 == 0, odd: 15, 45, … 495

    choose(qtbot, child(view, QComboBox, "historyOutcomeCombo"), "All outcomes")
    choose(qtbot, error_combo, "All error codes")
    choose(qtbot, child(view, QComboBox, "historyAttributeCombo"), "All attributes")
    assert view.count_label.text() == "500 records"


def test_free_text_search_waits_for_typing_to_pause(qtbot: QtBot, view: HistoryView) -> None:
    edit = child(view, QLineEdit, "historyFilterEdit")
    qtbot.keyClicks(edit, "req-42")
    assert view.model.filter == HistoryFilter()  # not yet: debounced
    timer = view._search_timer
    assert timer.isActive() and timer.isSingleShot() and timer.interval() == SEARCH_DELAY_MS
    qtbot.waitUntil(lambda: view.model.filter.text == "req-42", timeout=2000)
    records = shown_records(view)
    assert {r.request_id for r in records} >= {"req-42"}
    assert all("42" in (r.request_id or "") for r in records)
    edit.clear()
    qtbot.waitUntil(lambda: view.model.filter == HistoryFilter(), timeout=2000)
    assert view.model.total == 500


def test_text_search_without_matches_says_so(qtbot: QtBot, view: HistoryView) -> None:
    edit = child(view, QLineEdit, "historyFilterEdit")
    qtbot.keyClicks(edit, "nothing-like-this")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter searches at once
    assert view.model.total == 0
    assert view.count_label.text() == "0 matching records"
    assert "No records match these filters" in view.details.toPlainText()


def test_details_show_the_whole_record_with_the_catalogue_advice(qtbot: QtBot, view: HistoryView) -> None:
    click_row(qtbot, view, 4)  # id 496: index 495, an error
    record = view.current_record()
    assert record is not None
    assert record.error_code == "LimitExceededException"
    text = view.details.toPlainText()
    entry = lookup("LimitExceededException")
    for expected in ("LimitExceededException", "failed 495", entry.explanation, entry.next_step, "req-495",
                     '"campaign": "alpha"', "http://127.0.0.1:5000", "eu-west-1_Pool", "user45"):
        assert expected in text, expected
    click_row(qtbot, view, 0)
    text = view.details.toPlainText()
    assert "Code delivery" in text
    assert "u***@e***" in text

    child(view, QPushButton, "copyHistoryDetailsButton").click()
    assert "u***@e***" in QApplication.clipboard().text()


def test_rerun_emits_the_record_with_attribute_and_metadata(qtbot: QtBot, view: HistoryView) -> None:
    rerun = child(view, QPushButton, "rerunHistoryButton")
    assert not rerun.isEnabled()
    click_row(qtbot, view, 2)  # id 498: index 497
    with qtbot.waitSignal(view.rerun_requested) as signal:
        qtbot.mouseClick(rerun, Qt.MouseButton.LeftButton)
    record = signal.args[0]
    assert isinstance(record, HistoryRecord)
    assert record.attribute_name == "phone_number"
    assert record.client_metadata == {"campaign": "charlie", "run": "497"}


def test_the_table_names_the_user_and_the_buttons_say_what_they_do(qtbot: QtBot, view: HistoryView) -> None:
    model = table(view).model()
    headers = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())]
    assert "User" in headers
    user_column = headers.index("User")
    assert model.index(0, user_column).data() == "user49"  # the newest of 500: index 499
    load = child(view, QPushButton, "rerunHistoryButton")
    assert load.text().replace("&", "") == "Load into request"
    assert "nothing is sent" in load.toolTip()
    oldest = child(view, QPushButton, "historyOldestButton")
    assert "oldest" in oldest.text().lower() and "newest first" in oldest.toolTip()


def test_search_finds_a_word_inside_an_error_code(qtbot: QtBot, view: HistoryView) -> None:
    edit = child(view, QLineEdit, "historyFilterEdit")
    edit.setText("ExceededExc")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(shown_records(view)) and all(
        record.error_code == "LimitExceededException" for record in shown_records(view)
    ))


def test_copy_as_aws_cli_puts_the_command_without_a_token_on_the_clipboard(
    qtbot: QtBot, view: HistoryView
) -> None:
    click_row(qtbot, view, 0)
    qtbot.mouseClick(child(view, QPushButton, "copyHistoryCliButton"), Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    record = view.current_record()
    assert record is not None
    assert copied == command_for_record(record)
    assert copied.startswith(
        'aws cognito-idp get-user-attribute-verification-code --access-token "$ACCESS_TOKEN" '
        "--attribute-name phone_number --client-metadata "
    )
    assert """'{"campaign":"echo","run":"499"}'""" in copied
    assert copied.endswith("--region eu-west-1 --endpoint-url http://127.0.0.1:5000")
    assert "set $ACCESS_TOKEN in your shell" in view.status_label.text()


@pytest.mark.parametrize(("file_name", "reader"), [("errors.csv", "csv"), ("errors.json", "json")])
def test_export_writes_the_filtered_records_via_the_file_dialog(
    qtbot: QtBot, view: HistoryView, tmp_path: Path, event_loop_qt: asyncio.AbstractEventLoop,
    file_name: str, reader: str,
) -> None:
    choose(qtbot, child(view, QComboBox, "historyOutcomeCombo"), "Error")
    target = tmp_path / file_name
    qtbot.mouseClick(child(view, QPushButton, "exportHistoryButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.findChild(QFileDialog, "historyExportDialog") is not None)
    dialog = view.findChild(QFileDialog, "historyExportDialog")
    assert dialog is not None
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: "Export" in view.status_label.text() and "…" not in view.status_label.text(), timeout=10_000)
    assert "Exported 100 records" in view.status_label.text(), view.status_label.text()
    text = target.read_text(encoding="utf-8")
    if reader == "csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert {row["outcome"] for row in rows} == {"error"}
    else:
        rows = json.loads(text)
        assert {row["outcome"] for row in rows} == {"error"}
    assert len(rows) == 100


def test_export_to_an_unwritable_place_says_why(view: HistoryView, tmp_path: Path) -> None:
    view.export_to(tmp_path / "missing-dir" / "out.csv")
    assert "Export failed" in view.status_label.text()
    assert child(view, QPushButton, "exportHistoryButton").isEnabled()


def test_a_pending_row_appears_live_and_completes_in_place(qtbot: QtBot, view: HistoryView, store: HistoryStore) -> None:
    row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, "zoe", "email", {"flow": "live ✓"}))
    view.record_changed(row_id)
    top = shown_records(view)[0]
    assert (top.id, outcome_state(top)) == (row_id, "pending")
    assert view.count_label.text() == "501 records"
    click_row(qtbot, view, 0)
    assert "In flight" in view.details.toPlainText()

    store.complete(row_id, AttemptCompletion(Outcome.ERROR, error_code="TooManyRequestsException",
                                             error_message="Rate exceeded", latency_ms=42.0, attempts=1))
    view.record_changed(row_id)
    top = shown_records(view)[0]
    assert (top.id, outcome_state(top), top.error_code) == (row_id, "error", "TooManyRequestsException")
    assert len(shown_records(view)) == PAGE_SIZE + 1
    assert "Rate exceeded" in view.details.toPlainText()  # the selected record's details follow
    assert child(view, QComboBox, "historyErrorCodeCombo").findText("TooManyRequestsException") > 0


def test_a_live_row_that_does_not_match_the_filter_stays_out(qtbot: QtBot, view: HistoryView, store: HistoryStore) -> None:
    choose(qtbot, child(view, QComboBox, "historyOutcomeCombo"), "Error")
    row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, "zoe", "email", {}))
    view.record_changed(row_id)
    assert row_id not in {r.id for r in shown_records(view)}
    store.complete(row_id, AttemptCompletion(Outcome.ERROR, error_code="LimitExceededException", latency_ms=1.0))
    view.record_changed(row_id)
    assert shown_records(view)[0].id == row_id
    assert view.count_label.text() == "101 matching records"


def test_a_capped_count_reads_as_at_least_and_grows_as_the_tester_scrolls(
    qtbot: QtBot, store: HistoryStore
) -> None:
    model = HistoryModel(store, page_size=100, count_cap=250)
    model.reload()
    assert (model.total, model.total_is_exact) == (250, False)  # 500 match; counting stopped at 250
    while model.canFetchMore():
        model.fetchMore()
        assert model.total >= model.loaded  # never claims fewer than are shown
    assert (model.loaded, model.total, model.total_is_exact) == (500, 500, True)

    model.reload()
    assert model.load_end()  # Ctrl+End: the oldest page, still no full count
    assert (model.loaded, model.total, model.total_is_exact) == (200, 250, False)
    assert model.data(model.index(100, 0)) == "⋯ 50+ more records not loaded yet: scroll here to load them"
    while model.gap_row() is not None:  # scrolling up from the oldest fills the gap
        model.fetch_newer_tail()
    assert (model.loaded, model.total, model.total_is_exact) == (500, 500, True)


def test_the_count_label_says_at_least_when_counting_stopped(qtbot: QtBot, tmp_path: Path) -> None:
    big = HistoryStore(tmp_path / "big.sqlite3")
    big.bulk_insert_for_benchmark(attempts(COUNT_CAP))
    widget = HistoryView(big)
    qtbot.addWidget(widget)
    assert widget.count_label.text() == f"{COUNT_CAP:,} records"  # exactly the cap: still exact
    assert widget.count_label.toolTip() == ""
    big.bulk_insert_for_benchmark(attempts(5, seed=4))
    widget.refresh()
    assert widget.count_label.text() == f"{COUNT_CAP:,}+ records"
    assert "Counting stops here" in widget.count_label.toolTip()
    widget.jump_to_end()  # the oldest records, without counting the rest
    assert widget.count_label.text() == f"{COUNT_CAP:,}+ records"
    assert widget.current_record().id == 1  # type: ignore[union-attr]


def test_jump_to_end_shows_the_oldest_and_scrolling_up_fills_the_gap(qtbot: QtBot, view: HistoryView) -> None:
    grid = table(view)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    model = view.model
    assert model.loaded == 2 * PAGE_SIZE  # the newest page and the oldest page, nothing between
    assert model.gap_row() == PAGE_SIZE
    assert view.current_record() is not None
    assert view.current_record().id == 1  # type: ignore[union-attr]
    assert "100 more records not loaded yet" in str(model.index(PAGE_SIZE, 0).data())
    assert table(view).columnSpan(PAGE_SIZE, 0) == model.columnCount()  # one line across the table

    # Scroll up a page at a time, as with PageUp: the gap fills from the oldest side.
    for _ in range(40):
        if model.gap_row() is None:
            break
        qtbot.keyClick(grid, Qt.Key.Key_PageUp)
        qtbot.wait(5)
    qtbot.waitUntil(lambda: model.gap_row() is None)
    assert [r.id for r in shown_records(view)] == list(range(500, 0, -1))


def test_gap_fills_from_above_when_scrolling_down_from_the_newest(qtbot: QtBot, view: HistoryView) -> None:
    view.jump_to_end()
    grid = table(view)
    grid.scrollToTop()
    grid.setCurrentIndex(grid.model().index(0, 1))
    for _ in range(60):
        if view.model.gap_row() is None:
            break
        qtbot.keyClick(grid, Qt.Key.Key_PageDown)
        qtbot.wait(5)
    qtbot.waitUntil(lambda: view.model.gap_row() is None)
    assert [r.id for r in shown_records(view)] == list(range(500, 0, -1))


def test_screenshot_of_the_history_pane(qtbot: QtBot, view: HistoryView, tmp_path: Path) -> None:
    click_row(qtbot, view, 4)
    shot = tmp_path / "history.png"
    assert view.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


# --- 100,000 rows ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "history.sqlite3"
    with HistoryStore(path) as history:
        history.bulk_insert_for_benchmark(attempts(100_000))
    return path


@pytest.mark.slow
def test_100k_rows_open_with_a_capped_count_filter_search_and_jump_to_the_oldest_page(
    qtbot: QtBot, big_history: Path
) -> None:
    # What these take is measured in bench (history 100k rows, against its budgets), not here.
    store = HistoryStore(big_history)
    views: list[HistoryView] = []

    def open_view() -> None:
        widget = HistoryView(store)
        qtbot.addWidget(widget)
        widget.resize(1200, 600)
        widget.show()
        widget.repaint()
        views.append(widget)

    open_view()
    view = views[-1]
    assert view.count_label.text() == "10,000+ records"  # the count stops at its cap: flat at any size
    assert view.model.loaded == PAGE_SIZE
    error_combo = child(view, QComboBox, "historyErrorCodeCombo")
    text_edit = child(view, QLineEdit, "historyFilterEdit")

    def filter_by_code() -> None:
        error_combo.setCurrentIndex(0)
        error_combo.setCurrentIndex(error_combo.findText("LimitExceededException"))
        view.repaint()

    filter_by_code()
    assert {r.error_code for r in shown_records(view)} == {"LimitExceededException"}
    error_combo.setCurrentIndex(0)

    def search() -> None:
        text_edit.setText("charlie")
        view._apply_filter()  # what the debounce timer calls
        view.repaint()
        text_edit.setText("")
        view._apply_filter()

    search()

    def jump() -> None:
        view.model.reload()
        view.jump_to_end()
        view.repaint()

    jump()
    assert view.current_record().id == 1  # type: ignore[union-attr]
    assert view.model.loaded == 2 * PAGE_SIZE
    assert view.count_label.text() == "10,000+ records"  # the jump loads the oldest page, counts nothing
    store.close()
