// plog's dashboard: the few things that need a browser. The pages work without this script,
// except the live previews and the Copy buttons. Served from plog under the dashboard's CSP
// (no inline script or style anywhere).
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="plog-csrf"]')?.content ?? "";

  // Amounts in the creator's locale, with the currency's own minor unit (¥100, $1.00).
  for (const el of document.querySelectorAll("[data-money]")) {
    const decimals = Number(el.dataset.decimals);
    try {
      el.textContent = new Intl.NumberFormat(navigator.languages, {
        style: "currency",
        currency: el.dataset.currency,
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      }).format(Number(el.dataset.money));
    } catch {
      // An unknown currency keeps the server's text.
    }
  }

  // Times in the creator's time zone; the UTC text stays as the tooltip.
  for (const el of document.querySelectorAll("time[datetime]")) {
    const at = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) {
      el.title = el.textContent;
      el.textContent = at.toLocaleString(navigator.languages, { dateStyle: "medium", timeStyle: "short" });
    }
  }

  // Copy buttons: the clipboard, or else the text selected for Ctrl+C.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      const status = button.closest("section")?.querySelector(".copied");
      try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = "Copied";
        if (status) status.textContent = "Copied to the clipboard.";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(source);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = "Press Ctrl+C";
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }

  // Live preview of the paid Markdown, through plog's own sanitizer: what readers will get.
  for (const area of document.querySelectorAll("textarea[data-preview]")) {
    const target = document.getElementById(area.dataset.preview);
    let timer;
    let asked = 0;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        const response = await fetch("/admin/preview", {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", "x-plog-csrf": csrf },
          body: JSON.stringify({ markdown: area.value }),
        });
        // Only the newest answer counts; the HTML comes sanitized from plog.
        if (response.ok && mine === asked) target.innerHTML = (await response.json()).html;
      }, 250);
    });
  }

  // Theme variables on the widget preview (they reach into its shadow DOM), and the CSS to copy.
  const host = document.getElementById("widget-preview");
  const css = document.querySelector("#theme-css code");
  const chosen = new Map();
  for (const input of document.querySelectorAll("input[data-theme-var]")) {
    input.addEventListener("input", () => {
      host.style.setProperty(input.dataset.themeVar, input.value);
      chosen.set(input.dataset.themeVar, input.value);
      css.textContent = ":root {\n" + [...chosen].map(([name, value]) => `  ${name}: ${value};`).join("\n") + "\n}";
    });
  }

  // Forms that undo nothing ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
})();
