#!/usr/bin/python3
"""The dashboard (/social-media) in headless Chromium, one scenario per run (issue 16).

    /usr/bin/python3 tests/browser/dashboard_test.py SCENARIO SETTINGS.json

SETTINGS.json is written by tests/integration/BrowserTests.cpp, which starts the host and the X and
Graph emulators and prepares the state each scenario needs (see tests/browser/README.md). Every step
is followed by a check of the browser console (any SEVERE entry fails the step). When a scenario
fails, the screenshot of every step so far, the page source and the console are written to
<artifacts>/NN-step.png, page.html and console.txt. Exit 0: passed; 1: failed; 2: the browser
tooling (chromium, chromium-driver, python3-selenium) is missing.
"""

import datetime
import json
import os
import shutil
import signal
import struct
import sys
import time
import traceback
import urllib.request
import zlib

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCENARIO_SECONDS = 180  # the whole scenario, browser start included
WAIT_SECONDS = 15       # one expectation


def missing_tooling():
    problems = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("the selenium module for " + sys.executable)
    return problems


if missing_tooling():
    print("FAIL: browser tests need Debian's chromium, chromium-driver and python3-selenium (./run.sh installs them); "
          "missing: " + ", ".join(missing_tooling()))
    sys.exit(2)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


class ScenarioFailed(Exception):
    pass


