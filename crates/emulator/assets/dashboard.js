// The dashboard's only script: the journal table's live update. It asks the dashboard for the
// entries after the newest row every two seconds (with the page's filters) and adds them at
// the top. Every value goes in with textContent, never as HTML. Without JavaScript the page
// reads the same, without the updates.
"use strict";

(function () {
  const table = document.getElementById("journal");
  const live = document.getElementById("live");
  if (!table || !live) {
    return;
  }
  const body = table.tBodies[0];
  let after = Number(table.dataset.after || "0");
  const filters = new URLSearchParams(window.location.search);
  filters.delete("before");

  function statusClass(status) {
    if (status < 300) return "ok";
    if (status < 400) return "redirect";
    if (status < 500) return "client";
    return "server";
  }

  function latency(us) {
    return us >= 10000 ? Math.floor(us / 1000) + " ms" : (us / 1000).toFixed(1) + " ms";
  }

  function cell(row, content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function rowOf(e) {
    const tr = document.createElement("tr");
    tr.className = "new";
    const link = el("a", e.at);
    link.href = "/__dashboard/requests/" + encodeURIComponent(e.requestId);
    cell(tr, link, "time");
    const status = cell(tr, el("span", String(e.status), "status " + statusClass(e.status)));
    if (e.reasonCode) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(el("span", e.reasonCode, "reason"));
    }
    if (e.replayed) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(el("span", "replayed", "tag"));
    }
    cell(tr, e.operation || "");
    cell(tr, el("code", e.method + " " + e.path));
    cell(tr, el("code", e.merchantId || ""));
    cell(tr, latency(e.latencyUs), "num");
    return tr;
  }

  async function poll() {
    if (!live.checked || document.hidden) return;
    filters.set("after", String(after));
    const answer = await fetch("/__dashboard/journal.json?" + filters.toString(), {
      credentials: "same-origin",
      headers: { accept: "application/json" },
    });
    if (!answer.ok) return;
    const page = await answer.json();
    for (const e of page.entries) {
      body.insertBefore(rowOf(e), body.firstChild);
      after = Math.max(after, e.id);
    }
    if (page.entries.length > 0) {
      const empty = document.getElementById("empty");
      if (empty) empty.remove();
    }
  }

  window.setInterval(() => { poll().catch(() => {}); }, 2000);
})();
