// The live page: quotes and alerts from the SSE feeds, built with DOM nodes and textContent only
// (live-blog text is untrusted and is never parsed as HTML).
"use strict";

(function () {
  const MAX_ITEMS = 500;
  const quotesEl = document.getElementById("quotes");
  const alertsEl = document.getElementById("alerts");
  const statusEl = document.getElementById("status");
  const form = document.getElementById("filter-form");
  const input = document.getElementById("filter");
  const errorEl = document.getElementById("filter-error");
  let quotesSource = null;
  let alertsSource = null;
  const colours = new Map();

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function colourClass(speaker) {
    if (!speaker || !speaker.id) return "sp-none";
    if (!colours.has(speaker.id)) colours.set(speaker.id, "sp-" + (colours.size % 8));
    return colours.get(speaker.id);
  }

  function when(iso) {
    if (!iso) return "--:--";
    const d = new Date(iso);
    return isNaN(d) ? "--:--" : d.toISOString().slice(11, 16) + " UTC";
  }

  // text with the matched ranges in <mark>, every piece a text node
  function highlighted(cls, text, matches) {
    const node = el("span", cls);
    const ranges = (matches || [])
      .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.end) && m.start < m.end)
      .sort((a, b) => a.start - b.start);
    let at = 0;
    for (const m of ranges) {
      if (m.start < at || m.end > text.length) continue;
      node.appendChild(document.createTextNode(text.slice(at, m.start)));
      node.appendChild(el("mark", null, text.slice(m.start, m.end)));
      at = m.end;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  }

  function entryLink(entryId) {
    const a = el("a", null, "entry");
    a.href = "/entries/" + encodeURIComponent(String(entryId));
    return a;
  }

  function push(list, item) {
    list.insertBefore(item, list.firstChild);
    while (list.childElementCount > MAX_ITEMS) list.removeChild(list.lastChild);
  }

  function showQuote(q, id) {
    const li = el("li", "quote " + colourClass(q.speaker));
    li.dataset.quoteId = String(q.quote_id || "");
    li.dataset.eventId = String(id || "");
    li.appendChild(highlighted("quote-text", String(q.text || ""), q.matches));
    const meta = el("span", "meta");
    meta.appendChild(el("span", "speaker", q.speaker ? q.speaker.name : "unattributed"));
    meta.appendChild(document.createTextNode(" · " + when(q.published_at) + " · "));
    meta.appendChild(entryLink(q.entry_id));
    li.appendChild(meta);
    push(quotesEl, li);
  }

  function showAlert(a, id) {
    const li = el("li", "alert " + colourClass(a.speaker));
    li.dataset.alertId = String(a.alert_id || "");
    li.dataset.eventId = String(id || "");
    const head = el("span", "meta");
    head.appendChild(el("span", "sub-id", a.subscription_id));
    if (a.speaker) {
      head.appendChild(document.createTextNode(" · "));
      head.appendChild(el("span", "speaker", a.speaker.name));
    }
    if (a.digest_count) head.appendChild(document.createTextNode(" · digest of " + a.digest_count));
    li.appendChild(head);
    li.appendChild(highlighted("quote-text", String(a.text || "").slice(0, 600), a.matches));
    const meta = el("span", "meta", when(a.published_at) + " · ");
    meta.appendChild(entryLink(a.entry_id));
    li.appendChild(meta);
    push(alertsEl, li);
  }

  function status(text, live) {
    statusEl.textContent = text;
    statusEl.className = "status" + (live ? " live" : "");
  }

  function parse(ev) {
    try {
      return JSON.parse(ev.data);
    } catch (e) {
      return null;
    }
  }

  function connectQuotes(filter) {
    if (quotesSource) quotesSource.close();
    while (quotesEl.firstChild) quotesEl.removeChild(quotesEl.firstChild);
    const url = "/feeds/quotes?backlog=100" + (filter ? "&filter=" + encodeURIComponent(filter) : "");
    quotesSource = new EventSource(url);
    quotesSource.addEventListener("open", () => status("live", true));
    quotesSource.addEventListener("error", () => status("reconnecting…", false));
    quotesSource.addEventListener("quote", (ev) => {
      const q = parse(ev);
      if (q) showQuote(q, ev.lastEventId);
    });
  }

  function connectAlerts() {
    alertsSource = new EventSource("/feeds/alerts?backlog=50");
    alertsSource.addEventListener("alert", (ev) => {
      const a = parse(ev);
      if (a) showAlert(a, ev.lastEventId);
    });
  }

  async function apply(filter) {
    errorEl.textContent = "";
    if (filter) {
      const resp = await fetch("/api/filters/check?filter=" + encodeURIComponent(filter));
      if (!resp.ok) {
        const body = await resp.json().catch(() => ({ error: "invalid filter" }));
        const where = Number.isInteger(body.position) ? " (at " + body.position + ")" : "";
        errorEl.textContent = String(body.error || "invalid filter") + where;
        return;
      }
    }
    const params = new URLSearchParams(window.location.search);
    if (filter) params.set("filter", filter);
    else params.delete("filter");
    const query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    connectQuotes(filter);
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply(input.value.trim());
  });

  const initial = new URLSearchParams(window.location.search).get("filter") || "";
  input.value = initial;
  apply(initial);
  connectAlerts();
})();