def png_file(path, width=48, height=32):
    """A real PNG (RGBA gradient): what a user would pick from disk."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 5 % 256, y * 7 % 256, 160, 255)) for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
                  chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Dashboard:
    """One Chromium on the host's dashboard, with the helpers every scenario uses."""

    def __init__(self, settings, scenario):
        self.s = settings
        self.base = settings["baseUrl"]
        self.scenario = scenario
        self.artifacts = settings["artifacts"]
        self.shots = []     # (name, png bytes) per step
        self.console = []   # every console entry seen
        self.timings = []
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US",
                    "--disable-gpu", "--no-first-run", "--disable-extensions"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)

    # ---- steps -----------------------------------------------------------------------------
    def step(self, name, action, allow_console=()):
        """Runs one step, then screenshots it and requires a console without SEVERE entries
        (except those matching `allow_console`, for a step that provokes an expected HTTP error)."""
        started = time.monotonic()
        print("[{:5.1f}s] {}".format(time.monotonic() - START, name), flush=True)
        try:
            action()
        finally:
            self.shot(name)
        severe = [e for e in self.read_console() if e.get("level") == "SEVERE" and not any(a in e.get("message", "") for a in allow_console)]
        if severe:
            raise ScenarioFailed("console errors after '{}': {}".format(name, "; ".join(e["message"] for e in severe)))
        self.timings.append((name, time.monotonic() - started))

    def shot(self, name):
        try:
            self.shots.append((name, self.driver.get_screenshot_as_png()))
        except Exception as error:  # a screenshot must not hide the real failure
            print("  (no screenshot: {})".format(error))

    def read_console(self):
        entries = self.driver.get_log("browser")
        self.console.extend(entries)
        return entries

    def write_artifacts(self):
        os.makedirs(self.artifacts, exist_ok=True)
        for index, (name, data) in enumerate(self.shots, 1):
            slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:60]
            with open(os.path.join(self.artifacts, "{:02d}-{}.png".format(index, slug)), "wb") as out:
                out.write(data)
        try:
            with open(os.path.join(self.artifacts, "page.html"), "w") as out:
                out.write("<!-- " + self.driver.current_url + " -->\n" + self.driver.page_source)
            self.read_console()
        except Exception as error:
            print("  (no page source: {})".format(error))
        with open(os.path.join(self.artifacts, "console.txt"), "w") as out:
            for e in self.console:
                out.write("{} {}\n".format(e.get("level"), e.get("message")))

    # ---- waiting ---------------------------------------------------------------------------
    def until(self, condition, what, timeout=WAIT_SECONDS):
        def safe(driver):
            try:
                return condition()
            except StaleElementReferenceException:
                return False
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(safe)
        except TimeoutException:
            raise ScenarioFailed("waited {} s for {} (at {})".format(timeout, what, self.driver.current_url)) from None

    def shown(self, css):
        """The displayed elements matching `css`."""
        return [e for e in self.driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]

    def visible(self, css, timeout=WAIT_SECONDS):
        return self.until(lambda: (self.shown(css) or [None])[0], "'{}' to be displayed".format(css), timeout)

    def not_offered(self, css, where):
        offered = self.shown(css)
        if offered:
            raise ScenarioFailed("{} offers '{}' ({})".format(where, css, offered[0].get_attribute("outerHTML")[:200]))

    def notice(self, kind):
        """Waits for #notice of that kind with a readable message; returns the message."""
        element = self.until(lambda: (lambda n: n if n and n[0].get_attribute("data-kind") == kind and n[0].text.strip() else None)(self.shown("#notice")),
                             "a #notice with data-kind={}".format(kind))[0]
        text = element.text.strip()
        if text.startswith("{") or "problem+json" in text:
            raise ScenarioFailed("the {} notice is not readable: {}".format(kind, text))
        return text

    def url_starts(self, prefix, timeout=WAIT_SECONDS):
        self.until(lambda: self.driver.current_url.startswith(prefix), "the browser at {}".format(prefix), timeout)

    # ---- actions ---------------------------------------------------------------------------
    def open(self, path="/social-media"):
        self.driver.get(self.base + path)

    def sign_in(self, role):
        self.open()
        field = self.visible("#key")
        field.clear()
        field.send_keys(self.s["keys"][role])
        self.visible("#signin").click()
        self.until(lambda: (lambda w: w and w[0].text.strip())(self.shown("#whoami")), "#whoami after signing in as " + role)

    def sign_out(self):
        self.visible("#signout").click()
        self.visible("#key")

    def go(self, view):
        """Opens a view from its nav link (or its hash route where the link is folded away)."""
        links = self.shown("a#nav-" + view)
        if links:
            links[0].click()
        else:
            self.driver.execute_script("location.hash = arguments[0]", "#/" + view)
        section = self.visible("section#view-" + view)
        self.until(lambda: section.get_attribute("aria-busy") != "true", "the {} view to finish loading".format(view))
        return section

    def set_value(self, css, value):
        """Sets an input the way a date/time picker would (typing into one is locale-dependent)."""
        element = self.visible(css)
        self.driver.execute_script(
            "const e = arguments[0]; e.value = arguments[1];"
            "e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
            element, value)
        return element

    def check(self, css):
        box = self.until(lambda: (self.driver.find_elements(By.CSS_SELECTOR, css) or [None])[0], "'{}'".format(css))
        if not box.is_selected():
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
            if box.is_displayed():
                box.click()
            else:  # a styled control hides the input itself: click its label
                self.driver.execute_script("(arguments[0].labels && arguments[0].labels[0] || arguments[0]).click()", box)
        self.until(lambda: box.is_selected(), "'{}' to be selected".format(css))

    def accept_confirm(self):
        try:
            WebDriverWait(self.driver, 3).until(lambda d: d.switch_to.alert).accept()
        except (TimeoutException, NoAlertPresentException):
            pass

    def api(self, path, role="ADMIN"):
        request = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + self.s["keys"][role]})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def connect_to_consent(self, platform, emulator_url):
        """Connect on the platform's card: the browser ends on the emulator's consent page."""
        card = self.visible('.platform-card[data-platform="{}"]'.format(platform))
        buttons = [b for b in card.find_elements(By.CSS_SELECTOR, "button.connect") if b.is_displayed()]
        if not buttons:
            raise ScenarioFailed("the {} card offers no Connect".format(platform))
        buttons[0].click()
        self.url_starts(emulator_url)
        self.visible("#consent")

    def posts(self):
        answer = self.api("/api/social-media/posts?limit=50")
        return answer if isinstance(answer, list) else answer["posts"]

    def compose(self, content, targets):
        self.go("compose")
        box = self.visible("textarea#content")
        box.clear()
        box.send_keys(content)
        for connection in targets:
            self.check('input[name=target][value="{}"]'.format(connection))

    def submit(self):
        button = self.visible("button#submit-post")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def result(self, connection, statuses, timeout=45):
        """Waits for the compose result of `connection` to reach one of `statuses`."""
        css = '.result[data-connection-id="{}"]'.format(connection)
        return self.until(lambda: next((e for e in self.shown(css) if e.get_attribute("data-status") in statuses), None),
                          "{} with data-status in {}".format(css, statuses), timeout)

    def no_sideways_scroll(self, where):
        widths = self.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            raise ScenarioFailed("{} scrolls sideways at {} px: scrollWidth {}".format(where, widths[1], widths[0]))


