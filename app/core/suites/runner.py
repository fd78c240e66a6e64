"""The suite runner (no Qt), used by the CLI and the window: cases in order, each attempt recorded.

Every send and verify goes through `app.core.recording`, so each is a history row written before
its request leaves, tagged with the run and the case; the run itself is a history row that reads as
interrupted if the process dies. Sends of one user are paced (`pace_s`) and counted against a
per-user budget (an attribute change first, `update:`, counts as one: it sends a code too); a
LimitExceededException is reported as such, never retried, and that user sends nothing more in the run.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from app.core.connection import CognitoConnection
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore, RunStatus
from app.core.models import SEND_OPERATION, UPDATE_OPERATION
from app.core.recording import send_recorded, update_recorded, verify_recorded
from app.core.suites.expect import check_send
from app.core.suites.model import Case, Position, Suite
from app.core.suites.setup import (
    Credentials,
    SignInError,
    auth_flow,
    connect,
    connection_settings,
    trigger_logs_source,
)
from app.core.suites.sources import CodeSource, CodeSourceError, NoEvidence, SandboxSources, TriggerEvidence
from app.core.tokens import Tokens
from app.core.validation import MetadataRow, validate_send

log = logging.getLogger(__name__)

PASSED = "passed"
FAILED = "failed"
ERRORED = "error"
SKIPPED = "skipped"
LIMIT_EXCEEDED = "LimitExceededException"
TOKEN_MARGIN_S = 120.0
"""An access token this close to its expiry is refreshed before the next call."""
BUDGET_WINDOW = timedelta(hours=1)
"""The per-user budget counts the codes requested in this window (this run's and history's)."""


@dataclass
class CaseResult:
    """How one case ended: passed, failed (an expectation not met), error (it could not be run or
    checked) or skipped (cancelled before it ran)."""

    case: Case
    status: str
    message: str = ""
    history_ids: list[int] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def name(self) -> str:
        return self.case.name


@dataclass
class RunResult:
    """A whole run, in case order."""

    suite: Suite
    run_id: int | None
    cases: list[CaseResult]
    cancelled: bool = False

    def count(self, status: str) -> int:
        return _count(self.cases, status)

    @property
    def all_passed(self) -> bool:
        return not self.cancelled and all(c.status == PASSED for c in self.cases)


def _count(results: list[CaseResult], status: str) -> int:
    return sum(1 for r in results if r.status == status)


class _CaseEndedError(Exception):
    """Ends a case early with a status and a message."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _RunHistory:
    """The history, with every attempt begun through it tagged with the run and the case."""

    def __init__(self, store: HistoryStore, run_id: int, case_name: str) -> None:
        self.store, self.run_id, self.case_name = store, run_id, case_name
        self.ids: list[int] = []

    def begin(self, start: AttemptStart) -> int:
        row_id = self.store.begin(replace(start, run_id=self.run_id, case_name=self.case_name))
        self.ids.append(row_id)
        return row_id

    def complete(self, row_id: int, completion: AttemptCompletion) -> object:
        return self.store.complete(row_id, completion)


class _NoCodes:
    def __init__(self, why: str) -> None:
        self.why = why

    def code_for(self, *, username: str, attribute: str, sent_after: datetime) -> str:
        raise CodeSourceError(self.why)


CaseStarted = Callable[[Case, int, int], None]
CaseFinished = Callable[[CaseResult, int, int], None]


