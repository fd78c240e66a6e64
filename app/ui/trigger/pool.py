"""The pool's trigger configuration: pick AWS credentials, Load (signed DescribeUserPool), read it.

Real pools need AWS credentials: an AWS profile from `~/.aws/config` / `credentials` (SSO ones
included) or the default credential chain. The sandbox answers admin calls itself, with any
credentials (`AdminAccess.for_profile`). Failures are shown here, in place, as catalogued messages.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.aws_profiles import AwsProfileListing, list_aws_profiles
from app.core.errors import ServiceError
from app.core.pool_admin import AdminAccess, PoolTriggerInfo, describe_pool_triggers
from app.core.profile_model import Profile
from app.core.visible import shown
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.widgets.style import Tone, selectable, set_tone

_log = logging.getLogger(__name__)
DEFAULT_CHAIN = ""  # item data of "default credentials"
SANDBOX_ITEM = "Sandbox endpoint (any credentials)"


def _value(name: str, accessible: str) -> QLabel:
    label = QLabel("—")
    label.setTextFormat(Qt.TextFormat.PlainText)  # the pool's text is never read as HTML
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setMinimumWidth(60)
    selectable(label)
    return label


class PoolTriggerPanel(QWidget):
    """`info_changed(PoolTriggerInfo | None)` after each load (None: unknown or failed);
    `aws_profile_chosen(str)` when the tester picks credentials ("" = default chain)."""

    info_changed = Signal(object)
    aws_profile_chosen = Signal(str)

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("poolTriggerPanel")
        self._tasks = tasks
        self.profile: Profile | None = None
        self.user_pool_id: str | None = None
        self.info: PoolTriggerInfo | None = None
        self.listing: AwsProfileListing | None = None
        self._generation = 0
        self._build()
        self.load_button.clicked.connect(self.load)
        self.reload_profiles_button.clicked.connect(self.reload_aws_profiles)
        self.aws_combo.activated.connect(self._picked)

    def _build(self) -> None:
        self.aws_combo = QComboBox()
        self.aws_combo.setObjectName("awsProfileCombo")
        self.aws_combo.setAccessibleName("AWS profile for the admin calls")
        self.aws_combo.setToolTip("Credentials for the signed DescribeUserPool and CloudWatch Logs calls")
        self.aws_combo.setMinimumContentsLength(24)
        self.aws_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reload_profiles_button = QPushButton("Reread")
        self.reload_profiles_button.setObjectName("reloadAwsProfilesButton")
        self.reload_profiles_button.setAccessibleName("Read the AWS config files again")
        self.reload_profiles_button.setToolTip("Read ~/.aws/config and ~/.aws/credentials again")
        self.load_button = QPushButton("Load")
        self.load_button.setObjectName("loadPoolTriggerButton")
        self.load_button.setAccessibleName("Load the pool's trigger configuration")
        self.load_button.setToolTip("DescribeUserPool, signed with these credentials")
        self.status = QLabel("Load the pool's configuration to see its Custom Message trigger.")
        self.status.setObjectName("poolTriggerStatusLabel")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(60)
        selectable(self.status)
        set_tone(self.status, Tone.MUTED)
        self.arn = _value("customMessageArnLabel", "Custom Message trigger")
        self.email_account = _value("emailSendingAccountLabel", "Email sending account")
        self.auto_verified = _value("autoVerifiedAttributesLabel", "Auto-verified attributes")
        self.other_triggers = _value("otherTriggersLabel", "Other triggers")
        self.warnings = QLabel()
        self.warnings.setObjectName("poolTriggerWarningsLabel")
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setAccessibleName("Warnings about the pool's configuration")
        self.warnings.setWordWrap(True)
        self.warnings.setMinimumWidth(60)
        selectable(self.warnings)
        set_tone(self.warnings, Tone.WARNING)
        self.warnings.hide()
        self._build_layout()

    def _build_layout(self) -> None:
        picker = QHBoxLayout()
        caption = QLabel("AWS cred&entials")
        caption.setBuddy(self.aws_combo)
        picker.addWidget(caption)
        picker.addWidget(self.aws_combo, 1)
        picker.addWidget(self.reload_profiles_button)
        picker.addWidget(self.load_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Custom Message trigger", self.arn)
        form.addRow("Email sending account", self.email_account)
        form.addRow("Auto-verified attributes", self.auto_verified)
        form.addRow("Other triggers", self.other_triggers)
        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(self.warnings)
        layout.addStretch(1)

    # --- credentials -------------------------------------------------------------------------
    def set_profile(self, profile: Profile | None, user_pool_id: str | None) -> None:
        """The window's profile changed (or its pool id became known from the token)."""
        same = (self.profile is not None and profile is not None and self.profile.name == profile.name
                and self.profile.sandbox == profile.sandbox and self.user_pool_id == user_pool_id)
        self.profile, self.user_pool_id = profile, user_pool_id
        if not same:
            self._show_info(None)
            self.status.setText("Load the pool's configuration to see its Custom Message trigger.")
            set_tone(self.status, Tone.MUTED)
        self._fill_combo()

    def reload_aws_profiles(self) -> None:
        self._tasks.spawn(self._reload_aws_profiles(), name="list-aws-profiles")

    async def _reload_aws_profiles(self) -> None:
        self.listing = await run_blocking(list_aws_profiles)
        self._fill_combo()
        if self.listing.problems:
            self._show_status(" ".join(self.listing.problems), Tone.WARNING)

    def _fill_combo(self) -> None:
        combo = self.aws_combo
        combo.clear()
        profile = self.profile
        if profile is not None and profile.sandbox:
            combo.addItem(SANDBOX_ITEM, DEFAULT_CHAIN)
            combo.setEnabled(False)
            self.reload_profiles_button.setEnabled(False)
            return
        combo.setEnabled(True)
        self.reload_profiles_button.setEnabled(True)
        combo.addItem("Default credentials (environment, default profile)", DEFAULT_CHAIN)
        listing = self.listing
        for aws in listing.profiles if listing else ():
            combo.addItem(aws.label, aws.name)
        wanted = profile.aws_profile if profile else None
        if wanted:
            index = combo.findData(wanted)
            if index < 0:
                known = listing is not None
                combo.addItem(f"{wanted} (not in the AWS config files)" if known else wanted, wanted)
                index = combo.count() - 1
            combo.setCurrentIndex(index)

    def _picked(self, index: int) -> None:
        value = self.aws_combo.itemData(index)
        self.aws_profile_chosen.emit(value if isinstance(value, str) else DEFAULT_CHAIN)

    def chosen_aws_profile(self) -> str | None:
        value = self.aws_combo.currentData()
        return value if isinstance(value, str) and value else None

    def access(self) -> AdminAccess | None:
        """How the admin calls are made for the current profile and credentials."""
        profile = self.profile
        if profile is None:
            return None
        if profile.sandbox:
            return AdminAccess.for_profile(profile)
        return AdminAccess(profile.region, self.chosen_aws_profile())

    # --- loading -----------------------------------------------------------------------------
    def load(self) -> None:
        self._generation += 1
        self._tasks.spawn(self._load(self._generation), name="describe-user-pool")

    async def _load(self, generation: int) -> None:
        access, pool_id = self.access(), self.user_pool_id
        if access is None:
            self._show_status("Choose a profile first.", Tone.ERROR)
            return
        if not pool_id:
            self._show_status("The profile has no user pool id: add it (File → Edit profile) to read "
                              "the pool's configuration.", Tone.ERROR)
            return
        who = "the sandbox" if access.endpoint_url and access.static_credentials else (
            f"AWS profile {access.aws_profile!r}" if access.aws_profile else "the default AWS credentials")
        self._show_status(f"Reading {pool_id} with {who}…", Tone.MUTED)
        self.load_button.setEnabled(False)
        try:
            info = await run_blocking(describe_pool_triggers, pool_id, **access.kwargs())
        except ServiceError as error:
            if generation == self._generation:
                self._show_info(None)
                problem = f"{shown(error.code)}: {shown(error.message)} {error.entry.next_step}"
                self._show_status(problem, Tone.ERROR)
                self.info_changed.emit(None)
            return
        finally:
            self.load_button.setEnabled(True)
        if generation != self._generation:
            return
        self._show_info(info)
        self._show_status(f"{shown(info.pool_name or info.user_pool_id)}: read with {who}.", Tone.OK)
        self.info_changed.emit(info)

    def _show_status(self, text: str, tone: Tone) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    def _show_info(self, info: PoolTriggerInfo | None) -> None:
        self.info = info
        if info is None:
            for label in (self.arn, self.email_account, self.auto_verified, self.other_triggers):
                label.setText("—")
                set_tone(label, Tone.NONE)
            self.warnings.hide()
            return
        if info.custom_message_arn:
            self.arn.setText(shown(info.custom_message_arn))
            set_tone(self.arn, Tone.NONE)
        else:
            self.arn.setText("None configured — ClientMetadata serves no purpose on this pool")
            set_tone(self.arn, Tone.WARNING)
        self.email_account.setText(shown(info.email_sending_account))
        set_tone(self.email_account,
                 Tone.WARNING if info.email_sending_account == "COGNITO_DEFAULT" else Tone.NONE)
        self.auto_verified.setText(shown(", ".join(info.auto_verified_attributes)) or "none")
        others = {key: arn for key, arn in info.triggers.items() if key != "CustomMessage"}
        self.other_triggers.setText(
            "\n".join(f"{shown(key)}: {shown(arn)}" for key, arn in others.items()) or "none")
        self.warnings.setText("\n".join(f"⚠ {shown(warning)}" for warning in info.warnings))
        self.warnings.setVisible(bool(info.warnings))

