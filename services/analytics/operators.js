"use strict";
// The operators' dashboard: figures over /ws/analytics, charts from /api/v1/analytics/series.
const $ = (id) => document.getElementById(id);
const LOGIN = "/login?next=/operators";
const SERIES_EVERY_MS = 2000;

function cell(text, cls) {
  return Object.assign(document.createElement("td"), { textContent: text ?? "–", className: cls || "" });
}
function when(iso) { return iso ? new Date(iso).toLocaleString() : "–"; }
function seconds(value) {
  if (value === null || value === undefined) return "–";
  if (value < 120) return `${value.toFixed(0)} s`;
  return `${(value / 60).toFixed(1)} min`;
}
function percent(value) { return `${(100 * value).toFixed(0)} %`; }
function notice(text, bad) { $("notice").textContent = text; $("notice").className = bad ? "bad" : ""; }

// Access tokens are short-lived: on a 401 try the refresh cookie once, else log in again.
async function refreshed() {
  const response = await fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" });
  return response.ok;
}

async function api(path, options, retried) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401) {
    if (!retried && await refreshed()) return api(path, options, true);
    location.assign(LOGIN);
    throw new Error("log in first");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message) || `HTTP ${response.status}`);
  return body;
}

function showSummary(s) {
  $("as-of").textContent = when(s.as_of);
  $("active_scrapers").textContent = s.active_scrapers;
  $("jobs_found_per_minute").textContent = s.jobs_found_per_minute.toFixed(1);
  $("jobs_found").textContent = s.jobs_found;
  $("jobs_deduplicated").textContent = s.jobs_deduplicated;
  $("pending_reviews").textContent = s.pending_reviews;
  $("review_time_median").textContent = seconds(s.review_time_median_s);
  $("review_time_p95").textContent = seconds(s.review_time_p95_s);
  $("sla_misses").textContent = s.sla_misses;
  $("strikes").textContent = s.strikes;
  $("auto_apply_rate").textContent = percent(s.decisions.auto_apply_rate);
  $("manual_review_rate").textContent = percent(s.decisions.manual_review_rate);
  $("applications_submitted").textContent = s.applications_today.submitted;
  $("applications_failed").textContent = s.applications_today.failed;
  $("dead_letters_waiting").textContent = s.dead_letters_waiting;
  $("events").textContent = s.events;
  $("window-note").textContent = `Rates, review times, misses and strikes: last ${s.window_s / 3600} h `
    + `(decisions: ${s.decisions.total}, reviews finished: ${s.reviews_finished}).`;
  showSources(s.sources);
  showDeadLetters(s.dead_letters);
  showReviewers(s.reviewers);
}

function showSources(sources) {
  $("sources").replaceChildren(...sources.map((src) => {
    const row = document.createElement("tr");
    row.dataset.source = src.source;
    row.append(cell(src.source), cell(src.health, `health-${src.health}`), cell(when(src.last_run_at)),
      cell(src.last_run_complete === null ? "–" : src.last_run_complete ? "yes" : "no"),
      cell(src.last_run_seen), cell(`${src.last_run_errors ?? 0} / ${src.errors_total}`, "num"),
      cell(src.blocked_total ? `${src.blocked_total} (last: ${src.last_blocked_reason})` : "0"),
      cell(src.anomalies_total ? `${src.anomalies_total} (${src.last_anomaly_kind})` : "0"),
      cell(src.jobs_found, "num"));
    return row;
  }));
}

function showDeadLetters(rows) {
  $("dead-letters").replaceChildren(...rows.map((d) => {
    const row = document.createElement("tr");
    row.dataset.topic = d.topic;
    const button = Object.assign(document.createElement("button"),
      { textContent: "Replay", type: "button" });
    button.setAttribute("aria-label", `Replay ${d.topic}`);
    button.disabled = d.size === 0;
    button.onclick = () => replay(d.topic, button);
    const action = document.createElement("td");
    action.append(button);
    row.append(cell(d.topic), cell(d.size, "num"), cell(d.replayed, "num"),
      cell(d.waiting, "num waiting"), cell(when(d.checked_at)), action);
    return row;
  }));
}

