/* Page glue for the lecture hall, run before Reveal.initialize: the chalkboard keeps its drawings
   for the whole visit (and starts from the drawings saved next to the deck), and the menu gets a
   table of contents with one entry per slide file. Works from file:// and from a server. */
(function () {
  "use strict";

  // One storage slot per deck file, so two decks opened in the same tab keep their own drawings.
  var DRAWINGS_KEY = "deckbuild-chalkboard:" + location.pathname;

  /** Seed the chalkboard's session storage from the saved drawings (or an empty board), unless
      this tab already holds newer ones: a reload keeps what the class drew. */
  function seedDrawings(options) {
    var saved = document.getElementById("saved-drawings");
    var blank = { width: options.width, height: options.height, data: [] };  // [notes canvas, board]
    try {
      if (sessionStorage.getItem(DRAWINGS_KEY) === null) {
        sessionStorage.setItem(DRAWINGS_KEY, saved ? saved.textContent : JSON.stringify([blank, blank]));
      }
    } catch (error) {
      console.warn("deckbuild: no session storage, drawings last until the page is left", error);
    }
  }

  /** A heading's text with each formula as its TeX: KaTeX's MathML and HTML would both show up in textContent. */
  function headingText(heading) {
    var copy = heading.cloneNode(true);
    copy.querySelectorAll(".katex").forEach(function (formula) {
      var tex = formula.querySelector("annotation");
      formula.replaceWith(tex ? tex.textContent : "");
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  /** Slides whose title holds math get it as TeX in the menu (the menu reads data-menu-title first). */
  function menuTitles() {
    document.querySelectorAll(".reveal .slides section").forEach(function (slide) {
      var heading = slide.querySelector("h1, h2, h3");
      if (heading && heading.querySelector(".katex") && !slide.hasAttribute("data-menu-title")) {
        slide.setAttribute("data-menu-title", headingText(heading));
      }
    });
  }

  /** The first slide of every slide file: its title and position (h, v), in deck order. */
  function sections() {
    var found = [], files = {};
    document.querySelectorAll(".reveal .slides > section").forEach(function (top, h) {
      var slides = top.classList.contains("stack") ? top.querySelectorAll(":scope > section") : [top];
      slides.forEach(function (slide, v) {
        var source = slide.getAttribute("data-source") || "";
        var file = source.replace(/:\d+$/, "");
        if (!file || file === "deck.toml" || files[file]) return;
        files[file] = true;
        var heading = slide.querySelector("h1, h2, h3");
        var name = file.split("/").pop().replace(/\.md$/, "");
        found.push({ title: heading ? headingText(heading) : name, h: h, v: v });
      });
    });
    return found;
  }

  /** A menu panel listing the sections; the menu plugin moves to a slide from data-slide-h/v. */
  function sectionsPanel() {
    var escape = function (text) {
      return text.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
    };
    var items = sections().map(function (section, i) {
      return '<li class="slide-menu-item section-item" data-slide-h="' + section.h + '" data-slide-v="' + section.v + '">'
        + '<span class="slide-menu-item-number">' + (i + 1) + '. </span>'
        + '<span class="slide-menu-item-title">' + escape(section.title) + "</span></li>";
    });
    return { title: "Sections", icon: '<i class="fas fa-list">', content: '<ul class="slide-menu-items">' + items.join("") + "</ul>" };
  }

  /** Reveal options with what only the page knows: where drawings live, the sections panel. */
  function configure(options) {
    seedDrawings(options);
    menuTitles();
    // The plugin stores a second after the last stroke; a reload sooner must not lose that stroke.
    window.addEventListener("pagehide", function () {
      if (window.RevealChalkboard) window.RevealChalkboard.updateStorage();
    });
    if (options.keyboardCondition === undefined) {
      // Zoomed in, Esc only zooms out (the zoom plugin listens for it); the overview waits for the next Esc.
      options.keyboardCondition = function (event) { return !(event.keyCode === 27 && document.body.style.transform); };
    }
    options.chalkboard = Object.assign({ storage: DRAWINGS_KEY }, options.chalkboard);
    options.menu = Object.assign({ custom: [sectionsPanel()] }, options.menu);
    return options;
  }

  window.DeckHall = { configure: configure, sections: sections, drawingsKey: DRAWINGS_KEY };
})();
