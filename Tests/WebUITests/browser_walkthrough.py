"""Walks the web UI in headless Chromium (Debian's chromium and chromedriver) with Selenium.

Run by BrowserTests.swift against `reentrybus dev --demo`:
    python browser_walkthrough.py BASE_URL SCREENSHOT_DIR NOTIFICATION_SUMMARY_PART INTEGRATOR_TOKEN ARREST_EXAMPLE SAFETY_ADDRESS

INTEGRATOR_TOKEN is the police system's demo token: with it the walk reports another arrest of
the demo's supervisee through the gateway (ARREST_EXAMPLE, the contract's example, made fresh)
while the officer's inbox is open, and watches it arrive live. SAFETY_ADDRESS is an address the
demo registers a supervisee at.

Prints one JSON object of findings on stdout (the Swift test asserts on them); every wait is
bounded, and the whole run is cut off by an alarm.
"""
import json
import os
import random
import signal
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timezone

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

STEP_SECONDS = 20


def out_of_time(signum, frame):
    raise TimeoutError("the walk took longer than 240 s")


def report_arrest(base, token, example_path):
    """The police system reports a new arrest of the example's person (the demo's supervisee)
    through the gateway's POST /v1/events; returns the HTTP status."""
    with open(example_path, encoding="utf-8") as handle:
        event = json.load(handle)[0]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    number = "%06d" % random.randrange(1000000)
    event["eventId"] = str(uuid.uuid4())
    event["occurredAt"] = now
    event["recordedAt"] = now
    event["payload"]["arrestedAt"] = now
    event["payload"]["arrestId"] = "KCPD-A-26-" + number
    event["payload"]["reportNumber"] = "KCPD-26-0" + number
    request = urllib.request.Request(
        base + "/v1/events", data=json.dumps(event).encode("utf-8"), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=STEP_SECONDS) as response:
        return response.status


