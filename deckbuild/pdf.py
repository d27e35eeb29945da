"""PDF exports made offline in headless Chromium: the deck in reveal.js print view, one 1280x720
page per slide in the final state of its fragments, and an A4 handout with the speaker notes.
Both are tagged PDFs (structure tree, figures with their alt text, language) with one bookmark per slide."""
from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

from .atomic import write_atomically
from .browser import in_chromium, offline_page
from .config import DeckConfig, load_config
from .errors import DeckError, Problem
from .pdf_outline import HEADINGS, finish_pdf

# Query options override the deck's: the page is exactly the slide (margin 0), one page per slide
# (fragments in their final state, overflow cut) and no notes on the slides themselves.
PRINT_VIEW = "?print-pdf&margin=0&pdfMaxPagesPerSlide=1&pdfSeparateFragments=false&showNotes=false"
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
WAIT_MS = 60_000
A4_WIDTH_MM, SIDE_MARGIN_MM = 210, 15
HANDOUT_MARGINS = {"top": "14mm", "bottom": "16mm", "left": f"{SIDE_MARGIN_MM}mm", "right": f"{SIDE_MARGIN_MM}mm"}
# A slide in the handout spans the text width of the page (180 mm, less 1 mm for its frame), at 96 px per inch.
HANDOUT_SCALE = (A4_WIDTH_MM - 2 * SIDE_MARGIN_MM - 1) / 25.4 * 96 / SLIDE_WIDTH

PRINT_READY = "document.querySelector('.pdf-page') && !document.querySelector('.loading-scroll-mode')"

# reveal's print stylesheet forces `padding: 0` and `display: block` on every section; the theme's
# own section rules are read again from its CSS text and re-applied above that, so slides keep
# the padding and flex layouts they have on screen.
RESTORE_THEME = """(texts) => {
  const restored = new CSSStyleSheet();
  for (const text of texts) {
    const theme = new CSSStyleSheet();
    theme.replaceSync(text);
    for (const rule of theme.cssRules) {
      if (!rule.selectorText || !rule.selectorText.includes('section')) continue;
      const kept = [...rule.style].filter(name => /^(padding|display)/.test(name))
        .map(name => `${name}: ${rule.style.getPropertyValue(name)} !important`);
      const selectors = rule.selectorText.split(',').map(s => 'html.reveal-print ' + s.trim()).join(', ');
      if (kept.length) restored.insertRule(`${selectors} { ${kept.join('; ')} }`, restored.cssRules.length);
    }
  }
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, restored];
}"""

# reveal.js's print view shows every slide but leaves `hidden` and `aria-hidden` on those that were
# not current; Chromium's tagged PDF leaves such content out of the structure tree, so they go.
SHOW_ALL = """() => document.querySelectorAll('.pdf-page section').forEach(s => {
  s.removeAttribute('hidden'); s.removeAttribute('aria-hidden'); s.removeAttribute('inert');
})"""

# Fonts (KaTeX's included) and images must be ready before Chromium prints anything.
SETTLE = """async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  const where = el => (el.closest('section[data-source]') || {dataset: {}}).dataset.source || 'index.html';
  return {
    broken: [...document.images].filter(img => !img.naturalWidth).map(img => [where(img), img.getAttribute('src')]),
    tall: [...document.querySelectorAll('.pdf-page > section')]
      .filter(s => s.scrollHeight > s.offsetHeight + 2).map(s => [where(s), s.scrollHeight]),
  };
}"""

# The handout: each printed slide page, scaled to the text width, followed by its notes; the
# title slide becomes a plain heading (no full-page dark box on paper).
HANDOUT_LAYOUT = """() => {
  const slides = document.querySelector('.reveal .slides');
  document.querySelectorAll('style').forEach(s => { if (s.textContent.includes('@page')) s.remove(); });
  document.body.style.width = document.body.style.height = '';
  const handout = document.createElement('div');
  handout.className = 'handout';
  slides.querySelectorAll(':scope > .pdf-page').forEach((page, i) => {
    const section = page.querySelector('section');
    const item = document.createElement('div');
    if (i === 0 && section.classList.contains('title-slide')) {
      item.className = 'handout-cover';
      item.append(...[...section.children].filter(el => getComputedStyle(el).display !== 'none'));
    } else {
      item.className = 'handout-item';
      item.innerHTML = `<div class="handout-label">Slide ${i + 1}</div><div class="handout-slide"></div>`;
      item.lastChild.appendChild(page);
      const notes = Reveal.getSlideNotes(section);
      if (notes && notes.trim()) item.insertAdjacentHTML('beforeend', `<div class="handout-notes">${notes}</div>`);
    }
    handout.appendChild(item);
  });
  slides.replaceChildren(handout);
}"""

