"use strict";
// The recruiters' page: the company's jobs, the chosen job's candidates best-first, and a
// socket that says which jobs have new scores or statuses, so the list is fetched again (at
// most once per REFETCH_EVERY_MS however fast they arrive).
const { api, refreshed, el, when, card, fill } = JamsCandidate;
const $ = (id) => document.getElementById(id);
const LOGIN = "/login?next=/recruiting";
const PAGE = 50;
const REFETCH_EVERY_MS = 2000;
const POSTERS = new Set(["recruiter", "company_admin"]);
const STATUS_SETTERS = new Set(["recruiter", "hiring_manager", "company_admin"]);
const RESCORERS = new Set(["recruiter", "hiring_manager", "company_admin"]);  // "match.run"
const POLL_EVERY_MS = 2000;
const ENDED = new Set(["done", "failed"]);

const me = {
  company: document.body.dataset.company,
  user: document.body.dataset.user,
  role: document.body.dataset.role,
  features: new Set((document.body.dataset.features || "").split(" ").filter(Boolean)),
};
const state = { jobs: new Map(), jobsCursor: null, job: null, cursor: null, order: [] };
// The re-score task followed: of which job, and the timer of its next status poll.
const rescore = { jobId: null, taskId: null, timer: null };

function notice(text, bad) {
  $("notice").textContent = text;
  $("notice").className = bad ? "bad" : "";
}

// ---- jobs ----------------------------------------------------------------------------

function jobsQuery(cursor) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if ($("job-filter").value) query.set("status", $("job-filter").value);
  if (cursor) query.set("cursor", cursor);
  return `/api/v1/companies/${me.company}/jobs?${query}`;
}

async function loadJobs(more) {
  try {
    const page = await api(jobsQuery(more ? state.jobsCursor : null));
    if (!more) { state.jobs.clear(); $("jobs").replaceChildren(); }
    page.items.forEach((job) => { state.jobs.set(job.job_id, job); $("jobs").append(jobItem(job)); });
    state.jobsCursor = page.next_cursor;
    $("jobs-more").hidden = !page.next_cursor;
    $("jobs-empty").hidden = state.jobs.size > 0;
    if (!state.job && page.items.length) choose(page.items[0].job_id, false);
  } catch (error) {
    notice(`jobs could not be loaded: ${error.message}`, true);
  }
}

function jobItem(job) {
  const button = el("button", { type: "button", className: "job" },
    el("span", { className: "job-title", textContent: job.title }),
    el("span", { className: `badge job-${job.status}`, textContent: job.status }),
    el("span", { className: "fresh", textContent: "new scores", hidden: true }));
  button.dataset.job = job.job_id;
  button.setAttribute("aria-current", String(state.job === job.job_id));
  button.addEventListener("click", () => choose(job.job_id, true));
  return el("li", {}, button);
}

function showJob(job) {
  $("job-heading").textContent = job.title;
  $("job-meta").textContent = [job.location, job.status,
    job.published_at ? `published ${when(job.published_at)}` : `created ${when(job.created_at)}`]
    .filter(Boolean).join(" · ");
  const actions = [];
  if (POSTERS.has(me.role)) {
    if (job.status === "draft") actions.push(["published", "Publish job"]);
    if (job.status !== "closed") actions.push(["closed", "Close job"]);
  }
  $("job-actions").replaceChildren(...actions.map(([status, label]) => {
    const button = el("button", { type: "button", textContent: label });
    button.dataset.move = status;
    button.addEventListener("click", () => moveJob(job.job_id, status, button));
    return button;
  }));
  if (me.features.has("rescore") && RESCORERS.has(me.role) && job.status === "published") {
    $("job-actions").append(rescoreButton(job.job_id));
  }
  const item = $("jobs").querySelector(`[data-job="${job.job_id}"]`);
  if (item) item.replaceWith(jobItem(job).firstChild);
}

async function moveJob(jobId, status, button) {
  if (status === "closed" && !window.confirm("Close this job? A closed job cannot be opened again.")) return;
  button.disabled = true;
  try {
    const job = await api(`/api/v1/jobs/${jobId}`, { method: "PATCH", json: { status } });
    state.jobs.set(job.job_id, job);
    showJob(job);
    notice(`job ${status}`);
  } catch (error) {
    notice(`job not changed: ${error.message}`, true);
    button.disabled = false;
  }
}

function choose(jobId, focus) {
  if (rescore.jobId !== jobId) stopFollowing();
  state.job = jobId;
  $("jobs").querySelectorAll("button.job").forEach((b) => {
    b.setAttribute("aria-current", String(b.dataset.job === jobId));
    if (b.dataset.job === jobId) b.querySelector(".fresh").hidden = true;
  });
  showJob(state.jobs.get(jobId));
  $("filters").hidden = false;
  $("candidates").replaceChildren();
  state.order = [];
  loadCandidates(false);
  if (focus) $("candidates-panel").focus();
}

