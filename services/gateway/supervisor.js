"use strict";
const $ = (id) => document.getElementById(id);
const cell = (text, cls) => Object.assign(document.createElement("td"), { textContent: text, className: cls || "" });
// The HTTP-only session cookie authenticates every call; an expired one is refreshed once.
const headers = () => ({ "content-type": "application/json" });
const toLogin = () => location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
let refreshing = null;
const refreshSession = () => refreshing = refreshing || fetch("/api/v1/auth/refresh", { method: "POST" })
  .then((r) => r.ok, () => false).finally(() => { refreshing = null; });
async function call(url, options) {
  let response = await fetch(url, { credentials: "same-origin", ...options });
  if (response.status === 401) {
    if (!await refreshSession()) { toLogin(); return response; }
    response = await fetch(url, { credentials: "same-origin", ...options });
  }
  return response;
}

async function refresh() {
  const response = await call("/api/supervisor/overview", { headers: headers() });
  if (!response.ok) { $("notice").textContent = `refused (${response.status})`; return; }
  $("notice").textContent = "";
  const data = await response.json();
  $("reviewers").replaceChildren(...data.reviewers.map((r) => {
    const row = document.createElement("tr");
    row.append(cell(r.reviewer), cell(r.status), cell(r.load), cell(r.strikes), cell(r.misses));
    const lock = cell(r.locked ? "locked " : "", r.locked ? "locked" : "");
    if (r.locked) {
      const reason = Object.assign(document.createElement("input"), { placeholder: "reason" });
      const button = Object.assign(document.createElement("button"), { textContent: "Unlock" });
      button.onclick = async () => {
        const done = await call("/api/supervisor/unlock", { method: "POST", headers: headers(),
          body: JSON.stringify({ reviewer_id: r.reviewer_id, reason: reason.value }) });
        $("notice").textContent = done.ok ? "unlock requested" : `unlock refused (${done.status})`;
      };
      lock.append(reason, button);
    }
    row.append(lock);
    return row;
  }));
  $("tasks").replaceChildren(...data.tasks.map((t) => {
    const row = document.createElement("tr");
    const left = t.seconds_left === null ? "" : `${Math.max(0, Math.round(t.seconds_left))} s`;
    row.append(cell(t.task_id), cell(t.job_title), cell(t.reviewer),
      cell(t.state + (t.warned ? " (warned)" : "")), cell(left));
    return row;
  }));
}
$("logout").onclick = async (e) => {
  e.preventDefault();
  await fetch("/api/v1/auth/logout", { method: "POST" });
  toLogin();
};
setInterval(refresh, 2000);
refresh();
