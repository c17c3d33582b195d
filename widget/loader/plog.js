/*! plog loader — paints a paywall where each <script data-paywall> tag stands.
 *
 * The tag: <script src="https://PLOG_HOST/plog.js" data-paywall="PAYWALL_ID" async></script>
 * Optional: data-lang="en|ja", data-theme="light|dark|auto".
 *
 * A reader holding a token sees the paid part after one content request, and the widget's
 * WebAssembly is never fetched. Otherwise the loader paints the locked paywall the server
 * rendered (GET /v1/paywalls/{id}/view, from the widget's own components) into a shadow root
 * with the widget's stylesheet, and fetches the widget's code only when the paywall comes into
 * view and the page is idle, or at the first sign of intent (a pointer or focus on it). The
 * widget then swaps the painted nodes for its own, identical ones; a press made before it came
 * is replayed on them, typed values and focus carried over.
 *
 * The API origin is derived from this script's own src. Page-wide state is kept under a
 * registered Symbol, so no global name is added to the blog's window. The API serves this file
 * with the build's content-hashed file names filled in.
 */
(() => {
  "use strict";
  const WIDGET_JS = "__PLOG_WIDGET_JS__";
  const WIDGET_WASM = "__PLOG_WIDGET_WASM__";
  const WIDGET_CHUNKS = "__PLOG_WIDGET_CHUNKS__";
  const WIDGET_CSS = "__PLOG_WIDGET_CSS__";
  const KEY = Symbol.for("plog.widget");

  const current = document.currentScript;
  const src = current && current.src ? current.src : null;
  if (!src) return;
  // The API base: everything before "/plog.js" (plog may be served under a path prefix).
  const base = src.replace(/\/plog\.js(?:[?#].*)?$/, "");
  const files = base + "/widget/";

  const shared = window[KEY] || (window[KEY] = {});
  const page = shared[base] || (shared[base] = {});
  // The widget's code, fetched once per page on the first need: the .wasm and the chunks' loader
  // (which the glue imports) in parallel with the glue (it would only ask for them once it has
  // arrived).
  const widget = () => {
    if (!page.widget) {
      const wasm = fetch(files + WIDGET_WASM);
      if (WIDGET_CHUNKS) import(files + WIDGET_CHUNKS).catch(() => {});
      page.widget = import(files + WIDGET_JS).then(async (code) => {
        await code.default({ module_or_path: wasm });
        return code;
      });
    }
    return page.widget;
  };
  // The stylesheet, once per page and only to paint (cached for a year: its name changes with it).
  const sheet = () =>
    page.sheet || (page.sheet = fetch(files + WIDGET_CSS).then((r) => (r.ok ? r.text() : Promise.reject(r.status))));

  // Search engines: the paywalled part is the element with this class (not cloaking).
  if (!document.querySelector("script[data-plog-paywalled]")) {
    const data = document.createElement("script");
    data.type = "application/ld+json";
    data.setAttribute("data-plog-paywalled", "");
    data.textContent = JSON.stringify({
      "@context": "https://schema.org",
      "@type": "WebPage",
      isAccessibleForFree: false,
      hasPart: { "@type": "WebPageElement", isAccessibleForFree: false, cssSelector: ".plog-paywalled" },
    });
    (document.head || document.documentElement).appendChild(data);
  }

  let storage = null;
  try {
    storage = window.localStorage;
  } catch (_) {
    // Privacy modes: nothing is kept; the widget still sells for the visit.
  }
  const stored = (key) => {
    try {
      return (storage && storage.getItem(key)) || "";
    } catch (_) {
      return "";
    }
  };
  const store = (key, value) => {
    try {
      if (value) storage.setItem(key, value);
      else storage.removeItem(key);
    } catch (_) {}
  };

  // Child-index path of `node` under `root`, and the node at such a path.
  const pathTo = (root, node) => {
    const path = [];
    for (; node && node !== root; node = node.parentElement) path.unshift([].indexOf.call(node.parentElement.children, node));
    return node ? path : null;
  };
  const nodeAt = (root, path) => path && path.reduce((node, i) => node && node.children[i], root);

  // Inline !important outranks any page rule: a blog's CSS cannot hide what plog shows.
  // CSSOM, not a style attribute: a strict CSP blocks the latter, never the former.
  const SHOWN = "display:block !important;visibility:visible !important;opacity:1 !important";

  /** The paid part, in the page's light DOM (the blog's article styles apply), for the paywall. */
  const showPaid = (host, id, html) => {
    const content = document.createElement("plog-content");
    content.style.cssText = "display:block !important";
    content.className = "plog-paywalled";
    content.setAttribute("data-paywall", id);
    content.innerHTML = html;
    host.replaceWith(content);
  };

  /** The tokens this browser holds for the paywall: its own (one per purchase started or
   * restored here), then its passes'. One content request each until one opens it; the one that
   * opens is the one kept. A token is forgotten only when the server refuses it for good
   * (`access_ended`: refunded, canceled, disputed; `pass_expired`), never for "not paid yet": a
   * purchase paid in another tab, or whose webhook is late, opens on a later visit. */
  const tryTokens = async (host, id) => {
    const own = "plog:token:" + base + ":" + id;
    const passes = "plog:passes:" + base;
    const list = (key, except) => stored(key).split(/\s+/).filter((t) => t && t !== except);
    const mine = list(own);
    const held = list(passes).filter((t) => !mine.includes(t));
    let notice = "";
    for (const token of mine.concat(held)) {
      // The token as a text/plain body: a CORS "simple" request, sent without a preflight.
      const response = await fetch(base + "/v1/paywalls/" + encodeURIComponent(id) + "/content", {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: token,
      });
      if (response.ok) {
        if (mine.includes(token)) store(own, token);
        showPaid(host, id, (await response.json()).html);
        return null;
      }
      if (response.status !== 402) break;
      const refusal = await response.json().catch(() => ({}));
      const code = refusal.error && refusal.error.code;
      if (code === "pass_expired" || code === "access_ended") {
        if (code === "pass_expired") notice = "pass_ended";
        store(passes, list(passes, token).join(" "));
        store(own, list(own, token).join(" "));
      }
    }
    return notice;
  };

  /** Paints the locked view, then hands over to the widget when it is needed. */
  const paint = async (host, id) => {
    const notice = await tryTokens(host, id).catch(() => "");
    if (notice === null) return;
    const query = new URLSearchParams({
      lang: host.getAttribute("data-lang") || "",
      page_lang: document.documentElement.lang || "",
      browser_lang: navigator.language || "",
      notice,
    });
    const answer = fetch(base + "/v1/paywalls/" + encodeURIComponent(id) + "/view?" + query)
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    const [view, css] = await Promise.all([answer, sheet().catch(() => null)]);
    const shadow = host.attachShadow({ mode: "open" });
    if (css !== null) {
      try {
        const constructed = new CSSStyleSheet();
        constructed.replaceSync(css);
        shadow.adoptedStyleSheets = [constructed];
      } catch (_) {
        const style = document.createElement("style");
        style.textContent = css;
        shadow.appendChild(style);
      }
    }
    if (!view) {
      // The view could not be read: the widget reads the paywall itself and says what is wrong.
      return widget().then((code) => code.mount(host, id, base, undefined));
    }
    host.setAttribute("data-lang", view.lang);
    const painted = document.createElement("div");
    painted.innerHTML = view.html;
    shadow.appendChild(painted);
    if (view.paywall.status !== "archived") navigator.sendBeacon(base + "/v1/paywalls/" + encodeURIComponent(id) + "/views");

    const pressed = [];
    let started = false;
    const takeOver = (code) => {
      const focused = pathTo(painted, shadow.activeElement);
      const typed = [].filter
        .call(painted.querySelectorAll("input"), (input) => input.value)
        .map((input) => [pathTo(painted, input), input.value]);
      code.mount(host, id, base, view);
      stop();
      const fresh = shadow.lastElementChild;
      for (const [path, value] of typed) {
        const input = nodeAt(fresh, path);
        if (input) {
          input.value = value;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }
      const focus = nodeAt(fresh, focused);
      if (focus) focus.focus({ preventScroll: true });
      for (const path of pressed) {
        const button = nodeAt(fresh, path);
        if (button) button.click();
      }
    };
    const load = () => {
      if (started) return;
      started = true;
      widget()
        .then(takeOver)
        .catch((error) => {
          // The widget's code could not be fetched (offline, blocked): the reader is told, in
          // their language, and the next press tries again.
          console.warn("plog: the paywall could not be loaded", error);
          page.widget = null;
          started = false;
          pressed.length = 0;
          const status = painted.querySelector(".status");
          if (status) status.textContent = view.unavailable;
        });
    };
    // Presses before the widget came (a chip, then Buy): kept, and replayed in order on the
    // widget's own buttons.
    const press = (event) => {
      const button = event.target.closest && event.target.closest("button");
      if (button) pressed.push(pathTo(painted, button));
      event.preventDefault();
      load();
    };
    const events = [["pointerover", load], ["pointerdown", load], ["focusin", load], ["touchstart", load], ["click", press], ["submit", press]];
    for (const [type, listener] of events) shadow.addEventListener(type, listener, true);
    let seen = null;
    const stop = () => {
      for (const [type, listener] of events) shadow.removeEventListener(type, listener, true);
      if (seen) seen.disconnect();
    };
    // A restore or gift link in the address is for the widget at once.
    if (/^#plog-(restore|gift)=/.test(location.hash)) return load();
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 1));
    if (!window.IntersectionObserver) return idle(load);
    seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && idle(load), { rootMargin: "200px" });
    seen.observe(host);
  };

  // This tag, plus any tag of ours that an earlier run could not see (e.g. injected later).
  const tags = [current].concat(
    Array.from(document.querySelectorAll("script[data-paywall]")).filter((t) => t !== current && t.src === src)
  );
  for (const tag of tags) {
    if (tag.hasAttribute("data-plog-mounted") || !tag.parentNode) continue;
    tag.setAttribute("data-plog-mounted", "");
    // plog's article page (`/r/{id}`) painted the paywall itself, in a declarative shadow root
    // just before the tag, so it shows without JavaScript: that host is taken over (attaching a
    // shadow root again empties the declarative one, and the paint below fills it in the same
    // task). Anywhere else the host is made here.
    const prior = tag.previousElementSibling;
    const painted = prior && prior.localName === "plog-paywall" && !prior.hasAttribute("data-plog-host") &&
      prior.getAttribute("data-paywall") === tag.getAttribute("data-paywall");
    const host = painted ? prior : document.createElement("plog-paywall");
    host.setAttribute("data-plog-host", "");
    host.style.cssText = SHOWN;
    host.className = "plog-paywalled";
    for (const name of ["data-paywall", "data-lang", "data-theme"]) {
      if (tag.hasAttribute(name)) host.setAttribute(name, tag.getAttribute(name));
    }
    if (!/^(light|dark|auto)$/.test(host.getAttribute("data-theme") || "")) host.setAttribute("data-theme", "auto");
    if (!painted) tag.parentNode.insertBefore(host, tag);
    paint(host, tag.getAttribute("data-paywall") || "").catch((error) => {
      console.warn("plog: the paywall could not be loaded", error);
      host.textContent = "";
    });
  }
})();
