// The quote desk: a timeline of entries with their quotes marked in place, a quotes view with
// context, speakers with counts, alerts with their delivery state and the status of the sources.
// Every node is built with DOM calls and textContent: live-blog text is untrusted and is never
// parsed as HTML. Colours come from the speaker's id, so a speaker keeps one in every view.
"use strict";

(function () {
  const MAX_ITEMS = 500;
  const $ = (id) => document.getElementById(id);
  const timelineEl = $("timeline");
  const quotesEl = $("quotes");
  const alertsEl = $("alerts");
  const speakersEl = $("speakers");
  const sourcesEl = $("sources");
  const statusEl = $("status");
  const form = $("filter-form");
  const input = $("filter");
  const errorEl = $("filter-error");
  const blogEl = $("blog");
  const pausedEl = $("paused");
  const quotesEmpty = $("quotes-empty");
  const timelineEmpty = $("timeline-empty");
  const mainEl = document.querySelector("main");

  const state = { filter: "", blog: "", entries: new Map(), quotes: new Map(), pending: [] };
  let quotesSource = null;
  let entriesSource = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // FNV-1a over the id: the same speaker has the same colour in every view and every session
  function hash(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  function colour(node, speaker) {
    if (!speaker || !speaker.id) {
      node.classList.add("sp-none");
      return node;
    }
    const h = hash(String(speaker.id));
    node.classList.add("sp", "sp-" + h.toString(36));
    node.style.setProperty("--sp", "hsl(" + (h % 360) + " 65% 36%)");
    node.style.setProperty("--sp-bg", "hsl(" + (h % 360) + " 80% 93%)");
    return node;
  }

  // "14:02" and "UTC+02:00" from an ISO time: the blog's own zone, as the pipeline stored it
  function clock(iso) {
    const m = /T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(String(iso || ""));
    if (!m) return { hm: "--:--", zone: "" };
    const zone = !m[2] || m[2] === "Z" || m[2] === "+00:00" ? "UTC" : "UTC" + m[2];
    return { hm: m[1], zone: zone };
  }

  function timeNode(iso) {
    const t = clock(iso);
    const node = el("time", "when", t.hm);
    if (iso) node.dateTime = String(iso);
    node.title = t.zone ? t.hm + " " + t.zone + " (the blog's time)" : "";
    return node;
  }

  function entryLink(entryId, label) {
    const a = el("a", "entry-link", label || "entry");
    a.href = "/entries/" + encodeURIComponent(String(entryId));
    return a;
  }

  // text with ranges wrapped: each range [start, end, make] becomes make(slice)
  function spans(text, ranges) {
    const frag = document.createDocumentFragment();
    let at = 0;
    ranges.sort((a, b) => a[0] - b[0]);
    for (const [start, end, make] of ranges) {
      if (start < at || end > text.length || start >= end) continue;
      frag.appendChild(document.createTextNode(text.slice(at, start)));
      frag.appendChild(make(text.slice(start, end)));
      at = end;
    }
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  function highlighted(cls, text, matches) {
    const node = el("span", cls);
    const ranges = (matches || [])
      .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.end))
      .map((m) => [m.start, m.end, (s) => el("mark", null, s)]);
    node.appendChild(spans(text, ranges));
    return node;
  }

  // a paragraph of an entry with its quotes marked where they stand, each with its speaker
  function paragraph(text, quotes) {
    const p = el("p");
    const ranges = [];
    for (const q of quotes) {
      const at = q.text ? text.indexOf(q.text) : -1;
      if (at < 0) continue;
      ranges.push([at, at + q.text.length, (s) => {
        const mark = colour(el("q", "in-quote"), q.speaker);
        mark.appendChild(document.createTextNode(s));
        mark.dataset.quoteId = String(q.quote_id || "");
        const who = el("span", "who", q.speaker ? q.speaker.name : "unattributed");
        mark.appendChild(who);
        return mark;
      }]);
    }
    p.appendChild(spans(text, ranges));
    return p;
  }

  function paragraphs(body) {
    return String(body || "").split(/\n+/).map((s) => s.trim()).filter((s) => s);
  }

  function entryNode(e) {
    const li = el("li", "entry");
    li.dataset.entryId = String(e.entry_id || "");
    li.dataset.blogId = String(e.blog_id || "");
    const head = el("div", "entry-head");
    head.appendChild(timeNode(e.published_at));
    head.appendChild(el("span", "zone", clock(e.published_at).zone));
    if (!state.blog) head.appendChild(el("span", "blog-id", e.blog_id));
    if ((e.version || 1) > 1) head.appendChild(el("span", "edited", "edited"));
    head.appendChild(entryLink(e.entry_id, "open"));
    li.appendChild(head);
    if (e.headline) li.appendChild(el("h3", "headline", e.headline));
    const quotes = Array.isArray(e.quotes) ? e.quotes : [];
    for (const text of paragraphs(e.body)) li.appendChild(paragraph(text, quotes));
    return li;
  }

  // -- pause on scroll: while the reader is down the page, new items wait behind a button ---
  function reading() {
    return window.scrollY > 160;
  }

  function place(list, node, replace) {
    if (replace && replace.parentNode === list) {
      list.replaceChild(node, replace);
      return;
    }
    if (reading()) {
      state.pending.push([list, node]);
      pausedEl.textContent = state.pending.length + " new — show";
      pausedEl.hidden = false;
      return;
    }
    list.insertBefore(node, list.firstChild);
    while (list.childElementCount > MAX_ITEMS) list.removeChild(list.lastChild);
  }

  function flush() {
    const waiting = state.pending;
    state.pending = [];
    pausedEl.hidden = true;
    for (const [list, node] of waiting) list.insertBefore(node, list.firstChild);
    hints();
  }

  pausedEl.addEventListener("click", () => {
    flush();
    window.scrollTo(0, 0);
  });
  window.addEventListener("scroll", () => {
    if (!reading() && state.pending.length) flush();
  }, { passive: true });

  function hints() {
    timelineEmpty.hidden = timelineEl.childElementCount > 0;
    const none = quotesEl.childElementCount === 0 && !state.pending.length;
    quotesEmpty.hidden = !none;
    quotesEmpty.textContent = state.filter
      ? "Nothing matches “" + state.filter + "” yet: matching quotes appear here as they are said."
      : "No quotes yet: they appear here as the blog is written.";
  }

  function showEntry(e) {
    const id = String(e.entry_id || "");
    const known = state.entries.get(id);
    if (known && (known.data.version || 1) > (e.version || 1)) return;
    const node = entryNode(e);
    state.entries.set(id, { data: e, node: node });
    place(timelineEl, node, known ? known.node : null);
    hints();
  }

  function context(q, box) {
    const fill = (e) => {
      clear(box);
      if (!e) {
        box.appendChild(el("p", "hint", "The entry is not available."));
        return;
      }
      const head = el("p", "context-head");
      head.appendChild(timeNode(e.published_at));
      if (e.headline) head.appendChild(el("strong", null, " " + e.headline));
      box.appendChild(head);
      const quotes = Array.isArray(e.quotes) ? e.quotes : [];
      const paras = paragraphs(e.body);
      const mine = paras.filter((p) => q.text && p.indexOf(q.text) >= 0);
      for (const text of mine.length ? mine : paras.slice(0, 2)) {
        box.appendChild(paragraph(text, quotes));
      }
    };
    const known = state.entries.get(String(q.entry_id));
    if (known) return fill(known.data);
    fetch("/api/entries/" + encodeURIComponent(String(q.entry_id)))
      .then((r) => (r.ok ? r.json() : null))
      .then(fill)
      .catch(() => fill(null));
  }

  function quoteNode(q, id) {
    const li = colour(el("li", "quote"), q.speaker);
    li.dataset.quoteId = String(q.quote_id || "");
    li.dataset.eventId = String(id || "");
    li.appendChild(highlighted("quote-text", String(q.text || ""), q.matches));
    const meta = el("span", "meta");
    meta.appendChild(el("span", "speaker", q.speaker ? q.speaker.name : "unattributed"));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(timeNode(q.published_at));
    if (!state.blog) meta.appendChild(el("span", "blog-id", q.blog_id));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(entryLink(q.entry_id));
    const more = el("button", "more", "context");
    more.type = "button";
    const box = el("div", "context");
    box.hidden = true;
    more.addEventListener("click", () => {
      box.hidden = !box.hidden;
      more.setAttribute("aria-expanded", String(!box.hidden));
      if (!box.hidden) context(q, box);
    });
    meta.appendChild(more);
    li.appendChild(meta);
    li.appendChild(box);
    return li;
  }

  function showQuote(q, id) {
    const qid = String(q.quote_id || "");
    if (state.quotes.has(qid)) return;
    const node = quoteNode(q, id);
    state.quotes.set(qid, node);
    place(quotesEl, node, null);
    hints();
    speakersSoon();
  }

  // -- panels refreshed from the API ---------------------------------------------------------
  const DELIVERY = {
    failed: "delivery failed",
    ok: "no delivery failure",
    "no-target": "no notify target",
  };

  function showAlerts(alerts) {
    clear(alertsEl);
    if (!alerts.length) alertsEl.appendChild(el("li", "hint", "No alerts yet."));
    for (const a of alerts) {
      if (state.blog && a.blog_id !== state.blog) continue;
      const li = colour(el("li", "alert"), a.speaker);
      const d = a.delivery || { state: "ok" };
      li.classList.add("delivery-" + String(d.state));
      li.dataset.alertId = String(a.alert_id || "");
      const head = el("span", "meta");
      head.appendChild(el("span", "sub-id", a.subscription_id));
      if (a.speaker) {
        head.appendChild(document.createTextNode(" · "));
        head.appendChild(el("span", "speaker", a.speaker.name));
      }
      if (a.digest_count) head.appendChild(document.createTextNode(" · digest of " + a.digest_count));
      const badge = el("span", "delivery", DELIVERY[d.state] || String(d.state));
      if (d.reason) badge.title = String(d.reason);
      head.appendChild(badge);
      li.appendChild(head);
      li.appendChild(highlighted("quote-text", String(a.text || "").slice(0, 600), a.matches));
      if (d.state === "failed" && d.reason) li.appendChild(el("span", "reason", d.reason));
      const meta = el("span", "meta");
      meta.appendChild(timeNode(a.published_at));
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(entryLink(a.entry_id));
      li.appendChild(meta);
      alertsEl.appendChild(li);
    }
  }

  function showSpeakers(speakers) {
    clear(speakersEl);
    if (!speakers.length) speakersEl.appendChild(el("li", "hint", "No speakers yet."));
    for (const s of speakers) {
      const li = colour(el("li", "speaker-row"), s);
      const pick = el("button", "pick");
      pick.type = "button";
      pick.appendChild(el("span", "swatch"));
      pick.appendChild(el("span", "speaker", s.name));
      pick.appendChild(el("span", "count", s.quotes));
      pick.title = "show the quotes of " + s.name;
      pick.addEventListener("click", () => {
        input.value = "speaker:" + s.id;
        apply(input.value);
      });
      li.appendChild(pick);
      if (!state.blog) li.appendChild(el("span", "blog-id", s.blog_id));
      speakersEl.appendChild(li);
    }
  }

  function ago(text) {
    return text ? clock(text).hm : "—";
  }

  function showSources(blogs) {
    const known = new Set([...blogEl.options].map((o) => o.value));
    for (const b of blogs) {
      if (known.has(b.blog_id)) continue;
      const opt = el("option", null, b.blog_id);
      opt.value = b.blog_id;
      blogEl.appendChild(opt);
    }
    clear(sourcesEl);
    if (!blogs.length) sourcesEl.appendChild(el("li", "hint", "No sources yet."));
    for (const b of blogs) {
      const li = el("li", "source" + (b.dead_letters || b.poll_errors ? " has-errors" : ""));
      li.appendChild(el("strong", null, b.blog_id));
      if (b.source) li.appendChild(el("span", "url", b.source));
      const facts = el("span", "facts");
      facts.appendChild(document.createTextNode(
        b.entries + " entries · " + b.quotes + " quotes · newest " + ago(b.last_published)));
      if (b.last_poll) {
        facts.appendChild(document.createTextNode(
          " · polled " + ago(b.last_poll) + " UTC (" + b.polls + ")"));
      }
      if (b.last_polled_change) {
        facts.appendChild(document.createTextNode(" · changed " + ago(b.last_polled_change) + " UTC"));
      }
      li.appendChild(facts);
      const errors = (b.dead_letters || 0) + (b.poll_errors || 0);
      const err = el("span", "errors", errors ? errors + " errors" : "no errors");
      li.appendChild(err);
      const reason = b.last_poll_error || b.last_error;
      if (reason) li.appendChild(el("span", "reason", reason));
      sourcesEl.appendChild(li);
    }
  }

  function getJSON(url) {
    return fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  }

  function blogQuery(prefix) {
    return state.blog ? prefix + "blog=" + encodeURIComponent(state.blog) : "";
  }

  function refreshPanels() {
    getJSON("/api/alerts?limit=50").then((d) => showAlerts(d.alerts || [])).catch(() => {});
    getJSON("/api/blogs").then((d) => showSources(d.blogs || [])).catch(() => {});
    refreshSpeakers();
  }

  function refreshSpeakers() {
    getJSON("/api/speakers" + blogQuery("?")).then((d) => showSpeakers(d.speakers || []))
      .catch(() => {});
  }

  let speakersTimer = null;
  function speakersSoon() {
    if (speakersTimer) return;
    speakersTimer = setTimeout(() => {
      speakersTimer = null;
      refreshSpeakers();
    }, 500);
  }

  // -- feeds ---------------------------------------------------------------------------------
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

  function connectQuotes() {
    if (quotesSource) quotesSource.close();
    clear(quotesEl);
    state.quotes.clear();
    state.pending = state.pending.filter(([list]) => list !== quotesEl);
    hints();
    let url = "/feeds/quotes?backlog=200" + blogQuery("&");
    if (state.filter) url += "&filter=" + encodeURIComponent(state.filter);
    quotesSource = new EventSource(url);
    quotesSource.addEventListener("open", () => status("live", true));
    quotesSource.addEventListener("error", () => status("reconnecting…", false));
    quotesSource.addEventListener("quote", (ev) => {
      const q = parse(ev);
      if (q) showQuote(q, ev.lastEventId);
    });
  }

  function connectEntries() {
    if (entriesSource) entriesSource.close();
    clear(timelineEl);
    state.entries.clear();
    state.pending = state.pending.filter(([list]) => list !== timelineEl);
    hints();
    entriesSource = new EventSource("/feeds/entries?backlog=300" + blogQuery("&"));
    entriesSource.addEventListener("entry", (ev) => {
      const e = parse(ev);
      if (e) showEntry(e);
    });
  }

  function remember() {
    const params = new URLSearchParams();
    if (state.filter) params.set("filter", state.filter);
    if (state.blog) params.set("blog", state.blog);
    const query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  async function apply(filter) {
    errorEl.textContent = "";
    if (filter) {
      const resp = await fetch("/api/filters/check?filter=" + encodeURIComponent(filter));
      if (!resp.ok) {
        const body = await resp.json().catch(() => ({ detail: "invalid filter" }));
        errorEl.textContent = String(body.detail || body.error || "invalid filter");
        return;
      }
    }
    state.filter = filter;
    remember();
    connectQuotes();
    if (filter) view("quotes");
  }

  function view(name) {
    mainEl.className = "show-" + name;
    for (const b of document.querySelectorAll(".tabs button")) {
      b.classList.toggle("on", b.dataset.view === name);
    }
  }

  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => view(b.dataset.view));
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply(input.value.trim());
  });

  blogEl.addEventListener("change", () => {
    state.blog = blogEl.value;
    remember();
    connectEntries();
    connectQuotes();
    refreshPanels();
  });

  const params = new URLSearchParams(window.location.search);
  state.blog = params.get("blog") || "";
  if (state.blog) {
    const opt = el("option", null, state.blog);
    opt.value = state.blog;
    blogEl.appendChild(opt);
    blogEl.value = state.blog;
  }
  input.value = params.get("filter") || "";
  connectEntries();
  apply(input.value.trim());
  refreshPanels();
  setInterval(refreshPanels, 3000);
})();
