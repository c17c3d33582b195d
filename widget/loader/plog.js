/*! plog loader — mounts a paywall where each <script data-paywall> tag stands.
 *
 * The tag: <script src="https://PLOG_HOST/plog.js" data-paywall="PAYWALL_ID" async></script>
 * Optional: data-lang="en|ja", data-theme="light|dark|auto".
 *
 * The API origin is derived from this script's own src. The WebAssembly widget is loaded once
 * per page, however many tags the page holds; its one page-wide handle is kept under a
 * registered Symbol, so no global name is added to the blog's window.
 * The API serves this file with the widget's content-hashed file names filled in.
 */
(() => {
  "use strict";
  const WIDGET_JS = "__PLOG_WIDGET_JS__";
  const WIDGET_WASM = "__PLOG_WIDGET_WASM__";
  const KEY = Symbol.for("plog.widget");

  const current = document.currentScript;
  const src = current && current.src ? current.src : null;
  if (!src) return;
  // The API base: everything before "/plog.js" (plog may be served under a path prefix).
  const base = src.replace(/\/plog\.js(?:[?#].*)?$/, "");

  const shared = window[KEY] || (window[KEY] = {});
  if (!shared[base]) {
    shared[base] = import(base + "/widget/" + WIDGET_JS).then(async (widget) => {
      await widget.default({ module_or_path: base + "/widget/" + WIDGET_WASM });
      return widget;
    });
  }

  // This tag, plus any tag of ours that an earlier run could not see (e.g. injected later).
  const tags = [current].concat(
    Array.from(document.querySelectorAll("script[data-paywall]")).filter((t) => t !== current && t.src === src)
  );
  for (const tag of tags) {
    if (tag.hasAttribute("data-plog-mounted") || !tag.parentNode) continue;
    tag.setAttribute("data-plog-mounted", "");
    const host = document.createElement("plog-paywall");
    // Inline !important outranks any page rule: a blog's CSS cannot hide the paywall.
    // CSSOM, not a style attribute: a strict CSP blocks the latter, never the former.
    host.style.cssText = "display:block !important;visibility:visible !important;opacity:1 !important";
    for (const name of ["data-paywall", "data-lang", "data-theme"]) {
      if (tag.hasAttribute(name)) host.setAttribute(name, tag.getAttribute(name));
    }
    tag.parentNode.insertBefore(host, tag);
    shared[base]
      .then((widget) => widget.mount(host, tag.getAttribute("data-paywall") || "", base))
      .catch((error) => {
        console.warn("plog: the paywall could not be loaded", error);
        host.textContent = "";
      });
  }
})();
