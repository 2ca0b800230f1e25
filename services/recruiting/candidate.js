"use strict";
// One ranked candidate on the recruiters' page: score and its breakdown, skills, explanation,
// questionnaire answers, status buttons, and (when the service has them) notes, interviews
// and shared links. recruiting.js lays the cards out and keeps them fresh.
const JamsCandidate = (() => {
  const LOGIN = "/login?next=/recruiting";
  const STATUSES = [["shortlisted", "Shortlist"], ["maybe", "Maybe"], ["rejected", "Reject"],
                    ["pending", "Pending"]];
  const HIDEABLE = [["name", true], ["email", true], ["phone", true], ["address", true],
                    ["links", true], ["explanation", false]];
  const MESSAGES = {
    ERR_INTERVIEWER_BUSY: "an interviewer is booked at that time",
    ERR_CANDIDATE_REJECTED: "a rejected candidate cannot be scheduled",
  };

  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }
  const svg = (tag, attrs) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");
  const short = (id) => String(id).slice(0, 8);
  const percent = (value) => `${Math.round(100 * value)} %`;

  // Access tokens are short-lived: on a 401 try the refresh cookie once, else log in again.
  async function refreshed() {
    const response = await fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" });
    return response.ok;
  }

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(MESSAGES[error.code] || error.message || `HTTP ${status}`);
      this.status = status;
      this.code = error.code;
      this.details = error.details || {};
    }
  }

  async function api(path, options, retried) {
    const init = { credentials: "same-origin", ...options };
    if (init.json !== undefined) {
      init.body = JSON.stringify(init.json);
      init.headers = { "content-type": "application/json" };
      delete init.json;
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      if (!retried && await refreshed()) return api(path, options, true);
      location.assign(LOGIN);
      throw new ApiError(401, null);
    }
    if (response.status === 204) return {};
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  // The score's parts as a horizontal bar chart; each part is 0..1 (a share of its weight).
  function breakdownChart(breakdown) {
    const parts = Object.entries(breakdown || {});
    const figure = el("figure", { className: "breakdown" });
    if (!parts.length) {
      figure.append(el("figcaption", { textContent: "No breakdown for this score" }));
      return figure;
    }
    const row = 18, labelWidth = 130, barWidth = 160;
    const chart = svg("svg", { viewBox: `0 0 ${labelWidth + barWidth + 50} ${row * parts.length}`,
                               role: "img", class: "bars" });
    chart.setAttribute("aria-label", "Score breakdown: "
      + parts.map(([name, value]) => `${name.replaceAll("_", " ")} ${percent(value)}`).join(", "));
    parts.forEach(([name, value], i) => {
      const clamped = Math.max(0, Math.min(1, Number(value) || 0));
      const y = i * row;
      const label = svg("text", { x: 0, y: y + 13, class: "label" });
      label.textContent = name.replaceAll("_", " ");
      const track = svg("rect", { x: labelWidth, y: y + 3, width: barWidth, height: 11, class: "track" });
      const bar = svg("rect", { x: labelWidth, y: y + 3, width: (barWidth * clamped).toFixed(1),
                                height: 11, class: "bar" });
      bar.dataset.part = name;
      bar.dataset.value = String(value);
      const figureText = svg("text", { x: labelWidth + barWidth + 6, y: y + 13, class: "value" });
      figureText.textContent = percent(clamped);
      chart.append(label, track, bar, figureText);
    });
    figure.append(chart);
    return figure;
  }

  function skills(title, names, cls) {
    if (!names || !names.length) return null;
    return el("div", { className: `skills ${cls}` }, el("h4", { textContent: title }),
      el("ul", {}, ...names.map((name) => el("li", { textContent: name }))));
  }

  function questions(item) {
    if (!item.questions || !item.questions.length) return null;
    const rows = item.questions.map((q) => {
      const answer = Array.isArray(q.answer) ? q.answer.join(", ") : String(q.answer ?? "–");
      const tr = el("tr", { className: q.passed ? "passed" : "failed" },
        el("td", { textContent: q.text }), el("td", { textContent: answer }),
        el("td", { textContent: q.passed ? "passed" : (q.knockout ? "knock-out" : "not passed") }),
        el("td", { className: "num", textContent: q.score === null || q.score === undefined
          ? "–" : percent(q.score) }));
      tr.dataset.question = q.id;
      return tr;
    });
    const score = item.question_score === null || item.question_score === undefined
      ? "" : ` (question score ${Math.round(item.question_score)})`;
    return el("div", { className: "questions" },
      el("h4", { textContent: `Questionnaire answers${score}` }),
      el("table", {},
        el("thead", {}, el("tr", {}, ...["question", "answer", "result", "score"]
          .map((h) => el("th", { scope: "col", textContent: h })))),
        el("tbody", {}, ...rows)));
  }

  function summary(item, ctx) {
    const rank = ctx.rank(item.candidate_id);
    const applied = item.applied_at ? `applied ${when(item.applied_at)}` : "has not applied";
    return el("div", { className: "summary" },
      el("h3", { className: "name", textContent: `${rank ? `#${rank} ` : ""}Candidate ${short(item.candidate_id)}` }),
      el("output", { className: "score", textContent: item.score.toFixed(1) }),
      el("span", { className: `decision decision-${item.decision}`, textContent: item.decision }),
      el("span", { className: `badge status-${item.status}`, textContent: item.status }),
      el("span", { className: "small", textContent: `scored ${when(item.scored_at)}, ${applied}` }));
  }

  function statusButtons(card, item, ctx) {
    const group = el("div", { className: "status-buttons", role: "group" });
    group.setAttribute("aria-label", `Status of candidate ${short(item.candidate_id)}`);
    STATUSES.forEach(([status, label]) => {
      const button = el("button", { type: "button", textContent: label });
      button.dataset.status = status;
      button.setAttribute("aria-pressed", String(item.status === status));
      button.disabled = !ctx.mayChangeStatus;
      button.addEventListener("click", async () => {
        group.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        try {
          const changed = await api(ctx.candidatePath(item.candidate_id),
            { method: "PATCH", json: { status } });
          ctx.changed(changed);
          ctx.notice(`candidate ${short(item.candidate_id)}: ${status}`);
        } catch (error) {
          ctx.notice(`status not changed: ${error.message}`, true);
        } finally {
          card.querySelectorAll(".status-buttons button").forEach((b) => { b.disabled = !ctx.mayChangeStatus; });
          // The buttons were drawn anew: the keyboard stays where it was.
          card.querySelector(`.status-buttons button[data-status="${status}"]`).focus();
        }
      });
      group.append(button);
    });
    return group;
  }

  // The parts a new score or status replaces; the sections below them keep what was typed.
  function fill(card, item, ctx) {
    card.dataset.status = item.status;
    card.dataset.score = String(item.score);
    const scored = card.querySelector(".scored");
    scored.replaceChildren(summary(item, ctx), breakdownChart(item.breakdown),
      el("div", { className: "skill-lists" },
        skills("Matched skills", item.matched_skills, "matched"),
        skills("Missing skills", item.missing_skills, "missing")),
      item.explanation && item.explanation.length
        ? el("ul", { className: "explanation" }, ...item.explanation.map((line) => el("li", { textContent: line })))
        : null,
      questions(item),
      statusButtons(card, item, ctx));
  }

  // A <details> whose list loads the first time it is opened, and again on `reload`; its form
  // (made by `form(section)`) stays as typed.
  function lazySection(title, cls, load, form) {
    const body = el("div", { className: "section-body" });
    const section = el("details", { className: cls }, el("summary", { textContent: title }), body);
    section.append(form(section));
    let loaded = false;
    section.reload = async () => {
      try {
        await load(body);
      } catch (error) {
        body.replaceChildren(el("p", { className: "bad", textContent: `${title}: ${error.message}` }));
      }
    };
    section.addEventListener("toggle", () => {
      if (section.open && !loaded) { loaded = true; section.reload(); }
    });
    return section;
  }

  // `call` to the API; on success say `done` and load the section's list again, else say what
  // went wrong. The call's answer, or null when it failed.
  async function act(ctx, section, call, done, failed) {
    try {
      const answer = await call();
      ctx.notice(done);
      await section.reload();
      return answer;
    } catch (error) {
      ctx.notice(`${failed}: ${error.message}`, true);
      return null;
    }
  }

  // `items` as a list of `render`ed entries, or a line saying there are none.
  function listOr(items, cls, render, none) {
    return items.length ? el("ul", { className: cls }, ...items.map(render))
      : el("p", { className: "empty", textContent: none });
  }

  let uniqueId = 0;
  function field(label, input) {
    input.id = input.id || `f${++uniqueId}`;
    return el("div", { className: "field" }, el("label", { htmlFor: input.id, textContent: label }), input);
  }

  function notesSection(item, ctx) {
    const path = `${ctx.candidatePath(item.candidate_id)}/notes`;
    const section = lazySection("Notes", "notes", async (body) => {
      const { items } = await api(path);
      body.replaceChildren(listOr(items, "note-list", (note) => noteItem(note, ctx, section), "No notes yet."));
    }, (section) => {
      const text = el("textarea", { rows: 3, required: true, maxLength: 20000 });
      const form = el("form", { className: "note-form" },
        field("New note (mention colleagues with @email)", text),
        el("button", { type: "submit", textContent: "Add note" }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const added = await act(ctx, section, () => api(path, { method: "POST", json: { body: text.value } }),
          "note added", "note not added");
        if (added) text.value = "";
      });
      return form;
    });
    return section;
  }

  function noteItem(note, ctx, section) {
    const edited = note.edited_at ? ` · edited ${when(note.edited_at)}` : "";
    const author = note.author_id === ctx.user ? "you" : short(note.author_id);
    const li = el("li", {}, el("p", { className: "note-body", textContent: note.body }),
      el("p", { className: "small", textContent: `${author} · ${when(note.created_at)}${edited}` }));
    li.dataset.note = note.note_id;
    if (note.author_id === ctx.user) {
      const edit = el("button", { type: "button", textContent: "Edit" });
      edit.setAttribute("aria-label", "Edit your note");
      edit.addEventListener("click", () => {
        const text = el("textarea", { rows: 3, value: note.body, required: true });
        const form = el("form", {}, field("Edit note", text),
          el("button", { type: "submit", textContent: "Save note" }));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          act(ctx, section, () => api(`/api/v1/notes/${note.note_id}`, { method: "PATCH", json: { body: text.value } }),
            "note saved", "note not saved");
        });
        li.replaceChildren(form);
        text.focus();
      });
      li.append(edit);
    }
    li.append(historyToggle(note, ctx, li));
    return li;
  }

  // The note's revisions, the first one first, shown under it on demand.
  function historyToggle(note, ctx, li) {
    const list = el("ol", { className: "note-history", hidden: true });
    list.id = `f${++uniqueId}`;
    const button = el("button", { type: "button", textContent: "History" });
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", list.id);
    button.addEventListener("click", async () => {
      if (!list.hidden) {
        list.hidden = true;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      try {
        const { items } = await api(`/api/v1/notes/${note.note_id}/history`);
        list.replaceChildren(...items.map((revision) => revisionItem(revision, ctx)));
        list.hidden = false;
        button.setAttribute("aria-expanded", "true");
      } catch (error) {
        ctx.notice(`note history not loaded: ${error.message}`, true);
      }
    });
    return el("div", { className: "history" }, button, list);
  }

  function revisionItem(revision, ctx) {
    const writer = revision.written_by === ctx.user ? "you" : short(revision.written_by);
    const li = el("li", {},
      el("p", { className: "small", textContent: `revision ${revision.revision} · ${writer} · ${when(revision.written_at)}` }),
      el("p", { className: "note-body", textContent: revision.body }));
    li.dataset.revision = String(revision.revision);
    return li;
  }

  // `local` (a datetime-local value) in the IANA `zone`, as ISO 8601 with that zone's offset.
  function zonedIso(local, zone) {
    const offsetAt = (instant) => {
      const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
        .formatToParts(instant).find((p) => p.type === "timeZoneName").value;
      const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
      return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    };
    const asUtc = new Date(`${local}:00Z`);
    let offset = offsetAt(asUtc);
    offset = offsetAt(new Date(asUtc.getTime() - offset * 60000));
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    const pad = (n) => String(n).padStart(2, "0");
    return `${local}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  function zoneSelect(chosen) {
    const here = chosen || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [here];
    const select = el("select", {}, ...(zones.includes(here) ? zones : [here, ...zones])
      .map((zone) => el("option", { value: zone, textContent: zone, selected: zone === here })));
    return select;
  }

  function interviewsSection(item, ctx) {
    const jobPath = `/api/v1/jobs/${ctx.jobId}/interviews`;
    const section = lazySection("Interviews", "interviews", async (body) => {
      const { items } = await api(jobPath);
      const mine = items.filter((i) => i.candidate_id === item.candidate_id);
      body.replaceChildren(listOr(mine, "interview-list", (i) => interviewItem(i, ctx, section),
        "No interviews scheduled."));
    }, (section) => scheduler(item, ctx, section));
    return section;
  }

  function interviewItem(interview, ctx, section) {
    const place = interview.link || interview.location || "";
    // starts_at comes in the interview's own zone: its wall-clock time is shown with that zone.
    const local = interview.starts_at.slice(0, 16).replace("T", " ");
    const li = el("li", { className: `interview status-${interview.status}` },
      el("span", { textContent: `${interview.kind.replace("_", " ")} · ${local} `
        + `(${interview.time_zone}) · ${interview.duration_min} min${place ? ` · ${place}` : ""} · ${interview.status}` }));
    li.dataset.interview = interview.interview_id;
    if (interview.status === "scheduled") {
      for (const [action, label] of [["cancel", "Cancel"], ["complete", "Mark done"]]) {
        const button = el("button", { type: "button", textContent: label });
        button.addEventListener("click", () => act(ctx, section,
          () => api(`/api/v1/interviews/${interview.interview_id}/${action}`, { method: "POST" }),
          `interview ${action === "cancel" ? "cancelled" : "completed"}`, "interview not changed"));
        li.append(button);
      }
      const move = el("button", { type: "button", textContent: "Reschedule" });
      move.addEventListener("click", () => {
        move.disabled = true;
        const form = rescheduler(interview, ctx, section);
        li.append(form);
        form.querySelector("input").focus();
      });
      li.append(move);
    }
    return li;
  }

  // A new time, zone and length for a scheduled interview, filled with the ones it has.
  function rescheduler(interview, ctx, section) {
    const starts = el("input", { type: "datetime-local", required: true,
                                 value: interview.starts_at.slice(0, 16) });
    const zone = zoneSelect(interview.time_zone);
    const duration = el("input", { type: "number", min: 5, max: 480, step: 5,
                                   value: interview.duration_min, required: true });
    const form = el("form", { className: "rescheduler" },
      field("New start", starts), field("Zone", zone), field("Length in min", duration),
      el("button", { type: "submit", textContent: "Save new time" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await act(ctx, section, () => api(`/api/v1/interviews/${interview.interview_id}`, {
        method: "PATCH",
        json: { starts_at: zonedIso(starts.value, zone.value), time_zone: zone.value,
                duration_min: Number(duration.value) },
      }), "interview rescheduled", "interview not rescheduled");
    });
    return form;
  }

  function scheduler(item, ctx, section) {
    const kind = el("select", {}, ...[["video", "video call"], ["phone", "phone"], ["in_person", "in person"]]
      .map(([value, text]) => el("option", { value, textContent: text })));
    const starts = el("input", { type: "datetime-local", required: true });
    const zone = zoneSelect();
    const duration = el("input", { type: "number", min: 5, max: 480, step: 5, value: 45, required: true });
    const location = el("input", { maxLength: 500 });
    const link = el("input", { type: "url", maxLength: 2000 });
    const interviewers = el("input", { value: ctx.user, required: true });
    const form = el("form", { className: "scheduler" },
      field("Kind", kind), field("Starts at", starts), field("Time zone", zone),
      field("Minutes", duration), field("Place", location), field("Meeting link", link),
      field("Interviewers (user ids, comma separated)", interviewers),
      el("button", { type: "submit", textContent: "Schedule interview" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        kind: kind.value, starts_at: zonedIso(starts.value, zone.value), time_zone: zone.value,
        duration_min: Number(duration.value),
        interviewer_ids: interviewers.value.split(",").map((s) => s.trim()).filter(Boolean),
      };
      if (location.value) body.location = location.value;
      if (link.value) body.link = link.value;
      await act(ctx, section,
        () => api(`${ctx.candidatePath(item.candidate_id)}/interviews`, { method: "POST", json: body }),
        "interview scheduled", "interview not scheduled");
    });
    return form;
  }

  function shareSection(item, ctx) {
    const path = `${ctx.candidatePath(item.candidate_id)}/links`;
    const section = lazySection("Share", "share", async (body) => {
      const { items } = await api(path);
      body.replaceChildren(listOr(items, "link-list", (link) => linkItem(link, ctx, section), "Not shared yet."));
    }, (section) => shareForm(path, ctx, section));
    return section;
  }

  function linkItem(link, ctx, section) {
    const state = link.revoked_at ? `revoked ${when(link.revoked_at)}` : `expires ${when(link.expires_at)}`;
    const li = el("li", {}, el("span", { textContent: `${state} · ${link.views} view(s) ` }));
    li.dataset.link = link.link_id;
    if (!link.revoked_at) {
      const revoke = el("button", { type: "button", textContent: "Revoke" });
      revoke.addEventListener("click", () => act(ctx, section,
        () => api(`/api/v1/links/${link.link_id}`, { method: "DELETE" }), "link revoked", "link not revoked"));
      li.append(revoke);
    }
    return li;
  }

  function shareForm(path, ctx, section) {
    const expires = el("select", {}, ...[[86400, "1 day"], [604800, "7 days"], [2592000, "30 days"]]
      .map(([value, text]) => el("option", { value, textContent: text, selected: value === 604800 })));
    const boxes = HIDEABLE.map(([name, hidden]) => {
      const box = el("input", { type: "checkbox", value: name, checked: hidden });
      box.id = `f${++uniqueId}`;
      return el("span", { className: "check" }, box, el("label", { htmlFor: box.id, textContent: name }));
    });
    const url = el("input", { readOnly: true, className: "share-url" });
    const copy = el("button", { type: "button", textContent: "Copy link", hidden: true });
    copy.addEventListener("click", () => navigator.clipboard.writeText(url.value)
      .then(() => ctx.notice("link copied"), () => { url.select(); }));
    const result = el("div", { className: "share-result", hidden: true }, field("Link to share", url), copy);
    const form = el("form", { className: "share-form" }, field("Expires after", expires),
      el("fieldset", {}, el("legend", { textContent: "Hide from the viewer" }), ...boxes),
      el("button", { type: "submit", textContent: "Create link" }), result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const hidden = [...form.querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value);
      const made = await act(ctx, section, () => api(path, { method: "POST",
        json: { expires_in_s: Number(expires.value), hidden_fields: hidden } }), "link created", "link not created");
      if (!made) return;
      url.value = new URL(made.url, location.origin).href;
      result.hidden = false;
      copy.hidden = false;
      url.focus();
      url.select();
    });
    return form;
  }

  function card(item, ctx) {
    const li = el("li", { className: "candidate" }, el("div", { className: "scored" }));
    li.dataset.candidate = item.candidate_id;
    fill(li, item, ctx);
    const sections = [];
    if (ctx.features.has("notes")) sections.push(notesSection(item, ctx));
    if (ctx.features.has("interviews")) sections.push(interviewsSection(item, ctx));
    if (ctx.features.has("links")) sections.push(shareSection(item, ctx));
    if (sections.length) li.append(el("div", { className: "sections" }, ...sections));
    return li;
  }

  return { api, refreshed, el, when, card, fill };
})();
