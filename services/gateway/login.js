"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// Where to go after logging in: `next` resolved as the browser will resolve it (tabs and
// newlines dropped, backslashes read as slashes), kept only if it stays on this origin.
function sameOriginTarget(asked) {
  if (!asked) return "";
  try {
    const url = new URL(asked, location.origin);
    return url.origin === location.origin ? url.href : "";
  } catch (error) {
    return "";
  }
}

const next = sameOriginTarget(params.get("next"));
const home = { reviewer: "/review", supervisor: "/supervisor", admin: "/supervisor",
               operator: "/operators", candidate: "/docs", recruiter: "/recruiting",
               hiring_manager: "/recruiting", company_admin: "/recruiting" };
const go = (role) => location.replace(next || home[role] || "/docs");

if (params.get("denied")) {
  $("message").textContent = "Your account may not open that page; log in as someone who may.";
} else {
  // An expired access token with a live refresh cookie: go straight back, no form needed.
  fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" })
    .then(async (response) => { if (response.ok) go((await response.json()).user.role); })
    .catch(() => {});
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("submit").disabled = true;
  $("message").textContent = "";
  try {
    const response = await fetch("/api/v1/auth/login", {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: $("email").value, password: $("password").value,
                             use_cookies: true }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) { go(body.user.role); return; }
    $("message").textContent = (body.error && body.error.message) || `login failed (${response.status})`;
  } catch (error) {
    $("message").textContent = "the server cannot be reached; try again";
  } finally {
    $("submit").disabled = false;
  }
});