HANDOUT_CSS = f"""
html.reveal-print, html.reveal-print body {{ width: auto !important; height: auto !important; background: #fff !important; }}
.reveal .handout-cover {{ font-size: 11pt; border-bottom: 0.6mm solid #1d2330; margin: 0 0 6mm; padding: 0 0 3mm; }}
.reveal .handout-cover h1 {{ font-size: 20pt; margin: 0 0 2mm; color: #1d2330; border: 0; }}
.reveal .handout-cover p {{ font-size: 11pt; margin: 1mm 0; color: #444; }}
.reveal .handout-item {{ break-inside: avoid; margin: 0 0 7mm; }}
.reveal .handout-label {{ font-size: 8pt; color: #5a6477; margin: 0 0 1mm; }}
.reveal .handout-slide {{ width: fit-content; overflow: hidden; border: 0.3mm solid #9aa3b5; }}
.reveal .slides .handout-slide .pdf-page {{ width: {SLIDE_WIDTH}px; zoom: {HANDOUT_SCALE:.5f}; page-break-after: auto !important; }}
.reveal .handout-notes {{ margin: 3mm 0 0; font-size: 11pt; line-height: 1.45; color: #1d2330; }}
.reveal .handout-notes p, .reveal .handout-notes ul, .reveal .handout-notes ol {{ margin: 0 0 1.5mm; }}
.reveal .handout-notes li {{ margin: 0.5mm 0; }}
"""


def export_pdf(root: Path, site: Path, handout: bool = False) -> Path:
    """build/deck.pdf, or build/handout.pdf with the notes, printed from the built `site` of the deck."""
    root = Path(root).resolve()
    config = load_config(root)
    target = root / "build" / ("handout.pdf" if handout else "deck.pdf")

    def print_deck(browser) -> bytes:
        page = offline_page(browser, viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
        open_print_view(page, site, config)
        pdf = print_handout(page, config.title) if handout else print_slides(page)
        refuse_network(page.blocked)
        return finish_pdf(pdf, page.evaluate(HEADINGS), config.title, config.lang)

    pdf = in_chromium(print_deck)
    write_atomically(target, pdf)
    if not handout and (site / target.name).is_file():  # the site offers the PDF (hall.py): not an old one
        write_atomically(site / target.name, pdf)
    return target


def open_print_view(page, site: Path, config: DeckConfig) -> None:
    """Load the built deck in reveal's print view and wait until its layout, fonts and images are done."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((site / "index.html").as_uri() + PRINT_VIEW)
    try:
        page.wait_for_function(PRINT_READY, timeout=WAIT_MS)
    except Exception as error:  # Playwright's TimeoutError: the page never reached the print layout
        why = "; ".join(errors) or type(error).__name__
        raise DeckError(Problem("build/site/index.html", 0, f"reveal.js print view did not finish: {why}")) from None
    themes = [(site / "theme" / f"{theme.name}.css").read_text(encoding="utf-8") for theme in config.theme_chain()]
    page.evaluate(RESTORE_THEME, themes)
    page.evaluate(SHOW_ALL)
    state = page.evaluate(SETTLE)
    if state["broken"]:
        raise DeckError([Problem(where, 0, f"image '{src}' did not load in Chromium")
                         for where, src in state["broken"]])
    for where, height in state["tall"]:
        print(f"{where}: warning: the slide is {height} px tall, the PDF shows its top {SLIDE_HEIGHT} px",
              file=sys.stderr)


def print_slides(page) -> bytes:
    """The print view as PDF: reveal sets the page size (1280x720 px) in an @page rule."""
    return page.pdf(print_background=True, prefer_css_page_size=True, tagged=True, outline=True)


def print_handout(page, title: str) -> bytes:
    """Rearrange the print view into A4 pages of slides and notes; deck title and page numbers below."""
    page.evaluate(HANDOUT_LAYOUT)
    page.add_style_tag(content=HANDOUT_CSS)
    page.evaluate(SETTLE)
    footer = (f'<div style="font: 8pt sans-serif; color: #555; width: 100%; margin: 0 {SIDE_MARGIN_MM}mm; display: flex;'
              f' justify-content: space-between;"><span>{escape(title)}</span><span>page <span class="pageNumber">'
              '</span> of <span class="totalPages"></span></span></div>')
    return page.pdf(format="A4", margin=HANDOUT_MARGINS, print_background=True, display_header_footer=True,
                    header_template="<div></div>", footer_template=footer, tagged=True, outline=True)


def refuse_network(urls: list[str]) -> None:
    """Exports are made offline: any attempt to reach past file:// is an error naming the URLs."""
    if urls:
        shown = ", ".join(json.dumps(url) for url in dict.fromkeys(urls))
        raise DeckError(Problem("build/site/index.html", 0, f"the deck tried to load from the network: {shown}"))