# ---- scenarios --------------------------------------------------------------------------------

def scenario_signin(d):
    d.step("the sign-in page asks for a key", lambda: (d.open(), d.visible("#key"), d.visible("#signin")))

    def wrong_key():
        d.visible("#key").send_keys("msk_" + "0" * 40)
        d.visible("#signin").click()
        d.notice("error")
        d.visible("#key")
    d.step("a wrong key: an error and the key field back", wrong_key, allow_console=("401",))

    def admin():
        d.sign_in("ADMIN")
        who = d.visible("#whoami").text
        for expected in (d.s["emails"]["ADMIN"], "ADMIN", d.s["organization"]["name"]):
            if expected.lower() not in who.lower():
                raise ScenarioFailed("#whoami does not show {}: {}".format(expected, who))
        d.not_offered("#org-switch", "an ADMIN's dashboard")
        d.not_offered("#readonly-notice", "an ADMIN's dashboard")
        d.visible("a#nav-team")
    d.step("an ADMIN key: who, role and organization", admin)

    def session_only():
        stored = d.driver.execute_script("return JSON.stringify(localStorage) + document.cookie")
        if d.s["keys"]["ADMIN"] in stored:
            raise ScenarioFailed("the key is kept beyond the tab's session (localStorage or a cookie)")
        d.driver.refresh()
        d.until(lambda: (lambda w: w and d.s["emails"]["ADMIN"].lower() in w[0].text.lower())(d.shown("#whoami")), "#whoami after a reload")
    d.step("the key lives in the tab's session: a reload keeps it, nothing else stores it", session_only)

    d.step("sign out brings the key field back", d.sign_out)

    def super_admin():
        d.sign_in("SUPER_ADMIN")
        switch = d.visible("#org-switch")
        other = d.s["otherOrganization"]
        if switch.tag_name == "select":
            choice = Select(switch)
            values = [o.get_attribute("value") for o in choice.options]
            if other["id"] in values:
                choice.select_by_value(other["id"])
            else:
                choice.select_by_visible_text(other["name"])
            d.until(lambda: any(other["name"].lower() in e.text.lower() for e in d.shown("#whoami, #notice")),
                    "#whoami or #notice to say it acts in " + other["name"])
    d.step("a SUPER_ADMIN can switch organization", super_admin)


def through_consent(d, platform, button):
    """Connect on the platform's card, its consent page, then `button` there (#authorize or #cancel):
    back on the dashboard with a notice (ok or error); returns the notice."""
    url = d.s["graphUrl"] if platform == "facebook" else d.s["xUrl"]
    d.step("Connect " + platform + ": its consent page", lambda: d.connect_to_consent(platform, url))
    kind = "ok" if button == "#authorize" else "error"
    said = {}

    def answer():
        d.visible(button).click()
        d.url_starts(d.base + "/social-media")
        said["notice"] = d.notice(kind)
        print("  notice: " + said["notice"])
    d.step("{} at {}: back with an {} notice".format(button[1:].capitalize(), platform, kind), answer)
    return said["notice"]


