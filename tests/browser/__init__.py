"""Browser tests: the dashboards in headless Chromium through Playwright."""
