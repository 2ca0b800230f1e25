"""The visit every applier shares: what is sent, what ends it, and what evidence it keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from services.application_bot.adapters.browser import BrowserError, BrowserPage, FormField
from services.application_bot.adapters.kit.applier import FormApplier, Reply
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import sends_elsewhere
from services.application_bot.adapters.kit.steps import Steps, walk_steps
from services.application_bot.domain import (
    Applicant,
    Confirmed,
    NeedsReview,
    NotSent,
    Rejected,
    Unconfirmed,
)
from services.application_bot.screening import bank_of

URL = "https://jobs.example.com/acme/apply"
RESUME = Path("/tmp/Ada_Okafor_resume.pdf")
ADA = Applicant("Ada", "Okafor", "ada@example.com", "+1 415 555 0101",
                answers=bank_of([(("python", "years"), "7", "resume v1")]))
FIELDS = [
    FormField("first", "text", "First name", True),
    FormField("cv", "file", "Resume", True),
    FormField("years", "text", "Years of Python?", True),
]


@dataclass
class ScriptedPage:
    """A page whose answers are set by the test; it notes what was done to it."""

    fields_shown: list[FormField] = field(default_factory=lambda: list(FIELDS))
    present: set[str] = field(default_factory=set)
    answer_shown: str | None = "#ok"
    fail_on: set[str] = field(default_factory=set)  # actions that raise BrowserError
    done: list[str] = field(default_factory=list)
    step_html: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return URL

    def _do(self, action: str) -> None:
        self.done.append(action)
        if action.split(" ")[0] in self.fail_on:
            raise BrowserError(f"{action} failed")

    async def open(self, url: str) -> int | None:
        self._do(f"open {url}")
        return 200

    async def count(self, selector: str) -> int:
        return int(selector in self.present)

    async def dom_property(self, selector: str, name: str) -> str | None:
        self._do(f"read {selector}.{name}")
        if name == "outerHTML":
            return self.step_html.pop(0) if self.step_html else "same"
        return "  the salary is   out of range "

    async def fill(self, selector: str, value: str) -> None:
        self._do(f"fill {selector}={value}")

    async def select(self, selector: str, value: str) -> None:
        self._do(f"select {selector}={value}")

    async def fields(self, scope: str) -> list[FormField]:
        return self.fields_shown

    async def attach(self, selector: str, path: Path) -> None:
        self._do(f"attach {selector}={path.name}")

    async def check(self, selector: str) -> None:
        self._do(f"check {selector}")

    async def click(self, selector: str) -> None:
        self._do(f"click {selector}")

    async def wait_for_any(self, selectors: Sequence[str], timeout_s: float) -> str | None:
        return self.answer_shown

    async def text(self) -> str:
        return "Confirmation: GH-1234"

    async def html(self) -> str:
        self._do("capture")
        return "<html/>"

    async def screenshot(self) -> bytes:
        return b"png"


class LabelledForm(FormApplier):
    reply = Reply(submit="#send", confirmed=("#ok",), refused="#errors")

    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        return None

    async def fill(self, form: Filling) -> NeedsReview | Rejected | None:
        if (needs_review := await form.put_all("form")) is not None:
            return needs_review
        return form.resume_missing()


async def apply(page: ScriptedPage) -> tuple[object, dict[str, str], int]:
    visit = await LabelledForm(confirmation_timeout_s=5).apply(page, URL, ADA, RESUME)
    return visit.outcome, dict(visit.sent), len(visit.answers)


async def test_a_confirmed_visit_keeps_what_was_sent_and_the_page_after_the_answer() -> None:
    page = ScriptedPage()
    visit = await LabelledForm(confirmation_timeout_s=5).apply(page, URL, ADA, RESUME)

    assert visit.outcome == Confirmed("GH-1234")
    assert dict(visit.sent) == {"first": "Ada", "cv": RESUME.name, "years": "7"}
    assert [(a.answer, a.source) for a in visit.answers] == [("7", "resume v1")]
    assert visit.evidence is not None and visit.evidence.url == URL
    assert page.done[-2:] == ["click #send", "capture"]


async def test_a_question_without_a_verified_answer_stops_before_sending() -> None:
    page = ScriptedPage(fields_shown=[*FIELDS, FormField("visa", "text", "Visa?", True)])

    outcome, sent, _ = await apply(page)

    assert isinstance(outcome, NeedsReview) and outcome.question == "Visa?"
    assert "click #send" not in page.done and sent["years"] == "7"
    assert page.done[-1] == "capture"


async def test_a_form_without_a_resume_upload_is_not_sent() -> None:
    outcome, _, _ = await apply(ScriptedPage(fields_shown=FIELDS[:1]))

    assert outcome == Rejected("the form changed: no resume upload found")


async def test_a_browser_error_while_filling_sends_nothing_and_is_worth_a_retry() -> None:
    page = ScriptedPage(fail_on={"attach"})

    outcome, sent, _ = await apply(page)

    assert isinstance(outcome, NotSent) and outcome.reason.startswith("could not fill the form")
    assert sent == {"first": "Ada"} and "click #send" not in page.done


async def test_a_failed_click_on_submit_may_have_sent_it() -> None:
    outcome, sent, answers = await apply(ScriptedPage(fail_on={"click"}))

    assert isinstance(outcome, Unconfirmed) and outcome.reason.startswith("submitting failed")
    assert sent["cv"] == RESUME.name and answers == 1


async def test_no_answer_from_the_portal_is_unconfirmed() -> None:
    outcome, _, _ = await apply(ScriptedPage(answer_shown=None))

    assert outcome == Unconfirmed("no confirmation within 5s of submitting")


async def test_the_portals_objections_are_the_reason_even_when_unreadable() -> None:
    assert (await apply(ScriptedPage(answer_shown="#errors")))[0] == Rejected(
        "the portal refused the application: the salary is out of range")
    assert (await apply(ScriptedPage(answer_shown="#errors", fail_on={"read"})))[0] == Rejected(
        "the portal refused the application: (unreadable)")


def test_the_form_must_send_to_the_postings_own_site() -> None:
    assert sends_elsewhere("https://jobs.example.com/submit", URL) is None
    assert sends_elsewhere("https://evil.example.net/x", URL) == Rejected(
        "the form would send the application to 'https://evil.example.net/x', "
        "not to jobs.example.com")
    assert sends_elsewhere("javascript:void(0)", URL) is not None


async def _step_title(page: BrowserPage) -> str:
    return "contact"


def _steps(*, next_button: str | None = "#next", max_steps: int = 8) -> Steps:
    return Steps(step=".step", next=next_button, submit="#send", title=_step_title,
                 max_steps=max_steps)


async def test_steps_are_walked_until_the_submit_button_shows() -> None:
    page = ScriptedPage(present={"#next"}, step_html=["one", "two"])
    form = Filling(page, URL, ADA, RESUME)

    async def submit_after_click(selector: str) -> None:
        page.done.append(f"click {selector}")
        page.present.add("#send")

    page.click = submit_after_click  # type: ignore[method-assign]

    assert await walk_steps(form, _steps()) is None
    assert page.done.count("click #next") == 1


async def test_a_step_that_stays_or_has_no_way_on_means_the_form_changed() -> None:
    stuck = ScriptedPage(present={"#next"})
    assert await walk_steps(Filling(stuck, URL, ADA, RESUME), _steps()) == Rejected(
        "the form did not accept step 'contact'")

    dead_end = ScriptedPage()
    assert await walk_steps(Filling(dead_end, URL, ADA, RESUME), _steps()) == Rejected(
        "the form changed: no way on from step 'contact'")


async def test_a_form_with_more_steps_than_known_is_refused() -> None:
    page = ScriptedPage(present={"#next"}, step_html=["a", "b", "c", "d"])

    assert await walk_steps(Filling(page, URL, ADA, RESUME), _steps(max_steps=2)) == Rejected(
        "the form has more than 2 steps")
