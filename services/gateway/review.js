"use strict";
// Plain DOM building with textContent only: task fields come from job pages and must never
// be interpreted as HTML.
const HEARTBEAT_MS = Number(document.body.dataset.heartbeatMs) || 15000;
const UNAUTHORIZED = 4401;
const tasks = new Map();  // task_id -> latest task message (offer, acceptance, warning)
const drafts = new Map(); // task_id -> editor text, kept across re-renders and reconnects
let socket = null, heartbeat = null, retryMs = 500, creds = null;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = Object.assign(document.createElement(tag), attrs || {});
  for (const child of children) node.append(child);
  return node;
}

function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "pill " + (cls || "");
}

function setPresence(status) {
  $("presence").hidden = false;
  $("presence").textContent = status;
  $("presence").className = "pill " + status;
  $("go-available").hidden = status === "available";
  $("step-away").hidden = status !== "available";
}

function connect() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}` +
    `/ws/reviewers/${encodeURIComponent(creds.reviewer)}`;  // the HTTP-only cookie authenticates
  socket = new WebSocket(url);
  setStatus("connecting…");
  socket.onopen = () => {
    retryMs = 500;
    refusals = 0;
    setStatus("connected", "connected");
    setPresence("available");
    $("who").textContent = `reviewer ${creds.email || creds.reviewer}`;
    heartbeat = setInterval(() => send({ type: "heartbeat" }), HEARTBEAT_MS);
  };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = (event) => {
    clearInterval(heartbeat);
    if (event.code === UNAUTHORIZED) {
      // Most likely the access token expired: refresh once, else log in again.
      setStatus("refreshing the session…", "closed");
      refreshSession().then((ok) => ok && ++refusals < 3 ? connect() : toLogin());
      return;
    }
    // A dropped socket reconnects; the gateway re-sends the open task, so work resumes.
    setStatus("reconnecting…", "closed");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
    return true;
  }
  $("notice").textContent = "not connected; try again in a moment";
  return false;
}

function receive(message) {
  switch (message.type) {
    case "task_offered":
    case "task_assigned":
      tasks.set(message.task_id, { ...(tasks.get(message.task_id) || {}), ...message });
      render();
      break;
    case "task_warning": {
      const task = tasks.get(message.task_id);
      if (task) { task.warned = true; render(); }
      break;
    }
    case "task_closed": {
      const held = tasks.get(message.task_id);
      tasks.delete(message.task_id);
      drafts.delete(message.task_id);
      if (message.outcome === "missed") $("notice").textContent = "Time ran out: the task went to another reviewer.";
      else if (message.outcome === "offer_expired") $("notice").textContent = "The offer lapsed; you were set away.";
      else if (message.outcome === "handed_back" && held && held.state !== "assigned")
        $("notice").textContent = "You declined the offer; you were set away. Go available when you are ready.";
      render();
      break;
    }
    case "reviewer":
      if (message.status) setPresence(message.status);
      if (message.strikes !== undefined) {
        $("strikes").hidden = false;
        $("strikes").textContent = `strikes: ${message.strikes}`;
        $("strikes").className = "pill" + (message.strikes >= 3 ? " bad" : "");
      }
      if (message.strike_warning) $("strike-warning").hidden = false;
      if (message.locked !== undefined) $("locked").hidden = !message.locked;
      break;
    case "error":
      $("notice").textContent = message.message;
      break;
    case "notification":
      $("inbox").prepend(el("li", { className: "message" },
        el("strong", { textContent: message.subject }), " ", el("span", { textContent: message.body })));
      break;
  }
}

function render() {
  const list = $("tasks");
  list.replaceChildren(...[...tasks.values()].map(card));
  $("empty").hidden = tasks.size > 0;
  tick();
}

function card(task) {
  const offered = task.state !== "assigned";
  const deadline = offered ? task.offer_expires_at : task.due_at;
  const buttons = [];
  const act = (message, ...disable) => { if (send(message)) disable.forEach((b) => (b.disabled = true)); };
  // The editor starts from the resume under review; a draft typed earlier wins.
  const editor = el("textarea", { className: "editor", value: drafts.get(task.task_id) ?? (task.resume_text || ""),
    placeholder: "Tailored resume text (leave empty to apply with the current version)",
    oninput: (e) => drafts.set(task.task_id, e.target.value) });
  const reason = el("input", { className: "reason", placeholder: "reason for rejecting", maxLength: 2000 });
  if (offered) {
    buttons.push(el("button", { className: "accept", type: "button", textContent: "Accept",
      onclick: (e) => act({ type: "accept", task_id: task.task_id }, e.target) }));
  } else {
    const complete = el("button", { className: "complete", type: "button", textContent: "Complete",
      onclick: () => completeTask(task, editor.value, complete) });
    buttons.push(complete,
      el("button", { className: "reject", type: "button", textContent: "Reject",
        onclick: (e) => act({ type: "reject", task_id: task.task_id, reason: reason.value }, e.target) }),
      reason);
  }
  buttons.push(el("button", { className: "hand-back", type: "button", textContent: "Hand back",
    onclick: (e) => act({ type: "hand_back", task_id: task.task_id }, e.target) }));
  return el("article", { className: "task", id: `task-${task.task_id}` },
    el("h2", { textContent: `${task.job_title || "Untitled job"} · ${task.company || "unknown company"}` }),
    el("div", { className: "meta" },
      el("span", { className: "score", textContent: `score ${task.score}` }),
      el("span", { className: "state", textContent: offered ? "offered: accept to start" : "accepted" }),
      countdown(deadline)),
    task.warned ? el("div", { className: "banner warning", textContent: "Five minutes left: complete, reject or hand back now." }) : "",
    task.question ? el("div", { className: "question" }, el("strong", { textContent: "The application form asks: " }),
      el("span", { textContent: task.question })) : "",
    (task.job_changes || []).length ? el("div", { className: "job-changes" },
      el("strong", { textContent: "The job changed since this match was scored:" }),
      el("ul", {}, ...task.job_changes.map((line) => el("li", { textContent: line })))) : "",
    el("div", { className: "panel" },
      el("div", { className: "why" },
        el("h3", { textContent: "Score breakdown" }), breakdown(task.breakdown || {}),
        el("h3", { textContent: "Matched skills" }), chips("matched-skills", task.matched_skills),
        el("h3", { textContent: "Missing skills" }), chips("missing-skills", task.missing_skills),
        el("h3", { textContent: "Tailoring hints" }),
        el("ul", { className: "hints" }, ...(task.hints || []).map((hint) => el("li", { textContent: hint }))),
        el("h3", { textContent: "Explanation" }),
        el("ul", { className: "explanation" }, ...(task.explanation || []).map((line) => el("li", { textContent: line })))),
      el("div", { className: "resume-side" },
        el("h3", { textContent: offered ? "Resume" : "Resume (edit to tailor)" }),
        offered ? el("pre", { className: "resume", textContent: task.resume_text || "The resume text is not available." }) : editor)),
    el("div", { className: "actions" }, ...buttons));
}

function breakdown(parts) {
  const rows = Object.entries(parts).flatMap(([name, value]) => {
    const bar = el("span", { className: "bar" }, el("span"));
    bar.firstChild.style.width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
    return [el("span", { textContent: name.replaceAll("_", " ") }), bar,
            el("span", { textContent: `${Math.round(value * 100)}%` })];
  });
  return rows.length ? el("div", { className: "breakdown" }, ...rows) : el("p", { className: "meta", textContent: "no breakdown" });
}

function chips(cls, items) {
  return (items || []).length ? el("ul", { className: `chips ${cls}` }, ...items.map((item) => el("li", { textContent: item })))
    : el("p", { className: `meta ${cls}`, textContent: "none" });
}

function countdown(deadline) {
  const node = el("span", { className: "countdown" });
  node.dataset.deadline = deadline || "";
  return node;
}

async function completeTask(task, text, button) {
  button.disabled = true;
  let version = null;
  // Unchanged text is the resume under review: apply with that version, store nothing new.
  if (text.trim() && text !== (task.resume_text || "")) {
    // The edited resume becomes a new version first; the completion then names it.
    const form = new FormData();
    form.append("file", new Blob([text], { type: "text/plain" }), "resume.txt");
    const upload = () => fetch(`/candidates/${task.candidate_id}/resumes?task_id=${task.task_id}`, {
      method: "POST", body: form, credentials: "same-origin" });
    let response = await upload();
    if (response.status === 401 && await refreshSession()) response = await upload();
    if (!response.ok) {
      $("notice").textContent = `the resume was not stored (${response.status}); try again`;
      button.disabled = false;
      return;
    }
    version = (await response.json()).resume_version_id;
  }
  const message = { type: "complete", task_id: task.task_id };
  if (version) message.resume_version_id = version;
  if (!send(message)) button.disabled = false;
}

function tick() {
  for (const node of document.querySelectorAll(".countdown")) {
    const left = Math.round((Date.parse(node.dataset.deadline) - Date.now()) / 1000);
    const shown = Math.max(left, 0);
    node.textContent = `${Math.floor(shown / 60)}:${String(shown % 60).padStart(2, "0")} left`;
    node.classList.toggle("soon", left <= 300 && left > 0);
    node.classList.toggle("late", left <= 0);
  }
}
setInterval(tick, 1000);

$("go-available").onclick = () => { if (send({ type: "status", status: "available" })) setPresence("available"); };
$("step-away").onclick = () => { if (send({ type: "status", status: "away" })) setPresence("away"); };

// Sessions live in HTTP-only cookies set by /login; the page only asks who it is.
let refusals = 0;  // 4401s in a row: a fresh token refused again means log in again
let refreshing = null;  // one refresh at a time: a reused refresh token revokes the session
function refreshSession() {
  refreshing = refreshing || fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" })
    .then((response) => response.ok, () => false).finally(() => { refreshing = null; });
  return refreshing;
}
function toLogin() { location.assign(`/login?next=${encodeURIComponent(location.pathname)}`); }
async function start() {
  let response = await fetch("/api/v1/auth/me", { credentials: "same-origin" });
  if (response.status === 401 && await refreshSession()) response = await fetch("/api/v1/auth/me");
  if (!response.ok) { toLogin(); return; }
  const me = await response.json();
  creds = { reviewer: me.user_id, email: me.email };
  $("logout").hidden = false;
  connect();
}
$("logout").onclick = async (event) => {
  event.preventDefault();
  await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" });
  toLogin();
};
start();