$("job-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(new FormData(form));
  try {
    const job = await api("/api/v1/jobs", { method: "POST", json: body });
    form.reset();
    $("post-job").open = false;
    notice(`job posted as ${job.status}`);
    state.jobs.set(job.job_id, job);
    $("jobs").prepend(jobItem(job));
    $("jobs-empty").hidden = true;
    choose(job.job_id, true);
  } catch (error) {
    notice(`job not posted: ${error.message}`, true);
  }
});
$("job-filter").addEventListener("change", () => loadJobs(false));
$("jobs-more").addEventListener("click", () => loadJobs(true));

// ---- re-score -----------------------------------------------------------------------

function rescoreButton(jobId) {
  const button = el("button", { type: "button", textContent: "Re-score" });
  button.dataset.rescore = jobId;
  button.disabled = rescore.jobId === jobId && rescore.taskId !== null;
  button.addEventListener("click", () => runRescore(jobId, button));
  return button;
}

async function runRescore(jobId, button) {
  button.disabled = true;
  try {
    const task = await api("/api/v1/match/run", { method: "POST", json: { job_id: jobId, priority: "high" } });
    notice("re-score queued");
    follow(jobId, task.task_id);
  } catch (error) {
    if (error.code === "ERR_TASK_QUEUED" && error.details.task_id) {
      notice("a re-score of this job is already queued or running: showing it");
      follow(jobId, error.details.task_id);
    } else {
      notice(`re-score not started: ${error.message}`, true);
      button.disabled = false;
    }
  }
}

function showRescore(text) {
  $("rescore").hidden = text === null;
  $("rescore-status").textContent = text || "";
}

function stopFollowing() {
  clearTimeout(rescore.timer);
  Object.assign(rescore, { jobId: null, taskId: null, timer: null });
  showRescore(null);
}

function follow(jobId, taskId) {
  stopFollowing();
  Object.assign(rescore, { jobId, taskId, timer: setTimeout(poll, POLL_EVERY_MS) });
  showRescore("queued");
}

// The task's status, asked every POLL_EVERY_MS until it is done or failed.
async function poll() {
  const { jobId, taskId } = rescore;
  let task;
  try {
    task = await api(`/api/v1/match/run/${taskId}`);
  } catch (error) {
    if (rescore.taskId !== taskId) return;
    notice(`re-score status not known: ${error.message}`, true);
    if (error.status >= 500 || error.status === undefined) rescore.timer = setTimeout(poll, POLL_EVERY_MS);
    else stopFollowing();
    return;
  }
  if (rescore.taskId !== taskId) return;  // another job was chosen meanwhile
  const scored = task.status === "done" && task.pairs !== null ? `, ${task.pairs} candidate(s) scored` : "";
  showRescore(`${task.status}${scored}`);
  if (!ENDED.has(task.status)) {
    rescore.timer = setTimeout(poll, POLL_EVERY_MS);
    return;
  }
  Object.assign(rescore, { taskId: null, timer: null });
  const button = $("job-actions").querySelector(`[data-rescore="${jobId}"]`);
  if (button) button.disabled = false;
  if (task.status === "done") {
    notice("re-score done");
    loadCandidates(false);
  } else {
    notice("re-score failed", true);
  }
}

// ---- candidates ----------------------------------------------------------------------

const context = {
  get jobId() { return state.job; },
  user: me.user,
  features: me.features,
  mayChangeStatus: STATUS_SETTERS.has(me.role),
  notice,
  candidatePath: (candidateId) => `/api/v1/jobs/${state.job}/candidates/${candidateId}`,
  rank: (candidateId) => ($("sort").value === "score" ? state.order.indexOf(candidateId) + 1 : 0),
  changed: (item) => {
    const existing = $("candidates").querySelector(`[data-candidate="${item.candidate_id}"]`);
    if (existing) fill(existing, item, context);
  },
};

function candidatesQuery(cursor, limit) {
  const query = new URLSearchParams({ sort: $("sort").value, limit: String(limit) });
  if ($("min-score").value !== "") query.set("min_score", $("min-score").value);
  if ($("status-filter").value) query.set("status", $("status-filter").value);
  if (cursor) query.set("cursor", cursor);
  return `/api/v1/jobs/${state.job}/candidates?${query}`;
}