def scenario_connect(d):
    d.step("sign in as ADMIN", lambda: (d.sign_in("ADMIN"), d.go("accounts")))
    for platform in ("facebook", "twitter"):
        through_consent(d, platform, "#authorize")

        def listed():
            connections = [c for c in d.api("/api/social-media/connections") if c["platform"] == platform]
            if not connections:
                raise ScenarioFailed("no {} connection after consenting".format(platform))
            for c in connections:
                account = d.visible('.account[data-connection-id="{}"]'.format(c["id"]))
                if not account.find_elements(By.CSS_SELECTOR, ".status"):
                    raise ScenarioFailed("the {} account {} shows no .status".format(platform, c["id"]))
        d.step("the " + platform + " accounts are listed", listed)


def scenario_connect_instance(d):
    """Mastodon: the card asks for the user's server; an internal address is refused with a message,
    the emulated instance leads to its consent page and back with the account connected. Bluesky's
    card asks for an app password and a handle, not a bot token."""
    d.step("sign in as ADMIN", lambda: (d.sign_in("ADMIN"), d.go("accounts")))
    card = '.platform-card[data-platform="mastodon"]'

    def submit_server(url):
        field = d.visible(card + " #instance-mastodon")
        field.clear()
        field.send_keys(url)
        d.visible(card + " button.connect").click()

    def internal():
        submit_server("https://10.1.2.3")
        said = d.notice("error")
        print("  notice: " + said)
        if "instance" not in said:
            raise ScenarioFailed("the refusal does not name the instance URL: " + said)
    d.step("an internal server is refused with a message", internal, allow_console=("400",))

    def to_consent():
        submit_server(d.s["mastodonUrl"])
        d.url_starts(d.s["mastodonUrl"])
        d.visible("#consent")
    d.step("the emulated instance: its consent page", to_consent)

    def authorize():
        d.visible("#authorize").click()
        d.url_starts(d.base + "/social-media")
        print("  notice: " + d.notice("ok"))
    d.step("Authorize: back with an ok notice", authorize)

    def listed():
        d.go("accounts")
        connections = [c for c in d.api("/api/social-media/connections") if c["platform"] == "mastodon"]
        if len(connections) != 1:
            raise ScenarioFailed("expected one mastodon connection, got {}".format(len(connections)))
        d.visible('.account[data-connection-id="{}"]'.format(connections[0]["id"]))
    d.step("the Mastodon account is listed", listed)

    def bluesky_form():
        labels = " ".join(l.text for l in d.visible('.platform-card[data-platform="bluesky"]').find_elements(By.CSS_SELECTOR, "label"))
        if "App password" not in labels or "Handle" not in labels or "Bot token" in labels:
            raise ScenarioFailed("the Bluesky form asks: " + labels)
    d.step("the Bluesky card asks for an app password and a handle", bluesky_form)


def scenario_refused_consent(d):
    d.step("sign in as ADMIN", lambda: (d.sign_in("ADMIN"), d.go("accounts")))
    for platform in ("twitter", "facebook"):
        through_consent(d, platform, "#cancel")
        d.step("nothing connected on " + platform, lambda: (d.go("accounts"), d.not_offered(".account", "the dashboard after a refused consent")))


def scenario_bad_state(d):
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))

    def callback():
        d.open("/api/auth/callback/twitter?state=bogus&code=x")
        d.url_starts(d.base + "/social-media")
        print("  notice: " + d.notice("error"))
    d.step("a callback with an unknown state lands on the dashboard with an error", callback)