async function replay(topic, button) {
  button.disabled = true;
  notice(`replaying ${topic}…`);
  try {
    const result = await api(`/api/v1/dead-letters/${encodeURIComponent(topic)}/replay`,
      { method: "POST" });
    notice(`replayed ${result.replayed} dead letter(s) of ${topic}`);
  } catch (error) {
    notice(`replay of ${topic} failed: ${error.message}`, true);
    button.disabled = false;
  }
}

// Reviewers by e-mail: the gateway knows the accounts; a name once found is kept.
const names = new Map();
async function namesOf(ids) {
  const missing = ids.filter((id) => !names.has(id));
  if (missing.length) {
    const query = missing.map((id) => `ids=${encodeURIComponent(id)}`).join("&");
    try {
      const found = (await api(`/api/v1/people?${query}`)).people;
      missing.forEach((id) => names.set(id, found[id] || id));
    } catch (error) {
      return (id) => id;  // the ids stand in until the next refresh
    }
  }
  return (id) => names.get(id) || id;
}

async function showReviewers(reviewers) {
  const name = await namesOf(reviewers.map((r) => r.reviewer_id));
  $("reviewers").replaceChildren(...reviewers.map((r) => {
    const row = document.createElement("tr");
    row.append(cell(name(r.reviewer_id)), cell(r.presence), cell(r.load, "num"), cell(r.reviewed, "num"),
      cell(r.missed, "num"), cell(r.strikes, "num"), cell(r.locked ? "locked" : ""));
    return row;
  }));
}

async function series(metric, window) {
  const body = await api(`/api/v1/analytics/series?metric=${metric}&window=${window}`);
  return { points: body.points, step: body.step_s };
}

let seriesDue = 0, seriesTimer = null;
async function drawCharts() {
  const window = $("window").value;
  const chart = (id) => [$(id).querySelector("svg"), $(id).querySelector(".legend")];
  const [jobs, auto, review, reject, submitted, failed, p50, p95] = await Promise.all([
    series("jobs_found", window), series("decisions_auto", window),
    series("decisions_review", window), series("decisions_reject", window),
    series("applications_submitted", "30d"), series("applications_failed", "30d"),
    series("review_time_p50", "24h"), series("review_time_p95", "24h"),
  ]);
  JamsCharts.draw(chart("chart-jobs")[0],
    [{ name: "jobs found", color: "#2f6fdf", points: jobs.points }], jobs.step,
    chart("chart-jobs")[1]);
  JamsCharts.draw(chart("chart-decisions")[0], [
    { name: "auto-apply", color: "#1f8a4c", points: auto.points },
    { name: "review", color: "#c27c0e", points: review.points },
    { name: "reject", color: "#b42318", points: reject.points }], auto.step,
    chart("chart-decisions")[1]);
  JamsCharts.draw(chart("chart-applications")[0], [
    { name: "submitted", color: "#1f8a4c", points: submitted.points },
    { name: "failed", color: "#b42318", points: failed.points }], submitted.step,
    chart("chart-applications")[1]);
  JamsCharts.draw(chart("chart-review")[0], [
    { name: "median", color: "#2f6fdf", points: p50.points, sum: false },
    { name: "p95", color: "#7a3fd1", points: p95.points, sum: false }], p50.step,
    chart("chart-review")[1]);
}

// At most one redraw per SERIES_EVERY_MS however fast figures arrive.
function chartsSoon() {
  if (seriesTimer) return;
  const wait = Math.max(0, seriesDue - Date.now());
  seriesTimer = setTimeout(() => {
    seriesTimer = null;
    seriesDue = Date.now() + SERIES_EVERY_MS;
    drawCharts().catch((error) => notice(`charts: ${error.message}`, true));
  }, wait);
}

let retryMs = 500, socketRefreshed = false;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/analytics`);
  socket.onopen = () => { $("status").textContent = "connected"; retryMs = 500; };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "summary") {
      socketRefreshed = false;
      showSummary(message.summary);
      chartsSoon();
    }
  };
  socket.onclose = (event) => {
    if (event.code === 4401) {  // one refresh per refusal, then the login page
      if (socketRefreshed) { location.assign(LOGIN); return; }
      socketRefreshed = true;
      refreshed().then((ok) => ok ? connect() : location.assign(LOGIN));
      return;
    }
    if (event.code === 4403) { $("status").textContent = "refused: operators and admins only"; return; }
    $("status").textContent = "reconnecting";
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

$("window").addEventListener("change", () => { seriesDue = 0; chartsSoon(); });
connect();
