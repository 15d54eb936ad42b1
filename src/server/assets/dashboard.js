// The mlosbench dashboard: reads the API (/api/v1/...) and polls it while experiments run.
// Everything is built with DOM calls and textContent (stored text never becomes markup).
(function () {
  "use strict";
  const POLL_MS = Number(new URLSearchParams(location.search).get("poll")) || 2000;
  const FINISHED = ["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED"];
  const app = () => document.getElementById("app");
  let timer = null;
  let charts = {};
  let reasons = {}; // "exp/trial" -> reason of a failed trial (it does not change)
  let sortKey = { key: "trial_id", dir: 1 };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "onclick") node.addEventListener("click", v);
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      node.append(c instanceof Node ? c : document.createTextNode(c == null ? "-" : String(c)));
    }
    return node;
  }

  async function api(path) {
    const headers = {};
    const token = sessionStorage.getItem("mlosbench-token");
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch("/api/v1" + path, { headers, cache: "no-store" });
    const body = await response.json();
    if (response.status === 401) throw { needsToken: true, message: body.error.message };
    if (!response.ok) throw { message: body.error ? body.error.message : response.statusText };
    return body;
  }

  function showError(e) {
    const box = document.getElementById("status");
    box.replaceChildren();
    if (e && e.needsToken) {
      const input = el("input", { type: "password", id: "token", placeholder: "token" });
      const form = el("form", {}, "This server needs its token to read: ", input, el("button", {}, "use"));
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        sessionStorage.setItem("mlosbench-token", input.value);
        route();
      });
      box.append(form);
    } else {
      box.append(el("span", { class: "error" }, e && e.message ? e.message : String(e)));
    }
  }

  function fmt(v) {
    if (v === null || v === undefined) return "-";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, "");
    return String(v);
  }

  function statusCounts(byStatus) {
    const span = el("span", { class: "counts" });
    for (const [name, n] of Object.entries(byStatus || {})) {
      span.append(el("span", { class: "badge s-" + name.toLowerCase() }, name + " " + n));
    }
    return span;
  }

  // --- The list of experiments ---------------------------------------------------------
  async function listView() {
    const data = await api("/experiments");
    const rows = data.experiments.map((e) =>
      el("tr", { "data-exp": e.exp_id },
        el("td", {}, el("a", { href: "#/exp/" + encodeURIComponent(e.exp_id) }, e.exp_id)),
        el("td", {}, e.status), el("td", { class: "num" }, e.trials.total),
        el("td", {}, statusCounts(e.trials.by_status)),
        el("td", {}, e.best ? e.best.metric + " = " + fmt(e.best.score) + " (trial " + e.best.trial_id + ")" : "-"),
        el("td", {}, e.ts_start), el("td", {}, e.ts_end)));
    const table = el("table", { id: "experiments" },
      el("thead", {}, el("tr", {}, ...["experiment", "status", "trials", "by status", "best", "start", "end"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows));
    const main = app();
    main.replaceChildren(el("h1", {}, "Experiments"), table);
    if (data.experiments.length === 0) main.append(el("p", { class: "note" }, "no experiments in this storage yet"));
    return data.experiments.some((e) => e.status === "RUNNING" || e.status === "PENDING");
  }

  // --- One experiment ------------------------------------------------------------------
  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (typeof Chart === "undefined" || !canvas) return;
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update("none");
      return;
    }
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    charts[id] = new Chart(canvas, config);
  }

  function scoreCharts(exp, frame) {
    const objective = exp.objectives[0];
    if (!objective) return;
    const key = "result." + objective.name;
    const better = objective.direction === "max" ? Math.max : Math.min;
    const points = [];
    const best = [];
    let sofar = null;
    for (const row of frame) {
      const v = row[key];
      if (row.status !== "SUCCEEDED" || typeof v !== "number") continue;
      sofar = sofar === null ? v : better(sofar, v);
      points.push({ x: row.trial_id, y: v });
      best.push({ x: row.trial_id, y: sofar });
    }
    chart("chart-score", {
      type: "scatter",
      data: { datasets: [
        { label: objective.name, data: points, backgroundColor: "#1f77b4" },
        { label: "best so far", data: best, type: "line", stepped: true, borderColor: "#2ca02c", pointRadius: 0 } ] },
      options: { scales: { x: { title: { display: true, text: "trial" } }, y: { title: { display: true, text: objective.name } } } },
    });
    const tunables = Object.keys(frame[0] || {}).filter((k) => k.startsWith("config."));
    const holder = document.getElementById("tunable-charts");
    for (const t of tunables) {
      const id = "chart-" + t;
      if (!document.getElementById(id)) {
        holder.append(el("div", { class: "chart small" }, el("canvas", { id })));
      }
      const numeric = frame.every((r) => r[t] === null || r[t] === undefined || typeof r[t] === "number");
      const data = frame.filter((r) => r.status === "SUCCEEDED" && typeof r[key] === "number")
        .map((r) => ({ x: numeric ? r[t] : String(r[t]), y: r[key] }));
      chart(id, {
        type: "scatter",
        data: { datasets: [{ label: t.slice(7) + " vs " + objective.name, data, backgroundColor: "#ff7f0e" }] },
        options: { scales: { x: numeric ? { title: { display: true, text: t.slice(7) } }
                                        : { type: "category", labels: [...new Set(data.map((d) => d.x))].sort() } } },
      });
    }
  }

  function trialsTable(expId, trials, frame) {
    const configs = {};
    for (const r of frame) configs[r.trial_id] = r;
    const rows = trials.slice().sort((a, b) => {
      const x = a[sortKey.key], y = b[sortKey.key];
      return (x === y ? a.trial_id - b.trial_id : (x === null ? -1 : y === null ? 1 : x < y ? -1 : 1)) * sortKey.dir;
    });
    const headers = [["trial_id", "trial"], ["status", "status"], ["trial_runner_id", "runner"],
      ["ts_start", "start"], ["duration_s", "duration (s)"], ["config", "config"], ["results", "results"], ["reason", "reason"]];
    const head = el("tr", {}, ...headers.map(([key, label]) => {
      const th = el("th", { "data-key": key }, label + (sortKey.key === key ? (sortKey.dir > 0 ? " ▲" : " ▼") : ""));
      if (!["config", "results", "reason"].includes(key)) {
        th.classList.add("sortable");
        th.addEventListener("click", () => {
          sortKey = { key, dir: sortKey.key === key ? -sortKey.dir : 1 };
          route();
        });
      }
      return th;
    }));
    const body = rows.map((t) => {
      const config = configs[t.trial_id] || {};
      const cfg = Object.keys(config).filter((k) => k.startsWith("config.")).map((k) => k.slice(7) + "=" + fmt(config[k])).join(" ");
      const res = Object.entries(t.results || {}).map(([k, v]) => k + "=" + fmt(v)).join(" ");
      const reason = reasons[expId + "/" + t.trial_id];
      return el("tr", { class: "s-" + t.status.toLowerCase(), "data-trial": t.trial_id },
        el("td", { class: "num" }, t.trial_id), el("td", {}, t.status), el("td", { class: "num" }, t.trial_runner_id),
        el("td", {}, t.ts_start), el("td", { class: "num" }, t.duration_s === null ? "-" : t.duration_s.toFixed(3)),
        el("td", {}, cfg || "-"), el("td", {}, res || "-"), el("td", { class: "reason" }, reason || ""));
    });
    return el("table", { id: "trials" }, el("thead", {}, head), el("tbody", {}, ...body));
  }

  async function failedReasons(expId, trials) {
    const missing = trials.filter((t) => ["FAILED", "TIMED_OUT", "CANCELED"].includes(t.status) && !(expId + "/" + t.trial_id in reasons));
    await Promise.all(missing.slice(0, 20).map(async (t) => {
      const detail = await api("/experiments/" + encodeURIComponent(expId) + "/trials/" + t.trial_id);
      reasons[expId + "/" + t.trial_id] = detail.reason || "";
    }));
  }

  async function runningTelemetry(expId, running) {
    const box = el("div", { id: "running" });
    for (const t of running.slice(0, 10)) {
      const data = await api("/experiments/" + encodeURIComponent(expId) + "/trials/" + t.trial_id + "/metrics?results=false&last=1");
      const items = data.metrics.map((m) => el("li", {}, m.metric + " = " + fmt(m.value) + " at " + m.ts + (m.metadata ? " (" + m.metadata + ")" : "")));
      box.append(el("div", { class: "trial-live", "data-trial": t.trial_id },
        el("h3", {}, "trial " + t.trial_id + " " + t.status + " since " + (t.ts_start || "-")),
        items.length ? el("ul", {}, ...items) : el("p", { class: "note" }, "no telemetry yet")));
    }
    return box;
  }

  async function experimentView(expId) {
    const path = "/experiments/" + encodeURIComponent(expId);
    const data = await api(path);
    const frameResponse = await fetch("/api/v1" + path + "/export?format=json", { cache: "no-store",
      headers: sessionStorage.getItem("mlosbench-token") ? { Authorization: "Bearer " + sessionStorage.getItem("mlosbench-token") } : {} });
    const frame = frameResponse.ok ? await frameResponse.json() : [];
    await failedReasons(expId, data.trials);
    const exp = data.experiment;
    const finished = data.trials.filter((t) => FINISHED.includes(t.status)).length;
    const running = data.trials.filter((t) => !FINISHED.includes(t.status));
    const runningBox = await runningTelemetry(expId, running);
    // Everything is read: the page changes at once, never half old and half new.
    const main = app();
    if (main.getAttribute("data-exp") !== expId) {
      charts = {};
      main.replaceChildren(
        el("p", {}, el("a", { href: "#/" }, "← experiments")),
        el("h1", {}, "Experiment " + expId),
        el("p", { id: "summary" }),
        el("div", { class: "chart" }, el("canvas", { id: "chart-score" })),
        el("div", { id: "tunable-charts", class: "charts" }),
        el("h2", {}, "Running trials"), el("div", { id: "running" }),
        el("h2", {}, "Trials"), el("div", { id: "trials-holder" }));
      main.setAttribute("data-exp", expId);
    }
    const best = exp.best ? exp.best.metric + " = " + fmt(exp.best.score) + " (trial " + exp.best.trial_id + ")" : "none yet";
    document.getElementById("summary").replaceChildren(
      el("span", {}, exp.status + " · "),
      el("span", { id: "trial-count" }, String(finished)), el("span", {}, " of " + data.trials.length + " trials finished · "),
      statusCounts(exp.trials.by_status), el("span", {}, " · best " + best));
    scoreCharts(exp, frame);
    document.getElementById("running").replaceWith(runningBox);
    if (!running.length) document.getElementById("running").append(el("p", { class: "note" }, "none"));
    document.getElementById("trials-holder").replaceChildren(trialsTable(expId, data.trials, frame));
    return exp.status === "RUNNING" || exp.status === "PENDING" || running.length > 0;
  }

  async function route() {
    clearTimeout(timer);
    const started = Date.now();
    const match = location.hash.match(/^#\/exp\/(.+)$/);
    const status = document.getElementById("status");
    try {
      const live = match ? await experimentView(decodeURIComponent(match[1])) : await listView();
      status.replaceChildren(el("span", {}, (live ? "live · " : "") + "updated " + new Date().toLocaleTimeString()));
      document.body.setAttribute("data-updated", String(Date.now()));
    } catch (e) {
      showError(e);
    }
    // A big experiment takes the server a while to read: wait at least 4 times as long as
    // this update took, so that each open page keeps the server busy a fifth of the time at most.
    timer = setTimeout(route, Math.max(POLL_MS, 4 * (Date.now() - started)));
  }

  window.addEventListener("hashchange", () => { document.getElementById("app").removeAttribute("data-exp"); route(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) route(); });
  document.addEventListener("DOMContentLoaded", route);
})();