def scenario_compose(d):
    ids = d.s["connections"]
    png_file(d.s["pngPath"])
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))

    def write():
        d.compose("Launch day: our new robot arm ships today", [ids["x"], ids["facebook"]])
        for connection in (ids["x"], ids["facebook"]):
            counter = d.visible('.counter[data-connection-id="{}"]'.format(connection))
            d.until(lambda: any(ch.isdigit() for ch in counter.text), "a count in the counter of " + connection)
    d.step("write the post for X and the Facebook Page, with a counter each", write)

    def upload():
        field = d.driver.find_element(By.CSS_SELECTOR, "input#media-file")
        d.visible("#dropzone")
        field.send_keys(d.s["pngPath"])
        item = d.visible(".media-item[data-media-id]", timeout=30)
        d.check('.media-item[data-media-id="{}"] input[name=media]'.format(item.get_attribute("data-media-id")))
    d.step("upload an image through the file picker", upload)

    def post_now():
        if d.driver.find_elements(By.CSS_SELECTOR, "input#when-now"):
            d.check("input#when-now")
        d.submit()
        for connection in (ids["x"], ids["facebook"]):
            result = d.result(connection, ("published",))
            links = result.find_elements(By.CSS_SELECTOR, "a.post-link")
            if not links or not links[0].get_attribute("href"):
                raise ScenarioFailed("the published result of {} has no link".format(connection))
            print("  {}: {}".format(connection, links[0].get_attribute("href")))
    d.step("post now: both results published with a link", post_now)


def scenario_schedule(d):
    ids = d.s["connections"]
    when = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))

    def schedule():
        d.compose("Webinar tomorrow at noon", [ids["x"], ids["facebook"]])
        d.check("input#when-later")
        d.set_value("input#schedule-date", when.strftime("%Y-%m-%d"))
        d.set_value("input#schedule-time", when.strftime("%H:%M"))
        zone = Select(d.visible("select#schedule-tz"))
        values = [o.get_attribute("value") for o in zone.options]
        zone.select_by_value("UTC" if "UTC" in values else "Etc/UTC")
        # A double click (two clicks before the first answer) must post once: one Idempotency-Key
        # per form state.
        button = d.visible("button#submit-post")
        d.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click(); arguments[0].click();", button)
        for connection in (ids["x"], ids["facebook"]):
            d.result(connection, ("scheduled", "queued"))
    d.step("schedule a post for tomorrow, {} UTC, with a double click".format(when.strftime("%H:%M")), schedule)

    posts = d.posts()
    if len(posts) != 1:
        raise ScenarioFailed("expected one post, the API lists {}".format(len(posts)))
    post = posts[0]
    got = datetime.datetime.fromisoformat(post["scheduledTime"].replace("Z", "+00:00"))
    if got != when:
        raise ScenarioFailed("scheduled for {}, asked for {}".format(post["scheduledTime"], when.isoformat()))
    css = '.calendar-post[data-post-id="{}"]'.format(post["id"])

    def calendar():
        d.go("calendar")
        for _ in range(3):  # tomorrow may be in next week
            try:
                return d.visible(css, timeout=5)
            except ScenarioFailed:
                d.visible("#week-next").click()
        d.visible(css)
    d.step("the calendar shows it", calendar)

    def reschedule():
        d.visible(css).click()
        field = d.visible("#post-detail input#reschedule-at")
        moved = when + datetime.timedelta(days=1, hours=2)
        # The field is in the browser's time zone: ask the browser what UTC instant it means.
        local = d.driver.execute_script(
            "const t = new Date(arguments[0]); t.setMinutes(t.getMinutes() - t.getTimezoneOffset());"
            "return t.toISOString().slice(0, 16);", moved.isoformat())
        d.set_value("#post-detail input#reschedule-at", local)
        d.visible("#post-detail button.reschedule-post").click()
        d.until(lambda: d.posts()[0]["scheduledTime"][:16] == moved.strftime("%Y-%m-%dT%H:%M"),
                "the API's scheduledTime moved to " + moved.isoformat())
    d.step("open it and move it a day and two hours later", reschedule)

    def cancel():
        if not d.shown(css):
            d.visible("#week-next").click()
        entry = d.visible(css)
        if entry.get_attribute("data-status") not in ("scheduled", "queued"):
            raise ScenarioFailed("the calendar shows it as " + str(entry.get_attribute("data-status")))
        entry.click()
        d.visible("#post-detail")
        d.visible("#post-detail button.cancel-post").click()
        d.accept_confirm()
        d.until(lambda: any(e.get_attribute("data-status") == "cancelled" for e in d.shown(css)), css + " with data-status=cancelled")
        if d.posts()[0]["status"] != "cancelled":
            raise ScenarioFailed("the API does not have it cancelled")
    d.step("open it and cancel it", cancel)