def main():
    base, shots, needle = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    integrator_token, arrest_example, safety_address = sys.argv[4], sys.argv[5], sys.argv[6]
    os.makedirs(shots, exist_ok=True)
    # The whole walk, whatever hangs: raised in the walk, so the browser is still quit below.
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(240)
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,800", "--lang=en-US", "--no-first-run"):
        options.add_argument(flag)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(STEP_SECONDS)
    found = {}
    wait = WebDriverWait(driver, STEP_SECONDS)

    def shot(name):
        driver.save_screenshot(os.path.join(shots, name + ".png"))

    def sign_in_as(subject):
        driver.get(base + "/ui/sign-in")
        wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "button[data-subject='%s']" % subject))).click()
        wait.until(ec.url_contains("/ui/inbox"))

    try:
        # The sign-in page: the demo users, the token field with its label.
        driver.get(base + "/ui/sign-in")
        found["signInTitle"] = driver.title
        found["demoUsers"] = [b.get_attribute("data-subject") for b in driver.find_elements(By.CSS_SELECTOR, "button[data-subject]")]
        found["tokenLabelled"] = len(driver.find_elements(By.CSS_SELECTOR, "label[for='token']")) == 1
        # Keyboard: the first Tab reaches the skip link.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        found["firstTabStop"] = driver.switch_to.active_element.text
        shot("01-sign-in")

        # The officer signs in and finds the demo arrest (the inbox may still be filling).
        sign_in_as("PP-KC-118")
        card = None
        deadline = time.monotonic() + 60
        while card is None and time.monotonic() < deadline:
            cards = [c for c in driver.find_elements(By.CSS_SELECTOR, "li.card") if needle in c.text]
            if cards:
                card = cards[0]
            else:
                time.sleep(1)  # polling a page a person would reload: no event to await in a browser
                driver.refresh()
        found["officerSeesArrest"] = card is not None
        if card is None:
            shot("02-inbox-missing")
            raise RuntimeError("the arrest did not appear in the officer's inbox")
        notification_id = card.get_attribute("data-notification-id")
        found["notificationId"] = notification_id
        found["priority"] = card.find_element(By.CSS_SELECTOR, ".badge").text
        found["rule"] = card.find_element(By.CSS_SELECTOR, ".rule code").text
        found["timeShown"] = card.find_element(By.TAG_NAME, "time").text
        found["noHorizontalScrollDesktop"] = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        shot("02-inbox")

        # Live: with the inbox open, the police system reports another arrest of the same
        # supervisee; its card appears at the top without a reload, and is announced.
        shown = set(c.get_attribute("data-notification-id") for c in driver.find_elements(By.CSS_SELECTOR, "li.card"))
        driver.execute_script("window.reentrybusNotReloaded = true;")
        found["liveReportStatus"] = report_arrest(base, integrator_token, arrest_example)

        def live_card(d):
            for c in d.find_elements(By.CSS_SELECTOR, "li.card"):
                if c.get_attribute("data-notification-id") not in shown and needle in c.text:
                    return c
            return False
        live = WebDriverWait(driver, 90).until(live_card)
        found["liveArrest"] = True
        found["liveNotReloaded"] = driver.execute_script("return window.reentrybusNotReloaded === true;")
        found["liveIsFirst"] = driver.find_elements(By.CSS_SELECTOR, "li.card")[0].get_attribute("data-notification-id") == live.get_attribute("data-notification-id")
        notice = driver.find_element(By.ID, "live-notice")
        found["liveAnnounced"] = notice.text
        found["liveRegion"] = notice.get_attribute("aria-live")
        shot("02b-inbox-live")

        # "Why": closed, then opened by a click on its summary.
        details = card.find_element(By.CSS_SELECTOR, "details.why")
        found["whyClosedAtFirst"] = details.get_attribute("open") is None
        details.find_element(By.TAG_NAME, "summary").click()
        wait.until(lambda d: details.get_attribute("open") is not None)
        found["whyText"] = details.find_element(By.CSS_SELECTOR, ".explanation").text
        shot("03-inbox-why")

        # Phone width.
        driver.set_window_size(390, 800)
        driver.refresh()
        wait.until(ec.presence_of_element_located((By.ID, "n-" + notification_id)))
        found["noHorizontalScrollPhone"] = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        shot("04-inbox-phone")
        driver.set_window_size(1280, 800)

        # The notification's own page, then acknowledge it there.
        driver.get(base + "/ui/notifications/" + notification_id)
        found["detailHeading"] = driver.find_element(By.CSS_SELECTOR, "h2.summary").text
        shot("05-notification")
        driver.find_element(By.CSS_SELECTOR, "form.ack button").click()
        wait.until(ec.url_contains("acknowledged=" + notification_id))
        acked = driver.find_element(By.ID, "n-" + notification_id)
        # "Acknowledged." at once, or "Acknowledged by … at …" once the inbox accepted it.
        found["acknowledgedShown"] = "Acknowledged" in acked.text
        found["flash"] = driver.find_element(By.CSS_SELECTOR, "p.notice[role='status']").text
        shot("06-acknowledged")

        # The officer-safety check for an address the demo registers the supervisee at.
        driver.get(base + "/ui/safety-check")
        found["safetyLabelled"] = len(driver.find_elements(By.CSS_SELECTOR, "label[for='address']")) == 1
        field = driver.find_element(By.ID, "address")
        field.clear()
        field.send_keys(safety_address)
        field.send_keys(Keys.ENTER)
        answer = wait.until(ec.presence_of_element_located((By.ID, "safety-answer")))
        found["safetyHeading"] = answer.find_element(By.TAG_NAME, "h2").text
        found["safetyAnswer"] = answer.text[:2000]
        shot("06b-safety-check")

        # Sign out.
        driver.find_element(By.CSS_SELECTOR, "form[action='/ui/sign-out'] button").click()
        wait.until(ec.url_contains("/ui/sign-in"))
        found["signedOutMessage"] = driver.find_element(By.CSS_SELECTOR, "p.notice").text

        # The police analyst: another agency. The arrest is not in their inbox, and its address
        # is a plain not-found.
        sign_in_as("KCPD-A-204")
        found["analystSeesArrest"] = notification_id in driver.page_source
        shot("07-analyst-inbox")
        driver.get(base + "/ui/notifications/" + notification_id)
        found["analystDirectHeading"] = driver.find_element(By.TAG_NAME, "h1").text
        found["analystDirectText"] = driver.find_element(By.CSS_SELECTOR, "p.message").text
        shot("08-analyst-not-found")

        # The police analyst's releases: the nav link, the 60-day list and the week calendar
        # (the demo's releases into Kansas City may still be reaching the views).
        links = driver.find_elements(By.CSS_SELECTOR, "nav a[href='/ui/releases']")
        found["releasesLinked"] = len(links) == 1
        if links:
            links[0].click()
        else:
            driver.get(base + "/ui/releases")
        rows = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = driver.find_elements(By.CSS_SELECTOR, "section[data-view='police-releases'] tr[data-release-id]")
            if rows:
                break
            time.sleep(1)  # polling a page a person would reload: no event to await in a browser
            driver.refresh()
        found["releasesHeading"] = driver.find_element(By.TAG_NAME, "h1").text
        found["analystReleases"] = [r.get_attribute("data-release-id") for r in rows]
        found["analystReleaseText"] = [r.text for r in rows]
        found["calendarReleases"] = [e.get_attribute("data-release-id") for e in
                                     driver.find_elements(By.CSS_SELECTOR, "#release-calendar li[data-release-id]")]
        found["calendarWeeks"] = len(driver.find_elements(By.CSS_SELECTOR, "#release-calendar tbody tr"))
        found["releasesNoHorizontalScrollDesktop"] = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        shot("10-analyst-releases")
        driver.execute_script("document.getElementById('calendar-heading').scrollIntoView()")
        shot("11-analyst-releases-calendar")
        driver.set_window_size(390, 800)
        driver.refresh()
        wait.until(ec.presence_of_element_located((By.ID, "release-calendar")))
        found["releasesNoHorizontalScrollPhone"] = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        shot("12-analyst-releases-phone")
        driver.set_window_size(1280, 800)

        # A forged session: back to sign-in, saying so.
        driver.delete_cookie("reentrybus_session")
        driver.add_cookie({"name": "reentrybus_session", "value": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", "path": "/"})
        driver.get(base + "/ui/inbox")
        wait.until(ec.url_contains("/ui/sign-in"))
        found["forgedLandsOn"] = driver.current_url.replace(base, "")
        found["forgedMessage"] = driver.find_element(By.CSS_SELECTOR, "p.notice").text
        shot("09-forged-session")
    except (TimeoutException, TimeoutError, RuntimeError) as error:
        found["error"] = "%s: %s" % (type(error).__name__, str(error).strip()[:300])
        found["url"] = driver.current_url
    finally:
        driver.quit()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
