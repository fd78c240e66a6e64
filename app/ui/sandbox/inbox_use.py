"""Use code from the sandbox inbox: the code goes where it belongs, never silently to the wrong place.

A sign-in code (SMS/email MFA) fills the waiting challenge's code field; a verification code fills
the Verify field, switching the attribute to the one the code was sent for (and saying so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from app.ui.widgets.style import Tone

if TYPE_CHECKING:
    from app.ui.request.attribute_picker import AttributePicker
    from app.ui.request.result_view import VerifyBox
    from app.ui.session import Session
    from app.ui.signin.challenge_form import ChallengeForm

SIGN_IN_PURPOSES = frozenset({"sms_mfa", "email_otp"})


def use_inbox_message(
    message: Mapping[str, Any], *, session: Session, form: ChallengeForm, picker: AttributePicker,
    verify: VerifyBox,
) -> None:
    """Put the message's code in the field it was sent for; explain in place when it fits none."""
    code = str(message.get("code") or "")
    if not code:
        return
    username = session.username
    recipient = str(message.get("username") or "")
    if message.get("purpose") in SIGN_IN_PURPOSES:
        if form.challenge is not None and form.code_edit is not None:
            form.code_edit.setText(code)
            form.code_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        verify.show_result(f"That {message.get('medium', '')} code is a sign-in code for {recipient}, and no "
                           "sign-in challenge is waiting for it.", Tone.WARNING)
        return
    if username and recipient and recipient != username:
        verify.show_result(f"That code was sent to {recipient}, not to {username} who is signed in: "
                           "it cannot verify this user's attribute.", Tone.WARNING)
        return
    attribute = str(message.get("attribute") or "")
    note = ""
    if attribute and attribute != picker.attribute_name():
        picker.set_attribute_name(attribute)
        note = f"Attribute switched to {attribute}: this code was sent for it."
    verify.code_edit.setText(code)
    verify.show_result(note, Tone.MUTED)
    verify.code_edit.setFocus(Qt.FocusReason.OtherFocusReason)
