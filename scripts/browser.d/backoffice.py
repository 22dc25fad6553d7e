#!/usr/bin/env python3
"""The back office in headless Chromium (Selenium + chromium-driver), against a running `sprocket serve --demo`.

usage: backoffice.py BASE_URL SCREENSHOT_DIR

A staff member signs in, finds an order by its number, follows it to the warehouse, packs and ships it,
records its payment and sees the invoice paid; an open order page updates by itself when the order is
cancelled elsewhere; a customer cannot sign in; a form posted without its CSRF token is refused; stock
is adjusted; sales show their chart and CSV; the catalog is searched, and an admin imports a CSV file and
changes a price.
Screenshots of each screen go to SCREENSHOT_DIR. Exits non-zero on the first check that fails.
"""
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(shots, exist_ok=True)
checks = []


def check(what, ok):
    checks.append(what)
    print(f"{'ok ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        raise SystemExit(f"scripts/browser-test: failed: {what}")


def api(method, path, token=None, body=None, key=None):
    request = urllib.request.Request(base + "/api/v1" + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if key:
        request.add_header("Idempotency-Key", key)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def token(email, password):
    return api("POST", "/auth/token", body={"email": email, "password": password})["accessToken"]


def placed_and_sent(customer, key):
    """An order placed by the demo customer, once it is sent to the warehouse (its number and id)."""
    address = {"firstName": "Dana", "lastName": "Fischer", "line1": "Werkstattstrasse 12", "city": "Berlin",
               "postalCode": "10115", "country": "DE"}
    order = api("POST", "/orders", customer, {"lines": [{"sku": "KIT-BRK-FRONT-VW-GOLF7", "quantity": 1},
                                                         {"sku": "BRK-FLD-DOT4-1L", "quantity": 2}],
                                               "shippingAddress": address, "billingAddress": address}, key)
    deadline = time.time() + 30
    while time.time() < deadline:
        order = api("GET", f"/orders/{order['id']}", customer)
        if order["status"] == "sent_to_warehouse":
            return order
        time.sleep(0.2)
    raise SystemExit(f"scripts/browser-test: order {order['number']} stayed {order['status']}")


options = Options()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--disable-gpu", "--no-first-run"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 15)


def text(selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


unlabelled = []


def shoot(name):
    """A screenshot of the screen, and a check that every field on it has a label (for screen readers)."""
    driver.save_screenshot(os.path.join(shots, f"admin-{name}.png"))
    missing = driver.execute_script(
        "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => e.labels.length === 0).map(e => e.name || e.id)")
    unlabelled.extend(f"{name}: {field}" for field in missing)


def sign_in(email, password):
    driver.delete_all_cookies()
    driver.get(base + "/admin/sign-in")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()


try:
    customer = token("customer@example.com", "sprocket-customer")
    staff = token("staff@example.com", "sprocket-staff")
    order = placed_and_sent(customer, f"browser-{time.time_ns()}")

    # A customer is turned away, and gets no session.
    sign_in("customer@example.com", "sprocket-customer")
    wait.until(lambda d: d.find_elements(By.ID, "problem"))
    check("a customer cannot sign in", "Staff only" in text("#problem") and driver.get_cookie("sprocket_admin") is None)

    driver.get(base + "/admin/sign-in")
    shoot("sign-in")
    sign_in("staff@example.com", "sprocket-staff")
    wait.until(lambda d: d.current_url.startswith(base + "/admin/orders"))
    session = driver.get_cookie("sprocket_admin")
    check("staff signs in: an HttpOnly, SameSite=Strict session cookie for /admin",
          session is not None and session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/admin")
    shoot("orders")

    # Find the order by its number.
    driver.find_element(By.ID, "f-number").send_keys(order["number"].lower())
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "number=" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#orders tbody tr[data-order]")
    check("the order list finds the order by its number", len(rows) == 1 and order["number"] in rows[0].text)
    rows[0].find_element(By.TAG_NAME, "a").click()
    wait.until(lambda d: d.find_elements(By.ID, "order-number"))
    check("the order page shows the order, sent to the warehouse",
          text("#order-number") == order["number"] and text("#order-status") == "sent to warehouse")
    check("the order page shows a kit's components and the order's reservations",
          "BRK-PAD-VW-1K0698151" in text("#lines") and "BRK-PAD-VW-1K0698151" in text("#reservations")
          and "open" in text("#reservations"))
    slip_rows = driver.find_elements(By.CSS_SELECTOR, "#slips tr[data-slip]")
    check("the order page lists its packing slip", len(slip_rows) == 1)
    slip_id = slip_rows[0].get_attribute("data-slip")
    warehouse = slip_rows[0].find_elements(By.TAG_NAME, "td")[1].text
    shoot("order")

    # To the warehouse: pack, then ship.
    driver.find_element(By.LINK_TEXT, "Warehouse").click()
    Select(driver.find_element(By.ID, "w-code")).select_by_value(warehouse)
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "code=" in d.current_url)
    row = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"#slips tr[data-slip='{slip_id}']"))
    check("the warehouse lists the slip among its open slips", order["number"] in row.text)
    shoot("warehouse")
    driver.set_window_size(820, 1180)  # the warehouse's tablet, upright
    shoot("warehouse-tablet")
    check("the warehouse fits a tablet (no sideways scrolling)",
          driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))
    driver.set_window_size(1280, 1000)
    row = driver.find_element(By.CSS_SELECTOR, f"#slips tr[data-slip='{slip_id}']")
    row.find_element(By.CSS_SELECTOR, "button.pack").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    check("the slip is packed", "is packed" in text("#notice"))
    Select(driver.find_element(By.ID, "w-status")).select_by_value("packed")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "status=packed" in d.current_url)
    row = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"#slips tr[data-slip='{slip_id}']"))
    row.find_element(By.NAME, "carrier").send_keys("DHL")
    row.find_element(By.NAME, "trackingNumber").send_keys("JJD0001234567")
    row.find_element(By.CSS_SELECTOR, "button.ship").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    check("the slip is shipped with its carrier", "shipped with DHL" in text("#notice"))

    # Back to the order: shipped, with its shipment and invoice.
    driver.get(base + f"/admin/orders/{order['id']}")
    deadline = time.time() + 15
    while text("#order-status") != "shipped" and time.time() < deadline:
        time.sleep(0.3)
        driver.refresh()
    check("the order is shipped, with its tracking number",
          text("#order-status") == "shipped" and "JJD0001234567" in text("#shipments"))
    invoice_links = driver.find_elements(By.CSS_SELECTOR, "#invoices a")
    check("the order page links its invoice", len(invoice_links) == 1)
    invoice_links[0].click()
    wait.until(lambda d: d.find_elements(By.ID, "invoice-status"))
    check("the invoice is issued, with its balance prefilled",
          text("#invoice-status") == "issued" and driver.find_element(By.ID, "amount").get_attribute("value"))
    driver.find_element(By.ID, "reference").send_keys("SEPA 2026-BROWSER")
    driver.find_element(By.ID, "record-payment").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    check("the payment is recorded and the invoice is paid",
          text("#invoice-status") == "paid" and "SEPA 2026-BROWSER" in text("#payments"))
    shoot("invoice")
    driver.find_element(By.LINK_TEXT, "Accounts").click()
    wait.until(lambda d: d.find_elements(By.ID, "receivables"))
    shoot("accounts")

    # A form posted without its CSRF token (or with another's) is refused, and changes nothing.
    other = placed_and_sent(customer, f"browser-csrf-{time.time_ns()}")
    cookie = f"sprocket_admin={session['value']}"
    for form in [b"reason=forged", b"reason=forged&csrf=not-the-token"]:
        request = urllib.request.Request(base + f"/admin/orders/{other['id']}/cancel", data=form, method="POST",
                                         headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            status = urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as refused:
            status = refused.code
        check(f"a form posted {'without' if b'csrf' not in form else 'with a wrong'} CSRF token is refused (403)",
              status == 403)
    check("the refused forms changed nothing", api("GET", f"/orders/{other['id']}", staff)["status"] == "sent_to_warehouse")

    # Live: the open order page shows a cancellation made elsewhere, without reloading.
    driver.get(base + f"/admin/orders/{other['id']}")
    wait.until(lambda d: d.find_elements(By.ID, "order-status"))
    driver.execute_script("window.notReloaded = true")
    time.sleep(1)  # the page's event stream is open
    api("POST", f"/orders/{other['id']}/cancel", staff, {"reason": "customer called"}, f"browser-cancel-{time.time_ns()}")
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "order-status").text == "cancelled")
    check("an open order page updates by itself when the order changes",
          driver.execute_script("return window.notReloaded === true"))

    # Stock: a row of the warehouse, adjusted with a reason, in its ledger.
    driver.find_element(By.LINK_TEXT, "Stock").click()
    Select(driver.find_element(By.ID, "s-code")).select_by_value(warehouse)
    driver.find_element(By.ID, "s-sku").send_keys("brk-fld")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "sku=brk-fld" in d.current_url)
    row = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#stock tr[data-sku='BRK-FLD-DOT4-1L']"))
    shoot("stock")
    row.find_element(By.TAG_NAME, "a").click()
    before = int(wait.until(lambda d: d.find_element(By.ID, "on-hand")).text)
    driver.find_element(By.ID, "delta").send_keys("+5")
    driver.find_element(By.ID, "adjust-reason").send_keys("delivery 4711")
    driver.find_element(By.ID, "adjust").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    check("a stock adjustment with its reason lands in the ledger",
          int(text("#on-hand")) == before + 5 and "delivery 4711" in text("#ledger"))
    admin = token("admin@example.com", "sprocket-admin")
    api("PUT", f"/warehouses/{warehouse}/stock/WM-BLT-1192J5", admin, {"onHand": 3, "reorderPoint": 5, "bin": "C-01-1"})
    driver.find_element(By.LINK_TEXT, "Stock").click()
    Select(driver.find_element(By.ID, "s-code")).select_by_value(warehouse)
    driver.find_element(By.ID, "s-low").click()
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "low=1" in d.current_url)
    low = driver.find_elements(By.CSS_SELECTOR, "#stock tr[data-sku]")
    check("the stock list filters what is at or below its reorder point",
          any(r.get_attribute("data-sku") == "WM-BLT-1192J5" for r in low) and all("low" in r.text for r in low))

    # Sales: the day's revenue as a chart drawn on the server and a table, and as CSV.
    driver.find_element(By.LINK_TEXT, "Sales").click()
    wait.until(lambda d: d.find_elements(By.ID, "revenue-chart"))
    check("sales show revenue as an SVG chart and a table",
          len(driver.find_elements(By.CSS_SELECTOR, "#revenue-chart rect")) >= 1
          and int(text("#total-orders")) >= 1 and len(driver.find_elements(By.CSS_SELECTOR, "#sold-items tbody tr")) >= 1)
    shoot("sales")
    csv_url = driver.find_element(By.ID, "revenue-csv").get_attribute("href")
    with urllib.request.urlopen(urllib.request.Request(csv_url, headers={"Cookie": f"sprocket_admin={session['value']}"}),
                                timeout=10) as answer:
        body = answer.read().decode()
        check("the revenue downloads as CSV",
              answer.headers["Content-Type"].startswith("text/csv") and body.count("\n") >= 2)

    # Catalog: search, a part and what it fits; staff may not change a price.
    driver.find_element(By.LINK_TEXT, "Catalog").click()
    driver.find_element(By.ID, "c-q").send_keys("brake")
    driver.find_element(By.ID, "c-model").send_keys("golf")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "q=brake" in d.current_url)
    check("the catalog finds parts and models",
          len(driver.find_elements(By.CSS_SELECTOR, "#parts tr[data-sku]")) >= 1
          and len(driver.find_elements(By.CSS_SELECTOR, "#models tbody a")) >= 1)
    shoot("catalog")
    driver.find_elements(By.CSS_SELECTOR, "#models tbody a")[0].click()
    wait.until(lambda d: d.find_elements(By.ID, "model-parts"))
    check("a model lists the parts that fit it", len(driver.find_elements(By.CSS_SELECTOR, "#model-parts tbody a")) >= 1)
    driver.find_elements(By.CSS_SELECTOR, "#model-parts tbody a")[0].click()
    wait.until(lambda d: d.find_elements(By.ID, "save-part"))
    check("a part shows the models it fits", len(driver.find_elements(By.CSS_SELECTOR, "#fits tbody a")) >= 1)
    driver.find_element(By.ID, "save-part").click()
    wait.until(lambda d: d.find_elements(By.ID, "problem"))
    check("staff may not change a price (the catalog's own rule)", "error=" in driver.current_url)

    driver.find_element(By.CSS_SELECTOR, ".bar form button").click()
    wait.until(lambda d: d.current_url.startswith(base + "/admin/sign-in"))
    check("signing out ends the session", driver.get_cookie("sprocket_admin") is None)

    # An admin imports a CSV file, watches it finish, and changes the new part's price.
    sign_in("admin@example.com", "sprocket-admin")
    wait.until(lambda d: d.current_url.startswith(base + "/admin/orders"))
    driver.get(base + "/admin/catalog/imports")
    handle, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(handle, "w") as f:
        f.write("sku,name,description,price\nBROWSER-PART-1,Browser part,Imported in the browser test,9.99\n")
    driver.find_element(By.ID, "import-file").send_keys(path)
    driver.find_element(By.ID, "start-import").click()
    wait.until(lambda d: d.find_elements(By.ID, "import-status"))
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "import-status").text != "running")
    check("a CSV import runs and reports its progress",
          text("#import-status") == "finished" and "1" in text("#import"))
    os.remove(path)
    driver.get(base + "/admin/catalog/parts/BROWSER-PART-1")
    amount = driver.find_element(By.ID, "amount")
    amount.clear()
    amount.send_keys("10.50")
    driver.find_element(By.ID, "save-part").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    check("an admin changes a part's price", text("#price") == "10.50 EUR")
    shoot("part")
    check("every field of every screen has a label", not unlabelled or print(unlabelled))
    print(f"scripts/browser-test: {len(checks)} checks passed; screenshots in {shots}")
finally:
    driver.quit()