class SuiteRunner:
    """Runs a loaded suite against its connection; `prepare` refuses what can be refused up front."""

    def __init__(
        self, suite: Suite, history: HistoryStore, *, environ: Mapping[str, str] | None = None,
        code_source: CodeSource | None = None, evidence: TriggerEvidence | None = None,
        clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.suite = suite
        self.history = history
        self.environ = os.environ if environ is None else environ
        self._code_source = code_source
        self._evidence = evidence
        self._clock = clock
        self._wall_clock = wall_clock
        self._conn: CognitoConnection | None = None

    def prepare(self) -> CognitoConnection:
        """The connection (SuiteError when a profile, value or variable is unusable; nothing sent)."""
        if self._conn is None:
            settings = connection_settings(self.suite, self.environ)
            self._conn = connect(settings, self.suite.connection_position or Position(self.suite.path, 1, 1))
        return self._conn

    def _sources(self, conn: CognitoConnection, stop: threading.Event) -> tuple[CodeSource, TriggerEvidence]:
        """The sandbox's control API when the endpoint is one; else the trigger's CloudWatch log when
        the suite (or its profile) names the function; else nothing, said why."""
        if self._code_source is not None and self._evidence is not None:
            return self._code_source, self._evidence
        sandbox, why = SandboxSources.probe(conn.settings.effective_endpoint_url)
        codes: CodeSource = sandbox if sandbox is not None else _NoCodes(why)
        evidence: TriggerEvidence = sandbox if sandbox is not None else NoEvidence(
            f"{why}, and no trigger_function names a log to read")
        if sandbox is None:
            function, aws_profile = trigger_logs_source(self.suite)
            if function:
                from app.core.suites.cloudwatch import CloudWatchEvidence

                evidence = CloudWatchEvidence(function, region=conn.settings.region, aws_profile=aws_profile,
                                              stop=stop.is_set)
        return self._code_source or codes, self._evidence or evidence

    def run(
        self, *, only: str | None = None, cancel: threading.Event | None = None,
        on_case_started: CaseStarted | None = None, on_case_finished: CaseFinished | None = None,
    ) -> RunResult:
        """Run the selected cases in order; `cancel` stops between (and during the pauses of) cases.
        Blocking: a window runs it in a worker thread, and the callbacks come on that thread."""
        conn = self.prepare()
        stop = cancel or threading.Event()
        cases = self.suite.selected(only)
        codes, evidence = self._sources(conn, stop)
        run_id = self.history.begin_run(self.suite.name, str(self.suite.path))
        state = _RunState(self, conn, run_id, stop, codes=codes, evidence=evidence)
        results: list[CaseResult] = []
        try:
            for index, case in enumerate(cases):
                if stop.is_set():
                    break
                if on_case_started:
                    on_case_started(case, index, len(cases))
                result = state.run_case(case)
                results.append(result)
                if on_case_finished:
                    on_case_finished(result, index, len(cases))
        except BaseException:  # Ctrl+C, or a callback that raised: the run ends here, recorded as such
            self.history.finish_run(run_id, RunStatus.CANCELLED, passed=_count(results, PASSED),
                                    failed=_count(results, FAILED), errors=_count(results, ERRORED))
            raise
        cancelled = stop.is_set() and (len(results) < len(cases) or _count(results, SKIPPED) > 0)
        if cancelled:
            results += [CaseResult(c, SKIPPED, "cancelled before it ran") for c in cases[len(results):]]
        outcome = RunResult(self.suite, run_id, results, cancelled)
        status = RunStatus.CANCELLED if cancelled else (RunStatus.PASSED if outcome.all_passed
                                                        else RunStatus.FAILED)
        self.history.finish_run(run_id, status, passed=outcome.count(PASSED), failed=outcome.count(FAILED),
                                errors=outcome.count(ERRORED))
        return outcome


class _RunState:
    """Per-run bookkeeping: sessions, pacing, budgets and users stopped by the code-request limit."""

    def __init__(self, runner: SuiteRunner, conn: CognitoConnection, run_id: int, stop: threading.Event,
                 *, codes: CodeSource, evidence: TriggerEvidence) -> None:
        self.runner, self.conn, self.run_id, self.stop = runner, conn, run_id, stop
        self.codes, self.evidence = codes, evidence
        self.credentials = Credentials(conn, auth_flow(runner.suite, conn.settings), runner.environ)
        self.tokens: dict[str, Tokens] = {}
        self.sign_in_failed: dict[str, str] = {}
        self.sends: dict[str, int] = {}
        self.prior: dict[str, int] = {}
        self.last_send: dict[str, float] = {}
        self.limited: dict[str, str] = {}

    def run_case(self, case: Case) -> CaseResult:
        started = time.perf_counter()
        history = _RunHistory(self.runner.history, self.run_id, case.name)
        try:
            status, message = self._run(case, history)
        except _CaseEndedError as ended:
            status, message = ended.status, ended.message
        except Exception as exc:  # a bug or an unforeseen failure: this case errs, the run goes on
            log.exception("suite case %r failed unexpectedly", case.name)
            status, message = ERRORED, f"unexpected {type(exc).__name__}: {exc}"
        duration = (time.perf_counter() - started) * 1000
        return CaseResult(case, status, message, list(history.ids), round(duration, 1))

    def _prior(self, case: Case) -> int:
        """Codes this history saw requested for the user on this app client in the last hour, before
        this run (asked once per user)."""
        if case.user not in self.prior:
            settings = self.conn.settings
            self.prior[case.user] = self.runner.history.code_requests_since(
                username=self.runner.suite.users[case.user].username, client_id=settings.client_id,
                user_pool_id=settings.user_pool_id, since=datetime.now(UTC) - BUDGET_WINDOW,
                operations=(SEND_OPERATION, UPDATE_OPERATION), exclude_run=self.run_id)
        return self.prior[case.user]

    def _token(self, case: Case) -> str:
        """The user's access token: signed in once per run, refreshed when it is about to expire."""
        user = self.runner.suite.users[case.user]
        if case.user in self.sign_in_failed:
            raise _CaseEndedError(ERRORED, self.sign_in_failed[case.user])
        tokens = self.tokens.get(case.user)
        try:
            if tokens is None:
                tokens = self.credentials.sign_in(user)
            elif tokens.expires_at is not None and (
                    tokens.expires_at - self.runner._wall_clock() < TOKEN_MARGIN_S):
                tokens = self.credentials.refreshed(user, tokens)
        except SignInError as exc:
            self.sign_in_failed[case.user] = f"users.{case.user}: {exc}"
            raise _CaseEndedError(ERRORED, self.sign_in_failed[case.user]) from None
        self.tokens[case.user] = tokens
        return tokens.access_token

    def _admit(self, case: Case) -> None:
        """Refuse a send the budget or an earlier LimitExceededException forbids; wait out the pace."""
        suite = self.runner.suite
        if case.user in self.limited:
            raise _CaseEndedError(ERRORED, f"not sent: {self.limited[case.user]}")
        prior = self._prior(case)
        if self.sends.get(case.user, 0) + prior >= suite.max_sends_per_user:
            earlier = f", {prior} of them before this run (history)" if prior else ""
            raise _CaseEndedError(ERRORED, (
                f"not sent: {case.user} has had {suite.max_sends_per_user} codes in the last hour{earlier}: "
                "the budget (defaults.max_sends_per_user), which keeps the run under Cognito's "
                "code-request limit"))
        last = self.last_send.get(case.user)
        if last is not None and suite.pace_s > 0:
            wait = suite.pace_s - (self.runner._clock() - last)
            if wait > 0 and self.stop.wait(wait):
                raise _CaseEndedError(SKIPPED, "cancelled before it ran")

    def _limit_hit(self, case: Case, code: str | None) -> bool:
        """Note a LimitExceededException: that user sends nothing more in this run."""
        if code != LIMIT_EXCEEDED:
            return False
        self.limited[case.user] = (f"{case.user} hit LimitExceededException in case {case.name!r}; "
                                   "Cognito refuses more codes for a while")
        return True

    def _counted(self, case: Case) -> None:
        self.sends[case.user] = self.sends.get(case.user, 0) + 1
        self.last_send[case.user] = self.runner._clock()

    def _update(self, case: Case, token: str, username: str, history: _RunHistory) -> None:
        """UpdateUserAttributes first (it sends a code too, so it is paced and counted like a send)."""
        self._admit(case)
        self._counted(case)
        updated = update_recorded(self.conn, history, access_token=token, username=username,
                                  attribute_name=case.attribute, new_value=str(case.update_value),
                                  client_metadata=case.metadata, is_cancelled=self.stop.is_set)
        if updated.error is None:
            return
        if self._limit_hit(case, updated.error.code):
            raise _CaseEndedError(ERRORED, (
                f"LimitExceededException: Cognito's code-request limit for {username} was reached by the "
                f"update ({updated.error.message}); reported, not retried"))
        raise _CaseEndedError(FAILED, f"update: expected the change to succeed, got {updated.error.code}: "
                                      f"{updated.error.message}")

    def _run(self, case: Case, history: _RunHistory) -> tuple[str, str]:
        token = self._token(case)
        if not case.send_anyway:
            rows = [MetadataRow(k, v) for k, v in case.metadata.items()]
            problems = validate_send(token, case.attribute, rows)
            if problems:
                return ERRORED, ("not sent: VerifyDesk refuses the request (" + "; ".join(map(str, problems))
                                 + "); send_anyway: true lets the server judge it")
        username = self.runner.suite.users[case.user].username
        if case.update_value is not None:
            self._update(case, token, username, history)
        self._admit(case)
        since = datetime.now().astimezone()
        self._counted(case)
        sent = send_recorded(self.conn, history, access_token=token, username=username,
                             attribute_name=case.attribute, client_metadata=case.metadata,
                             is_cancelled=self.stop.is_set)
        limited = sent.error is not None and self._limit_hit(case, sent.error.code)
        if limited and sent.error is not None and case.expect.error_code != LIMIT_EXCEEDED:
            return ERRORED, (f"LimitExceededException: Cognito's code-request limit for {username} was "
                             f"reached ({sent.error.message}); reported, not retried")
        verdict = check_send(case, sent, evidence=self.evidence, username=username, since=since)
        if not verdict.failures and not verdict.unchecked and case.verify_code_from and sent.ok:
            verdict.failures += self._verify(case, token, username, since, history)
        if verdict.failures:
            return FAILED, "\n".join(verdict.failures + verdict.unchecked)
        if verdict.unchecked:
            return ERRORED, "\n".join(verdict.unchecked)
        return PASSED, ""

    def _verify(self, case: Case, token: str, username: str, since: datetime,
                history: _RunHistory) -> list[str]:
        try:
            code = self.codes.code_for(username=username, attribute=case.attribute, sent_after=since)
        except CodeSourceError as exc:
            raise _CaseEndedError(ERRORED, f"verify: no code from {case.verify_code_from}: {exc}") from None
        verified = verify_recorded(self.conn, history, access_token=token, username=username,
                                   attribute_name=case.attribute, code=code, is_cancelled=self.stop.is_set)
        if verified.error is not None:
            return [f"verify: expected success, got {verified.error.code}: {verified.error.message}"]
        return []
