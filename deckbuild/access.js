/* Accessibility of the page around the slides, a reveal.js plugin that runs once the deck is ready.
   reveal.js already hides the slides not shown (inert, aria-hidden); this names the plugins' icon
   controls, makes their clickable list items keyboard buttons and takes the deck out of the
   "application" role, so screen readers stay in browse mode (reveal.js issue 3772). */
(function () {
  "use strict";

  /** An element that only a pointer could use becomes a named button: Tab reaches it, Enter or Space clicks it. */
  function button(element, name) {
    if (!element) return;
    element.setAttribute("aria-label", name);
    element.setAttribute("role", "button");
    element.setAttribute("tabindex", "0");
    if (element.dataset.keyboard) return;
    element.dataset.keyboard = "yes";
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();  // reveal.js must not also act on the key
        element.click();
      }
    });
  }

  /** A list whose items became buttons is a named group of buttons (a list may only hold list items). */
  function group(list, name) {
    if (!list) return;
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", name);
  }

  /** The chalkboard's colour palettes: each colour and the sponge a button; the sponge image is decoration. */
  function palettes() {
    document.querySelectorAll(".reveal .palette").forEach(function (palette) {
      group(palette.querySelector("ul"), "Chalk colours and sponge");
      palette.querySelectorAll("li[data-color]").forEach(function (item) {
        button(item, "Chalk colour " + (Number(item.getAttribute("data-color")) + 1));
      });
      button(palette.querySelector("li[data-eraser]"), "Sponge: erase");
      palette.querySelectorAll("img").forEach(function (img) { img.setAttribute("alt", ""); });
    });
    // The drawing canvases hold pictures a class drew; they carry no text for a screen reader.
    document.querySelectorAll(".reveal canvas").forEach(function (canvas) { canvas.setAttribute("aria-hidden", "true"); });
  }

  /** The menu: its button, its toolbar tabs and close button; the open panel can be scrolled by keyboard. */
  function menu() {
    var toggle = document.querySelector(".slide-menu-button a");
    if (toggle) {
      toggle.setAttribute("aria-label", "Menu: slides and sections (M)");
      toggle.setAttribute("role", "button");
    }
    group(document.querySelector(".slide-menu-toolbar"), "Menu panels");
    document.querySelectorAll(".slide-menu-toolbar > li").forEach(function (item) {
      var label = item.querySelector(".slide-menu-toolbar-label");
      button(item, label ? label.textContent.trim() || "Close menu" : "Close menu");
    });
    // Closed, the menu is out of sight: out of the Tab order and of the screen reader's page too.
    var wrapper = document.querySelector(".slide-menu-wrapper");
    if (wrapper && !wrapper.dataset.watched) {
      wrapper.dataset.watched = "yes";
      var follow = function () { wrapper.inert = !document.body.classList.contains("slide-menu-active"); };
      new MutationObserver(follow).observe(document.body, { attributes: true, attributeFilter: ["class"] });
      follow();
    }
    document.querySelectorAll(".slide-menu-panel").forEach(function (panel) {
      panel.setAttribute("tabindex", "0");
      panel.setAttribute("role", "region");
      var tab = document.querySelector('.slide-menu-toolbar > li[data-panel="' + panel.getAttribute("data-panel") + '"]');
      panel.setAttribute("aria-label", (tab ? tab.getAttribute("aria-label") : "Menu") + " panel");
    });
  }

  /** The drawing buttons (customcontrols): named by their titles; the collapse toggle by what it does. */
  function controls() {
    document.querySelectorAll("#customcontrols button[title]").forEach(function (control) {
      control.setAttribute("aria-label", control.getAttribute("title"));
    });
    var toggle = document.querySelector("#customcontrols > button");
    if (toggle) toggle.setAttribute("aria-label", "Show or hide the drawing buttons");
  }

  window.DeckAccess = {
    id: "deckbuild-access",
    init: function (deck) {
      // The menu builds itself after its stylesheet loads, which may be after the deck is ready.
      document.addEventListener("menu-ready", menu);
      deck.on("ready", function () {
        deck.getRevealElement().removeAttribute("role");
        menu();
        controls();
        palettes();
      });
    },
  };
})();
