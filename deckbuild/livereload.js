// Live preview (added by `build.py serve` only, never written to the built site): reload the page
// on the same slide after each good build; while a build fails, show its problems over the deck.
(function () {
  "use strict";
  const shownVersion = Number(document.currentScript.dataset.version);
  const SLIDE_KEY = "deckbuild-slide";

  // reveal.js keeps the slide in the URL (hash: true), but a deck may turn that off,
  // so the slide also travels across the reload in sessionStorage.
  function rememberSlide() {
    if (window.Reveal && Reveal.isReady()) {
      sessionStorage.setItem(SLIDE_KEY, JSON.stringify(Reveal.getIndices()));
    }
  }

  function restoreSlide() {
    const saved = sessionStorage.getItem(SLIDE_KEY);
    sessionStorage.removeItem(SLIDE_KEY);
    if (saved) {
      const at = JSON.parse(saved);
      Reveal.slide(at.h, at.v, at.f);
    }
  }

  if (window.Reveal) {
    if (Reveal.isReady()) restoreSlide();
    else Reveal.on("ready", restoreSlide);
  }

  function panel(id, css) {
    let element = document.getElementById(id);
    if (!element) {
      element = document.createElement("div");
      element.id = id;
      element.style.cssText = css;
      document.body.appendChild(element);
    }
    return element;
  }

  // The problems as text (never HTML): one `path:line: message` per line.
  function showProblems(problems) {
    const old = document.getElementById("deckbuild-errors");
    if (!problems.length) {
      if (old) old.remove();
      return;
    }
    const box = panel("deckbuild-errors",
      "position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:60vh;overflow:auto;" +
      "margin:0;padding:12px 18px;background:rgba(120,0,0,0.93);color:#fff;" +
      "font:16px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;text-align:left");
    box.replaceChildren(...problems.map((line) => {
      const row = document.createElement("div");
      row.className = "deckbuild-problem";
      row.textContent = line;
      return row;
    }));
  }

  // A small badge, only for builds long enough to notice (training, drawing figures).
  let badgeTimer = null;
  function showBuilding(building) {
    clearTimeout(badgeTimer);
    const old = document.getElementById("deckbuild-building");
    if (!building) {
      if (old) old.remove();
      return;
    }
    badgeTimer = setTimeout(() => {
      panel("deckbuild-building",
        "position:fixed;right:12px;bottom:12px;z-index:2147483647;padding:4px 10px;" +
        "border-radius:4px;background:#333;color:#fff;font:14px sans-serif").textContent = "building…";
    }, 300);
  }

  const events = new EventSource("/__events");
  events.onmessage = (message) => {
    const status = JSON.parse(message.data);
    if (status.version !== shownVersion) {
      // A newer good build exists: show it (its page shows the problems of any later build).
      events.close();
      rememberSlide();
      location.reload();
      return;
    }
    showProblems(status.problems);
    showBuilding(status.building);
  };
})();