def scenario_errors(d):
    ids = d.s["connections"]
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))
    reason = {}

    def refused():
        d.compose("A post X refuses", [ids["x"]])
        d.submit()
        result = d.result(ids["x"], ("failed",))
        post = d.posts()[0]
        reason["text"] = next(r for r in post["results"] if r["connectionId"] == ids["x"])["error"]
        print("  X's reason: " + reason["text"])
        if not reason["text"] or reason["text"][:40] not in result.text:
            raise ScenarioFailed("the failed result does not show the reason '{}': {}".format(reason["text"], result.text))
    d.step("post to X, which refuses it: failed with the reason", refused)

    def errors_view():
        d.go("errors")
        d.until(lambda: any(reason["text"][:40] in e.text for e in d.shown(".error-item")), "an .error-item with X's reason")
    d.step("the errors view lists it with the reason", errors_view)


def scenario_analytics(d):
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))
    today = datetime.date.today()

    def chart():
        d.go("analytics")
        d.set_value("#analytics-start", (today - datetime.timedelta(days=7)).isoformat())
        d.set_value("#analytics-end", today.isoformat())
        d.visible("#analytics-load").click()
        d.until(lambda: d.driver.execute_script(
            "const svg = document.querySelector('svg#analytics-chart');"
            "if (!svg) return false;"
            "return [...svg.querySelectorAll('path, rect, circle, polyline, polygon')]"  # figures, not axes (lines)
            ".filter(e => { const b = e.getBBox(); return b.width > 0 && b.height > 0; }).length >= 2;"),
            "svg#analytics-chart to draw the figures of both accounts")
        totals = d.visible("#analytics-totals").text
        if not any(ch.isdigit() for ch in totals):
            raise ScenarioFailed("#analytics-totals shows no figures: " + totals)
    d.step("analytics for the last week: a chart and totals", chart)


def scenario_roles(d):
    ids = d.s["connections"]

    def user():
        d.sign_in("USER")
        d.go("accounts")
        d.visible('.account[data-connection-id="{}"]'.format(ids["x"]))
        d.not_offered("button.disconnect", "a USER's accounts")
        d.not_offered("button.refresh", "a USER's accounts")
        d.not_offered("a#nav-team", "a USER's dashboard")
        d.not_offered("#readonly-notice", "a USER's dashboard")
        d.visible('.platform-card[data-platform="twitter"] button.connect')
        d.go("compose")
        d.visible("button#submit-post")
    d.step("a USER sees the accounts, may connect and post, is not offered Disconnect nor the team", user)
    d.step("sign out", d.sign_out)

    def guest():
        d.sign_in("GUEST")
        d.visible("#readonly-notice")
        d.go("accounts")
        for control in ("button.connect", "button.disconnect", "button.refresh", "button.reconnect", "a#nav-team"):
            d.not_offered(control, "a GUEST's dashboard")
        if d.shown("a#nav-compose"):
            d.go("compose")
        d.not_offered("button#submit-post", "a GUEST's dashboard")
    d.step("a GUEST reads only", guest)
    d.step("sign out", d.sign_out)

    def admin():
        d.sign_in("ADMIN")
        d.go("accounts")
        css = '.account[data-connection-id="{}"]'.format(ids["x"])
        # Refresh only where the platform refreshes: X's tokens do, a Facebook Page token does not.
        if not [b for b in d.visible(css).find_elements(By.CSS_SELECTOR, "button.refresh") if b.is_displayed()]:
            raise ScenarioFailed("an ADMIN is not offered Refresh on the X account")
        d.not_offered('.account[data-connection-id="{}"] button.refresh'.format(ids["facebook"]), "a Facebook Page")
        buttons = [b for b in d.visible(css).find_elements(By.CSS_SELECTOR, "button.disconnect") if b.is_displayed()]
        if not buttons:
            raise ScenarioFailed("an ADMIN is not offered Disconnect on the X account")
        buttons[0].click()
        d.accept_confirm()
        d.until(lambda: not d.shown(css), "the X account to leave the list")
        d.notice("ok")
    d.step("an ADMIN disconnects the X account (after confirming)", admin)


