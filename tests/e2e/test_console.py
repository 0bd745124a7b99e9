"""The ops console in a real browser (Debian's headless Chromium, driven by Playwright) against
a real receiver process, a real worker and the emulator.

Screenshots of every page are kept under ``test-artifacts/console/`` at the repository root
(ignored by git), one PNG per page and test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack
from tests.support.processes import ROOT, wait_until
from tlhooks.status import EventStatus

pytestmark = pytest.mark.e2e

TOKEN = "console-admin-token"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "console"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get).")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def shot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Keep a full-page screenshot: test-artifacts/console/<test name>/<name>.png."""
    folder = ARTIFACTS / request.node.name

    def take(name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def console(stack: Stack) -> str:
    assert stack.receiver is not None
    return f"{stack.receiver.url}/admin/console"


def start(stack: Stack) -> None:
    stack.start_receiver(TLHOOKS_ADMIN_TOKEN=TOKEN)
    stack.start_worker()


def sign_in(page: Any, stack: Stack, token: str = TOKEN) -> None:
    assert stack.receiver is not None
    page.goto(f"{stack.receiver.url}/admin/")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")


def settled(stack: Stack, task_id: str, status: EventStatus) -> None:
    stack.wait_for_status(task_id, status, timeout=60)


def test_a_wrong_token_is_refused_and_the_right_one_opens_the_overview(
    stack: Stack, page: Any, shot: Callable[[str], None]
) -> None:
    start(stack)
    sign_in(page, stack, token="not-the-token")
    assert "not the admin token" in page.inner_text("[role=alert]")
    assert page.context.cookies() == []
    shot("sign-in-refused")

    sign_in(page, stack)
    assert page.url == f"{console(stack)}/"
    assert page.inner_text("h1") == "Overview"
    shot("overview")


def test_filters_narrow_the_event_list(
    stack: Stack, page: Any, shot: Callable[[str], None]
) -> None:
    start(stack)
    cam = stack.create_task("ready", custom_id="cam-7")["task_id"]
    ads = stack.create_task("ready", custom_id="ads-7")["task_id"]
    settled(stack, cam, EventStatus.HANDLED)
    settled(stack, ads, EventStatus.HANDLED)
    sign_in(page, stack)

    page.goto(f"{console(stack)}/events")
    listed = page.inner_text("#events")
    assert cam in listed
    assert ads in listed
    page.fill("input[name=custom_id]", "ads-*")
    page.click("#filters button[type=submit]")

    narrowed = page.inner_text("#events")
    assert ads in narrowed
    assert cam not in narrowed
    assert "custom_id=ads-%2A" in page.url or "custom_id=ads-*" in page.url
    shot("events-filtered")


def test_a_dead_event_is_replayed_from_its_page_after_the_plan_is_shown(
    stack: Stack, page: Any, shot: Callable[[str], None]
) -> None:
    start(stack)
    task_id = stack.create_task("ready", custom_id="gated-console")["task_id"]
    settled(stack, task_id, EventStatus.DEAD)
    (event,) = stack.events_for(task_id)
    sign_in(page, stack)
    page.goto(f"{console(stack)}/events/{event.event_id}")
    assert page.inner_text("#status") == "dead"
    assert "the gate is closed" in page.inner_text("table.outcomes")
    shot("event-dead")

    page.click("form.replay button[type=submit]")
    assert page.inner_text("#plan-events") == "1 event"
    assert "gated" in page.inner_text("#plan-handlers")
    shot("replay-plan")
    stack.settle(0.5)
    assert stack.events_for(task_id)[0].status is EventStatus.DEAD  # the plan queued nothing

    stack.redis.set("test:gate", "open")
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("text=Done: 1 queued")
    shot("replay-progress")
    settled(stack, task_id, EventStatus.HANDLED)

    page.click("#back")
    assert page.inner_text("#status") == "handled"
    shot("event-handled")


def test_a_post_without_the_csrf_token_is_refused(
    stack: Stack, page: Any, shot: Callable[[str], None]
) -> None:
    start(stack)
    task_id = stack.create_task("ready", custom_id="gated-csrf")["task_id"]
    settled(stack, task_id, EventStatus.DEAD)
    (event,) = stack.events_for(task_id)
    sign_in(page, stack)
    page.goto(f"{console(stack)}/events/{event.event_id}")

    page.eval_on_selector("form.replay input[name=csrf]", "input => input.remove()")
    with page.expect_response(lambda r: r.url.endswith("/replay/plan")) as answered:
        page.click("form.replay button[type=submit]")

    assert answered.value.status == 403
    assert "CSRF" in page.inner_text("[role=alert]")
    shot("csrf-refused")
    wait_until(lambda: stack.events_for(task_id)[0].status is EventStatus.DEAD, timeout=5)