// What has focus, and how to find it again once its card is drawn anew.
function focusKey() {
  const active = document.activeElement;
  const holder = active && active.closest ? active.closest("li.candidate") : null;
  return { active, candidate: holder && holder.dataset.candidate, status: active && active.dataset.status };
}
function refocus(key) {
  if (!key.active || document.activeElement === key.active) return;
  if (document.contains(key.active)) { key.active.focus(); return; }
  if (!key.candidate || !key.status) return;
  const again = $("candidates").querySelector(
    `li[data-candidate="${key.candidate}"] .status-buttons button[data-status="${key.status}"]`);
  if (again) again.focus();
}

// Cards are kept by candidate and moved into the new order, so what was typed into a note
// or a scheduler survives a refresh; focus is put back where it was.
function place(items, more) {
  const list = $("candidates");
  const cards = new Map([...list.children].map((li) => [li.dataset.candidate, li]));
  const order = more ? [...state.order, ...items.map((i) => i.candidate_id)] : items.map((i) => i.candidate_id);
  state.order = order;
  const focused = focusKey();
  items.forEach((item) => {
    const existing = cards.get(item.candidate_id);
    if (existing) fill(existing, item, context); else cards.set(item.candidate_id, card(item, context));
  });
  if (!more) [...cards.keys()].filter((id) => !order.includes(id)).forEach((id) => cards.get(id).remove());
  order.forEach((id, i) => {
    const node = cards.get(id);
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
  });
  refocus(focused);
}

async function loadCandidates(more) {
  const jobId = state.job;
  // A refresh fetches as many as are shown, so paging on does not lose its place.
  const limit = more ? PAGE : Math.min(200, Math.max(PAGE, state.order.length));
  try {
    const page = await api(candidatesQuery(more ? state.cursor : null, limit));
    if (jobId !== state.job) return;  // another job was chosen meanwhile
    place(page.items, more);
    state.cursor = page.next_cursor;
    $("candidates-more").hidden = !page.next_cursor;
    const empty = state.order.length === 0;
    $("candidates-empty").hidden = !empty;
    const filtered = $("min-score").value !== "" || $("status-filter").value;
    $("candidates-empty").textContent = filtered
      ? "No candidates match these filters."
      : "No candidates scored yet: they appear here, best first, as the job is matched.";
  } catch (error) {
    notice(`candidates could not be loaded: ${error.message}`, true);
  }
}

$("candidates-more").addEventListener("click", () => loadCandidates(true));
for (const id of ["sort", "status-filter"]) {
  $(id).addEventListener("change", () => { $("candidates").replaceChildren(); state.order = []; loadCandidates(false); });
}
let typing = null;
$("min-score").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => { $("candidates").replaceChildren(); state.order = []; loadCandidates(false); }, 400);
});
$("filters").addEventListener("submit", (event) => event.preventDefault());

// ---- live ----------------------------------------------------------------------------

let refetchDue = 0, refetchTimer = null;
function refetchSoon() {
  if (refetchTimer) return;
  const wait = Math.max(0, refetchDue - Date.now());
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    refetchDue = Date.now() + REFETCH_EVERY_MS;
    loadCandidates(false);
  }, wait);
}

function scoresArrived(jobIds) {
  $("status").textContent = `connected, scores at ${new Date().toLocaleTimeString()}`;
  jobIds.forEach((jobId) => {
    if (jobId === state.job) { refetchSoon(); return; }
    const button = $("jobs").querySelector(`[data-job="${jobId}"]`);
    if (button) button.querySelector(".fresh").hidden = false;
  });
}

let retryMs = 500, socketRefreshed = false;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/recruiting/${me.company}`);
  socket.onopen = () => {
    $("status").textContent = "connected";
    socketRefreshed = false;
    if (retryMs > 500 && state.job) refetchSoon();  // scores may have come while away
    retryMs = 500;
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "scores") scoresArrived(message.job_ids);
    // A colleague moved a candidate: the chosen job's list shows it.
    if (message.type === "statuses" && message.job_ids.includes(state.job)) refetchSoon();
  };
  socket.onclose = (event) => {
    if (event.code === 4401) {  // one refresh per refusal, then the login page
      if (socketRefreshed) { location.assign(LOGIN); return; }
      socketRefreshed = true;
      refreshed().then((ok) => (ok ? connect() : location.assign(LOGIN)));
      return;
    }
    if (event.code === 4403 || event.code === 4404) {
      $("status").textContent = "refused: not your company";
      return;
    }
    $("status").textContent = "reconnecting";
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

// ---- start ---------------------------------------------------------------------------

if (!me.company) {
  $("no-company").hidden = false;
  $("workspace").hidden = true;
  $("status").textContent = "off";
} else {
  document.querySelectorAll(".poster").forEach((node) => { node.hidden = !POSTERS.has(me.role); });
  loadJobs(false);
  connect();
}
