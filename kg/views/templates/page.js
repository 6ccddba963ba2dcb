// Shared by the pages kg render writes: safe DOM helpers, details, header and search.
// Every name, fact and source is put into the document as text; only http(s) URLs become links.
"use strict";
window.kgPage = (function () {
  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    return node;
  };
  const safeUrl = (url) => (typeof url === "string" && /^https?:\/\//i.test(url) ? url : null);
  const sourceItem = (s) => {
    const item = el("li");
    const href = safeUrl(s.url);
    const label = [s.publisher, s.date].filter(Boolean).join(", ") + (s.title ? ": " + s.title : "");
    if (href) {
      item.appendChild(el("a", label, { href: href, target: "_blank", rel: "noopener noreferrer nofollow" }));
    } else {
      item.appendChild(el("span", label + (s.url ? " (" + s.url + ")" : "")));
    }
    return item;
  };
  // Text with its http(s) URLs as links (explanations cite their sources this way); the rest stays text.
  const linked = (tag, text) => {
    const node = el(tag);
    const parts = String(text).split(/(https?:\/\/[^\s<>"]+)/);
    parts.forEach((part, index) => {
      if (index % 2 === 1) {
        const url = part.replace(/[).,;]+$/, "");
        node.appendChild(el("a", url, { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }));
        if (url.length < part.length) node.appendChild(document.createTextNode(part.slice(url.length)));
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
    return node;
  };
  // The facts of a node or an arrow as a definition list (``ends``: the arrow's two names).
  function describeFacts(f, kind, withLinks, ends) {
    const box = el("dl");
    const add = (term, value) => {
      if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return;
      box.appendChild(el("dt", term));
      box.appendChild(el("dd", Array.isArray(value) ? value.join(", ") : value));
    };
    if (kind === "node") {
      add("name", f.name); add("identifier", f.id); add("kind", f.kinds); add("country", f.country);
      add("owner", f.owner); add("provides", f.provides); add("status", f.status);
      if (f.changed === false) add("in this scenario", "not changed");
      if (f.group) {
        add("members", f.count + " (first shown: " + f.members.join(", ") + ")");
        add("their main providers", f.providers);
        add("dependencies on the map's providers", f.uses);
      }
      if (f.criticality && (f.criticality.offline || f.criticality.degraded)) {
        add("its exit alone", f.criticality.offline + " offline, " + f.criticality.degraded + " degraded");
      }
      if (f.explanation) {
        box.appendChild(el("dt", "why"));
        box.appendChild(withLinks ? linked("dd", f.explanation) : el("dd", f.explanation));
      }
    } else {
      add("dependency", (ends || []).join(" \u2192 "));
      add("service", f.service); add("state", f.state); add("start", f.start || "before the earliest source");
      add("end", f.end || "open"); add("ended by", f.ended_by); add("effect override", f.effect); add("note", f.note);
    }
    if (f.sources && f.sources.length) {
      box.appendChild(el("dt", "sources"));
      const dd = el("dd"), list = el("ul");
      for (const s of f.sources) {
        list.appendChild(withLinks ? sourceItem(s) : el("li", [s.publisher, s.date, s.url].filter(Boolean).join(", ")));
      }
      dd.appendChild(list); box.appendChild(dd);
    }
    return box;
  }
  function setHeader(data) {
    const title = document.getElementById("title");
    title.textContent = data.title;
    title.setAttribute("title", data.title);
    document.title = data.title.length > 120 ? data.title.slice(0, 119) + "\u2026" : data.title;
    document.getElementById("subtitle").textContent = data.subtitle;
    if (data.summary && data.summary.length) {
      const summary = document.getElementById("summary");
      summary.replaceChildren(...data.summary.map((line) => el("p", line)));
      summary.hidden = false;
    }
  }
  // Search: any part of a name or identifier, in any case, over every node (drawn, labelled or not).
  function makeSearch(nodeFacts, goTo) {
    const searchable = Object.keys(nodeFacts).filter((id) => !(nodeFacts[id] || {}).group).map((id) => {
      const f = nodeFacts[id] || {};
      return { id: id, name: String(f.name || id), key: (String(f.name || "") + "\u0000" + String(id)).toLowerCase() };
    });
    const matchList = document.getElementById("matches"), matchNote = document.getElementById("match-note");
    const SHOWN = 20;
    function findMatches(query) {
      const wanted = query.trim().toLowerCase();
      if (!wanted) return [];
      const found = searchable.filter((n) => n.key.includes(wanted));
      found.sort((a, b) => (a.name.toLowerCase().startsWith(wanted) ? 0 : 1) - (b.name.toLowerCase().startsWith(wanted) ? 0 : 1) || a.name.localeCompare(b.name));
      return found;
    }
    function showMatches(query) {
      const found = findMatches(query);
      matchList.replaceChildren(...found.slice(0, SHOWN).map((n) => {
        const item = el("li");
        const button = el("button", n.name === n.id ? n.name : n.name + " (" + n.id + ")", { type: "button", "data-id": n.id });
        button.addEventListener("click", () => goTo(n.id));
        item.appendChild(button);
        return item;
      }));
      if (!query.trim()) matchNote.textContent = "";
      else if (!found.length) matchNote.textContent = "No actor matches \u201c" + query.trim() + "\u201d.";
      else matchNote.textContent = found.length + (found.length === 1 ? " match" : " matches") + (found.length > SHOWN ? " (first " + SHOWN + " shown)" : "") + ": Enter goes to the first.";
      return found;
    }
    const search = document.getElementById("search");
    search.addEventListener("input", () => showMatches(search.value));
    search.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      const found = showMatches(search.value);
      if (found.length) goTo(found[0].id);
    });
    window.kgSearch = (query) => showMatches(query).map((n) => n.id);
  }
  return { el: el, sourceItem: sourceItem, linked: linked, describeFacts: describeFacts, setHeader: setHeader, makeSearch: makeSearch };
})();