def scenario_team(d):
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))

    def team():
        d.go("team")
        users = d.visible("#users").text
        for role in ("USER", "GUEST"):
            if d.s["emails"][role].lower() not in users.lower():
                raise ScenarioFailed("#users does not list " + d.s["emails"][role])
        d.visible("#keys")
        d.visible("#audit")
    d.step("the team view: users, keys, audit", team)

    def create_key():
        d.visible("button#create-key").click()
        shown = d.until(lambda: (lambda k: k and "msk_" in k[0].text and k[0].text)(d.shown("#new-key")), "#new-key to show the key")
        key = next(word for word in shown.split() if word.startswith("msk_"))
        request = urllib.request.Request(d.base + "/api/me", headers={"Authorization": "Bearer " + key})
        with urllib.request.urlopen(request, timeout=10) as answer:
            me = json.loads(answer.read())
        print("  the new key signs in as " + me.get("email", "?"))
    d.step("create a key: shown once, and it works", create_key)


def scenario_phone(d):
    d.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})

    def signin_page():
        d.open()
        d.visible("#key")
        d.no_sideways_scroll("the sign-in page")
    d.step("the sign-in page at 390 px", signin_page)
    d.step("sign in as ADMIN", lambda: d.sign_in("ADMIN"))
    for view in ("accounts", "compose", "calendar", "analytics", "errors", "team"):
        def check(view=view):
            d.go(view)
            if view == "accounts":
                d.visible('.account[data-connection-id="{}"]'.format(d.s["connections"]["x"]))
            d.no_sideways_scroll("the {} view".format(view))
        d.step("the {} view at 390 px".format(view), check)


SCENARIOS = {name[len("scenario_"):].replace("_", "-"): f for name, f in globals().items() if name.startswith("scenario_")}


def main():
    global START
    START = time.monotonic()
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        print("usage: dashboard_test.py {" + "|".join(sorted(SCENARIOS)) + "} SETTINGS.json")
        return 2
    scenario = sys.argv[1]
    with open(sys.argv[2]) as f:
        settings = json.load(f)
    shutil.rmtree(settings["artifacts"], ignore_errors=True)

    def too_long(signum, frame):
        raise ScenarioFailed("the scenario took longer than {} s".format(SCENARIO_SECONDS))
    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(SCENARIO_SECONDS)
    d = None
    try:
        d = Dashboard(settings, scenario)
        SCENARIOS[scenario](d)
        signal.alarm(0)
        for name, seconds in d.timings:
            print("  {:5.1f}s  {}".format(seconds, name))
        print("PASS {} in {:.1f} s".format(scenario, time.monotonic() - START))
        return 0
    except Exception as error:
        signal.alarm(0)
        print("FAIL {}: {}".format(scenario, error))
        if not isinstance(error, ScenarioFailed):
            traceback.print_exc(file=sys.stdout)
        if d is not None:
            d.shot("failed")
            d.write_artifacts()
            print("screenshots, page source and console of each step: " + settings["artifacts"])
        return 1
    finally:
        if d is not None:
            d.driver.quit()


START = time.monotonic()

if __name__ == "__main__":
    sys.exit(main())
