// Progressive enhancement for the article view and the analyze form (the pages work without it).
"use strict";
(function () {
  const body = document.getElementById("body");
  const form = document.getElementById("layers");
  if (body && form) {
    const boxes = Array.from(form.querySelectorAll("input[data-layer]"));
    const active = () => boxes.filter((b) => b.checked).map((b) => b.dataset.layer);
    const refresh = () => {
      const on = active();
      boxes.forEach((b) => body.classList.toggle("on-" + b.dataset.layer, b.checked));
      body.querySelectorAll("span.seg").forEach((seg) => {
        const tips = on.map((l) => seg.getAttribute("data-tip-" + l)).filter(Boolean);
        if (tips.length) seg.setAttribute("title", tips.join(" | "));
        else seg.removeAttribute("title");
      });
      const url = new URL(window.location.href);
      url.searchParams.delete("layers");
      on.forEach((l) => url.searchParams.append("layers", l));
      window.history.replaceState(null, "", url);
    };
    boxes.forEach((b) => b.addEventListener("change", refresh));
    const removed = document.getElementById("show-removed");
    if (removed) {
      removed.addEventListener("change", () => body.classList.toggle("show-removed", removed.checked));
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
  }
  const analyze = document.getElementById("analyze-form");
  if (analyze) {
    analyze.addEventListener("submit", (e) => {
      const limit = Number(analyze.dataset.limit);
      const file = analyze.querySelector("input[type=file]").files[0];
      const text = analyze.querySelector("textarea").value;
      const size = (file ? file.size : 0) + new Blob([text]).size;
      const msg = document.getElementById("client-error");
      if (size > limit) {
        e.preventDefault();
        msg.textContent = "Too large: the limit is " + Math.round(limit / 1048576) + " MB.";
        msg.classList.remove("hidden");
      }
    });
  }
})();
