"use strict";
const $ = (id) => document.getElementById(id);
const cell = (text) => Object.assign(document.createElement("td"), { textContent: text });
const toLogin = () => location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
let refreshing = null;
const refreshSession = () => refreshing = refreshing || fetch("/api/v1/auth/refresh", { method: "POST" })
  .then((r) => r.ok, () => false).finally(() => { refreshing = null; });
async function call(url) {
  let response = await fetch(url, { credentials: "same-origin" });
  if (response.status === 401) {
    if (!await refreshSession()) { toLogin(); return response; }
    response = await fetch(url, { credentials: "same-origin" });
  }
  return response;
}

const opened = new Set();  // ids whose body is shown; kept across refreshes
function rows(message) {
  const row = document.createElement("tr");
  row.className = "message";
  row.dataset.id = message.id;
  row.append(cell(new Date(message.received_at).toLocaleString()),
    cell(message.recipients.join(", ")), cell(message.subject));
  const body = document.createElement("tr");
  const text = Object.assign(document.createElement("td"), { colSpan: 3 });
  text.append(Object.assign(document.createElement("pre"), { textContent: message.body }));
  body.append(text);
  body.className = "body";
  body.hidden = !opened.has(message.id);
  row.onclick = () => {
    body.hidden = !body.hidden;
    if (body.hidden) opened.delete(message.id); else opened.add(message.id);
  };
  return [row, body];
}

async function refresh() {
  const response = await call("/api/v1/mail");
  if (!response.ok) { $("notice").textContent = `refused (${response.status})`; return; }
  const data = await response.json();
  $("notice").textContent = data.messages.length ? "" : "no e-mail sent yet";
  $("messages").replaceChildren(...data.messages.flatMap(rows));
}
$("logout").onclick = async (e) => {
  e.preventDefault();
  await fetch("/api/v1/auth/logout", { method: "POST" });
  toLogin();
};
setInterval(refresh, 3000);
refresh();
